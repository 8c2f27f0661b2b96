//! Command context and the locking scheme.
//!
//! # Locking
//!
//! Every database is split into `2^shard_bits` shards by the top bits of a
//! key's hash; each shard is a `parking_lot::RwLock<Shard>`. All shards of
//! all databases sit in one array, and a shard's index in it
//! (`db << shard_bits | shard`) is the global lock order.
//!
//! * Before a handler runs, the dispatcher locks the shards of every key
//!   the command table names for it (first/last/step key positions), in
//!   ascending index order, shared for read-only commands and exclusive for
//!   write commands, and holds them until the reply is built. So every
//!   command is atomic, commands on keys in different shards run in
//!   parallel, and multi-key commands (MSET, MGET, RENAME, BITOP, ...) are
//!   atomic with respect to each other without deadlock: everyone locks in
//!   the same order.
//! * Commands that address a whole database (KEYS, DBSIZE, FLUSHDB,
//!   RANDOMKEY) lock all of its shards; those that span databases
//!   (SWAPDB, FLUSHALL, MOVE, COPY ... DB) lock what they need themselves
//!   through [`Ctx::lock_dbs`] / [`Ctx::lock_keys`], again in index order
//!   and only while holding nothing else. SWAPDB swaps shard contents
//!   pairwise under both databases' locks, so no reader ever sees one
//!   database half swapped. SCAN locks one shard at a time between calls
//!   (its guarantees do not need more).
//! * A context that already holds every lock (a transaction's EXEC) makes
//!   further lock requests no-ops.
//! * WATCH: each shard keeps a change counter for its watched keys (see
//!   [`Shard::touch`]); every change made through a context bumps it:
//!   insert, removal, expiry change, and a value changed in place through
//!   a slot [`Ctx::write`] handed out (the slot's `&mut` accessors mark it
//!   dirty; the mark is collected when the command ends, and dropped if
//!   the command failed, since Redis signals a key only when it changed).
//!   Expired keys deleted lazily or by the sweep are no change: EXEC checks
//!   expiry itself.
//! * The active expiry sweep only `try_write`s a shard, so it never waits
//!   behind a command nor makes one wait for more than one batch.
//!
//! # Expiry
//!
//! Expiry times are absolute Unix milliseconds stored with the key. A read
//! under a shared lock treats an expired key as absent; a write lookup
//! deletes it (lazy expiry). Each shard also keeps a min-heap of expiry
//! times that the active sweep pops, so keys nobody touches are freed too.

use std::cell::Cell;

use parking_lot::{RwLockReadGuard, RwLockWriteGuard};
use smallvec::SmallVec;

use crate::cmd::transactions::{self, TxnState};
use crate::cmd::CommandSpec;
use crate::dict::{NewValue, Slot};
use crate::persist::log::{Records, Ticket};
use crate::persist::propagate;
use crate::session::SessionState;
use crate::shard::{Removed, Shard, ShardStats};
use crate::store::{CommandCell, StoreInner};
use crate::value::{Kind, StrEnc, Value, ValueRef};

enum Guard<'a> {
    R(RwLockReadGuard<'a, Shard>),
    W(RwLockWriteGuard<'a, Shard>),
}

impl Guard<'_> {
    #[inline]
    fn shard(&self) -> &Shard {
        match self {
            Guard::R(g) => g,
            Guard::W(g) => g,
        }
    }
    #[inline]
    fn shard_mut(&mut self) -> &mut Shard {
        match self {
            Guard::W(g) => g,
            Guard::R(_) => panic!("write access under a read lock: the command table flags are wrong"),
        }
    }
}

/// What a handler works with: the store, its session, the time the command
/// started, and the shard locks it holds.
pub struct Ctx<'a> {
    pub(crate) store: &'a StoreInner,
    pub sess: &'a mut SessionState,
    /// Unix ms of the command, read from the clock on first use and then
    /// fixed for the whole command (0: not read yet). Commands that never
    /// meet an expiry never read the precise clock, whose read orders the
    /// CPU's pipeline and costs a hot GET more than the lookup itself.
    now: Cell<u64>,
    /// Coarse Unix ms when the command started (LRU clock, sweep pacing).
    coarse_ms: u64,
    lru: u32,
    /// The guard of a one-key command ([`Ctx::lock_key`]): shard index
    /// and guard, kept out of `held` so the common case neither searches
    /// nor iterates a list.
    single: Option<(usize, Guard<'a>)>,
    /// The key [`Ctx::lock_key`] locked (address and length, which
    /// identify it while it is borrowed for the command) and its hash, so
    /// looking that key up does not hash it again.
    key_hash: (usize, usize, u64),
    /// Held guards of any other command, sorted by shard index.
    held: SmallVec<[(usize, Guard<'a>); 4]>,
    /// Every shard is held (in index order): lock requests are no-ops.
    all: bool,
    /// Watched keys handed out by [`Ctx::write_in`] whose dirty marks are
    /// still to be collected: (shard index, key, the value before if
    /// `compare_writes`).
    watched_writes: Vec<(usize, Box<[u8]>, Option<Value>)>,
    /// The command running (set by the dispatcher). If it changes a key
    /// only when the value ends different (SADD of a present member is no
    /// change for WATCH, as in Redis), watched values are copied when
    /// handed out and compared afterwards.
    pub(crate) spec: Option<&'static CommandSpec>,
    /// The session's transaction state (MULTI queue, watches), when the
    /// command runs from a session.
    pub(crate) txn: Option<&'a mut TxnState>,
    /// A write lock was taken: a typed fast path that did so counts as one
    /// change for the save rules when it ends.
    wrote: bool,
    /// The context of a typed fast path (`Session::fast`), not of the
    /// dispatcher: its changes are counted and logged when it ends.
    pub(crate) fast: bool,
    /// The store keeps an append-only log: what this context changes is
    /// collected in `records` and appended before its locks are released.
    pub(crate) logging: bool,
    pub(crate) records: Records,
    /// [`Ctx::finish`] ran.
    finished: bool,
    /// The session's command count (EXEC counts the commands it runs).
    pub(crate) counter: Option<&'a CommandCell>,
}

impl<'a> Ctx<'a> {
    #[inline]
    pub(crate) fn new(store: &'a StoreInner, sess: &'a mut SessionState) -> Ctx<'a> {
        let coarse_ms = store.config.clock.coarse_ms();
        let lru = StoreInner::lru_clock(coarse_ms);
        Ctx {
            store,
            sess,
            now: Cell::new(0),
            coarse_ms,
            lru,
            single: None,
            key_hash: (0, 0, 0),
            held: SmallVec::new(),
            all: false,
            watched_writes: Vec::new(),
            spec: None,
            txn: None,
            wrote: false,
            fast: false,
            logging: store.persist.aof.log.get().is_some(),
            records: Records::default(),
            finished: false,
            counter: None,
        }
    }

    /// Fixes this command's time (a log replay runs each command at the
    /// time it ran; 0: read the clock).
    pub(crate) fn set_now(&self, t: u64) {
        self.now.set(t);
    }

    /// Appends what this context recorded to the log (its locks still
    /// held, so appends for a key follow the key's changes).
    pub(crate) fn flush_log(&mut self) -> Option<Ticket> {
        if self.records.is_empty() {
            return None;
        }
        let log = self.store.persist.aof.log.get()?;
        let t = self.now.get();
        let ticket = log.append(&self.records, (t != 0).then_some(t));
        self.records.clear();
        Some(ticket)
    }

    /// Unix ms of this command; every expiry decision of a command sees the
    /// same instant, as in Redis.
    pub fn now(&self) -> u64 {
        match self.now.get() {
            0 => {
                let t = self.store.now_ms().max(1);
                self.now.set(t);
                t
            }
            t => t,
        }
    }

    /// Coarse time the command started (milliseconds, a few ms of jitter).
    pub(crate) fn coarse_ms(&self) -> u64 {
        self.coarse_ms
    }

    /// The selected database.
    pub fn db(&self) -> usize {
        self.sess.db
    }

    pub fn databases(&self) -> usize {
        self.store.databases()
    }

    pub(crate) fn store(&self) -> &'a StoreInner {
        self.store
    }

    // ---- locking -------------------------------------------------------

    fn lock_indices(&mut self, mut idx: SmallVec<[usize; 8]>, write: bool) {
        if self.all {
            return;
        }
        assert!(self.held.is_empty() && self.single.is_none(), "locks are taken once per command, in index order");
        idx.sort_unstable();
        idx.dedup();
        for i in idx {
            let g = if write { Guard::W(self.store.write_shard(i)) } else { Guard::R(self.store.shards[i].read()) };
            self.wrote |= write;
            self.held.push((i, g));
        }
    }

    /// Locks the shard holding one key of the selected database: what
    /// [`Ctx::lock_keys`] does for one key, without collecting and sorting.
    /// The key's hash is kept for the command's lookups of the same key,
    /// so `key` must stay borrowed, unchanged, until the command ends or
    /// [`Ctx::unlock`] (the dispatcher and the fast paths pass the
    /// command's own argument).
    #[inline]
    pub(crate) fn lock_key(&mut self, write: bool, key: &[u8]) {
        if self.all {
            return;
        }
        assert!(self.held.is_empty() && self.single.is_none(), "locks are taken once per command, in index order");
        if write && self.logging && self.fast {
            // A typed fast path logs the state of what it locked.
            self.records.fast_keys.push((self.sess.db, Box::from(key)));
        }
        let h = self.store.hash(key);
        self.key_hash = (key.as_ptr() as usize, key.len(), h);
        let i = self.store.shard_of(self.sess.db, h);
        self.wrote |= write;
        self.single =
            Some((i, if write { Guard::W(self.store.write_shard(i)) } else { Guard::R(self.store.shards[i].read()) }));
    }

    /// Locks the shards holding `keys` (each with its database).
    pub fn lock_keys<'k>(&mut self, write: bool, keys: impl IntoIterator<Item = (usize, &'k [u8])>) {
        // A typed fast path (no command) logs the state of what it locked.
        let fast_log = write && self.logging && self.fast;
        let mut fast_keys = Vec::new();
        let idx = keys
            .into_iter()
            .map(|(db, k)| {
                if fast_log {
                    fast_keys.push((db, Box::from(k)));
                }
                self.store.shard_of(db, self.store.hash(k))
            })
            .collect();
        self.records.fast_keys.extend(fast_keys);
        self.lock_indices(idx, write);
    }

    /// Locks every shard of the given databases.
    pub fn lock_dbs(&mut self, write: bool, dbs: &[usize]) {
        let idx = dbs.iter().flat_map(|&db| self.store.db_range(db)).collect();
        self.lock_indices(idx, write);
    }

    /// Locks one shard of a database (SCAN walks a database one shard at a
    /// time, calling [`Ctx::unlock`] before moving to the next).
    pub fn lock_shard(&mut self, write: bool, db: usize, shard: usize) {
        let i = self.store.db_range(db).start + shard;
        self.lock_indices(SmallVec::from_slice(&[i]), write);
    }

    /// Releases every lock taken so far, so the command may lock again
    /// (a no-op when the context holds everything, as in EXEC).
    pub fn unlock(&mut self) {
        self.settle_writes(true);
        if !self.all {
            self.flush_log();
            self.single = None;
            self.key_hash = (0, 0, 0);
            self.held.clear();
        }
    }

    /// Locks every shard of every database, exclusively.
    pub fn lock_all(&mut self) {
        if self.all {
            return;
        }
        self.lock_indices((0..self.store.shards.len()).collect(), true);
        self.all = true;
    }

    /// Whether this context holds every lock (a transaction's EXEC): lock
    /// requests are no-ops and blocking commands must not wait.
    pub fn holds_all(&self) -> bool {
        self.all
    }

    /// Forgets the command's time so the next [`Ctx::now`] reads the clock
    /// again (a blocking command retrying after it waited).
    pub(crate) fn restart_clock(&mut self) {
        self.now.set(0);
    }

    #[inline]
    fn guard(&self, i: usize) -> &Guard<'a> {
        if let Some((j, g)) = &self.single {
            if *j == i {
                return g;
            }
        }
        let pos = if self.all {
            i
        } else {
            self.held.binary_search_by_key(&i, |(j, _)| *j).unwrap_or_else(|_| panic!("shard {i} not locked"))
        };
        &self.held[pos].1
    }

    #[inline]
    fn guard_mut(&mut self, i: usize) -> &mut Guard<'a> {
        if let Some((j, g)) = &mut self.single {
            if *j == i {
                return g;
            }
        }
        let pos = if self.all {
            i
        } else {
            self.held.binary_search_by_key(&i, |(j, _)| *j).unwrap_or_else(|_| panic!("shard {i} not locked"))
        };
        &mut self.held[pos].1
    }

    /// A locked shard by global index.
    #[inline]
    pub(crate) fn shard(&self, i: usize) -> &Shard {
        self.guard(i).shard()
    }

    #[inline]
    pub(crate) fn shard_mut(&mut self, i: usize) -> &mut Shard {
        self.guard_mut(i).shard_mut()
    }

    #[inline]
    fn locate(&self, db: usize, key: &[u8]) -> (usize, u64) {
        let (p, n, h) = self.key_hash;
        let h = if key.as_ptr() as usize == p && key.len() == n && p != 0 { h } else { self.store.hash(key) };
        (self.store.shard_of(db, h), h)
    }

    /// Whether a key is live at this command's time. As in Redis, a key is
    /// expired only once the clock is strictly past its expiry time.
    pub fn live(&self, s: &Slot) -> bool {
        s.expire_at().is_none_or(|t| t >= self.now())
    }

    // ---- reads -----------------------------------------------------------

    /// Looks a key up for a read command: counts a keyspace hit or miss and
    /// records the access time. Expired keys are absent.
    pub fn read_in(&self, db: usize, key: &[u8]) -> Option<&Slot> {
        let (i, h) = self.locate(db, key);
        read_lookup(&self.store.shards[i].stats, self.shard(i), key, h, Some(self.lru), || self.now())
    }

    pub fn read(&self, key: &[u8]) -> Option<&Slot> {
        self.read_in(self.sess.db, key)
    }

    /// Looks a key up as Redis's LOOKUP_NOTOUCH reads do (EXISTS, TYPE,
    /// TTL, OBJECT): counts a keyspace hit or miss, leaves the access time.
    pub fn read_notouch(&self, key: &[u8]) -> Option<&Slot> {
        let (i, h) = self.locate(self.sess.db, key);
        read_lookup(&self.store.shards[i].stats, self.shard(i), key, h, None, || self.now())
    }

    /// Looks a key up without counting stats or touching its access time
    /// (a command's internal checks, which Redis makes with LOOKUP_NOSTATS
    /// or as write lookups).
    pub fn peek_in(&self, db: usize, key: &[u8]) -> Option<&Slot> {
        let (i, h) = self.locate(db, key);
        self.shard(i).get(key, h).filter(|s| self.live(s))
    }

    pub fn peek(&self, key: &[u8]) -> Option<&Slot> {
        self.peek_in(self.sess.db, key)
    }

    // ---- writes ----------------------------------------------------------

    /// Deletes `key` if it has expired (lazy expiry); true if it did.
    fn expire_if_due(&mut self, i: usize, key: &[u8], h: u64) -> bool {
        // A shard without keys that expire needs no lookup; otherwise the
        // clock is read only for a key that has an expiry.
        if self.shard(i).volatile() == 0 {
            return false;
        }
        let due = self.shard(i).get(key, h).is_some_and(|s| s.expire_at().is_some_and(|t| t < self.now()));
        if due {
            self.shard_mut(i).remove_expired(key, h);
            ShardStats::add(&self.store.shards[i].stats.expired, 1);
            if self.logging {
                // Lazy expiry is logged as the DEL it is, as in Redis.
                let db = self.store.db_of(i) as usize;
                self.records.command(db, &[b"DEL", key]);
            }
        }
        due
    }

    /// Looks a key up for modification (lazily deleting it if expired).
    #[inline]
    pub fn write_in(&mut self, db: usize, key: &[u8]) -> Option<&mut Slot> {
        let (i, h) = self.locate(db, key);
        let lru = self.lru;
        let shard = self.shard(i);
        // A shard without keys that expire nor watched keys (the common
        // case) needs neither check.
        if shard.volatile() != 0 || shard.has_watches() {
            self.before_write(i, key, h);
        }
        self.shard_mut(i).get_mut(key, h).inspect(|s| s.touch(lru))
    }

    /// Lazy expiry and WATCH tracking for a key about to be handed out.
    fn before_write(&mut self, i: usize, key: &[u8], h: u64) {
        self.expire_if_due(i, key, h);
        if self.shard(i).is_watched(key) {
            self.track_write(i, key, h);
        }
    }

    /// Starts collecting the dirty mark of a watched key's slot.
    #[cold]
    fn track_write(&mut self, i: usize, key: &[u8], h: u64) {
        if self.watched_writes.iter().any(|(j, k, _)| *j == i && **k == *key) {
            return; // already tracked: its mark accumulates
        }
        let compare = self.spec.is_some_and(transactions::changes_only_if_different);
        let before = self.shard_mut(i).get_mut(key, h).and_then(|s| {
            s.take_dirty();
            compare.then(|| s.to_value())
        });
        self.watched_writes.push((i, key.into(), before));
    }

    /// Collects the dirty marks of the watched slots handed out so far:
    /// changes for their watchers if `changed` (the command succeeded) and,
    /// where the value was copied, if it differs.
    #[inline]
    pub(crate) fn settle_writes(&mut self, changed: bool) {
        if !self.watched_writes.is_empty() {
            self.settle_watched_writes(changed);
        }
    }

    #[cold]
    fn settle_watched_writes(&mut self, changed: bool) {
        for (i, key, before) in std::mem::take(&mut self.watched_writes) {
            let h = self.store.hash(&key);
            let shard = self.shard_mut(i);
            let Some(slot) = shard.get_mut(&key, h) else { continue };
            let dirty = slot.take_dirty() && changed;
            let differs = || match (&before, slot.value()) {
                (None, _) => true,
                (Some(Value::Str(a, _)), ValueRef::Str(b)) => a.as_slice() != b,
                (Some(a), ValueRef::Other(b)) => a != b,
                _ => true,
            };
            if dirty && differs() {
                shard.touch(&key);
            }
        }
    }

    #[inline]
    pub fn write(&mut self, key: &[u8]) -> Option<&mut Slot> {
        self.write_in(self.sess.db, key)
    }

    /// Stores a value with an expiry (None: persistent), replacing the key.
    /// A list or sorted set stored wakes a call blocked on the key
    /// (BLPOP, BZPOPMIN: see [`crate::blocking`]), whichever command
    /// stored it.
    /// Stores a value. A list or sorted set stored where no key was wakes
    /// the key's waiters, as Redis's dbAdd does (an overwrite does not).
    pub fn insert_in(&mut self, db: usize, key: &[u8], value: Value, expire: Option<u64>) {
        self.store_value(db, key, value, expire, false);
    }

    /// Stores a value as a delete followed by an add, as Redis's RENAME,
    /// COPY and RESTORE do: a list or sorted set wakes the key's waiters
    /// even where it replaced a key.
    pub fn replace_in(&mut self, db: usize, key: &[u8], value: Value, expire: Option<u64>) {
        self.store_value(db, key, value, expire, true);
    }

    fn store_value(&mut self, db: usize, key: &[u8], value: Value, expire: Option<u64>, signal_always: bool) {
        let (i, h) = self.locate(db, key);
        let lru = self.lru;
        let serves = match value {
            Value::List(_) => Some(Kind::List),
            Value::ZSet(_) => Some(Kind::ZSet),
            _ => None,
        };
        let replaced = self.shard_mut(i).insert(key, h, value, expire, lru);
        if let Some(kind) = serves.filter(|_| signal_always || !replaced) {
            self.store.blocking.signal(db, key, kind);
        }
    }

    pub fn insert(&mut self, key: &[u8], value: Value, expire: Option<u64>) {
        self.insert_in(self.sess.db, key, value, expire)
    }

    /// Stores a string from borrowed bytes (one copy, straight into place).
    pub fn insert_bytes(&mut self, key: &[u8], bytes: &[u8], enc: StrEnc, expire: Option<u64>) {
        let (i, h) = self.locate(self.sess.db, key);
        let lru = self.lru;
        self.shard_mut(i).insert(key, h, NewValue::Bytes(bytes, enc), expire, lru);
    }

    /// Stores a value, keeping the key's expiry if it exists and is live.
    pub fn insert_keep_ttl(&mut self, key: &[u8], value: Value) {
        let ttl = self.peek(key).and_then(Slot::expire_at);
        self.insert(key, value, ttl);
    }

    /// Removes a key; `None` if absent or expired.
    pub fn remove_in(&mut self, db: usize, key: &[u8]) -> Option<Removed> {
        let (i, h) = self.locate(db, key);
        if self.expire_if_due(i, key, h) {
            return None;
        }
        self.shard_mut(i).remove(key, h)
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<Removed> {
        self.remove_in(self.sess.db, key)
    }

    /// Sets or clears a live key's expiry; false if the key is absent.
    /// An expiry at or before now deletes the key, as Redis does.
    pub fn set_expire_in(&mut self, db: usize, key: &[u8], expire: Option<u64>) -> bool {
        let (i, h) = self.locate(db, key);
        if self.expire_if_due(i, key, h) {
            return false;
        }
        if let Some(t) = expire {
            if t <= self.now() {
                return self.shard_mut(i).remove(key, h).is_some();
            }
        }
        self.shard_mut(i).set_expire(key, h, expire)
    }

    /// Tells the active sweep that an element of `key`'s value (a hash
    /// field) expires at `t`, so the value is visited then.
    pub fn watch_sub_expiry(&mut self, key: &[u8], t: u64) {
        let (i, h) = self.locate(self.sess.db, key);
        self.shard_mut(i).watch_sub_expiry(h, t);
    }

    pub fn set_expire(&mut self, key: &[u8], expire: Option<u64>) -> bool {
        self.set_expire_in(self.sess.db, key, expire)
    }

    // ---- whole databases ---------------------------------------------------

    /// Number of keys in a locked database (including not-yet-swept expired
    /// keys, as Redis's DBSIZE).
    pub fn db_len(&self, db: usize) -> usize {
        self.store.db_range(db).map(|i| self.shard(i).len()).sum()
    }

    /// Visits every live key of a locked database.
    pub fn for_each_live(&self, db: usize, mut f: impl FnMut(&Slot)) {
        for i in self.store.db_range(db) {
            for s in self.shard(i).dict.iter() {
                if self.live(s) {
                    f(s);
                }
            }
        }
    }

    /// Empties a locked database. Watched keys that were live change.
    pub fn clear_db(&mut self, db: usize) {
        for i in self.store.db_range(db) {
            self.touch_live_watched(i, None);
            self.shard_mut(i).clear();
        }
    }

    /// Records a change for the watched keys of shard `i` that are live in
    /// it or in shard `other` (the shard it is about to be swapped with):
    /// what FLUSHDB and SWAPDB change, as Redis's touchAllWatchedKeysInDb.
    fn touch_live_watched(&mut self, i: usize, other: Option<usize>) {
        if !self.shard(i).has_watches() {
            return;
        }
        let live = |ctx: &Self, j: usize, k: &[u8]| ctx.shard(j).get(k, ctx.store.hash(k)).is_some_and(|s| ctx.live(s));
        let changed: Vec<Vec<u8>> = (self.shard(i).watched_keys().into_iter())
            .filter(|k| live(self, i, k) || other.is_some_and(|j| live(self, j, k)))
            .collect();
        for k in changed {
            self.shard_mut(i).touch(&k);
        }
    }

    /// Swaps two locked databases' contents.
    pub fn swap_dbs(&mut self, a: usize, b: usize) {
        if a == b {
            return;
        }
        let (ra, rb) = (self.store.db_range(a), self.store.db_range(b));
        for (i, j) in ra.zip(rb) {
            self.touch_live_watched(i, Some(j));
            self.touch_live_watched(j, Some(i));
            let empty = Shard::empty(self.store.hasher.clone());
            let mut taken = std::mem::replace(self.shard_mut(i), empty);
            taken.swap(self.shard_mut(j));
            *self.shard_mut(i) = taken;
        }
        self.signal_db(a);
        self.signal_db(b);
    }

    pub fn lru_now(&self) -> u32 {
        self.lru
    }

    // ---- WATCH -------------------------------------------------------------

    /// Registers a watcher of `key` in `db` (its shard locked for writing):
    /// the key's change counter and whether the key is live now.
    pub(crate) fn watch_key(&mut self, db: usize, key: &[u8]) -> (u64, bool) {
        let live = self.peek_in(db, key).is_some();
        let (i, _) = self.locate(db, key);
        (self.shard_mut(i).watch(key), live)
    }

    /// Drops a watcher of `key` in `db` (its shard locked for writing).
    pub(crate) fn unwatch_key(&mut self, db: usize, key: &[u8]) {
        let (i, _) = self.locate(db, key);
        self.shard_mut(i).unwatch(key);
    }

    /// Whether a watched key changed since it was watched (counter
    /// `version`, live then or not): changed by anyone, or expired since.
    pub(crate) fn watched_changed(&self, db: usize, key: &[u8], version: u64, was_live: bool) -> bool {
        let (i, _) = self.locate(db, key);
        self.shard(i).watch_version(key) != Some(version) || (was_live && self.peek_in(db, key).is_none())
    }
}

/// A read command's lookup of `key` (hash `h`) in a shard held (shared
/// or not): the live slot, with the keyspace hit or miss counted in the
/// shard's `stats` and the access time set to `lru` (left as it is with
/// `None`: Redis's LOOKUP_NOTOUCH). `now` gives the command's time, asked
/// only for a key that has an expiry. What [`Ctx::read_in`] and
/// [`Ctx::read_notouch`] do, and the typed GET without a context.
#[inline]
pub(crate) fn read_lookup<'s>(
    stats: &ShardStats,
    shard: &'s Shard,
    key: &[u8],
    h: u64,
    lru: Option<u32>,
    now: impl FnOnce() -> u64,
) -> Option<&'s Slot> {
    // As in Redis, a key is expired only once the clock is strictly past
    // its expiry time (see `Ctx::live`).
    let found = shard.get(key, h).filter(|s| s.expire_at().is_none_or(|t| t >= now()));
    match found {
        Some(s) => {
            ShardStats::add(&stats.hits, 1);
            if let Some(lru) = lru {
                s.touch(lru);
            }
        }
        None => ShardStats::add(&stats.misses, 1),
    }
    found
}

impl Ctx<'_> {
    /// Ends a typed fast path's context: collects its in-place changes,
    /// counts and logs them, releases the locks and waits for the log as
    /// the fsync policy says. The error is the log's failure to make the
    /// records durable (the fast path reports it instead of its result).
    pub(crate) fn finish(&mut self) -> Result<(), String> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        self.settle_writes(true);
        if self.wrote && self.fast {
            self.store.persist.dirty.add(self.sess.id, 1);
        }
        if !self.logging {
            return Ok(());
        }
        if self.fast && !self.records.fast_keys.is_empty() && !self.records.explicit {
            propagate::fast_effects(self);
        }
        let Some(t) = self.flush_log() else { return Ok(()) };
        // Release the locks, then wait for the fsync (`always`).
        self.single = None;
        self.held.clear();
        match self.store.persist.aof.log.get() {
            Some(log) => log.wait(t),
            None => Ok(()),
        }
    }
}

impl Drop for Ctx<'_> {
    /// Typed fast paths run without the dispatcher: their in-place
    /// changes are collected here unless [`Ctx::finish`] did.
    fn drop(&mut self) {
        let _ = self.finish();
    }
}
