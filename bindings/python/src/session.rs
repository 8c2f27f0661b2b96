//! `Session`: a client of a store, what a connection is to redis-py.
//!
//! One engine session (selected database, MULTI queue, WATCHed keys,
//! protocol) runs the calls. A call made while another thread's call still
//! runs on it (a BLPOP waiting with the GIL released) does not wait: it
//! runs on a spare engine session of the same store, selected to the same
//! database, as redis-py's connection pool would hand that thread another
//! connection. The lock is only ever tried, never waited on, so no thread
//! holding the GIL waits for one that released it.
//!
//! The GIL policy ([`Gil`]): held for the command table's `fast` commands
//! (and the typed paths in [`crate::fast`]), released for every other
//! command, whose work may be long (KEYS, SORT, set algebra, FLUSHALL,
//! SAVE, EXEC); while any such call of the store runs, short calls release
//! it too (they may wait for its locks, see [`call`]); blocking commands
//! (BLPOP, ...) also watch for signals so Ctrl-C wakes them
//! ([`crate::blocking`]).

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;

use kv_core::cmd::{self, flag};
use kv_core::{InterruptHandle, Reply};
use parking_lot::Mutex;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use smallvec::SmallVec;

use crate::blocking;
use crate::convert::{slices, Args, Codec};
use crate::error;

/// Spare engine sessions kept for concurrent calls (more are made and
/// dropped when needed).
const MAX_SPARES: usize = 4;

/// What happens to the GIL while the engine runs a call.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Gil {
    Hold,
    Release,
    /// Released, and on the main thread signal handlers run meanwhile.
    Block,
}

impl Gil {
    /// The policy for one command, from its table entry.
    pub fn of(args: &[&[u8]]) -> Gil {
        match args.first().and_then(|name| cmd::lookup(name)) {
            Some(spec) if spec.has(flag::BLOCKING) => Gil::Block,
            Some(spec) if spec.has(flag::FAST) => Gil::Hold,
            Some(_) => Gil::Release,
            // Unknown: the engine only builds the error reply.
            None => Gil::Hold,
        }
    }
}

/// Runs `f` on an engine session under a GIL policy. `slow` counts the
/// store's calls running with the GIL released: while there are any, even
/// short calls release it, since they may wait for a shard lock one of
/// those holds, and waiting with the GIL held would stop every Python
/// thread meanwhile.
pub(crate) fn call<R: Send>(
    py: Python<'_>,
    gil: Gil,
    s: &mut kv_core::Session,
    slow: &AtomicUsize,
    f: impl FnOnce(&mut kv_core::Session) -> R + Send,
) -> PyResult<R> {
    match gil {
        Gil::Hold if slow.load(Relaxed) == 0 => Ok(f(s)),
        Gil::Hold => Ok(py.detach(|| f(s))),
        Gil::Release => {
            let _slow = Slow::enter(slow);
            Ok(py.detach(|| f(s)))
        }
        // A blocked call holds no lock while it waits.
        Gil::Block => blocking::run(py, s, f),
    }
}

/// One call counted in a store's `slow` counter while it runs.
struct Slow<'a>(&'a AtomicUsize);

impl<'a> Slow<'a> {
    fn enter(n: &'a AtomicUsize) -> Slow<'a> {
        n.fetch_add(1, Relaxed);
        Slow(n)
    }
}

impl Drop for Slow<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

/// A client of a store (`kv._kv.Session` in `kv/_kv.pyi`).
#[pyclass(frozen, module = "kv._kv")]
pub struct Session {
    pub(crate) store: kv_core::Store,
    /// The store's calls running with the GIL released (see [`call`]).
    slow: Arc<AtomicUsize>,
    /// `None` once closed.
    primary: Mutex<Option<kv_core::Session>>,
    spares: Mutex<Vec<kv_core::Session>>,
    /// What interrupts the primary's blocked call, and the spares' in use.
    primary_handle: InterruptHandle,
    busy_spares: Mutex<Vec<InterruptHandle>>,
    /// The primary's selected database and protocol, as of its last call.
    db: AtomicUsize,
    protocol: AtomicU8,
    closed: AtomicBool,
    pub(crate) codec: Codec,
}

impl Session {
    /// A session on `db` (SELECT's errors for a database that does not exist).
    pub(crate) fn open(
        py: Python<'_>,
        store: &kv_core::Store,
        slow: &Arc<AtomicUsize>,
        db: i64,
        codec: Codec,
    ) -> PyResult<Session> {
        let mut s = store.session();
        if db != 0 {
            if let Reply::Error(e) = s.execute(&[b"SELECT".as_slice(), db.to_string().as_bytes()]) {
                return Err(error::reply_error(py, &e));
            }
        }
        Ok(Session {
            store: store.clone(),
            slow: slow.clone(),
            db: AtomicUsize::new(s.db()),
            protocol: AtomicU8::new(s.protocol()),
            primary_handle: s.interrupt_handle(),
            primary: Mutex::new(Some(s)),
            spares: Mutex::new(Vec::new()),
            busy_spares: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
            codec,
        })
    }

    /// Runs `f` on this session's engine session (or a spare, see the
    /// module doc) under the GIL policy `gil`.
    #[inline]
    pub(crate) fn run<R: Send>(
        &self,
        py: Python<'_>,
        gil: Gil,
        f: impl FnOnce(&mut kv_core::Session) -> R + Send,
    ) -> PyResult<R> {
        self.with(py, |s| call(py, gil, s, &self.slow, f))
    }

    /// Runs a short call (a typed path): with the GIL held, unless slow
    /// calls run (see [`call`]).
    #[inline]
    pub(crate) fn quick<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut kv_core::Session) -> R + Send,
    ) -> PyResult<R> {
        self.run(py, Gil::Hold, f)
    }

    /// Runs `f` with the GIL held if no slow call of the store runs, so it
    /// may build Python objects while the engine holds its locks (nothing
    /// can then wait on the GIL while holding one); `None` otherwise, and
    /// the caller takes the [`quick`](Self::quick) path.
    #[inline]
    pub(crate) fn under_gil<R>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut kv_core::Session) -> R,
    ) -> PyResult<Option<R>> {
        self.with(py, |s| Ok((self.slow.load(Relaxed) == 0).then(|| f(s))))
    }

    /// Leases the primary engine session (or a spare) to `f`.
    #[inline]
    fn with<R>(&self, py: Python<'_>, f: impl FnOnce(&mut kv_core::Session) -> PyResult<R>) -> PyResult<R> {
        if self.store.is_closed() {
            return Err(error::store_closed(py));
        }
        if let Some(mut guard) = self.primary.try_lock() {
            let Some(s) = guard.as_mut() else { return Err(error::session_closed(py)) };
            let r = f(s);
            self.db.store(s.db(), Relaxed);
            self.protocol.store(s.protocol(), Relaxed);
            if self.closed.load(Relaxed) {
                // Closed while this call ran: its watches go now.
                guard.take();
            }
            return r;
        }
        if self.closed.load(Relaxed) {
            return Err(error::session_closed(py));
        }
        let mut s = self.spare();
        let id = s.state().id;
        self.busy_spares.lock().push(s.interrupt_handle());
        let r = f(&mut s);
        self.busy_spares.lock().retain(|h| h.client_id() != id);
        if !self.closed.load(Relaxed) {
            let mut spares = self.spares.lock();
            if spares.len() < MAX_SPARES {
                spares.push(s);
            }
        }
        r
    }

    /// A spare engine session with the primary's database and protocol.
    #[cold]
    fn spare(&self) -> kv_core::Session {
        let mut s = self.spares.lock().pop().unwrap_or_else(|| self.store.session());
        let db = self.db.load(Relaxed);
        if s.db() != db {
            s.execute(&[b"SELECT".as_slice(), db.to_string().as_bytes()]);
        }
        let protocol = self.protocol.load(Relaxed);
        if s.protocol() != protocol {
            s.execute(&[b"HELLO".as_slice(), protocol.to_string().as_bytes()]);
        }
        s
    }

    /// A command's reply, raised if an error. A blocking call woken by the
    /// store or the session closing is a ConnectionError, as redis-py
    /// raises for a connection that went away.
    pub(crate) fn finish<'py>(&self, py: Python<'py>, reply: Reply, protocol: u8) -> PyResult<Bound<'py, PyAny>> {
        if let Reply::Error(e) = &reply {
            if e == kv_core::errors::STORE_CLOSED && self.store.is_closed() {
                return Err(error::store_closed(py));
            }
            if e == kv_core::errors::UNBLOCKED && self.closed.load(Relaxed) {
                return Err(error::session_closed(py));
            }
        }
        self.codec.reply(py, reply, protocol)
    }
}

/// MULTI, the commands, EXEC, with each command's refusal put back at its
/// place as redis-py's pipeline does (see `execute_many` in `_kv.pyi`).
/// `Err`: MULTI itself was refused.
fn run_transaction(s: &mut kv_core::Session, commands: &[SmallVec<[&[u8]; 8]>]) -> Result<Option<Vec<Reply>>, Reply> {
    let multi = s.execute_slices(&[b"MULTI"]);
    if multi.is_error() {
        return Err(multi);
    }
    let queued: Vec<Reply> = commands.iter().map(|c| s.execute_slices(c)).collect();
    match s.execute_slices(&[b"EXEC"]) {
        Reply::Nil | Reply::NilArray => Ok(None),
        Reply::Array(done) => {
            let mut done = done.into_iter();
            Ok(Some(
                queued.into_iter().map(|q| if q.is_error() { q } else { done.next().unwrap_or(Reply::Nil) }).collect(),
            ))
        }
        Reply::Error(e) => {
            Ok(Some(queued.into_iter().map(|q| if q.is_error() { q } else { Reply::Error(e.clone()) }).collect()))
        }
        other => Err(other),
    }
}

#[pymethods]
impl Session {
    /// Runs one command; its reply, or its error raised.
    #[pyo3(signature = (*args))]
    fn execute<'py>(&self, py: Python<'py>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let argv = self.codec.command(args.iter_borrowed())?;
        let argv = slices(&argv);
        let (reply, protocol) = self.run(py, Gil::of(&argv), |s| (s.execute_slices(&argv), s.protocol()))?;
        self.finish(py, reply, protocol)
    }

    /// Runs a pipeline in one call (see `_kv.pyi`).
    #[pyo3(signature = (commands, transaction=false))]
    fn execute_many<'py>(
        &self,
        py: Python<'py>,
        commands: &Bound<'py, PyAny>,
        transaction: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let tuples = commands
            .try_iter()?
            .map(|c| {
                let c = c?;
                match c.cast_into::<PyTuple>() {
                    Ok(t) => Ok(t),
                    Err(e) => {
                        py.get_type::<PyTuple>().call1((e.into_inner(),))?.cast_into::<PyTuple>().map_err(Into::into)
                    }
                }
            })
            .collect::<PyResult<Vec<_>>>()?;
        let encoded = tuples.iter().map(|t| self.codec.command(t.iter_borrowed())).collect::<PyResult<Vec<Args>>>()?;
        let argvs: Vec<SmallVec<[&[u8]; 8]>> = encoded.iter().map(|a| slices(a)).collect();
        if argvs.is_empty() && !transaction {
            return Ok(PyList::empty(py).into_any());
        }
        let mut gil = argvs.iter().map(|a| Gil::of(a)).max().unwrap_or(Gil::Hold);
        if transaction {
            // MULTI/EXEC: nothing blocks inside a transaction, and EXEC runs
            // every command at once.
            gil = Gil::Release;
        }
        let (done, protocol) = self.run(py, gil, |s| {
            let done = if transaction {
                run_transaction(s, &argvs)
            } else {
                Ok(Some(argvs.iter().map(|a| s.execute_slices(a)).collect()))
            };
            (done, s.protocol())
        })?;
        match done {
            Err(refused) => self.finish(py, refused, protocol),
            Ok(None) => Ok(py.None().into_bound(py)),
            Ok(Some(replies)) => {
                let replies = replies.into_iter().map(|r| r.into_protocol(protocol)).collect();
                self.codec.list(py, replies)
            }
        }
    }

    /// The selected database (follows SELECT).
    #[getter]
    fn db(&self) -> usize {
        self.db.load(Relaxed)
    }

    /// The protocol replies are shaped for (2, or 3 after HELLO 3).
    #[getter]
    fn protocol(&self) -> u8 {
        self.protocol.load(Relaxed)
    }

    #[getter]
    fn decode_responses(&self) -> bool {
        self.codec.decode
    }

    #[getter]
    fn encoding(&self) -> &str {
        &self.codec.encoding
    }

    #[getter]
    fn encoding_errors(&self) -> &str {
        &self.codec.errors
    }

    /// True once closed (or once its store is closed).
    #[getter]
    fn closed(&self) -> bool {
        self.closed.load(Relaxed) || self.store.is_closed()
    }

    /// Wakes a call of this session blocked in another thread (BLPOP, ...),
    /// which then raises ResponseError("UNBLOCKED client unblocked via
    /// CLIENT UNBLOCK"), as CLIENT UNBLOCK id ERROR does. Whether a blocked
    /// call was woken (a call that has not blocked yet is not affected).
    fn interrupt(&self) -> bool {
        let mut woken = self.primary_handle.interrupt();
        for h in self.busy_spares.lock().iter() {
            woken |= h.interrupt();
        }
        woken
    }

    /// Ends the session: its watches and transaction are dropped, a call
    /// blocked in another thread raises ConnectionError, and so do later
    /// calls. Closing twice is harmless.
    fn close(&self) {
        self.closed.store(true, Relaxed);
        self.interrupt();
        let primary = self.primary.try_lock().and_then(|mut g| g.take());
        let spares = std::mem::take(&mut *self.spares.lock());
        drop((primary, spares));
    }

    fn __repr__(&self) -> String {
        let state = if self.closed() { " closed" } else { "" };
        format!("<kv._kv.Session db={}{state}>", self.db())
    }
}
