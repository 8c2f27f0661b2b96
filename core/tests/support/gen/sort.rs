//! SORT and SORT_RO for the differential test, on the shared key space:
//! the sorted keys are the lists and sets (and strings, for WRONGTYPE) the
//! other families build, and the BY/GET patterns name the same keys (`k*`
//! gives k0..k3 and k10 for the numeric elements, `k*->f1` their hash
//! fields, `w_*` keys that never exist), so weights are found, missing,
//! of the wrong type, or not numbers.
//!
//! Where Redis's order depends on its hash tables (a set returned unsorted,
//! ties between equal ALPHA weights), `relaxed::sort` checks the reply.

use super::{Cmd, Entry, Gen};

pub const TABLE: &[Entry] = &[
    ("sort", 8, |g| sort(g, "SORT")),
    ("sort_ro", 3, |g| sort(g, "SORT_RO")),
    // Fills keys with small numbers so BY k* finds numeric weights.
    ("set", 3, |g| {
        g.cmd("SET", &[]).then(|g| g.pick(&["k0", "k1", "k2", "k3", "k10"])).then(|g| g.sort_weight()).done()
    }),
    ("hset", 2, |g| {
        g.cmd("HSET", &[])
            .then(|g| g.pick(&["k0", "k1", "k2", "k3", "k10"]))
            .then(|g| g.pick(&["f1", "f"]))
            .then(|g| g.sort_weight())
            .done()
    }),
    ("rpush", 3, |g| {
        let mut b = g.cmd("RPUSH", &[]).keys(1, 1);
        for _ in 0..b.g.rng.range(1, 6) {
            b = b.then(|g| g.sort_elem());
        }
        b.done()
    }),
];

impl Gen {
    /// Elements that name weight keys (`k` + element), plus any value.
    fn sort_elem(&mut self) -> Vec<u8> {
        if self.rng.chance(70) {
            self.pick(&["0", "1", "2", "3", "10", "1", "x", "1.5", "-2", ""])
        } else {
            self.val()
        }
    }

    fn sort_weight(&mut self) -> Vec<u8> {
        if self.rng.chance(80) {
            self.pick(&["1", "2", "3", "-1", "0.5", "10", "2", "a", "b", "1e400", " 7", ""])
        } else {
            self.val()
        }
    }
}

fn sort(g: &mut Gen, name: &str) -> Cmd {
    let mut b = g.cmd(name, &[]).keys(1, 1);
    for _ in 0..b.g.rng.range(0, 4) {
        b = match b.g.rng.below(7) {
            0 => b
                .then(|g| g.word(&["BY"]))
                .then(|g| g.pick(&["k*", "k*", "w_*", "k*->f1", "k*->f", "nosort", "*", "k1", "#", "k*->", "w_*->f1"])),
            1 => b
                .then(|g| g.word(&["LIMIT"]))
                .then(|g| g.pick(&["0", "0", "1", "2", "-1", "5", "x", "100"]))
                .then(|g| g.pick(&["0", "1", "2", "3", "-1", "-5", "10", "x"])),
            2 | 3 => {
                b.then(|g| g.word(&["GET"])).then(|g| g.pick(&["#", "#", "k*", "w_*", "k*->f1", "k*->f", "k1", "*"]))
            }
            4 => b.then(|g| g.word(&["ALPHA"])),
            5 => b.then(|g| g.word(&["ASC", "DESC", "DESC", "BOGUS"])),
            _ => b.then(|g| g.word(&["STORE"])).then(|g| g.pick(&["dst", "k0", "k3", "{k}x"])),
        };
    }
    b.done()
}
