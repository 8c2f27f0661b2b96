//! Loading a snapshot into a new store's shards, on the caller's thread
//! and, for big files, helper threads (one per core, up to
//! [`MAX_WORKERS`]): each takes whole blocks and inserts their records,
//! holding a shard's lock while consecutive records go to that shard
//! (the writer keeps a block's records in one shard). Progress is reported
//! every 100 ms or so with the totals of every worker.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLockWriteGuard};

use super::reader::{self, Position, Summary, Visitor};
use super::record::{self, Data, Record};
use super::{Error, LoadProgress, ProgressFn};
use crate::dict::NewValue;
use crate::shard::Shard;
use crate::store::StoreInner;
use crate::value::StrEnc;

/// Threads inserting at most (the caller's included).
const MAX_WORKERS: usize = 4;
/// Files smaller than this load on the caller's thread alone.
const PARALLEL_FROM_BYTES: u64 = 8 << 20;

/// What the workers of one load share.
struct Load<'a> {
    inner: &'a StoreInner,
    path: &'a Path,
    now: u64,
    lru: u32,
    databases: u32,
    progress: Option<&'a ProgressFn>,
    loaded: AtomicU64,
    expired: AtomicU64,
    last_report: Mutex<Instant>,
}

impl Load<'_> {
    fn report(&self, pos: &Position) {
        let Some(f) = self.progress else { return };
        {
            let Some(mut last) = self.last_report.try_lock() else { return };
            if last.elapsed() < Duration::from_millis(100) {
                return;
            }
            *last = Instant::now();
        }
        f(&LoadProgress {
            path: self.path.to_path_buf(),
            bytes_read: pos.offset,
            bytes_total: pos.total,
            keys_loaded: self.loaded.load(Ordering::Relaxed),
            keys_expired: self.expired.load(Ordering::Relaxed),
            elapsed: pos.started.elapsed(),
            done: false,
            warning: None,
        });
    }
}

/// One worker: the shard it holds and counts not yet added to the totals.
struct Worker<'a> {
    load: &'a Load<'a>,
    held: Option<(usize, RwLockWriteGuard<'a, Shard>)>,
    loaded: u64,
    expired: u64,
}

impl Worker<'_> {
    fn flush_counts(&mut self) {
        self.load.loaded.fetch_add(std::mem::take(&mut self.loaded), Ordering::Relaxed);
        self.load.expired.fetch_add(std::mem::take(&mut self.expired), Ordering::Relaxed);
    }
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        self.flush_counts();
    }
}

impl Visitor for Worker<'_> {
    fn record(&mut self, rec: Record<'_>, _: u64, pos: &Position) -> Result<(), String> {
        let load = self.load;
        if rec.db >= load.databases {
            return Err(format!("database {} out of range (the store has {})", rec.db, load.databases));
        }
        if rec.expire.is_some_and(|t| t < load.now) {
            self.expired += 1;
            return Ok(());
        }
        let key: &[u8] = &rec.key.0;
        let inner = load.inner;
        let h = inner.hash(key);
        let i = inner.shard_of(rec.db as usize, h);
        if self.held.as_ref().is_none_or(|(j, _)| *j != i) {
            // One lock at a time: let go before taking the next.
            self.held = None;
            self.held = Some((i, inner.shards[i].write_unchecked()));
        }
        let shard = &mut self.held.as_mut().expect("held").1;
        // A key replaced is a duplicate: the open fails, so what it
        // replaced does not matter (one probe instead of a lookup first).
        let replaced = match rec.data {
            Data::String(s) => {
                shard.insert(key, h, NewValue::Bytes(&s.0, StrEnc::for_value(&s.0)), rec.expire, load.lru)
            }
            data => match record::to_value(data, load.now)? {
                Some(v) => shard.insert(key, h, v, rec.expire, load.lru),
                None => {
                    self.expired += 1;
                    return Ok(());
                }
            },
        };
        if replaced {
            return Err("duplicate key".into());
        }
        self.loaded += 1;
        if self.loaded >= 8192 {
            self.flush_counts();
            load.report(pos);
        }
        Ok(())
    }

    fn block_done(&mut self) {
        self.held = None;
    }
}

/// Loads a snapshot, skipping what expired before `now`.
pub(crate) fn load_snapshot_at(inner: &StoreInner, path: &Path, now: u64) -> Result<Summary, Error> {
    let load = Load {
        inner,
        path,
        now,
        lru: StoreInner::lru_clock(now),
        databases: inner.databases() as u32,
        progress: inner.config.persist.on_load_progress.as_ref(),
        loaded: AtomicU64::new(0),
        expired: AtomicU64::new(0),
        last_report: Mutex::new(Instant::now()),
    };
    let big = std::fs::metadata(path).is_ok_and(|m| m.len() >= PARALLEL_FROM_BYTES);
    let workers = if big { std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_WORKERS) } else { 1 };
    let summary = reader::walk_with(path, workers, || Worker { load: &load, held: None, loaded: 0, expired: 0 })?;
    let (loaded, expired) = (load.loaded.load(Ordering::Relaxed), load.expired.load(Ordering::Relaxed));
    let st = &inner.persist;
    st.loaded_keys.store(loaded, Ordering::Relaxed);
    st.loaded_expired.store(expired, Ordering::Relaxed);
    if let Some(f) = load.progress {
        f(&LoadProgress {
            path: path.to_path_buf(),
            bytes_read: summary.bytes,
            bytes_total: summary.bytes,
            keys_loaded: loaded,
            keys_expired: expired,
            elapsed: Duration::ZERO,
            done: true,
            warning: None,
        });
    }
    Ok(summary)
}
