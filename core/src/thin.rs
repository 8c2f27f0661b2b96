//! `ThinBytes`: an owned, immutable-length byte buffer behind one 8-byte
//! pointer (`Box<[u8]>` is 16: pointer and length). The allocation holds
//! its own length, a `u32`, followed by the bytes, and is exactly that
//! size. The hash table's entries hold one of these per key, so the
//! 8 bytes saved per entry are 8 bytes per key.
//!
//! The allocation is aligned to [`ALIGN`] (8) bytes, so a caller can keep
//! an 8-byte-aligned object inside the bytes (the table stores a key's
//! collection `Value` at the end of its buffer), placing it at an offset
//! `o` with `(HEADER + o) % ALIGN == 0`.

use std::alloc::{self, Layout};
use std::ptr::NonNull;

/// Bytes before the data: the length.
pub const HEADER: usize = std::mem::size_of::<u32>();
/// Alignment of the allocation (the data starts `HEADER` bytes into it).
pub const ALIGN: usize = 8;

pub struct ThinBytes {
    /// Start of the allocation: the length as a native `u32`, then the bytes.
    ptr: NonNull<u8>,
}

// SAFETY: a `ThinBytes` owns its allocation exclusively, like a
// `Box<[u8]>`; shared access only reads it.
unsafe impl Send for ThinBytes {}
// SAFETY: as above; `&ThinBytes` gives only `&[u8]`.
unsafe impl Sync for ThinBytes {}

fn layout(len: usize) -> Layout {
    Layout::from_size_align(HEADER + len, ALIGN).expect("ThinBytes layout")
}

impl ThinBytes {
    /// A buffer holding the concatenation of `parts`.
    ///
    /// Panics if the total exceeds `u32::MAX - 4` bytes.
    pub fn from_parts(parts: &[&[u8]]) -> ThinBytes {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        assert!(len <= u32::MAX as usize - HEADER, "ThinBytes holds at most 4 GiB");
        let layout = layout(len);
        // SAFETY: the layout has a non-zero size (at least the header).
        let raw = unsafe { alloc::alloc(layout) };
        let Some(ptr) = NonNull::new(raw) else { alloc::handle_alloc_error(layout) };
        // SAFETY: the allocation is `HEADER + len` bytes aligned for a u32
        // (ALIGN is a multiple of a u32's alignment); the header write and
        // the copies below stay inside it and do not overlap the caller's
        // slices, which live elsewhere.
        unsafe {
            ptr.cast::<u32>().write(len as u32);
            let mut at = ptr.as_ptr().add(HEADER);
            for p in parts {
                std::ptr::copy_nonoverlapping(p.as_ptr(), at, p.len());
                at = at.add(p.len());
            }
        }
        ThinBytes { ptr }
    }

    pub fn len(&self) -> usize {
        // SAFETY: the header was written at construction and is aligned.
        unsafe { self.ptr.cast::<u32>().read() as usize }
    }

    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `len` initialised bytes follow the header; the borrow of
        // `self` keeps the allocation alive and unmodified.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr().add(HEADER), self.len()) }
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as `as_slice`, and `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr().add(HEADER), self.len()) }
    }

    /// Pointer to the first byte, valid for `len()` bytes of reads (and of
    /// writes if obtained through `as_mut_ptr`) while `self` is borrowed.
    pub fn as_ptr(&self) -> *const u8 {
        // SAFETY: HEADER is within the allocation (it may be its end).
        unsafe { self.ptr.as_ptr().add(HEADER) }
    }

    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        // SAFETY: as `as_ptr`.
        unsafe { self.ptr.as_ptr().add(HEADER) }
    }

    /// Bytes the allocation takes (header included).
    pub fn alloc_size(&self) -> usize {
        HEADER + self.len()
    }
}

impl Drop for ThinBytes {
    fn drop(&mut self) {
        // SAFETY: allocated in `from_parts` with exactly this layout (the
        // length never changes) and not freed before.
        unsafe { alloc::dealloc(self.ptr.as_ptr(), layout(self.len())) }
    }
}

impl std::fmt::Debug for ThinBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ThinBytes").field(&self.as_slice()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_one_pointer() {
        assert_eq!(std::mem::size_of::<ThinBytes>(), 8);
        assert_eq!(std::mem::size_of::<Option<ThinBytes>>(), 8);
    }

    #[test]
    fn aligned() {
        for n in 0..40 {
            let t = ThinBytes::from_parts(&[&vec![1u8; n]]);
            assert_eq!((t.as_ptr() as usize - HEADER) % ALIGN, 0);
        }
    }

    #[test]
    fn empty() {
        let t = ThinBytes::from_parts(&[]);
        assert_eq!((t.len(), t.as_slice()), (0, &[][..]));
        let t = ThinBytes::from_parts(&[b"", b""]);
        assert_eq!(t.as_slice(), b"");
        assert_eq!(t.alloc_size(), 4);
    }

    #[test]
    fn many_sizes_and_parts() {
        for n in (0..300).chain([4095, 4096, 4097]) {
            let data: Vec<u8> = (0..n).map(|i| (i * 7 + n) as u8).collect();
            let (a, b) = data.split_at(n / 3);
            let mut t = ThinBytes::from_parts(&[a, b"", b]);
            assert_eq!(t.len(), n);
            assert_eq!(t.as_slice(), &data[..]);
            if n > 0 {
                // SAFETY: n > 0 bytes follow the pointer.
                assert_eq!(unsafe { *t.as_ptr() }, data[0]);
                t.as_mut_slice()[n - 1] ^= 0xff;
                assert_eq!(t.as_slice()[n - 1], data[n - 1] ^ 0xff);
            }
        }
    }

    #[test]
    fn large() {
        // (smaller under Miri, which is slow)
        let big = vec![0xabu8; if cfg!(miri) { 70_000 } else { 3 << 20 }];
        let t = ThinBytes::from_parts(&[&big, b"end"]);
        assert_eq!(t.len(), big.len() + 3);
        assert!(t.as_slice()[..big.len()].iter().all(|&b| b == 0xab));
        assert_eq!(&t.as_slice()[big.len()..], b"end");
    }
}
