//! `kv_store`: an open database, shared by every thread of the process.
//!
//! A store is shared, so its error accessor cannot hand out one message
//! that any thread may replace while another reads it: a failed call's
//! status and message are kept per thread (as `errno`), for each store the
//! thread used, and kv_store_error() reads the calling thread's.

use std::cell::RefCell;
use std::ffi::{c_char, CStr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use kv_core::{Config, ManualClock, Store};

use crate::config::kv_config;
use crate::guard::{catch, put, release, status, ErrorSlot, Failure};
use crate::status::kv_status;

/// Each store's identity for the per-thread error slots (an address could
/// be reused by a later store).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// How many stores' failures a thread keeps; the oldest entry goes first.
const SLOTS_PER_THREAD: usize = 8;

thread_local! {
    /// This thread's last failure on each store it used (by id).
    static ERRORS: RefCell<Vec<(u64, ErrorSlot)>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on this thread's error slot for store `id`, if it has one.
fn with_slot<R>(id: u64, f: impl FnOnce(&ErrorSlot) -> R) -> Option<R> {
    ERRORS.try_with(|e| e.borrow().iter().find(|(i, _)| *i == id).map(|(_, slot)| f(slot))).ok().flatten()
}

fn record(id: u64, failure: Failure) -> kv_status {
    let status = failure.status;
    let _ = ERRORS.try_with(|e| {
        let mut e = e.borrow_mut();
        let at = match e.iter().position(|(i, _)| *i == id) {
            Some(at) => at,
            None => {
                if e.len() == SLOTS_PER_THREAD {
                    e.remove(0);
                }
                e.push((id, ErrorSlot::default()));
                e.len() - 1
            }
        };
        e[at].1.record(failure);
    });
    status
}

/// An open store. Thread-safe: one handle may be used from many threads at
/// once (each thread with its own kv_session). Opened by kv_store_open(),
/// freed by kv_store_free().
pub struct kv_store {
    pub(crate) store: Store,
    manual_clock: Option<Arc<ManualClock>>,
    id: u64,
}

impl kv_store {
    /// Runs an export on a store handle (shared: only `&` access).
    pub(crate) unsafe fn call<T>(
        this: *const kv_store,
        f: impl FnOnce(&kv_store) -> Result<T, Failure>,
    ) -> Result<T, kv_status> {
        // SAFETY: NULL or a live handle from kv_store_open(); shared access only.
        let Some(h) = (unsafe { this.as_ref() }) else { return Err(kv_status::KV_INVALID_ARGUMENT) };
        catch(|| f(h)).map_err(|e| record(h.id, e))
    }

    /// [`kv_store::call`] for calls that persistence may refuse, on an
    /// open store.
    unsafe fn persist(this: *const kv_store, f: impl FnOnce(&Store) -> Result<(), Failure>) -> kv_status {
        status(unsafe {
            kv_store::call(this, |s| {
                if s.store.is_closed() {
                    return Err(Failure::closed());
                }
                f(&s.store).map(|()| kv_status::KV_OK)
            })
        })
    }
}

/// Opens a store: in memory, or loading its data directory if the config
/// names one (kv_config_set_data_dir()). Nothing is opened on failure.
///
/// @param config the options, or NULL for the defaults (see
///        kv_config_new()). Not taken over: free it with kv_config_free()
///        whenever convenient. If opening fails, kv_config_error(config)
///        tells why (for a data file: its path, and for a corrupt one the
///        byte offset of the first problem).
/// @param out receives the new store on success; free it with
///        kv_store_free().
/// @return KV_OK; KV_IO (the data directory or a file in it cannot be
///         created or read: permission denied, ...); KV_CORRUPT (a
///         snapshot or log that is not valid); KV_INVALID_ARGUMENT (`out`
///         is NULL).
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
        let store = Store::try_open(cfg)?;
        let h = Box::new(kv_store { store, manual_clock: clock, id: NEXT_ID.fetch_add(1, Ordering::Relaxed) });
        // SAFETY: checked non-null; the caller vouches it is writable.
        unsafe { out.write(Box::into_raw(h)) };
        Ok(kv_status::KV_OK)
    });
    status(r.map_err(|e| match config {
        Some(c) => c.error.record(e),
        None => e.status,
    }))
}

/// Closes a store: a running save is waited for, what the append-only log
/// buffers is written and fsynced, calls blocked on keys (BLPOP, ...) return
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
    // SAFETY: NULL or a live handle.
    if let Some(h) = unsafe { store.as_ref() } {
        let id = h.id;
        let _ = ERRORS.try_with(|e| e.borrow_mut().retain(|(i, _)| *i != id));
    }
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

/// SAVE: writes a snapshot of every database into the data directory and
/// returns once it is durably on disk. Other threads keep reading and
/// writing meanwhile.
///
/// @return KV_OK; KV_IO (the file cannot be written: the message names it
///         and the system's error); KV_ERR (no data directory, or
///         persistence off); KV_INVALID_ARGUMENT (NULL store), KV_CLOSED.
///         kv_store_error() gives the message.
///
/// # Safety
/// `store` is NULL or a live store.
#[no_mangle]
pub unsafe extern "C" fn kv_store_save(store: *const kv_store) -> kv_status {
    unsafe { kv_store::persist(store, |s| s.save().map(drop).map_err(Failure::from)) }
}

/// BGSAVE: takes the point in time now and writes the snapshot on a
/// background thread; returns at once. kv_store_lastsave() moves when it
/// has succeeded (kv_store_close() waits for it).
///
/// @return KV_OK (started); KV_ERR (`Background save already in progress`,
///         no data directory); KV_INVALID_ARGUMENT, KV_CLOSED.
///
/// # Safety
/// `store` is NULL or a live store.
#[no_mangle]
pub unsafe extern "C" fn kv_store_bgsave(store: *const kv_store) -> kv_status {
    unsafe { kv_store::persist(store, |s| s.bgsave().map_err(Failure::from)) }
}

/// Writes a consistent copy of the live store to `dir/snapshot.kvs`
/// (`dir` is created if missing), whatever the store's own persistence,
/// in-memory stores included. Restore it by opening a store with
/// kv_config_set_data_dir(dir).
///
/// @param dir a NUL-terminated directory path.
/// @return KV_OK; KV_IO; KV_INVALID_ARGUMENT (NULL store or dir, empty
///         dir), KV_CLOSED.
///
/// # Safety
/// `store` is NULL or a live store; `dir` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn kv_store_backup(store: *const kv_store, dir: *const c_char) -> kv_status {
    unsafe {
        kv_store::persist(store, |s| {
            if dir.is_null() {
                return Err(Failure::invalid("dir is NULL"));
            }
            // SAFETY: a C string, per the contract.
            let dir = CStr::from_ptr(dir).to_bytes();
            if dir.is_empty() {
                return Err(Failure::invalid("dir is empty"));
            }
            s.backup(crate::config::os_str(dir)).map(drop).map_err(Failure::from)
        })
    }
}

/// LASTSAVE: when the last successful save finished, in Unix seconds (the
/// store's opening time if none has).
///
/// @param unix_seconds receives the time (may be NULL).
/// @return KV_OK, KV_INVALID_ARGUMENT (NULL store).
///
/// # Safety
/// `store` is NULL or a live store; `unix_seconds` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kv_store_lastsave(store: *const kv_store, unix_seconds: *mut u64) -> kv_status {
    status(unsafe {
        kv_store::call(store, |s| {
            put(unix_seconds, s.store.last_save());
            Ok(kv_status::KV_OK)
        })
    })
}

/// The status of the last call on this store that failed on the calling
/// thread (kv_store_* functions and kv_session_open()); KV_OK if none has.
/// Failures are kept per thread, so threads sharing a store never see
/// each other's.
///
/// # Safety
/// `store` is NULL or a live store.
#[no_mangle]
pub unsafe extern "C" fn kv_store_status(store: *const kv_store) -> kv_status {
    // SAFETY: NULL or a live handle.
    let Some(h) = (unsafe { store.as_ref() }) else { return kv_status::KV_INVALID_ARGUMENT };
    with_slot(h.id, ErrorSlot::status).unwrap_or(kv_status::KV_OK)
}

/// The message of the last call on this store that failed on the calling
/// thread (see kv_store_status()): the file, operation and system error
/// for KV_IO, what was wrong otherwise.
///
/// Thread-safety: the message is the calling thread's own, so a store
/// shared by threads needs no locking around its calls to read it.
///
/// @return a NUL-terminated string owned by kv, valid until this
///         thread's next call with this store (or its next failed call on
///         another store: a thread keeps the messages of 8 stores); NULL if
///         no call has failed on this thread or `store` is NULL.
///
/// # Safety
/// `store` is NULL or a live store.
#[no_mangle]
pub unsafe extern "C" fn kv_store_error(store: *const kv_store) -> *const c_char {
    // SAFETY: NULL or a live handle.
    let Some(h) = (unsafe { store.as_ref() }) else { return std::ptr::null() };
    with_slot(h.id, ErrorSlot::message).unwrap_or(std::ptr::null())
}
