//! The listpack encoding of a set: members of at most 64 bytes packed in
//! one buffer, each as a length byte and its bytes, in insertion order
//! (Redis's listpack keeps small sets in one allocation the same way).

/// Longest member a length byte can describe (the set caps members at 64).
const MAX_MEMBER: usize = u8::MAX as usize;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listpack {
    buf: Vec<u8>,
    len: usize,
}

impl Listpack {
    /// Approximate heap bytes used.
    pub fn mem_usage(&self) -> usize {
        self.buf.capacity()
    }

    pub fn with_capacity(members: usize) -> Listpack {
        Listpack { buf: Vec::with_capacity(members * 4), len: 0 }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter { rest: &self.buf }
    }

    /// Byte offset of the entry holding `m`.
    fn offset_of(&self, m: &[u8]) -> Option<usize> {
        let mut at = 0;
        for e in self.iter() {
            if e == m {
                return Some(at);
            }
            at += 1 + e.len();
        }
        None
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        self.offset_of(m).is_some()
    }

    /// Appends a member the caller knows is absent and at most 64 bytes.
    pub fn push(&mut self, m: &[u8]) {
        let m = &m[..m.len().min(MAX_MEMBER)];
        self.buf.push(m.len() as u8);
        self.buf.extend_from_slice(m);
        self.len += 1;
    }

    /// Removes `m`, keeping the order of the others; false if absent.
    pub fn remove(&mut self, m: &[u8]) -> bool {
        let Some(at) = self.offset_of(m) else { return false };
        self.buf.drain(at..at + 1 + m.len());
        self.len -= 1;
        if self.buf.capacity() > 2 * self.buf.len() + 64 {
            self.buf.shrink_to_fit();
        }
        true
    }

    /// The member at position `i` of the order.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.iter().nth(i)
    }
}

pub struct Iter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let (&n, tail) = self.rest.split_first()?;
        let (m, rest) = tail.split_at((n as usize).min(tail.len()));
        self.rest = rest;
        Some(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_remove_keep_order() {
        let mut lp = Listpack::default();
        for m in [&b"a"[..], b"", b"ccc", &[7u8; 64]] {
            lp.push(m);
        }
        assert_eq!(lp.len(), 4);
        assert!(lp.contains(b""));
        assert!(lp.remove(b""));
        assert!(!lp.remove(b""));
        assert_eq!(lp.iter().collect::<Vec<_>>(), [&b"a"[..], b"ccc", &[7u8; 64]]);
        assert_eq!(lp.get(1), Some(&b"ccc"[..]));
        assert_eq!(lp.get(3), None);
    }
}
