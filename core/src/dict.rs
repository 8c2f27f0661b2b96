//! The hash table behind each shard of a database.
//!
//! A chained table with a power-of-two number of buckets, as Redis's dict:
//! that is what lets SCAN's reverse-binary cursor return every key present
//! for a whole iteration at least once even while the table grows or
//! shrinks between calls. Entries live in one dense `Vec<Slot>` (buckets and
//! chains hold slot indices), so a uniformly random key is one index away
//! and removal is a swap-remove.
//!
//! Each slot packs the key, its expiry time and a short string value into
//! one allocation (`kv`), which keeps a 16-byte key with a 32-byte value
//! under 100 bytes all told. Longer strings and collections live in `obj`.

// Collection variants of `Value` arrive with the collection types; until then
// some arms that handle them are unreachable.
#![allow(unreachable_patterns)]

use std::sync::atomic::{AtomicU32, Ordering};

use crate::value::{Kind, StrEnc, Value, ValueRef};

/// Strings up to this many bytes are stored inline with the key.
const INLINE_MAX: usize = 64;
const HAS_EXPIRE: u8 = 1;
const NIL: u32 = 0;
const MIN_BUCKETS: usize = 4;

/// One key and its value.
pub struct Slot {
    /// Next slot in the bucket chain, as index + 1 (0 ends the chain).
    next: u32,
    /// bits 0-3 kind, 4-7 string encoding, 8-31 LRU clock (seconds).
    meta: AtomicU32,
    /// `[flags][expire: u64 LE if flags&HAS_EXPIRE][varint key len][key][inline string]`
    kv: Box<[u8]>,
    /// Long strings (as `Value::Str`) and collections.
    obj: Option<Box<Value>>,
}

fn varint_len(mut n: usize) -> usize {
    let mut l = 1;
    while n >= 0x80 {
        n >>= 7;
        l += 1;
    }
    l
}

fn pack(key: &[u8], expire: Option<u64>, inline: &[u8]) -> Box<[u8]> {
    // Exact capacity: `into_boxed_slice` shrinks in place, and glibc does
    // not split a chunk for a few bytes, so any slack here stays allocated.
    let expire_len = if expire.is_some() { 8 } else { 0 };
    let mut kv = Vec::with_capacity(1 + expire_len + varint_len(key.len()) + key.len() + inline.len());
    kv.push(if expire.is_some() { HAS_EXPIRE } else { 0 });
    if let Some(t) = expire {
        kv.extend_from_slice(&t.to_le_bytes());
    }
    let mut n = key.len();
    while n >= 0x80 {
        kv.push((n as u8) | 0x80);
        n >>= 7;
    }
    kv.push(n as u8);
    kv.extend_from_slice(key);
    kv.extend_from_slice(inline);
    kv.into_boxed_slice()
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
    fn new(key: &[u8], value: NewValue<'_>, expire: Option<u64>, lru: u32) -> Slot {
        let (kind, enc, kv, obj) = match value {
            NewValue::Bytes(s, enc) if s.len() <= INLINE_MAX => (Kind::String, enc, pack(key, expire, s), None),
            NewValue::Bytes(s, enc) => {
                (Kind::String, enc, pack(key, expire, &[]), Some(Box::new(Value::Str(s.to_vec(), enc))))
            }
            NewValue::Owned(Value::Str(s, enc)) if s.len() <= INLINE_MAX => {
                (Kind::String, enc, pack(key, expire, &s), None)
            }
            NewValue::Owned(v) => (v.kind(), value_enc(&v), pack(key, expire, &[]), Some(Box::new(v))),
        };
        Slot { next: NIL, meta: AtomicU32::new(meta_bits(kind, enc, lru)), kv, obj }
    }

    /// (offset of the key, key length)
    fn key_span(&self) -> (usize, usize) {
        let mut i = if self.kv[0] & HAS_EXPIRE != 0 { 9 } else { 1 };
        let (mut len, mut shift) = (0usize, 0);
        loop {
            let b = self.kv[i];
            i += 1;
            len |= ((b & 0x7f) as usize) << shift;
            if b < 0x80 {
                break;
            }
            shift += 7;
        }
        (i, len)
    }

    pub fn key(&self) -> &[u8] {
        let (at, len) = self.key_span();
        &self.kv[at..at + len]
    }

    /// Absolute expiry time in Unix milliseconds, if the key has one.
    pub fn expire_at(&self) -> Option<u64> {
        if self.kv[0] & HAS_EXPIRE != 0 {
            Some(u64::from_le_bytes(self.kv[1..9].try_into().expect("8 bytes")))
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
    pub fn as_str(&self) -> Option<&[u8]> {
        match self.value() {
            ValueRef::Str(s) => Some(s),
            ValueRef::Other(_) => None,
        }
    }

    pub fn value(&self) -> ValueRef<'_> {
        match self.obj.as_deref() {
            Some(Value::Str(s, _)) => ValueRef::Str(s),
            Some(v) => ValueRef::Other(v),
            None => {
                let (at, len) = self.key_span();
                ValueRef::Str(&self.kv[at + len..])
            }
        }
    }

    /// The stored collection, for in-place changes (not for strings).
    pub fn value_mut(&mut self) -> Option<&mut Value> {
        match self.obj.as_deref_mut() {
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

    /// Replaces the value, keeping key and expiry.
    pub fn set_value(&mut self, value: Value) {
        let lru = self.lru();
        let expire = self.expire_at();
        let mut fresh = Slot::new(self.key(), value.into(), expire, lru);
        fresh.next = self.next;
        *self = fresh;
    }

    /// Changes a string in place through `f` (which receives the current
    /// bytes, empty for a new key) and marks it `enc`. Long strings are
    /// edited without copying, so repeated APPENDs stay amortised O(1).
    pub fn update_str<R>(&mut self, enc: StrEnc, f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        let mut bytes = match self.obj.take() {
            Some(v) => match *v {
                Value::Str(s, _) => s,
                other => {
                    self.obj = Some(Box::new(other));
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
        let (at, len) = self.key_span();
        let key_and_inline = self.kv[at..].to_vec();
        let inline = &key_and_inline[len..];
        self.kv = pack(&key_and_inline[..len], expire, inline);
    }

    /// LRU clock of the last access, in seconds (24 bits, as Redis).
    pub fn lru(&self) -> u32 {
        self.meta.load(Ordering::Relaxed) >> 8
    }

    /// Records an access; safe under a shared lock.
    pub fn touch(&self, lru: u32) {
        let m = self.meta.load(Ordering::Relaxed);
        if m >> 8 != lru & 0xff_ffff {
            self.meta.store((m & 0xff) | (lru << 8), Ordering::Relaxed);
        }
    }

    /// Approximate bytes used by this entry (for INFO memory).
    pub fn mem_usage(&self) -> usize {
        std::mem::size_of::<Slot>()
            + self.kv.len()
            + match self.obj.as_deref() {
                Some(Value::Str(s, _)) => s.capacity() + std::mem::size_of::<Value>(),
                Some(_) => std::mem::size_of::<Value>(),
                None => 0,
            }
    }
}

fn value_enc(v: &Value) -> StrEnc {
    v.str_enc()
}

fn meta_bits(kind: Kind, enc: StrEnc, lru: u32) -> u32 {
    (kind as u32) | ((enc as u32) << 4) | ((lru & 0xff_ffff) << 8)
}

/// A chained hash table keyed by byte strings; callers supply the hash.
pub struct Dict {
    buckets: Vec<u32>,
    slots: Vec<Slot>,
    hasher: ahash::RandomState,
}

impl Dict {
    pub fn new(hasher: ahash::RandomState) -> Dict {
        Dict { buckets: vec![NIL; MIN_BUCKETS], slots: Vec::new(), hasher }
    }

    pub fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    fn mask(&self) -> u64 {
        (self.buckets.len() - 1) as u64
    }

    fn find(&self, key: &[u8], hash: u64) -> Option<usize> {
        let mut cur = self.buckets[(hash & self.mask()) as usize];
        while cur != NIL {
            let i = (cur - 1) as usize;
            if self.slots[i].key() == key {
                return Some(i);
            }
            cur = self.slots[i].next;
        }
        None
    }

    pub fn get(&self, key: &[u8], hash: u64) -> Option<&Slot> {
        self.find(key, hash).map(|i| &self.slots[i])
    }

    pub fn get_mut(&mut self, key: &[u8], hash: u64) -> Option<&mut Slot> {
        self.find(key, hash).map(|i| &mut self.slots[i])
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
        let value = value.into();
        if let Some(i) = self.find(key, hash) {
            let slot = &mut self.slots[i];
            let old_expire = slot.expire_at();
            let next = slot.next;
            *slot = Slot::new(key, value, expire, lru);
            slot.next = next;
            return Some(old_expire);
        }
        assert!(self.slots.len() < (u32::MAX - 1) as usize, "shard holds at most 2^32-2 keys");
        let b = (hash & self.mask()) as usize;
        let mut slot = Slot::new(key, value, expire, lru);
        slot.next = self.buckets[b];
        self.slots.push(slot);
        self.buckets[b] = self.slots.len() as u32;
        if self.slots.len() > self.buckets.len() {
            self.resize(self.slots.len() * 2);
        }
        None
    }

    /// Removes a key; returns its value and expiry.
    pub fn remove(&mut self, key: &[u8], hash: u64) -> Option<(Value, Option<u64>)> {
        let i = self.find(key, hash)?;
        let after = self.slots[i].next;
        self.replace_link(hash, (i + 1) as u32, after);
        let last = self.slots.len() - 1;
        if i != last {
            let moved_hash = self.hash(self.slots[last].key());
            self.replace_link(moved_hash, (last + 1) as u32, (i + 1) as u32);
        }
        let slot = self.slots.swap_remove(i);
        let out = (slot.to_value(), slot.expire_at());
        if self.buckets.len() > MIN_BUCKETS && self.slots.len() * 8 < self.buckets.len() {
            self.resize(self.slots.len());
        }
        Some(out)
    }

    /// Repoints the link (bucket head or a slot's `next`) that refers to
    /// `old` at `new`, in the chain of bucket `hash & mask`. Unlinking slot
    /// `i` repoints `i + 1` at its successor; moving slot `from` to `to`
    /// (before a swap-remove) repoints `from + 1` at `to + 1`.
    fn replace_link(&mut self, hash: u64, old: u32, new: u32) {
        let b = (hash & self.mask()) as usize;
        if self.buckets[b] == old {
            self.buckets[b] = new;
            return;
        }
        let mut cur = self.buckets[b];
        while cur != NIL {
            let s = &mut self.slots[(cur - 1) as usize];
            if s.next == old {
                s.next = new;
                return;
            }
            cur = s.next;
        }
        unreachable!("slot is in its bucket's chain");
    }

    fn resize(&mut self, want: usize) {
        let n = want.max(MIN_BUCKETS).next_power_of_two();
        if n == self.buckets.len() {
            return;
        }
        self.buckets = vec![NIL; n];
        let mask = (n - 1) as u64;
        for i in 0..self.slots.len() {
            let b = (self.hasher.hash_one(self.slots[i].key()) & mask) as usize;
            self.slots[i].next = self.buckets[b];
            self.buckets[b] = (i + 1) as u32;
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Slot> {
        self.slots.iter()
    }

    /// The slot at a dense index (for uniform random sampling).
    pub fn slot_at(&self, i: usize) -> Option<&Slot> {
        self.slots.get(i)
    }

    pub fn clear(&mut self) {
        self.slots = Vec::new();
        self.buckets = vec![NIL; MIN_BUCKETS];
    }

    /// Keys in the bucket chain a hash maps to (for the expiry sweep).
    pub fn chain_keys(&self, hash: u64) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut cur = self.buckets[(hash & self.mask()) as usize];
        while cur != NIL {
            let s = &self.slots[(cur - 1) as usize];
            out.push(s.key().to_vec());
            cur = s.next;
        }
        out
    }

    /// Visits one bucket for the cursor and returns the next cursor, as
    /// Redis's `dictScan` on a table that is not rehashing (0 = done).
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&Slot)) -> u64 {
        let mask = self.mask();
        let mut cur = self.buckets[(cursor & mask) as usize];
        while cur != NIL {
            let s = &self.slots[(cur - 1) as usize];
            f(s);
            cur = s.next;
        }
        let mut v = cursor | !mask;
        v = v.reverse_bits();
        v = v.wrapping_add(1);
        v.reverse_bits()
    }

    pub fn mem_usage(&self) -> usize {
        self.buckets.capacity() * 4
            + (self.slots.capacity() - self.slots.len()) * std::mem::size_of::<Slot>()
            + self.slots.iter().map(Slot::mem_usage).sum::<usize>()
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
