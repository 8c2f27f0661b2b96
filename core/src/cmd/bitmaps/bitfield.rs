//! BITFIELD and BITFIELD_RO: signed and unsigned integers of 1 to 64 bits
//! (unsigned up to 63, so every value fits a RESP integer) at any bit
//! offset, read, written and incremented with WRAP / SAT / FAIL overflow.
//! All operations are parsed before any runs, so a bad one fails the whole
//! call; then they run in order on the same string.

use super::{bit_offset, edit_bits};
use crate::cmd::{is, reply};
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Get,
    Set(i64),
    IncrBy(i64),
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Field {
    signed: bool,
    bits: u32,
}

#[derive(Clone, Copy, Debug)]
struct Op {
    kind: Kind,
    field: Field,
    offset: u64,
    overflow: Overflow,
}

pub(super) fn bitfield(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply(run(ctx, args, false))
}

pub(super) fn bitfield_ro(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    reply(run(ctx, args, true))
}

/// Parses `i<bits>` / `u<bits>` (case-sensitive, as Redis; the width is read
/// up to a NUL byte, as C's strlen would).
fn parse_type(arg: &[u8]) -> Result<Field, Reply> {
    let bad = || Reply::error(errors::BITFIELD_TYPE);
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(bad()),
    };
    let digits = &arg[1..];
    let digits = &digits[..digits.iter().position(|&c| c == 0).unwrap_or(digits.len())];
    let bits = crate::num::parse_i64(digits).ok_or_else(bad)?;
    let max = if signed { 64 } else { 63 };
    if !(1..=max).contains(&bits) {
        return Err(bad());
    }
    Ok(Field { signed, bits: bits as u32 })
}

fn parse(args: &[&[u8]]) -> Result<Vec<Op>, Reply> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut j = 2;
    while j < args.len() {
        let (sub, rest) = (args[j], args.len() - j - 1);
        let kind_args = if is(sub, "get") && rest >= 2 {
            2
        } else if (is(sub, "set") || is(sub, "incrby")) && rest >= 3 {
            3
        } else if is(sub, "overflow") && rest >= 1 {
            overflow = match args[j + 1] {
                o if is(o, "wrap") => Overflow::Wrap,
                o if is(o, "sat") => Overflow::Sat,
                o if is(o, "fail") => Overflow::Fail,
                _ => return Err(Reply::error(errors::BITFIELD_OVERFLOW)),
            };
            j += 2;
            continue;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        };
        let field = parse_type(args[j + 1])?;
        let offset = bit_offset(args[j + 2], Some(field.bits))?;
        let kind = if kind_args == 2 {
            Kind::Get
        } else {
            let v = crate::cmd::int_arg(args[j + 3])?;
            if is(sub, "set") {
                Kind::Set(v)
            } else {
                Kind::IncrBy(v)
            }
        };
        ops.push(Op { kind, field, offset, overflow });
        j += 1 + kind_args;
    }
    Ok(ops)
}

fn run(ctx: &mut Ctx<'_>, args: &[&[u8]], read_only_cmd: bool) -> Result<Reply, Reply> {
    let ops = parse(args)?;
    let key = args[1];
    let max_write = ops.iter().filter(|o| o.kind != Kind::Get).map(|o| o.offset + o.field.bits as u64 - 1).max();
    let Some(max_bit) = max_write else {
        // GETs only: a plain read, which neither creates nor touches the value.
        let s = crate::cmd::read_str(ctx, key)?.unwrap_or_default();
        return Ok(Reply::Array(ops.iter().map(|op| Reply::Integer(get(s, op.offset, op.field))).collect()));
    };
    if read_only_cmd {
        return Err(Reply::error(errors::BITFIELD_RO));
    }
    // The string is created or grown even if every write then fails.
    edit_bits(ctx, key, max_bit, |buf| Reply::Array(ops.iter().map(|op| apply(buf, op)).collect()))
}

/// Runs one operation on a string already long enough for its writes.
fn apply(buf: &mut [u8], op: &Op) -> Reply {
    let Op { kind, field, offset, overflow } = *op;
    let old = get(buf, offset, field);
    let (over, new, answer) = match kind {
        Kind::Get => return Reply::Integer(old),
        Kind::Set(v) => {
            let (over, new) = fit(field, v, 0, overflow);
            (over, new, old)
        }
        Kind::IncrBy(by) => {
            let (over, new) = fit(field, old, by, overflow);
            (over, new, new)
        }
    };
    if over && overflow == Overflow::Fail {
        return Reply::Nil;
    }
    put(buf, offset, field.bits, new as u64);
    Reply::Integer(answer)
}

/// The 9 bytes from the one holding `offset`, zero-padded past the end, as
/// the top of a u128: enough for any 64-bit field at any bit alignment.
fn window(buf: &[u8], offset: u64) -> u128 {
    let start = (offset >> 3) as usize;
    let mut w = [0u8; 16];
    if start < buf.len() {
        let n = (buf.len() - start).min(9);
        w[..n].copy_from_slice(&buf[start..start + n]);
    }
    u128::from_be_bytes(w)
}

/// Reads a field; unsigned values fit an i64 because they have at most 63 bits.
fn get(buf: &[u8], offset: u64, field: Field) -> i64 {
    let raw = ((window(buf, offset) << (offset & 7)) >> (128 - field.bits)) as u64;
    if field.signed {
        let shift = 64 - field.bits;
        ((raw << shift) as i64) >> shift
    } else {
        raw as i64
    }
}

/// Writes the low `bits` bits of `value` at `offset` (inside `buf`).
fn put(buf: &mut [u8], offset: u64, bits: u32, value: u64) {
    let shift = 128 - bits - (offset & 7) as u32;
    let mask = (u128::MAX >> (128 - bits)) << shift;
    let w = (window(buf, offset) & !mask) | (((value as u128) << shift) & mask);
    let start = (offset >> 3) as usize;
    let n = (buf.len() - start).min(9);
    buf[start..start + n].copy_from_slice(&w.to_be_bytes()[..n]);
}

/// `value + incr` stored in `field`: (overflowed, value to store), as
/// Redis's checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow,
/// including how they treat a SET value outside the field's range.
fn fit(field: Field, value: i64, incr: i64, overflow: Overflow) -> (bool, i64) {
    if field.signed {
        signed_fit(value, incr, field.bits, overflow)
    } else {
        let (over, v) = unsigned_fit(value as u64, incr, field.bits, overflow);
        (over, v as i64)
    }
}

fn unsigned_fit(value: u64, incr: i64, bits: u32, overflow: Overflow) -> (bool, u64) {
    let max = (1u64 << bits) - 1; // bits <= 63
    let max_incr = max.wrapping_sub(value) as i64;
    let min_incr = value.wrapping_neg() as i64;
    let limit = if value > max || (incr > 0 && incr > max_incr) {
        max
    } else if incr < 0 && incr < min_incr {
        0
    } else {
        return (false, value.wrapping_add(incr as u64));
    };
    match overflow {
        Overflow::Sat => (true, limit),
        _ => (true, value.wrapping_add(incr as u64) & max),
    }
}

fn signed_fit(value: i64, incr: i64, bits: u32, overflow: Overflow) -> (bool, i64) {
    let max = if bits == 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
    let min = -max - 1;
    // Both may wrap; each is only relied upon where it cannot have.
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let narrow = bits != 64;
    let limit = if value > max || (narrow && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr) {
        max
    } else if value < min || (narrow && incr < min_incr) || (value < 0 && incr < 0 && incr < min_incr) {
        min
    } else {
        return (false, value.wrapping_add(incr));
    };
    match overflow {
        Overflow::Sat => (true, limit),
        _ => {
            // Wrap: keep the low bits, then sign-extend from the field's top bit.
            let shift = 64 - bits;
            (true, (((value as u64).wrapping_add(incr as u64) << shift) as i64) >> shift)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const U8: Field = Field { signed: false, bits: 8 };
    const I8: Field = Field { signed: true, bits: 8 };

    #[test]
    fn types_parse_like_redis() {
        assert_eq!(parse_type(b"i64"), Ok(Field { signed: true, bits: 64 }));
        assert_eq!(parse_type(b"u63"), Ok(Field { signed: false, bits: 63 }));
        assert_eq!(parse_type(b"u1"), Ok(Field { signed: false, bits: 1 }));
        for bad in [&b"u64"[..], b"i65", b"i0", b"u", b"", b"I8", b"U8", b"x8", b"i08", b"i-1", b"i 8"] {
            assert!(parse_type(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse_type(b"i8\0junk"), Ok(I8));
    }

    #[test]
    fn get_and_put_at_every_alignment() {
        for bits in 1..=64u32 {
            for off in 0..16u64 {
                let mut buf = vec![0xa5u8; 12];
                let before = buf.clone();
                let value = 0x8123_4567_89ab_cdefu64 & (u64::MAX >> (64 - bits));
                put(&mut buf, off, bits, value);
                let f = Field { signed: false, bits: bits.min(63) };
                if bits <= 63 {
                    assert_eq!(get(&buf, off, f) as u64, value, "bits {bits} off {off}");
                }
                // Bits outside the field are untouched.
                for i in 0..96u64 {
                    if i < off || i >= off + bits as u64 {
                        let bit = |b: &[u8]| b[(i >> 3) as usize] & (0x80 >> (i & 7));
                        assert_eq!(bit(&buf), bit(&before), "bits {bits} off {off} bit {i}");
                    }
                }
            }
        }
    }

    #[test]
    fn reads_past_the_end_are_zero() {
        assert_eq!(get(b"\xff", 4, U8), 0xf0);
        assert_eq!(get(b"\xff", 8, U8), 0);
        assert_eq!(get(b"", 1 << 31, Field { signed: true, bits: 64 }), 0);
        assert_eq!(get(b"\x80", 0, I8), -128);
        assert_eq!(get(b"\x80", 0, Field { signed: true, bits: 1 }), -1);
        assert_eq!(get(&[0xff; 9], 7, Field { signed: true, bits: 64 }), -1);
    }

    #[test]
    fn unsigned_overflow_modes() {
        assert_eq!(unsigned_fit(250, 10, 8, Overflow::Wrap), (true, 4));
        assert_eq!(unsigned_fit(250, 10, 8, Overflow::Sat), (true, 255));
        assert_eq!(unsigned_fit(5, -10, 8, Overflow::Wrap), (true, 251));
        assert_eq!(unsigned_fit(5, -10, 8, Overflow::Sat), (true, 0));
        assert_eq!(unsigned_fit(5, -5, 8, Overflow::Sat), (false, 0));
        assert_eq!(unsigned_fit(0, 255, 8, Overflow::Fail), (false, 255));
        assert!(unsigned_fit(0, 256, 8, Overflow::Fail).0);
        // SET of a negative value: out of range high, as an unsigned cast.
        assert_eq!(unsigned_fit(-1i64 as u64, 0, 8, Overflow::Sat), (true, 255));
        assert_eq!(unsigned_fit(-1i64 as u64, 0, 8, Overflow::Wrap), (true, 255));
        assert_eq!(unsigned_fit(0, i64::MAX, 63, Overflow::Sat), (false, i64::MAX as u64));
        assert_eq!(unsigned_fit(1, i64::MIN, 63, Overflow::Sat), (true, 0));
    }

    #[test]
    fn signed_overflow_modes() {
        assert_eq!(signed_fit(120, 10, 8, Overflow::Wrap), (true, -126));
        assert_eq!(signed_fit(120, 10, 8, Overflow::Sat), (true, 127));
        assert_eq!(signed_fit(-120, -10, 8, Overflow::Wrap), (true, 126));
        assert_eq!(signed_fit(-120, -10, 8, Overflow::Sat), (true, -128));
        assert_eq!(signed_fit(-128, 255, 8, Overflow::Sat), (false, 127));
        assert_eq!(signed_fit(300, 0, 8, Overflow::Wrap), (true, 44));
        assert_eq!(signed_fit(i64::MAX, 1, 64, Overflow::Wrap), (true, i64::MIN));
        assert_eq!(signed_fit(i64::MAX, 1, 64, Overflow::Sat), (true, i64::MAX));
        assert_eq!(signed_fit(i64::MIN, -1, 64, Overflow::Sat), (true, i64::MIN));
        assert_eq!(signed_fit(i64::MIN, i64::MAX, 64, Overflow::Sat), (false, -1));
        assert_eq!(signed_fit(-1, 1, 1, Overflow::Sat), (false, 0));
        assert_eq!(signed_fit(0, 1, 1, Overflow::Wrap), (true, -1));
    }
}
