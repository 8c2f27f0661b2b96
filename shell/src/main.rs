//! `kv`: a redis-cli-like shell over an in-process kv store.
//!
//! `kv` alone reads commands from standard input (a line-editing REPL on a
//! terminal, one command per line otherwise); `kv GET k` runs one command.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use kv_core::{Clock, Reply, Store};
use kv_shell::{options, Output, Shell};
use rustyline::error::ReadlineError;

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    if args.first().is_some_and(|a| a == "check") {
        return check(&args[1..]);
    }
    let opts = match options::parse(std::env::args_os().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    if opts.help {
        print!("{}", options::USAGE);
        return ExitCode::SUCCESS;
    }
    if opts.version {
        println!("kv {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    // As redis-cli: raw output when standard output is not a terminal
    // (FAKETTY pretends it is), unless --raw / --no-raw say otherwise.
    let tty_out = io::stdout().is_terminal() || std::env::var_os("FAKETTY").is_some();
    let output = opts.output.unwrap_or(if tty_out { Output::Standard } else { Output::Raw });

    let store = match &opts.data {
        None => Store::new(),
        Some(dir) => match Store::try_open(kv_core::Config::default().data_dir(dir)) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("kv: --data {dir}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let mut shell = Shell::new(&store, output);
    connect(&mut shell, opts.db, opts.resp3);

    let result = if !opts.command.is_empty() {
        shell.command(&opts.command, &mut io::stdout().lock())
    } else if io::stdin().is_terminal() {
        interactive(&mut shell)
    } else {
        piped(&mut shell)
    };
    // As redis-server's SHUTDOWN with save points: a store on a data
    // directory is saved when the shell ends.
    if opts.data.is_some() {
        if let Err(e) = store.save() {
            eprintln!("kv: saving on exit: {e}");
            return ExitCode::from(1);
        }
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (kv ... | head) is a normal way to stop.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kv: {e}");
            ExitCode::from(1)
        }
    }
}

/// What redis-cli does on connecting: SELECT the `-n` database, then HELLO 3
/// for `-3`; a failure is reported on stderr and the rest of the set-up is
/// skipped, but the commands still run.
fn connect(shell: &mut Shell, db: i64, resp3: bool) {
    if db != 0 {
        if let Reply::Error(e) = shell.session().execute(&[b"SELECT".to_vec(), db.to_string().into_bytes()]) {
            eprintln!("SELECT {db} failed: {e}");
            return;
        }
    }
    if resp3 {
        if let Reply::Error(e) = shell.session().execute(&["HELLO", "3"]) {
            eprintln!("HELLO 3 failed: {e}");
        }
    }
}

/// Standard input is not a terminal: one command per line, no prompt.
fn piped(shell: &mut Shell) -> io::Result<()> {
    let mut input = io::stdin().lock();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        if !shell.line(&line, &mut out)? {
            return Ok(());
        }
    }
}

/// The terminal REPL: line editing and history, as redis-cli over linenoise.
fn interactive(shell: &mut Shell) -> io::Result<()> {
    let config =
        rustyline::Config::builder().auto_add_history(false).max_history_size(1000).map_err(io::Error::other)?.build();
    let mut editor = rustyline::DefaultEditor::with_config(config).map_err(io::Error::other)?;
    let history = history_file();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let mut out = io::stdout();
    loop {
        let line = match editor.readline(&shell.prompt()) {
            Ok(line) => line,
            // Ctrl-C and Ctrl-D leave, as they leave redis-cli.
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => return Ok(()),
            Err(e) => return Err(io::Error::other(e)),
        };
        if line.trim().is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(line.as_str());
        if let Some(path) = &history {
            let _ = editor.save_history(path);
        }
        if line.trim().eq_ignore_ascii_case("clear") {
            let _ = editor.clear_screen();
            continue;
        }
        if !shell.line(line.as_bytes(), &mut out)? {
            return Ok(());
        }
        out.flush()?;
    }
}

/// `$KV_HISTFILE`, else `~/.kv_history`; none when HOME is unset.
fn history_file() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("KV_HISTFILE") {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".kv_history"))
}

/// `kv check [--fix] FILE|DIR...`: verifies snapshot and append-only log
/// files (a data directory: its snapshot and every file its log manifest
/// names) and prints what they hold; exits 1 if any is damaged (the
/// message names the byte offset) or has a torn tail that `--fix` did not
/// truncate.
fn check(args: &[std::ffi::OsString]) -> ExitCode {
    let fix = args.iter().any(|a| a == "--fix");
    let paths: Vec<PathBuf> = args.iter().filter(|a| *a != "--fix").map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: kv check [--fix] <snapshot or log file, or data directory>...");
        return ExitCode::from(1);
    }
    let mut ok = true;
    for path in paths {
        for (file, last) in check_targets(&path) {
            ok &= match file {
                Ok(f) => check_file(&f, last, fix),
                Err(e) => {
                    println!("{}: DAMAGED\n  {e}", path.display());
                    false
                }
            };
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

type Target = (Result<PathBuf, kv_core::persist::Error>, bool);

/// The files to check for a path: a file itself; for a data directory (or
/// its log directory) the snapshot and the files the manifest names, the
/// last one being where a torn tail may be.
fn check_targets(path: &std::path::Path) -> Vec<Target> {
    use kv_core::persist::{aof, SNAPSHOT_FILE};
    if !path.is_dir() {
        return vec![(Ok(path.to_path_buf()), true)];
    }
    let mut out = Vec::new();
    if path.join(SNAPSHOT_FILE).exists() {
        out.push((Ok(path.join(SNAPSHOT_FILE)), true));
    }
    let adir = if path.join(aof::MANIFEST).exists() { path.to_path_buf() } else { path.join(aof::DIR) };
    if adir.join(aof::MANIFEST).exists() || out.is_empty() {
        match aof::manifest_files(&adir) {
            Ok(files) => {
                let n = files.len();
                out.extend(files.into_iter().enumerate().map(|(i, f)| (Ok(f), i + 1 == n)));
            }
            Err(e) => out.push((Err(e), true)),
        }
    }
    out
}

fn check_file(path: &std::path::Path, last: bool, fix: bool) -> bool {
    let mut head = [0u8; 8];
    let is_snapshot = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| head == kv_core::persist::frame::MAGIC);
    if is_snapshot {
        return check_snapshot(path);
    }
    match kv_core::persist::replay::check(path) {
        Ok(s) => {
            let Some((at, what)) = &s.torn else {
                println!("{}: OK", path.display());
                println!("  append-only log: {} bytes, {} blocks, {} commands", s.file_len, s.blocks, s.commands);
                return true;
            };
            if fix && last {
                return match kv_core::persist::replay::truncate(path, s.valid_len) {
                    Ok(()) => {
                        println!("{}: FIXED", path.display());
                        println!("  torn last record at byte offset {at} ({what}): truncated to {} bytes", s.valid_len);
                        println!("  append-only log: {} blocks, {} commands", s.blocks, s.commands);
                        true
                    }
                    Err(e) => {
                        println!("{}: DAMAGED\n  {e}", path.display());
                        false
                    }
                };
            }
            println!("{}: TORN", path.display());
            println!("  torn last record at byte offset {at} ({what})");
            if last {
                println!("  `kv check --fix {}` truncates it to {} bytes", path.display(), s.valid_len);
            } else {
                println!("  not the last file of the log: this is damage, not a torn write");
            }
            false
        }
        Err(e) => {
            println!("{}: DAMAGED", path.display());
            println!("  {e}");
            false
        }
    }
}

fn check_snapshot(path: &std::path::Path) -> bool {
    let now = kv_core::SystemClock.now_ms();
    match kv_core::persist::check(path, now) {
        Ok(r) => {
            let s = &r.summary;
            println!("{}: OK", path.display());
            println!("  format version 1, saved at {} ms (Unix), {} databases", s.created_ms, s.databases);
            println!("  {} bytes, {} blocks, {} keys", s.bytes, s.blocks, s.records);
            let [st, li, se, zs, ha] = r.keys_per_type;
            println!("  types: {st} string, {li} list, {se} set, {zs} zset, {ha} hash");
            println!("  {} keys with an expiry, {} already expired", r.with_expiry, r.expired);
            for (db, n) in r.keys_per_db.iter().enumerate().filter(|(_, n)| **n > 0) {
                println!("  db{db}: {n} keys");
            }
            true
        }
        Err(e) => {
            println!("{}: DAMAGED", path.display());
            println!("  {e}");
            false
        }
    }
}
