//! Measures kv-core against its floor and redis-server and writes
//! `bench/results/core.md`:
//!
//! * ns/op of GET, SET, INCR, MGET of 10, EXPIRE and SCAN over 1M keys
//!   (16-byte keys, 32-byte values) for kv through its typed fast paths,
//!   kv through `Session::execute`, std `HashMap` and `hashbrown`, with the
//!   ratios to hashbrown;
//! * GET throughput on 2 threads against 1 (random keys, a session each);
//! * memory per key for 1M keys: kv counted by a global allocator and as
//!   RSS growth, against redis-server's `used_memory` for the same keys.
//!
//! `cargo run --release -p kv-bench --bin core-report [-- --keys N --out PATH]`

use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kv_bench::alloc::Counting;
use kv_bench::redis::RedisServer;
use kv_bench::report::*;
use kv_bench::*;
use kv_core::Store;

#[global_allocator]
static ALLOC: Counting = Counting;

const THREAD_RUN: Duration = Duration::from_millis(1500);
/// Keys for the cache-resident table.
const SMALL_KEYS: usize = 10_000;

struct Opts {
    keys: usize,
    out: std::path::PathBuf,
}

fn opts() -> Opts {
    let mut o = Opts { keys: N_KEYS, out: concat!(env!("CARGO_MANIFEST_DIR"), "/results/core.md").into() };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--keys" => o.keys = args.next().and_then(|n| n.parse().ok()).expect("--keys N"),
            "--out" => o.out = args.next().expect("--out PATH").into(),
            _ => {
                eprintln!("usage: core-report [--keys N] [--out PATH]");
                std::process::exit(2);
            }
        }
    }
    o
}

// ---- memory -------------------------------------------------------------------

fn redis_mem(n: usize) -> Result<(String, f64), String> {
    let mut r = RedisServer::start()?;
    let before = r.used_memory()?;
    r.load(n, 1000)?;
    let after = r.used_memory()?;
    let v = r.version.clone();
    r.shutdown();
    Ok((v, (after as f64 - before as f64) / n as f64))
}

// ---- timing ---------------------------------------------------------------------

/// Median ns per op (per key for SCAN).
fn time_op(e: &mut impl Engine, op: Op, w: &Workload) -> f64 {
    time_per_op(if op == Op::Scan { w.len() } else { 1 }, |i| w.step(e, op, i))
}

/// GET ops per second over `threads` threads, each with its own engine.
fn get_throughput<E: Engine + Send + 'static>(threads: usize, n: usize, make: impl Fn() -> E) -> f64 {
    let works: Vec<Arc<Workload>> = (0..threads).map(|t| Arc::new(Workload::with_seed(n, 0xfeed + t as u64))).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let total = Arc::new(AtomicU64::new(0));
    let start = Arc::new(std::sync::Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (stop, total, start) = (stop.clone(), total.clone(), start.clone());
            let mut e = make();
            let w = works[t].clone();
            std::thread::spawn(move || {
                start.wait();
                let mut i = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    for _ in 0..256 {
                        black_box(w.step(&mut e, Op::Get, i));
                        i += 1;
                    }
                }
                total.fetch_add(i as u64, Ordering::Relaxed);
            })
        })
        .collect();
    start.wait();
    let t = Instant::now();
    std::thread::sleep(THREAD_RUN);
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().expect("bench thread");
    }
    total.load(Ordering::Relaxed) as f64 / t.elapsed().as_secs_f64()
}

/// A read-only hashbrown shared by threads: the floor's scaling.
struct SharedMap(Arc<hashbrown::HashMap<Vec<u8>, Vec<u8>>>);

impl Engine for SharedMap {
    fn name(&self) -> &'static str {
        "hashbrown (shared, read-only)"
    }
    fn get(&mut self, k: &[u8]) -> Option<Vec<u8>> {
        self.0.get(k).cloned()
    }
    fn set(&mut self, _: &[u8], _: &[u8]) {
        unreachable!()
    }
    fn incr(&mut self, _: &[u8]) -> i64 {
        unreachable!()
    }
    fn mget(&mut self, _: &[&[u8]]) -> Vec<Option<Vec<u8>>> {
        unreachable!()
    }
    fn expire(&mut self, _: &[u8], _: i64) -> bool {
        unreachable!()
    }
    fn scan_all(&mut self) -> usize {
        unreachable!()
    }
}

// ---- report -----------------------------------------------------------------------

fn main() {
    let o = opts();
    let n = o.keys;
    let started = Instant::now();
    let cpus = std::thread::available_parallelism().map_or(1, |p| p.get());
    let mut md = String::new();
    let log = |s: &str| eprintln!("[{:5.1}s] {s}", started.elapsed().as_secs_f64());

    let w = Workload::new(n);
    // Memory first, while the heap is fresh, so RSS growth means something.
    log("memory: kv");
    let kv_mem = measure_mem(n, true, || {
        let store = Store::new();
        let mut e = KvFast(store.session());
        w.load(&mut e);
        store
    });
    log("memory: hashbrown, HashMap");
    let hb_mem = measure_mem(n, false, || {
        let mut e = HashbrownFloor::new();
        w.load(&mut e);
        e
    });
    let std_mem = measure_mem(n, false, || {
        let mut e = StdFloor::new();
        w.load(&mut e);
        e
    });
    log("memory: redis-server");
    let (redis_version, redis_per_key) = match redis_mem(n) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("core-report: {e}");
            std::process::exit(1);
        }
    };

    // Timing: every engine loaded with the same keys, measured op by op.
    log("loading engines");
    let store = Store::new();
    let counters = Store::new();
    let mut fast = KvFast(store.session());
    w.load(&mut fast);
    let mut fast_ctr = KvFast(counters.session());
    w.load_counters(&mut fast_ctr);
    let mut exec = KvExecute(store.session());
    let mut exec_ctr = KvExecute(counters.session());
    let mut std_map = StdFloor::new();
    w.load(&mut std_map);
    let mut std_ctr = StdFloor::new();
    w.load_counters(&mut std_ctr);
    let mut hb = HashbrownFloor::new();
    w.load(&mut hb);
    let mut hb_ctr = HashbrownFloor::new();
    w.load_counters(&mut hb_ctr);

    let mut rows: Vec<(Op, [Option<f64>; 4])> = Vec::new();
    for op in Op::ALL {
        log(&format!("timing {}", op.name()));
        let ctr = op == Op::Incr;
        let cols = [
            {
                let e = if ctr { &mut fast_ctr } else { &mut fast };
                e.supports(op).then(|| time_op(e, op, &w))
            },
            {
                let e = if ctr { &mut exec_ctr } else { &mut exec };
                e.supports(op).then(|| time_op(e, op, &w))
            },
            Some(time_op(if ctr { &mut std_ctr } else { &mut std_map }, op, &w)),
            Some(time_op(if ctr { &mut hb_ctr } else { &mut hb }, op, &w)),
        ];
        rows.push((op, cols));
    }
    drop((fast, fast_ctr, exec, exec_ctr, std_map, std_ctr, counters));

    // The same ops on a keyspace that fits in cache: what each op costs
    // besides cache misses, and what reading the system clock adds.
    log("timing GET/SET on 10k keys");
    let small = Workload::new(SMALL_KEYS);
    let manual = Store::open(kv_core::Config::default().clock(kv_core::ManualClock::new(1_700_000_000_000)));
    let mut small_rows: Vec<(Op, [f64; 5])> = Vec::new();
    {
        let st = Store::new();
        let mut fast = KvFast(st.session());
        small.load(&mut fast);
        let mut exec = KvExecute(st.session());
        let mut fast_manual = KvFast(manual.session());
        small.load(&mut fast_manual);
        let mut std_small = StdFloor::new();
        small.load(&mut std_small);
        let mut hb_small = HashbrownFloor::new();
        small.load(&mut hb_small);
        for op in [Op::Get, Op::Set] {
            small_rows.push((
                op,
                [
                    time_op(&mut fast, op, &small),
                    time_op(&mut fast_manual, op, &small),
                    time_op(&mut exec, op, &small),
                    time_op(&mut std_small, op, &small),
                    time_op(&mut hb_small, op, &small),
                ],
            ));
        }
    }

    log("threads: kv GET 1 vs 2");
    let load_before = loadavg();
    let kv1 = get_throughput(1, n, || KvFast(store.session()));
    let kv2 = get_throughput(2, n, || KvFast(store.session()));
    let shared = Arc::new(std::mem::take(&mut hb.map));
    let hb1 = get_throughput(1, n, || SharedMap(shared.clone()));
    let hb2 = get_throughput(2, n, || SharedMap(shared.clone()));
    let load_after = loadavg();

    // ---- write it up
    let _ = writeln!(md, "# kv-core benchmarks\n");
    let _ = writeln!(
        md,
        "{n} keys of {KEY_LEN} bytes with {VALUE_LEN}-byte values, random access. Machine: {cpus} CPUs, \
         load average {load_before} before the thread runs, {load_after} after. \
         Produced by `cargo run --release -p kv-bench --bin core-report` in {:.0} s.\n",
        started.elapsed().as_secs_f64()
    );
    let _ = writeln!(md, "## Single thread, ns/op (lower is better)\n");
    let _ = writeln!(
        md,
        "| op | kv-fast | kv-execute | HashMap | hashbrown | kv-fast / hashbrown | kv-execute / hashbrown |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|");
    for (op, c) in &rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            op.name(),
            cell(c[0]),
            cell(c[1]),
            cell(c[2]),
            cell(c[3]),
            ratio(c[0], c[3]),
            ratio(c[1], c[3])
        );
    }
    let _ = writeln!(
        md,
        "\nn/a: there is no typed SCAN (and kv-execute shows n/a for a command missing from the table). \
         MGET 10 is per call of 10 keys; SCAN is per key \
         of a full iteration (COUNT 1000). The floor returns owned copies of values, stores owned copies, \
         parses and formats INCR's decimal text, and records EXPIRE deadlines in a side map.\n"
    );
    let _ = writeln!(md, "## Same ops on {SMALL_KEYS} keys (cache-resident), ns/op\n");
    let _ = writeln!(
        md,
        "| op | kv-fast | kv-fast, manual clock | kv-execute | HashMap | hashbrown | kv-fast / hashbrown |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|");
    for (op, c) in &small_rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            op.name(),
            cell(Some(c[0])),
            cell(Some(c[1])),
            cell(Some(c[2])),
            cell(Some(c[3])),
            cell(Some(c[4])),
            ratio(Some(c[0]), Some(c[4]))
        );
    }
    let _ = writeln!(
        md,
        "\n\"manual clock\": the same store with `ManualClock` (one atomic load) instead of the system \
         clock; kv reads a coarse clock per command and the precise one only when an expiry is involved, \
         so the difference is small.\n"
    );
    let _ = writeln!(md, "## GET on 2 threads (one Session each, random keys)\n");
    let _ = writeln!(md, "| engine | 1 thread, Mops/s | 2 threads, Mops/s | 2 / 1 |");
    let _ = writeln!(md, "|---|---:|---:|---:|");
    let _ = writeln!(md, "| kv-fast | {:.2} | {:.2} | {:.2}x |", kv1 / 1e6, kv2 / 1e6, kv2 / kv1);
    let _ =
        writeln!(md, "| hashbrown (shared, read-only) | {:.2} | {:.2} | {:.2}x |\n", hb1 / 1e6, hb2 / 1e6, hb2 / hb1);
    let _ = writeln!(md, "## Memory per key ({n} keys)\n");
    let _ = writeln!(md, "| store | bytes/key (allocator) | allocations/key | RSS growth/key |");
    let _ = writeln!(md, "|---|---:|---:|---:|");
    for (name, m) in [("kv", &kv_mem), ("hashbrown", &hb_mem), ("HashMap", &std_mem)] {
        let _ = writeln!(md, "| {name} | {:.1} | {:.2} | {} |", m.counted, m.blocks, cell(m.rss));
    }
    let _ = writeln!(md, "| redis-server {redis_version} (`used_memory`) | {redis_per_key:.1} | | |\n");
    let _ = writeln!(
        md,
        "kv's bytes are the sum of `malloc_usable_size` over live allocations (glibc malloc; each block \
         also costs glibc an 8-byte header not counted here, which the RSS column includes). \
         redis-server's `used_memory` counts jemalloc's usable sizes the same way.\n"
    );
    let get = &rows[0].1;
    let set = &rows[1].1;
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let within2 = |c: &[Option<f64>; 4]| c[0].zip(c[3]).is_some_and(|(a, b)| a <= 2.0 * b);
    let _ = writeln!(md, "## Targets\n");
    let _ = writeln!(md, "- GET within 2x of hashbrown: {} ({})", verdict(within2(get)), ratio(get[0], get[3]));
    let _ = writeln!(md, "- SET within 2x of hashbrown: {} ({})", verdict(within2(set)), ratio(set[0], set[3]));
    let _ = writeln!(md, "- 2-thread GET >= 1.7x one thread: {} ({:.2}x)", verdict(kv2 / kv1 >= 1.7), kv2 / kv1);
    let _ = writeln!(md, "- <= 100 bytes per key: {} ({:.1})", verdict(kv_mem.counted <= 100.0), kv_mem.counted);

    print!("{md}");
    if let Some(dir) = o.out.parent() {
        std::fs::create_dir_all(dir).expect("results directory");
    }
    std::fs::write(&o.out, &md).expect("write the report");
    log(&format!("wrote {}", o.out.display()));
}
