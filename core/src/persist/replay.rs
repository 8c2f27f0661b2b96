//! Reading the append-only log: blocks checked (length, CRC32), their
//! RESP commands and time annotations parsed, and replayed into a store
//! being opened. A last block cut short by a crash (a torn tail) is
//! reported so the caller can truncate it; anything else wrong stops the
//! read with an error naming the file and the byte offset.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::time::{Duration, Instant};

use super::{Error, LoadProgress};
use crate::cmd;
use crate::keyspace::Ctx;
use crate::session::{run, SessionState};
use crate::store::StoreInner;

/// One item of a block's payload.
pub enum Item<'a> {
    /// `#t <ms>`: the following commands ran at this Unix ms.
    Time(u64),
    Command(Vec<&'a [u8]>),
}

/// What a walk over a log file found.
#[derive(Clone, Debug, Default)]
pub struct LogSummary {
    pub blocks: u64,
    pub commands: u64,
    /// Bytes of whole, valid blocks (where a torn tail starts).
    pub valid_len: u64,
    pub file_len: u64,
    /// A last block cut short: its offset and what is missing.
    pub torn: Option<(u64, String)>,
}

const MAX_HEADER: usize = 64;

/// Walks every block of a log file, handing each item (with its offset)
/// to `visit`. `torn_ok`: a cut-short last block ends the walk (reported
/// in the summary) instead of failing it.
pub fn walk(
    path: &Path,
    torn_ok: bool,
    mut visit: impl FnMut(u64, Item<'_>, &LogSummary) -> Result<(), String>,
) -> Result<LogSummary, Error> {
    let corrupt = |offset: u64, what: String| Error::Corrupt { path: path.to_path_buf(), offset, what };
    let file = File::open(path).map_err(|e| Error::io("opening", path, e))?;
    let total = file.metadata().map_err(|e| Error::io("reading metadata of", path, e))?.len();
    let mut r = BufReader::with_capacity(1 << 20, file);
    let mut s = LogSummary { file_len: total, ..LogSummary::default() };
    let mut off = 0u64;
    let mut line = Vec::with_capacity(MAX_HEADER);
    let mut payload = Vec::new();
    let torn = |s: &mut LogSummary, at: u64, what: &str| -> Result<(), Error> {
        if torn_ok {
            s.torn = Some((at, what.to_string()));
            Ok(())
        } else {
            Err(corrupt(at, format!("unexpected end of file ({what})")))
        }
    };
    while off < total {
        line.clear();
        let n = r
            .by_ref()
            .take(MAX_HEADER as u64)
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io("reading", path, e))?;
        if !line.ends_with(b"\r\n") {
            if off + n as u64 >= total && n < MAX_HEADER {
                torn(&mut s, off, "block header cut short")?;
                break;
            }
            return Err(corrupt(off, "bad block header (expected \"#b <length> <crc32>\")".into()));
        }
        let (len, crc) = parse_header(&line[..line.len() - 2])
            .ok_or_else(|| corrupt(off, "bad block header (expected \"#b <length> <crc32>\")".into()))?;
        let data_at = off + line.len() as u64;
        if data_at + len > total {
            if data_at + len > total + (64 << 20) && !torn_ok {
                return Err(corrupt(off, format!("bad block length {len}")));
            }
            torn(&mut s, off, &format!("block of {len} bytes, {} in the file", total - data_at))?;
            break;
        }
        payload.resize(len as usize, 0);
        r.read_exact(&mut payload).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => corrupt(data_at, "unexpected end of file".into()),
            _ => Error::io("reading", path, e),
        })?;
        if crc32fast::hash(&payload) != crc {
            return Err(corrupt(off, "block checksum mismatch".into()));
        }
        let mut at = 0usize;
        while at < payload.len() {
            let (item, used) = parse_item(&payload[at..]).map_err(|what| corrupt(data_at + at as u64, what))?;
            if matches!(item, Item::Command(_)) {
                s.commands += 1;
            }
            visit(data_at + at as u64, item, &s).map_err(|what| corrupt(data_at + at as u64, what))?;
            at += used;
        }
        off = data_at + len;
        s.blocks += 1;
        s.valid_len = off;
    }
    Ok(s)
}

fn parse_header(h: &[u8]) -> Option<(u64, u32)> {
    let rest = h.strip_prefix(b"#b ")?;
    let mut parts = rest.split(|&b| b == b' ');
    let len = parse_dec(parts.next()?)?;
    let crc = parts.next().filter(|c| c.len() == 8 && c.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))?;
    let crc = std::str::from_utf8(crc).ok()?;
    let crc = u32::from_str_radix(crc, 16).ok()?;
    (parts.next().is_none() && len > 0).then_some((len, crc))
}

fn parse_dec(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 19 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u64, |n, d| n * 10 + (d - b'0') as u64))
}

/// A line ending in CRLF at the start of `b`: its content and the length
/// with the CRLF.
fn line(b: &[u8]) -> Result<(&[u8], usize), String> {
    let end = b.windows(2).take(32).position(|w| w == b"\r\n").ok_or("line without CRLF")?;
    Ok((&b[..end], end + 2))
}

fn parse_item(b: &[u8]) -> Result<(Item<'_>, usize), String> {
    match b[0] {
        b'#' => {
            let (l, used) = line(b)?;
            let t = l.strip_prefix(b"#t ").and_then(parse_dec).ok_or("unknown annotation")?;
            Ok((Item::Time(t), used))
        }
        b'*' => {
            let (l, mut at) = line(b)?;
            let n = parse_dec(&l[1..]).filter(|&n| n > 0).ok_or("bad array length")? as usize;
            let mut args = Vec::with_capacity(n.min(1024));
            for _ in 0..n {
                let rest = &b[at..];
                if rest.first() != Some(&b'$') {
                    return Err("expected a bulk string".into());
                }
                let (l, used) = line(rest)?;
                let len = parse_dec(&l[1..]).ok_or("bad bulk length")? as usize;
                let start = at + used;
                if b.len() < start + len + 2 || &b[start + len..start + len + 2] != b"\r\n" {
                    return Err("bulk string overruns its block".into());
                }
                args.push(&b[start..start + len]);
                at = start + len + 2;
            }
            Ok((Item::Command(args), at))
        }
        _ => Err(format!("unexpected byte {:#04x} (expected a command or an annotation)", b[0])),
    }
}

/// Replays one log file into a store being opened. Each command runs at
/// the time it ran live (its `#t` annotation), so expiry decisions repeat
/// exactly; a transaction runs only once its EXEC is read.
pub(crate) fn replay_file(inner: &StoreInner, path: &Path, last: bool) -> Result<LogSummary, Error> {
    let progress = inner.config.persist.on_load_progress.clone();
    let started = Instant::now();
    let mut last_report = Instant::now();
    let mut state = SessionState { db: 0, protocol: 3, name: None, id: 0 };
    let mut time = 0u64;
    let mut txn: Option<Vec<(u64, Vec<Vec<u8>>)>> = None;
    let exec = |state: &mut SessionState, time: u64, args: &[&[u8]]| -> Result<(), String> {
        let spec = cmd::lookup(args[0]).ok_or_else(|| {
            format!("unknown command '{}' in the log", String::from_utf8_lossy(&args[0][..args[0].len().min(64)]))
        })?;
        if !spec.arity_ok(args.len()) {
            return Err(format!("wrong number of arguments for '{}' in the log", spec.name));
        }
        let mut ctx = Ctx::new(inner, state);
        ctx.set_now(time);
        if spec.has(cmd::flag::BLOCKING) {
            // Never logged (their effect is), but a replay must not wait.
            ctx.lock_all();
        }
        run(&mut ctx, spec, args);
        Ok(())
    };
    let summary = walk(path, last, |off, item, s| {
        let args = match item {
            Item::Time(t) => {
                time = t;
                return Ok(());
            }
            Item::Command(args) => args,
        };
        let name = args[0];
        if name.eq_ignore_ascii_case(b"multi") {
            if txn.is_some() {
                return Err("MULTI inside a transaction".into());
            }
            txn = Some(Vec::new());
        } else if name.eq_ignore_ascii_case(b"exec") {
            let queued = txn.take().ok_or("EXEC without MULTI")?;
            for (t, args) in queued {
                let args: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
                exec(&mut state, t, &args)?;
            }
        } else if let Some(q) = txn.as_mut() {
            q.push((time, args.iter().map(|a| a.to_vec()).collect()));
        } else {
            exec(&mut state, time, &args)?;
        }
        if let Some(f) = &progress {
            if s.commands % 4096 == 0 && last_report.elapsed() >= Duration::from_millis(100) {
                last_report = Instant::now();
                f(&LoadProgress {
                    path: path.to_path_buf(),
                    bytes_read: off,
                    bytes_total: s.file_len,
                    keys_loaded: s.commands,
                    keys_expired: 0,
                    elapsed: started.elapsed(),
                    done: false,
                    warning: None,
                });
            }
        }
        Ok(())
    })?;
    if txn.is_some() {
        // Blocks hold whole transactions: this is no torn write.
        return Err(Error::Corrupt {
            path: path.to_path_buf(),
            offset: summary.valid_len,
            what: "MULTI without EXEC".into(),
        });
    }
    if let Some(f) = &progress {
        let warning = summary.torn.as_ref().map(|(at, what)| {
            format!(
                "{}: torn last record at byte offset {at} ({what}): truncated to {} bytes",
                path.display(),
                summary.valid_len
            )
        });
        f(&LoadProgress {
            path: path.to_path_buf(),
            bytes_read: summary.valid_len,
            bytes_total: summary.file_len,
            keys_loaded: summary.commands,
            keys_expired: 0,
            elapsed: started.elapsed(),
            done: true,
            warning,
        });
    }
    Ok(summary)
}

/// Cuts a torn tail off a log file (fsynced); the new length.
pub fn truncate(path: &Path, len: u64) -> Result<(), Error> {
    let f = std::fs::OpenOptions::new().write(true).open(path).map_err(|e| Error::io("opening", path, e))?;
    f.set_len(len).map_err(|e| Error::io("truncating", path, e))?;
    f.sync_all().map_err(|e| Error::io("fsync of", path, e))
}

/// Verifies a log file without loading it: framing, checksums, and that
/// every command is known with a valid number of arguments. A torn tail is
/// reported in the summary (truncate it with [`truncate`] at `valid_len`).
pub fn check(path: &Path) -> Result<LogSummary, Error> {
    let mut in_multi = false;
    let s = walk(path, true, |_, item, _| {
        let Item::Command(args) = item else { return Ok(()) };
        let spec = cmd::lookup(args[0]).ok_or_else(|| {
            format!("unknown command '{}'", String::from_utf8_lossy(&args[0][..args[0].len().min(64)]))
        })?;
        if !spec.arity_ok(args.len()) {
            return Err(format!("wrong number of arguments for '{}'", spec.name));
        }
        match spec.name {
            "multi" if in_multi => return Err("MULTI inside a transaction".into()),
            "multi" => in_multi = true,
            "exec" if !in_multi => return Err("EXEC without MULTI".into()),
            "exec" => in_multi = false,
            _ => {}
        }
        Ok(())
    })?;
    if in_multi {
        return Err(Error::Corrupt {
            path: path.to_path_buf(),
            offset: s.valid_len,
            what: "MULTI without EXEC".into(),
        });
    }
    Ok(s)
}
