//! `--watch` (flap damping, the history) and the `serve` exporter.

use super::Child;
use super::health_server;
use super::run;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use testkit::output_text as text;
use testkit::{HttpServer, Reply};

#[test]
fn watch_damps_flaps_and_keeps_a_history() {
    // The server's script: one blip, then a real outage of three probes, then recovery.
    let script = [200u16, 500, 200, 500, 500, 500, 200, 200, 200];
    let calls = Arc::new(Mutex::new(0usize));
    let c = Arc::clone(&calls);
    let server = HttpServer::start(move |_| {
        let mut n = c.lock().unwrap();
        let status = script[(*n).min(script.len() - 1)];
        *n += 1;
        Reply::new(status, "x")
    });
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            &server.url(),
            "--watch",
            "0.05",
            "--count",
            "9",
            "--down-after",
            "3",
            "--up-after",
            "2",
            "--history",
            "history.jsonl",
            "-f",
            "json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "the last round is up: {}",
        text(&out)
    );
    let history = std::fs::read_to_string(dir.path().join("history.jsonl")).unwrap();
    let states: Vec<String> = history
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["state"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        states,
        ["down", "up"],
        "the single 500 did not count: {history}"
    );
    // --format json with --watch: one JSON line per check per round.
    let last: serde_json::Value = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<serde_json::Value>()
        .map(Result::unwrap)
        .filter(|v| v["check"] != "changes")
        .last()
        .unwrap();
    assert!(
        last["summary"].as_str().unwrap().contains("uptime"),
        "{last}"
    );
    assert!(last["metrics"]["success"].is_number(), "{last}");
}

#[test]
fn the_exporter_probes_on_scrape() {
    let server = health_server();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("opskit.toml"), format!("[[health-probe.targets]]\nname = \"api\"\nurl = \"{}/api/health\"\njson = ['status == \"ok\"']\n", server.url())).unwrap();
    let port = testkit::free_port();
    let _exporter = Child(
        Command::new(env!("CARGO_BIN_EXE_health-probe"))
            .current_dir(dir.path())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .spawn()
            .unwrap(),
    );
    let get = |path: &str| {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            match opskit::probe::http::probe(&opskit::probe::http::Request::get(format!(
                "http://127.0.0.1:{port}{path}"
            ))) {
                Ok(r) => return (r.status, String::from_utf8(r.body).unwrap()),
                Err(e) => {
                    assert!(
                        std::time::Instant::now() < deadline,
                        "the exporter did not answer: {e}"
                    );
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    };
    let (status, body) = get("/probe?target=api");
    assert_eq!(status, 200, "{body}");
    let parsed = opskit::probe::prometheus::parse(&body);
    assert!(parsed.errors.is_empty(), "{:?}\n{body}", parsed.errors);
    let success =
        opskit::probe::prometheus::Selector::parse(r#"probe_success{target="api"}"#).unwrap();
    assert_eq!(parsed.sum(&success), Some(1.0), "{body}");
    let (_, body) = get(&format!(
        "/probe?target={}%2Fnothing",
        server.url().replace(':', "%3A").replace('/', "%2F")
    ));
    assert_eq!(
        opskit::probe::prometheus::parse(&body)
            .sum(&opskit::probe::prometheus::Selector::parse("probe_success").unwrap()),
        Some(0.0),
        "an ad hoc URL that answers 503: {body}"
    );
    let (status, _) = get("/probe");
    assert_eq!(status, 400);
    // A typo is a scrape configuration mistake, not a target that is down.
    let (status, body) = get("/probe?target=apii");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("did you mean `api`?"), "{body}");
    let (status, body) = get("/probe?target=ftp://example.com");
    assert_eq!(status, 400, "{body}");
    let (status, metrics) = get("/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("health_probe_exporter_probes_total{target=\"api\"} 1"),
        "{metrics}"
    );
    assert_eq!(get("/health").0, 200);
}
