//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! While a session is in MULTI its dispatcher ([`crate::session::Session`])
//! checks each command (name, arity, NO_MULTI) and queues it instead of
//! running it; a refused command marks the transaction so EXEC aborts.
//! EXEC locks every shard of every database ([`Ctx::lock_all`]) and runs
//! the queue through the same path as a single command, so the queued
//! commands' own lock requests are no-ops and no other thread sees the
//! transaction half done.
//!
//! WATCH registers the session in the watched keys' shards (see
//! `Shard::watch`), remembering each key's change counter and whether the
//! key was live. EXEC fails (null array) if a counter moved, or if a key
//! live at WATCH time is gone now (it expired: expiry is not counted as a
//! change, so a key that was already expired when watched does not fail
//! EXEC when it is finally deleted, as in Redis).

use std::collections::HashMap;
use std::mem;
use std::sync::OnceLock;

use smallvec::SmallVec;

use super::{cmd, flag::*, CommandSpec, NOKEYS};
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::session::run;

const TXN: u32 = NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY | SELF_LOCKING;

pub static COMMANDS: &[CommandSpec] = &[
    cmd("multi", 1, TXN, NOKEYS, "transactions", multi),
    cmd("exec", 1, NOSCRIPT | LOADING | STALE | SELF_LOCKING, NOKEYS, "transactions", exec),
    cmd("discard", 1, TXN, NOKEYS, "transactions", discard),
    cmd("watch", -2, TXN, (1, -1, 1), "transactions", watch),
    cmd("unwatch", 1, TXN, NOKEYS, "transactions", unwatch),
];

/// A session's transaction state.
#[derive(Default)]
pub struct TxnState {
    /// Commands queued since MULTI; `None` outside a transaction.
    queue: Option<Vec<Queued>>,
    /// A command was refused while queueing: EXEC aborts.
    aborted: bool,
    watched: Vec<Watched>,
}

/// A queued command: its table entry and its arguments.
type Queued = (&'static CommandSpec, Vec<Vec<u8>>);

/// One WATCHed key, as it was when watched.
struct Watched {
    db: usize,
    key: Vec<u8>,
    version: u64,
    was_live: bool,
}

impl TxnState {
    pub fn in_multi(&self) -> bool {
        self.queue.is_some()
    }

    /// A command was refused: inside MULTI, EXEC will abort.
    pub fn flag(&mut self) {
        if self.in_multi() {
            self.aborted = true;
        }
    }

    pub fn enqueue(&mut self, spec: &'static CommandSpec, args: &[&[u8]]) {
        if let Some(q) = &mut self.queue {
            q.push((spec, args.iter().map(|a| a.to_vec()).collect()));
        }
    }

    pub fn is_watching(&self) -> bool {
        !self.watched.is_empty()
    }
}

/// Whether a command runs at once inside MULTI instead of being queued
/// (Redis's processCommand exceptions).
pub fn runs_in_multi(spec: &CommandSpec) -> bool {
    matches!(spec.name, "exec" | "discard" | "multi" | "watch" | "quit" | "reset")
}

/// The refusal Redis gives at queue time to a container command's call
/// (CLIENT, COMMAND, CONFIG, OBJECT, ...) whose subcommand is unknown or
/// has the wrong number of arguments: Redis resolves subcommands before
/// queueing, kv's handlers only when they run. Checked against Redis's own
/// table, so a subcommand kv lacks is queued as Redis would queue it.
pub fn subcommand_refusal(spec: &CommandSpec, args: &[&[u8]]) -> Option<String> {
    static SUBS: OnceLock<HashMap<&'static str, i32>> = OnceLock::new();
    let subs = SUBS.get_or_init(|| {
        super::server::redis_reference().iter().filter(|c| c.name.contains('|')).map(|c| (c.name, c.arity)).collect()
    });
    if args.len() < 2 || !subs.keys().any(|k| k.split('|').next() == Some(spec.name)) {
        return None;
    }
    let full = format!("{}|{}", spec.name, String::from_utf8_lossy(args[1]).to_ascii_lowercase());
    match subs.get(full.as_str()) {
        None => Some(errors::unknown_subcommand(spec.name, args[1])),
        Some(&a) if !(if a >= 0 { args.len() == a as usize } else { args.len() >= (-a) as usize }) => {
            Some(errors::arity(&full))
        }
        Some(_) => None,
    }
}

/// Commands Redis counts as a change to a key (for WATCH) only when the
/// value ends up different: a present member added, an absent one removed,
/// a bit set to what it was. (Most others signal whenever they write, even
/// the same value: SET, HSET, LSET, APPEND, INCRBY 0, ...)
pub fn changes_only_if_different(spec: &CommandSpec) -> bool {
    matches!(
        spec.name,
        "setbit"
            | "bitfield"
            | "sadd"
            | "srem"
            | "spop"
            | "smove"
            | "hdel"
            | "hsetnx"
            | "lrem"
            | "linsert"
            | "zadd"
            | "zrem"
            | "zremrangebyscore"
            | "zremrangebyrank"
            | "zremrangebylex"
    )
}

fn state<'c>(ctx: &'c mut Ctx<'_>) -> &'c mut TxnState {
    ctx.txn.as_deref_mut().expect("transaction commands run from a session")
}

/// Drops every watch of the session (UNWATCH, EXEC, DISCARD, RESET, and a
/// session going away).
pub fn unwatch_all(ctx: &mut Ctx<'_>) {
    let watched = mem::take(&mut state(ctx).watched);
    release(ctx, &watched);
}

fn release(ctx: &mut Ctx<'_>, watched: &[Watched]) {
    if watched.is_empty() {
        return;
    }
    ctx.lock_keys(true, watched.iter().map(|w| (w.db, w.key.as_slice())));
    for w in watched {
        ctx.unwatch_key(w.db, &w.key);
    }
    ctx.unlock();
}

/// Ends the transaction, if any, and drops the watches (DISCARD, RESET).
pub fn discard_all(ctx: &mut Ctx<'_>) {
    let txn = state(ctx);
    txn.queue = None;
    txn.aborted = false;
    unwatch_all(ctx);
}

fn multi(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    let txn = state(ctx);
    if txn.in_multi() {
        return Reply::error(errors::MULTI_NESTED);
    }
    txn.queue = Some(Vec::new());
    Reply::ok()
}

fn discard(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    if !state(ctx).in_multi() {
        return Reply::error(errors::DISCARD_WITHOUT_MULTI);
    }
    discard_all(ctx);
    Reply::ok()
}

fn exec(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    let txn = state(ctx);
    let Some(queue) = txn.queue.take() else {
        return Reply::error(errors::EXEC_WITHOUT_MULTI);
    };
    let aborted = mem::take(&mut txn.aborted);
    let watched = mem::take(&mut txn.watched);
    if aborted {
        release(ctx, &watched);
        return Reply::error(errors::EXECABORT);
    }
    ctx.lock_all();
    let changed = watched.iter().any(|w| ctx.watched_changed(w.db, &w.key, w.version, w.was_live));
    release(ctx, &watched);
    if changed {
        return Reply::NilArray;
    }
    let replies = queue
        .iter()
        .map(|(spec, args)| {
            let args: SmallVec<[&[u8]; 8]> = args.iter().map(Vec::as_slice).collect();
            if let Some(c) = ctx.counter {
                c.bump();
            }
            let reply = run(ctx, spec, &args);
            // Redis writes each reply in the protocol of the moment: a
            // HELLO inside the transaction changes it for what follows.
            // RESP3 has a single null, which stays one if a later HELLO 2
            // makes the array RESP2.
            match reply {
                r if ctx.sess.protocol < 3 => r.into_protocol(2),
                Reply::NilArray => Reply::Nil,
                r => r,
            }
        })
        .collect();
    Reply::Array(replies)
}

fn watch(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    if state(ctx).in_multi() {
        return Reply::error(errors::WATCH_IN_MULTI);
    }
    let db = ctx.db();
    ctx.lock_keys(true, args[1..].iter().map(|k| (db, *k)));
    for key in &args[1..] {
        let known = state(ctx).watched.iter().any(|w| w.db == db && w.key == *key);
        if !known {
            let (version, was_live) = ctx.watch_key(db, key);
            state(ctx).watched.push(Watched { db, key: key.to_vec(), version, was_live });
        }
    }
    Reply::ok()
}

fn unwatch(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    unwatch_all(ctx);
    Reply::ok()
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::reply::Reply;
    use crate::store::Store;

    fn watches(store: &Store) -> usize {
        store.inner.shards.iter().filter(|c| c.read().has_watches()).count()
    }

    /// Watch tables empty again once every watcher let go, whichever way.
    #[test]
    fn watches_are_released() {
        let store = Store::open(Config::default().shard_bits(2));
        let mut a = store.session();
        let mut b = store.session();
        assert_eq!(a.execute(&["WATCH", "x", "y", "z", "x"]), Reply::ok());
        assert_eq!(b.execute(&["WATCH", "x"]), Reply::ok());
        assert!(watches(&store) > 0);
        assert_eq!(a.execute(&["UNWATCH"]), Reply::ok());
        assert_eq!(watches(&store), 1, "b still watches x");
        for end in [&["EXEC"][..], &["DISCARD"], &["RESET"], &["EXEC", "x"]] {
            assert_eq!(a.execute(&["WATCH", "x", "y"]), Reply::ok());
            if end[0] != "RESET" && end.len() == 1 {
                assert_eq!(a.execute(&["MULTI"]), Reply::ok());
            }
            a.execute(end);
            assert_eq!(watches(&store), 1, "{end:?}");
        }
        drop(b);
        assert_eq!(watches(&store), 0);
        assert_eq!(a.execute(&["WATCH", "q"]), Reply::ok());
        drop(a);
        assert_eq!(watches(&store), 0);
    }
}
