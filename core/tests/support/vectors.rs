//! Reads `.kvt` conformance files (tests/conformance/README.md) into cases.
//! Parse errors carry their line number and are reported like failures.

use super::notation::{parse_reply, split_args, Pat};

/// One `@test` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub name: String,
    /// Line of the `@test` directive.
    pub line: usize,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `@advance MS`
    Advance(u64),
    /// `@session NAME`
    Session(String),
    /// `> ARGS` and the expected reply; `line` is the command's line,
    /// `text` the command as written.
    Command { line: usize, text: String, args: Vec<Vec<u8>>, expect: Pat, expect_text: String },
}

/// Parses a file's text. Returns the cases read and the errors found as
/// `(line, message)`; parsing goes on after an error.
pub fn parse(src: &str) -> (Vec<Case>, Vec<(usize, String)>) {
    let mut cases: Vec<Case> = Vec::new();
    let mut errors = Vec::new();
    let mut lines = src.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
    // Lines that are not blank and not comments.
    let mut next_item = move || lines.find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    while let Some((n, line)) = next_item() {
        let line = line.trim();
        if let Some(name) = directive(line, "@test") {
            cases.push(Case { name: name.to_string(), line: n, steps: Vec::new() });
            continue;
        }
        let Some(case) = cases.last_mut() else {
            errors.push((n, "expected `@test NAME` before anything else".to_string()));
            continue;
        };
        if let Some(ms) = directive(line, "@advance") {
            match ms.parse() {
                Ok(ms) => case.steps.push(Step::Advance(ms)),
                Err(_) => errors.push((n, format!("bad @advance amount {ms:?}"))),
            }
        } else if let Some(name) = directive(line, "@session") {
            case.steps.push(Step::Session(name.to_string()));
        } else if let Some(cmd) = line.strip_prefix('>') {
            let cmd = cmd.trim();
            let args = match split_args(cmd) {
                Ok(a) if !a.is_empty() => a,
                Ok(_) => {
                    errors.push((n, "empty command".into()));
                    continue;
                }
                Err(e) => {
                    errors.push((n, format!("bad arguments: {e}")));
                    continue;
                }
            };
            let Some((rn, reply)) = next_item() else {
                errors.push((n, "command without an expected reply at the end of the file".into()));
                break;
            };
            match parse_reply(reply) {
                Ok(expect) => case.steps.push(Step::Command {
                    line: n,
                    text: cmd.to_string(),
                    args,
                    expect,
                    expect_text: reply.trim_start().to_string(),
                }),
                Err(e) => errors.push((rn, format!("bad expected reply: {e}"))),
            }
        } else if line.starts_with('@') {
            errors.push((n, format!("unknown directive {line:?}")));
        } else {
            errors.push((n, format!("expected `> command` or a directive, found {line:?}")));
        }
    }
    (cases, errors)
}

/// `@name ARG` → `Some("ARG")` (a non-empty argument is required).
fn directive<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(name)?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some(rest.trim()).filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_file() {
        let src = "# comment\n\n@test first one\n> SET k \"a b\"\n# between\n\n+OK\n@advance 1000\n\
                   @session other\n> GET k\n\"a b\"\n@test second\n> PING\n+PONG\n";
        let (cases, errors) = parse(src);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].name, "first one");
        assert_eq!(cases[0].line, 3);
        assert_eq!(cases[0].steps.len(), 4);
        match &cases[0].steps[0] {
            Step::Command { line, args, expect, .. } => {
                assert_eq!(*line, 4);
                assert_eq!(args[2], b"a b");
                assert_eq!(*expect, Pat::Status("OK".into()));
            }
            s => panic!("{s:?}"),
        }
        assert_eq!(cases[0].steps[1], Step::Advance(1000));
        assert_eq!(cases[0].steps[2], Step::Session("other".into()));
        assert_eq!(cases[1].steps.len(), 1);
    }

    #[test]
    fn reports_errors_with_lines() {
        let src = "> PING\n@test t\n@advance x\n> ECHO \"a\n+OK\n> PING\n*[\n@bogus\n> PING\n";
        let (cases, errors) = parse(src);
        let lines: Vec<usize> = errors.iter().map(|e| e.0).collect();
        assert_eq!(lines, vec![1, 3, 4, 5, 7, 8, 9], "{errors:?}");
        assert_eq!(cases.len(), 1);
    }
}
