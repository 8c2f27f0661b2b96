//! Driver-side checks for the comparison rules that need to ask the
//! servers (see `compare.rs` for when each applies). Each is called only
//! when neither reply is an error; errors are always compared exactly.

use kv_core::Reply;

use super::diff::Side;
use super::gen::Cmd;
use super::resp::Client;

/// The members of an array or set reply.
fn items(r: &Reply) -> Option<Vec<Vec<u8>>> {
    let (Reply::Array(v) | Reply::Set(v)) = r else { return None };
    v.iter().map(|i| i.as_bytes().map(<[u8]>::to_vec)).collect()
}

fn sorted(mut v: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    v.sort();
    v
}

fn distinct(v: &[Vec<u8>]) -> bool {
    let s = sorted(v.to_vec());
    s.windows(2).all(|w| w[0] != w[1])
}

fn call(side: &mut dyn Side, args: &[&[u8]]) -> Reply {
    side.call(&args.iter().map(|a| a.to_vec()).collect::<Cmd>())
}

fn smembers(side: &mut dyn Side, key: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let r = call(side, &[b"SMEMBERS", key]);
    items(&r).ok_or_else(|| format!("SMEMBERS did not list members: {r:?}"))
}

/// Whether every member in `ms` belongs to the set at `key` on the
/// reference (which holds the same data as kv before the command).
fn all_members(redis: &mut Client, key: &[u8], ms: &[Vec<u8>]) -> Result<(), String> {
    if ms.is_empty() {
        return Ok(());
    }
    let mut args: Vec<&[u8]> = vec![b"SMISMEMBER", key];
    args.extend(ms.iter().map(Vec::as_slice));
    match call(redis, &args) {
        Reply::Array(flags) if flags.iter().all(|f| *f == Reply::Integer(1)) => Ok(()),
        other => Err(format!("kv replied with members the set does not have (SMISMEMBER: {other:?})")),
    }
}

/// SPOP, with or without a count: both sides popped the same number of
/// distinct members, and what each kept plus what it popped is the same
/// set (so kv's popped members were members, and left the set). Then the
/// reference is resynchronised to kv's choice (members Redis popped and kv
/// kept are added back, members kv popped and Redis kept are removed), so
/// the runs continue from the same state and the final states compare.
pub fn spop(
    cmd: &Cmd,
    kv_reply: &Reply,
    redis_reply: &Reply,
    kv: &mut dyn Side,
    redis: &mut Client,
) -> Result<(), String> {
    let key = &cmd[1];
    let (a, b) = match (kv_reply, redis_reply) {
        (Reply::Nil, Reply::Nil) => return Ok(()),
        (Reply::Bulk(x), Reply::Bulk(y)) => (vec![x.clone()], vec![y.clone()]),
        _ => match (items(kv_reply), items(redis_reply)) {
            (Some(a), Some(b)) => (a, b),
            _ => return Err("SPOP replies differ in kind".into()),
        },
    };
    if a.len() != b.len() || !distinct(&a) {
        return Err(format!("SPOP popped {} members on kv ({}), {} on Redis", a.len(), distinct_word(&a), b.len()));
    }
    let kv_before = sorted([smembers(kv, key)?, a.clone()].concat());
    let redis_before = sorted([smembers(redis, key)?, b.clone()].concat());
    if kv_before != redis_before {
        return Err("SPOP: kv's popped and remaining members are not the set Redis had".into());
    }
    let back: Vec<&[u8]> = b.iter().filter(|m| !a.contains(m)).map(Vec::as_slice).collect();
    let gone: Vec<&[u8]> = a.iter().filter(|m| !b.contains(m)).map(Vec::as_slice).collect();
    if !back.is_empty() {
        call(redis, &[&[b"SADD".as_slice(), key][..], &back].concat());
        call(redis, &[&[b"SREM".as_slice(), key][..], &gone].concat());
    }
    Ok(())
}

fn distinct_word(v: &[Vec<u8>]) -> &'static str {
    if distinct(v) {
        "distinct"
    } else {
        "with repeats"
    }
}

/// SRANDMEMBER: the same number of members as Redis gave, all members of
/// the set, distinct when the count is positive (or absent).
pub fn srandmember(cmd: &Cmd, kv_reply: &Reply, redis_reply: &Reply, redis: &mut Client) -> Result<(), String> {
    let key = &cmd[1];
    let (a, b) = match (kv_reply, redis_reply) {
        (Reply::Nil, Reply::Nil) => return Ok(()),
        (Reply::Bulk(x), Reply::Bulk(_)) => (vec![x.clone()], vec![Vec::new()]),
        _ => match (items(kv_reply), items(redis_reply)) {
            (Some(a), Some(b)) => (a, b),
            _ => return Err("SRANDMEMBER replies differ in kind".into()),
        },
    };
    let unique = cmd.get(2).and_then(|c| kv_core::num::parse_i64(c)).map_or(true, |c| c >= 0);
    if a.len() != b.len() {
        return Err(format!("SRANDMEMBER: kv gave {} members, Redis {}", a.len(), b.len()));
    }
    if unique && !distinct(&a) {
        return Err("SRANDMEMBER with a positive count repeated a member".into());
    }
    all_members(redis, key, &a)
}

/// OBJECT ENCODING: Redis 7.0 (the reference) has no listpack sets, so it
/// says "hashtable" where 7.2 says "listpack". kv follows 7.2; its
/// "listpack" is accepted against "hashtable" when the key is a set that
/// 7.2 can hold as a listpack (at most 128 members of at most 64 bytes).
/// The reference cannot tell a set that grew into a hashtable and shrank
/// back (which stays a hashtable): core/tests/sets.rs checks that case.
pub fn set_encoding_72(cmd: &Cmd, kv_reply: &Reply, redis_reply: &Reply, redis: &mut Client) -> Result<(), String> {
    let is = |r: &Reply, s: &str| r.as_bytes() == Some(s.as_bytes());
    if !(is(kv_reply, "listpack") && is(redis_reply, "hashtable")) {
        return Err("replies differ".into());
    }
    let key = &cmd[2];
    if call(redis, &[b"TYPE", key]) != Reply::status("set") {
        return Err("kv says listpack for a key that is not a set".into());
    }
    let members = smembers(redis, key)?;
    if members.len() <= 128 && members.iter().all(|m| m.len() <= 64) {
        Ok(())
    } else {
        Err("kv says listpack for a set too big for one".into())
    }
}
