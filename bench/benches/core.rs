//! Criterion benches: each operation on 1M keys (16-byte keys, 32-byte
//! values; `KV_BENCH_KEYS` overrides the count) for kv's typed fast paths,
//! kv's `Session::execute`, std `HashMap` and `hashbrown`, in one run.
//! Operations whose command is not in kv's table yet are skipped for
//! kv-execute. `cargo bench -p kv-bench --bench core [-- FILTER]`

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode};
use kv_bench::*;
use kv_core::Store;

struct Engines {
    fast: (KvFast, KvFast),
    exec: (KvExecute, KvExecute),
    std: (StdFloor, StdFloor),
    hb: (HashbrownFloor, HashbrownFloor),
}

fn engines(w: &Workload) -> Engines {
    let (store, counters) = (Store::new(), Store::new());
    let mut e = Engines {
        fast: (KvFast(store.session()), KvFast(counters.session())),
        exec: (KvExecute(store.session()), KvExecute(counters.session())),
        std: (StdFloor::new(), StdFloor::new()),
        hb: (HashbrownFloor::new(), HashbrownFloor::new()),
    };
    w.load(&mut e.fast.0);
    w.load_counters(&mut e.fast.1);
    w.load(&mut e.std.0);
    w.load_counters(&mut e.std.1);
    w.load(&mut e.hb.0);
    w.load_counters(&mut e.hb.1);
    e
}

fn one(g: &mut BenchmarkGroup<'_, WallTime>, w: &Workload, op: Op, pair: &mut (impl Engine, impl Engine)) {
    let e = if op == Op::Incr { &mut pair.1 as &mut dyn EngineDyn } else { &mut pair.0 as &mut dyn EngineDyn };
    e.bench(g, w, op);
}

/// Object-safe wrapper so one helper can take any engine.
trait EngineDyn {
    fn bench(&mut self, g: &mut BenchmarkGroup<'_, WallTime>, w: &Workload, op: Op);
}

impl<E: Engine> EngineDyn for E {
    fn bench(&mut self, g: &mut BenchmarkGroup<'_, WallTime>, w: &Workload, op: Op) {
        if !self.supports(op) {
            return;
        }
        let mut i = 0usize;
        g.bench_function(self.name(), |b| {
            b.iter(|| {
                i += 1;
                black_box(w.step(self, op, i))
            })
        });
    }
}

fn benches(c: &mut Criterion) {
    let n = std::env::var("KV_BENCH_KEYS").ok().and_then(|v| v.parse().ok()).unwrap_or(N_KEYS);
    let w = Workload::new(n);
    let mut e = engines(&w);
    for op in Op::ALL {
        // criterion times one call: for SCAN that is a whole iteration
        let name = if op == Op::Scan { "SCAN (full iteration)" } else { op.name() };
        let mut g = c.benchmark_group(format!("{name} ({n} keys)"));
        if op == Op::Scan {
            g.sampling_mode(SamplingMode::Flat).sample_size(10).measurement_time(Duration::from_secs(5));
        }
        one(&mut g, &w, op, &mut e.fast);
        one(&mut g, &w, op, &mut e.exec);
        one(&mut g, &w, op, &mut e.std);
        one(&mut g, &w, op, &mut e.hb);
        g.finish();
    }
}

criterion_group! {
    name = core;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2)).sample_size(20);
    targets = benches
}
criterion_main!(core);
