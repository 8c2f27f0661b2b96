//! Store and session shapes: thread safety, independence of stores and
//! sessions, protocol encoding, the command table's lookup rules.

use kv_core::{cmd, Config, Reply, Store};

#[test]
fn store_and_session_are_thread_safe_handles() {
    fn send_sync<T: Send + Sync + Clone>() {}
    fn send<T: Send>() {}
    send_sync::<Store>();
    send::<kv_core::Session>();
}

#[test]
fn stores_are_independent_and_clones_share_data() {
    let a = Store::new();
    let b = Store::new();
    a.execute(&["SET", "k", "1"]);
    assert_eq!(b.execute(&["GET", "k"]), Reply::Nil);
    let a2 = a.clone();
    assert_eq!(a2.execute(&["GET", "k"]), Reply::bulk("1"));
}

#[test]
fn sessions_keep_their_own_database() {
    let store = Store::new();
    let mut s1 = store.session();
    let mut s2 = store.session();
    assert_eq!(s1.execute(&["SELECT", "3"]), Reply::ok());
    s1.execute(&["SET", "k", "in3"]);
    assert_eq!(s2.execute(&["GET", "k"]), Reply::Nil);
    s2.execute(&["SELECT", "3"]);
    assert_eq!(s2.execute(&["GET", "k"]), Reply::bulk("in3"));
    assert_ne!(s1.state().id, s2.state().id);
    assert_eq!(s1.execute(&["SELECT", "16"]), Reply::error("ERR DB index is out of range"));
    assert_eq!(s1.execute(&["SELECT", "x"]), Reply::error("ERR value is not an integer or out of range"));
}

#[test]
fn configured_database_count_is_honoured() {
    let store = Store::open(Config::default().databases(2));
    let mut s = store.session();
    assert_eq!(s.execute(&["SELECT", "1"]), Reply::ok());
    assert!(s.execute(&["SELECT", "2"]).is_error());
}

#[test]
fn lookup_is_case_insensitive_and_errors_are_redis_words() {
    assert_eq!(cmd::lookup(b"gEt").map(|c| c.name), Some("get"));
    assert!(cmd::lookup(&[b'g'; 100]).is_none());
    let store = Store::new();
    assert_eq!(
        store.execute(&["NOPE", "a", "b"]),
        Reply::error_owned("ERR unknown command 'NOPE', with args beginning with: 'a' 'b' ".into())
    );
    assert_eq!(store.execute(&["get"]), Reply::error_owned("ERR wrong number of arguments for 'get' command".into()));
    let empty: [&[u8]; 0] = [];
    assert!(store.execute(&empty).is_error());
}

#[test]
fn binary_keys_and_values_round_trip() {
    let store = Store::new();
    let key: &[u8] = b"\x00\xff\r\nkey";
    let val: &[u8] = b"\xc3\x28\x00";
    assert_eq!(store.execute(&[b"SET".as_ref(), key, val]), Reply::ok());
    assert_eq!(store.execute(&[b"GET".as_ref(), key]), Reply::bulk(val));
}

#[test]
fn replies_encode_for_the_sessions_protocol() {
    let store = Store::new();
    let mut s = store.session();
    let r = s.execute(&["GET", "missing"]);
    assert_eq!(r.to_resp(s.protocol()), b"$-1\r\n");
    assert_eq!(r.to_resp(3), b"_\r\n");
}
