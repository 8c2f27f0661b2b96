//! Point-in-time snapshots without fork: shard-level copy-on-write.
//!
//! A save starts by taking every shard's write lock in index order (the
//! global lock order), marking every shard "pending" and noting the time
//! `t0`, then releasing them. From then on:
//!
//! * the saver visits shards in order; under a shard's read lock, if it is
//!   still pending, it encodes the shard's records and clears the mark,
//!   otherwise it takes the records a writer handed over;
//! * a writer that takes the write lock of a pending shard first encodes
//!   that shard's records (its state at `t0`, since nobody changed it since)
//!   into the shard's hand-off slot and clears the mark, then proceeds.
//!
//! So what the saver gets for every shard is its state at `t0`, and every
//! key is filtered for expiry against `t0`. Every path that write-locks a
//! shard goes through [`StoreInner::write_shard`] or
//! [`StoreInner::try_write_shard`]; when no save runs the check is one
//! relaxed atomic load. The longest stall a command can see is one shard's
//! encoding (measured in bench/results/persist.md): more shards
//! (`Config::shard_bits`) make it shorter.

use std::sync::atomic::Ordering;
use std::time::Instant;

use parking_lot::RwLockWriteGuard;

use super::writer::{encode_shard, Encoded};
use super::Error;
use crate::shard::Shard;
use crate::store::StoreInner;

impl StoreInner {
    /// The write lock of shard `i`, after handing its contents to a running
    /// save if it is still pending.
    #[inline]
    pub(crate) fn write_shard(&self, i: usize) -> RwLockWriteGuard<'_, Shard> {
        let cell = &self.shards[i];
        let g = cell.write_unchecked();
        if cell.pending.load(Ordering::Relaxed) {
            self.hand_off(i, &g);
        }
        g
    }

    /// The write lock of shard `i` if it is free right now and not pending
    /// a save (the active expiry sweep skips such a shard this time).
    pub(crate) fn try_write_shard(&self, i: usize) -> Option<RwLockWriteGuard<'_, Shard>> {
        let cell = &self.shards[i];
        let g = cell.try_write_unchecked()?;
        (!cell.pending.load(Ordering::Relaxed)).then_some(g)
    }

    #[cold]
    fn hand_off(&self, i: usize, shard: &Shard) {
        let started = Instant::now();
        let t0 = self.persist.t0.load(Ordering::Relaxed);
        let encoded = encode_shard(shard, self.db_of(i), t0);
        *self.persist.handoff[i].lock() = Some(encoded);
        self.shards[i].pending.store(false, Ordering::Relaxed);
        self.persist.note_stall(started.elapsed());
    }

    pub(crate) fn db_of(&self, i: usize) -> u32 {
        (i >> self.shard_bits) as u32
    }

    /// Starts a point in time: every shard pending, `t0` now. Returns the
    /// change counter as of that moment. `at_mark` runs while every shard
    /// is locked, so no command is half done (a log rewrite switches its
    /// file there).
    pub(crate) fn mark_point_in_time(&self, at_mark: impl FnOnce()) -> u64 {
        let guards: Vec<_> = self.shards.iter().map(|c| c.write_unchecked()).collect();
        self.persist.t0.store(self.now_ms(), Ordering::Relaxed);
        for c in self.shards.iter() {
            c.pending.store(true, Ordering::Relaxed);
        }
        let dirty = self.persist.changes_total();
        at_mark();
        drop(guards);
        dirty
    }

    /// Shard `i`'s records as of the point in time.
    pub(crate) fn take_shard(&self, i: usize) -> Result<Encoded, Error> {
        let cell = &self.shards[i];
        let g = cell.read();
        let encoded = if cell.pending.load(Ordering::Relaxed) {
            let t0 = self.persist.t0.load(Ordering::Relaxed);
            let e = encode_shard(&g, self.db_of(i), t0);
            cell.pending.store(false, Ordering::Relaxed);
            e
        } else {
            self.persist.handoff[i].lock().take().ok_or(Error::Internal("a shard's records went missing"))?
        };
        drop(g);
        encoded.map_err(|e| Error::Internal(leak_encode_error(e)))
    }

    /// Ends a point in time early (a failed save): clears the marks left
    /// and drops what writers handed over.
    pub(crate) fn abandon_point_in_time(&self, from: usize) {
        for i in from..self.shards.len() {
            let _g = self.shards[i].read();
            self.shards[i].pending.store(false, Ordering::Relaxed);
        }
        for slot in self.persist.handoff.iter() {
            slot.lock().take();
        }
    }
}

fn leak_encode_error(_: bincode::error::EncodeError) -> &'static str {
    "a record could not be encoded"
}
