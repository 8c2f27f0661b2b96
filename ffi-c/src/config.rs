//! `kv_config`: how a store is opened. An opaque handle with one setter per
//! option, so options can be added without changing the ABI.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::sync::Arc;

use kv_core::persist::{Fsync, LoadProgress, Mode, SaveRule};
use kv_core::{Config, ManualClock};

use crate::guard::{catch, release, status, ErrorSlot, Failure};
use crate::status::kv_status;

/// Options for kv_store_open(). Made by kv_config_new(), freed by
/// kv_config_free(). Not thread-safe: use it from one thread at a time.
pub struct kv_config {
    pub(crate) config: Config,
    pub(crate) manual_clock: Option<Arc<ManualClock>>,
    /// Save rules were set explicitly: a data directory set afterwards
    /// does not bring Redis's default rules.
    rules_set: bool,
    pub(crate) error: ErrorSlot,
}

impl kv_config {
    /// Runs a setter: a NULL config is `KV_INVALID_ARGUMENT`, a failure's
    /// text is kept for kv_config_error().
    unsafe fn call(this: *mut kv_config, f: impl FnOnce(&mut kv_config) -> Result<(), Failure>) -> kv_status {
        // SAFETY: NULL or a live handle from kv_config_new(), used by one thread.
        let Some(h) = (unsafe { this.as_mut() }) else { return kv_status::KV_INVALID_ARGUMENT };
        let r = catch(|| f(h));
        status(r.map(|()| kv_status::KV_OK).map_err(|e| h.error.record(e)))
    }
}

fn in_range<T: PartialOrd + std::fmt::Display>(v: T, lo: T, hi: T, what: &str) -> Result<T, Failure> {
    if v < lo || v > hi {
        return Err(Failure::invalid(format!("{what} must be between {lo} and {hi}, got {v}")));
    }
    Ok(v)
}

/// Makes a configuration with Redis's defaults: 16 databases, no
/// background expiry thread (expired keys are swept on the callers'
/// threads), hz 10, the system clock.
///
/// @return a new config (never NULL); free it with kv_config_free(). It
///         may be freed as soon as kv_store_open() returns.
#[no_mangle]
pub extern "C" fn kv_config_new() -> *mut kv_config {
    Box::into_raw(Box::new(kv_config {
        config: Config::default(),
        manual_clock: None,
        rules_set: false,
        error: ErrorSlot::default(),
    }))
}

/// Frees a config made by kv_config_new(). NULL is ignored.
///
/// # Safety
/// `config` is NULL or a live config, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn kv_config_free(config: *mut kv_config) {
    unsafe { release(config) }
}

/// Sets the number of logical databases (SELECT 0..n-1).
///
/// @param n 1 to 65536 (Redis's default: 16).
/// @return KV_OK, or KV_INVALID_ARGUMENT (NULL config, n out of range).
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn kv_config_set_databases(config: *mut kv_config, n: usize) -> kv_status {
    unsafe {
        kv_config::call(config, |c| {
            c.config.databases = in_range(n, 1, 65536, "databases")?;
            Ok(())
        })
    }
}

/// Sets log2 of the number of lock shards per database: more shards let
/// more threads write at once, at some memory per database.
///
/// @param bits 0 to 12 (default 5: 32 shards).
/// @return KV_OK, or KV_INVALID_ARGUMENT.
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn kv_config_set_shard_bits(config: *mut kv_config, bits: u32) -> kv_status {
    unsafe {
        kv_config::call(config, |c| {
            c.config.shard_bits = in_range(bits, 0, 12, "shard_bits")?;
            Ok(())
        })
    }
}

/// Runs the active expiry sweep on a background thread (true) or on the
/// threads that call into the store, a short cycle at most hz times a
/// second (false, the default).
///
/// @return KV_OK, or KV_INVALID_ARGUMENT (NULL config).
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn kv_config_set_expiry_thread(config: *mut kv_config, on: bool) -> kv_status {
    unsafe {
        kv_config::call(config, |c| {
            c.config.expiry_thread = on;
            Ok(())
        })
    }
}

/// Sets how many active expiry cycles run per second (Redis's `hz`).
///
/// @param hz 1 to 500 (default 10).
/// @return KV_OK, or KV_INVALID_ARGUMENT.
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn kv_config_set_hz(config: *mut kv_config, hz: u32) -> kv_status {
    unsafe {
        kv_config::call(config, |c| {
            c.config.hz = in_range(hz, 1, 500, "hz")?;
            Ok(())
        })
    }
}

/// Gives the store a manual clock starting at `unix_ms` (milliseconds
/// since the Unix epoch) instead of the system clock: time then moves only
/// with kv_store_advance_clock(), so tests of TTLs need no sleeping.
///
/// @return KV_OK, or KV_INVALID_ARGUMENT (NULL config).
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn kv_config_set_manual_clock(config: *mut kv_config, unix_ms: u64) -> kv_status {
    unsafe {
        kv_config::call(config, |c| {
            let clock = ManualClock::new(unix_ms);
            c.config.clock = clock.clone();
            c.manual_clock = Some(clock);
            Ok(())
        })
    }
}

/// What a store keeps on disk (kv_config_set_persistence()).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kv_persistence {
    /// In memory only: nothing is read or written (the default).
    KV_PERSIST_OFF = 0,
    /// Point-in-time snapshots: kv_store_save(), kv_store_bgsave() and the
    /// save rules.
    KV_PERSIST_SNAPSHOT = 1,
    /// The append-only log of write commands.
    KV_PERSIST_LOG = 2,
    /// Both: the log is the dataset when it exists; snapshots are taken too.
    KV_PERSIST_BOTH = 3,
}

/// When the append-only log reaches stable storage (Redis's `appendfsync`;
/// kv_config_set_fsync()).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kv_fsync {
    /// Before each write is acknowledged.
    KV_FSYNC_ALWAYS = 0,
    /// Once a second: at most about a second of writes lost in a crash (the
    /// default).
    KV_FSYNC_EVERYSEC = 1,
    /// When the operating system decides.
    KV_FSYNC_NO = 2,
}

/// Redis's `save <seconds> <changes>`: a background snapshot once at least
/// `changes` writes happened and `seconds` passed since the last save.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct kv_save_rule {
    pub seconds: u64,
    pub changes: u64,
}

/// How far kv_store_open() has come loading a data directory; handed to
/// the callback of kv_config_set_load_progress(). Valid during the
/// callback only.
#[repr(C)]
pub struct kv_load_progress {
    /// The file being loaded (NUL-terminated).
    pub path: *const c_char,
    pub bytes_read: u64,
    pub bytes_total: u64,
    /// Keys read from a snapshot; for an append-only log file, the
    /// commands replayed.
    pub keys_loaded: u64,
    /// Keys skipped because they had expired.
    pub keys_expired: u64,
    /// Milliseconds since this file's load started.
    pub elapsed_ms: u64,
    /// True for the last call, once the file is loaded.
    pub done: bool,
    /// Something the load repaired that an operator should know about (a
    /// torn log tail truncated), or NULL.
    pub warning: *const c_char,
}

/// A load-progress callback: `progress` is valid during the call only;
/// `user_data` is the pointer given to kv_config_set_load_progress().
pub type kv_load_progress_fn = Option<unsafe extern "C" fn(progress: *const kv_load_progress, user_data: *mut c_void)>;

/// The user's callback and pointer; kv calls it only during
/// kv_store_open(), which the user vouches is fine from whichever thread.
struct Callback {
    f: unsafe extern "C" fn(*const kv_load_progress, *mut c_void),
    user_data: *mut c_void,
}

// SAFETY: the pointer is only handed back to the user's callback; the
// contract of kv_config_set_load_progress() makes that the user's concern.
unsafe impl Send for Callback {}
unsafe impl Sync for Callback {}

impl Callback {
    fn call(&self, p: &LoadProgress) {
        let path = CString::new(p.path.as_os_str().as_encoded_bytes().to_vec()).unwrap_or_default();
        let warning = p.warning.as_ref().map(|w| CString::new(w.replace('\0', "\\0")).unwrap_or_default());
        let c = kv_load_progress {
            path: path.as_ptr(),
            bytes_read: p.bytes_read,
            bytes_total: p.bytes_total,
            keys_loaded: p.keys_loaded,
            keys_expired: p.keys_expired,
            elapsed_ms: p.elapsed.as_millis().try_into().unwrap_or(u64::MAX),
            done: p.done,
            warning: warning.as_ref().map_or(std::ptr::null(), |w| w.as_ptr()),
        };
        // SAFETY: a function pointer the user gave, called as documented.
        unsafe { (self.f)(&c, self.user_data) }
    }
}

/// Keeps the store on disk in directory `path` (created if missing): its
/// data is loaded by kv_store_open() and saved there. Unless a mode was
/// chosen with kv_config_set_persistence(), this turns snapshots on, and
/// unless save rules were set, brings Redis's default ones (`save 3600 1
/// 300 100 60 10000`). NULL goes back to in memory only.
///
/// @param path a NUL-terminated path (bytes, as the OS takes them);
///        copied.
/// @return KV_OK, or KV_INVALID_ARGUMENT (NULL config, empty path).
///
/// # Safety
/// `config` is NULL or a live config; `path` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn kv_config_set_data_dir(config: *mut kv_config, path: *const c_char) -> kv_status {
    unsafe {
        kv_config::call(config, |c| {
            if path.is_null() {
                c.config.persist.data_dir = None;
                return Ok(());
            }
            // SAFETY: a C string, per the contract.
            let bytes = CStr::from_ptr(path).to_bytes();
            if bytes.is_empty() {
                return Err(Failure::invalid("the data directory path is empty"));
            }
            let dir = std::path::PathBuf::from(os_str(bytes));
            let (mode, rules) = (c.config.persist.mode, c.config.persist.save_rules.clone());
            let cfg = std::mem::take(&mut c.config).data_dir(dir);
            c.config = cfg;
            if c.rules_set || mode != Mode::Off {
                c.config.persist.save_rules = rules;
            }
            Ok(())
        })
    }
}

#[cfg(unix)]
pub(crate) fn os_str(b: &[u8]) -> &std::ffi::OsStr {
    std::os::unix::ffi::OsStrExt::from_bytes(b)
}

#[cfg(not(unix))]
pub(crate) fn os_str(b: &[u8]) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(std::str::from_utf8(b).unwrap_or_default())
}

/// Chooses what the store keeps on disk (needs a data directory to do
/// anything: kv_config_set_data_dir()).
///
/// @param mode one of kv_persistence (KV_PERSIST_OFF, ...).
/// @return KV_OK, or KV_INVALID_ARGUMENT (NULL config, unknown mode).
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn kv_config_set_persistence(config: *mut kv_config, mode: c_int) -> kv_status {
    unsafe {
        kv_config::call(config, |c| {
            c.config.persist.mode = match mode {
                0 => Mode::Off,
                1 => Mode::Snapshot,
                2 => Mode::Log,
                3 => Mode::Both,
                _ => return Err(Failure::invalid(format!("unknown persistence mode {mode}"))),
            };
            Ok(())
        })
    }
}

/// Chooses when the append-only log is fsynced (Redis's `appendfsync`).
///
/// @param policy one of kv_fsync (default KV_FSYNC_EVERYSEC).
/// @return KV_OK, or KV_INVALID_ARGUMENT (NULL config, unknown policy).
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn kv_config_set_fsync(config: *mut kv_config, policy: c_int) -> kv_status {
    unsafe {
        kv_config::call(config, |c| {
            c.config.persist.fsync = match policy {
                0 => Fsync::Always,
                1 => Fsync::EverySec,
                2 => Fsync::No,
                _ => return Err(Failure::invalid(format!("unknown fsync policy {policy}"))),
            };
            Ok(())
        })
    }
}

/// Sets the automatic snapshot rules (Redis's `save`), replacing any.
///
/// @param rules `n` rules, copied; with `n` 0 (`rules` may then be NULL)
///        snapshots are taken only on request (kv_store_save(),
///        kv_store_bgsave(), SAVE, BGSAVE).
/// @return KV_OK, or KV_INVALID_ARGUMENT (NULL config, NULL rules with
///         n > 0, a rule with 0 changes).
///
/// # Safety
/// `config` is NULL or a live config; `rules` is NULL or holds `n` rules.
#[no_mangle]
pub unsafe extern "C" fn kv_config_set_save_rules(
    config: *mut kv_config,
    n: usize,
    rules: *const kv_save_rule,
) -> kv_status {
    unsafe {
        kv_config::call(config, |c| {
            let rules: &[kv_save_rule] = match (n, rules.is_null()) {
                (0, _) => &[],
                (_, true) => return Err(Failure::invalid("rules is NULL with a nonzero count")),
                // SAFETY: the caller vouches for `n` rules.
                _ => std::slice::from_raw_parts(rules, n),
            };
            if rules.iter().any(|r| r.changes == 0) {
                return Err(Failure::invalid("a save rule needs at least 1 change"));
            }
            c.config.persist.save_rules = rules.iter().map(|r| SaveRule::new(r.seconds, r.changes)).collect();
            c.rules_set = true;
            Ok(())
        })
    }
}

/// Automatic rewrite of the append-only log (Redis's
/// `auto-aof-rewrite-percentage` and `auto-aof-rewrite-min-size`): once
/// the log has grown by `percentage` percent since the last rewrite and is
/// at least `min_size` bytes. Defaults: 100 and 64 MiB; a percentage of 0
/// turns it off.
///
/// @return KV_OK, or KV_INVALID_ARGUMENT (NULL config).
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn kv_config_set_auto_rewrite(
    config: *mut kv_config,
    percentage: u64,
    min_size: u64,
) -> kv_status {
    unsafe {
        kv_config::call(config, |c| {
            c.config = std::mem::take(&mut c.config).auto_rewrite(percentage, min_size);
            Ok(())
        })
    }
}

/// Sets a callback that kv_store_open() calls while it loads a data
/// directory: about every 100 ms per file, and once when a file is loaded
/// (`done` true). It runs inside kv_store_open(), before it returns, and
/// must not call into the store being opened.
///
/// @param callback the function, or NULL for none.
/// @param user_data handed to every call, untouched.
/// @return KV_OK, or KV_INVALID_ARGUMENT (NULL config).
///
/// # Safety
/// `config` is NULL or a live config; `callback` is safe to call with
/// `user_data` during every kv_store_open() with this config.
#[no_mangle]
pub unsafe extern "C" fn kv_config_set_load_progress(
    config: *mut kv_config,
    callback: kv_load_progress_fn,
    user_data: *mut c_void,
) -> kv_status {
    unsafe {
        kv_config::call(config, |c| {
            c.config.persist.on_load_progress = callback.map(|f| {
                let cb = Callback { f, user_data };
                Arc::new(move |p: &LoadProgress| cb.call(p)) as kv_core::persist::ProgressFn
            });
            Ok(())
        })
    }
}

/// The message of the last call on this config that failed (a setter, or
/// kv_store_open() with this config).
///
/// @return a NUL-terminated string owned by the config, valid until the
///         next call with it; NULL if no call has failed (or `config` is NULL).
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn kv_config_error(config: *const kv_config) -> *const c_char {
    // SAFETY: NULL or a live handle.
    unsafe { config.as_ref() }.map_or(std::ptr::null(), |c| c.error.message())
}
