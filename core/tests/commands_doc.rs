//! docs/COMMANDS.md is generated from the command table and Redis's command
//! list; this test fails when it is stale. Regenerate it with
//! `KV_BLESS=1 cargo test -p kv-core --test commands_doc`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use kv_core::cmd::server::redis_reference;
use kv_core::{Reply, Store};

/// Every command and subcommand kv has, as COMMAND LIST names them.
fn supported() -> BTreeSet<String> {
    match Store::new().execute(&["COMMAND", "LIST"]) {
        Reply::Array(names) => {
            names.iter().map(|n| String::from_utf8_lossy(n.as_bytes().expect("bulk")).into_owned()).collect()
        }
        other => panic!("COMMAND LIST replied {other:?}"),
    }
}

/// Where kv knowingly answers differently from Redis 7.2, and why.
const DIFFERENCES: &[&str] =
    &["A HELLO that switches the protocol inside MULTI: Redis writes each reply of EXEC in the protocol in effect \
     when its command ran, so one EXEC reply can mix RESP3 and RESP2 elements; kv's EXEC reply is one value, \
     given in the protocol in effect when EXEC returns."];

fn render() -> String {
    let have = supported();
    let reference = redis_reference();
    let mut groups: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let (mut total, mut done) = (0, 0);
    for c in reference {
        let ok = have.contains(c.name);
        total += 1;
        done += ok as usize;
        let name = c.name.replace('|', " ").to_ascii_uppercase();
        let summary = c.summary.replace('|', "\\|");
        let mark = if ok { "yes" } else { "no" };
        groups.entry(c.group).or_default().push(format!("| {name} | {} | {mark} | {summary} |", c.since));
    }
    let known: BTreeSet<&str> = reference.iter().map(|c| c.name).collect();
    let extra: Vec<&String> = have.iter().filter(|n| !known.contains(n.as_str())).collect();

    let mut out = String::new();
    out.push_str("# Commands\n\n");
    out.push_str("Every command and subcommand of Redis 7.2 (and the 7.4 hash-field expiry\n");
    out.push_str("commands), and whether kv supports it. Generated from the command table\n");
    out.push_str("(`core/src/cmd`) and Redis's list (`core/src/cmd/redis_commands.txt`) by\n");
    out.push_str("`KV_BLESS=1 cargo test -p kv-core --test commands_doc`; do not edit by hand.\n\n");
    out.push_str(&format!("kv supports {done} of {total}.\n"));
    for (group, rows) in groups {
        out.push_str(&format!("\n## {group}\n\n| Command | Since | kv | Summary |\n|---|---|---|---|\n"));
        for r in rows {
            out.push_str(&r);
            out.push('\n');
        }
    }
    out.push_str("\n## Known differences from Redis 7.2\n\n");
    for d in DIFFERENCES {
        out.push_str(&format!("- {d}\n"));
    }
    if !extra.is_empty() {
        out.push_str("\n## Not in Redis\n\n");
        for n in extra {
            out.push_str(&format!("- {}\n", n.replace('|', " ").to_ascii_uppercase()));
        }
    }
    out
}

#[test]
fn commands_md_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/COMMANDS.md");
    let want = render();
    if std::env::var_os("KV_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write docs/COMMANDS.md");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "docs/COMMANDS.md is stale: run `KV_BLESS=1 cargo test -p kv-core --test commands_doc`");
}

#[test]
fn every_table_command_matches_redis_arity_and_flags() {
    let flags = |r: &Reply| match r {
        Reply::Set(v) => {
            v.iter().map(|f| String::from_utf8_lossy(f.as_bytes().unwrap()).into_owned()).collect::<Vec<_>>()
        }
        _ => panic!("flags are a set"),
    };
    // Redis flags the table cannot express; COMMAND INFO leaves them out.
    let unexpressed = [
        "pubsub",
        "skip_monitor",
        "skip_slowlog",
        "no_async_loading",
        "may_replicate",
        "no_mandatory_keys",
        "protected",
        "module",
    ];
    let store = Store::new();
    let Reply::Array(all) = store.execute(&["COMMAND"]) else { panic!("COMMAND is an array") };
    assert!(!all.is_empty());
    for info in all {
        let Reply::Array(f) = info else { panic!("command info is an array") };
        let name = String::from_utf8_lossy(f[0].as_bytes().unwrap()).into_owned();
        let Some(r) = redis_reference().iter().find(|c| c.name == name) else { continue };
        assert_eq!(f[1].as_int(), Some(r.arity as i64), "arity of {name}");
        let want: Vec<String> = r.flags.iter().filter(|f| !unexpressed.contains(f)).map(|s| s.to_string()).collect();
        assert_eq!(flags(&f[2]), want, "flags of {name}");
    }
}
