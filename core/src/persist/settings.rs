//! The persistence settings a [`crate::Config`] carries.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// What a store keeps on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Pure in-memory: nothing is read or written.
    #[default]
    Off,
    /// Point-in-time snapshots (SAVE, BGSAVE, the save rules).
    Snapshot,
    /// The append-only log of write commands.
    Log,
    /// Both: the snapshot is loaded, then the log replayed over it.
    Both,
}

impl Mode {
    pub fn snapshots(self) -> bool {
        matches!(self, Mode::Snapshot | Mode::Both)
    }
    pub fn log(self) -> bool {
        matches!(self, Mode::Log | Mode::Both)
    }
}

/// When the append-only log is flushed to stable storage (Redis's
/// `appendfsync`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Fsync {
    /// After every write, before it is acknowledged.
    Always,
    /// Once a second (at most about a second of writes lost on a crash).
    #[default]
    EverySec,
    /// Left to the operating system.
    No,
}

/// Redis's `save <seconds> <changes>`: snapshot in the background once at
/// least `changes` writes happened and `seconds` passed since the last save.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SaveRule {
    pub seconds: u64,
    pub changes: u64,
}

impl SaveRule {
    pub const fn new(seconds: u64, changes: u64) -> SaveRule {
        SaveRule { seconds, changes }
    }

    /// Redis's defaults: `save 3600 1 300 100 60 10000`.
    pub fn redis_defaults() -> Vec<SaveRule> {
        vec![SaveRule::new(3600, 1), SaveRule::new(300, 100), SaveRule::new(60, 10000)]
    }
}

/// How far a load has come; handed to the progress callback about every
/// 100 ms and once at the end (`done`).
#[derive(Clone, Debug)]
pub struct LoadProgress {
    pub path: PathBuf,
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub keys_loaded: u64,
    /// Keys skipped because they had expired.
    pub keys_expired: u64,
    pub elapsed: Duration,
    pub done: bool,
    /// Something the load repaired and the operator should know about
    /// (a torn log tail truncated).
    pub warning: Option<String>,
}

impl LoadProgress {
    pub fn mb_per_sec(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s == 0.0 {
            0.0
        } else {
            self.bytes_read as f64 / 1e6 / s
        }
    }
}

pub type ProgressFn = Arc<dyn Fn(&LoadProgress) + Send + Sync>;

/// Everything persistence-related in a [`crate::Config`].
#[derive(Clone)]
pub struct Settings {
    /// Where the snapshot (and the log) live; `None`: in memory only.
    pub data_dir: Option<PathBuf>,
    pub mode: Mode,
    pub fsync: Fsync,
    /// Automatic background snapshots; empty: only on request.
    pub save_rules: Vec<SaveRule>,
    pub on_load_progress: Option<ProgressFn>,
    /// Fault injection for tests: a save fails with "No space left on
    /// device" once it has written this many bytes.
    pub fail_after_bytes: Option<u64>,
    /// Redis's `auto-aof-rewrite-percentage`: rewrite the log once it has
    /// grown by this much since the last rewrite (0: never automatically).
    pub rewrite_percentage: u64,
    /// Redis's `auto-aof-rewrite-min-size`: not below this many bytes.
    pub rewrite_min_size: u64,
    /// Fault injection for tests: makes the log's writes or fsyncs fail
    /// while set.
    pub log_faults: Option<Arc<LogFaults>>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            data_dir: None,
            mode: Mode::Off,
            fsync: Fsync::EverySec,
            save_rules: Vec::new(),
            on_load_progress: None,
            fail_after_bytes: None,
            rewrite_percentage: 100,
            rewrite_min_size: 64 << 20,
            log_faults: None,
        }
    }
}

/// Switches that make the append-only log's disk operations fail (tests).
#[derive(Debug, Default)]
pub struct LogFaults {
    /// Writes fail with "No space left on device" after half the block.
    pub fail_writes: AtomicBool,
    /// fsyncs fail with an I/O error.
    pub fail_fsync: AtomicBool,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field("mode", &self.mode)
            .field("fsync", &self.fsync)
            .field("save_rules", &self.save_rules)
            .field("rewrite_percentage", &self.rewrite_percentage)
            .field("rewrite_min_size", &self.rewrite_min_size)
            .finish()
    }
}
