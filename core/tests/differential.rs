//! Differential test: random command sequences run on kv and on a real
//! redis-server (started here from PATH), every reply compared.
//!
//! Knobs (environment):
//! - `KV_DIFF_SEEDS` (default 100): seeds 1..=N are run;
//! - `KV_DIFF_CMDS` (default 2000): commands per seed;
//! - `KV_DIFF_SEED=n`: run only seed n (to replay a reported one);
//! - `KV_DIFF_ONLY=get,set`: generate only these commands (names in
//!   `support/gen/`'s FAMILIES);
//! - `KV_DIFF_EXCEPT=bitcount,command`: generate all but these;
//! - `KV_DIFF_SHRINK` (default 3): how many diverging seeds to shrink
//!   (those with distinct diverging commands first).
//!
//! Timing: TTLs are ≥ 1000 s or in the past, and TTL/EXPIRETIME are
//! compared within 1 s, PTTL/PEXPIRETIME within 1500 ms (`support/compare.rs`
//! lists every relaxed comparison and why). Each seed starts from FLUSHALL,
//! a new connection and a new kv store (system clock), both on db 0, RESP2.
//! The test passes only with no divergence.

mod support {
    pub mod compare;
    pub mod diff;
    pub mod gen;
    pub mod notation;
    pub mod relaxed;
    pub mod resp;
    pub mod rng;
}

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use kv_core::{Reply, SessionState};
use support::diff::{show_trace, shrink, Divergence, Harness, Subject};
use support::gen::{Cmd, Gen};
use support::notation::show_command;
use support::resp::RedisServer;

fn env_num(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

/// A comma-separated list of command names from the environment.
fn names_env(var: &str) -> Option<Vec<String>> {
    let v = std::env::var(var).ok()?;
    Some(v.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect())
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs() as i64
}

/// Shrinks a diverging sequence and prints the reproducer.
fn shrink_and_report(h: &Harness<'_>, seed: u64, cmds: &[Cmd], d: &Divergence) -> Vec<Cmd> {
    let started = Instant::now();
    let prefix = cmds[..(d.index + 1).min(cmds.len())].to_vec();
    let shrunk = shrink(prefix, |c| h.run(c).err().map(|d| d.index), 3000);
    match h.run(&shrunk) {
        Err(d) => eprintln!(
            "seed {seed}: shortest reproducer ({} of {} commands, shrunk in {:.1?}): {}\n{}",
            shrunk.len(),
            cmds.len(),
            started.elapsed(),
            d.why,
            show_trace(&d.trace)
        ),
        Ok(_) => eprintln!("seed {seed}: the divergence did not reproduce while shrinking (nondeterministic?)"),
    }
    shrunk
}

#[test]
fn differential_against_redis() {
    let server = RedisServer::start();
    let h = Harness::kv(&server, None);
    let n = env_num("KV_DIFF_CMDS", 2000) as usize;
    let seeds: Vec<u64> = match std::env::var("KV_DIFF_SEED") {
        Ok(_) => vec![env_num("KV_DIFF_SEED", 0)],
        Err(_) => (1..=env_num("KV_DIFF_SEEDS", 100)).collect(),
    };
    let only = names_env("KV_DIFF_ONLY");
    let except = names_env("KV_DIFF_EXCEPT").unwrap_or_default();
    let base = now_secs();
    let started = Instant::now();
    let mut failures = Vec::new();
    for &seed in &seeds {
        let cmds = Gen::new(seed, base).sequence(n, only.as_deref(), &except);
        if let Err(d) = h.run(&cmds) {
            let at = d.trace.last().expect("a divergence has a step");
            eprintln!("seed {seed}: divergence at command #{} > {}: {}", d.index + 1, show_command(&at.cmd), d.why);
            failures.push((seed, cmds, d));
        }
    }
    eprintln!(
        "differential: {} seeds x {n} commands in {:.1?}, {} diverging",
        seeds.len(),
        started.elapsed(),
        failures.len()
    );
    // Shrink a few, preferring distinct diverging commands.
    let mut shown: Vec<Vec<u8>> = Vec::new();
    let budget = env_num("KV_DIFF_SHRINK", 3) as usize;
    for (seed, cmds, d) in &failures {
        let name = d.trace.last().map(|s| s.cmd[0].to_ascii_lowercase()).unwrap_or_default();
        if shown.len() >= budget || shown.contains(&name) {
            continue;
        }
        shown.push(name);
        shrink_and_report(&h, *seed, cmds, d);
    }
    assert!(
        failures.is_empty(),
        "{} of {} seeds diverge from redis-server (first: seed {}; replay with KV_DIFF_SEED)",
        failures.len(),
        seeds.len(),
        failures[0].0
    );
}

/// Injected bug: on db 1, kv's ECHO replies come back reversed. The harness
/// must catch it and shrink a long random sequence to `SELECT 1`, `ECHO x`.
fn reversed_echo_on_db1(state: &SessionState, cmd: &[Vec<u8>], reply: Reply) -> Reply {
    match reply {
        Reply::Bulk(mut b) if state.db == 1 && cmd[0].eq_ignore_ascii_case(b"echo") => {
            b.reverse();
            Reply::Bulk(b)
        }
        other => other,
    }
}

/// Drops the commands on which kv really diverges, so that only the
/// injected bug is left to find (these commands do not change state: the
/// rest of the sequence behaves the same without them).
fn without_real_divergences(clean: &Harness<'_>, mut cmds: Vec<Cmd>) -> Vec<Cmd> {
    for _ in 0..100 {
        match clean.run(&cmds) {
            Ok(_) => return cmds,
            Err(d) => {
                cmds.remove(d.index);
            }
        }
    }
    panic!("too many real divergences among PING/ECHO/SELECT");
}

#[test]
fn shrinker_finds_an_injected_divergence() {
    let server = RedisServer::start();
    let clean = Harness::kv(&server, None);
    let buggy = Harness::kv(&server, Some(reversed_echo_on_db1));
    let only = ["ping", "echo", "select"].map(String::from);
    let mut found = 0;
    for seed in 1..=20 {
        let cmds = without_real_divergences(&clean, Gen::new(seed, now_secs()).sequence(300, Some(&only), &[]));
        let Err(d) = buggy.run(&cmds) else { continue };
        found += 1;
        let shrunk = shrink_and_report(&buggy, seed, &cmds, &d);
        assert_eq!(shrunk.len(), 2, "{shrunk:?}");
        assert!(shrunk[0][0].eq_ignore_ascii_case(b"select") && shrunk[0][1] == b"1", "{shrunk:?}");
        assert!(shrunk[1][0].eq_ignore_ascii_case(b"echo"), "{shrunk:?}");
        if found == 3 {
            break;
        }
    }
    assert!(found > 0, "the injected divergence was never hit");
}

/// Generated sequences are reproducible from the seed, and cover every
/// command of the issue.
#[test]
fn generator_is_seeded_and_complete() {
    let a = Gen::new(5, 1_800_000_000).sequence(500, None, &[]);
    assert_eq!(a, Gen::new(5, 1_800_000_000).sequence(500, None, &[]));
    assert_ne!(a, Gen::new(6, 1_800_000_000).sequence(500, None, &[]));
    let many = Gen::new(9, 1_800_000_000).sequence(20_000, None, &[]);
    for name in support::gen::names() {
        if name == "unknown" {
            continue;
        }
        assert!(many.iter().any(|c| c[0].eq_ignore_ascii_case(name.as_bytes())), "{name} is never generated");
    }
    let issue = "ping echo select swapdb dbsize flushdb flushall time hello client command info del unlink exists \
                 type rename renamenx copy move keys scan randomkey touch expire pexpire expireat pexpireat ttl pttl \
                 expiretime pexpiretime persist object append decr decrby get getdel getex getrange getset incr incrby \
                 incrbyfloat lcs mget mset msetnx psetex set setex setnx setrange strlen substr setbit getbit bitcount \
                 bitpos bitop bitfield bitfield_ro";
    for name in issue.split_whitespace() {
        assert!(support::gen::names().contains(&name), "{name} has no generator");
    }
    let only = vec!["get".to_string(), "set".to_string()];
    let set_only = Gen::new(1, 0).sequence(200, Some(&only), &["get".to_string()]);
    assert!(set_only.iter().all(|c| c[0].eq_ignore_ascii_case(b"set")));
}

/// Redis against Redis over the whole generator must never diverge: the
/// generated timings and the comparison rules leave nothing to chance.
#[test]
fn generator_is_deterministic_on_redis() {
    let a = RedisServer::start();
    let b = RedisServer::start();
    let h = Harness { reference: &a, subject: Subject::Redis(&b) };
    let base = now_secs();
    let seeds = env_num("KV_DIFF_SELF_SEEDS", 10);
    for seed in 1..=seeds {
        let cmds = Gen::new(seed, base).sequence(2000, None, &[]);
        if let Err(d) = h.run(&cmds) {
            let tail = &d.trace[d.trace.len().saturating_sub(12)..];
            eprintln!("seed {seed}: redis-server disagrees with itself: {}\n{}", d.why, show_trace(tail));
            shrink_and_report(&h, seed, &cmds, &d);
            panic!("seed {seed}: redis-server disagrees with itself (see above)");
        }
    }
}
