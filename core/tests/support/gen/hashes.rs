//! Hash commands for the differential test, on the shared key space (so
//! WRONGTYPE collisions with strings happen).
//!
//! Fields come from a small space with a few longer than 64 bytes (which
//! make a hash `hashtable`-encoded), and HSET sometimes adds many fields at
//! once so hashes pass the 512-field listpack limit (Redis's compiled-in
//! hash-max-listpack-entries) too.
//!
//! Not generated: the hash-field expiry commands (HEXPIRE, HPEXPIRE,
//! HEXPIREAT, HPEXPIREAT, HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME, HPERSIST)
//! and HSCAN's NOVALUES, which are Redis 7.4 while the reference server is
//! 7.0; tests/conformance/hashes.kvt covers them.

use super::{Entry, Gen};

pub const TABLE: &[Entry] = &[
    ("hset", 6, |g| {
        let mut b = g.cmd("HSET", &[]).keys(1, 1);
        for _ in 0..b.g.rng.range(1, 3) {
            b = b.then(|g| g.field()).then(|g| g.val());
        }
        let mut cmd = b.done();
        if g.rng.chance(4) {
            for i in 0..g.rng.range(20, 540) {
                cmd.push(format!("bulk{i}").into_bytes());
                cmd.push(i.to_string().into_bytes());
            }
        }
        cmd
    }),
    ("hmset", 1, |g| g.cmd("HMSET", &[]).keys(1, 1).then(|g| g.field()).then(|g| g.val()).done()),
    ("hsetnx", 2, |g| g.cmd("HSETNX", &[]).keys(1, 1).then(|g| g.field()).then(|g| g.val()).done()),
    ("hget", 3, |g| g.cmd("HGET", &[]).keys(1, 1).then(|g| g.field()).done()),
    ("hmget", 2, |g| g.cmd("HMGET", &[]).keys(1, 1).then(|g| g.field()).opt(50, |g| g.field()).done()),
    ("hdel", 3, |g| g.cmd("HDEL", &[]).keys(1, 1).then(|g| g.field()).opt(40, |g| g.field()).done()),
    ("hexists", 1, |g| g.cmd("HEXISTS", &[]).keys(1, 1).then(|g| g.field()).done()),
    ("hlen", 2, |g| g.cmd("HLEN", &[]).keys(1, 1).done()),
    ("hstrlen", 1, |g| g.cmd("HSTRLEN", &[]).keys(1, 1).then(|g| g.field()).done()),
    ("hgetall", 2, |g| g.cmd("HGETALL", &[]).keys(1, 1).done()),
    ("hkeys", 1, |g| g.cmd("HKEYS", &[]).keys(1, 1).done()),
    ("hvals", 1, |g| g.cmd("HVALS", &[]).keys(1, 1).done()),
    ("hincrby", 3, |g| g.cmd("HINCRBY", &[]).keys(1, 1).then(|g| g.field()).then(|g| g.int()).done()),
    ("hincrbyfloat", 2, |g| g.cmd("HINCRBYFLOAT", &[]).keys(1, 1).then(|g| g.field()).then(|g| g.val()).done()),
    ("hrandfield", 2, |g| {
        let b = g.cmd("HRANDFIELD", &[]).keys(1, 1);
        if b.g.rng.chance(30) {
            return b.done();
        }
        b.then(|g| g.pick(&["0", "1", "2", "5", "200", "-1", "-3", "-20", "x", "-9223372036854775808"]))
            .opt(50, |g| g.word(&["WITHVALUES", "junk"]))
            .done()
    }),
    ("hscan", 2, |g| {
        g.cmd("HSCAN", &[])
            .keys(1, 1)
            .then(|g| g.pick(&["0", "0", "0", "x", "-1"]))
            .opt(40, |g| g.word(&["MATCH"]))
            .opt(40, |g| g.pick(&["f*", "*", "bulk1?", "[ab]*"]))
            .opt(30, |g| g.word(&["COUNT"]))
            .opt(30, |g| g.pick(&["1000", "0", "-1", "x"]))
            .done()
    }),
];

impl Gen {
    /// A hash field: a small space (so fields collide), some binary, some
    /// longer than the 64-byte listpack limit.
    fn field(&mut self) -> Vec<u8> {
        const FIELDS: &[&[u8]] = &[
            b"f",
            b"f1",
            b"f2",
            b"a",
            b"b",
            b"",
            b"\x00\xff",
            b"bulk1",
            b"bulk10",
            b"a field name that is longer than sixty-four bytes, so hashtable!!",
        ];
        self.rng.pick(FIELDS).to_vec()
    }
}
