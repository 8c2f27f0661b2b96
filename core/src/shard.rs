//! One lock shard of a database: its slice of the keyspace, the expiry
//! index for the active sweep, and its statistics.
//!
//! Every change to a key goes through `Shard` so the count of keys with an
//! expiry and the expiry heap stay right.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::dict::{Dict, NewValue, Slot};
use crate::persist::cow::ShardCow;
use crate::value::Value;

pub struct Shard {
    pub dict: Dict,
    /// (expire time, key hash) for every expiry ever set; stale entries
    /// (key gone, expiry changed) are skipped when popped and the heap is
    /// rebuilt when they pile up.
    expires: BinaryHeap<Reverse<(u64, u64)>>,
    /// Keys in this shard that carry an expiry.
    volatile: usize,
    /// Sub-element expiry hook: (time, key hash) of values whose elements
    /// expire (hash fields). Entries may be stale: the sweep asks the value
    /// ([`Value::next_sub_expiry`] / [`Value::expire_subs`]) and re-queues it.
    sub_expires: BinaryHeap<Reverse<(u64, u64)>>,
    /// WATCHed keys of this shard: a change counter per key and how many
    /// sessions watch it. Every change to a watched key bumps its counter;
    /// EXEC compares the counters with those seen at WATCH. Empty (one
    /// length check per change) while nobody watches. The table belongs to
    /// the shard's place, not to its contents: SWAPDB leaves it in place.
    watched: HashMap<Box<[u8]>, Watch>,
    /// A running save's state for this shard: every change first lets it
    /// encode what it still needs (see [`crate::persist::cow`]). Like the
    /// watch table it belongs to the shard's place: SWAPDB leaves it.
    pub(crate) cow: Option<Box<ShardCow>>,
}

/// One watched key: its change counter and its number of watchers.
struct Watch {
    version: u64,
    watchers: u32,
}

/// Counters kept beside each shard's lock, so threads working on different
/// shards never write the same cache line.
#[derive(Default)]
pub struct ShardStats {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    pub expired: AtomicU64,
}

impl ShardStats {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// A shard with its lock and counters, on its own cache lines.
#[repr(align(128))]
pub struct ShardCell {
    /// Private: writers go through [`crate::store::StoreInner::write_shard`]
    /// (or, to skip a shard pending a save, `try_write_shard`).
    lock: RwLock<Shard>,
    pub stats: ShardStats,
    /// A running save still has keys of this shard to write as of its
    /// point in time (see [`crate::persist::cow`]); the active expiry sweep
    /// leaves the shard alone meanwhile.
    pub pending: AtomicBool,
}

impl ShardCell {
    pub fn new(hasher: ahash::RandomState) -> ShardCell {
        ShardCell {
            lock: RwLock::new(Shard::empty(hasher)),
            stats: ShardStats::default(),
            pending: AtomicBool::new(false),
        }
    }

    #[inline]
    pub fn read(&self) -> RwLockReadGuard<'_, Shard> {
        self.lock.read()
    }

    /// The write lock. A running save's copy-on-write is in [`Shard`]'s
    /// mutators, so any holder is safe; commands go through
    /// `StoreInner::write_shard`, the sweep through `try_write_shard`.
    pub fn write_unchecked(&self) -> RwLockWriteGuard<'_, Shard> {
        self.lock.write()
    }

    /// [`ShardCell::write_unchecked`] if the lock is free.
    pub fn try_write_unchecked(&self) -> Option<RwLockWriteGuard<'_, Shard>> {
        self.lock.try_write()
    }
}

/// What a removal hands back.
pub struct Removed {
    pub value: Value,
    pub expire: Option<u64>,
}

impl Shard {
    pub fn empty(hasher: ahash::RandomState) -> Shard {
        Shard {
            dict: Dict::new(hasher),
            expires: BinaryHeap::new(),
            volatile: 0,
            sub_expires: BinaryHeap::new(),
            watched: HashMap::new(),
            cow: None,
        }
    }

    // ---- WATCH -------------------------------------------------------------

    /// Registers one watcher of `key`; returns the key's change counter.
    pub fn watch(&mut self, key: &[u8]) -> u64 {
        let w = self.watched.entry(key.into()).or_insert(Watch { version: 0, watchers: 0 });
        w.watchers += 1;
        w.version
    }

    /// Drops one watcher of `key` (the entry goes with the last one).
    pub fn unwatch(&mut self, key: &[u8]) {
        if let Some(w) = self.watched.get_mut(key) {
            w.watchers -= 1;
            if w.watchers == 0 {
                self.watched.remove(key);
            }
        }
    }

    /// The change counter of a watched key.
    pub fn watch_version(&self, key: &[u8]) -> Option<u64> {
        self.watched.get(key).map(|w| w.version)
    }

    pub fn has_watches(&self) -> bool {
        !self.watched.is_empty()
    }

    pub fn is_watched(&self, key: &[u8]) -> bool {
        !self.watched.is_empty() && self.watched.contains_key(key)
    }

    /// Records a change to `key` for its watchers, if any.
    #[inline]
    pub fn touch(&mut self, key: &[u8]) {
        if !self.watched.is_empty() {
            if let Some(w) = self.watched.get_mut(key) {
                w.version += 1;
            }
        }
    }

    /// The watched keys of this shard (to decide which a FLUSHDB or SWAPDB
    /// changes).
    pub fn watched_keys(&self) -> Vec<Vec<u8>> {
        self.watched.keys().map(|k| k.to_vec()).collect()
    }

    pub fn len(&self) -> usize {
        self.dict.len()
    }

    /// Makes room for `n` keys in all (a load that knows how many come).
    pub fn reserve(&mut self, n: usize) {
        self.dict.reserve(n);
    }
    pub fn volatile(&self) -> usize {
        self.volatile
    }

    #[inline]
    pub fn get(&self, key: &[u8], hash: u64) -> Option<&Slot> {
        self.dict.get(key, hash)
    }

    /// A slot to change (a running save first takes the key's state).
    #[inline]
    pub fn get_mut(&mut self, key: &[u8], hash: u64) -> Option<&mut Slot> {
        self.before_change(hash);
        self.dict.get_mut(key, hash)
    }

    /// Lets a running save encode the group of the key with this hash
    /// before it changes.
    #[inline]
    fn before_change(&mut self, hash: u64) {
        if let Some(cow) = self.cow.as_deref_mut() {
            cow.before_change(&self.dict, hash);
        }
    }

    /// Lets a running save encode everything it still needs before the
    /// whole shard changes.
    fn before_change_all(&mut self) {
        if let Some(cow) = self.cow.as_deref_mut() {
            cow.before_change_all(&self.dict);
        }
    }

    /// Stores `value` under `key`, replacing any previous value and expiry;
    /// whether a key was replaced.
    pub fn insert<'v>(
        &mut self,
        key: &[u8],
        hash: u64,
        value: impl Into<NewValue<'v>>,
        expire: Option<u64>,
        lru: u32,
    ) -> bool {
        let value = value.into();
        self.before_change(hash);
        self.touch(key);
        if let NewValue::Owned(v) = &value {
            if let Some(t) = v.next_sub_expiry() {
                self.watch_sub_expiry(hash, t);
            }
        }
        let old = self.dict.insert(key, hash, value, expire, lru);
        if let Some(Some(_)) = old {
            self.volatile -= 1;
        }
        if let Some(t) = expire {
            self.volatile += 1;
            self.expires.push(Reverse((t, hash)));
        }
        old.is_some()
    }

    /// Removes a key (a change its watchers see).
    pub fn remove(&mut self, key: &[u8], hash: u64) -> Option<Removed> {
        let r = self.remove_expired(key, hash)?;
        self.touch(key);
        Some(r)
    }

    /// Removes a key that has expired: no change for its watchers, who
    /// see it gone from the time it expired (EXEC checks that itself).
    pub fn remove_expired(&mut self, key: &[u8], hash: u64) -> Option<Removed> {
        self.before_change(hash);
        let (value, expire) = self.dict.remove(key, hash)?;
        if expire.is_some() {
            self.volatile -= 1;
        }
        self.maybe_compact_heap();
        Some(Removed { value, expire })
    }

    /// Sets or clears the expiry of an existing key; false if it is absent.
    pub fn set_expire(&mut self, key: &[u8], hash: u64, expire: Option<u64>) -> bool {
        self.before_change(hash);
        let Some(slot) = self.dict.get_mut(key, hash) else { return false };
        let had = slot.expire_at().is_some();
        // Clearing an expiry the key does not have is no change.
        if !self.watched.is_empty() && (had || expire.is_some()) {
            if let Some(w) = self.watched.get_mut(key) {
                w.version += 1;
            }
        }
        slot.set_expire(expire);
        match (had, expire) {
            (false, Some(_)) => self.volatile += 1,
            (true, None) => self.volatile -= 1,
            _ => {}
        }
        if let Some(t) = expire {
            self.expires.push(Reverse((t, hash)));
        }
        self.maybe_compact_heap();
        true
    }

    /// Asks the sweep to visit the value under `hash` at time `t` (a hash
    /// field got an expiry).
    pub fn watch_sub_expiry(&mut self, hash: u64, t: u64) {
        self.sub_expires.push(Reverse((t, hash)));
    }

    /// Sweeps values whose elements are due: deletes those elements, the
    /// key if nothing is left, and re-queues the value's next expiry.
    /// Returns (elements deleted, whether more are due).
    fn expire_subs_due(&mut self, now: u64, limit: usize) -> (usize, bool) {
        let mut deleted = 0;
        while let Some(&Reverse((when, hash))) = self.sub_expires.peek() {
            if when >= now {
                return (deleted, false);
            }
            if deleted >= limit {
                return (deleted, true);
            }
            self.sub_expires.pop();
            self.before_change(hash);
            for key in self.dict.keys_with_hash(hash) {
                let Some(v) = self.dict.get_mut(&key, hash).and_then(Slot::value_mut) else { continue };
                let n = v.expire_subs(now, limit);
                deleted += n;
                let (empty, next) = (v.is_empty_at(now), v.next_sub_expiry());
                if n > 0 {
                    self.touch(&key);
                }
                if empty {
                    self.remove(&key, hash);
                } else if let Some(t) = next {
                    self.sub_expires.push(Reverse((t, hash)));
                }
            }
        }
        (deleted, false)
    }

    pub fn clear(&mut self) {
        self.before_change_all();
        self.dict.clear();
        self.sub_expires = BinaryHeap::new();
        self.expires = BinaryHeap::new();
        self.volatile = 0;
    }

    /// Swaps the contents with another shard (SWAPDB); the watch tables
    /// stay where they are.
    pub fn swap(&mut self, other: &mut Shard) {
        self.before_change_all();
        other.before_change_all();
        std::mem::swap(self, other);
        std::mem::swap(&mut self.watched, &mut other.watched);
        std::mem::swap(&mut self.cow, &mut other.cow);
    }

    /// Deletes up to `limit` keys whose expiry is before `now`;
    /// returns how many were deleted and whether more are due.
    /// `deleted_keys`: where to put the keys deleted (for the log).
    pub fn expire_due(&mut self, now: u64, limit: usize, deleted_keys: Option<&mut Vec<Vec<u8>>>) -> (usize, bool) {
        let (_, subs_more) = self.expire_subs_due(now, limit);
        let (deleted, more) = self.expire_keys_due(now, limit, deleted_keys);
        (deleted, more || subs_more)
    }

    fn expire_keys_due(&mut self, now: u64, limit: usize, mut out: Option<&mut Vec<Vec<u8>>>) -> (usize, bool) {
        let mut deleted = 0;
        while let Some(&Reverse((when, hash))) = self.expires.peek() {
            if when >= now {
                return (deleted, false);
            }
            if deleted >= limit {
                return (deleted, true);
            }
            self.expires.pop();
            for key in self.dict.keys_with_hash(hash) {
                let due = self.dict.get(&key, hash).is_some_and(|s| s.expire_at().is_some_and(|t| t < now));
                if due {
                    self.remove_expired(&key, hash);
                    deleted += 1;
                    if let Some(out) = out.as_deref_mut() {
                        out.push(key.to_vec());
                    }
                }
            }
        }
        (deleted, false)
    }

    /// Rebuilds the expiry heap once stale entries outnumber live ones.
    fn maybe_compact_heap(&mut self) {
        if self.expires.len() > 1024 && self.expires.len() > self.volatile * 4 {
            let heap =
                self.dict.iter().filter_map(|s| s.expire_at().map(|t| Reverse((t, self.dict.hash(s.key()))))).collect();
            self.expires = heap;
        }
    }

    pub fn mem_usage(&self) -> usize {
        self.dict.mem_usage() + (self.expires.capacity() + self.sub_expires.capacity()) * 16
    }
}
