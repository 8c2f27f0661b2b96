//! Blocking commands (BLPOP, BZPOPMIN, ...) on the main thread, where
//! Python runs its signal handlers: the engine call runs on a helper
//! thread while the caller checks for signals every [`POLL`]. If a handler
//! raises (KeyboardInterrupt for Ctrl-C), the blocked call is interrupted
//! through the session's interrupt handle and the exception propagates.
//! Other threads never get signals, so there the call just runs with the
//! GIL released.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::error;

/// How often a blocked call on the main thread checks for signals.
const POLL: Duration = Duration::from_millis(50);

static THREADING: PyOnceLock<(Py<PyAny>, Py<PyAny>)> = PyOnceLock::new();

/// Whether this is Python's main thread (the one signal handlers run on).
fn on_main_thread(py: Python<'_>) -> PyResult<bool> {
    let (main_thread, get_ident) = THREADING.get_or_try_init(py, || {
        let threading = py.import("threading")?;
        Ok::<_, PyErr>((threading.getattr("main_thread")?.unbind(), threading.getattr("get_ident")?.unbind()))
    })?;
    let main = main_thread.call0(py)?.getattr(py, "ident")?;
    main.bind(py).eq(get_ident.call0(py)?)
}

/// Runs a call that may block with the GIL released; on the main thread,
/// signal handlers run while it waits (see the module doc).
pub(crate) fn run<R: Send>(
    py: Python<'_>,
    s: &mut kv_core::Session,
    f: impl FnOnce(&mut kv_core::Session) -> R + Send,
) -> PyResult<R> {
    if !on_main_thread(py)? {
        return Ok(py.detach(|| f(s)));
    }
    let handle = s.interrupt_handle();
    let mut job = Some(f);
    py.detach(|| {
        let watched = std::thread::scope(|scope| {
            let (tx, rx) = mpsc::channel::<()>();
            let (job, s) = (&mut job, &mut *s);
            let worker = std::thread::Builder::new()
                .name("kv-blocking".into())
                .spawn_scoped(scope, move || {
                    let r = job.take().map(|f| f(s));
                    let _ = tx.send(());
                    r
                })
                .ok()?;
            loop {
                match rx.recv_timeout(POLL) {
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                    Err(RecvTimeoutError::Timeout) => {}
                }
                if let Err(e) = Python::attach(|py| py.check_signals()) {
                    // The call may not have blocked yet: retry until it is
                    // interrupted or has returned on its own.
                    while !worker.is_finished() && !handle.interrupt() {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    let _ = worker.join();
                    return Some(Err(e));
                }
            }
            Some(match worker.join() {
                Ok(Some(r)) => Ok(r),
                _ => Err(error::internal("the blocking call's thread failed")),
            })
        });
        match watched {
            Some(r) => r,
            // No thread could be started: run it here, without Ctrl-C.
            None => match job.take() {
                Some(f) => Ok(f(s)),
                None => Err(error::internal("the blocking call's thread failed")),
            },
        }
    })
}
