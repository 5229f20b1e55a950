//! The binary on real jobs: exit codes by state, the timeline with the worker's and the
//! frontend's pino lines, redacted data, failure grouping, every format.

use testkit::RedisServer;

fn run(url: &str, args: &[&str]) -> testkit::Run {
    testkit::cli(env!("CARGO_BIN_EXE_job-trace"))
        .arg("--url")
        .arg(url)
        .args(args)
        .run()
}

#[test]
fn exit_codes_timeline_data_and_grouping() {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let made = crate::scenario("bullmq6", redis.port(), &log);
    let url = redis.url();
    exit_codes(&made, &url);
    timeline(&made, &url, &log.display().to_string());
    data_and_grouping(&made, &url);
}

fn exit_codes(made: &crate::Scenario, url: &str) {
    // Exit codes: 0 completed, 2 failed, 1 stalled or waiting too long, 3 not found.
    for (key, extra, code) in [
        ("completed", &[][..], 0),
        ("failed", &[][..], 2),
        ("stalled", &[][..], 1),
        ("active", &[][..], 0),
        ("waiting", &[][..], 0),
        ("waiting", &["--wait-warning", "1ms"][..], 1),
        ("delayed", &["--wait-warning", "1ms"][..], 0),
        ("parent", &[][..], 0),
    ] {
        let (queue, id) = made.at(key);
        let mut args = vec![queue.as_str(), id.as_str()];
        args.extend(extra);
        let r = run(url, &args);
        assert_eq!(r.code, code, "{key} {extra:?}: {}", r.text());
    }
    let (queue, _) = made.at("completed");
    let r = run(url, &[&queue, "9999"]);
    assert_eq!(r.code, 3, "{}", r.text());
    assert!(r.stdout.contains("JT004"), "{}", r.stdout);
    let r = run(url, &["no-such-queue", "1"]);
    assert_eq!(r.code, 3);
    assert!(r.stdout.contains("no queue by that name"), "{}", r.stdout);
}

fn timeline(made: &crate::Scenario, url: &str, log_arg: &str) {
    // The failed job with the worker's and the frontend's log lines, as JSON.
    let (queue, id) = made.at("failed");
    let r = run(url, &[&queue, &id, "--logs", log_arg, "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.text());
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let timeline = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "timeline")
        .unwrap();
    let lines: Vec<&serde_json::Value> = timeline["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "JT031")
        .collect();
    let said = |needle: &str| {
        lines
            .iter()
            .filter(|f| f["message"].as_str().unwrap().contains(needle))
            .count()
    };
    assert_eq!(
        said("[worker] processing"),
        3,
        "one per attempt: {lines:#?}"
    );
    assert_eq!(said("[worker] charge failed"), 3, "{lines:#?}");
    assert_eq!(said("[web] enqueued"), 1, "{lines:#?}");
    // The request that enqueued it names no job: it is found by the requestId the job carries.
    assert_eq!(said("[web] POST /api/jobs"), 1, "{lines:#?}");
    let events: Vec<&str> = timeline["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "JT030")
        .map(|f| f["properties"]["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events.iter().filter(|e| **e == "active").count(),
        3,
        "{events:?}"
    );
    assert!(events.contains(&"retries-exhausted"), "{events:?}");
    // Entries are in time order.
    let times: Vec<&str> = timeline["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["time"].as_str())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
}

fn data_and_grouping(made: &crate::Scenario, url: &str) {
    // --data shows the data, the API key only as a prefix and a fingerprint.
    let (queue, id) = made.at("completed");
    let r = run(url, &[&queue, &id, "--data"]);
    assert_eq!(r.code, 0, "{}", r.text());
    assert!(
        r.stdout.contains("a@example.com") && r.stdout.contains("JT014"),
        "{}",
        r.stdout
    );
    assert!(
        !r.text().contains("sk-live-0123456789abcdefABCDEF"),
        "{}",
        r.text()
    );
    let r = run(url, &[&queue, &id]);
    assert!(
        !r.stdout.contains("a@example.com"),
        "data only with --data: {}",
        r.stdout
    );

    // --failed: the two declined charges are one cause.
    let r = run(
        url,
        &[&queue, "--failed", "--since", "1h", "--format", "json"],
    );
    assert_eq!(r.code, 2, "{}", r.text());
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let causes = report["checks"][0]["findings"].as_array().unwrap();
    assert_eq!(causes.len(), 1, "{causes:#?}");
    assert_eq!(causes[0]["properties"]["count"], "2");
    assert_eq!(causes[0]["properties"]["names"], "charge ×2");
    let r = run(url, &[&queue, "--failed", "--name", "nothing-by-this-name"]);
    assert_eq!(r.code, 0, "{}", r.text());

    // Every format renders, with the failed job's status.
    let (queue, id) = made.at("failed");
    for format in [
        "human",
        "json",
        "nagios",
        "prometheus",
        "sarif",
        "junit",
        "github",
    ] {
        let r = run(url, &[&queue, &id, "--format", format]);
        assert_eq!(r.code, 2, "{format}: {}", r.text());
        assert!(!r.stdout.is_empty(), "{format}");
    }
}

#[test]
fn logs_from_stdin_and_a_missing_file() {
    let redis = RedisServer::start();
    redis.command(&[
        "HSET",
        "bull:q:7",
        "name",
        "x",
        "timestamp",
        "1795748400000",
    ]);
    redis.command(&["ZADD", "bull:q:completed", "1795748401000", "7"]);
    let input = "{\"level\":30,\"time\":1795748400500,\"jobId\":\"7\",\"msg\":\"hello\"}\nnoise\n";
    let r = testkit::cli(env!("CARGO_BIN_EXE_job-trace"))
        .args(["--url", &redis.url(), "q", "7", "--logs", "-"])
        .stdin(input)
        .run();
    assert_eq!(r.code, 0, "{}", r.text());
    assert!(
        r.stdout.contains("logs:-") && r.stdout.contains("1 of 2 lines"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("hello"), "{}", r.stdout);
    let r = run(&redis.url(), &["q", "7", "--logs", "/no/such/file.log"]);
    assert_eq!(r.code, 3, "{}", r.text());
    assert!(
        r.stdout.contains("cannot read /no/such/file.log"),
        "{}",
        r.stdout
    );
}
