//! Persistence commands: SAVE, BGSAVE [SCHEDULE], BGREWRITEAOF, LASTSAVE (and, with
//! their payload format, DUMP and RESTORE).

use super::{cmd, flag::*, int_arg, is, CommandSpec, KEY1, NOKEYS};
use crate::errors;
use crate::keyspace::Ctx;
use crate::persist::dump::{self, Refused};
use crate::persist::{self, Error};
use crate::reply::Reply;

pub static COMMANDS: &[CommandSpec] = &[
    cmd("save", 1, ADMIN | NOSCRIPT | NO_MULTI, NOKEYS, "server", save),
    cmd("bgsave", -1, ADMIN | NOSCRIPT, NOKEYS, "server", bgsave),
    cmd("bgrewriteaof", 1, ADMIN | NOSCRIPT, NOKEYS, "server", bgrewriteaof),
    cmd("lastsave", 1, LOADING | STALE | FAST, NOKEYS, "server", lastsave),
    cmd("dump", 2, READONLY, KEY1, "keyspace", dump_cmd),
    cmd("restore", -4, WRITE | DENYOOM, KEY1, "keyspace", restore_cmd),
];

fn failed(e: Error) -> Reply {
    match e {
        Error::InProgress => Reply::error(errors::BGSAVE_IN_PROGRESS),
        e => Reply::error_owned(format!("ERR {e}")),
    }
}

/// Runs with no lock held (no keys): the save takes its point in time
/// itself, and other callers go on while it writes.
fn save(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    match persist::save(ctx.store()) {
        Ok(_) => Reply::ok(),
        Err(e) => failed(e),
    }
}

/// As Redis: refused while a background save runs; inside a transaction
/// it is scheduled (it starts once EXEC has released the keyspace, which
/// is when its point in time is taken).
fn bgsave(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    match args {
        [_] => {}
        [_, s] if is(s, "SCHEDULE") => {}
        _ => return Reply::error(errors::SYNTAX),
    }
    let store = ctx.store();
    if store.persist.bg_in_progress() {
        return Reply::error(errors::BGSAVE_IN_PROGRESS);
    }
    if store.persist.aof.rewriting.load(std::sync::atomic::Ordering::Relaxed) {
        if args.len() == 1 {
            return Reply::error(errors::BGSAVE_DURING_REWRITE);
        }
        let Some(me) = store.me.upgrade() else { return Reply::error(errors::STORE_CLOSED) };
        std::thread::spawn(move || {
            me.persist.wait_idle();
            let _ = persist::bgsave(&me);
        });
        return Reply::status("Background saving scheduled");
    }
    let Some(me) = store.me.upgrade() else { return Reply::error(errors::STORE_CLOSED) };
    if ctx.holds_all() {
        if store.config.persist.data_dir.is_none() {
            return failed(Error::NoDataDir);
        }
        std::thread::spawn(move || persist::bgsave(&me));
        return Reply::status("Background saving scheduled");
    }
    match persist::bgsave(&me) {
        Ok(()) => Reply::status("Background saving started"),
        Err(e) => failed(e),
    }
}

/// As Redis: refused while a rewrite runs, scheduled while a background
/// save runs (it starts when the save ends).
fn bgrewriteaof(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    let store = ctx.store();
    let Some(me) = store.me.upgrade() else { return Reply::error(errors::STORE_CLOSED) };
    if ctx.holds_all() {
        // Inside EXEC every shard is held: the rewrite's point in time is
        // taken once the transaction ends.
        if store.persist.aof.rewriting.load(std::sync::atomic::Ordering::Relaxed) {
            return Reply::error(errors::AOF_REWRITE_IN_PROGRESS);
        }
        store.persist.aof.scheduled.store(true, std::sync::atomic::Ordering::Relaxed);
        return Reply::status("Background append only file rewriting scheduled");
    }
    match persist::bgrewriteaof(&me) {
        Ok(true) => Reply::status("Background append only file rewriting started"),
        Ok(false) => Reply::status("Background append only file rewriting scheduled"),
        Err(Error::RewriteInProgress) => Reply::error(errors::AOF_REWRITE_IN_PROGRESS),
        Err(e) => failed(e),
    }
}

fn lastsave(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    Reply::from((ctx.store().persist.last_save_ms() / 1000) as i64)
}

fn dump_cmd(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let now = ctx.now();
    match ctx.read(args[1]).and_then(|s| dump::dump(s.value(), now)) {
        Some(p) => Reply::Bulk(p),
        None => Reply::Nil,
    }
}

/// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], with
/// Redis's order of checks: options, existing key, TTL, payload.
fn restore_cmd(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let (mut replace, mut absttl, mut idle, mut freq) = (false, false, None, None);
    let mut j = 4;
    while j < args.len() {
        let more = j + 1 < args.len();
        if is(args[j], "REPLACE") {
            replace = true;
        } else if is(args[j], "ABSTTL") {
            absttl = true;
        } else if is(args[j], "IDLETIME") && more && freq.is_none() {
            match int_arg(args[j + 1]) {
                Ok(v) if v < 0 => return Reply::error(errors::INVALID_IDLETIME),
                Ok(v) => idle = Some(v),
                Err(e) => return e,
            }
            j += 1;
        } else if is(args[j], "FREQ") && more && idle.is_none() {
            match int_arg(args[j + 1]) {
                Ok(v) if !(0..=255).contains(&v) => return Reply::error(errors::INVALID_FREQ),
                Ok(v) => freq = Some(v),
                Err(e) => return e,
            }
            j += 1;
        } else {
            return Reply::error(errors::SYNTAX);
        }
        j += 1;
    }
    let key = args[1];
    if !replace && ctx.peek(key).is_some() {
        return Reply::error(errors::BUSYKEY);
    }
    let ttl = match int_arg(args[2]) {
        Ok(t) if t < 0 => return Reply::error(errors::INVALID_TTL),
        Ok(t) => t as u64,
        Err(e) => return e,
    };
    let now = ctx.now();
    let value = match dump::restore(args[3], now) {
        Ok(v) => v,
        Err(Refused::Checksum) => return Reply::error(errors::DUMP_PAYLOAD),
        Err(Refused::Format) => return Reply::error(errors::BAD_DATA_FORMAT),
    };
    if replace {
        ctx.remove(key);
    }
    let expire = match ttl {
        0 => None,
        t if absttl => Some(t),
        t => Some(now.saturating_add(t)),
    };
    // Already expired (or a hash whose fields all expired): the key is
    // just gone, as in Redis.
    let (Some(value), false) = (value, expire.is_some_and(|t| t <= now)) else { return Reply::ok() };
    ctx.insert(key, value, expire);
    Reply::ok()
}
