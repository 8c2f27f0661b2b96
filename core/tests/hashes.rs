//! Hashes: encodings and conversions, field expiry (lazy and active, and
//! through keyspace moves), HSCAN's guarantee on big hashes, HRANDFIELD,
//! and memory per field.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use kv_core::{Config, ManualClock, Reply, Session, Store};

const T0: u64 = 1_700_000_000_000;

fn manual() -> (Arc<ManualClock>, Store) {
    let clock = ManualClock::new(T0);
    (clock.clone(), Store::open(Config::default().clock(clock)))
}

fn int(r: Reply) -> i64 {
    r.as_int().unwrap_or_else(|| panic!("not an integer: {r:?}"))
}

fn enc(s: &mut Session, key: &str) -> Reply {
    s.execute(&["OBJECT", "ENCODING", key])
}

fn fill(s: &mut Session, key: &str, n: usize) {
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let mut cmd = vec!["HSET".to_string(), key.to_string()];
        for i in chunk {
            cmd.push(format!("f{i}"));
            cmd.push(format!("v{i}"));
        }
        assert!(!s.execute(&cmd).is_error());
    }
}

#[test]
fn listpack_converts_past_512_fields_and_never_back() {
    let store = Store::new();
    let mut s = store.session();
    fill(&mut s, "h", 512);
    assert_eq!(enc(&mut s, "h"), Reply::bulk("listpack"));
    s.execute(&["HSET", "h", "x", "y"]);
    assert_eq!(enc(&mut s, "h"), Reply::bulk("hashtable"));
    for i in 0..100 {
        s.execute(&["HDEL", "h", &format!("f{i}")]);
    }
    assert_eq!(enc(&mut s, "h"), Reply::bulk("hashtable"));
    assert_eq!(int(s.execute(&["HLEN", "h"])), 413);
}

#[test]
fn deleting_the_last_field_deletes_the_key() {
    let store = Store::new();
    let mut s = store.session();
    s.execute(&["HSET", "h", "a", "1", "b", "2"]);
    s.execute(&["EXPIRE", "h", "100"]);
    assert_eq!(int(s.execute(&["HDEL", "h", "a", "b"])), 2);
    assert_eq!(int(s.execute(&["EXISTS", "h"])), 0);
    // a new hash does not inherit anything
    s.execute(&["HSET", "h", "a", "1"]);
    assert_eq!(int(s.execute(&["TTL", "h"])), -1);
}

#[test]
fn hset_keeps_the_key_ttl() {
    let store = Store::new();
    let mut s = store.session();
    s.execute(&["HSET", "h", "a", "1"]);
    s.execute(&["EXPIRE", "h", "100"]);
    s.execute(&["HSET", "h", "b", "2"]);
    s.execute(&["HINCRBY", "h", "c", "2"]);
    assert_eq!(int(s.execute(&["TTL", "h"])), 100);
}

#[test]
fn active_sweep_expires_fields_and_empty_hashes() {
    let (clock, store) = manual();
    let mut s = store.session();
    fill(&mut s, "big", 500);
    s.execute(&["HSET", "small", "a", "1", "b", "2"]);
    let fields: Vec<String> = (0..300).map(|i| format!("f{i}")).collect();
    let mut cmd = vec!["HPEXPIRE".to_string(), "big".into(), "1000".into(), "FIELDS".into(), "300".into()];
    cmd.extend(fields.iter().cloned());
    assert_eq!(s.execute(&cmd), Reply::Array(vec![Reply::Integer(1); 300]));
    assert_eq!(
        s.execute(&["HPEXPIRE", "small", "500", "FIELDS", "2", "a", "b"]),
        Reply::Array(vec![Reply::Integer(1); 2])
    );
    clock.advance(2000);
    store.expire_cycle(Duration::from_secs(5));
    // the sweep removed the fields and the emptied key, no command involved
    assert_eq!(store.dbsize(0), 1);
    assert_eq!(int(s.execute(&["HLEN", "big"])), 200);
    assert_eq!(s.execute(&["HGET", "big", "f0"]), Reply::Nil);
    assert_eq!(s.execute(&["HGET", "big", "f499"]), Reply::bulk("v499"));
}

#[test]
fn field_expiry_follows_a_renamed_hash() {
    let (clock, store) = manual();
    let mut s = store.session();
    s.execute(&["HSET", "h", "a", "1"]);
    s.execute(&["HPEXPIRE", "h", "100", "FIELDS", "1", "a"]);
    assert_eq!(s.execute(&["RENAME", "h", "g"]), Reply::ok());
    assert_eq!(s.execute(&["HPTTL", "g", "FIELDS", "1", "a"]), Reply::Array(vec![Reply::Integer(100)]));
    clock.advance(200);
    store.expire_cycle(Duration::from_secs(5));
    assert_eq!(store.dbsize(0), 0);
}

#[test]
fn reads_hide_expired_fields_before_any_write() {
    let (clock, store) = manual();
    let mut s = store.session();
    fill(&mut s, "h", 200);
    s.execute(&["HPEXPIRE", "h", "10", "FIELDS", "2", "f1", "f2"]);
    clock.advance(11);
    assert_eq!(int(s.execute(&["HLEN", "h"])), 198);
    assert_eq!(int(s.execute(&["HEXISTS", "h", "f1"])), 0);
    assert_eq!(s.execute(&["HMGET", "h", "f1", "f3"]), Reply::Array(vec![Reply::Nil, Reply::bulk("v3")]));
    let Reply::Array(keys) = s.execute(&["HKEYS", "h"]) else { panic!() };
    assert_eq!(keys.len(), 198);
    assert!(!keys.contains(&Reply::bulk("f1")));
    // HSETNX can recreate an expired field
    assert_eq!(int(s.execute(&["HSETNX", "h", "f1", "new"])), 1);
}

#[test]
fn hscan_returns_every_field_while_the_hash_changes() {
    let store = Store::new();
    let mut s = store.session();
    fill(&mut s, "h", 5000);
    let mut seen = HashSet::new();
    let mut cursor = "0".to_string();
    let mut calls = 0;
    loop {
        let Reply::Array(r) = s.execute(&["HSCAN", "h", &cursor, "COUNT", "20"]) else { panic!() };
        let Reply::Array(items) = &r[1] else { panic!() };
        for pair in items.chunks(2) {
            seen.insert(pair[0].as_bytes().unwrap().to_vec());
        }
        cursor = String::from_utf8(r[0].as_bytes().unwrap().to_vec()).unwrap();
        calls += 1;
        // grow, then shrink, between calls
        if calls == 20 {
            fill(&mut s, "h", 20000);
        }
        if calls == 100 {
            for i in 5000..20000 {
                s.execute(&["HDEL", "h", &format!("f{i}")]);
            }
        }
        if cursor == "0" {
            break;
        }
    }
    assert!(calls > 10);
    for i in 0..5000 {
        assert!(seen.contains(format!("f{i}").as_bytes()), "f{i} missed");
    }
}

#[test]
fn hrandfield_counts() {
    let store = Store::new();
    let mut s = store.session();
    fill(&mut s, "h", 300);
    let Reply::Array(r) = s.execute(&["HRANDFIELD", "h", "50"]) else { panic!() };
    let distinct: HashSet<_> = r.iter().map(|x| x.as_bytes().unwrap().to_vec()).collect();
    assert_eq!(distinct.len(), 50);
    let Reply::Array(r) = s.execute(&["HRANDFIELD", "h", "-1000"]) else { panic!() };
    assert_eq!(r.len(), 1000);
    let Reply::Array(r) = s.execute(&["HRANDFIELD", "h", "1000", "WITHVALUES"]) else { panic!() };
    assert_eq!(r.len(), 600);
    for pair in r.chunks(2) {
        let f = String::from_utf8(pair[0].as_bytes().unwrap().to_vec()).unwrap();
        assert_eq!(pair[1], Reply::bulk(f.replace('f', "v")));
    }
}

#[test]
fn hincrbyfloat_uses_long_double() {
    let store = Store::new();
    let mut s = store.session();
    assert_eq!(s.execute(&["HINCRBYFLOAT", "h", "f", "10.5"]), Reply::bulk("10.5"));
    assert_eq!(s.execute(&["HINCRBYFLOAT", "h", "f", "0.1"]), Reply::bulk("10.6"));
    assert_eq!(s.execute(&["HINCRBYFLOAT", "h", "g", "5.0e3"]), Reply::bulk("5000"));
    // beyond a double's range, within a long double's (as Redis)
    assert_eq!(s.execute(&["HINCRBYFLOAT", "h", "g", "1e400"]), Reply::bulk("10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880"));
    assert_eq!(s.execute(&["HINCRBYFLOAT", "h", "g", "1e5000"]).error_text(), Some("ERR value is not a valid float"));
}

/// Memory per field of a 1M-field hash with short fields and values
/// (the target: at most Redis's ~120 bytes).
#[test]
fn memory_per_field_of_a_big_hash() {
    use kv_core::types::hash::Hash;
    let mut h = Hash::new();
    const N: usize = 1_000_000;
    for i in 0..N {
        h.set(format!("field:{i}").as_bytes(), format!("{i}").as_bytes(), false);
    }
    // payload bytes plus the allocator's minimum chunk (glibc: 32 bytes
    // for up to 24 bytes of payload)
    let per_field = h.mem_usage() as f64 / N as f64;
    let alloc_overhead = 32.0 - 20.0;
    assert!(per_field + alloc_overhead < 120.0, "{per_field} bytes per field");
    assert_eq!(h.len(0), N);
}

/// The same measured from the process's resident memory, through the
/// store: run alone (`cargo test -p kv-core --test hashes -- --ignored
/// rss_per_field --nocapture`), since other tests share the process.
#[test]
#[ignore]
fn rss_per_field() {
    fn rss() -> usize {
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
        statm.split(' ').nth(1).and_then(|p| p.parse::<usize>().ok()).unwrap_or(0) * 4096
    }
    let store = Store::new();
    let mut s = store.session();
    let before = rss();
    const N: usize = 1_000_000;
    for chunk in (0..N).collect::<Vec<_>>().chunks(1000) {
        let mut cmd = vec!["HSET".to_string(), "h".to_string()];
        for i in chunk {
            cmd.push(format!("field:{i}"));
            cmd.push(format!("{i}"));
        }
        s.execute(&cmd);
    }
    let per = (rss() - before) as f64 / N as f64;
    println!("{per:.1} bytes per field");
    assert!(per <= 120.0, "{per} bytes per field");
}

/// A listpackex hash that converts (a long value) keeps its field
/// expiries, and they still expire.
#[test]
fn field_expiries_survive_conversion_to_hashtable() {
    let (clock, store) = manual();
    let mut s = store.session();
    fill(&mut s, "h", 5);
    assert_eq!(
        s.execute(&["HPEXPIRE", "h", "100", "FIELDS", "2", "f1", "f3"]),
        Reply::Array(vec![Reply::Integer(1); 2])
    );
    assert_eq!(enc(&mut s, "h"), Reply::bulk("listpackex"));
    assert_eq!(int(s.execute(&["HSET", "h", "long", &"x".repeat(65)])), 1);
    assert_eq!(enc(&mut s, "h"), Reply::bulk("hashtable"));
    assert_eq!(
        s.execute(&["HPTTL", "h", "FIELDS", "3", "f1", "f2", "f3"]),
        Reply::Array(vec![Reply::Integer(100), Reply::Integer(-1), Reply::Integer(100)])
    );
    clock.advance(101);
    assert_eq!(int(s.execute(&["HLEN", "h"])), 4);
    assert_eq!(s.execute(&["HGET", "h", "f1"]), Reply::Nil);
    assert_eq!(s.execute(&["HGET", "h", "f2"]), Reply::bulk("v2"));
}

/// Hashes without field expiries never need the clock, but one that gets
/// an expiry sees time pass for reads and writes alike.
#[test]
fn a_hash_gaining_a_field_expiry_sees_time() {
    let (clock, store) = manual();
    let mut s = store.session();
    fill(&mut s, "h", 3);
    assert_eq!(enc(&mut s, "h"), Reply::bulk("listpack"));
    assert_eq!(s.execute(&["HPEXPIRE", "h", "10", "FIELDS", "1", "f0"]), Reply::Array(vec![Reply::Integer(1)]));
    clock.advance(11);
    assert_eq!(s.execute(&["HEXISTS", "h", "f0"]), Reply::Integer(0));
    assert_eq!(int(s.execute(&["HSETNX", "h", "f0", "again"])), 1);
    assert_eq!(s.execute(&["HKEYS", "h"]), Reply::Array(vec![Reply::bulk("f1"), Reply::bulk("f2"), Reply::bulk("f0")]));
    assert_eq!(int(s.execute(&["HDEL", "h", "f0", "f1", "f2"])), 3);
    assert_eq!(int(s.execute(&["EXISTS", "h"])), 0);
}
