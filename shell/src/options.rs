//! Command-line options, parsed as redis-cli parses its own: options first,
//! then the command to run, if any.

use crate::format::Output;

#[derive(Debug, Default, PartialEq)]
pub struct Options {
    /// `-n DB`: the database to select first (redis-cli reads it with atoi).
    pub db: i64,
    /// `-3`: switch to RESP3 with HELLO 3 before anything else.
    pub resp3: bool,
    /// `--raw` / `--no-raw`; `None` leaves the choice to whether standard
    /// output is a terminal.
    pub output: Option<Output>,
    /// `--data DIR`: open the store on this data directory (snapshots).
    pub data: Option<String>,
    pub help: bool,
    pub version: bool,
    /// The command to run once (empty: read commands from standard input).
    pub command: Vec<Vec<u8>>,
}

/// What went wrong with the command line (printed, then exit 1).
#[derive(Debug, PartialEq)]
pub struct BadOption(pub String);

impl std::fmt::Display for BadOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Unrecognized option or bad number of args for: '{}'", self.0)
    }
}

pub fn parse(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Options, BadOption> {
    use std::os::unix::ffi::OsStringExt;
    let mut args: Vec<Vec<u8>> = args.into_iter().map(OsStringExt::into_vec).collect();
    let mut o = Options::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_slice();
        let has_value = i + 1 < args.len();
        match a {
            b"-n" if has_value => {
                i += 1;
                o.db = atoi(&args[i]);
            }
            b"--data" if has_value => {
                i += 1;
                o.data = Some(String::from_utf8_lossy(&args[i]).into_owned());
            }
            b"-3" => o.resp3 = true,
            b"-2" => o.resp3 = false,
            b"--raw" => o.output = Some(Output::Raw),
            b"--no-raw" => o.output = Some(Output::Standard),
            b"--help" => o.help = true,
            b"-v" | b"--version" => o.version = true,
            _ if a.first() == Some(&b'-') => return Err(BadOption(String::from_utf8_lossy(a).into_owned())),
            _ => break,
        }
        i += 1;
    }
    o.command = args.split_off(i.min(args.len()));
    Ok(o)
}

/// C's `atoi`: leading blanks, a sign, then digits up to the first other
/// byte; 0 when there are none.
pub fn atoi(s: &[u8]) -> i64 {
    let s = &s[s.iter().take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)).count()..];
    let (neg, s) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut n: i64 = 0;
    for c in s.iter().take_while(|c| c.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add((c - b'0') as i64);
    }
    // atoi returns an int: keep the value in its range.
    let n = if neg { -n } else { n };
    n.clamp(i32::MIN as i64, i32::MAX as i64)
}

pub const USAGE: &str = "\
Usage: kv [OPTIONS] [cmd [arg [arg ...]]]
  -n <db>            Database number to select first.
  -3                 Start the session in RESP3 protocol mode (HELLO 3).
  -2                 Start the session in RESP2 protocol mode (the default).
  --raw              Use raw formatting for replies (the default when standard
                     output is not a terminal).
  --no-raw           Force formatted output even when standard output is not
                     a terminal.
  --data <dir>       Keep the data in <dir>: load its snapshot at start, save
                     it on exit (SAVE and BGSAVE write it too).
  --help             Output this help and exit.
  -v, --version      Output the version and exit.

Without a command, kv reads commands from standard input: interactively with
line editing and history (~/.kv_history) on a terminal, one command per line
otherwise. Output is byte for byte what redis-cli prints.

kv check [--fix] <file|dir>...
                     Verifies snapshot and append-only log files (a data
                     directory: its snapshot and every log file) and prints
                     what they hold; exit status 1 if one is damaged or has
                     a torn tail. --fix truncates a torn log tail.

Examples:
  kv SET greeting hello
  kv -n 2 GET greeting
  printf 'SET k v\\nGET k\\n' | kv
";

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Options, BadOption> {
        parse(args.iter().map(|a| a.into()))
    }

    #[test]
    fn options_then_command() {
        let o = p(&["-n", "3", "-3", "--raw", "GET", "-n"]).unwrap();
        assert_eq!(o.db, 3);
        assert!(o.resp3);
        assert_eq!(o.output, Some(Output::Raw));
        assert_eq!(o.command, [b"GET".to_vec(), b"-n".to_vec()]);
        let o = p(&["--raw", "--no-raw"]).unwrap();
        assert_eq!(o.output, Some(Output::Standard));
        assert!(o.command.is_empty());
        assert_eq!(p(&["--data", "/tmp/x"]).unwrap().data.as_deref(), Some("/tmp/x"));
    }

    #[test]
    fn bad_options() {
        assert_eq!(p(&["-q"]).unwrap_err(), BadOption("-q".into()));
        assert_eq!(p(&["-n"]).unwrap_err(), BadOption("-n".into()));
        assert_eq!(p(&["--data"]).unwrap_err(), BadOption("--data".into()));
        assert_eq!(p(&["-q"]).unwrap_err().to_string(), "Unrecognized option or bad number of args for: '-q'");
    }

    #[test]
    fn atoi_as_c() {
        assert_eq!(atoi(b"12"), 12);
        assert_eq!(atoi(b" -7x"), -7);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(atoi(b"99999999999"), i32::MAX as i64);
    }
}
