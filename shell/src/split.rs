//! Splitting a command line into arguments exactly as redis-cli does
//! (Redis's `sdssplitargs`): blanks separate arguments; `"..."` takes the
//! escapes `\xHH \n \r \t \b \a` and `\<any>`; `'...'` is literal except
//! `\'`; a closing quote must be followed by a blank or the end of the line.

/// The arguments of `line`, or `None` when its quotes are unbalanced or a
/// closing quote is followed by something other than a blank (redis-cli
/// then prints `Invalid argument(s)`). A NUL byte ends the line, as it
/// does for the C original.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let line = match line.iter().position(|&b| b == 0) {
        Some(nul) => &line[..nul],
        None => line,
    };
    // Reading past the end yields 0, as the C string's terminator would.
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let mut args = Vec::new();
    let mut p = 0;
    loop {
        while at(p) != 0 && is_space(at(p)) {
            p += 1;
        }
        if at(p) == 0 {
            return Some(args);
        }
        let mut cur = Vec::new();
        // The quote character of the quoted part the scan is in, if any.
        let mut quote: Option<u8> = None;
        loop {
            let c = at(p);
            match quote {
                Some(_) if c == 0 => return None,
                Some(q) if c == q => {
                    if at(p + 1) != 0 && !is_space(at(p + 1)) {
                        return None;
                    }
                    p += 1;
                    break;
                }
                Some(b'"') if c == b'\\' && at(p + 1) == b'x' && is_hex(at(p + 2)) && is_hex(at(p + 3)) => {
                    cur.push(hex(at(p + 2)) * 16 + hex(at(p + 3)));
                    p += 3;
                }
                Some(b'"') if c == b'\\' && at(p + 1) != 0 => {
                    p += 1;
                    cur.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                }
                Some(_) if c == b'\\' && at(p + 1) == b'\'' => {
                    p += 1;
                    cur.push(b'\'');
                }
                Some(_) => cur.push(c),
                None => match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        if c != 0 {
                            p += 1;
                        }
                        break;
                    }
                    b'"' | b'\'' => quote = Some(c),
                    _ => cur.push(c),
                },
            }
            p += 1;
        }
        args.push(cur);
    }
}

/// C's `isspace` in the C locale.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}

fn hex(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Option<Vec<String>> {
        split_args(s.as_bytes()).map(|v| v.into_iter().map(|a| String::from_utf8_lossy(&a).into_owned()).collect())
    }

    #[test]
    fn blanks_separate_arguments() {
        assert_eq!(split("  SET  k\tv \r\n").unwrap(), ["SET", "k", "v"]);
        assert_eq!(split("").unwrap(), Vec::<String>::new());
        assert_eq!(split(" \x0b\x0c ").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn double_quotes_take_escapes() {
        assert_eq!(
            split_args(br#""a\x01b\n" "\x4g\q" "\"\\""#).unwrap(),
            [b"a\x01b\n".to_vec(), b"x4gq".to_vec(), b"\"\\".to_vec()]
        );
        assert_eq!(split_args(br#""\xff\t\r\a\b""#).unwrap(), [b"\xff\t\r\x07\x08".to_vec()]);
        assert_eq!(split(r#""a b""#).unwrap(), ["a b"]);
        assert_eq!(split(r#""""#).unwrap(), [""]);
    }

    #[test]
    fn single_quotes_are_literal_but_for_quote() {
        assert_eq!(split(r#"'a\'b' 'c\nd'"#).unwrap(), ["a'b", "c\\nd"]);
    }

    #[test]
    fn quotes_inside_a_word_join_it() {
        assert_eq!(split(r#"x"a b" c"#).unwrap(), ["xa b", "c"]);
        assert_eq!(split(r#"a'b c'"#).unwrap(), ["ab c"]);
    }

    #[test]
    fn bad_quoting_is_rejected() {
        assert_eq!(split(r#""unterminated"#), None);
        assert_eq!(split(r#"'unterminated"#), None);
        assert_eq!(split(r#""a"b"#), None);
        assert_eq!(split(r#"'a'b"#), None);
        assert_eq!(split(r#""trailing\"#), None);
    }

    #[test]
    fn nul_ends_the_line() {
        assert_eq!(split_args(b"GET a\0b c").unwrap(), [b"GET".to_vec(), b"a".to_vec()]);
    }
}
