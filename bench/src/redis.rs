//! A private redis-server for the memory comparison: started on a free
//! loopback port with persistence off, loaded over pipelined RESP, asked
//! for INFO memory, then shut down.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Child,
    conn: BufReader<TcpStream>,
    pub version: String,
    pub port: u16,
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// RESP encoding of one command.
pub fn resp(args: &[&[u8]], out: &mut Vec<u8>) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

impl RedisServer {
    /// Starts `redis-server`; a clear error if it is not installed.
    pub fn start() -> Result<RedisServer, String> {
        RedisServer::start_with(&[])
    }

    /// Starts `redis-server` with its data files (dump.rdb, redis.log) in
    /// `dir`; an RDB already there is loaded. Returns once PING answers
    /// PONG (loading done), with the time that took.
    pub fn start_in(dir: &std::path::Path) -> Result<(RedisServer, Duration), String> {
        let d = dir.to_string_lossy().into_owned();
        let log = dir.join("redis.log").to_string_lossy().into_owned();
        let started = Instant::now();
        let mut r = RedisServer::start_with(&["--dir", &d, "--logfile", &log])?;
        while r.command(&[b"PING"]).is_err() {
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok((r, started.elapsed()))
    }

    /// Starts `redis-server` with extra arguments.
    pub fn start_with(extra: &[&str]) -> Result<RedisServer, String> {
        let port = free_port().map_err(|e| format!("no free loopback port: {e}"))?;
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("cannot start redis-server ({e}); install it (apt-get install redis-server) or put it on PATH")
            })?;
        let started = Instant::now();
        let stream = loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(s) => break s,
                Err(_) if started.elapsed() < Duration::from_secs(10) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(format!("redis-server did not come up on port {port}: {e}")),
            }
        };
        stream.set_nodelay(true).ok();
        let mut r = RedisServer { child, conn: BufReader::new(stream), version: String::new(), port };
        // INFO answers while an RDB loads (PING does not).
        r.version = r.info_field("server", "redis_version")?;
        Ok(r)
    }

    /// Reads one reply, returned as raw text (bulk payloads included).
    fn read_reply(&mut self) -> Result<String, String> {
        let mut line = String::new();
        self.conn.read_line(&mut line).map_err(|e| e.to_string())?;
        match line.as_bytes().first() {
            Some(b'$') => {
                let n: usize = line[1..].trim().parse().map_err(|_| format!("bad bulk header {line:?}"))?;
                let mut buf = vec![0; n + 2];
                self.conn.read_exact(&mut buf).map_err(|e| e.to_string())?;
                Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
            }
            Some(b'-') => Err(format!("redis error: {}", line.trim_end())),
            Some(_) => Ok(line),
            None => Err("redis-server closed the connection".into()),
        }
    }

    pub fn command(&mut self, args: &[&[u8]]) -> Result<String, String> {
        let mut out = Vec::new();
        resp(args, &mut out);
        self.conn.get_mut().write_all(&out).map_err(|e| e.to_string())?;
        self.read_reply()
    }

    pub fn info_field(&mut self, section: &str, field: &str) -> Result<String, String> {
        let info = self.command(&[b"INFO", section.as_bytes()])?;
        info.lines()
            .find_map(|l| l.strip_prefix(field).and_then(|r| r.strip_prefix(':')))
            .map(|v| v.trim().to_string())
            .ok_or_else(|| format!("INFO {section} has no {field}"))
    }

    pub fn used_memory(&mut self) -> Result<u64, String> {
        self.info_field("memory", "used_memory")?.parse().map_err(|e| format!("used_memory: {e}"))
    }

    /// Sends SET for every key, `batch` commands per round trip.
    pub fn load(&mut self, n: usize, batch: usize) -> Result<(), String> {
        self.pipeline(n, batch, |j, out| resp(&[b"SET", &crate::key(j), &crate::value(j)], out))
    }

    /// Sends `n` commands, the `j`th written by `write(j, out)` (with
    /// [`resp`]), `batch` per round trip; fails on the first error reply.
    pub fn pipeline(
        &mut self,
        n: usize,
        batch: usize,
        mut write: impl FnMut(usize, &mut Vec<u8>),
    ) -> Result<(), String> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < n {
            let end = (i + batch).min(n);
            out.clear();
            for j in i..end {
                write(j, &mut out);
            }
            self.conn.get_mut().write_all(&out).map_err(|e| e.to_string())?;
            for _ in i..end {
                self.read_reply()?;
            }
            i = end;
        }
        Ok(())
    }

    pub fn shutdown(mut self) {
        let mut out = Vec::new();
        resp(&[b"SHUTDOWN", b"NOSAVE"], &mut out);
        let _ = self.conn.get_mut().write_all(&out);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
