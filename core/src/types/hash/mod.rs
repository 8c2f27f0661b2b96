//! The hash type: field → value maps with optional per-field expiry
//! (Redis 7.4's hash-field expiration).
//!
//! Encodings, as OBJECT ENCODING reports them:
//! * `listpack`: at most 512 fields, every field and value at most 64
//!   bytes, all in one buffer (the `listpack` module). Fields keep insertion order
//!   (HGETALL shows it); lookups are linear, as in Redis's listpack.
//! * `listpackex` (7.4): a listpack hash that has had a field TTL set. As in
//!   Redis, its fields are ordered by expiry time, fields without one last;
//!   it never turns back into `listpack`.
//! * `hashtable`: beyond those limits (never converts back); see the
//!   `table` module.
//!
//! A listpack hash is the buffer and nothing else (the `Hash` itself is
//! three words, stored inside the key's entry), so a small hash costs about
//! its payload plus a byte per field.
//!
//! Expired fields stay stored until a write removes them
//! ([`Hash::expire_due`]); every read takes the command's time and skips
//! them, so they are invisible either way. A hash without field expiries
//! ignores the time, so callers need not read the clock for one
//! ([`Hash::has_ttls`]).

mod listpack;
mod table;

use std::fmt;

use listpack::{Found, Listpack};
use table::Table;

/// Redis's `hash-max-listpack-entries` as compiled in (config.c: 512; the
/// sample redis.conf lowers it to 128, but a server started without a
/// configuration file, like the reference, uses 512).
pub const MAX_LISTPACK_ENTRIES: usize = 512;
/// Redis's `hash-max-listpack-value` default.
pub const MAX_LISTPACK_VALUE: usize = 64;

/// A hash value.
#[derive(Clone)]
pub struct Hash(Repr);

/// Two words and a flag: a `Value` holds it unboxed.
#[derive(Clone)]
enum Repr {
    /// `listpack`, or `listpackex` once it has had a field TTL.
    Listpack(Listpack),
    Table(Box<Table>),
}

// A hash must not make `Value` (32 bytes, as a string's `Vec` and its
// encoding take) any bigger: every key holding a collection pays for it.
const _: () = assert!(std::mem::size_of::<Hash>() <= 24);

impl Default for Hash {
    fn default() -> Hash {
        Hash(Repr::Listpack(Listpack::new()))
    }
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

/// A stored field: (field, value, expiry).
type Item<'a> = (&'a [u8], &'a [u8], Option<u64>);

fn live(ttl: Option<u64>, now: u64) -> bool {
    ttl.is_none_or(|t| t >= now)
}

/// Every stored field, expired ones included, in reply order.
enum Stored<'a> {
    Listpack(listpack::Iter<'a>),
    Table(std::slice::Iter<'a, table::Entry>),
}

impl<'a> Iterator for Stored<'a> {
    type Item = Item<'a>;
    fn next(&mut self) -> Option<Item<'a>> {
        match self {
            Stored::Listpack(i) => i.next().map(|e| (e.field, e.value, e.ttl)),
            Stored::Table(i) => i.next().map(|e| (e.field(), e.value(), e.ttl())),
        }
    }
}

impl Hash {
    pub fn new() -> Hash {
        Hash::default()
    }

    pub fn is_listpack(&self) -> bool {
        !matches!(self.0, Repr::Table(_))
    }

    /// What OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self.0 {
            Repr::Listpack(ref lp) if lp.is_ex() => "listpackex",
            Repr::Listpack(_) => "listpack",
            Repr::Table(_) => "hashtable",
        }
    }

    /// Whether a field may have an expiry. When not, every method's `now`
    /// is ignored (any value, 0 say, gives the same answers), so callers
    /// need not read the clock.
    pub fn has_ttls(&self) -> bool {
        match &self.0 {
            Repr::Listpack(lp) => lp.is_ex(),
            Repr::Table(t) => t.has_ttls(),
        }
    }

    fn stored(&self) -> Stored<'_> {
        match &self.0 {
            Repr::Listpack(lp) => Stored::Listpack(lp.iter()),
            Repr::Table(t) => Stored::Table(t.entries()),
        }
    }

    /// Stored fields, expired ones included.
    pub fn stored_len(&self) -> usize {
        match &self.0 {
            Repr::Listpack(lp) => lp.count(),
            Repr::Table(t) => t.stored_len(),
        }
    }

    /// Live fields at `now`.
    pub fn len(&self, now: u64) -> usize {
        match &self.0 {
            Repr::Listpack(lp) if !lp.is_ex() => lp.count(),
            Repr::Listpack(lp) => lp.iter().filter(|e| e.live(now)).count(),
            Repr::Table(t) => t.len(now),
        }
    }

    pub fn is_empty(&self, now: u64) -> bool {
        match &self.0 {
            Repr::Listpack(lp) if !lp.is_ex() => lp.is_empty(),
            Repr::Listpack(lp) => !lp.iter().any(|e| e.live(now)),
            Repr::Table(t) => t.len(now) == 0,
        }
    }

    /// A stored field (live or not): its value and expiry.
    fn lookup(&self, field: &[u8]) -> Option<(&[u8], Option<u64>)> {
        match &self.0 {
            Repr::Listpack(lp) => match lp.find(field) {
                Found::Yes(e) => Some((e.value, e.ttl)),
                Found::No(_) => None,
            },
            Repr::Table(t) => t.find(field).map(|i| (t.entry(i).value(), t.entry(i).ttl())),
        }
    }

    fn lookup_live(&self, field: &[u8], now: u64) -> Option<(&[u8], Option<u64>)> {
        self.lookup(field).filter(|&(_, t)| live(t, now))
    }

    /// A live field's value.
    pub fn get(&self, field: &[u8], now: u64) -> Option<&[u8]> {
        self.lookup_live(field, now).map(|(v, _)| v)
    }

    /// A live field's expiry: `Some(None)` if it has none.
    pub fn ttl(&self, field: &[u8], now: u64) -> Option<Option<u64>> {
        self.lookup_live(field, now).map(|(_, t)| t)
    }

    /// Live (field, value) pairs in reply order.
    pub fn iter(&self, now: u64) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.stored().filter(move |&(_, _, t)| live(t, now)).map(|(f, v, _)| (f, v))
    }

    /// The live pair at a storage index (HRANDFIELD samples these). O(1)
    /// for a hashtable, a scan for a listpack.
    pub fn at(&self, i: usize, now: u64) -> Option<(&[u8], &[u8])> {
        let item = match &self.0 {
            Repr::Table(t) => (i < t.stored_len()).then(|| t.entry(i)).map(|e| (e.field(), e.value(), e.ttl())),
            _ => self.stored().nth(i),
        };
        item.filter(|&(_, _, t)| live(t, now)).map(|(f, v, _)| (f, v))
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

    /// A hash of `n` fields (field, value, expiry), each given once, that
    /// a snapshot load rebuilds: hashtable-encoded when Redis's limits say
    /// so (more than [`MAX_LISTPACK_ENTRIES`] fields or a long field or
    /// value), built in one pass; otherwise `None` (set the fields one by
    /// one). `Some(None)`: a field repeats.
    pub fn bulk_table<'f>(
        n: usize,
        fields: impl Iterator<Item = (&'f [u8], &'f [u8], Option<u64>)> + Clone,
    ) -> Option<Option<Hash>> {
        let big = n > MAX_LISTPACK_ENTRIES
            || fields.clone().any(|(f, v, _)| Self::too_long_for_listpack(f) || Self::too_long_for_listpack(v));
        if !big {
            return None;
        }
        Some(Table::from_fields(n, fields).map(|t| Hash(Repr::Table(Box::new(t)))))
    }

    /// The fixed hash of a field in the hashtable encoding: a snapshot
    /// writes a big hash's fields in this order, which its load checks for
    /// repeated fields in one pass.
    pub fn field_hash(field: &[u8]) -> u64 {
        table::field_hash(field)
    }

    fn convert_to_hashtable(&mut self) {
        let Repr::Listpack(lp) = &self.0 else { return };
        let mut t = Table::with_capacity(lp.count());
        for e in lp.iter() {
            t.push(e.field, e.value, e.ttl);
        }
        self.0 = Repr::Table(Box::new(t));
    }

    /// Sets a field. `keep_ttl` keeps an existing field's expiry (HINCRBY);
    /// otherwise an overwrite clears it (HSET), as in Redis 7.4. Returns
    /// true if the field is new. Expired fields must have been removed.
    pub fn set(&mut self, field: &[u8], value: &[u8], keep_ttl: bool) -> bool {
        self.convert_if_needed(&[field, value]);
        let lp = match &mut self.0 {
            Repr::Table(t) => return t.set(field, value, keep_ttl),
            Repr::Listpack(lp) => lp,
        };
        match lp.find(field) {
            Found::Yes(e) => {
                let (start, end) = (e.start, e.end);
                if e.ttl.is_some() && !keep_ttl {
                    // 7.4's listpackex keeps fields without TTL last.
                    lp.remove(start, end);
                    lp.push(field, value, None);
                } else {
                    lp.set_value(start, value);
                }
                false
            }
            Found::No(n) => {
                lp.push(field, value, None);
                if n + 1 > MAX_LISTPACK_ENTRIES {
                    self.convert_to_hashtable();
                }
                true
            }
        }
    }

    /// Removes a field (live or not); true if it was stored.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match &mut self.0 {
            Repr::Listpack(lp) => match lp.find(field) {
                Found::Yes(e) => {
                    let (start, end) = (e.start, e.end);
                    lp.remove(start, end);
                    true
                }
                Found::No(_) => false,
            },
            Repr::Table(t) => t.remove(field),
        }
    }

    /// Removes the fields that expired before `now`, at most `limit`;
    /// returns how many went.
    pub fn expire_due(&mut self, now: u64, limit: usize) -> usize {
        match &mut self.0 {
            Repr::Listpack(lp) if !lp.is_ex() => 0,
            Repr::Listpack(lp) => {
                if !lp.iter().any(|e| !e.live(now)) {
                    return 0;
                }
                let mut left = limit;
                lp.retain(|e| {
                    let go = left > 0 && !e.live(now);
                    left -= go as usize;
                    !go
                })
            }
            Repr::Table(t) => t.expire_due(now, limit),
        }
    }

    /// The earliest field expiry, if any field has one.
    pub fn next_expiry(&self) -> Option<u64> {
        match &self.0 {
            Repr::Listpack(lp) if !lp.is_ex() => None,
            Repr::Listpack(lp) => lp.iter().filter_map(|e| e.ttl).min(),
            Repr::Table(t) => t.next_expiry(),
        }
    }

    /// HEXPIRE for one field: `at` is absolute Unix ms.
    pub fn set_ttl(&mut self, field: &[u8], at: u64, cond: TtlCond, now: u64) -> TtlSet {
        let Some((_, old)) = self.lookup_live(field, now) else { return TtlSet::NoField };
        let ok = match (cond, old) {
            (TtlCond::Always, _) => true,
            (TtlCond::Nx, o) => o.is_none(),
            (TtlCond::Xx, o) => o.is_some(),
            // No TTL counts as infinite, as EXPIRE's GT/LT.
            (TtlCond::Gt, o) => o.is_some_and(|o| at > o),
            (TtlCond::Lt, o) => o.is_none_or(|o| at < o),
        };
        if !ok {
            return TtlSet::ConditionNotMet;
        }
        if at <= now {
            self.remove(field);
            return TtlSet::Deleted;
        }
        self.put_ttl(field, Some(at));
        TtlSet::Set
    }

    /// HPERSIST for one field: -2 no field, -1 no TTL, 1 removed.
    pub fn persist(&mut self, field: &[u8], now: u64) -> i64 {
        match self.lookup_live(field, now) {
            None => -2,
            Some((_, None)) => -1,
            Some(_) => {
                self.put_ttl(field, None);
                1
            }
        }
    }

    /// Sets or clears the expiry of a stored field.
    fn put_ttl(&mut self, field: &[u8], ttl: Option<u64>) {
        if let Repr::Table(t) = &mut self.0 {
            if let Some(i) = t.find(field) {
                t.put_ttl(i, ttl);
            }
            return;
        }
        let Repr::Listpack(lp) = &mut self.0 else { return };
        lp.set_ex();
        let Found::Yes(e) = lp.find(field) else { return };
        let (start, end) = (e.start, e.end);
        let value = e.value.to_vec();
        lp.remove(start, end);
        // listpackex: fields ordered by expiry, those without one last.
        let pos = match ttl {
            None => None,
            Some(t) => lp.iter().find(|x| x.ttl.is_none_or(|u| u > t)).map(|x| x.start),
        };
        match pos {
            Some(at) => lp.insert(at, field, &value, ttl),
            None => lp.push(field, &value, ttl),
        }
    }

    // ---- scanning ----------------------------------------------------------

    /// Visits the bucket `cursor` names and returns the next cursor, as
    /// Redis's `dictScan` (0 = done). Listpacks are visited whole.
    pub fn scan(&self, cursor: u64, now: u64, mut f: impl FnMut(&[u8], &[u8])) -> u64 {
        match &self.0 {
            Repr::Table(t) => t.scan(cursor, now, f),
            _ => {
                self.iter(now).for_each(|(k, v)| f(k, v));
                0
            }
        }
    }

    /// Approximate bytes used beyond the `Hash` (MEMORY USAGE-like).
    pub fn mem_usage(&self) -> usize {
        match &self.0 {
            Repr::Listpack(lp) => lp.capacity(),
            Repr::Table(t) => t.mem_usage(),
        }
    }
}

impl PartialEq for Hash {
    /// Same stored content (fields, values, expiries), whatever the order.
    fn eq(&self, other: &Hash) -> bool {
        self.stored_len() == other.stored_len() && self.stored().all(|(f, v, t)| other.lookup(f) == Some((v, t)))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v, _) in self.stored() {
            m.entry(&String::from_utf8_lossy(k), &String::from_utf8_lossy(v));
        }
        m.finish()
    }
}

#[cfg(test)]
mod tests {
    /// A big hash built in one pass, its fields in hash order (as a
    /// snapshot writes them) or not: the same fields, and a repeated field
    /// refused either way.
    #[test]
    fn bulk_tables_in_either_order_refuse_repeats() {
        let owned: Vec<(Vec<u8>, Vec<u8>)> =
            (0..2000).map(|i| (format!("f{i}").into_bytes(), format!("v{i}").into_bytes())).collect();
        let mut hashed = owned.clone();
        hashed.sort_by_key(|(f, _)| Hash::field_hash(f));
        for fields in [&owned, &hashed] {
            let it = fields.iter().map(|(f, v)| (f.as_slice(), v.as_slice(), None));
            let Some(Some(h)) = Hash::bulk_table(fields.len(), it) else { panic!("built") };
            assert_eq!(h.encoding(), "hashtable");
            assert_eq!(h.len(0), 2000);
            for (f, v) in fields.iter() {
                assert_eq!(h.get(f, 0), Some(&v[..]));
            }
            for at in [1, 999, 1999] {
                let mut dup = fields.clone();
                dup.insert(at, fields[at - 1].clone());
                let it = dup.iter().map(|(f, v)| (f.as_slice(), v.as_slice(), None));
                assert!(matches!(Hash::bulk_table(dup.len(), it), Some(None)), "repeat at {at}");
            }
        }
    }

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
        let Repr::Table(t) = &x.0 else { panic!("hashtable expected") };
        assert_eq!(t.buckets(), 4);
    }

    #[test]
    fn hashtable_overwrites() {
        let mut x = h(600);
        assert_eq!(x.encoding(), "hashtable");
        assert!(!x.set(b"f5", b"v9", false)); // same length, in place
        assert!(!x.set(b"f6", b"a longer value", false));
        x.set_ttl(b"f7", 100, TtlCond::Always, 1);
        assert!(!x.set(b"f7", b"v0", true)); // same length, expiry kept
        assert_eq!((x.get(b"f7", 1), x.ttl(b"f7", 1)), (Some(&b"v0"[..]), Some(Some(100))));
        assert!(!x.set(b"f7", b"v1", false)); // expiry cleared
        assert_eq!((x.get(b"f7", 1), x.ttl(b"f7", 1), x.next_expiry()), (Some(&b"v1"[..]), Some(None), None));
        assert_eq!((x.get(b"f5", 0), x.get(b"f6", 0)), (Some(&b"v9"[..]), Some(&b"a longer value"[..])));
        assert_eq!(x.len(0), 600);
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

    #[test]
    fn conversion_boundaries() {
        // 64-byte fields and values stay, 65 converts (field or value)
        let mut x = h(2);
        x.set(&[b'f'; 64], &[b'v'; 64], false);
        assert_eq!(x.encoding(), "listpack");
        let mut y = x.clone();
        y.set(&[b'f'; 65], b"v", false);
        assert_eq!(y.encoding(), "hashtable");
        assert_eq!(y.get(&[b'f'; 64], 0), Some(&[b'v'; 64][..]));
        assert_eq!(y.get(b"f1", 0), Some(&b"v1"[..]));
        // convert_if_needed looks at every argument before any is stored
        let mut z = h(2);
        z.convert_if_needed(&[b"a", &[b'v'; 65]]);
        assert_eq!((z.encoding(), z.len(0)), ("hashtable", 2));
        // overwriting a field of a full listpack does not convert it
        let mut full = h(MAX_LISTPACK_ENTRIES);
        assert!(!full.set(b"f7", b"new", false));
        assert_eq!(full.encoding(), "listpack");
        assert!(full.remove(b"f7"));
        assert!(full.set(b"again", b"v", false));
        assert_eq!(full.encoding(), "listpack");
    }

    #[test]
    fn insertion_order_and_overwrites() {
        let mut x = h(4);
        x.set(b"f1", b"changed and longer than before", false);
        x.set(b"f2", b"", false);
        x.remove(b"f0");
        x.set(b"f0", b"back", false);
        let got: Vec<(&[u8], &[u8])> = x.iter(0).collect();
        assert_eq!(
            got,
            [(&b"f1"[..], &b"changed and longer than before"[..]), (b"f2", b""), (b"f3", b"v3"), (b"f0", b"back")]
        );
        assert_eq!(x.at(3, 0), Some((&b"f0"[..], &b"back"[..])));
        assert_eq!(x.at(4, 0), None);
        assert_eq!((x.stored_len(), x.len(0)), (4, 4));
        let mut seen = Vec::new();
        assert_eq!(x.scan(0, 0, |f, _| seen.push(f.to_vec())), 0);
        assert_eq!(seen.len(), 4);
    }

    #[test]
    fn a_small_hash_is_its_payload() {
        let mut x = Hash::new();
        for i in 0..10 {
            x.set(format!("field:{i}").as_bytes(), format!("value:{i:07}").as_bytes(), false);
        }
        // 7-byte fields, 13-byte values: one header byte per pair
        assert_eq!(x.mem_usage(), 10 * (1 + 7 + 13));
        assert!(!x.has_ttls());
    }

    #[test]
    fn ttls_survive_conversion_and_expire() {
        let mut x = h(3);
        x.set_ttl(b"f0", 100, TtlCond::Always, 10);
        x.set_ttl(b"f1", 50, TtlCond::Always, 10);
        assert!(x.has_ttls());
        assert_eq!(x.next_expiry(), Some(50));
        let mut y = x.clone();
        // a value of 65 bytes converts, expiries kept
        y.set(b"big", &[b'x'; 65], false);
        assert_eq!(y.encoding(), "hashtable");
        assert_eq!(
            (y.ttl(b"f0", 10), y.ttl(b"f1", 10), y.ttl(b"f2", 10)),
            (Some(Some(100)), Some(Some(50)), Some(None))
        );
        assert_eq!(y.next_expiry(), Some(50));
        let mut same = y.clone();
        same.remove(b"big");
        assert_eq!(x, same, "equal across encodings");
        // expiry: limit, then the rest
        for z in [&mut x, &mut y] {
            assert_eq!(z.len(101), z.stored_len() - 2);
            assert_eq!(z.expire_due(101, 1), 1);
            assert_eq!(z.next_expiry(), Some(100));
            assert_eq!(z.expire_due(101, 10), 1);
            assert_eq!(z.next_expiry(), None);
            assert_eq!(z.get(b"f2", 101), Some(&b"v2"[..]));
        }
        assert_eq!(x.encoding(), "listpackex");
        // a listpackex keeps its TTL'd fields first, by expiry
        let mut w = h(4);
        w.set_ttl(b"f3", 300, TtlCond::Always, 1);
        w.set_ttl(b"f1", 200, TtlCond::Always, 1);
        w.set_ttl(b"f2", 300, TtlCond::Always, 1);
        let order = |w: &Hash| w.iter(0).map(|p| p.0.to_vec()).collect::<Vec<_>>();
        assert_eq!(order(&w), [b"f1", b"f3", b"f2", b"f0"]);
        // HINCRBY-like overwrite keeps the place, HSET moves it last
        w.set(b"f3", b"longer value", true);
        assert_eq!(order(&w), [b"f1", b"f3", b"f2", b"f0"]);
        assert_eq!(w.ttl(b"f3", 1), Some(Some(300)));
        w.set(b"f1", b"x", false);
        assert_eq!(order(&w), [b"f3", b"f2", b"f0", b"f1"]);
        assert_eq!(w.persist(b"f2", 1), 1);
        assert_eq!(order(&w), [b"f3", b"f0", b"f1", b"f2"]);
        // expired fields are invisible to reads before they are removed
        assert_eq!(w.get(b"f3", 301), None);
        assert_eq!(w.len(301), 3);
        assert!(!w.is_empty(301));
        assert_eq!(w.set_ttl(b"f3", 5, TtlCond::Always, 301), TtlSet::NoField);
    }
}
