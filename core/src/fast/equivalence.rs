//! The collection fast paths against `execute`: random operations run
//! through both on two stores with the same clock, comparing every result
//! (as the reply it stands for), the keyspace statistics, and in the end
//! every key's type, encoding, contents and TTL. Plus WATCH and a blocked
//! BLPOP woken by a fast-path push.

use std::sync::Arc;
use std::time::Duration;

use super::{Error, ZAddFlags};
use crate::config::{Config, ManualClock};
use crate::reply::Reply;
use crate::session::Session;
use crate::store::Store;

fn store(clock: &Arc<ManualClock>) -> Store {
    Store::open(Config::default().clock(clock.clone()))
}

/// A small deterministic generator (an LCG's high bits).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        self.next() as usize % n
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const KEYS: &[&str] = &["k0", "k1", "k2", "k3", "k4", "k5"];
/// Scores with the text `execute` is given for them.
const SCORES: &[(f64, &str)] = &[
    (0.0, "0"),
    (-0.0, "-0"),
    (1.0, "1"),
    (2.5, "2.5"),
    (-7.0, "-7"),
    (1e300, "1e300"),
    (f64::INFINITY, "inf"),
    (f64::NEG_INFINITY, "-inf"),
];

/// Elements: integers (intsets), words, members too long for a listpack,
/// and elements big enough to turn a list into a quicklist quickly.
fn element(r: &mut Rng) -> Vec<u8> {
    match r.below(10) {
        0..=2 => r.below(40).to_string().into_bytes(),
        3..=6 => format!("m{}", r.below(60)).into_bytes(),
        7 | 8 => format!("{}{}", "x".repeat(66), r.below(8)).into_bytes(),
        _ => format!("{}{}", "y".repeat(4500), r.below(4)).into_bytes(),
    }
}

fn elements(r: &mut Rng) -> Vec<Vec<u8>> {
    (0..1 + r.below(3)).map(|_| element(r)).collect()
}

fn reply<T>(res: Result<T, Error>, f: impl FnOnce(T) -> Reply) -> Reply {
    match res {
        Ok(v) => f(v),
        Err(e) => e.into(),
    }
}

fn int(n: usize) -> Reply {
    Reply::Integer(n as i64)
}

fn bulks(v: Vec<Vec<u8>>) -> Reply {
    Reply::Array(v.into_iter().map(Reply::Bulk).collect())
}

fn double_or_nil(d: Option<f64>) -> Reply {
    d.map_or(Reply::Nil, Reply::Double)
}

/// One random operation: what the fast path answered (as a reply) and the
/// command line that should answer the same through `execute`.
fn step(r: &mut Rng, s: &mut Session) -> (Reply, Vec<Vec<u8>>) {
    let key = r.pick(KEYS).as_bytes().to_vec();
    let k = &key[..];
    let line = |parts: &[&[u8]]| parts.iter().map(|p| p.to_vec()).collect::<Vec<_>>();
    let with = |cmd: &str, k: &[u8], rest: &[Vec<u8>]| {
        let mut l = vec![cmd.as_bytes().to_vec(), k.to_vec()];
        l.extend(rest.iter().cloned());
        l
    };
    match r.below(27) {
        0 => {
            let v = elements(r);
            (reply(s.lpush(k, &v), int), with("LPUSH", k, &v))
        }
        1 => {
            let v = elements(r);
            (reply(s.rpush(k, &v), int), with("RPUSH", k, &v))
        }
        2 => {
            let v = elements(r);
            (reply(s.rpushx(k, &v), int), with("RPUSHX", k, &v))
        }
        3 => (reply(s.lpop(k), Reply::from), line(&[b"LPOP", k])),
        4 => (reply(s.rpop(k), Reply::from), line(&[b"RPOP", k])),
        5 | 6 => {
            let n = r.below(4);
            let left = r.below(2) == 0;
            let got = if left { s.lpop_count(k, n) } else { s.rpop_count(k, n) };
            let cmd: &[u8] = if left { b"LPOP" } else { b"RPOP" };
            (reply(got, |v| v.map_or(Reply::NilArray, bulks)), line(&[cmd, k, n.to_string().as_bytes()]))
        }
        7 => (reply(s.llen(k), int), line(&[b"LLEN", k])),
        8 | 9 => {
            let v = elements(r);
            (reply(s.sadd(k, &v), int), with("SADD", k, &v))
        }
        10 => {
            let v = elements(r);
            (reply(s.srem(k, &v), int), with("SREM", k, &v))
        }
        11 => {
            let m = element(r);
            (reply(s.sismember(k, &m), Reply::from), line(&[b"SISMEMBER", k, &m]))
        }
        12 => (reply(s.scard(k), int), line(&[b"SCARD", k])),
        13 | 14 => {
            let (sc, text) = *r.pick(SCORES);
            let m = element(r);
            (reply(s.zadd(k, sc, &m), Reply::from), line(&[b"ZADD", k, text.as_bytes(), &m]))
        }
        15 => {
            let f = ZAddFlags {
                nx: r.below(4) == 0,
                xx: r.below(4) == 0,
                gt: r.below(4) == 0,
                lt: r.below(5) == 0,
                ch: r.below(2) == 0,
                incr: false,
            };
            let n = r.below(3);
            let pairs: Vec<(f64, &str, Vec<u8>)> = (0..n)
                .map(|_| {
                    let (sc, t) = *r.pick(SCORES);
                    (sc, t, element(r))
                })
                .collect();
            let typed: Vec<(f64, &[u8])> = pairs.iter().map(|p| (p.0, &p.2[..])).collect();
            let mut l = line(&[b"ZADD", k]);
            for (on, name) in [(f.nx, "NX"), (f.xx, "XX"), (f.gt, "GT"), (f.lt, "LT"), (f.ch, "CH")] {
                if on {
                    l.push(name.as_bytes().to_vec());
                }
            }
            for p in &pairs {
                l.push(p.1.as_bytes().to_vec());
                l.push(p.2.clone());
            }
            (reply(s.zadd_with(k, f, &typed), int), l)
        }
        16 => {
            let (sc, text) = *r.pick(SCORES);
            let m = element(r);
            let xx = r.below(3) == 0;
            let f = ZAddFlags { xx, ..ZAddFlags::default() };
            let mut l = line(&[b"ZADD", k]);
            if xx {
                l.push(b"XX".to_vec());
            }
            l.extend([b"INCR".to_vec(), text.as_bytes().to_vec(), m.clone()]);
            (reply(s.zadd_incr(k, f, sc, &m), double_or_nil), l)
        }
        17 => {
            let (sc, text) = *r.pick(SCORES);
            let m = element(r);
            (reply(s.zincrby(k, sc, &m), Reply::Double), line(&[b"ZINCRBY", k, text.as_bytes(), &m]))
        }
        18 => {
            let m = element(r);
            (reply(s.zscore(k, &m), double_or_nil), line(&[b"ZSCORE", k, &m]))
        }
        19 => {
            let m = element(r);
            let rank = |x: Option<usize>| x.map_or(Reply::Nil, int);
            if r.below(2) == 0 {
                (reply(s.zrank(k, &m), rank), line(&[b"ZRANK", k, &m]))
            } else {
                (reply(s.zrevrank(k, &m), rank), line(&[b"ZREVRANK", k, &m]))
            }
        }
        20 => {
            let (a, b) = (r.below(12) as i64 - 6, r.below(12) as i64 - 4);
            let (at, bt) = (a.to_string().into_bytes(), b.to_string().into_bytes());
            if r.below(2) == 0 {
                (reply(s.zrange(k, a, b), bulks), line(&[b"ZRANGE", k, &at, &bt]))
            } else {
                let flat = |v: Vec<(Vec<u8>, f64)>| {
                    Reply::Array(v.into_iter().flat_map(|(m, sc)| [Reply::Bulk(m), Reply::Double(sc)]).collect())
                };
                (reply(s.zrange_withscores(k, a, b), flat), line(&[b"ZRANGE", k, &at, &bt, b"WITHSCORES"]))
            }
        }
        21 => {
            let v = elements(r);
            (reply(s.zrem(k, &v), int), with("ZREM", k, &v))
        }
        22 => (reply(s.zcard(k), int), line(&[b"ZCARD", k])),
        23 => {
            let f = element(r);
            (reply(s.hget(k, &f), Reply::from), line(&[b"HGET", k, &f]))
        }
        24 => {
            let pairs: Vec<(Vec<u8>, Vec<u8>)> = (0..1 + r.below(2)).map(|_| (element(r), element(r))).collect();
            let mut l = line(&[b"HSET", k]);
            for (f, v) in &pairs {
                l.extend([f.clone(), v.clone()]);
            }
            (reply(s.hset(k, &pairs), int), l)
        }
        25 => {
            let v = elements(r);
            (reply(s.hdel(k, &v), int), with("HDEL", k, &v))
        }
        _ => {
            let f = element(r);
            if r.below(2) == 0 {
                (reply(s.hlen(k), int), line(&[b"HLEN", k]))
            } else {
                (reply(s.hexists(k, &f), Reply::from), line(&[b"HEXISTS", k, &f]))
            }
        }
    }
}

fn stats(s: &Store) -> (u64, u64, u64, u64) {
    let i = &s.inner;
    (i.stats_sum(|x| &x.hits), i.stats_sum(|x| &x.misses), i.stats_sum(|x| &x.expired), i.commands.sum())
}

/// Everything `execute` can tell about a key.
fn describe(s: &mut Session, key: &str) -> Vec<Reply> {
    let mut out = vec![s.execute(&["TYPE", key]), s.execute(&["OBJECT", "ENCODING", key]), s.execute(&["PTTL", key])];
    out.push(match s.execute(&["TYPE", key]) {
        Reply::Status(t) if t == "list" => s.execute(&["LRANGE", key, "0", "-1"]),
        Reply::Status(t) if t == "set" => s.execute(&["SMEMBERS", key]),
        Reply::Status(t) if t == "zset" => s.execute(&["ZRANGE", key, "0", "-1", "WITHSCORES"]),
        Reply::Status(t) if t == "hash" => s.execute(&["HGETALL", key]),
        _ => s.execute(&["GET", key]),
    });
    out
}

#[test]
fn random_operations_match_execute() {
    let mut seen = std::collections::BTreeSet::new();
    for seed in 1..=12u64 {
        let clock = ManualClock::new(1_000_000);
        let (fast_store, slow_store) = (store(&clock), store(&clock));
        let (mut fast, mut slow) = (fast_store.session(), slow_store.session());
        let mut r = Rng(seed);
        for i in 0..3000 {
            // Keys of other types, and expiries, on the same key space.
            match r.below(40) {
                0 => {
                    let k = *r.pick(KEYS);
                    for s in [&mut fast, &mut slow] {
                        s.execute(&["SET", k, "text"]);
                    }
                    continue;
                }
                1 => {
                    let (k, ms) = (*r.pick(KEYS), (1 + r.below(30)).to_string());
                    for s in [&mut fast, &mut slow] {
                        s.execute(&["PEXPIRE", k, &ms]);
                    }
                    continue;
                }
                2 => {
                    clock.advance(r.below(20) as u64);
                    continue;
                }
                _ => {}
            }
            let (got, cmd) = step(&mut r, &mut fast);
            let want = slow.execute(&cmd);
            let shown: Vec<String> =
                cmd.iter().map(|a| String::from_utf8_lossy(&a[..a.len().min(20)]).into()).collect();
            assert_eq!(got, want, "seed {seed} step {i}: {shown:?}");
            assert_eq!(stats(&fast_store), stats(&slow_store), "stats, seed {seed} step {i}: {shown:?}");
            // The key just touched: same type, encoding, TTL and contents.
            let k = String::from_utf8_lossy(&cmd[1]).into_owned();
            let d = describe(&mut fast, &k);
            assert_eq!(d, describe(&mut slow, &k), "seed {seed} step {i}: {shown:?}");
            if let (Reply::Status(t), Reply::Bulk(e)) = (&d[0], &d[1]) {
                seen.insert(format!("{t} {}", String::from_utf8_lossy(e)));
            }
        }
        for k in KEYS {
            let d = describe(&mut fast, k);
            assert_eq!(d, describe(&mut slow, k), "seed {seed} key {k}");
            if let (Reply::Status(t), Reply::Bulk(e)) = (&d[0], &d[1]) {
                seen.insert(format!("{t} {}", String::from_utf8_lossy(e)));
            }
        }
        assert_eq!(fast_store.dbsize(0), slow_store.dbsize(0));
    }
    // The generator reaches every encoding of every type it touches.
    for want in [
        "list listpack",
        "list quicklist",
        "set intset",
        "set listpack",
        "set hashtable",
        "zset listpack",
        "zset skiplist",
        "hash listpack",
        "hash hashtable",
    ] {
        assert!(seen.contains(want), "never saw a {want}: {seen:?}");
    }
}

#[test]
fn wrongtype_on_every_fast_path() {
    let st = Store::new();
    let mut s = st.session();
    s.set(b"str", b"v").unwrap();
    let wt = |r: Reply| assert_eq!(r, Reply::error(crate::errors::WRONGTYPE));
    wt(reply(s.lpush(b"str", &["a"]), int));
    wt(reply(s.rpush(b"str", &["a"]), int));
    wt(reply(s.lpop(b"str"), Reply::from));
    wt(reply(s.rpop_count(b"str", 2), |_| Reply::Nil));
    wt(reply(s.llen(b"str"), int));
    wt(reply(s.sadd(b"str", &["a"]), int));
    wt(reply(s.srem(b"str", &["a"]), int));
    wt(reply(s.sismember(b"str", b"a"), Reply::from));
    wt(reply(s.scard(b"str"), int));
    wt(reply(s.zadd(b"str", 1.0, b"a"), Reply::from));
    wt(reply(s.zincrby(b"str", 1.0, b"a"), Reply::Double));
    wt(reply(s.zscore(b"str", b"a"), double_or_nil));
    wt(reply(s.zrank(b"str", b"a"), |_| Reply::Nil));
    wt(reply(s.zrange(b"str", 0, -1), bulks));
    wt(reply(s.hget(b"str", b"f"), Reply::from));
    wt(reply(s.hset(b"str", &[("f", "v")]), int));
    wt(reply(s.hdel(b"str", &["f"]), int));
    assert_eq!(s.get(b"str"), Ok(Some(b"v".to_vec())), "failed writes change nothing");
    // typed arguments that execute could not even be given
    let e = |r: Result<usize, Error>| r.unwrap_err().text().to_string();
    assert_eq!(e(s.lpush::<&str>(b"l", &[])), "ERR wrong number of arguments for 'lpush' command");
    assert_eq!(e(s.hset::<&str, &str>(b"h", &[])), "ERR wrong number of arguments for 'hset' command");
    assert_eq!(s.zadd(b"z", f64::NAN, b"m").unwrap_err().text(), crate::errors::NOT_FLOAT);
    let nx_xx = ZAddFlags { nx: true, xx: true, ..ZAddFlags::default() };
    assert_eq!(e(s.zadd_with(b"z", nx_xx, &[(1.0, "m")])), "ERR XX and NX options at the same time are not compatible");
    assert_eq!(s.lpop_count(b"l", usize::MAX).unwrap_err().text(), crate::errors::MUST_BE_POSITIVE);
    s.zadd(b"z", f64::INFINITY, b"m").unwrap();
    assert_eq!(s.zincrby(b"z", f64::NEG_INFINITY, b"m").unwrap_err().text(), crate::cmd::zsets::NAN_SCORE);
    assert_eq!(st.dbsize(0), 2, "no key created by a refused command");
}

/// WATCH sees a fast-path change exactly when `execute` would signal one:
/// SADD of a present member or a failed write is no change.
#[test]
fn watch_sees_fast_path_changes() {
    let st = Store::new();
    let (mut w, mut s) = (st.session(), st.session());
    s.sadd(b"s", &["a"]).unwrap();
    s.rpush(b"l", &["x"]).unwrap();
    let exec_after = |w: &mut Session, key: &str, f: &mut dyn FnMut()| {
        w.execute(&["WATCH", key]);
        w.execute(&["MULTI"]);
        w.execute(&["PING"]);
        f();
        w.execute(&["EXEC"])
    };
    let committed = Reply::Array(vec![Reply::status("PONG")]);
    assert_eq!(exec_after(&mut w, "s", &mut || assert_eq!(s.sadd(b"s", &["a"]), Ok(0))), committed);
    assert_eq!(exec_after(&mut w, "s", &mut || assert_eq!(s.sadd(b"s", &["b"]), Ok(1))), Reply::NilArray);
    assert_eq!(exec_after(&mut w, "l", &mut || assert!(s.sadd(b"l", &["b"]).is_err())), committed);
    assert_eq!(exec_after(&mut w, "l", &mut || assert_eq!(s.lpop(b"l"), Ok(Some(b"x".to_vec())))), Reply::NilArray);
    assert_eq!(exec_after(&mut w, "z", &mut || assert_eq!(s.zadd(b"z", 1.0, b"m"), Ok(true))), Reply::NilArray);
    assert_eq!(exec_after(&mut w, "z", &mut || assert_eq!(s.zadd(b"z", 1.0, b"m"), Ok(false))), committed);
    assert_eq!(exec_after(&mut w, "z", &mut || assert_eq!(s.zincrby(b"z", 1.0, b"m"), Ok(2.0))), Reply::NilArray);
    assert_eq!(exec_after(&mut w, "h", &mut || assert_eq!(s.hset(b"h", &[("f", "v")]), Ok(1))), Reply::NilArray);
    assert_eq!(exec_after(&mut w, "h", &mut || assert_eq!(s.hdel(b"h", &["nope"]), Ok(0))), committed);
    assert_eq!(exec_after(&mut w, "h", &mut || assert_eq!(s.hget(b"h", b"f"), Ok(Some(b"v".to_vec())))), committed);
}

#[test]
fn blocked_blpop_is_woken_by_a_fast_push() {
    let st = Store::new();
    let waiter = {
        let st = st.clone();
        std::thread::spawn(move || st.session().execute(&["BLPOP", "q", "10"]))
    };
    // Wait until the caller is parked on the key, then push.
    let mut s = st.session();
    let t0 = std::time::Instant::now();
    while st.inner.blocking.blocked() == 0 {
        assert!(t0.elapsed() < Duration::from_secs(5), "BLPOP never blocked");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(s.rpush(b"q", &["job"]), Ok(1));
    let got = waiter.join().unwrap();
    assert_eq!(got, Reply::Array(vec![Reply::bulk("q"), Reply::bulk("job")]));
    assert_eq!(s.llen(b"q"), Ok(0), "the waiter took the element");
}

#[test]
fn list_elements_of_every_size_round_trip() {
    let st = Store::new();
    let mut s = st.session();
    let sizes = [0usize, 1, 127, 128, 300, 16383, 16384, 9000, 20000];
    let vals: Vec<Vec<u8>> = sizes.iter().map(|&n| (0..n).map(|i| (i % 251) as u8).collect()).collect();
    for v in &vals {
        s.lpush(b"l", &[v]).unwrap();
        s.rpush(b"l", &[v]).unwrap();
    }
    for v in vals.iter().rev() {
        assert_eq!(s.lpop(b"l").unwrap().as_ref(), Some(v));
        assert_eq!(s.rpop(b"l").unwrap().as_ref(), Some(v));
    }
    assert_eq!(s.lpop(b"l"), Ok(None));
}
