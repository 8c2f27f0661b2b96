//! Point-in-time snapshots without fork: copy-on-write by groups of keys.
//!
//! A save starts by taking every shard's write lock in index order (the
//! global lock order), giving every shard a [`ShardCow`] (and marking it
//! "pending") at the time `t0`, then releasing them. Each shard's keys are
//! split into groups by the low bits of their hash (about
//! [`GROUP_KEYS`] keys a group, so a group's size does not grow with the
//! store). From then on:
//!
//! * the saver visits shards in order and, for each, groups in order:
//!   under the shard's lock it encodes a group that is still pending and
//!   marks it done, then writes what the shard has collected outside the
//!   lock;
//! * every change to a key goes through [`Shard`]'s mutators, which first
//!   encode the key's group if it is still pending (its state at `t0`,
//!   since nobody changed it since) and mark it done; a change to the
//!   whole shard (FLUSHDB, SWAPDB) encodes every pending group first.
//!
//! So what the saver gets for every key is its state at `t0`, and every
//! key is filtered for expiry against `t0`. The check in the mutators is
//! one test of a field of the locked shard when no save runs. The longest
//! stall a command can see is one group's encoding (a few hundred
//! microseconds; measured in bench/results/persist.md), or the saver's
//! hold of a shard lock for one group. A single huge value (a collection
//! of millions of elements) is one record, so its group costs its size.
//! The active expiry sweep skips shards still pending.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bincode::error::EncodeError;
use parking_lot::RwLockWriteGuard;

use super::frame::BLOCK_TARGET;
use super::writer::{Encoded, FrameWriter};
use super::Error;
use crate::dict::Dict;
use crate::shard::Shard;
use crate::store::StoreInner;

/// About this many keys per group (groups are a power of two per shard).
pub const GROUP_KEYS: usize = 256;
/// The saver encodes groups until it has visited about this many keys,
/// then releases the shard's lock to write them.
const SAVER_STEP: usize = 256;
/// Encoded records are kept in pieces of about this many bytes.
const PIECE: usize = 64 << 10;

/// A shard's part of a running save: which groups of keys are still to
/// be encoded as of `t0`, and the records encoded so far.
pub struct ShardCow {
    db: u32,
    t0: u64,
    groups: usize,
    done: Vec<bool>,
    /// The next group the saver looks at.
    next: usize,
    /// Encoded so far, in pieces of up to [`PIECE`] bytes (a buffer that
    /// grew by doubling would copy everything now and then, under a lock).
    out: Vec<Encoded>,
    err: Option<EncodeError>,
    /// Longest encoding a change had to wait for.
    longest: Duration,
}

impl ShardCow {
    pub fn new(db: u32, t0: u64, keys: usize) -> ShardCow {
        let groups = keys.div_ceil(GROUP_KEYS).next_power_of_two().clamp(1, 1 << 20);
        ShardCow {
            db,
            t0,
            groups,
            done: vec![false; groups],
            next: 0,
            out: Vec::new(),
            err: None,
            longest: Duration::ZERO,
        }
    }

    /// Encodes group `g`; returns how many keys it visited.
    fn encode_group(&mut self, dict: &Dict, g: usize) -> usize {
        self.done[g] = true;
        if self.out.last().is_none_or(|e| e.buf.len() >= PIECE) {
            if let Some(e) = self.out.last_mut() {
                e.cut();
            }
            let mut e = Encoded::default();
            e.buf.reserve(PIECE + PIECE / 4);
            self.out.push(e);
        }
        let (db, t0) = (self.db, self.t0);
        let (out, err) = (self.out.last_mut().expect("pushed above"), &mut self.err);
        let mut n = 0;
        dict.for_group(g, self.groups, |slot| {
            n += 1;
            if err.is_none() {
                if let Err(e) = out.push_slot(db, slot, t0) {
                    *err = Some(e);
                }
            }
        });
        n
    }

    /// What was encoded so far, its blocks finished.
    fn take_out(&mut self) -> Vec<Encoded> {
        if let Some(e) = self.out.last_mut() {
            e.cut();
        }
        std::mem::take(&mut self.out)
    }

    /// A key with this hash is about to change: its group first.
    #[cold]
    pub fn before_change(&mut self, dict: &Dict, hash: u64) {
        let g = hash as usize & (self.groups - 1);
        if !self.done[g] {
            let started = Instant::now();
            self.encode_group(dict, g);
            self.longest = self.longest.max(started.elapsed());
        }
    }

    /// The whole shard is about to change: every pending group first.
    #[cold]
    pub fn before_change_all(&mut self, dict: &Dict) {
        let started = Instant::now();
        for g in 0..self.groups {
            if !self.done[g] {
                self.encode_group(dict, g);
            }
        }
        self.longest = self.longest.max(started.elapsed());
    }

    /// The saver's turn: encodes pending groups until about
    /// [`SAVER_STEP`] records are collected; true once every group is done.
    fn step(&mut self, dict: &Dict) -> bool {
        let mut keys = 0;
        while self.next < self.groups {
            let g = self.next;
            self.next += 1;
            if !self.done[g] {
                keys += self.encode_group(dict, g);
                if keys >= SAVER_STEP {
                    break;
                }
            }
        }
        self.next == self.groups
    }
}

impl StoreInner {
    /// The write lock of shard `i`. A running save's copy-on-write happens
    /// in [`Shard`]'s mutators, key group by key group.
    #[inline]
    pub(crate) fn write_shard(&self, i: usize) -> RwLockWriteGuard<'_, Shard> {
        self.shards[i].write_unchecked()
    }

    /// The write lock of shard `i` if it is free right now and not pending
    /// a save (the active expiry sweep skips such a shard this time).
    pub(crate) fn try_write_shard(&self, i: usize) -> Option<RwLockWriteGuard<'_, Shard>> {
        let cell = &self.shards[i];
        let g = cell.try_write_unchecked()?;
        (!cell.pending.load(Ordering::Relaxed)).then_some(g)
    }

    pub(crate) fn db_of(&self, i: usize) -> u32 {
        (i >> self.shard_bits) as u32
    }

    /// Starts a point in time: every shard pending, `t0` now. Returns the
    /// change counter as of that moment. `at_mark` runs while every shard
    /// is locked, so no command is half done (a log rewrite switches its
    /// file there).
    pub(crate) fn mark_point_in_time(&self, at_mark: impl FnOnce()) -> u64 {
        let mut guards: Vec<_> = self.shards.iter().map(|c| c.write_unchecked()).collect();
        let t0 = self.now_ms();
        self.persist.t0.store(t0, Ordering::Relaxed);
        for (i, g) in guards.iter_mut().enumerate() {
            g.cow = Some(Box::new(ShardCow::new(self.db_of(i), t0, g.len())));
            self.shards[i].pending.store(true, Ordering::Relaxed);
        }
        let dirty = self.persist.changes_total();
        at_mark();
        drop(guards);
        dirty
    }

    /// Writes shard `i`'s records as of the point in time, a few groups
    /// per hold of its lock.
    pub(crate) fn save_shard<W: std::io::Write>(
        &self,
        i: usize,
        w: &mut FrameWriter<W>,
        io_err: impl Fn(std::io::Error) -> Error,
    ) -> Result<(), Error> {
        // What the steps collect, written in blocks of about BLOCK_TARGET
        // (the steps are small; blocks that small would cost a load more).
        let mut block = Encoded::default();
        loop {
            let mut g = self.shards[i].write_unchecked();
            let shard = &mut *g;
            let Some(cow) = shard.cow.as_deref_mut() else {
                return Err(Error::Internal("a shard's save state went missing"));
            };
            let finished = cow.step(&shard.dict);
            let out = cow.take_out();
            if finished {
                let cow = shard.cow.take().expect("checked above");
                self.shards[i].pending.store(false, Ordering::Relaxed);
                self.persist.note_stall(cow.longest);
                if cow.err.is_some() {
                    return Err(Error::Internal("a record could not be encoded"));
                }
            }
            drop(g);
            for e in &out {
                block.append(e);
            }
            if finished || block.buf.len() >= BLOCK_TARGET {
                block.cut();
                w.shard(&block).map_err(&io_err)?;
                block.clear();
            }
            if finished {
                return Ok(());
            }
        }
    }

    /// Ends a point in time early (a failed save): drops the save state
    /// of shards `from..`.
    pub(crate) fn abandon_point_in_time(&self, from: usize) {
        for i in from..self.shards.len() {
            let mut g = self.shards[i].write_unchecked();
            g.cow = None;
            self.shards[i].pending.store(false, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persist::record;

    fn shard_with(n: usize) -> Shard {
        let mut s = Shard::empty(ahash::RandomState::with_seeds(1, 2, 3, 4));
        for i in 0..n {
            let k = format!("key:{i}");
            let h = s.dict.hash(k.as_bytes());
            s.insert(k.as_bytes(), h, crate::value::Value::string(format!("v{i}")), None, 0);
        }
        s
    }

    /// Keys of `e`, decoded.
    fn keys(e: &Encoded) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < e.buf.len() {
            let (r, used) = record::decode(&e.buf[at..]).unwrap();
            let record::Data::String(v) = r.data else { panic!("string") };
            out.push((r.key.0.into_owned(), v.0.into_owned()));
            at += used;
        }
        out
    }

    /// A change encodes one group (of about GROUP_KEYS keys), not the
    /// shard; every key ends up encoded once, with its value at the start.
    #[test]
    fn a_change_hands_off_one_group_and_every_key_once() {
        let n = 40_000;
        let mut s = shard_with(n);
        s.cow = Some(Box::new(ShardCow::new(0, 1, s.len())));
        let groups = s.cow.as_ref().unwrap().groups;
        assert!(groups >= n / GROUP_KEYS, "{groups} groups");
        let k = b"key:7";
        let h = s.dict.hash(k);
        s.insert(k, h, crate::value::Value::string("changed"), None, 0);
        let handed: usize = s.cow.as_ref().unwrap().out.iter().map(|e| e.records_pending() as usize).sum();
        assert!(handed > 0 && handed <= 2 * GROUP_KEYS, "one change handed off {handed} records");
        // New keys (growing the table) and deletions while the save runs.
        for i in 0..20_000 {
            let k = format!("new:{i}");
            let h = s.dict.hash(k.as_bytes());
            s.insert(k.as_bytes(), h, crate::value::Value::string("x"), None, 0);
        }
        for i in (0..n).step_by(3) {
            let k = format!("key:{i}");
            let h = s.dict.hash(k.as_bytes());
            s.remove(k.as_bytes(), h);
        }
        let mut cow = s.cow.take().unwrap();
        while !cow.step(&s.dict) {}
        let mut got: Vec<_> = cow.take_out().iter().flat_map(keys).collect();
        got.sort();
        let mut want: Vec<(Vec<u8>, Vec<u8>)> =
            (0..n).map(|i| (format!("key:{i}").into_bytes(), format!("v{i}").into_bytes())).collect();
        want.sort();
        assert_eq!(got.len(), want.len());
        assert!(got == want, "the shard as it was at the start");
    }

    /// FLUSHDB's clear hands off everything first.
    #[test]
    fn clearing_hands_off_every_pending_group() {
        let mut s = shard_with(5_000);
        s.cow = Some(Box::new(ShardCow::new(0, 1, s.len())));
        s.clear();
        let mut cow = s.cow.take().unwrap();
        assert!(cow.step(&s.dict));
        assert_eq!(cow.take_out().iter().flat_map(keys).count(), 5_000);
    }
}
