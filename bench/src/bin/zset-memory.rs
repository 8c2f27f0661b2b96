//! Memory per member of one big sorted set: kv (counted by the global
//! allocator, `malloc_usable_size` of live blocks, and as RSS growth)
//! against redis-server's `used_memory` growth for the same data.
//!
//! The set: N members `member:000000`, `member:000001`, ... (13 bytes for
//! N ≤ 1M) with integer scores, loaded by ZADD of 1000 members per command.
//!
//! `cargo run --release -p kv-bench --bin zset-memory [-- --members N]`

use kv_bench::alloc::{self, Counting};
use kv_bench::redis::RedisServer;
use kv_core::{Reply, Store};

#[global_allocator]
static ALLOC: Counting = Counting;

const BATCH: usize = 1000;

/// The ZADD commands that build the set, `BATCH` members each.
fn batches(n: usize) -> impl Iterator<Item = Vec<Vec<u8>>> {
    (0..n).step_by(BATCH).map(move |start| {
        let mut args = vec![b"ZADD".to_vec(), b"z".to_vec()];
        for i in start..(start + BATCH).min(n) {
            // Scores spread so that inserts land all over the order.
            args.push(((i * 7919) % n).to_string().into_bytes());
            args.push(format!("member:{i:06}").into_bytes());
        }
        args
    })
}

fn main() {
    let mut n = 1_000_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--members" => n = args.next().and_then(|v| v.parse().ok()).expect("--members N"),
            _ => {
                eprintln!("usage: zset-memory [--members N]");
                std::process::exit(2);
            }
        }
    }

    let store = Store::new();
    let mut s = store.session();
    let rss0 = alloc::rss();
    alloc::enable(true);
    let (b0, k0) = alloc::live();
    for cmd in batches(n) {
        let r = s.execute(&cmd);
        assert!(matches!(r, Reply::Integer(_)), "ZADD replied {r:?}");
    }
    let (b1, k1) = alloc::live();
    let rss1 = alloc::rss();
    alloc::enable(false);
    assert_eq!(s.execute(&["ZCARD", "z"]), Reply::Integer(n as i64));
    assert_eq!(s.execute(&["OBJECT", "ENCODING", "z"]), Reply::bulk("skiplist"));
    let kv_counted = (b1 - b0) as f64 / n as f64;
    let kv_blocks = (k1 - k0) as f64 / n as f64;
    let kv_rss = (rss1 as f64 - rss0 as f64) / n as f64;
    println!("members: {n}");
    println!("kv (malloc_usable_size of live blocks): {kv_counted:.1} B/member, {kv_blocks:.3} blocks/member");
    println!("kv (RSS growth):                       {kv_rss:.1} B/member");
    drop(s);
    drop(store);

    match redis(n) {
        Ok((version, per)) => println!("redis-server {version} (used_memory):    {per:.1} B/member"),
        Err(e) => println!("redis-server: {e}"),
    }
}

fn redis(n: usize) -> Result<(String, f64), String> {
    let mut r = RedisServer::start()?;
    let before = r.used_memory()?;
    for cmd in batches(n) {
        let args: Vec<&[u8]> = cmd.iter().map(Vec::as_slice).collect();
        r.command(&args)?;
    }
    let after = r.used_memory()?;
    let card = r.command(&[b"ZCARD", b"z"])?;
    let version = r.version.clone();
    r.shutdown();
    if card.trim() != format!(":{n}") {
        return Err(format!("ZCARD replied {card:?}"));
    }
    Ok((version, (after - before) as f64 / n as f64))
}
