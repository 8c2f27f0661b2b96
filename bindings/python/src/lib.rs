//! `kv._kv`: the native half of kv's Python package.
//!
//! The public API is Python (`kv.Store`, `kv.Redis`, ...); this module is
//! the thin layer under it, its interface declared in `kv/_kv.pyi`:
//!
//! * [`store::Store`]: an open engine (`kv_core::Store`) with its
//!   persistence calls, and the factory of sessions.
//! * [`session::Session`]: a client of a store, with `execute`,
//!   `execute_many` (pipelines and transactions in one call) and, in
//!   [`fast`], typed paths for the hot commands.
//! * [`convert`]: arguments in (as redis-py's encoder) and replies out (as
//!   redis-py with hiredis gives them); [`error`]: the one mapping of error
//!   replies to `kv.exceptions` classes (as redis-py's parser).
//!
//! The GIL policy lives in [`session`]: held for fast commands, released for
//! slow and blocking ones; a blocking call on the main thread wakes on
//! Ctrl-C ([`blocking`]).

use pyo3::prelude::*;

mod blocking;
mod convert;
mod error;
mod fast;
mod session;
mod store;

#[pymodule]
fn _kv(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<store::Store>()?;
    m.add_class::<session::Session>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(error_from_reply, m)?)?;
    Ok(())
}

/// The exception an error reply with this text becomes (what execute
/// raises, what a pipeline puts in place): for tests of the mapping.
#[pyfunction]
#[pyo3(name = "_error_from_reply")]
fn error_from_reply<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    error::instance(py, text)
}
