//! The sorted set: members ordered by (score, member bytes), as Redis
//! orders them.
//!
//! Two encodings, as OBJECT ENCODING reports them:
//! * `listpack`: a sorted vector of (score, member), while the set has at
//!   most 128 members of at most 64 bytes each (zset-max-listpack-entries /
//!   -value). Redis never converts back when a set shrinks; neither do we.
//! * `skiplist`: an arena of entries, a hash table of arena indices (member
//!   → entry, O(1) ZSCORE) and an order-statistics list of arena indices
//!   sorted by (score, member): chunks of at most [`CHUNK`] indices with a
//!   Fenwick tree over the chunk lengths, so rank, select and range
//!   lookups are O(log n) and an insert moves at most one chunk's worth of
//!   4-byte indices. An entry keeps a member of up to 22 bytes inline
//!   ([`Bytes`]), so ZSCORE reaches it in the entry the index points to
//!   (index, entry: no third dependent miss for the member's box) and
//!   ZRANGE reads one entry per member. About 50 bytes per short member.

use std::cmp::Ordering;
use std::sync::OnceLock;

use hashbrown::HashTable;

use crate::types::bytes::Bytes;

/// zset-max-listpack-entries.
pub const MAX_LISTPACK_ENTRIES: usize = 128;
/// zset-max-listpack-value.
pub const MAX_LISTPACK_VALUE: usize = 64;
/// Largest chunk of the order list before it splits.
const CHUNK: usize = 512;

/// A score as a listpack keeps it: Redis stores a score that is an
/// integer as one (`double2ll`), so -0 reads back as 0 there (the
/// skiplist keeps -0).
fn listpack_score(s: f64) -> f64 {
    if s == 0.0 {
        0.0
    } else {
        s
    }
}

/// Redis's order: by score, then by member bytes (memcmp, shorter first).
pub fn cmp(a: (f64, &[u8]), b: (f64, &[u8])) -> Ordering {
    a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal).then_with(|| a.1.cmp(b.1))
}

#[derive(Clone, Debug, PartialEq)]
pub struct ZSet {
    repr: Repr,
}

#[derive(Clone, Debug)]
enum Repr {
    Small(Vec<(f64, Box<[u8]>)>),
    Big(Big),
}

impl PartialEq for Repr {
    fn eq(&self, other: &Repr) -> bool {
        let a = ZSet { repr: self.clone() };
        let b = ZSet { repr: other.clone() };
        a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.0 == y.0 && x.1.to_bits() == y.1.to_bits())
    }
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::new()
    }
}

impl ZSet {
    /// An empty listpack-encoded set.
    pub fn new() -> ZSet {
        ZSet { repr: Repr::Small(Vec::new()) }
    }

    /// A set for `size_hint` members of up to `len_hint` bytes, encoded as
    /// Redis 7.2's `zsetTypeCreate` would.
    pub fn with_hint(size_hint: usize, len_hint: usize) -> ZSet {
        if size_hint <= MAX_LISTPACK_ENTRIES && len_hint <= MAX_LISTPACK_VALUE {
            ZSet::new()
        } else {
            ZSet { repr: Repr::Big(Big::default()) }
        }
    }

    /// Converts to the big encoding if `size_hint` members would not fit a
    /// listpack (Redis 7.2's `zsetTypeMaybeConvert`).
    pub fn maybe_convert(&mut self, size_hint: usize) {
        if size_hint > MAX_LISTPACK_ENTRIES {
            self.convert();
        }
    }

    /// Builds a set from members in (score, member) order, encoded as a
    /// *STORE result is (`zsetConvertToListpackIfNeeded`).
    pub fn from_sorted(items: Vec<(f64, Vec<u8>)>) -> ZSet {
        let small = items.len() <= MAX_LISTPACK_ENTRIES && items.iter().all(|i| i.1.len() <= MAX_LISTPACK_VALUE);
        if small {
            let v = items.into_iter().map(|(s, m)| (listpack_score(s), m.into_boxed_slice())).collect();
            return ZSet { repr: Repr::Small(v) };
        }
        ZSet { repr: Repr::Big(Big::from_sorted(items.iter().map(|(s, m)| (*s, m.as_slice())), items.len())) }
    }

    /// [`ZSet::from_sorted`] from borrowed members (a snapshot load builds
    /// big sets this way: appended in order, no search per member). The
    /// items must be in strictly increasing (score, member) order; a
    /// repeated member is left out (the length tells).
    pub fn from_sorted_refs(items: &[(f64, &[u8])]) -> ZSet {
        let small = items.len() <= MAX_LISTPACK_ENTRIES && items.iter().all(|i| i.1.len() <= MAX_LISTPACK_VALUE);
        if small {
            let v = items.iter().map(|&(s, m)| (listpack_score(s), Box::from(m))).collect();
            return ZSet { repr: Repr::Small(v) };
        }
        ZSet { repr: Repr::Big(Big::from_sorted(items.iter().copied(), items.len())) }
    }

    pub fn encoding(&self) -> &'static str {
        match self.repr {
            Repr::Small(_) => "listpack",
            Repr::Big(_) => "skiplist",
        }
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Small(v) => v.len(),
            Repr::Big(b) => b.entries.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match &self.repr {
            Repr::Small(v) => v.iter().find(|e| &*e.1 == member).map(|e| e.0),
            Repr::Big(b) => b.find(member).map(|i| b.entries[i].score),
        }
    }

    /// The member at ascending rank `i` (< len) and its score.
    pub fn get(&self, i: usize) -> (&[u8], f64) {
        match &self.repr {
            Repr::Small(v) => (&v[i].1, v[i].0),
            Repr::Big(b) => {
                let e = &b.entries[b.order.at(i) as usize];
                (&e.member, e.score)
            }
        }
    }

    /// Ascending rank of a member, with its score.
    pub fn rank(&self, member: &[u8]) -> Option<(usize, f64)> {
        let score = self.score(member)?;
        Some((self.partition_point(|s, m| cmp((s, m), (score, member)) == Ordering::Less), score))
    }

    /// The number of leading members (in order) for which `pred` holds;
    /// `pred` must hold for a prefix of the order and not after it.
    pub fn partition_point(&self, mut pred: impl FnMut(f64, &[u8]) -> bool) -> usize {
        match &self.repr {
            Repr::Small(v) => v.partition_point(|e| pred(e.0, &e.1)),
            Repr::Big(b) => b.order.partition_point(|i| {
                let e = &b.entries[i as usize];
                pred(e.score, &e.member)
            }),
        }
    }

    /// Calls `f` on the members of ranks `start..end`, in order.
    pub fn for_range<'a>(&'a self, start: usize, end: usize, mut f: impl FnMut(&'a [u8], f64)) {
        let end = end.min(self.len());
        if start >= end {
            return;
        }
        match &self.repr {
            Repr::Small(v) => v[start..end].iter().for_each(|e| f(&e.1, e.0)),
            Repr::Big(b) => b.order.for_range(start, end, |i| {
                let e = &b.entries[i as usize];
                f(&e.member, e.score)
            }),
        }
    }

    /// Every member in order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], f64)> + '_ {
        let mut v = Vec::with_capacity(self.len());
        self.for_range(0, self.len(), |m, s| v.push((m, s)));
        v.into_iter()
    }

    /// Adds a member or changes its score; returns the old score.
    pub fn insert(&mut self, member: &[u8], score: f64) -> Option<f64> {
        if let Repr::Small(v) = &self.repr {
            if (v.len() >= MAX_LISTPACK_ENTRIES || member.len() > MAX_LISTPACK_VALUE) && self.score(member).is_none() {
                self.convert();
            }
        }
        match &mut self.repr {
            Repr::Small(v) => {
                let score = listpack_score(score);
                let old = v.iter().position(|e| &*e.1 == member).map(|i| v.remove(i));
                let at = v.partition_point(|e| cmp((e.0, &e.1), (score, member)) == Ordering::Less);
                let m = old.as_ref().map_or_else(|| member.into(), |o| o.1.clone());
                v.insert(at, (score, m));
                old.map(|o| o.0)
            }
            Repr::Big(b) => b.insert(member, score),
        }
    }

    /// Removes a member; returns its score.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        match &mut self.repr {
            Repr::Small(v) => {
                let i = v.iter().position(|e| &*e.1 == member)?;
                Some(v.remove(i).0)
            }
            Repr::Big(b) => b.remove(member),
        }
    }

    /// Removes the members of ranks `start..end`; returns how many went.
    pub fn remove_range(&mut self, start: usize, end: usize) -> usize {
        let end = end.min(self.len());
        if start >= end {
            return 0;
        }
        match &mut self.repr {
            Repr::Small(v) => {
                v.drain(start..end);
            }
            Repr::Big(_) => {
                let mut gone: Vec<Vec<u8>> = Vec::with_capacity(end - start);
                self.for_range(start, end, |m, _| gone.push(m.to_vec()));
                for m in gone {
                    self.remove(&m);
                }
            }
        }
        end - start
    }

    fn convert(&mut self) {
        if let Repr::Small(v) = &mut self.repr {
            let mut b = Big::default();
            for (s, m) in std::mem::take(v) {
                b.insert(&m, s);
            }
            self.repr = Repr::Big(b);
        }
    }

    /// One ZSCAN step from `cursor`, at least `count` members (all of them,
    /// cursor 0, for a listpack, as Redis). The big encoding visits members
    /// in order of a fixed hash of the member and returns the next hash to
    /// visit as the cursor, so a member present for the whole iteration is
    /// returned whatever happens between calls. Each call is O(n log count):
    /// batches grow with the set so a full iteration stays O(n log n).
    pub fn scan(&self, cursor: u64, count: usize) -> (u64, Vec<(&[u8], f64)>) {
        let Repr::Big(b) = &self.repr else { return (0, self.iter().collect()) };
        let batch = count.max(1).max(b.entries.len() / 16);
        // The `batch` smallest hashes >= cursor, in a max-heap.
        let mut heap: std::collections::BinaryHeap<(u64, u32)> = std::collections::BinaryHeap::new();
        for (i, e) in b.entries.iter().enumerate() {
            let h = scan_hash(&e.member);
            if h < cursor {
                continue;
            }
            if heap.len() < batch {
                heap.push((h, i as u32));
            } else if h < heap.peek().map_or(u64::MAX, |t| t.0) {
                heap.pop();
                heap.push((h, i as u32));
            }
        }
        let full = heap.len() == batch;
        let mut picked = heap.into_vec();
        picked.sort_unstable();
        // Members sharing the last hash must come in the same batch.
        let mut next = 0;
        if full {
            if let Some(&(last, _)) = picked.last() {
                for (i, e) in b.entries.iter().enumerate() {
                    if scan_hash(&e.member) == last && !picked.iter().any(|p| p.1 == i as u32) {
                        picked.push((last, i as u32));
                    }
                }
                next = last + 1;
            }
        }
        let out = picked.iter().map(|&(_, i)| (&*b.entries[i as usize].member, b.entries[i as usize].score)).collect();
        (next, out)
    }

    /// Approximate heap bytes (for MEMORY USAGE-style estimates and tests).
    pub fn heap_bytes(&self) -> usize {
        match &self.repr {
            Repr::Small(v) => v.capacity() * 24 + v.iter().map(|e| e.1.len()).sum::<usize>(),
            Repr::Big(b) => {
                b.entries.capacity() * std::mem::size_of::<Entry>()
                    + b.entries.iter().map(|e| e.member.heap_len().next_multiple_of(16)).sum::<usize>()
                    + b.index.allocation_size()
                    + b.order.chunks.iter().map(|c| c.capacity() * 4 + 24).sum::<usize>()
                    + b.order.fen.capacity() * 8
            }
        }
    }
}

/// The ZSCAN order: a fixed hash (63 bits, so `hash + 1` never wraps).
fn scan_hash(member: &[u8]) -> u64 {
    hasher().hash_one(member) >> 1
}

fn hasher() -> &'static ahash::RandomState {
    static H: OnceLock<ahash::RandomState> = OnceLock::new();
    H.get_or_init(|| ahash::RandomState::with_seeds(0x5a5e7, 0x2c0de, 0xb16, 0x5ca1e))
}

#[derive(Clone, Debug)]
struct Entry {
    score: f64,
    /// Inline up to 22 bytes; boxed beyond, tagged with the index hash's
    /// high half.
    member: Bytes,
}

/// The `skiplist` encoding (named as Redis names it).
#[derive(Clone, Debug, Default)]
struct Big {
    entries: Vec<Entry>,
    /// Arena indices, hashed by member.
    index: HashTable<u32>,
    order: Order,
}

impl Big {
    fn hash(m: &[u8]) -> u64 {
        hasher().hash_one(m)
    }

    fn tag(h: u64) -> u32 {
        (h >> 32) as u32
    }

    /// Appends members given in (score, member) order: the arena and the
    /// index sized once, the order cut into 3/4-full chunks. A member
    /// already there is left out.
    fn from_sorted<'m>(items: impl Iterator<Item = (f64, &'m [u8])>, n: usize) -> Big {
        let mut b = Big { entries: Vec::with_capacity(n), index: HashTable::with_capacity(n), order: Order::default() };
        for (score, member) in items {
            let h = Self::hash(member);
            let tag = Self::tag(h);
            let entries = &b.entries;
            if b.index.find(h, |&i| entries[i as usize].member.is(member, tag)).is_some() {
                continue;
            }
            let i = b.entries.len() as u32;
            b.entries.push(Entry { score, member: Bytes::new(member, tag) });
            let entries = &b.entries;
            b.index.insert_unique(h, i, |&j| Self::hash(&entries[j as usize].member));
        }
        let len = b.entries.len() as u32;
        b.order.chunks =
            (0..len).step_by(CHUNK * 3 / 4).map(|c| (c..(c + (CHUNK * 3 / 4) as u32).min(len)).collect()).collect();
        b.order.rebuild();
        b
    }

    fn find(&self, member: &[u8]) -> Option<usize> {
        let h = Self::hash(member);
        self.index.find(h, |&i| self.entries[i as usize].member.is(member, Self::tag(h))).map(|&i| i as usize)
    }

    /// Position in `order` of entry `i`.
    fn position(&self, i: usize) -> (usize, usize) {
        let key = (self.entries[i].score, &*self.entries[i].member);
        let at = self.order.partition_point(|j| {
            let e = &self.entries[j as usize];
            cmp((e.score, &e.member), key) == Ordering::Less
        });
        self.order.locate(at)
    }

    fn place(&mut self, i: usize) {
        let key = (self.entries[i].score, &*self.entries[i].member);
        let entries = &self.entries;
        let at = self.order.partition_point(|j| {
            let e = &entries[j as usize];
            cmp((e.score, &e.member), key) == Ordering::Less
        });
        self.order.insert(at, i as u32);
    }

    fn insert(&mut self, member: &[u8], score: f64) -> Option<f64> {
        if let Some(i) = self.find(member) {
            let old = self.entries[i].score;
            let (c, l) = self.position(i);
            self.order.remove(c, l);
            self.entries[i].score = score;
            self.place(i);
            return Some(old);
        }
        let i = self.entries.len();
        let h = Self::hash(member);
        self.entries.push(Entry { score, member: Bytes::new(member, Self::tag(h)) });
        let entries = &self.entries;
        self.index.insert_unique(h, i as u32, |&j| Self::hash(&entries[j as usize].member));
        self.place(i);
        None
    }

    fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let i = self.find(member)?;
        let (c, l) = self.position(i);
        self.order.remove(c, l);
        let entries = &self.entries;
        if let Ok(e) = self.index.find_entry(Self::hash(member), |&j| j as usize == i) {
            e.remove();
        }
        let last = entries.len() - 1;
        if i != last {
            // The last entry moves into slot i: repoint its references.
            let (c, l) = self.position(last);
            self.order.set(c, l, i as u32);
            let h = Self::hash(&self.entries[last].member);
            if let Some(slot) = self.index.find_mut(h, |&j| j as usize == last) {
                *slot = i as u32;
            }
        }
        let gone = self.entries.swap_remove(i);
        if self.entries.len() < self.entries.capacity() / 4 {
            self.entries.shrink_to(self.entries.len() * 2);
            let entries = &self.entries;
            self.index.shrink_to(self.entries.len() * 2, |&j| Self::hash(&entries[j as usize].member));
        }
        Some(gone.score)
    }
}

/// An order-statistics list of u32: sorted chunks plus a Fenwick tree of
/// chunk lengths (rebuilt when chunks split or go away).
#[derive(Clone, Debug, Default)]
struct Order {
    chunks: Vec<Vec<u32>>,
    fen: Vec<usize>,
}

impl Order {
    fn rebuild(&mut self) {
        let n = self.chunks.len();
        self.fen = vec![0; n + 1];
        for i in 1..=n {
            self.fen[i] += self.chunks[i - 1].len();
            let j = i + (i & i.wrapping_neg());
            if j <= n {
                self.fen[j] += self.fen[i];
            }
        }
    }

    fn add(&mut self, chunk: usize, delta: isize) {
        let mut i = chunk + 1;
        while i < self.fen.len() {
            self.fen[i] = (self.fen[i] as isize + delta) as usize;
            i += i & i.wrapping_neg();
        }
    }

    /// Elements in chunks before `chunk`.
    fn prefix(&self, chunk: usize) -> usize {
        let (mut i, mut s) = (chunk, 0);
        while i > 0 {
            s += self.fen[i];
            i &= i - 1;
        }
        s
    }

    /// (chunk, offset) of global position `pos` (pos == len: one past the end).
    fn locate(&self, pos: usize) -> (usize, usize) {
        let n = self.chunks.len();
        let (mut c, mut rest) = (0usize, pos);
        let mut step = n.next_power_of_two();
        while step > 0 {
            if c + step <= n && self.fen[c + step] <= rest {
                c += step;
                rest -= self.fen[c];
            }
            step >>= 1;
        }
        // `c` chunks hold <= pos elements; pos lands in chunk c, or at the
        // end of chunk c-1 when c == n.
        if c == n && c > 0 {
            (c - 1, self.chunks[c - 1].len() + rest)
        } else {
            (c, rest)
        }
    }

    fn at(&self, pos: usize) -> u32 {
        let (c, l) = self.locate(pos);
        self.chunks[c][l]
    }

    fn set(&mut self, c: usize, l: usize, v: u32) {
        self.chunks[c][l] = v;
    }

    fn partition_point(&self, mut pred: impl FnMut(u32) -> bool) -> usize {
        let c = self.chunks.partition_point(|ch| pred(*ch.last().expect("chunks are never empty")));
        if c == self.chunks.len() {
            return self.prefix(c);
        }
        self.prefix(c) + self.chunks[c].partition_point(|&v| pred(v))
    }

    fn insert(&mut self, pos: usize, v: u32) {
        if self.chunks.is_empty() {
            self.chunks.push(vec![v]);
            self.rebuild();
            return;
        }
        let (c, l) = self.locate(pos);
        self.chunks[c].insert(l, v);
        if self.chunks[c].len() > CHUNK {
            let tail = self.chunks[c].split_off(CHUNK / 2);
            self.chunks.insert(c + 1, tail);
            self.rebuild();
        } else {
            self.add(c, 1);
        }
    }

    fn remove(&mut self, c: usize, l: usize) {
        self.chunks[c].remove(l);
        let len = self.chunks[c].len();
        if len == 0 {
            self.chunks.remove(c);
            self.rebuild();
        } else if len < CHUNK / 8 && c + 1 < self.chunks.len() && len + self.chunks[c + 1].len() <= CHUNK {
            let next = self.chunks.remove(c + 1);
            self.chunks[c].extend(next);
            self.rebuild();
        } else {
            self.add(c, -1);
        }
    }

    fn for_range(&self, start: usize, end: usize, mut f: impl FnMut(u32)) {
        let (mut c, mut l) = self.locate(start);
        let mut left = end - start;
        while left > 0 && c < self.chunks.len() {
            let ch = &self.chunks[c];
            let take = (ch.len() - l).min(left);
            ch[l..l + take].iter().for_each(|&v| f(v));
            left -= take;
            c += 1;
            l = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(z: &ZSet, model: &std::collections::BTreeMap<Vec<u8>, f64>) {
        let mut want: Vec<(f64, Vec<u8>)> = model.iter().map(|(m, s)| (*s, m.clone())).collect();
        want.sort_by(|a, b| cmp((a.0, &a.1), (b.0, &b.1)));
        assert_eq!(z.len(), want.len());
        let got: Vec<(f64, Vec<u8>)> = z.iter().map(|(m, s)| (s, m.to_vec())).collect();
        assert_eq!(got, want);
        for (r, (s, m)) in want.iter().enumerate() {
            assert_eq!(z.rank(m), Some((r, *s)));
            assert_eq!(z.get(r), (&m[..], *s));
        }
    }

    /// A big set built in bulk from sorted members behaves as one built
    /// by inserts, before and after further changes.
    #[test]
    fn bulk_built_big_sets_agree_with_a_model() {
        let mut model = std::collections::BTreeMap::new();
        let mut items: Vec<(f64, Vec<u8>)> = Vec::new();
        for i in 0..5000u64 {
            let m = format!("m{:x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).into_bytes();
            let s = (i % 97) as f64 / 4.0;
            model.insert(m.clone(), s);
            items.push((s, m));
        }
        items.sort_by(|a, b| cmp((a.0, &a.1), (b.0, &b.1)));
        let refs: Vec<(f64, &[u8])> = items.iter().map(|(s, m)| (*s, m.as_slice())).collect();
        let mut z = ZSet::from_sorted_refs(&refs);
        assert_eq!(z.encoding(), "skiplist");
        check(&z, &model);
        for i in 0..3000u64 {
            let m = format!("m{:x}", (i * 7).wrapping_mul(0x9e37_79b9_7f4a_7c15)).into_bytes();
            if i % 3 == 0 {
                z.remove(&m);
                model.remove(&m);
            } else {
                z.insert(&m, i as f64);
                model.insert(m, i as f64);
            }
        }
        check(&z, &model);
        // A repeated member is left out: the length tells.
        let dup = [(1.0, &b"a"[..]), (2.0, &b"a"[..])];
        let many: Vec<(f64, &[u8])> = refs.iter().copied().chain(dup).collect();
        assert_eq!(ZSet::from_sorted_refs(&many).len(), refs.len() + 1);
    }

    #[test]
    fn both_encodings_agree_with_a_model() {
        let mut z = ZSet::new();
        let mut model = std::collections::BTreeMap::new();
        let mut x: u64 = 1;
        for step in 0..6000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let m = format!("m{}", (x >> 33) % 700).into_bytes();
            let s = ((x >> 20) % 50) as f64;
            if (x >> 60) < 11 {
                assert_eq!(z.insert(&m, s), model.insert(m, s));
            } else {
                assert_eq!(z.remove(&m), model.remove(&m));
            }
            if step % 500 == 0 {
                check(&z, &model);
            }
        }
        assert_eq!(z.encoding(), "skiplist");
        check(&z, &model);
        let n = z.len();
        assert_eq!(z.remove_range(10, 20), 10);
        assert_eq!(z.len(), n - 10);
    }

    #[test]
    fn converts_on_count_and_member_length() {
        let mut z = ZSet::new();
        for i in 0..128 {
            z.insert(format!("{i}").as_bytes(), i as f64);
        }
        assert_eq!(z.encoding(), "listpack");
        z.insert(b"5", 1.0);
        assert_eq!(z.encoding(), "listpack");
        z.insert(b"new", 1.0);
        assert_eq!(z.encoding(), "skiplist");
        let mut z = ZSet::new();
        z.insert(&[b'a'; 64], 1.0);
        assert_eq!(z.encoding(), "listpack");
        z.insert(&[b'a'; 65], 1.0);
        assert_eq!(z.encoding(), "skiplist");
    }

    #[test]
    fn scan_returns_every_stable_member_despite_changes() {
        let mut z = ZSet::new();
        for i in 0..1000 {
            z.insert(format!("m{i}").as_bytes(), i as f64);
        }
        let (mut cursor, mut seen) = (0u64, std::collections::HashSet::new());
        let mut round = 0;
        loop {
            let (next, batch) = z.scan(cursor, 10);
            seen.extend(batch.iter().map(|b| b.0.to_vec()));
            // Churn members >= 1000 between calls.
            z.insert(format!("x{round}").as_bytes(), 0.0);
            z.remove(format!("x{}", round / 2).as_bytes());
            round += 1;
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        assert!((0..1000).all(|i| seen.contains(format!("m{i}").as_bytes())));
    }
}
