//! Blocking commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP on lists,
//! BZPOPMIN, BZPOPMAX, BZMPOP on sorted sets.
//!
//! Each parses its arguments in Redis's order, then hands an attempt (the
//! non-blocking command's work on the locked keys) to
//! [`crate::blocking::block_on`], which retries it whenever a watched key
//! receives data. A woken call reruns its attempt over all its keys, as
//! Redis re-executes a woken command. Timeouts and interrupts reply the
//! null array (RESP2 `*-1`) for every command; in a transaction an empty
//! BLMOVE/BRPOPLPUSH replies a null bulk string, as Redis's.

use super::lists::{move_one, mpop_args, pop_values, side, write_list};
use super::zsets::{self, score_reply, Members};
use super::{cmd, flag::*, reply, CommandSpec};
use crate::blocking::{block_on, timeout_arg, Turn};
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::types::list::End;
use crate::value::Kind;
use std::time::Instant;

const B: u32 = WRITE | NOSCRIPT | BLOCKING | SELF_LOCKING;

pub static COMMANDS: &[CommandSpec] = &[
    cmd("blpop", -3, B, (1, -2, 1), "list", |c, a| bpop(c, a, End::Left)),
    cmd("brpop", -3, B, (1, -2, 1), "list", |c, a| bpop(c, a, End::Right)),
    cmd("blmove", 6, B | DENYOOM, (1, 2, 1), "list", blmove),
    cmd("brpoplpush", 4, B | DENYOOM, (1, 2, 1), "list", brpoplpush),
    cmd("blmpop", -5, WRITE | BLOCKING | SELF_LOCKING, (0, 0, 0), "list", blmpop),
    cmd("bzpopmin", -3, B | FAST, (1, -2, 1), "sorted-set", |c, a| bzpop(c, a, false)),
    cmd("bzpopmax", -3, B | FAST, (1, -2, 1), "sorted-set", |c, a| bzpop(c, a, true)),
    cmd("bzmpop", -5, WRITE | BLOCKING | SELF_LOCKING, (0, 0, 0), "sorted-set", bzmpop),
];

/// BLPOP/BRPOP key [key ...] timeout
fn bpop(ctx: &mut Ctx<'_>, args: &[&[u8]], end: End) -> Reply {
    let deadline = match timeout_arg(ctx, args[args.len() - 1]) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let keys = &args[1..args.len() - 1];
    block_on(ctx, Kind::List, keys, keys, deadline, Reply::NilArray, |ctx, turn| {
        Some(reply(
            pop_first(ctx, turn, keys, end, 1)?.map(|(key, mut items)| {
                Reply::Array(vec![Reply::Bulk(key.to_vec()), items.pop().unwrap_or(Reply::Nil)])
            }),
        ))
    })
}

/// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]; the
/// timeout is checked after the other arguments, as in Redis.
fn blmpop(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let parsed = mpop_args(args, 2).and_then(|(n, end, count)| Ok((n, end, count, timeout_arg(ctx, args[1])?)));
    let (numkeys, end, count, deadline) = match parsed {
        Ok(p) => p,
        Err(e) => return e,
    };
    let keys = &args[3..3 + numkeys];
    block_on(ctx, Kind::List, keys, keys, deadline, Reply::NilArray, |ctx, turn| {
        Some(reply(
            pop_first(ctx, turn, keys, end, count)?
                .map(|(key, items)| Reply::Array(vec![Reply::Bulk(key.to_vec()), Reply::Array(items)])),
        ))
    })
}

/// Pops up to `count` elements from the first of `keys` that holds a list
/// this call may take from, or fails (WRONGTYPE) at the first key of
/// another type met before; None when there is nothing to take.
#[allow(clippy::type_complexity)]
fn pop_first<'k>(
    ctx: &mut Ctx<'_>,
    turn: &Turn<'_>,
    keys: &[&'k [u8]],
    end: End,
    count: usize,
) -> Option<Result<(&'k [u8], Vec<Reply>), Reply>> {
    for &key in keys {
        match write_list(ctx, key).map(|l| l.is_some()) {
            Err(e) => return Some(Err(e)),
            Ok(false) => continue,
            Ok(true) if !turn.may_take(key) => continue,
            Ok(true) => return Some(pop_values(ctx, key, end, count).map(|items| (key, items))),
        }
    }
    None
}

/// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
fn blmove(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let parsed = side(args[3]).and_then(|from| Ok((from, side(args[4])?, timeout_arg(ctx, args[5])?)));
    match parsed {
        Ok((from, to, deadline)) => bmove(ctx, args[1], args[2], from, to, deadline),
        Err(e) => e,
    }
}

/// BRPOPLPUSH source destination timeout
fn brpoplpush(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    match timeout_arg(ctx, args[3]) {
        Ok(deadline) => bmove(ctx, args[1], args[2], End::Right, End::Left, deadline),
        Err(e) => e,
    }
}

/// Waits for `src` only; moves under both keys' locks, so the pop and the
/// push are one atomic step (the push may wake waiters on `dst`).
fn bmove(ctx: &mut Ctx<'_>, src: &[u8], dst: &[u8], from: End, to: End, deadline: Option<Instant>) -> Reply {
    block_on(ctx, Kind::List, &[src], &[src, dst], deadline, Reply::Nil, |ctx, turn| {
        match write_list(ctx, src).map(|l| l.is_some()) {
            Err(e) => Some(e),
            Ok(false) => None,
            Ok(true) if !turn.may_take(src) => None,
            Ok(true) => Some(reply(move_one(ctx, src, dst, from, to))),
        }
    })
}

/// BZPOPMIN/BZPOPMAX key [key ...] timeout: [key, member, score].
fn bzpop(ctx: &mut Ctx<'_>, args: &[&[u8]], max: bool) -> Reply {
    let deadline = match timeout_arg(ctx, args[args.len() - 1]) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let keys = &args[1..args.len() - 1];
    block_on(ctx, Kind::ZSet, keys, keys, deadline, Reply::NilArray, |ctx, turn| {
        Some(reply(zpop_first(ctx, turn, keys, max, 1)?.map(|(key, items)| {
            let mut out = vec![Reply::Bulk(key.to_vec())];
            out.extend(items.into_iter().flat_map(|(m, s)| [Reply::Bulk(m), score_reply(s)]));
            Reply::Array(out)
        })))
    })
}

/// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]; the timeout
/// is checked after the other arguments, as in Redis.
fn bzmpop(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let parsed = zsets::mpop_args(args, 2).and_then(|(k, max, count)| Ok((k, max, count, timeout_arg(ctx, args[1])?)));
    let (keys, max, count, deadline) = match parsed {
        Ok(p) => p,
        Err(e) => return e,
    };
    block_on(ctx, Kind::ZSet, &keys, &keys, deadline, Reply::NilArray, |ctx, turn| {
        Some(reply(zpop_first(ctx, turn, &keys, max, count)?.map(|(key, items)| zsets::mpop_reply(key, items))))
    })
}

/// Pops up to `count` members from the first of `keys` holding a sorted
/// set this call may take from, or fails (WRONGTYPE) at the first key of
/// another type met before; None when there is nothing to take.
#[allow(clippy::type_complexity)]
fn zpop_first<'k>(
    ctx: &mut Ctx<'_>,
    turn: &Turn<'_>,
    keys: &[&'k [u8]],
    max: bool,
    count: usize,
) -> Option<Result<(&'k [u8], Members), Reply>> {
    for &key in keys {
        match zsets::get_mut(ctx, key).map(|z| z.is_some()) {
            Err(e) => return Some(Err(e)),
            Ok(true) if turn.may_take(key) => {
                let popped = zsets::pop(ctx, key, count, max).map(|items| (key, items.unwrap_or_default()));
                return Some(popped);
            }
            Ok(_) => continue,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::keyspace::Ctx;
    use crate::{Reply, Store};

    /// A transaction's EXEC runs its commands in a context holding every
    /// lock: blocking commands answer at once, as their non-blocking twins.
    #[test]
    fn a_context_holding_every_lock_never_blocks() {
        let store = Store::new();
        let mut sess = store.session();
        sess.execute(&["RPUSH", "full", "a", "b"]);
        let mut state = sess.state().clone();
        let mut ctx = Ctx::new(&store.inner, &mut state);
        ctx.lock_all();
        assert!(ctx.holds_all());
        let mut run = |args: &[&str]| {
            let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
            crate::session::run(&mut ctx, crate::cmd::lookup(args[0]).unwrap(), &args)
        };
        assert_eq!(run(&["BLPOP", "empty", "0"]), Reply::NilArray);
        assert_eq!(run(&["BRPOP", "empty", "other", "0"]), Reply::NilArray);
        assert_eq!(run(&["BLMPOP", "0", "1", "empty", "LEFT"]), Reply::NilArray);
        assert_eq!(run(&["BLMOVE", "empty", "d", "LEFT", "LEFT", "0"]), Reply::Nil);
        assert_eq!(run(&["BRPOPLPUSH", "empty", "d", "0"]), Reply::Nil);
        assert_eq!(run(&["BZPOPMIN", "empty", "0"]), Reply::NilArray);
        assert_eq!(run(&["BZPOPMAX", "empty", "e2", "0"]), Reply::NilArray);
        assert_eq!(run(&["BZMPOP", "0", "1", "empty", "MIN"]), Reply::NilArray);
        assert_eq!(run(&["BLPOP", "empty", "-1"]), Reply::error(crate::errors::TIMEOUT_NEGATIVE));
        assert_eq!(run(&["BLPOP", "empty", "full", "0"]), Reply::Array(vec![Reply::bulk("full"), Reply::bulk("a")]));
        assert_eq!(run(&["BRPOPLPUSH", "full", "d", "0"]), Reply::bulk("b"));
        assert_eq!(run(&["LLEN", "d"]), Reply::Integer(1));
        run(&["ZADD", "z", "1", "a", "2", "b"]);
        let popped = Reply::Array(vec![Reply::bulk("z"), Reply::bulk("b"), Reply::Double(2.0)]);
        assert_eq!(run(&["BZPOPMAX", "empty", "z", "0"]), popped);
        drop(ctx);
        assert_eq!(store.blocked_clients(), 0);
    }
}
