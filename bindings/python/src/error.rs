//! The one mapping from engine errors to Python exceptions.
//!
//! Error replies become `kv.exceptions` classes exactly as redis-py's parser
//! (`redis/_parsers/base.py`, `BaseParser.parse_error`) makes them: the
//! first word is the code; a code of [`CODES`] selects its class and is
//! dropped from the message (for `ERR`, a few whole messages have classes of
//! their own, the rest are `ResponseError`); any other code stays in the
//! message of a `ResponseError`. The classes are imported from
//! `kv.exceptions` once and kept.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// The classes native code raises, by name in `kv.exceptions`.
struct Classes {
    /// Indexed as [`Class`].
    all: Vec<Py<PyType>>,
}

/// Indexes into [`Classes::all`], in the order of [`NAMES`].
#[derive(Clone, Copy)]
#[repr(usize)]
pub(crate) enum Class {
    Response,
    Data,
    Connection,
    Authentication,
    AuthWrongArgs,
    Module,
    OutOfMemory,
    ExecAbort,
    BusyLoading,
    NoScript,
    ReadOnly,
    NoPermission,
    Ask,
    TryAgain,
    Moved,
    ClusterDown,
    CrossSlot,
    MasterDown,
    Persistence,
}

const NAMES: &[&str] = &[
    "ResponseError",
    "DataError",
    "ConnectionError",
    "AuthenticationError",
    "AuthenticationWrongNumberOfArgsError",
    "ModuleError",
    "OutOfMemoryError",
    "ExecAbortError",
    "BusyLoadingError",
    "NoScriptError",
    "ReadOnlyError",
    "NoPermissionError",
    "AskError",
    "TryAgainError",
    "MovedError",
    "ClusterDownError",
    "ClusterCrossSlotError",
    "MasterDownError",
    "PersistenceError",
];

/// redis-py's `EXCEPTION_CLASSES`, but for `ERR` (see [`ERR_MESSAGES`]).
const CODES: &[(&str, Class)] = &[
    ("OOM", Class::OutOfMemory),
    ("WRONGPASS", Class::Authentication),
    ("EXECABORT", Class::ExecAbort),
    ("LOADING", Class::BusyLoading),
    ("NOSCRIPT", Class::NoScript),
    ("READONLY", Class::ReadOnly),
    ("NOAUTH", Class::Authentication),
    ("NOPERM", Class::NoPermission),
    ("ASK", Class::Ask),
    ("TRYAGAIN", Class::TryAgain),
    ("MOVED", Class::Moved),
    ("CLUSTERDOWN", Class::ClusterDown),
    ("CROSSSLOT", Class::CrossSlot),
    ("MASTERDOWN", Class::MasterDown),
];

/// redis-py's `EXCEPTION_CLASSES["ERR"]`: whole messages (after `ERR `)
/// with a class of their own.
const ERR_MESSAGES: &[(&str, Class)] = &[
    ("max number of clients reached", Class::Connection),
    ("invalid password", Class::Authentication),
    ("wrong number of arguments for 'auth' command", Class::AuthWrongArgs),
    ("wrong number of arguments for 'AUTH' command", Class::AuthWrongArgs),
    ("Error loading the extension. Please check the server logs.", Class::Module),
    ("Error unloading module: the module exports one or more module-side data types, can't unload", Class::Module),
    ("Error unloading module: no such module with that name", Class::Module),
    ("Error unloading module: operation not possible.", Class::Module),
    (
        "AUTH <password> called without any password configured for the default user. \
         Are you sure your configuration is correct?",
        Class::Authentication,
    ),
    ("Client sent AUTH, but no password is set", Class::Authentication),
];

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let module = py.import("kv.exceptions")?;
        let all = NAMES
            .iter()
            .map(|name| Ok(module.getattr(*name)?.cast_into::<PyType>()?.unbind()))
            .collect::<PyResult<Vec<_>>>()?;
        Ok::<_, PyErr>(Classes { all })
    })
}

/// The class `c` of `kv.exceptions`.
pub(crate) fn class(py: Python<'_>, c: Class) -> PyResult<Bound<'_, PyType>> {
    Ok(classes(py)?.all[c as usize].bind(py).clone())
}

/// An exception of class `c` with `message`.
pub(crate) fn new_err(py: Python<'_>, c: Class, message: impl Into<String>) -> PyErr {
    match class(py, c) {
        Ok(cls) => PyErr::from_type(cls, (message.into(),)),
        Err(e) => e,
    }
}

/// The class and message redis-py's parser gives an error reply's text.
pub(crate) fn parse(text: &str) -> (Class, &str) {
    // Python's `response.split(" ")[0]`, then `response[len(code) + 1:]`.
    let code = text.split(' ').next().unwrap_or("");
    let rest = text.get(code.len() + 1..).unwrap_or("");
    if code == "ERR" {
        let class = ERR_MESSAGES.iter().find(|(m, _)| *m == rest).map_or(Class::Response, |&(_, c)| c);
        return (class, rest);
    }
    match CODES.iter().find(|(c, _)| *c == code) {
        Some(&(_, class)) => (class, rest),
        None => (Class::Response, text),
    }
}

/// The exception instance for an error reply (as redis-py puts errors
/// inside a pipeline's or transaction's results).
pub(crate) fn instance<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let (c, message) = parse(text);
    class(py, c)?.call1((message,))
}

/// The exception to raise for an error reply.
pub(crate) fn reply_error(py: Python<'_>, text: &str) -> PyErr {
    match instance(py, text) {
        Ok(e) => PyErr::from_value(e),
        Err(e) => e,
    }
}

/// A typed fast path's error (the same text a reply would carry).
pub(crate) fn fast(py: Python<'_>, e: kv_core::Error) -> PyErr {
    reply_error(py, e.text())
}

/// A persistence failure. What Redis's SAVE/BGSAVE reply with (a save
/// already running, no data directory) is a `ResponseError`, as through
/// `execute("SAVE")`; files that cannot be read or written are
/// `PersistenceError`s naming the file and the system's error.
pub(crate) fn persist(py: Python<'_>, e: kv_core::persist::Error) -> PyErr {
    use kv_core::persist::Error as E;
    let class = match e {
        E::InProgress | E::NoDataDir | E::NoLog | E::RewriteInProgress => Class::Response,
        E::Io { .. } | E::Corrupt { .. } | E::Log(_) | E::Internal(_) => Class::Persistence,
    };
    new_err(py, class, e.to_string())
}

pub(crate) fn store_closed(py: Python<'_>) -> PyErr {
    new_err(py, Class::Connection, "Store is closed")
}

pub(crate) fn session_closed(py: Python<'_>) -> PyErr {
    new_err(py, Class::Connection, "Session is closed")
}

/// A failure of kv itself (a worker thread that panicked): never expected.
pub(crate) fn internal(what: &str) -> PyErr {
    PyRuntimeError::new_err(format!("kv internal error: {what}"))
}
