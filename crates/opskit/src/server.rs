//! A small HTTP/1.1 server for the pages and exporters the tools serve, bounded against the
//! clients it meets.
//!
//! A general-purpose embedded server (tiny_http, which the tools used before) gives every
//! connection a thread with no limit on their number and no timeout on its socket: a client
//! that sends its request one byte a minute, or never reads the answer, holds a thread for
//! ever, and enough of them hold the process. Here every connection runs under one
//! [`Deadline`] for reading its request and one for writing its answer, enforced on every read
//! and write ([`DeadlineStream`]); at most [`Limits::connections`] are served at once and the
//! next ones get `503` at once; a request head is at most [`Limits::max_head`] bytes. Each
//! connection carries one request (`Connection: close`), which is all a page, a JSON API or a
//! Prometheus scrape needs, and keeps the bounds simple. Request bodies are not read.
//!
//! ```no_run
//! use opskit::server::{Limits, Response, Server};
//! let server = Server::bind("127.0.0.1:9470", Limits::default())?;
//! println!("serving on {}", server.local_addr()?);
//! server.run(|request| match request.path() {
//!     "/health" => Response::text(200, "ok\n"),
//!     _ => Response::text(404, "not found\n"),
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::deadline::{Deadline, DeadlineStream};

/// How much a server gives each client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once; more get 503.
    pub connections: usize,
    /// The time a client has to send its whole request head.
    pub read: Duration,
    /// The time a client has to take the whole answer.
    pub write: Duration,
    /// The longest request head (request line and headers), in bytes; longer gets 431.
    pub max_head: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            connections: 64,
            read: Duration::from_secs(10),
            write: Duration::from_secs(30),
            max_head: 16 * 1024,
        }
    }
}

/// A request as the handler sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// The request target as sent (`/api/v1/queues?x=1`).
    pub target: String,
    /// The headers, in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The client's address.
    pub peer: Option<SocketAddr>,
}

impl Request {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The target without its query or fragment.
    pub fn path(&self) -> &str {
        self.target.split(['?', '#']).next().unwrap_or("/")
    }

    /// The query without its `?` (empty when there is none).
    pub fn query(&self) -> &str {
        self.target
            .split_once('?')
            .map_or("", |(_, q)| q.split('#').next().unwrap_or(""))
    }
}

/// An answer: status, headers and the whole body (sent with its `Content-Length`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers besides `Content-Length` and `Connection`, which the server writes.
    pub headers: Vec<(String, String)>,
    /// The body (not sent for HEAD).
    pub body: Vec<u8>,
}

impl Response {
    /// A body of that content type.
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body,
        }
    }

    /// Plain UTF-8 text.
    pub fn text(status: u16, text: &str) -> Response {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            text.as_bytes().to_vec(),
        )
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// The reason phrase of a status code.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// A bound listener.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    limits: Limits,
}

/// Why a request head could not be read.
enum Head {
    /// Read and parsed.
    Ok(Request),
    /// Not HTTP: answer with this status and close.
    Bad(u16),
    /// The client went away or ran out of time: close without a word.
    Gone,
}

impl Server {
    /// Binds `addr` (`127.0.0.1:9470`, `[::]:80`, `localhost:0`).
    pub fn bind(addr: &str, limits: Limits) -> io::Result<Server> {
        Ok(Server {
            listener: TcpListener::bind(addr)?,
            limits,
        })
    }

    /// The address bound (with the port the OS chose for `:0`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until accepting fails for good; each connection on its own thread.
    pub fn run<F>(self, handler: F) -> io::Result<()>
    where
        F: Fn(&Request) -> Response + Send + Sync + 'static,
    {
        let handler = Arc::new(handler);
        let busy = Arc::new(AtomicUsize::new(0));
        let rejecting = Arc::new(AtomicUsize::new(0));
        let mut failures = 0u32;
        loop {
            let (tcp, peer) = match self.listener.accept() {
                Ok(accepted) => {
                    failures = 0;
                    accepted
                }
                // A client that gave up before it was accepted: nothing wrong here.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                            | io::ErrorKind::Interrupted
                    ) =>
                {
                    continue;
                }
                // Out of file descriptors and the like: pause (50 ms, growing to a second)
                // rather than spin, and give up only when it lasts about five minutes.
                Err(e) => {
                    failures += 1;
                    if failures > 320 {
                        return Err(e);
                    }
                    std::thread::sleep(Duration::from_millis(50 * u64::from(failures.min(20))));
                    continue;
                }
            };
            if busy.fetch_add(1, Ordering::SeqCst) >= self.limits.connections {
                busy.fetch_sub(1, Ordering::SeqCst);
                // Told so, briefly, by as many threads again at most; past that the
                // connection is closed without a word.
                if rejecting.fetch_add(1, Ordering::SeqCst) < self.limits.connections {
                    let done = Arc::clone(&rejecting);
                    let max = self.limits.max_head;
                    let spawned = std::thread::Builder::new()
                        .name("opskit-http-busy".to_owned())
                        .spawn(move || {
                            let _slot = Slot(done);
                            reject(tcp, max);
                        });
                    if spawned.is_ok() {
                        continue;
                    }
                }
                rejecting.fetch_sub(1, Ordering::SeqCst);
                continue;
            }
            let (each, done, limits) = (Arc::clone(&handler), Arc::clone(&busy), self.limits);
            let spawned = std::thread::Builder::new()
                .name("opskit-http".to_owned())
                .spawn(move || {
                    // Given back however the thread ends, a panicking handler included.
                    let _slot = Slot(done);
                    serve_one(tcp, Some(peer), limits, each.as_ref());
                });
            if spawned.is_err() {
                busy.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }
}

/// A counted connection; the count goes down when it is dropped.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// 503 to a connection over the limit: its head read (so closing does not reset the
/// connection under the answer), the answer, and a short linger, all within a second or so.
fn reject(tcp: TcpStream, max_head: usize) {
    let mut stream = DeadlineStream::new(tcp, Deadline::after(Duration::from_secs(1)));
    if let Head::Gone = read_head(&mut stream, max_head) {
        return;
    }
    stream.set_deadline(Deadline::after(Duration::from_secs(1)));
    let busy = Response::text(503, "503: busy, try again\n").with_header("Retry-After", "1");
    if write_response(&mut stream, &busy, false).is_ok() {
        linger(&mut stream);
    }
}

fn serve_one<F>(tcp: TcpStream, peer: Option<SocketAddr>, limits: Limits, handler: &F)
where
    F: Fn(&Request) -> Response,
{
    let mut stream = DeadlineStream::new(tcp, Deadline::after(limits.read));
    let request = match read_head(&mut stream, limits.max_head) {
        Head::Ok(mut r) => {
            r.peer = peer;
            r
        }
        Head::Bad(status) => {
            stream.set_deadline(Deadline::after(Duration::from_secs(1)));
            let _ = write_response(&mut stream, &Response::text(status, "bad request\n"), false);
            return;
        }
        Head::Gone => return,
    };
    let response = handler(&request);
    stream.set_deadline(Deadline::after(limits.write));
    if write_response(&mut stream, &response, request.method == "HEAD").is_ok() {
        linger(&mut stream);
    }
}

/// After the answer: stop writing and read what the client still sends (a body we did not
/// read) for a moment, so closing does not reset the connection before the client has read
/// the answer.
fn linger(stream: &mut DeadlineStream) {
    let _ = stream.tcp().shutdown(Shutdown::Write);
    stream.set_deadline(Deadline::after(Duration::from_millis(500)));
    let mut sink = [0u8; 4096];
    let mut drained = 0usize;
    while drained < 256 * 1024 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(n) => drained += n,
        }
    }
}

/// Reads up to the blank line that ends the head, within the stream's deadline.
fn read_head(stream: &mut DeadlineStream, max: usize) -> Head {
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let end = loop {
        if let Some(end) = head_end(&buf) {
            break end;
        }
        if buf.len() > max {
            return Head::Bad(431);
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Head::Gone,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    if end > max {
        return Head::Bad(431);
    }
    match parse_head(&buf[..end]) {
        Some(r) => Head::Ok(r),
        None => Head::Bad(400),
    }
}

/// Where the head ends (after `\r\n\r\n`, or `\n\n` from a lenient client).
fn head_end(buf: &[u8]) -> Option<usize> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4);
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|p| p + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The request line and headers; `None` when it is not an HTTP/1 request.
fn parse_head(head: &[u8]) -> Option<Request> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut parts = lines.next()?.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !version.starts_with("HTTP/1.")
        || method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_uppercase())
        || !(target.starts_with('/') || target == "*")
    {
        return None;
    }
    let mut headers = Vec::new();
    for line in lines.take_while(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        if name.is_empty() || name.contains([' ', '\t']) {
            return None;
        }
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    Some(Request {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        peer: None,
    })
}

/// Writes the status line, the headers (any holding a line break left out, so a value can
/// never add a header), `Content-Length`, `Connection: close` and the body.
fn write_response(out: &mut impl Write, response: &Response, head_only: bool) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        let safe = |s: &str| !s.contains(['\r', '\n']);
        if safe(name) && safe(value) && !name.is_empty() {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
    }
    let _ = write!(
        head,
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        response.body.len()
    );
    out.write_all(head.as_bytes())?;
    if !head_only {
        out.write_all(&response.body)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_parse() {
        let r =
            parse_head(b"GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nAuthorization:  Basic abc \r\n\r\n")
                .unwrap();
        assert_eq!(
            (r.method.as_str(), r.path(), r.query()),
            ("GET", "/a/b", "x=1")
        );
        assert_eq!(r.header("authorization"), Some("Basic abc"));
        assert_eq!(r.header("host"), Some("h"));
        assert_eq!(r.header("cookie"), None);
        assert!(parse_head(b"GET /\n\n").is_none(), "no version");
        assert!(parse_head(b"get / HTTP/1.1\r\n\r\n").is_none());
        assert!(parse_head(b"GET http://x/ HTTP/1.1\r\n\r\n").is_none());
        assert!(parse_head(b"GET / HTTP/1.1\r\nno colon\r\n\r\n").is_none());
        assert!(parse_head(b"GET / HTTP/1.1\r\nBad Name: v\r\n\r\n").is_none());
        assert!(parse_head(b"\x16\x03\x01 binary").is_none());
        assert_eq!(head_end(b"GET / HTTP/1.0\n\nrest"), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n"), None);
    }

    #[test]
    fn responses_carry_their_length_and_no_injected_header() {
        let mut out = Vec::new();
        let r = Response::text(200, "hello")
            .with_header("X-Ok", "yes")
            .with_header("X-Evil", "a\r\nSet-Cookie: x=1");
        write_response(&mut out, &r, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(text.contains("Content-Length: 5\r\n") && text.ends_with("\r\n\r\nhello"));
        assert!(
            text.contains("X-Ok: yes\r\n") && !text.contains("Set-Cookie"),
            "{text}"
        );
        let mut head = Vec::new();
        write_response(&mut head, &r, true).unwrap();
        assert!(
            String::from_utf8(head)
                .unwrap()
                .ends_with("Connection: close\r\n\r\n")
        );
    }
}
