//! The HTTP probe against real servers: testkit's HTTP server and `openssl s_server` for TLS.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::time::Duration;

use opskit::probe::http::{ProbeError, Request, probe};
use testkit::{HttpServer, Reply, TlsServer};

#[test]
fn times_every_phase_of_a_plain_request() {
    let server = HttpServer::start(|r| match r.url.as_str() {
        "/health" => Reply::json(200, r#"{"status":"ok","checks":{"redis":"up"}}"#),
        _ => Reply::new(404, "no"),
    });
    let mut req = Request::get(format!("{}/health", server.url()));
    req.headers
        .push(("Authorization".to_owned(), "Bearer sekrit-token".to_owned()));
    let r = probe(&req).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        String::from_utf8(r.body).unwrap(),
        r#"{"status":"ok","checks":{"redis":"up"}}"#
    );
    assert!(r.timing.tls.is_none());
    assert!(r.timing.total >= r.timing.first_byte && r.timing.first_byte > Duration::ZERO);
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer sekrit-token")
    );
    assert_eq!(
        probe(&Request::get(format!("{}/missing", server.url())))
            .unwrap()
            .status,
        404
    );
}

#[test]
fn follows_redirects_within_the_limit() {
    let server = HttpServer::start(|r| match r.url.as_str() {
        "/old" => Reply::new(301, "").header("Location", "/new"),
        "/loop" => Reply::new(302, "").header("Location", "/loop"),
        _ => Reply::new(200, "here"),
    });
    let r = probe(&Request::get(format!("{}/old", server.url()))).unwrap();
    assert_eq!((r.status, r.redirects.len()), (200, 1));
    assert!(r.final_url.ends_with("/new"));
    let mut no_follow = Request::get(format!("{}/old", server.url()));
    no_follow.max_redirects = 0;
    assert_eq!(probe(&no_follow).unwrap().status, 301);
    assert_eq!(
        probe(&Request::get(format!("{}/loop", server.url()))).unwrap_err(),
        ProbeError::TooManyRedirects(5)
    );
}

#[test]
fn caps_the_body_and_bounds_each_phase() {
    let server = HttpServer::start(|r| match r.url.as_str() {
        "/big" => Reply::new(200, vec![b'x'; 3 << 20]),
        _ => Reply::new(200, "late").delayed(Duration::from_secs(3)),
    });
    let mut req = Request::get(format!("{}/big", server.url()));
    req.max_body = 1024;
    let r = probe(&req).unwrap();
    assert!(r.truncated && r.body.len() == 1024);
    let mut slow = Request::get(format!("{}/slow", server.url()));
    slow.timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    assert!(matches!(
        probe(&slow).unwrap_err(),
        ProbeError::Timeout {
            phase: "first byte",
            ..
        }
    ));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn connection_refused_and_bad_urls_say_what_failed() {
    let port = testkit::free_port();
    let e = probe(&Request::get(format!("http://127.0.0.1:{port}/"))).unwrap_err();
    assert!(matches!(e, ProbeError::Connect { .. }), "{e}");
    let e = probe(&Request::get("https://user:pw@example.com/?token=abc")).unwrap_err();
    assert!(
        e.to_string().contains("header")
            && !e.to_string().contains("pw")
            && !e.to_string().contains("abc"),
        "{e}"
    );
    let e = probe(&Request::get("http://no-such-host.invalid/")).unwrap_err();
    assert!(matches!(e, ProbeError::Dns { .. }), "{e}");
}

#[test]
fn tls_is_timed_verified_and_its_expiry_read() {
    let server = TlsServer::start();
    let mut req = Request::get(server.url());
    req.ca_file = Some(server.ca_file());
    let r = probe(&req).unwrap();
    assert_eq!(r.status, 200);
    assert!(r.timing.tls.is_some_and(|t| t > Duration::ZERO));
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let left = r.cert_not_after.unwrap() - now;
    assert!(
        (86_400..=2 * 86_400 + 60).contains(&left),
        "the test certificate is valid for two days: {left} s left"
    );
    // Without the test CA the certificate is not trusted.
    let e = probe(&Request::get(server.url())).unwrap_err();
    assert!(matches!(e, ProbeError::Tls { .. }), "{e}");
}

/// A server that sends part of its answer, then stalls.
fn stalling(first: &'static [u8]) -> (u16, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let mut buf = [0u8; 1024];
            let _ = std::io::Read::read(&mut s, &mut buf);
            let _ = std::io::Write::write_all(&mut s, first);
            std::thread::sleep(Duration::from_secs(2));
        }
    });
    (port, handle)
}

#[test]
fn slow_headers_and_slow_bodies_time_out_by_phase() {
    let (port, h) = stalling(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n");
    let mut req = Request::get(format!("http://127.0.0.1:{port}/"));
    req.timeout = Duration::from_millis(300);
    assert!(matches!(
        probe(&req).unwrap_err(),
        ProbeError::Timeout {
            phase: "headers",
            ..
        }
    ));
    h.join().unwrap();
    let (port, h) = stalling(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part of it");
    let mut req = Request::get(format!("http://127.0.0.1:{port}/"));
    req.timeout = Duration::from_millis(300);
    assert!(matches!(
        probe(&req).unwrap_err(),
        ProbeError::Timeout { phase: "body", .. }
    ));
    h.join().unwrap();
}
