//! Snapshot save and load against redis-server's RDB, and the longest
//! command stall during a background save; writes `bench/results/persist.md`.
//!
//! * save and load of 1M and 10M string keys (16-byte keys, 32-byte random
//!   printable values), a 1M-member sorted set and a 1M-field hash: seconds,
//!   MB/s, file size, for kv (`Store::save`, `Store::try_open`) and for
//!   redis-server (SAVE timed at the client; load = the "DB loaded from disk"
//!   time in its log, and the time from spawning a server on the RDB until
//!   PING answers PONG);
//! * the longest latency a client thread doing SETs sees during a BGSAVE of
//!   1M and 10M keys (and without one, for scale), against redis-server's
//!   `latest_fork_usec` after a BGSAVE of the same data.
//!
//! `cargo run --release -p kv-bench --bin persist-report [-- --max-keys N --out PATH]`

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kv_bench::redis::{resp, RedisServer};
use kv_bench::report::loadavg;
use kv_bench::{key, mix};
use kv_core::{Config, Store};

/// 32 random printable bytes (random, so Redis's LZF gains nothing).
fn rand_value(i: usize) -> [u8; 32] {
    let mut v = [0u8; 32];
    for (j, chunk) in v.chunks_mut(8).enumerate() {
        let r = mix((i as u64) << 2 | j as u64).to_le_bytes();
        for (b, r) in chunk.iter_mut().zip(r) {
            *b = b'!' + r % 94;
        }
    }
    v
}

fn member(i: usize) -> Vec<u8> {
    format!("member:{i:012}").into_bytes()
}

fn score(i: usize) -> f64 {
    (mix(i as u64) % 1_000_000_000) as f64 / 1000.0
}

#[derive(Clone, Copy)]
enum Data {
    Strings(usize),
    ZSet(usize),
    Hash(usize),
}

impl Data {
    fn name(self) -> String {
        match self {
            Data::Strings(n) => format!("{}M string keys", n / 1_000_000),
            Data::ZSet(n) => format!("zset of {}M members", n / 1_000_000),
            Data::Hash(n) => format!("hash of {}M fields", n / 1_000_000),
        }
    }

    fn fill_kv(self, store: &Store) {
        let mut s = store.session();
        match self {
            Data::Strings(n) => (0..n).for_each(|i| s.set(&key(i), &rand_value(i)).expect("set")),
            Data::ZSet(n) | Data::Hash(n) => {
                let zset = matches!(self, Data::ZSet(_));
                for start in (0..n).step_by(1000) {
                    let mut args: Vec<Vec<u8>> =
                        vec![if zset { b"ZADD".to_vec() } else { b"HSET".to_vec() }, b"big".to_vec()];
                    for i in start..(start + 1000).min(n) {
                        if zset {
                            args.push(score(i).to_string().into_bytes());
                            args.push(member(i));
                        } else {
                            args.push(member(i));
                            args.push(rand_value(i).to_vec());
                        }
                    }
                    assert!(!s.execute(&args).is_error());
                }
            }
        }
    }

    fn fill_redis(self, r: &mut RedisServer) -> Result<(), String> {
        match self {
            Data::Strings(n) => r.pipeline(n, 1000, |i, out| resp(&[b"SET", &key(i), &rand_value(i)], out)),
            Data::ZSet(n) => {
                r.pipeline(n, 1000, |i, out| resp(&[b"ZADD", b"big", score(i).to_string().as_bytes(), &member(i)], out))
            }
            Data::Hash(n) => r.pipeline(n, 1000, |i, out| resp(&[b"HSET", b"big", &member(i), &rand_value(i)], out)),
        }
    }
}

struct Row {
    what: String,
    kv_save: f64,
    kv_load: f64,
    kv_size: u64,
    redis_save: f64,
    redis_load_log: Option<f64>,
    redis_load_ping: f64,
    redis_size: u64,
}

fn tmp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("kv-persist-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).expect("temp dir");
    p
}

fn size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn kv_config(dir: &Path) -> Config {
    Config::default().data_dir(dir).save_rules(Vec::new())
}

/// Loads timed per snapshot (kv and redis-server), the best one reported.
const LOADS: usize = 3;

/// Times `Store::try_open` on `dir` in a new process (this program with
/// `--load DIR`), as redis-server's load is timed at a restart: not in a
/// process whose allocator has just taken back the millions of blocks of
/// the store that wrote the snapshot.
fn load_in_child(dir: &Path) -> Result<f64, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = std::process::Command::new(exe).arg("--load").arg(dir).output().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim().parse().map_err(|_| format!("load: {text} {}", String::from_utf8_lossy(&out.stderr)))
}

fn measure(data: Data) -> Result<Row, String> {
    eprintln!("{}: kv", data.name());
    let dir = tmp("kv");
    let (kv_save, kv_size) = {
        let store = Store::try_open(kv_config(&dir)).map_err(|e| e.to_string())?;
        data.fill_kv(&store);
        let t = Instant::now();
        store.save().map_err(|e| e.to_string())?;
        (t.elapsed().as_secs_f64(), size(&dir.join(kv_core::persist::SNAPSHOT_FILE)))
    };
    // Best of LOADS, for kv and redis-server alike: the machine is shared.
    let kv_load =
        (0..LOADS).map(|_| load_in_child(&dir)).collect::<Result<Vec<_>, _>>()?.into_iter().fold(f64::MAX, f64::min);
    let _ = std::fs::remove_dir_all(&dir);

    eprintln!("{}: redis-server", data.name());
    let rdir = tmp("redis");
    let (mut r, _) = RedisServer::start_in(&rdir)?;
    data.fill_redis(&mut r)?;
    let t = Instant::now();
    r.command(&[b"SAVE"])?;
    let redis_save = t.elapsed().as_secs_f64();
    r.shutdown();
    let redis_size = size(&rdir.join("dump.rdb"));
    let (mut redis_load_ping, mut redis_load_log) = (f64::MAX, None::<f64>);
    for _ in 0..LOADS {
        let _ = std::fs::remove_file(rdir.join("redis.log"));
        let (r, ping) = RedisServer::start_in(&rdir)?;
        redis_load_ping = redis_load_ping.min(ping.as_secs_f64());
        r.shutdown();
        let log = std::fs::read_to_string(rdir.join("redis.log")).unwrap_or_default();
        let logged: Option<f64> = log.lines().find_map(|l| {
            let rest = l.split("DB loaded from disk: ").nth(1)?;
            rest.split_whitespace().next()?.parse().ok()
        });
        if let Some(t) = logged {
            redis_load_log = Some(redis_load_log.map_or(t, |b| b.min(t)));
        }
    }
    let _ = std::fs::remove_dir_all(&rdir);
    Ok(Row { what: data.name(), kv_save, kv_load, kv_size, redis_save, redis_load_log, redis_load_ping, redis_size })
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The longest SET latency one client thread sees over `window` of
/// writing (with a BGSAVE started at its beginning if `bgsave`); returns
/// ((longest, the thread's CPU time in that call), how long the save
/// took, kv's own longest hand-off).
fn kv_stall(store: &Store, n: usize, bgsave: bool) -> ((Duration, Duration), Duration, Duration) {
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut s = store.session();
            let mut worst = (Duration::ZERO, Duration::ZERO);
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let k = key((mix(i) % n as u64) as usize);
                let (t, cpu) = (Instant::now(), thread_cpu());
                s.set(&k, &rand_value(i as usize)).expect("set");
                let took = t.elapsed();
                if took > worst.0 {
                    worst = (took, thread_cpu().saturating_sub(cpu));
                }
                i += 1;
            }
            worst
        })
    };
    std::thread::sleep(Duration::from_millis(100));
    let t = Instant::now();
    if bgsave {
        store.bgsave().expect("bgsave");
        store.wait_for_save();
    } else {
        std::thread::sleep(Duration::from_secs(2));
    }
    let took = t.elapsed();
    stop.store(true, Ordering::Relaxed);
    (writer.join().expect("writer"), took, store.last_save_stall())
}

struct Stall {
    what: String,
    idle_worst: Duration,
    worst: (Duration, Duration),
    handoff: Duration,
    save_took: Duration,
    fork_us: u64,
}

fn measure_stall(n: usize, shard_bits: u32) -> Result<Stall, String> {
    eprintln!("stall: {n} keys, shard_bits {shard_bits}");
    let dir = tmp("stall");
    let store = Store::try_open(kv_config(&dir).shard_bits(shard_bits)).map_err(|e| e.to_string())?;
    Data::Strings(n).fill_kv(&store);
    let ((idle_worst, _), _, _) = kv_stall(&store, n, false);
    let (worst, save_took, handoff) = kv_stall(&store, n, true);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    let rdir = tmp("stall-redis");
    let (mut r, _) = RedisServer::start_in(&rdir)?;
    Data::Strings(n).fill_redis(&mut r)?;
    r.command(&[b"BGSAVE"])?;
    while r.info_field("persistence", "rdb_bgsave_in_progress")? == "1" {
        std::thread::sleep(Duration::from_millis(10));
    }
    let fork_us = r.info_field("stats", "latest_fork_usec")?.parse().map_err(|e| format!("{e}"))?;
    r.shutdown();
    let _ = std::fs::remove_dir_all(&rdir);
    Ok(Stall {
        what: format!("{}M keys, {} shards/db", n / 1_000_000, 1 << shard_bits),
        idle_worst,
        worst,
        handoff,
        save_took,
        fork_us,
    })
}

fn mbs(bytes: u64, secs: f64) -> String {
    format!("{:.0}", bytes as f64 / 1e6 / secs)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    if let Some(dir) = arg("--load") {
        let t = Instant::now();
        let store = Store::try_open(kv_config(Path::new(&dir))).expect("load");
        println!("{}", t.elapsed().as_secs_f64());
        // The process ends here: no need to free the store.
        std::mem::forget(store);
        return;
    }
    let max: usize = arg("--max-keys").and_then(|v| v.parse().ok()).unwrap_or(10_000_000);
    let out = arg("--out").unwrap_or_else(|| format!("{}/results/persist.md", env!("CARGO_MANIFEST_DIR")));

    let mut datasets = vec![Data::Strings(1_000_000.min(max))];
    if max >= 10_000_000 {
        datasets.push(Data::Strings(10_000_000));
    }
    datasets.push(Data::ZSet(1_000_000.min(max)));
    datasets.push(Data::Hash(1_000_000.min(max)));
    let rows: Vec<Row> = datasets.into_iter().map(|d| measure(d).expect("measure")).collect();
    // The default configuration (32 shards per database) only.
    let mut stall_cases = vec![(1_000_000.min(max), 5)];
    if max >= 10_000_000 {
        stall_cases.push((10_000_000, 5));
    }
    let stalls: Vec<Stall> = stall_cases.into_iter().map(|(n, b)| measure_stall(n, b).expect("stall")).collect();

    let mut md = String::new();
    let _ = writeln!(md, "# Snapshot save and load vs redis-server\n");
    let _ = writeln!(
        md,
        "`cargo run --release -p kv-bench --bin persist-report`; {} cores, load average {}.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        loadavg()
    );
    let _ = writeln!(
        md,
        "kv: `Store::save()` (SAVE) and `Store::try_open` (load, with checksums, timed in a new process as \
         redis-server's load is; a reading thread and an inserting one, or one inserting thread per two cores \
         on bigger machines; redis-server loads on one thread). Loads: the best of 3, for both. redis-server: SAVE timed at the \
         client; load is the \"DB loaded from disk\" time of its log, and (in brackets) the time from spawning \
         redis-server on the RDB until PING answers PONG. 16-byte keys, 32-byte random printable values.\n"
    );
    let _ = writeln!(
        md,
        "| data | kv save s | redis save s | ratio | kv load s | redis load s | ratio | kv MB | RDB MB | size ratio | kv save MB/s | kv load MB/s |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in &rows {
        let rl = r.redis_load_log.unwrap_or(r.redis_load_ping);
        let _ = writeln!(
            md,
            "| {} | {:.3} | {:.3} | {:.2} | {:.3} | {:.3} ({:.3}) | {:.2} | {:.1} | {:.1} | {:.2} | {} | {} |",
            r.what,
            r.kv_save,
            r.redis_save,
            r.kv_save / r.redis_save,
            r.kv_load,
            rl,
            r.redis_load_ping,
            r.kv_load / rl,
            r.kv_size as f64 / 1e6,
            r.redis_size as f64 / 1e6,
            r.kv_size as f64 / r.redis_size as f64,
            mbs(r.kv_size, r.kv_save),
            mbs(r.kv_size, r.kv_load),
        );
    }
    let _ = writeln!(md, "\nTargets: save and load <= 0.5x redis-server, file <= 1.2x the RDB.\n");
    let _ = writeln!(md, "## Longest command stall during BGSAVE\n");
    let _ = writeln!(
        md,
        "One client thread runs SET on random existing keys through the typed fast path and records its \
         longest call: for 2 s without a save (scale: scheduler noise), and for the whole of a BGSAVE, with \
         (in brackets) the CPU time the writing thread spent in that call (the rest is waiting: for a lock \
         or, on a busy machine, for a core). \
         \"hand-off\" is kv's own measure of the longest copy a writer made before its change (the save \
         copies on write by groups of ~256 keys). redis-server: `latest_fork_usec` after a BGSAVE of the \
         same keys (the main thread is stopped for the fork).\n"
    );
    let _ = writeln!(md, "| keys | kv longest SET, no save | kv longest SET during BGSAVE | kv longest hand-off | kv BGSAVE took | redis fork |");
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for s in &stalls {
        let _ = writeln!(
            md,
            "| {} | {:.2} ms | {:.2} ms ({:.2} ms CPU) | {:.2} ms | {:.2} s | {:.2} ms |",
            s.what,
            s.idle_worst.as_secs_f64() * 1e3,
            s.worst.0.as_secs_f64() * 1e3,
            s.worst.1.as_secs_f64() * 1e3,
            s.handoff.as_secs_f64() * 1e3,
            s.save_took.as_secs_f64(),
            s.fork_us as f64 / 1e3
        );
    }
    std::fs::create_dir_all(Path::new(&out).parent().expect("dir")).expect("results dir");
    // The log section is log-report's: kept as it is.
    let old = std::fs::read_to_string(&out).unwrap_or_default();
    if let Some(i) = old.find("## Append-only log") {
        md = format!("{}\n\n{}", md.trim_end(), &old[i..]);
    }
    std::fs::write(&out, &md).expect("write report");
    println!("{md}");
}
