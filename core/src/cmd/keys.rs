//! Generic key commands: DEL, UNLINK, EXISTS, TYPE, RENAME, RENAMENX, COPY,
//! MOVE, KEYS, SCAN, RANDOMKEY, TOUCH, OBJECT.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use super::{cmd, err, flag::*, int_arg, is, reply, CommandSpec, KEY1, NOKEYS};
use crate::dict::Slot;
use crate::errors;
use crate::glob;
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::value::{Kind, StrEnc, Value, ValueRef};

/// Every argument from the first on is a key.
const ALL_KEYS: (i32, i32, i32) = (1, -1, 1);
/// Two keys: source and destination.
const TWO_KEYS: (i32, i32, i32) = (1, 2, 1);

pub static COMMANDS: &[CommandSpec] = &[
    cmd("del", -2, WRITE, ALL_KEYS, "keyspace", del),
    cmd("unlink", -2, WRITE | FAST, ALL_KEYS, "keyspace", del),
    cmd("exists", -2, READONLY | FAST, ALL_KEYS, "keyspace", exists),
    cmd("touch", -2, READONLY | FAST, ALL_KEYS, "keyspace", touch),
    cmd("type", 2, READONLY | FAST, KEY1, "keyspace", type_),
    cmd("rename", 3, WRITE, TWO_KEYS, "keyspace", rename),
    cmd("renamenx", 3, WRITE | FAST, TWO_KEYS, "keyspace", renamenx),
    cmd("copy", -3, WRITE | DENYOOM | SELF_LOCKING, TWO_KEYS, "keyspace", copy),
    cmd("move", 3, WRITE | FAST | SELF_LOCKING, KEY1, "keyspace", move_),
    cmd("keys", 2, READONLY | WHOLE_DB, NOKEYS, "keyspace", keys),
    cmd("scan", -2, READONLY | SELF_LOCKING, NOKEYS, "keyspace", scan),
    cmd("randomkey", 1, READONLY | RANDOM | WHOLE_DB, NOKEYS, "keyspace", randomkey),
    cmd("object", -2, 0, (2, 2, 1), "keyspace", object),
];

fn del(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let n = args[1..].iter().filter(|k| ctx.remove(k).is_some()).count();
    n.into()
}

/// Counts every argument naming a live key, repeats included.
fn exists(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    args[1..].iter().filter(|k| ctx.read_notouch(k).is_some()).count().into()
}

/// Like EXISTS, but as an access: updates the keys' LRU time.
fn touch(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    args[1..].iter().filter(|k| ctx.read(k).is_some()).count().into()
}

fn type_(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    Reply::status(ctx.read_notouch(args[1]).map_or("none", |s| s.kind().name()))
}

fn rename(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    rename_generic(ctx, args[1], args[2], false)
}

fn renamenx(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    rename_generic(ctx, args[1], args[2], true)
}

/// RENAME and RENAMENX: the value moves with its expiry; renaming a key to
/// itself is a no-op (OK / 0) once the key is known to exist.
fn rename_generic(ctx: &mut Ctx<'_>, src: &[u8], dst: &[u8], nx: bool) -> Reply {
    if ctx.write(src).is_none() {
        return Reply::error(errors::NO_SUCH_KEY);
    }
    let done = |moved: bool| if nx { Reply::from(moved) } else { Reply::ok() };
    if src == dst {
        return done(false);
    }
    if nx && ctx.write(dst).is_some() {
        return done(false);
    }
    let Some(old) = ctx.remove(src) else { return Reply::error(errors::NO_SUCH_KEY) };
    let db = ctx.db();
    ctx.replace_in(db, dst, old.value, old.expire);
    done(true)
}

/// Parses a database index as Redis's getIntFromObjectOrReply + selectDb.
fn db_arg(ctx: &Ctx<'_>, arg: &[u8]) -> Result<usize, Reply> {
    let n = int_arg(arg)?;
    if n < i32::MIN as i64 || n > i32::MAX as i64 {
        return Err(Reply::error(errors::INT_RANGE));
    }
    if n < 0 || n as usize >= ctx.databases() {
        return Err(Reply::error(errors::DB_INDEX));
    }
    Ok(n as usize)
}

/// COPY source destination [DB destination-db] [REPLACE]
fn copy(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply(copy_impl(ctx, args))
}

fn copy_impl(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    let (src_db, mut dst_db, mut replace) = (ctx.db(), ctx.db(), false);
    let mut i = 3;
    while i < args.len() {
        if is(args[i], "replace") {
            replace = true;
        } else if is(args[i], "db") && i + 1 < args.len() {
            dst_db = db_arg(ctx, args[i + 1])?;
            i += 1;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        i += 1;
    }
    let (key, newkey) = (args[1], args[2]);
    if src_db == dst_db && key == newkey {
        return Err(Reply::error(errors::SAME_OBJECT));
    }
    ctx.lock_keys(true, [(src_db, key), (dst_db, newkey)]);
    let Some(slot) = ctx.read_in(src_db, key) else { return Ok(Reply::Integer(0)) };
    let (value, expire) = (unshared(slot.to_value()), slot.expire_at());
    if ctx.write_in(dst_db, newkey).is_some() && !replace {
        return Ok(Reply::Integer(0));
    }
    ctx.replace_in(dst_db, newkey, value, expire);
    Ok(Reply::Integer(1))
}

/// MOVE key db: moves a key (with its expiry) unless the target has it.
fn move_(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply(move_impl(ctx, args))
}

fn move_impl(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    let (src_db, key) = (ctx.db(), args[1]);
    let dst_db = db_arg(ctx, args[2])?;
    if dst_db == src_db {
        return Err(Reply::error(errors::SAME_OBJECT));
    }
    ctx.lock_keys(true, [(src_db, key), (dst_db, key)]);
    if ctx.write_in(src_db, key).is_none() || ctx.write_in(dst_db, key).is_some() {
        return Ok(Reply::Integer(0));
    }
    let Some(old) = ctx.remove_in(src_db, key) else { return Ok(Reply::Integer(0)) };
    ctx.insert_in(dst_db, key, old.value, old.expire);
    Ok(Reply::Integer(1))
}

/// A lone `*` matches every key without running the matcher (as Redis).
pub(crate) fn pattern(p: &[u8]) -> Option<&[u8]> {
    (p != b"*").then_some(p)
}

fn keys(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let pat = pattern(args[1]);
    let mut out = Vec::new();
    ctx.for_each_live(ctx.db(), |s| {
        if pat.is_none_or(|p| glob::matches(p, s.key())) {
            out.push(Reply::bulk(s.key()));
        }
    });
    Reply::Array(out)
}

/// A SCAN cursor as Redis's `strtoul` check reads it: optional sign (a
/// minus negates modulo 2^64), decimal digits, nothing after them, no
/// leading space, no overflow. An empty string is cursor 0.
pub(crate) fn parse_cursor(s: &[u8]) -> Option<u64> {
    let s = errors::c_str(s);
    let (neg, digits) = match s.first() {
        None => return Some(0),
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        Some(_) => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add((d - b'0') as u64)?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Which option beyond MATCH and COUNT a SCAN-family command takes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScanExtra {
    None,
    /// SCAN's `TYPE type`.
    Type,
    /// HSCAN's `NOVALUES` (Redis 7.4).
    NoValues,
}

/// The options of SCAN, SSCAN, HSCAN and ZSCAN, parsed as Redis parses
/// them: `MATCH pattern` and `COUNT n` (n >= 1, else a syntax error) in
/// any order and repeated (the last wins), plus the command's extra.
pub(crate) struct ScanOpts<'a> {
    pub count: u64,
    /// None: everything (no MATCH, or MATCH *).
    pattern: Option<&'a [u8]>,
    /// TYPE's kind; `Some(None)` for an unknown type name, which Redis 7
    /// answers with an empty page rather than an error.
    pub kind: Option<Option<Kind>>,
    pub novalues: bool,
}

impl<'a> ScanOpts<'a> {
    pub fn parse(opts: &[&'a [u8]], extra: ScanExtra) -> Result<ScanOpts<'a>, Reply> {
        let mut o = ScanOpts { count: 10, pattern: None, kind: None, novalues: false };
        let mut i = 0;
        while i < opts.len() {
            let value = opts.get(i + 1).copied();
            match value {
                Some(v) if is(opts[i], "count") => {
                    let n = int_arg(v)?;
                    if n < 1 {
                        return Err(Reply::error(errors::SYNTAX));
                    }
                    o.count = n as u64;
                }
                Some(v) if is(opts[i], "match") => o.pattern = pattern(v),
                Some(v) if extra == ScanExtra::Type && is(opts[i], "type") => o.kind = Some(Kind::parse(v)),
                _ if extra == ScanExtra::NoValues && is(opts[i], "novalues") => {
                    o.novalues = true;
                    i += 1;
                    continue;
                }
                _ => return Err(Reply::error(errors::SYNTAX)),
            }
            i += 2;
        }
        Ok(o)
    }

    /// Whether MATCH lets `item` through.
    pub fn matches(&self, item: &[u8]) -> bool {
        self.pattern.is_none_or(|p| glob::matches(p, item))
    }

    /// COUNT as a collection's scan takes it.
    pub fn count_usize(&self) -> usize {
        usize::try_from(self.count).unwrap_or(usize::MAX)
    }
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
///
/// The cursor walks a database shard by shard: its low `shard_bits` bits
/// are the shard, the rest is that shard's `Dict::scan` reverse-binary
/// cursor; when a shard's cursor wraps to 0 the walk moves to the next
/// shard. A key never changes shard, and within a shard the reverse-binary
/// order survives table growth and shrinking, so every key present for the
/// whole iteration is returned at least once. Only one shard is locked at a
/// time, and only within a call.
fn scan(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply(scan_impl(ctx, args))
}

fn scan_impl(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Result<Reply, Reply> {
    let cursor = parse_cursor(args[1]).ok_or(Reply::error(errors::INVALID_CURSOR))?;
    let o = ScanOpts::parse(&args[2..], ScanExtra::Type)?;
    let count = o.count;

    let db = ctx.db();
    let bits = ctx.store().shard_bits;
    let nshards = 1u64 << bits;
    let (mut shard, mut inner) = (cursor & (nshards - 1), cursor >> bits);
    // Like Redis, stop after looking at ~COUNT keys, or after visiting
    // 10*COUNT buckets so sparse tables do not make one call long.
    let mut budget = count.saturating_mul(10);
    let (mut seen, mut out) = (0u64, Vec::new());
    loop {
        ctx.unlock();
        ctx.lock_shard(false, db, shard as usize);
        let i = ctx.store().db_range(db).start + shard as usize;
        let ctx = &*ctx;
        let dict = &ctx.shard(i).dict;
        if dict.is_empty() {
            inner = 0;
        } else {
            loop {
                inner = dict.scan(inner, |s: &Slot| {
                    seen += 1;
                    let wanted = o.matches(s.key()) && o.kind.is_none_or(|k| k == Some(s.kind()));
                    if wanted && ctx.live(s) {
                        out.push(Reply::bulk(s.key()));
                    }
                });
                budget = budget.saturating_sub(1);
                if inner == 0 || seen >= count || budget == 0 {
                    break;
                }
            }
        }
        if inner == 0 {
            shard += 1;
            if shard == nshards {
                break;
            }
        }
        if seen >= count || budget == 0 {
            break;
        }
    }
    ctx.unlock();
    let next = if shard == nshards { 0 } else { (inner << bits) | shard };
    Ok(Reply::Array(vec![Reply::bulk(next.to_string()), Reply::Array(out)]))
}

/// A random number for RANDOMKEY: a counter hashed with per-process
/// random keys (no RNG crate needed for this).
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static HASHER: OnceLock<ahash::RandomState> = OnceLock::new();
    HASHER.get_or_init(ahash::RandomState::new).hash_one(COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A random live key: pick a shard in proportion to its size and sample
/// its table a few times (not uniform, as Redis's is not), then fall back to a full pass if the database is mostly expired keys.
fn randomkey(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    let db = ctx.db();
    let range = ctx.store().db_range(db);
    let total = ctx.db_len(db);
    if total == 0 {
        return Reply::Nil;
    }
    for _ in 0..100 {
        let mut n = (random_u64() % total as u64) as usize;
        for i in range.clone() {
            let dict = &ctx.shard(i).dict;
            if n < dict.len() {
                if let Some(s) = dict.sample(random_u64()).filter(|s| ctx.live(s)) {
                    return Reply::bulk(s.key());
                }
                break;
            }
            n -= dict.len();
        }
    }
    let mut live = Vec::new();
    ctx.for_each_live(db, |s| live.push(s.key().to_vec()));
    if live.is_empty() {
        return Reply::Nil;
    }
    let k = (random_u64() % live.len() as u64) as usize;
    Reply::bulk(live.swap_remove(k))
}

const OBJECT_HELP: &[&str] = &[
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
];

/// Redis shares the integer objects 0..9999 between keys.
const SHARED_INTEGERS: i64 = 10000;

/// OBJECT ENCODING|IDLETIME|FREQ|REFCOUNT key, OBJECT HELP.
fn object(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let sub = args[1];
    let name = ["help", "encoding", "idletime", "freq", "refcount"].into_iter().find(|n| is(sub, n));
    let Some(name) = name else { return err(errors::unknown_subcommand("object", sub)) };
    let want = if name == "help" { 2 } else { 3 };
    if args.len() != want {
        return err(errors::arity(&format!("object|{name}")));
    }
    if name == "help" {
        return Reply::Array(OBJECT_HELP.iter().map(|l| Reply::status(l)).collect());
    }
    // OBJECT looks keys up without touching them, so IDLETIME is not reset.
    let Some(slot) = ctx.read_notouch(args[2]) else { return Reply::Nil };
    match name {
        "encoding" => Reply::bulk(encoding(slot)),
        "idletime" => {
            let (now, then) = (ctx.lru_now() & 0xff_ffff, slot.lru());
            let idle = if now >= then { now - then } else { now + (0xff_ffff - then) };
            (idle as i64).into()
        }
        "freq" => Reply::error(errors::NO_LFU),
        _ => {
            let shared = slot.kind() == Kind::String
                && slot.str_enc() == StrEnc::Int
                && slot.as_str().and_then(crate::num::parse_i64).is_some_and(|v| (0..SHARED_INTEGERS).contains(&v));
            if shared { i32::MAX as i64 } else { 1 }.into()
        }
    }
}

/// The name OBJECT ENCODING gives a value's representation.
fn encoding(slot: &Slot) -> &'static str {
    match slot.kind() {
        Kind::String => slot.str_enc().name(),
        _ => match slot.value() {
            ValueRef::Other(v) => v.encoding(),
            ValueRef::Str(_) => StrEnc::Raw.name(),
        },
    }
}

/// COPY duplicates the value: a copied integer is Redis's own new object,
/// not one of the shared small integers.
fn unshared(value: Value) -> Value {
    match value {
        Value::Str(bytes, StrEnc::Int) => Value::Str(bytes, StrEnc::IntUnshared),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_cursor;

    #[test]
    fn cursor_parsing_follows_strtoul() {
        assert_eq!(parse_cursor(b"0"), Some(0));
        assert_eq!(parse_cursor(b""), Some(0));
        assert_eq!(parse_cursor(b"+7"), Some(7));
        assert_eq!(parse_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"18446744073709551616"), None);
        for bad in [&b" 0"[..], b"0x", b"x", b"-", b"+", b"1 "] {
            assert_eq!(parse_cursor(bad), None, "{:?}", bad);
        }
    }
}
