//! The `hashtable` encoding of big hashes: a chained table with a
//! power-of-two bucket array, so HSCAN can use Redis's reverse-binary
//! cursor and keep its guarantee while the table resizes.
//!
//! Every field is one allocation, `[flags][expiry u64?][varint field len]
//! [field][value]`, so a field of a million-field hash costs about 60 bytes
//! (the entry, a share of the buckets, the allocation). Fields with an
//! expiry are also indexed by (expiry, field).

use std::collections::BTreeSet;

const HAS_TTL: u8 = 1;
const NIL: u32 = 0;

/// One field, its value and expiry, in one allocation.
#[derive(Clone)]
pub struct Entry {
    data: Box<[u8]>,
    /// Next entry in the bucket chain, as index + 1.
    next: u32,
}

impl Entry {
    fn new(field: &[u8], value: &[u8], ttl: Option<u64>) -> Entry {
        let varint = (usize::BITS - (field.len() | 1).leading_zeros()).div_ceil(7) as usize;
        let mut d = Vec::with_capacity(1 + if ttl.is_some() { 8 } else { 0 } + varint + field.len() + value.len());
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

    pub fn field(&self) -> &[u8] {
        let (at, len) = self.span();
        &self.data[at..at + len]
    }

    pub fn value(&self) -> &[u8] {
        let (at, len) = self.span();
        &self.data[at + len..]
    }

    pub fn ttl(&self) -> Option<u64> {
        (self.data[0] & HAS_TTL != 0).then(|| u64::from_le_bytes(self.data[1..9].try_into().expect("8 bytes")))
    }

    pub fn live(&self, now: u64) -> bool {
        self.ttl().is_none_or(|t| t >= now)
    }

    fn rebuild(&mut self, value: Option<&[u8]>, ttl: Option<u64>) {
        let next = self.next;
        *self = Entry::new(self.field(), value.unwrap_or(self.value()), ttl);
        self.next = next;
    }
}

/// The hash of a field: fixed seeds, so a collection's HSCAN order (and
/// cursors) stay the same for its whole life.
pub fn field_hash(field: &[u8]) -> u64 {
    use std::sync::OnceLock;
    static H: OnceLock<ahash::RandomState> = OnceLock::new();
    H.get_or_init(|| ahash::RandomState::with_seeds(0x9e37, 0x79b9, 0x7f4a, 0x7c15)).hash_one(field)
}

#[derive(Clone)]
pub struct Table {
    /// Dense storage indexed by the chains.
    entries: Vec<Entry>,
    /// Bucket heads (index + 1); a power of two long.
    buckets: Vec<u32>,
    /// (expiry, field) of every field that has one.
    ttls: BTreeSet<(u64, Box<[u8]>)>,
}

impl Table {
    pub fn with_capacity(n: usize) -> Table {
        Table {
            entries: Vec::with_capacity(n),
            buckets: vec![NIL; n.max(4).next_power_of_two()],
            ttls: BTreeSet::new(),
        }
    }

    pub fn stored_len(&self) -> usize {
        self.entries.len()
    }

    pub fn has_ttls(&self) -> bool {
        !self.ttls.is_empty()
    }

    /// Live fields at `now`.
    pub fn len(&self, now: u64) -> usize {
        self.entries.len() - self.ttls.range(..(now, Box::from(&[][..]))).count()
    }

    fn mask(&self) -> u64 {
        self.buckets.len() as u64 - 1
    }

    pub fn find(&self, field: &[u8]) -> Option<usize> {
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

    pub fn entry(&self, i: usize) -> &Entry {
        &self.entries[i]
    }

    pub fn entries(&self) -> std::slice::Iter<'_, Entry> {
        self.entries.iter()
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

    /// A table of `n` fields given once each (a snapshot load): sized once.
    /// Fields in [`field_hash`] order (as snapshots write big hashes) are
    /// checked for repeats against their neighbours of equal hash; others
    /// against a temporary index of the hashes (so a check does not read
    /// the fields it passes). `None` if a field repeats.
    pub fn from_fields<'f>(
        n: usize,
        fields: impl Iterator<Item = (&'f [u8], &'f [u8], Option<u64>)> + Clone,
    ) -> Option<Table> {
        let hashes: Vec<u64> = fields.clone().map(|(f, _, _)| field_hash(f)).collect();
        let in_order = hashes.windows(2).all(|w| w[0] <= w[1]);
        let mut t = Table::with_capacity(n);
        let mut seen: Option<hashbrown::HashTable<(u64, u32)>> =
            (!in_order).then(|| hashbrown::HashTable::with_capacity(n));
        let mut run = 0;
        for (i, ((field, value, ttl), &h)) in fields.zip(&hashes).enumerate() {
            let entries = &t.entries;
            match seen.as_mut() {
                Some(seen) => {
                    if seen.find(h, |&(eh, j)| eh == h && entries[j as usize].field() == field).is_some() {
                        return None;
                    }
                    seen.insert_unique(h, (h, i as u32), |&(eh, _)| eh);
                }
                None => {
                    if i > 0 && hashes[i - 1] != h {
                        run = i;
                    }
                    if entries[run..i].iter().any(|e| e.field() == field) {
                        return None;
                    }
                }
            }
            t.push_hashed(field, value, ttl, h);
        }
        Some(t)
    }

    /// Adds a field that is not there.
    pub fn push(&mut self, field: &[u8], value: &[u8], ttl: Option<u64>) {
        self.push_hashed(field, value, ttl, field_hash(field));
    }

    fn push_hashed(&mut self, field: &[u8], value: &[u8], ttl: Option<u64>, h: u64) {
        if let Some(t) = ttl {
            self.ttls.insert((t, Box::from(field)));
        }
        let mut e = Entry::new(field, value, ttl);
        if self.entries.len() >= self.buckets.len() {
            self.rebucket(self.buckets.len() * 2);
        }
        let b = (h & self.mask()) as usize;
        e.next = self.buckets[b];
        self.entries.push(e);
        self.buckets[b] = self.entries.len() as u32;
    }

    /// Sets a field (see `Hash::set`); true if it is new.
    pub fn set(&mut self, field: &[u8], value: &[u8], keep_ttl: bool) -> bool {
        let Some(i) = self.find(field) else {
            self.push(field, value, None);
            return true;
        };
        let old = self.entries[i].ttl();
        let ttl = if keep_ttl { old } else { None };
        if let (Some(t), None) = (old, ttl) {
            self.ttls.remove(&(t, Box::from(field)));
        }
        let e = &mut self.entries[i];
        if ttl == old && e.value().len() == value.len() {
            // Same layout: overwrite the value where it is.
            let at = e.data.len() - value.len();
            e.data[at..].copy_from_slice(value);
        } else {
            e.rebuild(Some(value), ttl);
        }
        false
    }

    /// Removes a field (live or not); true if it was stored.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        let Some(i) = self.find(field) else { return false };
        if let Some(t) = self.entries[i].ttl() {
            self.ttls.remove(&(t, Box::from(field)));
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

    /// Removes the fields that expired before `now`, at most `limit`.
    pub fn expire_due(&mut self, now: u64, limit: usize) -> usize {
        let due: Vec<Box<[u8]>> =
            self.ttls.iter().take_while(|(t, _)| *t < now).take(limit).map(|(_, f)| f.clone()).collect();
        for f in &due {
            self.remove(f);
        }
        due.len()
    }

    pub fn next_expiry(&self) -> Option<u64> {
        self.ttls.first().map(|(t, _)| *t)
    }

    /// Sets or clears the expiry of entry `i`.
    pub fn put_ttl(&mut self, i: usize, ttl: Option<u64>) {
        let field: Box<[u8]> = Box::from(self.entries[i].field());
        if let Some(old) = self.entries[i].ttl() {
            self.ttls.remove(&(old, field.clone()));
        }
        if let Some(t) = ttl {
            self.ttls.insert((t, field));
        }
        self.entries[i].rebuild(None, ttl);
    }

    /// Visits the bucket `cursor` names and returns the next cursor, as
    /// Redis's `dictScan` (0 = done).
    pub fn scan(&self, cursor: u64, now: u64, mut f: impl FnMut(&[u8], &[u8])) -> u64 {
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

    pub fn mem_usage(&self) -> usize {
        std::mem::size_of::<Table>()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.buckets.capacity() * 4
            + self.entries.iter().map(|e| e.data.len()).sum::<usize>()
            + self.ttls.len() * 48
    }

    #[cfg(test)]
    pub fn buckets(&self) -> usize {
        self.buckets.len()
    }
}
