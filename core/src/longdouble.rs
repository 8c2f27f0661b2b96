//! x87 80-bit `long double` arithmetic for INCRBYFLOAT.
//!
//! Redis (built with gcc on x86-64) parses the value and the increment with
//! `strtold` (`string2ld`), adds them in 80-bit extended precision and writes
//! the sum with `%.17Lf`, trailing zeros removed (`ld2string`, LD_STR_HUMAN).
//! The result is only byte-for-byte the same if every step is: parsing and
//! addition are done with `rustc_apfloat`'s correctly rounded
//! `X87DoubleExtended` (what the x87 unit computes in its default extended
//! precision), and the formatting below is exact (the binary value scaled by
//! 10^17, rounded half to even, as glibc's printf does).

use rustc_apfloat::ieee::X87DoubleExtended;
use rustc_apfloat::{Float, Round};

/// `MAX_LONG_DOUBLE_CHARS`: string2ld refuses inputs this long or longer.
const MAX_CHARS: usize = 5 * 1024;

/// An x87 extended-precision value.
#[derive(Clone, Copy, Debug)]
pub struct LongDouble(X87DoubleExtended);

impl LongDouble {
    pub const ZERO: LongDouble = LongDouble(X87DoubleExtended::ZERO);

    /// Parses a number as Redis's `string2ld` does: the whole input must be
    /// a `strtold` number (decimal, hexadecimal, `inf`/`infinity`), with no
    /// leading space and no NUL byte; NaN and inputs that overflow to
    /// infinity or underflow to zero are rejected.
    pub fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.is_empty() || s.len() >= MAX_CHARS {
            return None;
        }
        let (neg, body) = match s[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let v = if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
            X87DoubleExtended::INFINITY
        } else {
            let (text, nonzero) = normalize(body)?;
            let parsed = X87DoubleExtended::from_str_r(&text, Round::NearestTiesToEven).ok()?;
            let v = parsed.value;
            // ERANGE with HUGE_VAL or zero: overflow, or a non-zero number
            // that underflowed to zero.
            if v.is_infinite() || (v.is_zero() && nonzero) {
                return None;
            }
            v
        };
        Some(LongDouble(if neg { -v } else { v }))
    }

    pub fn is_finite(self) -> bool {
        self.0.is_finite()
    }

    /// The text Redis stores for an INCRBYFLOAT result: `%.17Lf` without
    /// trailing zeros (nor a trailing dot), and `0` rather than `-0`.
    pub fn to_human(self) -> String {
        if self.0.is_infinite() {
            return if self.0.is_negative() { "-inf".into() } else { "inf".into() };
        }
        if self.0.is_nan() {
            return "nan".into();
        }
        let mut out = fixed17(self.0.to_bits());
        if out.contains('.') {
            let trimmed = out.trim_end_matches('0').trim_end_matches('.').len();
            out.truncate(trimmed);
        }
        if out == "-0" {
            out = "0".into();
        }
        out
    }
}

impl std::ops::Add for LongDouble {
    type Output = LongDouble;

    /// The sum, rounded to nearest as the x87 unit does.
    fn add(self, other: LongDouble) -> LongDouble {
        LongDouble(self.0.add_r(other.0, Round::NearestTiesToEven).value)
    }
}

/// Checks that `body` (no sign) is entirely a strtold decimal or hex number
/// and rewrites it in the syntax `rustc_apfloat` expects. Also says whether
/// the significand has a non-zero digit.
fn normalize(body: &[u8]) -> Option<(String, bool)> {
    let hex = body.len() > 2 && body[0] == b'0' && (body[1] | 0x20) == b'x';
    let (digits, marker): (&[u8], u8) = if hex { (&body[2..], b'p') } else { (body, b'e') };
    let is_digit = |c: u8| if hex { c.is_ascii_hexdigit() } else { c.is_ascii_digit() };

    let mut i = 0;
    let mut any = false;
    let mut nonzero = false;
    let mut dot = false;
    while i < digits.len() {
        let c = digits[i];
        if is_digit(c) {
            any = true;
            nonzero |= c != b'0';
        } else if c == b'.' && !dot {
            dot = true;
        } else {
            break;
        }
        i += 1;
    }
    if !any {
        return None;
    }
    let mant = &digits[..i];
    let mut exp: &[u8] = b"0";
    if i < digits.len() {
        if digits[i] | 0x20 != marker {
            return None;
        }
        let rest = &digits[i + 1..];
        let unsigned = rest.strip_prefix(b"-").or_else(|| rest.strip_prefix(b"+")).unwrap_or(rest);
        if unsigned.is_empty() || !unsigned.iter().all(u8::is_ascii_digit) {
            return None;
        }
        exp = rest;
    }
    let mant = std::str::from_utf8(mant).ok()?;
    let exp = std::str::from_utf8(exp).ok()?;
    // apfloat wants a digit on at least one side of the dot, which `any`
    // guarantees, and an exponent for hex numbers.
    let text = if hex { format!("0x{mant}p{exp}") } else { format!("{mant}e{exp}") };
    Some((text, nonzero))
}

/// `%.17Lf` of the 80-bit value `bits` (finite), exactly.
fn fixed17(bits: u128) -> String {
    const SCALE: u128 = 100_000_000_000_000_000; // 10^17
    let neg = (bits >> 79) & 1 == 1;
    let biased = ((bits >> 64) & 0x7fff) as i32;
    let mant = bits as u64;
    // value = mant * 2^e2 (denormals have the minimum exponent).
    let e2 = biased.max(1) - 16383 - 63;

    let scaled = mant as u128 * SCALE; // < 2^121
    let digits = if mant == 0 {
        "0".to_string()
    } else if e2 >= 0 {
        big_decimal(shl_big(scaled, e2 as u32))
    } else {
        let s = (-e2) as u32;
        if s >= 128 {
            // Far below 10^-17 / 2: rounds to zero.
            "0".to_string()
        } else {
            let q = scaled >> s;
            let r = scaled & ((1u128 << s) - 1);
            let half = 1u128 << (s - 1);
            let q = if r > half || (r == half && q & 1 == 1) { q + 1 } else { q };
            q.to_string()
        }
    };
    let digits = format!("{digits:0>18}");
    let (int, frac) = digits.split_at(digits.len() - 17);
    format!("{}{int}.{frac}", if neg { "-" } else { "" })
}

/// `v << shift` as little-endian 64-bit limbs.
fn shl_big(v: u128, shift: u32) -> Vec<u64> {
    let mut limbs = vec![0u64; (shift / 64) as usize];
    let bit = shift % 64;
    let parts = [v as u64, (v >> 64) as u64, 0];
    let mut carry = 0u64;
    for p in parts {
        limbs.push(if bit == 0 { p } else { (p << bit) | carry });
        carry = if bit == 0 { 0 } else { p >> (64 - bit) };
    }
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
    limbs
}

/// Decimal text of a little-endian big integer.
fn big_decimal(mut limbs: Vec<u64>) -> String {
    const CHUNK: u64 = 10_000_000_000_000_000_000; // 10^19
    let mut chunks = Vec::new();
    while !limbs.is_empty() {
        let mut rem = 0u128;
        for l in limbs.iter_mut().rev() {
            let cur = (rem << 64) | *l as u128;
            *l = (cur / CHUNK as u128) as u64;
            rem = cur % CHUNK as u128;
        }
        chunks.push(rem as u64);
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
    }
    let mut out = chunks.pop().map_or_else(|| "0".to_string(), |c| c.to_string());
    for c in chunks.iter().rev() {
        out.push_str(&format!("{c:019}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incr(a: &str, b: &str) -> Option<String> {
        let a = LongDouble::parse(a.as_bytes())?;
        let b = LongDouble::parse(b.as_bytes())?;
        Some(a + b).filter(|v| v.is_finite()).map(LongDouble::to_human)
    }

    #[test]
    fn sums_as_redis_prints_them() {
        // Expected texts from a real redis-server.
        assert_eq!(incr("0.1", "0.2").unwrap(), "0.3");
        assert_eq!(incr("10.5", "0.1").unwrap(), "10.6");
        assert_eq!(incr("5.0e3", "0").unwrap(), "5000");
        assert_eq!(incr("3", "0").unwrap(), "3");
        assert_eq!(incr("0x10", "1").unwrap(), "17");
        assert_eq!(incr("1.5", "0x1.8").unwrap(), "3");
        assert_eq!(incr("0", "0x1p-18").unwrap(), "0.00000381469726562");
        assert_eq!(incr("-1", "1").unwrap(), "0");
        assert_eq!(incr("0", "-0.00000000000000000001").unwrap(), "0");
        assert_eq!(incr("0", "1e-4940").unwrap(), "0");
        assert_eq!(incr("8.5", "+.5").unwrap(), "9");
        assert_eq!(incr("3", ".5").unwrap(), "3.5");
        assert_eq!(incr("3.5", "5.").unwrap(), "8.5");
    }

    #[test]
    fn huge_values_print_every_digit() {
        let s = incr("1e4000", "1e4000").unwrap();
        assert_eq!(s.len(), 4001);
        assert!(s.starts_with("1999999999999999999993092774619924756986498516701391526260301666608652388661268"));
        assert!(s.ends_with("913944380545459902413296552699802681344"));
    }

    #[test]
    fn rejects_what_string2ld_rejects() {
        for bad in [
            " 1", "1 ", "", "1e5000", "1e-5000", "nan", "NaN", "0x", "0x1p", "1e", ".", "-", "+", "1e+", "abc", "infx",
            "1..2", "0x.p1", "\t1", "--1", "1\0", "\0", "\x0b1", "+ 1",
        ] {
            assert!(LongDouble::parse(bad.as_bytes()).is_none(), "{bad:?}");
        }
        assert!(LongDouble::parse(&vec![b'1'; MAX_CHARS]).is_none());
        let mut long = b"1.".to_vec();
        long.resize(MAX_CHARS - 1, b'0');
        assert_eq!(LongDouble::parse(&long).map(LongDouble::to_human).as_deref(), Some("1"));
    }

    #[test]
    fn accepts_what_strtold_accepts() {
        for ok in ["0e5000", "inf", "-Infinity", "INF", "0x1P-3", "0X.8", "1e+3", "1E-3", "-0", "0x1.p1", "1.e1"] {
            assert!(LongDouble::parse(ok.as_bytes()).is_some(), "{ok:?}");
        }
        assert!(!(LongDouble::parse(b"inf").unwrap() + LongDouble::ZERO).is_finite());
    }

    #[test]
    fn ties_round_to_even() {
        // 2^-18 = 0.000003814697265625: the 18th decimal is a 5.
        assert_eq!(fixed17(LongDouble::parse(b"0x1p-18").unwrap().0.to_bits()), "0.00000381469726562");
        // 3 * 2^-18 = 0.000011444091796875 rounds up to ...88 (odd 7 -> 8).
        assert_eq!(fixed17(LongDouble::parse(b"0x3p-18").unwrap().0.to_bits()), "0.00001144409179688");
    }
}
