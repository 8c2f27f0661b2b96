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
    let mut list: Vec<u8> = Vec::new();
    for a in args.iter().skip(1) {
        if list.len() >= 128 {
            break;
        }
        let a = c_str(a);
        let room = 128 - list.len();
        list.push(b'\'');
        list.extend_from_slice(&a[..a.len().min(room)]);
        list.extend_from_slice(b"' ");
    }
    let name = c_str(name);
    let name = String::from_utf8_lossy(&name[..name.len().min(128)]);
    sanitize(format!("ERR unknown command '{name}', with args beginning with: {}", String::from_utf8_lossy(&list)))
}

/// `ERR unknown subcommand '<sub>'. Try <CMD> HELP.`
pub fn unknown_subcommand(cmd: &str, sub: &[u8]) -> String {
    let sub = c_str(sub);
    let sub = String::from_utf8_lossy(&sub[..sub.len().min(128)]);
    sanitize(format!("ERR unknown subcommand '{sub}'. Try {} HELP.", cmd.to_ascii_uppercase()))
}

/// An argument as C's `%s` prints it: up to its first NUL byte. Redis
/// formats arguments into error texts that way.
pub fn c_str(arg: &[u8]) -> &[u8] {
    arg.iter().position(|&b| b == 0).map_or(arg, |n| &arg[..n])
}

/// Error replies are one line: Redis replaces CR and LF with spaces.
pub fn sanitize(s: String) -> String {
    if s.contains(['\r', '\n']) {
        s.replace(['\r', '\n'], " ")
    } else {
        s
    }
}

// Bitmaps (BITPOS, BITOP, BITFIELD).
pub const BITPOS_BIT: &str = "ERR The bit argument must be 1 or 0.";
pub const BITOP_NOT: &str = "ERR BITOP NOT must be called with a single source key.";
pub const BITFIELD_TYPE: &str =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
pub const BITFIELD_OVERFLOW: &str = "ERR Invalid OVERFLOW type specified";
pub const BITFIELD_RO: &str = "ERR BITFIELD_RO only supports the GET subcommand";

// ---- connection and server commands ----------------------------------------

pub const PROTO_NOT_INTEGER: &str = "ERR Protocol version is not an integer or out of range";
pub const NOPROTO: &str = "NOPROTO unsupported protocol version";
pub const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";
pub const CLIENT_NAME: &str = "ERR Client names cannot contain spaces, newlines or special characters.";
pub const INVALID_CLIENT_ID: &str = "ERR Invalid client ID";
pub const SWAPDB_FIRST: &str = "ERR invalid first DB index";
pub const SWAPDB_SECOND: &str = "ERR invalid second DB index";
pub const INVALID_COMMAND: &str = "ERR Invalid command specified";
pub const GETKEYS_ARITY: &str = "ERR Invalid number of arguments specified for command";
pub const NO_KEY_ARGS: &str = "ERR The command has no key arguments";
pub const INT_RANGE: &str = "ERR value is out of range, value must between -2147483648 and 2147483647";

// ---- strings ----------------------------------------------------------------
pub const DECR_OVERFLOW: &str = "ERR decrement would overflow";
pub const NAN_OR_INFINITY: &str = "ERR increment would produce NaN or Infinity";
pub const LCS_NOT_STRING: &str = "ERR The specified keys must contain string values";
pub const LCS_IDX_AND_LEN: &str = "ERR If you want both the length and indexes, please just use IDX.";
pub const LCS_TOO_LONG: &str = "ERR String too long for LCS";
pub const LCS_MEMORY: &str = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
pub const LCS_ALLOC: &str = "ERR Insufficient memory, failed allocating transient memory for LCS";

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

// ---- hashes ------------------------------------------------------------------
pub const HASH_NOT_INTEGER: &str = "ERR hash value is not an integer";
pub const HASH_NOT_FLOAT: &str = "ERR hash value is not a float";
pub const HASH_NAN_OR_INFINITY: &str = "ERR value is NaN or Infinity";
pub const OUT_OF_RANGE: &str = "ERR value is out of range";
pub const HRANDFIELD_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
/// Hash-field expiry (Redis 7.4, src/t_hash.c).
pub const HFE_FIELDS_MISSING: &str = "ERR Mandatory argument FIELDS is missing or not at the right position";
pub const HFE_NUMFIELDS: &str = "ERR Parameter `numFields` should be greater than 0";
pub const HFE_NUMFIELDS_MISMATCH: &str = "ERR The `numfields` parameter must match the number of arguments";
pub const HFE_NEGATIVE: &str = "ERR invalid expire time, must be >= 0";
// ---- sets -------------------------------------------------------------------
pub const MUST_BE_POSITIVE: &str = "ERR value is out of range, must be positive";
pub const SRANDMEMBER_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
pub const NUMKEYS_POSITIVE: &str = "ERR numkeys should be greater than 0";
pub const NUMKEYS_TOO_MANY: &str = "ERR Number of keys can't be greater than number of args";
pub const LIMIT_NEGATIVE: &str = "ERR LIMIT can't be negative";
/// kv's own: a random-member count whose reply could not be built in memory
/// (Redis would start sending it and drop the client at its output limit).
pub const REPLY_TOO_LARGE: &str = "ERR count is too large for a reply";
// ---- lists ------------------------------------------------------------------
pub const INDEX_OUT_OF_RANGE: &str = "ERR index out of range";
pub const LPOS_RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
pub const LPOS_COUNT_NEGATIVE: &str = "ERR COUNT can't be negative";
pub const LPOS_MAXLEN_NEGATIVE: &str = "ERR MAXLEN can't be negative";
pub const COUNT_POSITIVE: &str = "ERR count should be greater than 0";

/// `ERR value is out of range, value must between <min> and <max>`
/// (Redis's getRangeLongFromObjectOrReply without a custom message).
pub fn long_range(min: i64, max: i64) -> String {
    format!("ERR value is out of range, value must between {min} and {max}")
}
// ---- sort -------------------------------------------------------------------
pub const SORT_SCORE: &str = "ERR One or more scores can't be converted into double";
// ---- transactions -----------------------------------------------------------
pub const MULTI_NESTED: &str = "ERR MULTI calls can not be nested";
pub const EXEC_WITHOUT_MULTI: &str = "ERR EXEC without MULTI";
pub const DISCARD_WITHOUT_MULTI: &str = "ERR DISCARD without MULTI";
pub const WATCH_IN_MULTI: &str = "ERR WATCH inside MULTI is not allowed";
pub const EXECABORT: &str = "EXECABORT Transaction discarded because of previous errors.";
pub const NOT_IN_MULTI: &str = "ERR Command not allowed inside a transaction";
/// An EXEC refused before it ran (Redis's execCommandAbort): the refusal
/// without its `ERR ` prefix.
pub fn exec_abort(error: &str) -> String {
    format!("EXECABORT Transaction discarded because of: {}", error.strip_prefix("ERR ").unwrap_or(error))
}
// ---- blocking ---------------------------------------------------------------
pub const TIMEOUT_NOT_FLOAT: &str = "ERR timeout is not a float or out of range";
pub const TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";
pub const TIMEOUT_OUT_OF_RANGE: &str = "ERR timeout is out of range";
pub const UNBLOCKED: &str = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
pub const UNBLOCK_REASON: &str = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR";
/// kv's own: a blocking call that would wait on a store that was closed
/// (or was waiting when it closed).
pub const STORE_CLOSED: &str = "ERR store closed";
pub const BGSAVE_IN_PROGRESS: &str = "ERR Background save already in progress";
pub const DUMP_PAYLOAD: &str = "ERR DUMP payload version or checksum are wrong";
pub const BAD_DATA_FORMAT: &str = "ERR Bad data format";
pub const BUSYKEY: &str = "BUSYKEY Target key name already exists.";
pub const INVALID_TTL: &str = "ERR Invalid TTL value, must be >= 0";
pub const INVALID_IDLETIME: &str = "ERR Invalid IDLETIME value, must be >= 0";
pub const INVALID_FREQ: &str = "ERR Invalid FREQ value, must be >= 0 and <= 255";

/// A write refused (or not made durable) because the append-only log
/// cannot be written, as Redis's MISCONF reply.
pub fn aof_write(why: &str) -> String {
    format!("MISCONF Errors writing to the AOF file: {why}")
}
pub const AOF_REWRITE_IN_PROGRESS: &str = "ERR Background append only file rewriting already in progress";
pub const BGSAVE_DURING_REWRITE: &str = "ERR An AOF log rewriting in progress: can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";
