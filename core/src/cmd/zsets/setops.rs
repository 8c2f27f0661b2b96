//! ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD, following
//! Redis's zunionInterDiffGenericCommand: keys are read (WRONGTYPE first;
//! plain sets count as sorted sets whose members all score 1)
//! before the options are parsed; union and intersection visit the inputs
//! from the smallest to the largest; a weighted score that is NaN
//! (inf × 0) counts as 0, and so does a SUM of inf and -inf.

use std::collections::HashMap;

use super::range::store;
use super::{get, with_scores};
use crate::cmd::{err, int_arg, is, reply};
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::value::{Value, ValueRef};

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

fn aggregate(target: &mut f64, v: f64, how: Aggregate) {
    match how {
        Aggregate::Sum => {
            *target += v;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => *target = if v < *target { v } else { *target },
        Aggregate::Max => *target = if v > *target { v } else { *target },
    }
}

/// One input: its members in order (empty if the key is absent), the key
/// (to recognise the same key given twice) and its weight.
struct Src<'a> {
    key: &'a [u8],
    items: Vec<(Vec<u8>, f64)>,
    weight: f64,
}

/// `dst`: the STORE destination; `card`: ZINTERCARD.
fn generic(ctx: &mut Ctx<'_>, args: &[&[u8]], dst: Option<&[u8]>, op: Op, card: bool) -> Reply {
    reply((|| {
        let at = if dst.is_some() { 2 } else { 1 };
        let setnum = int_arg(args[at])?;
        if setnum < 1 {
            let name = String::from_utf8_lossy(args[0]).to_ascii_lowercase();
            return Err(err(format!("ERR at least 1 input key is needed for '{name}' command")));
        }
        if setnum as u64 > (args.len() - at - 1) as u64 {
            return Err(Reply::error(errors::SYNTAX));
        }
        let setnum = setnum as usize;
        let keys = &args[at + 1..at + 1 + setnum];
        let db = ctx.db();
        ctx.lock_keys(dst.is_some(), dst.into_iter().chain(keys.iter().copied()).map(|k| (db, k)));
        let mut src = Vec::with_capacity(setnum);
        for &key in keys {
            src.push(Src { key, items: source(ctx, key)?, weight: 1.0 });
        }
        let (mut how, mut withscores, mut limit) = (Aggregate::Sum, false, 0usize);
        let mut j = at + 1 + setnum;
        while j < args.len() {
            let remaining = args.len() - j;
            let a = args[j];
            if op != Op::Diff && !card && remaining > setnum && is(a, "weights") {
                for (i, s) in src.iter_mut().enumerate() {
                    s.weight =
                        super::parse_score(args[j + 1 + i]).ok_or(Reply::error("ERR weight value is not a float"))?;
                }
                j += 1 + setnum;
            } else if op != Op::Diff && !card && remaining >= 2 && is(a, "aggregate") {
                how = match args[j + 1] {
                    w if is(w, "sum") => Aggregate::Sum,
                    w if is(w, "min") => Aggregate::Min,
                    w if is(w, "max") => Aggregate::Max,
                    _ => return Err(Reply::error(errors::SYNTAX)),
                };
                j += 2;
            } else if dst.is_none() && !card && is(a, "withscores") {
                withscores = true;
                j += 1;
            } else if card && remaining >= 2 && is(a, "limit") {
                // getPositiveLongFromObjectOrReply: one message for both
                // a negative number and one that does not parse.
                limit = match crate::num::parse_i64(args[j + 1]) {
                    Some(n) if n >= 0 => n as usize,
                    _ => return Err(Reply::error("ERR LIMIT can't be negative")),
                };
                j += 2;
            } else {
                return Err(Reply::error(errors::SYNTAX));
            }
        }
        if op != Op::Diff {
            src.sort_by_key(|s| s.items.len());
        }
        let result = match op {
            Op::Union => union(&src, how),
            Op::Inter if card => return Ok(Reply::Integer(intercard(&src, limit) as i64)),
            Op::Inter => inter(&src, how),
            Op::Diff => diff(&src),
        };
        match dst {
            Some(d) => Ok(store(ctx, d, result)),
            None => {
                let mut result = result;
                result.sort_by(|a, b| crate::types::zset::cmp((a.0, &a.1), (b.0, &b.1)));
                Ok(with_scores(ctx, result.into_iter().map(|(s, m)| (m, s)).collect(), withscores))
            }
        }
    })())
}

/// An input's members: a sorted set's with their scores, or a plain set's
/// with score 1 (Redis takes both); WRONGTYPE for anything else.
fn source(ctx: &Ctx<'_>, key: &[u8]) -> Result<Vec<(Vec<u8>, f64)>, Reply> {
    if let Some(ValueRef::Other(Value::Set(s))) = ctx.peek(key).map(|s| s.value()) {
        let _ = ctx.read(key);
        return Ok(s.iter().map(|m| (m.to_vec(), 1.0)).collect());
    }
    Ok(get(ctx, key)?.map(|z| z.iter().map(|(m, s)| (m.to_vec(), s)).collect()).unwrap_or_default())
}

fn weighted(score: f64, weight: f64) -> f64 {
    let s = weight * score;
    if s.is_nan() {
        0.0
    } else {
        s
    }
}

fn union(src: &[Src<'_>], how: Aggregate) -> Vec<(f64, Vec<u8>)> {
    let mut acc: HashMap<&[u8], f64> = HashMap::new();
    for s in src {
        for (m, sc) in &s.items {
            let v = weighted(*sc, s.weight);
            match acc.get_mut(m.as_slice()) {
                Some(t) => aggregate(t, v, how),
                None => {
                    acc.insert(m, v);
                }
            }
        }
    }
    acc.into_iter().map(|(m, s)| (s, m.to_vec())).collect()
}

fn lookup<'s>(s: &'s Src<'_>) -> HashMap<&'s [u8], f64> {
    s.items.iter().map(|(m, sc)| (m.as_slice(), *sc)).collect()
}

fn inter(src: &[Src<'_>], how: Aggregate) -> Vec<(f64, Vec<u8>)> {
    let maps: Vec<_> = src.iter().skip(1).map(lookup).collect();
    let mut out = Vec::new();
    for (m, sc) in &src[0].items {
        let mut score = weighted(*sc, src[0].weight);
        let all = src[1..].iter().zip(&maps).all(|(s, map)| match map.get(m.as_slice()) {
            Some(v) => {
                aggregate(&mut score, v * s.weight, how);
                true
            }
            None => false,
        });
        if all {
            out.push((score, m.clone()));
        }
    }
    out
}

fn intercard(src: &[Src<'_>], limit: usize) -> usize {
    let maps: Vec<_> = src.iter().skip(1).map(lookup).collect();
    let mut n = 0;
    for (m, _) in &src[0].items {
        if maps.iter().all(|map| map.contains_key(m.as_slice())) {
            n += 1;
            if limit > 0 && n >= limit {
                break;
            }
        }
    }
    n
}

fn diff(src: &[Src<'_>]) -> Vec<(f64, Vec<u8>)> {
    if src[1..].iter().any(|s| s.key == src[0].key) {
        return vec![];
    }
    let maps: Vec<_> = src.iter().skip(1).map(lookup).collect();
    src[0]
        .items
        .iter()
        .filter(|(m, _)| !maps.iter().any(|map| map.contains_key(m.as_slice())))
        .map(|(m, s)| (*s, m.clone()))
        .collect()
}

pub fn zunion(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    generic(ctx, args, None, Op::Union, false)
}
pub fn zinter(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    generic(ctx, args, None, Op::Inter, false)
}
pub fn zdiff(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    generic(ctx, args, None, Op::Diff, false)
}
pub fn zintercard(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    generic(ctx, args, None, Op::Inter, true)
}
pub fn zunionstore(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    generic(ctx, args, Some(args[1]), Op::Union, false)
}
pub fn zinterstore(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    generic(ctx, args, Some(args[1]), Op::Inter, false)
}
pub fn zdiffstore(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    generic(ctx, args, Some(args[1]), Op::Diff, false)
}
