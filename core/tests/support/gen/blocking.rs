//! Blocking list and sorted-set commands for the differential test. Timeouts are short
//! (never 0, nor a negative fraction that rounds to 0: either would block
//! the reference server forever on an empty list), so an empty list
//! answers the null array on both sides after a few milliseconds; invalid
//! timeouts and the other argument errors are generated too. Timeouts
//! outside Redis 7.2's range are left to the conformance vectors (the 7.0
//! reference answers them differently).

use super::{Cmd, Entry, Gen};

pub const TABLE: &[Entry] = &[
    ("blpop", 1, |g| g.cmd("BLPOP", &[]).keys(1, 3).then(|g| g.timeout()).done()),
    ("brpop", 1, |g| g.cmd("BRPOP", &[]).keys(1, 3).then(|g| g.timeout()).done()),
    ("blmove", 1, |g| g.cmd("BLMOVE", &[]).keys(2, 2).then(|g| g.end()).then(|g| g.end()).then(|g| g.timeout()).done()),
    ("brpoplpush", 1, |g| g.cmd("BRPOPLPUSH", &[]).keys(2, 2).then(|g| g.timeout()).done()),
    ("blmpop", 1, blmpop),
    ("bzpopmin", 1, |g| g.cmd("BZPOPMIN", &[]).keys(1, 3).then(|g| g.timeout()).done()),
    ("bzpopmax", 1, |g| g.cmd("BZPOPMAX", &[]).keys(1, 3).then(|g| g.timeout()).done()),
    ("bzmpop", 1, bzmpop),
];

fn bzmpop(g: &mut Gen) -> Cmd {
    let mut b = g.cmd("BZMPOP", &[]).then(|g| g.timeout()).numkeys();
    b = b.then(|g| g.word(&["MIN", "MAX", "MIN", "MAX", "LEFT"]));
    if b.g.rng.chance(50) {
        b = b.then(|g| g.word(&["COUNT"])).then(super::zsets::count);
    }
    b.done()
}

fn blmpop(g: &mut Gen) -> Cmd {
    let n = g.rng.range(1, 3);
    let numkeys = if g.rng.chance(90) { n.to_string().into_bytes() } else { g.pick(&["0", "-1", "x", "5"]) };
    let mut b = g.cmd("BLMPOP", &[]).then(|g| g.timeout()).then(|_| numkeys).keys(n as usize, n as usize);
    b = b.then(|g| g.end());
    if b.g.rng.chance(50) {
        b = b.then(|g| g.word(&["COUNT"])).then(|g| g.pick(&["1", "2", "5", "100", "0", "-1", "x"]));
    }
    b.done()
}

impl Gen {
    fn timeout(&mut self) -> Vec<u8> {
        self.pick(&["0.01", "0.01", "0.001", ".005", "1e-3", "x", "-1", "-0.5", ""])
    }

    fn end(&mut self) -> Vec<u8> {
        self.word(&["LEFT", "RIGHT", "LEFT", "RIGHT", "UP"])
    }
}
