//! Differential check of the append-only log: random command sequences
//! (the differential test's generator: every command family, valid and
//! invalid calls, transactions, blocking pops) run on a store keeping a
//! log; reopening it must give exactly the live keyspace (type, expiry,
//! contents in every database). Odd seeds rewrite the log half way,
//! so the reopen goes through a base plus the log. `KV_LOG_DIFF_SEEDS`
//! sets the number of seeds.

#[allow(dead_code, unused_imports)]
mod support {
    pub mod compare;
    pub mod diff;
    pub mod gen;
    pub mod notation;
    pub mod relaxed;
    pub mod resp;
    pub mod rng;
}
mod persist_util;

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kv_core::persist::{Fsync, Mode};
use kv_core::{Config, Reply, Store};
use persist_util::{describe, TempDir};
use support::gen::Gen;

fn config(dir: &std::path::Path) -> Config {
    Config::default().data_dir(dir).persistence(Mode::Log).fsync(Fsync::No)
}

/// Encodings are not compared here (the round-trip tests in persist_log.rs
/// compare them): as with Redis's AOF, some are history no log replays —
/// SORT converts a zset it reads to a skiplist, INCRBYFLOAT's integral
/// result is embstr but is logged as SET ... KEEPTTL, and a snapshot load
/// (a rewrite's base) sizes a list by its raw bytes.
fn without_encodings(m: BTreeMap<String, String>) -> BTreeMap<String, String> {
    m.into_iter()
        .map(|(k, v)| {
            let mut parts = v.splitn(3, ' ');
            let (ty, _, rest) = (parts.next().unwrap(), parts.next(), parts.next().unwrap_or(""));
            (k, format!("{ty} {rest}"))
        })
        .collect()
}

#[test]
fn replaying_the_log_gives_the_live_keyspace() {
    let seeds: u64 = std::env::var("KV_LOG_DIFF_SEEDS").ok().and_then(|v| v.parse().ok()).unwrap_or(24);
    let base = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    for seed in 1..=seeds {
        let dir = TempDir::new(&format!("log-diff-{seed}"));
        let store = Store::try_open(config(dir.path())).unwrap();
        let cmds = Gen::new(seed, base).sequence(600, None, &[]);
        let rewrite = seed % 2 == 1;
        let mut s = store.session();
        for (n, c) in cmds.iter().enumerate() {
            s.execute(c);
            if rewrite && n == cmds.len() / 2 {
                assert!(store.bgrewriteaof().unwrap());
                let t = Instant::now();
                while store.execute(&["INFO", "persistence"]) != Reply::Nil && {
                    let Reply::Verbatim(_, text) = store.execute(&["INFO", "persistence"]) else { panic!() };
                    String::from_utf8_lossy(&text).contains("aof_rewrite_in_progress:1")
                } {
                    assert!(t.elapsed() < Duration::from_secs(20));
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        }
        drop(s);
        let live = describe(&store);
        store.close();
        drop(store);
        let reopened = describe(&Store::try_open(config(dir.path())).unwrap());
        let (live, reopened) = (without_encodings(live), without_encodings(reopened));
        for (k, v) in &live {
            let got = reopened.get(k).map(String::as_str).unwrap_or("(missing)");
            assert!(got == v, "seed {seed}: {k}: live {v}\nreopened {got}");
        }
        let extra: Vec<_> = reopened.keys().filter(|k| !live.contains_key(*k)).collect();
        assert!(extra.is_empty(), "seed {seed}: keys only after reopening: {extra:?}");
    }
}
