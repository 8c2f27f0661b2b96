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

use super::decode::{self, Body};
use super::reader::{self, Position, Summary, Visitor};
use super::record::{self, Data, Record};
use super::{Error, LoadProgress, ProgressFn};
use crate::dict::NewValue;
use crate::shard::Shard;
use crate::store::StoreInner;
use crate::value::{StrEnc, Value};

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

impl Worker<'_> {
    /// Stores one key (of a record already checked to be its database's).
    fn store(
        &mut self,
        db: u32,
        key: &[u8],
        expire: Option<u64>,
        value: Built<'_>,
        pos: &Position,
    ) -> Result<(), String> {
        let load = self.load;
        let inner = load.inner;
        let h = inner.hash(key);
        let i = inner.shard_of(db as usize, h);
        if self.held.as_ref().is_none_or(|(j, _)| *j != i) {
            // One lock at a time: let go before taking the next.
            self.held = None;
            self.held = Some((i, inner.shards[i].write_unchecked()));
        }
        let shard = &mut self.held.as_mut().expect("held").1;
        // A key replaced is a duplicate: the open fails, so what it
        // replaced does not matter (one probe instead of a lookup first).
        let replaced = match value {
            Built::Str(s) => shard.insert(key, h, NewValue::Bytes(s, StrEnc::for_value(s)), expire, load.lru),
            Built::Value(v) => shard.insert(key, h, v, expire, load.lru),
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

    /// Whether a record of `db` expiring at `expire` is skipped (counted).
    fn check(&mut self, db: u32, expire: Option<u64>) -> Result<bool, String> {
        let load = self.load;
        if db >= load.databases {
            return Err(format!("database {db} out of range (the store has {})", load.databases));
        }
        let expired = expire.is_some_and(|t| t < load.now);
        self.expired += expired as u64;
        Ok(expired)
    }

    /// A record bincode decoded (the types the hand reader leaves to it).
    fn record(&mut self, rec: Record<'_>, pos: &Position) -> Result<(), String> {
        if self.check(rec.db, rec.expire)? {
            return Ok(());
        }
        let value = match rec.data {
            Data::String(s) => return self.store(rec.db, &rec.key.0, rec.expire, Built::Str(&s.0), pos),
            data => record::to_value(data, self.load.now)?,
        };
        self.built(rec.db, &rec.key.0, rec.expire, value, pos)
    }

    fn built(
        &mut self,
        db: u32,
        key: &[u8],
        expire: Option<u64>,
        v: Option<Value>,
        pos: &Position,
    ) -> Result<(), String> {
        match v {
            Some(v) => self.store(db, key, expire, Built::Value(v), pos),
            None => {
                // A hash whose fields all expired.
                self.expired += 1;
                Ok(())
            }
        }
    }
}

/// A value ready to store.
enum Built<'a> {
    Str(&'a [u8]),
    Value(Value),
}

impl Visitor for Worker<'_> {
    fn visit(&mut self, buf: &[u8], _: u64, pos: &Position) -> Result<usize, String> {
        let Some(r) = decode::raw(buf) else {
            let (rec, used) = reader::decode(buf)?;
            self.record(rec, pos)?;
            return Ok(used);
        };
        if self.check(r.db, r.expire)? {
            return Ok(r.len);
        }
        let now = self.load.now;
        match r.body {
            Body::String(s) => self.store(r.db, r.key, r.expire, Built::Str(s), pos)?,
            Body::ZSet(n, e) => {
                let v = record::zset_value(n, decode::zset_items(n, e))?;
                self.built(r.db, r.key, r.expire, Some(v), pos)?
            }
            Body::Hash(n, e) => {
                let v = record::hash_value(n, decode::hash_fields(n, e), now)?;
                self.built(r.db, r.key, r.expire, v, pos)?
            }
        }
        Ok(r.len)
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
