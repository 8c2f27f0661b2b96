//! Runs one operation on one engine in a loop, for profiling:
//! `cargo build --release -p kv-bench && perf record -g target/release/hot-loop get kv-fast 5`
//! (ops: get set incr mget expire scan; engines: kv-fast kv-execute hashmap hashbrown;
//! an optional 4th argument sets the key count).

use std::hint::black_box;
use std::time::{Duration, Instant};

use kv_bench::*;
use kv_core::Store;

fn run(e: &mut impl Engine, w: &Workload, op: Op, secs: f64) {
    if op == Op::Incr {
        w.load_counters(e);
    } else {
        w.load(e);
    }
    let t = Instant::now();
    let mut i = 0usize;
    while t.elapsed() < Duration::from_secs_f64(secs) {
        for _ in 0..1000 {
            black_box(w.step(e, op, i));
            i += 1;
        }
    }
    eprintln!("{} {:?}: {:.1} ns/op", e.name(), op, t.elapsed().as_nanos() as f64 / i as f64);
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: hot-loop OP ENGINE SECS [KEYS]";
    let op = match a.first().map(String::as_str) {
        Some("get") => Op::Get,
        Some("set") => Op::Set,
        Some("incr") => Op::Incr,
        Some("mget") => Op::Mget10,
        Some("expire") => Op::Expire,
        Some("scan") => Op::Scan,
        _ => panic!("{usage}"),
    };
    let secs: f64 = a.get(2).and_then(|s| s.parse().ok()).expect(usage);
    let n: usize = a.get(3).map_or(N_KEYS, |s| s.parse().expect(usage));
    let w = Workload::new(n);
    match a.get(1).map(String::as_str) {
        Some("kv-fast") => run(&mut KvFast(Store::new().session()), &w, op, secs),
        // a clock that costs one atomic load: shows what reading the system clock costs
        Some("kv-fast-manual-clock") => {
            let cfg = kv_core::Config::default().clock(kv_core::ManualClock::new(1_700_000_000_000));
            run(&mut KvFast(Store::open(cfg).session()), &w, op, secs)
        }
        Some("kv-execute") => run(&mut KvExecute(Store::new().session()), &w, op, secs),
        Some("hashmap") => run(&mut StdFloor::new(), &w, op, secs),
        Some("hashbrown") => run(&mut HashbrownFloor::new(), &w, op, secs),
        _ => panic!("{usage}"),
    }
}
