//! Typed fast paths for hot commands, one file per family.
//!
//! Each method does what the command of the same name does through
//! [`Session::execute`] — same locks (shared for reads, exclusive for
//! writes, multi-key sets in index order), same lazy expiry, same keyspace
//! statistics and LRU touches, same WATCH signalling, same wakeups of
//! blocked callers, same encodings and error texts — but takes typed
//! arguments and returns typed results, so it skips argument parsing, the
//! command-table lookup and building a [`Reply`]. The collection paths call
//! the very functions the command handlers call once their arguments are
//! parsed, so the two cannot drift apart. Like the string paths, they run
//! at once even while the session is inside MULTI (only `execute` queues).

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use crate::cmd::{self, flag, CommandSpec};
use crate::errors;
use smallvec::SmallVec;

use crate::dict::Slot;
use crate::keyspace::{read_lookup, Ctx};
use crate::persist::log::Records;
use crate::reply::Reply;
use crate::session::Session;
use crate::store::StoreInner;

mod hashes;
mod lists;
mod sets;
mod strings;
mod zsets;

#[cfg(test)]
mod equivalence;

pub use crate::cmd::zsets::AddFlags as ZAddFlags;

/// A Redis error reply: its text, starting with the error prefix
/// (`ERR`, `WRONGTYPE`, ...), exactly as a server would send it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(Cow<'static, str>);

impl Error {
    pub fn new(text: &'static str) -> Error {
        Error(Cow::Borrowed(text))
    }

    pub fn owned(text: String) -> Error {
        Error(Cow::Owned(text))
    }

    /// The whole error text, prefix included.
    pub fn text(&self) -> &str {
        &self.0
    }

    /// The first word: `ERR`, `WRONGTYPE`, ...
    pub fn prefix(&self) -> &str {
        self.0.split(' ').next().unwrap_or("")
    }

    /// The error an error reply carries; any other reply is handed back.
    pub fn from_reply(reply: Reply) -> Result<Error, Reply> {
        match reply {
            Reply::Error(e) => Ok(Error(e)),
            other => Err(other),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<Error> for Reply {
    fn from(e: Error) -> Reply {
        Reply::Error(e.0)
    }
}

impl TryFrom<Reply> for Error {
    type Error = Reply;
    fn try_from(reply: Reply) -> Result<Error, Reply> {
        Error::from_reply(reply)
    }
}

/// The error a shared command function failed with (always an error
/// reply; anything else would be a bug, reported as Redis's internal error).
fn to_error(r: Reply) -> Error {
    Error::from_reply(r).unwrap_or(Error::new(errors::INTERNAL))
}

fn wrongtype() -> Error {
    Error::new(errors::WRONGTYPE)
}

fn arity(cmd: &str) -> Error {
    Error::owned(errors::arity(cmd))
}

fn expire_time_error(cmd: &str) -> Error {
    Error::owned(errors::EXPIRE_TIME.replace("{}", cmd))
}

/// Absolute expiry for a relative time in ms, as Redis computes it for
/// SET PX / PEXPIRE: an overflow of `now + ms` past i64 is an error.
fn deadline(now: u64, ms: i64, cmd: &str) -> Result<i64, Error> {
    (ms).checked_add(now as i64).ok_or_else(|| expire_time_error(cmd))
}

/// A command's table entry, looked up once: a fast path runs under the
/// same entry as the command (its WRITE flag picks the lock; WATCH needs
/// the name to know whether only a different value counts as a change).
pub(crate) struct Spec {
    name: &'static str,
    cell: OnceLock<&'static CommandSpec>,
}

impl Spec {
    pub(crate) const fn new(name: &'static str) -> Spec {
        Spec { name, cell: OnceLock::new() }
    }

    #[inline]
    fn get(&'static self) -> &'static CommandSpec {
        self.cell.get_or_init(|| cmd::lookup(self.name.as_bytes()).expect("fast paths name table commands"))
    }
}

impl Session {
    /// Runs `f` as the dispatcher runs a handler: counts the command, fixes
    /// the time, and gives the expiry sweep its turn afterwards. For reads
    /// (a write's log failure would go unreported: use [`Session::fast_w`]).
    #[inline]
    fn fast<R>(&mut self, f: impl FnOnce(&mut Ctx<'_>) -> R) -> R {
        let inner = &*self.store.inner;
        self.counter.cell().bump();
        let (r, now) = {
            let mut ctx = Ctx::new(inner, &mut self.state);
            ctx.fast = true;
            (f(&mut ctx), ctx.coarse_ms())
        };
        inner.maybe_sweep(now);
        r
    }

    /// A one-key read command's lookup (GET's), run as [`Session::fast`]
    /// runs it with the key's shard locked shared and [`Ctx::read`], minus
    /// the context: a read of one key under a shared lock has no log
    /// records, WATCH marks nor locks of other shards to settle. Counts
    /// the command and the keyspace hit or miss, touches the access time,
    /// treats an expired key as absent (reading the precise clock only
    /// for a key with an expiry), hands the slot to `f` under the lock,
    /// and gives the expiry sweep its turn after releasing it.
    #[inline]
    fn read_key<R>(&mut self, key: &[u8], f: impl FnOnce(Option<&Slot>) -> R) -> R {
        let inner = &*self.store.inner;
        self.counter.cell().bump();
        let coarse = inner.config.clock.coarse_ms();
        let h = inner.hash(key);
        let cell = &inner.shards[inner.shard_of(self.state.db, h)];
        let r = {
            let shard = cell.read();
            let lru = StoreInner::lru_clock(coarse);
            f(read_lookup(&cell.stats, &shard, key, h, Some(lru), || inner.now_ms().max(1)))
        };
        inner.maybe_sweep(coarse);
        r
    }

    /// [`Session::fast`] for a command that may write: refused while the
    /// append-only log cannot be written (as `execute` refuses it), and
    /// failed if its log records could not be made durable (fsync
    /// `always`), so no write is acknowledged that the log lost.
    #[inline]
    fn fast_w<T>(&mut self, f: impl FnOnce(&mut Ctx<'_>) -> Result<T, Error>) -> Result<T, Error> {
        let inner = &*self.store.inner;
        if let Some(e) = inner.persist.aof.log.get().and_then(|l| l.error()) {
            return Err(Error::owned(errors::aof_write(&e)));
        }
        self.counter.cell().bump();
        let (r, now, logged) = {
            let mut ctx = Ctx::new(inner, &mut self.state);
            ctx.fast = true;
            let r = f(&mut ctx);
            if r.is_err() {
                // A refused write changed nothing (keys it found expired
                // are logged as deleted by the lookup itself).
                ctx.records.explicit = true;
            }
            let logged = ctx.finish();
            (r, ctx.coarse_ms(), logged)
        };
        inner.maybe_sweep(now);
        match logged {
            Ok(()) => r,
            Err(e) => Err(Error::owned(errors::aof_write(&e))),
        }
    }

    /// A command refused for its typed arguments, counted as `execute`
    /// counts a command its handler refuses (arity errors, which the
    /// dispatcher answers itself, are not counted).
    #[cold]
    fn refused<T>(&mut self, e: Error) -> Result<T, Error> {
        if e.text().starts_with("ERR wrong number of arguments") {
            return Err(e);
        }
        self.fast(|_| Err(e))
    }

    /// A one-key command as the dispatcher runs it: `key`'s shard locked
    /// (exclusively for a write command), the command's table entry set,
    /// and in-place changes to watched keys counted only if it succeeded.
    /// A write whose log cannot be written fails (see [`Session::fast_w`]);
    /// its changes are logged as the state of the key afterwards.
    #[inline]
    fn keyed<T>(
        &mut self,
        spec: &'static Spec,
        key: &[u8],
        f: impl FnOnce(&mut Ctx<'_>) -> Result<T, Reply>,
    ) -> Result<T, Error> {
        self.keyed_log(spec, key, f, None::<fn(&T, &mut Records, usize)>)
    }

    /// [`Session::keyed`] for a write logged as a command: `log` records
    /// it (given the result, the records and the database) when it
    /// succeeded, so the log grows with the change, not with the value.
    #[inline]
    fn keyed_log<T>(
        &mut self,
        spec: &'static Spec,
        key: &[u8],
        f: impl FnOnce(&mut Ctx<'_>) -> Result<T, Reply>,
        log: Option<impl FnOnce(&T, &mut Records, usize)>,
    ) -> Result<T, Error> {
        let spec = spec.get();
        let run = |ctx: &mut Ctx<'_>| {
            ctx.spec = Some(spec);
            let write = spec.has(flag::WRITE);
            ctx.lock_key(write, key);
            let r = f(ctx);
            ctx.settle_writes(r.is_ok());
            if let Some(log) = log {
                if ctx.logging {
                    if let Ok(v) = &r {
                        let db = ctx.db();
                        log(v, &mut ctx.records, db);
                    }
                    ctx.records.explicit = true;
                }
            }
            r.map_err(to_error)
        };
        if spec.has(flag::WRITE) {
            self.fast_w(run)
        } else {
            self.fast(run)
        }
    }
}

/// `name key args...` as one log record.
pub(crate) fn log_args<A: AsRef<[u8]>>(recs: &mut Records, db: usize, name: &[u8], key: &[u8], args: &[A]) {
    let mut a: SmallVec<[&[u8]; 8]> = SmallVec::with_capacity(2 + args.len());
    a.push(name);
    a.push(key);
    a.extend(args.iter().map(AsRef::as_ref));
    recs.command(db, &a);
}
