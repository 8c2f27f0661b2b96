//! Redis's error texts, word for word.

pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
pub const NOT_FLOAT: &str = "ERR value is not a valid float";
pub const SYNTAX: &str = "ERR syntax error";
pub const NO_SUCH_KEY: &str = "ERR no such key";
pub const OVERFLOW: &str = "ERR increment or decrement would overflow";
pub const DB_INDEX: &str = "ERR DB index is out of range";
pub const INVALID_DB: &str = "ERR invalid DB index";
pub const EXPIRE_TIME: &str = "ERR invalid expire time in '{}' command";
pub const STRING_TOO_LONG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
pub const BIT_OFFSET: &str = "ERR bit offset is not an integer or out of range";
pub const BIT_VALUE: &str = "ERR bit is not an integer or out of range";
pub const OFFSET_RANGE: &str = "ERR offset is out of range";
pub const SAME_OBJECT: &str = "ERR source and destination objects are the same";
pub const INTERNAL: &str = "ERR internal error";

/// `ERR wrong number of arguments for '<name>' command`
pub fn arity(name: &str) -> String {
    format!("ERR wrong number of arguments for '{name}' command")
}

/// `ERR unknown command '<name>', with args beginning with: '<a>' '<b>' `,
/// built as Redis builds it (each part cut at 128 bytes, newlines blanked).
pub fn unknown_command(args: &[&[u8]]) -> String {
    let name = args.first().copied().unwrap_or(b"");
    let mut list = String::new();
    for a in args.iter().skip(1) {
        if list.len() >= 128 {
            break;
        }
        let room = 128 - list.len();
        let a = &a[..a.len().min(room)];
        list.push('\'');
        list.push_str(&String::from_utf8_lossy(a));
        list.push_str("' ");
    }
    let name = String::from_utf8_lossy(&name[..name.len().min(128)]);
    sanitize(format!("ERR unknown command '{name}', with args beginning with: {list}"))
}

/// `ERR unknown subcommand '<sub>'. Try <CMD> HELP.`
pub fn unknown_subcommand(cmd: &str, sub: &[u8]) -> String {
    let sub = String::from_utf8_lossy(&sub[..sub.len().min(128)]);
    sanitize(format!("ERR unknown subcommand '{sub}'. Try {} HELP.", cmd.to_ascii_uppercase()))
}

/// Error replies are one line: Redis replaces CR and LF with spaces.
pub fn sanitize(s: String) -> String {
    if s.contains(['\r', '\n']) {
        s.replace(['\r', '\n'], " ")
    } else {
        s
    }
}

pub const INVALID_CURSOR: &str = "ERR invalid cursor";
pub const NO_LFU: &str = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
pub const EXPIRE_NX_COMBO: &str = "ERR NX and XX, GT or LT options at the same time are not compatible";
pub const EXPIRE_GT_LT: &str = "ERR GT and LT options at the same time are not compatible";

/// `ERR invalid expire time in '<name>' command`
pub fn expire_time(name: &str) -> String {
    format!("ERR invalid expire time in '{name}' command")
}

/// `ERR Unsupported option <opt>` (EXPIRE's flags).
pub fn unsupported_option(opt: &[u8]) -> String {
    sanitize(format!("ERR Unsupported option {}", String::from_utf8_lossy(opt)))
}
pub const INT_RANGE: &str = "ERR value is out of range, value must between -2147483648 and 2147483647";
