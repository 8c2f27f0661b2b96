//! The append-only log's writer: commands appended as RESP by the threads
//! that ran them, written to the active file by one flusher thread.
//!
//! * A command's context collects what it changed as RESP commands
//!   ([`Records`]) and appends them with [`Log::append`] while it still
//!   holds its shard locks, so the appends for one key are in the order
//!   the key changed. `append` is a copy into a shared buffer under a
//!   mutex; it returns the stream offset the command's records end at.
//! * The flusher takes the buffer, frames it as one block (a `#b` line
//!   with its length and CRC32, docs/FORMAT.md) and writes it to the
//!   active incremental file: continuously, so a killed process loses at
//!   most the buffer of the moment. With `fsync = always` it fsyncs after
//!   each write and callers wait ([`Log::wait`]) until their offset is
//!   durable: one fsync covers every command appended meanwhile (group
//!   commit). `everysec` fsyncs once a second, `no` never.
//! * A failed write is undone (the file truncated back), kept and retried;
//!   until a write succeeds again the log reports the error
//!   ([`Log::error`]), waiters for the failed range get it, and write
//!   commands are refused as Redis does (`MISCONF`).
//! * A rewrite switches appends to a new file ([`Log::switch`]) while it
//!   holds every shard lock; bytes appended before go to the old file.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use super::settings::{Fsync, LogFaults};

/// Appends a RESP array of bulk strings.
pub fn push_command(out: &mut Vec<u8>, args: &[&[u8]]) {
    push_len(out, b'*', args.len());
    for a in args {
        push_len(out, b'$', a.len());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

fn push_len(out: &mut Vec<u8>, tag: u8, n: usize) {
    out.push(tag);
    push_u64(out, n as u64);
    out.extend_from_slice(b"\r\n");
}

pub fn push_u64(out: &mut Vec<u8>, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// What one command (or one transaction) changed, as RESP commands, with
/// a SELECT wherever the database changes between them.
#[derive(Default, Debug)]
pub struct Records {
    pub bytes: Vec<u8>,
    first_db: usize,
    last_db: usize,
    commands: usize,
    /// Keys a typed fast path locked for writing (database, key): their
    /// state is logged when its context ends, unless it logged itself.
    pub fast_keys: Vec<(usize, Box<[u8]>)>,
    pub explicit: bool,
}

impl Records {
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn command(&mut self, db: usize, args: &[&[u8]]) {
        if self.bytes.is_empty() {
            self.first_db = db;
        } else if db != self.last_db {
            let n = db.to_string();
            push_command(&mut self.bytes, &[b"SELECT", n.as_bytes()]);
        }
        self.last_db = db;
        self.commands += 1;
        push_command(&mut self.bytes, args);
    }

    /// Where the records are now (for [`Records::wrap_multi`]).
    pub fn mark(&self) -> (usize, usize) {
        (self.bytes.len(), self.commands)
    }

    /// Wraps what was recorded since `mark` in MULTI ... EXEC (a
    /// transaction's effects are replayed whole or not at all).
    pub fn wrap_multi(&mut self, mark: (usize, usize)) {
        if self.commands == mark.1 {
            return;
        }
        let mut multi = Vec::new();
        push_command(&mut multi, &[b"MULTI"]);
        self.bytes.splice(mark.0..mark.0, multi);
        push_command(&mut self.bytes, &[b"EXEC"]);
    }

    pub fn clear(&mut self) {
        self.bytes.clear();
        self.commands = 0;
        self.fast_keys.clear();
        self.explicit = false;
    }
}

/// The stream offset a command's records end at: wait on it for
/// durability.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ticket(pub u64);

struct Pending {
    buf: Vec<u8>,
    /// Database and time the log's reader will be at after `buf`.
    db: usize,
    time: u64,
    /// Bytes appended since the log was opened (the stream offset).
    seq: u64,
    sleeping: bool,
    /// Rewrites started, oldest first: the bytes appended before each (for
    /// the file before it) and the new file.
    switches: VecDeque<(Vec<u8>, File, PathBuf)>,
}

struct Active {
    file: File,
    path: PathBuf,
    size: u64,
}

/// The log of a store.
pub struct Log {
    policy: Fsync,
    faults: Option<Arc<LogFaults>>,
    st: Mutex<Pending>,
    wake: Condvar,
    active: Mutex<Active>,
    /// Stream offset up to which appends are durable as the policy
    /// promises (fsynced for `always`, written for the others).
    synced: AtomicU64,
    failed_upto: AtomicU64,
    error: Mutex<Option<String>>,
    write_ok: AtomicBool,
    waiters: Condvar,
    wait_lock: Mutex<()>,
    stop: AtomicBool,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// Sizes of the incremental files retired by a running rewrite.
    pub retired_size: AtomicU64,
}

impl Log {
    /// Starts the log appending to `file` (opened for appending, `size`
    /// bytes long) and its flusher thread.
    pub fn start(
        file: File,
        path: PathBuf,
        size: u64,
        policy: Fsync,
        faults: Option<Arc<LogFaults>>,
    ) -> io::Result<Arc<Log>> {
        let log = Arc::new(Log {
            policy,
            faults,
            // The file may end in any database: the first append selects.
            st: Mutex::new(Pending {
                buf: Vec::new(),
                db: usize::MAX,
                time: 0,
                seq: 0,
                sleeping: false,
                switches: VecDeque::new(),
            }),
            wake: Condvar::new(),
            active: Mutex::new(Active { file, path, size }),
            synced: AtomicU64::new(0),
            failed_upto: AtomicU64::new(0),
            error: Mutex::new(None),
            write_ok: AtomicBool::new(true),
            waiters: Condvar::new(),
            wait_lock: Mutex::new(()),
            stop: AtomicBool::new(false),
            thread: Mutex::new(None),
            retired_size: AtomicU64::new(0),
        });
        let me = log.clone();
        let h = std::thread::Builder::new().name("kv-aof".into()).spawn(move || me.flusher())?;
        *log.thread.lock() = Some(h);
        Ok(log)
    }

    pub fn policy(&self) -> Fsync {
        self.policy
    }

    /// Appends a command's records; `time`: the command's time if it read
    /// the clock (a replay runs it at that time).
    pub fn append(&self, recs: &Records, time: Option<u64>) -> Ticket {
        let mut st = self.st.lock();
        let start = st.buf.len();
        if st.db != recs.first_db {
            let n = recs.first_db.to_string();
            push_command(&mut st.buf, &[b"SELECT", n.as_bytes()]);
        }
        if let Some(t) = time.filter(|&t| t != st.time) {
            st.buf.extend_from_slice(b"#t ");
            push_u64(&mut st.buf, t);
            st.buf.extend_from_slice(b"\r\n");
            st.time = t;
        }
        st.buf.extend_from_slice(&recs.bytes);
        st.db = recs.last_db;
        st.seq += (st.buf.len() - start) as u64;
        let seq = st.seq;
        if st.sleeping {
            st.sleeping = false;
            self.wake.notify_one();
        }
        Ticket(seq)
    }

    /// Waits until the records a ticket covers are durable (`always`;
    /// other policies return at once). The error is the write or fsync
    /// failure that hit them.
    pub fn wait(&self, t: Ticket) -> Result<(), String> {
        if self.policy != Fsync::Always || self.synced.load(Ordering::Acquire) >= t.0 {
            return Ok(());
        }
        let mut g = self.wait_lock.lock();
        loop {
            if self.synced.load(Ordering::Acquire) >= t.0 {
                return Ok(());
            }
            if self.failed_upto.load(Ordering::Acquire) >= t.0 {
                return Err(self.error().unwrap_or_else(|| "write failed".into()));
            }
            if self.stop.load(Ordering::Acquire) && self.thread.lock().is_none() {
                return Err("the log is closed".into());
            }
            self.waiters.wait_for(&mut g, Duration::from_millis(100));
        }
    }

    /// The last write or fsync error, while no write has succeeded since.
    pub fn error(&self) -> Option<String> {
        if self.write_ok.load(Ordering::Acquire) {
            return None;
        }
        self.error.lock().clone()
    }

    /// Size of the active incremental file.
    pub fn active_size(&self) -> u64 {
        self.active.lock().size
    }

    /// Bytes appended but not yet written.
    pub fn buffered(&self) -> usize {
        self.st.lock().buf.len()
    }

    /// Makes `file` the file appends go to from now on. The caller holds
    /// every shard lock, so no command is between its change and its
    /// append: what was appended before belongs to the old file.
    pub fn switch(&self, file: File, path: PathBuf) {
        let mut st = self.st.lock();
        let old = std::mem::take(&mut st.buf);
        st.switches.push_back((old, file, path));
        // A new file is replayed from database 0 with no time known.
        st.db = usize::MAX;
        st.time = 0;
        self.wake.notify_one();
    }

    /// Waits until every append so far is written (and fsynced, unless
    /// the policy is `no`).
    pub fn flush(&self) -> Result<(), String> {
        let seq = self.st.lock().seq;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if self.synced.load(Ordering::Acquire) >= seq && self.st.lock().switches.is_empty() {
                break;
            }
            if let Some(e) = self.error() {
                return Err(e);
            }
            if Instant::now() >= deadline {
                return Err("timed out flushing the log".into());
            }
            self.wake.notify_one();
            std::thread::sleep(Duration::from_millis(1));
        }
        if self.policy != Fsync::No {
            let a = self.active.lock();
            a.file.sync_data().map_err(|e| format!("fsync of {}: {e}", a.path.display()))?;
        }
        Ok(())
    }

    /// Writes what is left, fsyncs and stops the flusher.
    pub fn shutdown(&self) {
        self.stop.store(true, Ordering::Release);
        {
            let _st = self.st.lock();
            self.wake.notify_one();
        }
        if let Some(h) = self.thread.lock().take() {
            let _ = h.join();
        }
        let _g = self.wait_lock.lock();
        self.waiters.notify_all();
    }

    fn fail(&self, what: String, upto: u64) {
        *self.error.lock() = Some(what);
        self.write_ok.store(false, Ordering::Release);
        self.failed_upto.fetch_max(upto, Ordering::AcqRel);
        let _g = self.wait_lock.lock();
        self.waiters.notify_all();
    }

    fn publish(&self, upto: u64) {
        self.synced.fetch_max(upto, Ordering::AcqRel);
        if self.policy == Fsync::Always {
            let _g = self.wait_lock.lock();
            self.waiters.notify_all();
        }
    }

    fn write_block(&self, out: &[u8]) -> Result<(), String> {
        let mut a = self.active.lock();
        let before = a.size;
        let result = match self.faults.as_deref() {
            // Half the block lands, then the disk is full: the undo path.
            Some(f) if f.fail_writes.load(Ordering::Relaxed) => {
                let _ = a.file.write_all(&out[..out.len() / 2]);
                Err(io::Error::from_raw_os_error(28))
            }
            _ => a.file.write_all(out),
        };
        match result {
            Ok(()) => {
                a.size += out.len() as u64;
                Ok(())
            }
            Err(e) => {
                // As Redis: take a partial write back, retry it later.
                let _ = a.file.set_len(before);
                Err(format!("{e} (writing {})", a.path.display()))
            }
        }
    }

    fn fsync(&self) -> Result<(), String> {
        let a = self.active.lock();
        if self.faults.as_deref().is_some_and(|f| f.fail_fsync.load(Ordering::Relaxed)) {
            return Err(format!("{} (fsync of {})", io::Error::from_raw_os_error(5), a.path.display()));
        }
        a.file.sync_data().map_err(|e| format!("{e} (fsync of {})", a.path.display()))
    }

    fn flusher(self: Arc<Log>) {
        let mut out: Vec<u8> = Vec::new();
        let mut spare: Vec<u8> = Vec::new();
        let mut out_seq = 0u64;
        let mut unsynced = false;
        let mut last_fsync = Instant::now();
        let mut retry_at: Option<Instant> = None;
        loop {
            let mut switch = None;
            let stopping;
            {
                let mut st = self.st.lock();
                loop {
                    let stop = self.stop.load(Ordering::Acquire);
                    let has_work = !st.buf.is_empty() || !st.switches.is_empty() || stop;
                    let timeout = match retry_at {
                        Some(t) => t.saturating_duration_since(Instant::now()),
                        None if unsynced && self.policy == Fsync::EverySec => {
                            (last_fsync + Duration::from_secs(1)).saturating_duration_since(Instant::now())
                        }
                        None => Duration::from_secs(1),
                    };
                    if (has_work && retry_at.is_none()) || timeout.is_zero() {
                        break;
                    }
                    st.sleeping = true;
                    if self.wake.wait_for(&mut st, timeout).timed_out() {
                        st.sleeping = false;
                        break;
                    }
                    st.sleeping = false;
                }
                stopping = self.stop.load(Ordering::Acquire);
                if out.is_empty() && !st.switches.is_empty() {
                    let (old, file, path) = st.switches.pop_front().expect("checked");
                    frame(&mut out, &old);
                    switch = Some((file, path));
                    // Offsets of the old file's bytes end where the next
                    // file's start.
                    let later: usize = st.switches.iter().map(|s| s.0.len()).sum::<usize>() + st.buf.len();
                    out_seq = st.seq - later as u64;
                } else if st.switches.is_empty() && !st.buf.is_empty() {
                    std::mem::swap(&mut st.buf, &mut spare);
                    out_seq = st.seq;
                }
            }
            if !spare.is_empty() {
                frame(&mut out, &spare);
                spare.clear();
            }
            if !out.is_empty() {
                match self.write_block(&out) {
                    Ok(()) => {
                        out.clear();
                        retry_at = None;
                        unsynced = true;
                        self.write_ok.store(true, Ordering::Release);
                        if self.policy != Fsync::Always {
                            self.publish(out_seq);
                        }
                    }
                    Err(e) => {
                        self.fail(e, out_seq);
                        retry_at = Some(Instant::now() + Duration::from_millis(if stopping { 0 } else { 100 }));
                        if stopping {
                            // Closing with the disk failing: give up.
                            return;
                        }
                        // A pending switch waits until its old bytes are written.
                        if let Some((file, path)) = switch {
                            self.st.lock().switches.push_front((Vec::new(), file, path));
                        }
                        continue;
                    }
                }
            }
            let due = match self.policy {
                Fsync::Always => unsynced,
                Fsync::EverySec => unsynced && (last_fsync.elapsed() >= Duration::from_secs(1) || stopping),
                Fsync::No => false,
            };
            if due || (switch.is_some() && self.policy != Fsync::No) {
                match self.fsync() {
                    Ok(()) => {
                        unsynced = false;
                        last_fsync = Instant::now();
                        self.write_ok.store(true, Ordering::Release);
                        self.publish(out_seq);
                    }
                    Err(e) => {
                        self.fail(e, out_seq);
                        retry_at = Some(Instant::now() + Duration::from_millis(100));
                    }
                }
            }
            if let Some((file, path)) = switch {
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                let mut a = self.active.lock();
                self.retired_size.fetch_add(a.size, Ordering::Relaxed);
                *a = Active { file, path, size };
                unsynced = false;
            }
            if stopping && out.is_empty() {
                let st = self.st.lock();
                if st.buf.is_empty() && st.switches.is_empty() {
                    return;
                }
            }
        }
    }
}

/// The block line that precedes each write: `#b <len> <crc32 hex>\r\n`.
pub fn frame(out: &mut Vec<u8>, payload: &[u8]) {
    if payload.is_empty() {
        return;
    }
    out.extend_from_slice(b"#b ");
    push_u64(out, payload.len() as u64);
    out.extend_from_slice(format!(" {:08x}\r\n", crc32fast::hash(payload)).as_bytes());
    out.extend_from_slice(payload);
}
