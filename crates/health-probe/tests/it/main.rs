//! health-probe end to end, against real servers: testkit's HTTP server, `openssl s_server`
//! for TLS, a real redis-server.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

mod transcripts;

use testkit::output_text as text;
use testkit::{HttpServer, RedisServer, Reply, TlsServer};

fn run(dir: &Path, args: &[&str]) -> Output {
    testkit::cli(env!("CARGO_BIN_EXE_health-probe"))
        .dir(dir)
        .args(args)
        .output()
}

fn health_server() -> HttpServer {
    HttpServer::start(|r| match r.url.as_str() {
        "/api/health" => Reply::json(
            200,
            r#"{"status":"ok","checks":{"redis":"up","db":"down"},"uptime":120}"#,
        ),
        "/slow" => Reply::new(200, "ok").delayed(Duration::from_millis(400)),
        "/moved" => Reply::new(302, "").header("Location", "/api/health"),
        _ => Reply::new(503, "down"),
    })
}

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
fn tls_expiry_and_trust() {
    let server = TlsServer::start();
    let dir = tempfile::tempdir().unwrap();
    let ca = server.ca_file().display().to_string();
    // The test certificate lives two days: under the default 7-day critical threshold.
    let out = run(dir.path(), &[&server.url(), "--cacert", &ca]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("HP005") && text(&out).contains("critical under 7"),
        "{}",
        text(&out)
    );
    std::fs::write(dir.path().join("opskit.toml"), format!("[[health-probe.targets]]\nname = \"site\"\nurl = \"{}\"\nca_file = \"{ca}\"\ncert_warning_days = 3\ncert_critical_days = 1\n", server.url())).unwrap();
    let out = run(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let untrusted = run(dir.path(), &[&server.url()]);
    assert_eq!(untrusted.status.code(), Some(2));
    assert!(text(&untrusted).contains("TLS"), "{}", text(&untrusted));
}

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
    let last: serde_json::Value = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<serde_json::Value>()
        .map(Result::unwrap)
        .last()
        .unwrap();
    assert!(
        last["checks"][0]["summary"]
            .as_str()
            .unwrap()
            .contains("uptime"),
        "{last}"
    );
}

/// Kills the exporter when the test ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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
    let (status, metrics) = get("/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("health_probe_exporter_probes_total{target=\"api\"} 1"),
        "{metrics}"
    );
    assert_eq!(get("/health").0, 200);
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

#[test]
fn an_expired_certificate_is_down_and_says_so() {
    let server = TlsServer::start_expired();
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            &server.url(),
            "--cacert",
            &server.ca_file().display().to_string(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("HP001") && text(&out).to_lowercase().contains("expired"),
        "{}",
        text(&out)
    );
}

/// `--notify` and `--cron-monitor` through a real monitor: only changes are sent, a recovery
/// resolves, a notification target that is down never changes the probe's exit code, and a
/// run wrapped in check-ins reaches Sentry Crons with one check-in id and its duration.
#[test]
fn notifications_follow_status_changes_and_never_change_the_exit_code() {
    use std::sync::atomic::{AtomicU16, Ordering};
    let status = Arc::new(AtomicU16::new(200));
    let s = Arc::clone(&status);
    let app = HttpServer::start(move |_| Reply::new(s.load(Ordering::SeqCst), "x"));
    let slack = testkit::SlackStandIn::start(false);
    let pager = testkit::PagerDutyStandIn::start();
    let sentry = testkit::SentryStandIn::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("opskit.toml"),
        format!(
            "[notify]\nstate_file = \"notify.json\"\ntimeout_ms = 2000\n\n[notify.targets.slack]\nkind = \"slack\"\nwebhook_url = \"{}\"\n\n[notify.targets.pager]\nkind = \"pagerduty\"\nrouting_key = \"{}\"\nurl = \"{}\"\n\n[notify.targets.gone]\nkind = \"slack\"\nwebhook_url = \"http://127.0.0.1:{}/services/T/B/X\"\n\n[notify.targets.sentry]\nkind = \"sentry\"\ndsn = \"{}\"\n",
            slack.webhook_url(),
            testkit::PAGERDUTY_KEY,
            pager.url(),
            testkit::free_port(),
            sentry.dsn()
        ),
    )
    .unwrap();
    let url = format!("{}/health", app.url());
    let probe = |extra: &[&str]| {
        let mut args = vec![url.as_str(), "--notify", "slack", "--notify", "pager"];
        args.extend_from_slice(extra);
        run(dir.path(), &args)
    };
    let out = probe(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        slack.messages().is_empty(),
        "OK at the first run: nothing to say"
    );
    status.store(503, Ordering::SeqCst);
    let out = probe(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(slack.messages().len(), 1);
    assert_eq!(pager.open().len(), 1);
    let out = probe(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(slack.messages().len(), 1, "CRITICAL again: no second alert");
    assert_eq!(pager.events().len(), 1);
    status.store(200, Ordering::SeqCst);
    let out = probe(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(slack.messages().len(), 2);
    assert!(pager.open().is_empty(), "resolved");
    // A target that is down: reported on stderr, exit code unchanged.
    status.store(503, Ordering::SeqCst);
    let out = probe(&["--notify", "gone"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: gone: 1 change(s) not delivered"),
        "{stderr}"
    );
    assert_eq!(slack.messages().len(), 3);

    // Sentry Crons around a run: in_progress, then error (the target is down), one id.
    let out = run(
        dir.path(),
        &[
            &url,
            "--cron-monitor",
            "health-probe",
            "--cron-schedule",
            "*/5 * * * *",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let check_ins = sentry.items("check_in");
    assert_eq!(check_ins.len(), 2, "{check_ins:?}");
    assert_eq!(check_ins[0]["status"], "in_progress");
    assert_eq!(check_ins[1]["status"], "error");
    assert_eq!(check_ins[0]["check_in_id"], check_ins[1]["check_in_id"]);
    assert_eq!(check_ins[0]["monitor_slug"], "health-probe");
    assert!(check_ins[1]["duration"].as_f64().unwrap() >= 0.0);
    assert!(check_ins[0].get("duration").is_none());
    assert_eq!(
        check_ins[1]["monitor_config"]["schedule"],
        serde_json::json!({"type": "crontab", "value": "*/5 * * * *"})
    );
    status.store(200, Ordering::SeqCst);
    let out = run(dir.path(), &[&url, "--cron-monitor", "health-probe"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(sentry.items("check_in")[3]["status"], "ok");
    // A bad schedule is reported, and the probe still runs and decides the exit code.
    let out = run(
        dir.path(),
        &[&url, "--cron-monitor", "x", "--cron-schedule", "soon"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a crontab schedule"));
}
