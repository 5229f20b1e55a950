//! A real `redis-server` on a free loopback port.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::{die_with_parent, free_port, stop, tail};

/// A reply in the Redis serialization protocol (RESP2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resp {
    /// `+OK`
    Simple(String),
    /// `-ERR …`
    Error(String),
    /// `:42`
    Integer(i64),
    /// `$3\r\nfoo`
    Bulk(Vec<u8>),
    /// `$-1` or `*-1`
    Nil,
    /// `*2\r\n…`
    Array(Vec<Resp>),
}

impl Resp {
    /// The integer, for `:n` replies.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Resp::Integer(n) => Some(*n),
            _ => None,
        }
    }

    /// The text of a bulk or simple string.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Resp::Bulk(b) => Some(String::from_utf8_lossy(b).into_owned()),
            Resp::Simple(s) => Some(s.clone()),
            _ => None,
        }
    }
}

/// A running `redis-server`, stopped (SIGTERM, then SIGKILL) and cleaned up on drop.
#[derive(Debug)]
pub struct RedisServer {
    child: Child,
    port: u16,
    password: Option<String>,
    tls_port: Option<u16>,
    dir: tempfile::TempDir,
}

/// Makes a throwaway CA and a server certificate for `localhost` and `127.0.0.1` in `dir`
/// with the `openssl` command: `ca.crt`, `server.crt`, `server.key`.
pub(crate) fn make_certificates(dir: &Path) -> Result<(), String> {
    let run = |args: &[&str]| -> Result<(), String> {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                format!(
                    "cannot run openssl ({e}); install it with `apt-get install openssl` {}",
                    crate::INSTALL_HINT
                )
            })?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(&[
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=opskit test CA",
        ],
    ]
    .concat())?;
    run(&[
        &["req"][..],
        &ec,
        &[
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    ]
    .concat())?;
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(|e| e.to_string())?;
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ])
}

fn redis_binary() -> PathBuf {
    let mut dirs = crate::tools::path_dirs();
    dirs.extend([PathBuf::from("/usr/bin"), PathBuf::from("/usr/local/bin")]);
    crate::find_binary("redis-server", &dirs, "apt-get install redis-server")
        .unwrap_or_else(|e| panic!("{e}"))
}

impl RedisServer {
    /// Starts a server without a password. Panics with the reason (and an install hint when
    /// the binary is missing) if it cannot.
    pub fn start() -> RedisServer {
        RedisServer::start_with(None, &[])
    }

    /// Starts a server that requires `password` (`requirepass`) and takes `extra` config
    /// directives such as `["--maxmemory", "10mb"]`.
    pub fn start_with(password: Option<&str>, extra: &[&str]) -> RedisServer {
        RedisServer::start_inner(password, extra, false)
    }

    /// Starts a server that also listens with TLS (see [`RedisServer::tls_url`]), with a
    /// certificate for `localhost` and `127.0.0.1` signed by a throwaway CA
    /// ([`RedisServer::ca_file`]). Needs the `openssl` command.
    pub fn start_tls() -> RedisServer {
        RedisServer::start_inner(None, &[], true)
    }

    fn start_inner(password: Option<&str>, extra: &[&str], tls: bool) -> RedisServer {
        let binary = redis_binary();
        let mut last_error = String::new();
        for _ in 0..5 {
            match RedisServer::try_start(&binary, password, extra, tls) {
                Ok(server) => return server,
                Err(e) => last_error = e,
            }
        }
        panic!("redis-server did not start after 5 tries: {last_error}");
    }

    fn try_start(
        binary: &Path,
        password: Option<&str>,
        extra: &[&str],
        tls: bool,
    ) -> Result<RedisServer, String> {
        let dir = tempfile::Builder::new()
            .prefix("opskit-redis-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let port = free_port();
        let tls_port = if tls {
            make_certificates(dir.path())?;
            Some(free_port())
        } else {
            None
        };
        let log = dir.path().join("redis.log");
        let mut cmd = Command::new(binary);
        cmd.args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .arg("--dir")
        .arg(dir.path())
        .arg("--logfile")
        .arg(&log)
        .args(["--daemonize", "no", "--protected-mode", "no"]);
        if let Some(pw) = password {
            cmd.args(["--requirepass", pw]);
        }
        if let Some(tls_port) = tls_port {
            let file = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
            cmd.args([
                "--tls-port",
                &tls_port.to_string(),
                "--tls-auth-clients",
                "no",
            ])
            .args([
                "--tls-cert-file",
                &file("server.crt"),
                "--tls-key-file",
                &file("server.key"),
                "--tls-ca-cert-file",
                &file("ca.crt"),
            ]);
        }
        cmd.args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        die_with_parent(&mut cmd, libc::SIGTERM);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
        let mut server = RedisServer {
            child,
            port,
            password: password.map(str::to_owned),
            tls_port,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "redis-server exited with {status} on port {port}:\n{}",
                    tail(&log)
                ));
            }
            if let Ok(Resp::Simple(pong)) = server.try_command(&["PING"])
                && pong == "PONG"
            {
                // Two servers started at once can be handed the same free port: the one that
                // lost the bind is about to exit, and the PONG came from the other. Only our
                // own process counts.
                let ours = format!("process_id:{}", server.child.id());
                let info = server
                    .try_command(&["INFO", "server"])
                    .ok()
                    .and_then(|r| r.as_text())
                    .unwrap_or_default();
                if info.lines().any(|l| l.trim() == ours) {
                    return Ok(server);
                }
                return Err(format!(
                    "port {port} answered for another redis-server; trying another port"
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "redis-server on port {port} did not answer PING within 15 s:\n{}",
                    tail(&log)
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `redis://[:password@]127.0.0.1:PORT/0`.
    pub fn url(&self) -> String {
        match &self.password {
            Some(pw) => format!("redis://:{pw}@127.0.0.1:{}/0", self.port),
            None => format!("redis://127.0.0.1:{}/0", self.port),
        }
    }

    /// `rediss://127.0.0.1:TLS_PORT/0`, for a server from [`RedisServer::start_tls`].
    pub fn tls_url(&self) -> Option<String> {
        self.tls_port.map(|p| format!("rediss://127.0.0.1:{p}/0"))
    }

    /// The CA certificate (PEM) that signed the TLS certificate.
    pub fn ca_file(&self) -> std::path::PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// The directory the server runs in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs one command on a new connection (authenticating first when a password is set).
    /// Panics on I/O errors; a Redis error reply comes back as [`Resp::Error`].
    pub fn command(&self, args: &[&str]) -> Resp {
        self.try_command(args)
            .unwrap_or_else(|e| panic!("redis command {args:?} on port {}: {e}", self.port))
    }

    fn try_command(&self, args: &[&str]) -> std::io::Result<Resp> {
        let stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut writer = stream.try_clone()?;
        let mut reader = BufReader::new(stream);
        if let Some(pw) = &self.password {
            writer.write_all(&encode(&["AUTH", pw]))?;
            read_reply(&mut reader)?;
        }
        writer.write_all(&encode(args))?;
        read_reply(&mut reader)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        stop(&mut self.child, libc::SIGTERM, Duration::from_secs(5));
    }
}

/// Encodes a command as a RESP array of bulk strings.
pub fn encode(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn bad(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg)
}

/// Reads one RESP2 reply.
pub fn read_reply(reader: &mut impl BufRead) -> std::io::Result<Resp> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof));
    }
    let line = line.trim_end_matches(['\r', '\n']);
    let (kind, rest) = line.split_at(line.len().min(1));
    let number = |s: &str| {
        s.parse::<i64>()
            .map_err(|_| bad(format!("bad length in reply line {line:?}")))
    };
    match kind {
        "+" => Ok(Resp::Simple(rest.to_owned())),
        "-" => Ok(Resp::Error(rest.to_owned())),
        ":" => Ok(Resp::Integer(number(rest)?)),
        "$" => {
            let Ok(len) = usize::try_from(number(rest)?) else {
                return Ok(Resp::Nil);
            };
            let mut buf = vec![0; len + 2];
            reader.read_exact(&mut buf)?;
            buf.truncate(len);
            Ok(Resp::Bulk(buf))
        }
        "*" => {
            let Ok(len) = usize::try_from(number(rest)?) else {
                return Ok(Resp::Nil);
            };
            (0..len)
                .map(|_| read_reply(reader))
                .collect::<std::io::Result<Vec<_>>>()
                .map(Resp::Array)
        }
        _ => Err(bad(format!("unexpected reply line {line:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_commands() {
        assert_eq!(encode(&["GET", "k"]), b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    }

    #[test]
    fn reads_every_reply_kind() {
        let mut input: &[u8] = b"*5\r\n+OK\r\n-ERR no\r\n:42\r\n$3\r\nfoo\r\n$-1\r\n";
        assert_eq!(
            read_reply(&mut input).unwrap(),
            Resp::Array(vec![
                Resp::Simple("OK".into()),
                Resp::Error("ERR no".into()),
                Resp::Integer(42),
                Resp::Bulk(b"foo".to_vec()),
                Resp::Nil
            ])
        );
        let mut bad: &[u8] = b"?\r\n";
        assert!(read_reply(&mut bad).is_err());
    }
}
