//! What a write command puts in the append-only log, as Redis propagates
//! it: most commands as they were sent; relative times as absolute ones
//! (SET EX → SET PXAT, EXPIRE → PEXPIREAT, HEXPIRE → HPEXPIREAT, RESTORE
//! ttl → ABSTTL); commands whose effect is random or depends on when they
//! ran as that effect (SPOP → SREM, an expiry in the past → DEL, GETEX →
//! PEXPIREAT/PERSIST, INCRBYFLOAT → SET KEEPTTL, BLPOP → LPOP, ...).
//!
//! Typed fast paths run no command: the collection paths log their
//! command themselves (`fast::log_args`); for the others their context
//! logs the state of each key they locked for writing when it ends
//! ([`fast_effects`]).

use crate::cmd::{is, CommandSpec};
use crate::keyspace::Ctx;
use crate::num::parse_i64;
use crate::persist::dump;
use crate::persist::log::{Log, Records};
use crate::reply::Reply;

fn num(b: &[u8]) -> i64 {
    parse_i64(b).unwrap_or(0)
}

fn abs_ms(unit_ms: i64, absolute: bool, v: i64, now: u64) -> Vec<u8> {
    let t = v.saturating_mul(unit_ms);
    let t = if absolute { t } else { t.saturating_add(now as i64) };
    t.to_string().into_bytes()
}

/// The elements of an array-shaped reply.
fn items(r: &Reply) -> &[Reply] {
    match r {
        Reply::Array(v) | Reply::Set(v) => v,
        _ => &[],
    }
}

fn bulk(r: &Reply) -> Option<&[u8]> {
    match r {
        Reply::Bulk(b) => Some(b),
        _ => None,
    }
}

/// Records a successful write command in the context's log records.
pub(crate) fn command(ctx: &mut Ctx<'_>, spec: &CommandSpec, args: &[&[u8]], reply: &Reply) {
    let db = ctx.db();
    let emit = |ctx: &mut Ctx<'_>, a: &[&[u8]]| ctx.records.command(db, a);
    let name = spec.name;
    match name {
        "set" => {
            let now = ctx.now();
            let mut out: Vec<Vec<u8>> = args.iter().map(|a| a.to_vec()).collect();
            let mut i = 3;
            while i + 1 < out.len() {
                let unit = [("EX", 1000, false), ("PX", 1, false), ("EXAT", 1000, true), ("PXAT", 1, true)]
                    .into_iter()
                    .find(|(o, ..)| is(&out[i], o));
                if let Some((_, unit, absolute)) = unit {
                    out[i + 1] = abs_ms(unit, absolute, num(&out[i + 1]), now);
                    out[i] = b"PXAT".to_vec();
                    i += 1;
                }
                i += 1;
            }
            let a: Vec<&[u8]> = out.iter().map(Vec::as_slice).collect();
            emit(ctx, &a);
        }
        "setex" | "psetex" => {
            let unit = if name == "setex" { 1000 } else { 1 };
            let at = abs_ms(unit, false, num(args[2]), ctx.now());
            emit(ctx, &[b"SET", args[1], args[3], b"PXAT", &at]);
        }
        "expire" | "pexpire" | "expireat" | "pexpireat" => {
            if *reply == Reply::Integer(1) {
                expiry_effect(ctx, db, args[1]);
            }
        }
        "getex" => {
            if args.len() > 2 && *reply != Reply::Nil {
                expiry_effect(ctx, db, args[1]);
            }
        }
        "hexpire" | "hpexpire" | "hexpireat" | "hpexpireat" => {
            let (unit, absolute) = match name {
                "hexpire" => (1000, false),
                "hpexpire" => (1, false),
                "hexpireat" => (1000, true),
                _ => (1, true),
            };
            let at = abs_ms(unit, absolute, num(args[2]), ctx.now());
            let mut a: Vec<&[u8]> = vec![b"HPEXPIREAT", args[1], &at];
            a.extend_from_slice(&args[3..]);
            emit(ctx, &a);
        }
        "restore" => {
            let absttl = args[4..].iter().any(|a| is(a, "ABSTTL"));
            let ttl = num(args[2]);
            if ttl > 0 && !absttl {
                let at = abs_ms(1, false, ttl, ctx.now());
                let mut a: Vec<&[u8]> = vec![args[0], args[1], &at];
                a.extend_from_slice(&args[3..]);
                a.push(b"ABSTTL");
                emit(ctx, &a);
            } else {
                emit(ctx, args);
            }
        }
        "incrbyfloat" => {
            if let Some(v) = bulk(reply) {
                emit(ctx, &[b"SET", args[1], v, b"KEEPTTL"]);
            }
        }
        "spop" => {
            let members: Vec<&[u8]> = match reply {
                Reply::Bulk(m) => vec![m],
                r => items(r).iter().filter_map(bulk).collect(),
            };
            if !members.is_empty() {
                let mut a: Vec<&[u8]> = vec![b"SREM", args[1]];
                a.extend(members);
                emit(ctx, &a);
            }
        }
        "blpop" | "brpop" | "bzpopmin" | "bzpopmax" => {
            let pop: &[u8] = match name {
                "blpop" => b"LPOP",
                "brpop" => b"RPOP",
                "bzpopmin" => b"ZPOPMIN",
                _ => b"ZPOPMAX",
            };
            if let Some(key) = items(reply).first().and_then(bulk) {
                emit(ctx, &[pop, key]);
            }
        }
        "blmove" => {
            if *reply != Reply::Nil && *reply != Reply::NilArray {
                emit(ctx, &[b"LMOVE", args[1], args[2], args[3], args[4]]);
            }
        }
        "brpoplpush" => {
            if *reply != Reply::Nil && *reply != Reply::NilArray {
                emit(ctx, &[b"RPOPLPUSH", args[1], args[2]]);
            }
        }
        "blmpop" | "bzmpop" => {
            let r = items(reply);
            let (Some(key), Some(popped)) = (r.first().and_then(bulk), r.get(1)) else { return };
            let n = match popped {
                Reply::Array(v) | Reply::Set(v) => v.len(),
                Reply::Map(m) => m.len(),
                _ => return,
            };
            let numkeys = num(args[2]).max(0) as usize;
            let dir = args.get(3 + numkeys).copied().unwrap_or(b"");
            let pop: &[u8] = match (name, is(dir, "LEFT") || is(dir, "MIN")) {
                ("blmpop", true) => b"LPOP",
                ("blmpop", false) => b"RPOP",
                (_, true) => b"ZPOPMIN",
                (_, false) => b"ZPOPMAX",
            };
            let count = n.to_string();
            emit(ctx, &[pop, key, count.as_bytes()]);
        }
        // SORT changes something only with STORE.
        "sort" if !args[2..].iter().any(|a| is(a, "STORE")) => {}
        _ => emit(ctx, args),
    }
}

/// A key's expiry as it is now: PEXPIREAT, PERSIST, or DEL if the change
/// deleted the key (an expiry in the past).
fn expiry_effect(ctx: &mut Ctx<'_>, db: usize, key: &[u8]) {
    match ctx.peek_in(db, key).map(|s| s.expire_at()) {
        Some(Some(t)) => {
            let t = t.to_string();
            ctx.records.command(db, &[b"PEXPIREAT", key, t.as_bytes()]);
        }
        Some(None) => ctx.records.command(db, &[b"PERSIST", key]),
        None => ctx.records.command(db, &[b"DEL", key]),
    }
}

/// The state of the keys a typed fast path locked for writing: DEL if
/// absent, SET (with PXAT) for a string, RESTORE ... ABSTTL otherwise.
pub(crate) fn fast_effects(ctx: &mut Ctx<'_>) {
    let mut keys = std::mem::take(&mut ctx.records.fast_keys);
    keys.sort_unstable();
    keys.dedup();
    let now = ctx.now();
    for (db, key) in &keys {
        let state = ctx.peek_in(*db, key).map(|s| (s.expire_at().map(|t| t.to_string()), s.as_str(), s.value()));
        let (cmd, args): (Vec<u8>, Vec<Vec<u8>>) = match state {
            None => (b"DEL".to_vec(), vec![]),
            Some((ttl, Some(v), _)) => {
                let mut a = vec![v.to_vec()];
                if let Some(t) = ttl {
                    a.extend([b"PXAT".to_vec(), t.into_bytes()]);
                }
                (b"SET".to_vec(), a)
            }
            Some((ttl, None, v)) => match dump::dump(v, now) {
                Some(p) => (
                    b"RESTORE".to_vec(),
                    vec![ttl.unwrap_or_else(|| "0".into()).into_bytes(), p, b"REPLACE".to_vec(), b"ABSTTL".to_vec()],
                ),
                None => (b"DEL".to_vec(), vec![]),
            },
        };
        let mut a: Vec<&[u8]> = vec![&cmd, key];
        a.extend(args.iter().map(Vec::as_slice));
        ctx.records.command(*db, &a);
    }
}

/// Keys the active expiry sweep deleted from a shard of `db` (its lock
/// held): logged as one DEL.
pub(crate) fn expired(log: &Log, db: usize, keys: &[Vec<u8>]) {
    let mut recs = Records::default();
    let mut a: Vec<&[u8]> = vec![b"DEL"];
    a.extend(keys.iter().map(Vec::as_slice));
    recs.command(db, &a);
    log.append(&recs, None);
}
