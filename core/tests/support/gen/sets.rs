//! Set commands for the differential test, on the shared key space (so
//! they meet strings and other types: WRONGTYPE). Members come from a small
//! pool so that sets overlap and SINTER/SDIFF/SMOVE have work to do: integers
//! (intset), non-canonical numbers and short strings (a listpack in 7.2),
//! and one member longer than 64 bytes (a hashtable in both 7.0 and 7.2).
//! Sets stay small (the pool has ~25 members), so the thresholds by size
//! (128, 512) are left to the unit tests.
//!
//! Random commands (SPOP, SRANDMEMBER) are compared by `support/relaxed.rs`:
//! after an SPOP the reference is resynchronised to the members kv popped.

use super::{Cmd, Entry, Gen};

pub const TABLE: &[Entry] = &[
    ("sadd", 6, |g| g.cmd("SADD", &[]).keys(1, 1).members(1, 5).done()),
    ("srem", 3, |g| g.cmd("SREM", &[]).keys(1, 1).members(1, 3).done()),
    ("scard", 2, |g| g.cmd("SCARD", &[]).keys(1, 1).done()),
    ("sismember", 2, |g| g.cmd("SISMEMBER", &[]).keys(1, 1).members(1, 1).done()),
    ("smismember", 2, |g| g.cmd("SMISMEMBER", &[]).keys(1, 1).members(1, 4).done()),
    ("smembers", 3, |g| g.cmd("SMEMBERS", &[]).keys(1, 1).done()),
    ("smove", 3, |g| g.cmd("SMOVE", &[]).keys(2, 2).members(1, 1).done()),
    ("spop", 3, |g| {
        g.cmd("SPOP", &[]).keys(1, 1).opt(60, |g| g.pick(&["0", "1", "2", "3", "4", "10", "100", "-1", "x"])).done()
    }),
    ("srandmember", 3, |g| {
        g.cmd("SRANDMEMBER", &[])
            .keys(1, 1)
            .opt(70, |g| g.pick(&["0", "1", "2", "3", "10", "100", "-1", "-3", "-20", "x", "-9223372036854775808"]))
            .done()
    }),
    ("sinter", 2, |g| g.cmd("SINTER", &[]).keys(1, 3).done()),
    ("sunion", 2, |g| g.cmd("SUNION", &[]).keys(1, 3).done()),
    ("sdiff", 2, |g| g.cmd("SDIFF", &[]).keys(1, 3).done()),
    ("sinterstore", 2, |g| g.cmd("SINTERSTORE", &[]).keys(2, 4).done()),
    ("sunionstore", 2, |g| g.cmd("SUNIONSTORE", &[]).keys(2, 4).done()),
    ("sdiffstore", 2, |g| g.cmd("SDIFFSTORE", &[]).keys(2, 4).done()),
    ("sintercard", 2, sintercard),
    ("sscan", 2, sscan),
    ("object", 2, |g| g.cmd("OBJECT", &["ENCODING"]).keys(1, 1).done()),
];

impl Gen {
    /// A set member: mostly from a small pool, sometimes any value.
    fn member(&mut self) -> Vec<u8> {
        const POOL: &[&[u8]] = &[
            b"1",
            b"2",
            b"3",
            b"-5",
            b"100",
            b"9223372036854775807",
            b"-9223372036854775808",
            b"007",
            b"1.5",
            b"-0",
            b"a",
            b"b",
            b"c",
            b"x y",
            b"",
            b"\x00\xff",
            b"*",
            b"a?",
            b"member-0123456789-0123456789-0123456789-0123456789-0123456789-long",
        ];
        if self.rng.chance(90) {
            self.rng.pick(POOL).to_vec()
        } else {
            self.val()
        }
    }
}

impl super::B<'_> {
    fn members(mut self, min: usize, max: usize) -> Self {
        for _ in 0..self.g.rng.range(min as i64, max as i64) {
            let m = self.g.member();
            self.args.push(m);
        }
        self
    }
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit], numkeys mostly right.
fn sintercard(g: &mut Gen) -> Cmd {
    let n = g.rng.range(1, 3);
    let numkeys = if g.rng.chance(85) { n.to_string().into_bytes() } else { g.pick(&["0", "-1", "x", "4", "5"]) };
    let mut b = g.cmd("SINTERCARD", &[]).then(|_| numkeys).keys(n as usize, n as usize);
    if b.g.rng.chance(40) {
        b = b.then(|g| g.word(&["LIMIT"])).then(|g| g.pick(&["0", "1", "2", "5", "-1", "x"]));
    }
    b.done()
}

/// SSCAN key cursor [MATCH pattern] [COUNT count]; mostly from cursor 0
/// (compared as whole iterations).
fn sscan(g: &mut Gen) -> Cmd {
    let mut b = g.cmd("SSCAN", &[]).keys(1, 1).then(|g| {
        if g.rng.chance(85) {
            b"0".to_vec()
        } else {
            g.pick(&["x", "", "-1", "18446744073709551616", "7"])
        }
    });
    for _ in 0..b.g.rng.range(0, 2) {
        b = match b.g.rng.below(3) {
            0 => b.then(|g| g.word(&["MATCH"])).then(|g| g.pick(&["*", "a*", "?", "[0-9]*", "-*", "\\*", "*long"])),
            1 => b.then(|g| g.word(&["COUNT"])).then(|g| g.pick(&["1", "2", "10", "0", "-1", "x"])),
            _ => b.then(|g| g.word(&["TYPE", "NOVALUES", "junk"])),
        };
    }
    b.done()
}
