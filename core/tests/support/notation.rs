//! The reply and argument notation of the conformance vectors
//! (tests/conformance/README.md): split a command line into arguments,
//! parse an expected-reply line into a [`Pat`], match a [`Reply`] against
//! it, and print a `Reply` back in the same notation.
//!
//! Kept dependency-free and small on purpose: the language bindings
//! implement the same three functions (`split_args`, `parse_reply`,
//! `matches`) plus the printer, following this file.

use kv_core::Reply;

/// An expected reply.
#[derive(Clone, Debug, PartialEq)]
pub enum Pat {
    /// `...`: any reply.
    Any,
    /// `:~`: any integer.
    AnyInt,
    /// `"~"`: any bulk string.
    AnyBulk,
    /// `_`: `Nil` or `NilArray`.
    Nil,
    Int(i64),
    /// `,D`: the double, kept as written (compared after formatting both).
    Double(String),
    Bool(bool),
    Bulk(Vec<u8>),
    Status(String),
    Error(String),
    /// `-~PREFIX`.
    ErrorPrefix(String),
    Verbatim(String, Vec<u8>),
    /// `*[..]`, or `*?[..]` when `unordered`.
    Array {
        items: Vec<Pat>,
        unordered: bool,
    },
    /// `~[..]` (always unordered).
    Set(Vec<Pat>),
    /// `%[..]`, or `%?[..]` when `unordered`.
    Map {
        pairs: Vec<(Pat, Pat)>,
        unordered: bool,
    },
}

// ---------------------------------------------------------------- arguments

/// Splits a command line as redis-cli (`sdssplitargs`) does: on spaces;
/// `"..."` with `\" \\ \n \r \t \a \b \xHH` (any other `\c` is `c`);
/// `'...'` literal except `\'`. A quote may start mid-argument
/// (`a"b c"` is `ab c`), but a closing quote must end the argument.
pub fn split_args(line: &str) -> Result<Vec<Vec<u8>>, String> {
    let b = line.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            return Ok(out);
        }
        let mut cur = Vec::new();
        while i < b.len() && !b[i].is_ascii_whitespace() {
            match b[i] {
                b'"' => {
                    let (bytes, next) = quoted(b, i)?;
                    cur.extend(bytes);
                    i = next;
                    closing_ok(b, i)?;
                }
                b'\'' => {
                    i += 1;
                    loop {
                        match b.get(i) {
                            None => return Err("unbalanced single quote".into()),
                            Some(b'\\') if b.get(i + 1) == Some(&b'\'') => {
                                cur.push(b'\'');
                                i += 2;
                            }
                            Some(b'\'') => {
                                i += 1;
                                break;
                            }
                            Some(&c) => {
                                cur.push(c);
                                i += 1;
                            }
                        }
                    }
                    closing_ok(b, i)?;
                }
                c => {
                    cur.push(c);
                    i += 1;
                }
            }
        }
        out.push(cur);
    }
}

fn closing_ok(b: &[u8], i: usize) -> Result<(), String> {
    match b.get(i) {
        None => Ok(()),
        Some(c) if c.is_ascii_whitespace() => Ok(()),
        Some(_) => Err("closing quote must be followed by a space or the end of the line".into()),
    }
}

/// Parses a double-quoted string starting at `b[start] == '"'`; returns the
/// bytes and the index just past the closing quote.
fn quoted(b: &[u8], start: usize) -> Result<(Vec<u8>, usize), String> {
    let mut i = start + 1;
    let mut out = Vec::new();
    loop {
        match b.get(i) {
            None => return Err("unbalanced double quote".into()),
            Some(b'"') => return Ok((out, i + 1)),
            Some(b'\\') => {
                let Some(&c) = b.get(i + 1) else { return Err("unbalanced double quote".into()) };
                if c == b'x' {
                    if let (Some(h), Some(l)) = (b.get(i + 2).and_then(hex), b.get(i + 3).and_then(hex)) {
                        out.push(h * 16 + l);
                        i += 4;
                        continue;
                    }
                }
                out.push(match c {
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'a' => 7,
                    b'b' => 8,
                    other => other,
                });
                i += 2;
            }
            Some(&c) => {
                out.push(c);
                i += 1;
            }
        }
    }
}

fn hex(c: &u8) -> Option<u8> {
    (*c as char).to_digit(16).map(|d| d as u8)
}

/// Quotes bytes so that [`split_args`] and the `"..."` reply notation read
/// them back exactly: printable ASCII as is, the usual escapes, `\xHH`
/// otherwise.
pub fn quote(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    for &c in bytes {
        match c {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push('"');
    s
}

/// An argument as a command line shows it: bare when that reads back the
/// same, quoted otherwise.
pub fn show_arg(a: &[u8]) -> String {
    let bare = !a.is_empty() && a.iter().all(|&c| (0x21..=0x7e).contains(&c) && c != b'"' && c != b'\'' && c != b'\\');
    if bare {
        String::from_utf8_lossy(a).into_owned()
    } else {
        quote(a)
    }
}

/// A whole command line.
pub fn show_command<A: AsRef<[u8]>>(args: &[A]) -> String {
    args.iter().map(|a| show_arg(a.as_ref())).collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------- replies

/// Parses one expected-reply line. At the top level `+TEXT` and `-TEXT`
/// take the rest of the line, trailing spaces included; inside an
/// aggregate they end at a space or `]`. Either may be written quoted,
/// `-"ERR ... with: "`, which keeps trailing spaces visible.
pub fn parse_reply(line: &str) -> Result<Pat, String> {
    let line = line.trim_start().trim_end_matches(['\r', '\n']);
    let mut p = Parser { b: line.as_bytes(), i: 0 };
    let pat = p.item(true)?;
    if p.i != p.b.len() {
        return Err(format!("unexpected text after the reply at column {}", p.i + 1));
    }
    Ok(pat)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// A bare token: to the end of the line at the top level, else to the
    /// next space or `]`.
    fn word(&mut self, top: bool) -> String {
        let start = self.i;
        while let Some(c) = self.peek() {
            if !top && (c == b' ' || c == b']') {
                break;
            }
            self.i += 1;
        }
        String::from_utf8_lossy(&self.b[start..self.i]).into_owned()
    }

    /// Status/error text: quoted, or a bare word.
    fn text(&mut self, top: bool) -> Result<String, String> {
        if self.peek() == Some(b'"') {
            let (bytes, next) = quoted(self.b, self.i)?;
            if top && next != self.b.len() {
                return Err("text after a quoted status or error".into());
            }
            self.i = next;
            String::from_utf8(bytes).map_err(|_| "status/error text must be UTF-8".to_string())
        } else {
            Ok(self.word(top))
        }
    }

    fn item(&mut self, top: bool) -> Result<Pat, String> {
        let Some(c) = self.peek() else { return Err("expected a reply".into()) };
        self.i += 1;
        Ok(match c {
            b'+' => Pat::Status(self.text(top)?),
            b'-' => {
                if self.eat(b'~') {
                    Pat::ErrorPrefix(self.text(top)?)
                } else {
                    Pat::Error(self.text(top)?)
                }
            }
            b':' => {
                if self.eat(b'~') {
                    Pat::AnyInt
                } else {
                    let w = self.word(false);
                    Pat::Int(w.parse().map_err(|_| format!("bad integer {w:?}"))?)
                }
            }
            b',' => {
                let w = self.word(false);
                canonical_double(&w).ok_or_else(|| format!("bad double {w:?}"))?;
                Pat::Double(w)
            }
            b'#' => match self.word(false).as_str() {
                "t" => Pat::Bool(true),
                "f" => Pat::Bool(false),
                w => return Err(format!("bad boolean {w:?}")),
            },
            b'"' => {
                let start = self.i - 1;
                let (bytes, next) = quoted(self.b, start)?;
                self.i = next;
                if &self.b[start..next] == b"\"~\"" {
                    Pat::AnyBulk
                } else {
                    Pat::Bulk(bytes)
                }
            }
            b'_' => Pat::Nil,
            b'.' if self.b[self.i..].starts_with(b"..") => {
                self.i += 2;
                Pat::Any
            }
            b'=' => {
                let fmt = self.b.get(self.i..self.i + 3).ok_or("bad verbatim")?.to_vec();
                self.i += 3;
                if !self.eat(b':') || self.peek() != Some(b'"') {
                    return Err("verbatim is written =fmt:\"...\"".into());
                }
                let (bytes, next) = quoted(self.b, self.i)?;
                self.i = next;
                Pat::Verbatim(String::from_utf8_lossy(&fmt).into_owned(), bytes)
            }
            b'*' => {
                let unordered = self.eat(b'?');
                Pat::Array { items: self.list()?, unordered }
            }
            b'~' => Pat::Set(self.list()?),
            b'%' => {
                let unordered = self.eat(b'?');
                let items = self.list()?;
                if items.len() % 2 != 0 {
                    return Err("a map needs an even number of elements".into());
                }
                let mut it = items.into_iter();
                let mut pairs = Vec::new();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    pairs.push((k, v));
                }
                Pat::Map { pairs, unordered }
            }
            other => return Err(format!("unknown reply notation {:?}", other as char)),
        })
    }

    fn list(&mut self) -> Result<Vec<Pat>, String> {
        if !self.eat(b'[') {
            return Err("expected '['".into());
        }
        let mut items = Vec::new();
        loop {
            while self.eat(b' ') {}
            if self.eat(b']') {
                return Ok(items);
            }
            if self.peek().is_none() {
                return Err("unclosed '['".into());
            }
            items.push(self.item(false)?);
            match self.peek() {
                Some(b' ') | Some(b']') => {}
                _ => return Err(format!("expected a space or ']' at column {}", self.i + 1)),
            }
        }
    }
}

/// A double as Redis formats it (`inf`, `-inf`, `nan`, shortest digits).
fn canonical_double(s: &str) -> Option<String> {
    match s {
        "nan" | "-nan" => return Some("nan".into()),
        _ => {}
    }
    kv_core::num::parse_f64(s.as_bytes()).map(kv_core::num::fmt_double)
}

/// Does `r` (the RESP3-shaped reply the core returned) match `p`?
pub fn matches(p: &Pat, r: &Reply) -> bool {
    match (p, r) {
        (Pat::Any, _) => true,
        (Pat::AnyInt, Reply::Integer(_)) => true,
        (Pat::AnyBulk, Reply::Bulk(_)) => true,
        (Pat::Nil, Reply::Nil | Reply::NilArray) => true,
        (Pat::Int(a), Reply::Integer(b)) => a == b,
        (Pat::Double(a), Reply::Double(b)) => canonical_double(a) == Some(kv_core::num::fmt_double(*b)),
        (Pat::Bool(a), Reply::Boolean(b)) => a == b,
        (Pat::Bulk(a), Reply::Bulk(b)) => a == b,
        (Pat::Status(a), Reply::Status(b)) => a == b,
        (Pat::Error(a), Reply::Error(b)) => a == b,
        (Pat::ErrorPrefix(a), Reply::Error(b)) => b.starts_with(a.as_str()),
        (Pat::Verbatim(f, a), Reply::Verbatim(g, b)) => f == g && a == b,
        (Pat::Array { items, unordered: false }, Reply::Array(rs)) => {
            items.len() == rs.len() && items.iter().zip(rs).all(|(p, r)| matches(p, r))
        }
        (Pat::Array { items, unordered: true }, Reply::Array(rs)) | (Pat::Set(items), Reply::Set(rs)) => {
            let rs: Vec<&Reply> = rs.iter().collect();
            multiset(items, &rs, &mut vec![false; rs.len()], matches)
        }
        (Pat::Map { pairs, unordered: false }, Reply::Map(rs)) => {
            pairs.len() == rs.len() && pairs.iter().zip(rs).all(|((pk, pv), (k, v))| matches(pk, k) && matches(pv, v))
        }
        (Pat::Map { pairs, unordered: true }, Reply::Map(rs)) => {
            let rs: Vec<&(Reply, Reply)> = rs.iter().collect();
            multiset(pairs, &rs, &mut vec![false; rs.len()], |(pk, pv), (k, v)| matches(pk, k) && matches(pv, v))
        }
        _ => false,
    }
}

/// Multiset matching with wildcards: assigns each pattern a distinct
/// element, backtracking (aggregates in vectors are small).
fn multiset<P, R>(pats: &[P], rs: &[&R], used: &mut Vec<bool>, m: impl Fn(&P, &R) -> bool + Copy) -> bool {
    if pats.len() != used.iter().filter(|u| !**u).count() {
        return false;
    }
    let Some((first, rest)) = pats.split_first() else { return true };
    for i in 0..rs.len() {
        if !used[i] && m(first, rs[i]) {
            used[i] = true;
            if multiset(rest, rs, used, m) {
                return true;
            }
            used[i] = false;
        }
    }
    false
}

/// Prints a reply in the notation, such that [`parse_reply`] reads it back
/// as a pattern matching exactly that reply.
pub fn format_reply(r: &Reply) -> String {
    let mut s = String::new();
    fmt_into(r, true, &mut s);
    s
}

fn fmt_into(r: &Reply, top: bool, s: &mut String) {
    let text = |t: &str, s: &mut String| {
        let bare_ok = !t.starts_with(['"', '~'])
            && t.bytes().all(|c| (0x20..=0x7e).contains(&c))
            && !t.starts_with(' ')
            && !t.ends_with(' ')
            && (top || (!t.is_empty() && !t.contains([' ', ']'])));
        if bare_ok {
            s.push_str(t)
        } else {
            s.push_str(&quote(t.as_bytes()))
        }
    };
    let list = |open: &str, items: &mut dyn Iterator<Item = &Reply>, s: &mut String| {
        s.push_str(open);
        for (i, r) in items.enumerate() {
            if i > 0 {
                s.push(' ');
            }
            fmt_into(r, false, s);
        }
        s.push(']');
    };
    match r {
        Reply::Nil | Reply::NilArray => s.push('_'),
        Reply::Integer(i) => s.push_str(&format!(":{i}")),
        Reply::Double(d) => s.push_str(&format!(",{}", kv_core::num::fmt_double(*d))),
        Reply::Boolean(b) => s.push_str(if *b { "#t" } else { "#f" }),
        // `"~"` is the any-bulk wildcard, so a literal `~` is escaped.
        Reply::Bulk(b) if b == b"~" => s.push_str("\"\\x7e\""),
        Reply::Bulk(b) => s.push_str(&quote(b)),
        Reply::Status(t) => {
            s.push('+');
            text(t, s)
        }
        Reply::Error(t) => {
            s.push('-');
            text(t, s)
        }
        Reply::Verbatim(f, b) => s.push_str(&format!("={f}:{}", quote(b))),
        Reply::Array(items) => list("*[", &mut items.iter(), s),
        Reply::Set(items) => list("~[", &mut items.iter(), s),
        Reply::Map(pairs) => list("%[", &mut pairs.iter().flat_map(|(k, v)| [k, v]), s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kv_core::Reply as R;

    fn args(l: &str) -> Vec<Vec<u8>> {
        split_args(l).unwrap()
    }

    #[test]
    fn splits_like_redis_cli() {
        assert_eq!(args("SET  k v"), vec![b"SET".to_vec(), b"k".to_vec(), b"v".to_vec()]);
        assert_eq!(args(r#"SET "a b" "\x00\xffq\"\\\n""#)[1..], [b"a b".to_vec(), b"\x00\xffq\"\\\n".to_vec()]);
        assert_eq!(args(r#"ECHO 'it\'s \n'"#)[1], b"it's \\n".to_vec());
        assert_eq!(args(r#"ECHO a"b c""#)[1], b"ab c".to_vec());
        assert_eq!(args(r#"ECHO "\xzz\q""#)[1], b"xzzq".to_vec());
        assert_eq!(args(r#"ECHO """#)[1], b"".to_vec());
        assert_eq!(args("   "), Vec::<Vec<u8>>::new());
        assert!(split_args(r#"ECHO "abc"#).is_err());
        assert!(split_args(r#"ECHO "abc"x"#).is_err());
        assert!(split_args("ECHO 'abc").is_err());
    }

    #[test]
    fn quote_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(args(&format!("X {}", quote(&all)))[1], all);
        assert_eq!(show_command(&[&b"SET"[..], b"a b", b"v"]), r#"SET "a b" v"#);
        assert_eq!(show_command(&[&b"GET"[..], b""]), r#"GET """#);
    }

    #[test]
    fn parses_scalars() {
        assert_eq!(parse_reply("+OK").unwrap(), Pat::Status("OK".into()));
        assert_eq!(parse_reply("-ERR syntax error").unwrap(), Pat::Error("ERR syntax error".into()));
        assert_eq!(parse_reply("+two words]").unwrap(), Pat::Status("two words]".into()));
        assert_eq!(parse_reply("-~ERR unknown").unwrap(), Pat::ErrorPrefix("ERR unknown".into()));
        assert_eq!(parse_reply(":-12").unwrap(), Pat::Int(-12));
        assert_eq!(parse_reply(":~").unwrap(), Pat::AnyInt);
        assert_eq!(parse_reply("\"~\"").unwrap(), Pat::AnyBulk);
        assert_eq!(parse_reply("\"\\x7e\"").unwrap(), Pat::Bulk(b"~".to_vec()));
        assert_eq!(parse_reply("\"a\\\"b\"").unwrap(), Pat::Bulk(b"a\"b".to_vec()));
        assert_eq!(parse_reply("_").unwrap(), Pat::Nil);
        assert_eq!(parse_reply("...").unwrap(), Pat::Any);
        assert_eq!(parse_reply("#t").unwrap(), Pat::Bool(true));
        assert_eq!(parse_reply("=txt:\"hi\"").unwrap(), Pat::Verbatim("txt".into(), b"hi".to_vec()));
        for bad in ["", ":x", ",abc", "#x", "\"abc", "*[", "*[:1", "%[:1]", "?", "_ x", ":1 :2"] {
            assert!(parse_reply(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn parses_nested_aggregates() {
        let p = parse_reply(r#"*[*["a" :1] _ +OK -"ERR x y" ~[] %?[:1 ,1.5]]"#).unwrap();
        assert_eq!(
            p,
            Pat::Array {
                unordered: false,
                items: vec![
                    Pat::Array { unordered: false, items: vec![Pat::Bulk(b"a".to_vec()), Pat::Int(1)] },
                    Pat::Nil,
                    Pat::Status("OK".into()),
                    Pat::Error("ERR x y".into()),
                    Pat::Set(vec![]),
                    Pat::Map { unordered: true, pairs: vec![(Pat::Int(1), Pat::Double("1.5".into()))] },
                ],
            }
        );
        let r = R::Array(vec![
            R::Array(vec![R::bulk("a"), R::Integer(1)]),
            R::NilArray,
            R::ok(),
            R::error("ERR x y"),
            R::Set(vec![]),
            R::Map(vec![(R::Integer(1), R::Double(1.5))]),
        ]);
        assert!(matches(&p, &r));
    }

    #[test]
    fn matching_rules() {
        let m = |p: &str, r: &R| matches(&parse_reply(p).unwrap(), r);
        assert!(m("...", &R::Integer(3)));
        assert!(m(":~", &R::Integer(3)));
        assert!(!m(":~", &R::bulk("3")));
        assert!(m("\"~\"", &R::bulk("anything")));
        assert!(!m("\"~\"", &R::Nil));
        assert!(m("_", &R::Nil) && m("_", &R::NilArray));
        assert!(m(",1.50", &R::Double(1.5)) && m(",inf", &R::Double(f64::INFINITY)));
        assert!(m(",1e3", &R::Double(1000.0)) && !m(",1", &R::bulk("1")));
        assert!(m("-~ERR wrong", &R::error("ERR wrong number")));
        assert!(!m("-ERR wrong", &R::error("ERR wrong number")));
        assert!(m("*?[\"b\" \"a\" \"a\"]", &R::Array(vec![R::bulk("a"), R::bulk("b"), R::bulk("a")])));
        assert!(!m("*?[\"b\" \"b\" \"a\"]", &R::Array(vec![R::bulk("a"), R::bulk("b"), R::bulk("a")])));
        assert!(!m("*[\"b\" \"a\"]", &R::Array(vec![R::bulk("a"), R::bulk("b")])));
        // A wildcard must not steal the element an exact pattern needs.
        assert!(m("~[\"~\" \"a\"]", &R::Set(vec![R::bulk("a"), R::bulk("b")])));
        assert!(!m("~[\"a\"]", &R::Array(vec![R::bulk("a")])));
        assert!(m(
            "%?[\"b\" :2 \"a\" :1]",
            &R::Map(vec![(R::bulk("a"), R::Integer(1)), (R::bulk("b"), R::Integer(2))])
        ));
        assert!(!m(
            "%[\"b\" :2 \"a\" :1]",
            &R::Map(vec![(R::bulk("a"), R::Integer(1)), (R::bulk("b"), R::Integer(2))])
        ));
        assert!(m("*[]", &R::Array(vec![])) && !m("*[]", &R::Set(vec![])));
    }

    #[test]
    fn printer_round_trips() {
        let replies = [
            R::ok(),
            R::error("ERR unknown command 'x', with args beginning with: "),
            R::Integer(-5),
            R::Double(f64::NEG_INFINITY),
            R::Double(0.1),
            R::Boolean(false),
            R::bulk(&b"\x00\"\\ ~\xff"[..]),
            R::bulk("~"),
            R::Nil,
            R::Verbatim("txt", b"a\r\nb".to_vec()),
            R::Array(vec![R::ok(), R::error("ERR a ] b"), R::Status("".into()), R::Set(vec![R::Integer(1)])]),
            R::Map(vec![(R::bulk("k"), R::Array(vec![]))]),
        ];
        for r in replies {
            let text = format_reply(&r);
            let p = parse_reply(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!(matches(&p, &r), "{text} does not match {r:?}");
        }
        assert_eq!(format_reply(&R::Array(vec![R::bulk("a"), R::Integer(1)])), r#"*["a" :1]"#);
    }
}
