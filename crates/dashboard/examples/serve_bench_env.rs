//! The environment of `cargo xtask bench serve`: `opskit serve` with 50 health targets and 20
//! BullMQ queues (real redis-server, real HTTP target) and a week of one-minute history for
//! each, written through the server's own store. Starts the server (the `opskit` binary given),
//! waits until every row shows, renders each page 20 times to warm it, and prints one JSON line:
//! the URL and the server's resident memory (now and at its peak). Serves until stdin closes.
//!
//!   serve_bench_env OPSKIT WORKDIR

#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a bench environment fails loudly"
)]
#![expect(clippy::print_stdout, reason = "its one JSON line is its output")]

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use opskit::Status;
use opskit_dashboard::store::{Entry, Limits, QueueCounts, Sample, Store};

const TARGETS: usize = 50;
const QUEUES: usize = 20;

fn get(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn history(dir: &std::path::Path, now: i64) {
    let limits = Limits {
        retention_secs: 30 * 86_400,
        max_bytes: 256_000_000,
    };
    let (mut store, _) = Store::open(dir, limits, now, |_| {}).expect("history");
    let t0 = now - 7 * 86_400;
    for h in 0..7 * 24 {
        let mut batch = Vec::new();
        for m in 0..60 {
            let t = t0 + h * 3600 + m * 60;
            for i in 0..TARGETS {
                let down = i % 10 == 0 && h % 24 == 3;
                batch.push(Entry {
                    t,
                    series: format!("health/http:service-{i:02}"),
                    sample: Sample::Health {
                        status: if down { Status::Critical } else { Status::Ok },
                        down,
                        #[expect(clippy::cast_precision_loss, reason = "bench latencies")]
                        latency_ms: Some(
                            15.0 + ((m * 7 + i64::try_from(i).unwrap_or(0)) % 23) as f32,
                        ),
                    },
                });
                if m == 0 && i % 10 == 0 && (h % 24 == 3 || h % 24 == 4) {
                    batch.push(Entry {
                        t,
                        series: format!("health/http:service-{i:02}"),
                        sample: Sample::Change {
                            status: if h % 24 == 3 {
                                Status::Critical
                            } else {
                                Status::Ok
                            },
                            reason: "status 503 is not one of the accepted (2xx)".to_owned(),
                        },
                    });
                }
            }
            for q in 0..QUEUES {
                let n = u32::try_from((m * 5 + h * 3) % 400).unwrap_or(0);
                batch.push(Entry {
                    t,
                    series: format!("queue/queue:jobs-{q:02}"),
                    sample: Sample::Queue {
                        status: Status::Ok,
                        counts: QueueCounts {
                            depth: Some(n),
                            active: Some(4),
                            failed: Some(n / 20),
                            delayed: Some(3),
                            stalled: Some(0),
                            oldest_age_s: Some(20),
                        },
                    },
                });
            }
        }
        store.append(&batch).expect("append");
    }
}

#[expect(clippy::too_many_lines, reason = "one environment, step after step")]
fn main() {
    let mut args = std::env::args().skip(1);
    let opskit = args.next().expect("give the opskit binary");
    let work = std::path::PathBuf::from(args.next().expect("give a work directory"));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let redis = testkit::RedisServer::start();
    let now = i64::try_from(opskit::time::now_unix()).unwrap();
    for q in 0..QUEUES {
        let key = |k: &str| format!("bull:jobs-{q:02}:{k}");
        redis.command(&[
            "HSET",
            &key("meta"),
            "opts.maxLenEvents",
            "10000",
            "version",
            "bullmq:5.81.5",
        ]);
        redis.command(&["SET", &key("id"), "40"]);
        for j in 1..=40 {
            let id = j.to_string();
            let ts = ((now - 60) * 1000).to_string();
            redis.command(&[
                "HSET",
                &key(&id),
                "name",
                "send",
                "timestamp",
                &ts,
                "data",
                "{}",
            ]);
            if j <= 30 {
                redis.command(&["LPUSH", &key("wait"), &id]);
            } else {
                let reason = format!("smtp timeout after {}ms", 3000 + j);
                redis.command(&[
                    "HSET",
                    &key(&id),
                    "failedReason",
                    &reason,
                    "finishedOn",
                    &ts,
                ]);
                redis.command(&["ZADD", &key("failed"), &ts, &id]);
            }
        }
    }
    let target = testkit::HttpServer::start(|_| testkit::Reply::json(200, r#"{"status":"ok"}"#));
    let mut config = String::new();
    for i in 0..TARGETS {
        let _ = write!(
            config,
            "[[health-probe.targets]]\nname = \"service-{i:02}\"\nurl = \"{}/health/{i}\"\n\n",
            target.url()
        );
    }
    let queues: Vec<String> = (0..QUEUES).map(|q| format!("\"jobs-{q:02}\"")).collect();
    let _ = write!(
        config,
        "[queue-depth]\nurl = \"{}\"\nqueues = [{}]\n",
        redis.url(),
        queues.join(", ")
    );
    std::fs::write(work.join("opskit.toml"), config).unwrap();
    history(&work.join(".opskit/history"), now);
    let mut server = Command::new(&opskit)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--health-every",
            "30s",
            "--queues-every",
            "30s",
        ])
        .current_dir(&work)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("opskit serve");
    let stderr = server.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines.next().expect("opskit serve exited").unwrap();
        if let Some(u) = line.split("listening on http://").nth(1) {
            break u.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    // Every row, then warm pages.
    for _ in 0..600 {
        let o = get(&url, "/api/v1/overview");
        if o.matches("\"name\":").count() > TARGETS + QUEUES {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let mut page_bytes = Vec::new();
    for path in ["/", "/targets", "/queues", "/api/v1/targets"] {
        for _ in 0..20 {
            let _ = get(&url, path);
        }
        page_bytes.push(format!("\"{path}\": {}", get(&url, path).len()));
    }
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", server.id())).unwrap_or_default();
    let kb = |field: &str| {
        status
            .lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("0")
            .to_owned()
    };
    let disk: u64 = std::fs::read_dir(work.join(".opskit/history"))
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "{{\"url\": \"http://{url}\", \"rss_kb\": {}, \"hwm_kb\": {}, \"history_bytes\": {disk}, \"pages\": {{{}}}}}",
        kb("VmRSS:"),
        kb("VmHWM:"),
        page_bytes.join(", ")
    );
    let _ = std::io::stdout().flush();
    let mut sink = String::new();
    let _ = std::io::stdin().read_to_string(&mut sink);
    let _ = server.kill();
    let _ = server.wait();
}
