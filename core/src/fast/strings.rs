//! Typed fast paths for the string and key commands.

use super::{deadline, expire_time_error, wrongtype, Error};
use crate::errors;
use crate::num::parse_i64;
use crate::session::Session;
use crate::store::Store;
use crate::value::{Kind, StrEnc, Value};

impl Session {
    /// `GET key`
    pub fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        self.get_with(key, <[u8]>::to_vec)
    }

    /// `GET key`, handing the value to `f` while the key's shard is locked
    /// (shared) instead of copying it out: a caller with a buffer of its
    /// own copies once. `f` must not call into the store.
    #[inline]
    pub fn get_with<R>(&mut self, key: &[u8], f: impl FnOnce(&[u8]) -> R) -> Result<Option<R>, Error> {
        self.read_key(key, |found| match found {
            None => Ok(None),
            Some(s) => s.as_str().map(|v| Some(f(v))).ok_or_else(wrongtype),
        })
    }

    /// `SET key value`
    pub fn set(&mut self, key: &[u8], value: &[u8]) -> Result<(), Error> {
        self.fast_w(|ctx| {
            ctx.lock_key(true, key);
            ctx.insert_bytes(key, value, StrEnc::for_value(value), None);
            Ok(())
        })
    }

    /// `SET key value PX ttl_ms`
    pub fn set_ex(&mut self, key: &[u8], value: &[u8], ttl_ms: u64) -> Result<(), Error> {
        self.fast_w(|ctx| {
            let ms = i64::try_from(ttl_ms).map_err(|_| expire_time_error("set"))?;
            if ms <= 0 {
                return Err(expire_time_error("set"));
            }
            let at = deadline(ctx.now(), ms, "set")?;
            ctx.lock_key(true, key);
            ctx.insert_bytes(key, value, StrEnc::for_value(value), Some(at as u64));
            Ok(())
        })
    }

    /// `DEL key [key ...]`: the number of keys removed (an error only if
    /// the append-only log cannot be written).
    pub fn del<K: AsRef<[u8]>>(&mut self, keys: &[K]) -> Result<usize, Error> {
        self.fast_w(|ctx| {
            match keys {
                // One key (the common call): one guard, the key hashed once.
                [k] => ctx.lock_key(true, k.as_ref()),
                _ => {
                    let db = ctx.db();
                    ctx.lock_keys(true, keys.iter().map(|k| (db, k.as_ref())));
                }
            }
            Ok(keys.iter().filter(|k| ctx.remove(k.as_ref()).is_some()).count())
        })
    }

    /// `EXISTS key [key ...]`: how many of the keys exist (a key named
    /// twice counts twice). Counts hits and misses but, as Redis's
    /// EXISTS, does not touch the access time.
    pub fn exists<K: AsRef<[u8]>>(&mut self, keys: &[K]) -> usize {
        self.fast(|ctx| {
            let db = ctx.db();
            match keys {
                [k] => ctx.lock_key(false, k.as_ref()),
                _ => ctx.lock_keys(false, keys.iter().map(|k| (db, k.as_ref()))),
            }
            keys.iter().filter(|k| ctx.read_notouch(k.as_ref()).is_some()).count()
        })
    }

    /// `INCRBY key n`: the new value. The result is stored int-encoded,
    /// keeping the key's expiry, as Redis does.
    pub fn incr_by(&mut self, key: &[u8], n: i64) -> Result<i64, Error> {
        self.fast_w(|ctx| {
            ctx.lock_key(true, key);
            let Some(slot) = ctx.write(key) else {
                ctx.insert(key, Value::string(n.to_string()), None);
                return Ok(n);
            };
            if slot.kind() != Kind::String {
                return Err(wrongtype());
            }
            let old = slot.as_str().and_then(parse_i64).ok_or(Error::new(errors::NOT_INTEGER))?;
            let new = old.checked_add(n).ok_or(Error::new(errors::OVERFLOW))?;
            // `Value::string` of a canonical integer is int-encoded.
            slot.set_value(Value::string(new.to_string()));
            Ok(new)
        })
    }

    /// `MGET key [key ...]`: a value per key; missing keys and keys of
    /// another type are `None`.
    pub fn mget<K: AsRef<[u8]>>(&mut self, keys: &[K]) -> Result<Vec<Option<Vec<u8>>>, Error> {
        self.fast(|ctx| {
            let db = ctx.db();
            ctx.lock_keys(false, keys.iter().map(|k| (db, k.as_ref())));
            Ok(keys.iter().map(|k| ctx.read(k.as_ref()).and_then(|s| s.as_str()).map(<[u8]>::to_vec)).collect())
        })
    }

    /// `PEXPIRE key ms`: true if the key exists (an expiry at or before
    /// now deletes it, as Redis does). Negative `ms` is allowed.
    pub fn expire(&mut self, key: &[u8], ms: i64) -> Result<bool, Error> {
        self.fast_w(|ctx| {
            let at = deadline(ctx.now(), ms, "pexpire")?;
            ctx.lock_key(true, key);
            // A write lookup, as Redis's: lazily expires, touches the LRU.
            if ctx.write(key).is_none() {
                return Ok(false);
            }
            Ok(ctx.set_expire(key, Some(at.max(0) as u64)))
        })
    }
}

impl Store {
    /// `GET key` on database 0.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        self.session().get(key)
    }

    /// `SET key value` on database 0.
    pub fn set(&self, key: &[u8], value: &[u8]) -> Result<(), Error> {
        self.session().set(key, value)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::{Config, ManualClock};
    use crate::reply::Reply;

    fn store() -> (Store, Arc<ManualClock>) {
        let clock = ManualClock::new(1_000_000);
        (Store::open(Config::default().clock(clock.clone())), clock)
    }

    fn hits_misses(s: &Store) -> (u64, u64) {
        let i = &s.inner;
        (i.stats_sum(|x| &x.hits), i.stats_sum(|x| &x.misses))
    }

    fn lru(s: &Session, key: &[u8]) -> Option<u32> {
        let inner = &s.store().inner;
        let h = inner.hash(key);
        let shard = inner.shards[inner.shard_of(s.db(), h)].read();
        shard.get(key, h).map(|slot| slot.lru())
    }

    fn enc(s: &Session, key: &[u8]) -> Option<crate::value::StrEnc> {
        let inner = &s.store().inner;
        let h = inner.hash(key);
        let shard = inner.shards[inner.shard_of(s.db(), h)].read();
        shard.get(key, h).map(|slot| slot.str_enc())
    }

    /// GET through the fast path and through `execute` agree, including on
    /// stats and the LRU touch.
    fn same_get(s: &mut Session, key: &[u8]) {
        let st = s.store().clone();
        let before = hits_misses(&st);
        let slow = s.execute(&[&b"GET"[..], key]);
        let mid = hits_misses(&st);
        let fast = s.get(key);
        let after = hits_misses(&st);
        let fast: Reply = match fast {
            Ok(v) => v.into(),
            Err(e) => e.into(),
        };
        assert_eq!(fast, slow);
        assert_eq!((mid.0 - before.0, mid.1 - before.1), (after.0 - mid.0, after.1 - mid.1));
    }

    #[test]
    fn get_matches_execute() {
        let (st, clock) = store();
        let mut s = st.session();
        same_get(&mut s, b"missing");
        s.execute(&["SET", "k", "v"]);
        same_get(&mut s, b"k");
        s.set_ex(b"t", b"x", 100).unwrap();
        same_get(&mut s, b"t");
        clock.advance(101);
        same_get(&mut s, b"t");
        assert_eq!(s.get(b"t"), Ok(None));
        assert_eq!(s.get(b"k"), Ok(Some(b"v".to_vec())));
    }

    #[test]
    fn get_touches_lru() {
        let (st, clock) = store();
        let mut s = st.session();
        s.set(b"k", b"v").unwrap();
        let t0 = lru(&s, b"k").unwrap();
        clock.advance(5_000);
        s.get(b"k").unwrap();
        assert_eq!(lru(&s, b"k"), Some(t0 + 5));
        clock.advance(5_000);
        s.exists(&[b"k"]);
        assert_eq!(lru(&s, b"k"), Some(t0 + 5), "EXISTS does not touch");
    }

    #[test]
    fn set_matches_execute() {
        let (st, _) = store();
        let mut a = st.session();
        for v in [&b"12345"[..], b"-0", b"hello", &[b'x'; 44], &[b'x'; 45], &[b'x'; 100], b"\xff\x00"] {
            a.execute(&[&b"SET"[..], b"slow", v]);
            a.set(b"fast", v).unwrap();
            assert_eq!(a.execute(&[&b"GET"[..], b"fast"]), a.execute(&[&b"GET"[..], b"slow"]));
            assert_eq!(enc(&a, b"fast"), enc(&a, b"slow"));
            assert_eq!(enc(&a, b"fast"), Some(crate::value::StrEnc::for_value(v)));
        }
    }

    #[test]
    fn set_drops_ttl_and_set_ex_sets_it() {
        let (st, clock) = store();
        let mut s = st.session();
        s.set_ex(b"k", b"v", 1000).unwrap();
        let expire_of = |s: &Session, k: &[u8]| {
            let inner = &s.store().inner;
            let h = inner.hash(k);
            let g = inner.shards[inner.shard_of(0, h)].read();
            g.get(k, h).and_then(|x| x.expire_at())
        };
        assert_eq!(expire_of(&s, b"k"), Some(1_001_000));
        s.set(b"k", b"w").unwrap();
        assert_eq!(expire_of(&s, b"k"), None);
        clock.advance(2000);
        assert_eq!(s.get(b"k"), Ok(Some(b"w".to_vec())));
        let e = s.set_ex(b"k", b"v", 0).unwrap_err();
        assert_eq!(e.text(), "ERR invalid expire time in 'set' command");
        assert_eq!(s.set_ex(b"k", b"v", u64::MAX).unwrap_err(), e);
        assert_eq!(s.set_ex(b"k", b"v", i64::MAX as u64).unwrap_err(), e);
        assert_eq!(s.get(b"k"), Ok(Some(b"w".to_vec())), "a failed SET changes nothing");
    }

    #[test]
    fn del_and_exists() {
        let (st, clock) = store();
        let mut s = st.session();
        for i in 0..20 {
            s.set(format!("k{i}").as_bytes(), b"v").unwrap();
        }
        s.set_ex(b"t", b"v", 10).unwrap();
        let keys: Vec<String> = (0..20).map(|i| format!("k{i}")).collect();
        let (h0, m0) = hits_misses(&st);
        assert_eq!(s.exists(&["k1", "k1", "nope", "t"]), 3);
        assert_eq!(hits_misses(&st), (h0 + 3, m0 + 1));
        clock.advance(11);
        assert_eq!(s.exists(&["t"]), 0);
        assert_eq!(s.del(&["t"]), Ok(0), "an expired key is not counted");
        assert_eq!(s.del(&keys[..5]), Ok(5));
        assert_eq!(s.del(&["k0", "k5", "k5", "x"]), Ok(1), "duplicates delete once");
        assert_eq!(s.exists(&keys), 14);
        assert_eq!(s.execute(&["GET", "k6"]), Reply::bulk("v"));
        assert_eq!(s.execute(&["GET", "k4"]), Reply::Nil);
        assert_eq!(st.dbsize(0), 14);
    }

    #[test]
    fn incr_by() {
        let (st, clock) = store();
        let mut s = st.session();
        assert_eq!(s.incr_by(b"n", 5), Ok(5));
        assert_eq!(s.incr_by(b"n", -7), Ok(-2));
        assert_eq!(s.execute(&["GET", "n"]), Reply::bulk("-2"));
        assert_eq!(enc(&s, b"n"), Some(crate::value::StrEnc::Int));
        // a raw string holding a number becomes int-encoded, as INCR makes it
        s.execute(&["SET", "r", "10"]);
        assert_eq!(s.incr_by(b"r", 1), Ok(11));
        assert_eq!(enc(&s, b"r"), Some(crate::value::StrEnc::Int));
        for bad in [&b"abc"[..], b" 1", b"01", b"1.5", b"", b"99999999999999999999"] {
            s.execute(&[&b"SET"[..], b"b", bad]);
            assert_eq!(s.incr_by(b"b", 1).unwrap_err().text(), errors::NOT_INTEGER);
            assert_eq!(s.execute(&[&b"GET"[..], b"b"]), Reply::bulk(bad), "unchanged");
        }
        s.set(b"m", i64::MAX.to_string().as_bytes()).unwrap();
        let e = s.incr_by(b"m", 1).unwrap_err();
        assert_eq!((e.prefix(), e.text()), ("ERR", errors::OVERFLOW));
        s.set(b"m", i64::MIN.to_string().as_bytes()).unwrap();
        assert_eq!(s.incr_by(b"m", -1).unwrap_err().text(), errors::OVERFLOW);
        assert_eq!(s.incr_by(b"m", i64::MAX), Ok(-1));
        // keeps the TTL; an expired key starts from 0
        s.set_ex(b"t", b"1", 100).unwrap();
        assert_eq!(s.incr_by(b"t", 1), Ok(2));
        clock.advance(50);
        assert_eq!(s.get(b"t"), Ok(Some(b"2".to_vec())));
        clock.advance(51);
        assert_eq!(s.incr_by(b"t", 1), Ok(1));
        clock.advance(1_000_000);
        assert_eq!(s.get(b"t"), Ok(Some(b"1".to_vec())), "the new key is persistent");
    }

    #[test]
    fn mget() {
        let (st, clock) = store();
        let mut s = st.session();
        s.set(b"a", b"1").unwrap();
        s.set_ex(b"t", b"2", 5).unwrap();
        let (h0, m0) = hits_misses(&st);
        assert_eq!(
            s.mget(&["a", "x", "t", "a"]),
            Ok(vec![Some(b"1".to_vec()), None, Some(b"2".to_vec()), Some(b"1".to_vec())])
        );
        assert_eq!(hits_misses(&st), (h0 + 3, m0 + 1));
        clock.advance(6);
        assert_eq!(s.mget(&["t"]), Ok(vec![None]));
        let keys: Vec<Vec<u8>> = (0..100).map(|i| format!("key:{i}").into_bytes()).collect();
        for k in &keys {
            s.set(k, k).unwrap();
        }
        let got = s.mget(&keys).unwrap();
        for (k, v) in keys.iter().zip(got) {
            assert_eq!(Reply::from(v), s.execute(&[&b"GET"[..], k]));
        }
    }

    #[test]
    fn expire() {
        let (st, clock) = store();
        let mut s = st.session();
        assert_eq!(s.expire(b"nope", 100), Ok(false));
        s.set(b"k", b"v").unwrap();
        assert_eq!(s.expire(b"k", 100), Ok(true));
        clock.advance(100);
        assert_eq!(s.get(b"k"), Ok(Some(b"v".to_vec())));
        clock.advance(1);
        assert_eq!(s.get(b"k"), Ok(None));
        assert_eq!(s.execute(&["GET", "k"]), Reply::Nil);
        assert_eq!(s.expire(b"k", 100), Ok(false), "expired keys are absent");
        // zero or negative deletes the key at once
        s.set(b"k", b"v").unwrap();
        assert_eq!(s.expire(b"k", 0), Ok(true));
        assert_eq!(st.dbsize(0), 0);
        s.set(b"k", b"v").unwrap();
        assert_eq!(s.expire(b"k", i64::MIN), Ok(true));
        assert_eq!(s.exists(&["k"]), 0);
        s.set(b"k", b"v").unwrap();
        let e = s.expire(b"k", i64::MAX).unwrap_err();
        assert_eq!(e.text(), "ERR invalid expire time in 'pexpire' command");
        assert_eq!(s.exists(&["k"]), 1);
        assert_eq!(s.expire(b"missing", i64::MAX).unwrap_err(), e, "overflow is checked first");
    }

    #[test]
    fn commands_are_counted() {
        let (st, _) = store();
        let mut s = st.session();
        let n0 = st.inner.commands.sum();
        s.set(b"k", b"v").unwrap();
        s.get(b"k").unwrap();
        s.del(&["k"]).unwrap();
        assert_eq!(st.inner.commands.sum(), n0 + 3);
    }

    #[test]
    fn store_conveniences_and_db() {
        let (st, _) = store();
        st.set(b"k", b"v").unwrap();
        assert_eq!(st.get(b"k"), Ok(Some(b"v".to_vec())));
        let mut s = st.session();
        s.state.db = 3;
        assert_eq!(s.get(b"k"), Ok(None), "fast paths use the selected database");
        s.set(b"k", b"three").unwrap();
        assert_eq!(st.get(b"k"), Ok(Some(b"v".to_vec())));
    }

    #[test]
    fn error_type() {
        let e = Error::new(errors::WRONGTYPE);
        assert_eq!(e.prefix(), "WRONGTYPE");
        assert_eq!(e.to_string(), errors::WRONGTYPE);
        let r: Reply = e.clone().into();
        assert_eq!(r, Reply::error(errors::WRONGTYPE));
        assert_eq!(Error::try_from(r), Ok(e));
        assert_eq!(Error::from_reply(Reply::ok()), Err(Reply::ok()));
        let boxed: Box<dyn std::error::Error> = Box::new(Error::new(errors::SYNTAX));
        assert_eq!(boxed.to_string(), "ERR syntax error");
    }
}
