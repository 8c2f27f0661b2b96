//! BGSAVE: Redis's replies and errors, the save rules, and point-in-time
//! consistency while writers (and transactions) keep changing every shard.

mod persist_util;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kv_core::persist::SaveRule;
use kv_core::{Config, ManualClock, Reply, Store};
use persist_util::*;

fn info_field(store: &Store, name: &str) -> String {
    let Reply::Verbatim(_, text) = store.session().execute(&["INFO", "persistence"]) else { panic!("info") };
    let text = String::from_utf8(text).unwrap();
    text.lines().find_map(|l| l.strip_prefix(&format!("{name}:")).map(str::to_string)).expect(name)
}

fn bulk_load(store: &Store, n: usize, prefix: &str) {
    let mut s = store.session();
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let mut args = vec!["MSET".to_string()];
        for i in chunk {
            args.push(format!("{prefix}{i}"));
            args.push(format!("value-{i}-{}", "p".repeat(20)));
        }
        assert_eq!(s.execute(&args), Reply::ok());
    }
}

#[test]
fn bgsave_replies_as_redis() {
    let dir = TempDir::new("bgsave-replies");
    let store = Store::try_open(Config::default().data_dir(dir.path()).save_rules(Vec::new())).unwrap();
    bulk_load(&store, 200_000, "k");
    let mut s = store.session();
    assert_eq!(s.execute(&["BGSAVE", "NOW"]), Reply::error("ERR syntax error"));
    assert_eq!(s.execute(&["BGSAVE", "SCHEDULE", "x"]), Reply::error("ERR syntax error"));
    assert_eq!(s.execute(&["BGSAVE"]), Reply::status("Background saving started"));
    // 200k keys take a while to write: the save is still running.
    assert_eq!(info_field(&store, "rdb_bgsave_in_progress"), "1");
    assert_eq!(s.execute(&["BGSAVE"]), Reply::error("ERR Background save already in progress"));
    assert_eq!(s.execute(&["BGSAVE", "schedule"]), Reply::error("ERR Background save already in progress"));
    assert_eq!(s.execute(&["SAVE"]), Reply::error("ERR Background save already in progress"));
    assert!(matches!(store.bgsave(), Err(kv_core::persist::Error::InProgress)));
    store.wait_for_save();
    assert_eq!(info_field(&store, "rdb_bgsave_in_progress"), "0");
    assert_eq!(info_field(&store, "rdb_last_bgsave_status"), "ok");
    assert_eq!(info_field(&store, "rdb_changes_since_last_save"), "0");
    assert_eq!(s.execute(&["BGSAVE", "SCHEDULE"]), Reply::status("Background saving started"));
    store.wait_for_save();
    // Inside a transaction BGSAVE is scheduled: it starts after EXEC, and
    // its point in time includes the whole transaction.
    s.execute(&["MULTI"]);
    s.execute(&["SET", "in-multi", "1"]);
    s.execute(&["BGSAVE"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![Reply::ok(), Reply::status("Background saving scheduled")]));
    std::thread::sleep(Duration::from_millis(50));
    store.wait_for_save();
    assert_eq!(info_field(&store, "rdb_saves"), "3");
    store.close();
    let reopened = Store::try_open(Config::default().data_dir(dir.path())).unwrap();
    assert_eq!(reopened.dbsize(0), 200_001);
    // Backups of a live store open as stores.
    let backup = TempDir::new("backup");
    reopened.execute(&["SET", "extra", "1"]);
    let stats = reopened.backup(backup.path()).unwrap();
    assert_eq!(stats.records, 200_002);
    let restored = Store::try_open(Config::default().data_dir(backup.path())).unwrap();
    assert_eq!(restored.execute(&["GET", "extra"]), Reply::bulk("1"));
    assert_eq!(restored.dbsize(0), 200_002);
}

#[test]
fn save_rules_start_a_background_save() {
    let dir = TempDir::new("rules");
    let clock = ManualClock::new(T0);
    let cfg = Config::default().clock(clock.clone()).data_dir(dir.path()).save_rules(vec![SaveRule::new(10, 3)]);
    let store = Store::try_open(cfg).unwrap();
    let mut s = store.session();
    s.execute(&["SET", "a", "1"]);
    s.execute(&["SET", "b", "1"]);
    clock.advance(11_000);
    s.execute(&["GET", "a"]); // 2 changes only: no save
    store.wait_for_save();
    assert_eq!(info_field(&store, "rdb_saves"), "0");
    s.execute(&["SET", "c", "1"]);
    clock.advance(200);
    s.execute(&["GET", "a"]);
    std::thread::sleep(Duration::from_millis(20));
    store.wait_for_save();
    assert_eq!(info_field(&store, "rdb_saves"), "1");
    assert_eq!(info_field(&store, "rdb_changes_since_last_save"), "0");
    assert!(dir.snapshot().exists());
    // Not again before 10 seconds pass, however many changes.
    for i in 0..10 {
        s.execute(&["SET", &format!("x{i}"), "1"]);
    }
    clock.advance(5_000);
    s.execute(&["GET", "a"]);
    store.wait_for_save();
    assert_eq!(info_field(&store, "rdb_saves"), "1");
}

/// Writers change every key of every shard as fast as they can while a
/// BGSAVE runs; the snapshot holds exactly the values set, in one atomic
/// MSET, before it started.
#[test]
fn bgsave_is_a_point_in_time_while_writers_run() {
    let dir = TempDir::new("pit");
    let store = Store::try_open(Config::default().data_dir(dir.path()).save_rules(Vec::new())).unwrap();
    bulk_load(&store, 100_000, "filler");
    let counters: Vec<String> = (0..512).map(|i| format!("counter:{i}")).collect();
    for round in 0..3 {
        let mut args = vec!["MSET".to_string()];
        for c in &counters {
            args.push(c.clone());
            args.push(format!("{round}000"));
        }
        assert_eq!(store.execute(&args), Reply::ok());
        assert_eq!(store.execute(&["SET", "marker", &round.to_string()]), Reply::ok());
        // The point in time; the writers start right after it, while the
        // saver is still walking the shards.
        store.bgsave().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..3)
            .map(|w| {
                let (store, stop, counters) = (store.clone(), stop.clone(), counters.clone());
                std::thread::spawn(move || {
                    let mut s = store.session();
                    let mut n = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        for c in counters.iter().skip(w).step_by(3) {
                            s.execute(&["INCR", c]);
                        }
                        s.execute(&["DEL", &format!("filler{}", n % 100_000)]);
                        s.execute(&["SET", "marker", "changed"]);
                        s.execute(&["SET", &format!("new:{w}:{n}"), "x"]);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        store.wait_for_save();
        stop.store(true, Ordering::Relaxed);
        let rounds: u64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
        assert!(rounds > 0);
        eprintln!("round {round}: {rounds} writer passes, longest hand-off {:?}", store.last_save_stall());
        let snap = Store::try_open(Config::default().data_dir(dir.path())).unwrap();
        let mut s = snap.session();
        assert_eq!(s.execute(&["GET", "marker"]), Reply::bulk(round.to_string()));
        for c in &counters {
            assert_eq!(s.execute(&["GET", c]), Reply::bulk(format!("{round}000")), "{c} in round {round}");
        }
        assert_eq!(s.execute(&["KEYS", "new:*"]), Reply::Array(vec![]));
        let fillers = snap.dbsize(0) - counters.len() - 1;
        // Round 0 saw every filler; later rounds what the writers left.
        if round == 0 {
            assert_eq!(fillers, 100_000);
        }
        // The live store moved on.
        assert_ne!(store.execute(&["GET", "marker"]), Reply::bulk(round.to_string()));
        store.execute(&["DEL", "marker"]);
        let Reply::Array(news) = store.execute(&["KEYS", "new:*"]) else { panic!() };
        for k in news {
            let Reply::Bulk(k) = k else { panic!() };
            store.execute(&[b"DEL".as_slice(), &k]);
        }
    }
}

/// Transactions move amounts between accounts in different shards, so the
/// total never changes; every snapshot taken meanwhile has the same total.
#[test]
fn snapshots_keep_a_cross_shard_invariant() {
    let dir = TempDir::new("invariant");
    let store = Store::try_open(Config::default().data_dir(dir.path()).save_rules(Vec::new())).unwrap();
    bulk_load(&store, 50_000, "filler");
    const ACCOUNTS: usize = 200;
    const TOTAL: i64 = ACCOUNTS as i64 * 1000;
    let accounts: Vec<String> = (0..ACCOUNTS).map(|i| format!("acct:{i}")).collect();
    for a in &accounts {
        store.execute(&["SET", a, "1000"]);
    }
    let total = |store: &Store| -> i64 {
        let Reply::Array(v) = store.execute(&[&["MGET".to_string()], &accounts[..]].concat()) else { panic!() };
        v.iter()
            .map(|r| match r {
                Reply::Bulk(b) => std::str::from_utf8(b).unwrap().parse::<i64>().unwrap(),
                other => panic!("{other:?}"),
            })
            .sum()
    };
    let stop = Arc::new(AtomicBool::new(false));
    let movers: Vec<_> = (0..2u64)
        .map(|t| {
            let (store, stop, accounts) = (store.clone(), stop.clone(), accounts.clone());
            std::thread::spawn(move || {
                let mut s = store.session();
                let mut x = 12345u64 + t;
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let (a, b) = ((x >> 20) as usize % ACCOUNTS, (x >> 40) as usize % ACCOUNTS);
                    let amount = ((x >> 8) % 50).to_string();
                    s.execute(&["MULTI"]);
                    s.execute(&["DECRBY", &accounts[a], &amount]);
                    s.execute(&["INCRBY", &accounts[b], &amount]);
                    let r = s.execute(&["EXEC"]);
                    assert!(matches!(r, Reply::Array(ref v) if v.len() == 2), "{r:?}");
                    n += 1;
                }
                n
            })
        })
        .collect();
    for _ in 0..4 {
        store.bgsave().unwrap();
        store.wait_for_save();
        let snap = Store::try_open(Config::default().data_dir(dir.path())).unwrap();
        assert_eq!(total(&snap), TOTAL);
    }
    stop.store(true, Ordering::Relaxed);
    let moves: u64 = movers.into_iter().map(|m| m.join().unwrap()).sum();
    assert!(moves > 0);
    assert_eq!(total(&store), TOTAL);
}
