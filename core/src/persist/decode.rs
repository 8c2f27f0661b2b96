//! A hand-written reader of the record bytes bincode writes (see
//! docs/FORMAT.md), for loading: the same grammar, read straight from the
//! block without building the serde data model (a hash's or sorted set's
//! million elements are not collected into a `Vec` first). It accepts only
//! the canonical forms bincode writes and only strings, hashes and sorted
//! sets; for anything else it declines (`None`) and the caller decodes the
//! record with bincode, which is the judge of what is valid. So a record
//! this reader accepts decodes the same through bincode.

/// A record as it lies in the block.
pub struct Raw<'a> {
    pub db: u32,
    pub key: &'a [u8],
    pub expire: Option<u64>,
    pub body: Body<'a>,
    /// Bytes the record takes.
    pub len: usize,
}

pub enum Body<'a> {
    String(&'a [u8]),
    /// `n` pairs of (member bytes, f64) from the start of the slice.
    ZSet(usize, &'a [u8]),
    /// `n` triples of (field bytes, value bytes, optional expiry).
    Hash(usize, &'a [u8]),
}

/// Variant indices of `record::Data` (part of the format).
const STRING: u64 = 0;
const ZSET: u64 = 3;
const HASH: u64 = 4;

struct Cursor<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.buf.get(self.at..end)?;
        self.at = end;
        Some(s)
    }

    /// bincode's varint, in its canonical (shortest) form only.
    fn varint(&mut self) -> Option<u64> {
        let (v, min) = match self.byte()? {
            b @ 0..=250 => return Some(b as u64),
            251 => (u16::from_le_bytes(self.take(2)?.try_into().ok()?) as u64, 251),
            252 => (u32::from_le_bytes(self.take(4)?.try_into().ok()?) as u64, 1 << 16),
            253 => (u64::from_le_bytes(self.take(8)?.try_into().ok()?), 1 << 32),
            _ => return None,
        };
        (v >= min).then_some(v)
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.varint()?).ok()?;
        self.take(n)
    }

    fn option_u64(&mut self) -> Option<Option<u64>> {
        match self.byte()? {
            0 => Some(None),
            1 => Some(Some(self.varint()?)),
            _ => None,
        }
    }

    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

/// The database and key of the record at the start of `buf`, if they lie
/// within it.
pub fn db_and_key(buf: &[u8]) -> Option<(u32, &[u8])> {
    let mut c = Cursor { buf, at: 0 };
    Some((u32::try_from(c.varint()?).ok()?, c.bytes()?))
}

/// [`raw`] for a string record only (declining any other without reading
/// it through).
pub fn raw_string(buf: &[u8]) -> Option<Raw<'_>> {
    let mut c = Cursor { buf, at: 0 };
    let db = u32::try_from(c.varint()?).ok()?;
    let key = c.bytes()?;
    let expire = c.option_u64()?;
    if c.varint()? != STRING {
        return None;
    }
    let body = Body::String(c.bytes()?);
    Some(Raw { db, key, expire, body, len: c.at })
}

/// Reads the record at the start of `buf`, or declines.
pub fn raw(buf: &[u8]) -> Option<Raw<'_>> {
    let mut c = Cursor { buf, at: 0 };
    let db = u32::try_from(c.varint()?).ok()?;
    let key = c.bytes()?;
    let expire = c.option_u64()?;
    let body = match c.varint()? {
        STRING => Body::String(c.bytes()?),
        v @ (ZSET | HASH) => {
            let n = usize::try_from(c.varint()?).ok()?;
            let start = c.at;
            for _ in 0..n {
                c.bytes()?;
                if v == ZSET {
                    c.f64()?;
                } else {
                    c.bytes()?;
                    c.option_u64()?;
                }
            }
            let elems = &buf[start..c.at];
            if v == ZSET {
                Body::ZSet(n, elems)
            } else {
                Body::Hash(n, elems)
            }
        }
        _ => return None,
    };
    Some(Raw { db, key, expire, body, len: c.at })
}

/// The (member, score) pairs of a checked [`Body::ZSet`].
pub fn zset_items(n: usize, elems: &[u8]) -> impl Iterator<Item = (&[u8], f64)> {
    let mut c = Cursor { buf: elems, at: 0 };
    (0..n).map(move |_| (c.bytes().expect("checked"), c.f64().expect("checked")))
}

/// The (field, value, expiry) triples of a checked [`Body::Hash`].
pub fn hash_fields(n: usize, elems: &[u8]) -> impl Iterator<Item = (&[u8], &[u8], Option<u64>)> + Clone {
    HashFields { c: Cursor { buf: elems, at: 0 }, left: n }
}

#[derive(Clone)]
struct HashFields<'a> {
    c: Cursor<'a>,
    left: usize,
}

impl Clone for Cursor<'_> {
    fn clone(&self) -> Self {
        Cursor { buf: self.buf, at: self.at }
    }
}

impl<'a> Iterator for HashFields<'a> {
    type Item = (&'a [u8], &'a [u8], Option<u64>);
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let c = &mut self.c;
        Some((c.bytes().expect("checked"), c.bytes().expect("checked"), c.option_u64().expect("checked")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persist::record::{self, Bytes, Data, HashField, Record, VecWriter};

    fn enc(r: &Record<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        bincode::serde::encode_into_writer(r, VecWriter(&mut out), record::config()).unwrap();
        out
    }

    fn rng(x: &mut u64) -> u64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    fn blob(x: &mut u64) -> Vec<u8> {
        // Lengths around every varint boundary.
        let len = [0, 1, 250, 251, 252, 300, 65535, 65536, 70000][(rng(x) % 9) as usize];
        (0..len).map(|i| (i as u64 ^ *x) as u8).collect()
    }

    /// Whatever bincode writes, this reader reads the same; bytes it
    /// accepts, bincode accepts alike (checked over every single-byte
    /// change of small records).
    #[test]
    fn reads_what_bincode_writes_and_nothing_else() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..200 {
            let key = blob(&mut x);
            let db = [0u32, 15, 250, 251, 70_000, u32::MAX][round % 6];
            let expire = [None, Some(5), Some(1 << 40), Some(u64::MAX)][round % 4];
            let value = blob(&mut x);
            let fields: Vec<(Vec<u8>, Vec<u8>, Option<u64>)> = (0..(rng(&mut x) % 4 + 1))
                .map(|i| (format!("f{i}").into_bytes(), value[..value.len().min(300)].to_vec(), expire))
                .collect();
            let data = match round % 3 {
                0 => Data::String(Bytes::borrowed(&value)),
                1 => Data::ZSet(fields.iter().map(|f| (Bytes::borrowed(&f.0), -1.5 * round as f64)).collect()),
                _ => Data::Hash(
                    fields
                        .iter()
                        .map(|f| HashField { field: Bytes::borrowed(&f.0), value: Bytes::borrowed(&f.1), expire: f.2 })
                        .collect(),
                ),
            };
            let rec = Record { db, key: Bytes::borrowed(&key), expire, data };
            let bytes = enc(&rec);
            let r = raw(&bytes).expect("reads what bincode writes");
            assert_eq!((r.db, r.key, r.expire, r.len), (db, &key[..], expire, bytes.len()));
            match (&r.body, &rec.data) {
                (Body::String(v), Data::String(w)) => assert_eq!(*v, &*w.0),
                (Body::ZSet(n, e), Data::ZSet(items)) => {
                    let got: Vec<_> = zset_items(*n, e).collect();
                    let want: Vec<_> = items.iter().map(|(m, s)| (&*m.0, *s)).collect();
                    assert_eq!(got, want);
                }
                (Body::Hash(n, e), Data::Hash(items)) => {
                    let got: Vec<_> = hash_fields(*n, e).collect();
                    let want: Vec<_> = items.iter().map(|f| (&*f.field.0, &*f.value.0, f.expire)).collect();
                    assert_eq!(got, want);
                }
                _ => panic!("another type"),
            }
            if bytes.len() > 400 {
                continue;
            }
            for i in 0..bytes.len() {
                for flip in [1u8, 0x80, 0xff] {
                    let mut bad = bytes.clone();
                    bad[i] ^= flip;
                    if let Some(r) = raw(&bad) {
                        let (b, used) = record::decode(&bad).expect("bincode accepts what the reader accepts");
                        assert_eq!((b.db, &*b.key.0, b.expire, used), (r.db, r.key, r.expire, r.len));
                    }
                }
            }
        }
    }
}
