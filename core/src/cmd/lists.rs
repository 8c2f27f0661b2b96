//! List commands (the blocking ones are in `cmd::blocking`). Argument checks run in Redis's
//! order, and encoding conversions happen at the points Redis 7.2 tries
//! them (see `types::list`): before elements are added, and after elements
//! are removed from a list that stays non-empty. A list left empty is
//! deleted.

use super::{cmd, err, flag::*, int_arg, is, reply, CommandSpec, KEY1};
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::types::list::{End, List};
use crate::value::{Kind, Value, ValueRef};

/// A table entry for a handler written with `?`.
macro_rules! q {
    ($f:ident) => {
        |ctx: &mut Ctx<'_>, args: &[&[u8]]| reply($f(ctx, args))
    };
}

const W: u32 = WRITE | DENYOOM;

pub static COMMANDS: &[CommandSpec] = &[
    cmd("lindex", 3, READONLY, KEY1, "list", q!(lindex)),
    cmd("linsert", 5, W, KEY1, "list", q!(linsert)),
    cmd("llen", 2, READONLY | FAST, KEY1, "list", q!(llen)),
    cmd("lmove", 5, W, (1, 2, 1), "list", q!(lmove)),
    cmd("lmpop", -4, WRITE | SELF_LOCKING, (0, 0, 0), "list", q!(lmpop)),
    cmd("lpop", -2, WRITE | FAST, KEY1, "list", |c, a| reply(pop(c, a, End::Left))),
    cmd("lpos", -3, READONLY, KEY1, "list", q!(lpos)),
    cmd("lpush", -3, W | FAST, KEY1, "list", |c, a| reply(push(c, a, End::Left, false))),
    cmd("lpushx", -3, W | FAST, KEY1, "list", |c, a| reply(push(c, a, End::Left, true))),
    cmd("lrange", 4, READONLY, KEY1, "list", q!(lrange)),
    cmd("lrem", 4, WRITE, KEY1, "list", q!(lrem)),
    cmd("lset", 4, W, KEY1, "list", q!(lset)),
    cmd("ltrim", 4, WRITE, KEY1, "list", q!(ltrim)),
    cmd("rpop", -2, WRITE | FAST, KEY1, "list", |c, a| reply(pop(c, a, End::Right))),
    cmd("rpoplpush", 3, W, (1, 2, 1), "list", |c, a| reply(move_one(c, a[1], a[2], End::Right, End::Left))),
    cmd("rpush", -3, W | FAST, KEY1, "list", |c, a| reply(push(c, a, End::Right, false))),
    cmd("rpushx", -3, W | FAST, KEY1, "list", |c, a| reply(push(c, a, End::Right, true))),
];

type R = Result<Reply, Reply>;

fn wrongtype() -> Reply {
    Reply::error(errors::WRONGTYPE)
}

/// The list at `key` for reading (hit/miss counted), or WRONGTYPE.
pub fn read_list<'c>(ctx: &'c Ctx<'_>, key: &[u8]) -> Result<Option<&'c List>, Reply> {
    match ctx.read(key) {
        None => Ok(None),
        Some(s) => match s.value() {
            ValueRef::Other(Value::List(l)) => Ok(Some(&**l)),
            _ => Err(wrongtype()),
        },
    }
}

/// The list at `key` for modification, or WRONGTYPE.
#[inline]
pub fn write_list<'c>(ctx: &'c mut Ctx<'_>, key: &[u8]) -> Result<Option<&'c mut List>, Reply> {
    match ctx.write(key) {
        None => Ok(None),
        Some(s) => match s.value_mut() {
            Some(Value::List(l)) => Ok(Some(&mut **l)),
            _ => Err(wrongtype()),
        },
    }
}

/// After elements were removed: deletes the key of an emptied list, or
/// gives a quicklist the chance to become a listpack again.
pub fn after_removal(ctx: &mut Ctx<'_>, key: &[u8]) {
    let empty = match write_list(ctx, key) {
        Ok(Some(l)) if l.is_empty() => true,
        Ok(Some(l)) => {
            l.shrink_check();
            false
        }
        _ => false,
    };
    if empty {
        ctx.remove(key);
    }
}

/// Pushes `values` at `end` of the list at `key`, creating it unless
/// `only_existing`; returns the new length (0 if nothing was pushed).
/// Wakes a call blocked on the key (BLPOP, ...).
pub fn push_values<V: AsRef<[u8]>>(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    values: &[V],
    end: End,
    only_existing: bool,
) -> Result<usize, Reply> {
    let add: usize = values.iter().map(|v| v.as_ref().len()).sum();
    if let Some(l) = write_list(ctx, key)? {
        l.grow_check(add);
        for v in values {
            l.push(end, v.as_ref());
        }
        let n = l.len();
        ctx.signal_ready(key, Kind::List);
        return Ok(n);
    }
    if only_existing {
        return Ok(0);
    }
    let mut l = List::new();
    l.grow_check(add);
    for v in values {
        l.push(end, v.as_ref());
    }
    let n = l.len();
    ctx.insert(key, Value::List(Box::new(l)), None); // signals the key
    Ok(n)
}

fn push(ctx: &mut Ctx<'_>, args: &[&[u8]], end: End, only_existing: bool) -> R {
    Ok(Reply::Integer(push_values(ctx, args[1], &args[2..], end, only_existing)? as i64))
}

fn bulks<'a>(items: impl Iterator<Item = &'a [u8]>) -> Vec<Reply> {
    items.map(|v| Reply::Bulk(v.to_vec())).collect()
}

/// Pops up to `count` elements from `end` of the list at `key` in one
/// lookup, in pop order (`Ok(None)`: no such key), then deletes the key of
/// an emptied list or lets a quicklist become a listpack again.
pub fn pop_items(ctx: &mut Ctx<'_>, key: &[u8], end: End, count: usize) -> Result<Option<Vec<Vec<u8>>>, Reply> {
    let Some(l) = write_list(ctx, key)? else { return Ok(None) };
    let n = count.min(l.len());
    let out: Vec<Vec<u8>> = (0..n).filter_map(|_| l.pop(end)).collect();
    if l.is_empty() {
        ctx.remove(key);
    } else {
        l.shrink_check();
    }
    Ok(Some(out))
}

/// Pops one element from `end` of the list at `key` (see [`pop_items`]).
#[inline(always)]
pub fn pop_one(ctx: &mut Ctx<'_>, key: &[u8], end: End) -> Result<Option<Vec<u8>>, Reply> {
    let Some(l) = write_list(ctx, key)? else { return Ok(None) };
    // One exact-size copy, made before the element's bytes are cut.
    let v = l.pop_with(end, <[u8]>::to_vec);
    if l.is_empty() {
        ctx.remove(key);
    } else {
        l.shrink_check();
    }
    Ok(v)
}

/// [`pop_items`] as bulk replies (an absent key pops nothing).
pub fn pop_values(ctx: &mut Ctx<'_>, key: &[u8], end: End, count: usize) -> Result<Vec<Reply>, Reply> {
    Ok(pop_items(ctx, key, end, count)?.unwrap_or_default().into_iter().map(Reply::Bulk).collect())
}

/// LPOP/RPOP key [count]
fn pop(ctx: &mut Ctx<'_>, args: &[&[u8]], end: End) -> R {
    if args.len() > 3 {
        return Err(err(errors::arity(&String::from_utf8_lossy(args[0]).to_ascii_lowercase())));
    }
    match args.get(2) {
        None => Ok(pop_one(ctx, args[1], end)?.map_or(Reply::Nil, Reply::Bulk)),
        Some(a) => {
            let n = positive(a, errors::MUST_BE_POSITIVE)?;
            Ok(match pop_items(ctx, args[1], end, n as usize)? {
                None => Reply::NilArray,
                Some(items) => Reply::Array(items.into_iter().map(Reply::Bulk).collect()),
            })
        }
    }
}

/// A non-negative integer argument (`getPositiveLongFromObjectOrReply`):
/// anything else fails with `msg`.
fn positive(arg: &[u8], msg: &'static str) -> Result<i64, Reply> {
    match crate::num::parse_i64(arg) {
        Some(n) if n >= 0 => Ok(n),
        _ => Err(Reply::error(msg)),
    }
}

fn llen(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    Ok(Reply::Integer(read_list(ctx, args[1])?.map_or(0, |l| l.len() as i64)))
}

fn lindex(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let Some(l) = read_list(ctx, args[1])? else { return Ok(Reply::Nil) };
    let i = int_arg(args[2])?;
    Ok(l.index(i).and_then(|i| l.get(i)).map_or(Reply::Nil, |v| Reply::Bulk(v.to_vec())))
}

/// Redis's start/end normalisation for LRANGE and LTRIM: the inclusive
/// range of positions, or None when it is empty.
fn range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 { (len + start).max(0) } else { start };
    let end = if end < 0 { len + end } else { end };
    if start > end || start >= len {
        return None;
    }
    Some((start as usize, end.min(len - 1) as usize))
}

fn lrange(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let (start, end) = (int_arg(args[2])?, int_arg(args[3])?);
    let Some(l) = read_list(ctx, args[1])? else { return Ok(Reply::Array(Vec::new())) };
    Ok(Reply::Array(match range(start, end, l.len()) {
        None => Vec::new(),
        Some((s, e)) => bulks(l.iter_from(s).take(e - s + 1)),
    }))
}

fn ltrim(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let (start, end) = (int_arg(args[2])?, int_arg(args[3])?);
    let Some(l) = write_list(ctx, args[1])? else { return Ok(Reply::ok()) };
    let len = l.len();
    let (left, right) = match range(start, end, len) {
        None => (len, 0),
        Some((s, e)) => (s, len - e - 1),
    };
    l.delete_range(0, left);
    l.delete_range(l.len() - right, right);
    after_removal(ctx, args[1]);
    Ok(Reply::ok())
}

fn lset(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let Some(l) = write_list(ctx, args[1])? else { return Err(Reply::error(errors::NO_SUCH_KEY)) };
    let i = int_arg(args[2])?;
    // Redis converts for the new element's size before checking the index.
    l.grow_check(args[3].len());
    let Some(i) = l.index(i) else { return Err(Reply::error(errors::INDEX_OUT_OF_RANGE)) };
    l.set(i, args[3]);
    l.shrink_check();
    Ok(Reply::ok())
}

fn linsert(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let after = if is(args[2], "after") {
        true
    } else if is(args[2], "before") {
        false
    } else {
        return Err(Reply::error(errors::SYNTAX));
    };
    let Some(l) = write_list(ctx, args[1])? else { return Ok(Reply::Integer(0)) };
    // As in Redis, the conversion check assumes the insert will happen.
    l.grow_check(args[4].len());
    if !l.insert(args[3], args[4], after) {
        return Ok(Reply::Integer(-1));
    }
    let n = l.len();
    ctx.signal_ready(args[1], Kind::List);
    Ok(Reply::Integer(n as i64))
}

fn lrem(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let count = int_arg(args[2])?;
    let Some(l) = write_list(ctx, args[1])? else { return Ok(Reply::Integer(0)) };
    let removed = l.remove(args[3], count.unsigned_abs().min(usize::MAX as u64) as usize, count < 0);
    if removed > 0 {
        after_removal(ctx, args[1]);
    }
    Ok(Reply::Integer(removed as i64))
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
fn lpos(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let (mut rank, mut count, mut maxlen) = (1i64, None, 0i64);
    let mut j = 3;
    while j < args.len() {
        let more = j + 1 < args.len();
        if is(args[j], "rank") && more {
            rank = int_arg(args[j + 1])?;
            if rank == i64::MIN {
                return Err(err(errors::long_range(-i64::MAX, i64::MAX)));
            }
            if rank == 0 {
                return Err(Reply::error(errors::LPOS_RANK_ZERO));
            }
        } else if is(args[j], "count") && more {
            count = Some(positive(args[j + 1], errors::LPOS_COUNT_NEGATIVE)?);
        } else if is(args[j], "maxlen") && more {
            maxlen = positive(args[j + 1], errors::LPOS_MAXLEN_NEGATIVE)?;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        j += 2;
    }
    let Some(l) = read_list(ctx, args[1])? else {
        return Ok(if count.is_some() { Reply::Array(Vec::new()) } else { Reply::Nil });
    };
    let len = l.len();
    let scan = if maxlen == 0 { len } else { (maxlen as usize).min(len) };
    let elements: Box<dyn Iterator<Item = (usize, &[u8])>> = if rank > 0 {
        Box::new(l.iter_from(0).enumerate())
    } else {
        Box::new(l.rev_from(len.saturating_sub(1)).enumerate().map(move |(i, v)| (len - 1 - i, v)))
    };
    let mut matches = elements.take(scan).filter(|(_, v)| *v == args[2]).map(|(i, _)| Reply::Integer(i as i64));
    let skip = (rank.unsigned_abs() - 1).min(usize::MAX as u64) as usize;
    Ok(match count {
        None => matches.nth(skip).unwrap_or(Reply::Nil),
        Some(0) => Reply::Array(matches.skip(skip).collect()),
        Some(n) => Reply::Array(matches.skip(skip).take(n as usize).collect()),
    })
}

pub fn side(arg: &[u8]) -> Result<End, Reply> {
    if is(arg, "left") {
        Ok(End::Left)
    } else if is(arg, "right") {
        Ok(End::Right)
    } else {
        Err(Reply::error(errors::SYNTAX))
    }
}

fn lmove(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let (from, to) = (side(args[3])?, side(args[4])?);
    move_one(ctx, args[1], args[2], from, to)
}

/// LMOVE / RPOPLPUSH: pops from `src`, pushes onto `dst`, replies the element.
pub fn move_one(ctx: &mut Ctx<'_>, src: &[u8], dst: &[u8], from: End, to: End) -> R {
    if write_list(ctx, src)?.is_none() {
        return Ok(Reply::Nil);
    }
    write_list(ctx, dst)?;
    let l = write_list(ctx, src)?.expect("checked above");
    let v = l.pop(from).expect("lists are never empty");
    if src == dst {
        l.grow_check(v.len());
        l.push(to, &v);
        l.shrink_check();
    } else {
        push_values(ctx, dst, &[&v], to, false)?;
        after_removal(ctx, src);
    }
    Ok(Reply::Bulk(v))
}

/// The arguments of LMPOP/BLMPOP after `numkeys` at `args[at]`: the number
/// of keys (which follow it), the end to pop from, and COUNT (default 1),
/// checked in Redis's order.
pub fn mpop_args(args: &[&[u8]], at: usize) -> Result<(usize, End, usize), Reply> {
    let numkeys = match crate::num::parse_i64(args[at]) {
        Some(n) if n > 0 => n as u64,
        _ => return Err(Reply::error(errors::NUMKEYS_POSITIVE)),
    };
    // `where` follows the keys.
    if numkeys >= (args.len() - at - 1) as u64 {
        return Err(Reply::error(errors::SYNTAX));
    }
    let numkeys = numkeys as usize;
    let end = side(args[at + 1 + numkeys])?;
    let mut count = None;
    let mut j = at + 2 + numkeys;
    while j < args.len() {
        if count.is_none() && is(args[j], "count") && j + 1 < args.len() {
            count = match crate::num::parse_i64(args[j + 1]) {
                Some(n) if n > 0 => Some(n as usize),
                _ => return Err(Reply::error(errors::COUNT_POSITIVE)),
            };
            j += 2;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
    }
    Ok((numkeys, end, count.unwrap_or(1)))
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn lmpop(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> R {
    let (numkeys, end, count) = mpop_args(args, 1)?;
    let keys = &args[2..2 + numkeys];
    let db = ctx.db();
    ctx.lock_keys(true, keys.iter().map(|k| (db, *k)));
    for key in keys {
        if write_list(ctx, key)?.is_none() {
            continue;
        }
        let items = pop_values(ctx, key, end, count)?;
        return Ok(Reply::Array(vec![Reply::Bulk(key.to_vec()), Reply::Array(items)]));
    }
    Ok(Reply::NilArray)
}

#[cfg(test)]
mod tests {
    use super::range;

    #[test]
    fn ranges_normalise_as_redis() {
        assert_eq!(range(0, -1, 5), Some((0, 4)));
        assert_eq!(range(-100, 100, 5), Some((0, 4)));
        assert_eq!(range(3, 1, 5), None);
        assert_eq!(range(5, 10, 5), None);
        assert_eq!(range(0, -6, 5), None);
        assert_eq!(range(i64::MIN, i64::MAX, 5), Some((0, 4)));
        assert_eq!(range(0, 0, 0), None);
    }
}
