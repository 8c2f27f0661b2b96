//! Writing a snapshot: records into memory ([`Encoded`]),
//! then framed into a temporary file that is fsynced, renamed into place,
//! and its directory fsynced, so the previous snapshot stays whole until
//! the new one is complete on disk.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use bincode::error::EncodeError;

use super::frame::{self, Chain, Header};
use super::record;
use super::Error;
use crate::dict::Slot;

/// Records of a save's point in time, cut into blocks.
#[derive(Default)]
pub struct Encoded {
    pub buf: Vec<u8>,
    /// (end offset in `buf`, records) of each finished block.
    pub cuts: Vec<(usize, u32)>,
    /// Start and records of the block being filled.
    start: usize,
    count: u32,
}

impl Encoded {
    /// Appends the record of a slot of database `db` live at `now`.
    pub fn push_slot(&mut self, db: u32, slot: &Slot, now: u64) -> Result<(), EncodeError> {
        if record::encode_slot(&mut self.buf, db, slot, now)? {
            self.count += 1;
            if self.buf.len() - self.start >= frame::BLOCK_TARGET {
                self.cut();
            }
        }
        Ok(())
    }

    /// Ends the block being filled (if it holds any record).
    pub fn cut(&mut self) {
        if self.count > 0 {
            self.cuts.push((self.buf.len(), self.count));
            (self.start, self.count) = (self.buf.len(), 0);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Appends another's records (whole records: its bytes and count) to
    /// the block being filled.
    pub fn append(&mut self, other: &Encoded) {
        self.buf.extend_from_slice(&other.buf);
        self.count += other.records_pending();
    }

    /// Empties it, keeping its buffer.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.cuts.clear();
        (self.start, self.count) = (0, 0);
    }

    /// Records held (finished blocks and the one being filled).
    pub fn records_pending(&self) -> u32 {
        self.cuts.iter().map(|c| c.1).sum::<u32>() + self.count
    }
}

/// Frames blocks into any byte sink.
pub struct FrameWriter<W: Write> {
    w: W,
    chain: Chain,
    pub records: u64,
    pub bytes: u64,
}

impl<W: Write> FrameWriter<W> {
    pub fn new(mut w: W, created_ms: u64, databases: u32) -> io::Result<FrameWriter<W>> {
        let header = Header { version: frame::VERSION, created_ms, databases, flags: 0 }.encode();
        w.write_all(&header)?;
        Ok(FrameWriter { w, chain: Chain::new(&header), records: 0, bytes: header.len() as u64 })
    }

    pub fn block(&mut self, payload: &[u8], count: u32) -> io::Result<()> {
        let crc = frame::block_crc(count, payload);
        self.w.write_all(&frame::block_head(payload.len() as u32, count, crc))?;
        self.w.write_all(payload)?;
        self.chain.block(crc);
        self.records += count as u64;
        self.bytes += (frame::BLOCK_HEAD_LEN + payload.len()) as u64;
        Ok(())
    }

    /// Writes the finished blocks of `e`.
    pub fn shard(&mut self, e: &Encoded) -> io::Result<()> {
        let mut start = 0;
        for &(end, count) in &e.cuts {
            self.block(&e.buf[start..end], count)?;
            start = end;
        }
        Ok(())
    }

    /// Writes the trailer and hands the sink back.
    pub fn finish(mut self) -> io::Result<W> {
        let records = self.records;
        self.w.write_all(&frame::trailer(records, self.chain.finish(records)))?;
        self.bytes += frame::TRAILER_LEN as u64;
        Ok(self.w)
    }
}

/// A file being written under a temporary name next to its target.
pub struct TempFile {
    pub tmp: PathBuf,
    pub target: PathBuf,
}

static TMP_SEQ: AtomicU64 = AtomicU64::new(0);

impl TempFile {
    pub fn for_target(target: &Path) -> TempFile {
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let seq = TMP_SEQ.fetch_add(1, Ordering::Relaxed);
        let tmp = target.with_file_name(format!(".{name}.tmp-{}-{seq}", std::process::id()));
        TempFile { tmp, target: target.to_path_buf() }
    }

    pub fn create(&self) -> Result<File, Error> {
        File::create(&self.tmp).map_err(|e| Error::io("creating temporary file", &self.tmp, e))
    }

    /// fsyncs the written file, renames it over the target and fsyncs the
    /// directory, so the rename itself is durable.
    pub fn commit(&self, file: File) -> Result<(), Error> {
        file.sync_all().map_err(|e| Error::io("fsync of", &self.tmp, e))?;
        drop(file);
        fs::rename(&self.tmp, &self.target).map_err(|e| Error::io("renaming temporary file to", &self.target, e))?;
        sync_dir(&self.target)
    }

    /// Removes the temporary file after a failure (best effort).
    pub fn discard(&self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

pub fn sync_dir(file: &Path) -> Result<(), Error> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::io("fsync of directory", dir, e))
}

/// A sink that reports a full disk after `left` bytes (fault injection).
pub struct Limited<W> {
    pub inner: W,
    pub left: Option<u64>,
}

impl<W: Write> Write for Limited<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(left) = self.left.as_mut() {
            if *left == 0 {
                return Err(io::Error::from_raw_os_error(28)); // ENOSPC
            }
            let n = buf.len().min(*left as usize);
            let n = self.inner.write(&buf[..n])?;
            *left -= n as u64;
            return Ok(n);
        }
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

pub type FileSink = BufWriter<Limited<File>>;

pub fn file_sink(file: File, fail_after: Option<u64>) -> FileSink {
    BufWriter::with_capacity(1 << 20, Limited { inner: file, left: fail_after })
}

/// Unwraps a finished sink back into its file (flushing it).
pub fn into_file(sink: FileSink) -> io::Result<File> {
    sink.into_inner().map_err(|e| e.into_error()).map(|l| l.inner)
}
