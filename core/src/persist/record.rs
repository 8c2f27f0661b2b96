//! The serde data model of one snapshot record, independent of how the
//! value is encoded in memory: (database, key, expiry, data). Records are
//! built from the types' public iteration APIs and rebuilt with the types'
//! own constructors, so encodings follow the thresholds on load.
//!
//! Records are encoded with bincode 2's standard configuration (varint
//! integers, little-endian); docs/FORMAT.md spells out the resulting bytes.

use std::borrow::Cow;
use std::fmt;

use bincode::enc::write::Writer;
use bincode::error::{DecodeError, EncodeError};
use serde::de::{Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::dict::Slot;
use crate::types::hash::{Hash, TtlCond};
use crate::types::list::{End, List};
use crate::types::set::{Member, Set};
use crate::types::zset::ZSet;
use crate::value::{StrEnc, Value, ValueRef};

/// A byte string serialized as bytes (a length and the bytes), not as a
/// sequence of `u8` values; borrowed from the input when decoding.
#[derive(Clone, Debug, PartialEq)]
pub struct Bytes<'a>(pub Cow<'a, [u8]>);

impl<'a> Bytes<'a> {
    pub fn borrowed(b: &'a [u8]) -> Bytes<'a> {
        Bytes(Cow::Borrowed(b))
    }
}

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Bytes<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Bytes<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Bytes<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> Result<Bytes<'de>, E> {
                Ok(Bytes(Cow::Borrowed(v)))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Bytes<'de>, E> {
                Ok(Bytes(Cow::Owned(v.to_vec())))
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Bytes<'de>, E> {
                Ok(Bytes(Cow::Owned(v)))
            }
        }
        d.deserialize_bytes(V)
    }
}

/// One key of one database.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Record<'a> {
    pub db: u32,
    #[serde(borrow)]
    pub key: Bytes<'a>,
    /// Absolute Unix milliseconds.
    pub expire: Option<u64>,
    #[serde(borrow)]
    pub data: Data<'a>,
}

/// A value, by type. The variant order is part of the format.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub enum Data<'a> {
    #[serde(borrow)]
    String(Bytes<'a>),
    /// Elements head to tail.
    #[serde(borrow)]
    List(Vec<Bytes<'a>>),
    #[serde(borrow)]
    Set(Vec<Bytes<'a>>),
    /// (member, score) in rank order.
    #[serde(borrow)]
    ZSet(Vec<(Bytes<'a>, f64)>),
    #[serde(borrow)]
    Hash(Vec<HashField<'a>>),
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct HashField<'a> {
    #[serde(borrow)]
    pub field: Bytes<'a>,
    #[serde(borrow)]
    pub value: Bytes<'a>,
    /// Absolute Unix milliseconds.
    pub expire: Option<u64>,
}

pub fn config() -> impl bincode::config::Config {
    bincode::config::standard()
}

/// Appends to a `Vec` without the `io::Write` detour.
pub struct VecWriter<'a>(pub &'a mut Vec<u8>);

impl Writer for VecWriter<'_> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

/// The data of a value as of `now` (expired hash fields left out); `None`
/// for a hash with no live field.
pub fn data_of(value: ValueRef<'_>, now: u64) -> Option<Data<'_>> {
    let v = match value {
        ValueRef::Str(s) => return Some(Data::String(Bytes::borrowed(s))),
        ValueRef::Other(v) => v,
    };
    Some(match v {
        Value::Str(s, _) => Data::String(Bytes::borrowed(s)),
        Value::List(l) => Data::List(l.iter().map(Bytes::borrowed).collect()),
        Value::Set(s) => Data::Set(
            s.iter()
                .map(|m| match m {
                    Member::Bytes(b) => Bytes::borrowed(b),
                    m => Bytes(Cow::Owned(m.to_vec())),
                })
                .collect(),
        ),
        Value::ZSet(z) => Data::ZSet(z.iter().map(|(m, s)| (Bytes::borrowed(m), s)).collect()),
        Value::Hash(h) => {
            // Per-field expiry lookups only for hashes that have any.
            let ttls = h.next_expiry().is_some();
            let fields: Vec<HashField<'_>> = h
                .iter(now)
                .map(|(f, v)| HashField {
                    field: Bytes::borrowed(f),
                    value: Bytes::borrowed(v),
                    expire: if ttls { h.ttl(f, now).flatten() } else { None },
                })
                .collect();
            if fields.is_empty() {
                return None;
            }
            let mut fields = fields;
            if !h.is_listpack() {
                // In hash order: its load checks for repeats in one pass.
                fields.sort_by_cached_key(|f| Hash::field_hash(&f.field.0));
            }
            Data::Hash(fields)
        }
    })
}

/// Appends the record of a live slot (of database `db`) to `out`; false if
/// there was nothing to write (expired at `now`).
pub fn encode_slot(out: &mut Vec<u8>, db: u32, slot: &Slot, now: u64) -> Result<bool, EncodeError> {
    let expire = slot.expire_at();
    if expire.is_some_and(|t| t < now) {
        return Ok(false);
    }
    let Some(data) = data_of(slot.value(), now) else { return Ok(false) };
    let rec = Record { db, key: Bytes::borrowed(slot.key()), expire, data };
    bincode::serde::encode_into_writer(&rec, VecWriter(out), config())?;
    Ok(true)
}

/// Decodes one record at the start of `buf`: the record and its length.
pub fn decode(buf: &[u8]) -> Result<(Record<'_>, usize), DecodeError> {
    bincode::serde::borrow_decode_from_slice(buf, config())
}

/// Why a record's data cannot become a value.
pub type Invalid = &'static str;

/// Rebuilds a value with the types' own constructors, leaving out hash
/// fields expired at `now`. `None` if nothing live is left (a hash whose
/// fields all expired). Duplicates and empty collections are refused: no
/// writer produces them.
pub fn to_value(data: Data<'_>, now: u64) -> Result<Option<Value>, Invalid> {
    Ok(Some(match data {
        Data::String(s) => {
            let enc = StrEnc::for_value(&s.0);
            Value::Str(s.0.into_owned(), enc)
        }
        Data::List(items) => {
            if items.is_empty() {
                return Err("empty list");
            }
            let mut l = List::new();
            l.grow_check(items.iter().map(|b| b.0.len()).sum());
            for b in &items {
                l.push(End::Right, &b.0);
            }
            Value::List(Box::new(l))
        }
        Data::Set(items) => {
            let Some(first) = items.first() else { return Err("empty set") };
            let mut s = Set::create(&first.0, items.len());
            for b in &items {
                if !s.add(&b.0) {
                    return Err("duplicate set member");
                }
            }
            Value::Set(s)
        }
        Data::ZSet(items) => return zset_value(items.len(), items.iter().map(|(m, s)| (&*m.0, *s))).map(Some),
        Data::Hash(fields) => {
            return hash_value(fields.len(), fields.iter().map(|f| (&*f.field.0, &*f.value.0, f.expire)), now);
        }
    }))
}

/// A sorted set from its `n` (member, score) pairs, in rank order as
/// written (checked, not trusted).
pub fn zset_value<'m>(n: usize, items: impl Iterator<Item = (&'m [u8], f64)>) -> Result<Value, Invalid> {
    if n == 0 {
        return Err("empty sorted set");
    }
    let mut sorted: Vec<(f64, &[u8])> = Vec::with_capacity(n);
    for (m, s) in items {
        if s.is_nan() {
            return Err("NaN score");
        }
        sorted.push((s, m));
    }
    let ordered = sorted.windows(2).all(|w| zcmp(&w[0], &w[1]).is_lt());
    if !ordered {
        sorted.sort_by(zcmp);
    }
    if n <= 1024 {
        let mut members: Vec<&[u8]> = sorted.iter().map(|(_, m)| *m).collect();
        members.sort_unstable();
        if members.windows(2).any(|w| w[0] == w[1]) {
            return Err("duplicate sorted set member");
        }
    }
    let z = ZSet::from_sorted_refs(&sorted);
    // A big set is keyed by member: a duplicate shows in its length.
    if z.len() != n {
        return Err("duplicate sorted set member");
    }
    Ok(Value::ZSet(Box::new(z)))
}

/// A hash from its `n` (field, value, expiry) triples, leaving out fields
/// expired at `now`; `None` if none is left.
pub fn hash_value<'f>(
    n: usize,
    fields: impl Iterator<Item = (&'f [u8], &'f [u8], Option<u64>)> + Clone,
    now: u64,
) -> Result<Option<Value>, Invalid> {
    if n == 0 {
        return Err("empty hash");
    }
    let live = fields.clone().filter(|f| f.2.is_none_or(|t| t >= now));
    let n = live.clone().count();
    if n == 0 {
        return Ok(None);
    }
    if let Some(h) = Hash::bulk_table(n, live.clone()) {
        return h.map(|h| Some(Value::Hash(h))).ok_or("duplicate hash field");
    }
    let mut h = Hash::new();
    for (f, v, _) in live.clone() {
        if !h.set(f, v, false) {
            return Err("duplicate hash field");
        }
    }
    for (f, _, t) in live {
        if let Some(t) = t {
            // set_ttl deletes a field due at its `now`: ask as of just
            // before the expiry (the field is live at `now`).
            h.set_ttl(f, t, TtlCond::Always, now.min(t.saturating_sub(1)));
        }
    }
    Ok(Some(Value::Hash(h)))
}

fn zcmp(a: &(f64, &[u8]), b: &(f64, &[u8])) -> std::cmp::Ordering {
    crate::types::zset::cmp((a.0, a.1), (b.0, b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(r: &Record<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        bincode::serde::encode_into_writer(r, VecWriter(&mut out), config()).unwrap();
        out
    }

    /// The bytes docs/FORMAT.md shows.
    #[test]
    fn record_bytes_are_as_documented() {
        let r = Record { db: 0, key: Bytes::borrowed(b"k"), expire: None, data: Data::String(Bytes::borrowed(b"v")) };
        assert_eq!(enc(&r), [0, 1, b'k', 0, 0, 1, b'v']);
        let r = Record {
            db: 300,
            key: Bytes::borrowed(b""),
            expire: Some(250),
            data: Data::ZSet(vec![(Bytes::borrowed(b"m"), 1.5)]),
        };
        let mut want = vec![251, 44, 1, 0, 1, 250, 3, 1, 1, b'm'];
        want.extend_from_slice(&1.5f64.to_le_bytes());
        assert_eq!(enc(&r), want);
        let (back, n) = decode(&want).unwrap();
        assert_eq!((back, n), (r, want.len()));
    }
}
