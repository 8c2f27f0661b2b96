//! Differential check of the append-only log: random command sequences
//! (the differential test's generator: every command family, valid and
//! invalid calls, transactions, blocking pops) run on a store keeping a
//! log; reopening it must give exactly the live keyspace (type, expiry,
//! contents in every database). Odd seeds rewrite the log half way,
//! so the reopen goes through a base plus the log. `KV_LOG_DIFF_SEEDS`
//! sets the number of seeds. Every other command goes through its typed
//! fast path when it has one (they log themselves).

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

/// Runs `c` through the typed fast path of its command if it has one and
/// its arguments fit it (the result does not matter: the test compares
/// the keyspace with its replay); false if it has none.
fn fast(s: &mut kv_core::Session, c: &[Vec<u8>]) -> bool {
    let name = String::from_utf8_lossy(&c[0]).to_ascii_lowercase();
    let num = |b: &[u8]| std::str::from_utf8(b).ok().and_then(|t| t.parse::<f64>().ok()).filter(|f| !f.is_nan());
    let (key, rest) = match c.get(1) {
        Some(k) => (k.as_slice(), &c[2..]),
        None => return false,
    };
    let _ = match (name.as_str(), rest.len()) {
        ("set", 1) => s.set(key, &rest[0]).map(drop),
        ("del", _) => s.del(&c[1..]).map(drop),
        ("lpush", 1..) => s.lpush(key, rest).map(drop),
        ("rpush", 1..) => s.rpush(key, rest).map(drop),
        ("lpushx", 1..) => s.lpushx(key, rest).map(drop),
        ("rpushx", 1..) => s.rpushx(key, rest).map(drop),
        ("lpop", 0) => s.lpop(key).map(drop),
        ("rpop", 0) => s.rpop(key).map(drop),
        ("lpop" | "rpop", 1) => match std::str::from_utf8(&rest[0]).ok().and_then(|t| t.parse::<usize>().ok()) {
            Some(n) if name == "lpop" => s.lpop_count(key, n).map(drop),
            Some(n) => s.rpop_count(key, n).map(drop),
            None => return false,
        },
        ("hset", n) if n >= 2 && n % 2 == 0 => {
            let pairs: Vec<(&[u8], &[u8])> = rest.chunks(2).map(|p| (p[0].as_slice(), p[1].as_slice())).collect();
            s.hset(key, &pairs).map(drop)
        }
        ("hdel", 1..) => s.hdel(key, rest).map(drop),
        ("sadd", 1..) => s.sadd(key, rest).map(drop),
        ("srem", 1..) => s.srem(key, rest).map(drop),
        ("zrem", 1..) => s.zrem(key, rest).map(drop),
        ("zincrby", 2) => match num(&rest[0]) {
            Some(by) => s.zincrby(key, by, &rest[1]).map(drop),
            None => return false,
        },
        ("zadd", n) if n >= 2 && n % 2 == 0 => {
            let pairs: Option<Vec<(f64, &[u8])>> =
                rest.chunks(2).map(|p| num(&p[0]).map(|sc| (sc, p[1].as_slice()))).collect();
            match pairs {
                Some(pairs) => s.zadd_with(key, Default::default(), &pairs).map(drop),
                None => return false,
            }
        }
        _ => return false,
    };
    true
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
            // Every other command through its typed fast path, if it has
            // one: they log themselves (their command, or the key's state).
            if n % 2 == 1 || !fast(&mut s, c) {
                s.execute(c);
            }
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
