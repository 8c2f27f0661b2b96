//! `kv_session`: one caller's connection state (selected database,
//! transaction, protocol), as a Redis client connection has.

use std::ffi::c_char;

use kv_core::Session;

use crate::guard::{catch, put, release, status, ErrorSlot, Failure};
use crate::status::kv_status;
use crate::store::kv_store;

/// A session on a store. Not thread-safe: use each session from one thread
/// at a time (open one per thread). Opened by kv_session_open(), freed by
/// kv_session_free(). It keeps the store's data alive on its own.
pub struct kv_session {
    pub(crate) session: Session,
    /// Replies keep their RESP3 shape whatever the protocol.
    pub(crate) resp3: bool,
    error: ErrorSlot,
}

impl kv_session {
    /// Runs an export on a session: NULL is `KV_INVALID_ARGUMENT`, a closed
    /// store `KV_CLOSED`, a panic `KV_PANIC`; a failure is kept for
    /// kv_session_error().
    #[inline]
    pub(crate) unsafe fn call<T>(
        this: *mut kv_session,
        f: impl FnOnce(&mut kv_session) -> Result<T, Failure>,
    ) -> Result<T, kv_status> {
        // SAFETY: NULL or a live handle from kv_session_open(), used by one thread.
        let Some(h) = (unsafe { this.as_mut() }) else { return Err(kv_status::KV_INVALID_ARGUMENT) };
        let r = catch(|| {
            if h.session.store().is_closed() {
                return Err(Failure::closed());
            }
            f(h)
        });
        r.map_err(|e| h.error.record(e))
    }

    /// [`kv_session::call`] for exports that return only a status.
    #[inline]
    pub(crate) unsafe fn run(
        this: *mut kv_session,
        f: impl FnOnce(&mut Session) -> Result<kv_status, Failure>,
    ) -> kv_status {
        status(unsafe { kv_session::call(this, |h| f(&mut h.session)) })
    }

    /// Records a failure found outside [`kv_session::call`] (kv_command's
    /// format errors).
    pub(crate) fn fail(&mut self, f: Failure) -> kv_status {
        self.error.record(f)
    }
}

/// Opens a session on database 0, speaking RESP2 (as a new Redis
/// connection does: HELLO 3 switches it).
///
/// @param out receives the session; free it with kv_session_free().
/// @return KV_OK, KV_INVALID_ARGUMENT (NULL store or out), KV_CLOSED.
///
/// # Safety
/// `store` is NULL or a live store; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kv_session_open(store: *const kv_store, out: *mut *mut kv_session) -> kv_status {
    status(unsafe {
        kv_store::call(store, |s| {
            if out.is_null() {
                return Err(Failure::invalid("out is NULL"));
            }
            if s.store.is_closed() {
                return Err(Failure::closed());
            }
            let h = Box::new(kv_session { session: s.store.session(), resp3: false, error: ErrorSlot::default() });
            // SAFETY: checked non-null; the caller vouches it is writable.
            out.write(Box::into_raw(h));
            Ok(kv_status::KV_OK)
        })
    })
}

/// Frees a session (its WATCHes and MULTI queue go with it). NULL is
/// ignored.
///
/// # Safety
/// `session` is NULL or a live session, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn kv_session_free(session: *mut kv_session) {
    unsafe { release(session) }
}

/// Chooses the shape of kv_exec()'s replies. By default (false) they are
/// what the session's protocol delivers: under RESP2 maps come as flat
/// arrays, doubles as strings, booleans as integers, as hiredis shows them.
/// With true they keep the RESP3 shape (KV_REPLY_MAP, KV_REPLY_DOUBLE, ...)
/// whatever the protocol.
///
/// @return KV_OK, KV_INVALID_ARGUMENT (NULL session), KV_CLOSED.
///
/// # Safety
/// `session` is NULL or a live session.
#[no_mangle]
pub unsafe extern "C" fn kv_session_set_resp3_replies(session: *mut kv_session, on: bool) -> kv_status {
    status(unsafe {
        kv_session::call(session, |h| {
            h.resp3 = on;
            Ok(kv_status::KV_OK)
        })
    })
}

/// The database the session has selected (SELECT).
///
/// @param db receives the index (may be NULL).
/// @return KV_OK, KV_INVALID_ARGUMENT (NULL session), KV_CLOSED.
///
/// # Safety
/// `session` is NULL or a live session; `db` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kv_session_db(session: *mut kv_session, db: *mut usize) -> kv_status {
    unsafe {
        kv_session::run(session, |s| {
            put(db, s.db());
            Ok(kv_status::KV_OK)
        })
    }
}

/// The status of the last call on this session that failed: anything but
/// KV_OK and KV_NIL, or NULL from kv_exec(). KV_OK if none has failed.
///
/// # Safety
/// `session` is NULL or a live session.
#[no_mangle]
pub unsafe extern "C" fn kv_session_status(session: *const kv_session) -> kv_status {
    // SAFETY: NULL or a live handle.
    unsafe { session.as_ref() }.map_or(kv_status::KV_INVALID_ARGUMENT, |s| s.error.status())
}

/// The message of the last call on this session that failed: the Redis
/// error text for KV_ERR and KV_WRONGTYPE (`"WRONGTYPE Operation against a
/// key holding the wrong kind of value"`), what was wrong otherwise.
///
/// @return a NUL-terminated string owned by the session, valid until the
///         next call with it; NULL if no call has failed or `session` is NULL.
///
/// # Safety
/// `session` is NULL or a live session.
#[no_mangle]
pub unsafe extern "C" fn kv_session_error(session: *const kv_session) -> *const c_char {
    // SAFETY: NULL or a live handle.
    unsafe { session.as_ref() }.map_or(std::ptr::null(), |s| s.error.message())
}
