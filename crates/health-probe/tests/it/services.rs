//! Redis, TCP, PostgreSQL and OpenRouter targets against real servers.

use super::run;
use std::process::Command;
use testkit::output_text as text;
use testkit::{HttpServer, RedisServer, Reply};

#[test]
fn redis_and_tcp_targets() {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &[&redis.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let closed = testkit::free_port();
    std::fs::write(
        dir.path().join("opskit.toml"),
        format!("[[health-probe.targets]]\nname = \"cache\"\nkind = \"redis\"\nurl = \"{}\"\n\n[[health-probe.targets]]\nname = \"db-port\"\nkind = \"tcp\"\nhost = \"127.0.0.1\"\nport = {closed}\ntimeout_ms = 500\n", redis.url()),
    )
    .unwrap();
    let out = run(dir.path(), &["-f", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let statuses: Vec<(String, String)> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("redis:cache".to_owned(), "OK".to_owned()),
            ("tcp:db-port".to_owned(), "CRITICAL".to_owned())
        ]
    );
    let only = run(dir.path(), &["--target", "cache"]);
    assert_eq!(only.status.code(), Some(0), "{}", text(&only));
    // Redis down: a closed port, and a server that is gone.
    let down = run(dir.path(), &[&format!("redis://127.0.0.1:{closed}")]);
    assert_eq!(down.status.code(), Some(2));
    assert!(text(&down).contains("HP001"), "{}", text(&down));
}

#[test]
fn postgres_targets_authenticate_query_and_check_the_value() {
    let pg = testkit::PostgresServer::start();
    let dir = tempfile::tempdir().unwrap();
    // sslmode=prefer (the default): the server declines TLS, the probe goes on in clear.
    let out = run(dir.path(), &[&pg.url("postgres"), "-f", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run(
        dir.path(),
        &[&format!("{}?sslmode=require", pg.url("postgres"))],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("does not offer TLS"), "{}", text(&out));
    let url = format!("{}?sslmode=disable", pg.url("postgres"));
    assert!(
        !text(&out).contains(pg.password()),
        "the password is never shown"
    );
    std::fs::write(
        dir.path().join("opskit.toml"),
        format!(
            "[[health-probe.targets]]\nname = \"db\"\nkind = \"postgres\"\nurl = \"{url}\"\nquery = \"SELECT count(*) FROM pg_database\"\nexpect = \"> 100\"\n"
        ),
    )
    .unwrap();
    let out = run(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("HP004") && text(&out).contains("not > 100"),
        "{}",
        text(&out)
    );
    let port = url
        .split(':')
        .nth(3)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let closed = url.replace(&format!(":{port}/"), &format!(":{}/", testkit::free_port()));
    let out = run(dir.path(), &[&closed]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("cannot connect"),
        "PostgreSQL down: {}",
        text(&out)
    );
    let wrong = url.replace(pg.password(), "not-the-password");
    let out = run(dir.path(), &[&wrong]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("28P01") && !text(&out).contains("not-the-password"),
        "{}",
        text(&out)
    );
}

/// A faithful stand-in for OpenRouter's documented `GET /api/v1/key`: a Bearer key, the
/// documented fields, 401 with the documented error shape for any other key.
fn openrouter(key: &'static str, data: &'static str) -> HttpServer {
    HttpServer::start(move |r| {
        if r.url != "/api/v1/key" {
            return Reply::json(404, r#"{"error":{"message":"Not Found","code":404}}"#);
        }
        if r.header("authorization") != Some(&format!("Bearer {key}")) {
            return Reply::json(
                401,
                r#"{"error":{"message":"No auth credentials found","code":401}}"#,
            );
        }
        Reply::json(200, &format!("{{\"data\":{data}}}"))
    })
}

#[test]
fn openrouter_credit_thresholds() {
    const KEY: &str = "sk-or-v1-5e1f0c0ffee5e1f0c0ffee5e1f0c0ffee5e1f0c0ffee5e1f0c0ffee0123";
    let low = openrouter(
        KEY,
        r#"{"label":"sk-or-v1-5e1...123","limit":100,"limit_remaining":4.5,"limit_reset":"monthly","usage":95.5,"usage_daily":3.25,"usage_weekly":20,"usage_monthly":95.5,"is_free_tier":false,"is_provisioning_key":false,"include_byok_in_limit":false,"rate_limit":{"requests":1000,"interval":"1h","note":"This field is deprecated and safe to ignore."}}"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let config = |url: &str| {
        format!(
            "[[health-probe.targets]]\nname = \"openrouter\"\nkind = \"openrouter\"\nurl = \"{url}/api/v1/key\"\ntoken = \"${{OPENROUTER_API_KEY}}\"\ncredit_warning = 10\ncredit_critical = 2\n"
        )
    };
    std::fs::write(dir.path().join("opskit.toml"), config(&low.url())).unwrap();
    let with_key = |key: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_health-probe"))
            .current_dir(dir.path())
            .args(args)
            .env("OPENROUTER_API_KEY", key)
            .env_remove("OPSKIT_FORMAT")
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap()
    };
    let out = with_key(KEY, &["-f", "prometheus"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let prom = text(&out);
    assert!(
        prom.contains("openrouter_key_limit_remaining_dollars{target=\"openrouter\"} 4.5"),
        "{prom}"
    );
    assert!(!prom.contains(&KEY[12..]), "the key is never printed");
    // See: issue 19. Low credit reads as what it is, not like "down".
    let out = with_key(KEY, &["-f", "nagios"]);
    let line = text(&out);
    assert!(
        line.contains("up in ")
            && line.contains(
                "but $4.50 of credit left on the key (warning under $10.00, credit_warning)"
            ),
        "{line}"
    );
    let wrong = with_key(
        "sk-or-v1-0000000000000000000000000000000000000000000000000000000000000000",
        &[],
    );
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        text(&wrong).contains("refuses the key (401)"),
        "{}",
        text(&wrong)
    );
    let unlimited = openrouter(
        KEY,
        r#"{"label":"x","limit":null,"limit_remaining":null,"usage":1.5,"is_free_tier":false}"#,
    );
    std::fs::write(dir.path().join("opskit.toml"), config(&unlimited.url())).unwrap();
    let out = with_key(KEY, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// One target whose `${VAR}` is unset is UNKNOWN alone, with the variable named; the others
/// are probed. A forgotten DATABASE_URL must not blind the runbook's first five minutes.
// See: issue 19
#[test]
fn r19_an_unresolvable_target_is_unknown_alone() {
    let server = crate::health_server();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("opskit.toml"),
        format!(
            "[[health-probe.targets]]\nname = \"frontend\"\nurl = \"{}/api/health\"\n\n[[health-probe.targets]]\nname = \"database\"\nkind = \"postgres\"\nurl = \"${{OPSKIT_TEST_UNSET_DATABASE_URL}}\"\n",
            server.url()
        ),
    )
    .unwrap();
    let out = crate::run(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = report["checks"].as_array().unwrap();
    let by_name = |n: &str| checks.iter().find(|c| c["name"] == n).unwrap();
    assert_eq!(by_name("http:frontend")["status"], "OK", "{report}");
    let db = by_name("postgres:database");
    assert_eq!(db["status"], "UNKNOWN");
    let summary = db["summary"].as_str().unwrap();
    assert!(
        summary.contains("OPSKIT_TEST_UNSET_DATABASE_URL") && summary.contains("not set"),
        "{summary}"
    );
    assert_eq!(db["findings"][0]["rule"], "HP008");
    // --target picks the resolvable one alone: OK.
    let out = crate::run(dir.path(), &["--target", "frontend"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// Durations take units everywhere; a bare number keeps health-probe's milliseconds for one
/// release, with a note that says what to write instead.
// See: issue 19
#[test]
fn r19_durations_take_units_and_bare_milliseconds_say_so() {
    let server = crate::health_server();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/api/health", server.url());
    let out = crate::run(
        dir.path(),
        &[&url, "--timeout", "5s", "--latency-warning", "2s"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("warning:"),
        "{}",
        text(&out)
    );
    let out = crate::run(dir.path(), &[&url, "--timeout", "5000"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--timeout 5000: a bare number is read as milliseconds")
            && stderr.contains("write --timeout 5s"),
        "{stderr}"
    );
    // A latency over its threshold says which, and who set it.
    let slow = format!("{}/slow", server.url());
    let out = crate::run(
        dir.path(),
        &[&slow, "--latency-warning", "100ms", "--format", "nagios"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("is above the warning threshold 100ms (--latency-warning)"),
        "{}",
        text(&out)
    );
    let out = crate::run(
        dir.path(),
        &[&url, "--latency-warning", "2s", "--latency-critical", "1s"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("swap them"), "{}", text(&out));
    let out = crate::run(dir.path(), &[&url, "--timeout", "5 parsecs"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("unknown unit `parsecs`"),
        "{}",
        text(&out)
    );
}
