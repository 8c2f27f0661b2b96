//! COMMAND and its subcommands, built from the command table. What the
//! table does not hold (ACL categories, tips, key specs, docs) comes from
//! Redis's own command reference in `redis_commands.txt`.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::cmd::connection::{dispatch, help, Sub, CLIENT_SUBS};
use crate::cmd::{self as table, flag, is, CommandSpec};
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;

/// One line of Redis's command reference.
#[derive(Debug)]
pub struct RedisCommand {
    /// `name` or `container|sub`.
    pub name: &'static str,
    pub group: &'static str,
    pub since: &'static str,
    pub arity: i32,
    pub flags: Vec<&'static str>,
    pub acl: Vec<&'static str>,
    pub tips: Vec<&'static str>,
    key_specs: &'static str,
    pub summary: &'static str,
}

/// Every Redis command and subcommand, sorted by name.
pub fn redis_reference() -> &'static [RedisCommand] {
    static REF: OnceLock<Vec<RedisCommand>> = OnceLock::new();
    REF.get_or_init(|| {
        let list = |s: &'static str| if s == "-" { Vec::new() } else { s.split(',').collect() };
        include_str!("../redis_commands.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                let f: Vec<&'static str> = l.splitn(9, '\t').collect();
                RedisCommand {
                    name: f[0],
                    group: f[1],
                    since: f[2],
                    arity: f[3].parse().expect("arity"),
                    flags: list(f[4]),
                    acl: list(f[5]),
                    tips: list(f[6]),
                    key_specs: f[7],
                    summary: f.get(8).copied().unwrap_or(""),
                }
            })
            .collect()
    })
}

fn reference(name: &str) -> Option<&'static RedisCommand> {
    static BY_NAME: OnceLock<HashMap<&'static str, &'static RedisCommand>> = OnceLock::new();
    BY_NAME.get_or_init(|| redis_reference().iter().map(|c| (c.name, c)).collect()).get(name).copied()
}

/// The subcommands a container command supports here.
fn subcommands(name: &str) -> &'static [Sub] {
    match name {
        "client" => CLIENT_SUBS,
        "command" => COMMAND_SUBS,
        "config" => super::CONFIG_SUBS,
        _ => &[],
    }
}

/// Redis's order of command flags in COMMAND INFO.
const FLAG_ORDER: &[&str] = &[
    "write",
    "readonly",
    "denyoom",
    "admin",
    "noscript",
    "blocking",
    "loading",
    "stale",
    "fast",
    "no_auth",
    "no_multi",
    "allow_busy",
];

fn flag_names(flags: u32) -> Vec<&'static str> {
    let on = |n: &&str| flag::NAMES.iter().any(|&(f, name)| name == *n && flags & f != 0);
    FLAG_ORDER.iter().copied().filter(on).collect()
}

/// ACL categories Redis would derive from the flags alone, for a command
/// missing from the reference.
fn implied_acl(flags: &[&str]) -> Vec<&'static str> {
    let has = |f: &str| flags.contains(&f);
    let mut acl = Vec::new();
    for (f, cat) in [("write", "@write"), ("readonly", "@read"), ("admin", "@admin")] {
        if has(f) {
            acl.push(cat);
        }
    }
    acl.push(if has("fast") { "@fast" } else { "@slow" });
    if has("blocking") {
        acl.push("@blocking");
    }
    if has("admin") {
        acl.push("@dangerous");
    }
    acl
}

fn statuses(v: &[&str]) -> Reply {
    Reply::Set(v.iter().map(|s| Reply::Status(s.to_string().into())).collect())
}

fn bulks(v: &[&str]) -> Reply {
    Reply::Set(v.iter().map(|s| Reply::bulk(*s)).collect())
}

fn map(pairs: Vec<(&str, Reply)>) -> Reply {
    Reply::Map(pairs.into_iter().map(|(k, v)| (Reply::bulk(k), v)).collect())
}

/// The key specs of the reference, or one range spec from the table.
fn key_specs(spec: Option<&CommandSpec>, r: Option<&RedisCommand>) -> Reply {
    let text = match (r, spec) {
        (Some(r), _) => r.key_specs.to_string(),
        (None, Some(s)) if s.first_key > 0 => {
            let last = if s.last_key < 0 { s.last_key } else { s.last_key - s.first_key };
            let access = if s.has(flag::WRITE) { "RW,update" } else { "RO,access" };
            format!("{access}/index:{}/range:{last},{},0", s.first_key, s.step)
        }
        _ => "-".into(),
    };
    let specs = text.split(';').filter(|s| *s != "-").map(|s| {
        let mut parts = s.split('/');
        let (flags, begin, find) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let flags: Vec<&str> = flags.split(',').filter(|f| !f.is_empty()).collect();
        let (bt, bargs) = begin.split_once(':').unwrap_or(("unknown", ""));
        let (ft, fargs) = find.split_once(':').unwrap_or(("unknown", ""));
        let ints: Vec<i64> = fargs.split(',').filter_map(|n| n.parse().ok()).collect();
        let int = |i: usize| Reply::Integer(ints.get(i).copied().unwrap_or(0));
        let bspec = match bt {
            "index" => map(vec![("index", Reply::Integer(bargs.parse().unwrap_or(0)))]),
            "keyword" => {
                let (kw, from) = bargs.rsplit_once(',').unwrap_or((bargs, "0"));
                map(vec![("keyword", Reply::bulk(kw)), ("startfrom", Reply::Integer(from.parse().unwrap_or(0)))])
            }
            _ => map(vec![]),
        };
        let fspec = match ft {
            "range" => map(vec![("lastkey", int(0)), ("keystep", int(1)), ("limit", int(2))]),
            "keynum" => map(vec![("keynumidx", int(0)), ("firstkey", int(1)), ("keystep", int(2))]),
            _ => map(vec![]),
        };
        map(vec![
            ("flags", statuses(&flags)),
            ("begin_search", map(vec![("type", Reply::bulk(bt)), ("spec", bspec)])),
            ("find_keys", map(vec![("type", Reply::bulk(ft)), ("spec", fspec)])),
        ])
    });
    Reply::Set(specs.collect())
}

/// COMMAND INFO's ten-element description of a command.
fn info_reply(spec: &CommandSpec) -> Reply {
    let r = reference(spec.name);
    let mut flags = flag_names(spec.flags);
    // Redis derives movablekeys from key specs the table's (first, last,
    // step) cannot express (a key count argument, a STORE keyword).
    if r.is_some_and(|r| r.flags.contains(&"movablekeys")) {
        flags.push("movablekeys");
    }
    let acl = r.map_or_else(|| implied_acl(&flags), |r| r.acl.clone());
    let subs = subcommands(spec.name);
    let subs = if subs.is_empty() {
        Reply::Set(Vec::new())
    } else {
        Reply::Array(subs.iter().map(|s| sub_info_reply(spec.name, s)).collect())
    };
    Reply::Array(vec![
        Reply::bulk(spec.name),
        Reply::Integer(spec.arity as i64),
        statuses(&flags),
        Reply::Integer(spec.first_key as i64),
        Reply::Integer(spec.last_key as i64),
        Reply::Integer(spec.step as i64),
        statuses(&acl),
        bulks(r.map_or(&[][..], |r| &r.tips)),
        key_specs(Some(spec), r),
        subs,
    ])
}

/// A subcommand's description: arity from our table, the rest from Redis's
/// reference (subcommands here take no keys).
fn sub_info_reply(parent: &str, sub: &Sub) -> Reply {
    let full = format!("{parent}|{}", sub.name);
    let r = reference(&full);
    let empty = Vec::new();
    Reply::Array(vec![
        Reply::bulk(full),
        Reply::Integer(sub.arity as i64),
        statuses(r.map_or(&empty, |r| &r.flags)),
        Reply::Integer(0),
        Reply::Integer(0),
        Reply::Integer(0),
        statuses(r.map_or(&empty, |r| &r.acl)),
        bulks(r.map_or(&empty, |r| &r.tips)),
        Reply::Set(Vec::new()),
        Reply::Set(Vec::new()),
    ])
}

fn sorted_table() -> Vec<&'static CommandSpec> {
    let mut all: Vec<_> = table::all().collect();
    all.sort_by_key(|s| s.name);
    all
}

// ---- COMMAND -----------------------------------------------------------------

static COMMAND_SUBS: &[Sub] = &[
    Sub { name: "count", arity: 2, handler: count },
    Sub { name: "info", arity: -2, handler: info },
    Sub { name: "list", arity: -2, handler: list },
    Sub { name: "docs", arity: -2, handler: docs },
    Sub { name: "getkeys", arity: -4, handler: getkeys },
    Sub { name: "help", arity: 2, handler: command_help },
];

pub(super) fn command(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    if args.len() == 1 {
        return Reply::Array(sorted_table().into_iter().map(info_reply).collect());
    }
    dispatch("command", COMMAND_SUBS, ctx, args)
}

fn count(_: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    Reply::from(table::all().count())
}

fn info(_: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    if args.len() == 2 {
        return Reply::Array(sorted_table().into_iter().map(info_reply).collect());
    }
    Reply::Array(args[2..].iter().map(|n| table::lookup(n).map_or(Reply::Nil, info_reply)).collect())
}

/// Every command's name, subcommands as `container|sub`.
fn all_names() -> Vec<String> {
    let mut names = Vec::new();
    for spec in sorted_table() {
        names.push(spec.name.to_string());
        names.extend(subcommands(spec.name).iter().map(|s| format!("{}|{}", spec.name, s.name)));
    }
    names
}

/// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
fn list(_: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let names = all_names();
    let keep: Box<dyn Fn(&str) -> bool> = match args {
        [_, _] => Box::new(|_| true),
        [_, _, by, kind, arg] if is(by, "FILTERBY") => {
            let arg = arg.to_vec();
            if is(kind, "MODULE") {
                Box::new(|_| false)
            } else if is(kind, "ACLCAT") {
                let cat = format!("@{}", String::from_utf8_lossy(&arg).to_ascii_lowercase());
                Box::new(move |n| acl_of(n).iter().any(|c| *c == cat))
            } else if is(kind, "PATTERN") {
                Box::new(move |n| crate::glob::matches_nocase(&arg, n.as_bytes()))
            } else {
                return Reply::error(errors::SYNTAX);
            }
        }
        _ => return Reply::error(errors::SYNTAX),
    };
    Reply::Array(names.into_iter().filter(|n| keep(n)).map(Reply::bulk).collect())
}

fn acl_of(name: &str) -> Vec<&'static str> {
    if let Some(r) = reference(name) {
        return r.acl.clone();
    }
    table::lookup(name.as_bytes()).map(|s| implied_acl(&flag_names(s.flags))).unwrap_or_default()
}

/// COMMAND DOCS [name ...]: summary, since and group of each command (and
/// of its subcommands), as a map by name; unknown names are skipped.
fn docs(_: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let specs: Vec<&CommandSpec> =
        if args.len() == 2 { sorted_table() } else { args[2..].iter().filter_map(|n| table::lookup(n)).collect() };
    let doc = |name: &str, group: &str| {
        let r = reference(name);
        vec![
            ("summary", Reply::bulk(r.map_or("", |r| r.summary))),
            ("since", Reply::bulk(r.map_or("", |r| r.since))),
            ("group", Reply::bulk(r.map_or(group, |r| r.group))),
        ]
    };
    Reply::Map(
        specs
            .into_iter()
            .map(|s| {
                let mut d = doc(s.name, s.group);
                let subs = subcommands(s.name);
                if !subs.is_empty() {
                    let subdocs = subs.iter().map(|sub| {
                        let full = format!("{}|{}", s.name, sub.name);
                        let d = map(doc(&full, s.group));
                        (Reply::bulk(full), d)
                    });
                    d.push(("subcommands", Reply::Map(subdocs.collect())));
                }
                (Reply::bulk(s.name), map(d))
            })
            .collect(),
    )
}

/// COMMAND GETKEYS cmd arg...: the keys by the table's key positions.
fn getkeys(_: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let call = &args[2..];
    let Some(spec) = table::lookup(call[0]) else {
        return Reply::error(errors::INVALID_COMMAND);
    };
    if !spec.arity_ok(call.len()) {
        return Reply::error(errors::GETKEYS_ARITY);
    }
    if spec.first_key <= 0 {
        return Reply::error(errors::NO_KEY_ARGS);
    }
    Reply::Array(spec.keys(call).map(Reply::bulk).collect())
}

fn command_help(_: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    help(
        "command",
        &[
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "HELP",
            "    Prints this help.",
        ],
    )
}
