//! Append-only log throughput: SETs per second with the log on, fsync
//! `everysec` and `always`, through `Session::execute` and through the
//! typed fast path (`Session::set`), from 1 and 4 threads; against
//! redis-server with `appendonly yes` and the same `appendfsync`, driven by
//! redis-benchmark (1 client unpipelined, and 4 clients pipelining 16), in
//! the same run. Writes the "Append-only log" section of
//! `bench/results/persist.md` (the rest of the file is persist-report's).
//!
//! `cargo run --release -p kv-bench --bin log-report [-- --secs S --out PATH]`

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kv_bench::redis::RedisServer;
use kv_bench::report::loadavg;
use kv_bench::{key, mix};
use kv_core::persist::{Fsync, Mode};
use kv_core::{Config, Store};

const KEYS: usize = 1_000_000;

fn value(i: usize) -> [u8; 32] {
    let mut v = [0u8; 32];
    for (j, b) in v.iter_mut().enumerate() {
        *b = b'!' + (mix((i * 32 + j) as u64) % 94) as u8;
    }
    v
}

fn tmp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("kv-log-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).expect("temp dir");
    p
}

/// SETs per second on a fresh logged store, `threads` threads for `secs`.
fn kv_rate(fsync: Fsync, threads: usize, fast: bool, secs: f64) -> f64 {
    let dir = tmp("kv");
    let store =
        Store::try_open(Config::default().data_dir(&dir).persistence(Mode::Log).fsync(fsync).auto_rewrite(0, 0))
            .expect("open");
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let (store, stop, done) = (store.clone(), stop.clone(), done.clone());
            std::thread::spawn(move || {
                let mut s = store.session();
                let mut i = t;
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let k = key(mix(i as u64) as usize % KEYS);
                    let v = value(i);
                    if fast {
                        s.set(&k, &v).expect("set");
                    } else {
                        let r = s.execute(&[b"SET".as_slice(), &k, &v]);
                        assert!(!r.is_error(), "{r:?}");
                    }
                    i += threads;
                    n += 1;
                }
                done.fetch_add(n, Ordering::Relaxed);
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(secs));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    store.close();
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    done.load(Ordering::Relaxed) as f64 / elapsed
}

/// redis-benchmark's SET rate against a redis-server with the log on.
fn redis_rate(fsync: &str, clients: usize, pipeline: usize, requests: usize) -> Result<f64, String> {
    let dir = tmp("redis");
    let d = dir.to_string_lossy().into_owned();
    let r = RedisServer::start_with(&["--dir", &d, "--appendonly", "yes", "--appendfsync", fsync])?;
    let out = Command::new("redis-benchmark")
        .args(["-p", &r.port.to_string(), "-t", "set", "-d", "32", "-r", &KEYS.to_string(), "-q"])
        .args(["-n", &requests.to_string(), "-c", &clients.to_string(), "-P", &pipeline.to_string()])
        .output()
        .map_err(|e| format!("redis-benchmark: {e}"))?;
    r.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    // "SET: 123456.79 requests per second, p50=0.199 msec"; -q may print
    // progress lines ending in \r first.
    let line = text.split(['\n', '\r']).rfind(|l| l.starts_with("SET: ") && l.contains("requests per second"));
    line.and_then(|l| l[5..].split_whitespace().next()?.parse().ok())
        .ok_or_else(|| format!("cannot read redis-benchmark's output: {text}"))
}

fn fmt_rate(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.2}M", r / 1e6)
    } else {
        format!("{:.0}k", r / 1e3)
    }
}

fn main() {
    let mut secs = 2.0;
    let mut out = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/results/persist.md"));
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        match (args[i].as_str(), args.get(i + 1)) {
            ("--secs", Some(v)) => secs = v.parse().expect("--secs S"),
            ("--out", Some(v)) => out = PathBuf::from(v),
            _ => panic!("usage: log-report [--secs S] [--out PATH]"),
        }
        i += 2;
    }
    let mut rows = String::new();
    for (fsync, name) in [(Fsync::EverySec, "everysec"), (Fsync::Always, "always")] {
        eprintln!("{name}: kv");
        let kv: Vec<f64> = [(1, false), (1, true), (4, false), (4, true)]
            .into_iter()
            .map(|(t, fast)| kv_rate(fsync, t, fast, secs))
            .collect();
        eprintln!("{name}: redis");
        let requests = if fsync == Fsync::Always { 100_000 } else { 1_000_000 };
        let single = redis_rate(name, 1, 1, requests / 4).unwrap_or_else(|e| panic!("{e}"));
        let piped = redis_rate(name, 4, 16, requests).unwrap_or_else(|e| panic!("{e}"));
        writeln!(
            rows,
            "| {name} | {} | {} | {} | {} | {} | {} | {:.1} | {:.1} |",
            fmt_rate(kv[0]),
            fmt_rate(kv[1]),
            fmt_rate(kv[2]),
            fmt_rate(kv[3]),
            fmt_rate(single),
            fmt_rate(piped),
            kv[0] / single,
            kv[3] / piped,
        )
        .unwrap();
    }
    let load = loadavg();
    let section = format!(
        "## Append-only log\n\n`cargo run --release -p kv-bench --bin log-report`; 2 cores, load average {load}.\n\n\
         SETs per second with the log on (16-byte keys over 1M, 32-byte values), {secs} s per kv cell: kv through \
         `Session::execute` and the typed fast path (`Session::set`) from 1 and 4 threads; redis-server 7.0 with \
         `appendonly yes` and the same `appendfsync`, driven by redis-benchmark over loopback TCP (1 client \
         unpipelined; 4 clients pipelining 16). With `always` a kv write returns once its record is fsynced (the \
         log's writer thread fsyncs once for every write appended meanwhile); redis-server fsyncs once per event-loop \
         round before replying. The ratios compare kv execute / 1 thread with redis 1 client, and kv fast path / 4 \
         threads with redis 4 clients pipelined.\n\n\
         | appendfsync | kv execute 1 thr | kv fast 1 thr | kv execute 4 thr | kv fast 4 thr | redis 1 client | redis 4 clients -P 16 | ratio 1 | ratio 4 |\n\
         |---|---|---|---|---|---|---|---|---|\n{rows}"
    );
    let old = std::fs::read_to_string(&out).unwrap_or_default();
    let kept = match old.find("## Append-only log") {
        Some(i) => old[..i].trim_end().to_string(),
        None => old.trim_end().to_string(),
    };
    let text = if kept.is_empty() { section } else { format!("{kept}\n\n{section}") };
    std::fs::write(&out, text).expect("write the report");
    eprintln!("wrote {}", out.display());
}
