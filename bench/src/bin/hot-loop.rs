//! Runs one operation on one engine in a loop, for profiling:
//! `cargo build --release -p kv-bench && perf record -g target/release/hot-loop get kv-fast 5`
//! (ops: get set incr mget expire scan; engines: kv-fast kv-execute hashmap hashbrown;
//! an optional 4th argument sets the key count).
//! Collection ops on one big collection of that many elements (default 1M), engines
//! kv-fast and kv-execute: `lpushpop` (LPUSH then LPOP), `rpushpop`, `sismember`,
//! `sadd-existing`, `zscore`, `zrange10`.
//! `lrounds` / `rrounds` (engine ignored): as the collections report times
//! LPUSH/LPOP (RPUSH/RPOP), rounds of pushes then as many pops on a list of
//! that many elements, kv's fast path against the keyed VecDeque floor,
//! timed in thread CPU time (so time spent descheduled on a busy machine
//! does not count); prints the medians and the ratios.
//! `get-into CALLS [KEYS]`: exactly CALLS hits of `Session::get_with` copying
//! into a stack buffer (what kv_get_into does), for instruction counts:
//! `valgrind --tool=callgrind --toggle-collect='*one_get*' target/release/hot-loop get-into 100000`
//! counts only the calls (divide by CALLS for one GET's instructions).

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

/// One collection op in a loop on a collection of `n` elements.
fn collection(op: &str, fast: bool, secs: f64, n: usize) {
    let mut s = Store::new().session();
    let m = |i: usize| format!("member:{:07}", i % n).into_bytes();
    let members: Vec<Vec<u8>> = (0..n).map(m).collect();
    let pick = |i: usize| &members[(kv_bench::mix(i as u64) as usize) % n];
    match op {
        "lpushpop" | "rpushpop" => (0..n).for_each(|i| drop(s.rpush(b"l", &[&members[i]]))),
        "sismember" | "sadd-existing" => (0..n).for_each(|i| drop(s.sadd(b"s", &[&members[i]]))),
        _ => (0..n).for_each(|i| drop(s.zadd(b"z", (kv_bench::mix(i as u64) % 1_000_000) as f64, &members[i]))),
    }
    let left = op == "lpushpop";
    let t = Instant::now();
    let mut i = 0usize;
    while t.elapsed() < Duration::from_secs_f64(secs) {
        for _ in 0..1000 {
            // Pushes take elements in order (a random one would be a cache miss
            // of the harness's own); lookups pick random members.
            let x: &[u8] = if op.ends_with("pushpop") { &members[i % 1024] } else { pick(i) };
            let r = match (op, fast) {
                ("lpushpop" | "rpushpop", true) => {
                    if left {
                        s.lpush(b"l", &[x]).unwrap();
                        s.lpop(b"l").unwrap().map_or(0, |v| v.len())
                    } else {
                        s.rpush(b"l", &[x]).unwrap();
                        s.rpop(b"l").unwrap().map_or(0, |v| v.len())
                    }
                }
                ("lpushpop" | "rpushpop", false) => {
                    let (push, pop): (&[u8], &[u8]) = if left { (b"LPUSH", b"LPOP") } else { (b"RPUSH", b"RPOP") };
                    s.execute(&[push, b"l", x]);
                    s.execute(&[pop, b"l"]).as_bytes().map_or(0, |v| v.len())
                }
                ("sismember", true) => s.sismember(b"s", x).unwrap() as usize,
                ("sismember", false) => s.execute(&[&b"SISMEMBER"[..], b"s", x]).as_int().unwrap_or(0) as usize,
                ("sadd-existing", true) => s.sadd(b"s", &[x]).unwrap(),
                ("sadd-existing", false) => s.execute(&[&b"SADD"[..], b"s", x]).as_int().unwrap_or(0) as usize,
                ("zscore", true) => s.zscore(b"z", x).unwrap().map_or(0, |v| v as usize),
                ("zscore", false) => s.execute(&[&b"ZSCORE"[..], b"z", x]).is_error() as usize,
                ("zrange10", true) => {
                    let a = (kv_bench::mix(i as u64) % (n as u64 - 10)) as i64;
                    s.zrange(b"z", a, a + 9).unwrap().len()
                }
                ("zrange10", false) => {
                    let a = kv_bench::mix(i as u64) % (n as u64 - 10);
                    let (a, b) = (a.to_string(), (a + 9).to_string());
                    s.execute(&["ZRANGE", "z", &a, &b]).is_error() as usize
                }
                _ => panic!("unknown collection op {op}"),
            };
            black_box(r);
            i += 1;
        }
    }
    let per = if op.ends_with("pushpop") { 2 } else { 1 };
    eprintln!("{op} fast={fast}: {:.1} ns/op", t.elapsed().as_nanos() as f64 / (i * per) as f64);
}

/// CPU time this thread has used, in ns.
fn thread_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Push/pop rounds on kv's fast path and on the report's list floor.
fn rounds(left: bool, secs: f64, n: usize) {
    use std::collections::VecDeque;
    const K: usize = 200_000;
    let vals: Vec<Vec<u8>> =
        (0..n).map(|i| format!("member:{:07}", kv_bench::mix(i as u64) % 10_000_000).into_bytes()).collect();
    let mut s = Store::new().session();
    let mut f: hashbrown::HashMap<Vec<u8>, VecDeque<Vec<u8>>> = hashbrown::HashMap::new();
    for v in &vals {
        s.rpush(b"l", &[v]).unwrap();
        f.entry(b"l".to_vec()).or_default().push_back(v.clone());
    }
    let time = |g: &mut dyn FnMut(usize)| {
        let t = thread_ns();
        (0..K).for_each(&mut *g);
        (thread_ns() - t) as f64 / K as f64
    };
    let (mut kp, mut ko, mut fp, mut fo) = (vec![], vec![], vec![], vec![]);
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs_f64(secs) || kp.len() < 3 {
        kp.push(time(&mut |i| {
            let v: &[u8] = &vals[i % n];
            black_box(if left { s.lpush(b"l", &[v]) } else { s.rpush(b"l", &[v]) }.unwrap());
        }));
        ko.push(time(&mut |_| {
            black_box(if left { s.lpop(b"l") } else { s.rpop(b"l") }.unwrap().map_or(0, |v| v.len()));
        }));
        fp.push(time(&mut |i| {
            let v = vals[i % n].to_vec();
            let l = match f.get_mut(&b"l"[..]) {
                Some(l) => l,
                None => f.entry(b"l".to_vec()).or_default(),
            };
            if left {
                l.push_front(v)
            } else {
                l.push_back(v)
            }
            black_box(l.len());
        }));
        fo.push(time(&mut |_| {
            let l = f.get_mut(&b"l"[..]).unwrap();
            let v = if left { l.pop_front() } else { l.pop_back() };
            if l.is_empty() {
                f.remove(&b"l"[..]);
            }
            black_box(v.map_or(0, |v| v.len()));
        }));
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (kp, ko, fp, fo) = (med(&mut kp), med(&mut ko), med(&mut fp), med(&mut fo));
    let (push, pop) = if left { ("LPUSH", "LPOP") } else { ("RPUSH", "RPOP") };
    eprintln!("{push} kv {kp:.1} floor {fp:.1} ({:.2}x)  {pop} kv {ko:.1} floor {fo:.1} ({:.2}x)", kp / fp, ko / fo);
}

/// A fixed number of GET hits into a caller's buffer (see the module doc).
fn get_into(calls: usize, n: usize) {
    let w = Workload::new(n);
    let mut s = Store::new().session();
    for k in &w.keys {
        s.set(k, &value(0)).unwrap();
    }
    /// One call, not inlined: `--toggle-collect='*one_get*'` counts only it.
    #[inline(never)]
    fn one_get(s: &mut kv_core::Session, k: &[u8], d: &mut [u8; 64]) -> usize {
        s.get_with(k, |v| d[..v.len()].copy_from_slice(v)).unwrap().is_some() as usize
    }
    let mut total = 0usize;
    let t = Instant::now();
    for i in 0..calls {
        let mut d = [0u8; 64];
        total += one_get(&mut s, black_box(&w.keys[w.at(i)]), &mut d);
        black_box(&d);
    }
    eprintln!("get-into: {total} hits of {calls}, {:.1} ns/op", t.elapsed().as_nanos() as f64 / calls as f64);
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.first().map(String::as_str) == Some("get-into") {
        let calls: usize = a.get(1).and_then(|s| s.parse().ok()).expect("CALLS");
        let n: usize = a.get(2).map_or(10_000, |s| s.parse().expect("KEYS"));
        return get_into(calls, n);
    }
    if let Some(op @ ("lrounds" | "rrounds")) = a.first().map(String::as_str) {
        let secs: f64 = a.get(2).and_then(|s| s.parse().ok()).expect("SECS");
        let n: usize = a.get(3).map_or(1_000_000, |s| s.parse().expect("N"));
        return rounds(op == "lrounds", secs, n);
    }
    if let Some(op @ ("lpushpop" | "rpushpop" | "sismember" | "sadd-existing" | "zscore" | "zrange10")) =
        a.first().map(String::as_str)
    {
        let fast = a.get(1).map(String::as_str) == Some("kv-fast");
        let secs: f64 = a.get(2).and_then(|s| s.parse().ok()).expect("SECS");
        let n: usize = a.get(3).map_or(1_000_000, |s| s.parse().expect("N"));
        return collection(op, fast, secs, n);
    }
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
