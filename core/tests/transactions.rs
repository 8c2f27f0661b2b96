//! MULTI/EXEC/DISCARD/WATCH/UNWATCH: queueing rules, WATCH invalidation by
//! every kind of change (and not by failed writes, reads or expiry of an
//! already expired key), and atomicity of EXEC against other threads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use kv_core::{Clock, Config, ManualClock, Reply, Session, Store};

fn store_at(ms: u64) -> (Store, Arc<ManualClock>) {
    let clock = ManualClock::new(ms);
    let store = Store::open(Config::default().clock(clock.clone() as Arc<dyn Clock>).expiry_thread(false));
    (store, clock)
}

fn ok(s: &mut Session, args: &[&str]) {
    assert_eq!(s.execute(args), Reply::ok(), "{args:?}");
}

fn queued(s: &mut Session, args: &[&str]) {
    assert_eq!(s.execute(args), Reply::status("QUEUED"), "{args:?}");
}

fn err(r: Reply) -> String {
    r.error_text().unwrap_or_else(|| panic!("expected an error, got {r:?}")).to_string()
}

#[test]
fn queues_and_executes_in_order() {
    let store = Store::new();
    let mut s = store.session();
    ok(&mut s, &["MULTI"]);
    queued(&mut s, &["SET", "a", "1"]);
    queued(&mut s, &["INCR", "a"]);
    queued(&mut s, &["GET", "a"]);
    // Nothing ran yet.
    assert_eq!(store.session().execute(&["GET", "a"]), Reply::Nil);
    assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![Reply::ok(), Reply::Integer(2), Reply::bulk("2")]));
    // An empty transaction.
    ok(&mut s, &["MULTI"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![]));
}

#[test]
fn errors_outside_and_inside_multi() {
    let store = Store::new();
    let mut s = store.session();
    assert_eq!(err(s.execute(&["EXEC"])), "ERR EXEC without MULTI");
    assert_eq!(err(s.execute(&["DISCARD"])), "ERR DISCARD without MULTI");
    ok(&mut s, &["MULTI"]);
    assert_eq!(err(s.execute(&["MULTI"])), "ERR MULTI calls can not be nested");
    assert_eq!(err(s.execute(&["WATCH", "a"])), "ERR WATCH inside MULTI is not allowed");
    // Neither error aborts the transaction.
    queued(&mut s, &["SET", "a", "1"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![Reply::ok()]));
    assert_eq!(err(s.execute(&["MULTI", "x"])), "ERR wrong number of arguments for 'multi' command");
    assert_eq!(err(s.execute(&["EXEC"])), "ERR EXEC without MULTI");
}

#[test]
fn queue_time_errors_abort_exec() {
    let store = Store::new();
    for bad in [&["GET"][..], &["NOSUCH", "x"], &["MULTI", "x"], &["WATCH"]] {
        let mut s = store.session();
        ok(&mut s, &["MULTI"]);
        queued(&mut s, &["SET", "a", "1"]);
        assert!(s.execute(bad).is_error(), "{bad:?}");
        queued(&mut s, &["SET", "b", "1"]);
        assert_eq!(err(s.execute(&["EXEC"])), "EXECABORT Transaction discarded because of previous errors.");
        // Discarded: nothing ran, and the session is out of MULTI.
        assert_eq!(s.execute(&["EXISTS", "a", "b"]), Reply::Integer(0));
        assert_eq!(err(s.execute(&["EXEC"])), "ERR EXEC without MULTI");
    }
}

#[test]
fn refused_exec_discards_at_once() {
    let store = Store::new();
    let mut s = store.session();
    ok(&mut s, &["WATCH", "k"]);
    ok(&mut s, &["MULTI"]);
    queued(&mut s, &["SET", "a", "1"]);
    assert_eq!(
        err(s.execute(&["EXEC", "x"])),
        "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command"
    );
    assert_eq!(err(s.execute(&["EXEC"])), "ERR EXEC without MULTI");
    ok(&mut store.session(), &["SET", "k", "1"]);
    ok(&mut s, &["MULTI"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![]), "the watch went with the transaction");
    assert_eq!(s.execute(&["EXISTS", "a"]), Reply::Integer(0));
}

#[test]
fn runtime_errors_do_not_abort() {
    let store = Store::new();
    let mut s = store.session();
    ok(&mut s, &["MULTI"]);
    queued(&mut s, &["SET", "a", "x"]);
    queued(&mut s, &["INCR", "a"]);
    queued(&mut s, &["LPUSH", "a", "1"]);
    queued(&mut s, &["SET", "b", "2"]);
    let Reply::Array(r) = s.execute(&["EXEC"]) else { panic!() };
    assert_eq!(r[0], Reply::ok());
    assert_eq!(err(r[1].clone()), "ERR value is not an integer or out of range");
    assert!(err(r[2].clone()).starts_with("WRONGTYPE"));
    assert_eq!(r[3], Reply::ok());
    assert_eq!(s.execute(&["GET", "b"]), Reply::bulk("2"));
}

#[test]
fn discard_drops_queue_and_watches() {
    let store = Store::new();
    let mut s = store.session();
    let mut other = store.session();
    ok(&mut s, &["WATCH", "a"]);
    ok(&mut s, &["MULTI"]);
    queued(&mut s, &["SET", "a", "1"]);
    ok(&mut s, &["DISCARD"]);
    assert_eq!(s.execute(&["GET", "a"]), Reply::Nil);
    // The watch is gone: a change now does not fail the next EXEC.
    ok(&mut other, &["SET", "a", "2"]);
    ok(&mut s, &["MULTI"]);
    queued(&mut s, &["GET", "a"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![Reply::bulk("2")]));
}

#[test]
fn select_inside_exec_moves_the_session() {
    let store = Store::new();
    let mut s = store.session();
    ok(&mut s, &["MULTI"]);
    queued(&mut s, &["SELECT", "1"]);
    queued(&mut s, &["SET", "a", "1"]);
    queued(&mut s, &["SELECT", "99"]);
    queued(&mut s, &["SET", "b", "1"]);
    let Reply::Array(r) = s.execute(&["EXEC"]) else { panic!() };
    assert_eq!(err(r[2].clone()), "ERR DB index is out of range");
    assert_eq!(s.db(), 1);
    assert_eq!(s.execute(&["DBSIZE"]), Reply::Integer(2));
    ok(&mut s, &["SELECT", "0"]);
    assert_eq!(s.execute(&["DBSIZE"]), Reply::Integer(0));
}

#[test]
fn reset_and_quit_end_the_transaction() {
    let store = Store::new();
    for end in ["RESET", "QUIT"] {
        let mut s = store.session();
        let mut other = store.session();
        ok(&mut s, &["WATCH", "w"]);
        ok(&mut s, &["MULTI"]);
        queued(&mut s, &["SET", "a", "1"]);
        assert!(!s.execute(&[end]).is_error());
        assert_eq!(err(s.execute(&["EXEC"])), "ERR EXEC without MULTI");
        assert_eq!(s.execute(&["EXISTS", "a"]), Reply::Integer(0));
        ok(&mut other, &["SET", "w", "1"]);
        ok(&mut s, &["MULTI"]);
        assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![]), "{end} dropped the watch");
        assert_eq!(other.execute(&["DEL", "w"]), Reply::Integer(1));
    }
}

#[test]
fn hello_is_queued() {
    let store = Store::new();
    let mut s = store.session();
    ok(&mut s, &["MULTI"]);
    queued(&mut s, &["HELLO", "3"]);
    assert_eq!(s.protocol(), 2);
    let Reply::Array(r) = s.execute(&["EXEC"]) else { panic!() };
    assert!(matches!(r[0], Reply::Map(_)));
    assert_eq!(s.protocol(), 3);
}

// ---- WATCH -----------------------------------------------------------------

/// WATCHes `key` on a fresh session, lets `change` run on another session,
/// then reports whether EXEC went through.
fn exec_after(store: &Store, watch: &[&str], change: impl FnOnce(&mut Session)) -> bool {
    let mut s = store.session();
    let mut args = vec!["WATCH"];
    args.extend_from_slice(watch);
    ok(&mut s, &args);
    change(&mut store.session());
    ok(&mut s, &["MULTI"]);
    queued(&mut s, &["PING"]);
    match s.execute(&["EXEC"]) {
        Reply::Array(r) => {
            assert_eq!(r, vec![Reply::status("PONG")]);
            true
        }
        Reply::NilArray => false,
        other => panic!("EXEC replied {other:?}"),
    }
}

fn fresh(setup: &[&[&str]]) -> Store {
    let store = Store::new();
    let mut s = store.session();
    for cmd in setup {
        assert!(!s.execute(cmd).is_error(), "{cmd:?}");
    }
    store
}

#[test]
fn watch_fails_on_every_kind_of_change() {
    let base: &[&[&str]] = &[&["SET", "k", "1"], &["SADD", "s", "a"], &["HSET", "h", "f", "v"], &["RPUSH", "l", "x"]];
    let changes: &[(&str, &[&[&str]])] = &[
        ("k", &[&["SET", "k", "1"]]),
        ("k", &[&["DEL", "k"]]),
        ("k", &[&["APPEND", "k", "x"]]),
        ("k", &[&["INCR", "k"]]),
        ("k", &[&["SETRANGE", "k", "0", "z"]]),
        ("k", &[&["SETBIT", "k", "0", "1"]]),
        ("k", &[&["EXPIRE", "k", "100"]]),
        ("k", &[&["EXPIRE", "k", "100"], &["PERSIST", "k"]]),
        ("k", &[&["PEXPIRE", "k", "-1"]]),
        ("k", &[&["RENAME", "k", "z"]]),
        ("z", &[&["RENAME", "k", "z"]]),
        ("k", &[&["MOVE", "k", "1"]]),
        ("k", &[&["COPY", "s", "k", "REPLACE"]]),
        ("k", &[&["FLUSHDB"]]),
        ("k", &[&["FLUSHALL"]]),
        ("k", &[&["SWAPDB", "0", "1"]]),
        ("k", &[&["GETDEL", "k"]]),
        ("k", &[&["GETSET", "k", "2"]]),
        ("k", &[&["MSET", "q", "1", "k", "2"]]),
        ("k", &[&["BITOP", "NOT", "k", "k"]]),
        ("s", &[&["SADD", "s", "b"]]),
        ("s", &[&["SREM", "s", "a"]]),
        ("s", &[&["SPOP", "s"]]),
        ("h", &[&["HSET", "h", "f", "w"]]),
        ("h", &[&["HINCRBY", "h", "n", "1"]]),
        ("l", &[&["LPUSH", "l", "y"]]),
        ("l", &[&["LSET", "l", "0", "y"]]),
        ("l", &[&["RPOP", "l"]]),
        ("new", &[&["SET", "new", "1"]]),
        ("new", &[&["SET", "new", "1"], &["DEL", "new"]]),
        ("new", &[&["SADD", "new", "1"]]),
    ];
    for (key, change) in changes {
        let store = fresh(base);
        let ran = exec_after(&store, &[key], |o| {
            for cmd in *change {
                assert!(!o.execute(cmd).is_error(), "{cmd:?}");
            }
        });
        assert!(!ran, "WATCH {key} then {change:?} must fail EXEC");
    }
}

#[test]
fn watch_survives_reads_failed_writes_and_other_keys() {
    let base: &[&[&str]] =
        &[&["SET", "k", "1"], &["SADD", "s", "a"], &["SET", "n", "x"], &["HSET", "h", "f", "v"], &["RPUSH", "l", "x"]];
    let harmless: &[(&str, &[&str])] = &[
        ("k", &["GET", "k"]),
        ("k", &["EXISTS", "k"]),
        ("k", &["TTL", "k"]),
        ("k", &["SET", "other", "1"]),
        ("k", &["SET", "k", "2", "NX"]),
        ("k", &["SETNX", "k", "2"]),
        ("k", &["LPUSH", "k", "x"]),
        ("k", &["SADD", "k", "x"]),
        ("k", &["HSET", "k", "f", "v"]),
        ("k", &["PERSIST", "k"]),
        ("k", &["EXPIRE", "k", "100", "XX"]),
        ("k", &["RENAMENX", "s", "k"]),
        ("s", &["INCR", "s"]),
        ("s", &["APPEND", "s", "x"]),
        // Collection commands against another collection type.
        ("h", &["SADD", "h", "x"]),
        ("h", &["LPUSH", "h", "x"]),
        ("s", &["HSET", "s", "f", "v"]),
        ("l", &["SREM", "l", "x"]),
        ("l", &["HINCRBY", "l", "f", "1"]),
        ("h", &["HINCRBY", "h", "f", "1"]),
        ("n", &["INCR", "n"]),
        ("n", &["INCRBYFLOAT", "n", "1"]),
        ("absent", &["DEL", "absent"]),
        ("absent", &["GET", "absent"]),
        ("absent", &["FLUSHDB"]),
        ("absent", &["SWAPDB", "0", "1"]),
        ("k", &["FLUSHDB"]),
    ];
    for (i, (key, cmd)) in harmless.iter().enumerate() {
        let store = fresh(base);
        // The FLUSHDB of another database than the watched key's.
        let cmd: Vec<&str> = if i == harmless.len() - 1 { vec!["SELECT", "1"] } else { cmd.to_vec() };
        let ran = exec_after(&store, &[key], |o| {
            o.execute(&cmd);
            if i == harmless.len() - 1 {
                ok(o, &["FLUSHDB"]);
            }
        });
        assert!(ran, "WATCH {key} then {cmd:?} must not fail EXEC");
    }
}

/// What Redis (checked on redis-server) counts as a change when a write
/// leaves the value as it was: some commands signal whenever they write,
/// others only when something changed.
#[test]
fn writes_that_leave_the_value_as_it_was() {
    let base: &[&[&str]] = &[
        &["SADD", "s", "a"],
        &["HSET", "h", "f", "v"],
        &["RPUSH", "l", "x"],
        &["SET", "str", "abc"],
        &["SET", "n", "5"],
    ];
    let cases: &[(&[&str], bool)] = &[
        (&["SADD", "s", "a"], false),
        (&["SREM", "s", "zz"], false),
        (&["SMOVE", "s", "s2", "zz"], false),
        (&["SMOVE", "s", "s", "a"], false),
        (&["HDEL", "h", "zz"], false),
        (&["HSETNX", "h", "f", "w"], false),
        (&["LREM", "l", "0", "zz"], false),
        (&["LINSERT", "l", "BEFORE", "zz", "y"], false),
        (&["SETBIT", "str", "0", "0"], false),
        (&["SETRANGE", "str", "0", ""], false),
        (&["GETEX", "str", "PERSIST"], false),
        (&["BITFIELD", "str", "GET", "u8", "0"], false),
        (&["BITFIELD", "str", "SET", "u8", "0", "97"], false),
        (&["SPOP", "s", "0"], false),
        (&["EXPIRE", "str", "100", "GT"], false),
        (&["PERSIST", "str"], false),
        (&["RENAME", "str", "str"], false),
        (&["MSETNX", "str", "1"], false),
        (&["HSET", "h", "f", "v"], true),
        (&["APPEND", "str", ""], true),
        (&["INCRBY", "n", "0"], true),
        (&["LSET", "l", "0", "x"], true),
        (&["LTRIM", "l", "0", "-1"], true),
        (&["SETRANGE", "str", "0", "a"], true),
        (&["HINCRBYFLOAT", "h", "g", "0"], true),
        (&["RPOPLPUSH", "l", "l"], true),
        (&["LMOVE", "l", "l", "LEFT", "LEFT"], true),
        (&["SINTERSTORE", "s", "s"], true),
        (&["SETBIT", "str", "7", "0"], true),
        (&["BITFIELD", "str", "SET", "u8", "0", "98"], true),
        (&["SADD", "s", "b"], true),
    ];
    for (cmd, changes) in cases {
        let store = fresh(base);
        let ran = exec_after(&store, &[cmd[1]], |o| {
            o.execute(cmd);
        });
        assert_eq!(ran, !changes, "WATCH {} then {cmd:?}: a change: {changes}", cmd[1]);
    }
}

#[test]
fn swapdb_fails_only_watched_keys_that_change() {
    // A key in db 1 swapped into db 0 where it was absent.
    let store = fresh(&[&["SELECT", "1"], &["SET", "k", "1"]]);
    assert!(!exec_after(&store, &["k"], |o| ok(o, &["SWAPDB", "0", "1"])));
    // Absent in both: no change.
    let store = fresh(&[&["SELECT", "1"], &["SET", "other", "1"]]);
    assert!(exec_after(&store, &["k"], |o| ok(o, &["SWAPDB", "0", "1"])));
    // The watch stays on db 0 after a swap: a later change in the db now
    // numbered 0 fails EXEC, one in db 1 does not.
    let store = Store::new();
    let mut s = store.session();
    let mut o = store.session();
    ok(&mut s, &["WATCH", "k"]);
    ok(&mut o, &["SWAPDB", "0", "1"]);
    ok(&mut o, &["SELECT", "1"]);
    ok(&mut o, &["SET", "k", "1"]);
    ok(&mut s, &["MULTI"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![]));
    ok(&mut s, &["WATCH", "k"]);
    ok(&mut o, &["SELECT", "0"]);
    ok(&mut o, &["SET", "k", "1"]);
    ok(&mut s, &["MULTI"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::NilArray);
}

#[test]
fn watch_is_per_database() {
    let store = Store::new();
    let mut s = store.session();
    let mut o = store.session();
    ok(&mut s, &["WATCH", "k"]);
    ok(&mut o, &["SELECT", "1"]);
    ok(&mut o, &["SET", "k", "1"]);
    ok(&mut s, &["SELECT", "1"]); // the watch stays on db 0
    ok(&mut s, &["MULTI"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![]));
}

#[test]
fn own_changes_before_multi_fail_exec() {
    let store = Store::new();
    let mut s = store.session();
    ok(&mut s, &["WATCH", "k"]);
    ok(&mut s, &["SET", "k", "1"]);
    ok(&mut s, &["MULTI"]);
    queued(&mut s, &["SET", "k", "2"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::NilArray);
    // The failed EXEC discarded the queue and the watches.
    assert_eq!(s.execute(&["GET", "k"]), Reply::bulk("1"));
    ok(&mut s, &["SET", "k", "3"]);
    ok(&mut s, &["MULTI"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![]));
    // Changes made by the transaction itself do not matter.
    ok(&mut s, &["WATCH", "k"]);
    ok(&mut s, &["MULTI"]);
    queued(&mut s, &["INCR", "k"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![Reply::Integer(4)]));
}

#[test]
fn unwatch_forgets_and_watch_twice_is_one_watch() {
    let store = Store::new();
    assert!(exec_after(&store, &["k", "k"], |o| {
        o.execute(&["GET", "k"]);
    }));
    let mut s = store.session();
    ok(&mut s, &["WATCH", "k", "k"]);
    ok(&mut s, &["WATCH", "k"]);
    ok(&mut s, &["UNWATCH"]);
    ok(&mut store.session(), &["SET", "k", "1"]);
    ok(&mut s, &["MULTI"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![]));
    // UNWATCH queued inside MULTI just runs (the watches went at EXEC).
    ok(&mut s, &["WATCH", "k"]);
    ok(&mut s, &["MULTI"]);
    queued(&mut s, &["UNWATCH"]);
    ok(&mut store.session(), &["SET", "k", "2"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::NilArray);
}

#[test]
fn dropped_sessions_release_their_watches() {
    let store = Store::open(Config::default().shard_bits(0));
    for _ in 0..3 {
        let mut s = store.session();
        ok(&mut s, &["WATCH", "a", "b"]);
    }
    // Another watcher still sees changes after the others went away.
    let mut s = store.session();
    ok(&mut s, &["WATCH", "a"]);
    {
        let mut t = store.session();
        ok(&mut t, &["WATCH", "a"]);
    }
    ok(&mut store.session(), &["SET", "a", "1"]);
    ok(&mut s, &["MULTI"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::NilArray);
}

#[test]
fn expiry_of_a_watched_key() {
    // Live when watched, expired before EXEC: fails (as Redis 7).
    let (store, clock) = store_at(1_000_000);
    let mut s = store.session();
    ok(&mut s, &["SET", "k", "1", "PX", "100"]);
    ok(&mut s, &["WATCH", "k"]);
    clock.advance(200);
    ok(&mut s, &["MULTI"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::NilArray);

    // Live when watched, expired and swept before EXEC: fails too.
    ok(&mut s, &["SET", "k", "1", "PX", "100"]);
    ok(&mut s, &["WATCH", "k"]);
    clock.advance(200);
    store.expire_cycle(std::time::Duration::from_secs(1));
    assert_eq!(store.dbsize(0), 0);
    ok(&mut s, &["MULTI"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::NilArray);

    // Already expired when watched: its deletion (lazy or by the sweep)
    // is no change.
    for sweep in [false, true] {
        ok(&mut s, &["SET", "k", "1", "PX", "100"]);
        clock.advance(200);
        ok(&mut s, &["WATCH", "k"]);
        if sweep {
            store.expire_cycle(std::time::Duration::from_secs(1));
        } else {
            assert_eq!(store.session().execute(&["DEL", "k"]), Reply::Integer(0));
        }
        ok(&mut s, &["MULTI"]);
        assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![]), "sweep: {sweep}");
    }

    // Already expired when watched, then set again: a change.
    ok(&mut s, &["SET", "k", "1", "PX", "100"]);
    clock.advance(200);
    ok(&mut s, &["WATCH", "k"]);
    ok(&mut store.session(), &["SET", "k", "2"]);
    ok(&mut s, &["MULTI"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::NilArray);

    // Not expired yet at EXEC: goes through.
    ok(&mut s, &["SET", "k", "1", "PX", "1000"]);
    ok(&mut s, &["WATCH", "k"]);
    clock.advance(500);
    ok(&mut s, &["MULTI"]);
    assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![]));
}

#[test]
fn expiry_inside_exec_uses_one_time() {
    let (store, clock) = store_at(1_000_000);
    let mut s = store.session();
    ok(&mut s, &["SET", "k", "1", "PX", "100"]);
    ok(&mut s, &["MULTI"]);
    queued(&mut s, &["GET", "k"]);
    queued(&mut s, &["PTTL", "k"]);
    clock.advance(50);
    assert_eq!(s.execute(&["EXEC"]), Reply::Array(vec![Reply::bulk("1"), Reply::Integer(50)]));
}

// ---- concurrency ---------------------------------------------------------------

/// Optimistic increments: every thread retries WATCH/GET/MULTI/SET/EXEC
/// until its EXEC goes through; the counter ends at the number of increments.
#[test]
fn watch_retry_loops_sum_exactly() {
    let store = Store::open(Config::default().shard_bits(2));
    const THREADS: usize = 4;
    const EACH: usize = 200;
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let store = store.clone();
            thread::spawn(move || {
                let mut s = store.session();
                let mut retries = 0;
                for _ in 0..EACH {
                    loop {
                        ok(&mut s, &["WATCH", "counter"]);
                        let n: i64 = match s.execute(&["GET", "counter"]) {
                            Reply::Bulk(b) => std::str::from_utf8(&b).unwrap().parse().unwrap(),
                            _ => 0,
                        };
                        ok(&mut s, &["MULTI"]);
                        queued(&mut s, &["SET", "counter", &(n + 1).to_string()]);
                        match s.execute(&["EXEC"]) {
                            Reply::Array(_) => break,
                            Reply::NilArray => retries += 1,
                            other => panic!("{other:?}"),
                        }
                    }
                }
                retries
            })
        })
        .collect();
    let _retries: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(store.session().execute(&["GET", "counter"]), Reply::bulk((THREADS * EACH).to_string()));
}

/// Pairs of keys in different shards written together by EXEC are never
/// seen apart by readers on other threads.
#[test]
fn exec_is_atomic_for_other_threads() {
    let store = Store::open(Config::default().shard_bits(4));
    let keys: Vec<String> = (0..8).map(|i| format!("pair{i}")).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (store, keys, stop) = (store.clone(), keys.clone(), stop.clone());
        thread::spawn(move || {
            let mut s = store.session();
            let mut seen = 0;
            while !stop.load(Ordering::Relaxed) {
                let mut args = vec!["MGET"];
                args.extend(keys.iter().map(String::as_str));
                let Reply::Array(vals) = s.execute(&args) else { panic!() };
                let first = &vals[0];
                assert!(vals.iter().all(|v| v == first), "saw a partial transaction: {vals:?}");
                // Single-key reads one at a time are not atomic together;
                // a whole-db read must agree too.
                let Reply::Integer(n) = s.execute(&["DBSIZE"]) else { panic!() };
                assert!(n == 0 || n == keys.len() as i64, "dbsize {n}");
                seen += 1;
            }
            seen
        })
    };
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (store, keys) = (store.clone(), keys.clone());
            thread::spawn(move || {
                let mut s = store.session();
                for i in 0..300 {
                    ok(&mut s, &["MULTI"]);
                    let v = format!("{w}-{i}");
                    for k in &keys {
                        if i % 10 == 9 {
                            queued(&mut s, &["DEL", k]);
                        } else {
                            queued(&mut s, &["SET", k, &v]);
                        }
                    }
                    let Reply::Array(r) = s.execute(&["EXEC"]) else { panic!() };
                    assert_eq!(r.len(), keys.len());
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
}

/// The typed fast paths change keys like their commands do.
#[test]
fn fast_paths_are_changes_too() {
    let store = fresh(&[&["SET", "n", "1"], &["SADD", "s", "a"]]);
    assert!(!exec_after(&store, &["n"], |o| assert_eq!(o.incr_by(b"n", 1), Ok(2))));
    assert!(!exec_after(&store, &["n"], |o| o.set(b"n", b"1").unwrap()));
    assert!(!exec_after(&store, &["n"], |o| assert_eq!(o.del(&["n"]), Ok(1))));
    assert!(exec_after(&store, &["s"], |o| assert!(o.incr_by(b"s", 1).is_err())));
    assert!(exec_after(&store, &["s"], |o| assert!(o.get(b"s").is_err())));
}
