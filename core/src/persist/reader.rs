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

    /// A block's payload (at file offset `data_at`) that should hold
    /// `count` records: each to [`Visitor::visit`] in turn. A visitor may
    /// take them another way, as long as the problem it reports is the
    /// first in the block.
    fn visit_block(&mut self, payload: &[u8], count: u32, data_at: u64, pos: &Position) -> Result<(), (u64, String)>
    where
        Self: Sized,
    {
        visit_records(self, payload, count, data_at, pos)
    }
}

/// [`Visitor::visit_block`]'s way: each record to [`Visitor::visit`] in turn.
pub fn visit_records<V: Visitor>(
    v: &mut V,
    payload: &[u8],
    count: u32,
    data_at: u64,
    pos: &Position,
) -> Result<(), (u64, String)> {
    let mut at = 0usize;
    let mut n = 0u32;
    while at < payload.len() {
        let rec_at = data_at + at as u64;
        if n == count {
            return Err((rec_at, format!("block holds more than its {count} records")));
        }
        at += v.visit(&payload[at..], rec_at, pos).map_err(|what| (rec_at, what))?;
        n += 1;
    }
    if n != count {
        return Err((data_at + at as u64, format!("block ends after {n} of its {count} records")));
    }
    Ok(())
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
        let problem = v.visit_block(&payload, count, data_at, &pos).err();
        v.block_done();
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

/// Records per database, for sizing tables before a load: a pass over
/// the block heads (and each block's first record, whose database is the
/// block's: a writer keeps a block's records in one shard) that reads no
/// payload. `None` if anything looks wrong (the walk itself reports it) or
/// the heads do not add up to the trailer's count under its checksum:
/// counts that are not trusted size nothing.
pub fn db_counts(path: &Path) -> Option<Vec<u64>> {
    use std::io::{Seek, SeekFrom};
    let mut file = File::open(path).ok()?;
    let total = file.metadata().ok()?.len();
    let mut head = [0u8; HEADER_LEN];
    file.read_exact(&mut head).ok()?;
    let header = Header::decode(&head).ok()?;
    let mut chain = Chain::new(&head);
    let (mut off, mut records) = (HEADER_LEN as u64, 0u64);
    let mut counts = vec![0u64; header.databases.min(1 << 16) as usize];
    loop {
        let mut bh = [0u8; BLOCK_HEAD_LEN];
        file.seek(SeekFrom::Start(off)).ok()?;
        file.read_exact(&mut bh[..4]).ok()?;
        let len = frame::u32_at(&bh, 0) as u64;
        if len == 0 {
            break;
        }
        if off + BLOCK_HEAD_LEN as u64 + len + TRAILER_LEN as u64 > total {
            return None;
        }
        file.read_exact(&mut bh[4..]).ok()?;
        let (count, crc) = (frame::u32_at(&bh, 4), frame::u32_at(&bh, 8));
        chain.block(crc);
        records += count as u64;
        // The first record's database and key: a few bytes in.
        let mut first = [0u8; 64];
        let n = (len as usize).min(first.len());
        file.read_exact(&mut first[..n]).ok()?;
        let (db, _) = super::decode::db_and_key(&first[..n])?;
        *counts.get_mut(db as usize)? += count as u64;
        off += BLOCK_HEAD_LEN as u64 + len;
    }
    let mut t = [0u8; TRAILER_LEN - 4];
    file.read_exact(&mut t).ok()?;
    let ok = t[0..8] == frame::TRAILER_MAGIC
        && frame::u64_at(&t, 8) == records
        && chain.finish(records) == frame::u32_at(&t, 16)
        && off + TRAILER_LEN as u64 == total;
    ok.then_some(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persist::record::{Bytes, Data, VecWriter};
    use crate::persist::writer::FrameWriter;

    /// A snapshot of `blocks` blocks of 100 string records each; the
    /// records of the blocks in `bad` have an unknown data variant.
    fn snapshot(path: &Path, blocks: usize, bad: &[usize]) {
        let mut w = FrameWriter::new(Vec::new(), 1, 16).unwrap();
        for b in 0..blocks {
            let mut payload = Vec::new();
            for r in 0..100 {
                let key = format!("k{b}:{r}");
                let rec = Record {
                    db: 0,
                    key: Bytes::borrowed(key.as_bytes()),
                    expire: None,
                    data: Data::String(Bytes::borrowed(b"v")),
                };
                let start = payload.len();
                bincode::serde::encode_into_writer(&rec, VecWriter(&mut payload), record::config()).unwrap();
                if bad.contains(&b) && r == 50 {
                    let variant = start + 2 + key.len() + 1;
                    payload[variant] = 9;
                }
            }
            w.block(&payload, 100).unwrap();
        }
        std::fs::write(path, w.finish().unwrap()).unwrap();
    }

    struct Keys<'a>(&'a Mutex<Vec<Vec<u8>>>);

    impl Visitor for Keys<'_> {
        fn visit(&mut self, buf: &[u8], _: u64, _: &Position) -> Result<usize, String> {
            let (rec, used) = decode(buf)?;
            self.0.lock().unwrap().push(rec.key.0.into_owned());
            Ok(used)
        }
    }

    /// Several workers see every record once; of bad records in several
    /// blocks, the first in the file is reported, whichever worker met it.
    #[test]
    fn workers_share_the_blocks_and_report_the_first_problem() {
        let dir = std::env::temp_dir().join(format!("kv-walk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.kvs");
        snapshot(&path, 40, &[]);
        let seen = Mutex::new(Vec::new());
        let summary = walk_with(&path, 3, || Keys(&seen)).unwrap();
        assert_eq!((summary.blocks, summary.records), (40, 4000));
        let mut keys = seen.into_inner().unwrap();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 4000);
        snapshot(&path, 40, &[7, 8, 30]);
        // The 51st record of block 7: the header, 7 blocks of 100 records
        // (12-byte heads; records of keys "k<b>:<r>"), then 50 records.
        let rec_len = |b: usize, r: usize| 4 + format!("k{b}:{r}").len() + 2;
        let block_len = |b: usize| 12 + (0..100).map(|r| rec_len(b, r)).sum::<usize>();
        let want =
            HEADER_LEN + (0..7).map(block_len).sum::<usize>() + 12 + (0..50).map(|r| rec_len(7, r)).sum::<usize>();
        for _ in 0..20 {
            let seen = Mutex::new(Vec::new());
            match walk_with(&path, 3, || Keys(&seen)) {
                Err(Error::Corrupt { offset, what, .. }) => {
                    assert_eq!(offset, want as u64, "{what}");
                    assert!(what.starts_with("bad record"), "{what}");
                }
                other => panic!("{other:?}"),
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
