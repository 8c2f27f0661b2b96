//! Typed fast paths for hash commands, on the hash commands' own access
//! helpers (`cmd::hashes`): reads see the fields live at the command's
//! time; writes first drop the expired fields of the hash they touch,
//! delete the key when no field is left, and hand a new earliest field
//! expiry to the active sweep.

use smallvec::SmallVec;

use super::{arity, log_args, Error, Spec};
use crate::cmd::hashes::{clock, field_value, read_hash, with_hash};
use crate::persist::log::Records;
use crate::session::Session;

static HGET: Spec = Spec::new("hget");
static HSET: Spec = Spec::new("hset");
static HDEL: Spec = Spec::new("hdel");
static HLEN: Spec = Spec::new("hlen");
static HEXISTS: Spec = Spec::new("hexists");

impl Session {
    /// `HGET key field`.
    pub fn hget(&mut self, key: &[u8], field: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        self.keyed(&HGET, key, |ctx| Ok(field_value(ctx, key, field)?.map(<[u8]>::to_vec)))
    }

    /// `HEXISTS key field`.
    pub fn hexists(&mut self, key: &[u8], field: &[u8]) -> Result<bool, Error> {
        self.keyed(&HEXISTS, key, |ctx| Ok(field_value(ctx, key, field)?.is_some()))
    }

    /// `HLEN key`: live fields, 0 if the key does not exist.
    pub fn hlen(&mut self, key: &[u8]) -> Result<usize, Error> {
        self.keyed(&HLEN, key, |ctx| {
            let h = read_hash(ctx, key)?;
            Ok(h.map_or(0, |h| h.len(clock(ctx, Some(h)))))
        })
    }

    /// `HSET key field value [field value ...]`: how many fields were new.
    /// Overwriting a field clears its expiry, as in Redis 7.4.
    pub fn hset<F: AsRef<[u8]>, V: AsRef<[u8]>>(&mut self, key: &[u8], pairs: &[(F, V)]) -> Result<usize, Error> {
        if pairs.is_empty() {
            return Err(arity("hset"));
        }
        let log = |_: &usize, recs: &mut Records, db| {
            let a: Vec<&[u8]> = pairs.iter().flat_map(|(f, v)| [f.as_ref(), v.as_ref()]).collect();
            log_args(recs, db, b"HSET", key, &a);
        };
        let set = |ctx: &mut crate::keyspace::Ctx<'_>| {
            let added = with_hash(ctx, key, true, |h, _| {
                let all: SmallVec<[&[u8]; 8]> = pairs.iter().flat_map(|(f, v)| [f.as_ref(), v.as_ref()]).collect();
                h.convert_if_needed(&all);
                pairs.iter().filter(|(f, v)| h.set(f.as_ref(), v.as_ref(), false)).count()
            })?;
            Ok(added.unwrap_or(0))
        };
        self.keyed_log(&HSET, key, set, Some(log))
    }

    /// `HDEL key field [field ...]`: how many fields were removed.
    pub fn hdel<F: AsRef<[u8]>>(&mut self, key: &[u8], fields: &[F]) -> Result<usize, Error> {
        if fields.is_empty() {
            return Err(arity("hdel"));
        }
        // Logged even if no field was named: the write dropped the
        // hash's expired fields, as its replay at the same time will.
        let log = |_: &usize, recs: &mut Records, db| log_args(recs, db, b"HDEL", key, fields);
        let del = |ctx: &mut crate::keyspace::Ctx<'_>| {
            Ok(with_hash(ctx, key, false, |h, _| fields.iter().filter(|f| h.remove(f.as_ref())).count())?.unwrap_or(0))
        };
        self.keyed_log(&HDEL, key, del, Some(log))
    }
}
