//! Blocking list commands across threads: timeouts, wakeups, first-come
//! first-served order, lossless producer/consumer traffic, BLMOVE chains,
//! errors, Store::close and interrupts.
//!
//! No test asserts how long something took beyond what the deadline
//! guarantees (a timed-out call returns no earlier than its timeout);
//! generous waits are only upper bounds against hangs.

use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use kv_core::{Reply, Session, Store};

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

/// Producers push the values 1..=3n (each once) onto two keys while
/// consumers take them with blocking calls (`consume` gives what one call
/// took; `None` when it took nothing); then one stop marker (`marker`, the
/// value 0) per consumer. Every value must be taken exactly once.
fn lose_and_duplicate_nothing(
    keys: [&'static str; 2],
    per_producer: u64,
    produce: fn(&mut Session, &str, u64, &str) -> Reply,
    consume: fn(&mut Session, usize, usize) -> Option<Vec<u64>>,
    marker: &[&str],
) {
    const PRODUCERS: u64 = 3;
    const CONSUMERS: usize = 3;
    let store = Store::new();
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|c| {
            let store = store.clone();
            thread::spawn(move || {
                let mut s = store.session();
                let (mut n, mut sum) = (0u64, 0u64);
                for round in c.. {
                    for v in consume(&mut s, c, round).unwrap_or_default() {
                        if v == 0 {
                            return (n, sum);
                        }
                        n += 1;
                        sum += v;
                    }
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
                for i in 0..per_producer {
                    let v = (p * per_producer + i + 1).to_string();
                    let r = produce(&mut s, keys[(i % 2) as usize], i, &v);
                    assert!(matches!(r, Reply::Integer(_)), "{r:?}");
                }
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    let drained = |what: &str, keys: &[&str]| {
        let start = Instant::now();
        let mut exists = vec!["EXISTS"];
        exists.extend(keys);
        while store.execute(&exists) != Reply::Integer(0) {
            assert!(start.elapsed() < Duration::from_secs(20), "{what}: {} blocked", store.blocked_clients());
            thread::sleep(Duration::from_millis(1));
        }
    };
    drained("consumers stalled", &keys);
    // One marker at a time, so a call that takes several (COUNT) takes one.
    for c in 0..CONSUMERS {
        wait_blocked(&store, CONSUMERS - c);
        assert!(!store.execute(marker).is_error());
        drained("stop marker not taken", &keys);
    }
    let (mut n, mut sum) = (0, 0);
    for c in consumers {
        let (cn, csum) = c.join().unwrap();
        n += cn;
        sum += csum;
    }
    let total = PRODUCERS * per_producer;
    assert_eq!(n, total);
    assert_eq!(sum, total * (total + 1) / 2);
    assert_eq!(store.execute(&["DBSIZE"]), Reply::Integer(0));
}

fn number(r: &Reply) -> u64 {
    std::str::from_utf8(r.as_bytes().unwrap()).unwrap().parse().unwrap()
}

#[test]
fn producers_and_consumers_lose_and_duplicate_nothing() {
    let produce = |s: &mut Session, key: &str, i: u64, v: &str| {
        s.execute(&[if i.is_multiple_of(3) { "LPUSH" } else { "RPUSH" }, key, v])
    };
    let consume = |s: &mut Session, c: usize, round: usize| {
        // Mix the commands. BLMOVE watches q1 only, so it waits briefly
        // and gives way when it times out.
        let r = match round % 3 {
            0 => s.execute(&["BLPOP", "q1", "q2", "0"]),
            1 => s.execute(&["BLMPOP", "0", "2", "q2", "q1", "RIGHT"]),
            _ => {
                let own = format!("own{c}");
                match s.execute(&["BLMOVE", "q1", &own, "RIGHT", "LEFT", "0.01"]) {
                    Reply::Bulk(_) => s.execute(&["BLPOP", &own, "0"]),
                    Reply::NilArray => return None,
                    other => panic!("{other:?}"),
                }
            }
        };
        let Reply::Array(mut kv) = r else { panic!("{r:?}") };
        // BLMPOP nests the popped element in an array.
        Some(match kv.pop() {
            Some(Reply::Array(items)) => items.iter().map(number).collect(),
            Some(v) => vec![number(&v)],
            None => panic!("empty reply"),
        })
    };
    lose_and_duplicate_nothing(["q1", "q2"], 2_000, produce, consume, &["RPUSH", "q1", "0"]);
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

// ---- sorted sets -----------------------------------------------------------------

fn popped(key: &str, member: &str, score: f64) -> Reply {
    Reply::Array(vec![bulk(key), bulk(member), Reply::Double(score)])
}

fn mpopped(key: &str, pairs: &[(&str, f64)]) -> Reply {
    let pairs = pairs.iter().map(|(m, s)| Reply::Array(vec![bulk(m), Reply::Double(*s)])).collect();
    Reply::Array(vec![bulk(key), Reply::Array(pairs)])
}

#[test]
fn zset_pops_reply_at_once_or_after_their_timeout() {
    let store = Store::new();
    let mut s = store.session();
    s.execute(&["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"]);
    assert_eq!(s.execute(&["BZPOPMIN", "none", "z", "0"]), popped("z", "a", 1.0));
    assert_eq!(s.execute(&["BZPOPMAX", "z", "0"]), popped("z", "d", 4.0));
    assert_eq!(
        s.execute(&["BZMPOP", "0", "2", "none", "z", "MAX", "COUNT", "5"]),
        mpopped("z", &[("c", 3.0), ("b", 2.0)])
    );
    assert_eq!(s.execute(&["EXISTS", "z"]), Reply::Integer(0));
    for args in [&["BZPOPMIN", "a", "b", "0.02"][..], &["BZPOPMAX", "a", "0.01"], &["BZMPOP", "0.02", "1", "a", "MIN"]]
    {
        let started = Instant::now();
        assert_eq!(s.execute(args), Reply::NilArray, "{args:?}");
        assert!(started.elapsed() >= Duration::from_millis(10), "{args:?} returned early");
    }
    assert_eq!(store.blocked_clients(), 0);
}

#[test]
fn zset_pop_errors() {
    let store = Store::new();
    let mut s = store.session();
    let e = |t: &str| Reply::error_owned(t.to_string());
    let wrongtype = Reply::error(kv_core::errors::WRONGTYPE);
    s.execute(&["RPUSH", "l", "x"]);
    s.execute(&["ZADD", "z", "1", "m"]);
    assert_eq!(s.execute(&["BZPOPMIN", "l", "0"]), wrongtype);
    assert_eq!(s.execute(&["BZPOPMAX", "none", "l", "z", "0"]), wrongtype);
    assert_eq!(s.execute(&["BZMPOP", "0", "2", "l", "z", "MIN"]), wrongtype);
    assert_eq!(s.execute(&["BZPOPMIN", "l", "x"]), e("ERR timeout is not a float or out of range"));
    assert_eq!(s.execute(&["BZPOPMIN", "z", "-1"]), e("ERR timeout is negative"));
    assert_eq!(s.execute(&["BZMPOP", "x", "0", "z", "MIN"]), e("ERR numkeys should be greater than 0"));
    assert_eq!(s.execute(&["BZMPOP", "x", "1", "z", "MIN"]), e("ERR timeout is not a float or out of range"));
    assert_eq!(s.execute(&["BZMPOP", "-1", "1", "z", "LEFT"]), e("ERR syntax error"));
    assert_eq!(s.execute(&["BZMPOP", "0", "1", "z", "MIN", "COUNT", "0"]), e("ERR count should be greater than 0"));
    assert_eq!(s.execute(&["BZPOPMAX", "z"]), e("ERR wrong number of arguments for 'bzpopmax' command"));
    assert_eq!(s.execute(&["ZCARD", "z"]), Reply::Integer(1));
}

/// Redis wakes a blocked call only with data of the type it pops: a new
/// sorted set leaves BLPOP waiting and serves BZPOPMIN behind it.
#[test]
fn only_data_of_the_right_type_wakes_a_waiter() {
    let store = Store::new();
    let list_waiter = spawn_blocked(&store, &["BLPOP", "k", "0"], 1);
    let zset_waiter = spawn_blocked(&store, &["BZPOPMIN", "k", "0"], 2);
    store.execute(&["ZADD", "k", "1", "a"]);
    assert_eq!(zset_waiter.join().unwrap(), popped("k", "a", 1.0));
    store.execute(&["ZADD", "k", "2", "b"]);
    thread::sleep(Duration::from_millis(20));
    assert!(!list_waiter.is_finished(), "BLPOP woken by a sorted set");
    store.execute(&["DEL", "k"]);
    store.execute(&["RPUSH", "k", "v"]);
    assert_eq!(list_waiter.join().unwrap(), pair("k", "v"));
    // Woken for one key, the call reruns over all of them: an earlier key
    // of the wrong type fails it, as Redis 7.2's re-executed command.
    let h = spawn_blocked(&store, &["BZPOPMIN", "a", "b", "0"], 1);
    store.execute(&["RPUSH", "a", "x"]);
    store.execute(&["ZADD", "b", "1", "m"]);
    assert_eq!(h.join().unwrap(), Reply::error(kv_core::errors::WRONGTYPE));
}

#[test]
fn zset_waiters_are_served_first_come_first_served() {
    const N: usize = 5;
    let store = Store::new();
    let hs: Vec<_> = (0..N)
        .map(|i| {
            let args: &[&str] = match i % 3 {
                0 => &["BZPOPMIN", "z", "0"],
                1 => &["BZPOPMIN", "other", "z", "0"],
                _ => &["BZMPOP", "0", "1", "z", "MIN"],
            };
            spawn_blocked(&store, args, i + 1)
        })
        .collect();
    let members: Vec<String> = (0..N).map(|i| format!("m{i}")).collect();
    let mut args = vec!["ZADD".to_string(), "z".to_string()];
    for (i, m) in members.iter().enumerate() {
        args.extend([i.to_string(), m.clone()]);
    }
    store.execute(&args);
    for (i, h) in hs.into_iter().enumerate() {
        let want = match i % 3 {
            2 => mpopped("z", &[(&members[i], i as f64)]),
            _ => popped("z", &members[i], i as f64),
        };
        assert_eq!(h.join().unwrap(), want, "waiter {i}");
    }
    assert_eq!(store.execute(&["EXISTS", "z"]), Reply::Integer(0));
}

// ---- every write that gives a key data wakes its waiter ---------------------------

/// Blocks `wait` (on a fresh store prepared by `setup`), runs `writes` on
/// another session, and checks the waiter's reply.
fn woken_by(setup: &[&[&str]], wait: &[&str], writes: &[&[&str]], want: Reply) {
    let store = Store::new();
    let mut s = store.session();
    for args in setup {
        assert!(!s.execute(args).is_error(), "{args:?}");
    }
    let h = spawn_blocked(&store, wait, 1);
    for args in writes {
        assert!(!s.execute(args).is_error(), "{args:?}");
    }
    assert_eq!(join_within(h, wait), want, "{wait:?} after {writes:?}");
    assert_eq!(store.blocked_clients(), 0);
}

/// Joins a blocked call that should have been woken, failing (rather than
/// hanging) if it was not.
fn join_within(h: JoinHandle<Reply>, what: &[&str]) -> Reply {
    let start = Instant::now();
    while !h.is_finished() {
        assert!(start.elapsed() < Duration::from_secs(10), "{what:?} was not woken");
        thread::sleep(Duration::from_millis(1));
    }
    h.join().unwrap()
}

#[test]
fn sorted_set_writes_wake_bzpopmin() {
    let bz = &["BZPOPMIN", "k", "0"][..];
    let got = |m: &str, s: f64| popped("k", m, s);
    let src: &[&[&str]] = &[&["ZADD", "s1", "1", "a", "2", "b"], &["ZADD", "s2", "2", "b"]];
    woken_by(&[], bz, &[&["ZADD", "k", "5", "m"]], got("m", 5.0));
    woken_by(&[], bz, &[&["ZINCRBY", "k", "2.5", "m"]], got("m", 2.5));
    woken_by(src, bz, &[&["ZUNIONSTORE", "k", "2", "s1", "s2"]], got("a", 1.0));
    woken_by(src, bz, &[&["ZINTERSTORE", "k", "2", "s1", "s2"]], got("b", 4.0));
    woken_by(src, bz, &[&["ZDIFFSTORE", "k", "2", "s1", "s2"]], got("a", 1.0));
    woken_by(src, bz, &[&["ZRANGESTORE", "k", "s1", "1", "1"]], got("b", 2.0));
    woken_by(src, bz, &[&["RENAME", "s2", "k"]], got("b", 2.0));
    woken_by(src, bz, &[&["RENAMENX", "s2", "k"]], got("b", 2.0));
    woken_by(src, bz, &[&["COPY", "s2", "k"]], got("b", 2.0));
    woken_by(&[], bz, &[&["MULTI"], &["ZADD", "k", "1", "x"], &["ZADD", "k", "0", "y"], &["EXEC"]], got("y", 0.0));
}

#[test]
fn list_writes_wake_blpop() {
    let bl = &["BLPOP", "k", "0"][..];
    let src: &[&[&str]] = &[&["RPUSH", "src", "3", "1", "2"]];
    woken_by(src, bl, &[&["SORT", "src", "STORE", "k"]], pair("k", "1"));
    woken_by(src, bl, &[&["RENAME", "src", "k"]], pair("k", "3"));
    woken_by(src, bl, &[&["RENAMENX", "src", "k"]], pair("k", "3"));
    woken_by(src, bl, &[&["COPY", "src", "k"]], pair("k", "3"));
    woken_by(src, bl, &[&["LMOVE", "src", "k", "RIGHT", "LEFT"]], pair("k", "2"));
    woken_by(&[], bl, &[&["MULTI"], &["RPUSH", "k", "a"], &["LPUSH", "k", "b"], &["EXEC"]], pair("k", "b"));
}

#[test]
fn writes_from_other_databases_wake_waiters() {
    let in_db1: &[&[&str]] = &[&["SELECT", "1"], &["RPUSH", "k", "v"], &["ZADD", "z", "1", "m"]];
    woken_by(in_db1, &["BLPOP", "k", "0"], &[&["MOVE", "k", "0"]], pair("k", "v"));
    woken_by(in_db1, &["BZPOPMAX", "z", "0"], &[&["MOVE", "z", "0"]], popped("z", "m", 1.0));
    woken_by(in_db1, &["BLPOP", "k", "0"], &[&["COPY", "k", "k", "DB", "0"]], pair("k", "v"));
    woken_by(in_db1, &["BZPOPMIN", "z", "0"], &[&["COPY", "z", "z", "DB", "0"]], popped("z", "m", 1.0));
    woken_by(in_db1, &["BLPOP", "k", "0"], &[&["SWAPDB", "0", "1"]], pair("k", "v"));
    woken_by(in_db1, &["BZPOPMIN", "z", "0"], &[&["SWAPDB", "1", "0"]], popped("z", "m", 1.0));
    woken_by(in_db1, &["BZPOPMIN", "z", "0"], &[&["MULTI"], &["SWAPDB", "1", "0"], &["EXEC"]], popped("z", "m", 1.0));
}

/// SWAPDB wakes every waiter whose key holds data after the swap, in both
/// databases.
#[test]
fn swapdb_wakes_every_waiter_of_both_databases() {
    let store = Store::new();
    let mut s = store.session();
    s.execute(&["RPUSH", "in0", "a"]);
    s.execute(&["SELECT", "1"]);
    s.execute(&["ZADD", "in1", "1", "b"]);
    let first = spawn_blocked(&store, &["BZPOPMIN", "in1", "0"], 1);
    let second = {
        let store = store.clone();
        thread::spawn(move || {
            let mut s = store.session();
            s.execute(&["SELECT", "1"]);
            s.execute(&["BLPOP", "in0", "0"])
        })
    };
    wait_blocked(&store, 2);
    assert_eq!(s.execute(&["SWAPDB", "0", "1"]), Reply::ok());
    assert_eq!(join_within(first, &["BZPOPMIN"]), popped("in1", "b", 1.0));
    assert_eq!(join_within(second, &["BLPOP"]), pair("in0", "a"));
}

// ---- lossless traffic, close --------------------------------------------------------

/// Producers ZADD unique members (score = value) to two sets; consumers
/// pop with every sorted-set blocking command until stop markers (score 0)
/// arrive. Every value is seen exactly once.
#[test]
fn zset_producers_and_consumers_lose_and_duplicate_nothing() {
    let produce = |s: &mut Session, key: &str, _: u64, v: &str| s.execute(&["ZADD", key, v, v]);
    let consume = |s: &mut Session, _: usize, round: usize| {
        let r = match round % 3 {
            0 => s.execute(&["BZPOPMIN", "z1", "z2", "0"]),
            1 => s.execute(&["BZPOPMAX", "z2", "z1", "0"]),
            _ => s.execute(&["BZMPOP", "0", "2", "z1", "z2", "MIN", "COUNT", "3"]),
        };
        let Reply::Array(mut items) = r else { panic!("{r:?}") };
        let pairs = match items.pop() {
            Some(Reply::Array(pairs)) => pairs,
            Some(score) => vec![Reply::Array(vec![items.pop().unwrap(), score])],
            None => panic!("empty reply"),
        };
        let members = pairs.iter().map(|p| {
            let Reply::Array(p) = p else { panic!("{p:?}") };
            let member = number(&p[0]);
            assert_eq!(p[1], Reply::Double(member as f64));
            member
        });
        Some(members.collect())
    };
    lose_and_duplicate_nothing(["z1", "z2"], 1_500, produce, consume, &["ZADD", "z1", "0", "0"]);
}

/// Elements pushed to `a` pass through BLMOVE/BRPOPLPUSH stages a -> b ->
/// c run by several threads each, and are taken off `c` by BLPOP
/// consumers: each arrives exactly once.
#[test]
fn blmove_chains_across_threads_lose_and_duplicate_nothing() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    const ELEMENTS: u64 = 3_000;
    const PER_STAGE: usize = 2;
    const CONSUMERS: usize = 2;
    let store = Store::new();
    let stop = Arc::new(AtomicBool::new(false));
    let stage = |src: &'static str, dst: &'static str, i: usize| {
        let (store, stop) = (store.clone(), stop.clone());
        thread::spawn(move || {
            let mut s = store.session();
            loop {
                let r = if i.is_multiple_of(2) {
                    s.execute(&["BLMOVE", src, dst, "LEFT", "RIGHT", "0.05"])
                } else {
                    s.execute(&["BRPOPLPUSH", src, dst, "0.05"])
                };
                match r {
                    Reply::Bulk(_) => {}
                    Reply::NilArray if stop.load(Ordering::Acquire) => return,
                    Reply::NilArray => {}
                    other => panic!("{other:?}"),
                }
            }
        })
    };
    let stages: Vec<_> = (0..PER_STAGE).flat_map(|i| [stage("a", "b", i), stage("b", "c", i)]).collect();
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|_| {
            let store = store.clone();
            thread::spawn(move || {
                let mut s = store.session();
                let (mut n, mut sum) = (0u64, 0u64);
                loop {
                    let r = s.execute(&["BLPOP", "c", "0"]);
                    let Reply::Array(kv) = r else { panic!("{r:?}") };
                    let v: u64 = std::str::from_utf8(kv[1].as_bytes().unwrap()).unwrap().parse().unwrap();
                    if v == 0 {
                        return (n, sum);
                    }
                    n += 1;
                    sum += v;
                }
            })
        })
        .collect();
    let mut s = store.session();
    for v in 1..=ELEMENTS {
        s.execute(&["RPUSH", "a", &v.to_string()]);
    }
    // A move is atomic: once a, b and c are gone, every element was taken.
    let start = Instant::now();
    while s.execute(&["EXISTS", "a", "b", "c"]) != Reply::Integer(0) {
        assert!(start.elapsed() < Duration::from_secs(20), "chain stalled");
        thread::sleep(Duration::from_millis(1));
    }
    stop.store(true, Ordering::Release);
    for h in stages {
        h.join().unwrap();
    }
    for _ in 0..CONSUMERS {
        s.execute(&["RPUSH", "c", "0"]);
    }
    let (mut n, mut sum) = (0, 0);
    for c in consumers {
        let (cn, csum) = c.join().unwrap();
        n += cn;
        sum += csum;
    }
    assert_eq!(n, ELEMENTS);
    assert_eq!(sum, ELEMENTS * (ELEMENTS + 1) / 2);
    assert_eq!(s.execute(&["DBSIZE"]), Reply::Integer(0));
}

#[test]
fn close_and_interrupts_wake_zset_waiters() {
    let store = Store::new();
    let s = store.session();
    let handle = s.interrupt_handle();
    let h = thread::spawn(move || {
        let mut s = s;
        s.execute(&["BZPOPMAX", "z", "0"])
    });
    wait_blocked(&store, 1);
    assert!(handle.interrupt());
    assert_eq!(h.join().unwrap(), Reply::error(kv_core::errors::UNBLOCKED));

    let a = spawn_blocked(&store, &["BZPOPMIN", "z", "0"], 1);
    let b = spawn_blocked(&store, &["BZMPOP", "100", "2", "y", "z", "MAX"], 2);
    let c = spawn_blocked(&store, &["BLPOP", "l", "0"], 3);
    store.close();
    let closed = Reply::error(kv_core::errors::STORE_CLOSED);
    for h in [a, b, c] {
        assert_eq!(h.join().unwrap(), closed);
    }
    assert_eq!(store.blocked_clients(), 0);
    assert_eq!(store.execute(&["BZPOPMIN", "z", "0"]), closed);
}

/// Redis wakes a key's waiters when a key is added (dbAdd), not when a
/// value is overwritten in place (SORT STORE, Z*STORE over an existing
/// key); RENAME and COPY REPLACE delete and add, so they wake.
#[test]
fn overwriting_a_key_wakes_only_as_a_new_key() {
    let store = Store::new();
    let mut s = store.session();
    s.execute(&["RPUSH", "src", "3", "1"]);
    s.execute(&["RPUSH", "other", "x"]);
    let h = spawn_blocked(&store, &["BLPOP", "k", "0"], 1);
    s.execute(&["SET", "k", "string"]);
    assert_eq!(s.execute(&["SORT", "src", "STORE", "k"]), Reply::Integer(2));
    thread::sleep(Duration::from_millis(50));
    assert!(!h.is_finished(), "SORT STORE over an existing key served the waiter");
    assert_eq!(store.blocked_clients(), 1);
    assert_eq!(s.execute(&["COPY", "other", "k", "REPLACE"]), Reply::Integer(1));
    assert_eq!(join_within(h, &["BLPOP", "k"]), pair("k", "x"));
}
