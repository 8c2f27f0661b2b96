//! Corrupt snapshots: every single-byte flip (>= 1,000 positions sampled
//! over the whole file) and every truncation is detected at open, with an
//! error naming the file and an offset inside it; nothing is loaded and
//! nothing panics. Records re-checksummed after tampering (so only the
//! record checks stand guard) may load or fail, but never panic.

mod persist_util;

use kv_core::persist::{frame, Error};
use kv_core::{ManualClock, Store};
use persist_util::*;

fn sample_snapshot(dir: &TempDir) -> Vec<u8> {
    let clock = ManualClock::new(T0);
    let store = Store::try_open(config(dir.path(), &clock)).unwrap();
    fill_every_type(&store);
    store.save().unwrap();
    std::fs::read(dir.snapshot()).unwrap()
}

/// A tiny deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn open_must_fail(dir: &TempDir, bytes: &[u8], what: &str) -> (u64, String) {
    std::fs::write(dir.snapshot(), bytes).unwrap();
    let clock = ManualClock::new(T0);
    match Store::try_open(config(dir.path(), &clock)) {
        Ok(_) => panic!("{what}: a corrupt snapshot opened"),
        Err(Error::Corrupt { path, offset, what: why }) => {
            assert_eq!(path, dir.snapshot(), "{what}");
            assert!(offset <= bytes.len() as u64, "{what}: offset {offset} past the end");
            let text = Error::Corrupt { path, offset, what: why.clone() }.to_string();
            assert!(text.contains("snapshot.kvs") && text.contains(&format!("offset {offset}")), "{text}");
            (offset, why)
        }
        Err(e) => panic!("{what}: not reported as corruption: {e}"),
    }
}

#[test]
fn every_sampled_byte_flip_is_detected() {
    let dir = TempDir::new("flip");
    let good = sample_snapshot(&dir);
    let n = good.len();
    assert!(n > 20_000, "sample too small: {n}");
    let mut rng = Rng(0x5eed);
    // Every byte of the header and trailer, and >= 1,000 positions spread
    // over the whole file (a stride plus random ones).
    let mut positions: Vec<usize> = (0..64).chain(n - 64..n).collect();
    let stride = n / 800;
    positions.extend((0..n).step_by(stride.max(1)));
    positions.extend((0..400).map(|_| (rng.next() % n as u64) as usize));
    positions.sort_unstable();
    positions.dedup();
    assert!(positions.len() >= 1000, "{}", positions.len());
    for &at in &positions {
        let mut bad = good.clone();
        let mask = (rng.next() % 255 + 1) as u8;
        bad[at] ^= mask;
        open_must_fail(&dir, &bad, &format!("flip {mask:#04x} at {at}"));
    }
    // The untouched file still opens.
    std::fs::write(dir.snapshot(), &good).unwrap();
    let clock = ManualClock::new(T0);
    assert!(Store::try_open(config(dir.path(), &clock)).is_ok());
}

#[test]
fn truncations_and_extensions_are_detected() {
    let dir = TempDir::new("trunc");
    let good = sample_snapshot(&dir);
    let n = good.len();
    let mut lengths: Vec<usize> = (0..100).chain(n - 100..n).collect();
    lengths.extend((0..n).step_by(n / 300));
    lengths.sort_unstable();
    lengths.dedup();
    for len in lengths {
        open_must_fail(&dir, &good[..len], &format!("truncated to {len}"));
    }
    let mut longer = good.clone();
    longer.push(0);
    let (offset, _) = open_must_fail(&dir, &longer, "one byte appended");
    assert_eq!(offset, n as u64);
    // An empty file is not a snapshot either.
    open_must_fail(&dir, &[], "empty");
}

/// Recomputes every block CRC and the trailer's file CRC, so only the
/// record-level checks see the tampering.
fn reseal(bytes: &mut [u8]) {
    let mut chain = frame::Chain::new(&bytes[..frame::HEADER_LEN]);
    let mut off = frame::HEADER_LEN;
    let mut records = 0u64;
    loop {
        let len = frame::u32_at(bytes, off) as usize;
        if len == 0 {
            break;
        }
        let count = frame::u32_at(bytes, off + 4);
        let crc = frame::block_crc(count, &bytes[off + 12..off + 12 + len]);
        bytes[off + 8..off + 12].copy_from_slice(&crc.to_le_bytes());
        chain.block(crc);
        records += count as u64;
        off += 12 + len;
    }
    let crc = chain.finish(records);
    bytes[off + 20..off + 24].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn tampered_records_with_valid_checksums_never_panic() {
    let dir = TempDir::new("tamper");
    let good = sample_snapshot(&dir);
    let n = good.len();
    let mut rng = Rng(42);
    let (mut failed, mut opened) = (0, 0);
    let body = frame::HEADER_LEN + 12..n - frame::TRAILER_LEN;
    for round in 0..600 {
        let mut bad = good.clone();
        // Skip the block heads: tamper only inside payloads.
        let at = body.start + (rng.next() as usize % body.len());
        if (at - frame::HEADER_LEN) < 12 {
            continue;
        }
        bad[at] = if round % 3 == 0 { 0xff } else { rng.next() as u8 };
        if frame::u32_at(&bad, frame::HEADER_LEN) != frame::u32_at(&good, frame::HEADER_LEN) {
            continue;
        }
        // Block heads of later blocks may be hit: skip those inputs.
        let resealable = std::panic::catch_unwind(|| {
            let mut b = bad.clone();
            reseal(&mut b);
            b
        });
        let Ok(sealed) = resealable else { continue };
        std::fs::write(dir.snapshot(), &sealed).unwrap();
        let clock = ManualClock::new(T0);
        match Store::try_open(config(dir.path(), &clock)) {
            Ok(store) => {
                opened += 1;
                // Whatever loaded is usable.
                let _ = describe(&store);
            }
            Err(Error::Corrupt { .. }) => failed += 1,
            Err(e) => panic!("unexpected error kind: {e}"),
        }
    }
    assert!(failed > 0 && failed + opened > 300, "failed {failed} opened {opened}");
}

/// A big snapshot loads on several threads; with bad records (checksums
/// fixed up) in two blocks, the error names the first one's offset, and a
/// clean copy loads every key.
#[test]
fn a_parallel_load_reports_the_first_bad_record() {
    let dir = TempDir::new("parallel");
    let clock = ManualClock::new(T0);
    let n = 200_000;
    {
        let store = Store::try_open(config(dir.path(), &clock)).unwrap();
        let mut s = store.session();
        for i in 0..n {
            s.set(format!("key:{i:010}").as_bytes(), format!("value-{i}-{}", "x".repeat(40)).as_bytes()).unwrap();
        }
        store.save().unwrap();
    }
    let good = std::fs::read(dir.snapshot()).unwrap();
    assert!(good.len() > 8 << 20, "big enough to load in parallel: {}", good.len());
    assert_eq!(Store::try_open(config(dir.path(), &clock)).unwrap().dbsize(0), n);
    // The blocks: (offset, count, payload range).
    let mut blocks = Vec::new();
    let mut off = frame::HEADER_LEN;
    loop {
        let len = frame::u32_at(&good, off) as usize;
        if len == 0 {
            break;
        }
        let count = frame::u32_at(&good, off + 4);
        blocks.push((off, count, off + frame::BLOCK_HEAD_LEN..off + frame::BLOCK_HEAD_LEN + len));
        off += frame::BLOCK_HEAD_LEN + len;
    }
    assert!(blocks.len() >= 8, "{} blocks", blocks.len());
    // Spoils the first record of a block (its data variant: db 0, key
    // length 14, 14 key bytes, no expiry, then the variant) and fixes the
    // checksums up.
    let spoil = |bytes: &mut Vec<u8>, b: usize| {
        let (_, count, range) = &blocks[b];
        let variant = range.start + 2 + 14 + 1;
        assert_eq!((bytes[range.start], bytes[range.start + 1], bytes[variant]), (0, 14, 0));
        bytes[variant] = 9;
        let crc = frame::block_crc(*count, &bytes[range.clone()]);
        bytes[range.start - 4..range.start].copy_from_slice(&crc.to_le_bytes());
    };
    let mut bad = good.clone();
    spoil(&mut bad, 3);
    spoil(&mut bad, 6);
    let mut chain = frame::Chain::new(&bad[..frame::HEADER_LEN]);
    for (off, _, _) in &blocks {
        chain.block(frame::u32_at(&bad, off + 8));
    }
    let t = bad.len() - frame::TRAILER_LEN;
    let records = frame::u64_at(&bad, t + 12);
    bad[t..].copy_from_slice(&frame::trailer(records, chain.finish(records)));
    for _ in 0..3 {
        let (offset, why) = open_must_fail(&dir, &bad, "two bad blocks");
        assert_eq!(offset, blocks[3].2.start as u64, "{why}");
        assert!(why.contains("bad record"), "{why}");
    }
}

/// A big snapshot's blocks of strings are inserted shard by shard, not in
/// file order: a repeated key (checksums fixed up) is still reported at
/// its second record, as a load in file order would.
#[test]
fn a_repeated_key_is_reported_at_its_second_record() {
    let dir = TempDir::new("dup");
    let clock = ManualClock::new(T0);
    {
        let store = Store::try_open(config(dir.path(), &clock)).unwrap();
        let mut s = store.session();
        for i in 0..200_000 {
            s.set(format!("key:{i:010}").as_bytes(), format!("value-{i}-{}", "y".repeat(40)).as_bytes()).unwrap();
        }
        store.save().unwrap();
    }
    let mut bytes = std::fs::read(dir.snapshot()).unwrap();
    assert!(bytes.len() > 8 << 20);
    // The third block's records: db 0, key length 14, the key, no expiry,
    // variant 0, value length, the value.
    let mut off = frame::HEADER_LEN;
    for _ in 0..2 {
        off += frame::BLOCK_HEAD_LEN + frame::u32_at(&bytes, off) as usize;
    }
    let (len, count) = (frame::u32_at(&bytes, off) as usize, frame::u32_at(&bytes, off + 4));
    let payload = off + frame::BLOCK_HEAD_LEN;
    let mut records = Vec::new();
    let mut at = payload;
    while at < payload + len {
        assert_eq!((bytes[at], bytes[at + 1], bytes[at + 16], bytes[at + 17]), (0, 14, 0, 0));
        records.push(at);
        at += 19 + bytes[at + 18] as usize;
    }
    assert_eq!(records.len(), count as usize);
    // Record 300 takes the key of record 100; record 600 that of 500.
    for (from, to) in [(100, 300), (500, 600)] {
        let key = bytes[records[from] + 2..records[from] + 16].to_vec();
        bytes[records[to] + 2..records[to] + 16].copy_from_slice(&key);
    }
    let crc = frame::block_crc(count, &bytes[payload..payload + len]);
    bytes[off + 8..off + 12].copy_from_slice(&crc.to_le_bytes());
    let mut chain = frame::Chain::new(&bytes[..frame::HEADER_LEN]);
    let mut b = frame::HEADER_LEN;
    while frame::u32_at(&bytes, b) != 0 {
        chain.block(frame::u32_at(&bytes, b + 8));
        b += frame::BLOCK_HEAD_LEN + frame::u32_at(&bytes, b) as usize;
    }
    let t = bytes.len() - frame::TRAILER_LEN;
    let n = frame::u64_at(&bytes, t + 12);
    bytes[t..].copy_from_slice(&frame::trailer(n, chain.finish(n)));
    let (offset, why) = open_must_fail(&dir, &bytes, "repeated key");
    assert_eq!((offset, why.as_str()), (records[300] as u64, "duplicate key"));
}
