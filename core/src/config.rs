//! Store configuration and the injectable clock.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::persist::{Fsync, LoadProgress, Mode, SaveRule, Settings};

/// Where time comes from. Expiry, TTLs and TIME read it, so tests can move
/// time by hand with [`ManualClock`].
pub trait Clock: Send + Sync + 'static {
    /// Unix time in milliseconds.
    fn now_ms(&self) -> u64;
    /// Unix time in microseconds (TIME); defaults to milliseconds * 1000.
    fn now_us(&self) -> u64 {
        self.now_ms() * 1000
    }
    /// Unix time in milliseconds that may lag by a few milliseconds but is
    /// cheap to read on every command: it paces the LRU clock and the
    /// expiry sweep. Expiry decisions themselves use [`Clock::now_ms`].
    fn coarse_ms(&self) -> u64 {
        self.now_ms()
    }
}

/// The system's wall clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        self.now_us() / 1000
    }
    fn now_us(&self) -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0)
    }
    /// On Linux, CLOCK_REALTIME_COARSE: the kernel's last tick, read from
    /// the vDSO page without touching the time-stamp counter.
    #[cfg(target_os = "linux")]
    fn coarse_ms(&self) -> u64 {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `ts` is a valid, writable timespec for the call.
        if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut ts) } == 0 {
            ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000
        } else {
            self.now_ms()
        }
    }
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    pub fn new(start_ms: u64) -> Arc<ManualClock> {
        Arc::new(ManualClock(AtomicU64::new(start_ms)))
    }
    pub fn set(&self, ms: u64) {
        self.0.store(ms, Ordering::SeqCst)
    }
    pub fn advance(&self, ms: u64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// How a store is opened.
#[derive(Clone)]
pub struct Config {
    /// Number of logical databases (SELECT 0..databases-1). Redis's default: 16.
    pub databases: usize,
    /// log2 of the number of lock shards per database.
    pub shard_bits: u32,
    /// Run a background thread for the active expiry sweep. Without it the
    /// sweep runs on the threads that call into the store.
    pub expiry_thread: bool,
    /// Active expiry cycles per second (Redis's `hz`).
    pub hz: u32,
    pub clock: Arc<dyn Clock>,
    /// Data directory, snapshot/log mode, fsync policy, save rules, load
    /// progress callback (see [`crate::persist`]).
    pub persist: Settings,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            databases: 16,
            shard_bits: 5,
            expiry_thread: false,
            hz: 10,
            clock: Arc::new(SystemClock),
            persist: Settings::default(),
        }
    }
}

impl Config {
    pub fn databases(mut self, n: usize) -> Config {
        self.databases = n.max(1);
        self
    }
    pub fn expiry_thread(mut self, on: bool) -> Config {
        self.expiry_thread = on;
        self
    }
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Config {
        self.clock = clock;
        self
    }
    pub fn shard_bits(mut self, bits: u32) -> Config {
        self.shard_bits = bits.min(12);
        self
    }
    pub fn hz(mut self, hz: u32) -> Config {
        self.hz = hz.clamp(1, 500);
        self
    }

    /// Keeps the store on disk in `dir` (created if missing). Unless a mode
    /// was chosen, this turns snapshots on with Redis's default save rules.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Config {
        self.persist.data_dir = Some(dir.into());
        if self.persist.mode == Mode::Off {
            self.persist.mode = Mode::Snapshot;
            self.persist.save_rules = SaveRule::redis_defaults();
        }
        self
    }
    pub fn persistence(mut self, mode: Mode) -> Config {
        self.persist.mode = mode;
        self
    }
    pub fn fsync(mut self, policy: Fsync) -> Config {
        self.persist.fsync = policy;
        self
    }
    /// Automatic snapshot rules (`save <seconds> <changes>`); empty: none.
    pub fn save_rules(mut self, rules: impl Into<Vec<SaveRule>>) -> Config {
        self.persist.save_rules = rules.into();
        self
    }
    /// Called about every 100 ms while a store loads, and once at the end.
    pub fn on_load_progress(mut self, f: impl Fn(&LoadProgress) + Send + Sync + 'static) -> Config {
        self.persist.on_load_progress = Some(Arc::new(f));
        self
    }
    /// Fault injection for tests: saves fail with "No space left on
    /// device" after writing this many bytes.
    #[doc(hidden)]
    pub fn fail_saves_after(mut self, bytes: u64) -> Config {
        self.persist.fail_after_bytes = Some(bytes);
        self
    }
    /// Automatic log rewrite (Redis's `auto-aof-rewrite-percentage` and
    /// `auto-aof-rewrite-min-size`): once the log has grown by `percentage`
    /// percent since the last rewrite and is at least `min_size` bytes.
    /// A percentage of 0 turns it off.
    pub fn auto_rewrite(mut self, percentage: u64, min_size: u64) -> Config {
        self.persist.rewrite_percentage = percentage;
        self.persist.rewrite_min_size = min_size;
        self
    }
    /// Fault injection for tests: the log's writes/fsyncs fail while the
    /// switches are set.
    #[doc(hidden)]
    pub fn log_faults(mut self, faults: Arc<crate::persist::LogFaults>) -> Config {
        self.persist.log_faults = Some(faults);
        self
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("databases", &self.databases)
            .field("shard_bits", &self.shard_bits)
            .field("expiry_thread", &self.expiry_thread)
            .field("hz", &self.hz)
            .field("persist", &self.persist)
            .finish()
    }
}
