//! Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, and BITFIELD
//! (in [`bitfield`]). Bits are numbered from the most significant bit of
//! the first byte, as Redis numbers them; a missing key reads as an
//! endless run of zero bits.

mod bitfield;

use super::{cmd, flag::*, int_arg, is, read_str, reply, CommandSpec, KEY1};
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::value::{StrEnc, Value};

pub static COMMANDS: &[CommandSpec] = &[
    cmd("setbit", 4, WRITE | DENYOOM, KEY1, "bitmap", setbit),
    cmd("getbit", 3, READONLY | FAST, KEY1, "bitmap", getbit),
    cmd("bitcount", -2, READONLY, KEY1, "bitmap", bitcount),
    cmd("bitpos", -3, READONLY, KEY1, "bitmap", bitpos),
    cmd("bitop", -4, WRITE | DENYOOM, (2, -1, 1), "bitmap", bitop),
    cmd("bitfield", -2, WRITE | DENYOOM, KEY1, "bitmap", bitfield::bitfield),
    cmd("bitfield_ro", -2, READONLY | FAST, KEY1, "bitmap", bitfield::bitfield_ro),
];

/// Bit offsets must address a byte below proto-max-bulk-len (512 MB), so
/// the highest offset is 2^32 - 1.
const MAX_BULK: i64 = 512 * 1024 * 1024;

/// Parses a bit offset as Redis's `getBitOffsetFromArgument`. With
/// `hash_bits` (BITFIELD), `#N` means N times the field width; the product
/// wraps as Redis's C multiplication does.
fn bit_offset(arg: &[u8], hash_bits: Option<u32>) -> Result<u64, Reply> {
    let (digits, scale) = match (arg.first(), hash_bits) {
        (Some(b'#'), Some(bits)) => (&arg[1..], bits as i64),
        _ => (arg, 1),
    };
    let off = crate::num::parse_i64(digits).ok_or(Reply::error(errors::BIT_OFFSET))?.wrapping_mul(scale);
    if off < 0 || (off >> 3) >= MAX_BULK {
        return Err(Reply::error(errors::BIT_OFFSET));
    }
    Ok(off as u64)
}

/// Opens the string at `key` for a bit edit reaching bit `max_bit`, as
/// Redis's `lookupStringForBitCommand`: a missing key becomes a zeroed
/// string, a short one is zero-padded, and either way it ends up `raw`.
fn edit_bits<R>(ctx: &mut Ctx<'_>, key: &[u8], max_bit: u64, f: impl FnOnce(&mut [u8]) -> R) -> Result<R, Reply> {
    let need = (max_bit >> 3) as usize + 1;
    match ctx.write(key) {
        Some(slot) if slot.as_str().is_none() => Err(Reply::error(errors::WRONGTYPE)),
        Some(slot) => Ok(slot.update_str(StrEnc::Raw, |v| {
            if v.len() < need {
                v.resize(need, 0);
            }
            f(v)
        })),
        None => {
            // vec! of zeros is a calloc: a far offset costs no page faults.
            let mut v = vec![0u8; need];
            let r = f(&mut v);
            ctx.insert(key, Value::Str(v, StrEnc::Raw), None);
            Ok(r)
        }
    }
}

/// Mask of bit `off` within its byte.
fn bit_mask(off: u64) -> u8 {
    0x80 >> (off & 7)
}

fn setbit(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply((|| {
        let off = bit_offset(args[2], None)?;
        let on = crate::num::parse_i64(args[3]).ok_or(Reply::error(errors::BIT_VALUE))?;
        if on & !1 != 0 {
            return Err(Reply::error(errors::BIT_VALUE));
        }
        let old = edit_bits(ctx, args[1], off, |v| {
            let (byte, mask) = ((off >> 3) as usize, bit_mask(off));
            let old = v[byte] & mask != 0;
            if on == 1 {
                v[byte] |= mask;
            } else {
                v[byte] &= !mask;
            }
            old
        })?;
        Ok(Reply::from(old))
    })())
}

fn getbit(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply((|| {
        let off = bit_offset(args[2], None)?;
        let s = read_str(ctx, args[1])?.unwrap_or_default();
        let set = s.get((off >> 3) as usize).is_some_and(|b| b & bit_mask(off) != 0);
        Ok(Reply::from(set))
    })())
}

/// Parses the BIT / BYTE unit of BITCOUNT and BITPOS; true for BIT.
fn bit_unit(arg: &[u8]) -> Result<bool, Reply> {
    if is(arg, "bit") {
        Ok(true)
    } else if is(arg, "byte") {
        Ok(false)
    } else {
        Err(Reply::error(errors::SYNTAX))
    }
}

/// Resolves a start/end pair (negative counts from the end, in bytes or in
/// bits) against a string of `len` bytes, clamped as Redis clamps it, into
/// an inclusive range of bit positions; `None` when it is empty.
fn bit_range(len: usize, start: i64, end: i64, in_bits: bool) -> Option<(u64, u64)> {
    let total = if in_bits { len as i64 * 8 } else { len as i64 };
    let resolve = |i: i64| if i < 0 { (total + i).max(0) } else { i };
    let (start, end) = (resolve(start), resolve(end).min(total - 1));
    if start > end {
        return None;
    }
    let (start, end) = (start as u64, end as u64);
    Some(if in_bits { (start, end) } else { (start * 8, end * 8 + 7) })
}

/// Number of set bits, a 64-bit word at a time.
pub(crate) fn popcount(bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(32);
    let mut acc = [0u64; 4];
    for w in &mut words {
        for (a, c) in acc.iter_mut().zip(w.chunks_exact(8)) {
            *a += u64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]).count_ones() as u64;
        }
    }
    acc.iter().sum::<u64>() + words.remainder().iter().map(|b| b.count_ones() as u64).sum::<u64>()
}

/// Masks keeping, in a range's first and last byte, the bits inside it.
fn edge_masks(lo: u64, hi: u64) -> (u8, u8) {
    (0xff >> (lo & 7), 0xff << (7 - (hi & 7)))
}

/// Set bits among bit positions `lo..=hi` (which lie inside `bytes`).
fn count_range(bytes: &[u8], lo: u64, hi: u64) -> u64 {
    let (first, last) = ((lo >> 3) as usize, (hi >> 3) as usize);
    let (fm, lm) = edge_masks(lo, hi);
    if first == last {
        return (bytes[first] & fm & lm).count_ones() as u64;
    }
    (bytes[first] & fm).count_ones() as u64 + popcount(&bytes[first + 1..last]) + (bytes[last] & lm).count_ones() as u64
}

/// First position in `lo..=hi` (inside `bytes`) holding `bit`, skipping a
/// 64-bit word at a time over runs of the other value.
fn find_bit(bytes: &[u8], lo: u64, hi: u64, bit: bool) -> Option<u64> {
    // Search for a one in `x`, where x is the byte itself or its inverse.
    let flip: u8 = if bit { 0 } else { 0xff };
    let (first, last) = ((lo >> 3) as usize, (hi >> 3) as usize);
    let (fm, lm) = edge_masks(lo, hi);
    let in_byte = |i: usize, mask: u8| {
        let x = (bytes[i] ^ flip) & mask;
        (x != 0).then(|| i as u64 * 8 + x.leading_zeros() as u64)
    };
    if first == last {
        return in_byte(first, fm & lm);
    }
    if let Some(p) = in_byte(first, fm) {
        return Some(p);
    }
    let middle = &bytes[first + 1..last];
    let mut words = middle.chunks_exact(8);
    let flip64 = if bit { 0 } else { u64::MAX };
    for (n, c) in (&mut words).enumerate() {
        let w = u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) ^ flip64;
        if w != 0 {
            return Some((first + 1 + n * 8) as u64 * 8 + w.leading_zeros() as u64);
        }
    }
    let tail = first + 1 + middle.len() - words.remainder().len();
    (tail..last).find_map(|i| in_byte(i, 0xff)).or_else(|| in_byte(last, lm))
}

/// BITCOUNT key [start end [BYTE|BIT]]. Arguments are checked before the
/// key is looked up (Redis 7.2; 7.0 answered 0 for a missing key first).
fn bitcount(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply((|| {
        let range = match args.len() {
            2 => None,
            4 | 5 => {
                let (start, end) = (int_arg(args[2])?, int_arg(args[3])?);
                let in_bits = if args.len() == 5 { bit_unit(args[4])? } else { false };
                Some((start, end, in_bits))
            }
            _ => return Err(Reply::error(errors::SYNTAX)),
        };
        let Some(s) = read_str(ctx, args[1])? else { return Ok(Reply::Integer(0)) };
        let (start, end, in_bits) = match range {
            // Both from the end and crossed: empty, even where clamping to
            // zero would make them meet.
            Some((start, end, _)) if start < 0 && end < 0 && start > end => return Ok(Reply::Integer(0)),
            Some(r) => r,
            None => (0, -1, false),
        };
        let n = bit_range(s.len(), start, end, in_bits).map_or(0, |(lo, hi)| count_range(s, lo, hi));
        Ok(Reply::Integer(n as i64))
    })())
}

/// BITPOS key bit [start [end [BYTE|BIT]]]. Looking for 0 without an end,
/// the string counts as padded with zeros on the right, so a run of ones
/// up to its end answers the first bit past it; with an end, -1.
fn bitpos(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply((|| {
        let bit = int_arg(args[2])?;
        if bit != 0 && bit != 1 {
            return Err(Reply::error(errors::BITPOS_BIT));
        }
        let (start, end, in_bits) = match args.len() {
            3 => (0, None, false),
            4..=6 => {
                let start = int_arg(args[3])?;
                // Redis checks the unit before the end.
                let in_bits = if args.len() == 6 { bit_unit(args[5])? } else { false };
                let end = if args.len() >= 5 { Some(int_arg(args[4])?) } else { None };
                (start, end, in_bits)
            }
            _ => return Err(Reply::error(errors::SYNTAX)),
        };
        let Some(s) = read_str(ctx, args[1])? else { return Ok(Reply::Integer(if bit == 1 { -1 } else { 0 })) };
        let Some((lo, hi)) = bit_range(s.len(), start, end.unwrap_or(-1), in_bits) else {
            return Ok(Reply::Integer(-1));
        };
        let pos = match find_bit(s, lo, hi, bit == 1) {
            Some(p) => p as i64,
            None if bit == 0 && end.is_none() => hi as i64 + 1,
            None => -1,
        };
        Ok(Reply::Integer(pos))
    })())
}

#[derive(Clone, Copy)]
enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

/// BITOP AND|OR|XOR|NOT dest src [src ...]: missing sources are empty
/// strings, shorter ones are zero-padded to the longest; an empty result
/// deletes dest. The result replaces dest whatever its type, without TTL.
fn bitop(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply((|| {
        let op = match args[1] {
            o if is(o, "and") => BitOp::And,
            o if is(o, "or") => BitOp::Or,
            o if is(o, "xor") => BitOp::Xor,
            o if is(o, "not") => BitOp::Not,
            _ => return Err(Reply::error(errors::SYNTAX)),
        };
        if matches!(op, BitOp::Not) && args.len() != 4 {
            return Err(Reply::error(errors::BITOP_NOT));
        }
        let result = {
            let mut srcs = Vec::with_capacity(args.len() - 3);
            for key in &args[3..] {
                srcs.push(read_str(ctx, key)?.unwrap_or_default());
            }
            combine(op, &srcs)
        };
        let len = result.len();
        if len == 0 {
            ctx.remove(args[2]);
        } else {
            ctx.insert(args[2], Value::Str(result, StrEnc::Raw), None);
        }
        Ok(Reply::Integer(len as i64))
    })())
}

/// The bytes of a BITOP over `srcs` (at least one).
fn combine(op: BitOp, srcs: &[&[u8]]) -> Vec<u8> {
    let len = srcs.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = srcs[0].to_vec();
    out.resize(len, 0);
    let step: fn(u8, u8) -> u8 = match op {
        BitOp::Not => {
            out.iter_mut().for_each(|b| *b = !*b);
            return out;
        }
        BitOp::And => |a, b| a & b,
        BitOp::Or => |a, b| a | b,
        BitOp::Xor => |a, b| a ^ b,
    };
    for src in &srcs[1..] {
        // Simple byte loops: the compiler vectorises them.
        for (o, s) in out.iter_mut().zip(src.iter()) {
            *o = step(*o, *s);
        }
        if matches!(op, BitOp::And) {
            out[src.len()..].fill(0);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(s: &str) -> Vec<u8> {
        // "0110 1000 1..." -> bytes, zero-padded on the right.
        let b: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
        b.chunks(8).map(|c| c.iter().enumerate().fold(0u8, |a, (i, &d)| a | (((d == b'1') as u8) << (7 - i)))).collect()
    }

    /// Bit-by-bit reference for count_range and find_bit.
    fn bit_at(b: &[u8], i: u64) -> bool {
        b[(i >> 3) as usize] & bit_mask(i) != 0
    }

    #[test]
    fn popcount_matches_naive_on_every_length_and_alignment() {
        let data: Vec<u8> = (0..200u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        for start in 0..9 {
            for end in start..data.len() {
                let naive: u64 = data[start..end].iter().map(|b| b.count_ones() as u64).sum();
                assert_eq!(popcount(&data[start..end]), naive, "{start}..{end}");
            }
        }
    }

    #[test]
    fn count_and_find_match_naive_on_every_bit_range() {
        let mut data = vec![0u8; 40];
        data[3] = 0b0001_0000;
        data[21] = 0b1000_0001;
        data[39] = 0b0000_0001;
        let ones: Vec<u8> = data.iter().map(|b| !b).collect();
        let n = data.len() as u64 * 8;
        for lo in (0..n).step_by(3) {
            for hi in lo..n {
                for (buf, name) in [(&data, "data"), (&ones, "ones")] {
                    let naive = (lo..=hi).filter(|&i| bit_at(buf, i)).count() as u64;
                    assert_eq!(count_range(buf, lo, hi), naive, "{name} count {lo}..={hi}");
                    for bit in [false, true] {
                        let naive = (lo..=hi).find(|&i| bit_at(buf, i) == bit);
                        assert_eq!(find_bit(buf, lo, hi, bit), naive, "{name} find {bit} {lo}..={hi}");
                    }
                }
            }
        }
    }

    #[test]
    fn ranges_resolve_like_redis() {
        assert_eq!(bit_range(3, 0, -1, false), Some((0, 23)));
        assert_eq!(bit_range(3, -2, -1, false), Some((8, 23)));
        assert_eq!(bit_range(3, 1, 100, false), Some((8, 23)));
        assert_eq!(bit_range(3, 2, 1, false), None);
        assert_eq!(bit_range(3, -100, -50, false), Some((0, 7)));
        assert_eq!(bit_range(3, 5, 17, true), Some((5, 17)));
        assert_eq!(bit_range(3, -3, -1, true), Some((21, 23)));
        assert_eq!(bit_range(0, 0, -1, false), None);
        assert_eq!(bit_range(0, 0, 0, true), None);
        assert_eq!(bit_range(1, i64::MAX, i64::MAX, true), None);
        assert_eq!(bit_range(1, i64::MIN, i64::MAX, false), Some((0, 7)));
    }

    #[test]
    fn offsets_parse_like_redis() {
        assert_eq!(bit_offset(b"0", None), Ok(0));
        assert_eq!(bit_offset(b"4294967295", None), Ok(4294967295));
        assert!(bit_offset(b"4294967296", None).is_err());
        assert!(bit_offset(b"-1", None).is_err());
        assert!(bit_offset(b"#1", None).is_err());
        assert!(bit_offset(b"01", None).is_err());
        assert_eq!(bit_offset(b"#3", Some(8)), Ok(24));
        assert!(bit_offset(b"#", Some(8)).is_err());
        assert!(bit_offset(b"#-1", Some(8)).is_err());
        // 2^62 * 4 wraps to 0 in Redis's signed multiply.
        assert_eq!(bit_offset(b"#4611686018427387904", Some(4)), Ok(0));
        assert!(bit_offset(b"#536870912", Some(8)).is_err());
        assert_eq!(bit_offset(b"#536870911", Some(8)), Ok(4294967288));
    }

    #[test]
    fn bitop_combines_with_zero_padding() {
        let (a, b) = (bits("1111 0000 1010 1010"), bits("1100 1100"));
        assert_eq!(combine(BitOp::And, &[&a, &b]), bits("1100 0000 0000 0000"));
        assert_eq!(combine(BitOp::Or, &[&a, &b]), bits("1111 1100 1010 1010"));
        assert_eq!(combine(BitOp::Xor, &[&a, &b]), bits("0011 1100 1010 1010"));
        assert_eq!(combine(BitOp::Not, &[&b]), bits("0011 0011"));
        assert_eq!(combine(BitOp::And, &[&b, &a, b""]), vec![0, 0]);
        assert_eq!(combine(BitOp::Or, &[b"", b""]), Vec::<u8>::new());
        let long: Vec<u8> = (0..100u8).collect();
        let and = combine(BitOp::And, &[&long, &[0xff; 100][..]]);
        assert_eq!(and, long);
    }

    #[test]
    fn encodings_after_bit_edits() {
        use crate::session::SessionState;
        let store = crate::Store::new();
        let mut s = store.session();
        s.execute(&["SET", "int", "12"]);
        s.execute(&["SET", "emb", "abc"]);
        s.execute(&["SET", "ro", "12"]);
        s.execute(&["SETBIT", "int", "0", "0"]);
        s.execute(&["BITFIELD", "emb", "SET", "u8", "0", "97"]);
        s.execute(&["BITFIELD", "ro", "GET", "u8", "0"]);
        s.execute(&["SETBIT", "new", "100", "1"]);
        s.execute(&["BITOP", "NOT", "dest", "int"]);
        let mut st = SessionState { db: 0, protocol: 2, name: None, id: 0 };
        let mut ctx = Ctx::new(&store.inner, &mut st);
        let keys: [&[u8]; 5] = [b"int", b"emb", b"ro", b"new", b"dest"];
        ctx.lock_keys(false, keys.iter().map(|k| (0, *k)));
        let enc = |k: &[u8]| ctx.peek(k).map(|s| s.str_enc());
        assert_eq!(enc(b"int"), Some(StrEnc::Raw));
        assert_eq!(enc(b"emb"), Some(StrEnc::Raw));
        assert_eq!(enc(b"ro"), Some(StrEnc::Int), "GET-only BITFIELD leaves the value alone");
        assert_eq!(enc(b"new"), Some(StrEnc::Raw));
        assert_eq!(enc(b"dest"), Some(StrEnc::Raw));
        assert_eq!(ctx.peek(b"new").and_then(|s| s.as_str()).map(<[u8]>::len), Some(13));
    }
}
