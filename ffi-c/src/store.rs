//! `kv_store`: an open database, shared by every thread of the process.

use std::sync::Arc;

use kv_core::{Config, ManualClock, Store};

use crate::config::kv_config;
use crate::guard::{catch, put, release, status, Failure};
use crate::status::kv_status;

/// An open store. Thread-safe: one handle may be used from many threads at
/// once (each thread with its own kv_session). Opened by kv_store_open(),
/// freed by kv_store_free().
pub struct kv_store {
    pub(crate) store: Store,
    manual_clock: Option<Arc<ManualClock>>,
}

impl kv_store {
    /// Runs an export on a store handle (shared: only `&` access).
    pub(crate) unsafe fn call<T>(
        this: *const kv_store,
        f: impl FnOnce(&kv_store) -> Result<T, Failure>,
    ) -> Result<T, kv_status> {
        // SAFETY: NULL or a live handle from kv_store_open(); shared access only.
        let Some(h) = (unsafe { this.as_ref() }) else { return Err(kv_status::KV_INVALID_ARGUMENT) };
        catch(|| f(h)).map_err(|e| e.status)
    }
}

/// Opens an in-memory store.
///
/// @param config the options, or NULL for the defaults (see
///        kv_config_new()). Not taken over: free it with kv_config_free()
///        whenever convenient. If opening fails, kv_config_error(config)
///        tells why.
/// @param out receives the new store on success; free it with
///        kv_store_free().
/// @return KV_OK, or KV_INVALID_ARGUMENT (`out` is NULL).
///
/// # Safety
/// `config` is NULL or a live config; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kv_store_open(config: *mut kv_config, out: *mut *mut kv_store) -> kv_status {
    // SAFETY: NULL or a live config, used by this thread only.
    let config = unsafe { config.as_mut() };
    let r = catch(|| {
        if out.is_null() {
            return Err(Failure::invalid("out is NULL"));
        }
        let (cfg, clock) = match config.as_deref() {
            Some(c) => (c.config.clone(), c.manual_clock.clone()),
            None => (Config::default(), None),
        };
        let h = Box::new(kv_store { store: Store::open(cfg), manual_clock: clock });
        // SAFETY: checked non-null; the caller vouches it is writable.
        unsafe { out.write(Box::into_raw(h)) };
        Ok(kv_status::KV_OK)
    });
    status(r.map_err(|e| match config {
        Some(c) => c.error.record(e),
        None => e.status,
    }))
}

/// Closes a store: calls blocked on keys (BLPOP, ...) return
/// `ERR store closed`, the background expiry thread stops, and every later
/// call through this store's sessions returns KV_CLOSED (or NULL from
/// kv_exec()). The handle itself stays valid until kv_store_free().
/// Closing twice is harmless.
///
/// @return KV_OK, or KV_INVALID_ARGUMENT (NULL store).
///
/// # Safety
/// `store` is NULL or a live store.
#[no_mangle]
pub unsafe extern "C" fn kv_store_close(store: *const kv_store) -> kv_status {
    status(unsafe {
        kv_store::call(store, |s| {
            s.store.close();
            Ok(kv_status::KV_OK)
        })
    })
}

/// Releases a store handle. The data lives on while sessions opened on it
/// do; the store is not closed (call kv_store_close() for that). NULL is
/// ignored.
///
/// # Safety
/// `store` is NULL or a live store that no other thread is using, not used
/// afterwards.
#[no_mangle]
pub unsafe extern "C" fn kv_store_free(store: *mut kv_store) {
    unsafe { release(store) }
}

/// Moves a store's manual clock forward by `ms` milliseconds (see
/// kv_config_set_manual_clock()); keys whose time has come expire.
///
/// @return KV_OK, or KV_INVALID_ARGUMENT (NULL store, or the store runs on
///         the system clock).
///
/// # Safety
/// `store` is NULL or a live store.
#[no_mangle]
pub unsafe extern "C" fn kv_store_advance_clock(store: *const kv_store, ms: u64) -> kv_status {
    status(unsafe {
        kv_store::call(store, |s| {
            let clock = s.manual_clock.as_ref().ok_or_else(|| Failure::invalid("the store has no manual clock"))?;
            clock.advance(ms);
            Ok(kv_status::KV_OK)
        })
    })
}

/// The number of keys in database `db`, counting keys that expired but
/// were not swept yet, as DBSIZE does.
///
/// @param count receives the number (may be NULL).
/// @return KV_OK, or KV_INVALID_ARGUMENT (NULL store, no such database).
///
/// # Safety
/// `store` is NULL or a live store; `count` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kv_store_dbsize(store: *const kv_store, db: usize, count: *mut usize) -> kv_status {
    status(unsafe {
        kv_store::call(store, |s| {
            if db >= s.store.config().databases {
                return Err(Failure::invalid("no such database"));
            }
            put(count, s.store.dbsize(db));
            Ok(kv_status::KV_OK)
        })
    })
}
