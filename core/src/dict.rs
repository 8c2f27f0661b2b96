//! The hash table behind each shard of a database.
//!
//! Open addressing with linear probing over a power-of-two array of
//! `Option<Slot>`; the table entries are the slots themselves, so a lookup
//! is two dependent memory accesses after hashing: the entry (its `tag`
//! rejects most non-matching entries without leaving the table), then the
//! entry's packed buffer holding key, expiry and a short value.
//!
//! Deletion is backward-shift (no tombstones): after removing an entry,
//! the following entries of its run move back while that keeps them at or
//! after their home bucket (`hash & mask`). So every entry sits in the
//! unbroken run of occupied entries that starts at its home, which is what
//! lookups rely on and what makes SCAN exact: SCAN visits, for the cursor's
//! bucket `b`, every entry whose *home* is `b` (walking from `b` to the next
//! empty entry), with Redis's reverse-binary cursor. Home buckets split and
//! merge with the table size just like the buckets of Redis's chained dict,
//! so every key present for a whole iteration is returned at least once
//! even while the table grows or shrinks between calls.
//!
//! An entry is 16 bytes: LRU/kind/encoding bits, the low 32 bits of the
//! key's hash (the tag: a cheap probe filter, and the home bucket, so a
//! resize never rehashes a key) and a [`ThinBytes`] pointer to
//! `[flags][expire: u64 LE if flags&HAS_EXPIRE][varint key len][key][tail]`
//! where the tail is a string of up to 64 bytes inline, or (flags&HAS_OBJ)
//! the `Value` itself for longer strings and collections (8-byte aligned by
//! padding after the key: up to 7 bytes, where a pointer to a boxed `Value`
//! would cost 8 and the box's own malloc block). A 16-byte key with a
//! 32-byte value is then one 56-byte malloc block and 16 bytes of table
//! divided by the load factor; a collection is the table entry, one block
//! for key and `Value`, and whatever the collection allocates itself.
//!
//! Load factors: the table doubles when it would pass 3/4 full (so right
//! after growing it is 3/8 full, ~43 bytes of table per key, and such a
//! key stays under 100 bytes all told at every size) and shrinks to at
//! most 1/2 full once under 1/8 full. At 3/4 a linear-probing miss scans
//! ~8.5 entries on average (2 cache lines of 16-byte entries), a hit ~2.5.
//! Capacities are powers of two for SCAN, so the load factor at a given
//! size is whatever it is in [3/8, 3/4]; a 1M-key database in 32 shards is
//! at ~0.48.

// Collection variants of `Value` arrive with the collection types; until then
// some arms that handle them are unreachable.
#![allow(unreachable_patterns)]

use std::sync::atomic::{AtomicU32, Ordering};

use crate::thin::ThinBytes;
use crate::value::{Kind, StrEnc, Value, ValueRef};

/// Strings up to this many bytes are stored inline with the key.
const INLINE_MAX: usize = 64;
const HAS_EXPIRE: u8 = 1;
/// The tail of `kv` is a `Value` owned by the slot.
const HAS_OBJ: u8 = 2;
/// Set by the `&mut` value accessors: the value may have changed since the
/// bit was last cleared (WATCH's change tracking reads and clears it).
const DIRTY: u8 = 4;
const OBJ: usize = std::mem::size_of::<Value>();
const OBJ_ALIGN: usize = std::mem::align_of::<Value>();
const _: () = assert!(crate::thin::ALIGN.is_multiple_of(OBJ_ALIGN));
/// Zeros to fill the padding and the `Value`'s place before it is written.
const ZEROS: [u8; OBJ_ALIGN - 1 + OBJ] = [0; OBJ_ALIGN - 1 + OBJ];
const MIN_CAP: usize = 4;

/// One key and its value: an entry of the table.
pub struct Slot {
    /// bits 0-3 kind, 4-7 string encoding, 8-31 LRU clock (seconds).
    meta: AtomicU32,
    /// The low 32 bits of the key's hash.
    tag: u32,
    /// `[flags][expire][varint key len][key][inline string | Value pointer]`
    kv: ThinBytes,
}

fn varint_len(mut n: usize) -> usize {
    let mut l = 1;
    while n >= 0x80 {
        n >>= 7;
        l += 1;
    }
    l
}

/// Packs key, expiry and either an inline string or an owned `Value`.
fn pack(key: &[u8], expire: Option<u64>, inline: &[u8], obj: Option<Value>) -> ThinBytes {
    let flags = if expire.is_some() { HAS_EXPIRE } else { 0 } | if obj.is_some() { HAS_OBJ } else { 0 };
    let mut head = [0u8; 1 + 8 + 10];
    head[0] = flags;
    let mut at = 1;
    if let Some(t) = expire {
        head[1..9].copy_from_slice(&t.to_le_bytes());
        at = 9;
    }
    let mut n = key.len();
    while n >= 0x80 {
        head[at] = (n as u8) | 0x80;
        n >>= 7;
        at += 1;
    }
    head[at] = n as u8;
    at += 1;
    debug_assert_eq!(at, 1 + if expire.is_some() { 8 } else { 0 } + varint_len(key.len()));
    let Some(obj) = obj else { return ThinBytes::from_parts(&[&head[..at], key, inline]) };
    debug_assert!(inline.is_empty());
    // Pad so that the value, at the end, starts on an aligned address.
    let pad = (OBJ_ALIGN - (crate::thin::HEADER + at + key.len()) % OBJ_ALIGN) % OBJ_ALIGN;
    let mut kv = ThinBytes::from_parts(&[&head[..at], key, &ZEROS[..pad + OBJ]]);
    let off = kv.len() - OBJ;
    // SAFETY: the last OBJ bytes of `kv` are ours to write, and aligned for
    // a `Value` (the allocation is aligned to thin::ALIGN and the padding
    // makes the offset from it a multiple of OBJ_ALIGN). Ownership of the
    // value passes to the slot (see `Slot::take_obj` and `Drop`).
    unsafe {
        let p = kv.as_mut_ptr().add(off).cast::<Value>();
        debug_assert!(p.is_aligned());
        p.write(obj)
    };
    kv
}

/// A value to store: owned, or string bytes borrowed from the caller (so a
/// short string is copied once, straight into the slot).
pub enum NewValue<'v> {
    Owned(Value),
    Bytes(&'v [u8], StrEnc),
}

impl From<Value> for NewValue<'_> {
    fn from(v: Value) -> Self {
        NewValue::Owned(v)
    }
}

impl Slot {
    fn new(key: &[u8], tag: u32, value: NewValue<'_>, expire: Option<u64>, lru: u32) -> Slot {
        let (kind, enc, kv) = match value {
            NewValue::Bytes(s, enc) if s.len() <= INLINE_MAX => (Kind::String, enc, pack(key, expire, s, None)),
            NewValue::Bytes(s, enc) => (Kind::String, enc, pack(key, expire, &[], Some(Value::Str(s.to_vec(), enc)))),
            NewValue::Owned(Value::Str(s, enc)) if s.len() <= INLINE_MAX => {
                (Kind::String, enc, pack(key, expire, &s, None))
            }
            NewValue::Owned(v) => (v.kind(), value_enc(&v), pack(key, expire, &[], Some(v))),
        };
        Slot { meta: AtomicU32::new(meta_bits(kind, enc, lru)), tag, kv }
    }

    #[inline]
    fn flags(&self) -> u8 {
        self.kv.as_slice()[0]
    }

    /// (offset of the key, key length)
    #[inline]
    fn key_span(&self) -> (usize, usize) {
        let kv = self.kv.as_slice();
        let mut i = if kv[0] & HAS_EXPIRE != 0 { 9 } else { 1 };
        let (mut len, mut shift) = (0usize, 0);
        loop {
            let b = kv[i];
            i += 1;
            len |= ((b & 0x7f) as usize) << shift;
            if b < 0x80 {
                break;
            }
            shift += 7;
        }
        (i, len)
    }

    #[inline]
    fn obj(&self) -> Option<&Value> {
        if self.flags() & HAS_OBJ == 0 {
            return None;
        }
        let off = self.kv.len() - OBJ;
        // SAFETY: with HAS_OBJ the last OBJ bytes hold the aligned `Value`
        // written by `pack`, owned by the slot until `take_obj` or drop;
        // `&self` keeps it alive and unmutated for the borrow.
        Some(unsafe { &*self.kv.as_ptr().add(off).cast::<Value>() })
    }

    fn obj_mut(&mut self) -> Option<&mut Value> {
        if self.flags() & HAS_OBJ == 0 {
            return None;
        }
        let off = self.kv.len() - OBJ;
        // SAFETY: as `obj`, and `&mut self` makes the access exclusive.
        Some(unsafe { &mut *self.kv.as_mut_ptr().add(off).cast::<Value>() })
    }

    /// Moves the value out, leaving the slot without one (and with no
    /// string tail); the caller repacks or drops the slot.
    fn take_obj(&mut self) -> Option<Value> {
        if self.flags() & HAS_OBJ == 0 {
            return None;
        }
        self.kv.as_mut_slice()[0] &= !HAS_OBJ;
        let off = self.kv.len() - OBJ;
        // SAFETY: as `obj`; clearing HAS_OBJ first means the slot never
        // uses or drops this copy again, so the value is moved out once.
        Some(unsafe { self.kv.as_ptr().add(off).cast::<Value>().read() })
    }

    #[inline]
    pub fn key(&self) -> &[u8] {
        let (at, len) = self.key_span();
        &self.kv.as_slice()[at..at + len]
    }

    /// Absolute expiry time in Unix milliseconds, if the key has one.
    #[inline]
    pub fn expire_at(&self) -> Option<u64> {
        let kv = self.kv.as_slice();
        if kv[0] & HAS_EXPIRE != 0 {
            Some(u64::from_le_bytes(kv[1..9].try_into().expect("8 bytes")))
        } else {
            None
        }
    }

    pub fn kind(&self) -> Kind {
        Kind::from_bits(self.meta.load(Ordering::Relaxed) as u8)
    }

    /// The encoding of a string value (meaningless for other kinds).
    pub fn str_enc(&self) -> StrEnc {
        StrEnc::from_bits((self.meta.load(Ordering::Relaxed) as u8) >> 4)
    }

    /// The bytes of a string value; `None` if the key holds another type.
    #[inline]
    pub fn as_str(&self) -> Option<&[u8]> {
        match self.value() {
            ValueRef::Str(s) => Some(s),
            ValueRef::Other(_) => None,
        }
    }

    #[inline]
    pub fn value(&self) -> ValueRef<'_> {
        match self.obj() {
            Some(Value::Str(s, _)) => ValueRef::Str(s),
            Some(v) => ValueRef::Other(v),
            None => {
                let (at, len) = self.key_span();
                ValueRef::Str(&self.kv.as_slice()[at + len..])
            }
        }
    }

    /// The stored collection, for in-place changes (not for strings).
    #[inline]
    pub fn value_mut(&mut self) -> Option<&mut Value> {
        if self.flags() & HAS_OBJ != 0 {
            self.kv.as_mut_slice()[0] |= DIRTY;
        }
        match self.obj_mut() {
            Some(Value::Str(..)) | None => None,
            Some(v) => Some(v),
        }
    }

    /// An owned copy of the value, with its encoding.
    pub fn to_value(&self) -> Value {
        match self.value() {
            ValueRef::Str(s) => Value::Str(s.to_vec(), self.str_enc()),
            ValueRef::Other(v) => v.clone(),
        }
    }

    /// Moves the value out (the slot is being dropped).
    fn into_value(mut self) -> Value {
        match self.take_obj() {
            Some(v) => v,
            None => self.to_value(),
        }
    }

    /// Replaces the value, keeping key and expiry.
    pub fn set_value(&mut self, value: Value) {
        let fresh = Slot::new(self.key(), self.tag, value.into(), self.expire_at(), self.lru());
        *self = fresh;
        self.kv.as_mut_slice()[0] |= DIRTY;
    }

    /// Whether a `&mut` accessor ran since the last call, clearing the mark.
    pub(crate) fn take_dirty(&mut self) -> bool {
        let flags = &mut self.kv.as_mut_slice()[0];
        let dirty = *flags & DIRTY != 0;
        *flags &= !DIRTY;
        dirty
    }

    /// Changes a string in place through `f` (which receives the current
    /// bytes, empty for a new key) and marks it `enc`. Long strings are
    /// edited without copying, so repeated APPENDs stay amortised O(1).
    pub fn update_str<R>(&mut self, enc: StrEnc, f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        let mut bytes = match self.take_obj() {
            Some(v) => match v {
                Value::Str(s, _) => s,
                other => {
                    self.set_value(other);
                    unreachable!("update_str on a non-string value");
                }
            },
            None => self.as_str().unwrap_or_default().to_vec(),
        };
        let r = f(&mut bytes);
        self.set_value(Value::Str(bytes, enc));
        r
    }

    pub(crate) fn set_expire(&mut self, expire: Option<u64>) {
        let obj = self.take_obj();
        let (at, len) = self.key_span();
        let kv = self.kv.as_slice();
        self.kv = pack(&kv[at..at + len], expire, if obj.is_some() { &[] } else { &kv[at + len..] }, obj);
    }

    /// LRU clock of the last access, in seconds (24 bits, as Redis).
    pub fn lru(&self) -> u32 {
        self.meta.load(Ordering::Relaxed) >> 8
    }

    /// Records an access; safe under a shared lock.
    #[inline]
    pub fn touch(&self, lru: u32) {
        let m = self.meta.load(Ordering::Relaxed);
        if m >> 8 != lru & 0xff_ffff {
            self.meta.store((m & 0xff) | (lru << 8), Ordering::Relaxed);
        }
    }

    /// Approximate bytes used by this entry (for INFO memory).
    pub fn mem_usage(&self) -> usize {
        std::mem::size_of::<Slot>() + self.kv.alloc_size() + self.obj().map_or(0, Value::mem_usage)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        drop(self.take_obj());
    }
}

fn value_enc(v: &Value) -> StrEnc {
    v.str_enc()
}

fn meta_bits(kind: Kind, enc: StrEnc, lru: u32) -> u32 {
    (kind as u32) | ((enc as u32) << 4) | ((lru & 0xff_ffff) << 8)
}

/// Whether two keys are equal: keys of 8 to 16 bytes (the common size)
/// compare as two overlapping words, inline, instead of calling memcmp.
#[inline]
fn key_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if (8..=16).contains(&n) {
        let word = |s: &[u8], at: usize| u64::from_ne_bytes(s[at..at + 8].try_into().expect("8 bytes"));
        return word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8);
    }
    a == b
}

/// An open-addressing hash table keyed by byte strings; callers supply the
/// hash.
pub struct Dict {
    /// Power-of-two length, never full (see the load factors above).
    table: Box<[Option<Slot>]>,
    len: usize,
    hasher: ahash::RandomState,
}

fn empty_table(n: usize) -> Box<[Option<Slot>]> {
    (0..n).map(|_| None).collect()
}

impl Dict {
    pub fn new(hasher: ahash::RandomState) -> Dict {
        Dict { table: empty_table(MIN_CAP), len: 0, hasher }
    }

    pub fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn mask(&self) -> usize {
        self.table.len() - 1
    }

    /// `Ok(index)` of the key, or `Err(index)` of the empty entry that
    /// ends its probe run (where it would be inserted).
    #[inline]
    fn find(&self, key: &[u8], hash: u64) -> Result<usize, usize> {
        let mask = self.mask();
        let tag = hash as u32;
        let mut i = tag as usize & mask;
        loop {
            match &self.table[i] {
                None => return Err(i),
                Some(s) if s.tag == tag && key_eq(s.key(), key) => return Ok(i),
                Some(_) => i = (i + 1) & mask,
            }
        }
    }

    #[inline]
    pub fn get(&self, key: &[u8], hash: u64) -> Option<&Slot> {
        self.find(key, hash).ok().and_then(|i| self.table[i].as_ref())
    }

    #[inline]
    pub fn get_mut(&mut self, key: &[u8], hash: u64) -> Option<&mut Slot> {
        self.find(key, hash).ok().and_then(|i| self.table[i].as_mut())
    }

    /// Inserts or replaces; for a replaced key returns `Some(its old expiry)`.
    pub fn insert<'v>(
        &mut self,
        key: &[u8],
        hash: u64,
        value: impl Into<NewValue<'v>>,
        expire: Option<u64>,
        lru: u32,
    ) -> Option<Option<u64>> {
        let slot = Slot::new(key, hash as u32, value.into(), expire, lru);
        match self.find(key, hash) {
            Ok(i) => {
                let old = self.table[i].replace(slot);
                Some(old.and_then(|s| s.expire_at()))
            }
            Err(i) => {
                assert!(self.len < u32::MAX as usize, "shard holds at most 2^32-1 keys");
                self.table[i] = Some(slot);
                self.len += 1;
                if self.len * 4 > self.table.len() * 3 {
                    self.resize(self.table.len() * 2);
                }
                None
            }
        }
    }

    /// Removes a key; returns its value and expiry.
    pub fn remove(&mut self, key: &[u8], hash: u64) -> Option<(Value, Option<u64>)> {
        let mut hole = self.find(key, hash).ok()?;
        let slot = self.table[hole].take().expect("found");
        self.len -= 1;
        // Backward shift: move each following entry of the run into the
        // hole unless its home lies in (hole, j], where it must stay.
        let mask = self.mask();
        let mut j = (hole + 1) & mask;
        while let Some(s) = &self.table[j] {
            let home = s.tag as usize & mask;
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.table[hole] = self.table[j].take();
                hole = j;
            }
            j = (j + 1) & mask;
        }
        let expire = slot.expire_at();
        let out = (slot.into_value(), expire);
        if self.table.len() > MIN_CAP && self.len * 8 < self.table.len() {
            self.resize((self.len * 2).max(MIN_CAP).next_power_of_two());
        }
        Some(out)
    }

    /// Asks the CPU to fetch the table entry where a probe for `hash`
    /// starts (a load works a few keys ahead).
    #[inline]
    pub fn prefetch(&self, hash: u64) {
        let i = hash as u32 as usize & self.mask();
        #[cfg(target_arch = "x86_64")]
        {
            let p = self.table.as_ptr().wrapping_add(i).cast::<i8>();
            // SAFETY: a prefetch is a hint: it reads nothing and cannot
            // fault; `p` points into the table anyway.
            #[allow(unused_unsafe)]
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p)
            };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = i;
    }

    /// Grows the table so that `n` keys fit without growing again.
    pub fn reserve(&mut self, n: usize) {
        let want = (n.saturating_mul(4) / 3 + 1).next_power_of_two().min(1 << 32);
        if want > self.table.len() {
            self.resize(want);
        }
    }

    fn resize(&mut self, n: usize) {
        debug_assert!(n.is_power_of_two() && n > self.len && n <= 1 << 32);
        if n == self.table.len() {
            return;
        }
        let old = std::mem::replace(&mut self.table, empty_table(n));
        let mask = n - 1;
        for slot in old.into_vec().into_iter().flatten() {
            let mut i = slot.tag as usize & mask;
            while self.table[i].is_some() {
                i = (i + 1) & mask;
            }
            self.table[i] = Some(slot);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Slot> {
        self.table.iter().filter_map(Option::as_ref)
    }

    /// The first slot at or after a random table position `r` (for random
    /// sampling: not uniform, a key after a long run is likelier, as with
    /// Redis's); `None` if the table is empty.
    pub fn sample(&self, r: u64) -> Option<&Slot> {
        if self.len == 0 {
            return None;
        }
        let mask = self.mask();
        let mut i = r as usize & mask;
        loop {
            if let Some(s) = &self.table[i] {
                return Some(s);
            }
            i = (i + 1) & mask;
        }
    }

    pub fn clear(&mut self) {
        self.table = empty_table(MIN_CAP);
        self.len = 0;
    }

    /// Keys whose hash is exactly `hash` (for the expiry sweep).
    pub fn keys_with_hash(&self, hash: u64) -> Vec<Vec<u8>> {
        let mask = self.mask();
        let mut out = Vec::new();
        let mut i = hash as usize & mask;
        while let Some(s) = &self.table[i] {
            if s.tag == hash as u32 && self.hash(s.key()) == hash {
                out.push(s.key().to_vec());
            }
            i = (i + 1) & mask;
        }
        out
    }

    /// Visits every entry whose home bucket is the cursor's and returns the
    /// next cursor, as Redis's `dictScan` on a table that is not rehashing
    /// (0 = done). Those entries all lie in the run from the home bucket to
    /// the next empty entry.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&Slot)) -> u64 {
        let mask = self.mask();
        let home = cursor as usize & mask;
        let mut i = home;
        while let Some(s) = &self.table[i] {
            if s.tag as usize & mask == home {
                f(s);
            }
            i = (i + 1) & mask;
        }
        let mut v = cursor | !(mask as u64);
        v = v.reverse_bits();
        v = v.wrapping_add(1);
        v.reverse_bits()
    }

    /// Visits every entry of group `g` of `groups` (a power of two): the
    /// entries whose hash's low bits are `g`. Their home buckets are every
    /// `groups`-th bucket from `g` (the table is at least that big) or,
    /// in a smaller table, somewhere in it (all entries are checked).
    pub fn for_group(&self, g: usize, groups: usize, mut f: impl FnMut(&Slot)) {
        debug_assert!(groups.is_power_of_two() && g < groups);
        let mask = self.mask();
        if self.table.len() < groups {
            for s in self.iter().filter(|s| s.tag as usize & (groups - 1) == g) {
                f(s);
            }
            return;
        }
        for home in (g..self.table.len()).step_by(groups) {
            let mut i = home;
            while let Some(s) = &self.table[i] {
                if s.tag as usize & mask == home {
                    f(s);
                }
                i = (i + 1) & mask;
            }
        }
    }

    pub fn mem_usage(&self) -> usize {
        (self.table.len() - self.len) * std::mem::size_of::<Option<Slot>>()
            + self.iter().map(Slot::mem_usage).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn dict() -> Dict {
        Dict::new(ahash::RandomState::with_seeds(1, 2, 3, 4))
    }

    fn put(d: &mut Dict, k: &[u8]) {
        let h = d.hash(k);
        d.insert(k, h, Value::string(k.to_vec()), None, 0);
    }

    #[test]
    fn insert_get_remove() {
        let mut d = dict();
        for i in 0..1000u32 {
            put(&mut d, format!("k{i}").as_bytes());
        }
        assert_eq!(d.len(), 1000);
        for i in (0..1000u32).step_by(2) {
            let k = format!("k{i}");
            let h = d.hash(k.as_bytes());
            assert!(d.remove(k.as_bytes(), h).is_some());
        }
        for i in 0..1000u32 {
            let k = format!("k{i}");
            let got = d.get(k.as_bytes(), d.hash(k.as_bytes())).map(|s| s.as_str().unwrap().to_vec());
            assert_eq!(got, (i % 2 == 1).then(|| k.into_bytes()));
        }
    }

    #[test]
    fn packed_fields() {
        let mut d = dict();
        let long = vec![b'x'; 300];
        let h = d.hash(b"key");
        d.insert(b"key", h, Value::string(long.clone()), Some(42), 7);
        let s = d.get_mut(b"key", h).unwrap();
        assert_eq!(s.key(), b"key");
        assert_eq!(s.expire_at(), Some(42));
        assert_eq!(s.as_str().unwrap(), &long[..]);
        assert_eq!(s.str_enc(), StrEnc::Raw);
        s.set_expire(None);
        s.update_str(StrEnc::Raw, |v| v.truncate(3));
        assert_eq!((s.as_str().unwrap(), s.expire_at(), s.lru()), (&b"xxx"[..], None, 7));
        let key = vec![b'k'; 200];
        let h = d.hash(&key);
        d.insert(&key, h, Value::string("v"), Some(9), 0);
        assert_eq!(d.get(&key, h).unwrap().key(), &key[..]);
        assert_eq!(d.get(&key, h).unwrap().expire_at(), Some(9));
    }

    #[test]
    fn entries_are_16_bytes() {
        assert_eq!(std::mem::size_of::<Option<Slot>>(), 16);
    }

    /// Every occupied entry is reachable from its home without crossing an
    /// empty entry (what lookups and SCAN rely on).
    fn check_runs(d: &Dict) {
        let mask = d.mask();
        for (i, e) in d.table.iter().enumerate() {
            if let Some(s) = e {
                let mut j = s.tag as usize & mask;
                while j != i {
                    assert!(d.table[j].is_some(), "hole between home and entry");
                    j = (j + 1) & mask;
                }
            }
        }
        assert_eq!(d.iter().count(), d.len());
    }

    #[test]
    fn random_ops_match_a_hashmap() {
        let mut d = dict();
        let mut model = std::collections::HashMap::new();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for step in 0..40_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // a small key space so inserts, replaces and removes all happen;
            // the range drifts so the table grows and shrinks
            let span = if (step / 10_000) % 2 == 0 { 3000 } else { 40 };
            let k = format!("k{}", x % span).into_bytes();
            let h = d.hash(&k);
            if x.is_multiple_of(3) {
                assert_eq!(d.remove(&k, h).map(|(v, _)| v), model.remove(&k));
            } else {
                let v = Value::string(format!("v{step}").repeat((x % 40) as usize));
                let had = d.insert(&k, h, v.clone(), x.is_multiple_of(2).then_some(step as u64), 0);
                assert_eq!(had.is_some(), model.insert(k, v).is_some());
            }
            if step % 997 == 0 {
                check_runs(&d);
            }
        }
        check_runs(&d);
        assert_eq!(d.len(), model.len());
        for (k, v) in &model {
            assert_eq!(&d.get(k, d.hash(k)).unwrap().to_value(), v);
        }
    }

    #[test]
    fn long_values_survive_moves_and_expiry_changes() {
        let mut d = dict();
        for i in 0..200u32 {
            let k = format!("k{i}");
            let h = d.hash(k.as_bytes());
            d.insert(k.as_bytes(), h, Value::string(vec![b'a' + (i % 26) as u8; 100 + i as usize]), None, 0);
        }
        for i in 0..200u32 {
            let k = format!("k{i}");
            let h = d.hash(k.as_bytes());
            let s = d.get_mut(k.as_bytes(), h).unwrap();
            s.set_expire(Some(i as u64));
            s.set_expire(Some(i as u64 + 1));
            assert_eq!(s.as_str().unwrap().len(), 100 + i as usize);
            assert_eq!(s.expire_at(), Some(i as u64 + 1));
        }
        for i in (0..200u32).step_by(3) {
            let k = format!("k{i}");
            let h = d.hash(k.as_bytes());
            let (v, e) = d.remove(k.as_bytes(), h).unwrap();
            assert_eq!(
                (v, e),
                (Value::Str(vec![b'a' + (i % 26) as u8; 100 + i as usize], StrEnc::Raw), Some(i as u64 + 1))
            );
        }
        assert_eq!(d.len(), 133);
        d.clear();
        assert!(d.is_empty() && d.iter().next().is_none());
    }

    /// Collections sit inside the entry's buffer, aligned whatever the key
    /// length; they survive table moves, repacking and in-place changes.
    #[test]
    fn inline_collections_for_every_key_length() {
        use crate::types::hash::Hash;
        let hash_of = |n: usize| {
            let mut h = Hash::new();
            for j in 0..n {
                h.set(format!("f{j}").as_bytes(), &vec![b'v'; j], false);
            }
            Value::Hash(h)
        };
        let mut d = dict();
        let keys: Vec<Vec<u8>> =
            (0..300).map(|i| vec![b'k'; i % 40].into_iter().chain(i.to_string().into_bytes()).collect()).collect();
        for (i, k) in keys.iter().enumerate() {
            let h = d.hash(k);
            d.insert(k, h, hash_of(i % 7), (i % 2 == 0).then_some(i as u64), 0);
        }
        for (i, k) in keys.iter().enumerate() {
            let h = d.hash(k);
            let s = d.get_mut(k, h).unwrap();
            let ValueRef::Other(v) = s.value() else { panic!("not a collection") };
            assert!((v as *const Value).is_aligned());
            assert_eq!(*v, hash_of(i % 7));
            s.set_expire(Some(7));
            let Some(Value::Hash(hash)) = s.value_mut() else { panic!("not a hash") };
            hash.set(b"extra", b"x", false);
            s.set_expire(None);
            assert_eq!(s.key(), &k[..]);
            assert_eq!(s.kind(), Kind::Hash);
        }
        for (i, k) in keys.iter().enumerate().step_by(2) {
            let h = d.hash(k);
            let (v, e) = d.remove(k, h).unwrap();
            let Value::Hash(mut got) = v else { panic!("not a hash") };
            assert!(got.remove(b"extra"));
            assert_eq!((Value::Hash(got), e), (hash_of(i % 7), None));
        }
        assert_eq!(d.len(), 150);
    }

    #[test]
    fn sampling_and_hash_lookup() {
        let mut d = dict();
        assert!(d.sample(0).is_none());
        for i in 0..100u32 {
            put(&mut d, format!("k{i}").as_bytes());
        }
        let sampled: HashSet<Vec<u8>> = (0..4096).map(|r| d.sample(r).unwrap().key().to_vec()).collect();
        assert_eq!(sampled.len(), 100, "every key starts some position");
        let h = d.hash(b"k7");
        assert_eq!(d.keys_with_hash(h), vec![b"k7".to_vec()]);
        assert!(d.keys_with_hash(h ^ (1 << 40)).is_empty());
    }

    #[test]
    fn scan_covers_keys_while_resizing() {
        let mut d = dict();
        for i in 0..500u32 {
            put(&mut d, format!("stay{i}").as_bytes());
        }
        let mut seen = HashSet::new();
        let (mut cursor, mut step) = (0u64, 0u32);
        loop {
            cursor = d.scan(cursor, |s| {
                seen.insert(s.key().to_vec());
            });
            step += 1;
            // grow and shrink the table while iterating
            if step % 3 == 0 {
                for j in 0..200u32 {
                    put(&mut d, format!("tmp{step}-{j}").as_bytes());
                }
            } else if step % 3 == 1 {
                let tmp: Vec<Vec<u8>> = d.iter().map(|s| s.key().to_vec()).filter(|k| k.starts_with(b"tmp")).collect();
                for k in tmp {
                    let h = d.hash(&k);
                    d.remove(&k, h);
                }
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..500u32 {
            assert!(seen.contains(format!("stay{i}").as_bytes()), "stay{i} missed");
        }
    }
}
