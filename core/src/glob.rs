//! Glob-style pattern matching identical to Redis's `stringmatchlen`
//! (KEYS, SCAN MATCH): `*`, `?`, `[abc]`, `[^a-z]`, `\` escapes, with the
//! same treatment of unterminated classes, reversed ranges and bytes above
//! 0x7f (compared as C's signed `char`).

/// True if `string` matches the glob `pattern`.
pub fn matches(pattern: &[u8], string: &[u8]) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, 0, string, 0, false, &mut skip_longer, 0)
}

/// Case-insensitive variant (Redis uses it for CONFIG GET and friends).
pub fn matches_nocase(pattern: &[u8], string: &[u8]) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, 0, string, 0, true, &mut skip_longer, 0)
}

/// Byte at `i`, or 0 past the end, as reading a NUL-terminated C string.
fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn lower(c: u8) -> u8 {
    c.to_ascii_lowercase()
}

/// C's signed char value of a byte.
fn signed(c: u8) -> i32 {
    c as i8 as i32
}

fn match_impl(
    pat: &[u8],
    mut p: usize,
    s: &[u8],
    mut i: usize,
    nocase: bool,
    skip_longer: &mut bool,
    nesting: u32,
) -> bool {
    // Protection against abusive patterns, as Redis.
    if nesting > 1000 {
        return false;
    }
    let mut plen = pat.len() as isize - p as isize;
    let mut slen = s.len() as isize - i as isize;
    while plen > 0 && slen > 0 {
        match at(pat, p) {
            b'*' => {
                while plen > 0 && at(pat, p + 1) == b'*' {
                    p += 1;
                    plen -= 1;
                }
                if plen == 1 {
                    return true;
                }
                while slen > 0 {
                    if match_impl(pat, p + 1, s, i, nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    i += 1;
                    slen -= 1;
                }
                // The rest of the pattern matches nowhere in the rest of the
                // string: no longer match for an earlier '*' can help.
                *skip_longer = true;
                return false;
            }
            b'?' => {
                i += 1;
                slen -= 1;
            }
            b'[' => {
                p += 1;
                plen -= 1;
                let not = at(pat, p) == b'^';
                if not {
                    p += 1;
                    plen -= 1;
                }
                let mut matched = false;
                loop {
                    if at(pat, p) == b'\\' && plen >= 2 {
                        p += 1;
                        plen -= 1;
                        if at(pat, p) == s[i] {
                            matched = true;
                        }
                    } else if at(pat, p) == b']' {
                        break;
                    } else if plen == 0 {
                        p -= 1;
                        plen += 1;
                        break;
                    } else if plen >= 3 && at(pat, p + 1) == b'-' {
                        let (mut start, mut end) = (at(pat, p), at(pat, p + 2));
                        let mut c = s[i];
                        if nocase {
                            start = lower(start);
                            end = lower(end);
                            c = lower(c);
                        }
                        let (mut lo, mut hi) = (signed(start), signed(end));
                        if lo > hi {
                            std::mem::swap(&mut lo, &mut hi);
                        }
                        p += 2;
                        plen -= 2;
                        if (lo..=hi).contains(&signed(c)) {
                            matched = true;
                        }
                    } else if nocase {
                        if lower(at(pat, p)) == lower(s[i]) {
                            matched = true;
                        }
                    } else if at(pat, p) == s[i] {
                        matched = true;
                    }
                    p += 1;
                    plen -= 1;
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                i += 1;
                slen -= 1;
            }
            c => {
                let mut c = c;
                if c == b'\\' && plen >= 2 {
                    p += 1;
                    plen -= 1;
                    c = at(pat, p);
                }
                let eq = if nocase { lower(c) == lower(s[i]) } else { c == s[i] };
                if !eq {
                    return false;
                }
                i += 1;
                slen -= 1;
            }
        }
        p += 1;
        plen -= 1;
        if slen == 0 {
            while at(pat, p) == b'*' {
                p += 1;
                plen -= 1;
            }
            break;
        }
    }
    plen == 0 && slen == 0
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn redis_cases() {
        let yes: &[(&str, &str)] = &[
            ("*", "anything"),
            ("h?llo", "hello"),
            ("h*llo", "heeeello"),
            ("h[ae]llo", "hallo"),
            ("h[^e]llo", "hallo"),
            ("h[a-b]llo", "hbllo"),
            ("h[b-a]llo", "hallo"),
            ("h\\*llo", "h*llo"),
            ("a*b*c", "aXXbYYc"),
            ("[\\]]", "]"),
            ("[abc", "a"),
            ("[^", "x"),
            ("a\\", "a\\"),
            ("**a", "a"),
            ("a**", "a"),
        ];
        for (p, s) in yes {
            assert!(matches(p.as_bytes(), s.as_bytes()), "{p} should match {s}");
        }
        let no: &[(&str, &str)] = &[
            ("h?llo", "hllo"),
            ("h[^e]llo", "hello"),
            ("h[a-b]llo", "hcllo"),
            ("a*b", "aXXbc"),
            ("", "a"),
            // KEYS and SCAN special-case a lone "*"; the matcher itself
            // needs at least one byte for it.
            ("*", ""),
            ("[", "["),
            ("a", ""),
            ("h\\*llo", "hello"),
        ];
        for (p, s) in no {
            assert!(!matches(p.as_bytes(), s.as_bytes()), "{p} should not match {s}");
        }
    }

    #[test]
    fn pathological_patterns_finish() {
        let p = "a*".repeat(60) + "b";
        let s = "a".repeat(200);
        assert!(!matches(p.as_bytes(), s.as_bytes()));
    }
}
