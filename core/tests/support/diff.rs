//! The differential driver: runs one command sequence on a fresh kv store
//! and on a flushed redis-server side by side, compares every reply
//! (rules in `compare.rs`), checks the final keyspaces, and shrinks a
//! diverging sequence to a short reproducer (delta debugging).

use kv_core::{Config, Reply, Session, SessionState, Store};

use super::compare::{as_client_sees, compare, rule, rule_in_exec, same, same_score, Rule, ScoreAt};
use super::gen::Cmd;
use super::notation::{format_reply, show_command};
use super::relaxed;
use super::resp::{Client, RedisServer};

/// One command and both replies (kv's as a client of its protocol sees it).
#[derive(Debug, Clone)]
pub struct Step {
    pub cmd: Cmd,
    pub kv: Reply,
    pub redis: Reply,
}

#[derive(Debug)]
pub struct Divergence {
    /// Index of the diverging command; `cmds.len()` for the final state check.
    pub index: usize,
    pub why: String,
    /// The steps run, the diverging one last.
    pub trace: Vec<Step>,
}

/// Rewrites kv's reply before comparison: lets tests inject a divergence.
pub type Hook = fn(&SessionState, &[Vec<u8>], Reply) -> Reply;

/// One side of the comparison: a client of kv or of a redis-server.
pub trait Side {
    /// Runs a command; the reply as a client of the current protocol reads it.
    fn call(&mut self, cmd: &[Vec<u8>]) -> Reply;
    /// A new client of the same data (db 0, RESP2).
    fn another(&self) -> Box<dyn Side + '_>;
}

struct Kv {
    store: Store,
    session: Session,
    hook: Option<Hook>,
}

impl Side for Kv {
    fn call(&mut self, cmd: &[Vec<u8>]) -> Reply {
        let mut r = self.session.execute(cmd);
        if let Some(hook) = self.hook {
            r = hook(self.session.state(), cmd, r);
        }
        as_client_sees(r, self.session.protocol())
    }
    fn another(&self) -> Box<dyn Side + '_> {
        Box::new(Kv { store: self.store.clone(), session: self.store.session(), hook: None })
    }
}

impl Side for Client {
    fn call(&mut self, cmd: &[Vec<u8>]) -> Reply {
        Client::call(self, cmd).unwrap_or_else(|e| panic!("redis-server: {e} (command {})", show_command(cmd)))
    }
    fn another(&self) -> Box<dyn Side + '_> {
        Box::new(Client::connect(self.port()).expect("connect to redis-server"))
    }
}

/// What is compared with the reference redis-server.
pub enum Subject<'a> {
    /// A fresh kv store (system clock) per run, its replies passed through
    /// the hook if any.
    Kv(Option<Hook>),
    /// Another redis-server: checks that the generator and the comparison
    /// rules are deterministic (Redis against itself must never diverge).
    Redis(&'a RedisServer),
}

pub struct Harness<'a> {
    pub reference: &'a RedisServer,
    pub subject: Subject<'a>,
}

/// Lexicographic ranges (ZRANGEBYLEX, ZLEXCOUNT, ZRANGE BYLEX, ...) on a
/// sorted set whose members have different scores are unspecified in
/// Redis, and on a skiplist its answers depend on the random levels of the
/// nodes (two Redis servers disagree). Such a command is not run, on
/// either side, when the reference holds a skiplist with more than one
/// score at its key (the keyspaces are equal so far).
/// The key of a command that reads a lex range of a sorted set.
pub fn lex_range_key(cmd: &Cmd) -> Option<&Vec<u8>> {
    let name = cmd[0].to_ascii_uppercase();
    match name.as_slice() {
        b"ZRANGEBYLEX" | b"ZREVRANGEBYLEX" | b"ZLEXCOUNT" | b"ZREMRANGEBYLEX" => cmd.get(1),
        b"ZRANGE" if cmd.iter().any(|a| a.eq_ignore_ascii_case(b"BYLEX")) => cmd.get(1),
        b"ZRANGESTORE" if cmd.iter().any(|a| a.eq_ignore_ascii_case(b"BYLEX")) => cmd.get(2),
        _ => None,
    }
}

fn lex_range_unspecified(cmd: &Cmd, redis: &mut Client) -> bool {
    let Some(key) = lex_range_key(cmd) else { return false };
    let mut call = |args: &[&[u8]]| redis.call(args).ok();
    if call(&[b"OBJECT", b"ENCODING", key]).and_then(|r| r.as_bytes().map(<[u8]>::to_vec)).as_deref()
        != Some(b"skiplist")
    {
        return false;
    }
    // RESP2 [member, score], RESP3 [[member, score]].
    let score = |r: Option<Reply>| match r {
        Some(Reply::Array(v)) => match &v[..] {
            [_, s] => Some(format!("{s:?}")),
            [Reply::Array(p)] => Some(format!("{:?}", p.get(1))),
            _ => None,
        },
        _ => None,
    };
    score(call(&[b"ZRANGE", key, b"0", b"0", b"WITHSCORES"]))
        != score(call(&[b"ZRANGE", key, b"-1", b"-1", b"WITHSCORES"]))
}

/// See `Rule::ArgsCheckedBeforeKey72`: kv's argument error stands where
/// the 7.0 reference returned early without checking the remaining
/// arguments: the key does not exist (BITCOUNT, BITPOS), or BITCOUNT's range
/// is negative and inverted (7.0 answers 0 before reading BIT/BYTE).
fn missing_on_reference(cmd: &Cmd, redis: &mut Client) -> Result<(), String> {
    let Some(key) = cmd.get(1) else { return Err("replies differ".into()) };
    let int = |i: usize| cmd.get(i).and_then(|a| kv_core::num::parse_i64(a));
    let inverted_range = cmd[0].eq_ignore_ascii_case(b"BITCOUNT")
        && cmd.len() == 5
        && matches!((int(2), int(3)), (Some(s), Some(e)) if s < 0 && e < 0 && s > e);
    if inverted_range {
        return Ok(());
    }
    match redis.call(&[b"EXISTS".as_ref(), key]) {
        Ok(Reply::Integer(0)) => Ok(()),
        _ => Err("replies differ (the key exists, so Redis 7.0 checked the arguments too)".into()),
    }
}

fn is_wrongtype(r: &Reply) -> bool {
    r.error_text().is_some_and(|t| t.starts_with("WRONGTYPE"))
}

/// Runs a command on the reference. One Redis 7.2 change is emulated on
/// the 7.0 server: 7.2's HELLO applies SETNAME only once every option
/// parsed, 7.0 sets the name before failing on a later bad option; the
/// name is put back when HELLO fails, so both sides hold 7.2's state.
fn call_reference(redis: &mut Client, cmd: &Cmd) -> Reply {
    let hello_setname = cmd[0].eq_ignore_ascii_case(b"HELLO") && cmd.iter().any(|a| a.eq_ignore_ascii_case(b"SETNAME"));
    let before = hello_setname.then(|| redis.call(&["CLIENT", "GETNAME"]));
    // SORT reads weights with strtod but never clears errno first, so a
    // stale ERANGE (left by an overflowing weight in an earlier SORT, or by
    // a cursor out of range in SCAN/SSCAN/HSCAN) makes Redis refuse every
    // weight that is not an integer object, until something resets errno;
    // kv reads each weight afresh. GEORADIUS_RO parses its coordinates with
    // errno cleared, so SORT runs on the reference as on a fresh server.
    if cmd[0].eq_ignore_ascii_case(b"SORT") || cmd[0].eq_ignore_ascii_case(b"SORT_RO") {
        let _ = redis.call(&["GEORADIUS_RO", "kv-diff:errno-reset", "0", "0", "1", "m"]);
    }
    let reply = Side::call(redis, cmd);
    if let (Some(Ok(name)), true) = (before, reply.is_error()) {
        let name = name.as_bytes().map(<[u8]>::to_vec).unwrap_or_default();
        let _ = redis.call(&[b"CLIENT".as_ref(), b"SETNAME", &name]);
    }
    reply
}

/// A redis-server as the subject, with the same 7.2 emulation as the
/// reference (`call_reference`), so Redis against Redis agrees.
struct Emulating72(Client);

impl Side for Emulating72 {
    fn call(&mut self, cmd: &[Vec<u8>]) -> Reply {
        call_reference(&mut self.0, &cmd.to_vec())
    }
    fn another(&self) -> Box<dyn Side + '_> {
        self.0.another()
    }
}

fn flushed(server: &RedisServer) -> Client {
    let mut c = server.connect().expect("connect to redis-server");
    assert_eq!(c.call(&["FLUSHALL"]).expect("FLUSHALL"), Reply::ok(), "FLUSHALL on redis-server");
    c
}

impl<'a> Harness<'a> {
    pub fn kv(reference: &'a RedisServer, hook: Option<Hook>) -> Harness<'a> {
        Harness { reference, subject: Subject::Kv(hook) }
    }

    /// Runs `cmds` on a fresh subject and a freshly flushed reference (new
    /// connection: db 0, RESP2, no name on both sides), stopping at the
    /// first divergence.
    pub fn run(&self, cmds: &[Cmd]) -> Result<Vec<Step>, Divergence> {
        let mut redis = flushed(self.reference);
        let mut subject: Box<dyn Side> = match self.subject {
            Subject::Kv(hook) => {
                let store = Store::open(Config::default());
                Box::new(Kv { session: store.session(), store, hook })
            }
            Subject::Redis(server) => Box::new(Emulating72(flushed(server))),
        };
        let mut trace = Vec::with_capacity(cmds.len());
        // Commands queued since MULTI (None: not in a transaction).
        let mut queued: Option<Vec<Cmd>> = None;
        for (index, cmd) in cmds.iter().enumerate() {
            if queued.is_none() && lex_range_unspecified(cmd, &mut redis) {
                continue;
            }
            let k = subject.call(cmd);
            // Inside MULTI whatever the emulation sends would be queued.
            let r = if queued.is_some() { Side::call(&mut redis, cmd) } else { call_reference(&mut redis, cmd) };
            let verdict = match rule(cmd) {
                _ if queued.is_some() => in_transaction(queued.as_deref().unwrap_or_default(), cmd, &k, &r),
                Rule::RandomKey if !k.is_error() && !r.is_error() => random_key(&k, &r, &mut redis),
                Rule::ScanUnion if !k.is_error() && !r.is_error() => {
                    scan_union(cmd, &k, &r, subject.as_mut(), &mut redis)
                }
                Rule::ArgsCheckedBeforeKey72 if k.is_error() && !r.is_error() => missing_on_reference(cmd, &mut redis),
                // The key holds another type: 7.0 looked it up first and
                // said WRONGTYPE, 7.2 rejects the arguments before that.
                Rule::ArgsCheckedBeforeKey72 if is_wrongtype(&r) && k.is_error() && !is_wrongtype(&k) => Ok(()),
                Rule::Spop if !k.is_error() && !r.is_error() => {
                    relaxed::spop(cmd, &k, &r, subject.as_mut(), &mut redis)
                }
                Rule::SRandMember if !k.is_error() && !r.is_error() => relaxed::srandmember(cmd, &k, &r, &mut redis),
                Rule::Encoding72 if compare(Rule::Encoding72, &k, &r).is_err() && !k.is_error() && !r.is_error() => {
                    relaxed::set_encoding_72(cmd, &k, &r, &mut redis)
                }
                Rule::SortTies if !k.is_error() && !r.is_error() => {
                    relaxed::sort(cmd, &k, &r, subject.as_mut(), &mut redis)
                }
                Rule::RandMember if !k.is_error() && !r.is_error() => rand_member(cmd, &k, &r, &mut redis),
                Rule::ZScanUnion if !k.is_error() && !r.is_error() => {
                    zscan_union(cmd, &k, &r, subject.as_mut(), &mut redis)
                }
                Rule::RankWithScore72 => rank_with_score_72(cmd, &k, &r, &mut redis),
                rule => compare(rule, &k, &r),
            };
            queued = next_transaction_state(queued, cmd, &r);
            trace.push(Step { cmd: cmd.clone(), kv: k, redis: r });
            if let Err(why) = verdict {
                return Err(Divergence { index, why, trace });
            }
        }
        if let Err(e) = check_state(subject.another().as_mut(), redis.another().as_mut()) {
            let (step, why) = *e;
            trace.push(step);
            return Err(Divergence { index: cmds.len(), why, trace });
        }
        Ok(trace)
    }
}

/// A command run on a key by the state check (the key goes after the
/// command name and subcommand), with its rule.
type StateCheck = (&'static [&'static str], Rule);

/// What the state check compares for a key of each type (its TYPE).
const STATE_BY_TYPE: &[(&str, &[StateCheck])] = &[
    ("string", &[(&["GET"], Rule::Exact)]),
    ("list", &[(&["LRANGE", "0", "-1"], Rule::Exact)]),
    ("set", &[(&["SMEMBERS"], Rule::AsSet)]),
    ("hash", &[(&["HGETALL"], Rule::PairsAsSet)]),
    (
        "zset",
        &[(&["ZRANGE", "0", "-1", "WITHSCORES"], Rule::Scores(ScoreAt::Pairs)), (&["OBJECT", "ENCODING"], Rule::Exact)],
    ),
];
/// Inside MULTI: QUEUED and refusals compare exactly; EXEC's array element
/// by element, each with its command's rule (`Rule::in_exec`).
fn in_transaction(queue: &[Cmd], cmd: &Cmd, kv: &Reply, redis: &Reply) -> Result<(), String> {
    let (Reply::Array(ks), Reply::Array(rs)) = (kv, redis) else { return compare(Rule::Exact, kv, redis) };
    if !cmd[0].eq_ignore_ascii_case(b"EXEC") || ks.len() != rs.len() || ks.len() != queue.len() {
        return compare(Rule::Exact, kv, redis);
    }
    for (i, ((q, k), r)) in queue.iter().zip(ks).zip(rs).enumerate() {
        // A reply Redis wrote in RESP2 before a queued HELLO 3 keeps its
        // `*-1` in the RESP3 stream; RESP3 (and kv's reply read in it) has
        // one null.
        if (k, r) == (&Reply::Nil, &Reply::NilArray) {
            continue;
        }
        compare(rule_in_exec(q), k, r).map_err(|e| format!("EXEC reply {i} ({}): {e}", show_command(q)))?;
    }
    Ok(())
}

/// The queue after `cmd`, which Redis answered `reply`.
fn next_transaction_state(queued: Option<Vec<Cmd>>, cmd: &Cmd, reply: &Reply) -> Option<Vec<Cmd>> {
    let in_multi = super::gen::transactions::in_multi_after(queued.is_some(), cmd);
    match queued {
        _ if !in_multi => None,
        None => Some(Vec::new()),
        Some(mut q) => {
            if *reply == Reply::status("QUEUED") {
                q.push(cmd.clone());
            }
            Some(q)
        }
    }
}

/// After a run, every database must hold the same keys with the same
/// types, values (set members, list elements, sorted-set members and
/// scores) and (within 1500 ms) TTLs. Skipped while kv has no KEYS.
fn check_state(kv: &mut dyn Side, redis: &mut dyn Side) -> Result<(), Box<(Step, String)>> {
    for db in 0..16 {
        let db = db.to_string();
        let mut run = |cmd: Cmd| Step { kv: kv.call(&cmd), redis: redis.call(&cmd), cmd };
        let sel = run(vec![b"SELECT".to_vec(), db.clone().into_bytes()]);
        let keys = run(vec![b"KEYS".to_vec(), b"*".to_vec()]);
        if sel.kv.is_error() || keys.kv.is_error() {
            return Ok(());
        }
        let why = |what: &str| format!("end-of-run state check, db {db}: {what}");
        if let Err(e) = compare(Rule::AsSet, &keys.kv, &keys.redis) {
            return Err(Box::new((keys, why(&e))));
        }
        let Reply::Array(names) = &keys.redis else { continue };
        for name in names.iter().filter_map(Reply::as_bytes) {
            let ty = run(vec![b"TYPE".to_vec(), name.to_vec()]);
            if let Err(e) = compare(Rule::Exact, &ty.kv, &ty.redis) {
                return Err(Box::new((ty, why(&e))));
            }
            let by_type = STATE_BY_TYPE.iter().find(|(t, _)| ty.redis.as_bytes() == Some(t.as_bytes()));
            let checks = by_type.map_or(&[][..], |(_, c)| *c);
            let ttl: &[StateCheck] = &[(&["PTTL"], Rule::Tolerance(1500))];
            for (cmd, rule) in checks.iter().chain(ttl) {
                // The key goes after the command name and subcommand.
                let at = if cmd[0] == "OBJECT" { 2 } else { 1 };
                let mut c: Cmd = cmd.iter().map(|a| a.as_bytes().to_vec()).collect();
                c.insert(at, name.to_vec());
                let step = run(c);
                if let Err(e) = compare(*rule, &step.kv, &step.redis) {
                    return Err(Box::new((step, why(&e))));
                }
            }
        }
    }
    Ok(())
}

/// RANDOMKEY: both nil, or both a key, and kv's key exists in Redis (the
/// keyspaces are equal so far, so it exists in kv's too).
fn random_key(kv: &Reply, redis: &Reply, conn: &mut Client) -> Result<(), String> {
    match (kv, redis) {
        (Reply::Nil, Reply::Nil) => Ok(()),
        (Reply::Bulk(k), Reply::Bulk(_)) => match conn.call(&[&b"EXISTS"[..], k]) {
            Ok(Reply::Integer(1)) => Ok(()),
            other => Err(format!("kv's random key does not exist in Redis (EXISTS: {other:?})")),
        },
        _ => Err("RANDOMKEY: one side nil, the other not".into()),
    }
}

/// SCAN from cursor 0: iterates each side to the end and compares the sets
/// of keys returned.
fn scan_union(
    cmd: &Cmd,
    kv_first: &Reply,
    redis_first: &Reply,
    kv: &mut dyn Side,
    redis: &mut Client,
) -> Result<(), String> {
    let keys = |items: Vec<Reply>| {
        let mut v: Vec<Vec<u8>> = items.iter().filter_map(|k| k.as_bytes().map(<[u8]>::to_vec)).collect();
        v.sort();
        v.dedup();
        v
    };
    let kv_keys = keys(scan_all(cmd, kv_first, |c| kv.call(c))?);
    let redis_keys = keys(scan_all(cmd, redis_first, |c| Side::call(redis, c))?);
    if kv_keys == redis_keys {
        Ok(())
    } else {
        let show = |v: &[Vec<u8>]| v.iter().map(|k| show_command(&[k])).collect::<Vec<_>>().join(" ");
        Err(format!("SCAN iterations differ: kv [{}], redis [{}]", show(&kv_keys), show(&redis_keys)))
    }
}

/// Every item a SCAN-family iteration returns (in order, repeats kept);
/// the cursor is argument 1 (SCAN) or 2 (SSCAN/HSCAN/ZSCAN) of `cmd`.
fn scan_all(cmd: &Cmd, first: &Reply, mut next: impl FnMut(&Cmd) -> Reply) -> Result<Vec<Reply>, String> {
    let mut items = Vec::new();
    let mut reply = first.clone();
    for _ in 0..10_000 {
        let Reply::Array(parts) = &reply else { return Err(format!("SCAN reply is not an array: {reply:?}")) };
        let [Reply::Bulk(cursor), Reply::Array(batch)] = &parts[..] else {
            return Err(format!("SCAN reply is not [cursor, keys]: {}", format_reply(&reply)));
        };
        items.extend(batch.iter().cloned());
        if cursor == b"0" {
            return Ok(items);
        }
        // SCAN cursor ...; SSCAN/HSCAN/ZSCAN key cursor ...
        let at = if cmd[0].eq_ignore_ascii_case(b"SCAN") { 1 } else { 2 };
        let mut c = cmd.clone();
        c[at] = cursor.clone();
        reply = next(&c);
    }
    Err("SCAN did not finish in 10000 calls".into())
}

/// ZSCAN from cursor 0: iterates each side to the end and compares the
/// sets of (member, score) pairs returned, scores as doubles.
fn zscan_union(
    cmd: &Cmd,
    kv_first: &Reply,
    redis_first: &Reply,
    kv: &mut dyn Side,
    redis: &mut Client,
) -> Result<(), String> {
    let pairs = |items: Vec<Reply>| -> Result<Vec<(Vec<u8>, u64)>, String> {
        let mut v = items
            .chunks(2)
            .map(|p| match p {
                [Reply::Bulk(m), Reply::Bulk(s)] => kv_core::num::parse_f64(s).map(|s| (m.clone(), s.to_bits())),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .ok_or("ZSCAN batch is not member/score pairs")?;
        v.sort();
        v.dedup();
        Ok(v)
    };
    let kv_pairs = pairs(scan_all(cmd, kv_first, |c| kv.call(c))?)?;
    let redis_pairs = pairs(scan_all(cmd, redis_first, |c| Side::call(redis, c))?)?;
    if kv_pairs == redis_pairs {
        Ok(())
    } else {
        Err(format!("ZSCAN iterations differ: kv {} pairs, redis {} pairs", kv_pairs.len(), redis_pairs.len()))
    }
}

/// The members of a ZRANDMEMBER reply, with their scores if WITHSCORES
/// (flat in RESP2, [member, score] pairs in RESP3).
fn rand_members(r: &Reply, withscores: bool) -> Option<Vec<(Vec<u8>, Option<Reply>)>> {
    let Reply::Array(items) = r else { return None };
    if !withscores {
        return items.iter().map(|m| m.as_bytes().map(|m| (m.to_vec(), None))).collect();
    }
    if items.iter().all(|i| matches!(i, Reply::Array(p) if p.len() == 2)) {
        return items
            .iter()
            .map(|i| match i {
                Reply::Array(p) => p[0].as_bytes().map(|m| (m.to_vec(), Some(p[1].clone()))),
                _ => None,
            })
            .collect();
    }
    if items.len() % 2 != 0 {
        return None;
    }
    items.chunks(2).map(|p| p[0].as_bytes().map(|m| (m.to_vec(), Some(p[1].clone())))).collect()
}

/// See `Rule::RandMember`. The keyspaces are equal so far, so the
/// reference's set is kv's.
fn rand_member(cmd: &Cmd, kv: &Reply, redis: &Reply, conn: &mut Client) -> Result<(), String> {
    let key = &cmd[1];
    let (members, positive) = match (kv, redis) {
        (Reply::Nil, Reply::Nil) => return Ok(()),
        (Reply::Bulk(m), Reply::Bulk(_)) => (vec![(m.clone(), None)], true),
        (Reply::Array(x), Reply::Array(y)) if x.len() == y.len() => {
            let withscores = cmd.len() == 4;
            let positive = cmd.get(2).is_some_and(|c| !c.starts_with(b"-"));
            let m = rand_members(kv, withscores).ok_or("ZRANDMEMBER: kv's reply is not a list of members")?;
            (m, positive)
        }
        _ => return Err("ZRANDMEMBER: reply types or sizes differ".into()),
    };
    if members.is_empty() {
        return Ok(());
    }
    if positive {
        let mut names: Vec<&Vec<u8>> = members.iter().map(|(m, _)| m).collect();
        names.sort();
        names.dedup();
        if names.len() != members.len() {
            return Err("ZRANDMEMBER: repeated members for a positive count".into());
        }
    }
    let mut q: Cmd = vec![b"ZMSCORE".to_vec(), key.clone()];
    q.extend(members.iter().map(|(m, _)| m.clone()));
    let Ok(Reply::Array(scores)) = conn.call(&q) else {
        return Err("ZRANDMEMBER: ZMSCORE on the reference failed".into());
    };
    for ((m, kv_score), score) in members.iter().zip(&scores) {
        if matches!(score, Reply::Nil) {
            return Err(format!("ZRANDMEMBER: kv's member {} is not in the set", show_command(&[m])));
        }
        if kv_score.as_ref().is_some_and(|s| !same_score(s, score)) {
            return Err(format!("ZRANDMEMBER: kv's score for {} differs", show_command(&[m])));
        }
    }
    Ok(())
}

/// See `Rule::RankWithScore72`.
fn rank_with_score_72(cmd: &Cmd, kv: &Reply, redis: &Reply, conn: &mut Client) -> Result<(), String> {
    let arity = redis.error_text().is_some_and(|e| e.starts_with("ERR wrong number of arguments"));
    // Identical replies: the subject is another 7.0 server (the generator
    // self-check).
    if !arity || same(kv, redis) {
        return compare(Rule::Exact, kv, redis);
    }
    let expected = if !cmd[3].eq_ignore_ascii_case(b"WITHSCORE") {
        Reply::error("ERR syntax error")
    } else {
        let call = |conn: &mut Client, c: &[&[u8]]| conn.call(c).map_err(|e| format!("reference: {e}"));
        let resp3 = matches!(call(conn, &[b"HELLO"])?, Reply::Map(_));
        match call(conn, &[&cmd[0], &cmd[1], &cmd[2]])? {
            Reply::Integer(rank) => {
                Reply::Array(vec![Reply::Integer(rank), call(conn, &[b"ZSCORE", &cmd[1], &cmd[2]])?])
            }
            Reply::Nil if resp3 => Reply::Nil,
            Reply::Nil => Reply::NilArray,
            other => other,
        }
    };
    let ok = match (kv, &expected) {
        (Reply::Array(x), Reply::Array(y)) if x.len() == 2 && y.len() == 2 => {
            same(&x[0], &y[0]) && same_score(&x[1], &y[1])
        }
        _ => same(kv, &expected),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("replies differ: Redis 7.2 answers {}", format_reply(&expected)))
    }
}

/// Delta debugging (ddmin on complements): the shortest subsequence of
/// `seq` that still fails, found by dropping chunks, then single commands,
/// while `fails` (which returns the diverging index) still reports a
/// divergence. Everything after the divergence is dropped each time.
/// At most `budget` replays.
pub fn shrink<T: Clone>(seq: Vec<T>, mut fails: impl FnMut(&[T]) -> Option<usize>, budget: usize) -> Vec<T> {
    let mut seq = seq;
    let cut = |seq: &mut Vec<T>, i: usize| seq.truncate((i + 1).min(seq.len()));
    match fails(&seq) {
        Some(i) => cut(&mut seq, i),
        None => return seq,
    }
    let mut tries = 1;
    let mut n = 2usize;
    while seq.len() >= 2 && tries < budget {
        let chunk = seq.len().div_ceil(n);
        let mut reduced = false;
        let mut start = 0;
        while start < seq.len() && tries < budget {
            let end = (start + chunk).min(seq.len());
            let candidate: Vec<T> = seq[..start].iter().chain(&seq[end..]).cloned().collect();
            tries += 1;
            if let Some(i) = fails(&candidate) {
                seq = candidate;
                cut(&mut seq, i);
                reduced = true;
                break;
            }
            start = end;
        }
        if reduced {
            n = (n - 1).max(2);
        } else if chunk == 1 {
            break;
        } else {
            n = (n * 2).min(seq.len());
        }
    }
    seq
}

/// Long replies (COMMAND, INFO) are cut for printing.
fn clip(s: String) -> String {
    const MAX: usize = 400;
    if s.len() <= MAX {
        return s;
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{} ... ({} chars)", &s[..end], s.len())
}

/// The reproducer as printed: each command with both replies.
pub fn show_trace(trace: &[Step]) -> String {
    let mut s = String::new();
    for (i, st) in trace.iter().enumerate() {
        let mark = if i + 1 == trace.len() { "  <-- diverges" } else { "" };
        s.push_str(&format!("  > {}{mark}\n", show_command(&st.cmd)));
        s.push_str(&format!(
            "      kv:    {}\n      redis: {}\n",
            clip(format_reply(&st.kv)),
            clip(format_reply(&st.redis))
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shrinker finds the two elements that together cause a failure,
    /// in order, out of a long sequence.
    #[test]
    fn shrinks_to_the_cause() {
        let seq: Vec<u32> = (0..500).collect();
        // Fails when 123 appears before 321; reports the index of 321.
        let fails = |s: &[u32]| {
            let a = s.iter().position(|&x| x == 123)?;
            let b = s.iter().position(|&x| x == 321)?;
            (a < b).then_some(b)
        };
        let mut calls = 0;
        let out = shrink(
            seq,
            |s| {
                calls += 1;
                fails(s)
            },
            10_000,
        );
        assert_eq!(out, vec![123, 321]);
        assert!(calls < 200, "{calls} replays");
        assert_eq!(shrink(vec![1, 2, 3], |_| None, 100), vec![1, 2, 3]);
        assert_eq!(shrink(vec![1, 2, 3], |s| s.iter().position(|&x| x == 2), 100), vec![2]);
    }
}
