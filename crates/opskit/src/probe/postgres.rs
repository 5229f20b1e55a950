//! A PostgreSQL probe: connect (TLS when the URL asks for it), authenticate (SCRAM-SHA-256,
//! the default since PostgreSQL 14 and Supabase's, or a cleartext password), run one query and
//! return its first value, timed. It speaks the frontend/backend protocol 3.0 itself: a probe
//! needs one simple query, not a client library.
//!
//! The password is never shown: errors name the user, host and database only.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::deadline::{Deadline, DeadlineStream};

use crate::encoding::percent_decode;

/// A `postgres://` URL, split.
#[derive(Clone, PartialEq, Eq)]
pub struct PgUrl {
    /// Host.
    pub host: String,
    /// Port (5432).
    pub port: u16,
    /// User (`postgres`).
    pub user: String,
    /// Password.
    pub password: Option<String>,
    /// Database (the user's name by default).
    pub database: String,
    /// `sslmode`: disable, prefer, require, verify-ca, verify-full (prefer by default, as libpq).
    pub sslmode: String,
}

impl std::fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for PgUrl {
    /// The URL with the password hidden.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "postgres://{}@{}:{}/{}",
            self.user, self.host, self.port, self.database
        )
    }
}

impl std::str::FromStr for PgUrl {
    type Err = String;

    fn from_str(url: &str) -> Result<PgUrl, String> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or("a PostgreSQL URL starts with postgres:// or postgresql://")?;
        let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, database) = main.split_once('/').unwrap_or((main, ""));
        let (userinfo, hostport) = authority.rsplit_once('@').unwrap_or(("", authority));
        let (user, password) = match userinfo.split_once(':') {
            Some((u, p)) => (percent_decode(u, false), Some(percent_decode(p, false))),
            None => (percent_decode(userinfo, false), None),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => (
                h.trim_matches(['[', ']']).to_owned(),
                p.parse().map_err(|_| format!("`{p}` is not a port"))?,
            ),
            _ => (hostport.trim_matches(['[', ']']).to_owned(), 5432),
        };
        if host.is_empty() {
            return Err("the URL has no host".to_owned());
        }
        let user = if user.is_empty() {
            "postgres".to_owned()
        } else {
            user
        };
        let sslmode = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("sslmode="))
            .unwrap_or("prefer")
            .to_owned();
        if ![
            "disable",
            "allow",
            "prefer",
            "require",
            "verify-ca",
            "verify-full",
        ]
        .contains(&sslmode.as_str())
        {
            return Err(format!(
                "sslmode={sslmode} is not one of disable, prefer, require, verify-ca, verify-full"
            ));
        }
        let database = if database.is_empty() {
            user.clone()
        } else {
            percent_decode(database, false)
        };
        if let Some(password) = &password {
            crate::redact::secrets().register(password);
        }
        Ok(PgUrl {
            host,
            port,
            user,
            password,
            database,
            sslmode,
        })
    }
}

/// Why the client could not do what it was asked: the text to show (no password in it) and
/// what kind of failure it is, so callers branch on the kind and the SQLSTATE, not on words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PgError {
    /// What kind of failure.
    pub kind: PgErrorKind,
    /// The server's SQLSTATE (`28P01`), when the server sent an error.
    pub sqlstate: Option<String>,
    /// What went wrong, for people.
    pub message: String,
}

/// The kinds of [`PgError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgErrorKind {
    /// The name does not resolve, the connection was refused or lost, or the server cannot
    /// take connections now (SQLSTATE classes 08 and 57P0x).
    Unreachable,
    /// The server did not answer in time.
    Timeout,
    /// TLS could not be set up, or `sslmode` requires it and the server does not offer it.
    Tls,
    /// The server refused the login (SQLSTATE class 28), or asks for a password the URL lacks.
    Authentication,
    /// The server asks for an authentication opskit does not speak (md5, another mechanism).
    Unsupported,
    /// What the server sent is not PostgreSQL's protocol, or it failed SCRAM's proof.
    Protocol,
    /// The server refused a statement or the startup (the SQLSTATE says why).
    Server,
    /// Something on this machine failed (no random source for the SCRAM nonce).
    Local,
}

impl PgError {
    fn new(kind: PgErrorKind, message: impl Into<String>) -> PgError {
        PgError {
            kind,
            sqlstate: None,
            message: message.into(),
        }
    }

    /// The same error, its message prefixed (`user@host/db: `).
    fn context(mut self, prefix: &str) -> PgError {
        self.message = format!("{prefix}{}", self.message);
        self
    }

    /// Authentication failed or cannot be done: the login is what to fix.
    pub fn is_authentication(&self) -> bool {
        matches!(
            self.kind,
            PgErrorKind::Authentication | PgErrorKind::Unsupported
        )
    }
}

fn io_error(e: &std::io::Error) -> PgError {
    let kind = match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => PgErrorKind::Timeout,
        _ => PgErrorKind::Unreachable,
    };
    PgError::new(kind, io_reason(e))
}

fn protocol(message: impl Into<String>) -> PgError {
    PgError::new(PgErrorKind::Protocol, message)
}

/// What the probe measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgAnswer {
    /// The first column of the first row, as text (`None` for SQL NULL or no row).
    pub value: Option<String>,
    /// `server_version` as the server reported it.
    pub server_version: Option<String>,
    /// Connect and TLS.
    pub connect: Duration,
    /// Authentication and startup.
    pub startup: Duration,
    /// The query.
    pub query: Duration,
    /// The connection was encrypted.
    pub tls: bool,
}

/// A connection, plain or TLS, that can reach its socket (for its deadline).
trait Stream: Read + Write + Send {
    fn socket(&mut self) -> &mut DeadlineStream;
}

impl Stream for DeadlineStream {
    fn socket(&mut self) -> &mut DeadlineStream {
        self
    }
}

impl Stream for rustls::StreamOwned<rustls::ClientConnection, DeadlineStream> {
    fn socket(&mut self) -> &mut DeadlineStream {
        &mut self.sock
    }
}

/// "No deadline" for a query that may run long on purpose (counting a big table): a year.
const UNBOUNDED: Duration = Duration::from_hours(365 * 24);

/// HMAC-SHA-256 (RFC 2104).
fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::Mac as _;
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// PBKDF2-HMAC-SHA-256 (RFC 8018), 32 bytes: SCRAM's `Hi()`.
fn pbkdf2(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    pbkdf2::pbkdf2_hmac_array::<sha2::Sha256, 32>(password, salt, iterations)
}

fn random_nonce() -> Result<String, PgError> {
    let mut bytes = [0u8; 18];
    crate::random::fill(&mut bytes).map_err(|e| {
        PgError::new(
            PgErrorKind::Local,
            format!("no random generator for the SCRAM nonce: {e}"),
        )
    })?;
    Ok(crate::encoding::encode_base64(&bytes))
}

fn message(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut m = vec![kind];
    m.extend_from_slice(
        &u32::try_from(payload.len() + 4)
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    m.extend_from_slice(payload);
    m
}

/// Reads one backend message: (type, payload), at most 1 MiB.
fn read_message(s: &mut dyn Stream) -> Result<(u8, Vec<u8>), PgError> {
    let mut head = [0u8; 5];
    s.read_exact(&mut head).map_err(|e| io_error(&e))?;
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if !(4..=1 << 20).contains(&len) {
        return Err(protocol(format!(
            "a message of {len} bytes: not PostgreSQL's protocol"
        )));
    }
    let mut payload = vec![0u8; len - 4];
    s.read_exact(&mut payload).map_err(|e| io_error(&e))?;
    Ok((head[0], payload))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            "the server did not answer in time".to_owned()
        }
        std::io::ErrorKind::UnexpectedEof => "the server closed the connection".to_owned(),
        _ => e.to_string(),
    }
}

/// An `ErrorResponse` as an error: `FATAL [28P01] password authentication failed for user
/// "x"`, of the kind its SQLSTATE says.
fn server_error(payload: &[u8]) -> PgError {
    let (mut severity, mut code, mut text) = (String::new(), String::new(), String::new());
    for field in payload.split(|b| *b == 0) {
        let Some((&kind, value)) = field.split_first() else {
            continue;
        };
        let value = String::from_utf8_lossy(value).into_owned();
        match kind {
            b'V' => severity = value,
            b'S' if severity.is_empty() => severity = value,
            b'C' => code = value,
            b'M' => text = value,
            _ => {}
        }
    }
    let kind = if code.starts_with("28") {
        PgErrorKind::Authentication
    } else if code.starts_with("08") || code.starts_with("57P0") {
        PgErrorKind::Unreachable
    } else {
        PgErrorKind::Server
    };
    PgError {
        kind,
        message: format!("{severity} [{code}] {text}"),
        sqlstate: (!code.is_empty()).then_some(code),
    }
}

/// Connects, authenticates, runs `sql` (a single statement) and returns the first value, all
/// within `timeout`.
pub fn probe(url: &PgUrl, sql: &str, timeout: Duration) -> Result<PgAnswer, PgError> {
    let t = Instant::now();
    let (stream, tls) = open(url, Deadline::after(timeout))?;
    let connect = t.elapsed();
    let t = Instant::now();
    let mut session = Session::start(stream, url, "opskit-health-probe", None)?;
    let startup_time = t.elapsed();
    let t = Instant::now();
    let value = session
        .query(sql)?
        .into_iter()
        .next()
        .and_then(|row| row.into_iter().next())
        .flatten();
    Ok(PgAnswer {
        value,
        server_version: session.server_version.clone(),
        connect,
        startup: startup_time,
        query: t.elapsed(),
        tls,
    })
}

/// One row of a result: each column as text, `None` for SQL NULL.
pub type Row = Vec<Option<String>>;

/// An open, authenticated connection that runs simple queries one after another (several
/// queries in one transaction, for example). Closed with a Terminate message on drop.
pub struct Session {
    stream: Box<dyn Stream>,
    who: String,
    /// Each query's own deadline; `None` keeps the one in force (a probe's whole deadline).
    timeout: Option<Duration>,
    /// `server_version` as the server reported it at startup.
    pub server_version: Option<String>,
    /// The connection is encrypted.
    pub tls: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("who", &self.who)
            .field("server_version", &self.server_version)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Connects (TLS as `sslmode` says) and authenticates, all within `timeout`; each query
    /// after it gets a deadline of `timeout` of its own (see [`Session::set_timeout`]).
    /// `application_name` shows in `pg_stat_activity`.
    pub fn connect(
        url: &PgUrl,
        timeout: Duration,
        application_name: &str,
    ) -> Result<Session, PgError> {
        let (stream, tls) = open(url, Deadline::after(timeout))?;
        let mut session = Session::start(stream, url, application_name, Some(timeout))?;
        session.tls = tls;
        Ok(session)
    }

    fn start(
        mut stream: Box<dyn Stream>,
        url: &PgUrl,
        application_name: &str,
        timeout: Option<Duration>,
    ) -> Result<Session, PgError> {
        let server_version = startup(&mut *stream, url, application_name)?;
        Ok(Session {
            stream,
            who: format!("{}@{}/{}", url.user, url.host, url.database),
            timeout,
            server_version,
            tls: false,
        })
    }

    /// Runs `sql` (one statement, or several separated by `;`) with the simple query protocol
    /// and returns every row of every result, as text. A server error is returned after the
    /// server is ready again, so the session stays usable (outside a failed transaction).
    pub fn query(&mut self, sql: &str) -> Result<Vec<Row>, PgError> {
        if let Some(timeout) = self.timeout {
            self.stream.socket().set_deadline(Deadline::after(timeout));
        }
        let mut q = sql.as_bytes().to_vec();
        q.push(0);
        self.stream
            .write_all(&message(b'Q', &q))
            .map_err(|e| io_error(&e))?;
        let mut rows = Vec::new();
        let mut error = None;
        loop {
            let (kind, payload) = read_message(&mut *self.stream)?;
            match kind {
                b'D' => rows.push(data_row(&payload)),
                b'E' => error = Some(server_error(&payload)),
                b'Z' => break,
                _ => {}
            }
        }
        match error {
            Some(e) => Err(e.context(&format!("{}: the query failed: ", self.who))),
            None => Ok(rows),
        }
    }

    /// Changes each query's deadline; `None` lets queries run as long as they take (counting
    /// a big table, a restore).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = Some(timeout.unwrap_or(UNBOUNDED));
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.stream.write_all(&message(b'X', &[]));
    }
}

/// A `DataRow` message's columns.
fn data_row(payload: &[u8]) -> Row {
    let columns = payload
        .get(..2)
        .map_or(0, |c| u16::from_be_bytes([c[0], c[1]]));
    let mut at = 2usize;
    let mut row = Vec::with_capacity(usize::from(columns));
    for _ in 0..columns {
        let len = payload
            .get(at..at + 4)
            .map_or(-1, |l| i32::from_be_bytes([l[0], l[1], l[2], l[3]]));
        at += 4;
        match usize::try_from(len) {
            Ok(len) => {
                row.push(
                    payload
                        .get(at..at + len)
                        .map(|v| String::from_utf8_lossy(v).into_owned()),
                );
                at += len;
            }
            Err(_) => row.push(None),
        }
    }
    row
}

/// TCP, then TLS when the server offers it and `sslmode` wants it.
fn open(url: &PgUrl, deadline: Deadline) -> Result<(Box<dyn Stream>, bool), PgError> {
    let tls_error = |m: String| PgError::new(PgErrorKind::Tls, m);
    let addrs = deadline
        .resolve(&url.host, url.port)
        .map_err(|e| io_error(&e).context(&format!("cannot resolve {}: ", url.host)))?;
    let addr = addrs
        .first()
        .map_or_else(|| url.host.clone(), ToString::to_string);
    let tcp = deadline
        .connect(&addrs)
        .map_err(|e| io_error(&e).context(&format!("cannot connect to {addr}: ")))?;
    let tcp = DeadlineStream::new(tcp, deadline);
    let mut tls = false;
    let stream: Box<dyn Stream> = if url.sslmode == "disable" {
        Box::new(tcp)
    } else {
        let mut tcp = tcp;
        let mut request = 8u32.to_be_bytes().to_vec();
        request.extend_from_slice(&80_877_103u32.to_be_bytes());
        tcp.write_all(&request).map_err(|e| io_error(&e))?;
        let mut answer = [0u8; 1];
        tcp.read_exact(&mut answer).map_err(|e| io_error(&e))?;
        match answer[0] {
            b'S' => {
                let config =
                    crate::tls::client_config(None).map_err(|e| tls_error(e.to_string()))?;
                let name = rustls::pki_types::ServerName::try_from(url.host.clone())
                    .map_err(|e| tls_error(e.to_string()))?;
                let conn = rustls::ClientConnection::new(config, name)
                    .map_err(|e| tls_error(e.to_string()))?;
                let mut s = rustls::StreamOwned::new(conn, tcp);
                while s.conn.is_handshaking() {
                    s.conn
                        .complete_io(&mut s.sock)
                        .map_err(|e| tls_error(format!("TLS with {}: {e}", url.host)))?;
                }
                tls = true;
                Box::new(s)
            }
            _ if matches!(
                url.sslmode.as_str(),
                "require" | "verify-ca" | "verify-full"
            ) =>
            {
                return Err(tls_error(format!(
                    "sslmode={} but {} does not offer TLS",
                    url.sslmode, url.host
                )));
            }
            _ => Box::new(tcp),
        }
    };
    Ok((stream, tls))
}

/// The startup message and authentication, up to ReadyForQuery; the server's version.
#[expect(
    clippy::too_many_lines,
    reason = "one message loop: cleartext and SCRAM's three steps"
)]
fn startup(
    stream: &mut dyn Stream,
    url: &PgUrl,
    application_name: &str,
) -> Result<Option<String>, PgError> {
    let mut startup = Vec::new();
    startup.extend_from_slice(&196_608u32.to_be_bytes());
    for (k, v) in [
        ("user", url.user.as_str()),
        ("database", url.database.as_str()),
        ("application_name", application_name),
    ] {
        startup.extend_from_slice(k.as_bytes());
        startup.push(0);
        startup.extend_from_slice(v.as_bytes());
        startup.push(0);
    }
    startup.push(0);
    let mut framed = u32::try_from(startup.len() + 4)
        .unwrap_or(u32::MAX)
        .to_be_bytes()
        .to_vec();
    framed.extend_from_slice(&startup);
    stream.write_all(&framed).map_err(|e| io_error(&e))?;
    let who = format!("{}@{}/{}", url.user, url.host, url.database);
    let password = || {
        url.password.clone().ok_or_else(|| {
            PgError::new(
                PgErrorKind::Authentication,
                format!("{who}: the server asks for a password and the URL has none"),
            )
        })
    };
    let mut server_version = None;
    let mut scram: Option<(String, String)> = None; // (client-first-bare, nonce)
    let mut expected_signature: Option<[u8; 32]> = None;
    loop {
        let (kind, payload) = read_message(&mut *stream)?;
        match kind {
            b'R' => {
                let code = payload
                    .get(..4)
                    .map_or(u32::MAX, |c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]));
                let rest = payload.get(4..).unwrap_or_default();
                match code {
                    0 => {}
                    3 => {
                        let mut p = password()?.into_bytes();
                        p.push(0);
                        stream
                            .write_all(&message(b'p', &p))
                            .map_err(|e| io_error(&e))?;
                    }
                    5 => {
                        return Err(PgError::new(
                            PgErrorKind::Unsupported,
                            format!(
                                "{who}: the server wants md5 passwords; opskit speaks scram-sha-256 (PostgreSQL's default since 14): set password_encryption = scram-sha-256 and reset the password"
                            ),
                        ));
                    }
                    10 => {
                        let mechanisms = String::from_utf8_lossy(rest);
                        if !mechanisms.split('\0').any(|m| m == "SCRAM-SHA-256") {
                            return Err(PgError::new(
                                PgErrorKind::Unsupported,
                                format!(
                                    "{who}: the server offers {mechanisms:?}, not SCRAM-SHA-256"
                                ),
                            ));
                        }
                        let nonce = random_nonce()?;
                        let bare = format!("n=,r={nonce}");
                        let first = format!("n,,{bare}");
                        let mut p = b"SCRAM-SHA-256\0".to_vec();
                        p.extend_from_slice(&u32::try_from(first.len()).unwrap_or(0).to_be_bytes());
                        p.extend_from_slice(first.as_bytes());
                        stream
                            .write_all(&message(b'p', &p))
                            .map_err(|e| io_error(&e))?;
                        scram = Some((bare, nonce));
                    }
                    11 => {
                        let (bare, nonce) = scram
                            .clone()
                            .ok_or_else(|| protocol("SASL continue without a start"))?;
                        let server_first = String::from_utf8_lossy(rest).into_owned();
                        let field = |k: &str| {
                            server_first
                                .split(',')
                                .find_map(|f| f.strip_prefix(k))
                                .map(str::to_owned)
                        };
                        let server_nonce = field("r=")
                            .filter(|r| r.starts_with(&nonce))
                            .ok_or_else(|| {
                                protocol("the server's SCRAM nonce does not extend ours")
                            })?;
                        let salt = field("s=")
                            .and_then(|s| crate::encoding::decode_base64(&s))
                            .ok_or_else(|| protocol("no SCRAM salt"))?;
                        let iterations: u32 = field("i=")
                            .and_then(|i| i.parse().ok())
                            .filter(|i| (1..=10_000_000).contains(i))
                            .ok_or_else(|| protocol("no SCRAM iteration count"))?;
                        let salted = pbkdf2(password()?.as_bytes(), &salt, iterations);
                        let client_key = hmac(&salted, b"Client Key");
                        let stored_key: [u8; 32] =
                            <sha2::Sha256 as sha2::Digest>::digest(client_key).into();
                        let without_proof = format!("c=biws,r={server_nonce}");
                        let auth_message = format!("{bare},{server_first},{without_proof}");
                        let signature = hmac(&stored_key, auth_message.as_bytes());
                        let proof: Vec<u8> = client_key
                            .iter()
                            .zip(signature)
                            .map(|(a, b)| a ^ b)
                            .collect();
                        let server_key = hmac(&salted, b"Server Key");
                        expected_signature = Some(hmac(&server_key, auth_message.as_bytes()));
                        let last = format!(
                            "{without_proof},p={}",
                            crate::encoding::encode_base64(&proof)
                        );
                        stream
                            .write_all(&message(b'p', last.as_bytes()))
                            .map_err(|e| io_error(&e))?;
                    }
                    12 => {
                        let text = String::from_utf8_lossy(rest);
                        let got = text
                            .strip_prefix("v=")
                            .and_then(crate::encoding::decode_base64);
                        if got.as_deref() != expected_signature.as_ref().map(<[u8; 32]>::as_slice) {
                            return Err(protocol(format!(
                                "{who}: the server's SCRAM signature is wrong: not the server we asked"
                            )));
                        }
                    }
                    other => {
                        return Err(PgError::new(
                            PgErrorKind::Unsupported,
                            format!("{who}: authentication method {other} is not supported"),
                        ));
                    }
                }
            }
            b'S' => {
                let mut parts = payload.split(|b| *b == 0);
                if parts.next() == Some(b"server_version") {
                    server_version = parts
                        .next()
                        .map(|v| String::from_utf8_lossy(v).into_owned());
                }
            }
            b'E' => return Err(server_error(&payload).context(&format!("{who}: "))),
            b'Z' => break,
            _ => {}
        }
    }
    Ok(server_version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u: PgUrl = "postgresql://app:p%40ss@db.example.com:6543/main?sslmode=require"
            .parse()
            .unwrap();
        assert_eq!(
            (
                u.user.as_str(),
                u.password.as_deref(),
                u.host.as_str(),
                u.port,
                u.database.as_str(),
                u.sslmode.as_str()
            ),
            (
                "app",
                Some("p@ss"),
                "db.example.com",
                6543,
                "main",
                "require"
            )
        );
        assert_eq!(u.to_string(), "postgres://app@db.example.com:6543/main");
        let u: PgUrl = "postgres://localhost".parse().unwrap();
        assert_eq!(
            (
                u.user.as_str(),
                u.port,
                u.database.as_str(),
                u.sslmode.as_str()
            ),
            ("postgres", 5432, "postgres", "prefer")
        );
        assert!("mysql://x".parse::<PgUrl>().is_err());
        assert!("postgres://x?sslmode=sometimes".parse::<PgUrl>().is_err());
    }

    #[test]
    fn server_errors_are_classified_by_their_sqlstate() {
        let error = |code: &str| {
            let payload = format!("SFATAL\0VFATAL\0C{code}\0Mit failed\0\0");
            server_error(payload.as_bytes())
        };
        let e = error("28P01");
        assert_eq!(
            (e.kind, e.sqlstate.as_deref(), e.message.as_str()),
            (
                PgErrorKind::Authentication,
                Some("28P01"),
                "FATAL [28P01] it failed"
            )
        );
        assert!(e.is_authentication());
        assert_eq!(error("28000").kind, PgErrorKind::Authentication);
        assert_eq!(error("08006").kind, PgErrorKind::Unreachable);
        assert_eq!(error("57P03").kind, PgErrorKind::Unreachable);
        assert_eq!(error("42P01").kind, PgErrorKind::Server);
        assert!(!error("3D000").is_authentication());
        let closed = io_error(&std::io::Error::from(std::io::ErrorKind::UnexpectedEof));
        assert_eq!(
            (closed.kind, closed.to_string().as_str()),
            (PgErrorKind::Unreachable, "the server closed the connection")
        );
        let slow = io_error(&std::io::Error::from(std::io::ErrorKind::WouldBlock));
        assert_eq!(slow.kind, PgErrorKind::Timeout);
    }

    #[test]
    fn hmac_and_pbkdf2_known_answers() {
        // RFC 4231 test case 2.
        let mac = hmac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            crate::redact::hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // RFC 7914 section 11 (PBKDF2-HMAC-SHA256, first 32 bytes).
        let dk = pbkdf2(b"passwd", b"salt", 1);
        assert_eq!(
            crate::redact::hex(&dk),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }
}
