//! Expiry: lazy deletion, the active sweep (on callers' threads and on the
//! background thread), visibility of expired keys, TTL arithmetic.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kv_core::{Config, ManualClock, Reply, Session, Store};

const T0: u64 = 1_700_000_000_000;

fn manual() -> (Arc<ManualClock>, Store) {
    let clock = ManualClock::new(T0);
    let store = Store::open(Config::default().clock(clock.clone()));
    (clock, store)
}

fn int(r: Reply) -> i64 {
    r.as_int().unwrap_or_else(|| panic!("not an integer: {r:?}"))
}

fn set_px(s: &mut Session, key: &str, ms: u64) {
    assert_eq!(s.execute(&["SET", key, "v"]), Reply::ok());
    assert_eq!(int(s.execute(&["PEXPIRE", key, &ms.to_string()])), 1);
}

#[test]
fn lazy_expiry_follows_the_manual_clock() {
    let (clock, store) = manual();
    let mut s = store.session();
    set_px(&mut s, "k", 1000);
    clock.advance(999);
    assert_eq!(s.execute(&["GET", "k"]), Reply::bulk("v"));
    clock.advance(1);
    // at its expiry time a key is still live, as in Redis (now > when expires)
    assert_eq!(int(s.execute(&["PTTL", "k"])), 0);
    assert_eq!(s.execute(&["GET", "k"]), Reply::bulk("v"));
    clock.advance(1);
    assert_eq!(s.execute(&["GET", "k"]), Reply::Nil);
    // a read under a shared lock hides the key; a write lookup deletes it
    assert_eq!(store.dbsize(0), 1);
    assert_eq!(int(s.execute(&["PERSIST", "k"])), 0);
    assert_eq!(store.dbsize(0), 0);
}

#[test]
fn ttl_and_pttl_with_the_manual_clock() {
    let (clock, store) = manual();
    let mut s = store.session();
    set_px(&mut s, "k", 2500);
    assert_eq!(int(s.execute(&["PTTL", "k"])), 2500);
    // TTL rounds to the nearest second
    assert_eq!(int(s.execute(&["TTL", "k"])), 3);
    clock.advance(1);
    assert_eq!(int(s.execute(&["PTTL", "k"])), 2499);
    assert_eq!(int(s.execute(&["TTL", "k"])), 2);
    assert_eq!(int(s.execute(&["PEXPIRETIME", "k"])), (T0 + 2500) as i64);
    assert_eq!(int(s.execute(&["EXPIRETIME", "k"])), ((T0 + 2500 + 500) / 1000) as i64);
    assert_eq!(int(s.execute(&["EXPIRE", "k", "10"])), 1);
    assert_eq!(int(s.execute(&["PTTL", "k"])), 10_000);
    assert_eq!(int(s.execute(&["TTL", "nope"])), -2);
    s.execute(&["SET", "p", "v"]);
    assert_eq!(int(s.execute(&["PTTL", "p"])), -1);
}

#[test]
fn millisecond_precision() {
    let (clock, store) = manual();
    let mut s = store.session();
    s.execute(&["SET", "k", "v"]);
    assert_eq!(int(s.execute(&["PEXPIREAT", "k", &(T0 + 1).to_string()])), 1);
    assert_eq!(int(s.execute(&["PTTL", "k"])), 1);
    clock.advance(1);
    assert_eq!(int(s.execute(&["EXISTS", "k"])), 1);
    clock.advance(1);
    assert_eq!(int(s.execute(&["EXISTS", "k"])), 0);
    // an expiry at now deletes at once (EXPIRE's "already expired" rule)
    s.execute(&["SET", "j", "v"]);
    let before = store.dbsize(0);
    let now = T0 + 2;
    assert_eq!(int(s.execute(&["PEXPIREAT", "j", &now.to_string()])), 1);
    assert_eq!(store.dbsize(0), before - 1);
}

#[test]
fn expired_keys_are_invisible_to_every_reader() {
    let (clock, store) = manual();
    let mut s = store.session();
    for i in 0..200 {
        let k = format!("k{i}");
        s.execute(&["SET", &k, "v"]);
        if i % 2 == 0 {
            s.execute(&["PEXPIRE", &k, "50"]);
        }
    }
    clock.advance(51);
    for i in 0..200 {
        let k = format!("k{i}");
        let live = i % 2 == 1;
        assert_eq!(s.execute(&["GET", &k]) != Reply::Nil, live, "{k}");
        assert_eq!(int(s.execute(&["EXISTS", &k])), live as i64);
        let ty = if live { "string" } else { "none" };
        assert_eq!(s.execute(&["TYPE", &k]), Reply::status(ty));
    }
    let Reply::Array(keys) = s.execute(&["KEYS", "*"]) else { panic!() };
    assert_eq!(keys.len(), 100);
    let mut cursor = b"0".to_vec();
    let mut scanned = 0;
    loop {
        let Reply::Array(mut page) = s.execute(&[&b"SCAN"[..], &cursor]) else { panic!() };
        let Some(Reply::Array(ks)) = page.pop() else { panic!() };
        for k in &ks {
            let n: u32 = std::str::from_utf8(&k.as_bytes().unwrap()[1..]).unwrap().parse().unwrap();
            assert_eq!(n % 2, 1, "SCAN returned an expired key");
        }
        scanned += ks.len();
        cursor = page.pop().unwrap().as_bytes().unwrap().to_vec();
        if cursor == b"0" {
            break;
        }
    }
    assert_eq!(scanned, 100);
    for _ in 0..200 {
        let k = s.execute(&["RANDOMKEY"]);
        let n: u32 = std::str::from_utf8(&k.as_bytes().unwrap()[1..]).unwrap().parse().unwrap();
        assert_eq!(n % 2, 1, "RANDOMKEY returned an expired key");
    }
}

#[test]
fn active_sweep_frees_untouched_keys_without_a_thread() {
    let (clock, store) = manual();
    let mut s = store.session();
    for i in 0..1000 {
        set_px(&mut s, &format!("k{i}"), 100 + i % 7);
    }
    s.execute(&["SET", "keep", "v"]);
    assert_eq!(store.dbsize(0), 1001);
    clock.advance(50);
    assert_eq!(store.expire_cycle(Duration::from_secs(5)), 0);
    clock.advance(100);
    assert_eq!(store.expire_cycle(Duration::from_secs(5)), 1000);
    assert_eq!(store.dbsize(0), 1);
    assert_eq!(s.execute(&["GET", "keep"]), Reply::bulk("v"));
}

#[test]
fn callers_threads_sweep_as_commands_run() {
    let (clock, store) = manual();
    let mut s = store.session();
    for i in 0..300 {
        set_px(&mut s, &format!("k{i}"), 10);
    }
    // Commands on unrelated keys drive short sweep cycles (hz times a second).
    for _ in 0..200 {
        clock.advance(100);
        s.execute(&["PING"]);
        if store.dbsize(0) == 0 {
            return;
        }
    }
    panic!("expired keys left after 200 commands: {}", store.dbsize(0));
}

#[test]
fn background_thread_expires_keys_nobody_touches() {
    let store = Store::open(Config::default().expiry_thread(true));
    let mut s = store.session();
    for i in 0..50 {
        set_px(&mut s, &format!("k{i}"), 30);
    }
    s.execute(&["SET", "keep", "v"]);
    assert_eq!(store.dbsize(0), 51);
    let started = Instant::now();
    while store.dbsize(0) > 1 {
        assert!(started.elapsed() < Duration::from_secs(10), "the sweep left {} keys", store.dbsize(0));
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(store.dbsize(0), 1);
    store.close();
}

#[test]
fn expiry_moves_with_rename_move_and_copy() {
    let (clock, store) = manual();
    let mut s = store.session();
    set_px(&mut s, "a", 1000);
    assert_eq!(s.execute(&["RENAME", "a", "b"]), Reply::ok());
    assert_eq!(int(s.execute(&["COPY", "b", "c", "DB", "1"])), 1);
    assert_eq!(int(s.execute(&["MOVE", "b", "2"])), 1);
    clock.advance(1001);
    assert_eq!(store.expire_cycle(Duration::from_secs(1)), 2);
    assert_eq!((store.dbsize(0), store.dbsize(1), store.dbsize(2)), (0, 0, 0));
}

#[test]
fn overwriting_clears_and_gt_lt_respect_infinity() {
    let (_clock, store) = manual();
    let mut s = store.session();
    set_px(&mut s, "k", 5000);
    assert_eq!(int(s.execute(&["PEXPIRE", "k", "6000", "GT"])), 1);
    assert_eq!(int(s.execute(&["PEXPIRE", "k", "7000", "LT"])), 0);
    assert_eq!(int(s.execute(&["PERSIST", "k"])), 1);
    assert_eq!(int(s.execute(&["PEXPIRE", "k", "1", "GT"])), 0);
    assert_eq!(int(s.execute(&["PEXPIRE", "k", "99999999", "LT"])), 1);
    s.execute(&["SET", "k", "w"]);
    assert_eq!(int(s.execute(&["PTTL", "k"])), -1);
}
