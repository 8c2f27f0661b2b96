//! `Store`: an open engine, its persistence calls, and the factory of
//! sessions. The keyword configuration mirrors `kv_core::Config`.

use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use kv_core::persist::{Fsync, Mode, SaveRule};
use kv_core::{Config, ManualClock};
use parking_lot::Mutex;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::{slices, Codec};
use crate::error;
use crate::session::{call, Gil, Session};

/// Clean engine sessions `Store.execute` reuses (each call behaves as if on
/// a new session: one whose state a command changed is not reused).
const MAX_POOLED: usize = 4;

/// An open store (`kv._kv.Store` in `kv/_kv.pyi`).
#[pyclass(frozen, module = "kv._kv")]
pub struct Store {
    store: kv_core::Store,
    path: Option<PathBuf>,
    clock: Option<Arc<ManualClock>>,
    pool: Mutex<Vec<kv_core::Session>>,
    codec: Codec,
    /// Calls of this store running with the GIL released (see
    /// `session::call`).
    slow: Arc<AtomicUsize>,
}

fn range<T: PartialOrd + std::fmt::Display + Copy>(name: &str, v: T, lo: T, hi: T) -> PyResult<T> {
    if v < lo || v > hi {
        return Err(PyValueError::new_err(format!("{name} must be between {lo} and {hi}, got {v}")));
    }
    Ok(v)
}

/// `Config` from `path` and the keyword options.
fn config(path: Option<&PathBuf>, options: Option<&Bound<'_, PyDict>>) -> PyResult<(Config, Option<Arc<ManualClock>>)> {
    let mut c = Config::default();
    let mut clock = None;
    if let Some(p) = path {
        c = c.data_dir(p);
    }
    let Some(options) = options else { return Ok((c, clock)) };
    for (k, v) in options.iter() {
        let key: String = k.extract()?;
        match key.as_str() {
            "databases" => c.databases = range("databases", v.extract()?, 1, 65536)?,
            "shard_bits" => c.shard_bits = range("shard_bits", v.extract()?, 0, 12)?,
            "expiry_thread" => c.expiry_thread = v.extract()?,
            "hz" => c.hz = range("hz", v.extract()?, 1, 500)?,
            "persistence" => {
                let mode: String = v.extract()?;
                c.persist.mode = match mode.as_str() {
                    "off" => Mode::Off,
                    "snapshot" => Mode::Snapshot,
                    "log" => Mode::Log,
                    "both" => Mode::Both,
                    _ => {
                        return Err(PyValueError::new_err(format!(
                            "persistence must be 'off', 'snapshot', 'log' or 'both', got {mode:?}"
                        )))
                    }
                };
            }
            "fsync" => {
                let policy: String = v.extract()?;
                c.persist.fsync = match policy.as_str() {
                    "always" => Fsync::Always,
                    "everysec" => Fsync::EverySec,
                    "no" => Fsync::No,
                    _ => {
                        return Err(PyValueError::new_err(format!(
                            "fsync must be 'always', 'everysec' or 'no', got {policy:?}"
                        )))
                    }
                };
            }
            "save" => {
                let rules: Option<Vec<(u64, u64)>> = v.extract()?;
                c.persist.save_rules =
                    rules.unwrap_or_default().into_iter().map(|(s, n)| SaveRule::new(s, n)).collect();
            }
            "auto_rewrite_percentage" => c.persist.rewrite_percentage = v.extract()?,
            "auto_rewrite_min_size" => c.persist.rewrite_min_size = v.extract()?,
            "manual_clock_ms" => {
                let m = ManualClock::new(v.extract()?);
                c.clock = m.clone();
                clock = Some(m);
            }
            _ => return Err(PyTypeError::new_err(format!("Store() got an unexpected keyword argument '{key}'"))),
        }
    }
    if path.is_none() && c.persist.mode != Mode::Off {
        return Err(PyValueError::new_err("persistence needs a path (the data directory)"));
    }
    Ok((c, clock))
}

impl Store {
    fn check_open(&self, py: Python<'_>) -> PyResult<()> {
        if self.store.is_closed() {
            return Err(error::store_closed(py));
        }
        Ok(())
    }
}

#[pymethods]
impl Store {
    /// Opens a store: in memory without `path`, else the data directory
    /// `path` (created if missing; what is there is loaded).
    #[new]
    #[pyo3(signature = (path=None, **config))]
    fn new(py: Python<'_>, path: Option<PathBuf>, config: Option<&Bound<'_, PyDict>>) -> PyResult<Store> {
        let (cfg, clock) = self::config(path.as_ref(), config)?;
        let store = py.detach(|| kv_core::Store::try_open(cfg)).map_err(|e| error::persist(py, e))?;
        Ok(Store {
            store,
            path,
            clock,
            pool: Mutex::new(Vec::new()),
            codec: Codec::new(py, false, "utf-8", "strict")?,
            slow: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// A new session (a connection's state) on database `db`.
    #[pyo3(signature = (db=0, decode_responses=false, encoding="utf-8", encoding_errors="strict"))]
    fn session(
        &self,
        py: Python<'_>,
        db: i64,
        decode_responses: bool,
        encoding: &str,
        encoding_errors: &str,
    ) -> PyResult<Session> {
        self.check_open(py)?;
        let codec = Codec::new(py, decode_responses, encoding, encoding_errors)?;
        Session::open(py, &self.store, &self.slow, db, codec)
    }

    /// Runs one command as on a new session on database 0 (bytes replies).
    #[pyo3(signature = (*args))]
    fn execute<'py>(&self, py: Python<'py>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        self.check_open(py)?;
        let argv = self.codec.command(args.iter_borrowed())?;
        let argv = slices(&argv);
        let mut s = self.pool.lock().pop().unwrap_or_else(|| self.store.session());
        let reply = call(py, Gil::of(&argv), &mut s, &self.slow, |s| s.execute_slices(&argv))?;
        // MULTI and WATCH leave state that is not visible in SessionState.
        let stateful =
            argv.first().is_some_and(|n| n.eq_ignore_ascii_case(b"multi") || n.eq_ignore_ascii_case(b"watch"));
        if !stateful && s.db() == 0 && s.protocol() == 2 && s.state().name.is_none() {
            let mut pool = self.pool.lock();
            if pool.len() < MAX_POOLED {
                pool.push(s);
            }
        }
        if let kv_core::Reply::Error(e) = &reply {
            if e == kv_core::errors::STORE_CLOSED && self.store.is_closed() {
                return Err(error::store_closed(py));
            }
        }
        self.codec.reply(py, reply, 2)
    }

    /// SAVE: a snapshot, durably on disk when this returns. True.
    fn save(&self, py: Python<'_>) -> PyResult<bool> {
        self.check_open(py)?;
        py.detach(|| self.store.save()).map_err(|e| error::persist(py, e))?;
        Ok(true)
    }

    /// BGSAVE: takes the point in time now and writes it on a thread. True.
    fn bgsave(&self, py: Python<'_>) -> PyResult<bool> {
        self.check_open(py)?;
        py.detach(|| self.store.bgsave()).map_err(|e| error::persist(py, e))?;
        Ok(true)
    }

    /// Waits until a running save (BGSAVE's) has finished.
    fn wait_for_save(&self, py: Python<'_>) {
        py.detach(|| self.store.wait_for_save())
    }

    /// Writes a consistent copy of the store into the directory `path`
    /// (`path/snapshot.kvs`); open it with `Store(path)` to restore.
    fn backup(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        self.check_open(py)?;
        py.detach(|| self.store.backup(&path)).map_err(|e| error::persist(py, e))?;
        Ok(())
    }

    /// Unix time (seconds) of the last successful save, or of the opening.
    fn lastsave(&self) -> u64 {
        self.store.last_save()
    }

    /// Moves a manual clock (`manual_clock_ms=`) forward by `ms`.
    fn advance_clock(&self, ms: u64) -> PyResult<()> {
        match &self.clock {
            Some(c) => {
                c.advance(ms);
                Ok(())
            }
            None => Err(PyValueError::new_err("the store runs on the system clock (open it with manual_clock_ms=)")),
        }
    }

    /// Closes the store. With snapshots and save rules (the default for a
    /// data directory) it first saves one, as Redis's SHUTDOWN does; then it
    /// waits for a running save, flushes the log, wakes blocked calls; every
    /// later call on the store or its sessions raises ConnectionError.
    /// Closing twice is harmless. A failed final save is raised after the
    /// store is closed.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let p = &self.store.config().persist;
        let final_save =
            !self.store.is_closed() && p.data_dir.is_some() && p.mode.snapshots() && !p.save_rules.is_empty();
        let saved = py.detach(|| {
            let saved = if final_save { self.store.save().map(drop) } else { Ok(()) };
            self.store.close();
            saved
        });
        drop(std::mem::take(&mut *self.pool.lock()));
        saved.map_err(|e| error::persist(py, e))
    }

    #[getter]
    fn closed(&self) -> bool {
        self.store.is_closed()
    }

    /// The data directory, None for an in-memory store.
    #[getter]
    fn path(&self) -> Option<PathBuf> {
        self.path.clone()
    }

    /// The number of databases (SELECT 0..databases-1).
    #[getter]
    fn databases(&self) -> usize {
        self.store.config().databases
    }

    fn __repr__(&self) -> String {
        let at = match &self.path {
            Some(p) => format!("path={:?}", p.display().to_string()),
            None => "in memory".to_owned(),
        };
        let state = if self.store.is_closed() { " closed" } else { "" };
        format!("<kv._kv.Store {at}{state}>")
    }
}
