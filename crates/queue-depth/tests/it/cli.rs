//! The binary end to end: flags, exit codes, formats, state, failed jobs, watch, serve and the
//! seed's shim.

use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use testkit::{RedisServer, UpstashStandIn};

use crate::{bin, fill, output};

#[test]
fn help_and_version() {
    let (code, stdout, _) = output(bin().arg("--help"));
    assert_eq!(code, 0);
    for needle in [
        "--warning",
        "--stalled-critical",
        "Examples:",
        "queue-depth serve",
        "Exit codes",
    ] {
        assert!(stdout.contains(needle), "--help lacks {needle}");
    }
    let (code, stdout, _) = output(bin().arg("--version"));
    assert_eq!(
        (code, stdout.trim()),
        (0, concat!("queue-depth ", env!("CARGO_PKG_VERSION")))
    );
}

#[test]
fn usage_errors_are_unknown() {
    let (code, _, stderr) = output(bin().arg("--warnnig").arg("5"));
    assert_eq!(code, 3, "{stderr}");
    let (code, _, stderr) = output(bin().args(["-w", "20:10"]));
    assert_eq!(code, 3);
    assert!(stderr.contains("greater than the end"), "{stderr}");
}

#[test]
fn nothing_to_read_says_every_way_to_set_it() {
    let (code, stdout, _) = output(&mut bin());
    assert_eq!(code, 3);
    for needle in [
        "REDIS_URL",
        "UPSTASH_REDIS_REST_URL",
        "UPSTASH_REDIS_REST_TOKEN",
        "opskit.toml",
        "--url",
    ] {
        assert!(stdout.contains(needle), "{needle} missing from: {stdout}");
    }
}

#[test]
fn thresholds_decide_the_exit_code() {
    let redis = RedisServer::start();
    let _filled = fill("bullmq6", redis.port());
    // main-bullmq6: 3 waiting + 2 prioritized = depth 5.
    // The fixture's one stalled job is CRITICAL by default; these runs tolerate it to look at
    // the other thresholds.
    let run = |args: &[&str]| {
        output(
            bin()
                .args(["--queue", "main-bullmq6", "--stalled-critical", "1"])
                .args(args)
                .env("REDIS_URL", redis.url()),
        )
    };
    assert_eq!(run(&[]).0, 0);
    assert_eq!(run(&["-w", "4", "-c", "10"]).0, 1);
    assert_eq!(run(&["-w", "2", "-c", "4"]).0, 2);
    assert_eq!(run(&["-w", "@5:5"]).0, 1, "Nagios inside ranges work");
    let default = output(
        bin()
            .args(["--queue", "main-bullmq6", "--format", "nagios"])
            .env("REDIS_URL", redis.url()),
    );
    assert_eq!(
        default.0, 2,
        "one stalled job is CRITICAL by default: {}",
        default.1
    );
    assert!(
        default.1.contains(
            "stalled 1 is above the critical threshold 0 (default of --stalled-critical)"
        ),
        "the status line says which threshold: {}",
        default.1
    );
    let (code, out, err) = run(&["-w", "2000", "-c", "1000"]);
    assert_eq!(
        code, 3,
        "a warning that could never fire is a usage error: {out}{err}"
    );
    assert!(format!("{out}{err}").contains("swap them"), "{out}{err}");
    assert_eq!(run(&["--age-warning", "0s"]).0, 1, "jobs are older than 0s");
    assert_eq!(run(&["--age-critical", "1h"]).0, 0, "a duration works");
    assert_eq!(run(&["--failed-warning", "1"]).0, 1, "two failed jobs");
    assert_eq!(
        run(&["--age-critical", "3600"]).0,
        0,
        "jobs are seconds old"
    );
    let (code, stdout, _) = run(&["--format", "nagios", "-w", "4", "-c", "10"]);
    assert_eq!(code, 1);
    let first = stdout.lines().next().unwrap();
    assert!(first.starts_with("QUEUE-DEPTH WARNING - "), "{first}");
    assert!(
        first.contains("queue:main-bullmq6.depth=5;4;10;0"),
        "{first}"
    );
    assert!(
        first.contains("queue:main-bullmq6.stalled=1;;1;0"),
        "{first}"
    );
    assert!(
        first.contains("depth 5 is above the warning threshold 4 (--warning)"),
        "Nagios' status line says which threshold broke: {first}"
    );
}

#[test]
fn human_output_is_a_table_per_queue() {
    let redis = RedisServer::start();
    let _filled = fill("bullmq5", redis.port());
    let (code, stdout, _) = output(
        bin()
            .args(["--prefix", "bull", "--prefix", "myapp", "--color", "never"])
            .env("REDIS_URL", redis.url()),
    );
    assert_eq!(code, 2, "a stalled job is CRITICAL: {stdout}");
    assert!(
        stdout.contains("queue paused (default, --paused-ok accepts it)"),
        "{stdout}"
    );
    for needle in [
        "queue:bull:main-bullmq5",
        "queue:bull:paused-bullmq5",
        "queue:myapp:custom-bullmq5",
        "PAUSED",
        "1 stalled",
        "waiting-children",
        "poll",
    ] {
        assert!(stdout.contains(needle), "{needle} missing:\n{stdout}");
    }
}

#[test]
fn prometheus_output_mirrors_bullmq_exporter_names_and_passes_promtool() {
    let redis = RedisServer::start();
    let _filled = fill("bullmq6", redis.port());
    let (code, stdout, _) = output(
        bin()
            .args(["--format", "prometheus"])
            .env("REDIS_URL", redis.url()),
    );
    assert_eq!(code, 2, "the fixture's stalled job is CRITICAL");
    for needle in [
        "# TYPE bullmq_job_count gauge",
        "bullmq_job_count{queue=\"main-bullmq6\",state=\"waiting\",prefix=\"bull\"} 3",
        "bullmq_job_count{queue=\"main-bullmq6\",state=\"waiting-children\",prefix=\"bull\"} 1",
        "bullmq_stalled_jobs{queue=\"main-bullmq6\",prefix=\"bull\"} 1",
        "bullmq_queue_paused{queue=\"paused-bullmq6\",prefix=\"bull\"} 1",
        "# TYPE bullmq_oldest_waiting_job_age_seconds gauge",
    ] {
        assert!(stdout.contains(needle), "{needle} missing:\n{stdout}");
    }
    let (_, said) = testkit::promtool_check(&stdout);
    // `bullmq_job_count` is BullMQ's own name (Queue.exportPrometheusMetrics), kept so existing
    // dashboards work; promtool's naming lint flags its `_count` suffix, and nothing else may
    // be flagged.
    let problems: Vec<&str> = said
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("bullmq_job_count non-histogram"))
        .collect();
    assert!(problems.is_empty(), "promtool: {said}");
}

#[test]
fn an_unknown_queue_name_is_unknown() {
    let redis = RedisServer::start();
    let (code, stdout, _) = output(
        bin()
            .args(["--queue", "emials", "--format", "nagios"])
            .env("REDIS_URL", redis.url()),
    );
    assert_eq!(code, 3, "{stdout}");
    assert!(
        stdout.contains("QD001") && stdout.contains("no producer has used this queue name"),
        "{stdout}"
    );
}

#[test]
fn an_empty_redis_is_unknown_not_ok() {
    let redis = RedisServer::start();
    let (code, stdout, _) = output(bin().arg("--format=nagios").env("REDIS_URL", redis.url()));
    assert_eq!(code, 3, "{stdout}");
    assert!(
        stdout.contains("no queues found under prefix bull"),
        "{stdout}"
    );
}

#[test]
fn failed_growth_uses_the_state_file() {
    let redis = RedisServer::start();
    let _filled = fill("bullmq6", redis.port());
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let run = || {
        output(
            bin()
                .args([
                    "--queue",
                    "main-bullmq6",
                    "--failed-growth-warning",
                    "0",
                    "--stalled-critical",
                    "1",
                    "--format",
                    "nagios",
                    "--state",
                ])
                .arg(&state)
                .env("REDIS_URL", redis.url()),
        )
    };
    let (code, stdout, _) = run();
    assert_eq!(code, 0, "first run has nothing to compare: {stdout}");
    assert!(state.is_file());
    // Two more failed jobs appear.
    redis.command(&["ZADD", "bull:main-bullmq6:failed", "1", "x1", "2", "x2"]);
    let (code, stdout, _) = run();
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("+2 failed since last run"), "{stdout}");
    let (code, _, _) = run();
    assert_eq!(code, 0, "no growth since");
    let (code, _, stderr) = output(
        bin()
            .args(["--queue", "q", "--failed-growth-warning", "0"])
            .env("REDIS_URL", redis.url()),
    );
    assert_eq!(code, 3, "growth without --state is a usage error: {stderr}");
}

#[test]
fn failed_subcommand_shows_reasons_not_data() {
    let redis = RedisServer::start();
    let _filled = fill("bull", redis.port());
    let (code, stdout, _) = output(
        bin()
            .args(["failed", "main-bull", "--limit", "5"])
            .env("REDIS_URL", redis.url()),
    );
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(stdout.matches("QD010").count(), 2, "{stdout}");
    assert!(
        stdout.contains("`boom`")
            && stdout.contains("2 attempts")
            && stdout.contains("reason: boom"),
        "{stdout}"
    );
    assert!(!stdout.contains("\"n\""), "job data leaked: {stdout}");
    // A queue that does not exist has no failed jobs because it has nothing: UNKNOWN, not OK.
    let (code, stdout, _) = output(
        bin()
            .args(["failed", "agent-task", "--format", "nagios"])
            .env("REDIS_URL", redis.url()),
    );
    assert_eq!(code, 3, "{stdout}");
    assert!(
        stdout.contains("no queue bull:agent-task") && stdout.contains("QD001"),
        "{stdout}"
    );
}

#[test]
fn watch_prints_one_line_per_poll_off_a_terminal() {
    let redis = RedisServer::start();
    let _filled = fill("bullmq6", redis.port());
    let (code, stdout, _) = output(
        bin()
            .args([
                "--queue",
                "main-bullmq6",
                "--stalled-critical",
                "1",
                "--watch",
                "200ms",
                "--watch-count",
                "3",
            ])
            .env("REDIS_URL", redis.url()),
    );
    assert_eq!(code, 0);
    // One line per check per round, with the numbers: the queue and the poll, three rounds.
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{stdout}");
    for l in &lines {
        assert!(
            l.len() > 20 && l.as_bytes()[4] == b'-' && l.contains("Z OK "),
            "{l}"
        );
    }
    let queue: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains(" queue:main-bullmq6 "))
        .collect();
    assert_eq!(queue.len(), 3, "{stdout}");
    assert!(
        queue[0].contains(" depth=5 ") && queue[0].contains(" failed=2 "),
        "{}",
        queue[0]
    );
    // With --format json, JSON lines with the change since the previous round.
    let (code, stdout, _) = output(
        bin()
            .args([
                "--queue",
                "main-bullmq6",
                "--stalled-critical",
                "1",
                "--watch",
                "200ms",
            ])
            .args(["--watch-count", "2", "--format", "json"])
            .env("REDIS_URL", redis.url()),
    );
    assert_eq!(code, 0);
    let rounds: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["check"] == "queue:main-bullmq6")
        .collect();
    assert_eq!(rounds.len(), 2, "{stdout}");
    assert_eq!(rounds[0]["metrics"]["depth"], 5.0);
    assert_eq!(rounds[1]["change"]["depth"]["delta"], 0.0, "{stdout}");
}

fn http_get(port: u16, path: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (
        status,
        text.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default(),
    )
}

#[test]
fn serve_polls_at_most_once_per_cache_interval() {
    let redis = RedisServer::start();
    let _filled = fill("bullmq6", redis.port());
    let rest = UpstashStandIn::start(&redis);
    let port = testkit::free_port();
    let mut server = bin()
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--cache",
            "60",
            "--queue",
            "main-bullmq6",
        ])
        .env("UPSTASH_REDIS_REST_URL", rest.url())
        .env("UPSTASH_REDIS_REST_TOKEN", rest.read_only_token())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the exporter did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (status, body) = http_get(port, "/metrics");
    assert_eq!(status, 200);
    assert!(
        body.contains(
            "bullmq_job_count{queue=\"main-bullmq6\",state=\"waiting\",prefix=\"bull\"} 3"
        ),
        "{body}"
    );
    let after_first = rest.requests().len();
    assert_eq!(after_first, 2, "one poll: counts and details");
    for _ in 0..5 {
        assert_eq!(http_get(port, "/metrics").0, 200);
    }
    assert_eq!(http_get(port, "/health").0, 200);
    assert_eq!(
        rest.requests().len(),
        after_first,
        "scrapes within the cache interval reuse the poll"
    );
    assert_eq!(http_get(port, "/nope").0, 404);
    let _ = server.kill();
    let _ = server.wait();
}

#[test]
fn serve_health_is_503_when_redis_is_down() {
    let port = testkit::free_port();
    let dead = testkit::free_port();
    let mut server = bin()
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--cache",
            "0",
            "--queue",
            "q",
            "--timeout",
            "1",
        ])
        .env("REDIS_URL", format!("redis://127.0.0.1:{dead}"))
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(20));
    }
    let (status, body) = http_get(port, "/health");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("cannot connect"), "{body}");
    let (_, metrics) = http_get(port, "/metrics");
    assert!(
        metrics.contains("opskit_report_status{tool=\"queue-depth\"} 3"),
        "{metrics}"
    );
    let _ = server.kill();
    let _ = server.wait();
}

/// The shim on the seed's depth thresholds alone: the fixture's stalled job and paused queue
/// are tolerated (their defaults are tested on their own).
fn shim(args: &[&str], redis_url: &str) -> i32 {
    let mut all = args.to_vec();
    all.extend(["--", "--stalled-critical", "1", "--paused-ok"]);
    shim_raw(&all, redis_url)
}

fn shim_raw(args: &[&str], redis_url: &str) -> i32 {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts/monitor-redis-queue.sh");
    let out = std::process::Command::new("bash")
        .arg(script)
        .args(args)
        .env("QUEUE_DEPTH_BIN", env!("CARGO_BIN_EXE_queue-depth"))
        .env("REDIS_URL", redis_url)
        .env_remove("UPSTASH_REDIS_REST_URL")
        .output()
        .unwrap();
    out.status.code().unwrap_or(-1)
}

#[test]
fn the_seed_shim_keeps_its_exit_codes() {
    let redis = RedisServer::start();
    let _filled = fill("bullmq6", redis.port());
    // Depth of main-bullmq6 is 5; other queues are smaller.
    assert_eq!(shim(&[], &redis.url()), 0, "defaults 500/1000");
    assert_eq!(
        shim(&["4", "10"], &redis.url()),
        1,
        "warning 4, critical 10"
    );
    assert_eq!(
        shim(&["10", "4"], &redis.url()),
        1,
        "the seed's order `2000 1000`: the smaller is the warning"
    );
    assert_eq!(shim(&["2", "4"], &redis.url()), 2);
    assert_eq!(
        shim(&["1", "2", "3"], &redis.url()),
        3,
        "three numbers are a usage error"
    );
    assert_eq!(shim(&["x"], &redis.url()), 3);
    assert_eq!(shim(&[], "redis://127.0.0.1:1"), 3);
    assert_eq!(
        shim_raw(&[], &redis.url()),
        2,
        "a stalled job is CRITICAL by default"
    );
}

/// On a terminal `--watch` is a live table with a trend column, redrawn in place over the
/// previous frame (the screen is not cleared, so the scrollback stays).
// See: issue 19
#[test]
fn r19_watch_on_a_terminal_is_a_live_table_with_a_trend() {
    let redis = RedisServer::start();
    let _filled = fill("bullmq6", redis.port());
    let command = format!(
        "REDIS_URL={} {} --queue main-bullmq6 --stalled-critical 1 --watch 300ms --watch-count 3 --color never",
        redis.url(),
        env!("CARGO_BIN_EXE_queue-depth")
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .expect("script (util-linux) runs the command on a pseudo-terminal");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(
        screen.contains("TREND") && screen.contains("round 3"),
        "{screen}"
    );
    assert!(screen.contains("depth 5"), "{screen}");
    assert!(
        screen.contains("+0, +0/min"),
        "the second round has a trend: {screen}"
    );
    assert!(
        !screen.contains("\x1b[2J"),
        "the screen is not cleared: {screen:?}"
    );
    assert!(
        screen.contains("F\x1b[J"),
        "each frame overwrites the last: {screen:?}"
    );
}
