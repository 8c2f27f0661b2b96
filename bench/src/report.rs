//! Pieces the report binaries share: timing loops, memory measured by the
//! counting allocator, the machine's load, and table cells.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::alloc;

/// Length of one timed round.
pub const ROUND: Duration = Duration::from_millis(300);
pub const ROUNDS: usize = 3;

/// How many calls of `f` fill one [`ROUND`]: batches double until one
/// takes a tenth of a round, so slow operations (a millisecond each) are
/// calibrated as well as fast ones. `i` is the running step counter.
pub fn calibrate(f: &mut impl FnMut(usize) -> usize, i: &mut usize) -> usize {
    let mut calls = 1usize;
    loop {
        let t = Instant::now();
        for _ in 0..calls {
            black_box(f(*i));
            *i += 1;
        }
        let took = t.elapsed();
        if took >= ROUND / 10 {
            return ((calls as f64 * ROUND.as_secs_f64() / took.as_secs_f64()) as usize).max(1);
        }
        calls *= 2;
    }
}

/// Median ns per unit over [`ROUNDS`] rounds of `calls` calls of `f`,
/// each call doing `per_call` units of work (keys of a scan, say).
pub fn median_ns(calls: usize, per_call: usize, f: &mut impl FnMut(usize) -> usize, i: &mut usize) -> f64 {
    let mut samples: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..calls {
                black_box(f(*i));
                *i += 1;
            }
            t.elapsed().as_nanos() as f64 / (calls * per_call) as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[ROUNDS / 2]
}

/// Median ns per unit of `f(i)` for i = 0, 1, 2, ...
pub fn time_per_op(per_call: usize, mut f: impl FnMut(usize) -> usize) -> f64 {
    let mut i = 0;
    let calls = calibrate(&mut f, &mut i);
    median_ns(calls, per_call, &mut f, &mut i)
}

/// ns per call of one pass of `f(i)` for i in 0..n (a build: each call
/// changes the structure, so it is timed once rather than in rounds).
pub fn time_once(n: usize, mut f: impl FnMut(usize)) -> f64 {
    let t = Instant::now();
    for i in 0..n {
        f(i);
    }
    t.elapsed().as_nanos() as f64 / n.max(1) as f64
}

pub struct Mem {
    /// Bytes per element by malloc_usable_size, and blocks per element.
    pub counted: f64,
    pub blocks: f64,
    /// RSS growth per element (None unless asked for: it only means
    /// something for the first structure built in a fresh heap).
    pub rss: Option<f64>,
}

/// Memory of whatever `build` creates, per element of `n`, while it is alive.
pub fn measure_mem<T>(n: usize, with_rss: bool, build: impl FnOnce() -> T) -> Mem {
    let rss0 = alloc::rss();
    alloc::enable(true);
    let (b0, k0) = alloc::live();
    let kept = build();
    let (b1, k1) = alloc::live();
    let rss1 = alloc::rss();
    drop(kept);
    alloc::enable(false);
    Mem {
        counted: (b1 - b0) as f64 / n as f64,
        blocks: (k1 - k0) as f64 / n as f64,
        rss: with_rss.then(|| (rss1 as f64 - rss0 as f64) / n as f64),
    }
}

/// The 1, 5 and 15 minute load averages, as /proc/loadavg writes them.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// A number for a table: no decimals from 100 up, `n/a` for nothing.
pub fn cell(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| if v >= 100.0 { format!("{v:.0}") } else { format!("{v:.1}") })
}

/// `a / b` as `1.23x`, `n/a` if either is missing.
pub fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
        _ => "n/a".into(),
    }
}
