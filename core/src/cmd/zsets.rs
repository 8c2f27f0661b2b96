//! Sorted-set commands. Ranges (ZRANGE and its older forms, ZCOUNT,
//! ZLEXCOUNT, ZREMRANGEBY*) are in [`range`]; ZUNION/ZINTER/ZDIFF and their
//! STORE forms and ZINTERCARD in [`setops`].
//!
//! Scores reply as RESP3 doubles (bulk strings in RESP2, formatted as Redis
//! 7.2 formats them). Pops are plain functions ([`pop`]) so blocking forms
//! can reuse them.

pub(crate) mod range;
mod setops;

use super::keys::{ScanExtra, ScanOpts};
use super::{cmd, err, flag::*, int_arg, is, reply, CommandSpec, KEY1};
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::types::zset::ZSet;
use crate::value::{Kind, Value, ValueRef};

pub static COMMANDS: &[CommandSpec] = &[
    cmd("zadd", -4, WRITE | DENYOOM | FAST, KEY1, "sorted-set", zadd),
    cmd("zincrby", 4, WRITE | DENYOOM | FAST, KEY1, "sorted-set", zincrby),
    cmd("zcard", 2, READONLY | FAST, KEY1, "sorted-set", zcard),
    cmd("zscore", 3, READONLY | FAST, KEY1, "sorted-set", zscore),
    cmd("zmscore", -3, READONLY | FAST, KEY1, "sorted-set", zmscore),
    cmd("zrank", -3, READONLY | FAST, KEY1, "sorted-set", zrank),
    cmd("zrevrank", -3, READONLY | FAST, KEY1, "sorted-set", zrevrank),
    cmd("zrem", -3, WRITE | FAST, KEY1, "sorted-set", zrem),
    cmd("zpopmin", -2, WRITE | FAST, KEY1, "sorted-set", zpopmin),
    cmd("zpopmax", -2, WRITE | FAST, KEY1, "sorted-set", zpopmax),
    cmd("zmpop", -4, WRITE | SELF_LOCKING, (0, 0, 0), "sorted-set", zmpop),
    cmd("zrandmember", -2, READONLY | RANDOM, KEY1, "sorted-set", zrandmember),
    cmd("zscan", -3, READONLY | RANDOM, KEY1, "sorted-set", zscan),
    cmd("zrange", -4, READONLY, KEY1, "sorted-set", range::zrange),
    cmd("zrangestore", -5, WRITE | DENYOOM, (1, 2, 1), "sorted-set", range::zrangestore),
    cmd("zrevrange", -4, READONLY, KEY1, "sorted-set", range::zrevrange),
    cmd("zrangebyscore", -4, READONLY, KEY1, "sorted-set", range::zrangebyscore),
    cmd("zrevrangebyscore", -4, READONLY, KEY1, "sorted-set", range::zrevrangebyscore),
    cmd("zrangebylex", -4, READONLY, KEY1, "sorted-set", range::zrangebylex),
    cmd("zrevrangebylex", -4, READONLY, KEY1, "sorted-set", range::zrevrangebylex),
    cmd("zcount", 4, READONLY | FAST, KEY1, "sorted-set", range::zcount),
    cmd("zlexcount", 4, READONLY | FAST, KEY1, "sorted-set", range::zlexcount),
    cmd("zremrangebyrank", 4, WRITE, KEY1, "sorted-set", range::zremrangebyrank),
    cmd("zremrangebyscore", 4, WRITE, KEY1, "sorted-set", range::zremrangebyscore),
    cmd("zremrangebylex", 4, WRITE, KEY1, "sorted-set", range::zremrangebylex),
    cmd("zunion", -3, READONLY | SELF_LOCKING, (0, 0, 0), "sorted-set", setops::zunion),
    cmd("zinter", -3, READONLY | SELF_LOCKING, (0, 0, 0), "sorted-set", setops::zinter),
    cmd("zdiff", -3, READONLY | SELF_LOCKING, (0, 0, 0), "sorted-set", setops::zdiff),
    cmd("zintercard", -3, READONLY | SELF_LOCKING, (0, 0, 0), "sorted-set", setops::zintercard),
    cmd("zunionstore", -4, WRITE | DENYOOM | SELF_LOCKING, KEY1, "sorted-set", setops::zunionstore),
    cmd("zinterstore", -4, WRITE | DENYOOM | SELF_LOCKING, KEY1, "sorted-set", setops::zinterstore),
    cmd("zdiffstore", -4, WRITE | DENYOOM | SELF_LOCKING, KEY1, "sorted-set", setops::zdiffstore),
];

/// Members with their scores, in reply order.
pub type Members = Vec<(Vec<u8>, f64)>;

pub const NAN_SCORE: &str = "ERR resulting score is not a number (NaN)";

/// A score or weight as Redis's `string2d` reads it: [`crate::num::parse_f64`],
/// but a finite number that overflows to an infinity or underflows to zero
/// (strtod's ERANGE, e.g. `1e400`, `1e-400`) is refused. Range bounds
/// (ZRANGEBYSCORE) are read by plain strtod and take such numbers.
pub(crate) fn parse_score(a: &[u8]) -> Option<f64> {
    let v = crate::num::parse_f64(a)?;
    let body = a.strip_prefix(b"-").or_else(|| a.strip_prefix(b"+")).unwrap_or(a).to_ascii_lowercase();
    let (digits, exp) = match body.strip_prefix(b"0x") {
        Some(hex) => (hex, b'p'),
        None => (&body[..], b'e'),
    };
    let mantissa = &digits[..digits.iter().position(|&c| c == exp).unwrap_or(digits.len())];
    let nonzero = mantissa.iter().any(|&c| c.is_ascii_hexdigit() && c != b'0');
    let literal_inf = body == b"inf" || body == b"infinity";
    if (v.is_infinite() && !literal_inf) || (v == 0.0 && nonzero) {
        return None;
    }
    Some(v)
}

/// The sorted set at `key` (None if absent) or WRONGTYPE.
pub(crate) fn get<'c>(ctx: &'c Ctx<'_>, key: &[u8]) -> Result<Option<&'c ZSet>, Reply> {
    match ctx.read(key) {
        None => Ok(None),
        Some(s) => match s.value() {
            ValueRef::Other(Value::ZSet(z)) => Ok(Some(z)),
            _ => Err(Reply::error(errors::WRONGTYPE)),
        },
    }
}

/// The sorted set at `key` for writing (None if absent) or WRONGTYPE.
pub(crate) fn get_mut<'c>(ctx: &'c mut Ctx<'_>, key: &[u8]) -> Result<Option<&'c mut ZSet>, Reply> {
    match ctx.write(key) {
        None => Ok(None),
        Some(s) if s.kind() != Kind::ZSet => Err(Reply::error(errors::WRONGTYPE)),
        Some(s) => match s.value_mut() {
            Some(Value::ZSet(z)) => Ok(Some(z)),
            _ => Err(Reply::error(errors::WRONGTYPE)),
        },
    }
}

/// Deletes `key` if its sorted set became empty. A peek: Redis counts no
/// keyspace hit or miss for the lookups of write commands.
pub(crate) fn drop_if_empty(ctx: &mut Ctx<'_>, key: &[u8]) {
    if ctx.peek(key).is_some_and(|s| matches!(s.value(), ValueRef::Other(Value::ZSet(z)) if z.is_empty())) {
        ctx.remove(key);
    }
}

/// A score as Redis replies it.
pub(crate) fn score_reply(s: f64) -> Reply {
    Reply::Double(s)
}

/// Members with scores: flat in RESP2, pairs in RESP3 (as ZRANGE and
/// ZRANDMEMBER reply WITHSCORES).
pub(crate) fn with_scores(ctx: &Ctx<'_>, items: Vec<(Vec<u8>, f64)>, withscores: bool) -> Reply {
    if !withscores {
        return Reply::Array(items.into_iter().map(|(m, _)| Reply::Bulk(m)).collect());
    }
    if ctx.sess.protocol >= 3 {
        Reply::Array(items.into_iter().map(|(m, s)| Reply::Array(vec![Reply::Bulk(m), score_reply(s)])).collect())
    } else {
        Reply::Array(items.into_iter().flat_map(|(m, s)| [Reply::Bulk(m), score_reply(s)]).collect())
    }
}

// ---- ZADD / ZINCRBY -----------------------------------------------------------

/// ZADD's options.
#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddFlags {
    /// Only add new members.
    pub nx: bool,
    /// Only update existing members.
    pub xx: bool,
    /// Only update when the new score is greater.
    pub gt: bool,
    /// Only update when the new score is less.
    pub lt: bool,
    /// Count changed members too, not only added ones.
    pub ch: bool,
    /// Add the score to the current one (ZINCRBY); one pair only.
    pub incr: bool,
}

impl AddFlags {
    /// The option conflicts ZADD refuses, with Redis's texts.
    pub(crate) fn check(&self, pairs: usize) -> Result<(), Reply> {
        if self.nx && self.xx {
            return Err(Reply::error("ERR XX and NX options at the same time are not compatible"));
        }
        if (self.nx && (self.gt || self.lt)) || (self.gt && self.lt) {
            return Err(Reply::error("ERR GT, LT, and/or NX options at the same time are not compatible"));
        }
        if self.incr && pairs > 1 {
            return Err(Reply::error("ERR INCR option supports a single increment-element pair"));
        }
        Ok(())
    }
}

/// What ZADD did: members added, members whose score changed, and the
/// score of the last member processed (ZADD INCR's reply; None if NX/XX/
/// GT/LT skipped it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct AddOutcome {
    pub added: usize,
    pub updated: usize,
    pub last: Option<f64>,
}

enum Added {
    New(f64),
    Updated(f64),
    /// Nothing done (NX/XX/GT/LT), or the same score.
    Same(f64),
    Nop,
}

/// Redis's `zsetAdd`: one member under the ZADD flags. `Err` is the NaN error.
fn add_one(z: &mut ZSet, member: &[u8], mut score: f64, f: AddFlags) -> Result<Added, Reply> {
    match z.score(member) {
        Some(cur) => {
            if f.nx {
                return Ok(Added::Nop);
            }
            if f.incr {
                score += cur;
                if score.is_nan() {
                    return Err(Reply::error(NAN_SCORE));
                }
            }
            if (f.lt && score >= cur) || (f.gt && score <= cur) {
                return Ok(Added::Nop);
            }
            if score != cur {
                z.insert(member, score);
                Ok(Added::Updated(score))
            } else {
                Ok(Added::Same(score))
            }
        }
        None if !f.xx => {
            z.insert(member, score);
            Ok(Added::New(score))
        }
        None => Ok(Added::Nop),
    }
}

fn zadd(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    zadd_generic(ctx, args, AddFlags::default(), 2)
}

fn zincrby(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    zadd_generic(ctx, args, AddFlags { incr: true, ..Default::default() }, 2)
}

/// Redis's zaddGenericCommand, which ZINCRBY shares: both parse the ZADD
/// flags after the key (so `ZINCRBY k XX m` is a syntax error: one element
/// left over).
fn zadd_generic(ctx: &mut Ctx<'_>, args: &[&[u8]], mut f: AddFlags, mut at: usize) -> Reply {
    while at < args.len() {
        let a = args[at];
        match () {
            _ if is(a, "nx") => f.nx = true,
            _ if is(a, "xx") => f.xx = true,
            _ if is(a, "gt") => f.gt = true,
            _ if is(a, "lt") => f.lt = true,
            _ if is(a, "ch") => f.ch = true,
            _ if is(a, "incr") => f.incr = true,
            _ => break,
        }
        at += 1;
    }
    let rest = &args[at..];
    if rest.is_empty() || !rest.len().is_multiple_of(2) {
        return Reply::error(errors::SYNTAX);
    }
    let n = rest.len() / 2;
    if let Err(e) = f.check(n) {
        return e;
    }
    let mut pairs = Vec::with_capacity(n);
    for p in rest.chunks(2) {
        match parse_score(p[0]) {
            Some(s) => pairs.push((s, p[1])),
            None => return Reply::error(errors::NOT_FLOAT),
        }
    }
    let out = match add_pairs(ctx, args[1], f, &pairs) {
        Ok(out) => out,
        Err(e) => return e,
    };
    if f.incr {
        out.last.map_or(Reply::Nil, score_reply)
    } else {
        Reply::Integer((if f.ch { out.added + out.updated } else { out.added }) as i64)
    }
}

/// ZADD's work once its arguments are parsed and checked: adds or updates
/// the (score, member) pairs (at least one) under the flags, creating the
/// key unless XX; an emptied or never-filled set is not left behind.
pub(crate) fn add_pairs<M: AsRef<[u8]>>(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    f: AddFlags,
    pairs: &[(f64, M)],
) -> Result<AddOutcome, Reply> {
    let mut out = AddOutcome { added: 0, updated: 0, last: None };
    let Some(first) = pairs.first() else { return Ok(out) };
    let n = pairs.len();
    let mut created = false;
    let result = (|| {
        match get_mut(ctx, key)? {
            Some(z) => z.maybe_convert(n),
            None if f.xx => return Ok(()),
            None => {
                ctx.insert(key, Value::ZSet(Box::new(ZSet::with_hint(n, first.1.as_ref().len()))), None);
                created = true;
            }
        }
        let z = get_mut(ctx, key)?.expect("just created");
        for (s, m) in pairs {
            match add_one(z, m.as_ref(), *s, f)? {
                Added::New(s) => {
                    out.added += 1;
                    out.last = Some(s);
                }
                Added::Updated(s) => {
                    out.updated += 1;
                    out.last = Some(s);
                }
                Added::Same(s) => out.last = Some(s),
                Added::Nop => {}
            }
        }
        Ok(())
    })();
    // Only a set created here can be empty (NX/GT/LT added nothing).
    if created {
        drop_if_empty(ctx, key);
    }
    if out.added > 0 {
        // A new member in an existing set (a new set signalled on insert).
        ctx.signal_ready(key, Kind::ZSet);
    }
    result.map(|()| out)
}

// ---- reads ----------------------------------------------------------------------

fn zcard(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply(get(ctx, args[1]).map(|z| Reply::Integer(z.map_or(0, |z| z.len() as i64))))
}

fn zscore(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply(get(ctx, args[1]).map(|z| z.and_then(|z| z.score(args[2])).map_or(Reply::Nil, score_reply)))
}

fn zmscore(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply(get(ctx, args[1]).map(|z| {
        Reply::Array(args[2..].iter().map(|m| z.and_then(|z| z.score(m)).map_or(Reply::Nil, score_reply)).collect())
    }))
}

fn zrank(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    rank_generic(ctx, args, false)
}

fn zrevrank(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    rank_generic(ctx, args, true)
}

/// Z[REV]RANK key member [WITHSCORE] (WITHSCORE is Redis 7.2).
fn rank_generic(ctx: &mut Ctx<'_>, args: &[&[u8]], rev: bool) -> Reply {
    if args.len() > 4 {
        return err(errors::arity(&String::from_utf8_lossy(args[0]).to_ascii_lowercase()));
    }
    let withscore = args.len() == 4;
    if withscore && !is(args[3], "withscore") {
        return Reply::error(errors::SYNTAX);
    }
    let none = if withscore { Reply::NilArray } else { Reply::Nil };
    reply(get(ctx, args[1]).map(|z| match z.and_then(|z| z.rank(args[2]).map(|r| (r, z.len()))) {
        None => none,
        Some(((r, s), len)) => {
            let r = Reply::Integer(if rev { len - 1 - r } else { r } as i64);
            if withscore {
                Reply::Array(vec![r, score_reply(s)])
            } else {
                r
            }
        }
    }))
}

fn zrem(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply(remove_members(ctx, args[1], &args[2..]).map(|n| Reply::Integer(n as i64)))
}

/// Removes `members` from the sorted set at `key`: how many were there.
pub(crate) fn remove_members<M: AsRef<[u8]>>(ctx: &mut Ctx<'_>, key: &[u8], members: &[M]) -> Result<usize, Reply> {
    let Some(z) = get_mut(ctx, key)? else { return Ok(0) };
    let n = members.iter().filter(|m| z.remove(m.as_ref()).is_some()).count();
    if z.is_empty() {
        ctx.remove(key);
    }
    Ok(n)
}

// ---- pops -----------------------------------------------------------------------

/// Removes up to `count` members from the low (`max` false) or high end of
/// the set at `key`, deleting the key when it empties. `Ok(None)` if the
/// key is absent.
pub fn pop(ctx: &mut Ctx<'_>, key: &[u8], count: usize, max: bool) -> Result<Option<Members>, Reply> {
    let Some(z) = get_mut(ctx, key)? else { return Ok(None) };
    let n = count.min(z.len());
    let (start, end) = if max { (z.len() - n, z.len()) } else { (0, n) };
    let mut out = Vec::with_capacity(n);
    z.for_range(start, end, |m, s| out.push((m.to_vec(), s)));
    z.remove_range(start, end);
    if max {
        out.reverse();
    }
    drop_if_empty(ctx, key);
    Ok(Some(out))
}

fn zpopmin(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    zpop(ctx, args, false)
}

fn zpopmax(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    zpop(ctx, args, true)
}

/// ZPOPMIN/ZPOPMAX key [count]: a flat [member, score, ...] array, except
/// that RESP3 with a count gives [member, score] pairs.
fn zpop(ctx: &mut Ctx<'_>, args: &[&[u8]], max: bool) -> Reply {
    if args.len() > 3 {
        return Reply::error(errors::SYNTAX);
    }
    let count = match args.get(2) {
        None => None,
        Some(a) => match crate::num::parse_i64(a) {
            Some(n) if n >= 0 => Some(n as usize),
            _ => return Reply::error("ERR value is out of range, must be positive"),
        },
    };
    let items = match pop(ctx, args[1], count.unwrap_or(1), max) {
        Err(e) => return e,
        Ok(v) => v.unwrap_or_default(),
    };
    if count.is_some() && ctx.sess.protocol >= 3 {
        with_scores(ctx, items, true)
    } else {
        Reply::Array(items.into_iter().flat_map(|(m, s)| [Reply::Bulk(m), score_reply(s)]).collect())
    }
}

/// `getRangeLongFromObjectOrReply(1, LONG_MAX)` with Redis's message.
fn positive(arg: &[u8], msg: &'static str) -> Result<usize, Reply> {
    match crate::num::parse_i64(arg) {
        Some(n) if n >= 1 => Ok(n as usize),
        _ => Err(Reply::error(msg)),
    }
}

/// The arguments of ZMPOP/BZMPOP from `numkeys` at `args[at]`: the keys,
/// whether to pop the highest scores (MAX), and COUNT (default 1),
/// checked in Redis's order.
pub(crate) fn mpop_args<'a>(args: &[&'a [u8]], at: usize) -> Result<(Vec<&'a [u8]>, bool, usize), Reply> {
    let numkeys = positive(args[at], "ERR numkeys should be greater than 0")?;
    let where_at = numkeys.checked_add(at + 1).filter(|&w| w < args.len()).ok_or(Reply::error(errors::SYNTAX))?;
    let max = match args[where_at] {
        w if is(w, "min") => false,
        w if is(w, "max") => true,
        _ => return Err(Reply::error(errors::SYNTAX)),
    };
    let mut count = None;
    let mut j = where_at + 1;
    while j < args.len() {
        if count.is_none() && is(args[j], "count") && j + 1 < args.len() {
            count = Some(positive(args[j + 1], "ERR count should be greater than 0")?);
            j += 2;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
    }
    Ok((args[at + 1..where_at].to_vec(), max, count.unwrap_or(1)))
}

/// ZMPOP's and BZMPOP's reply: the key and its [member, score] pairs.
pub(crate) fn mpop_reply(key: &[u8], items: Members) -> Reply {
    let pairs = items.into_iter().map(|(m, s)| Reply::Array(vec![Reply::Bulk(m), score_reply(s)]));
    Reply::Array(vec![Reply::Bulk(key.to_vec()), Reply::Array(pairs.collect())])
}

/// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
fn zmpop(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply((|| {
        let (keys, max, count) = mpop_args(args, 1)?;
        let db = ctx.db();
        ctx.lock_keys(true, keys.iter().map(|k| (db, *k)));
        for key in keys {
            if let Some(items) = pop(ctx, key, count, max)? {
                return Ok(mpop_reply(key, items));
            }
        }
        Ok(Reply::NilArray)
    })())
}

// ---- ZRANDMEMBER / ZSCAN ------------------------------------------------------------

fn random_below(n: usize) -> usize {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static HASHER: OnceLock<ahash::RandomState> = OnceLock::new();
    let r = HASHER.get_or_init(ahash::RandomState::new).hash_one(COUNTER.fetch_add(1, Ordering::Relaxed));
    (r % n as u64) as usize
}

/// ZRANDMEMBER key [count [WITHSCORES]]
fn zrandmember(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    if args.len() == 2 {
        return reply(get(ctx, args[1]).map(|z| match z {
            Some(z) if !z.is_empty() => Reply::Bulk(z.get(random_below(z.len())).0.to_vec()),
            _ => Reply::Nil,
        }));
    }
    let count = match int_arg(args[2]) {
        Ok(i64::MIN) => {
            return Reply::error(
                "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
            )
        }
        Ok(n) => n,
        Err(e) => return e,
    };
    if args.len() > 4 || (args.len() == 4 && !is(args[3], "withscores")) {
        return Reply::error(errors::SYNTAX);
    }
    let withscores = args.len() == 4;
    if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return Reply::error("ERR value is out of range");
    }
    let z = match get(ctx, args[1]) {
        Err(e) => return e,
        Ok(None) => return Reply::Array(vec![]),
        Ok(Some(z)) => z,
    };
    let len = z.len();
    let mut picks: Vec<usize> = Vec::new();
    if count < 0 {
        // Repeats allowed. A count no reply could hold is refused rather
        // than exhausting memory.
        let n = count.unsigned_abs();
        if n > 1 << 27 {
            return Reply::error("ERR value is out of range");
        }
        picks.extend((0..n).map(|_| random_below(len)));
    } else if count as usize >= len {
        picks.extend(0..len);
        // Redis returns the whole set in an unspecified order.
    } else {
        // Distinct members: a partial Fisher-Yates shuffle of the ranks.
        let mut ranks: Vec<usize> = (0..len).collect();
        for i in 0..count as usize {
            let j = i + random_below(len - i);
            ranks.swap(i, j);
        }
        picks.extend_from_slice(&ranks[..count as usize]);
    }
    let items = picks.into_iter().map(|i| z.get(i)).map(|(m, s)| (m.to_vec(), s)).collect();
    with_scores(ctx, items, withscores)
}

/// ZSCAN key cursor [MATCH pattern] [COUNT count]
fn zscan(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let Some(cursor) = super::keys::parse_cursor(args[2]) else { return Reply::error(errors::INVALID_CURSOR) };
    let z = match get(ctx, args[1]) {
        Err(e) => return e,
        Ok(None) => return Reply::Array(vec![Reply::bulk("0"), Reply::Array(vec![])]),
        Ok(Some(z)) => z,
    };
    let o = match ScanOpts::parse(&args[3..], ScanExtra::None) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let (next, items) = z.scan(cursor, o.count_usize());
    let mut out = Vec::with_capacity(items.len() * 2);
    for (m, s) in items {
        if !o.matches(m) {
            continue;
        }
        out.push(Reply::Bulk(m.to_vec()));
        out.push(Reply::bulk_double(s));
    }
    Reply::Array(vec![Reply::Bulk(next.to_string().into_bytes()), Reply::Array(out)])
}

#[cfg(test)]
mod tests {
    use super::parse_score;

    #[test]
    fn scores_are_read_as_string2d() {
        for (s, v) in [("1", 1.0), ("-2.5", -2.5), ("inf", f64::INFINITY), ("-Infinity", f64::NEG_INFINITY)] {
            assert_eq!(parse_score(s.as_bytes()), Some(v), "{s}");
        }
        assert_eq!(parse_score(b"1e308"), Some(1e308));
        assert_eq!(parse_score(b"0x10"), Some(16.0));
        assert_eq!(parse_score(b"0e500"), Some(0.0), "zero is not an underflow");
        assert_eq!(parse_score(b"0x0p-99999"), Some(0.0));
        assert!(parse_score(b"4.9e-324").is_some_and(|v| v > 0.0), "denormals are fine");
        assert!(parse_score(b"-0").is_some_and(|v| v == 0.0 && v.is_sign_negative()));
        for bad in ["1e400", "-1e309", "1e-400", "-2e-999", "0x1p99999", "0x1p-99999", "nan", "", " 1", "1x"] {
            assert_eq!(parse_score(bad.as_bytes()), None, "{bad}");
        }
    }
}
