//! The one safe wrapper every export runs in: null handles become
//! `KV_INVALID_ARGUMENT`, a closed store `KV_CLOSED`, an unwinding panic
//! `KV_PANIC`; a failure's text is kept on the handle for its accessor.
//! Also the borrowed-buffer readers every export shares.

use std::borrow::Cow;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use smallvec::SmallVec;

use crate::status::kv_status;

/// Why a call failed: the status it returns and the message kept on the
/// handle.
#[derive(Debug)]
pub(crate) struct Failure {
    pub status: kv_status,
    pub message: Cow<'static, str>,
}

impl Failure {
    pub fn invalid(message: impl Into<Cow<'static, str>>) -> Failure {
        Failure { status: kv_status::KV_INVALID_ARGUMENT, message: message.into() }
    }

    pub fn closed() -> Failure {
        Failure { status: kv_status::KV_CLOSED, message: Cow::Borrowed(kv_core::errors::STORE_CLOSED) }
    }

    fn panic(payload: Box<dyn std::any::Any + Send>) -> Failure {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Failure { status: kv_status::KV_PANIC, message: Cow::Owned(format!("internal error in kv: {what}")) }
    }
}

impl From<kv_core::Error> for Failure {
    /// A Redis error: `KV_WRONGTYPE` for its prefix, `KV_ERR` otherwise.
    fn from(e: kv_core::Error) -> Failure {
        let status = if e.prefix() == "WRONGTYPE" { kv_status::KV_WRONGTYPE } else { kv_status::KV_ERR };
        Failure { status, message: Cow::Owned(e.text().to_owned()) }
    }
}

impl From<kv_core::persist::Error> for Failure {
    /// A persistence failure: `KV_IO` for a file operation or the log,
    /// `KV_CORRUPT` for an invalid file, `KV_ERR` otherwise (a save already
    /// running, no data directory), with the core's text.
    fn from(e: kv_core::persist::Error) -> Failure {
        use kv_core::persist::Error as E;
        let status = match e {
            E::Io { .. } | E::Log(_) => kv_status::KV_IO,
            E::Corrupt { .. } => kv_status::KV_CORRUPT,
            _ => kv_status::KV_ERR,
        };
        Failure { status, message: Cow::Owned(e.to_string()) }
    }
}

/// The status and text of the last failed call on a handle.
pub(crate) struct ErrorSlot {
    status: kv_status,
    message: Option<CString>,
}

impl Default for ErrorSlot {
    fn default() -> ErrorSlot {
        ErrorSlot { status: kv_status::KV_OK, message: None }
    }
}

impl ErrorSlot {
    pub fn record(&mut self, f: Failure) -> kv_status {
        // Error texts come from kv and never hold NUL; replace one anyway.
        let text = f.message.replace('\0', "\\0");
        self.message = Some(CString::new(text).unwrap_or_default());
        self.status = f.status;
        f.status
    }

    pub fn status(&self) -> kv_status {
        self.status
    }

    /// The message, or NULL if no call has failed yet.
    pub fn message(&self) -> *const c_char {
        self.message.as_deref().map_or(std::ptr::null(), CStr::as_ptr)
    }
}

/// Runs `f`, turning a panic into a `KV_PANIC` failure.
pub(crate) fn catch<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(Failure::panic(p)))
}

/// Runs an export that returns no status and has nothing to report (the
/// destructors): a panic is swallowed rather than let through.
pub(crate) fn quietly(f: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(f));
}

/// Frees a handle made with `Box::into_raw`; NULL is ignored. Every
/// `kv_*_free` destructor is this one line (cbindgen cannot see exports
/// that a macro generates, so the generic function is the shared part).
///
/// # Safety
/// `handle` is NULL or came from `Box::into_raw` and is not used afterwards.
pub(crate) unsafe fn release<T>(handle: *mut T) {
    if !handle.is_null() {
        // SAFETY: per the contract, the pointer owns a live Box<T>.
        quietly(|| drop(unsafe { Box::from_raw(handle) }));
    }
}

/// Result of a call that only reports a status.
pub(crate) fn status(r: Result<kv_status, kv_status>) -> kv_status {
    r.unwrap_or_else(|s| s)
}

/// Borrows `len` bytes at `ptr`. NULL is allowed for an empty buffer.
///
/// # Safety
/// Unless NULL, `ptr` points at `len` readable bytes that outlive `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const c_char, len: usize, what: &'static str) -> Result<&'a [u8], Failure> {
    if ptr.is_null() {
        return if len == 0 { Ok(&[]) } else { Err(Failure::invalid(format!("{what} is NULL with a nonzero length"))) };
    }
    if len > isize::MAX as usize {
        return Err(Failure::invalid(format!("{what} length is too large")));
    }
    // SAFETY: non-null, and the caller vouches for `len` bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr.cast(), len) })
}

/// Borrows `n` buffers given as an array of pointers and an array of
/// lengths (hiredis's argv/argvlen). With `lens` NULL every pointer is a
/// NUL-terminated string.
///
/// # Safety
/// `ptrs` (and `lens` unless NULL) point at `n` readable entries, each
/// buffer as [`bytes`] requires.
pub(crate) unsafe fn buffers<'a>(
    n: usize,
    ptrs: *const *const c_char,
    lens: *const usize,
    what: &'static str,
) -> Result<SmallVec<[&'a [u8]; 8]>, Failure> {
    if n == 0 {
        return Ok(SmallVec::new());
    }
    if ptrs.is_null() {
        return Err(Failure::invalid(format!("{what} is NULL with a nonzero count")));
    }
    if n > isize::MAX as usize / std::mem::size_of::<usize>() {
        return Err(Failure::invalid(format!("{what} count is too large")));
    }
    // SAFETY: the caller vouches for `n` entries in each array.
    let ptrs = unsafe { std::slice::from_raw_parts(ptrs, n) };
    let lens = if lens.is_null() { None } else { Some(unsafe { std::slice::from_raw_parts(lens, n) }) };
    let mut out = SmallVec::with_capacity(n);
    for (i, &p) in ptrs.iter().enumerate() {
        let b = match lens {
            Some(lens) => unsafe { bytes(p, lens[i], what)? },
            None if p.is_null() => return Err(Failure::invalid(format!("{what}[{i}] is NULL"))),
            // SAFETY: without lengths, each entry is a C string.
            None => unsafe { CStr::from_ptr(p).to_bytes() },
        };
        out.push(b);
    }
    Ok(out)
}

/// Stores `v` through an optional out-pointer.
///
/// # Safety
/// `out` is NULL or valid for writes.
pub(crate) unsafe fn put<T>(out: *mut T, v: T) {
    if !out.is_null() {
        // SAFETY: per the contract.
        unsafe { out.write(v) }
    }
}
