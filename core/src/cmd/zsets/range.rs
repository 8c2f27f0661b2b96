//! Range commands: ZRANGE (rank, BYSCORE, BYLEX, REV, LIMIT, WITHSCORES)
//! and its older forms, ZRANGESTORE, ZCOUNT, ZLEXCOUNT, ZREMRANGEBY*.
//!
//! Ranges are found by binary search on the big encoding. On a listpack,
//! lexicographic ranges are found as Redis finds them there: scanning from
//! the head (or the tail for REV), which gives Redis's answers even when
//! members with different scores make the lexicographic order non-monotone.

use super::{drop_if_empty, get, get_mut, with_scores};
use crate::cmd::{int_arg, is, reply};
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::types::zset::ZSet;
use crate::value::Value;

const NOT_FLOAT_RANGE: &str = "ERR min or max is not a float";
const NOT_LEX_RANGE: &str = "ERR min or max not valid string range item";

#[derive(Clone, Copy, PartialEq)]
enum By {
    Rank,
    Score,
    Lex,
}

struct ScoreRange {
    min: f64,
    max: f64,
    minex: bool,
    maxex: bool,
}

impl ScoreRange {
    /// zslParseRange: `(` makes a bound exclusive; the number is read by
    /// C's strtod (leading blanks allowed, "" is 0, NaN refused).
    fn parse(min: &[u8], max: &[u8]) -> Result<ScoreRange, Reply> {
        fn item(a: &[u8]) -> Option<(f64, bool)> {
            let a = errors::c_str(a);
            let (ex, num) = match a.first() {
                Some(b'(') => (true, &a[1..]),
                _ => (false, a),
            };
            if num.is_empty() {
                return Some((0.0, ex));
            }
            let trimmed = &num[num.iter().position(|c| !matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?..];
            crate::num::parse_f64(trimmed).map(|v| (v, ex))
        }
        match (item(min), item(max)) {
            (Some((min, minex)), Some((max, maxex))) => Ok(ScoreRange { min, max, minex, maxex }),
            _ => Err(Reply::error(NOT_FLOAT_RANGE)),
        }
    }
    fn gte_min(&self, s: f64) -> bool {
        if self.minex {
            s > self.min
        } else {
            s >= self.min
        }
    }
    fn lte_max(&self, s: f64) -> bool {
        if self.maxex {
            s < self.max
        } else {
            s <= self.max
        }
    }
    /// Ranks `start..end` of the members in range.
    fn span(&self, z: &ZSet) -> (usize, usize) {
        if self.min > self.max || (self.min == self.max && (self.minex || self.maxex)) {
            return (0, 0);
        }
        let start = z.partition_point(|s, _| !self.gte_min(s));
        let end = z.partition_point(|s, _| self.lte_max(s)).max(start);
        (start, end)
    }
}

enum Lex {
    Min,
    Max,
    Incl(Vec<u8>),
    Excl(Vec<u8>),
}

struct LexRange {
    min: Lex,
    max: Lex,
}

impl LexRange {
    fn parse(min: &[u8], max: &[u8]) -> Result<LexRange, Reply> {
        fn item(a: &[u8]) -> Option<Lex> {
            match a.first()? {
                b'+' if a.len() == 1 => Some(Lex::Max),
                b'-' if a.len() == 1 => Some(Lex::Min),
                b'(' => Some(Lex::Excl(a[1..].to_vec())),
                b'[' => Some(Lex::Incl(a[1..].to_vec())),
                _ => None,
            }
        }
        match (item(min), item(max)) {
            (Some(min), Some(max)) => Ok(LexRange { min, max }),
            _ => Err(Reply::error(NOT_LEX_RANGE)),
        }
    }
    /// Compares a member with a bound's value (`-` below all, `+` above).
    fn cmp(m: &[u8], b: &Lex) -> std::cmp::Ordering {
        use std::cmp::Ordering::*;
        match b {
            Lex::Min => Greater,
            Lex::Max => Less,
            Lex::Incl(v) | Lex::Excl(v) => m.cmp(v),
        }
    }
    fn gte_min(&self, m: &[u8]) -> bool {
        let c = Self::cmp(m, &self.min);
        if matches!(self.min, Lex::Excl(_)) {
            c.is_gt()
        } else {
            c.is_ge()
        }
    }
    fn lte_max(&self, m: &[u8]) -> bool {
        let c = Self::cmp(m, &self.max);
        if matches!(self.max, Lex::Excl(_)) {
            c.is_lt()
        } else {
            c.is_le()
        }
    }
    /// sdscmplex(min, max) > 0, or equal with an exclusive end: nothing fits.
    fn is_empty(&self) -> bool {
        use std::cmp::Ordering::*;
        let rank = |b: &Lex| match b {
            Lex::Min => 0,
            Lex::Max => 2,
            _ => 1,
        };
        let c = match (&self.min, &self.max) {
            (Lex::Incl(a) | Lex::Excl(a), Lex::Incl(b) | Lex::Excl(b)) => a.cmp(b),
            (a, b) if rank(a) == rank(b) => Equal,
            (a, b) => rank(a).cmp(&rank(b)),
        };
        c == Greater || (c == Equal && (matches!(self.min, Lex::Excl(_)) || matches!(self.max, Lex::Excl(_))))
    }
    /// The ranks selected, `start..end`, with a LIMIT of `offset` and
    /// `limit` (negative: none) applied as Redis applies it: find the first
    /// member in range (the last for `rev`), skip `offset` members without
    /// looking at them, then take members while they are within the far
    /// bound. On a listpack the first member is found by scanning from the
    /// head (the tail for `rev`) as Redis does, so even members with
    /// different scores, whose lexicographic order is not monotone, give
    /// Redis's answers; on the big encoding by binary search (Redis's
    /// skiplist answers depend on its random levels there).
    fn span(&self, z: &ZSet, rev: bool, offset: usize, limit: i64) -> (usize, usize) {
        let n = z.len();
        if n == 0 || self.is_empty() || !self.gte_min(z.get(n - 1).0) || !self.lte_max(z.get(0).0) {
            return (0, 0);
        }
        let small = z.encoding() == "listpack";
        let take = |avail: usize| if limit < 0 { avail } else { avail.min(limit as usize) };
        if !rev {
            let first = if small {
                (0..n).find(|&i| self.gte_min(z.get(i).0))
            } else {
                Some(z.partition_point(|_, m| !self.gte_min(m))).filter(|&i| i < n)
            };
            let Some(start) = first.map(|i| i + offset).filter(|&i| i < n) else { return (0, 0) };
            let far = if small {
                (start..n).find(|&i| !self.lte_max(z.get(i).0)).unwrap_or(n)
            } else {
                z.partition_point(|_, m| self.lte_max(m)).max(start)
            };
            (start, start + take(far - start))
        } else {
            let last = if small {
                (0..n).rev().find(|&i| self.lte_max(z.get(i).0))
            } else {
                z.partition_point(|_, m| self.lte_max(m)).checked_sub(1)
            };
            let Some(end) = last.and_then(|i| (i + 1).checked_sub(offset)).filter(|&e| e > 0) else { return (0, 0) };
            let far = if small {
                (0..end).rev().find(|&i| !self.gte_min(z.get(i).0)).map_or(0, |i| i + 1)
            } else {
                z.partition_point(|_, m| !self.gte_min(m)).min(end)
            };
            (end - take(end - far), end)
        }
    }
}

/// Normalises a rank range as Redis does; `None` when it is empty.
pub(crate) fn rank_span(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut start = if start < 0 { start.saturating_add(len) } else { start };
    let mut end = if end < 0 { end.saturating_add(len) } else { end };
    start = start.max(0);
    if start > end || start >= len {
        return None;
    }
    end = end.min(len - 1);
    Some((start as usize, end as usize + 1))
}

/// What a ZRANGE-family call selects.
struct Query {
    by: By,
    rev: bool,
    withscores: bool,
    offset: i64,
    limit: i64,
}

enum Range {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// Parses `<min> <max> [options]` from `args[at..]` like Redis's
/// zrangeGenericCommand (options first, then the range).
fn parse(args: &[&[u8]], at: usize, store: bool, by: Option<By>, rev: Option<bool>) -> Result<(Query, Range), Reply> {
    let (mut q_by, mut q_rev) = (by, rev);
    let mut q = Query { by: By::Rank, rev: false, withscores: false, offset: 0, limit: -1 };
    let mut j = at + 2;
    while j < args.len() {
        let a = args[j];
        let left = args.len() - j - 1;
        if !store && is(a, "withscores") {
            q.withscores = true;
        } else if is(a, "limit") && left >= 2 {
            q.offset = int_arg(args[j + 1])?;
            q.limit = int_arg(args[j + 2])?;
            j += 2;
        } else if q_rev.is_none() && is(a, "rev") {
            q_rev = Some(true);
        } else if q_by.is_none() && is(a, "bylex") {
            q_by = Some(By::Lex);
        } else if q_by.is_none() && is(a, "byscore") {
            q_by = Some(By::Score);
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        j += 1;
    }
    q.by = q_by.unwrap_or(By::Rank);
    q.rev = q_rev.unwrap_or(false);
    if q.limit != -1 && q.by == By::Rank {
        return Err(Reply::error(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if q.withscores && q.by == By::Lex {
        return Err(Reply::error("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
    }
    let (mut lo, mut hi) = (args[at], args[at + 1]);
    if q.rev && q.by != By::Rank {
        std::mem::swap(&mut lo, &mut hi);
    }
    let range = match q.by {
        By::Rank => Range::Rank(int_arg(lo)?, int_arg(hi)?),
        By::Score => Range::Score(ScoreRange::parse(lo, hi)?),
        By::Lex => Range::Lex(LexRange::parse(lo, hi)?),
    };
    Ok((q, range))
}

/// The selected members, in reply order.
fn select(z: &ZSet, q: &Query, range: &Range) -> Vec<(Vec<u8>, f64)> {
    let (start, end) = match range {
        Range::Rank(s, e) => match rank_span(*s, *e, z.len()) {
            None => return vec![],
            Some((s, e)) if q.rev => (z.len() - e, z.len() - s),
            Some(span) => span,
        },
        Range::Score(r) => r.span(z),
        Range::Lex(_) => (0, 0),
    };
    let mut out = Vec::new();
    if let Range::Lex(r) = range {
        if q.offset >= 0 && !(q.offset > 0 && q.offset as usize >= z.len()) {
            let (s, e) = r.span(z, q.rev, q.offset as usize, q.limit);
            z.for_range(s, e, |m, sc| out.push((m.to_vec(), sc)));
        }
    } else if !matches!(range, Range::Rank(..)) {
        // LIMIT: a negative offset skips everything, a negative count is
        // no limit (Redis's `while (offset--)` / `while (limit--)`).
        if q.offset < 0 || (q.offset > 0 && q.offset as usize >= z.len()) {
            return out;
        }
        let n = end - start;
        let skip = (q.offset as usize).min(n);
        let take = if q.limit < 0 { n - skip } else { (q.limit as usize).min(n - skip) };
        let (s, e) = if q.rev { (end - skip - take, end - skip) } else { (start + skip, start + skip + take) };
        z.for_range(s, e, |m, sc| out.push((m.to_vec(), sc)));
    } else {
        z.for_range(start, end, |m, sc| out.push((m.to_vec(), sc)));
    }
    if q.rev {
        out.reverse();
    }
    out
}

fn range_generic(ctx: &mut Ctx<'_>, args: &[&[u8]], by: Option<By>, rev: Option<bool>) -> Reply {
    reply((|| {
        let (q, range) = parse(args, 2, false, by, rev)?;
        let Some(z) = get(ctx, args[1])? else { return Ok(Reply::Array(vec![])) };
        let items = select(z, &q, &range);
        Ok(with_scores(ctx, items, q.withscores))
    })())
}

pub fn zrange(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    range_generic(ctx, args, None, None)
}
pub fn zrevrange(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    range_generic(ctx, args, Some(By::Rank), Some(true))
}
pub fn zrangebyscore(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    range_generic(ctx, args, Some(By::Score), Some(false))
}
pub fn zrevrangebyscore(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    range_generic(ctx, args, Some(By::Score), Some(true))
}
pub fn zrangebylex(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    range_generic(ctx, args, Some(By::Lex), Some(false))
}
pub fn zrevrangebylex(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    range_generic(ctx, args, Some(By::Lex), Some(true))
}

/// Stores a result at `dst` (deleting it when empty, dropping any TTL)
/// and replies its size, as the *STORE commands do.
pub(crate) fn store(ctx: &mut Ctx<'_>, dst: &[u8], mut items: Vec<(f64, Vec<u8>)>) -> Reply {
    let n = items.len();
    if n == 0 {
        ctx.remove(dst);
    } else {
        items.sort_by(|a, b| crate::types::zset::cmp((a.0, &a.1), (b.0, &b.1)));
        ctx.insert(dst, Value::ZSet(Box::new(ZSet::from_sorted(items))), None);
    }
    Reply::Integer(n as i64)
}

/// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
pub fn zrangestore(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply((|| {
        let (q, range) = parse(args, 3, true, None, None)?;
        let items = match get(ctx, args[2])? {
            None => vec![],
            Some(z) => select(z, &q, &range),
        };
        Ok(store(ctx, args[1], items.into_iter().map(|(m, s)| (s, m)).collect()))
    })())
}

pub fn zcount(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply((|| {
        let r = ScoreRange::parse(args[2], args[3])?;
        let (s, e) = get(ctx, args[1])?.map_or((0, 0), |z| r.span(z));
        Ok(Reply::Integer((e - s) as i64))
    })())
}

pub fn zlexcount(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply((|| {
        let r = LexRange::parse(args[2], args[3])?;
        let (s, e) = get(ctx, args[1])?.map_or((0, 0), |z| r.span(z, false, 0, -1));
        Ok(Reply::Integer((e - s) as i64))
    })())
}

fn remrange(ctx: &mut Ctx<'_>, key: &[u8], span: impl FnOnce(&ZSet) -> (usize, usize)) -> Result<Reply, Reply> {
    let Some(z) = get_mut(ctx, key)? else { return Ok(Reply::Integer(0)) };
    let (s, e) = span(z);
    let n = z.remove_range(s, e);
    drop_if_empty(ctx, key);
    Ok(Reply::Integer(n as i64))
}

pub fn zremrangebyrank(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply((|| {
        let (start, end) = (int_arg(args[2])?, int_arg(args[3])?);
        remrange(ctx, args[1], |z| rank_span(start, end, z.len()).unwrap_or((0, 0)))
    })())
}

pub fn zremrangebyscore(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply((|| {
        let r = ScoreRange::parse(args[2], args[3])?;
        remrange(ctx, args[1], |z| r.span(z))
    })())
}

pub fn zremrangebylex(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply((|| {
        let r = LexRange::parse(args[2], args[3])?;
        remrange(ctx, args[1], |z| r.span(z, false, 0, -1))
    })())
}
