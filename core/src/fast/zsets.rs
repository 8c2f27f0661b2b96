//! Typed fast paths for sorted-set commands.

use super::{arity, Error, Spec, ZAddFlags};
use crate::cmd::zsets::range::rank_span;
use crate::cmd::zsets::{add_pairs, get, remove_members};
use crate::errors;
use crate::session::Session;
use crate::types::zset::ZSet;

static ZADD: Spec = Spec::new("zadd");
static ZINCRBY: Spec = Spec::new("zincrby");
static ZREM: Spec = Spec::new("zrem");
static ZSCORE: Spec = Spec::new("zscore");
static ZRANK: Spec = Spec::new("zrank");
static ZREVRANK: Spec = Spec::new("zrevrank");
static ZCARD: Spec = Spec::new("zcard");
static ZRANGE: Spec = Spec::new("zrange");

/// ZADD's checks on typed arguments, in Redis's order: fewer than four
/// arguments is an arity error, no pair after the options a syntax error,
/// then option conflicts, then scores (a NaN score is what `nan` as text
/// is: not a valid float).
fn check_pairs<M>(f: ZAddFlags, pairs: &[(f64, M)]) -> Result<(), Error> {
    if pairs.is_empty() {
        let options = [f.nx, f.xx, f.gt, f.lt, f.ch, f.incr].iter().filter(|&&o| o).count();
        return Err(if options < 2 { arity("zadd") } else { Error::new(errors::SYNTAX) });
    }
    f.check(pairs.len()).map_err(super::to_error)?;
    if pairs.iter().any(|p| p.0.is_nan()) {
        return Err(Error::new(errors::NOT_FLOAT));
    }
    Ok(())
}

/// The ascending ranks `start..end` that ZRANGE's inclusive, possibly
/// negative `start`/`stop` select.
fn span(z: &ZSet, start: i64, stop: i64) -> (usize, usize) {
    rank_span(start, stop, z.len()).unwrap_or((0, 0))
}

impl Session {
    /// `ZADD key score member`: true if the member was added (false: its
    /// score was updated, or it already had this score).
    pub fn zadd(&mut self, key: &[u8], score: f64, member: &[u8]) -> Result<bool, Error> {
        Ok(self.zadd_with(key, ZAddFlags::default(), &[(score, member)])? == 1)
    }

    /// `ZADD key [NX|XX] [GT|LT] [CH] score member [score member ...]`: the
    /// number of members added (with `ch`, added or changed). `flags.incr`
    /// is ignored: ZADD INCR is [`Session::zadd_incr`].
    pub fn zadd_with<M: AsRef<[u8]>>(
        &mut self,
        key: &[u8],
        flags: ZAddFlags,
        pairs: &[(f64, M)],
    ) -> Result<usize, Error> {
        let f = ZAddFlags { incr: false, ..flags };
        if let Err(e) = check_pairs(f, pairs) {
            return self.refused(e);
        }
        let out = self.keyed(&ZADD, key, |ctx| add_pairs(ctx, key, f, pairs))?;
        Ok(if f.ch { out.added + out.updated } else { out.added })
    }

    /// `ZADD key [NX|XX] [GT|LT] INCR increment member`: the new score, or
    /// None when the options made ZADD skip the member.
    pub fn zadd_incr(
        &mut self,
        key: &[u8],
        flags: ZAddFlags,
        increment: f64,
        member: &[u8],
    ) -> Result<Option<f64>, Error> {
        let f = ZAddFlags { incr: true, ..flags };
        if let Err(e) = check_pairs(f, &[(increment, member)]) {
            return self.refused(e);
        }
        Ok(self.keyed(&ZADD, key, |ctx| add_pairs(ctx, key, f, &[(increment, member)]))?.last)
    }

    /// `ZINCRBY key increment member`: the new score.
    pub fn zincrby(&mut self, key: &[u8], increment: f64, member: &[u8]) -> Result<f64, Error> {
        let f = ZAddFlags { incr: true, ..ZAddFlags::default() };
        if let Err(e) = check_pairs(f, &[(increment, member)]) {
            return self.refused(e);
        }
        let out = self.keyed(&ZINCRBY, key, |ctx| add_pairs(ctx, key, f, &[(increment, member)]))?;
        out.last.ok_or(Error::new(errors::INTERNAL))
    }

    /// `ZREM key member [member ...]`: how many members were removed.
    pub fn zrem<M: AsRef<[u8]>>(&mut self, key: &[u8], members: &[M]) -> Result<usize, Error> {
        if members.is_empty() {
            return Err(arity("zrem"));
        }
        self.keyed(&ZREM, key, |ctx| remove_members(ctx, key, members))
    }

    /// `ZSCORE key member`.
    pub fn zscore(&mut self, key: &[u8], member: &[u8]) -> Result<Option<f64>, Error> {
        self.keyed(&ZSCORE, key, |ctx| Ok(get(ctx, key)?.and_then(|z| z.score(member))))
    }

    /// `ZRANK key member`: the member's 0-based rank by ascending score.
    pub fn zrank(&mut self, key: &[u8], member: &[u8]) -> Result<Option<usize>, Error> {
        self.keyed(&ZRANK, key, |ctx| Ok(get(ctx, key)?.and_then(|z| z.rank(member)).map(|r| r.0)))
    }

    /// `ZREVRANK key member`: the rank by descending score.
    pub fn zrevrank(&mut self, key: &[u8], member: &[u8]) -> Result<Option<usize>, Error> {
        self.keyed(&ZREVRANK, key, |ctx| Ok(get(ctx, key)?.and_then(|z| z.rank(member).map(|r| z.len() - 1 - r.0))))
    }

    /// `ZCARD key`: 0 if the key does not exist.
    pub fn zcard(&mut self, key: &[u8]) -> Result<usize, Error> {
        self.keyed(&ZCARD, key, |ctx| Ok(get(ctx, key)?.map_or(0, |z| z.len())))
    }

    /// `ZRANGE key start stop`: the members of ranks `start..=stop`
    /// (negative ranks count from the end), in ascending order.
    pub fn zrange(&mut self, key: &[u8], start: i64, stop: i64) -> Result<Vec<Vec<u8>>, Error> {
        self.keyed(&ZRANGE, key, |ctx| {
            let mut out = Vec::new();
            if let Some(z) = get(ctx, key)? {
                let (s, e) = span(z, start, stop);
                out.reserve(e - s);
                z.for_range(s, e, |m, _| out.push(m.to_vec()));
            }
            Ok(out)
        })
    }

    /// `ZRANGE key start stop WITHSCORES`.
    pub fn zrange_withscores(&mut self, key: &[u8], start: i64, stop: i64) -> Result<Vec<(Vec<u8>, f64)>, Error> {
        self.keyed(&ZRANGE, key, |ctx| {
            let mut out = Vec::new();
            if let Some(z) = get(ctx, key)? {
                let (s, e) = span(z, start, stop);
                out.reserve(e - s);
                z.for_range(s, e, |m, sc| out.push((m.to_vec(), sc)));
            }
            Ok(out)
        })
    }
}
