//! Hostile servers: peers that misbehave on purpose, so every client can be tested against
//! them with a deadline assertion.
//!
//! A [`HostileServer`] listens on a free loopback port, reads what a client sends (the first
//! 64 KiB of each connection, kept for assertions such as "the token was not sent here"), then
//! answers as its [`Behaviour`] says, whatever protocol the client speaks: the same server
//! stands in for a hostile HTTP endpoint, Redis or PostgreSQL.
//!
//! ```no_run
//! use std::time::Duration;
//! use testkit::{Behaviour, HostileServer};
//! // One byte of a valid HTTP answer every 100 ms, forever.
//! let drip = HostileServer::start(Behaviour::drip(b"HTTP/1.1 200 OK\r\nX: y\r\n", Duration::from_millis(100)));
//! let url = drip.url();
//! ```

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How a [`HostileServer`] answers each connection.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Sends `prefix` whole, then `drip` one byte per `every`, round and round, until the
    /// client leaves: every read succeeds, none ever finishes the answer.
    Drip {
        /// Sent at once.
        prefix: Vec<u8>,
        /// Sent a byte at a time, repeated.
        drip: Vec<u8>,
        /// The pause between two bytes.
        every: Duration,
    },
    /// Accepts, reads, and never answers.
    Silent,
    /// Sends these bytes, then closes.
    Reply(Vec<u8>),
    /// Sends these bytes, then holds the connection open without a word more.
    ReplyThenHold(Vec<u8>),
    /// Sends `before`, then what the client sent (line breaks turned into spaces, so it stays
    /// one line of the protocol), then `after`, and closes: a server that quotes the request,
    /// credentials and all, in its error.
    Echo {
        /// Sent first.
        before: Vec<u8>,
        /// Sent last.
        after: Vec<u8>,
    },
}

impl Behaviour {
    /// `bytes` one at a time, a byte per `every`, repeated forever.
    pub fn drip(bytes: &[u8], every: Duration) -> Behaviour {
        Behaviour::Drip {
            prefix: Vec::new(),
            drip: bytes.to_vec(),
            every,
        }
    }

    /// An HTTP answer whose headers never end: a valid status line, then `X-Pad: …` lines,
    /// fast, forever.
    pub fn endless_http_headers() -> Behaviour {
        Behaviour::Drip {
            prefix: b"HTTP/1.1 200 OK\r\n".to_vec(),
            drip: b"X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".to_vec(),
            every: Duration::ZERO,
        }
    }

    /// An HTTP 200 whose body drips a byte a second: headers at once, then a body with a
    /// Content-Length it never reaches.
    pub fn http_dripping_body() -> Behaviour {
        Behaviour::Drip {
            prefix: b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".to_vec(),
            drip: b"ok ".to_vec(),
            every: Duration::from_millis(200),
        }
    }

    /// A Redis error quoting the command it got (`-ERR you sent: *2 $4 AUTH …`).
    pub fn redis_echo() -> Behaviour {
        Behaviour::Echo {
            before: b"-ERR you sent: ".to_vec(),
            after: b"\r\n".to_vec(),
        }
    }

    /// An HTTP 400 whose body quotes the whole request, headers included.
    pub fn http_echo() -> Behaviour {
        Behaviour::Echo {
            before: b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nyou sent: ".to_vec(),
            after: Vec::new(),
        }
    }

    /// A whole HTTP answer with `head` lines (without the blank line) and `body` as given,
    /// the framing left to the test (a bad chunk size, a negative Content-Length...).
    pub fn http_raw(head: &str, body: &[u8]) -> Behaviour {
        let mut bytes = format!("{head}\r\n\r\n").into_bytes();
        bytes.extend_from_slice(body);
        Behaviour::Reply(bytes)
    }
}

/// A server on a free loopback port that misbehaves as told. Stops on drop.
#[derive(Debug)]
pub struct HostileServer {
    port: u16,
    seen: Arc<Mutex<Vec<Vec<u8>>>>,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HostileServer {
    /// Starts serving `behaviour` to every connection.
    pub fn start(behaviour: Behaviour) -> HostileServer {
        let listener = match TcpListener::bind("127.0.0.1:0") {
            Ok(l) => l,
            Err(e) => panic!("cannot start a hostile server on 127.0.0.1: {e}"),
        };
        let port = listener.local_addr().map_or(0, |a| a.port());
        let _ = listener.set_nonblocking(true);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stopping = Arc::new(AtomicBool::new(false));
        let thread = {
            let (seen, stopping) = (Arc::clone(&seen), Arc::clone(&stopping));
            std::thread::spawn(move || {
                while !stopping.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (seen, stopping, behaviour) =
                                (Arc::clone(&seen), Arc::clone(&stopping), behaviour.clone());
                            std::thread::spawn(move || {
                                serve(stream, &behaviour, &seen, &stopping);
                            });
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        HostileServer {
            port,
            seen,
            stopping,
            thread: Some(thread),
        }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What each connection sent first (up to 64 KiB), as text.
    pub fn seen(&self) -> Vec<String> {
        self.seen
            .lock()
            .map(|s| {
                s.iter()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    mut stream: TcpStream,
    behaviour: &Behaviour,
    seen: &Mutex<Vec<Vec<u8>>>,
    stopping: &AtomicBool,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(300)));
    let mut first = vec![0u8; 64 << 10];
    let n = stream.read(&mut first).unwrap_or(0);
    first.truncate(n);
    if let Ok(mut s) = seen.lock() {
        s.push(first.clone());
    }
    match behaviour {
        Behaviour::Silent => hold(&mut stream, stopping),
        Behaviour::Echo { before, after } => {
            let echoed: Vec<u8> = first
                .iter()
                .map(|b| if matches!(b, b'\r' | b'\n') { b' ' } else { *b })
                .collect();
            let _ = stream.write_all(before);
            let _ = stream.write_all(&echoed);
            let _ = stream.write_all(after);
        }
        Behaviour::Reply(bytes) => {
            let _ = stream.write_all(bytes);
        }
        Behaviour::ReplyThenHold(bytes) => {
            if stream.write_all(bytes).is_ok() {
                hold(&mut stream, stopping);
            }
        }
        Behaviour::Drip {
            prefix,
            drip,
            every,
        } => {
            if stream.write_all(prefix).is_err() || drip.is_empty() {
                return;
            }
            for byte in drip.iter().cycle() {
                if stopping.load(Ordering::Relaxed) || stream.write_all(&[*byte]).is_err() {
                    return;
                }
                if !every.is_zero() {
                    std::thread::sleep(*every);
                }
            }
        }
    }
}

/// Keeps the connection open, reading and dropping what comes, until the peer leaves or the
/// server stops.
fn hold(stream: &mut TcpStream, stopping: &AtomicBool) {
    let mut sink = [0u8; 4096];
    while !stopping.load(Ordering::Relaxed) {
        match stream.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}
