//! The append-only log's files and their life: a manifest naming a base
//! (a snapshot-format image of a point in time) and the incremental log
//! files written since, in the directory `<data dir>/appendonlydir`
//! (docs/FORMAT.md).
//!
//! * Opening loads the base (as of its own time: nothing in it is
//!   filtered for expiry, the log replayed after it decides) and replays
//!   the incremental files in order; a torn tail of the last one is
//!   truncated with a warning.
//! * A rewrite (BGREWRITEAOF, or automatic once the log grew by
//!   `rewrite_percentage` past `rewrite_min_size`) creates the next
//!   incremental file and lists it in the manifest, then, holding every
//!   shard lock, marks the point in time of the new base and switches the
//!   appends to the new file. The base is written by the copy-on-write
//!   snapshot machinery while commands go on; once it is on disk the
//!   manifest is replaced (temp file, fsync, rename, directory fsync) by
//!   one naming the new base and the new incremental file, and the old
//!   files are deleted. A crash at any step leaves a manifest whose files
//!   hold every write.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use parking_lot::Mutex;

use super::log::Log;
use super::writer::{sync_dir, TempFile};
use super::{replay, write_point_in_time, Error, Job};
use crate::store::StoreInner;

/// The log's directory inside the data directory.
pub const DIR: &str = "appendonlydir";
pub const MANIFEST: &str = "manifest";

/// Which files make up the log, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Manifest {
    /// The number the newest files carry.
    pub seq: u64,
    pub base: Option<String>,
    pub incrs: Vec<String>,
}

impl Manifest {
    pub fn encode(&self) -> String {
        let mut s = String::from("# kv append-only log manifest v1\n");
        if let Some(b) = &self.base {
            s += &format!("file {b} type b\n");
        }
        for i in &self.incrs {
            s += &format!("file {i} type i\n");
        }
        s
    }

    /// Parses a manifest; an error names the byte offset of the bad line.
    pub fn parse(path: &Path, text: &[u8]) -> Result<Manifest, Error> {
        let mut m = Manifest::default();
        let mut off = 0u64;
        let corrupt = |offset, what: &str| Error::Corrupt { path: path.to_path_buf(), offset, what: what.into() };
        for line in text.split_inclusive(|&b| b == b'\n') {
            let at = off;
            off += line.len() as u64;
            let Some(l) = line.strip_suffix(b"\n") else { return Err(corrupt(at, "line without newline")) };
            if l.is_empty() || l[0] == b'#' {
                continue;
            }
            let l = std::str::from_utf8(l).map_err(|_| corrupt(at, "not UTF-8"))?;
            let parts: Vec<&str> = l.split(' ').collect();
            let ["file", name, "type", ty] = parts[..] else { return Err(corrupt(at, "bad line")) };
            let seq = file_seq(name).ok_or_else(|| corrupt(at, "bad file name"))?;
            match ty {
                "b" if m.base.is_none() && m.incrs.is_empty() => m.base = Some(name.into()),
                "i" => m.incrs.push(name.into()),
                _ => return Err(corrupt(at, "bad file type or order")),
            }
            m.seq = m.seq.max(seq);
        }
        if m.incrs.is_empty() {
            return Err(corrupt(off, "no incremental file"));
        }
        Ok(m)
    }

    fn files(&self) -> impl Iterator<Item = &String> {
        self.base.iter().chain(self.incrs.iter())
    }
}

/// `base.<n>.kvs` / `incr.<n>.aof`: n.
fn file_seq(name: &str) -> Option<u64> {
    let mut p = name.split('.');
    let (kind, n, ext) = (p.next()?, p.next()?, p.next()?);
    let ok = p.next().is_none() && matches!((kind, ext), ("base", "kvs") | ("incr", "aof"));
    ok.then(|| n.parse().ok()).flatten()
}

fn base_name(seq: u64) -> String {
    format!("base.{seq}.kvs")
}

fn incr_name(seq: u64) -> String {
    format!("incr.{seq}.aof")
}

/// The log's state in a store.
#[derive(Default)]
pub(crate) struct AofState {
    pub log: OnceLock<Arc<Log>>,
    dir: OnceLock<PathBuf>,
    manifest: Mutex<Manifest>,
    pub base_size: AtomicU64,
    /// Log size right after the last rewrite (growth is measured from it).
    pub rewrite_base_size: AtomicU64,
    pub rewriting: AtomicBool,
    pub scheduled: AtomicBool,
    pub last_rewrite_failed: AtomicBool,
    pub last_rewrite_secs: AtomicI64,
    pub started: Mutex<Option<Instant>>,
    pub rewrites: AtomicU64,
}

impl AofState {
    /// Base plus every incremental file.
    pub fn current_size(&self) -> u64 {
        let Some(log) = self.log.get() else { return 0 };
        self.base_size.load(Ordering::Relaxed) + log.retired_size.load(Ordering::Relaxed) + log.active_size()
    }
}

fn read_manifest(adir: &Path) -> Result<Option<Manifest>, Error> {
    let path = adir.join(MANIFEST);
    match fs::read(&path) {
        Ok(text) => Manifest::parse(&path, &text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("reading", &path, e)),
    }
}

fn write_manifest(adir: &Path, m: &Manifest) -> Result<(), Error> {
    let tmp = TempFile::for_target(&adir.join(MANIFEST));
    let result = (|| {
        let mut f = tmp.create()?;
        std::io::Write::write_all(&mut f, m.encode().as_bytes()).map_err(|e| Error::io("writing", &tmp.tmp, e))?;
        tmp.commit(f)
    })();
    if result.is_err() {
        tmp.discard();
    }
    result
}

fn create_incr(adir: &Path, name: &str) -> Result<File, Error> {
    let path = adir.join(name);
    let f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| Error::io("creating log file", &path, e))?;
    sync_dir(&path)?;
    Ok(f)
}

/// Loads the log's files if the directory has a manifest; false if not.
pub(crate) fn load(inner: &StoreInner, data_dir: &Path) -> Result<bool, Error> {
    let adir = data_dir.join(DIR);
    let Some(m) = read_manifest(&adir)? else { return Ok(false) };
    if let Some(b) = &m.base {
        // As of its own point in time: what expired since, the log decides.
        super::load::load_snapshot_at(inner, &adir.join(b), 0)?;
    }
    let n = m.incrs.len();
    for (i, name) in m.incrs.iter().enumerate() {
        let path = adir.join(name);
        let last = i + 1 == n;
        if last && !path.exists() {
            continue; // created at the next start
        }
        let s = replay::replay_file(inner, &path, last)?;
        if s.torn.is_some() {
            replay::truncate(&path, s.valid_len)?;
        }
    }
    Ok(true)
}

/// Starts appending: to the manifest's last incremental file, or (no
/// manifest yet) to a new log whose base is what the store holds now.
pub(crate) fn start(inner: &StoreInner, data_dir: &Path) -> Result<(), Error> {
    let adir = data_dir.join(DIR);
    fs::create_dir_all(&adir).map_err(|e| Error::io("creating log directory", &adir, e))?;
    let aof = &inner.persist.aof;
    let m = match read_manifest(&adir)? {
        Some(m) => m,
        None => {
            let mut m = Manifest { seq: 1, base: None, incrs: vec![incr_name(1)] };
            if inner.shards.iter().any(|s| s.read().len() > 0) {
                inner.mark_point_in_time(|| {});
                let base = adir.join(base_name(1));
                write_point_in_time(inner, &base)?;
                m.base = Some(base_name(1));
            }
            create_incr(&adir, &m.incrs[0])?;
            write_manifest(&adir, &m)?;
            m
        }
    };
    remove_strays(&adir, &m);
    let last = m.incrs.last().expect("a manifest lists an incremental file");
    let path = adir.join(last);
    let file = create_incr(&adir, last)?;
    let size = file.metadata().map_err(|e| Error::io("reading metadata of", &path, e))?.len();
    let base_size = m.base.as_ref().and_then(|b| fs::metadata(adir.join(b)).ok()).map_or(0, |md| md.len());
    let older: u64 =
        m.incrs[..m.incrs.len() - 1].iter().filter_map(|i| fs::metadata(adir.join(i)).ok()).map(|md| md.len()).sum();
    let p = &inner.config.persist;
    let log = Log::start(file, path.clone(), size, p.fsync, p.log_faults.clone())
        .map_err(|e| Error::io("starting the log thread for", &path, e))?;
    log.retired_size.store(older, Ordering::Relaxed);
    aof.base_size.store(base_size, Ordering::Relaxed);
    aof.rewrite_base_size.store(base_size + older + size, Ordering::Relaxed);
    *aof.manifest.lock() = m;
    let _ = aof.dir.set(adir);
    let _ = aof.log.set(log);
    Ok(())
}

/// Deletes what a crash during a rewrite left: files of ours that the
/// manifest does not name, and temporary files.
fn remove_strays(adir: &Path, m: &Manifest) {
    let Ok(entries) = fs::read_dir(adir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let ours = file_seq(&name).is_some() || (name.starts_with('.') && name.contains(".tmp-"));
        if ours && !m.files().any(|f| *f == name) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// BGREWRITEAOF: switches appends to a new file at a point in time and
/// writes that point in time as the new base on a thread.
pub(crate) fn bgrewrite(inner: &Arc<StoreInner>) -> Result<(), Error> {
    let aof = &inner.persist.aof;
    let (Some(log), Some(adir)) = (aof.log.get(), aof.dir.get()) else { return Err(Error::NoLog) };
    inner.persist.acquire(Job::Rewrite, false)?;
    aof.scheduled.store(false, Ordering::Relaxed);
    *aof.started.lock() = Some(Instant::now());
    let started = (|| {
        let mut m = aof.manifest.lock().clone();
        let seq = m.seq + 1;
        let name = incr_name(seq);
        let file = create_incr(adir, &name)?;
        m.seq = seq;
        m.incrs.push(name.clone());
        write_manifest(adir, &m)?;
        *aof.manifest.lock() = m;
        // Every command before the mark appended to the old file (appends
        // happen under shard locks), every one after goes to the new one.
        inner.mark_point_in_time(|| log.switch(file, adir.join(&name)));
        Ok(seq)
    })();
    let seq = match started {
        Ok(seq) => seq,
        Err(e) => {
            finish(inner, false);
            return Err(e);
        }
    };
    let store = inner.clone();
    let spawned = std::thread::Builder::new().name("kv-aofrw".into()).spawn(move || {
        let ok = write_base(&store, seq).is_ok();
        finish(&store, ok);
    });
    if let Err(e) = spawned {
        inner.abandon_point_in_time(0);
        finish(inner, false);
        return Err(Error::io("starting the rewrite thread for", adir, e));
    }
    Ok(())
}

fn write_base(inner: &StoreInner, seq: u64) -> Result<(), Error> {
    let aof = &inner.persist.aof;
    let adir = aof.dir.get().ok_or(Error::NoLog)?;
    let name = base_name(seq);
    let stats = write_point_in_time(inner, &adir.join(&name))?;
    let old = aof.manifest.lock().clone();
    let m = Manifest { seq, base: Some(name.clone()), incrs: vec![incr_name(seq)] };
    write_manifest(adir, &m)?;
    *aof.manifest.lock() = m;
    for f in old.files().filter(|f| **f != name && **f != incr_name(seq)) {
        let _ = fs::remove_file(adir.join(f));
    }
    let log = aof.log.get().ok_or(Error::NoLog)?;
    log.retired_size.store(0, Ordering::Relaxed);
    aof.base_size.store(stats.bytes, Ordering::Relaxed);
    aof.rewrite_base_size.store(stats.bytes + log.active_size(), Ordering::Relaxed);
    Ok(())
}

fn finish(inner: &StoreInner, ok: bool) {
    let aof = &inner.persist.aof;
    if let Some(t) = *aof.started.lock() {
        aof.last_rewrite_secs.store(t.elapsed().as_secs() as i64, Ordering::Relaxed);
    }
    aof.last_rewrite_failed.store(!ok, Ordering::Relaxed);
    if ok {
        aof.rewrites.fetch_add(1, Ordering::Relaxed);
    }
    inner.persist.release();
}

/// Automatic rewrite (from the store's periodic work): a scheduled one
/// once no save runs, or once the log has grown enough.
pub(crate) fn cron(inner: &StoreInner) {
    let aof = &inner.persist.aof;
    if aof.log.get().is_none() || aof.rewriting.load(Ordering::Relaxed) || !inner.persist.idle() {
        return;
    }
    let p = &inner.config.persist;
    let size = aof.current_size();
    let base = aof.rewrite_base_size.load(Ordering::Relaxed).max(1);
    let grown = p.rewrite_percentage > 0
        && size >= p.rewrite_min_size
        && (size - base.min(size)) * 100 / base >= p.rewrite_percentage;
    let retry_ok = !aof.last_rewrite_failed.load(Ordering::Relaxed)
        || aof.started.lock().is_none_or(|t| t.elapsed().as_secs() >= 5);
    if (aof.scheduled.load(Ordering::Relaxed) || grown) && retry_ok {
        if let Some(me) = inner.me.upgrade() {
            let _ = bgrewrite(&me);
        }
    }
}

/// Writes what the log buffers, fsyncs it and stops its thread.
pub(crate) fn close(inner: &StoreInner) {
    if let Some(log) = inner.persist.aof.log.get() {
        log.shutdown();
    }
}

/// Files named by a log directory's manifest, oldest first.
pub fn manifest_files(adir: &Path) -> Result<Vec<PathBuf>, Error> {
    let m = read_manifest(adir)?
        .ok_or_else(|| Error::io("reading", &adir.join(MANIFEST), std::io::ErrorKind::NotFound.into()))?;
    Ok(m.files().map(|f| adir.join(f)).collect())
}
