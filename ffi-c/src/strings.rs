//! Fast paths for the hot string and key commands: borrowed `{ptr,len}`
//! inputs, a status code, typed outputs. They call kv-core's typed API,
//! skipping argument parsing and the reply tree.

use std::ffi::c_char;

use kv_core::Error;

use crate::buf::{kv_buf, put_buf};
use crate::guard::{buffers, bytes, put, Failure};
use crate::session::kv_session;
use crate::status::kv_status::{self, KV_NIL, KV_OK};

/// `Some` as KV_OK (written to `out`), `None` as KV_NIL.
pub(crate) unsafe fn found(v: Option<Vec<u8>>, out: *mut kv_buf) -> kv_status {
    match v {
        Some(v) => {
            unsafe { put_buf(out, v) };
            KV_OK
        }
        None => KV_NIL,
    }
}

/// `EXPIRE`'s seconds as milliseconds; an overflow is Redis's error.
fn seconds_to_ms(s: i64) -> Result<i64, Failure> {
    s.checked_mul(1000).ok_or_else(|| Error::owned(kv_core::errors::EXPIRE_TIME.replace("{}", "expire")).into())
}

/// GET: reads a string value.
///
/// @param key the key, `key_len` bytes (any bytes; NULL if `key_len` is 0).
/// @param value receives the value on KV_OK (may be NULL to only test);
///        free it with kv_buf_free().
/// @return KV_OK, KV_NIL (no such key; `value` untouched), KV_WRONGTYPE,
///         KV_INVALID_ARGUMENT, KV_CLOSED.
///
/// # Safety
/// `session` is NULL or a live session; the buffers are readable for their
/// lengths; `value` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kv_get(
    session: *mut kv_session,
    key: *const c_char,
    key_len: usize,
    value: *mut kv_buf,
) -> kv_status {
    unsafe { kv_session::run(session, |s| Ok(found(s.get(bytes(key, key_len, "key")?)?, value))) }
}

/// GET into the caller's buffer: no allocation when the value fits.
///
/// @param buf receives the value if it fits: `cap` writable bytes (NULL
///        if `cap` is 0).
/// @param len receives the value's length on KV_OK (may be NULL). If it
///        is more than `cap`, nothing was copied: call again with a buffer
///        of at least that size (the value may have changed meanwhile, so
///        check again).
/// @return KV_OK, KV_NIL (no such key; `len` untouched), KV_WRONGTYPE,
///         KV_INVALID_ARGUMENT, KV_CLOSED.
///
/// # Safety
/// `session` is NULL or a live session; `key` is readable for `key_len`
/// bytes; `buf` is writable for `cap` bytes; `len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kv_get_into(
    session: *mut kv_session,
    key: *const c_char,
    key_len: usize,
    buf: *mut c_char,
    cap: usize,
    len: *mut usize,
) -> kv_status {
    unsafe {
        kv_session::run(session, |s| {
            if buf.is_null() && cap > 0 {
                return Err(Failure::invalid("buf is NULL with a nonzero capacity"));
            }
            let n = s.get_with(bytes(key, key_len, "key")?, |v| {
                if v.len() <= cap && !v.is_empty() {
                    // SAFETY: `buf` holds `cap` writable bytes, per the contract.
                    std::ptr::copy_nonoverlapping(v.as_ptr(), buf.cast::<u8>(), v.len());
                }
                v.len()
            })?;
            Ok(match n {
                Some(n) => {
                    put(len, n);
                    KV_OK
                }
                None => KV_NIL,
            })
        })
    }
}

/// SET: stores a string value, dropping any expiry the key had.
///
/// @return KV_OK, KV_INVALID_ARGUMENT, KV_CLOSED.
///
/// # Safety
/// `session` is NULL or a live session; the buffers are readable for their
/// lengths.
#[no_mangle]
pub unsafe extern "C" fn kv_set(
    session: *mut kv_session,
    key: *const c_char,
    key_len: usize,
    value: *const c_char,
    value_len: usize,
) -> kv_status {
    unsafe {
        kv_session::run(session, |s| {
            s.set(bytes(key, key_len, "key")?, bytes(value, value_len, "value")?)?;
            Ok(KV_OK)
        })
    }
}

/// SET key value PX ttl_ms: stores a string value that expires in `ttl_ms`
/// milliseconds.
///
/// @return KV_OK; KV_ERR for a `ttl_ms` of 0 or too large
///         (`ERR invalid expire time in 'set' command`); KV_INVALID_ARGUMENT,
///         KV_CLOSED.
///
/// # Safety
/// As kv_set().
#[no_mangle]
pub unsafe extern "C" fn kv_set_px(
    session: *mut kv_session,
    key: *const c_char,
    key_len: usize,
    value: *const c_char,
    value_len: usize,
    ttl_ms: u64,
) -> kv_status {
    unsafe {
        kv_session::run(session, |s| {
            s.set_ex(bytes(key, key_len, "key")?, bytes(value, value_len, "value")?, ttl_ms)?;
            Ok(KV_OK)
        })
    }
}

/// DEL: deletes keys.
///
/// @param keys `nkeys` keys; `key_lens` their lengths, or NULL if every
///        key is a NUL-terminated string.
/// @param deleted receives how many keys existed and were deleted (may be
///        NULL).
/// @return KV_OK; KV_ERR (`MISCONF ...`) if the append-only log cannot be
///         written; KV_INVALID_ARGUMENT, KV_CLOSED.
///
/// # Safety
/// `keys` (and `key_lens` unless NULL) hold `nkeys` entries, each readable
/// as described; `deleted` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kv_del(
    session: *mut kv_session,
    nkeys: usize,
    keys: *const *const c_char,
    key_lens: *const usize,
    deleted: *mut usize,
) -> kv_status {
    unsafe {
        kv_session::run(session, |s| {
            let keys = buffers(nkeys, keys, key_lens, "keys")?;
            put(deleted, s.del(&keys)?);
            Ok(KV_OK)
        })
    }
}

/// EXISTS: counts how many of the keys exist (a key named twice counts
/// twice).
///
/// @param count receives the count (may be NULL).
/// @return KV_OK, KV_INVALID_ARGUMENT, KV_CLOSED.
///
/// # Safety
/// As kv_del().
#[no_mangle]
pub unsafe extern "C" fn kv_exists(
    session: *mut kv_session,
    nkeys: usize,
    keys: *const *const c_char,
    key_lens: *const usize,
    count: *mut usize,
) -> kv_status {
    unsafe {
        kv_session::run(session, |s| {
            let keys = buffers(nkeys, keys, key_lens, "keys")?;
            put(count, s.exists(&keys));
            Ok(KV_OK)
        })
    }
}

/// INCRBY: adds `delta` to the integer in a key (0 if it does not exist),
/// keeping its expiry.
///
/// @param result receives the new value (may be NULL).
/// @return KV_OK; KV_ERR (`ERR value is not an integer or out of range`,
///         `ERR increment or decrement would overflow`); KV_WRONGTYPE,
///         KV_INVALID_ARGUMENT, KV_CLOSED.
///
/// # Safety
/// As kv_get(); `result` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kv_incrby(
    session: *mut kv_session,
    key: *const c_char,
    key_len: usize,
    delta: i64,
    result: *mut i64,
) -> kv_status {
    unsafe {
        kv_session::run(session, |s| {
            put(result, s.incr_by(bytes(key, key_len, "key")?, delta)?);
            Ok(KV_OK)
        })
    }
}

/// PEXPIRE: gives a key a time to live of `ms` milliseconds (0 or less
/// deletes it, as in Redis).
///
/// @return KV_OK (the expiry was set), KV_NIL (no such key), KV_ERR (the
///         deadline overflows), KV_INVALID_ARGUMENT, KV_CLOSED.
///
/// # Safety
/// As kv_get().
#[no_mangle]
pub unsafe extern "C" fn kv_pexpire(
    session: *mut kv_session,
    key: *const c_char,
    key_len: usize,
    ms: i64,
) -> kv_status {
    unsafe { kv_session::run(session, |s| Ok(if s.expire(bytes(key, key_len, "key")?, ms)? { KV_OK } else { KV_NIL })) }
}

/// EXPIRE: as kv_pexpire() with a time to live in seconds.
///
/// @return KV_OK (the expiry was set), KV_NIL (no such key), KV_ERR
///         (`ERR invalid expire time in 'expire' command`),
///         KV_INVALID_ARGUMENT, KV_CLOSED.
///
/// # Safety
/// As kv_get().
#[no_mangle]
pub unsafe extern "C" fn kv_expire(
    session: *mut kv_session,
    key: *const c_char,
    key_len: usize,
    seconds: i64,
) -> kv_status {
    unsafe {
        kv_session::run(session, |s| {
            let ms = seconds_to_ms(seconds)?;
            // The core words its deadline overflow for PEXPIRE.
            let set = s
                .expire(bytes(key, key_len, "key")?, ms)
                .map_err(|e| Error::owned(e.text().replace("'pexpire'", "'expire'")))?;
            Ok(if set { KV_OK } else { KV_NIL })
        })
    }
}
