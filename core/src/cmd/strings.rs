//! String commands.

use super::{cmd, flag::*, read_str, reply, CommandSpec, KEY1};
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::value::Value;

pub static COMMANDS: &[CommandSpec] = &[
    cmd("get", 2, READONLY | FAST, KEY1, "string", get),
    cmd("set", -3, WRITE | DENYOOM, KEY1, "string", set),
];

fn get(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply(read_str(ctx, args[1]).map(|v| v.map(<[u8]>::to_vec).into()))
}

fn set(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    ctx.insert(args[1], Value::string(args[2]), None);
    Reply::ok()
}
