//! `opskit::server` against hostile clients: one that drips its request, one that never
//! reads the answer, more of them than the server serves at once, an endless head, and
//! bytes that are not HTTP. Each test's bounds are failure bounds (how long a client waits
//! before calling the server stuck), never timings asserted.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use opskit::server::{Limits, Response, Server};

/// Longer than any deadline below: a server that has not answered by then is stuck.
const STUCK: Duration = Duration::from_secs(20);

fn start(limits: Limits) -> SocketAddr {
    let server = Server::bind("127.0.0.1:0", limits).unwrap();
    let addr = server.local_addr().unwrap();
    std::thread::spawn(move || {
        server.run(|r| match r.path() {
            "/panic" => panic!("a handler that fails"),
            "/big" => Response::new(200, "application/octet-stream", vec![b'x'; 64 << 20]),
            "/echo" => Response::text(
                200,
                &format!(
                    "{} {} auth={}",
                    r.method,
                    r.target,
                    r.header("authorization").unwrap_or("-")
                ),
            ),
            _ => Response::text(404, "not found\n"),
        })
    });
    addr
}

fn tight() -> Limits {
    Limits {
        connections: 2,
        read: Duration::from_millis(400),
        write: Duration::from_millis(400),
        max_head: 1024,
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(STUCK)).unwrap();
    s
}

/// A read that ended because our own patience ran out, not because the server closed.
fn stuck(read: &std::io::Result<usize>) -> bool {
    read.as_ref().is_err_and(|e| {
        matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        )
    })
}

/// The server closed the connection (an end of stream, or a reset).
fn assert_closed(read: &std::io::Result<usize>) {
    assert!(
        !stuck(read),
        "the server still holds the connection after {STUCK:?}"
    );
}

/// Sends `request` and reads until the server closes.
fn exchange(addr: SocketAddr, request: &[u8]) -> String {
    let mut s = connect(addr);
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out)
        .expect("the server closes the connection");
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn answers_get_and_head_with_their_length_and_closes() {
    let addr = start(Limits::default());
    let got = exchange(
        addr,
        b"GET /echo?a=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n",
    );
    assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got}");
    assert!(got.contains("Connection: close\r\n"), "{got}");
    let body = "GET /echo?a=1 auth=Bearer t";
    assert!(
        got.contains(&format!("Content-Length: {}\r\n", body.len())),
        "{got}"
    );
    assert!(got.ends_with(body), "{got}");
    let head = exchange(addr, b"HEAD /echo HTTP/1.1\r\n\r\n");
    assert!(
        head.contains(&format!(
            "Content-Length: {}\r\n",
            "HEAD /echo auth=-".len()
        )) && head.ends_with("\r\n\r\n"),
        "{head}"
    );
    // A body the handler does not read does not cost the client its answer.
    let mut post = b"POST /echo HTTP/1.1\r\nContent-Length: 100000\r\n\r\n".to_vec();
    post.extend(std::iter::repeat_n(b'b', 100_000));
    assert!(exchange(addr, &post).ends_with("POST /echo auth=-"));
}

#[test]
fn a_dripping_client_is_cut_off_by_the_read_deadline() {
    let addr = start(tight());
    let mut s = connect(addr);
    // One byte now and then, never the end of the head: only the deadline ends it.
    for b in b"GET /echo HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
        if s.write_all(&[*b]).is_err() {
            break; // closed by the server already
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut out = Vec::new();
    let read = s.read_to_end(&mut out);
    assert_closed(&read);
    assert!(out.is_empty(), "no answer to half a request: {out:?}");
}

#[test]
fn clients_that_never_read_do_not_hold_the_server() {
    let addr = start(tight());
    // Two clients take the big answer and never read it; each holds a connection until the
    // write deadline lets it go.
    let idle: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut s = connect(addr);
            s.write_all(b"GET /big HTTP/1.1\r\n\r\n").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    // While they are held, a third client is told at once that the server is busy.
    let busy = exchange(addr, b"GET /echo HTTP/1.1\r\n\r\n");
    assert!(busy.starts_with("HTTP/1.1 503"), "{busy}");
    // Once the deadline has let them go, the server answers again.
    let deadline = std::time::Instant::now() + STUCK;
    loop {
        let got = exchange(addr, b"GET /echo HTTP/1.1\r\n\r\n");
        if got.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still busy: {got}");
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(idle);
}

#[test]
fn silent_connections_beyond_the_limit_get_503_and_the_limit_recovers() {
    let addr = start(tight());
    let silent: Vec<TcpStream> = (0..2).map(|_| connect(addr)).collect();
    std::thread::sleep(Duration::from_millis(100));
    assert!(exchange(addr, b"GET /echo HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 503"));
    for mut s in silent {
        let mut out = Vec::new();
        // Closed by the read deadline, without an answer.
        assert_closed(&s.read_to_end(&mut out));
        assert!(out.is_empty(), "{out:?}");
    }
    assert!(exchange(addr, b"GET /echo HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 200"));
}

#[test]
fn an_endless_head_gets_431_and_garbage_gets_400() {
    let addr = start(tight());
    let mut long = b"GET /echo HTTP/1.1\r\n".to_vec();
    for i in 0..200 {
        long.extend(format!("X-H{i}: {}\r\n", "v".repeat(20)).bytes());
    }
    let mut s = connect(addr);
    // The server may close while the rest is still being sent.
    let _ = s.write_all(&long);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let got = String::from_utf8_lossy(&out);
    assert!(got.starts_with("HTTP/1.1 431"), "{got}");
    for junk in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"[..],
        b"GET\r\n\r\n",
        b"GET / SPDY/3\r\n\r\n",
        b"GET / HTTP/1.1\r\nno-colon-here\r\n\r\n",
    ] {
        let got = exchange(addr, junk);
        assert!(got.starts_with("HTTP/1.1 400"), "{junk:?}: {got}");
    }
}

#[test]
fn a_handler_that_panics_gives_its_slot_back() {
    let addr = start(tight());
    for _ in 0..3 {
        // The connection closes without an answer.
        assert_eq!(exchange(addr, b"GET /panic HTTP/1.1\r\n\r\n"), "");
    }
    assert!(exchange(addr, b"GET /echo HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 200"));
}
