//! Typed fast paths for hash commands. They use only the public API of
//! [`Hash`] and follow the hash commands' rules: reads see the fields live
//! at the command's time; writes first drop the expired fields of the hash
//! they touch, delete the key when no field is left, and hand a new
//! earliest field expiry to the active sweep.

use smallvec::SmallVec;

use super::{arity, Error, Spec};
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::session::Session;
use crate::types::hash::Hash;
use crate::value::{Value, ValueRef};

static HGET: Spec = Spec::new("hget");
static HSET: Spec = Spec::new("hset");
static HDEL: Spec = Spec::new("hdel");
static HLEN: Spec = Spec::new("hlen");
static HEXISTS: Spec = Spec::new("hexists");

fn wrongtype_reply() -> Reply {
    Reply::error(errors::WRONGTYPE)
}

/// The hash at `key` for a read (hit/miss counted) and the time to judge
/// its fields by: the clock is read only if some field has an expiry.
fn read_hash<'c>(ctx: &'c Ctx<'_>, key: &[u8]) -> Result<Option<(&'c Hash, u64)>, Reply> {
    match ctx.read(key) {
        None => Ok(None),
        Some(s) => match s.value() {
            ValueRef::Other(Value::Hash(h)) => Ok(Some((h, if h.next_expiry().is_some() { ctx.now() } else { 0 }))),
            _ => Err(wrongtype_reply()),
        },
    }
}

fn write_hash<'c>(ctx: &'c mut Ctx<'_>, key: &[u8]) -> Result<Option<&'c mut Hash>, Reply> {
    match ctx.write(key) {
        None => Ok(None),
        Some(s) => match s.value_mut() {
            Some(Value::Hash(h)) => Ok(Some(h)),
            _ => Err(wrongtype_reply()),
        },
    }
}

/// Runs `f` on the hash at `key` for a write, as the hash commands do:
/// expired fields go first; with `create` a missing key gets an empty
/// hash; afterwards an empty hash is deleted and a new earliest field
/// expiry is handed to the sweep. `Ok(None)`: no hash (and not `create`).
fn with_hash<T>(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    create: bool,
    f: impl FnOnce(&mut Hash) -> T,
) -> Result<Option<T>, Reply> {
    let now = ctx.now();
    if create && ctx.write(key).is_none() {
        ctx.insert(key, Value::Hash(Box::default()), None);
    }
    let Some(h) = write_hash(ctx, key)? else { return Ok(None) };
    h.expire_due(now, usize::MAX);
    if h.is_empty(now) && !create {
        ctx.remove(key);
        return Ok(None);
    }
    let before = h.next_expiry();
    let out = f(h);
    let (empty, after) = (h.is_empty(now), h.next_expiry());
    if empty {
        ctx.remove(key);
    } else if let Some(t) = after.filter(|&t| Some(t) != before) {
        ctx.watch_sub_expiry(key, t);
    }
    Ok(Some(out))
}

impl Session {
    /// `HGET key field`.
    pub fn hget(&mut self, key: &[u8], field: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        self.keyed(&HGET, key, |ctx| {
            Ok(read_hash(ctx, key)?.and_then(|(h, now)| h.get(field, now)).map(<[u8]>::to_vec))
        })
    }

    /// `HEXISTS key field`.
    pub fn hexists(&mut self, key: &[u8], field: &[u8]) -> Result<bool, Error> {
        self.keyed(&HEXISTS, key, |ctx| Ok(read_hash(ctx, key)?.is_some_and(|(h, now)| h.get(field, now).is_some())))
    }

    /// `HLEN key`: live fields, 0 if the key does not exist.
    pub fn hlen(&mut self, key: &[u8]) -> Result<usize, Error> {
        self.keyed(&HLEN, key, |ctx| Ok(read_hash(ctx, key)?.map_or(0, |(h, now)| h.len(now))))
    }

    /// `HSET key field value [field value ...]`: how many fields were new.
    /// Overwriting a field clears its expiry, as in Redis 7.4.
    pub fn hset<F: AsRef<[u8]>, V: AsRef<[u8]>>(&mut self, key: &[u8], pairs: &[(F, V)]) -> Result<usize, Error> {
        if pairs.is_empty() {
            return Err(arity("hset"));
        }
        self.keyed(&HSET, key, |ctx| {
            let added = with_hash(ctx, key, true, |h| {
                let all: SmallVec<[&[u8]; 8]> = pairs.iter().flat_map(|(f, v)| [f.as_ref(), v.as_ref()]).collect();
                h.convert_if_needed(&all);
                pairs.iter().filter(|(f, v)| h.set(f.as_ref(), v.as_ref(), false)).count()
            })?;
            Ok(added.unwrap_or(0))
        })
    }

    /// `HDEL key field [field ...]`: how many fields were removed.
    pub fn hdel<F: AsRef<[u8]>>(&mut self, key: &[u8], fields: &[F]) -> Result<usize, Error> {
        if fields.is_empty() {
            return Err(arity("hdel"));
        }
        self.keyed(&HDEL, key, |ctx| {
            Ok(with_hash(ctx, key, false, |h| fields.iter().filter(|f| h.remove(f.as_ref())).count())?.unwrap_or(0))
        })
    }
}
