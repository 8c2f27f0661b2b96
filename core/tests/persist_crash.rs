//! Crash harness: a child process (this test binary, running the ignored
//! `crash_child` test) writes under load from three threads — a typed fast
//! path, commands and transactions, lists — and prints each acknowledged
//! write; the parent SIGKILLs it at a random moment, reopens the store and
//! checks that every reopen succeeds, that what each thread wrote is a
//! prefix of its writes with the right values (the log keeps order and
//! never applies half a transaction), and that with fsync=always no
//! acknowledged write is missing, with everysec none acknowledged more than
//! about a second before the kill. Auto-rewrite is set low, so kills also
//! land in rewrites.

mod persist_util;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kv_core::persist::{Fsync, Mode};
use kv_core::{Config, Reply, Store};
use persist_util::TempDir;

const THREADS: usize = 3;

fn config(dir: &Path, fsync: Fsync) -> Config {
    Config::default().data_dir(dir).persistence(Mode::Log).fsync(fsync).auto_rewrite(100, 64 << 10)
}

fn policy(name: &str) -> Fsync {
    if name == "always" {
        Fsync::Always
    } else {
        Fsync::EverySec
    }
}

/// The child: runs only when the parent sets KV_CRASH_DIR.
#[test]
#[ignore]
fn crash_child() {
    let Ok(dir) = std::env::var("KV_CRASH_DIR") else { return };
    let fsync = policy(&std::env::var("KV_CRASH_FSYNC").unwrap());
    let gen = std::env::var("KV_CRASH_GEN").unwrap();
    let store = Store::try_open(config(Path::new(&dir), fsync).expiry_thread(true).hz(50)).unwrap();
    // Each generation starts from an empty store (the log stays small).
    assert_eq!(store.execute(&["FLUSHALL"]), Reply::ok());
    println!("ready");
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (store, gen) = (store.clone(), gen.clone());
            std::thread::spawn(move || {
                let mut s = store.session();
                for i in 0u64.. {
                    let key = format!("g{gen}:t{t}:{i}");
                    let val = i.to_string();
                    match t {
                        0 => s.set(key.as_bytes(), val.as_bytes()).unwrap(),
                        1 => {
                            assert_eq!(s.execute(&["SET", &key, &val]), Reply::ok());
                            if i % 4 == 0 {
                                s.execute(&["MULTI"]);
                                s.execute(&["INCR", "a"]);
                                s.execute(&["INCR", "b"]);
                                assert!(matches!(s.execute(&["EXEC"]), Reply::Array(_)));
                            }
                        }
                        _ => {
                            assert!(matches!(s.execute(&["RPUSH", "list", &val]), Reply::Integer(_)));
                            assert_eq!(s.execute(&["SET", &key, &val, "EX", "100000"]), Reply::ok());
                        }
                    }
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "{t} {i}").unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

struct Cycle {
    /// Per thread: (write index, when the parent read its ack).
    acked: Vec<Vec<(u64, Instant)>>,
    killed: Instant,
}

fn run_child(dir: &Path, fsync: &str, gen: u32, run_for: Duration) -> Cycle {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("KV_CRASH_DIR", dir)
        .env("KV_CRASH_FSYNC", fsync)
        .env("KV_CRASH_GEN", gen.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send((line, Instant::now())).is_err() {
                break;
            }
        }
    });
    let mut acked = vec![Vec::new(); THREADS];
    let mut take = |line: &str, at: Instant| {
        let mut p = line.split(' ');
        if let (Some(t), Some(i), None) = (p.next(), p.next(), p.next()) {
            if let (Ok(t), Ok(i)) = (t.parse::<usize>(), i.parse::<u64>()) {
                acked[t].push((i, at));
            }
        }
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (line, _) = rx.recv_timeout(deadline - Instant::now()).expect("the child did not start");
        if line.ends_with("ready") {
            break;
        }
    }
    let stop = Instant::now() + run_for;
    while let Ok((line, at)) = rx.recv_timeout(stop.saturating_duration_since(Instant::now())) {
        take(&line, at);
        if Instant::now() >= stop {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL
    let killed = Instant::now();
    child.wait().unwrap();
    reader.join().unwrap();
    // Acks printed before the kill are still in the pipe.
    for (line, at) in rx.try_iter() {
        take(&line, at.min(killed));
    }
    Cycle { acked, killed }
}

fn check(dir: &Path, fsync: &str, gen: u32, c: &Cycle) {
    let store = Store::try_open(config(dir, policy(fsync))).unwrap_or_else(|e| panic!("gen {gen}: reopen failed: {e}"));
    let mut s = store.session();
    for t in 0..THREADS {
        // What survived of a thread's writes is a prefix of them.
        let Reply::Array(keys) = s.execute(&["KEYS", &format!("g{gen}:t{t}:*")]) else { panic!() };
        let n = keys.len() as u64;
        for i in [0, n / 2, n.saturating_sub(1)].into_iter().filter(|_| n > 0) {
            let got = s.execute(&["GET", &format!("g{gen}:t{t}:{i}")]);
            assert_eq!(got, Reply::bulk(i.to_string()), "gen {gen} thread {t}: {n} keys but key {i} is {got:?}");
        }
        let acked = &c.acked[t];
        let missing: Vec<_> = acked.iter().filter(|(i, _)| *i >= n).collect();
        if fsync == "always" {
            assert!(missing.is_empty(), "gen {gen} thread {t}: {} acknowledged writes lost ({n} kept)", missing.len());
        } else if let Some((i, at)) = missing.first() {
            let age = c.killed.duration_since(*at);
            assert!(
                age <= Duration::from_millis(1500),
                "gen {gen} thread {t}: write {i} acknowledged {age:?} before the kill is lost"
            );
        }
        if t == 2 && n > 0 {
            let Reply::Integer(len) = s.execute(&["LLEN", "list"]) else { panic!() };
            assert!(len as u64 == n || len as u64 == n + 1, "gen {gen}: list {len}, keys {n}");
        }
    }
    // Transactions are whole or absent.
    assert_eq!(s.execute(&["GET", "a"]), s.execute(&["GET", "b"]), "gen {gen}: half a transaction");
    // Compact the log so the next generation starts from a small one.
    s.execute(&["FLUSHALL"]);
    assert!(store.bgrewriteaof().unwrap());
    let t = Instant::now();
    while !matches!(s.execute(&["INFO", "persistence"]), Reply::Verbatim(_, ref v) if String::from_utf8_lossy(v).contains("aof_rewrite_in_progress:0"))
    {
        assert!(t.elapsed() < Duration::from_secs(20), "gen {gen}: rewrite did not end");
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(s);
    store.close();
}

fn harness(fsync: &str, kills: u32) {
    let dir = TempDir::new(&format!("crash-{fsync}"));
    let mut rng = 0x2545_f491_4f6c_dd1du64 ^ std::process::id() as u64;
    let started = Instant::now();
    let mut acked_total = 0;
    for gen in 0..kills {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // Mostly short runs; some long enough for rewrites and fsyncs.
        let ms = if rng.is_multiple_of(16) { 100 + rng % 250 } else { 2 + rng % 50 };
        let t0 = Instant::now();
        let c = run_child(dir.path(), fsync, gen, Duration::from_millis(ms));
        let t1 = Instant::now();
        acked_total += c.acked.iter().map(Vec::len).sum::<usize>();
        check(dir.path(), fsync, gen, &c);
        if std::env::var_os("KV_CRASH_VERBOSE").is_some() {
            eprintln!("{fsync} gen {gen}: ran {ms} ms, child {:?}, check {:?}", t1 - t0, t1.elapsed());
        }
    }
    eprintln!("{fsync}: {kills} kills, {acked_total} acknowledged writes checked in {:?}", started.elapsed());
    assert!(acked_total > kills as usize * 10, "too few writes to test anything: {acked_total}");
}

fn kills(default: u32) -> u32 {
    std::env::var("KV_CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn sigkill_fsync_always_loses_no_acknowledged_write() {
    harness("always", kills(200));
}

#[test]
fn sigkill_fsync_everysec_loses_at_most_a_second() {
    harness("everysec", kills(200));
}
