//! SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF,
//! SDIFFSTORE, following Redis 7.2's algorithms step for step, because the
//! order of a reply and the encoding of a stored result depend on them:
//!
//! - intersection walks the smallest set (stable by size) and keeps the
//!   members every other set has; its stored result starts as an intset if
//!   that set is one, else as a listpack, and ends as an intset when every
//!   member is an integer and there are at most 512;
//! - union and difference build their result by adding members to an empty
//!   intset (so it converts as SADD would); difference picks Redis's
//!   algorithm 1 (walk the first set) or 2 (copy it, then remove the
//!   others) by the same work estimate, which decides the result's
//!   encoding.
//!
//! Every key is type-checked in order before anything else, missing keys
//! being empty sets.

use super::{as_set, member_replies, wrongtype, Ctx, Reply, Set, Value};
use crate::errors;
use crate::types::set::{Intset, Listpack};

/// The sets named by `keys`, None for missing ones; WRONGTYPE at the
/// first key of another type.
fn sets<'c>(ctx: &'c Ctx<'_>, keys: &[&[u8]]) -> Result<Vec<Option<&'c Set>>, Reply> {
    keys.iter().map(|k| ctx.read(k).map(as_set).transpose()).collect()
}

/// Stores a computed set at `dst` (replacing it, TTL gone) or deletes `dst`
/// when the result is empty; replies with the result's size.
fn store(ctx: &mut Ctx<'_>, dst: &[u8], result: Set) -> Reply {
    let n = result.len() as i64;
    if n > 0 {
        ctx.insert(dst, Value::Set(result), None);
    } else {
        ctx.remove(dst);
    }
    Reply::Integer(n)
}

enum Inter {
    Reply,
    Store,
    /// SINTERCARD: the count only, stopping at the limit (0: none).
    Card(usize),
}

/// The intersection, as a reply or (for `Inter::Store`) as the set to store.
fn intersect(ctx: &Ctx<'_>, keys: &[&[u8]], mode: &Inter) -> Result<Result<Reply, Set>, Reply> {
    let sets = sets(ctx, keys)?;
    let Some(mut sets) = sets.into_iter().collect::<Option<Vec<&Set>>>() else {
        return Ok(match mode {
            Inter::Reply => Ok(Reply::Set(Vec::new())),
            Inter::Store => Err(Set::default()),
            Inter::Card(_) => Ok(Reply::Integer(0)),
        });
    };
    sets.sort_by_key(|s| s.len());
    let (first, rest) = (sets[0], &sets[1..]);
    let in_all = |m: &[u8]| rest.iter().all(|s| std::ptr::eq(*s, first) || s.contains(m));
    Ok(match mode {
        Inter::Card(limit) => {
            let mut n = 0;
            for m in first.iter() {
                if m.with_bytes(in_all) {
                    n += 1;
                    if *limit > 0 && n >= *limit {
                        break;
                    }
                }
            }
            Ok(Reply::Integer(n as i64))
        }
        Inter::Reply => {
            Ok(Reply::Set(first.iter().filter(|m| m.with_bytes(in_all)).map(|m| Reply::Bulk(m.to_vec())).collect()))
        }
        Inter::Store => {
            let mut out = match first {
                Set::Intset(_) => Set::Intset(Intset::default()),
                _ => Set::Listpack(Listpack::default()),
            };
            for m in first.iter().filter(|m| m.with_bytes(in_all)) {
                m.with_bytes(|b| out.add(b));
            }
            out.convert_to_intset_if_fits();
            Err(out)
        }
    })
}

/// SINTER key [key ...]
pub(super) fn sinter(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    intersect(ctx, &args[1..], &Inter::Reply)?.map_err(|_| wrongtype())
}

/// SINTERSTORE destination key [key ...]
pub(super) fn sinterstore(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    match intersect(ctx, &args[2..], &Inter::Store)? {
        Err(result) => Ok(store(ctx, args[1], result)),
        Ok(r) => Ok(r),
    }
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit]: numkeys, then the
/// options, are checked before any key is looked at.
pub(super) fn sintercard(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    let numkeys = crate::num::parse_i64(args[1]).filter(|&n| n >= 1).ok_or(Reply::error(errors::NUMKEYS_POSITIVE))?;
    if numkeys > args.len() as i64 - 2 {
        return Err(Reply::error(errors::NUMKEYS_TOO_MANY));
    }
    let keys = &args[2..2 + numkeys as usize];
    let mut limit = 0usize;
    let mut i = 2 + numkeys as usize;
    while i < args.len() {
        if super::is(args[i], "limit") && i + 1 < args.len() {
            let l =
                crate::num::parse_i64(args[i + 1]).filter(|&l| l >= 0).ok_or(Reply::error(errors::LIMIT_NEGATIVE))?;
            limit = usize::try_from(l).unwrap_or(usize::MAX);
            i += 2;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
    }
    let db = ctx.db();
    ctx.lock_keys(false, keys.iter().map(|k| (db, *k)));
    intersect(ctx, keys, &Inter::Card(limit))?.map_err(|_| wrongtype())
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Union,
    Diff,
}

/// The union or difference of the sets at `keys`, built as Redis builds it.
fn union_diff(ctx: &Ctx<'_>, keys: &[&[u8]], op: Op) -> Result<Set, Reply> {
    let sets = sets(ctx, keys)?;
    let mut out = Set::default();
    match op {
        Op::Union => {
            for s in sets.iter().flatten() {
                for m in s.iter() {
                    m.with_bytes(|b| out.add(b));
                }
            }
        }
        Op::Diff => {
            let Some(first) = sets[0] else { return Ok(out) };
            // A later key naming the first set makes the difference empty.
            if keys[1..].contains(&keys[0]) {
                return Ok(out);
            }
            let others: Vec<&Set> = sets[1..].iter().flatten().copied().collect();
            let algo_one = (first.len() * (1 + others.len())) / 2;
            let algo_two: usize = first.len() + others.iter().map(|s| s.len()).sum::<usize>();
            if algo_one <= algo_two {
                for m in first.iter() {
                    if !m.with_bytes(|b| others.iter().any(|s| s.contains(b))) {
                        m.with_bytes(|b| out.add(b));
                    }
                }
            } else {
                for m in first.iter() {
                    m.with_bytes(|b| out.add(b));
                }
                for s in &others {
                    for m in s.iter() {
                        m.with_bytes(|b| out.remove(b));
                    }
                    if out.is_empty() {
                        break;
                    }
                }
            }
        }
    }
    Ok(out)
}

/// SUNION key [key ...]
pub(super) fn sunion(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    Ok(Reply::Set(member_replies(&union_diff(ctx, &args[1..], Op::Union)?)))
}

/// SDIFF key [key ...]
pub(super) fn sdiff(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    Ok(Reply::Set(member_replies(&union_diff(ctx, &args[1..], Op::Diff)?)))
}

/// SUNIONSTORE destination key [key ...]
pub(super) fn sunionstore(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    let result = union_diff(ctx, &args[2..], Op::Union)?;
    Ok(store(ctx, args[1], result))
}

/// SDIFFSTORE destination key [key ...]
pub(super) fn sdiffstore(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    let result = union_diff(ctx, &args[2..], Op::Diff)?;
    Ok(store(ctx, args[1], result))
}

/// The whole set at `key` rebuilt as SUNION would (SPOP with a count at
/// least the set's size replies this way).
pub(super) fn union_of_one(s: &Set) -> Set {
    let mut out = Set::default();
    for m in s.iter() {
        m.with_bytes(|b| out.add(b));
    }
    out
}
