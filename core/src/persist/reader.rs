//! Reading a snapshot: the framing is checked block by block (length,
//! checksum, records, trailer) and every record handed to a visitor. The
//! first problem stops the walk with an error naming the file and the byte
//! offset where it was found. One thread reads and checksums blocks while
//! the caller's thread decodes and applies them.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
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

/// Decoded records go to `visit` with the offset of each; it may refuse one
/// with a message (reported at that offset).
pub fn walk(
    path: &Path,
    mut visit: impl FnMut(Record<'_>, u64, &Position) -> Result<(), String>,
) -> Result<Summary, Error> {
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
    let (tx, rx) = mpsc::sync_channel::<Result<Block, Error>>(4);
    let (back_tx, back_rx) = mpsc::channel::<Vec<u8>>();
    let owned = path.to_path_buf();
    let reader = std::thread::Builder::new()
        .name("kv-load".into())
        .spawn(move || read_blocks(file, owned, total, head, tx, back_rx))
        .map_err(|e| Error::io("starting the load thread for", path, e))?;
    let mut result = Ok(());
    let mut ended = false;
    for msg in rx.iter() {
        let block = match msg {
            Ok(b) => b,
            Err(e) => {
                result = Err(e);
                break;
            }
        };
        let Block { offset, count, payload, end } = block;
        if let Some(records) = end {
            summary.records = records;
            ended = true;
            break;
        }
        let pos = Position { offset, total, started };
        let data_at = offset + BLOCK_HEAD_LEN as u64;
        let mut at = 0usize;
        let mut n = 0u32;
        while at < payload.len() {
            if n == count {
                result = Err(corrupt(data_at + at as u64, format!("block holds more than its {count} records")));
                break;
            }
            let rec_at = data_at + at as u64;
            let (rec, used) = match record::decode(&payload[at..]) {
                Ok(r) => r,
                Err(e) => {
                    result = Err(corrupt(rec_at, format!("bad record: {e}")));
                    break;
                }
            };
            if let Err(what) = visit(rec, rec_at, &pos) {
                result = Err(corrupt(rec_at, what));
                break;
            }
            at += used;
            n += 1;
        }
        if result.is_ok() && n != count {
            result = Err(corrupt(data_at + at as u64, format!("block ends after {n} of its {count} records")));
        }
        if result.is_err() {
            break;
        }
        summary.blocks += 1;
        summary.records += count as u64;
        let _ = back_tx.send(payload);
    }
    drop(rx);
    drop(back_tx);
    let _ = reader.join();
    if result.is_ok() && !ended {
        result = Err(corrupt(total, "missing trailer".into()));
    }
    result.map(|()| summary)
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
    tx: mpsc::SyncSender<Result<Block, Error>>,
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
        if tx.send(Ok(Block { offset: off, count, payload, end: None })).is_err() {
            return; // the consumer stopped
        }
        off += BLOCK_HEAD_LEN as u64 + len;
    };
    let _ = tx.send(result);
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
