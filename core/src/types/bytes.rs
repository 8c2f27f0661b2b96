//! [`Bytes`]: an owned byte string in 24 bytes that keeps short strings
//! (up to 22 bytes, most members and fields) inline and boxes longer ones.
//!
//! Collections that store one of these per element (the set's hashtable
//! slots, the sorted set's entries) then reach a short element's bytes
//! without following a pointer: a lookup that lands on the slot or entry
//! compares the member where it already is, one dependent cache miss
//! fewer than a `Box<[u8]>`, and no 16-byte-plus-header heap block per
//! element. A boxed string carries a 32-bit tag of the owner's choosing
//! (a hash fragment) in what would otherwise be padding, so a probe can
//! reject a long member without dereferencing it.

use std::fmt;

/// Longest string kept inline.
pub const INLINE: usize = 22;

#[derive(Clone)]
pub enum Bytes {
    Inline { len: u8, buf: [u8; INLINE] },
    Heap { tag: u32, data: Box<[u8]> },
}

const _: () = assert!(std::mem::size_of::<Bytes>() == 24);
const _: () = assert!(std::mem::size_of::<Option<Bytes>>() == 24);

impl Bytes {
    /// `b`, with `tag` kept beside it if it is boxed.
    #[inline]
    pub fn new(b: &[u8], tag: u32) -> Bytes {
        if b.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..b.len()].copy_from_slice(b);
            Bytes::Inline { len: b.len() as u8, buf }
        } else {
            Bytes::Heap { tag, data: b.into() }
        }
    }

    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Inline { len, buf } => &buf[..*len as usize],
            Bytes::Heap { data, .. } => data,
        }
    }

    /// Whether this is `b`, whose tag is `tag`: an inline string compares
    /// in place, a boxed one only if the tags agree.
    #[inline]
    pub fn is(&self, b: &[u8], tag: u32) -> bool {
        match self {
            Bytes::Inline { len, buf } => *len as usize == b.len() && buf[..b.len()] == *b,
            Bytes::Heap { tag: t, data } => *t == tag && **data == *b,
        }
    }

    /// Heap bytes owned beyond the 24 bytes themselves.
    pub fn heap_len(&self) -> usize {
        match self {
            Bytes::Inline { .. } => 0,
            Bytes::Heap { data, .. } => data.len(),
        }
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for Bytes {
    fn eq(&self, other: &Bytes) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_boxed() {
        for n in [0, 1, 21, 22, 23, 64, 1000] {
            let s: Vec<u8> = (0..n).map(|i| i as u8).collect();
            let b = Bytes::new(&s, 7);
            assert_eq!(&*b, &s[..]);
            assert_eq!(matches!(b, Bytes::Inline { .. }), n <= INLINE);
            assert!(b.is(&s, 7));
            assert_eq!(b.is(&s, 8), n <= INLINE, "the tag matters only for boxed strings");
            let mut other = s.clone();
            other.push(0);
            assert!(!b.is(&other, 7));
            if n > 0 {
                other.truncate(n);
                other[n - 1] ^= 1;
                assert!(!b.is(&other, 7));
            }
            assert_eq!(b.heap_len(), if n <= INLINE { 0 } else { n });
        }
    }
}
