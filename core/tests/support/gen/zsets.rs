//! Sorted-set commands for the differential test, on the shared key space.
//!
//! Members come from a small set so that sets overlap (unions,
//! intersections, rank lookups hit); scores are mostly exactly
//! representable (small integers, halves, infinities) with a few awkward
//! ones (0.1, 1e300, -0) whose formatting differs between Redis 7.0 and
//! 7.2 (the comparison rules accept the same double in either form). A
//! ZADD now and then adds enough members (or one long enough) to convert
//! the set from listpack to skiplist. ZRANDMEMBER counts stay above
//! -1000000: a huge negative count crashes the 7.0 reference server.

use super::{Cmd, Entry, Gen, B};

pub const TABLE: &[Entry] = &[
    ("zadd", 8, zadd),
    ("zincrby", 2, |g| g.cmd("ZINCRBY", &[]).keys(1, 1).then(|g| g.zscore()).then(|g| g.zmember()).done()),
    ("zcard", 2, |g| g.cmd("ZCARD", &[]).keys(1, 1).done()),
    ("zscore", 2, |g| g.cmd("ZSCORE", &[]).keys(1, 1).then(|g| g.zmember()).done()),
    ("zmscore", 2, |g| g.cmd("ZMSCORE", &[]).keys(1, 1).zmembers(1, 4).done()),
    ("zrank", 2, |g| rank(g, "ZRANK")),
    ("zrevrank", 1, |g| rank(g, "ZREVRANK")),
    ("zrem", 3, |g| g.cmd("ZREM", &[]).keys(1, 1).zmembers(1, 4).done()),
    ("zpopmin", 2, |g| pop(g, "ZPOPMIN")),
    ("zpopmax", 2, |g| pop(g, "ZPOPMAX")),
    ("zmpop", 2, zmpop),
    ("zrandmember", 3, zrandmember),
    ("zscan", 2, zscan),
    ("zcount", 2, |g| g.cmd("ZCOUNT", &[]).keys(1, 1).then(|g| g.score_bound()).then(|g| g.score_bound()).done()),
    ("zlexcount", 2, |g| g.cmd("ZLEXCOUNT", &[]).keys(1, 1).then(|g| g.lex_bound()).then(|g| g.lex_bound()).done()),
    ("zrange", 6, |g| zrange(g, "ZRANGE", false)),
    ("zrangestore", 2, |g| zrange(g, "ZRANGESTORE", true)),
    ("zrevrange", 2, |g| by_rank(g, "ZREVRANGE")),
    ("zrangebyscore", 2, |g| by_score(g, "ZRANGEBYSCORE")),
    ("zrevrangebyscore", 2, |g| by_score(g, "ZREVRANGEBYSCORE")),
    ("zrangebylex", 2, |g| by_lex(g, "ZRANGEBYLEX")),
    ("zrevrangebylex", 2, |g| by_lex(g, "ZREVRANGEBYLEX")),
    ("zremrangebyrank", 1, |g| g.cmd("ZREMRANGEBYRANK", &[]).keys(1, 1).then(|g| g.rank()).then(|g| g.rank()).done()),
    ("zremrangebyscore", 1, |g| {
        g.cmd("ZREMRANGEBYSCORE", &[]).keys(1, 1).then(|g| g.score_bound()).then(|g| g.score_bound()).done()
    }),
    ("zremrangebylex", 1, |g| {
        g.cmd("ZREMRANGEBYLEX", &[]).keys(1, 1).then(|g| g.lex_bound()).then(|g| g.lex_bound()).done()
    }),
    ("zunion", 2, |g| setop(g, "ZUNION", false, true)),
    ("zinter", 2, |g| setop(g, "ZINTER", false, true)),
    ("zdiff", 2, |g| setop(g, "ZDIFF", false, false)),
    ("zunionstore", 2, |g| setop(g, "ZUNIONSTORE", true, true)),
    ("zinterstore", 2, |g| setop(g, "ZINTERSTORE", true, true)),
    ("zdiffstore", 2, |g| setop(g, "ZDIFFSTORE", true, false)),
    ("zintercard", 2, zintercard),
];

impl B<'_> {
    fn zmembers(mut self, min: usize, max: usize) -> Self {
        for _ in 0..self.g.rng.range(min as i64, max as i64) {
            let m = self.g.zmember();
            self.args.push(m);
        }
        self
    }

    /// `numkeys key...`: mostly a matching count, sometimes a wrong one.
    pub(super) fn numkeys(mut self) -> Self {
        let n = self.g.rng.range(1, 3) as usize;
        let num = match self.g.rng.below(12) {
            0 => self.g.pick(&["0", "-1", "x", "4", "100", "9223372036854775807", ""]),
            _ => n.to_string().into_bytes(),
        };
        self.args.push(num);
        self.keys(n, n)
    }
}

impl Gen {
    fn zmember(&mut self) -> Vec<u8> {
        const MEMBERS: &[&[u8]] = &[
            b"a",
            b"a",
            b"b",
            b"b",
            b"c",
            b"c",
            b"d",
            b"e",
            b"m1",
            b"m2",
            b"m10",
            b"x",
            b"",
            b"1",
            b"\xff\x00",
            b"A",
            b"ab",
        ];
        if self.rng.chance(2) {
            return b"a member longer than sixty-four bytes, so the set must become a skiplist".to_vec();
        }
        self.rng.pick(MEMBERS).to_vec()
    }

    /// A score: exactly representable mostly, some awkward or invalid.
    fn zscore(&mut self) -> Vec<u8> {
        match self.rng.below(20) {
            0..=9 => self.rng.range(-5, 10).to_string().into_bytes(),
            10..=12 => format!("{}.5", self.rng.range(-3, 5)).into_bytes(),
            13 => self.pick(&["inf", "-inf", "+inf", "-INF", "Infinity"]),
            14 | 15 => self.pick(&["0.1", "1e300", "-0", "3.0e2", "1.1", "-2.25", "123456789012", "1e-5", "0x10"]),
            16 => self.pick(&["nan", "x", "", "1e400", " 1", "1 "]),
            _ => self.rng.range(0, 3).to_string().into_bytes(),
        }
    }

    fn rank(&mut self) -> Vec<u8> {
        match self.rng.below(10) {
            0..=7 => self.rng.range(-6, 6).to_string().into_bytes(),
            _ => self.int(),
        }
    }

    /// A ZRANGEBYSCORE-style bound.
    fn score_bound(&mut self) -> Vec<u8> {
        match self.rng.below(10) {
            0..=3 => {
                let s = self.rng.range(-3, 6).to_string();
                if self.rng.chance(30) {
                    format!("({s}").into_bytes()
                } else {
                    s.into_bytes()
                }
            }
            4..=6 => self.pick(&["-inf", "+inf", "inf", "(-inf", "(+inf"]),
            7 | 8 => self.pick(&["1.5", "(1.5", "(0.5", "-0", "0.1", "(2.5", "1e300"]),
            _ => self.pick(&["x", "(", "", "((1", "[1", "nan", "(nan"]),
        }
    }

    /// A ZRANGEBYLEX-style bound.
    fn lex_bound(&mut self) -> Vec<u8> {
        match self.rng.below(10) {
            0..=2 => self.pick(&["-", "+"]),
            3..=8 => {
                let m = self.zmember();
                let mut b = if self.rng.chance(50) { b"[".to_vec() } else { b"(".to_vec() };
                b.extend(m);
                b
            }
            _ => self.pick(&["a", "", "[", "(", "-a", "+a"]),
        }
    }
}

fn zadd(g: &mut Gen) -> Cmd {
    let mut b = g.cmd("ZADD", &[]).keys(1, 1);
    let mut flags: Vec<Vec<u8>> = Vec::new();
    for (p, words) in [
        (20, &["NX", "XX"][..]),
        (20, &["GT", "LT"][..]),
        (25, &["CH"][..]),
        (15, &["INCR"][..]),
        (2, &["NX", "XX", "GT", "LT", "INCR", "BOGUS"][..]),
    ] {
        if b.g.rng.chance(p) {
            flags.push(b.g.word(words));
        }
    }
    if b.g.rng.chance(30) {
        // Redis reads flags in any order up to the first score.
        for i in (1..flags.len()).rev() {
            let j = b.g.rng.below(i + 1);
            flags.swap(i, j);
        }
    }
    // Redis 7.2 converts a listpack up front for more than 128 pairs even
    // when XX then adds none; the 7.0 reference converts only once the set
    // grows past 128. The big form is kept away from XX.
    let xx = flags.iter().any(|f| f.eq_ignore_ascii_case(b"XX"));
    b.args.extend(flags);
    if !xx && b.g.rng.chance(3) {
        // Enough members to pass zset-max-listpack-entries (128).
        let n = b.g.rng.range(100, 200);
        let half = b.g.rng.chance(50);
        for i in 0..n {
            let score = if half { format!("{}.5", i % 37) } else { (i % 50).to_string() };
            b.args.push(score.into_bytes());
            b.args.push(format!("n{i}").into_bytes());
        }
        return b.done();
    }
    for _ in 0..b.g.rng.range(1, 4) {
        b = b.then(|g| g.zscore()).then(|g| g.zmember());
    }
    b.done()
}

/// Z[REV]RANK key member [WITHSCORE] (WITHSCORE is 7.2; see the rules).
fn rank(g: &mut Gen, name: &str) -> Cmd {
    g.cmd(name, &[])
        .keys(1, 1)
        .then(|g| g.zmember())
        .opt(30, |g| g.word(&["WITHSCORE", "WITHSCORE", "WITHSCORES"]))
        .done()
}

pub(super) fn count(g: &mut Gen) -> Vec<u8> {
    match g.rng.below(10) {
        0..=6 => g.rng.range(0, 5).to_string().into_bytes(),
        7 => g.pick(&["200", "1000"]),
        _ => g.pick(&["-1", "x", "", "9223372036854775807", "1.5"]),
    }
}

fn pop(g: &mut Gen, name: &str) -> Cmd {
    g.cmd(name, &[]).keys(1, 1).opt(60, count).done()
}

fn zmpop(g: &mut Gen) -> Cmd {
    let mut b = g.cmd("ZMPOP", &[]).numkeys().then(|g| g.word(&["MIN", "MAX", "MIN", "MAX", "BOGUS"]));
    if b.g.rng.chance(50) {
        b = b.then(|g| g.word(&["COUNT"])).then(count);
    }
    b.done()
}

fn zrandmember(g: &mut Gen) -> Cmd {
    let b = g.cmd("ZRANDMEMBER", &[]).keys(1, 1);
    if b.g.rng.chance(20) {
        return b.done();
    }
    b.then(|g| match g.rng.below(10) {
        0..=6 => g.rng.range(-8, 8).to_string().into_bytes(),
        7 => g.pick(&["200", "-200", "-1000000", "9223372036854775807"]),
        _ => g.pick(&["x", "", "1.5"]),
    })
    .opt(50, |g| g.word(&["WITHSCORES", "WITHSCORES", "WITHSCORE"]))
    .done()
}

/// ZSCAN from cursor 0 mostly (see the rules for what is compared).
fn zscan(g: &mut Gen) -> Cmd {
    let mut b = g.cmd("ZSCAN", &[]).keys(1, 1).then(|g| {
        if g.rng.chance(90) {
            b"0".to_vec()
        } else {
            g.pick(&["x", "-1", "1.5", ""])
        }
    });
    for _ in 0..b.g.rng.range(0, 2) {
        b = if b.g.rng.chance(50) {
            b.then(|g| g.word(&["MATCH"])).then(|g| g.pick(&["*", "a*", "m?", "*1*", "n1*", "[ab]", "x"]))
        } else {
            b.then(|g| g.word(&["COUNT"])).then(|g| g.pick(&["1", "5", "100", "0", "-1", "x"]))
        };
    }
    b.done()
}

fn limit(b: B<'_>) -> B<'_> {
    b.then(|g| g.word(&["LIMIT"])).then(|g| g.rank()).then(|g| g.rank())
}

fn withscores(b: B<'_>, percent: u32) -> B<'_> {
    b.opt(percent, |g| g.word(&["WITHSCORES", "WITHSCORES", "WITHSCORE"]))
}

/// ZRANGE / ZRANGESTORE with BYSCORE/BYLEX/REV/LIMIT/WITHSCORES.
fn zrange(g: &mut Gen, name: &str, store: bool) -> Cmd {
    let mut b = g.cmd(name, &[]).keys(if store { 2 } else { 1 }, if store { 2 } else { 1 });
    let mode = b.g.rng.below(3);
    // The bounds of the mode, now and then those of another one.
    let bounds = if b.g.rng.chance(5) { b.g.rng.below(3) } else { mode };
    for _ in 0..2 {
        b = b.then(|g| match bounds {
            0 => g.rank(),
            1 => g.score_bound(),
            _ => g.lex_bound(),
        });
    }
    let mut opts: Vec<Vec<Vec<u8>>> = Vec::new();
    match mode {
        1 => opts.push(vec![b.g.word(&["BYSCORE"])]),
        2 => opts.push(vec![b.g.word(&["BYLEX"])]),
        _ if b.g.rng.chance(5) => opts.push(vec![b.g.word(&["BYSCORE", "BYLEX"])]),
        _ => {}
    }
    if b.g.rng.chance(30) {
        opts.push(vec![b.g.word(&["REV"])]);
    }
    if b.g.rng.chance(if mode == 0 { 5 } else { 35 }) {
        let off = b.g.rank();
        let n = b.g.rank();
        opts.push(vec![b.g.word(&["LIMIT"]), off, n]);
    }
    if b.g.rng.chance(if store { 5 } else { 40 }) {
        opts.push(vec![b.g.word(&["WITHSCORES"])]);
    }
    if b.g.rng.chance(25) {
        for i in (1..opts.len()).rev() {
            let j = b.g.rng.below(i + 1);
            opts.swap(i, j);
        }
    }
    b.args.extend(opts.into_iter().flatten());
    b.done()
}

fn by_rank(g: &mut Gen, name: &str) -> Cmd {
    withscores(g.cmd(name, &[]).keys(1, 1).then(|g| g.rank()).then(|g| g.rank()), 40).done()
}

fn by_score(g: &mut Gen, name: &str) -> Cmd {
    let mut b = g.cmd(name, &[]).keys(1, 1).then(|g| g.score_bound()).then(|g| g.score_bound());
    b = withscores(b, 40);
    if b.g.rng.chance(30) {
        b = limit(b);
    }
    b.done()
}

fn by_lex(g: &mut Gen, name: &str) -> Cmd {
    let mut b = g.cmd(name, &[]).keys(1, 1).then(|g| g.lex_bound()).then(|g| g.lex_bound());
    if b.g.rng.chance(30) {
        b = limit(b);
    }
    // Not an option of the lex forms: a syntax error.
    withscores(b, 3).done()
}

/// ZUNION/ZINTER/ZDIFF and their STORE forms: `[dest] numkeys key...`,
/// WEIGHTS and AGGREGATE where `weighted`, WITHSCORES on the plain forms.
fn setop(g: &mut Gen, name: &str, store: bool, weighted: bool) -> Cmd {
    let mut b = g.cmd(name, &[]);
    if store {
        b = b.keys(1, 1);
    }
    b = b.numkeys();
    let nkeys = b.args.len() - if store { 3 } else { 2 };
    let mut opts: Vec<Vec<Vec<u8>>> = Vec::new();
    if weighted || b.g.rng.chance(3) {
        if b.g.rng.chance(35) {
            let n = if b.g.rng.chance(85) { nkeys } else { b.g.rng.range(0, 4) as usize };
            let mut o = vec![b.g.word(&["WEIGHTS"])];
            for _ in 0..n {
                o.push(b.g.pick(&["1", "2", "0", "-1", "0.5", "3", "inf", "-inf", "x", "nan"]));
            }
            opts.push(o);
        }
        if b.g.rng.chance(35) {
            opts.push(vec![b.g.word(&["AGGREGATE"]), b.g.word(&["SUM", "MIN", "MAX", "MAX", "AVG"])]);
        }
    }
    if b.g.rng.chance(if store { 4 } else { 50 }) {
        opts.push(vec![b.g.word(&["WITHSCORES"])]);
    }
    if b.g.rng.chance(25) {
        opts.reverse();
    }
    b.args.extend(opts.into_iter().flatten());
    b.done()
}

fn zintercard(g: &mut Gen) -> Cmd {
    let b = g.cmd("ZINTERCARD", &[]).numkeys();
    b.opt(40, |g| g.word(&["LIMIT"])).opt(90, |g| g.pick(&["0", "1", "2", "5", "-1", "x"])).done()
}
