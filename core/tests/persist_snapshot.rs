//! Snapshots: round trip of every type, encoding and TTL across
//! close/reopen, expiry on load, SAVE/LASTSAVE/INFO, the load progress
//! callback, and disk errors that must leave the previous snapshot whole.

mod persist_util;

use std::sync::{Arc, Mutex};

use kv_core::persist::{Error, LoadProgress, Mode, SNAPSHOT_FILE};
use kv_core::{Config, ManualClock, Reply, Store};
use persist_util::*;

fn info_field(store: &Store, name: &str) -> String {
    let Reply::Verbatim(_, text) = store.session().execute(&["INFO", "persistence"]) else { panic!("info") };
    let text = String::from_utf8(text).unwrap();
    let line = text.lines().find(|l| l.starts_with(&format!("{name}:"))).unwrap_or_else(|| panic!("{name} in {text}"));
    line.split_once(':').unwrap().1.to_string()
}

#[test]
fn every_type_encoding_and_ttl_round_trips() {
    let dir = TempDir::new("roundtrip");
    let clock = ManualClock::new(T0);
    let store = Store::try_open(config(dir.path(), &clock)).unwrap();
    fill_every_type(&store);
    let before = describe(&store);
    assert!(before.len() > 50);
    assert!(before.values().any(|v| v.contains("\"quicklist\"")), "{before:?}");
    assert!(before.values().any(|v| v.contains("\"intset\"")));
    assert!(before.values().any(|v| v.contains("\"skiplist\"")));
    assert!(before.values().any(|v| v.contains("\"listpackex\"")));
    let stats = store.save().unwrap();
    assert_eq!(stats.records as usize, before.len());
    store.close();
    drop(store);

    let reopened = Store::try_open(config(dir.path(), &clock)).unwrap();
    assert_eq!(describe(&reopened), before);
    // And again through a second save of the loaded store.
    reopened.save().unwrap();
    let third = Store::try_open(config(dir.path(), &clock)).unwrap();
    assert_eq!(describe(&third), before);
}

#[test]
fn reload_reencodes_as_redis_does() {
    let dir = TempDir::new("reencode");
    let clock = ManualClock::new(T0);
    let store = Store::try_open(config(dir.path(), &clock)).unwrap();
    let mut s = store.session();
    s.execute(&["SET", "k", "ab"]);
    s.execute(&["APPEND", "k", "c"]);
    assert_eq!(s.execute(&["OBJECT", "ENCODING", "k"]), Reply::bulk("raw"));
    store.save().unwrap();
    let store = Store::try_open(config(dir.path(), &clock)).unwrap();
    let mut s = store.session();
    // Redis's RDB load runs tryObjectEncoding on strings.
    assert_eq!(s.execute(&["OBJECT", "ENCODING", "k"]), Reply::bulk("embstr"));
    assert_eq!(s.execute(&["GET", "k"]), Reply::bulk("abc"));
}

#[test]
fn expired_keys_and_fields_are_not_resurrected() {
    let dir = TempDir::new("expired");
    let clock = ManualClock::new(T0);
    let store = Store::try_open(config(dir.path(), &clock)).unwrap();
    let mut s = store.session();
    s.execute(&["SET", "short", "v", "PX", "100"]);
    s.execute(&["SET", "long", "v", "PX", "100000"]);
    s.execute(&["HSET", "h", "a", "1", "b", "2"]);
    s.execute(&["HPEXPIRE", "h", "100", "FIELDS", "1", "a"]);
    s.execute(&["HSET", "gone", "a", "1"]);
    s.execute(&["HPEXPIRE", "gone", "100", "FIELDS", "1", "a"]);
    s.execute(&["SET", "dead", "v", "PX", "10"]);
    clock.advance(11); // "dead" expired before the save: not written at all
    let stats = store.save().unwrap();
    assert_eq!(stats.records, 4);
    clock.advance(200);
    let reopened = Store::try_open(config(dir.path(), &clock)).unwrap();
    let mut s = reopened.session();
    assert_eq!(s.execute(&["EXISTS", "short", "dead", "gone"]), Reply::Integer(0));
    assert_eq!(s.execute(&["DBSIZE"]), Reply::Integer(2));
    assert_eq!(s.execute(&["HGETALL", "h"]), Reply::Map(vec![(Reply::bulk("b"), Reply::bulk("2"))]));
    assert_eq!(s.execute(&["PEXPIRETIME", "long"]), Reply::Integer((T0 + 100_000) as i64));
    assert_eq!(info_field(&reopened, "rdb_last_load_keys_expired"), "2");
    assert_eq!(info_field(&reopened, "rdb_last_load_keys_loaded"), "2");
}

#[test]
fn save_lastsave_and_info_persistence() {
    let dir = TempDir::new("info");
    let clock = ManualClock::new(T0);
    let store = Store::try_open(config(dir.path(), &clock)).unwrap();
    let mut s = store.session();
    assert_eq!(s.execute(&["LASTSAVE"]), Reply::Integer((T0 / 1000) as i64));
    s.execute(&["SET", "a", "1"]);
    s.execute(&["MSET", "b", "2", "c", "3"]);
    s.execute(&["INCR", "a"]);
    s.execute(&["GET", "a"]); // reads are no change
    s.execute(&["INCR", "b", "c"]); // an error is no change
    s.session_fast_set();
    assert_eq!(info_field(&store, "rdb_changes_since_last_save"), "4");
    assert_eq!(info_field(&store, "rdb_bgsave_in_progress"), "0");
    clock.advance(5000);
    assert_eq!(s.execute(&["SAVE"]), Reply::ok());
    assert_eq!(s.execute(&["LASTSAVE"]), Reply::Integer((T0 / 1000 + 5) as i64));
    assert_eq!(store.last_save(), T0 / 1000 + 5);
    assert_eq!(info_field(&store, "rdb_changes_since_last_save"), "0");
    assert_eq!(info_field(&store, "rdb_saves"), "1");
    assert_eq!(info_field(&store, "rdb_last_save_time"), (T0 / 1000 + 5).to_string());
    assert_eq!(info_field(&store, "aof_enabled"), "0");
    assert_eq!(s.execute(&["SAVE", "x"]), Reply::error("ERR wrong number of arguments for 'save' command"));
    assert_eq!(s.execute(&["LASTSAVE", "x"]), Reply::error("ERR wrong number of arguments for 'lastsave' command"));
    s.execute(&["MULTI"]);
    assert_eq!(s.execute(&["SAVE"]), Reply::error("ERR Command not allowed inside a transaction"));
    s.execute(&["DISCARD"]);
    // In memory: SAVE says why it cannot.
    let mem = Store::new();
    let r = mem.execute(&["SAVE"]);
    assert!(r.error_text().is_some_and(|e| e.starts_with("ERR no data directory")), "{r:?}");
    assert!(matches!(mem.save(), Err(Error::NoDataDir)));
}

/// Typed fast paths count as changes too.
trait FastSet {
    fn session_fast_set(&mut self);
}
impl FastSet for kv_core::Session {
    fn session_fast_set(&mut self) {
        self.set(b"fast", b"1").unwrap();
    }
}

#[test]
fn load_reports_progress_and_big_values_span_blocks() {
    let dir = TempDir::new("progress");
    let clock = ManualClock::new(T0);
    let store = Store::try_open(config(dir.path(), &clock)).unwrap();
    let mut s = store.session();
    let v = "v".repeat(1000);
    for i in 0..5000 {
        s.execute(&["SET", &format!("key:{i}"), &v]);
    }
    // One record bigger than a block.
    let mut args = vec!["RPUSH".to_string(), "biglist".into()];
    args.extend((0..3000).map(|i| format!("{i:0>500}")));
    s.execute(&args);
    store.save().unwrap();
    let seen: Arc<Mutex<Vec<LoadProgress>>> = Arc::default();
    let seen2 = seen.clone();
    let cfg = config(dir.path(), &clock).on_load_progress(move |p| seen2.lock().unwrap().push(p.clone()));
    let reopened = Store::try_open(cfg).unwrap();
    assert_eq!(reopened.dbsize(0), 5001);
    assert_eq!(reopened.execute(&["LLEN", "biglist"]), Reply::Integer(3000));
    let seen = seen.lock().unwrap();
    let last = seen.last().expect("a final report");
    assert!(last.done);
    assert_eq!(last.keys_loaded, 5001);
    assert_eq!(last.bytes_total, std::fs::metadata(dir.snapshot()).unwrap().len());
}

#[test]
fn modes_and_open_without_a_snapshot() {
    let dir = TempDir::new("modes");
    let clock = ManualClock::new(T0);
    // No file yet: an empty store.
    let store = Store::try_open(config(dir.path(), &clock)).unwrap();
    assert_eq!(store.dbsize(0), 0);
    store.execute(&["SET", "k", "v"]);
    store.save().unwrap();
    // Off: the directory is ignored.
    let off = Store::try_open(config(dir.path(), &clock).persistence(Mode::Off)).unwrap();
    assert_eq!(off.dbsize(0), 0);
    assert!(matches!(off.save(), Err(Error::NoDataDir)));
    // A missing directory is created.
    let nested = dir.path().join("a/b");
    let s2 = Store::try_open(config(&nested, &clock)).unwrap();
    s2.execute(&["SET", "x", "1"]);
    s2.save().unwrap();
    assert!(nested.join(SNAPSHOT_FILE).exists());
    // Store::open panics with the error for a bad directory.
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let err = Store::try_open(config(&file, &clock)).err().expect("a file is no directory");
    assert!(err.to_string().contains("plain-file"), "{err}");
    // A snapshot with more databases than the config has is refused.
    let few = Store::try_open(config(dir.path(), &clock).databases(1));
    assert!(few.is_ok(), "db 0 only fits");
    let many = Store::try_open(Config::default().clock(clock.clone()).data_dir(dir.path()));
    assert!(many.is_ok());
}

fn no_temp_files(dir: &std::path::Path) {
    let names: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(names.iter().all(|n| !n.to_string_lossy().contains(".tmp-")), "{names:?}");
}

#[test]
fn full_disk_leaves_the_previous_snapshot_intact() {
    let dir = TempDir::new("full");
    let clock = ManualClock::new(T0);
    let store = Store::try_open(config(dir.path(), &clock)).unwrap();
    store.execute(&["SET", "old", "value"]);
    store.save().unwrap();
    let good = std::fs::read(dir.snapshot()).unwrap();
    drop(store);
    for limit in [0u64, 10, 40, 5000] {
        let store = Store::try_open(config(dir.path(), &clock).fail_saves_after(limit)).unwrap();
        let mut s = store.session();
        for i in 0..2000 {
            s.execute(&["SET", &format!("new{i}"), "xxxxxxxxxxxxxxxxxxxxxxxx"]);
        }
        let err = store.save().unwrap_err();
        let text = err.to_string();
        assert!(text.contains("No space left on device") && text.contains(".tmp-"), "{text}");
        let r = s.execute(&["SAVE"]);
        assert!(r.error_text().is_some_and(|e| e.starts_with("ERR writing") && e.contains("No space left")), "{r:?}");
        assert_eq!(std::fs::read(dir.snapshot()).unwrap(), good);
        no_temp_files(dir.path());
        // A failed BGSAVE says so in INFO and keeps the changes counted.
        assert_eq!(s.execute(&["BGSAVE"]), Reply::status("Background saving started"));
        store.wait_for_save();
        assert_eq!(info_field(&store, "rdb_last_bgsave_status"), "err");
        assert_eq!(info_field(&store, "rdb_changes_since_last_save"), "2000");
        assert_eq!(std::fs::read(dir.snapshot()).unwrap(), good);
        no_temp_files(dir.path());
        // Writes go on after a failed save.
        assert_eq!(s.execute(&["SET", "after", "1"]), Reply::ok());
    }
    let reopened = Store::try_open(config(dir.path(), &clock)).unwrap();
    assert_eq!(reopened.dbsize(0), 1);
}

#[test]
fn missing_directory_and_permission_errors_name_the_path() {
    let dir = TempDir::new("perm");
    let clock = ManualClock::new(T0);
    let data = dir.path().join("data");
    let store = Store::try_open(config(&data, &clock)).unwrap();
    store.execute(&["SET", "k", "v"]);
    std::fs::remove_dir_all(&data).unwrap();
    let err = store.save().unwrap_err();
    assert!(matches!(err, Error::Io { .. }));
    let text = err.to_string();
    assert!(
        text.contains("creating temporary file") && text.contains("data/") && text.contains("No such file"),
        "{text}"
    );

    // Read-only directory: root ignores permission bits, so only check
    // when the directory really refuses a file.
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(&data).unwrap();
    store.save().unwrap();
    let good = std::fs::read(data.join(SNAPSHOT_FILE)).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o500)).unwrap();
    if std::fs::write(data.join("probe"), b"x").is_err() {
        let text = store.save().unwrap_err().to_string();
        assert!(text.contains("Permission denied"), "{text}");
        assert_eq!(std::fs::read(data.join(SNAPSHOT_FILE)).unwrap(), good);
    }
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
}

/// A real full disk: a 1 MiB tmpfs, when this process may mount one.
#[test]
fn tiny_tmpfs_fills_up_cleanly() {
    let dir = TempDir::new("tmpfs");
    let mnt = dir.path().join("mnt");
    std::fs::create_dir_all(&mnt).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&mnt)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("cannot mount a tmpfs here: covered by full_disk_leaves_the_previous_snapshot_intact");
        return;
    }
    let clock = ManualClock::new(T0);
    let result = std::panic::catch_unwind(|| {
        let store = Store::try_open(config(&mnt, &clock)).unwrap();
        store.execute(&["SET", "small", "1"]);
        store.save().unwrap();
        let good = std::fs::read(mnt.join(SNAPSHOT_FILE)).unwrap();
        let mut s = store.session();
        let v = "v".repeat(1000);
        for i in 0..2000 {
            s.execute(&["SET", &format!("k{i}"), &v]);
        }
        let text = store.save().unwrap_err().to_string();
        assert!(text.contains("No space left on device"), "{text}");
        assert_eq!(std::fs::read(mnt.join(SNAPSHOT_FILE)).unwrap(), good);
        no_temp_files(&mnt);
    });
    let _ = std::process::Command::new("umount").arg(&mnt).status();
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}

#[test]
fn dump_and_restore_every_type_with_ttl_options() {
    let dir = TempDir::new("dump");
    let clock = ManualClock::new(T0);
    let store = Store::try_open(config(dir.path(), &clock)).unwrap();
    fill_every_type(&store);
    let before = describe(&store);
    let mut s = store.session();
    let other = Store::try_open(Config::default().clock(clock.clone())).unwrap();
    let mut o = other.session();
    for db in ["0", "1", "15"] {
        s.execute(&["SELECT", db]);
        o.execute(&["SELECT", db]);
        let Reply::Array(keys) = s.execute(&["KEYS", "*"]) else { panic!() };
        for k in keys {
            let Reply::Bulk(k) = k else { panic!() };
            let Reply::Bulk(payload) = s.execute(&[b"DUMP".as_slice(), &k]) else { panic!("dump") };
            let Reply::Integer(at) = s.execute(&[b"PEXPIRETIME".as_slice(), &k]) else { panic!() };
            let ttl = if at < 0 { "0".to_string() } else { at.to_string() };
            let r = o.execute(&[b"RESTORE".as_slice(), &k, ttl.as_bytes(), &payload, b"ABSTTL"]);
            assert_eq!(r, Reply::ok());
            let again = o.execute(&[b"RESTORE".as_slice(), &k, b"0", &payload]);
            assert_eq!(again, Reply::error("BUSYKEY Target key name already exists."));
            // A flipped byte anywhere is refused.
            let mut bad = payload.clone();
            let mid = bad.len() / 2;
            bad[mid] ^= 0x20;
            let r = o.execute(&[b"RESTORE".as_slice(), &k, b"0", &bad, b"REPLACE"]);
            assert_eq!(r, Reply::error("ERR DUMP payload version or checksum are wrong"));
        }
    }
    assert_eq!(describe(&other), before);
    // Relative TTL, REPLACE, IDLETIME/FREQ accepted, past TTL deletes.
    let Reply::Bulk(p) = s.execute(&["DUMP", "emb"]) else { panic!() };
    assert_eq!(o.execute(&[b"RESTORE".as_slice(), b"emb", b"5000", &p, b"REPLACE", b"IDLETIME", b"10"]), Reply::ok());
    assert_eq!(o.execute(&["PTTL", "emb"]), Reply::Integer(5000));
    assert_eq!(o.execute(&[b"RESTORE".as_slice(), b"emb", b"0", &p, b"REPLACE", b"FREQ", b"5"]), Reply::ok());
    assert_eq!(o.execute(&["PTTL", "emb"]), Reply::Integer(-1));
    let past = (T0 - 1).to_string();
    assert_eq!(o.execute(&[b"RESTORE".as_slice(), b"emb", past.as_bytes(), &p, b"REPLACE", b"ABSTTL"]), Reply::ok());
    assert_eq!(o.execute(&["EXISTS", "emb"]), Reply::Integer(0));
    assert_eq!(o.execute(&["DUMP", "emb"]), Reply::Nil);
}
