//! List commands for the differential test. Elements come from a small set
//! (so LREM, LPOS and LINSERT find their pivots) plus, now and then, values
//! of several kilobytes, so lists cross the listpack/quicklist limits and
//! the quicklist's node splits, merges and plain nodes are exercised.

use super::{Cmd, Entry, Gen};

pub const TABLE: &[Entry] = &[
    ("lpush", 4, |g| push(g, "LPUSH")),
    ("rpush", 5, |g| push(g, "RPUSH")),
    ("lpushx", 1, |g| push(g, "LPUSHX")),
    ("rpushx", 1, |g| push(g, "RPUSHX")),
    ("lpop", 2, |g| g.cmd("LPOP", &[]).keys(1, 1).opt(40, |g| g.list_count()).done()),
    ("rpop", 2, |g| g.cmd("RPOP", &[]).keys(1, 1).opt(40, |g| g.list_count()).done()),
    ("llen", 2, |g| g.cmd("LLEN", &[]).keys(1, 1).done()),
    ("lindex", 2, |g| g.cmd("LINDEX", &[]).keys(1, 1).then(|g| g.int()).done()),
    ("lrange", 3, |g| g.cmd("LRANGE", &[]).keys(1, 1).then(|g| g.int()).then(|g| g.int()).done()),
    ("ltrim", 1, |g| g.cmd("LTRIM", &[]).keys(1, 1).then(|g| g.int()).then(|g| g.int()).done()),
    ("lset", 2, |g| g.cmd("LSET", &[]).keys(1, 1).then(|g| g.int()).then(|g| g.elem()).done()),
    ("linsert", 2, |g| {
        g.cmd("LINSERT", &[])
            .keys(1, 1)
            .then(|g| g.word(&["BEFORE", "AFTER", "BEFORE", "AFTER", "MIDDLE"]))
            .then(|g| g.elem())
            .then(|g| g.elem())
            .done()
    }),
    ("lrem", 2, |g| {
        g.cmd("LREM", &[])
            .keys(1, 1)
            .then(|g| g.pick(&["0", "1", "2", "-1", "-2", "100", "x"]))
            .then(|g| g.elem())
            .done()
    }),
    ("lpos", 2, lpos),
    ("lmove", 2, |g| g.cmd("LMOVE", &[]).keys(2, 2).then(|g| g.side()).then(|g| g.side()).done()),
    ("rpoplpush", 1, |g| g.cmd("RPOPLPUSH", &[]).keys(2, 2).done()),
    ("lmpop", 2, lmpop),
];

fn push(g: &mut Gen, name: &str) -> Cmd {
    let mut b = g.cmd(name, &[]).keys(1, 1);
    for _ in 0..b.g.rng.range(1, 6) {
        b = b.then(|g| g.elem());
    }
    b.done()
}

fn lpos(g: &mut Gen) -> Cmd {
    let mut b = g.cmd("LPOS", &[]).keys(1, 1).then(|g| g.elem());
    for _ in 0..b.g.rng.range(0, 3) {
        b = match b.g.rng.below(4) {
            // Not LONG_MIN: 7.2 refuses it as a RANK, the 7.0 reference takes it.
            0 => b.then(|g| g.word(&["RANK"])).then(|g| g.pick(&["1", "2", "-1", "-2", "3", "0", "x", "-100"])),
            1 => b.then(|g| g.word(&["COUNT"])).then(|g| g.pick(&["0", "1", "2", "-1", "x", "100"])),
            2 => b.then(|g| g.word(&["MAXLEN"])).then(|g| g.pick(&["0", "1", "3", "-1", "x", "1000"])),
            _ => b.then(|g| g.word(&["RANK", "COUNT", "MAXLEN", "BOGUS"])),
        };
    }
    b.done()
}

fn lmpop(g: &mut Gen) -> Cmd {
    let n = g.rng.range(1, 3);
    let numkeys = if g.rng.chance(90) { n.to_string().into_bytes() } else { g.pick(&["0", "-1", "x", "5"]) };
    let mut b = g.cmd("LMPOP", &[]).then(|_| numkeys).keys(n as usize, n as usize).then(|g| g.side());
    if b.g.rng.chance(50) {
        b = b.then(|g| g.word(&["COUNT"])).then(|g| g.pick(&["1", "2", "5", "100", "0", "-1", "x"]));
    }
    b.done()
}

impl Gen {
    /// A list element: mostly short and from a small set, sometimes long
    /// (a few hundred bytes to past the 8 KB node size).
    fn elem(&mut self) -> Vec<u8> {
        match self.rng.below(100) {
            0..=59 => self.pick(&["a", "b", "c", "1", "-1", "", "hello", "12345678901"]),
            60..=89 => self.val(),
            90..=96 => vec![b'x'; *self.rng.pick(&[100, 300, 1000, 3000])],
            _ => vec![b'y'; *self.rng.pick(&[5000, 8200, 9000])],
        }
    }

    fn side(&mut self) -> Vec<u8> {
        self.word(&["LEFT", "RIGHT", "LEFT", "RIGHT", "UP"])
    }

    fn list_count(&mut self) -> Vec<u8> {
        self.pick(&["0", "1", "2", "3", "10", "-1", "x", "1.0"])
    }
}
