//! Key commands: SCAN's guarantees while the keyspace changes, OBJECT,
//! RANDOMKEY, and cross-database commands under concurrency.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc;
use std::time::Duration;

use kv_core::{Config, ManualClock, Reply, Session, Store};

fn int(r: Reply) -> i64 {
    r.as_int().unwrap_or_else(|| panic!("not an integer: {r:?}"))
}

/// One SCAN call: (next cursor, keys).
fn scan_page(s: &mut Session, cursor: &str, extra: &[&str]) -> (String, Vec<Vec<u8>>) {
    let mut args = vec!["SCAN", cursor];
    args.extend_from_slice(extra);
    match s.execute(&args) {
        Reply::Array(mut parts) if parts.len() == 2 => {
            let keys = match parts.pop() {
                Some(Reply::Array(ks)) => ks.into_iter().map(|k| k.as_bytes().unwrap().to_vec()).collect(),
                other => panic!("bad keys {other:?}"),
            };
            let cur = String::from_utf8(parts.pop().unwrap().as_bytes().unwrap().to_vec()).unwrap();
            (cur, keys)
        }
        other => panic!("bad SCAN reply {other:?}"),
    }
}

/// Runs a full SCAN iteration, calling `between` after each page, and
/// returns how often each key was seen.
fn scan_all(s: &mut Session, count: &str, mut between: impl FnMut(&mut Session, usize)) -> HashMap<Vec<u8>, usize> {
    let mut seen = HashMap::new();
    let mut cursor = "0".to_string();
    for step in 0.. {
        assert!(step < 1_000_000, "SCAN did not terminate");
        let (next, keys) = scan_page(s, &cursor, &["COUNT", count]);
        for k in keys {
            *seen.entry(k).or_insert(0) += 1;
        }
        if next == "0" {
            break;
        }
        cursor = next;
        between(s, step);
    }
    seen
}

fn fill(s: &mut Session, prefix: &str, n: usize) {
    for i in 0..n {
        assert_eq!(s.execute(&["SET", &format!("{prefix}{i}"), "v"]), Reply::ok());
    }
}

#[test]
fn scan_returns_every_key_once_on_a_stable_table() {
    for bits in [0, 2, 5] {
        let store = Store::open(Config::default().shard_bits(bits));
        let mut s = store.session();
        fill(&mut s, "k", 3000);
        let seen = scan_all(&mut s, "17", |_, _| {});
        assert_eq!(seen.len(), 3000, "shard_bits {bits}");
        assert!(seen.values().all(|&n| n == 1), "duplicates without resizing (shard_bits {bits})");
    }
}

#[test]
fn scan_returns_stable_keys_while_the_table_grows_and_shrinks() {
    for bits in [0, 3, 5] {
        let store = Store::open(Config::default().shard_bits(bits));
        let mut s = store.session();
        fill(&mut s, "stay", 2000);
        let mut tmp_round = 0;
        let seen = scan_all(&mut s, "25", |s, step| match step % 4 {
            // grow: many new keys force tables to double several times
            0 => {
                tmp_round += 1;
                fill(s, &format!("tmp{tmp_round}-"), 3000);
            }
            // shrink: drop every temporary key again
            2 => {
                let Reply::Array(keys) = s.execute(&["KEYS", "tmp*"]) else { panic!() };
                for k in keys {
                    s.execute(&[&b"DEL"[..], k.as_bytes().unwrap()]);
                }
            }
            _ => {}
        });
        for i in 0..2000 {
            assert!(seen.contains_key(format!("stay{i}").as_bytes()), "stay{i} missed (shard_bits {bits})");
        }
        assert!(tmp_round > 2, "the iteration should have spanned several resizes");
    }
}

#[test]
fn scan_with_a_concurrent_writer() {
    let store = Store::open(Config::default().shard_bits(4));
    let mut s = store.session();
    fill(&mut s, "stay", 3000);
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let writer = {
        let store = store.clone();
        std::thread::spawn(move || {
            let mut w = store.session();
            let mut round = 0;
            while stop_rx.try_recv().is_err() {
                round += 1;
                fill(&mut w, "churn", 1000);
                for i in 0..1000 {
                    w.execute(&["DEL", &format!("churn{i}")]);
                }
            }
            round
        })
    };
    let seen = scan_all(&mut s, "10", |_, _| std::thread::yield_now());
    stop_tx.send(()).unwrap();
    writer.join().unwrap();
    for i in 0..3000 {
        assert!(seen.contains_key(format!("stay{i}").as_bytes()), "stay{i} missed");
    }
}

#[test]
fn scan_count_is_a_hint_and_filters_apply_per_page() {
    let store = Store::new();
    let mut s = store.session();
    fill(&mut s, "a", 500);
    fill(&mut s, "b", 500);
    let (cursor, keys) = scan_page(&mut s, "0", &["COUNT", "20"]);
    assert_ne!(cursor, "0");
    assert!(!keys.is_empty() && keys.len() < 200, "COUNT 20 returned {}", keys.len());
    // MATCH filters after visiting: pages may be empty but the walk finishes
    let mut cursor = "0".to_string();
    let mut got = HashSet::new();
    loop {
        let (next, keys) = scan_page(&mut s, &cursor, &["MATCH", "a*", "COUNT", "5"]);
        assert!(keys.iter().all(|k| k[0] == b'a'));
        got.extend(keys);
        if next == "0" {
            break;
        }
        cursor = next;
    }
    assert_eq!(got.len(), 500);
    // an arbitrary cursor never panics
    for c in ["18446744073709551615", "12345678901234", "-1", "31", "32"] {
        scan_page(&mut s, c, &[]);
    }
}

#[test]
fn object_idletime_counts_from_the_last_access() {
    let clock = ManualClock::new(1_700_000_000_000);
    let store = Store::open(Config::default().clock(clock.clone()));
    let mut s = store.session();
    s.execute(&["SET", "k", "hello"]);
    clock.advance(5_000);
    // TYPE, EXISTS, TTL and OBJECT look without touching
    s.execute(&["TYPE", "k"]);
    s.execute(&["EXISTS", "k"]);
    s.execute(&["TTL", "k"]);
    assert_eq!(int(s.execute(&["OBJECT", "IDLETIME", "k"])), 5);
    s.execute(&["GET", "k"]);
    assert_eq!(int(s.execute(&["OBJECT", "IDLETIME", "k"])), 0);
    clock.advance(3_000);
    s.execute(&["TOUCH", "k"]);
    assert_eq!(int(s.execute(&["OBJECT", "IDLETIME", "k"])), 0);
}

#[test]
fn object_help_is_redis_text() {
    let Reply::Array(lines) = Store::new().execute(&["OBJECT", "HELP"]) else { panic!() };
    let text: Vec<String> = lines
        .iter()
        .map(|l| match l {
            Reply::Status(s) => s.to_string(),
            other => panic!("help lines are simple strings, got {other:?}"),
        })
        .collect();
    assert_eq!(text.len(), 15);
    assert_eq!(text[0], "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert_eq!(text[1], "ENCODING <key>");
    assert_eq!(text[14], "    Prints this help.");
}

#[test]
fn randomkey_returns_every_live_key_eventually() {
    let clock = ManualClock::new(1_700_000_000_000);
    let store = Store::open(Config::default().clock(clock.clone()));
    let mut s = store.session();
    fill(&mut s, "live", 20);
    fill(&mut s, "dead", 200);
    for i in 0..200 {
        s.execute(&["PEXPIRE", &format!("dead{i}"), "10"]);
    }
    clock.advance(11);
    let mut seen = HashSet::new();
    for _ in 0..2000 {
        let k = s.execute(&["RANDOMKEY"]).as_bytes().unwrap().to_vec();
        assert!(k.starts_with(b"live"), "expired key returned");
        seen.insert(k);
    }
    assert_eq!(seen.len(), 20);
}

#[test]
fn cross_database_commands_do_not_deadlock() {
    let store = Store::open(Config::default().shard_bits(2).databases(4));
    let (done_tx, done_rx) = mpsc::channel();
    for t in 0..4 {
        let store = store.clone();
        let done = done_tx.clone();
        std::thread::spawn(move || {
            let mut s = store.session();
            for i in 0..3000usize {
                let k = format!("k{}", i % 16);
                let other = format!("k{}", (i * 7 + t) % 16);
                let db = ((i + t) % 4).to_string();
                match (i + t) % 6 {
                    0 => s.execute(&["SET", &k, "v"]),
                    1 => s.execute(&["MOVE", &k, &db]),
                    2 => s.execute(&["COPY", &k, &other, "DB", &db, "REPLACE"]),
                    3 => s.execute(&["RENAME", &k, &other]),
                    4 => s.execute(&["SELECT", &db]),
                    _ => s.execute(&["SCAN", "0", "COUNT", "3"]),
                };
            }
            done.send(()).unwrap();
        });
    }
    for _ in 0..4 {
        done_rx.recv_timeout(Duration::from_secs(60)).expect("a thread is stuck: deadlock");
    }
}
