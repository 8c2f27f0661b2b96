//! Server commands: SWAPDB, DBSIZE, FLUSHDB, FLUSHALL, TIME, CONFIG GET,
//! and (in submodules) INFO and COMMAND.

mod command;
mod info;

pub use command::{redis_reference, RedisCommand};

use super::connection::{dispatch, help, Sub};
use super::{cmd, flag::*, is, CommandSpec, NOKEYS};
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;

pub static COMMANDS: &[CommandSpec] = &[
    cmd("swapdb", 3, WRITE | FAST | SELF_LOCKING, NOKEYS, "server", swapdb),
    cmd("dbsize", 1, READONLY | FAST | WHOLE_DB, NOKEYS, "server", dbsize),
    cmd("flushdb", -1, WRITE | WHOLE_DB, NOKEYS, "server", flushdb),
    cmd("flushall", -1, WRITE | SELF_LOCKING, NOKEYS, "server", flushall),
    cmd("time", 1, LOADING | STALE | FAST, NOKEYS, "server", time),
    cmd("info", -1, LOADING | STALE | SELF_LOCKING, NOKEYS, "server", info::info),
    cmd("command", -1, LOADING | STALE, NOKEYS, "server", command::command),
    cmd("config", -2, 0, NOKEYS, "server", config),
];

/// A database index argument of SWAPDB: an int, else the given error.
fn db_index(arg: &[u8], invalid: &'static str) -> Result<i64, Reply> {
    crate::num::parse_i64(arg).filter(|&v| i32::try_from(v).is_ok()).ok_or(Reply::error(invalid))
}

/// SWAPDB a b: both databases are locked (in index order) for the swap, so
/// no reader sees one half swapped.
fn swapdb(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let ids = db_index(args[1], errors::SWAPDB_FIRST).and_then(|a| Ok((a, db_index(args[2], errors::SWAPDB_SECOND)?)));
    let (a, b) = match ids {
        Ok(ids) => ids,
        Err(e) => return e,
    };
    let n = ctx.databases() as i64;
    if !(0..n).contains(&a) || !(0..n).contains(&b) {
        return Reply::error(errors::DB_INDEX);
    }
    let (a, b) = (a as usize, b as usize);
    ctx.lock_dbs(true, &[a, b]);
    ctx.swap_dbs(a, b);
    Reply::ok()
}

fn dbsize(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    Reply::from(ctx.db_len(ctx.db()))
}

/// The optional SYNC / ASYNC argument of FLUSHDB and FLUSHALL. Both free
/// memory synchronously here: nothing is gained by deferring it in process.
fn flush_mode(args: &[&[u8]]) -> Result<(), Reply> {
    match args {
        [_] => Ok(()),
        [_, m] if is(m, "SYNC") || is(m, "ASYNC") => Ok(()),
        _ => Err(Reply::error(errors::SYNTAX)),
    }
}

fn flushdb(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    if let Err(e) = flush_mode(args) {
        return e;
    }
    ctx.clear_db(ctx.db());
    Reply::ok()
}

fn flushall(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    if let Err(e) = flush_mode(args) {
        return e;
    }
    ctx.lock_all();
    for db in 0..ctx.databases() {
        ctx.clear_db(db);
    }
    Reply::ok()
}

/// TIME: seconds and microseconds from the store's clock.
fn time(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    let us = ctx.store().config.clock.now_us();
    Reply::Array(vec![Reply::bulk((us / 1_000_000).to_string()), Reply::bulk((us % 1_000_000).to_string())])
}

// ---- CONFIG --------------------------------------------------------------------

static CONFIG_SUBS: &[Sub] =
    &[Sub { name: "get", arity: -3, handler: config_get }, Sub { name: "help", arity: 2, handler: config_help }];

fn config(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    dispatch("config", CONFIG_SUBS, ctx, args)
}

/// CONFIG GET pattern...: the parameters that mean something for an
/// embedded store, with the values that describe it. Each parameter is
/// reported once even if several patterns match it.
fn config_get(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let c = &ctx.store().config;
    let p = &c.persist;
    let save = if p.mode.snapshots() && p.data_dir.is_some() {
        p.save_rules.iter().map(|r| format!("{} {}", r.seconds, r.changes)).collect::<Vec<_>>().join(" ")
    } else {
        String::new()
    };
    let fsync = match p.fsync {
        crate::persist::Fsync::Always => "always",
        crate::persist::Fsync::EverySec => "everysec",
        crate::persist::Fsync::No => "no",
    };
    let logging = ctx.store().persist.aof.log.get().is_some();
    let params: [(&str, String); 12] = [
        ("databases", c.databases.to_string()),
        ("hz", c.hz.to_string()),
        ("maxmemory", "0".into()),
        ("maxmemory-policy", "noeviction".into()),
        ("save", save),
        ("appendonly", if logging { "yes" } else { "no" }.into()),
        ("appendfsync", fsync.into()),
        ("auto-aof-rewrite-percentage", p.rewrite_percentage.to_string()),
        ("auto-aof-rewrite-min-size", p.rewrite_min_size.to_string()),
        ("dir", p.data_dir.as_ref().map_or(String::new(), |d| d.display().to_string())),
        ("timeout", "0".into()),
        ("proto-max-bulk-len", "536870912".into()),
    ];
    let mut out = Vec::new();
    for (name, value) in params {
        if args[2..].iter().any(|p| crate::glob::matches_nocase(p, name.as_bytes())) {
            out.push((Reply::bulk(name), Reply::bulk(value)));
        }
    }
    Reply::Map(out)
}

fn config_help(_: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    help(
        "config",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "HELP",
            "    Prints this help.",
        ],
    )
}
