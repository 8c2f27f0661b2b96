//! Typed fast paths for set commands.

use super::{arity, log_args, Error, Spec};
use crate::cmd::sets::{add_members, read_set, remove_members};
use crate::persist::log::Records;
use crate::session::Session;

static SADD: Spec = Spec::new("sadd");
static SREM: Spec = Spec::new("srem");
static SISMEMBER: Spec = Spec::new("sismember");
static SCARD: Spec = Spec::new("scard");

impl Session {
    /// `SADD key member [member ...]`: how many members were new.
    pub fn sadd<M: AsRef<[u8]>>(&mut self, key: &[u8], members: &[M]) -> Result<usize, Error> {
        if members.is_empty() {
            return Err(arity("sadd"));
        }
        let log = |&n: &usize, recs: &mut Records, db| {
            if n > 0 {
                log_args(recs, db, b"SADD", key, members);
            }
        };
        self.keyed_log(&SADD, key, |ctx| add_members(ctx, key, members), Some(log))
    }

    /// `SREM key member [member ...]`: how many members were removed.
    pub fn srem<M: AsRef<[u8]>>(&mut self, key: &[u8], members: &[M]) -> Result<usize, Error> {
        if members.is_empty() {
            return Err(arity("srem"));
        }
        let log = |&n: &usize, recs: &mut Records, db| {
            if n > 0 {
                log_args(recs, db, b"SREM", key, members);
            }
        };
        self.keyed_log(&SREM, key, |ctx| remove_members(ctx, key, members), Some(log))
    }

    /// `SISMEMBER key member`.
    pub fn sismember(&mut self, key: &[u8], member: &[u8]) -> Result<bool, Error> {
        self.keyed(&SISMEMBER, key, |ctx| Ok(read_set(ctx, key)?.is_some_and(|s| s.contains(member))))
    }

    /// `SCARD key`: 0 if the key does not exist.
    pub fn scard(&mut self, key: &[u8]) -> Result<usize, Error> {
        self.keyed(&SCARD, key, |ctx| Ok(read_set(ctx, key)?.map_or(0, |s| s.len())))
    }
}
