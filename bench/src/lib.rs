//! Shared workload for kv-core's benchmarks: the keys and values, the
//! engines compared (kv through its typed fast paths, kv through
//! `Session::execute`, std `HashMap` and `hashbrown` as the floor), and the
//! operations, so the criterion benches and the `core-report` harness
//! measure exactly the same thing.
//!
//! Fairness rules for the floor: a get returns an owned copy of the value
//! (as kv's does), a set stores an owned copy of the value, INCR parses and
//! re-formats the decimal string, EXPIRE records a deadline in a side table
//! keyed like the main one (Redis's `expires` dict), and a scan copies
//! every key out.

pub mod alloc;
pub mod redis;
pub mod report;

use std::collections::HashMap as StdMap;
use std::hint::black_box;

use kv_core::{Reply, Session};

pub const KEY_LEN: usize = 16;
pub const VALUE_LEN: usize = 32;
/// Keys in the big keyspace every benchmark runs on.
pub const N_KEYS: usize = 1_000_000;

/// The `i`th key: `key:000000000042` (16 bytes).
pub fn key(i: usize) -> [u8; KEY_LEN] {
    fixed(format_args!("key:{i:012}"))
}

/// The `i`th counter key, for INCR: `ctr:000000000042` (16 bytes).
pub fn counter(i: usize) -> [u8; KEY_LEN] {
    fixed(format_args!("ctr:{i:012}"))
}

/// The `i`th value: 32 bytes, not a number (so embstr, as in Redis).
pub fn value(i: usize) -> [u8; VALUE_LEN] {
    fixed(format_args!("value-{i:026}"))
}

fn fixed<const N: usize>(args: std::fmt::Arguments<'_>) -> [u8; N] {
    let s = std::fmt::format(args);
    s.as_bytes().try_into().expect("fixed-width key/value")
}

/// splitmix64's output function: a well-mixed 64-bit number for `x`.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A reproducible stream of indices in `0..n` (splitmix64); `count` must
/// be a power of two.
pub fn random_indices(n: usize, count: usize, seed: u64) -> Vec<u32> {
    (0..count as u64)
        .map(|j| (mix(seed.wrapping_add(j.wrapping_mul(0x9e37_79b9_7f4a_7c15))) % n as u64) as u32)
        .collect()
}

/// One thing being measured.
pub trait Engine {
    fn name(&self) -> &'static str;
    fn get(&mut self, k: &[u8]) -> Option<Vec<u8>>;
    fn set(&mut self, k: &[u8], v: &[u8]);
    fn incr(&mut self, k: &[u8]) -> i64;
    fn mget(&mut self, ks: &[&[u8]]) -> Vec<Option<Vec<u8>>>;
    fn expire(&mut self, k: &[u8], ms: i64) -> bool;
    /// Visits every key once, in batches, copying each key out; returns
    /// how many keys were returned.
    fn scan_all(&mut self) -> usize;
    /// Whether this engine can run `op` (kv-execute needs the command in
    /// the command table).
    fn supports(&self, _op: Op) -> bool {
        true
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Get,
    Set,
    Incr,
    Mget10,
    Expire,
    Scan,
}

impl Op {
    pub const ALL: [Op; 6] = [Op::Get, Op::Set, Op::Incr, Op::Mget10, Op::Expire, Op::Scan];

    pub fn name(self) -> &'static str {
        match self {
            Op::Get => "GET",
            Op::Set => "SET",
            Op::Incr => "INCR",
            Op::Mget10 => "MGET 10",
            Op::Expire => "EXPIRE",
            Op::Scan => "SCAN (per key)",
        }
    }

    /// The commands kv-execute needs for this op.
    fn commands(self) -> &'static [&'static str] {
        match self {
            Op::Get => &["get"],
            Op::Set => &["set"],
            Op::Incr => &["incr"],
            Op::Mget10 => &["mget"],
            Op::Expire => &["pexpire"],
            Op::Scan => &["scan"],
        }
    }
}

/// Every key, value and counter name, built once so the timed loops only
/// do the operation, plus a random stream of indices into them.
pub struct Workload {
    pub keys: Vec<[u8; KEY_LEN]>,
    pub values: Vec<[u8; VALUE_LEN]>,
    pub counters: Vec<[u8; KEY_LEN]>,
    pub idx: Vec<u32>,
}

impl Workload {
    pub fn new(n: usize) -> Workload {
        Workload::with_seed(n, 42)
    }

    pub fn with_seed(n: usize, seed: u64) -> Workload {
        Workload {
            keys: (0..n).map(key).collect(),
            values: (0..n).map(value).collect(),
            counters: (0..n).map(counter).collect(),
            idx: random_indices(n, 1 << 22, seed),
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Stores every key with its value.
    pub fn load(&self, e: &mut impl Engine) {
        for (k, v) in self.keys.iter().zip(&self.values) {
            e.set(k, v);
        }
    }

    /// Stores every counter as "0" (counters live in their own engine
    /// instance so INCR never meets a non-number).
    pub fn load_counters(&self, e: &mut impl Engine) {
        for k in &self.counters {
            e.set(k, b"0");
        }
    }

    #[inline]
    pub fn at(&self, j: usize) -> usize {
        self.idx[j & (self.idx.len() - 1)] as usize
    }

    /// Runs `op` once, for the `i`th step of the random stream.
    #[inline]
    pub fn step(&self, e: &mut impl Engine, op: Op, i: usize) -> usize {
        match op {
            // black_box the copies: otherwise the compiler may skip
            // copying (and even reading) a floor's value, as it sees
            // only the length used
            Op::Get => black_box(e.get(&self.keys[self.at(i)])).map_or(0, |v| v.len()),
            Op::Set => {
                e.set(&self.keys[self.at(i)], &self.values[self.at(i + 1)]);
                1
            }
            Op::Incr => e.incr(&self.counters[self.at(i)]) as usize,
            Op::Mget10 => {
                let refs: [&[u8]; 10] = std::array::from_fn(|j| &self.keys[self.at(i * 10 + j)][..]);
                black_box(e.mget(&refs)).len()
            }
            // far in the future, so keys stay: EXPIRE only updates deadlines
            Op::Expire => e.expire(&self.keys[self.at(i)], 3_600_000 + (i % 1000) as i64) as usize,
            Op::Scan => e.scan_all(),
        }
    }
}

// ---- kv ---------------------------------------------------------------------

/// kv through the typed fast paths.
pub struct KvFast(pub Session);

impl Engine for KvFast {
    fn name(&self) -> &'static str {
        "kv-fast"
    }
    #[inline]
    fn get(&mut self, k: &[u8]) -> Option<Vec<u8>> {
        self.0.get(k).expect("GET")
    }
    #[inline]
    fn set(&mut self, k: &[u8], v: &[u8]) {
        self.0.set(k, v).expect("SET")
    }
    #[inline]
    fn incr(&mut self, k: &[u8]) -> i64 {
        self.0.incr_by(k, 1).expect("INCR")
    }
    #[inline]
    fn mget(&mut self, ks: &[&[u8]]) -> Vec<Option<Vec<u8>>> {
        self.0.mget(ks).expect("MGET")
    }
    #[inline]
    fn expire(&mut self, k: &[u8], ms: i64) -> bool {
        self.0.expire(k, ms).expect("PEXPIRE")
    }
    fn scan_all(&mut self) -> usize {
        scan_with_execute(&mut self.0)
    }
    fn supports(&self, op: Op) -> bool {
        // there is no typed SCAN; kv-execute measures the command
        op != Op::Scan
    }
}

/// kv through `Session::execute` (argument slices, table lookup, `Reply`).
pub struct KvExecute(pub Session);

fn bulk(r: Reply) -> Option<Vec<u8>> {
    match r {
        Reply::Bulk(v) => Some(v),
        Reply::Nil => None,
        other => panic!("unexpected reply {other:?}"),
    }
}

fn int(r: Reply) -> i64 {
    r.as_int().unwrap_or_else(|| panic!("unexpected reply {r:?}"))
}

/// A full SCAN iteration through the SCAN command, COUNT 1000.
fn scan_with_execute(s: &mut Session) -> usize {
    let mut cursor = b"0".to_vec();
    let mut seen = 0;
    loop {
        let r = s.execute(&[&b"SCAN"[..], &cursor, b"COUNT", b"1000"]);
        let Reply::Array(mut parts) = r else { panic!("unexpected SCAN reply {r:?}") };
        let Some(Reply::Array(keys)) = parts.pop() else { panic!("SCAN reply shape") };
        seen += keys.len();
        match parts.pop() {
            Some(Reply::Bulk(c)) => cursor = c,
            other => panic!("SCAN cursor {other:?}"),
        }
        if cursor == b"0" {
            return seen;
        }
    }
}

impl Engine for KvExecute {
    fn name(&self) -> &'static str {
        "kv-execute"
    }
    #[inline]
    fn get(&mut self, k: &[u8]) -> Option<Vec<u8>> {
        bulk(self.0.execute(&[b"GET", k]))
    }
    #[inline]
    fn set(&mut self, k: &[u8], v: &[u8]) {
        assert_eq!(self.0.execute(&[b"SET", k, v]), Reply::OK);
    }
    #[inline]
    fn incr(&mut self, k: &[u8]) -> i64 {
        int(self.0.execute(&[b"INCR", k]))
    }
    #[inline]
    fn mget(&mut self, ks: &[&[u8]]) -> Vec<Option<Vec<u8>>> {
        let mut args: Vec<&[u8]> = Vec::with_capacity(ks.len() + 1);
        args.push(b"MGET");
        args.extend_from_slice(ks);
        match self.0.execute_slices(&args) {
            Reply::Array(items) => items.into_iter().map(bulk).collect(),
            other => panic!("unexpected reply {other:?}"),
        }
    }
    #[inline]
    fn expire(&mut self, k: &[u8], ms: i64) -> bool {
        let ms = ms.to_string();
        int(self.0.execute(&[b"PEXPIRE", k, ms.as_bytes()])) == 1
    }
    fn scan_all(&mut self) -> usize {
        scan_with_execute(&mut self.0)
    }
    fn supports(&self, op: Op) -> bool {
        op.commands().iter().all(|c| kv_core::cmd::lookup(c.as_bytes()).is_some())
    }
}

// ---- the floor ----------------------------------------------------------------

/// What the floor needs of a hash map.
pub trait Map: Default {
    type V;
    fn m_get(&self, k: &[u8]) -> Option<&Self::V>;
    fn m_get_mut(&mut self, k: &[u8]) -> Option<&mut Self::V>;
    fn m_insert(&mut self, k: Vec<u8>, v: Self::V);
    fn m_keys(&self) -> impl Iterator<Item = &Vec<u8>>;
}

macro_rules! impl_map {
    ($t:ident) => {
        impl<V> Map for $t<Vec<u8>, V> {
            type V = V;
            #[inline]
            fn m_get(&self, k: &[u8]) -> Option<&V> {
                self.get(k)
            }
            #[inline]
            fn m_get_mut(&mut self, k: &[u8]) -> Option<&mut V> {
                self.get_mut(k)
            }
            #[inline]
            fn m_insert(&mut self, k: Vec<u8>, v: V) {
                self.insert(k, v);
            }
            fn m_keys(&self) -> impl Iterator<Item = &Vec<u8>> {
                self.keys()
            }
        }
    };
}

type Hashbrown<K, V> = hashbrown::HashMap<K, V>;
impl_map!(StdMap);
impl_map!(Hashbrown);

/// A plain map of owned keys to owned values, plus a side table of
/// deadlines for EXPIRE.
#[derive(Default)]
pub struct Floor<M: Map<V = Vec<u8>>, E: Map<V = u64>> {
    pub map: M,
    expires: E,
    name: &'static str,
}

pub type StdFloor = Floor<StdMap<Vec<u8>, Vec<u8>>, StdMap<Vec<u8>, u64>>;
pub type HashbrownFloor = Floor<Hashbrown<Vec<u8>, Vec<u8>>, Hashbrown<Vec<u8>, u64>>;

impl StdFloor {
    pub fn new() -> StdFloor {
        Floor { name: "HashMap", ..Default::default() }
    }
}

impl HashbrownFloor {
    pub fn new() -> HashbrownFloor {
        Floor { name: "hashbrown", ..Default::default() }
    }
}

impl<M: Map<V = Vec<u8>>, E: Map<V = u64>> Engine for Floor<M, E> {
    fn name(&self) -> &'static str {
        self.name
    }
    #[inline]
    fn get(&mut self, k: &[u8]) -> Option<Vec<u8>> {
        self.map.m_get(k).cloned()
    }
    #[inline]
    fn set(&mut self, k: &[u8], v: &[u8]) {
        match self.map.m_get_mut(k) {
            Some(old) => *old = v.to_vec(),
            None => self.map.m_insert(k.to_vec(), v.to_vec()),
        }
    }
    #[inline]
    fn incr(&mut self, k: &[u8]) -> i64 {
        let slot = self.map.m_get_mut(k).expect("counter loaded");
        let n: i64 = std::str::from_utf8(slot).ok().and_then(|s| s.parse().ok()).expect("a number");
        let n = n + 1;
        *slot = n.to_string().into_bytes();
        n
    }
    #[inline]
    fn mget(&mut self, ks: &[&[u8]]) -> Vec<Option<Vec<u8>>> {
        ks.iter().map(|k| self.map.m_get(k).cloned()).collect()
    }
    #[inline]
    fn expire(&mut self, k: &[u8], ms: i64) -> bool {
        if self.map.m_get(k).is_none() {
            return false;
        }
        let at = ms as u64;
        match self.expires.m_get_mut(k) {
            Some(t) => *t = at,
            None => self.expires.m_insert(k.to_vec(), at),
        }
        true
    }
    fn scan_all(&mut self) -> usize {
        let mut seen = 0;
        let mut batch: Vec<Vec<u8>> = Vec::with_capacity(1000);
        for k in self.map.m_keys() {
            batch.push(k.clone());
            if batch.len() == 1000 {
                seen += batch.len();
                batch = Vec::with_capacity(1000);
            }
        }
        seen + batch.len()
    }
}
