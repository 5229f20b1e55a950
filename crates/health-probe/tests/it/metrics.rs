//! Conditions on a Prometheus metrics endpoint, with a real prom-client worker.

use super::Child;
use super::run;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use testkit::output_text as text;
use testkit::{HttpServer, Reply};

#[test]
fn conditions_on_a_metrics_endpoint() {
    // A prom-client style /metrics whose failed counter grows by 3 per scrape.
    let scrapes = Arc::new(Mutex::new(0u32));
    let s = Arc::clone(&scrapes);
    let server = HttpServer::start(move |_| {
        let mut n = s.lock().unwrap();
        *n += 1;
        let failed = 10 + 3 * *n;
        Reply::new(200, format!("# HELP agent_jobs_total Jobs.\n# TYPE agent_jobs_total counter\nagent_jobs_total{{status=\"failed\"}} {failed}\nagent_jobs_total{{status=\"completed\"}} 500\n# TYPE agent_job_duration_seconds histogram\nagent_job_duration_seconds_bucket{{le=\"1\"}} 80\nagent_job_duration_seconds_bucket{{le=\"10\"}} 100\nagent_job_duration_seconds_bucket{{le=\"+Inf\"}} 100\n"))
            .header("Content-Type", "text/plain; version=0.0.4")
    });
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/metrics", server.url());
    let ok = run(
        dir.path(),
        &[
            &url,
            "--metric",
            "quantile(0.95, agent_job_duration_seconds) < 10",
            "--metric",
            r#"agent_jobs_total{status="completed"} >= 500"#,
            "-f",
            "prometheus",
        ],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(
        text(&ok).contains("health_probe_metric_value{"),
        "{}",
        text(&ok)
    );
    // p95 = 1 + 9 * (95 - 80) / 20 = 7.75
    let slow = run(
        dir.path(),
        &[
            &url,
            "--metric",
            "quantile(0.95, agent_job_duration_seconds) < 5",
        ],
    );
    assert_eq!(slow.status.code(), Some(2));
    assert!(
        text(&slow).contains("HP006") && text(&slow).contains("is 7.75"),
        "{}",
        text(&slow)
    );
    std::fs::write(dir.path().join("opskit.toml"), format!("[[health-probe.targets]]\nname = \"worker-metrics\"\nurl = \"{url}\"\nmetrics = ['rate(agent_jobs_total{{status=\"failed\"}}) < 1']\nrate_interval_ms = 300\n")).unwrap();
    let rate = run(dir.path(), &[]);
    assert_eq!(
        rate.status.code(),
        Some(2),
        "3 failures in 0.3 s is 10/s: {}",
        text(&rate)
    );
    assert!(
        text(&rate).contains("rate(agent_jobs_total"),
        "{}",
        text(&rate)
    );
}

#[test]
fn a_real_prom_client_worker_parses_and_meets_its_conditions() {
    let tools = testkit::test_tools_dir();
    assert!(
        tools.join("node_modules/prom-client").is_dir(),
        "prom-client is missing: run `npm ci --prefix {}` (scripts/test.sh does it)",
        tools.display()
    );
    let port = testkit::free_port();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/worker/metrics-worker.js");
    let _worker = Child(
        Command::new("node")
            .arg(&script)
            .env("PORT", port.to_string())
            .env("TEST_TOOLS", &tools)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run node ({e}); install Node.js 20")),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let dir = tempfile::tempdir().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    std::fs::write(
        dir.path().join("opskit.toml"),
        format!(
            r#"[[health-probe.targets]]
name = "worker"
url = "{base}/health"
json = ['status == "ok"', 'checks.redis == "up"', 'uptime >= 0']

[[health-probe.targets]]
name = "worker-metrics"
url = "{base}/metrics"
metrics = [
  'quantile(0.95, worker_job_duration_seconds) < 10',
  'quantile(0.5, worker_job_duration_seconds) < 0.5',
  'worker_jobs_processed_total{{outcome="failed"}} < 5',
  'process_cpu_user_seconds_total >= 0',
  'nodejs_eventloop_lag_seconds < 5',
]

[[health-probe.targets]]
name = "worker-openmetrics"
url = "{base}/metrics/openmetrics"
metrics = ['quantile(0.95, worker_job_duration_seconds) < 10', 'worker_jobs_processed_total{{outcome="completed"}} == 96']
"#
        ),
    )
    .unwrap();
    let out = run(dir.path(), &["-f", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "no condition fails and every exposition line parses: {}",
        text(&out)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p95 = json["checks"][1]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["label"] == "quantile(0.95, worker_job_duration_seconds) < 10")
        .unwrap()["value"]
        .as_f64()
        .unwrap();
    assert!(
        (p95 - 7.5).abs() < 1e-9,
        "p95 from prom-client's buckets: {p95}"
    );
    let out = run(
        dir.path(),
        &[
            &format!("{base}/metrics"),
            "--metric",
            "quantile(0.95, worker_job_duration_seconds) < 5",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}
