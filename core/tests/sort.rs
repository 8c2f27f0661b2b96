//! SORT and SORT_RO: the reply shapes, every option against lists and sets
//! of both encodings, BY/GET lookups (missing keys, hash fields, other
//! types), STORE's encodings, errors, and big lists through the full and
//! the partial (BY + LIMIT) sorts.

use kv_core::{Reply, Session, Store};

fn session() -> (Store, Session) {
    let store = Store::new();
    let s = store.session();
    (store, s)
}

fn run(s: &mut Session, cmd: &str) -> Reply {
    s.execute(&cmd.split(' ').collect::<Vec<_>>())
}

fn exec(s: &mut Session, args: &[String]) -> Reply {
    s.execute(args)
}

/// The bulk strings of an array reply (nil as "<nil>").
fn strs(r: Reply) -> Vec<String> {
    match r {
        Reply::Array(v) => v
            .into_iter()
            .map(|m| match m {
                Reply::Nil => "<nil>".to_string(),
                m => String::from_utf8(m.as_bytes().expect("bulk").to_vec()).unwrap(),
            })
            .collect(),
        other => panic!("not an array: {other:?}"),
    }
}

fn sort(s: &mut Session, cmd: &str) -> Vec<String> {
    strs(run(s, cmd))
}

fn push_all(s: &mut Session, cmd: &str, key: &str, items: impl IntoIterator<Item = String>) {
    let mut args = vec![cmd.to_string(), key.to_string()];
    args.extend(items);
    assert!(!exec(s, &args).is_error());
}

fn err(r: Reply) -> String {
    r.error_text().unwrap_or_else(|| panic!("not an error: {r:?}")).to_string()
}

#[test]
fn numeric_alpha_and_desc() {
    let (_st, mut s) = session();
    run(&mut s, "RPUSH l 10 9 -1 2.5 1e1 010");
    assert_eq!(sort(&mut s, "SORT l"), ["-1", "2.5", "9", "010", "10", "1e1"]);
    assert_eq!(sort(&mut s, "SORT l DESC"), ["1e1", "10", "010", "9", "2.5", "-1"]);
    assert_eq!(sort(&mut s, "SORT l ALPHA"), ["-1", "010", "10", "1e1", "2.5", "9"]);
    assert_eq!(sort(&mut s, "SORT_RO l ALPHA DESC LIMIT 1 2"), ["2.5", "1e1"]);
    // Later ASC/DESC words win.
    assert_eq!(sort(&mut s, "SORT l DESC ASC LIMIT 0 1"), ["-1"]);
}

#[test]
fn numeric_errors_and_alpha_fallback() {
    let (_st, mut s) = session();
    run(&mut s, "RPUSH l 1 x");
    assert_eq!(err(run(&mut s, "SORT l")), "ERR One or more scores can't be converted into double");
    assert_eq!(sort(&mut s, "SORT l ALPHA"), ["1", "x"]);
    assert_eq!(sort(&mut s, "SORT l BY nosort"), ["1", "x"]);
    // A weight error is reported even when every element is fine.
    run(&mut s, "SET w_1 abc");
    run(&mut s, "RPUSH n 1 2");
    assert!(run(&mut s, "SORT n BY w_*").is_error());
    // ...but an error never stores.
    run(&mut s, "SET dst keep");
    assert!(run(&mut s, "SORT n BY w_* STORE dst").is_error());
    assert_eq!(run(&mut s, "GET dst"), Reply::bulk("keep"));
}

#[test]
fn by_and_get_lookups() {
    let (_st, mut s) = session();
    run(&mut s, "RPUSH l a b c");
    run(&mut s, "MSET w_a 3 w_b 1");
    run(&mut s, "HSET h_a f 1 name A");
    run(&mut s, "HSET h_b f 2 name B");
    run(&mut s, "HSET h_c f 0 name C");
    // c has no weight: 0.
    assert_eq!(sort(&mut s, "SORT l BY w_*"), ["c", "b", "a"]);
    assert_eq!(
        sort(&mut s, "SORT l BY h_*->f GET h_*->name GET # GET w_*"),
        ["C", "c", "<nil>", "A", "a", "3", "B", "b", "1"]
    );
    // Missing field, hash pattern on a string, string pattern on a hash.
    assert_eq!(sort(&mut s, "SORT l BY nosort GET h_*->nosuch GET w_*->f GET h_*"), ["<nil>"; 9]);
    // RESP3 nulls inside the array are plain nulls.
    let r = s.execute(&["SORT", "l", "BY", "nosort", "GET", "w_*"]);
    assert_eq!(r, Reply::Array(vec![Reply::bulk("3"), Reply::bulk("1"), Reply::Nil]));
}

#[test]
fn binary_elements_and_patterns() {
    let (_st, mut s) = session();
    s.execute(&[&b"RPUSH"[..], b"l", b"\xff", b"\x00a", b"b"]);
    s.execute(&[&b"SET"[..], b"w\xff", b"1"]);
    s.execute(&[&b"SET"[..], b"w\x00a", b"3"]);
    s.execute(&[&b"SET"[..], b"wb", b"2"]);
    let r = s.execute(&[&b"SORT"[..], b"l", b"BY", b"w*"]);
    assert_eq!(r, Reply::Array(vec![Reply::bulk(b"\xff"), Reply::bulk("b"), Reply::bulk(b"\x00a")]));
    let r = s.execute(&[&b"SORT"[..], b"l", b"ALPHA", b"STORE", b"d"]);
    assert_eq!(r, Reply::Integer(3));
    let r = s.execute(&["LRANGE", "d", "0", "-1"]);
    assert_eq!(r, Reply::Array(vec![Reply::bulk(b"\x00a"), Reply::bulk("b"), Reply::bulk(b"\xff")]));
}

#[test]
fn sets_of_every_encoding() {
    let (_st, mut s) = session();
    run(&mut s, "SADD ints 3 1 2");
    run(&mut s, "SADD small c a b");
    push_all(&mut s, "SADD", "big", (0..300).map(|i| format!("m{i}")));
    assert_eq!(run(&mut s, "OBJECT ENCODING big"), Reply::bulk("hashtable"));
    assert_eq!(sort(&mut s, "SORT ints"), ["1", "2", "3"]);
    assert_eq!(sort(&mut s, "SORT ints BY nosort"), ["1", "2", "3"]);
    // A listpack set unsorted: insertion order (Redis 7.2).
    assert_eq!(sort(&mut s, "SORT small BY nosort"), ["c", "a", "b"]);
    assert_eq!(sort(&mut s, "SORT small ALPHA"), ["a", "b", "c"]);
    let mut want: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
    want.sort();
    assert_eq!(sort(&mut s, "SORT big ALPHA"), want);
    // Unsorted with STORE: sorted ALPHA anyway, so replicas agree.
    assert_eq!(run(&mut s, "SORT big BY nosort STORE d"), Reply::Integer(300));
    assert_eq!(sort(&mut s, "LRANGE d 0 -1"), want);
    // Unsorted without STORE: every member once.
    let mut got = sort(&mut s, "SORT big BY nosort");
    got.sort();
    assert_eq!(got, want);
}

#[test]
fn store_encodings_and_replacement() {
    let (_st, mut s) = session();
    run(&mut s, "RPUSH l 2 1");
    run(&mut s, "SET dst x EX 100");
    assert_eq!(run(&mut s, "SORT l STORE dst"), Reply::Integer(2));
    assert_eq!(run(&mut s, "OBJECT ENCODING dst"), Reply::bulk("listpack"));
    assert_eq!(run(&mut s, "TTL dst"), Reply::Integer(-1));
    // 2000 small integers fit one 8 KB node (3 bytes each): a listpack,
    // as Redis 7.2 converts the quicklist it builds.
    push_all(&mut s, "RPUSH", "small", (0..2000).map(|i| format!("{}", 2000 - i)));
    assert_eq!(run(&mut s, "SORT small STORE dst"), Reply::Integer(2000));
    assert_eq!(run(&mut s, "OBJECT ENCODING dst"), Reply::bulk("listpack"));
    // Ten-digit integers take 6 bytes each: more than one node.
    push_all(&mut s, "RPUSH", "big", (0..2000).map(|i| format!("{}", 1_000_002_000 - i)));
    assert_eq!(run(&mut s, "SORT big STORE dst"), Reply::Integer(2000));
    assert_eq!(run(&mut s, "OBJECT ENCODING dst"), Reply::bulk("quicklist"));
    assert_eq!(run(&mut s, "LINDEX dst 0"), Reply::bulk("1000000001"));
    assert_eq!(run(&mut s, "LINDEX dst -1"), Reply::bulk("1000002000"));
    // Empty results delete the destination.
    assert_eq!(run(&mut s, "SORT big LIMIT 0 0 STORE dst"), Reply::Integer(0));
    assert_eq!(run(&mut s, "EXISTS dst"), Reply::Integer(0));
    // SORT_RO has no STORE.
    assert_eq!(err(run(&mut s, "SORT_RO l STORE dst")), "ERR syntax error");
}

#[test]
fn errors_in_redis_order() {
    let (_st, mut s) = session();
    run(&mut s, "SET str x");
    assert_eq!(err(run(&mut s, "SORT str")), "WRONGTYPE Operation against a key holding the wrong kind of value");
    assert_eq!(err(run(&mut s, "SORT str junk")), "ERR syntax error");
    assert_eq!(err(run(&mut s, "SORT str LIMIT a b junk")), "ERR value is not an integer or out of range");
    assert_eq!(err(run(&mut s, "SORT str junk LIMIT a b")), "ERR syntax error");
    assert_eq!(err(run(&mut s, "SORT str GET")), "ERR syntax error");
    assert_eq!(err(run(&mut s, "SORT")), "ERR wrong number of arguments for 'sort' command");
    assert_eq!(sort(&mut s, "SORT nokey BY w_* GET # LIMIT 0 5"), Vec::<String>::new());
}

/// A big list through both sorts: the full (stable) sort and Redis's
/// partial quicksort used with BY and a narrowing LIMIT.
#[test]
fn big_lists_full_and_partial_sorts() {
    let (_st, mut s) = session();
    let n = 5000u64;
    // A permutation of 0..n (n and the multiplier are coprime).
    let items: Vec<u64> = (0..n).map(|i| (i * 7919 + 13) % n).collect();
    push_all(&mut s, "RPUSH", "l", items.iter().map(|i| i.to_string()));
    let mset: Vec<String> = ["MSET".to_string()]
        .into_iter()
        .chain(items.iter().flat_map(|i| [format!("w_{i}"), (n - i).to_string()]))
        .collect();
    assert_eq!(exec(&mut s, &mset), Reply::ok());
    let asc: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    assert_eq!(sort(&mut s, "SORT l"), asc);
    let desc: Vec<String> = asc.iter().rev().cloned().collect();
    // Weight n - i: BY sorts descending by element.
    assert_eq!(sort(&mut s, "SORT l BY w_*"), desc);
    for (off, cnt) in [(0, 10), (100, 37), (4990, 50), (2500, 1), (0, 5000)] {
        let want: Vec<String> = desc.iter().skip(off).take(cnt).cloned().collect();
        assert_eq!(sort(&mut s, &format!("SORT l BY w_* LIMIT {off} {cnt}")), want, "LIMIT {off} {cnt}");
        let want: Vec<String> = asc.iter().skip(off).take(cnt).cloned().collect();
        assert_eq!(sort(&mut s, &format!("SORT l BY w_* DESC LIMIT {off} {cnt}")), want, "DESC LIMIT {off} {cnt}");
    }
    let mut alpha = asc.clone();
    alpha.sort();
    assert_eq!(sort(&mut s, "SORT l ALPHA LIMIT 0 3"), &alpha[..3]);
    assert_eq!(
        sort(&mut s, "SORT l BY nosort LIMIT 4998 5"),
        items[4998..].iter().map(u64::to_string).collect::<Vec<_>>()
    );
}

#[test]
fn sorted_sets_unsorted_ranges_and_conversion() {
    let (_st, mut s) = session();
    run(&mut s, "ZADD z 2 b 1 a 3 c");
    assert_eq!(run(&mut s, "OBJECT ENCODING z"), Reply::bulk("listpack"));
    assert_eq!(sort(&mut s, "SORT_RO z BY nosort DESC"), ["c", "b", "a"]);
    // As in Redis, SORT (even SORT_RO) leaves the set skiplist-encoded.
    assert_eq!(run(&mut s, "OBJECT ENCODING z"), Reply::bulk("skiplist"));
    assert_eq!(run(&mut s, "ZSCORE z b"), Reply::Double(2.0));
    // A big one: ranks straight from the order, both directions.
    let mut args = vec!["ZADD".to_string(), "big".to_string()];
    for i in 0..1000 {
        args.push(i.to_string());
        args.push(format!("m{i:04}"));
    }
    exec(&mut s, &args);
    assert_eq!(sort(&mut s, "SORT big BY nosort LIMIT 500 3"), ["m0500", "m0501", "m0502"]);
    assert_eq!(sort(&mut s, "SORT big BY nosort DESC LIMIT 10 2"), ["m0989", "m0988"]);
    assert_eq!(sort(&mut s, "SORT big BY nosort DESC LIMIT 998 10"), ["m0001", "m0000"]);
    assert_eq!(sort(&mut s, "SORT big ALPHA DESC LIMIT 0 1"), ["m0999"]);
    assert_eq!(err(run(&mut s, "SORT big")), "ERR One or more scores can't be converted into double");
}
