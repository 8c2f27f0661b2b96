//! Typed fast paths for sorted-set commands.

use super::{arity, log_args, Error, Spec, ZAddFlags};
use crate::cmd::zsets::range::rank_span;
use crate::cmd::zsets::{add_pairs, get, remove_members, AddOutcome};
use crate::errors;
use crate::persist::log::Records;
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

/// A score as text that parses back to the same double (Rust's shortest
/// round-trip form, in exponent form if long; `inf`/`-inf` as Redis
/// reads them).
fn score_text(s: f64) -> Vec<u8> {
    let plain = format!("{s}");
    // 1e300 is 301 digits plainly.
    if plain.len() <= 24 { plain } else { format!("{s:e}") }.into_bytes()
}

/// ZADD INCR / ZINCRBY logged as the score they produced (`ZADD key score
/// member`), so replay does not redo the float addition.
fn log_incr<'k>(key: &'k [u8], member: &'k [u8]) -> impl FnOnce(&AddOutcome, &mut Records, usize) + 'k {
    move |out, recs, db| {
        if let (Some(s), true) = (out.last, out.added + out.updated > 0) {
            log_args(recs, db, b"ZADD", key, &[score_text(s), member.to_vec()]);
        }
    }
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
        let log = |out: &AddOutcome, recs: &mut Records, db| {
            if out.added + out.updated == 0 {
                return;
            }
            let opts = [(f.nx, "NX"), (f.xx, "XX"), (f.gt, "GT"), (f.lt, "LT")];
            let mut a: Vec<Vec<u8>> = opts.iter().filter(|o| o.0).map(|o| o.1.as_bytes().to_vec()).collect();
            for (s, m) in pairs {
                a.push(score_text(*s));
                a.push(m.as_ref().to_vec());
            }
            log_args(recs, db, b"ZADD", key, &a);
        };
        let out = self.keyed_log(&ZADD, key, |ctx| add_pairs(ctx, key, f, pairs), Some(log))?;
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
        Ok(self
            .keyed_log(&ZADD, key, |ctx| add_pairs(ctx, key, f, &[(increment, member)]), Some(log_incr(key, member)))?
            .last)
    }

    /// `ZINCRBY key increment member`: the new score.
    pub fn zincrby(&mut self, key: &[u8], increment: f64, member: &[u8]) -> Result<f64, Error> {
        let f = ZAddFlags { incr: true, ..ZAddFlags::default() };
        if let Err(e) = check_pairs(f, &[(increment, member)]) {
            return self.refused(e);
        }
        let out = self.keyed_log(
            &ZINCRBY,
            key,
            |ctx| add_pairs(ctx, key, f, &[(increment, member)]),
            Some(log_incr(key, member)),
        )?;
        out.last.ok_or(Error::new(errors::INTERNAL))
    }

    /// `ZREM key member [member ...]`: how many members were removed.
    pub fn zrem<M: AsRef<[u8]>>(&mut self, key: &[u8], members: &[M]) -> Result<usize, Error> {
        if members.is_empty() {
            return Err(arity("zrem"));
        }
        let log = |&n: &usize, recs: &mut Records, db| {
            if n > 0 {
                log_args(recs, db, b"ZREM", key, members);
            }
        };
        self.keyed_log(&ZREM, key, |ctx| remove_members(ctx, key, members), Some(log))
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
