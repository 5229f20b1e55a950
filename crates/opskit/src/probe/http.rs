//! An HTTP(S) probe that times each phase: DNS, connect, TLS, first byte, total.
//!
//! It speaks HTTP/1.1 over a plain `TcpStream` (or rustls over it) so every phase can be timed
//! on its own, which a general HTTP client does not expose. One request, no keep-alive;
//! redirects are followed up to a limit, each hop timed anew; the body is read up to a cap (the
//! response says whether it was cut). The server's certificate expiry is read from the
//! handshake.
//!
//! Hostile servers are expected:
//! - one [`Deadline`] covers the whole probe, redirects included, and bounds every read and
//!   write ([`DeadlineStream`]): a server that drips a byte a second is cut off at the deadline;
//! - the headers the caller gave (tokens, cookies) go only to the origin of the first URL and
//!   never after a redirect from https to http; only http and https redirects are followed;
//! - broken framing (a bad chunk size, a chunked body that stops before its last chunk, a
//!   Content-Length that is not a length or that the body never reaches) is an error, never a
//!   success.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::deadline::{Deadline, DeadlineStream, is_timeout};
use crate::redact::scrub;

/// What to request.
#[derive(Debug, Clone)]
pub struct Request {
    /// `http://` or `https://` URL.
    pub url: String,
    /// `GET`, `HEAD`, `POST`...
    pub method: String,
    /// Extra headers (values may be secrets: they never appear in errors).
    pub headers: Vec<(String, String)>,
    /// A request body.
    pub body: Option<String>,
    /// The whole probe, from the first DNS lookup to the last byte of the last redirect.
    pub timeout: Duration,
    /// Resolving and connecting, each hop (capped by what is left of `timeout`).
    pub connect_timeout: Duration,
    /// Most bytes of body kept.
    pub max_body: usize,
    /// Redirects followed (0: report the 3xx itself).
    pub max_redirects: u8,
    /// Trust only these CAs (PEM) instead of the Mozilla roots.
    pub ca_file: Option<PathBuf>,
}

impl Request {
    /// A GET within 5 s, a 1 MiB body cap and up to 5 redirects.
    pub fn get(url: impl Into<String>) -> Request {
        Request {
            url: url.into(),
            method: "GET".to_owned(),
            headers: Vec::new(),
            body: None,
            timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            max_body: 1 << 20,
            max_redirects: 5,
            ca_file: None,
        }
    }
}

/// How long each phase took (of the last hop; `total` covers every hop).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timing {
    /// Name resolution.
    pub dns: Duration,
    /// TCP connect.
    pub connect: Duration,
    /// TLS handshake (`None` for http).
    pub tls: Option<Duration>,
    /// From the request written to the first byte of the response.
    pub first_byte: Duration,
    /// Everything, redirects included.
    pub total: Duration,
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body, at most `max_body` bytes.
    pub body: Vec<u8>,
    /// The body was longer than `max_body`.
    pub truncated: bool,
    /// Phase timings.
    pub timing: Timing,
    /// The URLs redirected through, in order.
    pub redirects: Vec<String>,
    /// The server certificate's notAfter, seconds since the Unix epoch (https only).
    pub cert_not_after: Option<i64>,
    /// The URL that answered.
    pub final_url: String,
    /// The caller's headers were not sent to the URL that answered (another origin, or http
    /// after https).
    pub headers_withheld: bool,
}

impl Response {
    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a probe failed, by phase.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProbeError {
    /// The URL is not one we can request.
    #[error("{0}")]
    Url(String),
    /// Name resolution failed.
    #[error("cannot resolve {host}: {reason}")]
    Dns {
        /// The host.
        host: String,
        /// Why.
        reason: String,
    },
    /// TCP connect failed.
    #[error("cannot connect to {addr}: {reason}")]
    Connect {
        /// The address.
        addr: String,
        /// Why.
        reason: String,
    },
    /// The TLS handshake failed (certificate, host name, protocol).
    #[error("TLS with {host} failed: {reason}")]
    Tls {
        /// The host.
        host: String,
        /// Why.
        reason: String,
    },
    /// The deadline passed during a phase.
    #[error("no answer within {seconds:.1} s (stopped during {phase})")]
    Timeout {
        /// `connect`, `TLS handshake`, `first byte`, `headers`, `body`.
        phase: &'static str,
        /// The limit.
        seconds: f64,
    },
    /// The server's answer is not HTTP/1.x.
    #[error("not an HTTP response: {0}")]
    Protocol(String),
    /// The answer is HTTP but its body's framing is broken.
    #[error("broken HTTP framing: {0}")]
    Framing(String),
    /// More redirects than allowed.
    #[error("more than {0} redirects")]
    TooManyRedirects(u8),
    /// A redirect to a scheme that is not http or https.
    #[error("redirected to a `{scheme}:` URL, which is not followed (only http and https are)")]
    RedirectScheme {
        /// The scheme of the `Location`.
        scheme: String,
    },
}

/// A parsed URL.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    tls: bool,
    host: String,
    port: u16,
    path: String,
}

fn parse_url(url: &str) -> Result<Target, ProbeError> {
    let bad = |why: &str| ProbeError::Url(format!("{}: {why}", scrub_url(url)));
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err(bad("only http:// and https:// URLs can be probed"));
    };
    let (authority, path) = rest
        .find(['/', '?'])
        .map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    if authority.contains('@') {
        return Err(bad(
            "put credentials in a header (Authorization: ${TOKEN}), not in the URL",
        ));
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| bad("unclosed [ in the host"))?;
        (h.to_owned(), after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (authority.to_owned(), None),
        }
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let port = match port {
        Some(p) => p
            .parse()
            .map_err(|_| bad("the port is not a number from 1 to 65535"))?,
        None if tls => 443,
        None => 80,
    };
    Ok(Target {
        tls,
        host,
        port,
        path,
    })
}

/// The URL without its query and its user information (tokens travel in both).
fn scrub_url(url: &str) -> String {
    crate::redact::url_shown(url, crate::redact::UrlView::Elided)
}

trait Stream: Read + Write {}
impl<T: Read + Write> Stream for T {}

fn timeout(phase: &'static str, deadline: &Deadline) -> ProbeError {
    ProbeError::Timeout {
        phase,
        seconds: deadline.total().as_secs_f64(),
    }
}

impl Target {
    /// Scheme, host and port: where the caller's headers may go.
    fn origin(&self) -> (bool, &str, u16) {
        (self.tls, &self.host, self.port)
    }
}

/// The scheme of an absolute URL (`file` of `file:///etc/passwd`), lower-cased.
fn scheme_of(url: &str) -> Option<String> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    (chars.next()?.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then(|| scheme.to_ascii_lowercase())
}

/// Sends the request and reads the response, following redirects, all within
/// `request.timeout`.
pub fn probe(request: &Request) -> Result<Response, ProbeError> {
    let deadline = Deadline::new(request.timeout, request.connect_timeout);
    let first = parse_url(&request.url)?;
    let mut url = request.url.clone();
    let mut redirects = Vec::new();
    // Once a redirect has gone from https to http, the caller's headers are never sent again.
    let mut downgraded = false;
    let mut was_tls = first.tls;
    loop {
        let target = parse_url(&url)?;
        downgraded |= was_tls && !target.tls;
        was_tls = target.tls;
        let trusted = !downgraded && target.origin() == first.origin();
        let mut response = once(request, &target, trusted, &deadline)?;
        let location = response.header("location").map(str::to_owned);
        let redirect = (300..400).contains(&response.status) && response.status != 304;
        match location {
            Some(next) if redirect && request.max_redirects > 0 => {
                if let Some(scheme) = scheme_of(&next)
                    && scheme != "http"
                    && scheme != "https"
                {
                    return Err(ProbeError::RedirectScheme { scheme });
                }
                if redirects.len() >= usize::from(request.max_redirects) {
                    return Err(ProbeError::TooManyRedirects(request.max_redirects));
                }
                redirects.push(scrub_url(&url));
                url = resolve_location(&url, &next);
            }
            _ => {
                response.timing.total = deadline.started().elapsed();
                response.redirects = redirects;
                response.final_url = scrub_url(&url);
                response.headers_withheld = !trusted && !request.headers.is_empty();
                return Ok(response);
            }
        }
    }
}

/// A `Location` made absolute against the URL it came from.
fn resolve_location(base: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_owned();
    }
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    if location.starts_with('/') {
        format!("{}{location}", &base[..authority_end])
    } else {
        let dir_end = base
            .rfind('/')
            .filter(|i| *i >= authority_end)
            .map_or(base.len(), |i| i + 1);
        let prefix = &base[..dir_end];
        if prefix.ends_with('/') {
            format!("{prefix}{location}")
        } else {
            format!("{prefix}/{location}")
        }
    }
}

/// One request to `target`; the caller's headers are sent only when `trusted`.
fn once(
    request: &Request,
    target: &Target,
    trusted: bool,
    deadline: &Deadline,
) -> Result<Response, ProbeError> {
    let mut timing = Timing::default();

    let t = Instant::now();
    let addrs: Vec<SocketAddr> = deadline.resolve(&target.host, target.port).map_err(|e| {
        if is_timeout(&e) {
            timeout("name resolution", deadline)
        } else {
            ProbeError::Dns {
                host: target.host.clone(),
                reason: e.to_string(),
            }
        }
    })?;
    timing.dns = t.elapsed();
    let addr = *addrs.first().ok_or_else(|| ProbeError::Dns {
        host: target.host.clone(),
        reason: "no address".to_owned(),
    })?;

    let t = Instant::now();
    let tcp = deadline.connect(&[addr]).map_err(|e| {
        if is_timeout(&e) {
            timeout("connect", deadline)
        } else {
            ProbeError::Connect {
                addr: addr.to_string(),
                reason: e.to_string(),
            }
        }
    })?;
    timing.connect = t.elapsed();
    let tcp = DeadlineStream::new(tcp, *deadline);

    let mut cert_not_after = None;
    let mut stream: Box<dyn Stream> = if target.tls {
        let t = Instant::now();
        let tls_err = |reason: String| ProbeError::Tls {
            host: target.host.clone(),
            reason,
        };
        let config: Arc<rustls::ClientConfig> =
            crate::tls::client_config(request.ca_file.as_deref())
                .map_err(|e| tls_err(e.to_string()))?;
        let name = rustls::pki_types::ServerName::try_from(target.host.clone())
            .map_err(|e| tls_err(e.to_string()))?;
        let conn =
            rustls::ClientConnection::new(config, name).map_err(|e| tls_err(e.to_string()))?;
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        while tls.conn.is_handshaking() {
            tls.conn.complete_io(&mut tls.sock).map_err(|e| {
                if is_timeout(&e) {
                    timeout("TLS handshake", deadline)
                } else {
                    tls_err(e.to_string())
                }
            })?;
        }
        timing.tls = Some(t.elapsed());
        cert_not_after = tls
            .conn
            .peer_certificates()
            .and_then(|c| c.first())
            .and_then(|der| super::x509::not_after(der.as_ref()));
        Box::new(tls)
    } else {
        Box::new(tcp)
    };

    // An IPv6 literal is bracketed in the Host header, as in the URL.
    let host = if target.host.contains(':') {
        format!("[{}]", target.host)
    } else {
        target.host.clone()
    };
    let host_header = if (target.tls && target.port == 443) || (!target.tls && target.port == 80) {
        host
    } else {
        format!("{host}:{}", target.port)
    };
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: opskit-health-probe/{}\r\nAccept: */*\r\nConnection: close\r\n",
        request.method,
        target.path,
        env!("CARGO_PKG_VERSION")
    );
    for (k, v) in request.headers.iter().filter(|_| trusted) {
        let _ = write!(head, "{k}: {v}\r\n");
    }
    if let Some(body) = &request.body {
        let _ = write!(head, "Content-Length: {}\r\n", body.len());
    }
    head.push_str("\r\n");
    let secrets: Vec<&str> = request.headers.iter().map(|(_, v)| v.as_str()).collect();
    let write_err = |e: std::io::Error| {
        let mut reason = e.to_string();
        for s in &secrets {
            reason = scrub(&reason, s);
        }
        ProbeError::Connect {
            addr: addr.to_string(),
            reason,
        }
    };
    let t = Instant::now();
    stream.write_all(head.as_bytes()).map_err(write_err)?;
    if let Some(body) = &request.body {
        stream.write_all(body.as_bytes()).map_err(write_err)?;
    }
    stream.flush().map_err(write_err)?;

    // Headers: up to 64 KiB.
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if is_timeout(&e) => {
                return Err(timeout(
                    if buf.is_empty() {
                        "first byte"
                    } else {
                        "headers"
                    },
                    deadline,
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !buf.is_empty() => 0,
            Err(e) => return Err(ProbeError::Protocol(e.to_string())),
        };
        if buf.is_empty() && n > 0 {
            timing.first_byte = t.elapsed();
        }
        if n == 0 {
            return Err(ProbeError::Protocol(if buf.is_empty() {
                "the server closed the connection without answering".to_owned()
            } else {
                "the headers never ended".to_owned()
            }));
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 64 << 10 {
            return Err(ProbeError::Protocol(
                "headers longer than 64 KiB".to_owned(),
            ));
        }
    };
    let head_text = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|r| r.get(2..5))
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| {
            ProbeError::Protocol(format!(
                "`{}`",
                status_line.chars().take(60).collect::<String>()
            ))
        })?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = buf[header_end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
    let no_body =
        request.method == "HEAD" || status == 204 || status == 304 || (100..200).contains(&status);
    let length = if chunked || no_body {
        None
    } else {
        content_length(&headers)?
    };
    let truncated = if no_body {
        body.clear();
        false
    } else {
        read_body(&mut *stream, &mut body, chunked, length, request, deadline)?
    };
    Ok(Response {
        status,
        headers,
        body,
        truncated,
        timing,
        redirects: Vec::new(),
        cert_not_after,
        final_url: String::new(),
        headers_withheld: false,
    })
}

/// The Content-Length, when there is one: digits only, and every copy the same (RFC 9110
/// 8.6); anything else is broken framing, since a client that guesses may read another
/// response's bytes as this body.
fn content_length(headers: &[(String, String)]) -> Result<Option<usize>, ProbeError> {
    let mut length = None;
    for (_, value) in headers.iter().filter(|(k, _)| k == "content-length") {
        for part in value.split(',').map(str::trim) {
            let shown: String = part.chars().take(24).collect();
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ProbeError::Framing(format!(
                    "Content-Length `{}` is not a length",
                    crate::redact::escape_controls(&shown)
                )));
            }
            let n: usize = part.parse().map_err(|_| {
                ProbeError::Framing(format!("Content-Length `{shown}` is too large"))
            })?;
            if length.is_some_and(|l| l != n) {
                return Err(ProbeError::Framing(
                    "two Content-Length headers that disagree".to_owned(),
                ));
            }
            length = Some(n);
        }
    }
    Ok(length)
}

/// Reads the rest of the body (the connection closes after it), keeping at most `max_body`
/// bytes (plus chunk framing); whether it was cut.
fn read_body(
    stream: &mut dyn Stream,
    body: &mut Vec<u8>,
    chunked: bool,
    length: Option<usize>,
    request: &Request,
    deadline: &Deadline,
) -> Result<bool, ProbeError> {
    let keep = request
        .max_body
        .saturating_add(if chunked { 64 << 10 } else { 0 });
    let mut chunk = [0u8; 8192];
    let mut truncated = false;
    loop {
        if length.is_some_and(|l| body.len() >= l) {
            break;
        }
        // A server that ignores `Connection: close` after its last chunk is not waited for.
        if chunked && body.ends_with(b"\r\n\r\n") && matches!(dechunk(body), Ok((_, true))) {
            break;
        }
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                if body.len() < keep {
                    body.extend_from_slice(&chunk[..n.min(keep - body.len())]);
                }
                if body.len() >= keep {
                    truncated = true;
                    break;
                }
            }
            Err(e) if is_timeout(&e) => return Err(timeout("body", deadline)),
            // rustls reports a peer that closes without close_notify as UnexpectedEof.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(ProbeError::Protocol(e.to_string())),
        }
    }
    if chunked {
        let (payload, complete) = dechunk(body)?;
        if !complete && !truncated {
            return Err(ProbeError::Framing(format!(
                "the chunked body stopped after {} bytes, before its last chunk",
                payload.len()
            )));
        }
        *body = payload;
    }
    if let Some(l) = length {
        if body.len() < l && !truncated {
            return Err(ProbeError::Framing(format!(
                "the body ended after {} of its {l} bytes (Content-Length)",
                body.len()
            )));
        }
        body.truncate(l);
    }
    if body.len() > request.max_body {
        body.truncate(request.max_body);
        truncated = true;
    }
    Ok(truncated)
}

/// The payload of a chunked body as far as it goes, and whether its last (zero-size) chunk
/// came; a chunk size that is not hexadecimal is broken framing.
fn dechunk(data: &[u8]) -> Result<(Vec<u8>, bool), ProbeError> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(i) = rest.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&rest[..i]);
        let digits = size_text.split(';').next().unwrap_or("").trim();
        let size = (!digits.is_empty() && digits.len() <= 15)
            .then(|| usize::from_str_radix(digits, 16).ok())
            .flatten()
            .ok_or_else(|| {
                let shown: String = digits.chars().take(24).collect();
                ProbeError::Framing(format!(
                    "the chunk size `{}` is not a hexadecimal number",
                    crate::redact::escape_controls(&shown)
                ))
            })?;
        rest = &rest[i + 2..];
        if size == 0 {
            return Ok((out, true));
        }
        if rest.len() < size {
            out.extend_from_slice(rest);
            return Ok((out, false));
        }
        out.extend_from_slice(&rest[..size]);
        match rest.get(size..size + 2) {
            Some(b"\r\n") => rest = &rest[size + 2..],
            Some(_) => {
                return Err(ProbeError::Framing(
                    "a chunk is longer than its size says".to_owned(),
                ));
            }
            None => return Ok((out, false)),
        }
    }
    Ok((out, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = parse_url("https://example.com/api/health?x=1").unwrap();
        assert_eq!(
            (t.tls, t.host.as_str(), t.port, t.path.as_str()),
            (true, "example.com", 443, "/api/health?x=1")
        );
        let t = parse_url("http://[::1]:8080").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("::1", 8080, "/")
        );
        assert!(parse_url("ftp://x").is_err());
        assert!(
            parse_url("http://user:pw@x/")
                .unwrap_err()
                .to_string()
                .contains("header")
        );
        assert!(parse_url("http://x:99999/").is_err());
        assert_eq!(resolve_location("https://a.b/x/y?q", "/z"), "https://a.b/z");
        assert_eq!(resolve_location("https://a.b/x/y", "z"), "https://a.b/x/z");
        assert_eq!(resolve_location("https://a.b", "z"), "https://a.b/z");
        assert_eq!(scrub_url("https://a/b?token=secret"), "https://a/b?…");
        assert_eq!(scrub_url("https://u:pw@a/b"), "https://…@a/b");
    }

    #[test]
    fn chunks() {
        assert_eq!(
            dechunk(b"4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\n\r\n").unwrap(),
            (b"Wikipedia".to_vec(), true)
        );
        assert_eq!(dechunk(b"4\r\nWi").unwrap(), (b"Wi".to_vec(), false));
        assert!(dechunk(b"zz\r\n").is_err());
        assert!(dechunk(b"2\r\nabc\r\n").is_err());
        assert_eq!(scheme_of("file:///etc/passwd").as_deref(), Some("file"));
        assert_eq!(scheme_of("/next"), None);
        assert_eq!(scheme_of("HTTPS://x"), Some("https".to_owned()));
    }
}
