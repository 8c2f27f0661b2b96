//! Measures kv-core's collection types against in-process floors and
//! redis-server and writes `bench/results/collections.md`:
//!
//! * ns/op through the typed fast paths (`Session::zadd`, `lpush`, ...,
//!   what hot loops and bindings call) and through `Session::execute` (the
//!   generic path), against a floor built from std/hashbrown structures in
//!   the same run: ZADD/ZSCORE/ZRANK/ZRANGE on a 1M-member sorted set, LPUSH/LPOP/
//!   RPUSH/RPOP on one list, HSET/HGET on a 1M-field hash and on 100k
//!   hashes of 10 fields, SADD/SISMEMBER on a 1M-member set;
//! * memory per element of the same data: kv and the floor counted by the
//!   global allocator, redis-server's `used_memory` growth.
//!
//! `cargo run --release -p kv-bench --bin collections-report [-- --scale F --out PATH]`
//! (`--scale 0.01` runs every size at 1%; `--only list`, repeatable, runs
//! some data sets only, for a profiler).

use std::cmp::Ordering;
use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use hashbrown::{HashMap, HashSet};
use kv_bench::alloc::Counting;
use kv_bench::redis::{resp, RedisServer};
use kv_bench::report::*;
use kv_bench::{mix, random_indices};
use kv_core::{Reply, Session, Store};

#[global_allocator]
static ALLOC: Counting = Counting;

/// Full sizes; `--scale` multiplies them.
const ZSET_MEMBERS: usize = 1_000_000;
const LIST_LEN: usize = 1_000_000;
const HASH_FIELDS: usize = 1_000_000;
const SMALL_HASHES: usize = 100_000;
const SMALL_FIELDS: usize = 10;
const SET_MEMBERS: usize = 1_000_000;
/// Redis 7.0's figures from the issue (bytes per zset member and per hash field).
const REDIS_ZSET_TARGET: f64 = 126.0;
const REDIS_HASH_TARGET: f64 = 120.0;
const RATIO_TARGET: f64 = 3.0;

struct Opts {
    scale: f64,
    out: PathBuf,
    /// Data sets to run (all if empty): zset list hash small set.
    only: Vec<String>,
}

fn opts() -> Opts {
    let mut o = Opts {
        scale: 1.0,
        out: concat!(env!("CARGO_MANIFEST_DIR"), "/results/collections.md").into(),
        only: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--scale" => o.scale = args.next().and_then(|n| n.parse().ok()).expect("--scale F"),
            "--out" => o.out = args.next().expect("--out PATH").into(),
            "--only" => o.only.push(args.next().expect("--only zset|list|hash|small|set")),
            _ => {
                eprintln!("usage: collections-report [--scale F] [--out PATH] [--only zset|list|hash|small|set]...");
                std::process::exit(2);
            }
        }
    }
    o
}

// ---- data -------------------------------------------------------------------------

fn strings(n: usize, f: impl Fn(usize) -> String) -> Vec<Vec<u8>> {
    (0..n).map(|i| f(i).into_bytes()).collect()
}

/// `member:0000042` (14 bytes): zset and set members.
fn members(n: usize) -> Vec<Vec<u8>> {
    strings(n, |i| format!("member:{i:07}"))
}

/// `value:0000042` (13 bytes): hash values and list elements.
fn values(n: usize) -> Vec<Vec<u8>> {
    strings(n, |i| format!("value:{i:07}"))
}

/// A reproducible random stream over `0..n`.
struct Rand(Vec<u32>);

impl Rand {
    fn new(n: usize, seed: u64) -> Rand {
        Rand(random_indices(n, 1 << 20, seed))
    }
    #[inline]
    fn at(&self, i: usize) -> usize {
        self.0[i & (self.0.len() - 1)] as usize
    }
}

fn expect(ok: bool, r: &Reply) {
    if !ok {
        panic!("unexpected reply {r:?}");
    }
}

fn exec(s: &mut Session, args: &[&[u8]]) -> Reply {
    s.execute_slices(args)
}

fn encoding(s: &mut Session, key: &[u8]) -> String {
    match exec(s, &[b"OBJECT", b"ENCODING", key]) {
        Reply::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
        other => format!("{other:?}"),
    }
}

// ---- what the report collects --------------------------------------------------------

struct Row {
    data: String,
    op: &'static str,
    /// ns/op through the typed fast path (what the target is judged on).
    fast: Option<f64>,
    /// ns/op through `Session::execute`.
    kv: f64,
    floor: f64,
    floor_what: &'static str,
    /// Whether the 3x target applies (not to the O(n) reference floors).
    target: bool,
}

/// Writes the RESP of the `i`th loading command.
type RespWriter = Box<dyn Fn(usize, &mut Vec<u8>)>;

struct MemRow {
    data: String,
    unit: &'static str,
    /// Elements the per-unit figures divide by.
    units: usize,
    kv: Mem,
    floor: Mem,
    floor_what: &'static str,
    kv_enc: String,
    /// The key redis-server is asked OBJECT ENCODING of, and the commands
    /// that load the data there.
    key: Vec<u8>,
    redis_cmds: RespWriter,
    redis_n: usize,
    /// Bytes per unit the issue asks kv to stay within, if any (None:
    /// only "not above redis-server").
    target: Option<f64>,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
    mem: Vec<MemRow>,
}

impl Report {
    fn row(&mut self, data: &str, op: &'static str, fast: f64, kv: f64, floor: f64, floor_what: &'static str) {
        self.rows.push(Row { data: data.into(), op, fast: Some(fast), kv, floor, floor_what, target: true });
    }

    /// A reference row: no target applies.
    fn reference(&mut self, data: &str, op: &'static str, fast: f64, kv: f64, floor: f64, floor_what: &'static str) {
        self.rows.push(Row { data: data.into(), op, fast: Some(fast), kv, floor, floor_what, target: false });
    }
}

/// Times `push` and then `pop` the same number of times, so the structure
/// ends about where it started.
fn push_pop<S>(
    st: &mut S,
    mut push: impl FnMut(&mut S, usize) -> usize,
    mut pop: impl FnMut(&mut S, usize) -> usize,
) -> (f64, f64) {
    let mut i = 0;
    let calls = calibrate(&mut |i| push(st, i), &mut i);
    // Warm-up, untimed: grow to the size the timed rounds reach and back,
    // so neither side pays for growing its buffers or first-touch page
    // faults in the timed rounds.
    for k in 0..calls * ROUNDS {
        black_box(push(st, k));
    }
    for k in 0..calls * ROUNDS {
        black_box(pop(st, k));
    }
    let pushed = median_ns(calls, 1, &mut |i| push(st, i), &mut i);
    let mut j = 0;
    let popped = median_ns(calls, 1, &mut |j| pop(st, j), &mut j);
    (pushed, popped)
}

/// A store and a session on it, created outside the allocator's count so
/// the per-element memory leaves out the store's fixed overhead.
fn kv() -> Session {
    Store::new().session()
}

// ---- sorted set -------------------------------------------------------------------------

/// A score with Redis's order (scores are never NaN here).
#[derive(Clone, Copy, PartialEq)]
struct Score(f64);
impl Eq for Score {}
impl PartialOrd for Score {
    fn partial_cmp(&self, o: &Score) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Score {
    fn cmp(&self, o: &Score) -> Ordering {
        self.0.total_cmp(&o.0)
    }
}

/// The floor of a sorted set: member → score, and (score, member) in
/// order, as Redis's dict + skiplist.
#[derive(Default)]
struct ZFloor {
    scores: HashMap<Vec<u8>, f64>,
    order: BTreeSet<(Score, Vec<u8>)>,
}

impl ZFloor {
    /// ZADD of one member, the score given as text as kv gets it.
    fn add(&mut self, score: &[u8], m: &[u8]) -> bool {
        let s: f64 = std::str::from_utf8(score).ok().and_then(|t| t.parse().ok()).expect("a score");
        match self.scores.get_mut(m) {
            Some(old) => {
                if *old != s {
                    self.order.remove(&(Score(*old), m.to_vec()));
                    self.order.insert((Score(s), m.to_vec()));
                    *old = s;
                }
                false
            }
            None => {
                self.scores.insert(m.to_vec(), s);
                self.order.insert((Score(s), m.to_vec()));
                true
            }
        }
    }
}

fn zset(rep: &mut Report, n: usize) {
    let data = format!("zset, {n} members");
    let members = members(n);
    // random integer scores
    let scores: Vec<Vec<u8>> =
        (0..n).map(|i| (mix(i as u64 ^ 0x5eed) % 1_000_000_000).to_string().into_bytes()).collect();
    let kv_add = |s: &mut Session, i: usize| {
        let r = exec(s, &[b"ZADD", b"z", &scores[i], &members[i]]);
        expect(r == Reply::Integer(1), &r);
    };
    let mut s = kv();
    let kv_mem = measure_mem(n, false, || (0..n).for_each(|i| kv_add(&mut s, i)));
    let kv_enc = encoding(&mut s, b"z");
    drop(s);
    let floor_mem = measure_mem(n, false, || {
        let mut f = ZFloor::default();
        (0..n).for_each(|i| assert!(f.add(&scores[i], &members[i])));
        f
    });

    let mut s = kv();
    let kv_build = time_once(n, |i| kv_add(&mut s, i));
    drop(s);
    // The fast path gets the score as a number: parsing the text is the caller's.
    let fscores: Vec<f64> = scores.iter().map(|t| std::str::from_utf8(t).unwrap().parse().unwrap()).collect();
    let mut s = kv();
    let fast_build = time_once(n, |i| assert_eq!(s.zadd(b"z", fscores[i], &members[i]), Ok(true)));
    let mut f = ZFloor::default();
    let floor_build = time_once(n, |i| assert!(f.add(&scores[i], &members[i])));
    rep.row(
        &data,
        "ZADD (build, new member)",
        fast_build,
        kv_build,
        floor_build,
        "HashMap + BTreeSet<(score, member)>",
    );

    let r = Rand::new(n, 1);
    let kv_ns = time_per_op(1, |i| {
        let r = exec(&mut s, &[b"ZSCORE", b"z", &members[r.at(i)]]);
        expect(matches!(r, Reply::Double(_)), &r);
        0
    });
    let fast_ns = time_per_op(1, |i| s.zscore(b"z", &members[r.at(i)]).unwrap().expect("a member") as usize);
    let floor_ns =
        time_per_op(1, |i| black_box(f.scores.get(&members[r.at(i)][..]).copied()).map_or(0, |s| s as usize));
    rep.row(&data, "ZSCORE", fast_ns, kv_ns, floor_ns, "hashbrown HashMap<member, f64>");

    // No std structure answers "rank of x" or "the k-th element" in
    // O(log n): BTreeSet can only count or skip element by element. The
    // floor for ZRANK and ZRANGE is therefore a sorted Vec snapshot of the
    // BTreeSet (binary search, direct index), which cannot take inserts in
    // O(log n); the BTreeSet's O(n) answers are reported alongside.
    let sorted: Vec<(Score, Vec<u8>)> = f.order.iter().cloned().collect();
    let rank_of = |m: &[u8]| {
        let s = Score(f.scores[m]);
        sorted.binary_search_by(|(sc, mm)| (sc, mm.as_slice()).cmp(&(&s, m))).expect("present")
    };
    let kv_ns = time_per_op(1, |i| {
        let r = exec(&mut s, &[b"ZRANK", b"z", &members[r.at(i)]]);
        expect(matches!(r, Reply::Integer(_)), &r);
        0
    });
    let fast_ns = time_per_op(1, |i| s.zrank(b"z", &members[r.at(i)]).unwrap().expect("a member"));
    let floor_ns = time_per_op(1, |i| black_box(rank_of(&members[r.at(i)])));
    rep.row(&data, "ZRANK", fast_ns, kv_ns, floor_ns, "HashMap + binary search of a sorted Vec");
    let btree_ns = time_per_op(1, |i| {
        let m = &members[r.at(i)];
        black_box(f.order.range(..(Score(f.scores[&m[..]]), m.clone())).count())
    });
    rep.reference(&data, "ZRANK", fast_ns, kv_ns, btree_ns, "HashMap + BTreeSet range count, O(n)");

    let starts: Vec<(Vec<u8>, Vec<u8>)> = (0..1 << 16)
        .map(|i| {
            let a = r.at(i) % n.saturating_sub(10).max(1);
            (a.to_string().into_bytes(), (a + 9).to_string().into_bytes())
        })
        .collect();
    let start = |i: usize| &starts[i & ((1 << 16) - 1)];
    let kv_ns = time_per_op(1, |i| {
        let (a, b) = start(i);
        let r = exec(&mut s, &[b"ZRANGE", b"z", a, b]);
        expect(matches!(&r, Reply::Array(v) if v.len() == 10), &r);
        0
    });
    let parse = |a: &[u8]| -> usize { std::str::from_utf8(a).unwrap().parse().unwrap() };
    let fast_ns = time_per_op(1, |i| {
        let a = parse(&start(i).0) as i64;
        let v = s.zrange(b"z", a, a + 9).unwrap();
        assert_eq!(v.len(), 10);
        v.len()
    });
    let floor_ns = time_per_op(1, |i| {
        let a = parse(&start(i).0);
        black_box(sorted[a..a + 10].iter().map(|(_, m)| m.clone()).collect::<Vec<_>>()).len()
    });
    rep.row(&data, "ZRANGE of 10 from a random rank", fast_ns, kv_ns, floor_ns, "slice of a sorted Vec");
    let btree_ns = time_per_op(1, |i| {
        let a = parse(&start(i).0);
        black_box(f.order.iter().skip(a).take(10).map(|(_, m)| m.clone()).collect::<Vec<_>>()).len()
    });
    rep.reference(
        &data,
        "ZRANGE of 10 from a random rank",
        fast_ns,
        kv_ns,
        btree_ns,
        "BTreeSet iter().skip(rank), O(n)",
    );

    rep.mem.push(MemRow {
        data,
        unit: "member",
        units: n,
        kv: kv_mem,
        floor: floor_mem,
        floor_what: "HashMap + BTreeSet",
        kv_enc,
        key: b"z".to_vec(),
        redis_cmds: Box::new(move |i, out| resp(&[b"ZADD", b"z", &scores[i], &members[i]], out)),
        redis_n: n,
        target: Some(REDIS_ZSET_TARGET),
    });
}

// ---- list -----------------------------------------------------------------------------

const LIST_FLOOR: &str = "hashbrown HashMap<key, VecDeque<Vec<u8>>>, found by key";
const BARE_FLOOR: &str = "bare VecDeque<Vec<u8>>, no key lookup";

/// The list floor: a keyspace of deques, each operation finding its list
/// by key (as kv must: hash the key, find it under its lock), creating
/// the list on push and removing it when a pop empties it.
#[derive(Default)]
struct Lists(HashMap<Vec<u8>, VecDeque<Vec<u8>>>);

impl Lists {
    fn push(&mut self, k: &[u8], v: Vec<u8>, left: bool) -> usize {
        let l = match self.0.get_mut(k) {
            Some(l) => l,
            None => self.0.entry(k.to_vec()).or_default(),
        };
        if left {
            l.push_front(v)
        } else {
            l.push_back(v)
        }
        l.len()
    }

    fn pop(&mut self, k: &[u8], left: bool) -> Option<Vec<u8>> {
        let l = self.0.get_mut(k)?;
        let v = if left { l.pop_front() } else { l.pop_back() };
        if l.is_empty() {
            self.0.remove(k);
        }
        v
    }
}

fn list(rep: &mut Report, n: usize) {
    let data = format!("list, {n} elements");
    let vals = values(n);
    let kv_push = |s: &mut Session, i: usize| {
        let r = exec(s, &[b"RPUSH", b"l", &vals[i]]);
        expect(r == Reply::Integer(i as i64 + 1), &r);
    };
    let mut s = kv();
    let kv_mem = measure_mem(n, false, || (0..n).for_each(|i| kv_push(&mut s, i)));
    let kv_enc = encoding(&mut s, b"l");
    drop(s);
    let floor_mem = measure_mem(n, false, || vals.iter().map(|v| v.to_vec()).collect::<VecDeque<_>>());

    // Builds: through execute on one store, through the fast path on the
    // one the other rows use; the floor finds the list by key as kv must.
    let mut s = kv();
    let kv_build = time_once(n, |i| kv_push(&mut s, i));
    drop(s);
    let mut s = kv();
    let fast_build = time_once(n, |i| assert_eq!(s.rpush(b"l", &[vals[i].as_slice()]), Ok(i + 1)));
    let mut f = Lists::default();
    let floor_build = time_once(n, |i| assert_eq!(f.push(b"l", vals[i].to_vec(), false), i + 1));
    let mut bare = VecDeque::new();
    let bare_build = time_once(n, |i| bare.push_back(vals[i].to_vec()));
    rep.row(&data, "RPUSH (build)", fast_build, kv_build, floor_build, LIST_FLOOR);
    rep.reference(&data, "RPUSH (build)", fast_build, kv_build, bare_build, BARE_FLOOR);

    let at = |i: usize| &vals[i % n];
    let popped = |r: Reply| match r {
        Reply::Bulk(v) => v.len(),
        other => panic!("unexpected reply {other:?}"),
    };
    for (push, pop) in [("LPUSH", "LPOP"), ("RPUSH", "RPOP")] {
        let left = push == "LPUSH";
        let (kv_push, kv_pop) = push_pop(
            &mut s,
            |s, i| exec(s, &[push.as_bytes(), b"l", at(i)]).as_int().unwrap() as usize,
            |s, _| popped(exec(s, &[pop.as_bytes(), b"l"])),
        );
        let (fast_push, fast_pop) = push_pop(
            &mut s,
            |s, i| if left { s.lpush(b"l", &[at(i).as_slice()]) } else { s.rpush(b"l", &[at(i).as_slice()]) }.unwrap(),
            |s, _| if left { s.lpop(b"l") } else { s.rpop(b"l") }.unwrap().expect("an element").len(),
        );
        let (f_push, f_pop) = push_pop(
            &mut f,
            |f, i| f.push(b"l", at(i).to_vec(), left),
            |f, _| f.pop(b"l", left).map_or(0, |v| v.len()),
        );
        let (b_push, b_pop) = push_pop(
            &mut bare,
            |f, i| {
                let v = at(i).to_vec();
                if left {
                    f.push_front(v)
                } else {
                    f.push_back(v)
                }
                f.len()
            },
            |f, _| black_box(if left { f.pop_front() } else { f.pop_back() }).map_or(0, |v| v.len()),
        );
        let (push_op, pop_op) = if left { ("LPUSH", "LPOP") } else { ("RPUSH", "RPOP") };
        rep.row(&data, push_op, fast_push, kv_push, f_push, LIST_FLOOR);
        rep.reference(&data, push_op, fast_push, kv_push, b_push, BARE_FLOOR);
        rep.row(&data, pop_op, fast_pop, kv_pop, f_pop, LIST_FLOOR);
        rep.reference(&data, pop_op, fast_pop, kv_pop, b_pop, BARE_FLOOR);
    }

    rep.mem.push(MemRow {
        data,
        unit: "element",
        units: n,
        kv: kv_mem,
        floor: floor_mem,
        floor_what: "VecDeque<Vec<u8>>",
        kv_enc,
        key: b"l".to_vec(),
        redis_cmds: Box::new(move |i, out| resp(&[b"RPUSH", b"l", &vals[i]], out)),
        redis_n: n,
        target: None,
    });
}

// ---- hashes -----------------------------------------------------------------------------

/// `n` fields spread over `keys.len()` hashes: element `e` is field
/// `e % fields.len()` of hash `e / fields.len()`.
struct HashData {
    keys: Vec<Vec<u8>>,
    fields: Vec<Vec<u8>>,
    vals: Vec<Vec<u8>>,
}

impl HashData {
    fn at(&self, e: usize) -> (&[u8], &[u8], &[u8]) {
        let per = self.fields.len();
        (&self.keys[e / per], &self.fields[e % per], &self.vals[e])
    }
    fn n(&self) -> usize {
        self.vals.len()
    }
}

type Fields = HashMap<Vec<u8>, Vec<u8>>;

/// The floor of a keyspace of hashes (one outer entry for the big hash).
fn floor_hset(f: &mut HashMap<Vec<u8>, Fields>, k: &[u8], field: &[u8], v: &[u8]) -> bool {
    let h = match f.get_mut(k) {
        Some(h) => h,
        None => f.entry(k.to_vec()).or_default(),
    };
    match h.get_mut(field) {
        Some(old) => {
            *old = v.to_vec();
            false
        }
        None => h.insert(field.to_vec(), v.to_vec()).is_none(),
    }
}

fn hashes(rep: &mut Report, d: HashData, data: String, unit: &'static str, target: Option<f64>) {
    let n = d.n();
    let units = if unit == "hash" { d.keys.len() } else { n };
    let kv_set = |s: &mut Session, e: usize, v: &[u8], new: bool| {
        let (k, field, _) = d.at(e);
        let r = exec(s, &[b"HSET", k, field, v]);
        expect(r == Reply::Integer(new as i64), &r);
    };
    let mut s = kv();
    let kv_mem = measure_mem(units, false, || (0..n).for_each(|e| kv_set(&mut s, e, d.at(e).2, true)));
    let kv_enc = encoding(&mut s, &d.keys[0]);
    drop(s);
    let floor_mem = measure_mem(units, false, || {
        let mut f = HashMap::new();
        (0..n).for_each(|e| {
            let (k, field, v) = d.at(e);
            assert!(floor_hset(&mut f, k, field, v))
        });
        f
    });
    let floor_what =
        if d.keys.len() == 1 { "hashbrown HashMap<Vec<u8>, Vec<u8>>" } else { "hashbrown HashMap of HashMaps" };

    let mut s = kv();
    let kv_build = time_once(n, |e| kv_set(&mut s, e, d.at(e).2, true));
    drop(s);
    let fast_set = |s: &mut Session, e: usize, v: &[u8]| {
        let (k, field, _) = d.at(e);
        s.hset(k, &[(field, v)]).unwrap()
    };
    let mut s = kv();
    let fast_build = time_once(n, |e| assert_eq!(fast_set(&mut s, e, d.at(e).2), 1));
    let mut f = HashMap::new();
    let floor_build = time_once(n, |e| {
        let (k, field, v) = d.at(e);
        assert!(floor_hset(&mut f, k, field, v))
    });
    rep.row(&data, "HSET (build, new field)", fast_build, kv_build, floor_build, floor_what);

    let r = Rand::new(n, 2);
    let other = |i: usize| d.vals[r.at(i + 1)].as_slice();
    let kv_ns = time_per_op(1, |i| {
        kv_set(&mut s, r.at(i), other(i), false);
        0
    });
    let fast_ns = time_per_op(1, |i| {
        let added = fast_set(&mut s, r.at(i), other(i));
        assert_eq!(added, 0);
        added
    });
    let floor_ns = time_per_op(1, |i| {
        let (k, field, _) = d.at(r.at(i));
        floor_hset(&mut f, k, field, other(i)) as usize
    });
    rep.row(&data, "HSET (existing field)", fast_ns, kv_ns, floor_ns, floor_what);
    let kv_ns = time_per_op(1, |i| {
        let (k, field, _) = d.at(r.at(i));
        match exec(&mut s, &[b"HGET", k, field]) {
            Reply::Bulk(v) => v.len(),
            other => panic!("unexpected reply {other:?}"),
        }
    });
    let fast_ns = time_per_op(1, |i| {
        let (k, field, _) = d.at(r.at(i));
        s.hget(k, field).unwrap().expect("a field").len()
    });
    let floor_ns = time_per_op(1, |i| {
        let (k, field, _) = d.at(r.at(i));
        black_box(f.get(k).and_then(|h| h.get(field)).cloned()).map_or(0, |v| v.len())
    });
    rep.row(&data, "HGET", fast_ns, kv_ns, floor_ns, floor_what);

    let key = d.keys[0].clone();
    rep.mem.push(MemRow {
        data,
        unit,
        units,
        kv: kv_mem,
        floor: floor_mem,
        floor_what,
        kv_enc,
        key,
        redis_cmds: Box::new(move |e, out| {
            let (k, field, v) = d.at(e);
            resp(&[b"HSET", k, field, v], out)
        }),
        redis_n: n,
        target,
    });
}

fn big_hash(rep: &mut Report, n: usize) {
    let d = HashData { keys: vec![b"h".to_vec()], fields: strings(n, |i| format!("field:{i:07}")), vals: values(n) };
    hashes(rep, d, format!("hash, {n} fields"), "field", Some(REDIS_HASH_TARGET));
}

fn small_hashes(rep: &mut Report, n: usize) {
    let d = HashData {
        keys: strings(n, |k| format!("hash:{k:07}")),
        fields: strings(SMALL_FIELDS, |j| format!("field:{j}")),
        vals: values(n * SMALL_FIELDS),
    };
    hashes(rep, d, format!("{n} hashes of {SMALL_FIELDS} fields"), "hash", None);
}

// ---- set --------------------------------------------------------------------------------

fn set(rep: &mut Report, n: usize) {
    let data = format!("set, {n} members");
    let members = members(n);
    let kv_add = |s: &mut Session, i: usize, new: bool| {
        let r = exec(s, &[b"SADD", b"s", &members[i]]);
        expect(r == Reply::Integer(new as i64), &r);
    };
    let mut s = kv();
    let kv_mem = measure_mem(n, false, || (0..n).for_each(|i| kv_add(&mut s, i, true)));
    let kv_enc = encoding(&mut s, b"s");
    drop(s);
    let floor_mem = measure_mem(n, false, || members.iter().cloned().collect::<HashSet<_>>());

    let mut s = kv();
    let kv_build = time_once(n, |i| kv_add(&mut s, i, true));
    drop(s);
    let mut s = kv();
    let fast_build = time_once(n, |i| assert_eq!(s.sadd(b"s", &[members[i].as_slice()]), Ok(1)));
    let mut f = HashSet::new();
    let floor_add = |f: &mut HashSet<Vec<u8>>, m: &[u8]| !f.contains(m) && f.insert(m.to_vec());
    let floor_build = time_once(n, |i| assert!(floor_add(&mut f, &members[i])));
    const SET_FLOOR: &str = "hashbrown HashSet<Vec<u8>>";
    rep.row(&data, "SADD (build, new member)", fast_build, kv_build, floor_build, SET_FLOOR);

    let r = Rand::new(n, 3);
    let kv_ns = time_per_op(1, |i| {
        kv_add(&mut s, r.at(i), false);
        0
    });
    let fast_ns = time_per_op(1, |i| {
        let added = s.sadd(b"s", &[members[r.at(i)].as_slice()]).unwrap();
        assert_eq!(added, 0);
        added
    });
    let floor_ns = time_per_op(1, |i| floor_add(&mut f, &members[r.at(i)]) as usize);
    rep.row(&data, "SADD (existing member)", fast_ns, kv_ns, floor_ns, SET_FLOOR);
    let kv_ns = time_per_op(1, |i| {
        let r = exec(&mut s, &[b"SISMEMBER", b"s", &members[r.at(i)]]);
        expect(r == Reply::Integer(1), &r);
        1
    });
    let fast_ns = time_per_op(1, |i| {
        assert_eq!(s.sismember(b"s", &members[r.at(i)]), Ok(true));
        1
    });
    let floor_ns = time_per_op(1, |i| black_box(f.contains(&members[r.at(i)][..])) as usize);
    rep.row(&data, "SISMEMBER", fast_ns, kv_ns, floor_ns, SET_FLOOR);

    rep.mem.push(MemRow {
        data,
        unit: "member",
        units: n,
        kv: kv_mem,
        floor: floor_mem,
        floor_what: "hashbrown HashSet",
        kv_enc,
        key: b"s".to_vec(),
        redis_cmds: Box::new(move |i, out| resp(&[b"SADD", b"s", &members[i]], out)),
        redis_n: n,
        target: None,
    });
}

// ---- redis-server -------------------------------------------------------------------------

/// Loads each data set into one redis-server, in turn: bytes of
/// `used_memory` growth per unit, and OBJECT ENCODING.
fn redis(mem: &[MemRow]) -> Result<(String, Vec<(f64, String)>), String> {
    let mut r = RedisServer::start()?;
    let mut out = Vec::new();
    for m in mem {
        let before = r.used_memory()?;
        r.pipeline(m.redis_n, 1000, |i, buf| (m.redis_cmds)(i, buf))?;
        let after = r.used_memory()?;
        let enc = r.command(&[b"OBJECT", b"ENCODING", &m.key])?;
        out.push(((after as f64 - before as f64) / m.units as f64, enc));
    }
    let v = r.version.clone();
    r.shutdown();
    Ok((v, out))
}

// ---- report --------------------------------------------------------------------------------

fn main() {
    let o = opts();
    let sized = |n: usize| ((n as f64 * o.scale) as usize).max(100);
    let started = Instant::now();
    let load_start = loadavg();
    let cpus = std::thread::available_parallelism().map_or(1, |p| p.get());
    let log = |s: &str| eprintln!("[{:5.1}s] {s}", started.elapsed().as_secs_f64());

    let mut rep = Report::default();
    type Run = fn(&mut Report, usize);
    let sets: [(&str, Run, usize); 5] = [
        ("zset", zset, ZSET_MEMBERS),
        ("list", list, LIST_LEN),
        ("hash", big_hash, HASH_FIELDS),
        ("small", small_hashes, SMALL_HASHES),
        ("set", set, SET_MEMBERS),
    ];
    for (name, run, size) in sets {
        if o.only.is_empty() || o.only.iter().any(|x| x == name) {
            log(name);
            run(&mut rep, sized(size));
        }
    }
    let load_end = loadavg();
    log("redis-server");
    let (redis_version, redis) = match redis(&rep.mem) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("collections-report: {e}");
            std::process::exit(1);
        }
    };

    let mut md = String::new();
    let mut flags: Vec<String> = o.only.iter().map(|x| format!("--only {x}")).collect();
    if o.scale != 1.0 {
        flags.insert(0, format!("--scale {}", o.scale));
    }
    let scale = if flags.is_empty() { String::new() } else { format!(" -- {}", flags.join(" ")) };
    let _ = writeln!(md, "# kv collections benchmarks\n");
    let _ = writeln!(
        md,
        "Each kv operation is timed twice: through its typed fast path (`Session::zadd`, `zscore`, `lpush`, \
         `lpop`, `hset`, `hget`, `sadd`, `sismember`, ...: typed arguments and results, what hot loops and the \
         C ABI and bindings call) and through `Session::execute` (argument slices, command-table lookup, arity \
         check, RESP3-shaped `Reply`: the generic path). Both take the same shard lock, do the same lazy \
         expiry, statistics, LRU, WATCH and blocking-wakeup work, and run the same per-element code. The 3x \
         targets are judged on the fast path; the execute column shows what the generic path adds. Each floor \
         is the plain Rust structure below, holding the same data in the same process and run, held to kv's \
         contract: it stores owned copies and returns owned copies of what a reply carries, and for the list \
         and the small hashes it finds the collection by key on every operation, as kv must (hash the key, \
         find it in the keyspace); the list floor also creates the list on push and removes it when a pop \
         empties it. The 1M-element zset, hash and set floors are the bare structure (one key: kv's lookup of \
         it is an in-cache hit, a few ns of its figures). The ZADD floor parses the score text as execute \
         does; the fast path gets the score as an f64. The bare VecDeque rows (no key lookup) are kept as \
         references without a target. \
         Machine: {cpus} CPUs, load average {load_start} at the start, {load_end} after the timings. \
         Produced by `cargo run --release -p kv-bench --bin collections-report{scale}` in {:.0} s.\n",
        started.elapsed().as_secs_f64()
    );
    let _ = writeln!(md, "## ns/op, single thread (lower is better)\n");
    let _ = writeln!(
        md,
        "| data | op | kv fast path | kv execute | floor | floor structure | fast / floor | execute / floor |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---|---:|---:|");
    for r in &rep.rows {
        let mark = if r.target { "" } else { " (reference, no target)" };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {}{mark} | {} | {} |",
            r.data,
            r.op,
            cell(r.fast),
            cell(Some(r.kv)),
            cell(Some(r.floor)),
            r.floor_what,
            ratio(r.fast, Some(r.floor)),
            ratio(Some(r.kv), Some(r.floor))
        );
    }
    let _ = writeln!(
        md,
        "\nRandom members, fields and ranks (reproducible streams). Builds are one pass inserting every element \
         with one command each, timed once; the other rows are the median of {ROUNDS} rounds of ~{} ms. \
         LPUSH/LPOP and RPUSH/RPOP push a round's worth of elements and then pop as many, on the list of the \
         rows above, after one untimed push/pop cycle of the same size (so no side pays for growing its \
         buffers in the timed rounds). Every kv call is given its arguments as byte slices the caller already \
         holds (as the floors are). \
         ZRANK/ZRANGE floor: no std or hashbrown structure gives an O(log n) rank or k-th element \
         (BTreeSet can only count or skip one element at a time), so the floor is the best available, a \
         sorted `Vec<(score, member)>` snapshot (binary search for a rank, a slice for a range), which a \
         real sorted set cannot be since inserts into it are O(n); the O(n) BTreeSet answers are listed as \
         references.\n",
        ROUND.as_millis()
    );

    let _ = writeln!(md, "## Memory\n");
    let _ = writeln!(
        md,
        "| data | bytes per | kv | kv allocations per | floor | floor structure | redis-server {redis_version} \
         (`used_memory`) | kv / redis | encoding kv / redis |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---|---:|---:|---|");
    for (m, (rb, renc)) in rep.mem.iter().zip(&redis) {
        let _ = writeln!(
            md,
            "| {} | {} | {:.1} | {:.2} | {:.1} | {} | {:.1} | {} | {} / {} |",
            m.data,
            m.unit,
            m.kv.counted,
            m.kv.blocks,
            m.floor.counted,
            m.floor_what,
            rb,
            ratio(Some(m.kv.counted), Some(*rb)),
            m.kv_enc,
            renc.trim()
        );
    }
    let _ = writeln!(
        md,
        "\nkv and the floors: the sum of `malloc_usable_size` over live allocations made while loading (glibc \
         malloc; its 8-byte per-block header is not counted), divided by the elements (for the small hashes, \
         by the hashes: each holds {SMALL_FIELDS} fields). redis-server: `used_memory` growth while loading \
         the same data over pipelined RESP into a private server (`--save '' --appendonly no`, no config file, \
         so hash-max-listpack-entries is its compiled-in 512 and the {SMALL_FIELDS}-field hashes are listpacks \
         on both sides); jemalloc's usable sizes, counted the same way.\n"
    );

    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let _ = writeln!(md, "## Targets\n");
    for r in rep.rows.iter().filter(|r| r.target) {
        let judged = r.fast.unwrap_or(r.kv);
        let _ = writeln!(
            md,
            "- {} {} within {RATIO_TARGET}x of its floor (fast path): {} ({}; execute {})",
            r.data,
            r.op,
            verdict(judged <= RATIO_TARGET * r.floor),
            ratio(Some(judged), Some(r.floor)),
            ratio(Some(r.kv), Some(r.floor))
        );
    }
    for (m, (rb, _)) in rep.mem.iter().zip(&redis) {
        match m.target {
            Some(t) => {
                let _ = writeln!(
                    md,
                    "- {}: <= {t:.0} B per {} (Redis's figure in the issue): {} ({:.1}; redis-server here: {rb:.1})",
                    m.data,
                    m.unit,
                    verdict(m.kv.counted <= t),
                    m.kv.counted
                );
            }
            None if m.unit == "hash" => {
                let _ = writeln!(
                    md,
                    "- {}: <= redis-server: {} ({:.1} against {rb:.1} B per hash)",
                    m.data,
                    verdict(m.kv.counted <= *rb),
                    m.kv.counted
                );
            }
            None => {}
        }
    }

    print!("{md}");
    if let Some(dir) = o.out.parent() {
        std::fs::create_dir_all(dir).expect("results directory");
    }
    std::fs::write(&o.out, &md).expect("write the report");
    log(&format!("wrote {}", o.out.display()));
}
