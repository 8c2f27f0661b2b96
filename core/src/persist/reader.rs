//! Reading a snapshot: the framing is checked block by block (length,
//! checksum, records, trailer) and every record handed to a visitor. The
//! first problem stops the walk with an error naming the file and the byte
//! offset where it was found. One thread reads and checksums blocks while
//! the caller's thread (and any helper threads) decode and apply them.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::Instant;

use super::frame::{self, Chain, Header, BLOCK_HEAD_LEN, HEADER_LEN, TRAILER_LEN};
use super::record::{self, Record};
use super::Error;

/// What a walk found.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub created_ms: u64,
    pub databases: u32,
    pub blocks: u64,
    pub records: u64,
    pub bytes: u64,
}

/// Where a walk is, for progress reports.
pub struct Position {
    pub offset: u64,
    pub total: u64,
    pub started: Instant,
}

/// What a walk hands each record to: a worker's own state.
pub trait Visitor {
    /// The record at the start of `buf` (at `offset` in the file): how
    /// many bytes it takes, or why it is refused (reported at `offset`).
    fn visit(&mut self, buf: &[u8], offset: u64, pos: &Position) -> Result<usize, String>;
    /// The block in hand is done (a worker lets go of what it held).
    fn block_done(&mut self) {}
}

/// Decodes the record at the start of `buf` (the message a walk reports
/// for one that does not decode).
pub fn decode(buf: &[u8]) -> Result<(Record<'_>, usize), String> {
    record::decode(buf).map_err(|e| format!("bad record: {e}"))
}

struct FnVisitor<F>(F);

impl<F: FnMut(Record<'_>, u64, &Position) -> Result<(), String>> Visitor for FnVisitor<F> {
    fn visit(&mut self, buf: &[u8], offset: u64, pos: &Position) -> Result<usize, String> {
        let (rec, used) = decode(buf)?;
        (self.0)(rec, offset, pos)?;
        Ok(used)
    }
}

/// Decoded records go to `visit` in file order with the offset of each;
/// it may refuse one with a message (reported at that offset).
pub fn walk(
    path: &Path,
    visit: impl FnMut(Record<'_>, u64, &Position) -> Result<(), String> + Send,
) -> Result<Summary, Error> {
    let visit = Mutex::new(visit);
    walk_with(path, 1, || {
        FnVisitor(|rec: Record<'_>, at: u64, pos: &Position| {
            (visit.lock().unwrap_or_else(|e| e.into_inner()))(rec, at, pos)
        })
    })
}

/// A walk with `workers` workers, each with a visitor `make` gives it on
/// its thread: the first on the caller's thread, the others on threads of
/// their own, each taking whole blocks in turn (so records of different
/// blocks reach visitors in no set order). Of the problems found, the one
/// at the smallest offset is reported: every block before a bad one is
/// handed out before it and finished, so that is the file's first problem.
pub fn walk_with<V: Visitor>(path: &Path, workers: usize, make: impl Fn() -> V + Sync) -> Result<Summary, Error> {
    let corrupt = |offset: u64, what: String| Error::Corrupt { path: path.to_path_buf(), offset, what };
    let mut file = File::open(path).map_err(|e| Error::io("opening", path, e))?;
    let total = file.metadata().map_err(|e| Error::io("reading metadata of", path, e))?.len();
    let started = Instant::now();
    let mut head = [0u8; HEADER_LEN];
    if total < (HEADER_LEN + TRAILER_LEN) as u64 {
        return Err(corrupt(total, format!("file too short for a snapshot ({total} bytes)")));
    }
    file.read_exact(&mut head).map_err(|e| Error::io("reading", path, e))?;
    let header = Header::decode(&head).map_err(|(at, what)| corrupt(at, what))?;
    let mut summary =
        Summary { created_ms: header.created_ms, databases: header.databases, bytes: total, ..Summary::default() };

    // The reading thread sends (offset, count, payload) of each checked
    // block, then the end; the channel is bounded so memory stays small.
    let (tx, rx) = mpsc::sync_channel::<(u64, Result<Block, Error>)>(4);
    let (back_tx, back_rx) = mpsc::channel::<Vec<u8>>();
    let owned = path.to_path_buf();
    let reader = std::thread::Builder::new()
        .name("kv-load".into())
        .spawn(move || read_blocks(file, owned, total, head, tx, back_rx))
        .map_err(|e| Error::io("starting the load thread for", path, e))?;
    let shared = Shared {
        rx: Mutex::new(rx),
        back: Mutex::new(back_tx),
        stop: AtomicBool::new(false),
        problems: Mutex::new(Vec::new()),
        blocks: AtomicU64::new(0),
        end: Mutex::new(None),
        total,
        started,
        path,
    };
    std::thread::scope(|scope| {
        let (shared, make) = (&shared, &make);
        for _ in 1..workers {
            scope.spawn(move || work(shared, &mut make()));
        }
        work(shared, &mut make());
    });
    drop(shared.rx);
    drop(shared.back);
    let _ = reader.join();
    let mut problems = shared.problems.into_inner().unwrap_or_else(|e| e.into_inner());
    problems.sort_by_key(|p| p.0);
    if let Some((_, e)) = problems.into_iter().next() {
        return Err(e);
    }
    let Some(records) = shared.end.into_inner().unwrap_or_else(|e| e.into_inner()) else {
        return Err(corrupt(total, "missing trailer".into()));
    };
    summary.records = records;
    summary.blocks = shared.blocks.load(Ordering::Relaxed);
    Ok(summary)
}

/// What a walk's workers share.
struct Shared<'p> {
    rx: Mutex<mpsc::Receiver<(u64, Result<Block, Error>)>>,
    back: Mutex<mpsc::Sender<Vec<u8>>>,
    stop: AtomicBool,
    /// (offset, error) of every problem found.
    problems: Mutex<Vec<(u64, Error)>>,
    blocks: AtomicU64,
    /// The trailer's record count, once reached.
    end: Mutex<Option<u64>>,
    total: u64,
    started: Instant,
    path: &'p Path,
}

impl Shared<'_> {
    fn problem(&self, offset: u64, e: Error) {
        self.problems.lock().unwrap_or_else(|e| e.into_inner()).push((offset, e));
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A worker: takes blocks until the end, the channel closes or a problem
/// stops the walk; a block taken is always finished.
fn work<V: Visitor>(shared: &Shared<'_>, v: &mut V) {
    let corrupt = |offset: u64, what: String| Error::Corrupt { path: shared.path.to_path_buf(), offset, what };
    loop {
        if shared.stop.load(Ordering::Relaxed) {
            return;
        }
        let msg = match shared.rx.lock().unwrap_or_else(|e| e.into_inner()).recv() {
            Ok(m) => m,
            Err(_) => return,
        };
        let block = match msg {
            (at, Err(e)) => return shared.problem(at, e),
            (_, Ok(b)) => b,
        };
        let Block { offset, count, payload, end } = block;
        if let Some(records) = end {
            *shared.end.lock().unwrap_or_else(|e| e.into_inner()) = Some(records);
            return;
        }
        let pos = Position { offset, total: shared.total, started: shared.started };
        let data_at = offset + BLOCK_HEAD_LEN as u64;
        let mut at = 0usize;
        let mut n = 0u32;
        let mut problem = None;
        while at < payload.len() {
            let rec_at = data_at + at as u64;
            if n == count {
                problem = Some((rec_at, format!("block holds more than its {count} records")));
                break;
            }
            let used = match v.visit(&payload[at..], rec_at, &pos) {
                Ok(used) => used,
                Err(what) => {
                    problem = Some((rec_at, what));
                    break;
                }
            };
            at += used;
            n += 1;
        }
        v.block_done();
        if problem.is_none() && n != count {
            problem = Some((data_at + at as u64, format!("block ends after {n} of its {count} records")));
        }
        if let Some((at, what)) = problem {
            return shared.problem(at, corrupt(at, what));
        }
        shared.blocks.fetch_add(1, Ordering::Relaxed);
        let _ = shared.back.lock().unwrap_or_else(|e| e.into_inner()).send(payload);
    }
}

struct Block {
    offset: u64,
    count: u32,
    payload: Vec<u8>,
    /// Set on the message that reports the trailer: its record count.
    end: Option<u64>,
}

fn read_blocks(
    mut file: File,
    path: PathBuf,
    total: u64,
    header: [u8; HEADER_LEN],
    tx: mpsc::SyncSender<(u64, Result<Block, Error>)>,
    spare: mpsc::Receiver<Vec<u8>>,
) {
    let corrupt = |offset: u64, what: String| Error::Corrupt { path: path.clone(), offset, what };
    let mut chain = Chain::new(&header);
    let mut off = HEADER_LEN as u64;
    let mut records = 0u64;
    let mut read = |buf: &mut [u8], off: u64| -> Result<(), Error> {
        file.read_exact(buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => corrupt(off, "unexpected end of file".into()),
            _ => Error::io("reading", &path, e),
        })
    };
    let result: Result<Block, Error> = loop {
        let mut len = [0u8; 4];
        if let Err(e) = read(&mut len, off) {
            break Err(e);
        }
        let len = u32::from_le_bytes(len) as u64;
        if len == 0 {
            break read_trailer(&mut read, off, total, chain, records, &corrupt);
        }
        // A block must leave room for the trailer after it.
        if off + BLOCK_HEAD_LEN as u64 + len + TRAILER_LEN as u64 > total {
            break Err(corrupt(off, format!("bad block length {len} (file is {total} bytes)")));
        }
        let mut rest = [0u8; 8];
        if let Err(e) = read(&mut rest, off + 4) {
            break Err(e);
        }
        let (count, crc) = (frame::u32_at(&rest, 0), frame::u32_at(&rest, 4));
        let mut payload = spare.try_recv().unwrap_or_default();
        payload.resize(len as usize, 0);
        if let Err(e) = read(&mut payload, off + BLOCK_HEAD_LEN as u64) {
            break Err(e);
        }
        if frame::block_crc(count, &payload) != crc {
            break Err(corrupt(off, "block checksum mismatch".into()));
        }
        if count == 0 {
            break Err(corrupt(off + 4, "block with no records".into()));
        }
        chain.block(crc);
        records += count as u64;
        if tx.send((off, Ok(Block { offset: off, count, payload, end: None }))).is_err() {
            return; // the consumer stopped
        }
        off += BLOCK_HEAD_LEN as u64 + len;
    };
    // An error found at or after `off`: it sorts after every problem of
    // the blocks before.
    let _ = tx.send((off, result));
}

fn read_trailer(
    read: &mut impl FnMut(&mut [u8], u64) -> Result<(), Error>,
    off: u64,
    total: u64,
    chain: Chain,
    records: u64,
    corrupt: &impl Fn(u64, String) -> Error,
) -> Result<Block, Error> {
    let mut t = [0u8; TRAILER_LEN - 4];
    read(&mut t, off + 4)?;
    if t[0..8] != frame::TRAILER_MAGIC {
        return Err(corrupt(off + 4, "bad trailer magic".into()));
    }
    let (count, crc) = (frame::u64_at(&t, 8), frame::u32_at(&t, 16));
    if count != records {
        return Err(corrupt(off + 12, format!("trailer counts {count} records, blocks hold {records}")));
    }
    if chain.finish(records) != crc {
        return Err(corrupt(off + 20, "file checksum mismatch (blocks missing or out of order)".into()));
    }
    let end = off + TRAILER_LEN as u64;
    if end != total {
        return Err(corrupt(end, format!("{} unexpected bytes after the trailer", total - end)));
    }
    Ok(Block { offset: off, count: 0, payload: Vec::new(), end: Some(records) })
}
