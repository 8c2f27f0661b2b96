//! Printing replies the way redis-cli prints them: the "standard" form it
//! uses on a terminal (`"bar"`, `(integer) 1`, numbered nested arrays) and
//! the raw form it uses when its output is not a terminal.
//!
//! The reply is first folded to the session's protocol, so a RESP2 session
//! sees what a RESP2 client would (maps as flat arrays, doubles as bulk
//! strings); the cases below then follow hiredis's reply types.

use kv_core::Reply;

/// How replies are printed (redis-cli's `--raw` / `--no-raw`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Standard,
    Raw,
}

/// The bytes redis-cli prints for `reply`, final newline included.
/// `verbatim` is redis-cli's "raw strings" case: commands whose reply is
/// text meant to be read as is (INFO, CLIENT LIST, ...) are printed raw
/// and without the separator even in standard mode.
pub fn format_reply(reply: &Reply, mode: Output, verbatim: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if verbatim {
        raw(reply, &mut out);
    } else if mode == Output::Standard {
        standard(reply, b"", &mut out);
    } else {
        raw(reply, &mut out);
        out.push(b'\n');
    }
    out
}

/// Commands whose replies redis-cli prints raw whatever the output mode.
pub fn prints_raw(args: &[Vec<u8>]) -> bool {
    let is = |i: usize, s: &str| args.get(i).is_some_and(|a| a.eq_ignore_ascii_case(s.as_bytes()));
    let n = args.len();
    is(0, "info")
        || is(0, "lolwut")
        || (n >= 2 && is(0, "debug") && (is(1, "htstats") || is(1, "htstats-key")))
        || (n >= 2 && is(0, "memory") && (is(1, "malloc-stats") || is(1, "doctor")))
        || (n == 2 && is(0, "cluster") && (is(1, "nodes") || is(1, "info")))
        || (n >= 2 && is(0, "client") && (is(1, "list") || is(1, "info")))
        || (n == 3 && is(0, "latency") && is(1, "graph"))
        || (n == 2 && is(0, "latency") && is(1, "doctor"))
        || (n >= 2 && is(0, "proxy") && is(1, "info"))
}

/// redis-cli's `cliFormatReplyTTY`. `prefix` is the indentation of the
/// enclosing aggregates, written before every element but the first (whose
/// line already carries the parent's index).
fn standard(reply: &Reply, prefix: &[u8], out: &mut Vec<u8>) {
    match reply {
        Reply::Error(e) => {
            out.extend_from_slice(b"(error) ");
            out.extend_from_slice(e.as_bytes());
            out.push(b'\n');
        }
        Reply::Status(s) => {
            out.extend_from_slice(s.as_bytes());
            out.push(b'\n');
        }
        Reply::Integer(i) => out.extend_from_slice(format!("(integer) {i}\n").as_bytes()),
        Reply::Double(d) => out.extend_from_slice(format!("(double) {}\n", double_text(*d)).as_bytes()),
        Reply::Bulk(b) => {
            repr(b, out);
            out.push(b'\n');
        }
        Reply::Verbatim(_, b) => {
            out.extend_from_slice(b);
            out.push(b'\n');
        }
        Reply::Nil | Reply::NilArray => out.extend_from_slice(b"(nil)\n"),
        Reply::Boolean(b) => out.extend_from_slice(if *b { b"(true)\n" } else { b"(false)\n" }),
        Reply::Array(items) => {
            aggregate(items.iter().map(|r| (r, None)), items.len(), b')', b"(empty array)\n", prefix, out)
        }
        Reply::Set(items) => {
            aggregate(items.iter().map(|r| (r, None)), items.len(), b'~', b"(empty set)\n", prefix, out)
        }
        Reply::Map(pairs) => {
            aggregate(pairs.iter().map(|(k, v)| (k, Some(v))), pairs.len(), b'#', b"(empty hash)\n", prefix, out)
        }
    }
}

/// Numbered elements (`1) `, `1~ `, `1# k => v`), the numbers right-aligned
/// to the width of the largest; nested elements are indented by that width
/// plus two.
fn aggregate<'a>(
    items: impl Iterator<Item = (&'a Reply, Option<&'a Reply>)>,
    count: usize,
    sep: u8,
    empty: &[u8],
    prefix: &[u8],
    out: &mut Vec<u8>,
) {
    if count == 0 {
        out.extend_from_slice(empty);
        return;
    }
    let width = count.to_string().len();
    let mut inner = prefix.to_vec();
    inner.resize(prefix.len() + width + 2, b' ');
    for (i, (item, value)) in items.enumerate() {
        if i > 0 {
            out.extend_from_slice(prefix);
        }
        out.extend_from_slice(format!("{:>width$}{} ", i + 1, sep as char).as_bytes());
        standard(item, &inner, out);
        if let Some(value) = value {
            out.pop(); // the key's newline: the value goes on the same line
            out.extend_from_slice(b" => ");
            standard(value, &inner, out);
        }
    }
}

/// redis-cli's `cliFormatReplyRaw`: strings as they are, nil as nothing,
/// errors followed by a newline, aggregates one element per line.
fn raw(reply: &Reply, out: &mut Vec<u8>) {
    match reply {
        Reply::Nil | Reply::NilArray => {}
        Reply::Error(e) => {
            out.extend_from_slice(e.as_bytes());
            out.push(b'\n');
        }
        Reply::Status(s) => out.extend_from_slice(s.as_bytes()),
        Reply::Bulk(b) | Reply::Verbatim(_, b) => out.extend_from_slice(b),
        Reply::Boolean(b) => out.extend_from_slice(if *b { b"(true)" } else { b"(false)" }),
        Reply::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Reply::Double(d) => out.extend_from_slice(double_text(*d).as_bytes()),
        Reply::Array(items) | Reply::Set(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b'\n');
                }
                raw(item, out);
            }
        }
        Reply::Map(pairs) => {
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(b'\n');
                }
                raw(k, out);
                out.push(b' ');
                raw(v, out);
            }
        }
    }
}

/// A double as the RESP3 wire carries it (hiredis keeps that text).
fn double_text(d: f64) -> String {
    if d.is_nan() {
        "nan".into()
    } else if d.is_infinite() {
        if d > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        kv_core::num::fmt_double(d)
    }
}

/// Redis's `sdscatrepr`: a quoted string with C escapes; bytes outside
/// printable ASCII as `\xHH`.
pub fn repr(b: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &c in b {
        match c {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', c]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(c),
            _ => out.extend_from_slice(format!("\\x{c:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn std(r: &Reply) -> String {
        String::from_utf8(format_reply(r, Output::Standard, false)).unwrap()
    }
    fn raw(r: &Reply) -> String {
        String::from_utf8(format_reply(r, Output::Raw, false)).unwrap()
    }
    fn bulk(s: &str) -> Reply {
        Reply::bulk(s)
    }

    #[test]
    fn scalars_standard() {
        assert_eq!(std(&Reply::ok()), "OK\n");
        assert_eq!(std(&bulk("bar")), "\"bar\"\n");
        assert_eq!(
            std(&Reply::bulk(&b"a\"b\\\n\r\t\x07\x08\x01\xc3\xa9 ~"[..])),
            "\"a\\\"b\\\\\\n\\r\\t\\a\\b\\x01\\xc3\\xa9 ~\"\n"
        );
        assert_eq!(std(&Reply::Integer(-3)), "(integer) -3\n");
        assert_eq!(std(&Reply::Nil), "(nil)\n");
        assert_eq!(std(&Reply::NilArray), "(nil)\n");
        assert_eq!(std(&Reply::error("ERR x")), "(error) ERR x\n");
        assert_eq!(std(&Reply::Double(1.5)), "(double) 1.5\n");
        assert_eq!(std(&Reply::Double(f64::NEG_INFINITY)), "(double) -inf\n");
        assert_eq!(std(&Reply::Boolean(true)), "(true)\n");
        assert_eq!(std(&Reply::Boolean(false)), "(false)\n");
        assert_eq!(std(&Reply::Verbatim("txt", b"a:b\r\n".to_vec())), "a:b\r\n\n");
    }

    #[test]
    fn empty_aggregates_standard() {
        assert_eq!(std(&Reply::Array(vec![])), "(empty array)\n");
        assert_eq!(std(&Reply::Set(vec![])), "(empty set)\n");
        assert_eq!(std(&Reply::Map(vec![])), "(empty hash)\n");
    }

    #[test]
    fn nested_arrays_are_numbered_and_indented() {
        let r = Reply::Array(vec![
            Reply::Array(vec![bulk("a"), Reply::Double(1.5)]),
            Reply::Array(vec![Reply::Integer(2), Reply::Array(vec![Reply::Nil, Reply::error("E x")])]),
            Reply::Array(vec![]),
        ]);
        assert_eq!(
            std(&r),
            "1) 1) \"a\"\n   2) (double) 1.5\n2) 1) (integer) 2\n   2) 1) (nil)\n      2) (error) E x\n3) (empty array)\n"
        );
    }

    #[test]
    fn index_width_follows_the_largest_index() {
        let r = Reply::Array((0..10).map(|i| Reply::Array(vec![Reply::Integer(i), Reply::Integer(i)])).collect());
        let s = std(&r);
        assert!(s.starts_with(" 1) 1) (integer) 0\n    2) (integer) 0\n 2) 1)"), "{s}");
        assert!(s.ends_with("10) 1) (integer) 9\n    2) (integer) 9\n"), "{s}");
    }

    #[test]
    fn maps_and_sets_standard() {
        let r = Reply::Map(vec![
            (bulk("server"), bulk("redis")),
            (bulk("proto"), Reply::Integer(3)),
            (bulk("modules"), Reply::Array(vec![])),
            (bulk("s"), Reply::Set(vec![bulk("a"), bulk("b")])),
        ]);
        assert_eq!(
            std(&r),
            "1# \"server\" => \"redis\"\n2# \"proto\" => (integer) 3\n3# \"modules\" => (empty array)\n\
             4# \"s\" => 1~ \"a\"\n   2~ \"b\"\n"
        );
    }

    #[test]
    fn raw_mode() {
        assert_eq!(raw(&Reply::ok()), "OK\n");
        assert_eq!(raw(&bulk("a\x01b")), "a\x01b\n");
        assert_eq!(raw(&Reply::Nil), "\n");
        assert_eq!(raw(&Reply::Integer(7)), "7\n");
        assert_eq!(raw(&Reply::error("ERR x")), "ERR x\n\n");
        assert_eq!(raw(&Reply::Array(vec![])), "\n");
        assert_eq!(raw(&Reply::Double(3.25)), "3.25\n");
        assert_eq!(raw(&Reply::Boolean(false)), "(false)\n");
        let nested = Reply::Array(vec![
            Reply::Integer(1),
            Reply::Array(vec![Reply::Integer(2), Reply::error("E x")]),
            Reply::Array(vec![]),
            Reply::Nil,
        ]);
        assert_eq!(raw(&nested), "1\n2\nE x\n\n\n\n");
        let map = Reply::Map(vec![(bulk("maxmemory"), bulk("0")), (bulk("modules"), Reply::Array(vec![]))]);
        assert_eq!(raw(&map), "maxmemory 0\nmodules \n");
    }

    #[test]
    fn raw_strings_commands() {
        let args = |s: &str| s.split(' ').map(|a| a.as_bytes().to_vec()).collect::<Vec<_>>();
        assert!(prints_raw(&args("INFO")));
        assert!(prints_raw(&args("info server")));
        assert!(prints_raw(&args("client LIST")));
        assert!(!prints_raw(&args("CLIENT GETNAME")));
        assert!(!prints_raw(&args("latency doctor x")));
        let info = Reply::Verbatim("txt", b"# Server\r\n".to_vec());
        assert_eq!(format_reply(&info, Output::Standard, true), b"# Server\r\n");
        assert_eq!(format_reply(&info, Output::Raw, true), b"# Server\r\n");
    }
}
