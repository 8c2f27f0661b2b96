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
    let unique = cmd.get(2).and_then(|c| kv_core::num::parse_i64(c)).is_none_or(|c| c >= 0);
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

/// SORT whose order follows the hash table of a set or sorted set (see
/// `Rule::SortTies`). Exact equality is accepted at once. Otherwise the key
/// must be a hashtable-encoded set on the reference (or a sorted set, for
/// ALPHA ties); then kv's result rows (an element with its GET values; for
/// STORE, the stored list) must be as many as Redis's and drawn from the
/// rows of the whole unlimited result, which Redis computes again without
/// LIMIT and STORE. After a STORE the reference is given kv's list, so the
/// runs continue from the same state.
pub fn sort(
    cmd: &Cmd,
    kv_reply: &Reply,
    redis_reply: &Reply,
    kv: &mut dyn Side,
    redis: &mut Client,
) -> Result<(), String> {
    let Some(set_order) = super::compare::sort_order_may_vary(cmd) else { return Err("replies differ".into()) };
    // Options as Redis parses them (the call succeeded on both sides).
    let (mut full, mut dest, mut gets): (Cmd, Option<Vec<u8>>, usize) = (cmd[..2].to_vec(), None, 0);
    let mut j = 2;
    while j < cmd.len() {
        let left = cmd.len() - j - 1;
        let w = cmd[j].to_ascii_uppercase();
        let take = match w.as_slice() {
            b"LIMIT" if left >= 2 => 0,
            b"STORE" if left >= 1 && !cmd[0].eq_ignore_ascii_case(b"SORT_RO") => {
                dest = Some(cmd[j + 1].clone());
                0
            }
            b"BY" | b"GET" if left >= 1 => 2,
            _ => 1,
        };
        gets += (w == b"GET" && left >= 1) as usize;
        full.extend(cmd[j..j + take].iter().cloned());
        j += match w.as_slice() {
            b"LIMIT" if left >= 2 => 3,
            b"STORE" | b"BY" | b"GET" if left >= 1 => 2,
            _ => 1,
        };
    }
    let (kv_items, redis_items) = match &dest {
        None if same(kv_reply, redis_reply) => return Ok(()),
        None => (kv_reply.clone(), redis_reply.clone()),
        Some(d) => {
            if !same(kv_reply, redis_reply) {
                return Err("SORT ... STORE: the counts differ".into());
            }
            let lrange = |side: &mut dyn Side| call(side, &[b"LRANGE", d, b"0", b"-1"]);
            let (k, r) = (lrange(kv), lrange(redis));
            if same(&k, &r) {
                return Ok(());
            }
            (k, r)
        }
    };
    if dest.as_deref() == Some(&cmd[1][..]) {
        // The sorted key was replaced by the result: only the two results
        // can be compared (as multisets, or by size if LIMIT cut them).
        let sorted_items = |r: &Reply| items(r).map(sorted);
        let limited = full.len() + 2 < cmd.len();
        let ok = sorted_items(&kv_items) == sorted_items(&redis_items) || limited;
        if !ok {
            return Err("SORT ... STORE into the sorted key: different elements".into());
        }
        return resync_store(&dest.unwrap_or_default(), &kv_items, redis);
    }
    let ty = call(redis, &[b"TYPE", &cmd[1]]);
    let enc = call(redis, &[b"OBJECT", b"ENCODING", &cmd[1]]);
    let hashed = match ty.as_bytes() {
        Some(b"set") => enc.as_bytes() != Some(b"intset"),
        Some(b"zset") => !set_order,
        _ => false,
    };
    if !hashed {
        return Err("replies differ, and the order does not depend on a hash table".into());
    }
    // Rows; with STORE, a missing GET value is stored as an empty string.
    let rows = |r: &Reply| -> Option<Vec<Vec<Vec<u8>>>> {
        let Reply::Array(v) = r else { return None };
        let cells: Vec<Vec<u8>> = v.iter().map(|c| c.as_bytes().unwrap_or_default().to_vec()).collect();
        Some(cells.chunks(gets.max(1)).map(<[_]>::to_vec).collect())
    };
    let whole = call(redis, &full.iter().map(Vec::as_slice).collect::<Vec<_>>());
    let (Some(k), Some(r), Some(mut pool)) = (rows(&kv_items), rows(&redis_items), rows(&whole)) else {
        return Err("SORT: not arrays".into());
    };
    if k.len() != r.len() {
        return Err(format!("SORT: kv gave {} rows, Redis {}", k.len(), r.len()));
    }
    for row in &k {
        match pool.iter().position(|p| p == row) {
            Some(i) => {
                pool.swap_remove(i);
            }
            None => return Err(format!("SORT: kv's row {row:?} is not in Redis's result")),
        }
    }
    match dest {
        Some(d) => resync_store(&d, &kv_items, redis),
        None => Ok(()),
    }
}

/// Gives the reference kv's stored list.
fn resync_store(dest: &[u8], kv_list: &Reply, redis: &mut Client) -> Result<(), String> {
    let mut push: Vec<&[u8]> = vec![b"RPUSH", dest];
    let Reply::Array(v) = kv_list else { return Err("SORT ... STORE: kv's LRANGE is not an array".into()) };
    push.extend(v.iter().filter_map(Reply::as_bytes));
    call(redis, &[b"DEL", dest]);
    call(redis, &push);
    Ok(())
}

fn same(a: &Reply, b: &Reply) -> bool {
    super::compare::same(a, b)
}
