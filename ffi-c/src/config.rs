//! `kv_config`: how a store is opened. An opaque handle with one setter per
//! option, so options can be added without changing the ABI.

use std::ffi::c_char;
use std::sync::Arc;

use kv_core::{Config, ManualClock};

use crate::guard::{catch, release, status, ErrorSlot, Failure};
use crate::status::kv_status;

/// Options for kv_store_open(). Made by kv_config_new(), freed by
/// kv_config_free(). Not thread-safe: use it from one thread at a time.
pub struct kv_config {
    pub(crate) config: Config,
    pub(crate) manual_clock: Option<Arc<ManualClock>>,
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
    Box::into_raw(Box::new(kv_config { config: Config::default(), manual_clock: None, error: ErrorSlot::default() }))
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
