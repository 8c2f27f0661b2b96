//! Sessions: the per-caller state a Redis client connection has, and the
//! dispatcher that runs a command through the table.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;

use smallvec::SmallVec;

use crate::blocking::InterruptHandle;
use crate::cmd::transactions::{self, TxnState};
use crate::cmd::{self, flag, CommandSpec};
use crate::errors;
use crate::keyspace::Ctx;
use crate::persist::propagate;
use crate::reply::Reply;
use crate::store::{SessionCounter, Store};

/// What a session remembers between commands.
#[derive(Debug, Clone)]
pub struct SessionState {
    /// Selected database.
    pub db: usize,
    /// RESP protocol version chosen with HELLO (2 or 3).
    pub protocol: u8,
    /// Name set with CLIENT SETNAME.
    pub name: Option<Vec<u8>>,
    /// Unique, increasing id (CLIENT ID).
    pub id: u64,
}

/// A client of a store: selected database, protocol, name. Not shared
/// between threads; each thread (or binding object) holds its own.
pub struct Session {
    pub(crate) store: Store,
    pub(crate) state: SessionState,
    /// MULTI queue and WATCHed keys.
    txn: TxnState,
    /// This session's count of commands processed.
    pub(crate) counter: SessionCounter,
}

impl Session {
    pub(crate) fn new(store: Store) -> Session {
        let id = store.inner.next_client_id.fetch_add(1, Ordering::Relaxed);
        let counter = store.inner.commands.register();
        let state = SessionState { db: 0, protocol: 2, name: None, id };
        Session { store, state, txn: TxnState::default(), counter }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn state(&self) -> &SessionState {
        &self.state
    }

    /// The protocol replies are meant for (2 or 3), as chosen by HELLO.
    pub fn protocol(&self) -> u8 {
        self.state.protocol
    }

    pub fn db(&self) -> usize {
        self.state.db
    }

    /// A handle another thread can use to interrupt this session's blocked
    /// call (BLPOP, ...); see [`InterruptHandle::interrupt`].
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle { store: std::sync::Arc::downgrade(&self.store.inner), client: self.state.id }
    }

    /// Runs one command. Arguments are byte strings, the first the command
    /// name. The reply has the RESP3 shape; encode it with
    /// [`Reply::encode`] for the session's protocol, or fold it with
    /// [`Reply::into_protocol`].
    pub fn execute<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Reply {
        let args: SmallVec<[&[u8]; 8]> = args.iter().map(AsRef::as_ref).collect();
        self.execute_slices(&args)
    }

    /// Inside MULTI, commands are checked (a refused one makes EXEC abort)
    /// and queued, except the few that act on the transaction itself.
    pub fn execute_slices(&mut self, args: &[&[u8]]) -> Reply {
        let Some(name) = args.first() else {
            self.txn.flag();
            return Reply::error_owned(errors::unknown_command(&[b""]));
        };
        let Some(spec) = cmd::lookup(name) else {
            self.txn.flag();
            return Reply::error_owned(errors::unknown_command(args));
        };
        if !spec.arity_ok(args.len()) {
            self.txn.flag();
            if spec.name == "exec" {
                // Redis's execCommandAbort: a refused EXEC discards the
                // transaction (and the watches), in MULTI or not.
                let mut ctx = Ctx::new(&self.store.inner, &mut self.state);
                ctx.txn = Some(&mut self.txn);
                ctx.spec = Some(spec);
                transactions::discard_all(&mut ctx);
                return Reply::error_owned(errors::exec_abort(&errors::arity(spec.name)));
            }
            return Reply::error_owned(errors::arity(spec.name));
        }
        if self.txn.in_multi() {
            if spec.has(flag::NO_MULTI) {
                self.txn.flag();
                return Reply::error(errors::NOT_IN_MULTI);
            }
            if let Some(refusal) = transactions::subcommand_refusal(spec, args) {
                self.txn.flag();
                return Reply::error_owned(refusal);
            }
            if !transactions::runs_in_multi(spec) {
                self.txn.enqueue(spec, args);
                return Reply::status("QUEUED");
            }
        }
        let inner = &*self.store.inner;
        self.counter.cell().bump();
        let mut ctx = Ctx::new(inner, &mut self.state);
        ctx.txn = Some(&mut self.txn);
        ctx.spec = Some(spec);
        ctx.counter = Some(self.counter.cell());
        let now = ctx.coarse_ms();
        // RESET ends the transaction and drops the watches; so does QUIT
        // (Redis closes the connection).
        if matches!(spec.name, "reset" | "quit") {
            transactions::discard_all(&mut ctx);
        }
        let reply = run(&mut ctx, spec, args);
        // Logged while the command's locks are held, acknowledged once
        // durable as the fsync policy says.
        let ticket = ctx.flush_log();
        drop(ctx);
        inner.maybe_sweep(now);
        match (ticket, inner.persist.aof.log.get()) {
            (Some(t), Some(log)) => match log.wait(t) {
                Ok(()) => reply,
                Err(e) => Reply::error_owned(errors::aof_write(&e)),
            },
            _ => reply,
        }
    }
}

/// Locks what the table says the command needs and runs its handler. A
/// panic in a handler (a bug: no input should cause one) becomes an error
/// reply instead of unwinding into the host.
pub(crate) fn run(ctx: &mut Ctx<'_>, spec: &'static CommandSpec, args: &[&[u8]]) -> Reply {
    ctx.spec = Some(spec);
    let write = spec.has(flag::WRITE);
    if write && ctx.logging {
        // As Redis: no writes while the log cannot be written.
        if let Some(e) = ctx.store.persist.aof.log.get().and_then(|l| l.error()) {
            return Reply::error_owned(errors::aof_write(&e));
        }
    }
    let mark = ctx.records.mark();
    if spec.has(flag::WHOLE_DB) {
        let db = ctx.db();
        ctx.lock_dbs(write, &[db]);
    } else if !spec.has(flag::SELF_LOCKING) && spec.first_key > 0 {
        match args.get(spec.first_key as usize) {
            // One key (most commands): no list of shards to sort.
            Some(key) if spec.last_key == spec.first_key => ctx.lock_key(write, key),
            _ => {
                let db = ctx.db();
                ctx.lock_keys(write, spec.keys(args).map(|k| (db, k)));
            }
        }
    }
    let reply = match catch_unwind(AssertUnwindSafe(|| (spec.handler)(ctx, args))) {
        Ok(r) => r,
        Err(_) => Reply::error(errors::INTERNAL),
    };
    // In-place changes to watched keys count only if the command succeeded
    // (a failed write changes nothing, as Redis signals no change then).
    ctx.settle_writes(!reply.is_error());
    if ctx.logging {
        if write && !reply.is_error() {
            propagate::command(ctx, spec, args, &reply);
        } else if spec.name == "exec" {
            // A transaction's effects are logged as one unit.
            ctx.records.wrap_multi(mark);
        }
    }
    // Redis's `server.dirty`, one per write command that succeeded.
    if write && !reply.is_error() {
        ctx.store.persist.dirty.add(ctx.sess.id, 1);
    }
    reply
}

impl Drop for Session {
    /// A session going away releases its watches.
    fn drop(&mut self) {
        self.store.inner.commands.unregister(&self.counter);
        if self.txn.is_watching() {
            let mut ctx = Ctx::new(&self.store.inner, &mut self.state);
            ctx.txn = Some(&mut self.txn);
            ctx.logging = false;
            transactions::unwatch_all(&mut ctx);
        }
    }
}
