//! The listpack encoding of small hashes: every field/value pair, in
//! order, in one contiguous buffer, as Redis's listpack keeps them. Lookups
//! scan it linearly (a few hundred short entries at most, as in Redis).
//!
//! An entry is `[header][field][value][expiry]`:
//! * header `0x00..=0xEF` (short form): field length `header >> 4`
//!   (0..=14), value length `header & 15` (0..=15), no expiry. Small hashes
//!   mostly hold short fields and values, so most pairs pay one byte (Redis
//!   pays four: an encoding and a back-length byte per string).
//! * header `0xF0 | HAS_TTL` (long form): then the field length and the
//!   value length as LEB128 varints (7 bits a byte, low first); with
//!   `HAS_TTL` the field's expiry (Unix ms, u64 LE) follows the value.
//!
//! The buffer is kept at its exact size (a boxed slice: no capacity to
//! store), as Redis reallocates a listpack to the size it needs on every
//! change.

/// Long-form header; bit 0 is [`HAS_TTL`].
const LONG: u8 = 0xF0;
const HAS_TTL: u8 = 1;
/// Header, two varints of at most 10 bytes each.
const MAX_HEADER: usize = 1 + 10 + 10;

/// One entry, parsed, with where it lies in the buffer.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub field: &'a [u8],
    pub value: &'a [u8],
    pub ttl: Option<u64>,
    /// Byte range of the whole entry.
    pub start: usize,
    pub end: usize,
}

impl Entry<'_> {
    pub fn live(&self, now: u64) -> bool {
        self.ttl.is_none_or(|t| t >= now)
    }
}

/// What [`Listpack::find`] found.
pub enum Found<'a> {
    Yes(Entry<'a>),
    /// Not there; the listpack holds this many entries.
    No(usize),
}

#[derive(Clone, Default)]
pub struct Listpack {
    buf: Box<[u8]>,
    /// Has had a field TTL (what 7.4 calls `listpackex`).
    ex: bool,
}

fn read_varint(b: &[u8], at: &mut usize) -> usize {
    let (mut n, mut shift) = (0usize, 0);
    loop {
        let x = b[*at];
        *at += 1;
        n |= ((x & 0x7f) as usize) << shift;
        if x < 0x80 {
            return n;
        }
        shift += 7;
    }
}

fn write_varint(out: &mut [u8], at: &mut usize, mut n: usize) {
    while n >= 0x80 {
        out[*at] = (n as u8) | 0x80;
        *at += 1;
        n >>= 7;
    }
    out[*at] = n as u8;
    *at += 1;
}

/// The header of an entry and its length.
fn header(flen: usize, vlen: usize, ttl: bool) -> ([u8; MAX_HEADER], usize) {
    let mut h = [0u8; MAX_HEADER];
    if !ttl && flen <= 14 && vlen <= 15 {
        h[0] = (flen << 4 | vlen) as u8;
        return (h, 1);
    }
    h[0] = LONG | if ttl { HAS_TTL } else { 0 };
    let mut at = 1;
    write_varint(&mut h, &mut at, flen);
    write_varint(&mut h, &mut at, vlen);
    (h, at)
}

/// Parses the entry at `start`.
fn entry_at(b: &[u8], start: usize) -> Entry<'_> {
    let h = b[start];
    let mut at = start + 1;
    let (flen, vlen, has_ttl) = if h < LONG {
        ((h >> 4) as usize, (h & 15) as usize, false)
    } else {
        let f = read_varint(b, &mut at);
        (f, read_varint(b, &mut at), h & HAS_TTL != 0)
    };
    let field = &b[at..at + flen];
    let value = &b[at + flen..at + flen + vlen];
    let mut end = at + flen + vlen;
    let ttl = has_ttl.then(|| {
        end += 8;
        u64::from_le_bytes(b[end - 8..end].try_into().expect("8 bytes"))
    });
    Entry { field, value, ttl, start, end }
}

pub struct Iter<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Entry<'a>;
    fn next(&mut self) -> Option<Entry<'a>> {
        if self.at >= self.buf.len() {
            return None;
        }
        let e = entry_at(self.buf, self.at);
        self.at = e.end;
        Some(e)
    }
}

impl Listpack {
    pub fn new() -> Listpack {
        Listpack::default()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn is_ex(&self) -> bool {
        self.ex
    }

    pub fn set_ex(&mut self) {
        self.ex = true;
    }

    /// Changes the buffer as a `Vec`, then trims it back to its length.
    fn edit<R>(&mut self, f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        let mut v = std::mem::take(&mut self.buf).into_vec();
        let r = f(&mut v);
        self.buf = v.into_boxed_slice();
        r
    }

    /// Number of entries (a scan).
    pub fn count(&self) -> usize {
        self.iter().count()
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter { buf: &self.buf, at: 0 }
    }

    /// The entry of `field` (live or not), or the entry count.
    pub fn find(&self, field: &[u8]) -> Found<'_> {
        let mut n = 0;
        for e in self.iter() {
            if e.field == field {
                return Found::Yes(e);
            }
            n += 1;
        }
        Found::No(n)
    }

    /// Bytes allocated.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    #[cfg(test)]
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Appends an entry.
    pub fn push(&mut self, field: &[u8], value: &[u8], ttl: Option<u64>) {
        self.replace(self.buf.len(), self.buf.len(), field, value, ttl);
    }

    /// Inserts an entry at byte offset `at` (an entry's start, or the end).
    pub fn insert(&mut self, at: usize, field: &[u8], value: &[u8], ttl: Option<u64>) {
        self.replace(at, at, field, value, ttl);
    }

    /// Removes the entry spanning `start..end`.
    pub fn remove(&mut self, start: usize, end: usize) {
        self.edit(|b| b.drain(start..end).for_each(drop));
    }

    /// Replaces the bytes `start..end` (an entry, or nothing) by a new
    /// entry, moving the rest of the buffer once. `field` and `value` must
    /// not borrow from this listpack.
    pub fn replace(&mut self, start: usize, end: usize, field: &[u8], value: &[u8], ttl: Option<u64>) {
        let (h, hlen) = header(field.len(), value.len(), ttl.is_some());
        let new = hlen + field.len() + value.len() + if ttl.is_some() { 8 } else { 0 };
        let (old, len) = (end - start, self.buf.len());
        if new > old {
            self.edit(|b| {
                b.reserve_exact(new - old);
                b.resize(len + new - old, 0);
                b.copy_within(end..len, start + new);
            });
        } else if new < old {
            self.edit(|b| {
                b.copy_within(end..len, start + new);
                b.truncate(len - (old - new));
            });
        }
        let mut at = start;
        for part in [&h[..hlen], field, value, &ttl.unwrap_or(0).to_le_bytes()[..if ttl.is_some() { 8 } else { 0 }]] {
            self.buf[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
    }

    /// Replaces the value of the entry starting at `start`, keeping its
    /// field and expiry.
    pub fn set_value(&mut self, start: usize, value: &[u8]) {
        let e = entry_at(&self.buf, start);
        let (end, ttl) = (e.end, e.ttl);
        if e.value.len() == value.len() {
            // Same length: same header, the value overwritten in place.
            let at = end - value.len() - if ttl.is_some() { 8 } else { 0 };
            self.buf[at..at + value.len()].copy_from_slice(value);
            return;
        }
        let field: smallvec::SmallVec<[u8; 64]> = e.field.into();
        self.replace(start, end, &field, value, ttl);
    }

    /// Keeps the entries `keep` accepts, in order; returns how many went.
    pub fn retain(&mut self, mut keep: impl FnMut(&Entry<'_>) -> bool) -> usize {
        let (mut read, mut write, mut gone) = (0, 0, 0);
        while read < self.buf.len() {
            let e = entry_at(&self.buf, read);
            let (start, end) = (e.start, e.end);
            if keep(&e) {
                self.buf.copy_within(start..end, write);
                write += end - start;
            } else {
                gone += 1;
            }
            read = end;
        }
        if gone > 0 {
            self.edit(|b| b.truncate(write));
        }
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Model = Vec<(Vec<u8>, Vec<u8>, Option<u64>)>;

    fn contents(lp: &Listpack) -> Model {
        lp.iter().map(|e| (e.field.to_vec(), e.value.to_vec(), e.ttl)).collect()
    }

    fn varint_len(n: usize) -> usize {
        let mut l = 1;
        let mut n = n >> 7;
        while n > 0 {
            l += 1;
            n >>= 7;
        }
        l
    }

    #[test]
    fn short_and_long_headers() {
        let cases: &[(usize, usize, bool, usize)] = &[
            (0, 0, false, 1),
            (14, 15, false, 1),
            (15, 0, false, 3),
            (0, 16, false, 3),
            (7, 13, true, 3),
            (0, 0, true, 3),
        ];
        for &(f, v, ttl, hlen) in cases {
            let mut lp = Listpack::new();
            let (field, value) = (vec![b'f'; f], vec![b'v'; v]);
            lp.push(&field, &value, ttl.then_some(42));
            assert_eq!(lp.bytes().len(), hlen + f + v + if ttl { 8 } else { 0 }, "{f} {v} {ttl}");
            assert_eq!(contents(&lp), vec![(field, value, ttl.then_some(42))]);
        }
    }

    #[test]
    fn varint_boundaries() {
        for n in [127, 128, 16383, 16384, 70000] {
            let big: Vec<u8> = (0..n).map(|i| (i * 31 % 251) as u8).collect();
            let mut lp = Listpack::new();
            lp.push(&big, b"x", None);
            lp.push(b"y", &big, None);
            lp.push(&big, &big, Some(u64::MAX));
            let want =
                (1 + varint_len(n) + 1 + n + 1) + (1 + 1 + varint_len(n) + 1 + n) + (1 + 2 * varint_len(n) + 2 * n + 8);
            assert_eq!(lp.bytes().len(), want, "{n}");
            assert_eq!(
                contents(&lp),
                vec![
                    (big.clone(), b"x".to_vec(), None),
                    (b"y".to_vec(), big.clone(), None),
                    (big.clone(), big.clone(), Some(u64::MAX))
                ]
            );
            assert!(matches!(lp.find(&big), Found::Yes(e) if e.value == b"x"));
        }
        assert_eq!((varint_len(127), varint_len(128), varint_len(16383), varint_len(16384)), (1, 2, 2, 3));
    }

    #[test]
    fn empty_and_binary_entries() {
        let mut lp = Listpack::new();
        assert!(lp.is_empty());
        assert_eq!(lp.count(), 0);
        // bytes that look like headers, inside fields and values
        let odd = [0xF0, 0xF1, 0xFF, 0x00, 0xEF, 0x80];
        lp.push(b"", b"", None);
        lp.push(&odd, b"", None);
        lp.push(b"", &odd, Some(1));
        lp.push(&odd[..3], &odd[3..], None);
        assert_eq!(lp.count(), 4);
        assert!(matches!(lp.find(b""), Found::Yes(e) if e.value.is_empty() && e.ttl.is_none()));
        assert!(matches!(lp.find(&odd), Found::Yes(e) if e.value.is_empty()));
        assert!(matches!(lp.find(&odd[..3]), Found::Yes(e) if e.value == &odd[3..]));
        assert!(matches!(lp.find(b"missing"), Found::No(4)));
    }

    #[test]
    fn set_value_in_place_and_resized() {
        let mut lp = Listpack::new();
        lp.push(b"a", b"1", None);
        lp.push(b"b", b"22", Some(7));
        lp.push(b"c", b"333", None);
        let start = |lp: &Listpack, f: &[u8]| match lp.find(f) {
            Found::Yes(e) => e.start,
            Found::No(_) => panic!("missing"),
        };
        lp.set_value(start(&lp, b"b"), b"xy"); // same length, TTL kept
        lp.set_value(start(&lp, b"a"), b""); // shorter
        lp.set_value(start(&lp, b"c"), &[b'z'; 16]); // short header becomes long
        let want: Model = vec![
            (b"a".to_vec(), b"".to_vec(), None),
            (b"b".to_vec(), b"xy".to_vec(), Some(7)),
            (b"c".to_vec(), vec![b'z'; 16], None),
        ];
        assert_eq!(contents(&lp), want);
        lp.set_value(start(&lp, b"c"), b"s"); // and back
        assert_eq!(lp.bytes().len(), 2 + (3 + 1 + 2 + 8) + 3);
        assert_eq!(lp.capacity(), lp.bytes().len());
    }

    #[test]
    fn insert_remove_retain() {
        let mut lp = Listpack::new();
        for i in 0..5u8 {
            lp.push(&[b'a' + i], &[i], (i % 2 == 1).then_some(i as u64));
        }
        let Found::Yes(c) = lp.find(b"c") else { panic!() };
        let (cs, ce) = (c.start, c.end);
        lp.insert(cs, b"new", b"v", Some(99));
        assert_eq!(
            lp.iter().map(|e| e.field.to_vec()).collect::<Vec<_>>(),
            [&b"a"[..], b"b", b"new", b"c", b"d", b"e"]
        );
        let Found::Yes(n) = lp.find(b"new") else { panic!() };
        let (ns, ne) = (n.start, n.end);
        assert_eq!(ns, cs);
        lp.remove(ns, ne);
        let Found::Yes(c) = lp.find(b"c") else { panic!() };
        assert_eq!((c.start, c.end), (cs, ce));
        // retain drops the TTL'd entries (b and d) and keeps the order
        assert_eq!(lp.retain(|e| e.ttl.is_none()), 2);
        assert_eq!(lp.iter().map(|e| e.field.to_vec()).collect::<Vec<_>>(), [&b"a"[..], b"c", b"e"]);
        assert_eq!(lp.retain(|_| true), 0);
        assert_eq!(lp.retain(|_| false), 3);
        assert!(lp.is_empty());
    }

    /// Random edits against a vector of entries.
    #[test]
    fn random_edits_match_a_model() {
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut rnd = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut lp = Listpack::new();
        let mut model: Model = Vec::new();
        for _ in 0..5000 {
            let field = format!("f{}", rnd(40)).into_bytes();
            let len = [0, 1, 15, 16, 127, 128, 300][rnd(7) as usize];
            let value: Vec<u8> = (0..len).map(|_| rnd(256) as u8).collect();
            let ttl = (rnd(3) == 0).then(|| rnd(1000) + 1);
            let at = model.iter().position(|(f, _, _)| *f == field);
            match (rnd(4), at) {
                (0, Some(i)) => {
                    let Found::Yes(e) = lp.find(&field) else { panic!() };
                    let (s, en) = (e.start, e.end);
                    lp.remove(s, en);
                    model.remove(i);
                }
                (1, Some(i)) => {
                    let Found::Yes(e) = lp.find(&field) else { panic!() };
                    let s = e.start;
                    lp.set_value(s, &value);
                    model[i].1 = value;
                }
                (2, Some(i)) => {
                    let Found::Yes(e) = lp.find(&field) else { panic!() };
                    let (s, en) = (e.start, e.end);
                    lp.replace(s, en, &field, &value, ttl);
                    model[i] = (field, value, ttl);
                }
                (_, Some(_)) => {}
                (_, None) => {
                    assert!(matches!(lp.find(&field), Found::No(n) if n == model.len()));
                    lp.push(&field, &value, ttl);
                    model.push((field, value, ttl));
                }
            }
            assert_eq!(lp.capacity(), lp.bytes().len());
        }
        assert_eq!(contents(&lp), model);
    }
}
