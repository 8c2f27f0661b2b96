//! Persistence: the store-facing API.
//!
//! * Opening a store with a data directory ([`open`]) loads the snapshot
//!   there, then (once written) the append-only log is replayed over it.
//! * Saves ([`save`], [`bgsave`], [`backup`]) write a point-in-time image
//!   of every database (see [`cow`] for how the point in time is kept
//!   while writers go on) through [`writer`] into the format of [`frame`]
//!   and [`record`] (docs/FORMAT.md).
//! * [`State`] holds the counters INFO persistence, LASTSAVE and the save
//!   rules read: changes since the last save, last save time and status.
//!
//! One save runs at a time. A foreground save (SAVE, [`crate::Store::save`],
//! backups) waits for another foreground save; BGSAVE refuses to start
//! while any save runs ("Background save already in progress").

pub mod aof;
pub mod cow;
mod decode;
pub mod dump;
pub mod frame;
mod load;
pub mod log;
pub mod propagate;
pub mod reader;
pub mod record;
pub mod replay;
mod settings;
pub mod writer;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

pub use reader::Summary;
pub use settings::{Fsync, LoadProgress, LogFaults, Mode, ProgressFn, SaveRule, Settings};

use crate::store::{StoreInner, StripedCounter};
use record::Data;
use writer::{FrameWriter, TempFile};

/// The snapshot's file name inside the data directory.
pub const SNAPSHOT_FILE: &str = "snapshot.kvs";

/// A persistence failure: which file, what operation, what went wrong.
#[derive(Debug)]
pub enum Error {
    Io {
        op: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    /// A file that is not a valid snapshot: where the first problem is.
    Corrupt {
        path: PathBuf,
        offset: u64,
        what: String,
    },
    /// A background save is running.
    InProgress,
    /// The store has no data directory (or persistence is off).
    NoDataDir,
    /// The store keeps no append-only log.
    NoLog,
    /// A log rewrite is running.
    RewriteInProgress,
    /// The log could not be written or fsynced.
    Log(String),
    Internal(&'static str),
}

impl Error {
    pub fn io(op: &'static str, path: &Path, source: io::Error) -> Error {
        Error::Io { op, path: path.to_path_buf(), source }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { op, path, source } => write!(f, "{op} {}: {source}", path.display()),
            Error::Corrupt { path, offset, what } => {
                write!(f, "{}: corrupt at byte offset {offset}: {what}", path.display())
            }
            Error::InProgress => f.write_str("Background save already in progress"),
            Error::NoDataDir => f.write_str("no data directory configured (persistence is off)"),
            Error::NoLog => f.write_str("the append-only log is off"),
            Error::Log(e) => write!(f, "append-only log: {e}"),
            Error::RewriteInProgress => f.write_str("Background append only file rewriting already in progress"),
            Error::Internal(what) => write!(f, "internal error: {what}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What a finished save wrote.
#[derive(Clone, Debug)]
pub struct SaveStats {
    pub path: PathBuf,
    pub records: u64,
    pub bytes: u64,
    pub elapsed: Duration,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Job {
    Idle,
    Foreground,
    Background,
    /// A log rewrite (its base is written like a background save).
    Rewrite,
}

/// Persistence state shared by a store's handles.
pub(crate) struct State {
    /// Write commands run (Redis's `server.dirty`); minus `dirty_saved`
    /// this is `rdb_changes_since_last_save`.
    pub dirty: StripedCounter,
    dirty_saved: AtomicU64,
    job: Mutex<Job>,
    job_done: Condvar,
    bg_running: AtomicBool,
    bg_started: Mutex<Option<Instant>>,
    /// Unix ms of the running save's point in time.
    pub t0: AtomicU64,
    last_save_ms: AtomicU64,
    last_bg_ok: AtomicBool,
    last_bg_secs: AtomicI64,
    last_bg_try_ms: AtomicU64,
    saves: AtomicU64,
    /// Longest hand-off a writer did during the last save (microseconds).
    longest_stall_us: AtomicU64,
    pub(crate) loaded_keys: AtomicU64,
    pub(crate) loaded_expired: AtomicU64,
    /// The append-only log.
    pub aof: aof::AofState,
}

impl State {
    pub fn new(now_ms: u64) -> State {
        State {
            dirty: StripedCounter::new(),
            dirty_saved: AtomicU64::new(0),
            job: Mutex::new(Job::Idle),
            job_done: Condvar::new(),
            bg_running: AtomicBool::new(false),
            bg_started: Mutex::new(None),
            t0: AtomicU64::new(0),
            last_save_ms: AtomicU64::new(now_ms),
            last_bg_ok: AtomicBool::new(true),
            last_bg_secs: AtomicI64::new(-1),
            last_bg_try_ms: AtomicU64::new(0),
            saves: AtomicU64::new(0),
            longest_stall_us: AtomicU64::new(0),
            loaded_keys: AtomicU64::new(0),
            loaded_expired: AtomicU64::new(0),
            aof: aof::AofState::default(),
        }
    }

    pub fn changes_total(&self) -> u64 {
        self.dirty.sum()
    }

    /// Changes since the last successful save.
    pub fn changes_since_save(&self) -> u64 {
        self.dirty.sum().wrapping_sub(self.dirty_saved.load(Ordering::Relaxed))
    }

    pub fn last_save_ms(&self) -> u64 {
        self.last_save_ms.load(Ordering::Relaxed)
    }

    pub fn bg_in_progress(&self) -> bool {
        self.bg_running.load(Ordering::Relaxed)
    }

    pub fn note_stall(&self, d: Duration) {
        self.longest_stall_us.fetch_max(d.as_micros() as u64, Ordering::Relaxed);
    }

    /// Longest time a writer spent handing a shard over during the last
    /// (or running) save.
    pub fn longest_stall(&self) -> Duration {
        Duration::from_micros(self.longest_stall_us.load(Ordering::Relaxed))
    }

    fn acquire(&self, job: Job, wait: bool) -> Result<(), Error> {
        let mut st = self.job.lock();
        loop {
            match *st {
                Job::Idle => {
                    *st = job;
                    if job == Job::Background {
                        self.bg_running.store(true, Ordering::Relaxed);
                        *self.bg_started.lock() = Some(Instant::now());
                    }
                    if job == Job::Rewrite {
                        self.aof.rewriting.store(true, Ordering::Relaxed);
                    }
                    self.longest_stall_us.store(0, Ordering::Relaxed);
                    return Ok(());
                }
                Job::Rewrite if !wait => return Err(Error::RewriteInProgress),
                Job::Background if !wait => return Err(Error::InProgress),
                Job::Foreground if matches!(job, Job::Background | Job::Rewrite) => return Err(Error::InProgress),
                _ => self.job_done.wait(&mut st),
            }
        }
    }

    fn release(&self) {
        let mut st = self.job.lock();
        *st = Job::Idle;
        self.bg_running.store(false, Ordering::Relaxed);
        self.aof.rewriting.store(false, Ordering::Relaxed);
        self.job_done.notify_all();
    }

    /// Whether no save or rewrite runs.
    pub fn idle(&self) -> bool {
        *self.job.lock() == Job::Idle
    }

    /// Waits until no save runs.
    pub fn wait_idle(&self) {
        let mut st = self.job.lock();
        while *st != Job::Idle {
            self.job_done.wait(&mut st);
        }
    }

    fn succeeded(&self, dirty_at_start: u64, now_ms: u64) {
        self.dirty_saved.store(dirty_at_start, Ordering::Relaxed);
        self.last_save_ms.store(now_ms, Ordering::Relaxed);
        self.saves.fetch_add(1, Ordering::Relaxed);
    }
}

fn snapshot_path(inner: &StoreInner) -> Result<PathBuf, Error> {
    match &inner.config.persist.data_dir {
        Some(dir) if inner.config.persist.mode != Mode::Off => Ok(dir.join(SNAPSHOT_FILE)),
        _ => Err(Error::NoDataDir),
    }
}

/// Writes the point in time already marked to `target`, shard by shard.
fn write_point_in_time(inner: &StoreInner, target: &Path) -> Result<SaveStats, Error> {
    let started = Instant::now();
    let tmp = TempFile::for_target(target);
    let result = (|| {
        let file = tmp.create()?;
        let sink = writer::file_sink(file, inner.config.persist.fail_after_bytes);
        let t0 = inner.persist.t0.load(Ordering::Relaxed);
        let io_err = |e| Error::io("writing", &tmp.tmp, e);
        let mut w = FrameWriter::new(sink, t0, inner.databases() as u32).map_err(io_err)?;
        for i in 0..inner.shards.len() {
            if let Err(e) = inner.save_shard(i, &mut w, io_err) {
                inner.abandon_point_in_time(i);
                return Err(e);
            }
        }
        let (records, bytes) = (w.records, w.bytes);
        let file = w.finish().and_then(writer::into_file).map_err(io_err)?;
        tmp.commit(file)?;
        Ok(SaveStats { path: target.to_path_buf(), records, bytes, elapsed: started.elapsed() })
    })();
    if result.is_err() {
        tmp.discard();
    }
    result
}

/// A foreground save to `target` (waiting for a running foreground save;
/// `wait_bg`: also for a background one, else refusing).
fn foreground(inner: &StoreInner, target: &Path, wait_bg: bool, counts: bool) -> Result<SaveStats, Error> {
    inner.persist.acquire(Job::Foreground, wait_bg)?;
    let dirty = inner.mark_point_in_time(|| {});
    let result = write_point_in_time(inner, target);
    if counts && result.is_ok() {
        inner.persist.succeeded(dirty, inner.now_ms());
        inner.persist.last_bg_ok.store(true, Ordering::Relaxed);
    }
    inner.persist.release();
    result
}

/// SAVE: a snapshot into the data directory, returning when it is on disk.
pub(crate) fn save(inner: &StoreInner) -> Result<SaveStats, Error> {
    let path = snapshot_path(inner)?;
    foreground(inner, &path, false, true)
}

/// A consistent copy of the live store into `dir` (created if missing) as
/// `dir/snapshot.kvs`; open a store on `dir` to restore it.
pub(crate) fn backup(inner: &StoreInner, dir: &Path) -> Result<SaveStats, Error> {
    fs::create_dir_all(dir).map_err(|e| Error::io("creating directory", dir, e))?;
    foreground(inner, &dir.join(SNAPSHOT_FILE), true, false)
}

/// BGSAVE: marks the point in time now, then writes it on a thread.
pub(crate) fn bgsave(inner: &Arc<StoreInner>) -> Result<(), Error> {
    let path = snapshot_path(inner)?;
    inner.persist.acquire(Job::Background, false)?;
    inner.persist.last_bg_try_ms.store(inner.now_ms(), Ordering::Relaxed);
    let dirty = inner.mark_point_in_time(|| {});
    let store = inner.clone();
    let spawned = std::thread::Builder::new().name("kv-bgsave".into()).spawn(move || {
        let result = write_point_in_time(&store, &path);
        let st = &store.persist;
        if let Some(started) = *st.bg_started.lock() {
            st.last_bg_secs.store(started.elapsed().as_secs() as i64, Ordering::Relaxed);
        }
        st.last_bg_ok.store(result.is_ok(), Ordering::Relaxed);
        if result.is_ok() {
            st.succeeded(dirty, store.now_ms());
        }
        st.release();
    });
    if let Err(e) = spawned {
        inner.abandon_point_in_time(0);
        inner.persist.release();
        return Err(Error::io("starting the save thread for", Path::new(SNAPSHOT_FILE), e));
    }
    Ok(())
}

/// Redis's save rules, checked from the store's periodic work: starts a
/// background save once a rule's changes and seconds are both reached
/// (after a failed one, not before 5 seconds have passed).
pub(crate) fn cron(inner: &StoreInner) {
    let p = &inner.config.persist;
    aof::cron(inner);
    if p.save_rules.is_empty() || !p.mode.snapshots() || p.data_dir.is_none() {
        return;
    }
    let st = &inner.persist;
    if *st.job.lock() != Job::Idle {
        return;
    }
    let now = inner.now_ms();
    let changes = st.changes_since_save();
    let since = now.saturating_sub(st.last_save_ms()) / 1000;
    let retry_ok =
        st.last_bg_ok.load(Ordering::Relaxed) || now.saturating_sub(st.last_bg_try_ms.load(Ordering::Relaxed)) >= 5000;
    let due = p.save_rules.iter().any(|r| changes >= r.changes && since > r.seconds);
    if due && retry_ok {
        if let Some(me) = inner.me.upgrade() {
            let _ = bgsave(&me);
        }
    }
}

/// Loads what the data directory holds into a new, not yet shared store.
pub(crate) fn open(inner: &StoreInner) -> Result<(), Error> {
    let p = &inner.config.persist;
    let Some(dir) = &p.data_dir else { return Ok(()) };
    if p.mode == Mode::Off {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(|e| Error::io("creating data directory", dir, e))?;
    // With a log, the log (its base and what followed) is the whole
    // dataset, as Redis loads only the AOF when it has one; the snapshot
    // is loaded when there is no log yet, and becomes the log's base.
    let from_log = p.mode.log() && aof::load(inner, dir)?;
    let path = dir.join(SNAPSHOT_FILE);
    if !from_log {
        match fs::metadata(&path) {
            Ok(_) => {
                load_snapshot(inner, &path)?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("reading metadata of", &path, e)),
        }
    }
    let st = &inner.persist;
    st.dirty_saved.store(st.dirty.sum(), Ordering::Relaxed);
    if p.mode.log() {
        aof::start(inner, dir)?;
    }
    Ok(())
}

/// Closes the log (what it buffers written and fsynced).
pub(crate) fn close(inner: &StoreInner) {
    inner.persist.wait_idle();
    aof::close(inner);
}

/// BGREWRITEAOF; a running background save makes it wait for its end
/// (`Ok(false)`: scheduled).
pub(crate) fn bgrewriteaof(inner: &Arc<StoreInner>) -> Result<bool, Error> {
    let aof = &inner.persist.aof;
    if aof.log.get().is_none() {
        return Err(Error::NoLog);
    }
    if aof.rewriting.load(Ordering::Relaxed) {
        return Err(Error::RewriteInProgress);
    }
    match aof::bgrewrite(inner) {
        Ok(()) => Ok(true),
        Err(Error::InProgress) => {
            aof.scheduled.store(true, Ordering::Relaxed);
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Loads a snapshot file into the store's shards; keys expired by now are
/// skipped, as are hash fields.
pub(crate) fn load_snapshot(inner: &StoreInner, path: &Path) -> Result<Summary, Error> {
    load::load_snapshot_at(inner, path, inner.now_ms())
}

/// INFO persistence's fields, in Redis's order.
pub(crate) fn info_fields(inner: &StoreInner) -> Vec<(&'static str, String)> {
    let st = &inner.persist;
    let bg = st.bg_in_progress();
    let current = if bg { st.bg_started.lock().map_or(-1, |t| t.elapsed().as_secs() as i64) } else { -1 };
    let aof = st.aof.log.get().is_some() as u8;
    let mut fields = vec![
        ("loading", "0".into()),
        ("async_loading", "0".into()),
        ("rdb_changes_since_last_save", st.changes_since_save().to_string()),
        ("rdb_bgsave_in_progress", (bg as u8).to_string()),
        ("rdb_last_save_time", (st.last_save_ms() / 1000).to_string()),
        ("rdb_last_bgsave_status", if st.last_bg_ok.load(Ordering::Relaxed) { "ok" } else { "err" }.into()),
        ("rdb_last_bgsave_time_sec", st.last_bg_secs.load(Ordering::Relaxed).to_string()),
        ("rdb_current_bgsave_time_sec", current.to_string()),
        ("rdb_saves", st.saves.load(Ordering::Relaxed).to_string()),
        ("rdb_last_load_keys_expired", st.loaded_expired.load(Ordering::Relaxed).to_string()),
        ("rdb_last_load_keys_loaded", st.loaded_keys.load(Ordering::Relaxed).to_string()),
        ("aof_enabled", aof.to_string()),
    ];
    let a = &st.aof;
    let rewriting = a.rewriting.load(Ordering::Relaxed);
    let log = a.log.get();
    let ok = |b: bool| if b { "ok" } else { "err" }.to_string();
    let current_rw = if rewriting { a.started.lock().map_or(-1, |t| t.elapsed().as_secs() as i64) } else { -1 };
    fields.extend([
        ("aof_rewrite_in_progress", (rewriting as u8).to_string()),
        ("aof_rewrite_scheduled", (a.scheduled.load(Ordering::Relaxed) as u8).to_string()),
        ("aof_last_rewrite_time_sec", a.last_rewrite_secs.load(Ordering::Relaxed).to_string()),
        ("aof_current_rewrite_time_sec", current_rw.to_string()),
        ("aof_last_bgrewrite_status", ok(!a.last_rewrite_failed.load(Ordering::Relaxed))),
        ("aof_rewrites", a.rewrites.load(Ordering::Relaxed).to_string()),
        ("aof_last_write_status", ok(log.is_none_or(|l| l.error().is_none()))),
    ]);
    if let Some(log) = log {
        fields.extend([
            ("aof_current_size", a.current_size().to_string()),
            ("aof_base_size", a.base_size.load(Ordering::Relaxed).to_string()),
            ("aof_pending_rewrite", (a.scheduled.load(Ordering::Relaxed) as u8).to_string()),
            ("aof_buffer_length", log.buffered().to_string()),
        ]);
    }
    fields
}

/// What `kv check` reports about a snapshot file.
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    pub summary: Summary,
    /// Keys per database (index = database).
    pub keys_per_db: Vec<u64>,
    /// Keys per type: string, list, set, zset, hash.
    pub keys_per_type: [u64; 5],
    pub with_expiry: u64,
    /// Keys whose expiry is before `now` (a load would skip them).
    pub expired: u64,
}

/// Verifies a snapshot file completely (framing, checksums, every record
/// decodes into a value) without loading it into a store.
pub fn check(path: &Path, now_ms: u64) -> Result<CheckReport, Error> {
    let mut r = CheckReport::default();
    let summary = reader::walk(path, |rec, _, _| {
        let db = rec.db as usize;
        if r.keys_per_db.len() <= db {
            if db >= 1 << 20 {
                return Err(format!("database {db} out of range"));
            }
            r.keys_per_db.resize(db + 1, 0);
        }
        r.keys_per_db[db] += 1;
        let ty = match &rec.data {
            Data::String(_) => 0,
            Data::List(_) => 1,
            Data::Set(_) => 2,
            Data::ZSet(_) => 3,
            Data::Hash(_) => 4,
        };
        r.keys_per_type[ty] += 1;
        if let Some(t) = rec.expire {
            r.with_expiry += 1;
            if t < now_ms {
                r.expired += 1;
            }
        }
        // Rebuilt as a load would (as of time 0, so no field is skipped).
        record::to_value(rec.data, 0).map(|_| ()).map_err(str::to_string)
    })?;
    r.summary = summary;
    Ok(r)
}
