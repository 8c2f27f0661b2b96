//! Random command sequences for the differential test: every command of
//! the keyspace/strings/bitmaps/connection issue, valid and invalid calls,
//! over a small key space (so commands collide) and a small value space.
//!
//! Time: Redis's clock cannot be controlled, so expiries are either far in
//! the future (relative TTLs of at least 1000 s, absolute times at least
//! 3000 s after the run started) or in the past (the key is deleted at
//! once). Relative TTLs and absolute times are drawn from sets whose values
//! are 2000 s or more apart, so a GT/LT comparison between them never
//! depends on when each side ran the command. GT/LT are only generated with
//! absolute times: two relative TTLs with the same value compare by the
//! milliseconds at which each side ran them.

mod blocking;
mod hashes;

use super::rng::Rng;

mod lists;
mod sets;
mod sort;
pub mod transactions;
mod zsets;

pub type Cmd = Vec<Vec<u8>>;

type GenFn = fn(&mut Gen) -> Cmd;

/// One generated command: its name (for `KV_DIFF_ONLY`), weight, generator.
pub type Entry = (&'static str, u32, GenFn);

/// Every family's table. A family of commands adds its generators in a
/// module of its own (child modules can use the private builders below).
pub const FAMILIES: &[&[Entry]] =
    &[TABLE, hashes::TABLE, sets::TABLE, lists::TABLE, sort::TABLE, zsets::TABLE, transactions::TABLE, blocking::TABLE];

/// The keyspace, string, bitmap, connection and server commands.
pub const TABLE: &[Entry] = &[
    // connection and server
    ("ping", 2, |g| g.cmd("PING", &[]).opt(30, |g| g.val()).done()),
    ("echo", 2, |g| g.cmd("ECHO", &[]).then(|g| g.val()).done()),
    ("select", 3, |g| g.cmd("SELECT", &[]).then(|g| g.db()).done()),
    ("swapdb", 1, |g| g.cmd("SWAPDB", &[]).then(|g| g.db()).then(|g| g.db()).done()),
    ("dbsize", 1, |g| g.cmd("DBSIZE", &[]).done()),
    ("flushdb", 1, |g| g.cmd("FLUSHDB", &[]).opt(40, |g| g.word(&["ASYNC", "SYNC", "LAZY"])).done()),
    ("flushall", 1, |g| g.cmd("FLUSHALL", &[]).opt(40, |g| g.word(&["ASYNC", "SYNC", "NOW"])).done()),
    ("time", 1, |g| g.cmd("TIME", &[]).done()),
    ("hello", 1, hello),
    ("client", 2, client),
    ("command", 1, command),
    ("info", 1, |g| {
        g.cmd("INFO", &[]).opt(50, |g| g.word(&["server", "keyspace", "stats", "everything", "nosuch"])).done()
    }),
    // keys
    ("del", 3, |g| g.cmd("DEL", &[]).keys(1, 3).done()),
    ("unlink", 1, |g| g.cmd("UNLINK", &[]).keys(1, 3).done()),
    ("exists", 3, |g| g.cmd("EXISTS", &[]).keys(1, 3).done()),
    ("touch", 1, |g| g.cmd("TOUCH", &[]).keys(1, 3).done()),
    ("type", 2, |g| g.cmd("TYPE", &[]).keys(1, 1).done()),
    ("rename", 2, |g| g.cmd("RENAME", &[]).keys(2, 2).done()),
    ("renamenx", 1, |g| g.cmd("RENAMENX", &[]).keys(2, 2).done()),
    ("copy", 2, copy),
    ("move", 2, |g| g.cmd("MOVE", &[]).keys(1, 1).then(|g| g.db()).done()),
    ("keys", 2, |g| g.cmd("KEYS", &[]).then(|g| g.pattern()).done()),
    ("scan", 2, scan),
    ("randomkey", 1, |g| g.cmd("RANDOMKEY", &[]).done()),
    ("expire", 3, |g| rel_expire(g, "EXPIRE", 1)),
    ("pexpire", 2, |g| rel_expire(g, "PEXPIRE", 1000)),
    ("expireat", 2, |g| abs_expire(g, "EXPIREAT", 1)),
    ("pexpireat", 2, |g| abs_expire(g, "PEXPIREAT", 1000)),
    ("ttl", 3, |g| g.cmd("TTL", &[]).keys(1, 1).done()),
    ("pttl", 2, |g| g.cmd("PTTL", &[]).keys(1, 1).done()),
    ("expiretime", 1, |g| g.cmd("EXPIRETIME", &[]).keys(1, 1).done()),
    ("pexpiretime", 1, |g| g.cmd("PEXPIRETIME", &[]).keys(1, 1).done()),
    ("persist", 2, |g| g.cmd("PERSIST", &[]).keys(1, 1).done()),
    ("object", 2, |g| {
        g.cmd("OBJECT", &[]).then(|g| g.word(&["ENCODING", "IDLETIME", "FREQ", "REFCOUNT", "NOSUCH"])).keys(1, 1).done()
    }),
    // strings
    ("append", 3, |g| g.cmd("APPEND", &[]).keys(1, 1).then(|g| g.val()).done()),
    ("decr", 2, |g| g.cmd("DECR", &[]).keys(1, 1).done()),
    ("decrby", 2, |g| g.cmd("DECRBY", &[]).keys(1, 1).then(|g| g.int()).done()),
    ("incr", 3, |g| g.cmd("INCR", &[]).keys(1, 1).done()),
    ("incrby", 2, |g| g.cmd("INCRBY", &[]).keys(1, 1).then(|g| g.int()).done()),
    ("incrbyfloat", 2, |g| g.cmd("INCRBYFLOAT", &[]).keys(1, 1).then(|g| g.val()).done()),
    ("get", 5, |g| g.cmd("GET", &[]).keys(1, 1).done()),
    ("getdel", 1, |g| g.cmd("GETDEL", &[]).keys(1, 1).done()),
    ("getex", 2, getex),
    ("getrange", 2, |g| g.cmd("GETRANGE", &[]).keys(1, 1).then(|g| g.int()).then(|g| g.int()).done()),
    ("substr", 1, |g| g.cmd("SUBSTR", &[]).keys(1, 1).then(|g| g.int()).then(|g| g.int()).done()),
    ("getset", 1, |g| g.cmd("GETSET", &[]).keys(1, 1).then(|g| g.val()).done()),
    ("lcs", 1, lcs),
    ("mget", 2, |g| g.cmd("MGET", &[]).keys(1, 4).done()),
    ("mset", 2, |g| mset(g, "MSET")),
    ("msetnx", 1, |g| mset(g, "MSETNX")),
    ("psetex", 1, |g| g.cmd("PSETEX", &[]).keys(1, 1).then(|g| g.rel_ttl(1000)).then(|g| g.val()).done()),
    ("setex", 1, |g| g.cmd("SETEX", &[]).keys(1, 1).then(|g| g.rel_ttl(1)).then(|g| g.val()).done()),
    ("set", 6, set),
    ("setnx", 1, |g| g.cmd("SETNX", &[]).keys(1, 1).then(|g| g.val()).done()),
    ("setrange", 2, |g| g.cmd("SETRANGE", &[]).keys(1, 1).then(|g| g.byte_offset()).then(|g| g.val()).done()),
    ("strlen", 2, |g| g.cmd("STRLEN", &[]).keys(1, 1).done()),
    // bitmaps
    ("setbit", 3, |g| {
        g.cmd("SETBIT", &[])
            .keys(1, 1)
            .then(|g| g.bit_offset(true))
            .then(|g| g.pick(&["0", "1", "1", "2", "-1", "x"]))
            .done()
    }),
    ("getbit", 2, |g| g.cmd("GETBIT", &[]).keys(1, 1).then(|g| g.bit_offset(false)).done()),
    ("bitcount", 2, |g| g.cmd("BITCOUNT", &[]).keys(1, 1).range_unit(60).done()),
    ("bitpos", 2, |g| g.cmd("BITPOS", &[]).keys(1, 1).then(|g| g.pick(&["0", "1", "1", "2"])).range_unit(60).done()),
    ("bitop", 2, |g| g.cmd("BITOP", &[]).then(|g| g.word(&["AND", "OR", "XOR", "NOT", "NAND"])).keys(2, 4).done()),
    ("bitfield", 2, |g| bitfield(g, "BITFIELD", true)),
    ("bitfield_ro", 1, |g| bitfield(g, "BITFIELD_RO", false)),
    // an unknown command
    ("unknown", 1, |g| g.cmd("", &[]).then(|g| g.pick(&["GETX", "nosuch", "", "SETT"])).opt(50, |g| g.val()).done()),
];

/// The generator state.
pub struct Gen {
    rng: Rng,
    /// Unix seconds when the run started: absolute expiry times are drawn
    /// relative to it.
    base_secs: i64,
}

/// A command under construction.
pub struct B<'a> {
    g: &'a mut Gen,
    args: Cmd,
}

impl<'a> B<'a> {
    fn then(mut self, f: impl FnOnce(&mut Gen) -> Vec<u8>) -> Self {
        let a = f(self.g);
        self.args.push(a);
        self
    }
    fn opt(self, percent: u32, f: impl FnOnce(&mut Gen) -> Vec<u8>) -> Self {
        if self.g.rng.chance(percent) {
            self.then(f)
        } else {
            self
        }
    }
    fn keys(mut self, min: usize, max: usize) -> Self {
        for _ in 0..self.g.rng.range(min as i64, max as i64) {
            let k = self.g.key();
            self.args.push(k);
        }
        self
    }
    /// `[start end [BYTE|BIT]]` as BITCOUNT/BITPOS take them (BITPOS may
    /// also give only a start).
    fn range_unit(mut self, percent: u32) -> Self {
        if self.g.rng.chance(percent) {
            let s = self.g.int();
            self.args.push(s);
            if self.g.rng.chance(80) {
                let e = self.g.int();
                self.args.push(e);
                if self.g.rng.chance(40) {
                    let u = self.g.word(&["BYTE", "BIT", "BITS"]);
                    self.args.push(u);
                }
            }
        }
        self
    }
    fn done(self) -> Cmd {
        self.args
    }
}

impl Gen {
    pub fn new(seed: u64, base_secs: i64) -> Gen {
        Gen { rng: Rng::new(seed), base_secs }
    }

    /// Generates `n` commands from the table entries `only` allows (all if
    /// `None`) except those in `except`, with random mutations that make
    /// arity and syntax errors.
    pub fn sequence(&mut self, n: usize, only: Option<&[String]>, except: &[String]) -> Vec<Cmd> {
        let table: Vec<&Entry> = FAMILIES
            .iter()
            .flat_map(|t| t.iter())
            .filter(|(name, _, _)| only.is_none_or(|o| o.iter().any(|x| x == name)))
            .filter(|(name, _, _)| !except.iter().any(|x| x == name))
            .collect();
        assert!(!table.is_empty(), "KV_DIFF_ONLY/KV_DIFF_EXCEPT leave no command; known: {:?}", names());
        let total: u32 = table.iter().map(|e| e.1).sum();
        let mut in_multi = false;
        (0..n)
            .map(|_| {
                let make = |g: &mut Gen| {
                    let mut pick = g.rng.below(total as usize) as u32;
                    let entry = table.iter().find(|e| {
                        if pick < e.1 {
                            true
                        } else {
                            pick -= e.1;
                            false
                        }
                    });
                    let mut cmd = (entry.expect("weights add up").2)(g);
                    g.mutate(&mut cmd);
                    cmd
                };
                let cmd = if in_multi { self.queueable(make) } else { make(self) };
                in_multi = transactions::in_multi_after(in_multi, &cmd);
                cmd
            })
            .collect()
    }

    /// Random case for the command name; sometimes a missing, extra or
    /// replaced argument. Commands that take a TTL or an offset only get
    /// non-numeric extra arguments: a number could become a TTL of a few
    /// milliseconds (`SET k v PX` + `5`), which would expire during the run
    /// at a time that differs between the two sides, or an offset that
    /// makes Redis allocate hundreds of megabytes (`SETBIT k 2147483648 1`).
    fn mutate(&mut self, cmd: &mut Cmd) {
        if self.rng.chance(20) {
            cmd[0] = self.cased(&String::from_utf8_lossy(&cmd[0]));
        }
        const CAREFUL: &[&str] = &[
            "SET",
            "SETEX",
            "PSETEX",
            "GETEX",
            "EXPIRE",
            "PEXPIRE",
            "EXPIREAT",
            "PEXPIREAT",
            "SETBIT",
            "SETRANGE",
            "BITFIELD",
            // A mutated RANK of LONG_MIN: refused by 7.2, taken by the 7.0 reference.
            "LPOS",
            // A number in place of (or after) the timeout: `0` or `3.0e2`
            // would block the reference on an empty key for good.
            "BLPOP",
            "BRPOP",
            "BLMOVE",
            "BRPOPLPUSH",
            "BLMPOP",
            "BZPOPMIN",
            "BZPOPMAX",
            "BZMPOP",
        ];
        let careful = CAREFUL.iter().any(|t| cmd[0].eq_ignore_ascii_case(t.as_bytes()));
        let junk = |g: &mut Gen| if careful { g.pick(&["junk", "", "x", "NX"]) } else { g.wild() };
        match self.rng.below(100) {
            0..=2 if cmd.len() > 1 => {
                cmd.pop();
            }
            3..=5 => {
                let extra = junk(self);
                cmd.push(extra);
            }
            6..=7 if cmd.len() > 1 => {
                let i = 1 + self.rng.below(cmd.len() - 1);
                cmd[i] = junk(self);
            }
            _ => {}
        }
    }

    fn cmd(&mut self, name: &str, args: &[&str]) -> B<'_> {
        let mut v: Cmd = Vec::new();
        if !name.is_empty() {
            v.push(name.as_bytes().to_vec());
        }
        v.extend(args.iter().map(|a| a.as_bytes().to_vec()));
        B { g: self, args: v }
    }

    fn pick(&mut self, items: &[&str]) -> Vec<u8> {
        self.rng.pick(items).as_bytes().to_vec()
    }

    /// An option word in random letter case.
    fn word(&mut self, items: &[&str]) -> Vec<u8> {
        let w = *self.rng.pick(items);
        if self.rng.chance(70) {
            w.as_bytes().to_vec()
        } else {
            self.cased(w)
        }
    }

    fn cased(&mut self, w: &str) -> Vec<u8> {
        w.bytes().map(|c| if self.rng.chance(50) { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() }).collect()
    }

    pub fn key(&mut self) -> Vec<u8> {
        const KEYS: &[&[u8]] = &[b"k0", b"k1", b"k2", b"k3", b"k10", b"\xffk", b"a*b", b"{k}x"];
        self.rng.pick(KEYS).to_vec()
    }

    /// A value: integers (edge cases included), floats, strings, binary.
    pub fn val(&mut self) -> Vec<u8> {
        const VALS: &[&[u8]] = &[
            b"0",
            b"1",
            b"-1",
            b"7",
            b"42",
            b"-100",
            b"10000",
            b"9223372036854775807",
            b"-9223372036854775808",
            b"9223372036854775808",
            b"007",
            b"+1",
            b" 1",
            b"1 ",
            b"0x10",
            b"1.5",
            b"-0.5",
            b"3.0e2",
            b"1e308",
            b"1e309",
            b"inf",
            b"-inf",
            b"nan",
            b"0.1",
            b"-0",
            b"",
            b"a",
            b"abc",
            b"hello world",
            b"\x00\xff\x80",
            b"\xc3\x28",
            b"\xff\xf0\x00\x0f",
            b"~",
            b"\r\n",
            b"a string that is longer than forty-four bytes, so raw",
        ];
        self.rng.pick(VALS).to_vec()
    }

    /// An integer argument: mostly small, sometimes extreme or not a number.
    pub fn int(&mut self) -> Vec<u8> {
        if self.rng.chance(80) {
            return self.rng.range(-20, 20).to_string().into_bytes();
        }
        self.pick(&[
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "4294967296",
            "1.0",
            "x",
            "",
            " 3",
            "100",
            "-100",
            "2147483648",
        ])
    }

    /// Arguments that break things: replaces or extends a valid call.
    fn wild(&mut self) -> Vec<u8> {
        match self.rng.below(4) {
            0 => self.int(),
            1 => self.val(),
            2 => self.word(&["NX", "XX", "GET", "EX", "KEEPTTL", "BYTE", "REPLACE", "MATCH", "COUNT", "junk"]),
            _ => self.key(),
        }
    }

    fn db(&mut self) -> Vec<u8> {
        self.pick(&["0", "0", "1", "1", "2", "15", "16", "-1", "x", "1.0", "2147483648"])
    }

    /// Glob patterns, with escapes and character classes.
    fn pattern(&mut self) -> Vec<u8> {
        const PATS: &[&[u8]] = &[
            b"*", b"*", b"k*", b"k?", b"k[0-3]", b"k[^0-3]", b"k[3-1]", b"*1", b"\\*", b"a\\*b", b"k\\1", b"[k]*",
            b"*[", b"[", b"\\", b"k[!2]", b"*\\", b"?", b"", b"{k}*", b"\xff*", b"k[a-", b"**", b"k[\\]]*", b"k[0-9]?",
            b"a[*]b", b"?*?", b"K*",
        ];
        self.rng.pick(PATS).to_vec()
    }

    /// A relative TTL in `unit`s per second (1 for seconds, 1000 for ms):
    /// far future, past, or invalid.
    fn rel_ttl(&mut self, unit: i64) -> Vec<u8> {
        match self.rng.below(10) {
            0..=5 => (*self.rng.pick(&[1000, 5000, 20000, 100000, 1000000]) * unit).to_string().into_bytes(),
            6 => self.pick(&["0", "-1", "-1000"]),
            7 => self.pick(&["9223372036854775807", "-9223372036854775808", "9223372036854775", "92233720368547758"]),
            _ => self.pick(&["x", "1.5", "", " 10"]),
        }
    }

    /// An absolute Unix time in `unit`s per second: far future, past (if
    /// `past`), or invalid.
    fn abs_time(&mut self, unit: i64, past: bool) -> Vec<u8> {
        match self.rng.below(10) {
            6..=7 if !past => self.abs_time(unit, past),
            0..=5 => {
                let offset = *self.rng.pick(&[3000, 10000, 50000, 500000, 3000000]);
                ((self.base_secs + offset) * unit).to_string().into_bytes()
            }
            6..=7 => (*self.rng.pick(&[0, 1, 1_000_000_000]) * unit).to_string().into_bytes(),
            8 => self.pick(&["9223372036854775807", "-1", "-9223372036854775808"]),
            _ => self.pick(&["x", "1e3", ""]),
        }
    }

    fn byte_offset(&mut self) -> Vec<u8> {
        // Valid offsets stay small: SETRANGE allocates up to the offset and
        // LCS is quadratic. 536870912 and more is refused by Redis.
        match self.rng.below(10) {
            0..=7 => self.rng.range(0, 70).to_string().into_bytes(),
            _ => self.pick(&["-1", "536870912", "536870913", "x", "9223372036854775807"]),
        }
    }

    /// A bit offset; `writes` keeps valid ones small (SETBIT allocates).
    fn bit_offset(&mut self, writes: bool) -> Vec<u8> {
        match self.rng.below(10) {
            0..=7 => self.rng.range(0, 500).to_string().into_bytes(),
            8 if !writes => self.pick(&["4294967295", "100000000"]),
            _ => self.pick(&["-1", "4294967296", "x", "1.5", "9223372036854775807"]),
        }
    }
}

fn hello(g: &mut Gen) -> Cmd {
    let mut b = g.cmd("HELLO", &[]);
    if b.g.rng.chance(85) {
        b = b.then(|g| g.pick(&["2", "3", "3", "2", "4", "1", "x", "-1"]));
        if b.g.rng.chance(20) {
            b = b.then(|g| g.word(&["SETNAME"])).then(|g| g.pick(&["conn", "a b", "", "x\ny"]));
        }
    }
    b.done()
}

fn client(g: &mut Gen) -> Cmd {
    let b = g.cmd("CLIENT", &[]);
    match b.g.rng.below(6) {
        0 => b.then(|g| g.word(&["ID"])).done(),
        1 | 2 => b.then(|g| g.word(&["SETNAME"])).then(|g| g.pick(&["conn", "c1", "a b", "", "é", "x\ny"])).done(),
        3 | 4 => b.then(|g| g.word(&["GETNAME"])).done(),
        _ => b.then(|g| g.word(&["NOSUCH", "SETNAME", "GETNAME", "ID"])).opt(50, |g| g.val()).done(),
    }
}

/// COMMAND, COMMAND COUNT, COMMAND INFO, COMMAND LIST (see the comparison
/// rules for what is compared).
fn command(g: &mut Gen) -> Cmd {
    let names: &[&str] = &["get", "set", "SETRANGE", "expire", "bitfield", "client", "ping", "nosuch", "del", "scan"];
    let b = g.cmd("COMMAND", &[]);
    match b.g.rng.below(8) {
        0 => b.done(),
        1 | 2 => b.then(|g| g.word(&["COUNT"])).done(),
        3..=5 => {
            let mut b = b.then(|g| g.word(&["INFO"]));
            for _ in 0..b.g.rng.range(0, 3) {
                b = b.then(|g| g.pick(names));
            }
            b.done()
        }
        6 => b.then(|g| g.word(&["LIST"])).done(),
        _ => b.then(|g| g.word(&["NOSUCH"])).done(),
    }
}

fn copy(g: &mut Gen) -> Cmd {
    let mut b = g.cmd("COPY", &[]).keys(2, 2);
    if b.g.rng.chance(40) {
        b = b.then(|g| g.word(&["DB"])).then(|g| g.db());
    }
    if b.g.rng.chance(40) {
        b = b.then(|g| g.word(&["REPLACE"]));
    }
    b.done()
}

fn scan(g: &mut Gen) -> Cmd {
    let mut b = g.cmd("SCAN", &[]).then(|g| if g.rng.chance(90) { b"0".to_vec() } else { g.pick(&["x", "", "1.5"]) });
    for _ in 0..b.g.rng.range(0, 3) {
        b = match b.g.rng.below(3) {
            0 => b.then(|g| g.word(&["MATCH"])).then(|g| g.pattern()),
            1 => b.then(|g| g.word(&["COUNT"])).then(|g| g.pick(&["1", "2", "10", "1000", "0", "-1", "x"])),
            _ => b.then(|g| g.word(&["TYPE"])).then(|g| g.pick(&["string", "list", "hash", "set", "none", "nosuch"])),
        };
    }
    b.done()
}

/// EXPIRE/PEXPIRE: relative TTLs, with NX/XX only (see the module doc).
fn rel_expire(g: &mut Gen, name: &str, unit: i64) -> Cmd {
    let b = g.cmd(name, &[]).keys(1, 1).then(|g| g.rel_ttl(unit));
    let mut b = b.opt(30, |g| g.word(&["NX", "XX", "NX", "XX", "BOGUS"]));
    // NX and XX together is an error; always safe to generate.
    b = b.opt(5, |g| g.word(&["NX", "XX"]));
    b.done()
}

/// EXPIREAT/PEXPIREAT: absolute times, any of NX/XX/GT/LT.
fn abs_expire(g: &mut Gen, name: &str, unit: i64) -> Cmd {
    let b = g.cmd(name, &[]).keys(1, 1).then(|g| g.abs_time(unit, true));
    b.opt(50, |g| g.word(&["NX", "XX", "GT", "LT", "BOGUS"])).opt(10, |g| g.word(&["NX", "XX", "GT", "LT"])).done()
}

fn getex(g: &mut Gen) -> Cmd {
    let mut c = g.cmd("GETEX", &[]).keys(1, 1).done();
    if g.rng.chance(70) {
        c.extend(g.expiry_opt(true));
    }
    c
}

fn set(g: &mut Gen) -> Cmd {
    let mut c = g.cmd("SET", &[]).keys(1, 1).then(|g| g.val()).done();
    // Option groups (an option with its value), then shuffled.
    let mut opts: Vec<Vec<Vec<u8>>> = Vec::new();
    if g.rng.chance(30) {
        opts.push(vec![g.word(&["NX", "XX"])]);
    }
    if g.rng.chance(20) {
        opts.push(vec![g.word(&["GET"])]);
    }
    if g.rng.chance(40) {
        opts.push(g.expiry_opt(false));
    }
    if g.rng.chance(5) {
        opts.push(g.expiry_opt(false));
    }
    while !opts.is_empty() {
        let o = opts.swap_remove(g.rng.below(opts.len()));
        c.extend(o);
    }
    c
}

fn lcs(g: &mut Gen) -> Cmd {
    let mut b = g.cmd("LCS", &[]).keys(2, 2);
    for _ in 0..b.g.rng.range(0, 2) {
        b = match b.g.rng.below(4) {
            0 => b.then(|g| g.word(&["LEN"])),
            1 => b.then(|g| g.word(&["IDX"])),
            2 => b.then(|g| g.word(&["MINMATCHLEN"])).then(|g| g.pick(&["0", "1", "2", "-1", "x"])),
            _ => b.then(|g| g.word(&["WITHMATCHLEN", "BOGUS"])),
        };
    }
    b.done()
}

fn mset(g: &mut Gen, name: &str) -> Cmd {
    let mut b = g.cmd(name, &[]);
    for _ in 0..b.g.rng.range(1, 3) {
        b = b.then(|g| g.key()).then(|g| g.val());
    }
    b.done()
}

fn bitfield(g: &mut Gen, name: &str, writes: bool) -> Cmd {
    let mut b = g.cmd(name, &[]).keys(1, 1);
    for _ in 0..b.g.rng.range(0, 3) {
        let op = if writes { b.g.rng.below(4) } else { 0 };
        b = match op {
            0 => b.then(|g| g.word(&["GET"])).then(|g| g.bf_type()).then(|g| g.bf_offset(false)),
            1 => b.then(|g| g.word(&["SET"])).then(|g| g.bf_type()).then(|g| g.bf_offset(true)).then(|g| g.int()),
            2 => b.then(|g| g.word(&["INCRBY"])).then(|g| g.bf_type()).then(|g| g.bf_offset(true)).then(|g| g.int()),
            _ => b.then(|g| g.word(&["OVERFLOW"])).then(|g| g.word(&["WRAP", "SAT", "FAIL", "BOGUS"])),
        };
    }
    if !writes && b.g.rng.chance(10) {
        b = b.then(|g| g.word(&["SET"])).then(|g| g.bf_type()).then(|g| g.bf_offset(true)).then(|g| g.int());
    }
    b.done()
}

impl Gen {
    /// A SET/GETEX expiry option with its argument. SET with a past
    /// EXAT/PXAT stores a key that is already expired: Redis counts it in
    /// DBSIZE until its active expiry happens to reach it, so only GETEX
    /// (which deletes at once) gets past times.
    fn expiry_opt(&mut self, getex: bool) -> Vec<Vec<u8>> {
        let last = if getex { "PERSIST" } else { "KEEPTTL" };
        let o = self.word(&["EX", "PX", "EXAT", "PXAT", last]);
        let arg = match o.to_ascii_uppercase().as_slice() {
            b"EX" => Some(self.rel_ttl(1)),
            b"PX" => Some(self.rel_ttl(1000)),
            b"EXAT" => Some(self.abs_time(1, getex)),
            b"PXAT" => Some(self.abs_time(1000, getex)),
            _ => None,
        };
        std::iter::once(o).chain(arg).collect()
    }

    fn bf_type(&mut self) -> Vec<u8> {
        self.pick(&["u8", "i8", "u1", "i1", "u16", "i64", "u63", "u64", "i65", "x8", "i0", "U8", "u4", "i5"])
    }

    fn bf_offset(&mut self, writes: bool) -> Vec<u8> {
        match self.rng.below(10) {
            0..=5 => self.rng.range(0, 300).to_string().into_bytes(),
            6 | 7 => format!("#{}", self.rng.range(0, 20)).into_bytes(),
            8 if !writes => self.pick(&["4294967295", "#100000000"]),
            _ => self.pick(&["-1", "4294967296", "x", "#-1", "#", "1.5"]),
        }
    }
}

/// Names of the generated commands.
pub fn names() -> Vec<&'static str> {
    FAMILIES.iter().flat_map(|t| t.iter()).map(|e| e.0).collect()
}
