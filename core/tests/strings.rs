//! String commands: behaviour the conformance vectors do not pin down
//! (long values, RESP2 folding, the manual clock, hostile input).

use std::sync::Arc;

use kv_core::{Clock, Config, ManualClock, Reply, Session, Store};

fn store_at(ms: u64) -> (Store, Arc<ManualClock>) {
    let clock = ManualClock::new(ms);
    let store = Store::open(Config::default().clock(clock.clone() as Arc<dyn Clock>));
    (store, clock)
}

fn run(s: &mut Session, args: &[&[u8]]) -> Reply {
    s.execute(args)
}

#[test]
fn long_values_append_and_setrange_in_place() {
    let store = Store::new();
    let mut s = store.session();
    let chunk = vec![b'a'; 1000];
    for i in 1..=100 {
        assert_eq!(run(&mut s, &[b"APPEND", b"k", &chunk]), Reply::Integer(i * 1000));
    }
    assert_eq!(s.execute(&["SETRANGE", "k", "99999", "XY"]), Reply::Integer(100_001));
    assert_eq!(s.execute(&["GETRANGE", "k", "-3", "-1"]), Reply::bulk("aXY"));
    assert_eq!(s.execute(&["STRLEN", "k"]), Reply::Integer(100_001));
    assert_eq!(s.execute(&["SETRANGE", "k", "200000", "z"]), Reply::Integer(200_001));
    let Reply::Bulk(v) = s.execute(&["GET", "k"]) else { panic!() };
    assert_eq!(v.len(), 200_001);
    assert!(v[100_001..200_000].iter().all(|&b| b == 0));
    assert_eq!(v[200_000], b'z');
}

#[test]
fn binary_keys_and_values() {
    let store = Store::new();
    let mut s = store.session();
    let key: &[u8] = b"\x00k\xff\r\n";
    let val: &[u8] = b"\xff\xfe\x00 value";
    assert_eq!(run(&mut s, &[b"SET", key, val]), Reply::ok());
    assert_eq!(run(&mut s, &[b"GET", key]), Reply::bulk(val));
    assert_eq!(run(&mut s, &[b"APPEND", key, b"\x00"]), Reply::Integer(val.len() as i64 + 1));
    assert_eq!(
        run(&mut s, &[b"MGET", key, b"\x00k"]),
        Reply::Array(vec![Reply::bulk([val, b"\x00"].concat()), Reply::Nil])
    );
}

#[test]
fn lcs_idx_folds_to_a_flat_array_in_resp2() {
    let store = Store::new();
    let mut s = store.session();
    s.execute(&["MSET", "a", "ohmytext", "b", "mynewtext"]);
    let r = s.execute(&["LCS", "a", "b", "IDX", "MINMATCHLEN", "4"]);
    let expected = b"*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n";
    assert_eq!(r.to_resp(2), expected.to_vec());
}

#[test]
fn lcs_of_larger_strings() {
    let store = Store::new();
    let mut s = store.session();
    let a: String = (0..2000).map(|i| (b'a' + (i * 7 % 26) as u8) as char).collect();
    let b: String = (0..2000).map(|i| (b'a' + (i * 11 % 26) as u8) as char).collect();
    s.execute(&["MSET", "a", &a, "b", &b]);
    let Reply::Integer(n) = s.execute(&["LCS", "a", "b", "LEN"]) else { panic!() };
    let Reply::Bulk(text) = s.execute(&["LCS", "a", "b"]) else { panic!() };
    assert_eq!(text.len() as i64, n);
    // The text is a subsequence of both strings.
    for src in [a.as_bytes(), b.as_bytes()] {
        let mut it = src.iter();
        assert!(text.iter().all(|c| it.any(|x| x == c)));
    }
    assert_eq!(s.execute(&["LCS", "a", "a", "LEN"]), Reply::Integer(2000));
}

#[test]
fn expiry_options_use_the_store_clock() {
    let (store, clock) = store_at(1_700_000_000_000);
    let mut s = store.session();
    assert_eq!(s.execute(&["SET", "k", "v", "PX", "100"]), Reply::ok());
    // Redis expires a key once the clock is strictly past its time.
    clock.advance(100);
    assert_eq!(s.execute(&["GET", "k"]), Reply::bulk("v"));
    clock.advance(1);
    assert_eq!(s.execute(&["GET", "k"]), Reply::Nil);

    // EXAT in the clock's future, then past it.
    assert_eq!(s.execute(&["SET", "k", "v", "EXAT", "1700000010"]), Reply::ok());
    assert_eq!(s.execute(&["GETEX", "k", "PXAT", "1700000005000"]), Reply::bulk("v"));
    clock.set(1_700_000_005_000);
    assert_eq!(s.execute(&["GET", "k"]), Reply::bulk("v"));
    clock.set(1_700_000_005_001);
    assert_eq!(s.execute(&["GET", "k"]), Reply::Nil);

    // KEEPTTL keeps a live TTL; PERSIST drops it; SETEX sets one.
    s.execute(&["SETEX", "k", "10", "v"]);
    s.execute(&["SET", "k", "w", "KEEPTTL"]);
    clock.advance(10_001);
    assert_eq!(s.execute(&["GET", "k"]), Reply::Nil);
    s.execute(&["PSETEX", "k", "10", "v"]);
    assert_eq!(s.execute(&["GETEX", "k", "PERSIST"]), Reply::bulk("v"));
    clock.advance(1_000);
    assert_eq!(s.execute(&["GET", "k"]), Reply::bulk("v"));

    // Counters and APPEND keep the TTL; SET and GETSET drop it.
    s.execute(&["SET", "c", "1", "PX", "50"]);
    s.execute(&["INCR", "c"]);
    s.execute(&["APPEND", "c", "0"]);
    s.execute(&["SETRANGE", "c", "0", "3"]);
    s.execute(&["INCRBYFLOAT", "c", "1"]);
    assert_eq!(s.execute(&["GET", "c"]), Reply::bulk("31"));
    clock.advance(51);
    assert_eq!(s.execute(&["GET", "c"]), Reply::Nil);
    s.execute(&["SET", "g", "1", "PX", "50"]);
    assert_eq!(s.execute(&["GETSET", "g", "2"]), Reply::bulk("1"));
    clock.advance(50);
    assert_eq!(s.execute(&["GET", "g"]), Reply::bulk("2"));
}

#[test]
fn relative_expiry_overflow_depends_on_now() {
    let (store, _clock) = store_at(1_700_000_000_000);
    let mut s = store.session();
    let max_px = (i64::MAX as u64 - 1_700_000_000_000).to_string();
    let over = (i64::MAX as u64 - 1_700_000_000_000 + 1).to_string();
    assert_eq!(s.execute(&["SET", "k", "v", "PX", &max_px]), Reply::ok());
    assert_eq!(
        s.execute(&["SET", "k", "v", "PX", &over]),
        Reply::error_owned("ERR invalid expire time in 'set' command".into())
    );
    assert_eq!(
        s.execute(&["GETEX", "k", "PX", &over]),
        Reply::error_owned("ERR invalid expire time in 'getex' command".into())
    );
    assert!(s.execute(&["SET", "k", "v", "EX", "9223372036854775"]).is_error());
    assert_eq!(s.execute(&["SET", "k", "v", "EXAT", "9223372036854775"]), Reply::ok());
}

#[test]
fn incrbyfloat_texts() {
    let store = Store::new();
    let mut s = store.session();
    for (start, by, want) in [
        ("0", "0.1", "0.1"),
        ("0.1", "0.2", "0.3"),
        ("1e20", "1", "100000000000000000000"),
        ("2.5e-17", "0", "0.00000000000000002"),
        ("-1", "0.9", "-0.1"),
        ("0x1p-18", "0", "0.00000381469726562"),
        ("18446744073709551616", "0.5", "18446744073709551616"),
    ] {
        s.execute(&["SET", "f", start]);
        assert_eq!(s.execute(&["INCRBYFLOAT", "f", by]), Reply::bulk(want), "{start} + {by}");
        assert_eq!(s.execute(&["GET", "f"]), Reply::bulk(want));
    }
}

#[test]
fn no_input_makes_a_handler_fail() {
    // Every command with a spread of awkward arguments: replies must be
    // Redis errors or values, never the dispatcher's internal error (a panic).
    let cmds = [
        "APPEND",
        "DECR",
        "DECRBY",
        "GET",
        "GETDEL",
        "GETEX",
        "GETRANGE",
        "GETSET",
        "INCR",
        "INCRBY",
        "INCRBYFLOAT",
        "LCS",
        "MGET",
        "MSET",
        "MSETNX",
        "PSETEX",
        "SET",
        "SETEX",
        "SETNX",
        "SETRANGE",
        "STRLEN",
        "SUBSTR",
    ];
    let words: [&[u8]; 24] = [
        b"k",
        b"",
        b"0",
        b"-1",
        b"1",
        b"9223372036854775807",
        b"-9223372036854775808",
        b"18446744073709551616",
        b"1e400",
        b"0x1p99999",
        b"nan",
        b"inf",
        b"EX",
        b"PX",
        b"EXAT",
        b"PXAT",
        b"KEEPTTL",
        b"GET",
        b"NX",
        b"IDX",
        b"LEN",
        b"MINMATCHLEN",
        b"\xff\x00",
        b"536870911",
    ];
    let store = Store::new();
    let mut s = store.session();
    let mut seed = 0x2545F4914F6CDD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..20_000 {
        let cmd = cmds[(next() % cmds.len() as u64) as usize];
        let n = (next() % 6) as usize;
        let mut args: Vec<&[u8]> = vec![cmd.as_bytes()];
        for _ in 0..n {
            args.push(words[(next() % words.len() as u64) as usize]);
        }
        // Keep SETRANGE from building half-gigabyte strings.
        if cmd == "SETRANGE" && args.get(2) == Some(&&b"536870911"[..]) {
            continue;
        }
        let r = s.execute(&args);
        assert_ne!(r, Reply::error("ERR internal error"), "{args:?}");
    }
}
