//! The snapshot file's framing: header, checksummed blocks of records,
//! trailer. docs/FORMAT.md describes every byte; the constants here are
//! the format.
//!
//! ```text
//! header   magic[8] version:u32 created_ms:u64 databases:u32 flags:u32 crc:u32   (32 bytes)
//! block*   len:u32 (>0) count:u32 crc:u32 payload[len]                         (crc over count + payload)
//! end      len:u32 = 0
//! trailer  magic[8] records:u64 crc:u32                                         (crc over header, every block crc, records)
//! ```
//! All integers little-endian.

use crc32fast::Hasher;

pub const MAGIC: [u8; 8] = *b"\x89KVSNAP\n";
pub const TRAILER_MAGIC: [u8; 8] = *b"KVSNEND\n";
pub const VERSION: u32 = 1;
pub const HEADER_LEN: usize = 32;
pub const BLOCK_HEAD_LEN: usize = 12;
/// End marker + trailer.
pub const TRAILER_LEN: usize = 4 + 8 + 8 + 4;
/// Blocks are cut at the first record boundary past this many bytes.
pub const BLOCK_TARGET: usize = 1 << 20;

pub struct Header {
    pub version: u32,
    pub created_ms: u64,
    pub databases: u32,
    pub flags: u32,
}

impl Header {
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[0..8].copy_from_slice(&MAGIC);
        h[8..12].copy_from_slice(&self.version.to_le_bytes());
        h[12..20].copy_from_slice(&self.created_ms.to_le_bytes());
        h[20..24].copy_from_slice(&self.databases.to_le_bytes());
        h[24..28].copy_from_slice(&self.flags.to_le_bytes());
        let crc = crc32fast::hash(&h[..28]);
        h[28..32].copy_from_slice(&crc.to_le_bytes());
        h
    }

    /// Parses a header; the error says what is wrong (offsets are 0..32).
    pub fn decode(h: &[u8; HEADER_LEN]) -> Result<Header, (u64, String)> {
        if h[0..8] != MAGIC {
            return Err((0, "not a kv snapshot (bad magic)".into()));
        }
        if crc32fast::hash(&h[..28]) != u32_at(h, 28) {
            return Err((28, "header checksum mismatch".into()));
        }
        let header =
            Header { version: u32_at(h, 8), created_ms: u64_at(h, 12), databases: u32_at(h, 20), flags: u32_at(h, 24) };
        if header.version != VERSION {
            return Err((8, format!("unsupported format version {}", header.version)));
        }
        if header.flags != 0 {
            return Err((24, format!("unknown flags {:#x}", header.flags)));
        }
        Ok(header)
    }
}

pub fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

pub fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// CRC of a block: its record count, then its payload.
pub fn block_crc(count: u32, payload: &[u8]) -> u32 {
    let mut h = Hasher::new();
    h.update(&count.to_le_bytes());
    h.update(payload);
    h.finalize()
}

pub fn block_head(len: u32, count: u32, crc: u32) -> [u8; BLOCK_HEAD_LEN] {
    let mut b = [0u8; BLOCK_HEAD_LEN];
    b[0..4].copy_from_slice(&len.to_le_bytes());
    b[4..8].copy_from_slice(&count.to_le_bytes());
    b[8..12].copy_from_slice(&crc.to_le_bytes());
    b
}

/// The whole-file checksum the trailer carries: over the header bytes,
/// each block's CRC in file order, and the record count. It catches
/// blocks dropped, repeated or reordered, which block CRCs alone cannot.
pub struct Chain(Hasher);

impl Chain {
    pub fn new(header: &[u8]) -> Chain {
        let mut h = Hasher::new();
        h.update(header);
        Chain(h)
    }
    pub fn block(&mut self, crc: u32) {
        self.0.update(&crc.to_le_bytes());
    }
    pub fn finish(mut self, records: u64) -> u32 {
        self.0.update(&records.to_le_bytes());
        self.0.finalize()
    }
}

pub fn trailer(records: u64, chain: u32) -> [u8; TRAILER_LEN] {
    let mut t = [0u8; TRAILER_LEN];
    // t[0..4]: the zero length that ends the blocks
    t[4..12].copy_from_slice(&TRAILER_MAGIC);
    t[12..20].copy_from_slice(&records.to_le_bytes());
    t[20..24].copy_from_slice(&chain.to_le_bytes());
    t
}
