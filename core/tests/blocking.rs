//! Blocking list commands across threads: timeouts, wakeups, first-come
//! first-served order, lossless producer/consumer traffic, BLMOVE chains,
//! errors, Store::close and interrupts.
//!
//! No test asserts how long something took beyond what the deadline
//! guarantees (a timed-out call returns no earlier than its timeout);
//! generous waits are only upper bounds against hangs.

use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use kv_core::{Reply, Store};

fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

fn pair(k: &str, v: &str) -> Reply {
    Reply::Array(vec![bulk(k), bulk(v)])
}

/// Waits (up to a generous bound) until `n` calls are blocked.
fn wait_blocked(store: &Store, n: usize) {
    let start = Instant::now();
    while store.blocked_clients() < n {
        assert!(start.elapsed() < Duration::from_secs(30), "only {} of {n} calls blocked", store.blocked_clients());
        thread::sleep(Duration::from_millis(1));
    }
}

/// Runs one command on a new session in a new thread.
fn spawn(store: &Store, args: &[&str]) -> JoinHandle<Reply> {
    let store = store.clone();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    thread::spawn(move || store.session().execute(&args))
}

/// Starts `args` on a new thread and returns once it is blocked (it is the
/// `n`th blocked call).
fn spawn_blocked(store: &Store, args: &[&str], n: usize) -> JoinHandle<Reply> {
    let h = spawn(store, args);
    wait_blocked(store, n);
    h
}

#[test]
fn fractional_timeout_replies_null_array_after_the_timeout() {
    let store = Store::new();
    let mut s = store.session();
    for args in [
        &["BLPOP", "a", "b", "0.05"][..],
        &["BRPOP", "a", "0.02"],
        &["BLMPOP", "0.02", "2", "a", "b", "LEFT", "COUNT", "3"],
        &["BLMOVE", "a", "b", "LEFT", "RIGHT", "0.02"],
        &["BRPOPLPUSH", "a", "b", "0.001"],
    ] {
        let started = Instant::now();
        assert_eq!(s.execute(args), Reply::NilArray, "{args:?}");
        let secs: f64 = args.iter().rev().find_map(|a| a.parse().ok().filter(|_| a.contains('.'))).unwrap();
        assert!(started.elapsed() >= Duration::from_secs_f64(secs), "{args:?} returned early");
    }
    assert_eq!(store.blocked_clients(), 0);
    assert_eq!(s.execute(&["EXISTS", "a", "b"]), Reply::Integer(0));
}

#[test]
fn data_present_replies_at_once() {
    let store = Store::new();
    let mut s = store.session();
    s.execute(&["RPUSH", "b", "1", "2", "3"]);
    assert_eq!(s.execute(&["BLPOP", "a", "b", "0"]), pair("b", "1"));
    assert_eq!(s.execute(&["BRPOP", "a", "b", "0"]), pair("b", "3"));
    assert_eq!(s.execute(&["BLMOVE", "b", "c", "LEFT", "RIGHT", "0"]), bulk("2"));
    assert_eq!(s.execute(&["EXISTS", "b"]), Reply::Integer(0));
    assert_eq!(s.execute(&["BRPOPLPUSH", "c", "c", "0"]), bulk("2"));
    s.execute(&["RPUSH", "c", "x", "y"]);
    assert_eq!(
        s.execute(&["BLMPOP", "0", "2", "a", "c", "RIGHT", "COUNT", "5"]),
        Reply::Array(vec![bulk("c"), Reply::Array(vec![bulk("y"), bulk("x"), bulk("2")])])
    );
}

#[test]
fn zero_timeout_waits_for_a_later_push() {
    let store = Store::new();
    let h = spawn_blocked(&store, &["BLPOP", "k1", "k2", "0"], 1);
    assert_eq!(store.execute(&["RPUSH", "k2", "v"]), Reply::Integer(1));
    assert_eq!(h.join().unwrap(), pair("k2", "v"));
    assert_eq!(store.execute(&["EXISTS", "k2"]), Reply::Integer(0));
    assert_eq!(store.blocked_clients(), 0);
}

#[test]
fn every_push_path_wakes_a_waiter() {
    let store = Store::new();
    let h = spawn_blocked(&store, &["BRPOP", "k", "0"], 1);
    store.execute(&["LPUSH", "k", "a"]);
    assert_eq!(h.join().unwrap(), pair("k", "a"));

    store.execute(&["RPUSH", "src", "m"]);
    let h = spawn_blocked(&store, &["BLMPOP", "0", "1", "k", "LEFT"], 1);
    assert_eq!(store.execute(&["LMOVE", "src", "k", "LEFT", "LEFT"]), bulk("m"));
    assert_eq!(h.join().unwrap(), Reply::Array(vec![bulk("k"), Reply::Array(vec![bulk("m")])]));

    store.execute(&["RPUSH", "src", "n"]);
    let h = spawn_blocked(&store, &["BLPOP", "k", "0"], 1);
    assert_eq!(store.execute(&["RPOPLPUSH", "src", "k"]), bulk("n"));
    assert_eq!(h.join().unwrap(), pair("k", "n"));

    store.execute(&["RPUSH", "src", "o"]);
    let h = spawn_blocked(&store, &["BLPOP", "k", "0"], 1);
    assert_eq!(store.execute(&["BLMOVE", "src", "k", "LEFT", "LEFT", "0"]), bulk("o"));
    assert_eq!(h.join().unwrap(), pair("k", "o"));
}

#[test]
fn waiters_are_served_first_come_first_served() {
    const N: usize = 6;
    let store = Store::new();
    // One push of N elements: waiter i gets element i.
    let hs: Vec<_> = (0..N).map(|i| spawn_blocked(&store, &["BLPOP", "q", "0"], i + 1)).collect();
    let elems: Vec<String> = (0..N).map(|i| format!("e{i}")).collect();
    let mut args = vec!["RPUSH", "q"];
    args.extend(elems.iter().map(String::as_str));
    store.execute(&args);
    for (i, h) in hs.into_iter().enumerate() {
        assert_eq!(h.join().unwrap(), pair("q", &elems[i]), "waiter {i}");
    }
    // One push per element, from another thread while they race.
    let hs: Vec<_> = (0..N).map(|i| spawn_blocked(&store, &["BRPOP", "q", "other", "0"], i + 1)).collect();
    let pusher = {
        let store = store.clone();
        thread::spawn(move || {
            for i in 0..N {
                store.execute(&["LPUSH", "q", &format!("e{i}")]);
            }
        })
    };
    pusher.join().unwrap();
    for (i, h) in hs.into_iter().enumerate() {
        assert_eq!(h.join().unwrap(), pair("q", &elems[i]), "waiter {i}");
    }
    assert_eq!(store.execute(&["EXISTS", "q"]), Reply::Integer(0));
}

#[test]
fn what_the_first_waiter_leaves_passes_down_the_queue() {
    let store = Store::new();
    let first = spawn_blocked(&store, &["BLPOP", "a", "b", "0"], 1);
    let second = spawn_blocked(&store, &["BLMPOP", "0", "1", "b", "RIGHT", "COUNT", "5"], 2);
    let third = spawn_blocked(&store, &["BLPOP", "b", "0"], 3);
    store.execute(&["RPUSH", "b", "x", "y", "z"]);
    assert_eq!(first.join().unwrap(), pair("b", "x"));
    assert_eq!(second.join().unwrap(), Reply::Array(vec![bulk("b"), Reply::Array(vec![bulk("z"), bulk("y")])]));
    // Nothing left for the third: it keeps waiting until the next push.
    wait_blocked(&store, 1);
    store.execute(&["RPUSH", "b", "w"]);
    assert_eq!(third.join().unwrap(), pair("b", "w"));
}

#[test]
fn producers_and_consumers_lose_and_duplicate_nothing() {
    const PRODUCERS: u64 = 3;
    const CONSUMERS: usize = 3;
    const PER_PRODUCER: u64 = 2_000;
    let store = Store::new();
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|c| {
            let store = store.clone();
            thread::spawn(move || {
                let mut s = store.session();
                let (mut n, mut sum) = (0u64, 0u64);
                for round in c.. {
                    // Mix the commands. BLMOVE watches q1 only, so it waits
                    // briefly and gives way when it times out.
                    let r = match round % 3 {
                        0 => s.execute(&["BLPOP", "q1", "q2", "0"]),
                        1 => s.execute(&["BLMPOP", "0", "2", "q2", "q1", "RIGHT"]),
                        _ => {
                            let own = format!("own{c}");
                            match s.execute(&["BLMOVE", "q1", &own, "RIGHT", "LEFT", "0.01"]) {
                                Reply::Bulk(_) => s.execute(&["BLPOP", &own, "0"]),
                                Reply::NilArray => continue,
                                other => panic!("{other:?}"),
                            }
                        }
                    };
                    let Reply::Array(mut kv) = r else { panic!("{r:?}") };
                    // BLMPOP nests the popped element in an array.
                    let v = match kv.pop() {
                        Some(Reply::Array(mut items)) => items.pop().unwrap(),
                        Some(v) => v,
                        None => panic!("empty reply"),
                    };
                    let v: u64 = std::str::from_utf8(v.as_bytes().unwrap()).unwrap().parse().unwrap();
                    if v == 0 {
                        return (n, sum);
                    }
                    n += 1;
                    sum += v;
                }
                unreachable!()
            })
        })
        .collect();
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let store = store.clone();
            thread::spawn(move || {
                let mut s = store.session();
                for i in 0..PER_PRODUCER {
                    let v = (p * PER_PRODUCER + i + 1).to_string();
                    let key = if i % 2 == 0 { "q1" } else { "q2" };
                    let cmd = if i % 3 == 0 { "LPUSH" } else { "RPUSH" };
                    assert!(matches!(s.execute(&[cmd, key, &v]), Reply::Integer(_)));
                }
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    // Once every value is taken, one stop marker (0) per consumer, on the
    // key all of them watch.
    let start = Instant::now();
    while store.execute(&["EXISTS", "q1", "q2"]) != Reply::Integer(0) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "consumers stalled: {} blocked, q1 {:?}, q2 {:?}",
            store.blocked_clients(),
            store.execute(&["LLEN", "q1"]),
            store.execute(&["LLEN", "q2"])
        );
        thread::sleep(Duration::from_millis(1));
    }
    for _ in 0..CONSUMERS {
        store.execute(&["RPUSH", "q1", "0"]);
    }
    let (mut n, mut sum) = (0, 0);
    for c in consumers {
        let (cn, csum) = c.join().unwrap();
        n += cn;
        sum += csum;
    }
    let total = PRODUCERS * PER_PRODUCER;
    assert_eq!(n, total);
    assert_eq!(sum, total * (total + 1) / 2);
    assert_eq!(store.execute(&["DBSIZE"]), Reply::Integer(0));
}

#[test]
fn blmove_chain_moves_one_element_through_every_waiter() {
    let store = Store::new();
    let a_to_b = spawn_blocked(&store, &["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"], 1);
    let b_to_c = spawn_blocked(&store, &["BRPOPLPUSH", "b", "c", "0"], 2);
    let c_to_d = spawn_blocked(&store, &["BLMOVE", "c", "d", "RIGHT", "LEFT", "0"], 3);
    let d = spawn_blocked(&store, &["BLMPOP", "0", "1", "d", "LEFT"], 4);
    store.execute(&["RPUSH", "a", "x"]);
    assert_eq!(a_to_b.join().unwrap(), bulk("x"));
    assert_eq!(b_to_c.join().unwrap(), bulk("x"));
    assert_eq!(c_to_d.join().unwrap(), bulk("x"));
    assert_eq!(d.join().unwrap(), Reply::Array(vec![bulk("d"), Reply::Array(vec![bulk("x")])]));
    assert_eq!(store.execute(&["DBSIZE"]), Reply::Integer(0));
}

#[test]
fn wrong_types() {
    let store = Store::new();
    let mut s = store.session();
    s.execute(&["SET", "str", "v"]);
    s.execute(&["RPUSH", "list", "a"]);
    let wrongtype = Reply::error(kv_core::errors::WRONGTYPE);
    assert_eq!(s.execute(&["BLPOP", "str", "0"]), wrongtype);
    assert_eq!(s.execute(&["BLPOP", "none", "str", "list", "0"]), wrongtype);
    // Keys are taken in order: a list before the string serves the call.
    assert_eq!(s.execute(&["BLPOP", "list", "str", "0"]), pair("list", "a"));
    assert_eq!(s.execute(&["BLMOVE", "str", "x", "LEFT", "LEFT", "0"]), wrongtype);
    s.execute(&["RPUSH", "list", "a"]);
    assert_eq!(s.execute(&["BRPOPLPUSH", "list", "str", "0"]), wrongtype);
    assert_eq!(s.execute(&["LLEN", "list"]), Reply::Integer(1));
    assert_eq!(s.execute(&["BLMPOP", "0", "2", "str", "list", "LEFT"]), wrongtype);
    // An empty source blocks whatever the destination holds; the move then
    // fails when the source receives data, as the re-executed command does.
    let h = spawn_blocked(&store, &["BLMOVE", "src", "str", "LEFT", "LEFT", "0"], 1);
    s.execute(&["RPUSH", "src", "e"]);
    assert_eq!(h.join().unwrap(), wrongtype);
    assert_eq!(s.execute(&["LLEN", "src"]), Reply::Integer(1));
}

#[test]
fn argument_errors() {
    let store = Store::new();
    let mut s = store.session();
    let e = |t: &str| Reply::error_owned(t.to_string());
    assert_eq!(s.execute(&["BLPOP", "k", "x"]), e("ERR timeout is not a float or out of range"));
    assert_eq!(s.execute(&["BLPOP", "k", "-1"]), e("ERR timeout is negative"));
    assert_eq!(s.execute(&["BRPOP", "k", "inf"]), e("ERR timeout is out of range"));
    assert_eq!(s.execute(&["BLMOVE", "a", "b", "UP", "LEFT", "x"]), e("ERR syntax error"));
    assert_eq!(s.execute(&["BLMOVE", "a", "b", "LEFT", "LEFT", "x"]), e("ERR timeout is not a float or out of range"));
    assert_eq!(s.execute(&["BLMPOP", "x", "0", "k", "LEFT"]), e("ERR numkeys should be greater than 0"));
    assert_eq!(s.execute(&["BLMPOP", "x", "1", "k", "LEFT"]), e("ERR timeout is not a float or out of range"));
    assert_eq!(s.execute(&["BLMPOP", "0", "1", "k", "LEFT", "COUNT", "0"]), e("ERR count should be greater than 0"));
    assert_eq!(s.execute(&["BLMPOP", "0", "2", "k", "LEFT"]), e("ERR syntax error"));
    assert_eq!(s.execute(&["BLPOP", "k"]), e("ERR wrong number of arguments for 'blpop' command"));
}

#[test]
fn close_wakes_blocked_callers_and_refuses_new_waits() {
    let store = Store::new();
    let a = spawn_blocked(&store, &["BLPOP", "k", "0"], 1);
    let b = spawn_blocked(&store, &["BLMOVE", "k", "d", "LEFT", "LEFT", "100"], 2);
    store.close();
    let closed = Reply::error(kv_core::errors::STORE_CLOSED);
    assert_eq!(a.join().unwrap(), closed);
    assert_eq!(b.join().unwrap(), closed);
    assert_eq!(store.blocked_clients(), 0);
    let mut s = store.session();
    assert_eq!(s.execute(&["BLPOP", "k", "0"]), closed);
    s.execute(&["RPUSH", "k", "v"]);
    assert_eq!(s.execute(&["BLPOP", "k", "0"]), pair("k", "v"));
}

#[test]
fn interrupt_handle_and_client_unblock() {
    let store = Store::new();
    let s = store.session();
    let handle = s.interrupt_handle();
    assert!(!handle.interrupt(), "not blocked: nothing to interrupt");
    let id = handle.client_id();
    let (tx, rx) = std::sync::mpsc::channel();
    let h = thread::spawn(move || {
        let mut s = s;
        tx.send(s.execute(&["BLPOP", "k", "0"])).unwrap();
        s.execute(&["BLPOP", "k", "0"])
    });
    wait_blocked(&store, 1);
    assert!(handle.clone().interrupt());
    let first = rx.recv().unwrap();
    wait_blocked(&store, 1);
    let mut other = store.session();
    assert_eq!(other.execute(&["CLIENT", "UNBLOCK", &id.to_string(), "TIMEOUT"]), Reply::Integer(1));
    let second = h.join().unwrap();
    assert_eq!(first, Reply::error(kv_core::errors::UNBLOCKED));
    assert_eq!(second, Reply::NilArray);
    assert_eq!(other.execute(&["CLIENT", "UNBLOCK", &id.to_string()]), Reply::Integer(0));

    let h = spawn_blocked(&store, &["BLMPOP", "0", "1", "k", "LEFT"], 1);
    let ids = store.execute(&["CLIENT", "ID"]).as_int().unwrap();
    // The blocked session's id is unknown here: it is one of the ids before.
    let woken: i64 =
        (1..ids).map(|i| other.execute(&["CLIENT", "UNBLOCK", &i.to_string(), "ERROR"]).as_int().unwrap()).sum();
    assert_eq!(woken, 1);
    assert_eq!(h.join().unwrap(), Reply::error(kv_core::errors::UNBLOCKED));
    // An interrupted waiter leaves its queue: a later push stays in the list.
    store.execute(&["RPUSH", "k", "v"]);
    assert_eq!(store.execute(&["LLEN", "k"]), Reply::Integer(1));
}
