//! The hash type: field → value maps with optional per-field expiry
//! (Redis 7.4's hash-field expiration).
//!
//! Encodings, as OBJECT ENCODING reports them:
//! * `listpack`: at most 512 fields, every field and value at most 64
//!   bytes. Fields keep insertion order (HGETALL shows it); lookups are
//!   linear, as in Redis's listpack.
//! * `listpackex` (7.4): a listpack hash that has had a field TTL set. As in
//!   Redis, its fields are ordered by expiry time, fields without one last;
//!   it never turns back into `listpack`.
//! * `hashtable`: beyond those limits (never converts back). A chained
//!   table with a power-of-two bucket array, so HSCAN can use Redis's
//!   reverse-binary cursor and keep its guarantee while the table resizes.
//!
//! Every field is one allocation, `[flags][expiry u64?][varint field len]
//! [field][value]`, so a field of a million-field hash costs about 60 bytes
//! (the entry, a share of the buckets, the allocation).
//!
//! Expired fields stay stored until a write removes them
//! ([`Hash::expire_due`]); every read takes the command's time and skips
//! them, so they are invisible either way.

use std::collections::BTreeSet;
use std::fmt;

/// Redis's `hash-max-listpack-entries` as compiled in (config.c: 512; the
/// sample redis.conf lowers it to 128, but a server started without a
/// configuration file, like the reference, uses 512).
pub const MAX_LISTPACK_ENTRIES: usize = 512;
/// Redis's `hash-max-listpack-value` default.
pub const MAX_LISTPACK_VALUE: usize = 64;

const HAS_TTL: u8 = 1;
const NIL: u32 = 0;

/// One field, its value and expiry, in one allocation.
#[derive(Clone)]
struct Entry {
    data: Box<[u8]>,
    /// Next entry in the bucket chain, as index + 1 (hashtable only).
    next: u32,
}

impl Entry {
    fn new(field: &[u8], value: &[u8], ttl: Option<u64>) -> Entry {
        let mut d = Vec::with_capacity(1 + if ttl.is_some() { 8 } else { 0 } + 5 + field.len() + value.len());
        d.push(if ttl.is_some() { HAS_TTL } else { 0 });
        if let Some(t) = ttl {
            d.extend_from_slice(&t.to_le_bytes());
        }
        let mut n = field.len();
        while n >= 0x80 {
            d.push((n as u8) | 0x80);
            n >>= 7;
        }
        d.push(n as u8);
        d.extend_from_slice(field);
        d.extend_from_slice(value);
        Entry { data: d.into_boxed_slice(), next: NIL }
    }

    /// (offset of the field, field length)
    fn span(&self) -> (usize, usize) {
        let mut i = if self.data[0] & HAS_TTL != 0 { 9 } else { 1 };
        let (mut len, mut shift) = (0usize, 0);
        loop {
            let b = self.data[i];
            i += 1;
            len |= ((b & 0x7f) as usize) << shift;
            if b < 0x80 {
                return (i, len);
            }
            shift += 7;
        }
    }

    fn field(&self) -> &[u8] {
        let (at, len) = self.span();
        &self.data[at..at + len]
    }

    fn value(&self) -> &[u8] {
        let (at, len) = self.span();
        &self.data[at + len..]
    }

    fn ttl(&self) -> Option<u64> {
        (self.data[0] & HAS_TTL != 0).then(|| u64::from_le_bytes(self.data[1..9].try_into().expect("8 bytes")))
    }

    fn live(&self, now: u64) -> bool {
        self.ttl().map_or(true, |t| t >= now)
    }

    fn rebuild(&mut self, value: Option<&[u8]>, ttl: Option<u64>) {
        let next = self.next;
        *self = Entry::new(self.field(), value.unwrap_or(self.value()), ttl);
        self.next = next;
    }
}

/// The hash of a field: fixed seeds, so a collection's HSCAN order (and
/// cursors) stay the same for its whole life.
fn field_hash(field: &[u8]) -> u64 {
    use std::sync::OnceLock;
    static H: OnceLock<ahash::RandomState> = OnceLock::new();
    H.get_or_init(|| ahash::RandomState::with_seeds(0x9e37, 0x79b9, 0x7f4a, 0x7c15)).hash_one(field)
}

/// A hash value.
#[derive(Clone, Default)]
pub struct Hash {
    /// Listpack: insertion (or expiry) order. Hashtable: dense storage
    /// indexed by the chains.
    entries: Vec<Entry>,
    /// Bucket heads (index + 1); empty for the listpack encodings.
    buckets: Vec<u32>,
    /// (expiry, field) of every field that has one.
    ttls: BTreeSet<(u64, Box<[u8]>)>,
    /// A listpack that has had a field TTL (7.4's `listpackex`).
    ex: bool,
}

/// What [`Hash::set_ttl`] did, as HEXPIRE replies per field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TtlSet {
    NoField = -2,
    ConditionNotMet = 0,
    Set = 1,
    Deleted = 2,
}

/// HEXPIRE's NX / XX / GT / LT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TtlCond {
    Always,
    Nx,
    Xx,
    Gt,
    Lt,
}

impl Hash {
    pub fn new() -> Hash {
        Hash::default()
    }

    pub fn is_listpack(&self) -> bool {
        self.buckets.is_empty()
    }

    /// What OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match (self.is_listpack(), self.ex) {
            (false, _) => "hashtable",
            (true, true) => "listpackex",
            (true, false) => "listpack",
        }
    }

    /// Stored fields, expired ones included.
    pub fn stored_len(&self) -> usize {
        self.entries.len()
    }

    /// Live fields at `now`.
    pub fn len(&self, now: u64) -> usize {
        self.entries.len() - self.ttls.range(..(now, Box::from(&[][..]))).count()
    }

    pub fn is_empty(&self, now: u64) -> bool {
        self.len(now) == 0
    }

    fn mask(&self) -> u64 {
        self.buckets.len() as u64 - 1
    }

    fn find(&self, field: &[u8]) -> Option<usize> {
        if self.is_listpack() {
            return self.entries.iter().position(|e| e.field() == field);
        }
        let mut cur = self.buckets[(field_hash(field) & self.mask()) as usize];
        while cur != NIL {
            let e = &self.entries[(cur - 1) as usize];
            if e.field() == field {
                return Some((cur - 1) as usize);
            }
            cur = e.next;
        }
        None
    }

    fn find_live(&self, field: &[u8], now: u64) -> Option<usize> {
        self.find(field).filter(|&i| self.entries[i].live(now))
    }

    /// A live field's value.
    pub fn get(&self, field: &[u8], now: u64) -> Option<&[u8]> {
        self.find_live(field, now).map(|i| self.entries[i].value())
    }

    /// A live field's expiry: `Some(None)` if it has none.
    pub fn ttl(&self, field: &[u8], now: u64) -> Option<Option<u64>> {
        self.find_live(field, now).map(|i| self.entries[i].ttl())
    }

    /// Live (field, value) pairs in reply order.
    pub fn iter(&self, now: u64) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.entries.iter().filter(move |e| e.live(now)).map(|e| (e.field(), e.value()))
    }

    /// The live pair at a storage index (HRANDFIELD samples these).
    pub fn at(&self, i: usize, now: u64) -> Option<(&[u8], &[u8])> {
        self.entries.get(i).filter(|e| e.live(now)).map(|e| (e.field(), e.value()))
    }

    // ---- changes ---------------------------------------------------------

    /// Whether storing these bytes forces the hashtable encoding.
    pub fn too_long_for_listpack(b: &[u8]) -> bool {
        b.len() > MAX_LISTPACK_VALUE
    }

    /// Converts a listpack to a hashtable if `field`/`value` or the count
    /// passes Redis's limits (callers check every argument first, as
    /// `hashTypeTryConversion` does).
    pub fn convert_if_needed(&mut self, extra_bytes: &[&[u8]]) {
        if self.is_listpack() && extra_bytes.iter().any(|b| Self::too_long_for_listpack(b)) {
            self.convert_to_hashtable();
        }
    }

    fn convert_to_hashtable(&mut self) {
        self.ex = false;
        self.rebucket(self.entries.len().max(4).next_power_of_two());
    }

    fn rebucket(&mut self, n: usize) {
        self.buckets = vec![NIL; n];
        let mask = self.mask();
        for i in 0..self.entries.len() {
            let b = (field_hash(self.entries[i].field()) & mask) as usize;
            self.entries[i].next = self.buckets[b];
            self.buckets[b] = (i + 1) as u32;
        }
    }

    /// Sets a field. `keep_ttl` keeps an existing field's expiry (HINCRBY);
    /// otherwise an overwrite clears it (HSET), as in Redis 7.4. Returns
    /// true if the field is new. Expired fields must have been removed.
    pub fn set(&mut self, field: &[u8], value: &[u8], keep_ttl: bool) -> bool {
        self.convert_if_needed(&[field, value]);
        match self.find(field) {
            Some(i) => {
                let old = self.entries[i].ttl();
                let ttl = if keep_ttl { old } else { None };
                if old.is_some() && ttl.is_none() {
                    self.ttls.remove(&(old.unwrap_or_default(), Box::from(field)));
                    if self.is_listpack() {
                        // 7.4's listpackex keeps fields without TTL last.
                        let mut e = self.entries.remove(i);
                        e.rebuild(Some(value), None);
                        self.entries.push(e);
                        return false;
                    }
                }
                self.entries[i].rebuild(Some(value), ttl);
                false
            }
            None => {
                self.push(Entry::new(field, value, None));
                if self.is_listpack() && self.entries.len() > MAX_LISTPACK_ENTRIES {
                    self.convert_to_hashtable();
                }
                true
            }
        }
    }

    fn push(&mut self, mut e: Entry) {
        if self.is_listpack() {
            self.entries.push(e);
            return;
        }
        if self.entries.len() >= self.buckets.len() {
            self.rebucket(self.buckets.len() * 2);
        }
        let b = (field_hash(e.field()) & self.mask()) as usize;
        e.next = self.buckets[b];
        self.entries.push(e);
        self.buckets[b] = self.entries.len() as u32;
    }

    /// Removes a field (live or not); true if it was stored.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        let Some(i) = self.find(field) else { return false };
        if let Some(t) = self.entries[i].ttl() {
            self.ttls.remove(&(t, Box::from(field)));
        }
        if self.is_listpack() {
            self.entries.remove(i);
            return true;
        }
        self.relink(i, NIL);
        let last = self.entries.len() - 1;
        if i != last {
            self.relink(last, (i + 1) as u32);
        }
        self.entries.swap_remove(i);
        if self.buckets.len() > 4 && self.entries.len() < self.buckets.len() / 8 {
            self.rebucket((self.entries.len().max(4)).next_power_of_two());
        }
        true
    }

    /// Replaces the link to entry `i` in its chain by `to` (NIL unlinks `i`,
    /// taking its successor; otherwise `i` is being moved to index `to-1`).
    fn relink(&mut self, i: usize, to: u32) {
        let target = (i + 1) as u32;
        let replacement = if to == NIL { self.entries[i].next } else { to };
        let b = (field_hash(self.entries[i].field()) & self.mask()) as usize;
        if self.buckets[b] == target {
            self.buckets[b] = replacement;
            return;
        }
        let mut cur = self.buckets[b];
        while cur != NIL {
            let c = (cur - 1) as usize;
            if self.entries[c].next == target {
                self.entries[c].next = replacement;
                return;
            }
            cur = self.entries[c].next;
        }
    }

    /// Removes the fields that expired before `now`, at most `limit`;
    /// returns how many went.
    pub fn expire_due(&mut self, now: u64, limit: usize) -> usize {
        let due: Vec<Box<[u8]>> =
            self.ttls.iter().take_while(|(t, _)| *t < now).take(limit).map(|(_, f)| f.clone()).collect();
        for f in &due {
            self.remove(f);
        }
        due.len()
    }

    /// The earliest field expiry, if any field has one.
    pub fn next_expiry(&self) -> Option<u64> {
        self.ttls.first().map(|(t, _)| *t)
    }

    /// HEXPIRE for one field: `at` is absolute Unix ms.
    pub fn set_ttl(&mut self, field: &[u8], at: u64, cond: TtlCond, now: u64) -> TtlSet {
        let Some(i) = self.find_live(field, now) else { return TtlSet::NoField };
        let old = self.entries[i].ttl();
        let ok = match (cond, old) {
            (TtlCond::Always, _) => true,
            (TtlCond::Nx, o) => o.is_none(),
            (TtlCond::Xx, o) => o.is_some(),
            // No TTL counts as infinite, as EXPIRE's GT/LT.
            (TtlCond::Gt, o) => o.is_some_and(|o| at > o),
            (TtlCond::Lt, o) => o.map_or(true, |o| at < o),
        };
        if !ok {
            return TtlSet::ConditionNotMet;
        }
        if at <= now {
            self.remove(field);
            return TtlSet::Deleted;
        }
        self.put_ttl(i, Some(at));
        TtlSet::Set
    }

    /// HPERSIST for one field: -2 no field, -1 no TTL, 1 removed.
    pub fn persist(&mut self, field: &[u8], now: u64) -> i64 {
        match self.find_live(field, now) {
            None => -2,
            Some(i) if self.entries[i].ttl().is_none() => -1,
            Some(i) => {
                self.put_ttl(i, None);
                1
            }
        }
    }

    fn put_ttl(&mut self, i: usize, ttl: Option<u64>) {
        let field: Box<[u8]> = Box::from(self.entries[i].field());
        if let Some(old) = self.entries[i].ttl() {
            self.ttls.remove(&(old, field.clone()));
        }
        if let Some(t) = ttl {
            self.ttls.insert((t, field));
        }
        if !self.is_listpack() {
            self.entries[i].rebuild(None, ttl);
            return;
        }
        // listpackex: fields ordered by expiry, those without one last.
        self.ex = true;
        let mut e = self.entries.remove(i);
        e.rebuild(None, ttl);
        let pos = match ttl {
            None => self.entries.len(),
            Some(t) => self.entries.iter().position(|x| x.ttl().map_or(true, |u| u > t)).unwrap_or(self.entries.len()),
        };
        self.entries.insert(pos, e);
    }

    // ---- scanning ----------------------------------------------------------

    /// Visits the bucket `cursor` names and returns the next cursor, as
    /// Redis's `dictScan` (0 = done). Listpacks are visited whole.
    pub fn scan(&self, cursor: u64, now: u64, mut f: impl FnMut(&[u8], &[u8])) -> u64 {
        if self.is_listpack() {
            self.iter(now).for_each(|(k, v)| f(k, v));
            return 0;
        }
        let mask = self.mask();
        let mut cur = self.buckets[(cursor & mask) as usize];
        while cur != NIL {
            let e = &self.entries[(cur - 1) as usize];
            if e.live(now) {
                f(e.field(), e.value());
            }
            cur = e.next;
        }
        let v = (cursor | !mask).reverse_bits().wrapping_add(1);
        v.reverse_bits()
    }

    /// Approximate bytes used (MEMORY USAGE-like accounting).
    pub fn mem_usage(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.buckets.capacity() * 4
            + self.entries.iter().map(|e| e.data.len()).sum::<usize>()
            + self.ttls.len() * 48
    }
}

impl PartialEq for Hash {
    /// Same live content (fields, values, expiries), whatever the order.
    fn eq(&self, other: &Hash) -> bool {
        self.entries.len() == other.entries.len()
            && self.entries.iter().all(|e| {
                other.find(e.field()).is_some_and(|i| {
                    let o = &other.entries[i];
                    o.value() == e.value() && o.ttl() == e.ttl()
                })
            })
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for e in &self.entries {
            m.entry(&String::from_utf8_lossy(e.field()), &String::from_utf8_lossy(e.value()));
        }
        m.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(n: usize) -> Hash {
        let mut h = Hash::new();
        for i in 0..n {
            h.set(format!("f{i}").as_bytes(), format!("v{i}").as_bytes(), false);
        }
        h
    }

    #[test]
    fn encodings_and_conversion() {
        let mut x = h(512);
        assert_eq!(x.encoding(), "listpack");
        x.set(b"one-more", b"v", false);
        assert_eq!(x.encoding(), "hashtable");
        assert_eq!(x.len(0), 513);
        let mut y = h(3);
        y.set(b"f", &[b'x'; 65], false);
        assert_eq!(y.encoding(), "hashtable");
        let mut z = h(3);
        z.set(b"f", &[b'x'; 64], false);
        assert_eq!(z.encoding(), "listpack");
    }

    #[test]
    fn hashtable_remove_keeps_chains_right() {
        let mut x = h(5000);
        for i in (0..5000).step_by(3) {
            assert!(x.remove(format!("f{i}").as_bytes()));
        }
        for i in 0..5000 {
            let v = x.get(format!("f{i}").as_bytes(), 0);
            if i % 3 == 0 {
                assert_eq!(v, None);
            } else {
                assert_eq!(v, Some(format!("v{i}").as_bytes()));
            }
        }
        for i in 0..5000 {
            x.remove(format!("f{i}").as_bytes());
        }
        assert_eq!(x.len(0), 0);
        assert_eq!(x.buckets.len(), 4);
    }

    #[test]
    fn scan_covers_everything_across_resizes() {
        let mut x = h(1000);
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        let mut step = 0;
        loop {
            cursor = x.scan(cursor, 0, |k, _| {
                seen.insert(k.to_vec());
            });
            step += 1;
            // grow and shrink between calls
            if step == 50 {
                for i in 1000..3000 {
                    x.set(format!("f{i}").as_bytes(), b"v", false);
                }
            }
            if step == 200 {
                for i in 1000..3000 {
                    x.remove(format!("f{i}").as_bytes());
                }
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..1000 {
            assert!(seen.contains(format!("f{i}").as_bytes()), "f{i} missed");
        }
    }

    #[test]
    fn field_ttls() {
        let mut x = h(3);
        assert_eq!(x.set_ttl(b"f1", 100, TtlCond::Always, 10), TtlSet::Set);
        assert_eq!(x.encoding(), "listpackex");
        // ordered by expiry first
        assert_eq!(x.iter(0).next().unwrap().0, b"f1");
        assert_eq!(x.set_ttl(b"f1", 50, TtlCond::Gt, 10), TtlSet::ConditionNotMet);
        assert_eq!(x.set_ttl(b"f2", 50, TtlCond::Gt, 10), TtlSet::ConditionNotMet);
        assert_eq!(x.set_ttl(b"f2", 50, TtlCond::Lt, 10), TtlSet::Set);
        assert_eq!(x.iter(0).map(|p| p.0).collect::<Vec<_>>(), [&b"f2"[..], b"f1", b"f0"]);
        assert_eq!(x.set_ttl(b"nope", 50, TtlCond::Always, 10), TtlSet::NoField);
        assert_eq!(x.len(60), 2);
        assert_eq!(x.get(b"f2", 60), None);
        assert_eq!(x.expire_due(60, 10), 1);
        assert_eq!(x.next_expiry(), Some(100));
        assert_eq!(x.persist(b"f1", 60), 1);
        assert_eq!(x.persist(b"f1", 60), -1);
        assert_eq!(x.next_expiry(), None);
        assert_eq!(x.set_ttl(b"f0", 5, TtlCond::Always, 10), TtlSet::Deleted);
        assert_eq!(x.len(0), 1);
        // HSET clears a TTL, HINCRBY keeps it
        x.set_ttl(b"f1", 100, TtlCond::Always, 10);
        x.set(b"f1", b"1", true);
        assert_eq!(x.ttl(b"f1", 10), Some(Some(100)));
        x.set(b"f1", b"2", false);
        assert_eq!(x.ttl(b"f1", 10), Some(None));
        assert_eq!(x.next_expiry(), None);
    }
}
