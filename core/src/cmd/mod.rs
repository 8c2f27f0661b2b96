//! The command table: the single source of truth for every command's name,
//! arity, flags, key positions and handler. Each family module lists its
//! commands in a `COMMANDS` slice; [`lookup`] finds one by name without
//! allocating, case-insensitively.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::value::Kind;

pub mod bitmaps;
pub mod blocking;
pub mod connection;
pub mod expire;
pub mod hashes;
pub mod keys;
pub mod lists;
pub mod persist;
pub mod server;
pub mod sets;
pub mod sort;
pub mod strings;
pub mod transactions;
pub mod zsets;

/// A command handler. `args[0]` is the command name as sent.
pub type Handler = fn(&mut Ctx<'_>, &[&[u8]]) -> Reply;

/// Command flags, as COMMAND INFO names them.
pub mod flag {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const NOSCRIPT: u32 = 1 << 4;
    pub const RANDOM: u32 = 1 << 5;
    pub const LOADING: u32 = 1 << 6;
    pub const STALE: u32 = 1 << 7;
    pub const FAST: u32 = 1 << 8;
    pub const NO_AUTH: u32 = 1 << 9;
    pub const BLOCKING: u32 = 1 << 10;
    pub const NO_MULTI: u32 = 1 << 11;
    pub const ALLOW_BUSY: u32 = 1 << 12;
    /// Not a Redis flag: the dispatcher locks every shard of the selected
    /// database before the handler runs.
    pub const WHOLE_DB: u32 = 1 << 24;
    /// Not a Redis flag: the handler takes its own locks.
    pub const SELF_LOCKING: u32 = 1 << 25;

    pub const NAMES: &[(u32, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (NOSCRIPT, "noscript"),
        (RANDOM, "random"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (BLOCKING, "blocking"),
        (NO_MULTI, "no_multi"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// One entry of the command table.
#[derive(Debug)]
pub struct CommandSpec {
    /// Lower-case name.
    pub name: &'static str,
    /// Redis arity: `n` exactly n arguments (name included), `-n` at least n.
    pub arity: i32,
    pub flags: u32,
    /// Position of the first key (0: no keys).
    pub first_key: i32,
    /// Position of the last key; negative counts from the end (-1 = last).
    pub last_key: i32,
    pub step: i32,
    /// ACL category group (docs and COMMAND DOCS).
    pub group: &'static str,
    pub handler: Handler,
}

/// Builds a table entry (keeps the family tables one line per command).
pub const fn cmd(
    name: &'static str,
    arity: i32,
    flags: u32,
    keys: (i32, i32, i32),
    group: &'static str,
    handler: Handler,
) -> CommandSpec {
    CommandSpec { name, arity, flags, first_key: keys.0, last_key: keys.1, step: keys.2, group, handler }
}

/// No key arguments.
pub const NOKEYS: (i32, i32, i32) = (0, 0, 0);
/// One key, the first argument.
pub const KEY1: (i32, i32, i32) = (1, 1, 1);

impl CommandSpec {
    pub fn has(&self, f: u32) -> bool {
        self.flags & f != 0
    }

    pub fn arity_ok(&self, argc: usize) -> bool {
        let a = self.arity;
        if a >= 0 {
            argc == a as usize
        } else {
            argc >= (-a) as usize
        }
    }

    /// The key arguments of a call, by the table's first/last/step.
    pub fn keys<'a>(&self, args: &[&'a [u8]]) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        let argc = args.len() as i32;
        let (first, step) = (self.first_key, self.step.max(1));
        let last = if self.last_key < 0 { argc + self.last_key } else { self.last_key };
        let range: Vec<&'a [u8]> = if first <= 0 || first >= argc {
            Vec::new()
        } else {
            (first..=last.min(argc - 1)).step_by(step as usize).map(|i| args[i as usize]).collect()
        };
        range.into_iter()
    }
}

fn families() -> impl Iterator<Item = &'static CommandSpec> {
    [
        connection::COMMANDS,
        server::COMMANDS,
        keys::COMMANDS,
        expire::COMMANDS,
        strings::COMMANDS,
        bitmaps::COMMANDS,
        hashes::COMMANDS,
        sets::COMMANDS,
        lists::COMMANDS,
        sort::COMMANDS,
        zsets::COMMANDS,
        transactions::COMMANDS,
        blocking::COMMANDS,
        persist::COMMANDS,
    ]
    .into_iter()
    .flatten()
}

/// Longest command name in the table; longer names cannot match.
const MAX_NAME: usize = 32;

fn table() -> &'static HashMap<&'static [u8], &'static CommandSpec, ahash::RandomState> {
    static TABLE: OnceLock<HashMap<&'static [u8], &'static CommandSpec, ahash::RandomState>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = HashMap::with_hasher(ahash::RandomState::with_seeds(7, 11, 13, 17));
        for spec in families() {
            assert!(spec.name.len() <= MAX_NAME && spec.name == spec.name.to_ascii_lowercase());
            let dup = m.insert(spec.name.as_bytes(), spec);
            assert!(dup.is_none(), "command {} listed twice", spec.name);
        }
        m
    })
}

/// Finds a command by name, case-insensitively, without allocating.
pub fn lookup(name: &[u8]) -> Option<&'static CommandSpec> {
    if name.len() > MAX_NAME {
        return None;
    }
    let mut buf = [0u8; MAX_NAME];
    let lower = &mut buf[..name.len()];
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    table().get(&*lower).copied()
}

/// Every command, in no particular order.
pub fn all() -> impl Iterator<Item = &'static CommandSpec> {
    table().values().copied()
}

// ---- helpers shared by handlers -------------------------------------------

/// Case-insensitive comparison of an argument with an option name.
pub fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

pub fn int_arg(arg: &[u8]) -> Result<i64, Reply> {
    crate::num::parse_i64(arg).ok_or(Reply::error(errors::NOT_INTEGER))
}

pub fn float_arg(arg: &[u8]) -> Result<f64, Reply> {
    crate::num::parse_f64(arg).ok_or(Reply::error(errors::NOT_FLOAT))
}

/// The bytes of a string key (None if absent) or a WRONGTYPE error.
pub fn read_str<'c>(ctx: &'c Ctx<'_>, key: &[u8]) -> Result<Option<&'c [u8]>, Reply> {
    match ctx.read(key) {
        None => Ok(None),
        Some(s) => s.as_str().map(Some).ok_or(Reply::error(errors::WRONGTYPE)),
    }
}

/// Fails with WRONGTYPE if a live key exists with another type.
pub fn expect_kind(ctx: &Ctx<'_>, key: &[u8], kind: Kind) -> Result<bool, Reply> {
    match ctx.peek(key) {
        None => Ok(false),
        Some(s) if s.kind() == kind => Ok(true),
        Some(_) => Err(Reply::error(errors::WRONGTYPE)),
    }
}

/// Turns a handler written with `?` into a plain reply.
pub fn reply(r: Result<Reply, Reply>) -> Reply {
    r.unwrap_or_else(|e| e)
}

/// A `format!`ed error reply.
pub fn err(s: String) -> Reply {
    Reply::error_owned(s)
}
