//! Every network client of the core against hostile servers: a slow drip, endless headers, a
//! peer that never answers, broken framing, huge or garbage replies, redirects to other
//! origins and schemes, a server that echoes the token. Each run is held to its deadline: no
//! client may outlive it by more than `MARGIN`, whatever the server does.

use std::time::{Duration, Instant};

use opskit::deadline::Deadline;
use opskit::probe::http::{self, ProbeError, Request};
use opskit::redis::{Backend, Connection, Limits, Target};
use testkit::{Behaviour, HostileServer, HttpServer, Reply};

/// How far past its deadline a client may return: scheduling and one last short read.
const MARGIN: Duration = Duration::from_millis(250);
const LIMIT: Duration = Duration::from_millis(700);

/// Runs `f`, asserts it returned within `LIMIT + MARGIN`, and gives its result and overrun.
fn bounded<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    let took = started.elapsed();
    let overrun = took.saturating_sub(LIMIT);
    assert!(
        overrun <= MARGIN,
        "{what}: took {took:?} against a deadline of {LIMIT:?} (overrun {overrun:?})"
    );
    overrun_log(what, overrun);
    out
}

/// Appends the overrun to `$OPSKIT_OVERRUN_LOG` when set (the closing figures come from it).
fn overrun_log(what: &str, overrun: Duration) {
    if let Some(path) = std::env::var_os("OPSKIT_OVERRUN_LOG") {
        use std::io::Write as _;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(f, "{}\t{what}", overrun.as_millis());
        }
    }
}

fn http_request(url: String) -> Request {
    let mut r = Request::get(url);
    r.timeout = LIMIT;
    r.connect_timeout = LIMIT;
    r
}

fn hostile_http() -> Vec<(&'static str, Behaviour)> {
    vec![
        (
            "headers dripping a byte every 100 ms",
            Behaviour::drip(
                b"HTTP/1.1 200 OK\r\nX-Slow: 1\r\n",
                Duration::from_millis(100),
            ),
        ),
        ("a body dripping", Behaviour::http_dripping_body()),
        ("a silent peer", Behaviour::Silent),
        (
            "a chunked body that never ends",
            Behaviour::Drip {
                prefix: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(),
                drip: b"1\r\nx\r\n".to_vec(),
                every: Duration::from_millis(50),
            },
        ),
    ]
}

#[test]
fn the_http_probe_keeps_its_deadline_against_every_slow_server() {
    for (what, behaviour) in hostile_http() {
        let server = HostileServer::start(behaviour);
        let e = bounded(what, || {
            http::probe(&http_request(server.url())).unwrap_err()
        });
        assert!(matches!(e, ProbeError::Timeout { .. }), "{what}: {e}");
    }
}

#[test]
fn endless_headers_are_cut_at_64_kib() {
    let server = HostileServer::start(Behaviour::endless_http_headers());
    let e = bounded("endless headers", || {
        http::probe(&http_request(server.url())).unwrap_err()
    });
    assert!(
        matches!(&e, ProbeError::Protocol(m) if m.contains("64 KiB"))
            || matches!(e, ProbeError::Timeout { .. }),
        "{e}"
    );
}

#[test]
fn broken_framing_is_an_error_never_an_answer() {
    let cases: Vec<(&str, Behaviour, &str)> = vec![
        (
            "a chunk size that is not hexadecimal",
            Behaviour::http_raw(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked",
                b"zz\r\nhello\r\n0\r\n\r\n",
            ),
            "chunk size",
        ),
        (
            "a chunked body cut before its last chunk",
            Behaviour::http_raw(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked",
                b"5\r\nhello\r\n",
            ),
            "last chunk",
        ),
        (
            "a negative Content-Length",
            Behaviour::http_raw("HTTP/1.1 200 OK\r\nContent-Length: -5", b"hello"),
            "not a length",
        ),
        (
            "a body shorter than its Content-Length",
            Behaviour::http_raw("HTTP/1.1 200 OK\r\nContent-Length: 50", b"hello"),
            "5 of its 50",
        ),
        (
            "two Content-Lengths that disagree",
            Behaviour::http_raw(
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6",
                b"hello!",
            ),
            "disagree",
        ),
    ];
    for (what, behaviour, says) in cases {
        let server = HostileServer::start(behaviour);
        let e = bounded(what, || {
            http::probe(&http_request(server.url())).unwrap_err()
        });
        assert!(
            matches!(&e, ProbeError::Framing(m) if m.contains(says)),
            "{what}: {e}"
        );
    }
    // A server that keeps the connection open after its last chunk is not waited for.
    let server = HostileServer::start(Behaviour::ReplyThenHold(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n".to_vec(),
    ));
    let r = bounded("a complete chunked body, then silence", || {
        http::probe(&http_request(server.url())).unwrap()
    });
    assert_eq!(r.body, b"ok");
}

#[test]
fn the_callers_headers_never_follow_a_redirect_to_another_origin() {
    let elsewhere = HttpServer::start(|_| Reply::new(200, "other origin"));
    let to = elsewhere.url();
    let origin = HttpServer::start(move |r| match r.url.as_str() {
        "/same" => Reply::new(302, "").header("Location", "/landing"),
        "/landing" => Reply::new(200, "same origin"),
        _ => Reply::new(302, "").header("Location", &format!("{to}/landing")),
    });
    let mut request = http_request(format!("{}/away", origin.url()));
    request.headers = vec![
        ("Authorization".to_owned(), "Bearer tok-AAAA1111".to_owned()),
        ("X-Api-Key".to_owned(), "key-BBBB2222".to_owned()),
        ("Cookie".to_owned(), "session=CCCC3333".to_owned()),
    ];
    let r = http::probe(&request).unwrap();
    assert_eq!(r.status, 200);
    assert!(r.headers_withheld);
    let there = elsewhere.requests();
    assert_eq!(there.len(), 1);
    for header in ["authorization", "x-api-key", "cookie"] {
        assert_eq!(there[0].header(header), None, "{header} crossed origins");
    }
    // The same origin gets them on every hop.
    request.url = format!("{}/same", origin.url());
    let r = http::probe(&request).unwrap();
    assert!(!r.headers_withheld);
    let here = origin.requests();
    let landing = here.iter().rfind(|q| q.url == "/landing").unwrap();
    assert_eq!(landing.header("authorization"), Some("Bearer tok-AAAA1111"));
}

#[test]
fn a_redirect_to_another_scheme_is_named_not_followed() {
    for location in ["file:///etc/passwd", "ftp://example.com/x", "gopher://h/"] {
        let server = HostileServer::start(Behaviour::http_raw(
            &format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0"),
            b"",
        ));
        let e = http::probe(&http_request(server.url())).unwrap_err();
        let scheme = location.split(':').next().unwrap();
        assert!(
            matches!(&e, ProbeError::RedirectScheme { scheme: s } if s == scheme),
            "{location}: {e}"
        );
        assert!(e.to_string().contains(&format!("`{scheme}:`")), "{e}");
    }
}

fn native(port: u16) -> Target {
    format!("redis://127.0.0.1:{port}/0")
        .parse()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn redis_limits() -> Limits {
    Limits {
        connect_timeout: LIMIT,
        timeout: LIMIT,
        ..Limits::default()
    }
}

fn ping(target: &Target) -> Result<Vec<opskit::redis::Value>, opskit::redis::RedisError> {
    let mut c = Connection::open(target, &redis_limits())?;
    c.pipeline(&[vec!["PING".to_owned()], vec!["PING".to_owned()]])
}

#[test]
fn the_native_redis_client_keeps_its_deadline() {
    let cases = vec![
        (
            "a reply dripping a byte every 50 ms",
            Behaviour::drip(b"+PONG-and-then-some-more\r\n", Duration::from_millis(50)),
        ),
        (
            "an endless array, a byte at a time",
            Behaviour::Drip {
                prefix: b"*1000\r\n".to_vec(),
                drip: b":1\r\n".to_vec(),
                every: Duration::from_millis(5),
            },
        ),
        ("a silent peer", Behaviour::Silent),
    ];
    for (what, behaviour) in cases {
        let server = HostileServer::start(behaviour);
        let e = bounded(what, || ping(&native(server.port())).unwrap_err());
        assert!(
            matches!(e, opskit::redis::RedisError::Timeout { .. }),
            "{what}: {e}"
        );
    }
}

#[test]
fn garbage_and_huge_redis_replies_are_errors_at_once() {
    let cases: Vec<(&str, &[u8])> = vec![
        ("a bulk string of 10^12 bytes", b"$999999999999\r\n"),
        ("an array of 10^12 elements", b"*999999999999\r\n"),
        ("a negative length", b"$-7\r\n"),
        ("bytes that are not RESP", b"\x00\x01garbage\r\n"),
        ("a length that is not a number", b"$12a\r\n"),
    ];
    for (what, reply) in cases {
        let server = HostileServer::start(Behaviour::ReplyThenHold(reply.to_vec()));
        let e = bounded(what, || ping(&native(server.port())));
        assert!(e.is_err(), "{what}: {e:?}");
    }
}

#[test]
fn upstash_keeps_its_deadline_and_never_shows_an_echoed_token() {
    let token = "AXkQAAIncDE3ZWNoby10aGlzLXRva2VuLWJhY2s";
    let server = HostileServer::start(Behaviour::http_dripping_body());
    let target = Target::Upstash {
        url: server.url(),
        token: token.to_owned(),
    };
    let e = bounded("Upstash with a dripping body", || {
        ping(&target).unwrap_err()
    });
    assert!(
        matches!(e, opskit::redis::RedisError::Timeout { .. }),
        "{e}"
    );

    let echo = HttpServer::start(move |r| {
        let auth = r.header("authorization").unwrap_or_default().to_owned();
        Reply::json(
            200,
            &format!(r#"[{{"error":"ERR {auth} is not allowed"}},{{"result":"PONG"}}]"#),
        )
    });
    let target = Target::Upstash {
        url: echo.url(),
        token: token.to_owned(),
    };
    let replies = ping(&target).unwrap();
    let shown = opskit::redact::secrets().clean(&format!("{replies:?}"));
    assert!(!shown.contains(token), "{shown}");
    let e = {
        let server = HttpServer::start(move |r| {
            Reply::json(
                401,
                &format!(
                    r#"{{"error":"bad {}"}}"#,
                    r.header("authorization").unwrap_or_default()
                ),
            )
        });
        ping(&Target::Upstash {
            url: server.url(),
            token: token.to_owned(),
        })
        .unwrap_err()
    };
    assert!(!e.to_string().contains(token), "{e}");
}

#[test]
fn the_postgres_probe_keeps_its_deadline() {
    for (what, behaviour) in [
        ("a silent peer", Behaviour::Silent),
        (
            "an answer dripping",
            Behaviour::drip(
                b"R\x00\x00\x00\x08\x00\x00\x00\x00",
                Duration::from_millis(50),
            ),
        ),
    ] {
        let server = HostileServer::start(behaviour);
        let url: opskit::probe::postgres::PgUrl = format!(
            "postgres://app:pw-DDDD4444@127.0.0.1:{}/db?sslmode=disable",
            server.port()
        )
        .parse()
        .unwrap();
        let e = bounded(what, || {
            opskit::probe::postgres::probe(&url, "SELECT 1", LIMIT).unwrap_err()
        });
        assert!(!e.to_string().contains("pw-DDDD4444"), "{e}");
    }
}

#[test]
fn the_http_agent_keeps_its_deadline() {
    for (what, behaviour) in hostile_http() {
        let server = HostileServer::start(behaviour);
        let options = opskit::http::HttpOptions::default();
        let agent = opskit::http::agent(&options);
        let deadline = Deadline::new(LIMIT, LIMIT);
        let result = bounded(what, || {
            opskit::http::bounded(agent.get(server.url()), &deadline)
                .call()
                .map_err(|e| e.to_string())
                .and_then(|mut r| {
                    opskit::http::read_body(&mut r, &options).map_err(|e| e.to_string())
                })
        });
        assert!(result.is_err(), "{what}: {result:?}");
    }
}

#[test]
fn a_late_child_process_is_stopped_at_its_deadline() {
    let mut child = std::process::Command::new("sh")
        .args(["-c", "sleep 30 & sleep 30"])
        .spawn()
        .unwrap();
    let deadline = Deadline::after(LIMIT);
    let status = bounded("a child that sleeps", || deadline.wait(&mut child).unwrap());
    assert_eq!(status, None);
}
