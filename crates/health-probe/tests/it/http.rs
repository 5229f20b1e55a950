//! HTTP targets: statuses, body and JSON conditions, latency, retries, parallel probes, and
//! configuration errors.

use super::health_server;
use super::run;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use testkit::output_text as text;
use testkit::{HttpServer, Reply};

#[test]
fn http_conditions_statuses_and_latency() {
    let server = health_server();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/api/health", server.url());
    let ok = run(
        dir.path(),
        &[&url, "--json", "status == \"ok\"", "--json", "uptime > 60"],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    let bad = run(
        dir.path(),
        &[&url, "--json", "checks.db == \"up\"", "-f", "json"],
    );
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(
        text(&bad).contains(r#"checks.db is \"down\", not == \"up\""#),
        "{}",
        text(&bad)
    );
    let down = run(dir.path(), &[&format!("{}/nothing", server.url())]);
    assert_eq!(down.status.code(), Some(2));
    assert!(
        text(&down).contains("HP002") && text(&down).contains("503"),
        "{}",
        text(&down)
    );
    let accepted = run(
        dir.path(),
        &[&format!("{}/nothing", server.url()), "--status", "5xx"],
    );
    assert_eq!(accepted.status.code(), Some(0), "{}", text(&accepted));
    let slow = run(
        dir.path(),
        &[
            &format!("{}/slow", server.url()),
            "--latency-warning",
            "100",
        ],
    );
    assert_eq!(slow.status.code(), Some(1), "{}", text(&slow));
    assert!(text(&slow).contains("HP003"));
    let moved = run(
        dir.path(),
        &[&format!("{}/moved", server.url()), "-f", "prometheus"],
    );
    assert_eq!(moved.status.code(), Some(0), "{}", text(&moved));
    let prom = text(&moved);
    for family in [
        "probe_success{",
        "probe_duration_seconds{",
        "probe_http_status_code{",
        "probe_http_redirects{",
        "probe_http_duration_seconds{",
    ] {
        assert!(prom.contains(family), "{family}: {prom}");
    }
    assert!(prom.contains("phase=\"processing\""), "{prom}");
}

#[test]
fn targets_are_probed_at_the_same_time() {
    // Two servers; each answers only once the other has been asked too. Probed one after the
    // other, the first would give up waiting and answer 500.
    let arrived = Arc::new((Mutex::new(0u32), Condvar::new()));
    let server = |state: Arc<(Mutex<u32>, Condvar)>| {
        HttpServer::start(move |_| {
            let (count, cv) = &*state;
            let mut n = count.lock().unwrap();
            *n += 1;
            cv.notify_all();
            let (n, _) = cv
                .wait_timeout_while(n, Duration::from_secs(4), |n| *n < 2)
                .unwrap();
            if *n >= 2 {
                Reply::new(200, "ok")
            } else {
                Reply::new(500, "alone")
            }
        })
    };
    let (a, b) = (server(Arc::clone(&arrived)), server(Arc::clone(&arrived)));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("opskit.toml"),
        format!("[[health-probe.targets]]\nname = \"a\"\nurl = \"{}/\"\ntimeout_ms = 8000\n\n[[health-probe.targets]]\nname = \"b\"\nurl = \"{}/\"\ntimeout_ms = 8000\n", a.url(), b.url()),
    )
    .unwrap();
    let out = run(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn retries_before_declaring_a_target_down() {
    let calls = Arc::new(Mutex::new(0u32));
    let c = Arc::clone(&calls);
    let server = HttpServer::start(move |_| {
        let mut n = c.lock().unwrap();
        *n += 1;
        if *n < 3 {
            Reply::new(503, "starting")
        } else {
            Reply::new(200, "ok")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &[&server.url(), "--retries", "1"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "two attempts are not enough: {}",
        text(&out)
    );
    let out = run(dir.path(), &[&server.url(), "--retries", "2"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the fourth call succeeds: {}",
        text(&out)
    );
}

#[test]
fn bad_configuration_is_unknown_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let nothing = run(dir.path(), &[]);
    assert_eq!(nothing.status.code(), Some(3));
    assert!(
        text(&nothing).contains("nothing to probe"),
        "{}",
        text(&nothing)
    );
    for (toml, says) in [
        ("[[health-probe.targets]]\nname = \"x\"\n", "needs `url`"),
        (
            "[[health-probe.targets]]\nname = \"x\"\nurl = \"http://a\"\nstatus = [\"abc\"]\n",
            "not a status code",
        ),
        (
            "[[health-probe.targets]]\nname = \"x\"\nurl = \"http://a\"\njson = [\"status = ok\"]\n",
            "expected PATH OP VALUE",
        ),
        (
            "[[health-probe.targets]]\nname = \"x\"\nurl = \"http://a\"\njson = [\"status == ok\"]\n",
            "not a JSON value",
        ),
        (
            "[[health-probe.targets]]\nname = \"x\"\nurl = \"http://a\"\nurll = 1\n",
            "unknown key `urll`",
        ),
        (
            "[[health-probe.targets]]\nname = \"x\"\nurl = \"http://a\"\n[[health-probe.targets]]\nname = \"x\"\nurl = \"http://b\"\n",
            "two targets are called `x`",
        ),
    ] {
        std::fs::write(dir.path().join("opskit.toml"), toml).unwrap();
        let out = run(dir.path(), &[]);
        assert_eq!(out.status.code(), Some(3), "{toml}");
        assert!(text(&out).contains(says), "{says}: {}", text(&out));
    }
    std::fs::write(
        dir.path().join("opskit.toml"),
        "[[health-probe.targets]]\nname = \"x\"\nurl = \"http://a\"\n",
    )
    .unwrap();
    let out = run(dir.path(), &["--target", "y"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out).contains("no target `y`"));
    assert_eq!(run(dir.path(), &["--help"]).status.code(), Some(0));
    assert_eq!(run(dir.path(), &["--nope"]).status.code(), Some(3));
}

#[test]
fn a_url_without_a_scheme_is_a_usage_error_that_shows_the_url_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["example.com/health", "-f", "nagios"]);
    let text = testkit::output_text(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(
        text.contains("has no scheme: write https://example.com/health"),
        "{text}"
    );
    let out = run(dir.path(), &["ftp://example.com", "-f", "nagios"]);
    assert_eq!(out.status.code(), Some(3), "{}", testkit::output_text(&out));
}
