//! The intset encoding of a set: sorted distinct integers packed at the
//! width the largest one needs (2, 4 or 8 bytes), like Redis's intset. The
//! width only grows (as in Redis), so removing the one big member leaves
//! the others at the wider width.

use std::cmp::Ordering;

#[derive(Clone, Debug)]
pub struct Intset {
    /// Bytes per member: 2, 4 or 8.
    width: usize,
    /// Little-endian members, ascending.
    data: Vec<u8>,
}

impl Default for Intset {
    fn default() -> Intset {
        Intset { width: 2, data: Vec::new() }
    }
}

/// Equal members, whatever the width.
impl PartialEq for Intset {
    fn eq(&self, other: &Intset) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

fn width_for(v: i64) -> usize {
    if i16::try_from(v).is_ok() {
        2
    } else if i32::try_from(v).is_ok() {
        4
    } else {
        8
    }
}

fn read(bytes: &[u8]) -> i64 {
    match bytes.len() {
        2 => i16::from_le_bytes([bytes[0], bytes[1]]) as i64,
        4 => i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as i64,
        _ => i64::from_le_bytes(bytes.try_into().unwrap_or([0; 8])),
    }
}

impl Intset {
    /// Approximate heap bytes used.
    pub fn mem_usage(&self) -> usize {
        self.data.capacity()
    }

    /// An intset of `sorted` (ascending, distinct) integers.
    pub fn from_sorted(sorted: &[i64]) -> Intset {
        let width = sorted.iter().map(|&v| width_for(v)).max().unwrap_or(2);
        let mut data = Vec::with_capacity(sorted.len() * width);
        for &v in sorted {
            data.extend_from_slice(&v.to_le_bytes()[..width]);
        }
        Intset { width, data }
    }

    pub fn len(&self) -> usize {
        self.data.len() / self.width
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The member at position `i` (ascending order); `i` must be < len.
    pub fn get(&self, i: usize) -> i64 {
        read(&self.data[i * self.width..(i + 1) * self.width])
    }

    fn search(&self, v: i64) -> Result<usize, usize> {
        if width_for(v) > self.width {
            // Out of this width's range: below or above every member.
            return Err(if v < 0 { 0 } else { self.len() });
        }
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.get(mid).cmp(&v) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    pub fn contains(&self, v: i64) -> bool {
        self.search(v).is_ok()
    }

    /// Adds `v`; false if present.
    pub fn insert(&mut self, v: i64) -> bool {
        let Err(at) = self.search(v) else { return false };
        let w = width_for(v);
        if w > self.width {
            let members: Vec<i64> = self.iter().collect();
            let mut data = Vec::with_capacity((members.len() + 1) * w);
            for m in members {
                data.extend_from_slice(&m.to_le_bytes()[..w]);
            }
            self.width = w;
            self.data = data;
        }
        let pos = at * self.width;
        self.data.splice(pos..pos, v.to_le_bytes()[..self.width].iter().copied());
        true
    }

    /// Removes `v`; false if absent.
    pub fn remove(&mut self, v: i64) -> bool {
        let Ok(at) = self.search(v) else { return false };
        self.data.drain(at * self.width..(at + 1) * self.width);
        true
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter { chunks: self.data.chunks_exact(self.width) }
    }
}

pub struct Iter<'a> {
    chunks: std::slice::ChunksExact<'a, u8>,
}

impl Iterator for Iter<'_> {
    type Item = i64;
    fn next(&mut self) -> Option<i64> {
        self.chunks.next().map(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_grow_and_order_holds() {
        let mut s = Intset::default();
        for v in [5, -3, 300, 0] {
            assert!(s.insert(v));
        }
        assert!(!s.insert(5));
        assert_eq!(s.width, 2);
        assert!(s.insert(70000));
        assert_eq!(s.width, 4);
        assert!(s.insert(i64::MIN));
        assert!(s.insert(i64::MAX));
        assert_eq!(s.width, 8);
        assert_eq!(s.iter().collect::<Vec<_>>(), [i64::MIN, -3, 0, 5, 300, 70000, i64::MAX]);
        assert!(s.contains(70000) && !s.contains(70001) && !s.contains(1 << 40));
        assert!(s.remove(i64::MIN) && !s.remove(i64::MIN));
        assert_eq!(s.width, 8, "never narrows");
        assert_eq!(s, Intset::from_sorted(&[-3, 0, 5, 300, 70000, i64::MAX]));
        assert_eq!(s.get(0), -3);
        let small = Intset::from_sorted(&[1, 2]);
        assert_eq!(small.width, 2);
        assert!(!small.contains(100000) && !small.contains(-100000));
    }
}
