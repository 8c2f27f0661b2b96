//! Replies, shaped like RESP3, and their RESP2 / RESP3 wire encodings.
//!
//! A handler always builds the RESP3 shape; the session's protocol version
//! only matters when the reply is encoded (or when a binding turns it into
//! host values). The down-conversion to RESP2 follows Redis: maps become
//! flat arrays, sets become arrays, doubles become bulk strings, booleans
//! become integers, and the two kinds of null become `$-1` and `*-1`.

use std::borrow::Cow;
use std::fmt::Write as _;

/// One reply of a command.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// The null bulk string (`$-1` in RESP2, `_` in RESP3).
    Nil,
    /// The null array (`*-1` in RESP2, `_` in RESP3): BLPOP timeouts,
    /// an EXEC aborted by WATCH.
    NilArray,
    Integer(i64),
    /// A double (`,` in RESP3, a bulk string in RESP2).
    Double(f64),
    /// A boolean (`#` in RESP3, integer 1/0 in RESP2).
    Boolean(bool),
    Bulk(Vec<u8>),
    /// A simple string such as `OK` or `PONG`.
    Status(Cow<'static, str>),
    /// An error, its first word being Redis's prefix (`ERR`, `WRONGTYPE`, ...).
    Error(Cow<'static, str>),
    Array(Vec<Reply>),
    Map(Vec<(Reply, Reply)>),
    Set(Vec<Reply>),
    /// A verbatim string (`=` in RESP3, a bulk string in RESP2), e.g. INFO.
    Verbatim(&'static str, Vec<u8>),
}

impl Reply {
    pub const OK: Reply = Reply::Status(Cow::Borrowed("OK"));

    pub fn ok() -> Reply {
        Reply::OK
    }
    pub fn status(s: &'static str) -> Reply {
        Reply::Status(Cow::Borrowed(s))
    }
    pub fn error(s: &'static str) -> Reply {
        Reply::Error(Cow::Borrowed(s))
    }
    pub fn error_owned(s: String) -> Reply {
        Reply::Error(Cow::Owned(s))
    }
    pub fn bulk(b: impl Into<Vec<u8>>) -> Reply {
        Reply::Bulk(b.into())
    }
    /// A bulk string holding the decimal text of a double, as Redis writes
    /// scores and INCRBYFLOAT results.
    pub fn bulk_double(d: f64) -> Reply {
        Reply::Bulk(crate::num::fmt_double(d).into_bytes())
    }
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }
    /// The error text, if this is an error.
    pub fn error_text(&self) -> Option<&str> {
        match self {
            Reply::Error(e) => Some(e),
            _ => None,
        }
    }
    /// The bytes of a bulk, status or verbatim reply.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Reply::Bulk(b) | Reply::Verbatim(_, b) => Some(b),
            Reply::Status(s) => Some(s.as_bytes()),
            _ => None,
        }
    }
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Reply::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// Appends the RESP encoding of this reply for `protocol` (2 or 3).
    pub fn encode(&self, protocol: u8, out: &mut Vec<u8>) {
        if protocol >= 3 {
            self.encode3(out)
        } else {
            self.encode2(out)
        }
    }

    pub fn to_resp(&self, protocol: u8) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(protocol, &mut out);
        out
    }

    fn encode2(&self, out: &mut Vec<u8>) {
        match self {
            Reply::Nil => out.extend_from_slice(b"$-1\r\n"),
            Reply::NilArray => out.extend_from_slice(b"*-1\r\n"),
            Reply::Integer(i) => line(out, b':', &i.to_string()),
            Reply::Double(d) => bulk(out, crate::num::fmt_double(*d).as_bytes()),
            Reply::Boolean(b) => line(out, b':', if *b { "1" } else { "0" }),
            Reply::Bulk(b) | Reply::Verbatim(_, b) => bulk(out, b),
            Reply::Status(s) => line(out, b'+', s),
            Reply::Error(e) => line(out, b'-', e),
            Reply::Array(items) | Reply::Set(items) => {
                line(out, b'*', &items.len().to_string());
                items.iter().for_each(|r| r.encode2(out));
            }
            Reply::Map(pairs) => {
                line(out, b'*', &(pairs.len() * 2).to_string());
                for (k, v) in pairs {
                    k.encode2(out);
                    v.encode2(out);
                }
            }
        }
    }

    fn encode3(&self, out: &mut Vec<u8>) {
        match self {
            Reply::Nil | Reply::NilArray => out.extend_from_slice(b"_\r\n"),
            Reply::Integer(i) => line(out, b':', &i.to_string()),
            Reply::Double(d) => line(out, b',', &resp3_double(*d)),
            Reply::Boolean(b) => line(out, b'#', if *b { "t" } else { "f" }),
            Reply::Bulk(b) => bulk(out, b),
            Reply::Verbatim(fmt, b) => {
                line(out, b'=', &(b.len() + 4).to_string());
                out.extend_from_slice(fmt.as_bytes());
                out.push(b':');
                out.extend_from_slice(b);
                out.extend_from_slice(b"\r\n");
            }
            Reply::Status(s) => line(out, b'+', s),
            Reply::Error(e) => line(out, b'-', e),
            Reply::Array(items) => {
                line(out, b'*', &items.len().to_string());
                items.iter().for_each(|r| r.encode3(out));
            }
            Reply::Set(items) => {
                line(out, b'~', &items.len().to_string());
                items.iter().for_each(|r| r.encode3(out));
            }
            Reply::Map(pairs) => {
                line(out, b'%', &pairs.len().to_string());
                for (k, v) in pairs {
                    k.encode3(out);
                    v.encode3(out);
                }
            }
        }
    }

    /// The reply as the session's protocol delivers it: for RESP2 the
    /// RESP3-only shapes are folded into RESP2 ones, so bindings that build
    /// host values from a `Reply` see what a RESP2 client would.
    pub fn into_protocol(self, protocol: u8) -> Reply {
        if protocol >= 3 {
            return self;
        }
        match self {
            Reply::Double(d) => Reply::Bulk(crate::num::fmt_double(d).into_bytes()),
            Reply::Boolean(b) => Reply::Integer(b as i64),
            Reply::Verbatim(_, b) => Reply::Bulk(b),
            Reply::Array(items) | Reply::Set(items) => {
                Reply::Array(items.into_iter().map(|r| r.into_protocol(2)).collect())
            }
            Reply::Map(pairs) => {
                Reply::Array(pairs.into_iter().flat_map(|(k, v)| [k.into_protocol(2), v.into_protocol(2)]).collect())
            }
            other => other,
        }
    }
}

fn line(out: &mut Vec<u8>, prefix: u8, s: &str) {
    out.push(prefix);
    out.extend_from_slice(s.as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn bulk(out: &mut Vec<u8>, b: &[u8]) {
    line(out, b'$', &b.len().to_string());
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

fn resp3_double(d: f64) -> String {
    if d.is_nan() {
        "nan".to_string()
    } else if d.is_infinite() {
        if d > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        let mut s = String::new();
        let _ = write!(s, "{}", crate::num::fmt_double(d));
        s
    }
}

impl From<i64> for Reply {
    fn from(i: i64) -> Reply {
        Reply::Integer(i)
    }
}
impl From<usize> for Reply {
    fn from(i: usize) -> Reply {
        Reply::Integer(i as i64)
    }
}
impl From<bool> for Reply {
    /// Redis's integer booleans (`:1` / `:0`), as EXISTS-style commands reply.
    fn from(b: bool) -> Reply {
        Reply::Integer(b as i64)
    }
}
impl From<Option<Vec<u8>>> for Reply {
    fn from(v: Option<Vec<u8>>) -> Reply {
        v.map_or(Reply::Nil, Reply::Bulk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp2_and_resp3_shapes() {
        let r = Reply::Map(vec![(Reply::bulk("a"), Reply::Double(1.5))]);
        assert_eq!(r.to_resp(2), b"*2\r\n$1\r\na\r\n$3\r\n1.5\r\n");
        assert_eq!(r.to_resp(3), b"%1\r\n$1\r\na\r\n,1.5\r\n");
        assert_eq!(Reply::NilArray.to_resp(2), b"*-1\r\n");
        assert_eq!(Reply::Nil.to_resp(3), b"_\r\n");
        assert_eq!(Reply::Boolean(true).to_resp(2), b":1\r\n");
        assert_eq!(Reply::Double(f64::INFINITY).to_resp(3), b",inf\r\n");
        assert_eq!(Reply::Verbatim("txt", b"hi".to_vec()).to_resp(3), b"=6\r\ntxt:hi\r\n");
        assert_eq!(Reply::error("ERR x").to_resp(2), b"-ERR x\r\n");
    }
}
