//! Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL,
//! EXPIRETIME, PEXPIRETIME, PERSIST.

use super::{cmd, err, flag::*, int_arg, is, reply, CommandSpec, KEY1};
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;

pub static COMMANDS: &[CommandSpec] = &[
    cmd("expire", -3, WRITE | FAST, KEY1, "keyspace", expire),
    cmd("pexpire", -3, WRITE | FAST, KEY1, "keyspace", pexpire),
    cmd("expireat", -3, WRITE | FAST, KEY1, "keyspace", expireat),
    cmd("pexpireat", -3, WRITE | FAST, KEY1, "keyspace", pexpireat),
    cmd("ttl", 2, READONLY | FAST, KEY1, "keyspace", ttl),
    cmd("pttl", 2, READONLY | FAST, KEY1, "keyspace", pttl),
    cmd("expiretime", 2, READONLY | FAST, KEY1, "keyspace", expiretime),
    cmd("pexpiretime", 2, READONLY | FAST, KEY1, "keyspace", pexpiretime),
    cmd("persist", 2, WRITE | FAST, KEY1, "keyspace", persist),
];

/// How an EXPIRE-family command reads its time argument.
struct Form {
    name: &'static str,
    /// Relative to now (EXPIRE, PEXPIRE) or absolute (the *AT forms).
    relative: bool,
    /// Seconds (EXPIRE, EXPIREAT) or milliseconds.
    seconds: bool,
}

fn expire(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    set_expiry(ctx, args, Form { name: "expire", relative: true, seconds: true })
}

fn pexpire(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    set_expiry(ctx, args, Form { name: "pexpire", relative: true, seconds: false })
}

fn expireat(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    set_expiry(ctx, args, Form { name: "expireat", relative: false, seconds: true })
}

fn pexpireat(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    set_expiry(ctx, args, Form { name: "pexpireat", relative: false, seconds: false })
}

/// The NX / XX / GT / LT conditions.
#[derive(Default)]
struct Cond {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

impl Cond {
    fn parse(opts: &[&[u8]]) -> Result<Cond, Reply> {
        let mut c = Cond::default();
        for &o in opts {
            let flag = match () {
                _ if is(o, "nx") => &mut c.nx,
                _ if is(o, "xx") => &mut c.xx,
                _ if is(o, "gt") => &mut c.gt,
                _ if is(o, "lt") => &mut c.lt,
                _ => return Err(err(errors::unsupported_option(o))),
            };
            *flag = true;
        }
        if c.nx && (c.xx || c.gt || c.lt) {
            return Err(Reply::error(errors::EXPIRE_NX_COMBO));
        }
        if c.gt && c.lt {
            return Err(Reply::error(errors::EXPIRE_GT_LT));
        }
        Ok(c)
    }

    /// Whether a key whose expiry is `current` (None: persistent, which
    /// counts as an infinite TTL for GT and LT) may get expiry `when`.
    fn allows(&self, current: Option<i64>, when: i64) -> bool {
        match current {
            None => !self.xx && !self.gt,
            Some(cur) => {
                let refused = self.nx || (self.gt && when <= cur) || (self.lt && when >= cur);
                !refused
            }
        }
    }
}

/// EXPIRE key time [NX|XX|GT|LT] and its three siblings, in Redis's order of
/// checks: options, the number, overflow, then the key. An expiry at or
/// before now deletes the key (and still replies 1).
fn set_expiry(ctx: &mut Ctx<'_>, args: &[&[u8]], form: Form) -> Reply {
    reply(set_expiry_impl(ctx, args, form))
}

fn set_expiry_impl(ctx: &mut Ctx<'_>, args: &[&[u8]], form: Form) -> Result<Reply, Reply> {
    let cond = Cond::parse(&args[3..])?;
    let mut when = int_arg(args[2])?;
    let bad_time = || err(errors::expire_time(form.name));
    if form.seconds {
        when = when.checked_mul(1000).ok_or_else(bad_time)?;
    }
    if form.relative {
        when = when.checked_add(ctx.now() as i64).ok_or_else(bad_time)?;
    }
    let Some(slot) = ctx.write(args[1]) else { return Ok(Reply::Integer(0)) };
    let current = slot.expire_at().map(|t| i64::try_from(t).unwrap_or(i64::MAX));
    if !cond.allows(current, when) {
        return Ok(Reply::Integer(0));
    }
    // A time at or before now (negative ones included) deletes the key.
    let at = u64::try_from(when).unwrap_or(0);
    ctx.set_expire(args[1], Some(at));
    Ok(Reply::Integer(1))
}

/// What TTL-family commands report.
enum Show {
    Remaining,
    Absolute,
}

fn ttl(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    show_expiry(ctx, args[1], Show::Remaining, false)
}

fn pttl(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    show_expiry(ctx, args[1], Show::Remaining, true)
}

fn expiretime(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    show_expiry(ctx, args[1], Show::Absolute, false)
}

fn pexpiretime(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    show_expiry(ctx, args[1], Show::Absolute, true)
}

/// -2 for a missing key, -1 for a persistent one; otherwise the time left
/// or the expiry time, in ms or in seconds rounded to nearest as Redis does.
fn show_expiry(ctx: &mut Ctx<'_>, key: &[u8], show: Show, ms: bool) -> Reply {
    let Some(slot) = ctx.read_notouch(key) else { return Reply::Integer(-2) };
    let Some(at) = slot.expire_at() else { return Reply::Integer(-1) };
    let v = match show {
        Show::Remaining => at.saturating_sub(ctx.now()),
        Show::Absolute => at,
    };
    let v = i64::try_from(v).unwrap_or(i64::MAX);
    if ms { v } else { v.saturating_add(500) / 1000 }.into()
}

fn persist(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let had = ctx.write(args[1]).is_some_and(|s| s.expire_at().is_some());
    if had {
        ctx.set_expire(args[1], None);
    }
    had.into()
}
