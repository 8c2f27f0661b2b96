//! Persistence commands: SAVE, BGSAVE [SCHEDULE], LASTSAVE (and, with
//! their payload format, DUMP and RESTORE).

use super::{cmd, flag::*, is, CommandSpec, NOKEYS};
use crate::errors;
use crate::keyspace::Ctx;
use crate::persist::{self, Error};
use crate::reply::Reply;

pub static COMMANDS: &[CommandSpec] = &[
    cmd("save", 1, ADMIN | NOSCRIPT | NO_MULTI, NOKEYS, "server", save),
    cmd("bgsave", -1, ADMIN | NOSCRIPT, NOKEYS, "server", bgsave),
    cmd("lastsave", 1, LOADING | STALE | FAST, NOKEYS, "server", lastsave),
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

fn lastsave(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    Reply::from((ctx.store().persist.last_save_ms() / 1000) as i64)
}
