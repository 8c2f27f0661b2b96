//! A private redis-server for the differential test and a tiny RESP2/RESP3
//! client that parses replies into `kv_core::Reply`.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kv_core::Reply;

pub const NOT_FOUND: &str = "redis-server not found: run `make test`, which installs it";

/// A redis-server child process on a free loopback port, without
/// persistence; killed when dropped.
pub struct RedisServer {
    child: Child,
    pub port: u16,
}

/// `name` in the directories of a PATH-like list.
fn find_in(path: Option<std::ffi::OsString>, name: &str) -> Option<PathBuf> {
    std::env::split_paths(&path?).map(|d| d.join(name)).find(|p| p.is_file())
}

impl RedisServer {
    /// Starts a server; panics (failing the test) when redis-server is not
    /// on PATH or does not come up.
    pub fn start() -> RedisServer {
        let exe = find_in(std::env::var_os("PATH"), "redis-server").unwrap_or_else(|| panic!("{NOT_FOUND}"));
        let mut last_err = String::new();
        // The free port is found by binding port 0; another process could
        // take it before redis-server binds it, hence the retries.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("bind loopback").port();
            let child = Command::new(&exe)
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .args(["--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning"])
                // Blocked clients time out on the server's cron: at the
                // default hz 10 a BLPOP of 0.01 s waits 100 ms.
                .args(["--hz", "100"])
                .arg("--dir")
                .arg(std::env::temp_dir())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
            let mut server = RedisServer { child, port };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(status)) = server.child.try_wait() {
                    let mut err = String::new();
                    if let Some(mut e) = server.child.stderr.take() {
                        let _ = e.read_to_string(&mut err);
                    }
                    last_err = format!("redis-server exited ({status}): {err}");
                    break;
                }
                if let Ok(mut c) = server.connect() {
                    // The server answering must be this child, not another
                    // test's that took the port first.
                    let pid = format!("process_id:{}\r\n", server.child.id());
                    match c.call(&[b"INFO".as_slice(), b"server".as_slice()]) {
                        Ok(Reply::Bulk(info)) if String::from_utf8_lossy(&info).contains(&pid) => return server,
                        Ok(_) => {
                            last_err = format!("port {port} answered for another redis-server");
                            break;
                        }
                        Err(_) => {}
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            if last_err.is_empty() {
                last_err = "redis-server did not answer PING within 10 s".into();
            }
        }
        panic!("cannot start redis-server: {last_err}");
    }

    pub fn connect(&self) -> std::io::Result<Client> {
        Client::connect(self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One connection. Replies are parsed whatever protocol the connection
/// speaks (HELLO 3 switches it).
pub struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    port: u16,
}

impl Client {
    pub fn connect(port: u16) -> std::io::Result<Client> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Client { reader: BufReader::new(stream.try_clone()?), writer: stream, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Sends one command and reads its reply.
    pub fn call<A: AsRef<[u8]>>(&mut self, args: &[A]) -> std::io::Result<Reply> {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            let a = a.as_ref();
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.writer.write_all(&out)?;
        read_reply(&mut self.reader)
    }
}

fn bad(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.into())
}

fn read_line(r: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line)?;
    if !line.ends_with(b"\r\n") {
        return Err(bad("connection closed or line without CRLF"));
    }
    line.truncate(line.len() - 2);
    Ok(line)
}

fn read_exact_crlf(r: &mut impl BufRead, n: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![0; n + 2];
    r.read_exact(&mut buf)?;
    if !buf.ends_with(b"\r\n") {
        return Err(bad("payload without CRLF"));
    }
    buf.truncate(n);
    Ok(buf)
}

fn num(s: &[u8]) -> std::io::Result<i64> {
    std::str::from_utf8(s).ok().and_then(|s| s.parse().ok()).ok_or_else(|| bad(format!("bad number {s:?}")))
}

fn text(s: Vec<u8>) -> Cow<'static, str> {
    Cow::Owned(String::from_utf8_lossy(&s).into_owned())
}

/// Reads one RESP2 or RESP3 reply. RESP3 attributes are skipped, pushes
/// read as arrays, big numbers as bulk strings.
pub fn read_reply(r: &mut impl BufRead) -> std::io::Result<Reply> {
    let line = read_line(r)?;
    let (&kind, rest) = line.split_first().ok_or_else(|| bad("empty line"))?;
    let rest = rest.to_vec();
    let count = |r: &[u8]| -> std::io::Result<usize> { usize::try_from(num(r)?).map_err(|_| bad("negative length")) };
    Ok(match kind {
        b'+' => Reply::Status(text(rest)),
        b'-' => Reply::Error(text(rest)),
        b':' => Reply::Integer(num(&rest)?),
        b'$' if rest == b"-1" => Reply::Nil,
        b'*' if rest == b"-1" => Reply::NilArray,
        b'$' => Reply::Bulk(read_exact_crlf(r, count(&rest)?)?),
        b'!' => Reply::Error(text(read_exact_crlf(r, count(&rest)?)?)),
        b'=' => {
            let body = read_exact_crlf(r, count(&rest)?)?;
            if body.len() < 4 || body[3] != b':' {
                return Err(bad("bad verbatim string"));
            }
            let fmt: &'static str = match &body[..3] {
                b"txt" => "txt",
                b"mkd" => "mkd",
                other => Box::leak(String::from_utf8_lossy(other).into_owned().into_boxed_str()),
            };
            Reply::Verbatim(fmt, body[4..].to_vec())
        }
        b'_' => Reply::Nil,
        b'#' => Reply::Boolean(rest == b"t"),
        b',' => Reply::Double(match &rest[..] {
            b"inf" => f64::INFINITY,
            b"-inf" => f64::NEG_INFINITY,
            b"nan" => f64::NAN,
            s => std::str::from_utf8(s).ok().and_then(|s| s.parse().ok()).ok_or_else(|| bad("bad double"))?,
        }),
        b'(' => Reply::Bulk(rest),
        b'*' | b'>' => Reply::Array((0..count(&rest)?).map(|_| read_reply(r)).collect::<Result<_, _>>()?),
        b'~' => Reply::Set((0..count(&rest)?).map(|_| read_reply(r)).collect::<Result<_, _>>()?),
        b'%' => Reply::Map(
            (0..count(&rest)?).map(|_| Ok((read_reply(r)?, read_reply(r)?))).collect::<std::io::Result<_>>()?,
        ),
        b'|' => {
            for _ in 0..count(&rest)? {
                read_reply(r)?;
                read_reply(r)?;
            }
            read_reply(r)?
        }
        other => return Err(bad(format!("unknown RESP type {:?}", other as char))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_programs_on_a_path_list() {
        let dir = std::env::temp_dir();
        let sh = std::path::Path::new("/bin/sh");
        let path = std::env::join_paths([dir.as_path(), sh.parent().unwrap()]).unwrap();
        assert_eq!(find_in(Some(path.clone()), "sh"), Some(sh.to_path_buf()));
        assert_eq!(find_in(Some(path), "no-such-program-kv"), None);
        assert_eq!(find_in(None, "sh"), None);
    }

    /// Every shape the core can encode reads back as the same reply.
    #[test]
    fn reads_what_the_core_encodes() {
        let r = Reply::Array(vec![
            Reply::Nil,
            Reply::Integer(-3),
            Reply::bulk(&b"a\r\nb"[..]),
            Reply::ok(),
            Reply::error("ERR x"),
            Reply::Set(vec![Reply::Boolean(true)]),
            Reply::Map(vec![(Reply::bulk("k"), Reply::Double(1.5))]),
            Reply::Verbatim("txt", b"info".to_vec()),
        ]);
        let mut wire = &r.to_resp(3)[..];
        assert_eq!(read_reply(&mut wire).unwrap(), r);
        let mut wire = &r.to_resp(2)[..];
        assert_eq!(read_reply(&mut wire).unwrap(), r.clone().into_protocol(2));
        let mut wire = &b"*-1\r\n|1\r\n+a\r\n+b\r\n:5\r\n"[..];
        assert_eq!(read_reply(&mut wire).unwrap(), Reply::NilArray);
        assert_eq!(read_reply(&mut wire).unwrap(), Reply::Integer(5));
        assert!(read_reply(&mut &b"$5\r\nab\r\n"[..]).is_err());
    }
}
