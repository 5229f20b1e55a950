//! Sentry's events of the job, through the documented API, against a faithful stand-in: by the
//! job-id tag and by the trace id its log lines carry; a refused token is UNKNOWN for that
//! check and never printed.

use testkit::{RedisServer, SENTRY_API_TOKEN, SentryApiStandIn, StoredEvent};

const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";

fn event(issue: &str, short: &str, title: &str, date: &str, job: &str, trace: &str) -> StoredEvent {
    StoredEvent {
        issue: issue.to_owned(),
        short_id: short.to_owned(),
        title: title.to_owned(),
        level: "error".to_owned(),
        date: date.to_owned(),
        tags: vec![
            ("job_id".to_owned(), job.to_owned()),
            ("queue".to_owned(), "emails".to_owned()),
        ],
        trace: trace.to_owned(),
    }
}

struct Setup {
    redis: RedisServer,
    sentry: SentryApiStandIn,
    _dir: tempfile::TempDir,
    log: std::path::PathBuf,
}

fn setup() -> Setup {
    let redis = RedisServer::start();
    redis.command(&[
        "HSET",
        "bull:emails:7",
        "name",
        "send",
        "timestamp",
        "1795748400000",
        "processedOn",
        "1795748400100",
        "finishedOn",
        "1795748400900",
        "atm",
        "1",
        "failedReason",
        "SMTP 554",
    ]);
    redis.command(&["ZADD", "bull:emails:failed", "1795748400900", "7"]);
    let one = "1".repeat(32);
    let sentry = SentryApiStandIn::start(
        "acme",
        "worker",
        vec![
            event(
                "4501",
                "WORKER-1A",
                "Error: SMTP 554",
                "2026-11-27T03:00:00.800Z",
                "7",
                &one,
            ),
            event(
                "4501",
                "WORKER-1A",
                "Error: SMTP 554",
                "2026-11-27T03:00:00.850Z",
                "7",
                &one,
            ),
            event(
                "4502",
                "WORKER-1B",
                "Error: another job",
                "2026-11-27T03:00:00.500Z",
                "70",
                &"2".repeat(32),
            ),
            event(
                "4503",
                "WEB-9",
                "TypeError: fetch failed",
                "2026-11-27T02:59:59.900Z",
                "",
                TRACE,
            ),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("worker.log");
    std::fs::write(
        &log,
        format!("{{\"level\":50,\"time\":1795748400850,\"jobId\":\"7\",\"traceId\":\"{TRACE}\",\"msg\":\"send failed\"}}\n"),
    )
    .unwrap();
    Setup {
        redis,
        sentry,
        _dir: dir,
        log,
    }
}

fn run(s: &Setup, token: &str) -> (testkit::Run, serde_json::Value) {
    let r = testkit::cli(env!("CARGO_BIN_EXE_job-trace"))
        .args(["--url", &s.redis.url(), "emails", "7", "--logs"])
        .arg(&s.log)
        .args([
            "--sentry-org",
            "acme",
            "--sentry-project",
            "worker",
            "--sentry-url",
            &s.sentry.url(),
            "--format",
            "json",
        ])
        .env("SENTRY_AUTH_TOKEN", token)
        .run();
    let report = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.text()));
    (r, report)
}

fn check(report: &serde_json::Value, name: &str) -> serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check: {report:#}"))
        .clone()
}

#[test]
fn events_tagged_with_the_job_or_its_trace_join_the_timeline() {
    let s = setup();
    let (r, report) = run(&s, SENTRY_API_TOKEN);
    assert_eq!(r.code, 2, "{}", r.text());
    let sentry = check(&report, "sentry");
    assert_eq!(sentry["status"], "OK", "{sentry:#}");
    assert!(
        sentry["summary"]
            .as_str()
            .unwrap()
            .starts_with("2 issues, 3 events"),
        "{sentry:#}"
    );
    let timeline = check(&report, "timeline");
    let titles: Vec<&str> = timeline["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "JT032")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(
        titles[0].contains("TypeError: fetch failed") && titles[0].contains("WEB-9"),
        "in time order: {titles:?}"
    );
    assert!(
        titles.iter().all(|t| !t.contains("another job")),
        "job 70 is not job 7: {titles:?}"
    );
    // Both searches went out, with the token as a bearer.
    let urls: Vec<String> = s.sentry.requests().iter().map(|r| r.url.clone()).collect();
    assert!(
        urls.iter().any(|u| u.contains("query=job_id%3A%227%22")),
        "{urls:?}"
    );
    assert!(
        urls.iter()
            .any(|u| u.contains(&format!("query=trace%3A{TRACE}"))),
        "{urls:?}"
    );
    assert!(!r.text().contains(SENTRY_API_TOKEN));
}

#[test]
fn a_refused_token_is_unknown_for_sentry_and_never_shown() {
    let s = setup();
    let bad = "sntryu_ffffffffffffffffffffffffffffffffffffffffffffffffffff";
    let (r, report) = run(&s, bad);
    let sentry = check(&report, "sentry");
    assert_eq!(sentry["status"], "UNKNOWN", "{sentry:#}");
    let summary = sentry["summary"].as_str().unwrap();
    assert!(
        summary.contains("HTTP 401") && summary.contains("project:read"),
        "{sentry:#}"
    );
    assert!(!r.text().contains(bad), "{}", r.text());
    // No token at all is a usage fault with the way out.
    let r = testkit::cli(env!("CARGO_BIN_EXE_job-trace"))
        .args([
            "--url",
            &s.redis.url(),
            "emails",
            "7",
            "--sentry-org",
            "acme",
            "--sentry-project",
            "worker",
        ])
        .env_remove("SENTRY_AUTH_TOKEN")
        .run();
    assert_eq!(r.code, 3, "{}", r.text());
    assert!(r.text().contains("SENTRY_AUTH_TOKEN"), "{}", r.text());
}
