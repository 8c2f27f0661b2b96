//! Atomicity of string commands under concurrent sessions.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use kv_core::{Reply, Store};

#[test]
fn concurrent_incr_loses_no_update() {
    const THREADS: i64 = 4;
    const N: i64 = 5_000;
    let store = Store::new();
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let store = store.clone();
            thread::spawn(move || {
                let mut s = store.session();
                for i in 0..N {
                    // Mix the counter commands; each thread adds exactly N.
                    let r = match (t + i) % 3 {
                        0 => s.execute(&["INCR", "counter"]),
                        1 => s.execute(&["INCRBY", "counter", "2"]),
                        _ => s.execute(&["DECR", "counter"]),
                    };
                    assert!(matches!(r, Reply::Integer(_)), "{r:?}");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    // Per thread: each residue class of (t+i)%3 gets ~N/3 calls; add them up exactly.
    let expected: i64 = (0..THREADS).map(|t| (0..N).map(|i| [1, 2, -1][((t + i) % 3) as usize]).sum::<i64>()).sum();
    assert_eq!(store.execute(&["GET", "counter"]), Reply::bulk(expected.to_string()));
}

#[test]
fn concurrent_plain_incr_sums_exactly() {
    const THREADS: usize = 4;
    const N: usize = 10_000;
    let store = Store::new();
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let store = store.clone();
            thread::spawn(move || {
                let mut s = store.session();
                for _ in 0..N {
                    s.execute(&["INCR", "n"]);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(store.execute(&["GET", "n"]), Reply::bulk((THREADS * N).to_string()));
}

#[test]
fn mget_never_sees_half_an_mset() {
    // Enough keys that they land in different shards.
    let keys: Vec<String> = (0..16).map(|i| format!("key:{i}")).collect();
    let store = Store::new();
    let mut init = vec!["MSET".to_string()];
    for k in &keys {
        init.push(k.clone());
        init.push("w0-0".into());
    }
    assert_eq!(store.execute(&init), Reply::ok());

    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (store, keys) = (store.clone(), keys.clone());
            thread::spawn(move || {
                let mut s = store.session();
                for i in 0..3_000 {
                    let value = format!("w{w}-{i}");
                    let mut args = vec!["MSET".to_string()];
                    for k in &keys {
                        args.push(k.clone());
                        args.push(value.clone());
                    }
                    assert_eq!(s.execute(&args), Reply::ok());
                }
            })
        })
        .collect();
    let reader = {
        let (store, keys, stop) = (store.clone(), keys.clone(), stop.clone());
        thread::spawn(move || {
            let mut s = store.session();
            let mut args = vec!["MGET".to_string()];
            args.extend(keys.iter().cloned());
            let mut reads = 0u64;
            while !stop.load(Ordering::Relaxed) || reads == 0 {
                let Reply::Array(items) = s.execute(&args) else { panic!("MGET reply") };
                assert_eq!(items.len(), keys.len());
                assert!(items.iter().all(|v| v == &items[0]), "MGET saw a mix of two MSETs: {items:?}");
                reads += 1;
            }
            reads
        })
    };
    for w in writers {
        w.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
}

#[test]
fn msetnx_sets_all_or_nothing_under_contention() {
    // Threads race to claim disjoint-but-overlapping key pairs with MSETNX;
    // every key must end up owned by exactly one winner of a whole pair.
    let store = Store::new();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let store = store.clone();
            thread::spawn(move || {
                let mut s = store.session();
                let mut won = Vec::new();
                for i in 0..500 {
                    let (a, b) = (format!("k{i}"), format!("k{}", i + 1));
                    let owner = format!("t{t}");
                    if s.execute(&["MSETNX", &a, &owner, &b, &owner]) == Reply::Integer(1) {
                        won.push(i);
                    }
                }
                won
            })
        })
        .collect();
    let winners: Vec<Vec<usize>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let mut owned = std::collections::HashMap::new();
    for (t, won) in winners.iter().enumerate() {
        for &i in won {
            for k in [i, i + 1] {
                assert!(owned.insert(k, t).is_none(), "key k{k} claimed twice");
                assert_eq!(store.execute(&["GET", &format!("k{k}")]), Reply::bulk(format!("t{t}")));
            }
        }
    }
}
