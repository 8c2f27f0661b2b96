//! Fast paths for hot hash, list and sorted-set commands, with the same
//! conventions as the string ones (strings.rs).
//!
//! These go through the generic `Session::execute` path and read its
//! reply; kv-core's typed collection API will replace the body of each
//! without changing a signature.

use std::ffi::c_char;

use kv_core::{Error, Reply, Session};

use crate::buf::kv_buf;
use crate::guard::{buffers, bytes, put, Failure};
use crate::session::kv_session;
use crate::status::kv_status::{self, KV_NIL, KV_OK};
use crate::strings::found;

/// Runs a command; an error reply becomes its failure.
fn exec(s: &mut Session, args: &[&[u8]]) -> Result<Reply, Failure> {
    match s.execute_slices(args) {
        Reply::Error(e) => Err(Error::owned(e.into_owned()).into()),
        r => Ok(r),
    }
}

fn unexpected(r: &Reply) -> Failure {
    Failure::from(Error::owned(format!("ERR unexpected reply {r:?}")))
}

fn count(r: Reply) -> Result<usize, Failure> {
    match r {
        Reply::Integer(n) if n >= 0 => Ok(n as usize),
        r => Err(unexpected(&r)),
    }
}

fn bulk_or_nil(r: Reply) -> Result<Option<Vec<u8>>, Failure> {
    match r {
        Reply::Bulk(b) => Ok(Some(b)),
        Reply::Nil | Reply::NilArray => Ok(None),
        r => Err(unexpected(&r)),
    }
}

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
            let r = exec(s, &[b"HGET", bytes(key, key_len, "key")?, bytes(field, field_len, "field")?])?;
            Ok(found(bulk_or_nil(r)?, value))
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
            let args = [
                b"HSET",
                bytes(key, key_len, "key")?,
                bytes(field, field_len, "field")?,
                bytes(value, value_len, "value")?,
            ];
            put(added, count(exec(s, &args)?)?);
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
            let mut args = buffers(nvalues, values, value_lens, "values")?;
            args.insert(0, bytes(key, key_len, "key")?);
            args.insert(0, b"LPUSH");
            put(length, count(exec(s, &args)?)?);
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
    unsafe {
        kv_session::run(session, |s| {
            let r = exec(s, &[b"RPOP", bytes(key, key_len, "key")?])?;
            Ok(found(bulk_or_nil(r)?, value))
        })
    }
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
            if score.is_nan() {
                return Err(Error::new(kv_core::errors::NOT_FLOAT).into());
            }
            // Shortest text that reads back as the same double.
            let text = format!("{score:?}");
            let text = if score.is_infinite() {
                if score > 0.0 {
                    "inf"
                } else {
                    "-inf"
                }
            } else {
                &text
            };
            let args = [b"ZADD", bytes(key, key_len, "key")?, text.as_bytes(), bytes(member, member_len, "member")?];
            put(added, count(exec(s, &args)?)? == 1);
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
            let r = exec(s, &[b"ZSCORE", bytes(key, key_len, "key")?, bytes(member, member_len, "member")?])?;
            let v = match r {
                Reply::Double(d) => d,
                Reply::Bulk(b) => kv_core::num::parse_f64(&b).ok_or_else(|| unexpected(&Reply::Bulk(b.clone())))?,
                Reply::Nil => return Ok(KV_NIL),
                r => return Err(unexpected(&r)),
            };
            put(score, v);
            Ok(KV_OK)
        })
    }
}
