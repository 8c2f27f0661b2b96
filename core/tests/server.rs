//! Connection and server commands through the public API.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use kv_core::{Config, ManualClock, Reply, Store};

fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(r.as_bytes().expect("a string reply")).into_owned()
}

fn map_get<'a>(r: &'a Reply, key: &str) -> &'a Reply {
    let Reply::Map(pairs) = r else { panic!("not a map: {r:?}") };
    &pairs.iter().find(|(k, _)| *k == bulk(key)).expect(key).1
}

#[test]
fn hello_switches_the_session_protocol() {
    let store = Store::new();
    let mut s = store.session();
    assert_eq!(s.protocol(), 2);
    let r = s.execute(&["HELLO", "3"]);
    assert_eq!(s.protocol(), 3);
    assert_eq!(map_get(&r, "proto"), &Reply::Integer(3));
    assert_eq!(map_get(&r, "server"), &bulk("redis"));
    assert_eq!(map_get(&r, "version"), &bulk("7.2.4"));
    assert_eq!(map_get(&r, "id"), &s.execute(&["CLIENT", "ID"]));
    // RESP3 maps reach the wire as maps, RESP2 ones as flat arrays.
    assert!(r.to_resp(3).starts_with(b"%7\r\n"));
    assert!(r.to_resp(2).starts_with(b"*14\r\n"));
    // A failed HELLO changes nothing.
    assert!(s.execute(&["HELLO", "2", "SETNAME", "bad name"]).is_error());
    assert_eq!(s.protocol(), 3);
    assert_eq!(s.execute(&["CLIENT", "GETNAME"]), Reply::Nil);
    s.execute(&["HELLO", "2"]);
    assert_eq!(s.protocol(), 2);
}

#[test]
fn reset_restores_a_fresh_session() {
    let store = Store::new();
    let mut s = store.session();
    s.execute(&["HELLO", "3", "SETNAME", "x"]);
    s.execute(&["SELECT", "4"]);
    assert_eq!(s.execute(&["RESET"]), Reply::status("RESET"));
    assert_eq!((s.protocol(), s.db(), s.state().name.clone()), (2, 0, None));
}

#[test]
fn client_ids_are_unique_and_client_list_shows_this_session() {
    let store = Store::new();
    let mut a = store.session();
    let mut b = store.session();
    let (ia, ib) = (a.execute(&["CLIENT", "ID"]), b.execute(&["CLIENT", "ID"]));
    assert_ne!(ia, ib);
    a.execute(&["CLIENT", "SETNAME", "worker-1"]);
    a.execute(&["SELECT", "3"]);
    let line = text(&a.execute(&["CLIENT", "LIST"]));
    assert!(line.starts_with(&format!("id={} addr=", ia.as_int().unwrap())), "{line}");
    assert!(line.contains(" name=worker-1 ") && line.contains(" db=3 ") && line.contains(" cmd=client|list "));
    assert!(line.ends_with(" resp=2 lib-name= lib-ver=\n"), "{line}");
    let id = ia.as_int().unwrap().to_string();
    assert_eq!(a.execute(&["CLIENT", "LIST", "ID", "7777", &id]), a.execute(&["CLIENT", "LIST"]));
    assert_eq!(text(&a.execute(&["CLIENT", "INFO"])), line.replace("client|list", "client|info"));
    // CLIENT INFO is a verbatim string in RESP3, a bulk string in RESP2.
    assert!(a.execute(&["CLIENT", "INFO"]).to_resp(3).starts_with(b"="));
}

#[test]
fn flushall_and_swapdb_span_databases() {
    let store = Store::new();
    let mut s = store.session();
    for db in ["0", "1", "15"] {
        s.execute(&["SELECT", db]);
        s.execute(&["SET", "k", db]);
    }
    assert_eq!(s.execute(&["SWAPDB", "1", "15"]), Reply::ok());
    assert_eq!(s.execute(&["GET", "k"]), bulk("1"));
    s.execute(&["SELECT", "1"]);
    assert_eq!(s.execute(&["GET", "k"]), bulk("15"));
    assert_eq!(s.execute(&["FLUSHALL"]), Reply::ok());
    for db in 0..16 {
        assert_eq!(store.dbsize(db), 0);
    }
}

#[test]
fn swapdb_is_atomic_for_readers() {
    let store = Store::new();
    let mut s = store.session();
    // Enough keys to land in every shard of db 0.
    for i in 0..200 {
        s.execute(&["SET", &format!("key:{i}"), "v"]);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut r = store.session();
            let mut seen = 0;
            while !stop.load(Ordering::Relaxed) {
                for db in ["0", "1"] {
                    r.execute(&["SELECT", db]);
                    let n = r.execute(&["DBSIZE"]).as_int().unwrap();
                    assert!(n == 0 || n == 200, "DBSIZE saw a half-swapped database: {n}");
                    seen += 1;
                }
            }
            seen
        })
    };
    for _ in 0..2000 {
        assert_eq!(s.execute(&["SWAPDB", "0", "1"]), Reply::ok());
    }
    stop.store(true, Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
    assert_eq!(store.dbsize(0) + store.dbsize(1), 200);
}

#[test]
fn time_comes_from_the_store_clock() {
    let clock = ManualClock::new(1_700_000_123_456);
    let store = Store::open(Config::default().clock(clock.clone()));
    let t = store.execute(&["TIME"]);
    assert_eq!(t, Reply::Array(vec![bulk("1700000123"), bulk("456000")]));
    clock.advance(1_544);
    assert_eq!(store.execute(&["TIME"]), Reply::Array(vec![bulk("1700000125"), bulk("0")]));
}

fn info_field(info: &str, name: &str) -> String {
    let prefix = format!("{name}:");
    info.split("\r\n")
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {name} in {info}"))
        .to_string()
}

#[test]
fn info_reports_sections_and_counters() {
    let clock = ManualClock::new(1_700_000_000_000);
    let store = Store::open(Config::default().clock(clock.clone()));
    let mut s = store.session();
    s.execute(&["SET", "a", "1"]);
    s.execute(&["GET", "a"]);
    s.execute(&["GET", "nope"]);
    s.execute(&["GET", "nope"]);
    clock.advance(90_000);
    let info = text(&s.execute(&["INFO"]));
    let titles: Vec<&str> = info.split("\r\n").filter(|l| l.starts_with('#')).collect();
    assert_eq!(
        titles,
        [
            "# Server",
            "# Clients",
            "# Memory",
            "# Persistence",
            "# Stats",
            "# Replication",
            "# Modules",
            "# Errorstats",
            "# Cluster",
            "# Keyspace"
        ]
    );
    assert_eq!(info_field(&info, "redis_version"), "7.2.4");
    assert_eq!(info_field(&info, "kv_version"), env!("CARGO_PKG_VERSION"));
    assert_eq!(info_field(&info, "uptime_in_seconds"), "90");
    assert_eq!(info_field(&info, "process_id"), std::process::id().to_string());
    assert_eq!(info_field(&info, "keyspace_hits"), "1");
    assert_eq!(info_field(&info, "keyspace_misses"), "2");
    assert_eq!(info_field(&info, "total_commands_processed"), "4");
    assert_eq!(info_field(&info, "db0"), "keys=1,expires=0,avg_ttl=0");
    assert!(info_field(&info, "used_memory").parse::<u64>().unwrap() > 0);
    assert!(info.ends_with("avg_ttl=0\r\n"));

    let two = text(&s.execute(&["INFO", "SERVER", "keyspace"]));
    assert!(two.starts_with("# Server\r\n") && two.contains("\r\n\r\n# Keyspace\r\n"));
    let all = text(&s.execute(&["INFO", "all"]));
    assert!(all.contains("# Commandstats\r\n") && all.contains("# Latencystats\r\n"));
    assert_eq!(text(&s.execute(&["INFO", "nosuch"])), "");
}

#[test]
fn command_introspection_follows_the_table() {
    let store = Store::new();
    let mut s = store.session();
    let Reply::Array(all) = s.execute(&["COMMAND"]) else { panic!() };
    assert_eq!(s.execute(&["COMMAND", "COUNT"]), Reply::from(all.len()));
    let Reply::Array(names) = s.execute(&["COMMAND", "LIST"]) else { panic!() };
    for n in ["get", "client", "client|id", "command|info", "config|get", "swapdb"] {
        assert!(names.contains(&bulk(n)), "{n} missing from COMMAND LIST");
    }
    assert_eq!(
        s.execute(&["COMMAND", "LIST", "FILTERBY", "PATTERN", "client|*name"]),
        Reply::Array(vec![bulk("client|setname"), bulk("client|getname")])
    );
    let Reply::Array(conn) = s.execute(&["COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection"]) else { panic!() };
    assert!(conn.contains(&bulk("ping")) && !conn.contains(&bulk("get")));
    // CLIENT's info nests its subcommands.
    let Reply::Array(info) = s.execute(&["COMMAND", "INFO", "client"]) else { panic!() };
    let Reply::Array(client) = &info[0] else { panic!() };
    let Reply::Array(subs) = &client[9] else { panic!("subcommands: {:?}", client[9]) };
    assert!(subs
        .iter()
        .any(|s| matches!(s, Reply::Array(a) if a[0] == bulk("client|setname") && a[1] == Reply::Integer(3))));
    // DOCS: a map by name of well-formed docs.
    let docs = s.execute(&["COMMAND", "DOCS", "get"]);
    let get = map_get(&docs, "get");
    assert_eq!(map_get(get, "group"), &bulk("string"));
    assert_eq!(map_get(get, "since"), &bulk("1.0.0"));
}

#[test]
fn config_get_matches_globs() {
    let store = Store::open(Config::default().databases(4));
    let r = store.execute(&["CONFIG", "GET", "DATA*", "maxmemory"]);
    assert_eq!(r, Reply::Map(vec![(bulk("databases"), bulk("4")), (bulk("maxmemory"), bulk("0"))]));
}

/// EXISTS, TYPE, TTL and OBJECT look keys up as Redis's LOOKUP_NOTOUCH
/// reads do: each counts a keyspace hit or miss (the counts below are
/// redis-server 7.0's for the same commands) and leaves the access time.
#[test]
fn notouch_reads_count_keyspace_hits_and_misses() {
    let clock = ManualClock::new(1_700_000_000_000);
    let store = Store::open(Config::default().clock(clock.clone()));
    let mut s = store.session();
    s.execute(&["SET", "a", "1"]);
    clock.advance(5_000);
    let stats = |s: &mut kv_core::Session| {
        let info = text(&s.execute(&["INFO", "stats"]));
        (info_field(&info, "keyspace_hits"), info_field(&info, "keyspace_misses"))
    };
    s.execute(&["EXISTS", "a", "b"]);
    assert_eq!(stats(&mut s), ("1".into(), "1".into()));
    for (cmd, hits, misses) in [
        (&["TYPE", "a"][..], "2", "1"),
        (&["TTL", "a"], "3", "1"),
        (&["OBJECT", "ENCODING", "a"], "4", "1"),
        (&["PTTL", "b"], "4", "2"),
    ] {
        s.execute(cmd);
        assert_eq!(stats(&mut s), (hits.into(), misses.into()), "after {cmd:?}");
    }
    // The typed EXISTS counts alike.
    assert_eq!(s.exists(&["a", "b"]), 1);
    assert_eq!(stats(&mut s), ("5".into(), "3".into()));
    // None of them touched the key.
    assert_eq!(s.execute(&["OBJECT", "IDLETIME", "a"]), Reply::Integer(5));
}
