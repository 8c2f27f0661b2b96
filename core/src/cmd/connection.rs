//! Connection commands: PING, ECHO, SELECT, HELLO, CLIENT, RESET, QUIT.
//!
//! Also the small subcommand dispatcher the container commands (CLIENT,
//! COMMAND, CONFIG) share, with Redis's `client|id`-style arity errors.

use super::{cmd, err, flag::*, is, CommandSpec, NOKEYS};
use crate::blocking::Stop;
use crate::errors;
use crate::keyspace::Ctx;
use crate::reply::Reply;

pub static COMMANDS: &[CommandSpec] = &[
    cmd("ping", -1, FAST, NOKEYS, "connection", ping),
    cmd("echo", 2, LOADING | STALE | FAST, NOKEYS, "connection", echo),
    cmd("select", 2, LOADING | STALE | FAST, NOKEYS, "connection", select),
    cmd("hello", -1, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, NOKEYS, "connection", hello),
    cmd("client", -2, 0, NOKEYS, "connection", client),
    cmd("reset", 1, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, NOKEYS, "connection", reset),
    cmd("quit", -1, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, NOKEYS, "connection", quit),
];

/// The server name and version HELLO and INFO report: Redis's, so client
/// libraries enable the features of the Redis version kv implements.
pub const REDIS_VERSION: &str = "7.2.4";

/// One subcommand of a container command (CLIENT, COMMAND, CONFIG).
pub struct Sub {
    /// Lower-case name.
    pub name: &'static str,
    /// Redis arity, counting the container's name and the subcommand's.
    pub arity: i32,
    pub handler: super::Handler,
}

const fn sub(name: &'static str, arity: i32, handler: super::Handler) -> Sub {
    Sub { name, arity, handler }
}

/// Runs `args[1]` from `subs`, with the errors Redis gives for an unknown
/// subcommand or a wrong number of arguments.
pub(super) fn dispatch(parent: &str, subs: &[Sub], ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let Some(s) = subs.iter().find(|s| is(args[1], s.name)) else {
        return err(errors::unknown_subcommand(parent, args[1]));
    };
    let ok = if s.arity >= 0 { args.len() == s.arity as usize } else { args.len() >= (-s.arity) as usize };
    if !ok {
        return err(errors::arity(&format!("{parent}|{}", s.name)));
    }
    (s.handler)(ctx, args)
}

/// A HELP reply: the usage line, then the lines given.
pub(super) fn help(parent: &str, lines: &[&str]) -> Reply {
    let head = format!("{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", parent.to_ascii_uppercase());
    Reply::Array(
        std::iter::once(head.into_bytes())
            .chain(lines.iter().map(|l| l.as_bytes().to_vec()))
            .map(Reply::Bulk)
            .collect(),
    )
}

fn ping(_: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    match args.len() {
        1 => Reply::status("PONG"),
        2 => Reply::bulk(args[1]),
        _ => err(errors::arity("ping")),
    }
}

fn echo(_: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    Reply::bulk(args[1])
}

fn select(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let Some(db) = crate::num::parse_i64(args[1]) else {
        return Reply::error(errors::NOT_INTEGER);
    };
    if i32::try_from(db).is_err() {
        return Reply::error(errors::INT_RANGE);
    }
    if db < 0 || db as usize >= ctx.databases() {
        return Reply::error(errors::DB_INDEX);
    }
    ctx.sess.db = db as usize;
    Reply::ok()
}

/// HELLO [protover [AUTH user pass] [SETNAME name]]. kv has no users: the
/// `default` user authenticates with any password, as Redis's passwordless
/// default user does.
fn hello(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let mut proto = None;
    if args.len() >= 2 {
        match crate::num::parse_i64(args[1]) {
            None => return Reply::error(errors::PROTO_NOT_INTEGER),
            Some(v @ 2..=3) => proto = Some(v as u8),
            Some(_) => return Reply::error(errors::NOPROTO),
        }
    }
    let mut name = None;
    let mut user = None;
    let mut j = 2;
    while j < args.len() {
        let more = args.len() - 1 - j;
        if is(args[j], "AUTH") && more >= 2 {
            user = Some(args[j + 1]);
            j += 3;
        } else if is(args[j], "SETNAME") && more >= 1 {
            if !valid_name(args[j + 1]) {
                return Reply::error(errors::CLIENT_NAME);
            }
            name = Some(args[j + 1]);
            j += 2;
        } else {
            let opt = String::from_utf8_lossy(errors::c_str(args[j]));
            return err(errors::sanitize(format!("ERR Syntax error in HELLO option '{opt}'")));
        }
    }
    if user.is_some_and(|u| u != b"default") {
        return Reply::error(errors::WRONGPASS);
    }
    if let Some(n) = name {
        set_name(ctx, n);
    }
    if let Some(p) = proto {
        ctx.sess.protocol = p;
    }
    let field = |k: &str, v: Reply| (Reply::bulk(k), v);
    Reply::Map(vec![
        field("server", Reply::bulk("redis")),
        field("version", Reply::bulk(REDIS_VERSION)),
        field("proto", Reply::Integer(ctx.sess.protocol as i64)),
        field("id", Reply::Integer(ctx.sess.id as i64)),
        field("mode", Reply::bulk("standalone")),
        field("role", Reply::bulk("master")),
        field("modules", Reply::Array(Vec::new())),
    ])
}

/// Redis accepts client names made of printable ASCII without spaces.
fn valid_name(name: &[u8]) -> bool {
    name.iter().all(|&c| (b'!'..=b'~').contains(&c))
}

/// Sets the session's name; the empty name clears it.
fn set_name(ctx: &mut Ctx<'_>, name: &[u8]) {
    ctx.sess.name = (!name.is_empty()).then(|| name.to_vec());
}

fn reset(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    ctx.sess.db = 0;
    ctx.sess.protocol = 2;
    ctx.sess.name = None;
    Reply::status("RESET")
}

fn quit(_: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    Reply::ok()
}

// ---- CLIENT ------------------------------------------------------------------

pub static CLIENT_SUBS: &[Sub] = &[
    sub("id", 2, client_id),
    sub("setname", 3, client_setname),
    sub("getname", 2, client_getname),
    sub("info", 2, client_info),
    sub("list", -2, client_list),
    sub("setinfo", 4, client_setinfo),
    sub("unblock", -3, client_unblock),
    sub("help", 2, client_help),
];

fn client(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    dispatch("client", CLIENT_SUBS, ctx, args)
}

fn client_id(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    Reply::Integer(ctx.sess.id as i64)
}

fn client_setname(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    if !valid_name(args[2]) {
        return Reply::error(errors::CLIENT_NAME);
    }
    set_name(ctx, args[2]);
    Reply::ok()
}

fn client_getname(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    ctx.sess.name.clone().into()
}

/// One line of CLIENT LIST / CLIENT INFO, in Redis 7.2's field order. An
/// embedded session has no socket, buffers or idle time: those read empty
/// or zero.
fn client_line(ctx: &Ctx<'_>, cmd: &str) -> Vec<u8> {
    let s = &ctx.sess;
    let name = s.name.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
    format!(
        "id={} addr= laddr= fd=-1 name={name} age=0 idle=0 flags=N db={} sub=0 psub=0 ssub=0 multi=-1 \
         qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r \
         cmd={cmd} user=default redir=-1 resp={} lib-name= lib-ver=\n",
        s.id, s.db, s.protocol
    )
    .into_bytes()
}

fn client_info(ctx: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    Reply::Verbatim("txt", client_line(ctx, "client|info"))
}

/// CLIENT LIST [TYPE type] [ID id ...]: this session is the only client
/// an embedded store knows of.
fn client_list(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let mut show = true;
    match args.len() {
        2 => {}
        4 if is(args[2], "TYPE") => {
            let t = args[3];
            if !["normal", "master", "replica", "slave", "pubsub"].iter().any(|n| is(t, n)) {
                let t = String::from_utf8_lossy(t);
                return err(errors::sanitize(format!("ERR Unknown client type '{t}'")));
            }
            show = is(t, "normal");
        }
        n if n >= 4 && is(args[2], "ID") => {
            let mut ids = Vec::new();
            for a in &args[3..] {
                match crate::num::parse_i64(a) {
                    Some(id) => ids.push(id),
                    None => return Reply::error(errors::INVALID_CLIENT_ID),
                }
            }
            show = ids.contains(&(ctx.sess.id as i64));
        }
        _ => return Reply::error(errors::SYNTAX),
    }
    Reply::Verbatim("txt", if show { client_line(ctx, "client|list") } else { Vec::new() })
}

/// CLIENT SETINFO LIB-NAME|LIB-VER value: validated as Redis 7.2 does, but
/// not kept (sessions have no field for it), so CLIENT INFO shows them empty.
fn client_setinfo(_: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let attr = if is(args[2], "lib-name") {
        "lib-name"
    } else if is(args[2], "lib-ver") {
        "lib-ver"
    } else {
        return err(errors::sanitize(format!("ERR Unrecognized option '{}'", String::from_utf8_lossy(args[2]))));
    };
    if !valid_name(args[3]) {
        return err(format!("ERR {attr} cannot contain spaces, newlines or special characters."));
    }
    Reply::ok()
}

/// CLIENT UNBLOCK id [TIMEOUT|ERROR]: wakes another session's blocked call
/// (see `crate::blocking`); 1 if it was blocked.
fn client_unblock(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    if args.len() > 4 {
        let sub = String::from_utf8_lossy(errors::c_str(args[1]));
        return err(errors::sanitize(format!(
            "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try CLIENT HELP."
        )));
    }
    let why = match args.get(3) {
        None => Stop::Timeout,
        Some(a) if is(a, "timeout") => Stop::Timeout,
        Some(a) if is(a, "error") => Stop::Error,
        Some(_) => return Reply::error(errors::UNBLOCK_REASON),
    };
    let Some(id) = crate::num::parse_i64(args[2]) else { return Reply::error(errors::NOT_INTEGER) };
    let woken = u64::try_from(id).is_ok_and(|id| ctx.store().blocking.unblock(id, why));
    Reply::Integer(woken as i64)
}

fn client_help(_: &mut Ctx<'_>, _: &[&[u8]]) -> Reply {
    help(
        "client",
        &[
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "SETINFO <option> <value>",
            "    Set client meta attr. Options are:",
            "    * LIB-NAME: the client lib name.",
            "    * LIB-VER: the client lib version.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "HELP",
            "    Prints this help.",
        ],
    )
}
