//! Connection commands: PING, ECHO, SELECT, HELLO, CLIENT.

use super::{cmd, flag::*, CommandSpec, NOKEYS};
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;

pub static COMMANDS: &[CommandSpec] = &[
    cmd("ping", -1, FAST | STALE, NOKEYS, "connection", ping),
    cmd("echo", 2, FAST, NOKEYS, "connection", echo),
    cmd("select", 2, FAST | LOADING | STALE, NOKEYS, "connection", select),
];

fn ping(_: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    match args.len() {
        1 => Reply::status("PONG"),
        2 => Reply::bulk(args[1]),
        _ => Reply::error_owned(errors::arity("ping")),
    }
}

fn echo(_: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    Reply::bulk(args[1])
}

fn select(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let Some(db) = crate::num::parse_i64(args[1]) else {
        return Reply::error(errors::INVALID_DB);
    };
    if db < 0 || db as usize >= ctx.databases() {
        return Reply::error(errors::DB_INDEX);
    }
    ctx.sess.db = db as usize;
    Reply::ok()
}
