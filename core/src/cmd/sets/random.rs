//! SPOP and SRANDMEMBER: random members, with Redis 7.2's argument checks
//! (the count before the key) and its effect on the encoding: SPOP with a
//! count that leaves few members (count ≥ 5 × what remains) rebuilds the
//! set from the survivors, so a hashtable becomes a listpack again when
//! they fit; otherwise members are removed in place.

use std::collections::HashSet;

use super::algebra::union_of_one;
use super::{member_replies, read_set, write_set, Ctx, Reply, Set};
use crate::cmd::int_arg;
use crate::cmd::keys::random_u64;
use crate::errors;
use crate::types::set::{Intset, Listpack, MAX_LISTPACK_ENTRIES};

/// Most members one SRANDMEMBER reply may hold (a negative count repeats
/// members, so it is not bounded by the set's size).
const MAX_REPLY_MEMBERS: u64 = 1 << 24;

/// SPOP_MOVE_STRATEGY_MUL in Redis.
const SPOP_REBUILD_FACTOR: usize = 5;

fn below(n: usize) -> usize {
    (random_u64() % n as u64) as usize
}

/// `k` distinct positions out of `0..n`, ascending (Floyd's sampling).
fn distinct_positions(n: usize, k: usize) -> Vec<usize> {
    let mut chosen: HashSet<usize> = HashSet::with_capacity(k);
    for j in n - k..n {
        let t = below(j + 1);
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    let mut v: Vec<usize> = chosen.into_iter().collect();
    v.sort_unstable();
    v
}

/// `k` distinct random members of `s` (k < its size). A hashtable much
/// bigger than `k` is sampled member by member (O(k)); otherwise `k`
/// positions are drawn and read in one pass.
fn distinct_members(s: &Set, k: usize) -> Vec<Vec<u8>> {
    if matches!(s, Set::Hashtable(_)) && k.saturating_mul(3) <= s.len() {
        let mut got: HashSet<Vec<u8>> = HashSet::with_capacity(k);
        while got.len() < k {
            got.extend(s.random_member(random_u64));
        }
        return got.into_iter().collect();
    }
    s.at_positions(&distinct_positions(s.len(), k))
}

/// SPOP key [count]
pub(super) fn spop(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    match args.len() {
        2 => {}
        3 => return spop_count(ctx, args),
        _ => return Err(Reply::error(errors::SYNTAX)),
    }
    let Some(s) = write_set(ctx, args[1])? else { return Ok(Reply::Nil) };
    let m = s.random_member(random_u64).unwrap_or_default();
    s.remove(&m);
    super::drop_if_empty(ctx, args[1]);
    Ok(Reply::Bulk(m))
}

fn spop_count(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    let count = crate::num::parse_i64(args[2]).filter(|&c| c >= 0).ok_or(Reply::error(errors::MUST_BE_POSITIVE))?;
    let key = args[1];
    let Some(s) = write_set(ctx, key)? else { return Ok(Reply::Set(Vec::new())) };
    let size = s.len();
    if count == 0 {
        return Ok(Reply::Set(Vec::new()));
    }
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if count >= size {
        let all = member_replies(&union_of_one(s));
        ctx.remove(key);
        return Ok(Reply::Set(all));
    }
    let remaining = size - count;
    if remaining * SPOP_REBUILD_FACTOR > count {
        let popped = distinct_members(s, count);
        for m in &popped {
            s.remove(m);
        }
        return Ok(Reply::Set(popped.into_iter().map(Reply::Bulk).collect()));
    }
    // Few survivors: Redis moves them into a new set (an intset if the old
    // one was, else a listpack that converts as members are added) and
    // replies with what is left of the old one, in its order.
    let keep = distinct_positions(size, remaining);
    let survivors = s.at_positions(&keep);
    let mut fresh = match s {
        Set::Intset(_) => Set::Intset(Intset::default()),
        _ => Set::Listpack(Listpack::with_capacity(remaining.min(MAX_LISTPACK_ENTRIES))),
    };
    for m in &survivors {
        fresh.add(m);
    }
    let mut keep = keep.into_iter().peekable();
    let mut popped = Vec::with_capacity(count);
    for (i, m) in s.iter().enumerate() {
        if keep.peek() == Some(&i) {
            keep.next();
        } else {
            popped.push(Reply::Bulk(m.to_vec()));
        }
    }
    *s = fresh;
    Ok(Reply::Set(popped))
}

/// SRANDMEMBER key [count]: a positive count gives distinct members (all
/// of them if the count reaches the size), a negative one |count| members
/// that may repeat.
pub(super) fn srandmember(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    match args.len() {
        2 => {
            let Some(s) = read_set(ctx, args[1])? else { return Ok(Reply::Nil) };
            return Ok(s.random_member(random_u64).map_or(Reply::Nil, Reply::Bulk));
        }
        3 => {}
        _ => return Err(Reply::error(errors::SYNTAX)),
    }
    let l = int_arg(args[2])?;
    if l == i64::MIN {
        return Err(Reply::error(errors::SRANDMEMBER_RANGE));
    }
    let Some(s) = read_set(ctx, args[1])? else { return Ok(Reply::Array(Vec::new())) };
    let (count, unique) = (l.unsigned_abs(), l >= 0);
    if count == 0 {
        return Ok(Reply::Array(Vec::new()));
    }
    let size = s.len();
    if unique && count >= size as u64 {
        return Ok(Reply::Array(member_replies(s)));
    }
    if count > MAX_REPLY_MEMBERS {
        return Err(Reply::error(errors::REPLY_TOO_LARGE));
    }
    let count = count as usize;
    let members = if unique {
        distinct_members(s, count)
    } else {
        (0..count).filter_map(|_| s.random_member(random_u64)).collect()
    };
    Ok(Reply::Array(members.into_iter().map(Reply::Bulk).collect()))
}
