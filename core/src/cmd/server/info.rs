//! INFO [section ...]: Redis's sections and field names, with the values an
//! embedded store has. Fields that only describe a networked server
//! (sockets, replication links, forks) are left out or reported idle.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::cmd::connection::REDIS_VERSION;
use crate::keyspace::Ctx;
use crate::reply::Reply;
use crate::shard::ShardStats;
use crate::store::StoreInner;

type Section = fn(&Ctx<'_>, &mut String);

/// Every section, in Redis's order; the flag says whether "default" (and
/// INFO without arguments) includes it. "all" and "everything" take them all.
const SECTIONS: &[(&str, bool, Section)] = &[
    ("server", true, server),
    ("clients", true, clients),
    ("memory", true, memory),
    ("persistence", true, persistence),
    ("stats", true, stats),
    ("replication", true, replication),
    ("modules", true, |_, _| {}),
    ("commandstats", false, |_, _| {}),
    ("errorstats", true, |_, _| {}),
    ("latencystats", false, |_, _| {}),
    ("cluster", true, |_, out| field(out, "cluster_enabled", 0)),
    ("keyspace", true, keyspace),
];

pub(super) fn info(ctx: &mut Ctx<'_>, args: &[&[u8]]) -> Reply {
    let wanted = |name: &str, default: bool| {
        if args.len() == 1 {
            return default;
        }
        args[1..].iter().any(|a| {
            let a = a.to_ascii_lowercase();
            a == name.as_bytes() || a == b"all" || a == b"everything" || (a == b"default" && default)
        })
    };
    // Memory and keyspace read every shard: lock them all (shared) at once,
    // as the locking scheme asks, so the counts are one consistent snapshot.
    if wanted("memory", true) || wanted("keyspace", true) {
        let dbs: Vec<usize> = (0..ctx.databases()).collect();
        ctx.lock_dbs(false, &dbs);
    }
    let mut out = String::new();
    for &(name, default, body) in SECTIONS {
        if wanted(name, default) {
            if !out.is_empty() {
                out.push_str("\r\n");
            }
            let mut title = name.to_string();
            title[..1].make_ascii_uppercase();
            let _ = write!(out, "# {title}\r\n");
            body(ctx, &mut out);
        }
    }
    Reply::Verbatim("txt", out.into_bytes())
}

fn field(out: &mut String, name: &str, value: impl std::fmt::Display) {
    let _ = write!(out, "{name}:{value}\r\n");
}

fn server(ctx: &Ctx<'_>, out: &mut String) {
    let st = ctx.store();
    let now_us = st.config.clock.now_us();
    let uptime = now_us / 1000 / 1000 - st.start_ms / 1000;
    field(out, "redis_version", REDIS_VERSION);
    field(out, "kv_version", env!("CARGO_PKG_VERSION"));
    field(out, "redis_git_sha1", "00000000");
    field(out, "redis_git_dirty", 0);
    field(out, "redis_mode", "standalone");
    field(out, "os", format_args!("{} {}", std::env::consts::OS, std::env::consts::ARCH));
    field(out, "arch_bits", usize::BITS);
    field(out, "process_id", std::process::id());
    field(out, "run_id", run_id(st));
    field(out, "tcp_port", 0);
    field(out, "server_time_usec", now_us);
    field(out, "uptime_in_seconds", uptime);
    field(out, "uptime_in_days", uptime / 86400);
    field(out, "hz", st.config.hz);
    field(out, "configured_hz", st.config.hz);
    field(out, "lru_clock", ctx.lru_now());
    field(out, "executable", std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default());
    field(out, "config_file", "");
}

/// 40 hex digits that stay the same for the life of the store.
fn run_id(st: &StoreInner) -> String {
    (0..3u64).map(|i| format!("{:016x}", st.hasher.hash_one((i, st.start_ms)))).collect::<String>()[..40].to_string()
}

fn clients(ctx: &Ctx<'_>, out: &mut String) {
    field(out, "maxclients", 10000);
    field(out, "blocked_clients", ctx.store().blocking.blocked());
    field(out, "tracking_clients", 0);
}

fn memory(ctx: &Ctx<'_>, out: &mut String) {
    let used: usize = (0..ctx.store().shards.len()).map(|i| ctx.shard(i).mem_usage()).sum();
    field(out, "used_memory", used);
    field(out, "used_memory_human", bytes_to_human(used));
    field(out, "maxmemory", 0);
    field(out, "maxmemory_human", "0B");
    field(out, "maxmemory_policy", "noeviction");
}

/// Redis's bytesToHuman.
fn bytes_to_human(n: usize) -> String {
    const UNITS: [&str; 5] = ["K", "M", "G", "T", "P"];
    if n < 1024 {
        return format!("{n}B");
    }
    let mut d = n as f64 / 1024.0;
    for u in UNITS {
        if d < 1024.0 {
            return format!("{d:.2}{u}");
        }
        d /= 1024.0;
    }
    format!("{:.2}P", d * 1024.0)
}

fn persistence(ctx: &Ctx<'_>, out: &mut String) {
    for (name, value) in crate::persist::info_fields(ctx.store()) {
        field(out, name, value);
    }
}

fn stats(ctx: &Ctx<'_>, out: &mut String) {
    let st = ctx.store();
    let sum = |f: fn(&ShardStats) -> &AtomicU64| st.stats_sum(f);
    let connections = st.next_client_id.load(Ordering::Relaxed).saturating_sub(1);
    field(out, "total_connections_received", connections);
    // Redis counts a command once it has run: this INFO is not in yet.
    field(out, "total_commands_processed", st.commands.sum().saturating_sub(1));
    field(out, "expired_keys", sum(|s| &s.expired));
    field(out, "evicted_keys", 0);
    field(out, "keyspace_hits", sum(|s| &s.hits));
    field(out, "keyspace_misses", sum(|s| &s.misses));
}

fn replication(_: &Ctx<'_>, out: &mut String) {
    field(out, "role", "master");
    field(out, "connected_slaves", 0);
}

/// `dbN:keys=K,expires=E,avg_ttl=0` for every non-empty database.
fn keyspace(ctx: &Ctx<'_>, out: &mut String) {
    let st = ctx.store();
    for db in 0..st.databases() {
        let (mut keys, mut expires) = (0, 0);
        for i in st.db_range(db) {
            let shard = ctx.shard(i);
            keys += shard.len();
            expires += shard.volatile();
        }
        if keys > 0 {
            let _ = write!(out, "db{db}:keys={keys},expires={expires},avg_ttl=0\r\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::bytes_to_human;

    #[test]
    fn human_sizes_as_redis_writes_them() {
        assert_eq!(bytes_to_human(1023), "1023B");
        assert_eq!(bytes_to_human(1024), "1.00K");
        assert_eq!(bytes_to_human(1533712), "1.46M");
        assert_eq!(bytes_to_human(3 << 30), "3.00G");
    }
}
