//! List commands through a session: encodings and the exact element where
//! they change (Redis 7.2's listpack size accounting), TTL and key-removal
//! rules, WRONGTYPE, and a model-checked random workload over both
//! encodings.

use std::collections::VecDeque;

use kv_core::types::list::{End, List};
use kv_core::{Reply, Session, Store};

fn run(s: &mut Session, args: &[&[u8]]) -> Reply {
    s.execute(args)
}

fn enc(s: &mut Session, key: &str) -> String {
    match s.execute(&["OBJECT", "ENCODING", key]) {
        Reply::Bulk(b) => String::from_utf8(b).unwrap(),
        other => panic!("OBJECT ENCODING: {other:?}"),
    }
}

/// Pushes `v` one at a time until the list stops being a listpack; returns
/// how many elements the listpack held.
fn listpack_capacity(s: &mut Session, key: &str, v: &[u8]) -> usize {
    for n in 0.. {
        run(s, &[b"RPUSH", key.as_bytes(), v]);
        if enc(s, key) == "quicklist" {
            return n;
        }
    }
    unreachable!()
}

#[test]
fn listpack_turns_quicklist_where_redis_does() {
    let store = Store::new();
    let mut s = store.session();
    // Listpack bytes: 7 + n * entry; a push converts when that plus the new
    // element's raw length passes 8192.
    // "a": 3-byte entries: 7 + 3 * 2729 + 1 = 8195.
    assert_eq!(listpack_capacity(&mut s, "a", b"a"), 2729);
    // "5": a 7-bit integer, 2 bytes: 7 + 2 * 4093 + 1 = 8194.
    assert_eq!(listpack_capacity(&mut s, "int", b"5"), 4093);
    // 1000 bytes: 2 + 1000 + 2 back-length bytes: 7 + 1004 * 8 + 1000.
    assert_eq!(listpack_capacity(&mut s, "k1000", &[b'x'; 1000]), 8);
    // 60 bytes: 62 each: 7 + 62 * 131 + 60 = 8189 fits, 132 do not.
    assert_eq!(listpack_capacity(&mut s, "k60", &[b'x'; 60]), 132);
    // One element past the size limit converts at once.
    run(&mut s, &[b"RPUSH", b"big", &[b'y'; 8186]]);
    assert_eq!(enc(&mut s, "big"), "quicklist");
    run(&mut s, &[b"RPUSH", b"fits", &[b'y'; 8185]]);
    assert_eq!(enc(&mut s, "fits"), "listpack");
    // A multi-element push counts all its elements first.
    let many: Vec<&[u8]> = std::iter::once(&b"LPUSH"[..]).chain([&b"m"[..]]).chain([&[b'z'; 3000][..]; 3]).collect();
    assert_eq!(run(&mut s, &many), Reply::Integer(3));
    assert_eq!(enc(&mut s, "m"), "quicklist");
}

#[test]
fn quicklist_turns_listpack_below_half_the_limit() {
    let store = Store::new();
    let mut s = store.session();
    listpack_capacity(&mut s, "l", b"a");
    // 2730 elements: a full node of 2729 and a second node.
    assert_eq!(run(&mut s, &[b"LLEN", b"l"]), Reply::Integer(2730));
    // With one node left (8194 bytes) it stays a quicklist...
    run(&mut s, &[b"RPOP", b"l"]);
    assert_eq!(enc(&mut s, "l"), "quicklist");
    // ...until its listpack is at most 4096 bytes: 7 + 3 * 1363 = 4096.
    run(&mut s, &[b"LTRIM", b"l", b"0", b"1363"]);
    assert_eq!(enc(&mut s, "l"), "quicklist");
    run(&mut s, &[b"LPOP", b"l"]);
    assert_eq!(run(&mut s, &[b"LLEN", b"l"]), Reply::Integer(1363));
    assert_eq!(enc(&mut s, "l"), "listpack");
}

#[test]
fn conversions_happen_where_redis_tries_them() {
    let store = Store::new();
    let mut s = store.session();
    let big = vec![b'q'; 9000];
    // LINSERT converts before looking for the pivot, even if it is missing.
    run(&mut s, &[b"RPUSH", b"l", b"a"]);
    assert_eq!(run(&mut s, &[b"LINSERT", b"l", b"BEFORE", b"nosuch", &big]), Reply::Integer(-1));
    assert_eq!(enc(&mut s, "l"), "quicklist");
    // LSET converts before checking the index.
    run(&mut s, &[b"RPUSH", b"m", b"a"]);
    assert_eq!(run(&mut s, &[b"LSET", b"m", b"5", &big]), Reply::error("ERR index out of range"));
    assert_eq!(enc(&mut s, "m"), "quicklist");
    // A successful LSET of a small value then shrinks it back.
    run(&mut s, &[b"LSET", b"m", b"0", &big]);
    assert_eq!(enc(&mut s, "m"), "quicklist");
    run(&mut s, &[b"LSET", b"m", b"0", b"small"]);
    assert_eq!(enc(&mut s, "m"), "listpack");
    assert_eq!(run(&mut s, &[b"LRANGE", b"m", b"0", b"-1"]), Reply::Array(vec![Reply::bulk("small")]));
    // LMOVE's destination grows like a push.
    run(&mut s, &[b"RPUSH", b"src", &big, b"x"]);
    run(&mut s, &[b"RPUSH", b"dst", b"y"]);
    run(&mut s, &[b"LMOVE", b"src", b"dst", b"LEFT", b"LEFT"]);
    assert_eq!(enc(&mut s, "dst"), "quicklist");
    assert_eq!(enc(&mut s, "src"), "listpack");
    // LREM shrinks.
    run(&mut s, &[b"LREM", b"dst", b"0", &big]);
    assert_eq!(enc(&mut s, "dst"), "listpack");
}

#[test]
fn empty_lists_disappear_and_ttls_follow_redis() {
    let store = Store::new();
    let mut s = store.session();
    run(&mut s, &[b"RPUSH", b"l", b"a", b"b", b"c"]);
    run(&mut s, &[b"EXPIRE", b"l", b"100"]);
    run(&mut s, &[b"RPUSH", b"l", b"d"]);
    assert_eq!(run(&mut s, &[b"TTL", b"l"]), Reply::Integer(100));
    for cmd in [
        &[&b"LREM"[..], b"l", b"1", b"a"][..],
        &[b"LPOP", b"l"],
        &[b"RPOP", b"l", b"1"],
        &[b"LMPOP", b"1", b"l", b"LEFT"],
    ] {
        run(&mut s, cmd);
    }
    assert_eq!(run(&mut s, &[b"EXISTS", b"l"]), Reply::Integer(0));
    for (setup, cmd) in [
        (&[&b"RPUSH"[..], b"l", b"a"][..], &[&b"LTRIM"[..], b"l", b"1", b"0"][..]),
        (&[b"RPUSH", b"l", b"a"], &[b"LREM", b"l", b"0", b"a"]),
        (&[b"RPUSH", b"l", b"a"], &[b"RPOPLPUSH", b"l", b"other"]),
        (&[b"RPUSH", b"l", b"a", b"b"], &[b"LPOP", b"l", b"5"]),
        (&[b"RPUSH", b"l", b"a", b"b"], &[b"LMPOP", b"1", b"l", b"RIGHT", b"COUNT", b"2"]),
    ] {
        run(&mut s, setup);
        run(&mut s, cmd);
        assert_eq!(run(&mut s, &[b"EXISTS", b"l"]), Reply::Integer(0), "{:?}", cmd);
        assert_eq!(run(&mut s, &[b"DBSIZE"]).as_int().unwrap(), run(&mut s, &[b"EXISTS", b"other"]).as_int().unwrap());
    }
}

#[test]
fn wrongtype_on_every_list_command() {
    let store = Store::new();
    let mut s = store.session();
    run(&mut s, &[b"SET", b"s", b"v"]);
    run(&mut s, &[b"RPUSH", b"l", b"a"]);
    let wrong = Reply::error("WRONGTYPE Operation against a key holding the wrong kind of value");
    for cmd in [
        &[&b"LPUSH"[..], b"s", b"a"][..],
        &[b"RPUSH", b"s", b"a"],
        &[b"LPUSHX", b"s", b"a"],
        &[b"RPUSHX", b"s", b"a"],
        &[b"LPOP", b"s"],
        &[b"RPOP", b"s", b"2"],
        &[b"LLEN", b"s"],
        &[b"LINDEX", b"s", b"0"],
        &[b"LRANGE", b"s", b"0", b"-1"],
        &[b"LTRIM", b"s", b"0", b"-1"],
        &[b"LSET", b"s", b"0", b"a"],
        &[b"LINSERT", b"s", b"BEFORE", b"a", b"b"],
        &[b"LREM", b"s", b"0", b"a"],
        &[b"LPOS", b"s", b"a"],
        &[b"LMOVE", b"s", b"l", b"LEFT", b"LEFT"],
        &[b"LMOVE", b"l", b"s", b"LEFT", b"LEFT"],
        &[b"RPOPLPUSH", b"s", b"l"],
        &[b"RPOPLPUSH", b"l", b"s"],
        &[b"LMPOP", b"2", b"s", b"l", b"LEFT"],
        &[b"GET", b"l"],
        &[b"INCR", b"l"],
    ] {
        assert_eq!(run(&mut s, cmd), wrong, "{cmd:?}");
    }
    assert_eq!(run(&mut s, &[b"LRANGE", b"l", b"0", b"-1"]), Reply::Array(vec![Reply::bulk("a")]));
    assert_eq!(run(&mut s, &[b"GET", b"s"]), Reply::bulk("v"));
}

#[test]
fn copy_rename_and_type_see_lists() {
    let store = Store::new();
    let mut s = store.session();
    run(&mut s, &[b"RPUSH", b"l", b"a", b"b"]);
    assert_eq!(run(&mut s, &[b"TYPE", b"l"]), Reply::Status("list".into()));
    assert_eq!(run(&mut s, &[b"COPY", b"l", b"c"]), Reply::Integer(1));
    run(&mut s, &[b"RPUSH", b"c", b"z"]);
    assert_eq!(run(&mut s, &[b"LLEN", b"l"]), Reply::Integer(2));
    assert_eq!(run(&mut s, &[b"LLEN", b"c"]), Reply::Integer(3));
    run(&mut s, &[b"RENAME", b"c", b"d"]);
    assert_eq!(run(&mut s, &[b"LINDEX", b"d", b"-1"]), Reply::bulk("z"));
}

/// A tiny deterministic generator for the model test.
struct Xs(u64);
impl Xs {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn value(r: &mut Xs) -> Vec<u8> {
    match r.below(20) {
        0 => vec![b'L'; 9000],
        1 => vec![b'M'; 2000 + r.below(3000) as usize],
        2..=9 => r.below(300).to_string().into_bytes(),
        _ => format!("v{}", r.below(50)).repeat(1 + r.below(20) as usize).into_bytes(),
    }
}

fn bulks(v: &VecDeque<Vec<u8>>) -> Reply {
    Reply::Array(v.iter().map(|e| Reply::Bulk(e.clone())).collect())
}

/// Random pushes, pops, inserts, sets, removals and trims against a
/// VecDeque model, over lists that move between both encodings.
#[test]
fn random_workload_matches_a_model() {
    let store = Store::new();
    let mut s = store.session();
    let mut r = Xs(0x9e3779b97f4a7c15);
    let mut m: VecDeque<Vec<u8>> = VecDeque::new();
    let mut encodings = std::collections::HashSet::new();
    let mut longest = 0;
    for step in 0..20_000 {
        let len = m.len() as i64;
        let idx = |r: &mut Xs| (r.below(2 * len as u64 + 3) as i64 - len - 1).to_string().into_bytes();
        // A long list first (many quicklist nodes), then the mix.
        let op = if step < 3000 { 0 } else { r.below(100) };
        match op {
            0..=29 => {
                let v = value(&mut r);
                if r.below(2) == 0 {
                    run(&mut s, &[b"LPUSH", b"k", &v]);
                    m.push_front(v);
                } else {
                    run(&mut s, &[b"RPUSH", b"k", &v]);
                    m.push_back(v);
                }
            }
            30..=39 => {
                let got = run(&mut s, &[b"LPOP", b"k"]);
                assert_eq!(got, m.pop_front().map_or(Reply::Nil, Reply::Bulk));
            }
            40..=49 => {
                let got = run(&mut s, &[b"RPOP", b"k"]);
                assert_eq!(got, m.pop_back().map_or(Reply::Nil, Reply::Bulk));
            }
            50..=59 if !m.is_empty() => {
                let pivot = m[r.below(len as u64) as usize].clone();
                let v = value(&mut r);
                let after = r.below(2) == 0;
                let at = m.iter().position(|e| *e == pivot).unwrap() + after as usize;
                let got = run(&mut s, &[b"LINSERT", b"k", if after { b"AFTER" } else { b"BEFORE" }, &pivot, &v]);
                m.insert(at, v);
                assert_eq!(got, Reply::Integer(m.len() as i64));
            }
            60..=67 if !m.is_empty() => {
                let i = r.below(len as u64) as usize;
                let v = value(&mut r);
                assert_eq!(run(&mut s, &[b"LSET", b"k", i.to_string().as_bytes(), &v]), Reply::ok());
                m[i] = v;
            }
            68..=72 if !m.is_empty() => {
                let target = m[r.below(len as u64) as usize].clone();
                let count = r.below(5) as i64 - 2;
                let got = run(&mut s, &[b"LREM", b"k", count.to_string().as_bytes(), &target]);
                let limit = if count == 0 { usize::MAX } else { count.unsigned_abs() as usize };
                let mut removed = 0;
                if count >= 0 {
                    let mut i = 0;
                    while i < m.len() && removed < limit {
                        if m[i] == target {
                            m.remove(i);
                            removed += 1;
                        } else {
                            i += 1;
                        }
                    }
                } else {
                    let mut i = m.len();
                    while i > 0 && removed < limit {
                        i -= 1;
                        if m[i] == target {
                            m.remove(i);
                            removed += 1;
                        }
                    }
                }
                assert_eq!(got, Reply::Integer(removed as i64));
            }
            73..=74 => {
                let (a, b) = (idx(&mut r), idx(&mut r));
                run(&mut s, &[b"LTRIM", b"k", &a, &b]);
                let full = bulks(&m);
                let Reply::Array(all) = full else { unreachable!() };
                let expect = run_range(&all, &a, &b);
                m = expect.into_iter().map(|e| e.as_bytes().unwrap().to_vec()).collect();
            }
            75..=79 => {
                let n = r.below(4);
                let got = run(&mut s, &[b"RPOP", b"k", n.to_string().as_bytes()]);
                if m.is_empty() {
                    assert_eq!(got, Reply::NilArray);
                } else {
                    let popped: Vec<Reply> = (0..n).filter_map(|_| m.pop_back()).map(Reply::Bulk).collect();
                    assert_eq!(got, Reply::Array(popped));
                }
            }
            80..=89 => {
                let (a, b) = (idx(&mut r), idx(&mut r));
                let Reply::Array(all) = bulks(&m) else { unreachable!() };
                assert_eq!(run(&mut s, &[b"LRANGE", b"k", &a, &b]), Reply::Array(run_range(&all, &a, &b)));
            }
            _ => {
                let i = idx(&mut r);
                let n: i64 = String::from_utf8(i.clone()).unwrap().parse().unwrap();
                let j = if n < 0 { len + n } else { n };
                let expect = if (0..len).contains(&j) { Reply::Bulk(m[j as usize].clone()) } else { Reply::Nil };
                assert_eq!(run(&mut s, &[b"LINDEX", b"k", &i]), expect, "step {step}");
            }
        }
        assert_eq!(run(&mut s, &[b"LLEN", b"k"]), Reply::Integer(m.len() as i64), "step {step}");
        longest = longest.max(m.len());
        if !m.is_empty() {
            encodings.insert(enc(&mut s, "k"));
        }
        if step % 1000 == 0 {
            assert_eq!(run(&mut s, &[b"LRANGE", b"k", b"0", b"-1"]), bulks(&m), "step {step}");
        }
    }
    assert_eq!(encodings.len(), 2, "both encodings were exercised");
    assert!(longest >= 3000);
}

/// LRANGE's normalisation applied to a model.
fn run_range(all: &[Reply], a: &[u8], b: &[u8]) -> Vec<Reply> {
    let len = all.len() as i64;
    let p = |x: &[u8]| String::from_utf8(x.to_vec()).unwrap().parse::<i64>().unwrap();
    let (mut s, mut e) = (p(a), p(b));
    if s < 0 {
        s += len;
    }
    if e < 0 {
        e += len;
    }
    let s = s.max(0);
    if s > e || s >= len {
        return Vec::new();
    }
    let e = e.min(len - 1);
    all[s as usize..=e as usize].to_vec()
}

#[test]
fn a_million_small_elements_stay_compact() {
    let mut l = List::new();
    l.grow_check(usize::MAX / 2);
    for i in 0..1_000_000u32 {
        l.push(if i % 2 == 0 { End::Left } else { End::Right }, format!("elem{:06}", i % 1000).as_bytes());
    }
    assert_eq!(l.len(), 1_000_000);
    let per = l.mem_usage() as f64 / 1e6;
    // 10-byte values: 12 bytes packed, plus node slack and headers.
    eprintln!("{per:.2} bytes per element");
    assert!(per < 16.0, "{per} bytes per element");
    for _ in 0..999_999 {
        l.pop(End::Right);
    }
    assert_eq!(l.len(), 1);
    assert_eq!(l.node_count(), 1);
}
