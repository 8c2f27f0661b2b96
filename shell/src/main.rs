//! `kv`: a redis-cli-like shell over an in-process kv store.
//!
//! `kv` alone reads commands from standard input (a line-editing REPL on a
//! terminal, one command per line otherwise); `kv GET k` runs one command.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use kv_core::{Reply, Store};
use kv_shell::{options, Output, Shell};
use rustyline::error::ReadlineError;

fn main() -> ExitCode {
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
    if let Some(dir) = &opts.data {
        eprintln!(
            "kv: --data {dir}: persistence is not available in this build yet (in-memory only); run kv without --data"
        );
        return ExitCode::from(2);
    }
    // As redis-cli: raw output when standard output is not a terminal
    // (FAKETTY pretends it is), unless --raw / --no-raw say otherwise.
    let tty_out = io::stdout().is_terminal() || std::env::var_os("FAKETTY").is_some();
    let output = opts.output.unwrap_or(if tty_out { Output::Standard } else { Output::Raw });

    let store = Store::new();
    let mut shell = Shell::new(&store, output);
    connect(&mut shell, opts.db, opts.resp3);

    let result = if !opts.command.is_empty() {
        shell.command(&opts.command, &mut io::stdout().lock())
    } else if io::stdin().is_terminal() {
        interactive(&mut shell)
    } else {
        piped(&mut shell)
    };
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
