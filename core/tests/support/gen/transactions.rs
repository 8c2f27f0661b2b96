//! Transactions for the differential test: MULTI/EXEC/DISCARD open and
//! close transactions around whatever the other tables generate, and
//! WATCH/UNWATCH watch keys of the shared key space that the commands
//! between WATCH and EXEC (the session's own) may change.
//!
//! Inside a transaction, commands whose comparison needs to ask the servers
//! (SCAN, RANDOMKEY, SPOP, ...: `Rule::needs_servers`) are not generated:
//! they would run inside MULTI too; nor HELLO with options, which the
//! driver emulates with calls of its own. `Gen::sequence` tracks the transaction
//! state for that (exactly: it follows the generated commands as Redis does).

use super::{Cmd, Entry, Gen};

pub const TABLE: &[Entry] = &[
    ("multi", 8, |g| g.cmd("MULTI", &[]).done()),
    ("exec", 7, |g| g.cmd("EXEC", &[]).done()),
    ("discard", 1, |g| g.cmd("DISCARD", &[]).done()),
    ("watch", 5, |g| g.cmd("WATCH", &[]).keys(1, 3).done()),
    ("unwatch", 1, |g| g.cmd("UNWATCH", &[]).done()),
];

/// Whether a session is in MULTI after running `cmd` (which Redis
/// answered), given whether it was before.
pub fn in_multi_after(before: bool, cmd: &Cmd) -> bool {
    let is = |name: &str| cmd[0].eq_ignore_ascii_case(name.as_bytes());
    if !before {
        return is("MULTI") && cmd.len() == 1;
    }
    // A refused EXEC (wrong arity) discards the transaction too; a refused
    // DISCARD or RESET is only a queueing error.
    !(is("EXEC") || (is("DISCARD") || is("RESET")) && cmd.len() == 1)
}

impl Gen {
    /// A command to queue inside MULTI: one whose comparison is local.
    pub(super) fn queueable(&mut self, mut make: impl FnMut(&mut Gen) -> Cmd) -> Cmd {
        loop {
            let cmd = make(self);
            // The driver emulates 7.2's HELLO ... SETNAME on the 7.0
            // reference with calls of its own (`diff::call_reference`).
            let hello_setname = cmd[0].eq_ignore_ascii_case(b"HELLO") && cmd.len() > 2;
            // A protocol switch inside MULTI is a known difference
            // (docs/COMMANDS.md): Redis mixes protocols in one EXEC reply.
            let hello_switch = cmd[0].eq_ignore_ascii_case(b"HELLO") && cmd.len() > 1;
            // Lex ranges of a skiplist need a look at the reference first
            // (`diff::lex_range_unspecified`), which MULTI would queue.
            let lex = super::super::diff::lex_range_key(&cmd).is_some();
            // SORT runs on the reference after an errno reset of the driver
            // (`diff::call_reference`), which MULTI would queue as well.
            let sort = cmd[0].eq_ignore_ascii_case(b"SORT") || cmd[0].eq_ignore_ascii_case(b"SORT_RO");
            if !super::super::compare::rule(&cmd).needs_servers() && !hello_setname && !hello_switch && !lex && !sort {
                return cmd;
            }
        }
    }
}
