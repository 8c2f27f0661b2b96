//! Fast paths for hot hash, list and sorted-set commands, with the same
//! conventions as the string ones (strings.rs): they call kv-core's typed
//! collection API, skipping argument parsing and the reply tree.

use std::ffi::c_char;

use crate::buf::kv_buf;
use crate::guard::{buffers, bytes, put, Failure};
use crate::session::kv_session;
use crate::status::kv_status::{self, KV_NIL, KV_OK};
use crate::strings::found;

/// HGET: reads a field of a hash.
///
/// @param value receives the field's value on KV_OK (may be NULL); free it
///        with kv_buf_free().
/// @return KV_OK, KV_NIL (no such key or field), KV_WRONGTYPE,
///         KV_INVALID_ARGUMENT, KV_CLOSED.
///
/// # Safety
/// `session` is NULL or a live session; the buffers are readable for their
/// lengths; `value` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kv_hget(
    session: *mut kv_session,
    key: *const c_char,
    key_len: usize,
    field: *const c_char,
    field_len: usize,
    value: *mut kv_buf,
) -> kv_status {
    unsafe {
        kv_session::run(session, |s| {
            Ok(found(s.hget(bytes(key, key_len, "key")?, bytes(field, field_len, "field")?)?, value))
        })
    }
}

/// HSET: sets one field of a hash.
///
/// @param added receives 1 if the field is new, 0 if it was overwritten
///        (may be NULL).
/// @return KV_OK, KV_WRONGTYPE, KV_INVALID_ARGUMENT, KV_CLOSED.
///
/// # Safety
/// As kv_hget(); `added` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kv_hset(
    session: *mut kv_session,
    key: *const c_char,
    key_len: usize,
    field: *const c_char,
    field_len: usize,
    value: *const c_char,
    value_len: usize,
    added: *mut usize,
) -> kv_status {
    unsafe {
        kv_session::run(session, |s| {
            let pair = [(bytes(field, field_len, "field")?, bytes(value, value_len, "value")?)];
            put(added, s.hset(bytes(key, key_len, "key")?, &pair)?);
            Ok(KV_OK)
        })
    }
}

/// LPUSH: inserts values at the head of a list, one after the other (the
/// last one ends up first).
///
/// @param values `nvalues` (>= 1) values; `value_lens` their lengths, or
///        NULL if every value is a NUL-terminated string.
/// @param length receives the list's length afterwards (may be NULL).
/// @return KV_OK, KV_WRONGTYPE, KV_INVALID_ARGUMENT (also for no values),
///         KV_CLOSED.
///
/// # Safety
/// `values` (and `value_lens` unless NULL) hold `nvalues` entries;
/// `length` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kv_lpush(
    session: *mut kv_session,
    key: *const c_char,
    key_len: usize,
    nvalues: usize,
    values: *const *const c_char,
    value_lens: *const usize,
    length: *mut usize,
) -> kv_status {
    unsafe {
        kv_session::run(session, |s| {
            if nvalues == 0 {
                return Err(Failure::invalid("LPUSH needs at least one value"));
            }
            let key = bytes(key, key_len, "key")?;
            put(length, s.lpush(key, &buffers(nvalues, values, value_lens, "values")?)?);
            Ok(KV_OK)
        })
    }
}

/// RPOP: removes and returns the last element of a list.
///
/// @param value receives the element on KV_OK (may be NULL); free it with
///        kv_buf_free().
/// @return KV_OK, KV_NIL (no such key), KV_WRONGTYPE, KV_INVALID_ARGUMENT,
///         KV_CLOSED.
///
/// # Safety
/// As kv_get().
#[no_mangle]
pub unsafe extern "C" fn kv_rpop(
    session: *mut kv_session,
    key: *const c_char,
    key_len: usize,
    value: *mut kv_buf,
) -> kv_status {
    unsafe { kv_session::run(session, |s| Ok(found(s.rpop(bytes(key, key_len, "key")?)?, value))) }
}

/// ZADD: sets a member's score in a sorted set.
///
/// @param score any double but NaN.
/// @param added receives true if the member is new (may be NULL).
/// @return KV_OK; KV_ERR for a NaN score (`ERR value is not a valid
///         float`); KV_WRONGTYPE, KV_INVALID_ARGUMENT, KV_CLOSED.
///
/// # Safety
/// As kv_get(); `added` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kv_zadd(
    session: *mut kv_session,
    key: *const c_char,
    key_len: usize,
    score: f64,
    member: *const c_char,
    member_len: usize,
    added: *mut bool,
) -> kv_status {
    unsafe {
        kv_session::run(session, |s| {
            // kv-core refuses a NaN score with Redis's error text.
            put(added, s.zadd(bytes(key, key_len, "key")?, score, bytes(member, member_len, "member")?)?);
            Ok(KV_OK)
        })
    }
}

/// ZSCORE: reads a member's score.
///
/// @param score receives the score on KV_OK (may be NULL).
/// @return KV_OK, KV_NIL (no such key or member), KV_WRONGTYPE,
///         KV_INVALID_ARGUMENT, KV_CLOSED.
///
/// # Safety
/// As kv_get(); `score` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn kv_zscore(
    session: *mut kv_session,
    key: *const c_char,
    key_len: usize,
    member: *const c_char,
    member_len: usize,
    score: *mut f64,
) -> kv_status {
    unsafe {
        kv_session::run(session, |s| {
            match s.zscore(bytes(key, key_len, "key")?, bytes(member, member_len, "member")?)? {
                Some(v) => {
                    put(score, v);
                    Ok(KV_OK)
                }
                None => Ok(KV_NIL),
            }
        })
    }
}
