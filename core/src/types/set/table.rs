//! The hashtable encoding of a set: open addressing with linear probing
//! over a power-of-two array of members (24 bytes a slot), deletion by
//! backward shift (no tombstones), grown at 3/4 full and shrunk under 1/8.
//!
//! Each slot holds its member as [`Bytes`]: a member of up to 22 bytes sits
//! in the slot itself, so a probe compares it where it already is (no
//! dereference per probed slot, no heap block per member); a longer one is
//! boxed beside a 32-bit hash tag, so a probe dereferences it only when
//! the tags agree.
//!
//! SSCAN uses Redis's reverse-binary cursor over *home* buckets (a
//! member's hash masked by the table size): visiting home bucket `i` walks
//! the probe run from slot `i` to the next empty slot and takes the members
//! whose home is `i`. Linear probing keeps every member inside the run that
//! starts at its home, wherever shifts move it, so the scan depends only on
//! home buckets, exactly like Redis's chained dict, and inherits its
//! guarantee: a member present for the whole scan is returned at least once
//! even if the table grows or shrinks between calls.

/// Fixed seeds: the layout (and so SMEMBERS order and SSCAN cursors) of a
/// set depends only on its history, never on the process.
use crate::types::bytes::Bytes;

fn hash(m: &[u8]) -> u64 {
    static SEEDS: std::sync::OnceLock<ahash::RandomState> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| ahash::RandomState::with_seeds(0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344)).hash_one(m)
}

const MIN_CAPACITY: usize = 4;

#[derive(Clone, Default)]
pub struct Table {
    slots: Vec<Option<Bytes>>,
    len: usize,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter().map(String::from_utf8_lossy)).finish()
    }
}

/// Equal members, whatever the layout.
impl PartialEq for Table {
    fn eq(&self, other: &Table) -> bool {
        self.len == other.len && self.iter().all(|m| other.contains(m))
    }
}

impl Table {
    /// Approximate heap bytes used.
    pub fn mem_usage(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Option<Bytes>>()
            + self.slots.iter().flatten().map(Bytes::heap_len).sum::<usize>()
    }

    /// An empty table sized for `n` members.
    pub fn with_capacity(n: usize) -> Table {
        let mut t = Table::default();
        t.resize(Self::capacity_for(n));
        t
    }

    fn capacity_for(n: usize) -> usize {
        (n.saturating_mul(4) / 3 + 1).next_power_of_two().max(MIN_CAPACITY)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    fn home(&self, m: &[u8]) -> usize {
        hash(m) as usize & self.mask()
    }

    /// The slot holding `m`, if any.
    fn find(&self, m: &[u8]) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let h = hash(m);
        let tag = (h >> 32) as u32;
        let mut i = h as usize & self.mask();
        loop {
            match &self.slots[i] {
                None => return None,
                Some(e) if e.is(m, tag) => return Some(i),
                Some(_) => i = (i + 1) & self.mask(),
            }
        }
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        self.find(m).is_some()
    }

    /// Adds `m`; false if it was there.
    pub fn insert(&mut self, m: &[u8]) -> bool {
        if self.contains(m) {
            return false;
        }
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.resize(Self::capacity_for(self.len + 1).max(self.slots.len() * 2));
        }
        self.place(Bytes::new(m, (hash(m) >> 32) as u32));
        self.len += 1;
        true
    }

    /// Puts a member known to be absent into the first free slot of its run.
    fn place(&mut self, m: Bytes) {
        let mut i = self.home(&m);
        while self.slots[i].is_some() {
            i = (i + 1) & self.mask();
        }
        self.slots[i] = Some(m);
    }

    /// Removes `m`; false if it was not there.
    pub fn remove(&mut self, m: &[u8]) -> bool {
        let Some(mut hole) = self.find(m) else { return false };
        self.slots[hole] = None;
        self.len -= 1;
        // Backward shift: move later members of the run into the hole
        // when the hole lies between their home and their slot.
        let mask = self.mask();
        let mut i = (hole + 1) & mask;
        while let Some(e) = &self.slots[i] {
            let home = self.home(e);
            // Distance from home to i vs. from home to the hole (cyclic).
            if (i.wrapping_sub(home) & mask) >= (hole.wrapping_sub(home) & mask) {
                self.slots[hole] = self.slots[i].take();
                hole = i;
            }
            i = (i + 1) & mask;
        }
        if self.slots.len() > MIN_CAPACITY && self.len * 8 < self.slots.len() {
            self.resize(Self::capacity_for(self.len));
        }
        true
    }

    fn resize(&mut self, capacity: usize) {
        let old = std::mem::replace(&mut self.slots, vec![None; capacity]);
        for m in old.into_iter().flatten() {
            self.place(m);
        }
    }

    /// Members in slot order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.slots().map(|b| &**b)
    }

    /// Members in slot order, as stored.
    pub fn slots(&self) -> std::iter::Flatten<std::slice::Iter<'_, Option<Bytes>>> {
        self.slots.iter().flatten()
    }

    /// A uniformly random member (None if empty): random slots until a
    /// full one (the table is at least 1/8 full).
    pub fn random(&self, mut rand: impl FnMut() -> u64) -> Option<&[u8]> {
        if self.len == 0 {
            return None;
        }
        loop {
            if let Some(m) = &self.slots[rand() as usize & self.mask()] {
                return Some(m);
            }
        }
    }

    /// One SSCAN step: visits home buckets from `cursor` in reverse-binary
    /// order until about `count` members are collected (or 10×count empty
    /// buckets were seen, as Redis bounds a call), calling `f` on each
    /// member; returns the next cursor (0 when the scan is complete).
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&[u8])) -> u64 {
        if self.slots.is_empty() {
            return 0;
        }
        let mask = self.mask() as u64;
        let (mut v, mut found, mut budget) = (cursor, 0usize, count.saturating_mul(10));
        loop {
            let bucket = (v & mask) as usize;
            let mut i = bucket;
            let mut any = false;
            while let Some(e) = &self.slots[i] {
                if self.home(e) == bucket {
                    f(e);
                    found += 1;
                    any = true;
                }
                i = (i + 1) & mask as usize;
            }
            // Reverse-binary increment of the masked bits.
            v |= !mask;
            v = v.reverse_bits().wrapping_add(1).reverse_bits();
            if !any {
                budget = budget.saturating_sub(1);
            }
            if v == 0 || found >= count || budget == 0 {
                return v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn insert_remove_contains() {
        let mut t = Table::default();
        for i in 0..1000 {
            assert!(t.insert(format!("m{i}").as_bytes()));
        }
        assert!(!t.insert(b"m5"));
        assert_eq!(t.len(), 1000);
        for i in (0..1000).step_by(2) {
            assert!(t.remove(format!("m{i}").as_bytes()));
        }
        assert!(!t.remove(b"m0"));
        for i in 0..1000 {
            assert_eq!(t.contains(format!("m{i}").as_bytes()), i % 2 == 1, "m{i}");
        }
        for i in 0..1000 {
            t.remove(format!("m{i}").as_bytes());
        }
        assert!(t.is_empty());
        assert_eq!(t.slots.len(), MIN_CAPACITY, "shrinks when emptied");
    }

    #[test]
    fn scan_survives_growth_and_shrinking() {
        let mut t = Table::with_capacity(10);
        for i in 0..500 {
            t.insert(format!("s{i}").as_bytes());
        }
        let (mut cursor, mut seen, mut round) = (0u64, HashSet::new(), 0);
        loop {
            cursor = t.scan(cursor, 7, |m| {
                seen.insert(m.to_vec());
            });
            round += 1;
            // Grow a lot, then shrink a lot, while scanning.
            if round < 30 {
                for j in 0..100 {
                    t.insert(format!("g{round}-{j}").as_bytes());
                }
            } else {
                for r in 1..30 {
                    for j in 0..100 {
                        t.remove(format!("g{r}-{j}").as_bytes());
                    }
                }
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..500 {
            assert!(seen.contains(format!("s{i}").as_bytes()), "s{i} missed");
        }
    }

    #[test]
    fn random_is_a_member() {
        let mut t = Table::default();
        let mut x = 0u64;
        assert!(t.random(|| 0).is_none());
        for i in 0..50 {
            t.insert(format!("r{i}").as_bytes());
        }
        let mut seen = HashSet::new();
        for _ in 0..2000 {
            let m = t
                .random(|| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    x >> 33
                })
                .unwrap();
            assert!(t.contains(m));
            seen.insert(m.to_vec());
        }
        assert_eq!(seen.len(), 50);
    }
}
