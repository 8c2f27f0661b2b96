//! Helpers for the persistence tests: temporary directories, a canonical
//! description of a store's whole contents, and a store holding every
//! type and encoding.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use kv_core::{Config, ManualClock, Reply, Session, Store};

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("kv-persist-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
    pub fn snapshot(&self) -> PathBuf {
        self.0.join(kv_core::persist::SNAPSHOT_FILE)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub const T0: u64 = 1_700_000_000_000;

/// A snapshot store on `dir` with a manual clock and no save rules.
pub fn config(dir: &Path, clock: &Arc<ManualClock>) -> Config {
    Config::default().clock(clock.clone()).data_dir(dir).save_rules(Vec::new())
}

pub fn ex(s: &mut Session, args: &[&str]) -> Reply {
    s.execute(args)
}

fn show(r: &Reply) -> String {
    match r {
        Reply::Bulk(b) => format!("{:?}", String::from_utf8_lossy(b)),
        Reply::Array(v) | Reply::Set(v) => {
            let items: Vec<String> = v.iter().map(show).collect();
            format!("[{}]", items.join(","))
        }
        other => format!("{other:?}"),
    }
}

fn sorted(r: Reply) -> String {
    match r {
        Reply::Array(v) | Reply::Set(v) => {
            let mut items: Vec<String> = v.iter().map(show).collect();
            items.sort();
            format!("{{{}}}", items.join(","))
        }
        other => show(&other),
    }
}

/// Every key of every database: type, encoding, expiry and contents
/// (hash fields with their expiry), in a canonical order.
pub fn describe(store: &Store) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut s = store.session();
    for db in 0..store.config().databases {
        s.execute(&["SELECT", &db.to_string()]);
        let Reply::Array(keys) = s.execute(&["KEYS", "*"]) else { panic!("KEYS") };
        for k in keys {
            let Reply::Bulk(key) = k else { panic!("key") };
            let kk: &[u8] = &key;
            let ty = s.execute(&[b"TYPE".as_slice(), kk]);
            let enc = s.execute(&[b"OBJECT".as_slice(), b"ENCODING", kk]);
            let exp = s.execute(&[b"PEXPIRETIME".as_slice(), kk]);
            let Reply::Status(t) = &ty else { panic!("type") };
            let body = match &**t {
                "string" => show(&s.execute(&[b"GET".as_slice(), kk])),
                "list" => show(&s.execute(&[b"LRANGE".as_slice(), kk, b"0", b"-1"])),
                "set" => sorted(s.execute(&[b"SMEMBERS".as_slice(), kk])),
                "zset" => show(&s.execute(&[b"ZRANGE".as_slice(), kk, b"0", b"-1", b"WITHSCORES"])),
                "hash" => {
                    let Reply::Array(fields) = s.execute(&[b"HKEYS".as_slice(), kk]) else { panic!("hkeys") };
                    let mut items: Vec<String> = fields
                        .iter()
                        .map(|f| {
                            let Reply::Bulk(f) = f else { panic!("field") };
                            let v = s.execute(&[b"HGET".as_slice(), kk, f]);
                            let t = s.execute(&[b"HPEXPIRETIME".as_slice(), kk, b"FIELDS", b"1", f]);
                            format!("{}={}@{}", show(&Reply::Bulk(f.clone())), show(&v), show(&t))
                        })
                        .collect();
                    items.sort();
                    items.join(",")
                }
                other => panic!("type {other}"),
            };
            let name = format!("{db}:{}", String::from_utf8_lossy(&key).escape_debug());
            out.insert(name, format!("{t} {} exp={} {body}", show(&enc), show(&exp)));
        }
    }
    out
}

/// Fills a store with every type and encoding, key TTLs and hash-field
/// TTLs, in three databases, binary keys and values included.
pub fn fill_every_type(store: &Store) {
    let mut s = store.session();
    let ok = |r: Reply| assert!(!r.is_error(), "{r:?}");
    let big = "x".repeat(100);
    for db in ["0", "1", "15"] {
        ok(s.execute(&["SELECT", db]));
        // strings: int, embstr, raw, empty, binary
        ok(s.execute(&["SET", "int", "12345"]));
        ok(s.execute(&["SET", "neg", "-9223372036854775808"]));
        ok(s.execute(&["SET", "emb", "hello world"]));
        ok(s.execute(&["SET", "raw", &big]));
        ok(s.execute(&["SET", "empty", ""]));
        ok(s.execute(&[b"SET".as_slice(), b"bin\x00\xff\r\nkey", b"\x00\x01\x02\xfe\xff"]));
        ok(s.execute(&["SET", "ttl", "v", "PX", "5000000"]));
        // lists: listpack and quicklist (plain nodes too)
        ok(s.execute(&["RPUSH", "list", "a", "b", "1", "-2", ""]));
        for i in 0..300 {
            ok(s.execute(&["RPUSH", "qlist", &format!("element-{i}-{}", "y".repeat(i % 50))]));
        }
        ok(s.execute(&["RPUSH", "qlist", &"z".repeat(9000)]));
        ok(s.execute(&["PEXPIRE", "qlist", "7000000"]));
        // sets: intset, listpack, hashtable
        ok(s.execute(&["SADD", "iset", "1", "2", "3", "-100", "9223372036854775807"]));
        ok(s.execute(&["SADD", "lset", "a", "b", "c", "1"]));
        for i in 0..200 {
            ok(s.execute(&["SADD", "hset", &format!("m{i}")]));
        }
        // sorted sets: listpack and skiplist, infinities, equal scores
        ok(s.execute(&["ZADD", "zs", "1", "a", "1", "b", "-inf", "c", "inf", "d", "2.5", "e"]));
        for i in 0..200 {
            ok(s.execute(&["ZADD", "zbig", &format!("{}", (i * 7919) % 101), &format!("m{i}")]));
        }
        ok(s.execute(&["ZADD", "zbig", "0.1", "ä"]));
        // hashes: listpack, hashtable, with field TTLs in both
        ok(s.execute(&["HSET", "h", "f1", "v1", "f2", "2"]));
        ok(s.execute(&["HSET", "hex", "f1", "v1", "f2", "v2", "f3", "v3"]));
        ok(s.execute(&["HPEXPIREAT", "hex", &(T0 + 8_000_000).to_string(), "FIELDS", "2", "f1", "f3"]));
        for i in 0..600 {
            ok(s.execute(&["HSET", "hbig", &format!("f{i}"), &format!("v{i}")]));
        }
        ok(s.execute(&["HPEXPIREAT", "hbig", &(T0 + 9_000_000).to_string(), "FIELDS", "2", "f7", "f500"]));
        ok(s.execute(&["PEXPIREAT", "hbig", &(T0 + 10_000_000).to_string()]));
    }
}
