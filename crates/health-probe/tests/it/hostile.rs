//! The faults a hostile server could cause, each against a real one on loopback: a redirect
//! that would carry the token elsewhere, a drip that would hold the run past its timeout,
//! broken framing that would read as up, a redirect to `file:`, terminal escapes, and a body
//! that echoes the token back.

use std::time::{Duration, Instant};

use testkit::{Behaviour, HostileServer, HttpServer, Reply};

use super::run;

const TOKEN: &str = "sk-or-v1-4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c";

#[test]
fn a_redirect_to_another_origin_never_gets_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = HttpServer::start(|_| Reply::new(200, "ok"));
    let to = format!("{}/collect", elsewhere.url());
    let origin = HttpServer::start(move |_| Reply::new(302, "").header("Location", &to));
    let auth = format!("Authorization: Bearer {TOKEN}");
    let out = run(
        dir.path(),
        &[&origin.url(), "-H", &auth, "-f", "json", "-v"],
    );
    let text = testkit::output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let there = elsewhere.requests();
    assert_eq!(there.len(), 1);
    assert_eq!(
        there[0].header("authorization"),
        None,
        "the token crossed origins"
    );
    assert!(!text.contains(TOKEN), "{text}");
}

#[test]
fn a_dripping_server_is_cut_off_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    for behaviour in [
        Behaviour::drip(b"HTTP/1.1 200 OK\r\nX: y\r\n", Duration::from_millis(200)),
        Behaviour::http_dripping_body(),
    ] {
        let server = HostileServer::start(behaviour);
        let started = Instant::now();
        let out = run(
            dir.path(),
            &[&server.url(), "--timeout", "1000", "-f", "nagios"],
        );
        let took = started.elapsed();
        let text = testkit::output_text(&out);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(text.contains("no answer within 1.0 s"), "{text}");
        // A deadline assertion, not a benchmark: held for 90 s before the fix.
        assert!(took < Duration::from_secs(3), "took {took:?}: {text}");
    }
}

#[test]
fn broken_framing_and_foreign_schemes_are_critical_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (behaviour, says) in [
        (
            Behaviour::http_raw(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked",
                b"zz\r\nok\r\n0\r\n\r\n",
            ),
            "chunk size",
        ),
        (
            Behaviour::http_raw(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked",
                b"2\r\nok\r\n",
            ),
            "before its last chunk",
        ),
        (
            Behaviour::http_raw("HTTP/1.1 200 OK\r\nContent-Length: -1", b"ok"),
            "not a length",
        ),
        (
            Behaviour::http_raw(
                "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0",
                b"",
            ),
            "`file:`",
        ),
    ] {
        let server = HostileServer::start(behaviour);
        let out = run(dir.path(), &[&server.url(), "-f", "nagios"]);
        let text = testkit::output_text(&out);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(text.contains(says), "{says}: {text}");
    }
}

#[test]
fn terminal_escapes_and_echoed_tokens_never_reach_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let server = HttpServer::start(|r| {
        let auth = r.header("authorization").unwrap_or_default().to_owned();
        Reply::json(
            200,
            &format!(r#"{{"status":"{auth} \u001b[2J\u0007 degraded"}}"#),
        )
    });
    let auth = format!("Authorization: Bearer {TOKEN}");
    for format in [
        "human",
        "json",
        "nagios",
        "github",
        "sarif",
        "junit",
        "prometheus",
    ] {
        let out = run(
            dir.path(),
            &[
                &format!("{}/health", server.url()),
                "-H",
                &auth,
                "--json",
                "status == \"ok\"",
                "-f",
                format,
                "-v",
            ],
        );
        let text = testkit::output_text(&out);
        assert_eq!(out.status.code(), Some(2), "{format}: {text}");
        assert!(!text.contains(TOKEN), "{format}: {text}");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{format}: {text:?}"
        );
    }
}
