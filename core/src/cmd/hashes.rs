//! Hash commands (Redis 7.2), and hash-field expiry (Redis 7.4: HEXPIRE,
//! HTTL, HPERSIST and their variants).
//!
//! Reads see only fields live at the command's time; writes first drop the
//! expired fields of the hash they touch, and delete the key when no field
//! is left (see [`with_hash`]). Until a write or the active sweep gets
//! to a hash whose every field has expired, keyspace commands (EXISTS,
//! TYPE, DBSIZE) still see the key; hash commands see it empty.

use super::keys::{ScanExtra, ScanOpts};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use super::{cmd, flag::*, int_arg, is, reply, CommandSpec, KEY1};
use crate::errors;
use crate::keyspace::Ctx;
use crate::longdouble::LongDouble;
use crate::num::parse_i64;
use crate::reply::Reply;
use crate::types::hash::{Hash, TtlCond};
use crate::value::{Kind, Value, ValueRef};

macro_rules! q {
    ($f:ident) => {
        |ctx: &mut Ctx<'_>, args: &[&[u8]]| reply($f(ctx, args))
    };
}

const W: u32 = WRITE | DENYOOM;
const R: u32 = READONLY;

pub static COMMANDS: &[CommandSpec] = &[
    cmd("hdel", -3, WRITE | FAST, KEY1, "hash", q!(hdel)),
    cmd("hexists", 3, R | FAST, KEY1, "hash", q!(hexists)),
    cmd("hget", 3, R | FAST, KEY1, "hash", q!(hget)),
    cmd("hgetall", 2, R, KEY1, "hash", |c, a| reply(listing(c, a, true, true))),
    cmd("hincrby", 4, W | FAST, KEY1, "hash", q!(hincrby)),
    cmd("hincrbyfloat", 4, W | FAST, KEY1, "hash", q!(hincrbyfloat)),
    cmd("hkeys", 2, R, KEY1, "hash", |c, a| reply(listing(c, a, true, false))),
    cmd("hlen", 2, R | FAST, KEY1, "hash", q!(hlen)),
    cmd("hmget", -3, R | FAST, KEY1, "hash", q!(hmget)),
    cmd("hmset", -4, W | FAST, KEY1, "hash", q!(hset)),
    cmd("hrandfield", -2, R, KEY1, "hash", q!(hrandfield)),
    cmd("hscan", -3, R, KEY1, "hash", q!(hscan)),
    cmd("hset", -4, W | FAST, KEY1, "hash", q!(hset)),
    cmd("hsetnx", 4, W | FAST, KEY1, "hash", q!(hsetnx)),
    cmd("hstrlen", 3, R | FAST, KEY1, "hash", q!(hstrlen)),
    cmd("hvals", 2, R, KEY1, "hash", |c, a| reply(listing(c, a, false, true))),
    // Redis 7.4 hash-field expiry
    cmd("hexpire", -6, W | FAST, KEY1, "hash", |c, a| reply(hexpire(c, a, 1000, false))),
    cmd("hpexpire", -6, W | FAST, KEY1, "hash", |c, a| reply(hexpire(c, a, 1, false))),
    cmd("hexpireat", -6, W | FAST, KEY1, "hash", |c, a| reply(hexpire(c, a, 1000, true))),
    cmd("hpexpireat", -6, W | FAST, KEY1, "hash", |c, a| reply(hexpire(c, a, 1, true))),
    cmd("httl", -5, R | FAST, KEY1, "hash", |c, a| reply(httl(c, a, Ttl::Rel(1000)))),
    cmd("hpttl", -5, R | FAST, KEY1, "hash", |c, a| reply(httl(c, a, Ttl::Rel(1)))),
    cmd("hexpiretime", -5, R | FAST, KEY1, "hash", |c, a| reply(httl(c, a, Ttl::Abs(1000)))),
    cmd("hpexpiretime", -5, R | FAST, KEY1, "hash", |c, a| reply(httl(c, a, Ttl::Abs(1)))),
    cmd("hpersist", -5, WRITE | FAST, KEY1, "hash", q!(hpersist)),
];

type Res = Result<Reply, Reply>;

fn wrongtype() -> Reply {
    Reply::error(errors::WRONGTYPE)
}

// ---- access helpers ---------------------------------------------------------

/// The hash at `key` for a read (absent: None), or WRONGTYPE.
pub(crate) fn read_hash<'c>(ctx: &'c Ctx<'_>, key: &[u8]) -> Result<Option<&'c Hash>, Reply> {
    match ctx.read(key) {
        None => Ok(None),
        Some(s) => match s.value() {
            ValueRef::Other(Value::Hash(h)) => Ok(Some(h)),
            _ => Err(wrongtype()),
        },
    }
}

/// The time to give a hash's methods: the command's time if the hash has
/// field expiries, else 0 (ignored), sparing the clock read.
pub(crate) fn clock(ctx: &Ctx<'_>, h: Option<&Hash>) -> u64 {
    if h.is_some_and(Hash::has_ttls) {
        ctx.now()
    } else {
        0
    }
}

/// Runs `f` on the hash at `key` for a write: expired fields are dropped
/// first; with `create` a missing key gets an empty hash. Afterwards an
/// empty hash is deleted and a new earliest field expiry is handed to the
/// active sweep. `Ok(None)`: no hash (and `create` was false). `f` gets the
/// time as [`clock`] gives it.
pub(crate) fn with_hash<T>(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    create: bool,
    f: impl FnOnce(&mut Hash, u64) -> T,
) -> Result<Option<T>, Reply> {
    // One lookup on the common path: a second only to create the key or,
    // for a hash with field expiries, after reading the clock.
    let mut now = None;
    let mut f = Some(f);
    let (out, empty, new_expiry) = loop {
        let Some(slot) = ctx.write(key) else {
            if !create {
                return Ok(None);
            }
            ctx.insert(key, Value::Hash(Hash::new()), None);
            continue;
        };
        if slot.kind() != Kind::Hash {
            return Err(wrongtype());
        }
        let Some(Value::Hash(h)) = slot.value_mut() else { return Err(wrongtype()) };
        if now.is_some() || !h.has_ttls() {
            let now = now.unwrap_or(0);
            h.expire_due(now, usize::MAX);
            if h.is_empty(now) && !create {
                break (None, true, None);
            }
            let before = h.next_expiry();
            let out = f.take().map(|f| f(h, now));
            break (out, h.is_empty(now), h.next_expiry().filter(|&t| Some(t) != before));
        }
        now = Some(ctx.now());
    };
    if empty {
        ctx.remove(key);
    } else if let Some(t) = new_expiry {
        ctx.watch_sub_expiry(key, t);
    }
    Ok(out)
}

// ---- plain hash commands -----------------------------------------------------

fn hset(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Res {
    if args.len() % 2 == 1 {
        return Err(super::err(format!(
            "ERR wrong number of arguments for '{}' command",
            String::from_utf8_lossy(args[0]).to_lowercase()
        )));
    }
    let pairs = &args[2..];
    let added = with_hash(ctx, args[1], true, |h, _| {
        h.convert_if_needed(pairs);
        pairs.chunks(2).filter(|p| h.set(p[0], p[1], false)).count()
    })?
    .unwrap_or(0);
    Ok(if is(args[0], "hmset") { Reply::ok() } else { Reply::Integer(added as i64) })
}

fn hsetnx(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Res {
    let (key, field, value) = (args[1], args[2], args[3]);
    let h = read_hash(ctx, key)?;
    if h.is_some_and(|h| h.get(field, clock(ctx, Some(h))).is_some()) {
        return Ok(Reply::Integer(0));
    }
    with_hash(ctx, key, true, |h, _| {
        h.convert_if_needed(&[field, value]);
        h.set(field, value, false)
    })?;
    Ok(Reply::Integer(1))
}

fn hdel(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Res {
    let n = with_hash(ctx, args[1], false, |h, _| args[2..].iter().filter(|f| h.remove(f)).count())?;
    Ok(Reply::Integer(n.unwrap_or(0) as i64))
}

/// The live value of `field` in the hash at `key`.
pub(crate) fn field_value<'c>(ctx: &'c Ctx<'_>, key: &[u8], field: &[u8]) -> Result<Option<&'c [u8]>, Reply> {
    let h = read_hash(ctx, key)?;
    Ok(h.and_then(|h| h.get(field, clock(ctx, Some(h)))))
}

fn hget(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Res {
    Ok(field_value(ctx, args[1], args[2])?.map_or(Reply::Nil, Reply::bulk))
}

fn hexists(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Res {
    Ok(Reply::Integer(field_value(ctx, args[1], args[2])?.is_some() as i64))
}

fn hstrlen(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Res {
    Ok(Reply::Integer(field_value(ctx, args[1], args[2])?.map_or(0, <[u8]>::len) as i64))
}

fn hlen(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Res {
    let h = read_hash(ctx, args[1])?;
    Ok(Reply::Integer(h.map_or(0, |h| h.len(clock(ctx, Some(h)))) as i64))
}

fn hmget(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Res {
    let h = read_hash(ctx, args[1])?;
    let now = clock(ctx, h);
    let get = |f: &&[u8]| h.and_then(|h| h.get(f, now)).map_or(Reply::Nil, Reply::bulk);
    Ok(Reply::Array(args[2..].iter().map(get).collect()))
}

/// HGETALL (a map), HKEYS, HVALS.
fn listing(ctx: &mut Ctx<'_>, args: &[&[u8]], keys: bool, vals: bool) -> Res {
    let Some(h) = read_hash(ctx, args[1])? else {
        return Ok(if keys && vals { Reply::Map(Vec::new()) } else { Reply::Array(Vec::new()) });
    };
    let now = clock(ctx, Some(h));
    let pairs = h.iter(now);
    Ok(match (keys, vals) {
        (true, true) => Reply::Map(pairs.map(|(k, v)| (Reply::bulk(k), Reply::bulk(v))).collect()),
        (true, false) => Reply::Array(pairs.map(|(k, _)| Reply::bulk(k)).collect()),
        _ => Reply::Array(pairs.map(|(_, v)| Reply::bulk(v)).collect()),
    })
}

fn hincrby(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Res {
    let by = int_arg(args[3])?;
    let (key, field) = (args[1], args[2]);
    with_hash(ctx, key, true, |h, now| {
        let cur = match h.get(field, now) {
            None => 0,
            Some(v) => parse_i64(v).ok_or(Reply::error(errors::HASH_NOT_INTEGER))?,
        };
        let new = cur.checked_add(by).ok_or(Reply::error(errors::OVERFLOW))?;
        h.set(field, new.to_string().as_bytes(), true);
        Ok(Reply::Integer(new))
    })?
    .unwrap_or(Ok(Reply::Nil))
}

fn hincrbyfloat(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Res {
    let by = LongDouble::parse(args[3]).ok_or(Reply::error(errors::NOT_FLOAT))?;
    if !by.is_finite() {
        return Err(Reply::error(errors::HASH_NAN_OR_INFINITY));
    }
    let (key, field) = (args[1], args[2]);
    with_hash(ctx, key, true, |h, now| {
        let cur = match h.get(field, now) {
            None => LongDouble::ZERO,
            Some(v) => LongDouble::parse(v).ok_or(Reply::error(errors::HASH_NOT_FLOAT))?,
        };
        let sum = cur + by;
        if !sum.is_finite() {
            return Err(Reply::error(errors::NAN_OR_INFINITY));
        }
        let text = sum.to_human().into_bytes();
        h.set(field, &text, true);
        Ok(Reply::Bulk(text))
    })?
    .unwrap_or(Ok(Reply::Nil))
}

// ---- HRANDFIELD ----------------------------------------------------------------

/// A random number: a counter hashed with per-process random keys.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static HASHER: OnceLock<ahash::RandomState> = OnceLock::new();
    HASHER.get_or_init(ahash::RandomState::new).hash_one(COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Random access to a hash's live fields: a listpack's are gathered once
/// (indexing one is a scan); a hashtable's are addressed by storage index,
/// where expired fields leave holes.
enum Fields<'h> {
    Listed(Vec<(&'h [u8], &'h [u8])>),
    Table(&'h Hash, u64),
}

impl<'h> Fields<'h> {
    fn new(h: &'h Hash, now: u64) -> Fields<'h> {
        if h.is_listpack() {
            Fields::Listed(h.iter(now).collect())
        } else {
            Fields::Table(h, now)
        }
    }

    /// Number of indices (holes included).
    fn slots(&self) -> usize {
        match self {
            Fields::Listed(v) => v.len(),
            Fields::Table(h, _) => h.stored_len(),
        }
    }

    fn at(&self, i: usize) -> Option<(&'h [u8], &'h [u8])> {
        match self {
            Fields::Listed(v) => v.get(i).copied(),
            Fields::Table(h, now) => h.at(i, *now),
        }
    }

    /// A random live field's index (there must be one).
    fn random(&self) -> usize {
        loop {
            let i = (random_u64() % self.slots() as u64) as usize;
            if self.at(i).is_some() {
                return i;
            }
        }
    }
}

fn hrandfield(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Res {
    if args.len() == 2 {
        let h = read_hash(ctx, args[1])?;
        let now = clock(ctx, h);
        return Ok(match h.filter(|h| !h.is_empty(now)) {
            None => Reply::Nil,
            Some(h) => {
                let fields = Fields::new(h, now);
                Reply::bulk(fields.at(fields.random()).map_or(&[][..], |p| p.0))
            }
        });
    }
    // As Redis: the count first, then the syntax, then WITHVALUES's range.
    let l = match parse_i64(args[2]) {
        Some(i64::MIN) => return Err(Reply::error(errors::HRANDFIELD_RANGE)),
        Some(l) => l,
        None => return Err(Reply::error(errors::NOT_INTEGER)),
    };
    let withvalues = match args.len() {
        3 => false,
        4 if is(args[3], "withvalues") => true,
        _ => return Err(Reply::error(errors::SYNTAX)),
    };
    if withvalues && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
        return Err(Reply::error(errors::OUT_OF_RANGE));
    }
    let resp3 = ctx.sess.protocol >= 3;
    let h = read_hash(ctx, args[1])?;
    let now = clock(ctx, h);
    let Some(h) = h.filter(|h| !h.is_empty(now)) else { return Ok(Reply::Array(Vec::new())) };
    let len = h.len(now);
    let fields = Fields::new(h, now);
    let picks: Vec<usize> = if l < 0 {
        (0..l.unsigned_abs()).map(|_| fields.random()).collect()
    } else if l as u64 >= len as u64 {
        (0..fields.slots()).filter(|&i| fields.at(i).is_some()).collect()
    } else if (l as usize) * 3 < len {
        // Few distinct picks from a big hash: sample, skipping repeats.
        let mut seen = std::collections::HashSet::with_capacity(l as usize);
        let mut picks = Vec::with_capacity(l as usize);
        while picks.len() < l as usize {
            let i = fields.random();
            if seen.insert(i) {
                picks.push(i);
            }
        }
        picks
    } else {
        // Many distinct picks: a partial shuffle of the live indices.
        let mut live: Vec<usize> = (0..fields.slots()).filter(|&i| fields.at(i).is_some()).collect();
        for k in 0..l as usize {
            let j = k + (random_u64() % (live.len() - k) as u64) as usize;
            live.swap(k, j);
        }
        live.truncate(l as usize);
        live
    };
    let mut out = Vec::with_capacity(picks.len() * if withvalues && !resp3 { 2 } else { 1 });
    for i in picks {
        let Some((f, v)) = fields.at(i) else { continue };
        match (withvalues, resp3) {
            (false, _) => out.push(Reply::bulk(f)),
            (true, true) => out.push(Reply::Array(vec![Reply::bulk(f), Reply::bulk(v)])),
            (true, false) => out.extend([Reply::bulk(f), Reply::bulk(v)]),
        }
    }
    Ok(Reply::Array(out))
}

// ---- HSCAN ---------------------------------------------------------------------

fn hscan(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Res {
    let cursor = super::keys::parse_cursor(args[2]).ok_or(Reply::error(errors::INVALID_CURSOR))?;
    let empty = || Reply::Array(vec![Reply::bulk("0"), Reply::Array(Vec::new())]);
    let Some(h) = read_hash(ctx, args[1])? else { return Ok(empty()) };
    let now = clock(ctx, Some(h));
    let o = ScanOpts::parse(&args[3..], ScanExtra::NoValues)?;
    let mut out = Vec::new();
    let mut push = |f: &[u8], v: &[u8]| {
        if o.matches(f) {
            out.push(Reply::bulk(f));
            if !o.novalues {
                out.push(Reply::bulk(v));
            }
        }
    };
    // As Redis: visit one bucket, then more until COUNT elements (fields
    // and values both count, before MATCH filters) are gathered or
    // 10*COUNT more buckets were seen.
    let mut next = cursor;
    let count = o.count;
    let mut budget = count.saturating_mul(10);
    let mut gathered = 0u64;
    loop {
        next = h.scan(next, now, |f, v| {
            gathered += 2;
            push(f, v)
        });
        if next == 0 || budget == 0 || gathered >= count {
            break;
        }
        budget -= 1;
    }
    Ok(Reply::Array(vec![Reply::bulk(next.to_string()), Reply::Array(out)]))
}

// ---- hash-field expiry (Redis 7.4) ------------------------------------------------

/// Largest absolute expiry Redis 7.4 accepts for a field (`EB_EXPIRE_TIME_MAX >> 2`).
const HFE_MAX_MS: i64 = ((1i64 << 48) - 1) >> 2;

/// Parses `FIELDS numfields field...` starting at `at`: the fields.
fn fields_arg<'a>(args: &'a [&'a [u8]], at: usize) -> Result<&'a [&'a [u8]], Reply> {
    if !args.get(at).is_some_and(|a| is(a, "fields")) {
        return Err(Reply::error(errors::HFE_FIELDS_MISSING));
    }
    let n =
        args.get(at + 1).and_then(|a| parse_i64(a)).filter(|&n| n >= 1).ok_or(Reply::error(errors::HFE_NUMFIELDS))?;
    let fields = &args[(at + 2).min(args.len())..];
    if fields.len() as i64 != n {
        return Err(Reply::error(errors::HFE_NUMFIELDS_MISMATCH));
    }
    Ok(fields)
}

fn per_field(n: usize, code: i64) -> Reply {
    Reply::Array(vec![Reply::Integer(code); n])
}

/// HEXPIRE / HPEXPIRE / HEXPIREAT / HPEXPIREAT key time [NX|XX|GT|LT] FIELDS n field...
fn hexpire(ctx: &mut Ctx<'_>, args: &[&[u8]], unit: i64, absolute: bool) -> Res {
    let now = ctx.now();
    let key = args[1];
    // The key's type is checked first, then the arguments (7.4's order).
    if ctx.peek(key).is_some_and(|s| s.kind() != Kind::Hash) {
        return Err(wrongtype());
    }
    let name = String::from_utf8_lossy(args[0]).to_lowercase();
    let bad_time = || super::err(errors::EXPIRE_TIME.replace("{}", &name));
    let mut t = int_arg(args[2])?;
    if t < 0 {
        return Err(Reply::error(errors::HFE_NEGATIVE));
    }
    if unit == 1000 {
        if t > HFE_MAX_MS / 1000 {
            return Err(bad_time());
        }
        t *= 1000;
    }
    let base = if absolute { 0 } else { now as i64 };
    if t > HFE_MAX_MS - base {
        return Err(bad_time());
    }
    let at = (t + base) as u64;
    let conds = [("nx", TtlCond::Nx), ("xx", TtlCond::Xx), ("gt", TtlCond::Gt), ("lt", TtlCond::Lt)];
    let (cond, fields_at) = match conds.iter().find(|(w, _)| is(args[3], w)) {
        Some(&(_, c)) => (c, 4),
        None => (TtlCond::Always, 3),
    };
    let fields = fields_arg(args, fields_at)?;
    // The command's time, not `with_hash`'s: the hash may have no field
    // expiry yet.
    let codes = with_hash(ctx, key, false, |h, _| {
        fields.iter().map(|f| Reply::Integer(h.set_ttl(f, at, cond, now) as i64)).collect()
    })?;
    Ok(codes.map_or_else(|| per_field(fields.len(), -2), Reply::Array))
}

enum Ttl {
    /// Time left, in this many ms per unit (rounded up, as 7.4 does).
    Rel(u64),
    /// Absolute time, in this many ms per unit (also rounded up: 7.4's
    /// `httlGenericCommand` computes `(expire + 999 - basetime) / 1000`).
    Abs(u64),
}

/// HTTL / HPTTL / HEXPIRETIME / HPEXPIRETIME key FIELDS n field...
fn httl(ctx: &mut Ctx<'_>, args: &[&[u8]], mode: Ttl) -> Res {
    let h = read_hash(ctx, args[1])?;
    let now = clock(ctx, h);
    let fields = fields_arg(args, 2)?;
    let Some(h) = h else { return Ok(per_field(fields.len(), -2)) };
    let code = |f: &&[u8]| match h.ttl(f, now) {
        None => -2,
        Some(None) => -1,
        Some(Some(t)) => match mode {
            Ttl::Rel(u) => (t - now).div_ceil(u) as i64,
            Ttl::Abs(u) => t.div_ceil(u) as i64,
        },
    };
    Ok(Reply::Array(fields.iter().map(|f| Reply::Integer(code(f))).collect()))
}

/// HPERSIST key FIELDS n field...
fn hpersist(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Res {
    if ctx.peek(args[1]).is_some_and(|s| s.kind() != Kind::Hash) {
        return Err(wrongtype());
    }
    let fields = fields_arg(args, 2)?;
    let codes =
        with_hash(ctx, args[1], false, |h, now| fields.iter().map(|f| Reply::Integer(h.persist(f, now))).collect())?;
    Ok(codes.map_or_else(|| per_field(fields.len(), -2), Reply::Array))
}
