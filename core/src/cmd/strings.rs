//! String commands: GET/SET and their variants, counters, ranges, LCS.
//!
//! Encodings follow Redis (OBJECT ENCODING): values stored whole go through
//! `Value::string` (Redis's tryObjectEncoding: int / embstr / raw); APPEND
//! and SETRANGE edit in place and leave the string `raw`; INCR and friends
//! store `int`; INCRBYFLOAT stores its text as a plain new string (embstr
//! or raw by length, never int). Commands that change a value without
//! setting it (INCR*, APPEND, SETRANGE) keep the key's TTL.

use super::{cmd, err, flag::*, int_arg, is, read_str, reply, CommandSpec, KEY1};
use crate::errors;
use crate::keyspace::Ctx;
use crate::longdouble::LongDouble;
use crate::num::{fmt_i64, parse_i64};
use crate::reply::Reply;
use crate::value::{StrEnc, Value, EMBSTR_LIMIT};
use crate::Slot;

/// A table entry for a handler written with `?`.
macro_rules! q {
    ($f:ident) => {
        |ctx: &mut Ctx<'_>, args: &[&[u8]]| reply($f(ctx, args))
    };
}

const W: u32 = WRITE | DENYOOM;

pub static COMMANDS: &[CommandSpec] = &[
    cmd("append", 3, W | FAST, KEY1, "string", q!(append)),
    cmd("decr", 2, W | FAST, KEY1, "string", |c, a| reply(incr_by(c, a[1], -1))),
    cmd("decrby", 3, W | FAST, KEY1, "string", q!(decrby)),
    cmd("get", 2, READONLY | FAST, KEY1, "string", q!(get)),
    cmd("getdel", 2, WRITE | FAST, KEY1, "string", q!(getdel)),
    cmd("getex", -2, WRITE | FAST, KEY1, "string", q!(getex)),
    cmd("getrange", 4, READONLY, KEY1, "string", q!(getrange)),
    cmd("getset", 3, W | FAST, KEY1, "string", q!(getset)),
    cmd("incr", 2, W | FAST, KEY1, "string", |c, a| reply(incr_by(c, a[1], 1))),
    cmd("incrby", 3, W | FAST, KEY1, "string", q!(incrby)),
    cmd("incrbyfloat", 3, W | FAST, KEY1, "string", q!(incrbyfloat)),
    cmd("lcs", -3, READONLY, (1, 2, 1), "string", q!(lcs)),
    cmd("mget", -2, READONLY | FAST, (1, -1, 1), "string", mget),
    cmd("mset", -3, W, (1, -1, 2), "string", |c, a| mset(c, a, "mset", false)),
    cmd("msetnx", -3, W, (1, -1, 2), "string", |c, a| mset(c, a, "msetnx", true)),
    cmd("psetex", 4, W, KEY1, "string", q!(psetex)),
    cmd("set", -3, W, KEY1, "string", q!(set)),
    cmd("setex", 4, W, KEY1, "string", q!(setex)),
    cmd("setnx", 3, W | FAST, KEY1, "string", q!(setnx)),
    cmd("setrange", 4, W, KEY1, "string", q!(setrange)),
    cmd("strlen", 2, READONLY | FAST, KEY1, "string", q!(strlen)),
    cmd("substr", 4, READONLY, KEY1, "string", q!(getrange)),
];

type R = Result<Reply, Reply>;

/// Redis's `proto-max-bulk-len` default: the longest string APPEND and
/// SETRANGE may build.
pub const MAX_STRING: u64 = 512 * 1024 * 1024;

fn wrongtype() -> Reply {
    Reply::error(errors::WRONGTYPE)
}

/// Redis's `checkStringLength`: `size + append` must not pass the limit
/// (nor overflow).
fn check_len(size: u64, append: u64) -> Result<(), Reply> {
    match size.checked_add(append) {
        Some(total) if total <= MAX_STRING => Ok(()),
        _ => Err(Reply::error(errors::STRING_TOO_LONG)),
    }
}

/// The string of a live key for a write command (no hit/miss stats, as
/// Redis's lookupKeyWrite), or WRONGTYPE.
fn peek_str<'c>(ctx: &'c Ctx<'_>, key: &[u8]) -> Result<Option<&'c [u8]>, Reply> {
    match ctx.peek(key) {
        None => Ok(None),
        Some(s) => s.as_str().map(Some).ok_or_else(wrongtype),
    }
}

/// Replaces a string value keeping the key's TTL (Redis's dbReplaceValue),
/// or adds the key.
fn put_keep_ttl(ctx: &mut Ctx<'_>, key: &[u8], bytes: &[u8], enc: StrEnc) {
    match ctx.write(key) {
        Some(slot) => slot.update_str(enc, |v| {
            v.clear();
            v.extend_from_slice(bytes);
        }),
        None => {
            ctx.insert_bytes(key, bytes, enc, None);
        }
    }
}

// ---- GET / SET family -------------------------------------------------------

fn get(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    Ok(read_str(ctx, args[1])?.map(<[u8]>::to_vec).into())
}

fn getdel(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let old = read_str(ctx, args[1])?.map(<[u8]>::to_vec);
    if old.is_some() {
        ctx.remove(args[1]);
    }
    Ok(old.into())
}

fn getset(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let old = read_str(ctx, args[1])?.map(<[u8]>::to_vec);
    ctx.insert_bytes(args[1], args[2], StrEnc::for_value(args[2]), None);
    Ok(old.into())
}

/// The expiry options of SET and GETEX.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expiry {
    Ex,
    Px,
    ExAt,
    PxAt,
}

impl Expiry {
    fn parse(opt: &[u8]) -> Option<Expiry> {
        [("EX", Expiry::Ex), ("PX", Expiry::Px), ("EXAT", Expiry::ExAt), ("PXAT", Expiry::PxAt)]
            .into_iter()
            .find(|(name, _)| is(opt, name))
            .map(|(_, e)| e)
    }

    /// The absolute expiry in Unix ms, as Redis's
    /// getExpireMillisecondsOrReply computes it: positive, and no overflow
    /// when scaling seconds or adding the current time.
    fn resolve(self, arg: &[u8], now: u64, cmd: &str) -> Result<u64, Reply> {
        let v = super::int_arg(arg)?;
        let bad = || err(errors::EXPIRE_TIME.replace("{}", cmd));
        let seconds = matches!(self, Expiry::Ex | Expiry::ExAt);
        if v <= 0 || (seconds && v > i64::MAX / 1000) {
            return Err(bad());
        }
        let ms = if seconds { v * 1000 } else { v };
        let ms = match self {
            Expiry::Ex | Expiry::Px => ms.checked_add(now as i64).ok_or_else(bad)?,
            Expiry::ExAt | Expiry::PxAt => ms,
        };
        Ok(ms as u64)
    }
}

/// SET / GETEX options as Redis's parseExtendedStringArgumentsOrReply reads
/// them: each option is accepted only if it does not conflict with one
/// already seen, anything else is a syntax error.
#[derive(Default)]
struct Opts<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    persist: bool,
    expire: Option<(Expiry, &'a [u8])>,
}

fn parse_opts<'a>(args: &[&'a [u8]], for_set: bool) -> Result<Opts<'a>, Reply> {
    let mut o = Opts::default();
    let mut j = if for_set { 3 } else { 2 };
    while j < args.len() {
        let opt = args[j];
        let next = args.get(j + 1).copied();
        let exp = o.expire.map(|(e, _)| e);
        if for_set && is(opt, "NX") && !o.xx {
            o.nx = true;
        } else if for_set && is(opt, "XX") && !o.nx {
            o.xx = true;
        } else if for_set && is(opt, "GET") {
            o.get = true;
        } else if for_set && is(opt, "KEEPTTL") && exp.is_none() {
            o.keepttl = true;
        } else if !for_set && is(opt, "PERSIST") && exp.is_none() {
            o.persist = true;
        } else if let (Some(e), Some(arg)) = (Expiry::parse(opt), next) {
            // The same expiry option may repeat (the last wins), not mix.
            if o.keepttl || o.persist || exp.is_some_and(|x| x != e) {
                return Err(Reply::error(errors::SYNTAX));
            }
            o.expire = Some((e, arg));
            j += 1;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        j += 1;
    }
    Ok(o)
}

/// Redis's setGenericCommand. `ok` / `abort` are the replies when the value
/// is set or an NX/XX condition stops it (unless GET was asked for).
fn set_generic(ctx: &mut Ctx<'_>, key: &[u8], val: &[u8], o: &Opts<'_>, name: &str, ok: Reply, abort: Reply) -> R {
    let expire = o.expire.map(|(e, arg)| e.resolve(arg, ctx.now(), name)).transpose()?;
    let old = if o.get { Some(read_str(ctx, key)?.map(<[u8]>::to_vec)) } else { None };
    let result = |fallback: Reply| old.map_or(fallback, Reply::from);
    if o.nx || o.xx {
        let found = ctx.write(key).is_some();
        if (o.nx && found) || (o.xx && !found) {
            return Ok(result(abort));
        }
    }
    // A time already past still stores the key, expired (as Redis).
    let expire = match expire {
        None if o.keepttl => ctx.peek(key).and_then(|s| s.expire_at()),
        e => e,
    };
    ctx.insert_bytes(key, val, StrEnc::for_value(val), expire);
    Ok(result(ok))
}

fn set(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let o = parse_opts(args, true)?;
    set_generic(ctx, args[1], args[2], &o, "set", Reply::ok(), Reply::Nil)
}

fn setnx(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let o = Opts { nx: true, ..Opts::default() };
    set_generic(ctx, args[1], args[2], &o, "setnx", Reply::Integer(1), Reply::Integer(0))
}

fn setex(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let o = Opts { expire: Some((Expiry::Ex, args[2])), ..Opts::default() };
    set_generic(ctx, args[1], args[3], &o, "setex", Reply::ok(), Reply::Nil)
}

fn psetex(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let o = Opts { expire: Some((Expiry::Px, args[2])), ..Opts::default() };
    set_generic(ctx, args[1], args[3], &o, "psetex", Reply::ok(), Reply::Nil)
}

fn getex(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let o = parse_opts(args, false)?;
    let key = args[1];
    let Some(val) = read_str(ctx, key)?.map(<[u8]>::to_vec) else {
        return Ok(Reply::Nil);
    };
    // Validated only once the key is known to hold a string, as Redis.
    let expire = o.expire.map(|(e, arg)| e.resolve(arg, ctx.now(), "getex")).transpose()?;
    if let Some(t) = expire {
        // An EXAT/PXAT time already past deletes the key.
        ctx.set_expire(key, Some(t));
    } else if o.persist {
        ctx.set_expire(key, None);
    }
    Ok(Reply::Bulk(val))
}

fn mget(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let items = args[1..].iter().map(|k| ctx.read(k).and_then(Slot::as_str).map(<[u8]>::to_vec).into());
    Reply::Array(items.collect())
}

/// MSET and MSETNX; the dispatcher holds every key's shard, so the whole
/// batch is atomic.
fn mset(ctx: &mut Ctx<'_>, args: &[&[u8]], name: &str, nx: bool) -> Reply {
    if args.len().is_multiple_of(2) {
        return err(errors::arity(name));
    }
    if nx && args[1..].chunks(2).any(|kv| ctx.write(kv[0]).is_some()) {
        return Reply::Integer(0);
    }
    for kv in args[1..].chunks(2) {
        ctx.insert_bytes(kv[0], kv[1], StrEnc::for_value(kv[1]), None);
    }
    if nx {
        Reply::Integer(1)
    } else {
        Reply::ok()
    }
}

// ---- counters ---------------------------------------------------------------

fn incr_by(ctx: &mut Ctx<'_>, key: &[u8], by: i64) -> R {
    let cur = match peek_str(ctx, key)? {
        None => 0,
        Some(s) => parse_i64(s).ok_or(Reply::error(errors::NOT_INTEGER))?,
    };
    let new = cur.checked_add(by).ok_or(Reply::error(errors::OVERFLOW))?;
    let mut buf = [0u8; 20];
    put_keep_ttl(ctx, key, fmt_i64(new, &mut buf), StrEnc::Int);
    Ok(Reply::Integer(new))
}

fn incrby(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let by = int_arg(args[2])?;
    incr_by(ctx, args[1], by)
}

fn decrby(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let by = int_arg(args[2])?;
    if by == i64::MIN {
        return Err(Reply::error(errors::DECR_OVERFLOW));
    }
    incr_by(ctx, args[1], -by)
}

fn incrbyfloat(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let not_float = || Reply::error(errors::NOT_FLOAT);
    let cur = match peek_str(ctx, args[1])? {
        None => LongDouble::ZERO,
        Some(s) => LongDouble::parse(s).ok_or_else(not_float)?,
    };
    let by = LongDouble::parse(args[2]).ok_or_else(not_float)?;
    let sum = cur + by;
    if !sum.is_finite() {
        return Err(Reply::error(errors::NAN_OR_INFINITY));
    }
    let text = sum.to_human().into_bytes();
    let enc = if text.len() <= EMBSTR_LIMIT { StrEnc::Embstr } else { StrEnc::Raw };
    put_keep_ttl(ctx, args[1], &text, enc);
    Ok(Reply::Bulk(text))
}

// ---- partial reads and writes ----------------------------------------------

fn strlen(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    Ok(Reply::Integer(read_str(ctx, args[1])?.map_or(0, <[u8]>::len) as i64))
}

fn append(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let (key, tail) = (args[1], args[2]);
    if let Some(slot) = ctx.write(key) {
        let len = slot.as_str().ok_or_else(wrongtype)?.len();
        check_len(len as u64, tail.len() as u64)?;
        let total = slot.update_str(StrEnc::Raw, |v| {
            v.extend_from_slice(tail);
            v.len()
        });
        return Ok(Reply::Integer(total as i64));
    }
    ctx.insert(key, Value::string(tail), None);
    Ok(Reply::Integer(tail.len() as i64))
}

fn setrange(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let (key, val) = (args[1], args[3]);
    let offset = int_arg(args[2])?;
    if offset < 0 {
        return Err(Reply::error(errors::OFFSET_RANGE));
    }
    if let Some(slot) = ctx.write(key) {
        let len = slot.as_str().ok_or_else(wrongtype)?.len();
        if val.is_empty() {
            return Ok(Reply::Integer(len as i64));
        }
        check_len(offset as u64, val.len() as u64)?;
        let at = offset as usize;
        let total = slot.update_str(StrEnc::Raw, |v| {
            if v.len() < at + val.len() {
                v.resize(at + val.len(), 0);
            }
            v[at..at + val.len()].copy_from_slice(val);
            v.len()
        });
        return Ok(Reply::Integer(total as i64));
    }
    if val.is_empty() {
        return Ok(Reply::Integer(0));
    }
    check_len(offset as u64, val.len() as u64)?;
    let mut v = vec![0u8; offset as usize];
    v.extend_from_slice(val);
    let total = v.len();
    ctx.insert(key, Value::Str(v, StrEnc::Raw), None);
    Ok(Reply::Integer(total as i64))
}

/// The byte range GETRANGE returns for `start..=end` over `len` bytes,
/// with Redis's clamping of negative and out-of-range indexes.
fn clamp_range(len: usize, mut start: i64, mut end: i64) -> Option<std::ops::Range<usize>> {
    if start < 0 && end < 0 && start > end {
        return None;
    }
    let n = len as i64;
    if start < 0 {
        start = (n + start).max(0);
    }
    if end < 0 {
        end = (n + end).max(0);
    }
    if end >= n {
        end = n - 1;
    }
    if start > end || len == 0 {
        return None;
    }
    Some(start as usize..end as usize + 1)
}

fn getrange(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let start = int_arg(args[2])?;
    let end = int_arg(args[3])?;
    let s = read_str(ctx, args[1])?.unwrap_or_default();
    Ok(Reply::bulk(clamp_range(s.len(), start, end).map_or(&[][..], |r| &s[r])))
}

// ---- LCS --------------------------------------------------------------------

fn lcs(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let (a, b) = (ctx.read(args[1]), ctx.read(args[2]));
    let (a, b) = (lcs_input(a)?, lcs_input(b)?);

    let (mut idx, mut len, mut withmatchlen, mut minmatchlen) = (false, false, false, 0u64);
    let mut j = 3;
    while j < args.len() {
        let opt = args[j];
        if is(opt, "IDX") {
            idx = true;
        } else if is(opt, "LEN") {
            len = true;
        } else if is(opt, "WITHMATCHLEN") {
            withmatchlen = true;
        } else if is(opt, "MINMATCHLEN") && j + 1 < args.len() {
            minmatchlen = int_arg(args[j + 1])?.max(0) as u64;
            j += 1;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        j += 1;
    }
    if idx && len {
        return Err(Reply::error(errors::LCS_IDX_AND_LEN));
    }
    if a.len() >= u32::MAX as usize - 1 || b.len() >= u32::MAX as usize - 1 {
        return Err(Reply::error(errors::LCS_TOO_LONG));
    }
    let table = LcsTable::build(a, b)?;
    let total = table.at(a.len(), b.len());
    if len {
        return Ok(Reply::Integer(total as i64));
    }
    let (text, ranges) = table.walk(a, b);
    if !idx {
        return Ok(Reply::Bulk(text));
    }
    let pair = |x: usize, y: usize| Reply::Array(vec![Reply::Integer(x as i64), Reply::Integer(y as i64)]);
    let matches = ranges
        .into_iter()
        .filter(|r| minmatchlen == 0 || r.len as u64 >= minmatchlen)
        .map(|r| {
            let mut m = vec![pair(r.a.0, r.a.1), pair(r.b.0, r.b.1)];
            if withmatchlen {
                m.push(Reply::Integer(r.len as i64));
            }
            Reply::Array(m)
        })
        .collect();
    Ok(Reply::Map(vec![
        (Reply::bulk("matches"), Reply::Array(matches)),
        (Reply::bulk("len"), Reply::Integer(total as i64)),
    ]))
}

fn lcs_input(s: Option<&Slot>) -> Result<&[u8], Reply> {
    match s {
        None => Ok(&[]),
        Some(s) => s.as_str().ok_or(Reply::error(errors::LCS_NOT_STRING)),
    }
}

/// The dynamic-programming table of LCS lengths: `at(i, j)` is the LCS
/// length of `a[..i]` and `b[..j]`.
struct LcsTable {
    cells: Vec<u32>,
    cols: usize,
}

/// A common run, inclusive indexes in each string.
struct LcsRange {
    a: (usize, usize),
    b: (usize, usize),
    len: usize,
}

impl LcsTable {
    fn build(a: &[u8], b: &[u8]) -> Result<LcsTable, Reply> {
        let cols = b.len() + 1;
        let cells = (a.len() + 1) as u64 * cols as u64;
        // Redis refuses a table bigger than proto-max-bulk-len.
        if cells.saturating_mul(4) > MAX_STRING {
            return Err(Reply::error(errors::LCS_MEMORY));
        }
        let mut t = Vec::new();
        if t.try_reserve_exact(cells as usize).is_err() {
            return Err(Reply::error(errors::LCS_ALLOC));
        }
        t.resize(cells as usize, 0u32);
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                t[i * cols + j] = if a[i - 1] == b[j - 1] {
                    t[(i - 1) * cols + j - 1] + 1
                } else {
                    t[(i - 1) * cols + j].max(t[i * cols + j - 1])
                };
            }
        }
        Ok(LcsTable { cells: t, cols })
    }

    fn at(&self, i: usize, j: usize) -> u32 {
        self.cells[i * self.cols + j]
    }

    /// Walks back from the end as Redis does, giving the LCS text and the
    /// matching runs, last run first.
    fn walk(&self, a: &[u8], b: &[u8]) -> (Vec<u8>, Vec<LcsRange>) {
        let mut text = Vec::with_capacity(self.at(a.len(), b.len()) as usize);
        let mut ranges = Vec::new();
        let (mut i, mut j) = (a.len(), b.len());
        // The run being tracked: (a_start, a_end, b_start, b_end).
        let mut cur: Option<(usize, usize, usize, usize)> = None;
        while i > 0 && j > 0 {
            let mut emit = false;
            if a[i - 1] == b[j - 1] {
                text.push(a[i - 1]);
                cur = match cur {
                    None => Some((i - 1, i - 1, j - 1, j - 1)),
                    // Backwards steps on a match are always contiguous.
                    Some((s, e, bs, be)) => Some((s - 1, e, bs - 1, be)),
                };
                if cur.is_some_and(|(s, _, bs, _)| s == 0 || bs == 0) {
                    emit = true;
                }
                i -= 1;
                j -= 1;
            } else {
                if self.at(i - 1, j) > self.at(i, j - 1) {
                    i -= 1;
                } else {
                    j -= 1;
                }
                emit = cur.is_some();
            }
            if emit {
                if let Some((s, e, bs, be)) = cur.take() {
                    ranges.push(LcsRange { a: (s, e), b: (bs, be), len: e - s + 1 });
                }
            }
        }
        text.reverse();
        (text, ranges)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::SessionState;
    use crate::Store;

    fn encoding(store: &Store, key: &str) -> Option<StrEnc> {
        let mut st = SessionState { db: 0, protocol: 2, name: None, id: 0 };
        let mut ctx = Ctx::new(&store.inner, &mut st);
        ctx.lock_keys(false, [(0, key.as_bytes())]);
        ctx.peek(key.as_bytes()).map(Slot::str_enc)
    }

    #[test]
    fn encodings_follow_redis() {
        use StrEnc::*;
        let store = Store::new();
        let mut s = store.session();
        let cases: &[(&[&str], &str, StrEnc)] = &[
            (&["SET", "k", "123"], "k", Int),
            (&["SET", "k", "abc"], "k", Embstr),
            (&["SET", "k", &"x".repeat(45)], "k", Raw),
            (&["SET", "k", "12"], "k", Int),
            (&["SETRANGE", "k", "0", ""], "k", Int),
            (&["SETRANGE", "k", "0", "3"], "k", Raw),
            (&["INCR", "k"], "k", Int),
            (&["APPEND", "k", ""], "k", Raw),
            (&["INCRBYFLOAT", "k", "1"], "k", Embstr),
            (&["INCRBYFLOAT", "f", "1e50"], "f", Raw),
            (&["APPEND", "a", "123"], "a", Int),
            (&["APPEND", "a", "4"], "a", Raw),
            (&["APPEND", "e", ""], "e", Embstr),
            (&["SETRANGE", "r", "2", "x"], "r", Raw),
            (&["GETSET", "r", "7"], "r", Int),
            (&["MSET", "m", "abc", "n", "42"], "n", Int),
            (&["SETEX", "x", "100", "42"], "x", Int),
            (&["DECRBY", "d", "5"], "d", Int),
        ];
        for (cmd, key, enc) in cases {
            assert!(!s.execute(cmd).is_error(), "{cmd:?}");
            assert_eq!(encoding(&store, key), Some(*enc), "{cmd:?}");
        }
    }

    #[test]
    fn length_limit_is_checked_without_allocating() {
        assert!(check_len(MAX_STRING - 1, 1).is_ok());
        assert!(check_len(MAX_STRING, 1).is_err());
        assert!(check_len(u64::MAX, 1).is_err());
        assert!(check_len(0, MAX_STRING + 1).is_err());
    }

    #[test]
    fn range_clamping() {
        assert_eq!(clamp_range(5, 0, -1), Some(0..5));
        assert_eq!(clamp_range(5, -1, -5), None);
        assert_eq!(clamp_range(5, -100, -50), Some(0..1));
        assert_eq!(clamp_range(5, 4, 1), None);
        assert_eq!(clamp_range(0, 0, -1), None);
        assert_eq!(clamp_range(5, i64::MIN, i64::MAX), Some(0..5));
    }
}
