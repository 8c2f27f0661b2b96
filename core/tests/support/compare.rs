//! How the differential test compares a kv reply with Redis's. Exact
//! equality, except for the commands listed in [`rule`], each with why.
//! Error replies are always compared exactly, whatever the rule.

use kv_core::Reply;

/// How the replies to one command are compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    Exact,
    /// Integers within this distance; negative ones (-1 no TTL, -2 no key)
    /// exactly. Redis's clock cannot be controlled, so the two sides set and
    /// read expiries some milliseconds apart.
    Tolerance(i64),
    /// Arrays compared as sets: KEYS order is the hash table's.
    AsSet,
    /// Nil against nil; a key against a key that exists (the driver asks
    /// Redis): RANDOMKEY picks at random.
    RandomKey,
    /// A full iteration from cursor 0 on each side, comparing the union of
    /// keys: cursors and batches depend on the hash tables.
    ScanUnion,
    /// Same reply type at the top level only.
    Kind,
    /// Same shape (types and lengths, recursively), any values.
    Shape,
    /// HELLO: equal except the values of `id` (a connection counter) and
    /// `version` (kv's own version).
    Hello,
    /// COMMAND INFO: the command table is kv's own (Redis has commands and
    /// metadata kv does not). Entries kv has must exist in Redis with the
    /// same name, arity and key positions; entries only Redis has are skipped.
    CommandInfo,
    /// COMMAND LIST: every name kv lists is a Redis command.
    CommandList,
    /// Redis 7.2 validates BITCOUNT/BITPOS arguments before looking the key
    /// up; the 7.0 reference answers 0 / -1 for a missing key whatever the
    /// arguments, and WRONGTYPE for a key of another type before looking
    /// at the arguments. kv follows 7.2: its argument error is accepted
    /// only when the driver confirms the key is missing on the reference,
    /// or against the reference's WRONGTYPE.
    ArgsCheckedBeforeKey72,
    /// Blocking commands: Redis 7.2 answers `timeout is out of range` for a
    /// timeout whose milliseconds overflow; the 7.0 reference converts it to
    /// LLONG_MIN and answers `timeout is negative`. Only that pair differs.
    TimeoutRange72,
    /// BZPOPMIN, BZPOPMAX, BZMPOP: scores as [`Rule::Scores`], errors as
    /// [`Rule::TimeoutRange72`].
    BlockingScores(ScoreAt),
    /// Field/value pairs compared as a multiset of pairs (HGETALL: a
    /// hashtable-encoded hash replies in its hash table's order).
    PairsAsSet,
    /// HSCAN: when both sides finish in one call (cursor 0, as every
    /// listpack does) the field/value pairs as a multiset; otherwise the
    /// cursors and batches depend on each side's hash table: same shape of
    /// reply (cursor, array) only.
    HScan,
    /// SPOP picks at random: checked and resynchronised by the driver
    /// (`relaxed::spop`).
    Spop,
    /// SRANDMEMBER picks at random: sizes, distinctness and membership
    /// (`relaxed::srandmember`).
    SRandMember,
    /// OBJECT ENCODING, where 7.2 added listpack encodings that kv follows:
    /// 7.0 (the reference) reports `quicklist` for every list, so kv's
    /// `listpack` is accepted where it says `quicklist`; and 7.0 has no
    /// listpack sets, so kv's `listpack` stands for its `hashtable` on a set
    /// small enough for one (checked by the driver:
    /// `relaxed::set_encoding_72`).
    Encoding72,
    /// SORT where Redis's order follows its hash tables: a set returned
    /// unsorted (BY without `*`, no STORE), or ties between equal ALPHA
    /// weights (BY), or elements equal as C strings (ALPHA without BY or
    /// STORE: Redis compares with `strcoll`), which keep the order the set
    /// or sorted set was read in. The driver checks the reply
    /// (`relaxed::sort`) only when the key is a hashtable-encoded set on
    /// the reference (or a sorted set, for the ALPHA cases).
    SortTies,
    /// Sorted-set scores in RESP2 bulk strings: Redis 7.0 prints them with
    /// %.17g (`0.10000000000000001`), kv as 7.2 does, in the shortest form
    /// that reads back as the same double (`0.1`). At the score positions
    /// of the reply only, two bulk strings match when both parse to the
    /// bit-identical f64; everything else is compared exactly.
    Scores(ScoreAt),
    /// ZRANDMEMBER picks at random: the driver checks that both replies
    /// have the same type and size, that kv's members are members of the
    /// set on the reference with the same scores, and that they are
    /// distinct for a positive count.
    RandMember,
    /// ZSCAN from cursor 0: a full iteration on each side, comparing the
    /// sets of (member, score) pairs (cursors and batches depend on the
    /// hash tables).
    ZScanUnion,
    /// Z[REV]RANK key member WITHSCORE|x is Redis 7.2 syntax: the 7.0
    /// reference (arity 3) answers with an arity error. kv's reply is then
    /// checked against what 7.2 answers, built by the driver from the
    /// reference's Z[REV]RANK and ZSCORE: [rank, score], a null array, the
    /// key's WRONGTYPE, or a syntax error for another word than WITHSCORE.
    RankWithScore72,
}

/// Where the scores are in a reply, for [`Rule::Scores`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScoreAt {
    /// The reply is a score (ZSCORE, ZINCRBY, ZADD INCR).
    Whole,
    /// Every element of the array (ZMSCORE).
    Each,
    /// Member/score pairs: the odd elements of a flat array, or the second
    /// of each [member, score] sub-array (WITHSCORES ranges, ZPOPMIN/MAX).
    Pairs,
    /// ZMPOP, BZMPOP: [key, [[member, score], ...]].
    Popped,
    /// The last element of an array (BZPOPMIN/BZPOPMAX: [key, member, score]).
    Last,
}

impl Rule {
    /// Whether the driver asks the servers to compare (it cannot inside
    /// MULTI, where whatever it sends is queued).
    pub fn needs_servers(self) -> bool {
        matches!(
            self,
            Rule::RandomKey
                | Rule::ScanUnion
                | Rule::ArgsCheckedBeforeKey72
                | Rule::Spop
                | Rule::SRandMember
                | Rule::Encoding72
                | Rule::SortTies
                | Rule::RandMember
                | Rule::ZScanUnion
                | Rule::RankWithScore72
        )
    }

    /// The rule for the reply of a command inside an EXEC array: the
    /// command's own, or where that needs the servers (the transaction is
    /// over and its keys may have changed since), the reply's type only.
    pub fn in_exec(self) -> Rule {
        if self.needs_servers() {
            Rule::Kind
        } else {
            self
        }
    }
}

/// The rule for a command's reply inside an EXEC array.
pub fn rule_in_exec(args: &[Vec<u8>]) -> Rule {
    let up = |i: usize| args.get(i).map(|a| a.to_ascii_uppercase()).unwrap_or_default();
    match (up(0).as_slice(), up(1).as_slice()) {
        // Redis's queued commands keep references to their argument
        // objects until EXEC ends, so a value stored by the transaction
        // counts one more reference than it will afterwards.
        (b"OBJECT", b"REFCOUNT") => Rule::Kind,
        _ => rule(args).in_exec(),
    }
}

/// Commands and subcommands that appeared after Redis 7.0 (the reference
/// server here), which kv may list in COMMAND LIST.
pub const NEWER_THAN_REFERENCE: &[&str] = &[
    "client|setinfo",
    "client|no-touch",
    "waitaof",
    "hexpire",
    "hpexpire",
    "hexpireat",
    "hpexpireat",
    "httl",
    "hpttl",
    "hexpiretime",
    "hpexpiretime",
    "hpersist",
];

/// The rule for a command (by name and, where needed, subcommand).
pub fn rule(args: &[Vec<u8>]) -> Rule {
    let up = |i: usize| args.get(i).map(|a| a.to_ascii_uppercase()).unwrap_or_default();
    match (up(0).as_slice(), up(1).as_slice()) {
        (b"TTL" | b"EXPIRETIME", _) => Rule::Tolerance(1),
        (b"PTTL" | b"PEXPIRETIME", _) => Rule::Tolerance(1500),
        (b"KEYS", _) => Rule::AsSet,
        // Members in the result set's order: Redis's hash order for
        // hashtables, and 7.0 has hashtables where 7.2 (and kv) have
        // insertion-ordered listpacks. Duplicates still count.
        (b"SMEMBERS" | b"SINTER" | b"SUNION" | b"SDIFF", _) => Rule::AsSet,
        (b"SPOP", _) => Rule::Spop,
        (b"SRANDMEMBER", _) => Rule::SRandMember,
        (b"SSCAN", _) if args.get(2).is_some_and(|c| c == b"0") => Rule::ScanUnion,
        (b"SSCAN", _) => Rule::Kind,
        (b"OBJECT", b"ENCODING") => Rule::Encoding72,
        (b"BITCOUNT" | b"BITPOS", _) => Rule::ArgsCheckedBeforeKey72,
        (b"BLPOP" | b"BRPOP" | b"BLMOVE" | b"BRPOPLPUSH" | b"BLMPOP", _) => Rule::TimeoutRange72,
        (b"RANDOMKEY", _) => Rule::RandomKey,
        (b"ZSCORE" | b"ZINCRBY", _) => Rule::Scores(ScoreAt::Whole),
        (b"ZADD", _) if args.iter().any(|a| a.eq_ignore_ascii_case(b"INCR")) => Rule::Scores(ScoreAt::Whole),
        (b"ZMSCORE", _) => Rule::Scores(ScoreAt::Each),
        (b"ZPOPMIN" | b"ZPOPMAX", _) => Rule::Scores(ScoreAt::Pairs),
        (b"ZRANGE" | b"ZREVRANGE" | b"ZRANGEBYSCORE" | b"ZREVRANGEBYSCORE" | b"ZUNION" | b"ZINTER" | b"ZDIFF", _)
            if args.iter().any(|a| a.eq_ignore_ascii_case(b"WITHSCORES")) =>
        {
            Rule::Scores(ScoreAt::Pairs)
        }
        (b"ZMPOP", _) => Rule::Scores(ScoreAt::Popped),
        (b"BZMPOP", _) => Rule::BlockingScores(ScoreAt::Popped),
        (b"BZPOPMIN" | b"BZPOPMAX", _) => Rule::BlockingScores(ScoreAt::Last),
        (b"ZRANK" | b"ZREVRANK", _) if args.len() >= 4 => Rule::RankWithScore72,
        (b"ZRANDMEMBER", _) => Rule::RandMember,
        (b"ZSCAN", _) if args.get(2).is_some_and(|c| c == b"0") => Rule::ZScanUnion,
        // From another cursor (a mutated call) what comes back is arbitrary.
        (b"ZSCAN", _) => Rule::Kind,
        // Only an iteration that starts at 0 covers the keyspace; from
        // another cursor (a mutated call) what comes back is arbitrary.
        (b"SCAN", b"0") => Rule::ScanUnion,
        (b"SCAN", _) => Rule::Kind,
        // Seconds since last access: the two sides run at different times.
        (b"OBJECT", b"IDLETIME") => Rule::Kind,
        // The clock.
        (b"TIME", _) => Rule::Shape,
        // Connection ids are per-server counters.
        (b"CLIENT", b"ID") => Rule::Kind,
        // INFO's fields are the server's own (memory, uptime, build, ...).
        (b"INFO", _) => Rule::Kind,
        (b"HELLO", _) => Rule::Hello,
        // Hashtable-encoded hashes list fields in hash-table order.
        (b"HGETALL", _) => Rule::PairsAsSet,
        (b"HKEYS" | b"HVALS", _) => Rule::AsSet,
        // From another cursor than 0 what a hashtable returns is arbitrary.
        (b"HSCAN", _) if args.get(2).is_some_and(|c| c == b"0") => Rule::HScan,
        (b"HSCAN", _) => Rule::Kind,
        // Random fields: the same number of them, of the same shapes (with
        // WITHVALUES, pairs or flat, as the protocol says).
        (b"HRANDFIELD", _) => Rule::Shape,
        // Without names, COMMAND INFO lists the whole table, in hash order.
        (b"COMMAND", b"INFO") if args.len() == 2 => Rule::Kind,
        (b"COMMAND", b"INFO") => Rule::CommandInfo,
        (b"COMMAND", b"LIST") => Rule::CommandList,
        // COMMAND and COMMAND COUNT describe the whole table: kv's is its own.
        (b"COMMAND", b"" | b"COUNT") => Rule::Kind,
        (b"SORT" | b"SORT_RO", _) if sort_order_may_vary(args).is_some() => Rule::SortTies,
        _ => Rule::Exact,
    }
}

/// Why a SORT call's order may depend on the sorted key's hash table
/// (see [`Rule::SortTies`]); `Some(true)` when only a set's unsorted order
/// is at stake (sorted sets then keep their own order), `Some(false)` for
/// ALPHA ties. Options are read as Redis reads them (a BY without `*`
/// switches sorting off for good; STORE makes a set sort ALPHA, binary).
pub fn sort_order_may_vary(args: &[Vec<u8>]) -> Option<bool> {
    let (mut dontsort, mut by, mut alpha, mut store) = (false, false, false, false);
    let mut j = 2;
    while j < args.len() {
        let left = args.len() - j - 1;
        let w = args[j].to_ascii_uppercase();
        match w.as_slice() {
            b"ALPHA" => alpha = true,
            b"LIMIT" if left >= 2 => j += 2,
            b"STORE" if left >= 1 => (store, j) = (true, j + 1),
            b"BY" if left >= 1 => {
                let star = args[j + 1].iter().take_while(|&&c| c != 0).any(|&c| c == b'*');
                dontsort |= !star;
                by = true;
                j += 1;
            }
            b"GET" if left >= 1 => j += 1,
            _ => {}
        }
        j += 1;
    }
    if dontsort {
        (!store).then_some(true)
    } else {
        (alpha && (by || !store)).then_some(false)
    }
}

/// The kv reply as a client of the session's protocol would read it: RESP3
/// has a single null, so `NilArray` reads as `Nil` there.
pub fn as_client_sees(r: Reply, protocol: u8) -> Reply {
    fn nil(r: Reply) -> Reply {
        match r {
            Reply::NilArray => Reply::Nil,
            Reply::Array(v) => Reply::Array(v.into_iter().map(nil).collect()),
            Reply::Set(v) => Reply::Set(v.into_iter().map(nil).collect()),
            Reply::Map(v) => Reply::Map(v.into_iter().map(|(k, v)| (nil(k), nil(v))).collect()),
            other => other,
        }
    }
    let r = r.into_protocol(protocol);
    if protocol >= 3 {
        nil(r)
    } else {
        r
    }
}

/// Exact equality (doubles by their bits, so NaN equals NaN).
pub fn same(a: &Reply, b: &Reply) -> bool {
    match (a, b) {
        (Reply::Double(x), Reply::Double(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (Reply::Array(x), Reply::Array(y)) | (Reply::Set(x), Reply::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Reply::Map(x), Reply::Map(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k1, v1), (k2, v2))| same(k1, k2) && same(v1, v2))
        }
        _ => a == b,
    }
}

fn same_kind(a: &Reply, b: &Reply) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn same_shape(a: &Reply, b: &Reply) -> bool {
    match (a, b) {
        (Reply::Array(x), Reply::Array(y)) | (Reply::Set(x), Reply::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_shape(a, b))
        }
        (Reply::Map(x), Reply::Map(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k1, v1), (k2, v2))| same_shape(k1, k2) && same_shape(v1, v2))
        }
        _ => same_kind(a, b),
    }
}

fn sorted_items(r: &Reply) -> Option<Vec<Vec<u8>>> {
    let (Reply::Array(items) | Reply::Set(items)) = r else { return None };
    let mut v: Vec<Vec<u8>> = items.iter().map(|i| i.as_bytes().map(<[u8]>::to_vec)).collect::<Option<_>>()?;
    v.sort();
    Some(v)
}

/// A flat array of field, value, ... or a map, as sorted pairs.
fn sorted_pairs(r: &Reply) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let bytes = |r: &Reply| r.as_bytes().map(<[u8]>::to_vec);
    let mut v: Vec<(Vec<u8>, Vec<u8>)> = match r {
        Reply::Map(pairs) => pairs.iter().map(|(k, v)| Some((bytes(k)?, bytes(v)?))).collect::<Option<_>>()?,
        Reply::Array(items) if items.len() % 2 == 0 => {
            items.chunks(2).map(|p| Some((bytes(&p[0])?, bytes(&p[1])?))).collect::<Option<_>>()?
        }
        _ => return None,
    };
    v.sort();
    Some(v)
}

/// HELLO's reply with the `id` and `version` values blanked (flat RESP2
/// array or RESP3 map).
fn mask_hello(r: &Reply) -> Reply {
    let masked = |k: &Reply| matches!(k.as_bytes(), Some(b"id") | Some(b"version"));
    match r {
        Reply::Map(pairs) => {
            Reply::Map(pairs.iter().map(|(k, v)| (k.clone(), if masked(k) { Reply::Nil } else { v.clone() })).collect())
        }
        Reply::Array(items) => Reply::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| if i % 2 == 1 && masked(&items[i - 1]) { Reply::Nil } else { v.clone() })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Compares under `rule`; `Err` explains a divergence. `RandomKey` and
/// `ScanUnion` need the servers: the driver handles their non-error cases
/// and calls this only for the rest.
pub fn compare(rule: Rule, kv: &Reply, redis: &Reply) -> Result<(), String> {
    if kv.is_error() || redis.is_error() {
        let range72 = matches!(rule, Rule::TimeoutRange72 | Rule::BlockingScores(_))
            && kv.error_text() == Some("ERR timeout is out of range")
            && redis.error_text() == Some("ERR timeout is negative");
        return if same(kv, redis) || range72 { Ok(()) } else { Err("replies differ".into()) };
    }
    let ok = match rule {
        Rule::Exact
        | Rule::RandomKey
        | Rule::ScanUnion
        | Rule::ArgsCheckedBeforeKey72
        | Rule::TimeoutRange72
        | Rule::Spop
        | Rule::SRandMember
        | Rule::SortTies
        | Rule::RandMember
        | Rule::ZScanUnion
        | Rule::RankWithScore72 => same(kv, redis),
        Rule::Scores(at) | Rule::BlockingScores(at) => same_scores(at, kv, redis),
        Rule::Tolerance(t) => match (kv, redis) {
            (Reply::Integer(a), Reply::Integer(b)) if *a >= 0 && *b >= 0 => (a - b).abs() <= t,
            _ => same(kv, redis),
        },
        Rule::AsSet => sorted_items(kv).is_some() && sorted_items(kv) == sorted_items(redis),
        Rule::Kind => same_kind(kv, redis),
        Rule::PairsAsSet => sorted_pairs(kv).is_some() && sorted_pairs(kv) == sorted_pairs(redis),
        Rule::HScan => match (kv, redis) {
            (Reply::Array(k), Reply::Array(r)) if k.len() == 2 && r.len() == 2 => {
                let zero = |c: &Reply| c.as_bytes() == Some(b"0");
                if zero(&k[0]) && zero(&r[0]) {
                    sorted_pairs(&k[1]).is_some() && sorted_pairs(&k[1]) == sorted_pairs(&r[1])
                } else {
                    same_shape(&k[0], &r[0]) && same_kind(&k[1], &r[1])
                }
            }
            _ => same(kv, redis),
        },
        Rule::Encoding72 => {
            same(kv, redis) || (kv.as_bytes() == Some(b"listpack") && redis.as_bytes() == Some(b"quicklist"))
        }
        Rule::Shape => same_shape(kv, redis),
        Rule::Hello => same(&mask_hello(kv), &mask_hello(redis)),
        Rule::CommandInfo => return compare_command_info(kv, redis),
        Rule::CommandList => {
            let (Some(k), Some(r)) = (sorted_items(kv), sorted_items(redis)) else {
                return Err("COMMAND LIST is not a list of names".into());
            };
            let extra: Vec<String> = k
                .iter()
                .filter(|n| {
                    r.binary_search(n).is_err() && !NEWER_THAN_REFERENCE.contains(&&*String::from_utf8_lossy(n))
                })
                .map(|n| String::from_utf8_lossy(n).into())
                .collect();
            return if extra.is_empty() { Ok(()) } else { Err(format!("kv lists commands Redis lacks: {extra:?}")) };
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("replies differ (compared as {rule:?})"))
    }
}

/// Two scores: equal replies, or bulk strings (RESP2) that parse to the
/// bit-identical double.
pub fn same_score(a: &Reply, b: &Reply) -> bool {
    let parse = |r: &Reply| match r {
        Reply::Bulk(b) => kv_core::num::parse_f64(b).map(f64::to_bits),
        _ => None,
    };
    same(a, b) || matches!((parse(a), parse(b)), (Some(x), Some(y)) if x == y)
}

/// Equal replies, scores at the positions `at` compared by [`same_score`].
pub fn same_scores(at: ScoreAt, kv: &Reply, redis: &Reply) -> bool {
    let each = |x: &[Reply], y: &[Reply], f: &dyn Fn(usize, &Reply, &Reply) -> bool| {
        x.len() == y.len() && x.iter().zip(y).enumerate().all(|(i, (a, b))| f(i, a, b))
    };
    match (at, kv, redis) {
        (ScoreAt::Whole, a, b) => same_score(a, b),
        (ScoreAt::Each, Reply::Array(x), Reply::Array(y)) => each(x, y, &|_, a, b| same_score(a, b)),
        (ScoreAt::Pairs, Reply::Array(x), Reply::Array(y)) => each(x, y, &|i, a, b| match (a, b) {
            (Reply::Array(p), Reply::Array(q)) if p.len() == 2 => {
                each(p, q, &|j, a, b| if j == 1 { same_score(a, b) } else { same(a, b) })
            }
            _ if i % 2 == 1 => same_score(a, b),
            _ => same(a, b),
        }),
        (ScoreAt::Popped, Reply::Array(x), Reply::Array(y)) if x.len() == 2 => {
            each(x, y, &|i, a, b| if i == 1 { same_scores(ScoreAt::Pairs, a, b) } else { same(a, b) })
        }
        (ScoreAt::Last, Reply::Array(x), Reply::Array(y)) => {
            each(x, y, &|i, a, b| if i + 1 == x.len() { same_score(a, b) } else { same(a, b) })
        }
        _ => same(kv, redis),
    }
}

fn compare_command_info(kv: &Reply, redis: &Reply) -> Result<(), String> {
    let (Reply::Array(k), Reply::Array(r)) = (kv, redis) else {
        return if same_kind(kv, redis) { Ok(()) } else { Err("COMMAND INFO reply types differ".into()) };
    };
    if k.len() != r.len() {
        return Err("COMMAND INFO: different number of entries".into());
    }
    for (i, (k, r)) in k.iter().zip(r).enumerate() {
        match (k, r) {
            (Reply::Nil | Reply::NilArray, _) => {}
            (Reply::Array(ke), Reply::Array(re)) => {
                // name, arity, first key, last key, step
                for f in [0, 1, 3, 4, 5] {
                    if !matches!((ke.get(f), re.get(f)), (Some(a), Some(b)) if same(a, b)) {
                        return Err(format!("COMMAND INFO entry {i}: field {f} differs"));
                    }
                }
            }
            _ => return Err(format!("COMMAND INFO entry {i}: kv has a command Redis does not")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kv_core::Reply as R;

    #[test]
    fn rules_relax_only_what_they_say() {
        let cmd = |s: &str| s.split(' ').map(|a| a.as_bytes().to_vec()).collect::<Vec<_>>();
        assert_eq!(rule(&cmd("ttl k")), Rule::Tolerance(1));
        assert_eq!(rule(&cmd("object idletime k")), Rule::Kind);
        assert_eq!(rule(&cmd("smembers k")), Rule::AsSet);
        assert_eq!(rule(&cmd("sscan k 0")), Rule::ScanUnion);
        assert_eq!(rule(&cmd("sscan k 5")), Rule::Kind);
        assert_eq!(rule(&cmd("sismember k a")), Rule::Exact);
        assert!(compare(Rule::Encoding72, &R::bulk("listpack"), &R::bulk("listpack")).is_ok());
        assert!(compare(Rule::Encoding72, &R::bulk("intset"), &R::bulk("hashtable")).is_err());
        assert_eq!(rule(&cmd("object encoding k")), Rule::Encoding72);
        let e = Rule::Encoding72;
        assert!(compare(e, &R::bulk("listpack"), &R::bulk("quicklist")).is_ok());
        assert!(compare(e, &R::bulk("quicklist"), &R::bulk("listpack")).is_err());
        assert!(compare(e, &R::bulk("embstr"), &R::bulk("raw")).is_err());
        assert_eq!(rule(&cmd("scan 0 match *")), Rule::ScanUnion);
        let t = Rule::Tolerance(1);
        assert!(compare(t, &R::Integer(999), &R::Integer(1000)).is_ok());
        assert!(compare(t, &R::Integer(998), &R::Integer(1000)).is_err());
        assert!(compare(t, &R::Integer(-1), &R::Integer(0)).is_err());
        assert!(compare(Rule::Kind, &R::Integer(5), &R::Integer(9)).is_ok());
        assert!(compare(Rule::Kind, &R::error("ERR a"), &R::error("ERR b")).is_err());
        let arr = |v: &[&str]| R::Array(v.iter().map(|s| R::bulk(*s)).collect());
        assert!(compare(Rule::AsSet, &arr(&["a", "b"]), &arr(&["b", "a"])).is_ok());
        assert!(compare(Rule::AsSet, &arr(&["a", "a"]), &arr(&["a", "b"])).is_err());
        assert!(compare(Rule::Shape, &arr(&["1", "2"]), &arr(&["3", "4"])).is_ok());
        assert!(compare(Rule::Shape, &arr(&["1"]), &arr(&["3", "4"])).is_err());
        let hello = |id: i64, proto: i64| {
            R::Map(vec![
                (R::bulk("version"), R::bulk("x")),
                (R::bulk("proto"), R::Integer(proto)),
                (R::bulk("id"), R::Integer(id)),
            ])
        };
        assert!(compare(Rule::Hello, &hello(1, 3), &hello(7, 3)).is_ok());
        assert!(compare(Rule::Hello, &hello(1, 2), &hello(1, 3)).is_err());
        assert!(compare(Rule::CommandList, &arr(&["get"]), &arr(&["set", "get"])).is_ok());
        assert!(compare(Rule::CommandList, &arr(&["gett"]), &arr(&["set", "get"])).is_err());
        assert!(compare(Rule::CommandList, &arr(&["client|setinfo"]), &arr(&["get"])).is_ok());
        assert_eq!(rule(&cmd("bitcount k 1")), Rule::ArgsCheckedBeforeKey72);
        assert!(compare(Rule::ArgsCheckedBeforeKey72, &R::error("ERR syntax error"), &R::Integer(0)).is_err());
        assert!(same(&R::Double(f64::NAN), &R::Double(f64::NAN)));
        assert_eq!(rule(&cmd("blpop k 1e400")), Rule::TimeoutRange72);
        let negative = R::error("ERR timeout is negative");
        assert!(compare(Rule::TimeoutRange72, &R::error("ERR timeout is out of range"), &negative).is_ok());
        assert!(compare(Rule::TimeoutRange72, &R::NilArray, &negative).is_err());
        assert_eq!(rule(&cmd("hgetall k")), Rule::PairsAsSet);
        assert!(compare(Rule::PairsAsSet, &arr(&["a", "1", "b", "2"]), &arr(&["b", "2", "a", "1"])).is_ok());
        assert!(compare(Rule::PairsAsSet, &arr(&["a", "2", "b", "1"]), &arr(&["b", "2", "a", "1"])).is_err());
        let scan = |c: &str, v: &[&str]| R::Array(vec![R::bulk(c), arr(v)]);
        assert!(compare(Rule::HScan, &scan("0", &["a", "1", "b", "2"]), &scan("0", &["b", "2", "a", "1"])).is_ok());
        assert!(compare(Rule::HScan, &scan("0", &["a", "1"]), &scan("0", &["b", "2", "a", "1"])).is_err());
        assert!(compare(Rule::HScan, &scan("3", &["a", "1"]), &scan("0", &["b", "2", "a", "1"])).is_ok());
        // Scores: the same double in 7.0's and 7.2's forms, only where scores are.
        assert_eq!(rule(&cmd("zrange k 0 -1 withscores")), Rule::Scores(ScoreAt::Pairs));
        assert_eq!(rule(&cmd("zrange k 0 -1")), Rule::Exact);
        assert_eq!(rule(&cmd("zadd k 1 m")), Rule::Exact);
        assert_eq!(rule(&cmd("zadd k incr 1 m")), Rule::Scores(ScoreAt::Whole));
        let p = Rule::Scores(ScoreAt::Pairs);
        assert!(compare(p, &arr(&["0.1", "0.1"]), &arr(&["0.1", "0.10000000000000001"])).is_ok());
        assert!(compare(p, &arr(&["0.1", "0.1"]), &arr(&["0.10000000000000001", "0.1"])).is_err());
        assert!(compare(p, &arr(&["a", "0.1"]), &arr(&["a", "0.10000000000000002"])).is_err());
        assert!(compare(p, &arr(&["a", "inf"]), &arr(&["a", "inf"])).is_ok());
        let nested = R::Array(vec![arr(&["a", "1.1"])]);
        assert!(compare(p, &nested, &R::Array(vec![arr(&["a", "1.1000000000000001"])])).is_ok());
        assert!(compare(p, &nested, &R::Array(vec![arr(&["1.1", "1.1000000000000001"])])).is_err());
        let w = Rule::Scores(ScoreAt::Whole);
        assert!(compare(w, &R::bulk("1e+300"), &R::bulk("1.0000000000000001e+300")).is_ok());
        assert!(compare(w, &R::bulk("1"), &R::bulk("1.0000000000000002")).is_err());
        assert!(compare(w, &R::Nil, &R::bulk("1")).is_err());
        let popped = |s: &str| R::Array(vec![R::bulk("k"), R::Array(vec![arr(&["m", s])])]);
        assert!(compare(Rule::Scores(ScoreAt::Popped), &popped("0.1"), &popped("0.10000000000000001")).is_ok());
        assert!(compare(Rule::Scores(ScoreAt::Popped), &popped("0.1"), &popped("0.2")).is_err());
        assert_eq!(rule(&cmd("bzpopmax a b 0.01")), Rule::BlockingScores(ScoreAt::Last));
        let last = Rule::BlockingScores(ScoreAt::Last);
        assert!(compare(last, &R::error("ERR timeout is out of range"), &negative).is_ok());
        assert!(compare(last, &arr(&["k", "m", "0.1"]), &arr(&["k", "m", "0.10000000000000001"])).is_ok());
        assert!(compare(last, &arr(&["k", "m", "0.1"]), &arr(&["k", "n", "0.1"])).is_err());
        assert!(compare(last, &arr(&["k", "m", "0.1"]), &arr(&["k", "m", "0.2"])).is_err());
        assert_eq!(as_client_sees(R::Array(vec![R::NilArray]), 3), R::Array(vec![R::Nil]));
        assert_eq!(as_client_sees(R::NilArray, 2), R::NilArray);
    }
}
