//! Sorted sets: encodings and their conversions, types, empty keys, reply
//! shapes, and big sets checked against a model.

use std::collections::{BTreeSet, HashMap};

use kv_core::{Reply, Session, Store};

fn enc(s: &mut Session, key: &str) -> Reply {
    s.execute(&["OBJECT", "ENCODING", key])
}

fn lp() -> Reply {
    Reply::bulk("listpack")
}

fn sl() -> Reply {
    Reply::bulk("skiplist")
}

/// `ZADD key score member...` with members `prefix{i}` scored `i` for `range`.
fn zadd_range(s: &mut Session, key: &str, prefix: &str, range: std::ops::Range<usize>) -> Reply {
    let mut args = vec!["ZADD".to_string(), key.to_string()];
    for i in range {
        args.push(i.to_string());
        args.push(format!("{prefix}{i}"));
    }
    s.execute(&args)
}

fn bulks(items: &[&str]) -> Reply {
    Reply::Array(items.iter().map(|i| Reply::bulk(*i)).collect())
}

#[test]
fn listpack_until_128_members_or_a_65_byte_member() {
    let store = Store::new();
    let mut s = store.session();
    assert_eq!(zadd_range(&mut s, "z", "m", 0..128), Reply::Integer(128));
    assert_eq!(enc(&mut s, "z"), lp());
    assert_eq!(zadd_range(&mut s, "z", "m", 127..128), Reply::Integer(0), "an update adds nothing");
    assert_eq!(enc(&mut s, "z"), lp());
    assert_eq!(zadd_range(&mut s, "z", "m", 128..129), Reply::Integer(1));
    assert_eq!(enc(&mut s, "z"), sl());
    // Never back, however small the set gets.
    assert_eq!(s.execute(&["ZREMRANGEBYRANK", "z", "0", "-2"]), Reply::Integer(128));
    assert_eq!(s.execute(&["ZCARD", "z"]), Reply::Integer(1));
    assert_eq!(enc(&mut s, "z"), sl());

    let m64 = "x".repeat(64);
    let m65 = "x".repeat(65);
    assert_eq!(s.execute(&["ZADD", "v", "1", &m64]), Reply::Integer(1));
    assert_eq!(enc(&mut s, "v"), lp());
    assert_eq!(s.execute(&["ZADD", "v", "2", &m65]), Reply::Integer(1));
    assert_eq!(enc(&mut s, "v"), sl());
    assert_eq!(s.execute(&["ZADD", "w", "1", &m65]), Reply::Integer(1), "a new key");
    assert_eq!(enc(&mut s, "w"), sl());
    // ZINCRBY creating a key with a long member.
    assert_eq!(s.execute(&["ZINCRBY", "w2", "1", &m65]), Reply::Double(1.0));
    assert_eq!(enc(&mut s, "w2"), sl());

    // 129 members in one ZADD on a new key.
    assert_eq!(zadd_range(&mut s, "n", "m", 0..129), Reply::Integer(129));
    assert_eq!(enc(&mut s, "n"), sl());
}

#[test]
fn store_results_take_the_encoding_their_size_calls_for() {
    let store = Store::new();
    let mut s = store.session();
    zadd_range(&mut s, "big", "m", 0..200);
    assert_eq!(enc(&mut s, "big"), sl());
    assert_eq!(s.execute(&["ZRANGESTORE", "d", "big", "0", "127"]), Reply::Integer(128));
    assert_eq!(enc(&mut s, "d"), lp());
    assert_eq!(s.execute(&["ZRANGESTORE", "d", "big", "0", "128"]), Reply::Integer(129));
    assert_eq!(enc(&mut s, "d"), sl());
    assert_eq!(s.execute(&["ZINTERSTORE", "d", "2", "big", "d"]), Reply::Integer(129));
    assert_eq!(enc(&mut s, "d"), sl());
    s.execute(&["ZREMRANGEBYRANK", "d", "10", "-1"]);
    assert_eq!(s.execute(&["ZINTERSTORE", "i", "2", "big", "d"]), Reply::Integer(10));
    assert_eq!(enc(&mut s, "i"), lp());
    assert_eq!(s.execute(&["ZUNIONSTORE", "u", "1", "big"]), Reply::Integer(200));
    assert_eq!(enc(&mut s, "u"), sl());
    assert_eq!(s.execute(&["ZDIFFSTORE", "df", "2", "big", "u"]), Reply::Integer(0));
    assert_eq!(s.execute(&["EXISTS", "df"]), Reply::Integer(0));
    s.execute(&["ZADD", "long", "1", &"y".repeat(65)]);
    assert_eq!(s.execute(&["ZUNIONSTORE", "u2", "2", "long", "i"]), Reply::Integer(11));
    assert_eq!(enc(&mut s, "u2"), sl());
    // Scores survive the conversions, -0 included: a listpack keeps 0 (as
    // Redis, which stores integral scores as integers), a skiplist -0.
    s.execute(&["ZADD", "zero", "-0", "a"]);
    assert_eq!(s.execute(&["ZSCORE", "zero", "a"]), Reply::Double(0.0));
    assert!(matches!(s.execute(&["ZSCORE", "zero", "a"]), Reply::Double(d) if d.is_sign_positive()));
    s.execute(&["ZADD", "big", "-0", "negzero"]);
    assert!(matches!(s.execute(&["ZSCORE", "big", "negzero"]), Reply::Double(d) if d == 0.0 && d.is_sign_negative()));
}

#[test]
fn wrongtype_both_ways() {
    let store = Store::new();
    let mut s = store.session();
    s.execute(&["SET", "str", "v"]);
    s.execute(&["ZADD", "z", "1", "a"]);
    let wrong = Reply::error("WRONGTYPE Operation against a key holding the wrong kind of value");
    let calls: &[&[&str]] = &[
        &["ZADD", "str", "1", "a"],
        &["ZINCRBY", "str", "1", "a"],
        &["ZCARD", "str"],
        &["ZSCORE", "str", "a"],
        &["ZMSCORE", "str", "a"],
        &["ZRANK", "str", "a"],
        &["ZREVRANK", "str", "a", "WITHSCORE"],
        &["ZREM", "str", "a"],
        &["ZPOPMIN", "str"],
        &["ZPOPMAX", "str", "2"],
        &["ZMPOP", "2", "str", "z", "MIN"],
        &["ZRANDMEMBER", "str", "2"],
        &["ZSCAN", "str", "0"],
        &["ZRANGE", "str", "0", "-1"],
        &["ZRANGESTORE", "d", "str", "0", "-1"],
        &["ZREVRANGE", "str", "0", "-1"],
        &["ZRANGEBYSCORE", "str", "-inf", "+inf"],
        &["ZREVRANGEBYSCORE", "str", "+inf", "-inf"],
        &["ZRANGEBYLEX", "str", "-", "+"],
        &["ZREVRANGEBYLEX", "str", "+", "-"],
        &["ZCOUNT", "str", "-inf", "+inf"],
        &["ZLEXCOUNT", "str", "-", "+"],
        &["ZREMRANGEBYRANK", "str", "0", "-1"],
        &["ZREMRANGEBYSCORE", "str", "-inf", "+inf"],
        &["ZREMRANGEBYLEX", "str", "-", "+"],
        &["ZUNION", "2", "z", "str"],
        &["ZINTER", "2", "z", "str"],
        &["ZDIFF", "2", "z", "str"],
        &["ZINTERCARD", "2", "z", "str"],
        &["ZUNIONSTORE", "d", "2", "z", "str"],
        &["ZINTERSTORE", "d", "2", "z", "str"],
        &["ZDIFFSTORE", "d", "2", "z", "str"],
        &["GET", "z"],
        &["APPEND", "z", "x"],
        &["INCR", "z"],
        &["BITCOUNT", "z"],
    ];
    for c in calls {
        assert_eq!(s.execute(c), wrong, "{c:?}");
    }
    assert_eq!(s.execute(&["TYPE", "z"]), Reply::status("zset"));
    assert_eq!(s.execute(&["GET", "str"]), Reply::bulk("v"), "nothing was changed");
    assert_eq!(s.execute(&["EXISTS", "d"]), Reply::Integer(0));
    // A STORE destination of another type is overwritten, its TTL dropped.
    s.execute(&["EXPIRE", "str", "1000"]);
    assert_eq!(s.execute(&["ZUNIONSTORE", "str", "1", "z"]), Reply::Integer(1));
    assert_eq!(s.execute(&["TYPE", "str"]), Reply::status("zset"));
    assert_eq!(s.execute(&["TTL", "str"]), Reply::Integer(-1));
    // SET replaces a zset.
    assert_eq!(s.execute(&["SET", "z", "v"]), Reply::ok());
    assert_eq!(s.execute(&["TYPE", "z"]), Reply::status("string"));
}

#[test]
fn empty_sets_disappear() {
    let store = Store::new();
    let mut s = store.session();
    let gone = |s: &mut Session| s.execute(&["EXISTS", "z"]) == Reply::Integer(0);
    let fill = |s: &mut Session, n: usize| {
        s.execute(&["DEL", "z"]);
        zadd_range(s, "z", "m", 0..n);
    };
    for n in [3, 200] {
        fill(&mut s, n);
        let members: Vec<String> = (0..n).map(|i| format!("m{i}")).collect();
        let mut args = vec!["ZREM".to_string(), "z".to_string(), "nosuch".to_string()];
        args.extend(members);
        assert_eq!(s.execute(&args), Reply::Integer(n as i64));
        assert!(gone(&mut s));
        let cases: &[&[&str]] = &[
            &["ZPOPMIN", "z", "1000"],
            &["ZPOPMAX", "z", "1000"],
            &["ZMPOP", "1", "z", "MAX", "COUNT", "1000"],
            &["ZREMRANGEBYRANK", "z", "0", "-1"],
            &["ZREMRANGEBYSCORE", "z", "-inf", "+inf"],
            &["ZREMRANGEBYLEX", "z", "-", "+"],
        ];
        for c in cases {
            fill(&mut s, n);
            s.execute(c);
            assert!(gone(&mut s), "{c:?} with {n} members");
        }
        // Popping one at a time.
        fill(&mut s, n);
        for _ in 0..n {
            assert!(!gone(&mut s));
            s.execute(&["ZPOPMIN", "z"]);
        }
        assert!(gone(&mut s));
        // ZADD XX / ZINCRBY on nothing create nothing; an empty result
        // deletes a STORE destination.
        assert_eq!(s.execute(&["ZADD", "z", "XX", "1", "a"]), Reply::Integer(0));
        assert!(gone(&mut s));
        fill(&mut s, n);
        assert_eq!(s.execute(&["ZRANGESTORE", "z", "nosuch", "0", "-1"]), Reply::Integer(0));
        assert!(gone(&mut s));
        fill(&mut s, n);
        assert_eq!(s.execute(&["ZINTERSTORE", "z", "2", "z", "nosuch"]), Reply::Integer(0));
        assert!(gone(&mut s));
    }
}

#[test]
fn reply_shapes_in_resp2_and_resp3() {
    let store = Store::new();
    let mut s = store.session();
    let mut s3 = store.session();
    assert!(matches!(s3.execute(&["HELLO", "3"]), Reply::Map(_)));
    s.execute(&["ZADD", "z", "1", "a", "2.5", "b", "0.1", "c"]);
    let pair = |m: &str, d: f64| Reply::Array(vec![Reply::bulk(m), Reply::Double(d)]);
    let mut r3 = |_: &mut Session, args: &[&str]| s3.execute(args).into_protocol(3);
    let r2 = |s: &mut Session, args: &[&str]| s.execute(args).into_protocol(2);
    // RESP3: doubles, [member, score] pairs.
    assert_eq!(
        r3(&mut s, &["ZRANGE", "z", "0", "-1", "WITHSCORES"]),
        Reply::Array(vec![pair("c", 0.1), pair("a", 1.0), pair("b", 2.5)])
    );
    assert_eq!(r3(&mut s, &["ZSCORE", "z", "b"]), Reply::Double(2.5));
    assert_eq!(r3(&mut s, &["ZMSCORE", "z", "b", "x"]), Reply::Array(vec![Reply::Double(2.5), Reply::Nil]));
    assert_eq!(
        r3(&mut s, &["ZRANK", "z", "b", "WITHSCORE"]),
        Reply::Array(vec![Reply::Integer(2), Reply::Double(2.5)])
    );
    assert_eq!(
        r3(&mut s, &["ZUNION", "1", "z", "WITHSCORES"]),
        Reply::Array(vec![pair("c", 0.1), pair("a", 1.0), pair("b", 2.5)])
    );
    // RESP2: flat arrays, scores as bulk strings in the shortest form.
    assert_eq!(r2(&mut s, &["ZRANGE", "z", "0", "-1", "WITHSCORES"]), bulks(&["c", "0.1", "a", "1", "b", "2.5"]));
    assert_eq!(r2(&mut s, &["ZSCORE", "z", "c"]), Reply::bulk("0.1"));
    assert_eq!(
        r2(&mut s, &["ZREVRANK", "z", "c", "WITHSCORE"]),
        Reply::Array(vec![Reply::Integer(2), Reply::bulk("0.1")])
    );
    assert_eq!(r2(&mut s, &["ZRANK", "z", "x", "WITHSCORE"]), Reply::NilArray);
    assert_eq!(r2(&mut s, &["ZRANK", "z", "x"]), Reply::Nil);
    // ZRANDMEMBER WITHSCORES: flat pairs in RESP2, [member, score] in RESP3.
    let Reply::Array(v) = r2(&mut s, &["ZRANDMEMBER", "z", "-5", "WITHSCORES"]) else { panic!() };
    assert_eq!(v.len(), 10);
    assert!(v.iter().all(|i| matches!(i, Reply::Bulk(_))));
    let Reply::Array(v) = r3(&mut s, &["ZRANDMEMBER", "z", "5", "WITHSCORES"]) else { panic!() };
    assert_eq!(v.len(), 3);
    assert!(v.iter().all(|i| matches!(i, Reply::Array(p) if matches!(p[..], [Reply::Bulk(_), Reply::Double(_)]))));
    assert_eq!(
        r2(&mut s, &["ZSCAN", "z", "0"]),
        Reply::Array(vec![Reply::bulk("0"), bulks(&["c", "0.1", "a", "1", "b", "2.5"])])
    );
    // Pops: flat [member, score] without a count, pairs with one (RESP3).
    assert_eq!(r3(&mut s, &["ZPOPMIN", "z"]), Reply::Array(vec![Reply::bulk("c"), Reply::Double(0.1)]));
    assert_eq!(r3(&mut s, &["ZPOPMAX", "z", "1"]), Reply::Array(vec![pair("b", 2.5)]));
    assert_eq!(r2(&mut s, &["ZPOPMAX", "z", "5"]), bulks(&["a", "1"]));
    assert_eq!(r2(&mut s, &["ZPOPMIN", "z"]), Reply::Array(vec![]));
    assert_eq!(r3(&mut s, &["ZPOPMIN", "z", "2"]), Reply::Array(vec![]));
    s.execute(&["ZADD", "z", "1", "a"]);
    assert_eq!(
        r3(&mut s, &["ZMPOP", "2", "nosuch", "z", "MIN"]),
        Reply::Array(vec![Reply::bulk("z"), Reply::Array(vec![pair("a", 1.0)])])
    );
    assert_eq!(r2(&mut s, &["ZMPOP", "1", "z", "MIN"]), Reply::NilArray);
    assert_eq!(r2(&mut s, &["ZRANDMEMBER", "z", "2"]), Reply::Array(vec![]));
    assert_eq!(r2(&mut s, &["ZRANDMEMBER", "z"]), Reply::Nil);
}

/// Scores in RESP2 use the shortest form that reads back as the same double.
#[test]
fn score_text_round_trips() {
    let store = Store::new();
    let mut s = store.session();
    for (input, text) in
        [("0.1", "0.1"), ("1e300", "1e+300"), ("-2.25", "-2.25"), ("inf", "inf"), ("-inf", "-inf"), ("3.0e2", "300")]
    {
        s.execute(&["ZADD", "z", input, "m"]);
        assert_eq!(s.execute(&["ZSCORE", "z", "m"]).into_protocol(2), Reply::bulk(text), "{input}");
    }
    let nan = Reply::error("ERR resulting score is not a number (NaN)");
    s.execute(&["ZADD", "z", "inf", "m"]);
    assert_eq!(s.execute(&["ZINCRBY", "z", "-inf", "m"]), nan);
    assert_eq!(s.execute(&["ZSCORE", "z", "m"]), Reply::Double(f64::INFINITY), "unchanged");
    let not_float = Reply::error("ERR value is not a valid float");
    for bad in ["nan", "1e400", "-1e400", "1e-400", "", " 1", "1x"] {
        assert_eq!(s.execute(&["ZADD", "z", bad, "m"]), not_float, "{bad:?}");
    }
    // Denormals are fine; range bounds take what strtod takes.
    assert_eq!(s.execute(&["ZADD", "z", "1e-310", "d"]), Reply::Integer(1));
    assert_eq!(s.execute(&["ZCOUNT", "z", "1e-400", "1e-300"]), Reply::Integer(1));
}

/// A big set (skiplist encoding) against a BTreeSet model: ranks, ranges
/// by rank and score, pops and removals.
#[test]
fn big_set_matches_a_model() {
    let store = Store::new();
    let mut s = store.session();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rand = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut model: BTreeSet<(i64, Vec<u8>)> = BTreeSet::new();
    let mut scores: HashMap<Vec<u8>, i64> = HashMap::new();
    let n = 100_000;
    let mut batch: Vec<Vec<u8>> = vec![b"ZADD".to_vec(), b"big".to_vec()];
    for i in 0..n {
        let score = rand(5000) as i64 - 2500;
        let member = format!("member:{i:06}").into_bytes();
        batch.push(score.to_string().into_bytes());
        batch.push(member.clone());
        model.insert((score, member.clone()));
        scores.insert(member, score);
        if batch.len() >= 2002 {
            s.execute(&batch);
            batch.truncate(2);
        }
    }
    s.execute(&batch);
    // Rescore some members: the model drops the old entry.
    for _ in 0..2000 {
        let i = rand(n);
        let member = format!("member:{i:06}").into_bytes();
        let old = scores[&member];
        model.remove(&(old, member.clone()));
        let score = rand(5000) as i64 - 2500;
        model.insert((score, member.clone()));
        scores.insert(member.clone(), score);
        s.execute(&[b"ZADD".as_ref(), b"big", score.to_string().as_bytes(), &member]);
    }
    assert_eq!(enc(&mut s, "big"), sl());
    assert_eq!(s.execute(&["ZCARD", "big"]), Reply::Integer(model.len() as i64));
    let sorted: Vec<&(i64, Vec<u8>)> = model.iter().collect();
    let flat = |items: &[&(i64, Vec<u8>)]| {
        Reply::Array(
            items
                .iter()
                .flat_map(|(sc, m)| [Reply::Bulk(m.clone()), Reply::Bulk(sc.to_string().into_bytes())])
                .collect(),
        )
    };
    for _ in 0..300 {
        let r = rand(sorted.len() as u64) as usize;
        let (score, member) = sorted[r];
        assert_eq!(s.execute(&[b"ZRANK".as_ref(), b"big", member]), Reply::Integer(r as i64));
        assert_eq!(s.execute(&[b"ZREVRANK".as_ref(), b"big", member]), Reply::Integer((sorted.len() - 1 - r) as i64));
        assert_eq!(s.execute(&[b"ZSCORE".as_ref(), b"big", member]), Reply::Double(*score as f64));
        let len = rand(50) as usize;
        let end = (r + len).min(sorted.len() - 1);
        let got = s.execute(&["ZRANGE", "big", &r.to_string(), &end.to_string(), "WITHSCORES"]).into_protocol(2);
        assert_eq!(got, flat(&sorted[r..=end]));
        let lo = rand(5000) as i64 - 2500;
        let hi = lo + rand(3) as i64;
        let want: Vec<&(i64, Vec<u8>)> = sorted.iter().copied().filter(|e| (lo..=hi).contains(&e.0)).collect();
        let got = s.execute(&["ZRANGEBYSCORE", "big", &lo.to_string(), &hi.to_string(), "WITHSCORES"]);
        assert_eq!(got.into_protocol(2), flat(&want));
        assert_eq!(s.execute(&["ZCOUNT", "big", &format!("({lo}"), &hi.to_string()]), {
            Reply::Integer(want.iter().filter(|e| e.0 > lo).count() as i64)
        });
    }
    // Pops from both ends.
    let got = s.execute(&["ZPOPMIN", "big", "1000"]).into_protocol(2);
    assert_eq!(got, flat(&sorted[..1000]));
    let got = s.execute(&["ZPOPMAX", "big", "1000"]).into_protocol(2);
    let top: Vec<&(i64, Vec<u8>)> = sorted[sorted.len() - 1000..].iter().rev().copied().collect();
    assert_eq!(got, flat(&top));
    let mut model: BTreeSet<(i64, Vec<u8>)> = sorted[1000..sorted.len() - 1000].iter().map(|e| (*e).clone()).collect();
    // Removals: random members, then a rank range.
    for _ in 0..5000 {
        let i = rand(n);
        let member = format!("member:{i:06}").into_bytes();
        let was = scores.get(&member).map(|&sc| (sc, member.clone())).filter(|e| model.contains(e));
        let got = s.execute(&[b"ZREM".as_ref(), b"big", &member]);
        assert_eq!(got, Reply::Integer(was.is_some() as i64));
        if let Some(e) = was {
            model.remove(&e);
        }
    }
    assert_eq!(s.execute(&["ZREMRANGEBYRANK", "big", "100", "20099"]), Reply::Integer(20000));
    let sorted: Vec<(i64, Vec<u8>)> = model.into_iter().collect();
    let sorted: Vec<&(i64, Vec<u8>)> = sorted[..100].iter().chain(&sorted[20100..]).collect();
    assert_eq!(s.execute(&["ZCARD", "big"]), Reply::Integer(sorted.len() as i64));
    for r in [0, 99, 100, 5000, sorted.len() - 1] {
        let got = s.execute(&["ZRANGE", "big", &r.to_string(), &r.to_string(), "WITHSCORES"]).into_protocol(2);
        assert_eq!(got, flat(&sorted[r..=r]), "rank {r}");
    }
    // A full ZSCAN returns every member once per iteration at least.
    let mut seen = BTreeSet::new();
    let mut cursor = "0".to_string();
    loop {
        let Reply::Array(parts) = s.execute(&["ZSCAN", "big", &cursor, "COUNT", "500"]) else { panic!() };
        let (Reply::Bulk(c), Reply::Array(items)) = (&parts[0], &parts[1]) else { panic!() };
        for pair in items.chunks(2) {
            seen.insert(pair[0].as_bytes().expect("member").to_vec());
        }
        cursor = String::from_utf8(c.clone()).expect("cursor");
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), sorted.len());
    assert!(sorted.iter().all(|e| seen.contains(&e.1)));
}
