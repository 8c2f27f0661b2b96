//! `kv_buf`: bytes kv hands to the caller (a value read by a fast path).

use std::ffi::c_char;
use std::ptr::null_mut;

/// Bytes owned by the caller, filled by a fast path (kv_get(), ...). Free
/// them with kv_buf_free(), never with free(). Not NUL-terminated; may
/// contain NULs.
#[repr(C)]
pub struct kv_buf {
    /// The bytes; NULL when `len` is 0.
    pub data: *mut c_char,
    /// Number of bytes.
    pub len: usize,
}

impl kv_buf {
    /// Hands `v` over; the allocation is a boxed slice of exactly `len`
    /// bytes (values read from the store are copied at their length, so
    /// this does not reallocate).
    pub(crate) fn from_vec(v: Vec<u8>) -> kv_buf {
        if v.is_empty() {
            return kv_buf { data: null_mut(), len: 0 };
        }
        let b = v.into_boxed_slice();
        let len = b.len();
        kv_buf { data: Box::into_raw(b).cast(), len }
    }
}

/// Stores `v` through an optional out-pointer.
///
/// # Safety
/// `out` is NULL or valid for writes.
pub(crate) unsafe fn put_buf(out: *mut kv_buf, v: Vec<u8>) {
    if !out.is_null() {
        // SAFETY: per the contract.
        unsafe { out.write(kv_buf::from_vec(v)) }
    }
}

/// Frees the bytes of a buffer a fast path filled, and empties the buffer
/// (data NULL, len 0), so freeing twice is harmless. NULL is ignored.
///
/// # Safety
/// `buf` is NULL, or a kv_buf that a kv function filled (or one emptied
/// by this function).
#[no_mangle]
pub unsafe extern "C" fn kv_buf_free(buf: *mut kv_buf) {
    crate::guard::quietly(|| {
        // SAFETY: NULL or a buffer kv filled from `kv_buf::from_vec`.
        let Some(b) = (unsafe { buf.as_mut() }) else { return };
        if !b.data.is_null() {
            drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(b.data.cast::<u8>(), b.len)) });
        }
        b.data = null_mut();
        b.len = 0;
    })
}
