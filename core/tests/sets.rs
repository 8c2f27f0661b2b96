//! Sets: Redis 7.2's encodings and conversions, reply orders of compact
//! encodings, SPOP/SRANDMEMBER invariants, SSCAN's guarantee while the set
//! changes, and big sets.

use std::collections::HashSet;

use kv_core::{Reply, Session, Store};

fn session() -> (Store, Session) {
    let store = Store::new();
    let s = store.session();
    (store, s)
}

fn run(s: &mut Session, cmd: &str) -> Reply {
    s.execute(&cmd.split(' ').collect::<Vec<_>>())
}

fn int(r: Reply) -> i64 {
    r.as_int().unwrap_or_else(|| panic!("not an integer: {r:?}"))
}

fn strs(r: Reply) -> Vec<String> {
    match r {
        Reply::Array(v) | Reply::Set(v) => {
            v.into_iter().map(|m| String::from_utf8(m.as_bytes().expect("bulk").to_vec()).unwrap()).collect()
        }
        other => panic!("not a list of members: {other:?}"),
    }
}

fn enc(s: &mut Session, key: &str) -> String {
    strs(Reply::Array(vec![run(s, &format!("OBJECT ENCODING {key}"))])).remove(0)
}

/// SADD key with the members given, in one call.
fn sadd(s: &mut Session, key: &str, members: impl IntoIterator<Item = String>) -> i64 {
    let mut args = vec!["SADD".to_string(), key.to_string()];
    args.extend(members);
    int(s.execute(&args))
}

#[test]
fn compact_encodings_keep_redis_order() {
    let (_st, mut s) = session();
    run(&mut s, "SADD i 30 -2 10");
    assert_eq!(strs(run(&mut s, "SMEMBERS i")), ["-2", "10", "30"], "intset is ascending");
    run(&mut s, "SADD l z b 5 a");
    assert_eq!(enc(&mut s, "l"), "listpack");
    assert_eq!(strs(run(&mut s, "SMEMBERS l")), ["z", "b", "5", "a"], "listpack keeps insertion order");
    run(&mut s, "SREM l b");
    run(&mut s, "SADD l b");
    assert_eq!(strs(run(&mut s, "SMEMBERS l")), ["z", "5", "a", "b"]);
    // An intset that takes a string lists its integers (ascending) first.
    run(&mut s, "SADD i x");
    assert_eq!(strs(run(&mut s, "SMEMBERS i")), ["-2", "10", "30", "x"]);
    assert_eq!(strs(run(&mut s, "SRANDMEMBER i 100")), ["-2", "10", "30", "x"], "the whole set, in order");
}

#[test]
fn union_and_diff_build_from_an_intset() {
    let (_st, mut s) = session();
    run(&mut s, "SADD a 3 1");
    run(&mut s, "SADD b x 2");
    assert_eq!(enc(&mut s, "b"), "listpack");
    // Union: an empty intset receives a's members (1 3), then b's (x 2):
    // x turns it into a listpack, 2 is appended.
    assert_eq!(strs(run(&mut s, "SUNION a b")), ["1", "3", "x", "2"]);
    // b first: x makes a listpack at once.
    assert_eq!(strs(run(&mut s, "SUNION b a")), ["x", "2", "1", "3"]);
    run(&mut s, "SUNIONSTORE d b a");
    assert_eq!(enc(&mut s, "d"), "listpack");
    run(&mut s, "SADD c 2 9");
    run(&mut s, "SUNIONSTORE d a c");
    assert_eq!(enc(&mut s, "d"), "intset");
    assert_eq!(strs(run(&mut s, "SMEMBERS d")), ["1", "2", "3", "9"]);
    // Diff keeps the first set's order.
    run(&mut s, "SADD f q 7 p x");
    assert_eq!(strs(run(&mut s, "SDIFF f b")), ["q", "7", "p"]);
}

#[test]
fn sdiff_algorithm_decides_the_stored_encoding() {
    let (_st, mut s) = session();
    // 200 strings in a, most of them removed by b. Algorithm 1 (walk a,
    // add survivors) is chosen when a is small relative to the others'
    // total; algorithm 2 (copy a, then remove) otherwise, and the copy
    // makes the result a hashtable on the way.
    sadd(&mut s, "a", (0..200).map(|i| format!("m{i}")));
    sadd(&mut s, "b", (0..195).map(|i| format!("m{i}")));
    // work1 = 200*2/2 = 200 <= work2 = 395: algorithm 1, 5 survivors.
    assert_eq!(int(run(&mut s, "SDIFFSTORE d a b")), 5);
    assert_eq!(enc(&mut s, "d"), "listpack");
    // With three small extra sets: work1 = 200*5/2 = 500 > work2 = 398.
    run(&mut s, "SADD x1 n1");
    run(&mut s, "SADD x2 n2");
    run(&mut s, "SADD x3 n3");
    assert_eq!(int(run(&mut s, "SDIFFSTORE d a b x1 x2 x3")), 5);
    assert_eq!(enc(&mut s, "d"), "hashtable");
}

#[test]
fn sinter_walks_the_smallest_set() {
    let (_st, mut s) = session();
    run(&mut s, "SADD big c b a d e");
    run(&mut s, "SADD small e a c");
    assert_eq!(strs(run(&mut s, "SINTER big small")), ["e", "a", "c"]);
    assert_eq!(strs(run(&mut s, "SINTER small big")), ["e", "a", "c"]);
    // Stored: a listpack from a listpack, an intset when all are integers.
    run(&mut s, "SINTERSTORE d big small");
    assert_eq!(enc(&mut s, "d"), "listpack");
    sadd(&mut s, "h", (0..200).map(|i| i.to_string()));
    run(&mut s, "SADD h x");
    assert_eq!(enc(&mut s, "h"), "hashtable");
    sadd(&mut s, "h2", (0..150).map(|i| i.to_string()));
    assert_eq!(int(run(&mut s, "SINTERSTORE d h h2")), 150);
    assert_eq!(enc(&mut s, "d"), "intset", "a hashtable intersection of integers is stored as an intset");
    assert_eq!(int(run(&mut s, "SINTERCARD 2 h h2 LIMIT 7")), 7);
}

#[test]
fn conversions_happen_where_redis_converts() {
    let (_st, mut s) = session();
    sadd(&mut s, "i", (0..512).map(|i| i.to_string()));
    assert_eq!(enc(&mut s, "i"), "intset");
    run(&mut s, "SADD i 512");
    assert_eq!(enc(&mut s, "i"), "hashtable");

    // A new key with more than 512 members is a hashtable at once, even
    // if they repeat.
    let many: Vec<String> = (0..513).map(|i| (i % 3).to_string()).collect();
    sadd(&mut s, "rep", many);
    assert_eq!(enc(&mut s, "rep"), "hashtable");
    // An existing listpack given more than 128 members in one SADD
    // converts before adding, even if they are all present.
    run(&mut s, "SADD l a b");
    sadd(&mut s, "l", (0..129).map(|i| ["a", "b"][i % 2].to_string()));
    assert_eq!(enc(&mut s, "l"), "hashtable");

    sadd(&mut s, "lp", (0..128).map(|i| format!("m{i}")));
    assert_eq!(enc(&mut s, "lp"), "listpack");
    run(&mut s, "SADD lp m0");
    assert_eq!(enc(&mut s, "lp"), "listpack");
    run(&mut s, "SADD lp extra");
    assert_eq!(enc(&mut s, "lp"), "hashtable");
    // Shrinking never converts back.
    for i in 0..128 {
        run(&mut s, &format!("SREM lp m{i}"));
    }
    assert_eq!(int(run(&mut s, "SCARD lp")), 1);
    assert_eq!(enc(&mut s, "lp"), "hashtable");

    // An intset of 128 members takes a string as a hashtable, of 127 as a listpack.
    sadd(&mut s, "i128", (0..128).map(|i| i.to_string()));
    run(&mut s, "SADD i128 x");
    assert_eq!(enc(&mut s, "i128"), "hashtable");
    sadd(&mut s, "i127", (0..127).map(|i| i.to_string()));
    run(&mut s, "SADD i127 x");
    assert_eq!(enc(&mut s, "i127"), "listpack");
}

#[test]
fn spop_count_rebuilds_the_set_when_few_remain() {
    let (_st, mut s) = session();
    // 130 members: a hashtable. Popping 100 leaves 30 (30*5 > 100): in place.
    sadd(&mut s, "h", (0..130).map(|i| format!("m{i}")));
    assert_eq!(enc(&mut s, "h"), "hashtable");
    let popped = strs(run(&mut s, "SPOP h 100"));
    assert_eq!(popped.len(), 100);
    assert_eq!(popped.iter().collect::<HashSet<_>>().len(), 100);
    assert_eq!(enc(&mut s, "h"), "hashtable");
    for m in &popped {
        assert_eq!(int(run(&mut s, &format!("SISMEMBER h {m}"))), 0);
    }
    // 30 left; popping 25 leaves 5 (25 >= 5*5): rebuilt as a listpack.
    run(&mut s, "EXPIRE h 1000");
    assert_eq!(strs(run(&mut s, "SPOP h 25")).len(), 25);
    assert_eq!(int(run(&mut s, "SCARD h")), 5);
    assert_eq!(enc(&mut s, "h"), "listpack");
    assert!(int(run(&mut s, "TTL h")) > 0, "the rebuilt set keeps the TTL");

    sadd(&mut s, "i", (0..20).map(|i| i.to_string()));
    assert_eq!(strs(run(&mut s, "SPOP i 18")).len(), 18);
    assert_eq!(enc(&mut s, "i"), "intset");
    let left = strs(run(&mut s, "SMEMBERS i"));
    let mut sorted = left.clone();
    sorted.sort_by_key(|m| m.parse::<i64>().unwrap());
    assert_eq!(left, sorted);
}

#[test]
fn random_members_are_members() {
    let (_st, mut s) = session();
    sadd(&mut s, "h", (0..300).map(|i| format!("m{i}")));
    let all: HashSet<String> = strs(run(&mut s, "SMEMBERS h")).into_iter().collect();
    for count in [1, 5, 100, 299] {
        let got = strs(run(&mut s, &format!("SRANDMEMBER h {count}")));
        assert_eq!(got.len(), count);
        assert_eq!(got.iter().collect::<HashSet<_>>().len(), count, "distinct");
        assert!(got.iter().all(|m| all.contains(m)));
    }
    let got = strs(run(&mut s, "SRANDMEMBER h -1000"));
    assert_eq!(got.len(), 1000);
    assert!(got.iter().all(|m| all.contains(m)));
    assert!(got.iter().collect::<HashSet<_>>().len() > 200, "repeats allowed, but spread over the set");
    let mut left = all.clone();
    while int(run(&mut s, "SCARD h")) > 0 {
        let m = strs(Reply::Array(vec![run(&mut s, "SPOP h")])).remove(0);
        assert!(left.remove(&m), "{m} popped twice or never there");
    }
    assert!(left.is_empty());
    assert_eq!(int(run(&mut s, "EXISTS h")), 0);
    assert_eq!(run(&mut s, "SRANDMEMBER h -9223372036854775807"), Reply::Array(vec![]));
    run(&mut s, "SADD h a");
    assert!(
        run(&mut s, "SRANDMEMBER h -9223372036854775807").is_error(),
        "an unbuildable reply is an error, not a crash"
    );
}

/// One SSCAN call: (next cursor, members).
fn sscan_page(s: &mut Session, key: &str, cursor: &str, count: usize) -> (String, Vec<String>) {
    match run(s, &format!("SSCAN {key} {cursor} COUNT {count}")) {
        Reply::Array(mut parts) if parts.len() == 2 => {
            let members = strs(parts.pop().unwrap());
            let cur = String::from_utf8(parts.pop().unwrap().as_bytes().unwrap().to_vec()).unwrap();
            (cur, members)
        }
        other => panic!("bad SSCAN reply {other:?}"),
    }
}

#[test]
fn sscan_returns_every_stable_member_while_the_set_changes() {
    let (_st, mut s) = session();
    sadd(&mut s, "h", (0..2000).map(|i| format!("m{i}")));
    let (mut cursor, mut seen, mut calls) = ("0".to_string(), Vec::new(), 0);
    loop {
        let (next, batch) = sscan_page(&mut s, "h", &cursor, 50);
        seen.extend(batch);
        calls += 1;
        // Between calls: add new members and remove some that were never
        // meant to be stable (m1500..).
        sadd(&mut s, "h", (0..20).map(|i| format!("new{calls}-{i}")));
        run(&mut s, &format!("SREM h m{}", 1500 + calls));
        if next == "0" {
            break;
        }
        cursor = next;
    }
    assert!(calls > 20, "a 2000-member set is paged ({calls} calls)");
    let seen: HashSet<String> = seen.into_iter().collect();
    for i in 0..1500 {
        assert!(seen.contains(&format!("m{i}")), "m{i} missed");
    }
    // A MATCH filter applies within pages.
    let (_, page) = sscan_page(&mut s, "h", "0", 100000);
    assert!(page.len() > 2000);
    match run(&mut s, "SSCAN h 0 MATCH m1?? COUNT 100000") {
        Reply::Array(parts) => assert_eq!(strs(parts[1].clone()).len(), 100),
        other => panic!("{other:?}"),
    }
}

#[test]
fn big_sets() {
    let (_st, mut s) = session();
    for chunk in 0..20 {
        sadd(&mut s, "big", (0..5000).map(|i| format!("member:{}", chunk * 5000 + i)));
    }
    assert_eq!(int(run(&mut s, "SCARD big")), 100_000);
    // A full SSCAN with the default COUNT: each call costs about COUNT.
    let (mut cursor, mut seen, mut calls) = ("0".to_string(), HashSet::new(), 0);
    loop {
        let (next, batch) = sscan_page(&mut s, "big", &cursor, 10);
        seen.extend(batch);
        calls += 1;
        if next == "0" {
            break;
        }
        cursor = next;
    }
    assert_eq!(seen.len(), 100_000);
    assert!(calls > 5_000, "{calls} calls");
    sadd(&mut s, "odd", (0..100_000).filter(|i| i % 2 == 1).map(|i| format!("member:{i}")));
    assert_eq!(int(run(&mut s, "SINTERCARD 2 big odd")), 50_000);
    assert_eq!(int(run(&mut s, "SDIFFSTORE even big odd")), 50_000);
    assert_eq!(int(run(&mut s, "SUNIONSTORE all even odd")), 100_000);
    assert_eq!(strs(run(&mut s, "SPOP all 99990")).len(), 99_990);
    assert_eq!(int(run(&mut s, "SCARD all")), 10);
    assert_eq!(enc(&mut s, "all"), "listpack");
}

#[test]
fn resp3_shapes() {
    let (_st, mut s) = session();
    run(&mut s, "HELLO 3");
    run(&mut s, "SADD s a");
    assert!(matches!(run(&mut s, "SMEMBERS s"), Reply::Set(_)));
    assert!(matches!(run(&mut s, "SPOP nokey 2"), Reply::Set(_)));
    assert!(matches!(run(&mut s, "SRANDMEMBER s 2"), Reply::Array(_)));
    assert!(matches!(run(&mut s, "SUNION s"), Reply::Set(_)));
    assert!(matches!(run(&mut s, "SINTER s"), Reply::Set(_)));
    assert!(matches!(run(&mut s, "SDIFF s"), Reply::Set(_)));
    assert_eq!(run(&mut s, "SPOP nokey"), Reply::Nil);
}
