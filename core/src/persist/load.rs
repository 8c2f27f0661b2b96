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
/// Files from this size get their tables sized first, and may load on
/// more than the caller's thread.
const BIG_FILE: u64 = 8 << 20;

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

/// One worker: the shard it holds, counts not yet added to the totals, and
/// room for a block's records.
struct Worker<'a> {
    load: &'a Load<'a>,
    held: Option<(usize, RwLockWriteGuard<'a, Shard>)>,
    loaded: u64,
    expired: u64,
    /// The block's string records, to insert shard by shard.
    batch: Vec<Pending>,
    /// Indices into `batch`, by shard.
    order: Vec<u32>,
}

/// A string record of a block waiting for its insert.
struct Pending {
    shard: u32,
    hash: u64,
    /// Offset in the block payload.
    at: u32,
    key: (u32, u32),
    value: (u32, u32),
    expire: Option<u64>,
}

/// How many records ahead of an insert its table entry is prefetched: an
/// insert into a big table is a cache miss, and a few in flight at once
/// cost little more than one.
const PREFETCH: usize = 8;

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
        let inner = self.load.inner;
        let h = inner.hash(key);
        self.store_hashed(inner.shard_of(db as usize, h), h, key, expire, value, pos)
    }

    /// Holds shard `i`'s lock (one lock at a time: the last one goes first).
    fn hold(&mut self, i: usize) {
        if self.held.as_ref().is_none_or(|(j, _)| *j != i) {
            self.held = None;
            self.held = Some((i, self.load.inner.shards[i].write_unchecked()));
        }
    }

    /// [`Worker::store`] of a key whose hash and shard are known.
    fn store_hashed(
        &mut self,
        i: usize,
        h: u64,
        key: &[u8],
        expire: Option<u64>,
        value: Built<'_>,
        pos: &Position,
    ) -> Result<(), String> {
        let load = self.load;
        self.hold(i);
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

    /// Reads a block into `batch` if it holds `count` string records of
    /// databases the store has and nothing else (records expired at the
    /// load's time are counted and left out); false otherwise, with
    /// nothing counted.
    fn read_strings(&mut self, payload: &[u8], count: u32) -> bool {
        let load = self.load;
        let inner = load.inner;
        self.batch.clear();
        let (mut at, mut n, mut expired) = (0usize, 0u32, 0u64);
        while at < payload.len() {
            let Some(r) = decode::raw_string(&payload[at..]) else { return false };
            if n == count || r.db >= load.databases {
                return false;
            }
            let Body::String(v) = r.body else { return false };
            if r.expire.is_some_and(|t| t < load.now) {
                expired += 1;
            } else {
                let h = inner.hash(r.key);
                let off = |s: &[u8]| (s.as_ptr() as usize - payload.as_ptr() as usize) as u32;
                self.batch.push(Pending {
                    shard: inner.shard_of(r.db as usize, h) as u32,
                    hash: h,
                    at: at as u32,
                    key: (off(r.key), r.key.len() as u32),
                    value: (off(v), v.len() as u32),
                    expire: r.expire,
                });
            }
            at += r.len;
            n += 1;
        }
        if n != count {
            return false;
        }
        self.expired += expired;
        true
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

    /// A block of string records only (what a snapshot of strings holds)
    /// is read through first, then inserted shard by shard, each insert's
    /// table entry prefetched a few records ahead: the loading store's
    /// shards are not the writing store's (its hash seeds differ), so a
    /// block's keys go to every shard. Any other block goes record by
    /// record. Reading first finds problems of reading in file order;
    /// the only problem an insert finds is a duplicate key, whose records
    /// are in one shard and inserted in file order, so the problem
    /// reported is the block's first either way.
    fn visit_block(&mut self, payload: &[u8], count: u32, data_at: u64, pos: &Position) -> Result<(), (u64, String)> {
        if payload.len() > u32::MAX as usize || !self.read_strings(payload, count) {
            return reader::visit_records(self, payload, count, data_at, pos);
        }
        let shards = self.load.inner.shards.len();
        // Counting sort of the records by shard, file order kept.
        let mut starts = vec![0u32; shards + 1];
        for p in &self.batch {
            starts[p.shard as usize + 1] += 1;
        }
        for i in 0..shards {
            starts[i + 1] += starts[i];
        }
        self.order.clear();
        self.order.resize(self.batch.len(), 0);
        let mut next = starts.clone();
        for (j, p) in self.batch.iter().enumerate() {
            self.order[next[p.shard as usize] as usize] = j as u32;
            next[p.shard as usize] += 1;
        }
        let mut problem: Option<(u64, String)> = None;
        let batch = std::mem::take(&mut self.batch);
        let order = std::mem::take(&mut self.order);
        for w in starts.windows(2).filter(|w| w[0] < w[1]) {
            let group = &order[w[0] as usize..w[1] as usize];
            for (k, &j) in group.iter().enumerate() {
                let p = &batch[j as usize];
                self.hold(p.shard as usize);
                if let Some(&ahead) = group.get(k + PREFETCH) {
                    if let Some((_, shard)) = &self.held {
                        shard.dict.prefetch(batch[ahead as usize].hash);
                    }
                }
                let span = |(a, n): (u32, u32)| &payload[a as usize..(a + n) as usize];
                let (key, value) = (span(p.key), span(p.value));
                let rec_at = data_at + p.at as u64;
                if let Err(what) = self.store_hashed(p.shard as usize, p.hash, key, p.expire, Built::Str(value), pos) {
                    if problem.as_ref().is_none_or(|(at, _)| rec_at < *at) {
                        problem = Some((rec_at, what));
                    }
                }
            }
        }
        (self.batch, self.order) = (batch, order);
        problem.map_or(Ok(()), Err)
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
    let big = std::fs::metadata(path).is_ok_and(|m| m.len() >= BIG_FILE);
    let workers = if big { default_workers() } else { 1 };
    load_with(&load, workers, big)
}

/// Inserting threads for a big file: one per two cores. A snapshot holds
/// each shard's records in a run of blocks, so workers taking neighbouring
/// blocks mostly wait for the same shard's lock; only spare cores (the
/// reading thread takes one) make a second worker pay.
fn default_workers() -> usize {
    (std::thread::available_parallelism().map_or(1, |n| n.get()) / 2).clamp(1, MAX_WORKERS)
}

fn load_with(load: &Load<'_>, workers: usize, big: bool) -> Result<Summary, Error> {
    let (inner, path) = (load.inner, load.path);
    if big {
        // Tables sized once for what each shard will hold (a big load
        // would otherwise grow each about twenty times, moving every key):
        // a database's keys spread evenly over its shards.
        for (db, n) in reader::db_counts(path).unwrap_or_default().into_iter().enumerate() {
            if n == 0 || db >= inner.databases() {
                continue;
            }
            let range = inner.db_range(db);
            let each = n as usize / range.len();
            for i in range {
                inner.shards[i].write_unchecked().reserve(each + each / 32 + 16);
            }
        }
    }
    let summary = reader::walk_with(path, workers, || Worker {
        load,
        held: None,
        loaded: 0,
        expired: 0,
        batch: Vec::new(),
        order: Vec::new(),
    })?;
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
