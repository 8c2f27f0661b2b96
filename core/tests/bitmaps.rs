//! Bitmap commands through the public API: edge offsets, a bit-by-bit
//! model for BITCOUNT / BITPOS / BITOP over random strings and ranges, and
//! BITFIELD sequences. Exact reply texts against Redis are in
//! tests/conformance/bitmaps.kvt.

use kv_core::{Reply, Session, Store};

fn int(i: i64) -> Reply {
    Reply::Integer(i)
}

fn err(s: &str) -> Reply {
    Reply::error_owned(s.to_string())
}

/// A small reproducible generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo) as u64 + 1)) as i64
    }
    /// Bytes biased towards runs of 0x00 and 0xff, so word skipping matters.
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(len);
        while v.len() < len {
            let run = self.range(1, 40) as usize;
            let b = match self.next() % 4 {
                0 => 0x00,
                1 => 0xff,
                _ => self.next() as u8,
            };
            let one = self.next().is_multiple_of(3);
            for _ in 0..run.min(len - v.len()) {
                v.push(if one { self.next() as u8 } else { b });
            }
        }
        v
    }
}

fn bit(s: &[u8], i: i64) -> bool {
    s[(i / 8) as usize] & (0x80 >> (i % 8)) != 0
}

/// Redis's start/end resolution, written out plainly: an inclusive range
/// of bit positions, or None when empty.
fn model_range(len: usize, start: i64, end: i64, in_bits: bool) -> Option<(i64, i64)> {
    let total = if in_bits { len as i64 * 8 } else { len as i64 };
    let mut s = if start < 0 { total + start } else { start };
    let mut e = if end < 0 { total + end } else { end };
    s = s.max(0);
    e = e.max(0);
    if e >= total {
        e = total - 1;
    }
    if s > e {
        return None;
    }
    Some(if in_bits { (s, e) } else { (s * 8, e * 8 + 7) })
}

#[test]
fn setbit_and_getbit_at_the_last_offset() {
    let store = Store::new();
    let mut s = store.session();
    assert_eq!(s.execute(&["SETBIT", "k", "4294967295", "1"]), int(0));
    assert_eq!(s.execute(&["GETBIT", "k", "4294967295"]), int(1));
    assert_eq!(s.execute(&["GETBIT", "k", "4294967294"]), int(0));
    assert_eq!(s.execute(&["SETBIT", "k", "4294967295", "1"]), int(1));
    assert_eq!(s.execute(&["BITCOUNT", "k", "-1", "-1"]), int(1));
    assert_eq!(s.execute(&["BITCOUNT", "k", "-1", "-1", "BIT"]), int(1));
    assert_eq!(s.execute(&["BITPOS", "k", "1", "-1"]), int(4294967295));
    assert_eq!(s.execute(&["BITPOS", "k", "0", "-1"]), int(4294967288));
    assert_eq!(s.execute(&["BITFIELD", "k", "GET", "i8", "4294967288"]), Reply::Array(vec![int(1)]));
    assert_eq!(s.execute(&["SETBIT", "k", "4294967296", "1"]), err("ERR bit offset is not an integer or out of range"));
    assert_eq!(s.execute(&["GETBIT", "k", "4294967296"]), err("ERR bit offset is not an integer or out of range"));
    assert_eq!(s.execute(&["GETBIT", "k", "-1"]), err("ERR bit offset is not an integer or out of range"));
    assert_eq!(s.execute(&["SETBIT", "k", "0", "2"]), err("ERR bit is not an integer or out of range"));
}

#[test]
fn bitcount_of_a_large_string_counts_every_word() {
    let store = Store::new();
    let mut s = store.session();
    let v: Vec<u8> = (0..1_000_003u32).map(|i| (i.wrapping_mul(2654435761) >> 7) as u8).collect();
    let ones: i64 = v.iter().map(|b| b.count_ones() as i64).sum();
    s.execute(&[&b"SET"[..], b"k", &v]);
    assert_eq!(s.execute(&["BITCOUNT", "k"]), int(ones));
    assert_eq!(
        s.execute(&["BITCOUNT", "k", "1", "-2"]),
        int(ones - v[0].count_ones() as i64 - v[v.len() - 1].count_ones() as i64)
    );
}

#[test]
fn bitcount_and_bitpos_agree_with_a_bit_by_bit_model() {
    let mut rng = Rng(42);
    let store = Store::new();
    let mut s = store.session();
    for round in 0..400 {
        let len = rng.range(0, 70) as usize;
        let v = rng.bytes(len);
        s.execute(&[&b"SET"[..], b"k", &v]);
        let total_bits = len as i64 * 8;
        let span = if round % 2 == 0 { len as i64 + 3 } else { total_bits + 20 };
        let (start, end) = (rng.range(-span, span), rng.range(-span, span));
        let in_bits = round % 2 == 1;
        let unit = if in_bits { "BIT" } else { "BYTE" };
        let (st, en) = (start.to_string(), end.to_string());
        let ctx = format!("round {round}: {v:?} {start} {end} {unit}");

        let range = model_range(len, start, end, in_bits);
        let expect = if start < 0 && end < 0 && start > end {
            0
        } else {
            range.map_or(0, |(lo, hi)| (lo..=hi).filter(|&i| bit(&v, i)).count() as i64)
        };
        assert_eq!(s.execute(&["BITCOUNT", "k", &st, &en, unit]), int(expect), "{ctx}");

        for b in [0, 1] {
            let found = range.and_then(|(lo, hi)| (lo..=hi).find(|&i| bit(&v, i) == (b == 1)));
            let expect = found.unwrap_or(-1);
            assert_eq!(s.execute(&["BITPOS", "k", &b.to_string(), &st, &en, unit]), int(expect), "bitpos {b} {ctx}");
            // Without an end, a search for 0 sees the string padded with zeros.
            let range = model_range(len, start, -1, false);
            let found = range.and_then(|(lo, hi)| (lo..=hi).find(|&i| bit(&v, i) == (b == 1)));
            let expect = match (found, range) {
                (Some(p), _) => p,
                (None, Some((_, hi))) if b == 0 => hi + 1,
                _ => -1,
            };
            assert_eq!(s.execute(&["BITPOS", "k", &b.to_string(), &st]), int(expect), "bitpos {b} {st} of {v:?}");
        }
    }
}

#[test]
fn bitop_agrees_with_a_byte_by_byte_model() {
    let mut rng = Rng(7);
    let store = Store::new();
    let mut s = store.session();
    for round in 0..100 {
        let n = rng.range(1, 4) as usize;
        let mut srcs = Vec::new();
        for i in 0..n {
            let len = rng.range(0, 90) as usize;
            let v = rng.bytes(len);
            // Some empty sources are missing keys, some empty strings.
            if len > 0 || round % 3 != 0 {
                s.execute(&[&b"SET"[..], format!("r{round}s{i}").as_bytes(), &v]);
            }
            srcs.push(v);
        }
        let maxlen = srcs.iter().map(Vec::len).max().unwrap();
        let at = |v: &Vec<u8>, i: usize| v.get(i).copied().unwrap_or(0);
        for (op, f) in [("AND", (|a, b| a & b) as fn(u8, u8) -> u8), ("OR", |a, b| a | b), ("XOR", |a, b| a ^ b)] {
            let expect: Vec<u8> =
                (0..maxlen).map(|i| srcs[1..].iter().fold(at(&srcs[0], i), |acc, v| f(acc, at(v, i)))).collect();
            let mut args = vec!["BITOP".to_string(), op.into(), "d".into()];
            args.extend((0..n).map(|i| format!("r{round}s{i}")));
            assert_eq!(s.execute(&args), int(maxlen as i64), "{op} round {round}");
            let got = s.execute(&["GET", "d"]);
            if maxlen == 0 {
                assert_eq!(got, Reply::Nil, "{op} round {round}: empty result deletes");
            } else {
                assert_eq!(got, Reply::Bulk(expect), "{op} round {round}");
            }
        }
        let not: Vec<u8> = srcs[0].iter().map(|b| !b).collect();
        assert_eq!(s.execute(&["BITOP", "NOT", "d", &format!("r{round}s0")]), int(not.len() as i64));
        assert_eq!(s.execute(&["GET", "d"]), if not.is_empty() { Reply::Nil } else { Reply::Bulk(not) });
    }
}

fn arr(items: &[Option<i64>]) -> Reply {
    Reply::Array(items.iter().map(|i| i.map_or(Reply::Nil, Reply::Integer)).collect())
}

fn run(s: &mut Session, line: &str) -> Reply {
    s.execute(&line.split(' ').collect::<Vec<_>>())
}

#[test]
fn bitfield_operations_run_in_order_on_one_string() {
    let store = Store::new();
    let mut s = store.session();
    assert_eq!(
        run(&mut s, "BITFIELD k SET u4 0 15 GET u8 0 INCRBY u4 0 1 GET u8 0 SET i4 4 -1 GET u8 0"),
        arr(&[Some(0), Some(0xf0), Some(0), Some(0), Some(0), Some(0x0f)])
    );
    assert_eq!(s.execute(&["GET", "k"]), Reply::bulk(&b"\x0f"[..]));
    // Positional offsets are in units of the field's width.
    assert_eq!(run(&mut s, "BITFIELD k SET u8 #1 65 SET u8 #2 66 GET u16 8"), arr(&[Some(0), Some(0), Some(0x4142)]));
    assert_eq!(s.execute(&["GET", "k"]), Reply::bulk(&b"\x0fAB"[..]));
    // A 64-bit field straddling bytes.
    assert_eq!(
        run(&mut s, "BITFIELD w SET i64 3 -2 GET i64 3 GET u8 0 GET u4 63"),
        arr(&[Some(0), Some(-2), Some(0x1f), Some(0b1110)])
    );
    assert_eq!(run(&mut s, "BITFIELD_RO w GET i64 3 GET u63 3"), arr(&[Some(-2), Some(i64::MAX)]));
}

#[test]
fn bitfield_overflow_modes_and_fail_leaves_values() {
    let store = Store::new();
    let mut s = store.session();
    assert_eq!(
        run(&mut s, "BITFIELD k OVERFLOW FAIL INCRBY u8 0 255 INCRBY u8 0 1 OVERFLOW SAT INCRBY u8 0 1 OVERFLOW WRAP INCRBY u8 0 1"),
        arr(&[Some(255), None, Some(255), Some(0)])
    );
    assert_eq!(
        run(&mut s, "BITFIELD k OVERFLOW SAT INCRBY i16 8 -40000 INCRBY i16 8 80000 OVERFLOW WRAP INCRBY i16 8 1"),
        arr(&[Some(-32768), Some(32767), Some(-32768)])
    );
    // Every write failing still creates the zero-filled string Redis creates.
    assert_eq!(run(&mut s, "BITFIELD n OVERFLOW FAIL SET u8 800 256"), arr(&[None]));
    assert_eq!(s.execute(&["GET", "n"]), Reply::bulk(vec![0u8; 101]));
    // GETs alone never create the key.
    assert_eq!(run(&mut s, "BITFIELD g GET u8 100"), arr(&[Some(0)]));
    assert_eq!(s.execute(&["GET", "g"]), Reply::Nil);
}

#[test]
fn bitfield_errors_stop_before_any_write() {
    let store = Store::new();
    let mut s = store.session();
    let ty = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
    assert_eq!(run(&mut s, "BITFIELD k SET u8 0 1 GET u64 0"), err(ty));
    assert_eq!(
        run(&mut s, "BITFIELD k SET u8 0 1 SET i8 #-1 0"),
        err("ERR bit offset is not an integer or out of range")
    );
    assert_eq!(run(&mut s, "BITFIELD k SET u8 0 1 OVERFLOW NONE"), err("ERR Invalid OVERFLOW type specified"));
    assert_eq!(run(&mut s, "BITFIELD k SET u8 0 1 INCRBY u8 0"), err("ERR syntax error"));
    assert_eq!(
        run(&mut s, "BITFIELD k SET u8 0 99999999999999999999"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(run(&mut s, "BITFIELD_RO k SET u8 0 1"), err("ERR BITFIELD_RO only supports the GET subcommand"));
    assert_eq!(s.execute(&["GET", "k"]), Reply::Nil);
    assert_eq!(run(&mut s, "BITFIELD k"), Reply::Array(vec![]));
    assert_eq!(s.execute(&["GET", "k"]), Reply::Nil);
}

#[test]
fn bitop_errors_and_destination_rules() {
    let store = Store::new();
    let mut s = store.session();
    s.execute(&["SET", "a", "\u{1}"]);
    assert_eq!(run(&mut s, "BITOP NOT d a a"), err("ERR BITOP NOT must be called with a single source key."));
    assert_eq!(run(&mut s, "BITOP NAND d a"), err("ERR syntax error"));
    assert_eq!(run(&mut s, "BITOP AND d"), err("ERR wrong number of arguments for 'bitop' command"));
    // The destination may be a source.
    assert_eq!(run(&mut s, "BITOP XOR a a a"), int(1));
    assert_eq!(s.execute(&["GET", "a"]), Reply::bulk(&b"\0"[..]));
    assert_eq!(run(&mut s, "BITOP NOT a a"), int(1));
    assert_eq!(s.execute(&["GET", "a"]), Reply::bulk(&b"\xff"[..]));
}

#[test]
fn bitpos_and_bitcount_check_arguments_before_the_key() {
    let store = Store::new();
    let mut s = store.session();
    assert_eq!(run(&mut s, "BITCOUNT nokey 0"), err("ERR syntax error"));
    assert_eq!(run(&mut s, "BITCOUNT nokey 0 x"), err("ERR value is not an integer or out of range"));
    assert_eq!(run(&mut s, "BITCOUNT nokey 0 1 BITS"), err("ERR syntax error"));
    assert_eq!(run(&mut s, "BITCOUNT nokey 0 1 bit"), int(0));
    assert_eq!(run(&mut s, "BITPOS nokey 3"), err("ERR The bit argument must be 1 or 0."));
    assert_eq!(run(&mut s, "BITPOS nokey 1 0 x"), err("ERR value is not an integer or out of range"));
    assert_eq!(run(&mut s, "BITPOS nokey 1 0 x BITS"), err("ERR syntax error"));
    assert_eq!(run(&mut s, "BITPOS nokey 1 0 1 2 3"), err("ERR syntax error"));
    assert_eq!(run(&mut s, "BITPOS nokey 0 5 9 BIT"), int(0));
    assert_eq!(run(&mut s, "BITPOS nokey 1 5 9 BIT"), int(-1));
}

#[test]
fn getbit_reads_integer_encoded_values_as_their_digits() {
    let store = Store::new();
    let mut s = store.session();
    s.execute(&["SET", "n", "1"]); // '1' = 0b0011_0001
    let bits: Vec<Reply> = (0..9).map(|i| s.execute(&["GETBIT", "n", &i.to_string()])).collect();
    assert_eq!(bits, [0, 0, 1, 1, 0, 0, 0, 1, 0].map(int));
    assert_eq!(s.execute(&["SETBIT", "n", "6", "1"]), int(0));
    assert_eq!(s.execute(&["GET", "n"]), Reply::bulk("3"));
}
