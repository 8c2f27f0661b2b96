//! Typed fast paths for list commands.

use super::{arity, log_args, Error, Spec};
use crate::cmd::lists::{pop_items, pop_one, push_values, read_list};
use crate::errors;
use crate::persist::log::Records;
use crate::session::Session;
use crate::types::list::End;

static LPUSH: Spec = Spec::new("lpush");
static RPUSH: Spec = Spec::new("rpush");
static LPUSHX: Spec = Spec::new("lpushx");
static RPUSHX: Spec = Spec::new("rpushx");
static LPOP: Spec = Spec::new("lpop");
static RPOP: Spec = Spec::new("rpop");
static LLEN: Spec = Spec::new("llen");

impl Session {
    fn push<V: AsRef<[u8]>>(
        &mut self,
        spec: &'static Spec,
        key: &[u8],
        values: &[V],
        end: End,
        x: bool,
    ) -> Result<usize, Error> {
        if values.is_empty() {
            return Err(arity(spec.name));
        }
        let log = |&n: &usize, recs: &mut Records, db| {
            if n > 0 {
                log_args(recs, db, spec.name.as_bytes(), key, values);
            }
        };
        self.keyed_log(spec, key, |ctx| push_values(ctx, key, values, end, x), Some(log))
    }

    /// `LPUSH key value [value ...]`: the list's new length. Wakes a caller
    /// blocked on the key (BLPOP, ...).
    pub fn lpush<V: AsRef<[u8]>>(&mut self, key: &[u8], values: &[V]) -> Result<usize, Error> {
        self.push(&LPUSH, key, values, End::Left, false)
    }

    /// `RPUSH key value [value ...]`: the list's new length.
    pub fn rpush<V: AsRef<[u8]>>(&mut self, key: &[u8], values: &[V]) -> Result<usize, Error> {
        self.push(&RPUSH, key, values, End::Right, false)
    }

    /// `LPUSHX key value [value ...]`: the new length, 0 (nothing pushed)
    /// if the key does not exist.
    pub fn lpushx<V: AsRef<[u8]>>(&mut self, key: &[u8], values: &[V]) -> Result<usize, Error> {
        self.push(&LPUSHX, key, values, End::Left, true)
    }

    /// `RPUSHX key value [value ...]`.
    pub fn rpushx<V: AsRef<[u8]>>(&mut self, key: &[u8], values: &[V]) -> Result<usize, Error> {
        self.push(&RPUSHX, key, values, End::Right, true)
    }

    /// `LPOP key`: the first element, None if the key does not exist.
    pub fn lpop(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        self.keyed_log(&LPOP, key, |ctx| pop_one(ctx, key, End::Left), Some(log_pop_one(b"LPOP", key)))
    }

    /// `RPOP key`: the last element.
    pub fn rpop(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        self.keyed_log(&RPOP, key, |ctx| pop_one(ctx, key, End::Right), Some(log_pop_one(b"RPOP", key)))
    }

    fn pop_count(
        &mut self,
        spec: &'static Spec,
        key: &[u8],
        count: usize,
        end: End,
    ) -> Result<Option<Vec<Vec<u8>>>, Error> {
        // The count travels as a non-negative 64-bit integer in Redis.
        if i64::try_from(count).is_err() {
            return self.refused(Error::new(errors::MUST_BE_POSITIVE));
        }
        let log = |popped: &Option<Vec<Vec<u8>>>, recs: &mut Records, db| {
            if let Some(n) = popped.as_ref().map(Vec::len).filter(|&n| n > 0) {
                log_args(recs, db, spec.name.as_bytes(), key, &[n.to_string()]);
            }
        };
        self.keyed_log(spec, key, |ctx| pop_items(ctx, key, end, count), Some(log))
    }

    /// `LPOP key count`: up to `count` elements from the head, in pop
    /// order; None if the key does not exist (Redis's null array).
    pub fn lpop_count(&mut self, key: &[u8], count: usize) -> Result<Option<Vec<Vec<u8>>>, Error> {
        self.pop_count(&LPOP, key, count, End::Left)
    }

    /// `RPOP key count`: up to `count` elements from the tail.
    pub fn rpop_count(&mut self, key: &[u8], count: usize) -> Result<Option<Vec<Vec<u8>>>, Error> {
        self.pop_count(&RPOP, key, count, End::Right)
    }

    /// `LLEN key`: 0 if the key does not exist.
    pub fn llen(&mut self, key: &[u8]) -> Result<usize, Error> {
        self.keyed(&LLEN, key, |ctx| Ok(read_list(ctx, key)?.map_or(0, |l| l.len())))
    }
}

/// Logs a single pop that popped something as `name key`.
fn log_pop_one<'k>(name: &'static [u8], key: &'k [u8]) -> impl FnOnce(&Option<Vec<u8>>, &mut Records, usize) + 'k {
    move |popped, recs, db| {
        if popped.is_some() {
            log_args::<&[u8]>(recs, db, name, key, &[]);
        }
    }
}
