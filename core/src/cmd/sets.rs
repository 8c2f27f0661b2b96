//! Set commands. The type and its encodings are in [`crate::types::set`];
//! set algebra (SINTER/SUNION/SDIFF and their STORE and CARD forms) is in
//! `sets/algebra.rs`, random members (SPOP, SRANDMEMBER) in
//! `sets/random.rs`. A set that loses its last member is deleted; commands
//! that change a set in place keep its TTL, the STORE commands replace the
//! destination (no TTL).

use super::keys::parse_cursor;
use super::keys::{ScanExtra, ScanOpts};
use super::{cmd, flag::*, is, reply, CommandSpec, KEY1};
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::types::set::{Member, Set};
use crate::value::{Value, ValueRef};
use crate::Slot;

mod algebra;
mod random;

/// A table entry for a handler written with `?`.
macro_rules! q {
    ($f:path) => {
        |ctx: &mut Ctx<'_>, args: &[&[u8]]| reply($f(ctx, args))
    };
}

/// Every key from the first argument on.
const ALL_KEYS: (i32, i32, i32) = (1, -1, 1);

pub static COMMANDS: &[CommandSpec] = &[
    cmd("sadd", -3, WRITE | DENYOOM | FAST, KEY1, "set", q!(sadd)),
    cmd("scard", 2, READONLY | FAST, KEY1, "set", q!(scard)),
    cmd("sdiff", -2, READONLY, ALL_KEYS, "set", q!(algebra::sdiff)),
    cmd("sdiffstore", -3, WRITE | DENYOOM, ALL_KEYS, "set", q!(algebra::sdiffstore)),
    cmd("sinter", -2, READONLY, ALL_KEYS, "set", q!(algebra::sinter)),
    cmd("sintercard", -3, READONLY | SELF_LOCKING, (0, 0, 0), "set", q!(algebra::sintercard)),
    cmd("sinterstore", -3, WRITE | DENYOOM, ALL_KEYS, "set", q!(algebra::sinterstore)),
    cmd("sismember", 3, READONLY | FAST, KEY1, "set", q!(sismember)),
    cmd("smembers", 2, READONLY, KEY1, "set", q!(smembers)),
    cmd("smismember", -3, READONLY | FAST, KEY1, "set", q!(smismember)),
    cmd("smove", 4, WRITE | FAST, (1, 2, 1), "set", q!(smove)),
    cmd("spop", -2, WRITE | FAST, KEY1, "set", q!(random::spop)),
    cmd("srandmember", -2, READONLY, KEY1, "set", q!(random::srandmember)),
    cmd("srem", -3, WRITE | FAST, KEY1, "set", q!(srem)),
    cmd("sscan", -3, READONLY, KEY1, "set", q!(sscan)),
    cmd("sunion", -2, READONLY, ALL_KEYS, "set", q!(algebra::sunion)),
    cmd("sunionstore", -3, WRITE | DENYOOM, ALL_KEYS, "set", q!(algebra::sunionstore)),
];

fn wrongtype() -> Reply {
    Reply::error(errors::WRONGTYPE)
}

/// The set a slot holds, or WRONGTYPE.
fn as_set(slot: &Slot) -> Result<&Set, Reply> {
    match slot.value() {
        ValueRef::Other(Value::Set(s)) => Ok(s),
        _ => Err(wrongtype()),
    }
}

/// A set for reading (None if the key is absent).
pub(crate) fn read_set<'c>(ctx: &'c Ctx<'_>, key: &[u8]) -> Result<Option<&'c Set>, Reply> {
    ctx.read(key).map(as_set).transpose()
}

/// A set for changing in place (None if the key is absent).
fn write_set<'c>(ctx: &'c mut Ctx<'_>, key: &[u8]) -> Result<Option<&'c mut Set>, Reply> {
    match ctx.write(key) {
        None => Ok(None),
        Some(slot) => match slot.value_mut() {
            Some(Value::Set(s)) => Ok(Some(s)),
            _ => Err(wrongtype()),
        },
    }
}

/// Deletes `key` if it holds an empty set (the last member went).
fn drop_if_empty(ctx: &mut Ctx<'_>, key: &[u8]) {
    if matches!(write_set(ctx, key), Ok(Some(s)) if s.is_empty()) {
        ctx.remove(key);
    }
}

/// Adds `members` to the set at `key`, creating it: how many were new.
pub(crate) fn add_members<M: AsRef<[u8]>>(ctx: &mut Ctx<'_>, key: &[u8], members: &[M]) -> Result<usize, Reply> {
    let add_all = |s: &mut Set| members.iter().filter(|m| s.add(m.as_ref())).count();
    Ok(match write_set(ctx, key)? {
        Some(s) => {
            s.reserve_for(members.len());
            add_all(s)
        }
        None => {
            let Some(first) = members.first() else { return Ok(0) };
            let mut s = Set::create(first.as_ref(), members.len());
            let n = add_all(&mut s);
            ctx.insert(key, Value::Set(s), None);
            n
        }
    })
}

/// Removes `members` from the set at `key`: how many were there. The key
/// goes when its last member does.
pub(crate) fn remove_members<M: AsRef<[u8]>>(ctx: &mut Ctx<'_>, key: &[u8], members: &[M]) -> Result<usize, Reply> {
    let Some(s) = write_set(ctx, key)? else { return Ok(0) };
    let removed = members.iter().filter(|m| s.remove(m.as_ref())).count();
    if s.is_empty() {
        ctx.remove(key);
    }
    Ok(removed)
}

/// SADD key member [member ...]
fn sadd(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    Ok(Reply::Integer(add_members(ctx, args[1], &args[2..])? as i64))
}

/// SREM key member [member ...]
fn srem(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    Ok(Reply::Integer(remove_members(ctx, args[1], &args[2..])? as i64))
}

/// SCARD key
fn scard(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    Ok(Reply::Integer(read_set(ctx, args[1])?.map_or(0, Set::len) as i64))
}

/// SISMEMBER key member
fn sismember(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    Ok(Reply::Integer(read_set(ctx, args[1])?.is_some_and(|s| s.contains(args[2])) as i64))
}

/// SMISMEMBER key member [member ...]: a missing key is an empty set.
fn smismember(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    let s = read_set(ctx, args[1])?;
    Ok(Reply::Array(args[2..].iter().map(|m| Reply::Integer(s.is_some_and(|s| s.contains(m)) as i64)).collect()))
}

/// SMEMBERS key, in the encoding's order.
fn smembers(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    Ok(Reply::Set(read_set(ctx, args[1])?.map_or_else(Vec::new, member_replies)))
}

/// SMOVE source destination member. Redis's order of checks: both keys
/// are looked up (expiring them if due), a missing source answers 0 before
/// any type check, then both types; a move onto the same key only reports
/// membership.
fn smove(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    let (src, dst, m) = (args[1], args[2], args[3]);
    let src_is_set = ctx.write(src).map(|slot| as_set(slot).is_ok());
    let dst_ok = ctx.write(dst).is_none_or(|slot| as_set(slot).is_ok());
    let Some(src_is_set) = src_is_set else { return Ok(Reply::Integer(0)) };
    if !src_is_set || !dst_ok {
        return Err(wrongtype());
    }
    let s = write_set(ctx, src)?.ok_or_else(wrongtype)?;
    if src == dst {
        return Ok(Reply::Integer(s.contains(m) as i64));
    }
    if !s.remove(m) {
        return Ok(Reply::Integer(0));
    }
    drop_if_empty(ctx, src);
    match write_set(ctx, dst)? {
        Some(d) => {
            d.add(m);
        }
        None => {
            let mut d = Set::create(m, 1);
            d.add(m);
            ctx.insert(dst, Value::Set(d), None);
        }
    }
    Ok(Reply::Integer(1))
}

/// SSCAN key cursor [MATCH pattern] [COUNT count]. The cursor is checked
/// first, then the key (a missing key answers an empty page before the
/// options are read), then the options. Intset and listpack sets come
/// whole in one page with cursor 0, as in Redis; hashtable sets are walked
/// with Redis's reverse-binary bucket cursor (see `types::set::Table`).
fn sscan(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    let cursor = parse_cursor(args[2]).ok_or(Reply::error(errors::INVALID_CURSOR))?;
    let page = |next: u64, items: Vec<Reply>| Reply::Array(vec![Reply::bulk(next.to_string()), Reply::Array(items)]);
    let Some(s) = read_set(ctx, args[1])? else { return Ok(page(0, Vec::new())) };
    let o = ScanOpts::parse(&args[3..], ScanExtra::None)?;
    let mut out = Vec::new();
    let mut take = |m: &[u8]| {
        if o.matches(m) {
            out.push(Reply::bulk(m));
        }
    };
    let next = match s {
        Set::Hashtable(h) => h.scan(cursor, o.count_usize(), take),
        _ => {
            s.iter().for_each(|m| m.with_bytes(&mut take));
            0
        }
    };
    Ok(page(next, out))
}

/// Members of `s` as replies, in its order.
fn member_replies(s: &Set) -> Vec<Reply> {
    s.iter().map(|m: Member<'_>| Reply::Bulk(m.to_vec())).collect()
}
