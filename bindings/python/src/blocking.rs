//! Blocking commands (BLPOP, BZPOPMIN, ...) on the main thread, where
//! Python runs its signal handlers: the engine call runs on a helper thread
//! while the caller, GIL released, checks for signals every [`POLL`]. If a
//! handler raises (KeyboardInterrupt for Ctrl-C), the blocked call is
//! interrupted through the session's interrupt handle and, once it has
//! returned, the exception propagates. Helper threads are kept for the next
//! call (a thread per call would cost ~40 us). Other threads never get
//! signals, so there the call just runs with the GIL released.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use kv_core::InterruptHandle;
use parking_lot::Mutex;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::error;

/// How often a blocked call on the main thread checks for signals.
const POLL: Duration = Duration::from_millis(50);

/// Idle helper threads kept.
const MAX_IDLE: usize = 2;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// A thread that runs jobs one at a time, reporting each done.
struct Helper {
    jobs: mpsc::Sender<Job>,
    done: mpsc::Receiver<()>,
}

/// The idle helpers, and the process they belong to: a child made by
/// fork() has none of its parent's threads.
static IDLE: Mutex<(u32, Vec<Helper>)> = Mutex::new((0, Vec::new()));

impl Helper {
    fn take() -> Option<Helper> {
        {
            let mut idle = IDLE.lock();
            let pid = std::process::id();
            if idle.0 != pid {
                // Forgotten, not dropped: their channels were shared with
                // threads that do not exist in this process.
                std::mem::forget(std::mem::take(&mut idle.1));
                idle.0 = pid;
            }
            if let Some(h) = idle.1.pop() {
                return Some(h);
            }
        }
        let (jobs, rx) = mpsc::channel::<Job>();
        let (tx, done) = mpsc::channel();
        std::thread::Builder::new()
            .name("kv-blocking".into())
            .spawn(move || {
                for job in rx {
                    job();
                    if tx.send(()).is_err() {
                        return;
                    }
                }
            })
            .ok()?;
        Some(Helper { jobs, done })
    }

    /// Runs `job` on this helper and returns once it has finished, running
    /// Python's signal handlers meanwhile; the first exception one raised.
    fn run(self, job: Job, handle: &InterruptHandle) -> PyResult<()> {
        if let Err(mpsc::SendError(job)) = self.jobs.send(job) {
            // The thread is gone: run here (without Ctrl-C).
            job();
            return Ok(());
        }
        // From here the job may be running: nothing returns (or unwinds)
        // before it is done, which is what makes Job's 'static sound.
        let pending = Pending(&self.done);
        let mut raised = None;
        let healthy = loop {
            let wait = if raised.is_some() { Duration::from_millis(1) } else { POLL };
            match self.done.recv_timeout(wait) {
                Ok(()) => break true,
                // The thread died (the job panicked): the job is over.
                Err(RecvTimeoutError::Disconnected) => break false,
                Err(RecvTimeoutError::Timeout) => {}
            }
            if raised.is_none() {
                raised = Python::attach(|py| py.check_signals()).err();
            }
            if raised.is_some() {
                // Until the call returns: it may not have blocked yet.
                handle.interrupt();
            }
        };
        std::mem::forget(pending);
        if healthy {
            let mut idle = IDLE.lock();
            if idle.0 == std::process::id() && idle.1.len() < MAX_IDLE {
                idle.1.push(self);
            }
        }
        raised.map_or(Ok(()), Err)
    }
}

/// Waits for the job in flight if dropped early (a panic while waiting).
struct Pending<'a>(&'a mpsc::Receiver<()>);

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        let _ = self.0.recv();
    }
}

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
    let Some(helper) = Helper::take() else {
        // No thread could be started: run here, without Ctrl-C.
        return Ok(py.detach(|| f(s)));
    };
    let handle = s.interrupt_handle();
    let mut out: Option<R> = None;
    let waited = {
        let slot = &mut out;
        let job: Box<dyn FnOnce() + Send + '_> = Box::new(move || *slot = Some(f(s)));
        // SAFETY: the job borrows `out`, `s` and what `f` captured, which
        // all outlive this block, and `Helper::run` does not return or
        // unwind before the helper thread has finished the job (or died
        // running it). Only the lifetime changes, not the layout.
        let job: Job = unsafe { std::mem::transmute::<Box<dyn FnOnce() + Send + '_>, Job>(job) };
        py.detach(move || helper.run(job, &handle))
    };
    waited?;
    out.ok_or_else(|| error::internal("the blocking call's thread failed"))
}
