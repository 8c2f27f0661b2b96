//! kv_exec(): any command, hiredis style.

use std::ffi::{c_char, c_int};
use std::ptr::null_mut;

use crate::guard::{buffers, Failure};
use crate::reply::{kv_reply, to_c};
use crate::session::kv_session;

/// Runs one command, as hiredis's redisCommandArgv() sends one.
///
/// @param argc the number of arguments, the command name included (>= 1).
/// @param argv the arguments: byte strings, the first the command name
///        (any case). Borrowed for the call only.
/// @param argvlen the length of each argument, or NULL if every argument is
///        a NUL-terminated string.
/// @return the reply, which the caller owns and frees with kv_reply_free().
///         A Redis error is a reply of type KV_REPLY_ERROR, as hiredis
///         gives it. NULL if the call could not run (NULL session or argv,
///         argc < 1, closed store, internal error): kv_session_status() and
///         kv_session_error() tell why.
///
/// # Safety
/// `session` is NULL or a live session; `argv` (and `argvlen` unless NULL)
/// hold `argc` entries, each pointing at that many readable bytes (or at a
/// C string when `argvlen` is NULL).
#[no_mangle]
pub unsafe extern "C" fn kv_exec(
    session: *mut kv_session,
    argc: c_int,
    argv: *const *const c_char,
    argvlen: *const usize,
) -> *mut kv_reply {
    unsafe {
        kv_session::call(session, |h| {
            let n = usize::try_from(argc)
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| Failure::invalid("argc must be at least 1"))?;
            let args = buffers(n, argv, argvlen, "argv")?;
            let reply = h.session.execute_slices(&args);
            let fold = !h.resp3 && h.session.protocol() < 3;
            Ok(to_c(&reply, fold))
        })
    }
    .unwrap_or(null_mut())
}

/// For kv_command (command.c): records why a format could not be used.
/// Not part of the header.
///
/// # Safety
/// `session` is NULL or a live session; `message` a C string.
#[doc(hidden)]
#[no_mangle]
pub unsafe extern "C" fn kv_internal_format_error(session: *mut kv_session, message: *const c_char) {
    crate::guard::quietly(|| {
        // SAFETY: NULL or a live handle; `message` is a C string from command.c.
        if let (Some(h), false) = (unsafe { session.as_mut() }, message.is_null()) {
            let text = unsafe { std::ffi::CStr::from_ptr(message) }.to_string_lossy().into_owned();
            h.fail(Failure::invalid(text));
        }
    })
}
