//! Status codes every fallible export returns.

use std::ffi::{c_char, c_int};

/// What a call did. The numbering is part of the ABI: codes are only ever
/// added, never renumbered.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kv_status {
    /// Success.
    KV_OK = 0,
    /// Success, and the key (or field, member, element) does not exist.
    KV_NIL = 1,
    /// The command failed with a Redis error reply (`ERR ...`, `WRONGTYPE ...`
    /// aside); the text is given by the handle's error accessor.
    KV_ERR = 2,
    /// The key holds a value of another type (Redis's `WRONGTYPE` error).
    KV_WRONGTYPE = 3,
    /// A null handle or pointer, a negative count, an out-of-range option.
    KV_INVALID_ARGUMENT = 4,
    /// The store was closed with kv_store_close().
    KV_CLOSED = 5,
    /// A bug inside kv was caught before it could reach the caller; the
    /// handle is still usable.
    KV_PANIC = 6,
    /// A file operation failed (permission denied, no space left, ...): the
    /// message names the file, the operation and the system's error.
    KV_IO = 7,
    /// A data file (snapshot or append-only log) is not valid: the message
    /// names the file and the byte offset of the first problem.
    KV_CORRUPT = 8,
}

/// The name of a status (`"KV_OK"`, ...), or `"KV_UNKNOWN"` for a value
/// that is not one.
///
/// @return a static string: never NULL, never to be freed.
#[no_mangle]
pub extern "C" fn kv_status_str(status: c_int) -> *const c_char {
    const NAMES: [&[u8]; 9] = [
        b"KV_OK\0",
        b"KV_NIL\0",
        b"KV_ERR\0",
        b"KV_WRONGTYPE\0",
        b"KV_INVALID_ARGUMENT\0",
        b"KV_CLOSED\0",
        b"KV_PANIC\0",
        b"KV_IO\0",
        b"KV_CORRUPT\0",
    ];
    let s: &'static [u8] = usize::try_from(status).ok().and_then(|i| NAMES.get(i).copied()).unwrap_or(b"KV_UNKNOWN\0");
    s.as_ptr().cast()
}
