//! The store: every database's shards, the clock, the expiry sweep, and
//! the counters INFO reports. `Store` is a cheap handle (an `Arc`).

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::blocking::Blocking;
use crate::config::Config;
use crate::persist;
use crate::reply::Reply;
use crate::session::Session;
use crate::shard::{ShardCell, ShardStats};

/// An in-process Redis database. Clone it to share it between threads.
#[derive(Clone)]
pub struct Store {
    pub(crate) inner: Arc<StoreInner>,
}

pub(crate) struct StoreInner {
    pub config: Config,
    pub hasher: ahash::RandomState,
    /// `databases << shard_bits` shards; shard `i` belongs to database
    /// `i >> shard_bits`. The index is also the lock order.
    pub shards: Box<[ShardCell]>,
    pub shard_bits: u32,
    pub next_client_id: AtomicU64,
    pub commands: CommandCounts,
    pub start_ms: u64,
    /// Unix ms of the last active-expiry cycle run from a caller's thread.
    last_sweep: AtomicU64,
    /// Ms between two such cycles (1000 / hz, computed once: every
    /// command checks it); `u64::MAX` with an expiry thread, which sweeps
    /// instead.
    sweep_period: u64,
    sweep_cursor: AtomicUsize,
    pub closed: AtomicBool,
    /// Calls blocked on keys (BLPOP, ...), see [`crate::blocking`].
    pub blocking: Blocking,
    sweeper: Mutex<Option<JoinHandle<()>>>,
    sweeper_wake: Condvar,
    sweeper_lock: Mutex<()>,
    /// Snapshots and the log: counters, the running save.
    pub persist: persist::State,
    /// This store itself, for work that outlives a command (BGSAVE).
    pub me: Weak<StoreInner>,
}

/// The commands processed (INFO's total_commands_processed). Each session
/// counts its own in a cell only it writes, with a plain load and store
/// (no locked read-modify-write per command); the store sums the cells of
/// the live sessions plus what closed sessions left.
#[derive(Default)]
pub(crate) struct CommandCounts {
    reg: Mutex<Registry>,
}

#[derive(Default)]
struct Registry {
    /// Live sessions' cells; `None` marks a free slot (listed in `free`).
    live: Vec<Option<Arc<CommandCell>>>,
    free: Vec<usize>,
    /// Commands counted by sessions that were dropped.
    closed: u64,
}

/// One session's command count, on a cache line of its own: sessions on
/// different threads must not share the line they write on every command.
#[derive(Default)]
#[repr(align(128))]
pub(crate) struct CommandCell(AtomicU64);

impl CommandCell {
    /// Counts one command. Only the owning session calls this (through
    /// `&mut` access to it), so load and store cannot interleave with
    /// another increment; readers see either value.
    #[inline]
    pub fn bump(&self) {
        self.0.store(self.0.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }
}

/// A session's registered cell (given back with
/// [`CommandCounts::unregister`] when the session goes away).
pub(crate) struct SessionCounter {
    cell: Arc<CommandCell>,
    slot: usize,
}

impl SessionCounter {
    #[inline]
    pub fn cell(&self) -> &CommandCell {
        &self.cell
    }
}

impl CommandCounts {
    /// A new session's counter.
    pub fn register(&self) -> SessionCounter {
        let cell = Arc::new(CommandCell::default());
        let mut reg = self.reg.lock();
        let slot = match reg.free.pop() {
            Some(i) => {
                reg.live[i] = Some(cell.clone());
                i
            }
            None => {
                reg.live.push(Some(cell.clone()));
                reg.live.len() - 1
            }
        };
        SessionCounter { cell, slot }
    }

    /// Folds a closing session's count into the total of closed sessions
    /// (under the lock [`CommandCounts::sum`] takes, so no sum sees it
    /// twice or not at all).
    pub fn unregister(&self, c: &SessionCounter) {
        let mut reg = self.reg.lock();
        reg.closed += c.cell.0.load(Ordering::Relaxed);
        reg.live[c.slot] = None;
        reg.free.push(c.slot);
    }

    /// Every command counted so far, by live and closed sessions.
    pub fn sum(&self) -> u64 {
        let reg = self.reg.lock();
        reg.closed + reg.live.iter().flatten().map(|c| c.0.load(Ordering::Relaxed)).sum::<u64>()
    }
}

/// A counter many threads bump without sharing a cache line.
pub(crate) struct StripedCounter([Padded; 16]);
#[repr(align(128))]
#[derive(Default)]
struct Padded(AtomicU64);

impl StripedCounter {
    pub fn new() -> StripedCounter {
        StripedCounter(Default::default())
    }
    pub fn add(&self, stripe: u64, n: u64) {
        self.0[(stripe % 16) as usize].0.fetch_add(n, Ordering::Relaxed);
    }
    pub fn sum(&self) -> u64 {
        self.0.iter().fold(0u64, |a, p| a.wrapping_add(p.0.load(Ordering::Relaxed)))
    }
}

impl Default for Store {
    fn default() -> Store {
        Store::open(Config::default())
    }
}

impl Store {
    /// An in-memory store with Redis's defaults (16 databases).
    pub fn new() -> Store {
        Store::default()
    }

    /// Opens a store. An in-memory config cannot fail; with a data
    /// directory this loads what is there and panics if that fails: use
    /// [`Store::try_open`] to handle the error.
    pub fn open(config: Config) -> Store {
        match Store::try_open(config) {
            Ok(s) => s,
            Err(e) => panic!("opening the store: {e}"),
        }
    }

    /// Opens a store, loading the data directory's snapshot (if the config
    /// has one). Fails with an error naming the file (and the byte offset
    /// for a corrupt file); nothing is loaded then.
    pub fn try_open(config: Config) -> Result<Store, persist::Error> {
        let hasher = ahash::RandomState::new();
        let shard_bits = config.shard_bits;
        let n = config.databases << shard_bits;
        let blocking = Blocking::new(config.databases);
        let shards = (0..n).map(|_| ShardCell::new(hasher.clone())).collect();
        let now = config.clock.now_ms();
        let sweep_period = if config.expiry_thread { u64::MAX } else { 1000 / config.hz.max(1) as u64 };
        let inner = Arc::new_cyclic(|me| StoreInner {
            config,
            hasher,
            shards,
            shard_bits,
            next_client_id: AtomicU64::new(1),
            commands: CommandCounts::default(),
            start_ms: now,
            last_sweep: AtomicU64::new(now),
            sweep_period,
            sweep_cursor: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            blocking,
            sweeper: Mutex::new(None),
            sweeper_wake: Condvar::new(),
            sweeper_lock: Mutex::new(()),
            persist: persist::State::new(now),
            me: me.clone(),
        });
        persist::open(&inner)?;
        if inner.config.expiry_thread {
            let weak = Arc::downgrade(&inner);
            let handle = std::thread::Builder::new()
                .name("kv-expiry".into())
                .spawn(move || sweeper_loop(weak))
                .expect("spawn the expiry thread");
            *inner.sweeper.lock() = Some(handle);
        }
        Ok(Store { inner })
    }

    /// SAVE: writes a snapshot of every database into the data directory
    /// and returns once it is durably on disk. Readers and writers go on
    /// meanwhile (see [`persist::cow`]).
    pub fn save(&self) -> Result<persist::SaveStats, persist::Error> {
        persist::save(&self.inner)
    }

    /// BGSAVE: takes the point in time now and writes it on a thread.
    pub fn bgsave(&self) -> Result<(), persist::Error> {
        persist::bgsave(&self.inner)
    }

    /// BGREWRITEAOF: compacts the append-only log in the background (see
    /// [`persist::aof`]). `Ok(false)`: a background save runs, the
    /// rewrite starts when it ends.
    pub fn bgrewriteaof(&self) -> Result<bool, persist::Error> {
        persist::bgrewriteaof(&self.inner)
    }

    /// Waits until what the append-only log buffers is written and
    /// fsynced (whatever the fsync policy).
    pub fn flush_log(&self) -> Result<(), persist::Error> {
        let log = self.inner.persist.aof.log.get().ok_or(persist::Error::NoLog)?;
        log.flush().map_err(persist::Error::Log)
    }

    /// Waits for a running save, if any, to finish.
    pub fn wait_for_save(&self) {
        self.inner.persist.wait_idle()
    }

    /// Unix seconds of the last successful save (the store's start if none).
    pub fn last_save(&self) -> u64 {
        self.inner.persist.last_save_ms() / 1000
    }

    /// Writes a consistent copy of the live store to `dir/snapshot.kvs`;
    /// restore by opening a store with `Config::data_dir(dir)`.
    pub fn backup(&self, dir: impl AsRef<Path>) -> Result<persist::SaveStats, persist::Error> {
        persist::backup(&self.inner, dir.as_ref())
    }

    /// Longest time a writer was held up handing a group of keys to the
    /// last (or running) save before changing one of them.
    pub fn last_save_stall(&self) -> Duration {
        self.inner.persist.longest_stall()
    }

    /// A new session (a client connection's state) on database 0.
    pub fn session(&self) -> Session {
        Session::new(self.clone())
    }

    /// Runs one command on a fresh session on database 0 (RESP2 replies).
    pub fn execute<A: AsRef<[u8]>>(&self, args: &[A]) -> Reply {
        self.session().execute(args)
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Waits for a running save to finish, stops the background expiry
    /// thread, if any, and wakes every call
    /// blocked on keys (BLPOP, ...) with `ERR store closed`; calls that
    /// would block from now on get that error at once. Other handles and
    /// sessions keep working otherwise; the data lives while any handle does.
    pub fn close(&self) {
        persist::close(&self.inner);
        self.inner.closed.store(true, Ordering::SeqCst);
        self.inner.blocking.close();
        {
            let _g = self.inner.sweeper_lock.lock();
            self.inner.sweeper_wake.notify_all();
        }
        if let Some(h) = self.inner.sweeper.lock().take() {
            let _ = h.join();
        }
    }

    /// Number of calls blocked on keys right now (INFO's blocked_clients).
    pub fn blocked_clients(&self) -> usize {
        self.inner.blocking.blocked()
    }

    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }

    /// Runs one active-expiry cycle now (for callers that drive expiry
    /// themselves); returns the number of keys deleted.
    pub fn expire_cycle(&self, budget: Duration) -> usize {
        self.inner.active_expire(budget)
    }

    /// Number of keys in a database, counting keys logically expired but not
    /// yet swept, as Redis's DBSIZE does.
    pub fn dbsize(&self, db: usize) -> usize {
        self.inner.db_range(db).map(|i| self.inner.shards[i].read().len()).sum()
    }
}

impl StoreInner {
    pub fn databases(&self) -> usize {
        self.config.databases
    }

    /// Global shard index of a key hash in a database.
    #[inline]
    pub fn shard_of(&self, db: usize, hash: u64) -> usize {
        let within = if self.shard_bits == 0 { 0 } else { (hash >> (64 - self.shard_bits)) as usize };
        (db << self.shard_bits) | within
    }

    pub fn db_range(&self, db: usize) -> std::ops::Range<usize> {
        (db << self.shard_bits)..((db + 1) << self.shard_bits)
    }

    #[inline]
    pub fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    pub fn now_ms(&self) -> u64 {
        self.config.clock.now_ms()
    }

    /// Redis's 24-bit LRU clock, in seconds.
    pub fn lru_clock(now_ms: u64) -> u32 {
        ((now_ms / 1000) & 0xff_ffff) as u32
    }

    pub fn stats_sum(&self, f: impl Fn(&ShardStats) -> &AtomicU64) -> u64 {
        self.shards.iter().map(|s| f(&s.stats).load(Ordering::Relaxed)).sum()
    }

    /// Called after each command when there is no expiry thread: at most
    /// `hz` times a second one caller runs a short cycle (Redis's "fast"
    /// cycle: 1 ms of budget).
    #[inline]
    pub fn maybe_sweep(&self, now: u64) {
        let last = self.last_sweep.load(Ordering::Relaxed);
        if now.saturating_sub(last) < self.sweep_period {
            return;
        }
        self.sweep_now(now, last);
    }

    #[cold]
    fn sweep_now(&self, now: u64, last: u64) {
        if self.last_sweep.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
            self.active_expire(Duration::from_millis(1));
            persist::cron(self);
        }
    }

    /// One active-expiry cycle: walk shards round-robin from where the last
    /// cycle stopped, deleting due keys, until every shard is done or the
    /// time budget is spent. Shards busy with a writer are skipped (try_write),
    /// so the sweep never makes a command wait behind it for long.
    /// Adaptive as Redis's: a shard that still has due keys after its batch
    /// is revisited in the same cycle while budget remains.
    pub fn active_expire(&self, budget: Duration) -> usize {
        const BATCH: usize = 64;
        let started = Instant::now();
        let now = self.now_ms();
        let n = self.shards.len();
        let mut deleted = 0;
        let mut pending = true;
        while pending {
            pending = false;
            let start = self.sweep_cursor.load(Ordering::Relaxed);
            for step in 0..n {
                let i = (start + step) % n;
                let cell = &self.shards[i];
                if let Some(mut shard) = self.try_write_shard(i) {
                    let log = self.persist.aof.log.get();
                    let mut keys = Vec::new();
                    let (d, more) = shard.expire_due(now, BATCH, log.is_some().then_some(&mut keys));
                    if let (Some(log), false) = (log, keys.is_empty()) {
                        // Logged as DELs under the shard lock, as Redis does.
                        crate::persist::propagate::expired(log, self.db_of(i) as usize, &keys);
                    }
                    drop(shard);
                    if d > 0 {
                        ShardStats::add(&cell.stats.expired, d as u64);
                    }
                    deleted += d;
                    pending |= more;
                }
                if started.elapsed() >= budget {
                    self.sweep_cursor.store(i + 1, Ordering::Relaxed);
                    return deleted;
                }
            }
        }
        deleted
    }
}

fn sweeper_loop(weak: std::sync::Weak<StoreInner>) {
    loop {
        let Some(inner) = weak.upgrade() else { return };
        if inner.closed.load(Ordering::SeqCst) {
            return;
        }
        let period = Duration::from_millis(1000 / inner.config.hz as u64);
        // Redis's slow cycle: up to 25% of each period.
        inner.active_expire(period / 4);
        persist::cron(&inner);
        let mut g = inner.sweeper_lock.lock();
        if inner.closed.load(Ordering::SeqCst) {
            return;
        }
        inner.sweeper_wake.wait_for(&mut g, period);
    }
}

impl Drop for StoreInner {
    fn drop(&mut self) {
        self.closed.store(true, Ordering::SeqCst);
        persist::aof::close(self);
    }
}

#[cfg(test)]
mod tests {
    use super::Store;

    /// Each session counts its own commands; the total stays exact as
    /// sessions come and go, across threads, and counts what EXEC runs.
    #[test]
    fn commands_processed_stay_exact_across_sessions() {
        let st = Store::new();
        let total = || st.inner.commands.sum();
        let mut a = st.session();
        a.execute(&["SET", "k", "1"]);
        assert_eq!(total(), 1);
        {
            let mut b = st.session();
            b.execute(&["GET", "k"]);
            b.lpush(b"l", &["x"]).unwrap();
            assert_eq!(total(), 3);
        }
        assert_eq!(total(), 3, "a closed session's commands are kept");
        st.execute(&["PING"]);
        assert_eq!(total(), 4);
        a.execute(&["MULTI"]);
        a.execute(&["INCR", "k"]);
        a.execute(&["INCR", "k"]);
        a.execute(&["EXEC"]);
        assert_eq!(total(), 8, "MULTI, EXEC and the two queued commands");
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let st = st.clone();
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        let mut s = st.session();
                        for _ in 0..10 {
                            s.incr_by(b"n", 1).unwrap();
                        }
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(total(), 8 + 4 * 50 * 10);
        let info = a.execute(&["INFO", "stats"]);
        let text = String::from_utf8(info.as_bytes().unwrap().to_vec()).unwrap();
        assert!(text.contains(&format!("total_commands_processed:{}\r\n", 8 + 2000)), "{text}");
    }
}
