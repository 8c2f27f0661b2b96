//! A counting global allocator, to measure what kv really holds per key.
//!
//! It sums `malloc_usable_size` of live allocations rather than the sizes
//! asked for: that is the memory the C allocator actually hands out
//! (rounded up to its size classes), which is also what redis-server's
//! `used_memory` counts (zmalloc uses the allocator's usable size). Counting
//! is off until [`enable`] so timing runs pay only one relaxed load.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

pub struct Counting;

static ON: AtomicBool = AtomicBool::new(false);
static BYTES: AtomicIsize = AtomicIsize::new(0);
static BLOCKS: AtomicIsize = AtomicIsize::new(0);

/// Starts counting. Only allocations made while counting are tracked, and
/// frees are counted only if counting is on, so enable it around a phase
/// that allocates and measures, and keep what it allocated alive until the
/// reading is taken.
pub fn enable(on: bool) {
    ON.store(on, Ordering::SeqCst);
}

/// (bytes, blocks) currently live among those counted.
pub fn live() -> (isize, isize) {
    (BYTES.load(Ordering::SeqCst), BLOCKS.load(Ordering::SeqCst))
}

fn usable(p: *mut u8) -> isize {
    // SAFETY: `p` is a live block from the system allocator (glibc malloc).
    unsafe { libc::malloc_usable_size(p.cast()) as isize }
}

fn count(p: *mut u8, sign: isize) {
    if !p.is_null() && ON.load(Ordering::Relaxed) {
        BYTES.fetch_add(sign * usable(p), Ordering::Relaxed);
        BLOCKS.fetch_add(sign, Ordering::Relaxed);
    }
}

// SAFETY: defers every allocation to `System`; only observes the blocks.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        count(p, 1);
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        count(p, 1);
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        count(p, -1);
        unsafe { System.dealloc(p, layout) }
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(p, -1);
        let q = unsafe { System.realloc(p, layout, new_size) };
        if q.is_null() {
            count(p, 1);
        } else {
            count(q, 1);
        }
        q
    }
}

/// Resident set size of this process, in bytes (Linux /proc).
pub fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize
}
