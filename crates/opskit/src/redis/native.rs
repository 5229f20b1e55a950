//! The native Redis protocol over TCP or TLS.

use std::fmt;
use std::io::{BufReader, Read, Write};
use std::str::FromStr;
use std::time::Instant;

use crate::deadline::{Deadline, DeadlineStream, is_timeout};

use super::resp::{ReadError, Reader, encode};
use super::{Backend, Command, Limits, RedisError, Value};

/// A parsed `redis://` or `rediss://` URL.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisUrl {
    /// TLS (`rediss://`).
    pub tls: bool,
    /// The host name or address.
    pub host: String,
    /// The port (default 6379).
    pub port: u16,
    /// The ACL user, if any.
    pub username: Option<String>,
    /// The password, if any.
    pub password: Option<String>,
    /// The database index (default 0).
    pub db: u32,
    /// For `rediss://`: a PEM file of CA certificates to trust instead of the public roots
    /// (a self-hosted Redis with a private CA). Not part of the URL.
    pub ca_file: Option<std::path::PathBuf>,
}

impl fmt::Display for RedisUrl {
    /// The URL with the password hidden.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "rediss" } else { "redis" };
        write!(f, "{scheme}://")?;
        match (&self.username, &self.password) {
            (Some(u), Some(_)) => write!(f, "{u}:***@")?,
            (None, Some(_)) => write!(f, ":***@")?,
            (Some(u), None) => write!(f, "{u}@")?,
            (None, None) => {}
        }
        write!(f, "{}:{}/{}", self.host, self.port, self.db)
    }
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or("a `%` escape is cut short")?;
            out.push(
                u8::from_str_radix(hex, 16)
                    .map_err(|_| format!("`%{hex}` is not a valid escape"))?,
            );
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "an escape does not decode to UTF-8".to_owned())
}

impl FromStr for RedisUrl {
    type Err = RedisError;

    fn from_str(input: &str) -> Result<RedisUrl, RedisError> {
        let bad = |reason: &str| RedisError::BadUrl {
            url: crate::redact::url(input),
            reason: reason.to_owned(),
        };
        let (tls, rest) = if let Some(r) = input.strip_prefix("rediss://") {
            (true, r)
        } else if let Some(r) = input.strip_prefix("redis://") {
            (false, r)
        } else {
            return Err(bad(
                "it must start with redis:// or rediss:// (for Upstash REST, set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN)",
            ));
        };
        let rest = rest.split(['?', '#']).next().unwrap_or_default();
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (username, password) = match userinfo {
            None => (None, None),
            Some(u) => {
                let (user, pass) = match u.split_once(':') {
                    Some((user, pass)) => (user, Some(pass)),
                    None => (u, None),
                };
                let user = percent_decode(user).map_err(|e| bad(&e))?;
                let pass = pass.map(percent_decode).transpose().map_err(|e| bad(&e))?;
                match (user.is_empty(), pass) {
                    // `redis://:pw@` and `redis://default:pw@` are both the default user.
                    (true, p) => (None, p.filter(|p| !p.is_empty())),
                    // `redis://pw@host` (no colon): redis-cli and most clients read it as a password.
                    (false, None) => (None, Some(user)),
                    (false, Some(p)) => (Some(user), Some(p)),
                }
            }
        };
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, p) = v6
                .split_once(']')
                .ok_or_else(|| bad("an IPv6 address is missing its `]`"))?;
            (h.to_owned(), p.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_owned(), Some(p)),
                None => (hostport.to_owned(), None),
            }
        };
        if host.is_empty() {
            return Err(bad("the host is missing"));
        }
        let port = match port {
            None | Some("") => 6379,
            Some(p) => p
                .parse()
                .map_err(|_| bad(&format!("`{p}` is not a port")))?,
        };
        let db = match path.trim_matches('/') {
            "" => 0,
            d => d
                .parse()
                .map_err(|_| bad(&format!("`{d}` is not a database index")))?,
        };
        if let Some(password) = &password {
            crate::redact::secrets().register(password);
        }
        Ok(RedisUrl {
            tls,
            host,
            port,
            username,
            password,
            db,
            ca_file: None,
        })
    }
}

trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// A connection speaking RESP2, optionally over TLS.
pub struct NativeRedis {
    url: RedisUrl,
    stream: BufReader<Box<dyn Stream>>,
    limits: Limits,
    round_trips: u64,
}

impl fmt::Debug for NativeRedis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeRedis")
            .field("url", &self.url)
            .field("round_trips", &self.round_trips)
            .finish_non_exhaustive()
    }
}

impl NativeRedis {
    /// Connects, then authenticates and selects the database when the URL says so. The whole
    /// session, from the first DNS lookup to the last reply, runs under one deadline of
    /// `limits.timeout` (connecting under `limits.connect_timeout`), enforced on every read and
    /// write: a server that drips its replies cannot hold the caller past it.
    pub fn connect(url: &RedisUrl, limits: &Limits) -> Result<NativeRedis, RedisError> {
        let target = url.to_string();
        let connect_err = |reason: String| RedisError::Connect {
            target: target.clone(),
            reason,
        };
        let deadline = Deadline::new(limits.timeout, limits.connect_timeout);
        let timed_out = || RedisError::Timeout {
            target: target.clone(),
            timeout: limits.connect_timeout,
        };
        let addrs = deadline.resolve(&url.host, url.port).map_err(|e| {
            if is_timeout(&e) {
                timed_out()
            } else {
                connect_err(format!("cannot resolve {}: {e}", url.host))
            }
        })?;
        let tcp = deadline.connect(&addrs).map_err(|e| {
            if is_timeout(&e) {
                timed_out()
            } else {
                connect_err(e.to_string())
            }
        })?;
        let tcp = DeadlineStream::new(tcp, deadline);
        let stream: Box<dyn Stream> = if url.tls {
            let name = rustls::pki_types::ServerName::try_from(url.host.clone()).map_err(|_| {
                connect_err(format!("`{}` is not a valid TLS server name", url.host))
            })?;
            let config = crate::tls::client_config(url.ca_file.as_deref())
                .map_err(|e| connect_err(e.to_string()))?;
            let conn = rustls::ClientConnection::new(config, name)
                .map_err(|e| connect_err(e.to_string()))?;
            let mut stream = rustls::StreamOwned::new(conn, tcp);
            // Finish the handshake now, so a refused certificate is a connection error that
            // says so rather than a failure of the first batch.
            while stream.conn.is_handshaking() {
                if let Err(e) = stream.conn.complete_io(&mut stream.sock) {
                    if is_timeout(&e) {
                        return Err(RedisError::Timeout {
                            target,
                            timeout: limits.timeout,
                        });
                    }
                    return Err(connect_err(format!("TLS handshake failed: {e}")));
                }
            }
            Box::new(stream)
        } else {
            Box::new(tcp)
        };
        let mut redis = NativeRedis {
            url: url.clone(),
            stream: BufReader::new(stream),
            limits: *limits,
            round_trips: 0,
        };
        let mut setup = Vec::new();
        if let Some(password) = &url.password {
            let mut auth = vec!["AUTH".to_owned()];
            auth.extend(url.username.clone());
            auth.push(password.clone());
            setup.push(auth);
        }
        if url.db != 0 {
            setup.push(vec!["SELECT".to_owned(), url.db.to_string()]);
        }
        if !setup.is_empty() {
            let replies = redis.pipeline(&setup)?;
            for reply in replies {
                if let Value::Error(message) = reply {
                    return Err(RedisError::Auth {
                        target: url.to_string(),
                        reason: message,
                    });
                }
            }
        }
        Ok(redis)
    }

    fn fail(&self, e: ReadError, started: Instant) -> RedisError {
        let target = self.url.to_string();
        match e {
            ReadError::Io(e) if is_timeout(&e) => RedisError::Timeout {
                target,
                timeout: self.limits.timeout,
            },
            ReadError::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => RedisError::Io {
                target,
                reason: format!(
                    "the server closed the connection after {} ms",
                    started.elapsed().as_millis()
                ),
            },
            ReadError::Io(e) => RedisError::Io {
                target,
                reason: e.to_string(),
            },
            ReadError::Malformed(reason) => RedisError::Protocol { target, reason },
            ReadError::TooLarge => RedisError::TooLarge {
                target,
                limit: self.limits.max_reply,
            },
        }
    }
}

impl Backend for NativeRedis {
    fn pipeline(&mut self, commands: &[Command]) -> Result<Vec<Value>, RedisError> {
        let started = Instant::now();
        let mut request = Vec::new();
        for c in commands {
            encode(&mut request, c);
        }
        self.round_trips += 1;
        let write = self
            .stream
            .get_mut()
            .write_all(&request)
            .and_then(|()| self.stream.get_mut().flush());
        if let Err(e) = write {
            return Err(self.fail(ReadError::Io(e), started));
        }
        // The session's deadline bounds every read (the stream re-arms the socket timeout with
        // what is left before each one), so a server trickling bytes cannot hold us past it.
        let mut replies = Vec::with_capacity(commands.len());
        let mut reader = Reader::new(&mut self.stream, self.limits.max_reply);
        for _ in commands {
            match reader.read() {
                Ok(v) => replies.push(v),
                Err(e) => return Err(self.fail(e, started)),
            }
        }
        Ok(replies)
    }

    fn round_trips(&self) -> u64 {
        self.round_trips
    }

    fn describe(&self) -> String {
        self.url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> RedisUrl {
        s.parse().unwrap()
    }

    #[test]
    fn parses_urls() {
        let u = url("redis://localhost");
        assert_eq!(
            (u.tls, u.host.as_str(), u.port, u.db, u.password.as_deref()),
            (false, "localhost", 6379, 0, None)
        );
        // opskit:allow-next-line (a made-up password)
        let u = url("rediss://default:p%40ss@eu1-fox.upstash.io:6380/2");
        assert_eq!((u.tls, u.port, u.db), (true, 6380, 2));
        assert_eq!(
            (u.username.as_deref(), u.password.as_deref()),
            (Some("default"), Some("p@ss"))
        );
        let u = url("redis://:secret@127.0.0.1:7000");
        assert_eq!((u.username, u.password.as_deref()), (None, Some("secret")));
        let u = url("redis://secret@host/");
        assert_eq!(u.password.as_deref(), Some("secret"));
        let u = url("redis://[::1]:6390/1?timeout=3");
        assert_eq!((u.host.as_str(), u.port, u.db), ("::1", 6390, 1));
    }

    #[test]
    fn display_hides_the_password() {
        assert_eq!(
            url("rediss://bob:hunter2@h:1/3").to_string(),
            "rediss://bob:***@h:1/3"
        );
        assert_eq!(
            url("redis://:hunter2@h").to_string(),
            "redis://:***@h:6379/0"
        );
        assert!(!format!("{:?}", url("redis://:hunter2@h")).contains("hunter2"));
    }

    #[test]
    fn rejects_bad_urls_without_leaking_the_password() {
        for bad in [
            "http://h",
            "redis://",
            "redis://h:port",
            "redis://h/x",
            "redis://u:p%zz@h",
            "redis://[::1",
        ] {
            assert!(bad.parse::<RedisUrl>().is_err(), "{bad}");
        }
        let err = "redis://u:topsecret@h:xx"
            .parse::<RedisUrl>()
            .unwrap_err()
            .to_string();
        assert!(!err.contains("topsecret"), "{err}");
    }
}
