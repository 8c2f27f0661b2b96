//! kv-shell: a redis-cli-like shell over an in-process kv store.
//!
//! It reads commands the way redis-cli reads them (same argument splitting,
//! same repeat prefix `3 PING`) and prints replies byte for byte as
//! redis-cli prints them, so scripts written for `redis-cli` work when
//! piped into `kv`.

pub mod format;
pub mod options;
pub mod split;

use std::io::{self, Write};
use std::time::Instant;

use kv_core::{Session, Store};

pub use format::Output;

/// What a line of input asks for.
#[derive(Debug, PartialEq)]
pub enum Line {
    /// Nothing to do (a blank line).
    Empty,
    /// `quit` or `exit`.
    Quit,
    /// The quoting could not be parsed.
    Invalid,
    /// A repeat prefix that is zero, negative or out of range.
    BadRepeat,
    /// A command, to run `repeat` times.
    Command { args: Vec<Vec<u8>>, repeat: u64 },
}

/// Parses one line of input as redis-cli's REPL does.
pub fn parse_line(line: &[u8]) -> Line {
    let Some(mut args) = split::split_args(line) else {
        return Line::Invalid;
    };
    if args.is_empty() {
        return Line::Empty;
    }
    if args[0].eq_ignore_ascii_case(b"quit") || args[0].eq_ignore_ascii_case(b"exit") {
        return Line::Quit;
    }
    let mut repeat = 1;
    if args.len() > 1 {
        match repeat_count(&args[0]) {
            Some(Some(n)) => {
                repeat = n;
                args.remove(0);
            }
            Some(None) => return Line::BadRepeat,
            None => {}
        }
    }
    Line::Command { args, repeat }
}

/// redis-cli treats a first word that `strtol` reads entirely as a repeat
/// count. `None`: not a number, so a command name; `Some(None)`: a number
/// that is not a valid count (<= 0 or out of range; an empty word reads as 0).
fn repeat_count(word: &[u8]) -> Option<Option<u64>> {
    let mut i = 0;
    while i < word.len() && matches!(word[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let negative = word.get(i) == Some(&b'-');
    if matches!(word.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = &word[i..];
    if word.is_empty() {
        return Some(None);
    }
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = std::str::from_utf8(digits).ok()?.parse::<i64>().ok();
    match value {
        Some(n) if !negative && n > 0 => Some(Some(n as u64)),
        _ => Some(None),
    }
}

/// A shell: one session on a store, and how replies are printed.
pub struct Shell {
    session: Session,
    pub output: Output,
}

impl Shell {
    pub fn new(store: &Store, output: Output) -> Shell {
        Shell { session: store.session(), output }
    }

    pub fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    /// The interactive prompt: `kv> `, or `kv[N]> ` on database N.
    pub fn prompt(&self) -> String {
        match self.session.db() {
            0 => "kv> ".to_string(),
            n => format!("kv[{n}]> "),
        }
    }

    /// Runs one command and writes its reply as redis-cli would. `help` and
    /// `?` print a short note instead, as redis-cli answers them itself.
    pub fn command(&mut self, args: &[Vec<u8>], out: &mut impl Write) -> io::Result<()> {
        if args[0].eq_ignore_ascii_case(b"help") || args[0].eq_ignore_ascii_case(b"?") {
            return out.write_all(HELP.as_bytes());
        }
        let reply = self.session.execute(args).into_protocol(self.session.protocol());
        out.write_all(&format::format_reply(&reply, self.output, format::prints_raw(args)))
    }

    /// Runs a parsed line; `Ok(false)` when the shell should stop.
    pub fn line(&mut self, line: &[u8], out: &mut impl Write) -> io::Result<bool> {
        match parse_line(line) {
            Line::Empty => {}
            Line::Quit => return Ok(false),
            Line::Invalid => out.write_all(b"Invalid argument(s)\n")?,
            Line::BadRepeat => out.write_all(b"Invalid redis-cli repeat command option value.\n")?,
            Line::Command { args, repeat } => {
                let start = Instant::now();
                for _ in 0..repeat {
                    self.command(&args, out)?;
                }
                // redis-cli reports slow commands in its standard output.
                let elapsed = start.elapsed().as_secs_f64();
                if elapsed >= 0.5 && self.output == Output::Standard {
                    writeln!(out, "({elapsed:.2}s)")?;
                }
            }
        }
        out.flush()?;
        Ok(true)
    }
}

pub const HELP: &str = "\
kv shell: an in-process kv store that answers Redis commands.
Type a command and its arguments, e.g. SET greeting hello, GET greeting.
Arguments are split as redis-cli splits them: \"double quotes\" with \\n \\t \\xHH escapes, 'single quotes'.
A leading number repeats the command: 3 PING. SELECT N changes database.
quit or exit leaves. The supported commands are listed in docs/COMMANDS.md.
";

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(args: &[&str], repeat: u64) -> Line {
        Line::Command { args: args.iter().map(|a| a.as_bytes().to_vec()).collect(), repeat }
    }

    #[test]
    fn lines_parse_as_in_redis_cli() {
        assert_eq!(parse_line(b"   "), Line::Empty);
        assert_eq!(parse_line(b"QUIT"), Line::Quit);
        assert_eq!(parse_line(b"exit now"), Line::Quit);
        assert_eq!(parse_line(b"\"a"), Line::Invalid);
        assert_eq!(parse_line(b"GET k"), cmd(&["GET", "k"], 1));
        assert_eq!(parse_line(b"3 PING"), cmd(&["PING"], 3));
        assert_eq!(parse_line(b"+2 PING"), cmd(&["PING"], 2));
        assert_eq!(parse_line(b"3"), cmd(&["3"], 1));
        assert_eq!(parse_line(b"3x PING"), cmd(&["3x", "PING"], 1));
        assert_eq!(parse_line(b"- PING"), cmd(&["-", "PING"], 1));
        assert_eq!(parse_line(b"0 PING"), Line::BadRepeat);
        assert_eq!(parse_line(b"-1 PING"), Line::BadRepeat);
        assert_eq!(parse_line(b"\"\" PING"), Line::BadRepeat);
        assert_eq!(parse_line(b"99999999999999999999 PING"), Line::BadRepeat);
    }

    #[test]
    fn shell_runs_commands_and_tracks_the_database() {
        let store = Store::new();
        let mut sh = Shell::new(&store, Output::Standard);
        let mut out = Vec::new();
        assert_eq!(sh.prompt(), "kv> ");
        for line in ["SET k v", "GET k", "2 GET nokey", "SELECT 3", "GET k", "\"x", "quit"] {
            if !sh.line(line.as_bytes(), &mut out).unwrap() {
                break;
            }
        }
        assert_eq!(String::from_utf8(out).unwrap(), "OK\n\"v\"\n(nil)\n(nil)\nOK\n(nil)\nInvalid argument(s)\n");
        assert_eq!(sh.prompt(), "kv[3]> ");
    }
}
