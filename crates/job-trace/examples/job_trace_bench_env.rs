//! The environment of `cargo xtask bench job-trace`: a real redis-server holding one failed job
//! (`bench:42`, three attempts, a stack, log lines, events) and a pino NDJSON log of
//! `OPSKIT_BENCH_LOG_MB` megabytes (1000 by default) written to the path given, in which 60
//! lines spread over the file name the job, 1 in 20 lines names a job id that starts with the
//! same digits (`420`, `4200`: the substring prefilter lets them through, the id test drops
//! them), and the rest are other jobs' lines. Prints one JSON line, then serves until stdin
//! closes.

#![expect(clippy::expect_used, reason = "a bench environment fails loudly")]

use std::fmt::Write as _;
use std::io::{BufWriter, Write};

fn main() {
    let path = std::env::args_os().nth(1).map_or_else(
        || "target/bench-job-trace/app.ndjson".into(),
        std::path::PathBuf::from,
    );
    let mb: u64 = std::env::var("OPSKIT_BENCH_LOG_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let redis = testkit::RedisServer::start();
    redis.command(&[
        "HSET",
        "bull:bench:42",
        "name",
        "charge",
        "timestamp",
        "1795748400000",
        "processedOn",
        "1795748400100",
        "finishedOn",
        "1795748400300",
        "atm",
        "3",
        "opts",
        "{\"attempts\":3}",
        "failedReason",
        "card declined",
        "stacktrace",
        "[\"Error: card declined\\n    at charge (/app/worker.js:10:5)\"]",
        "data",
        "{\"requestId\":\"req-bench-0042\"}",
    ]);
    redis.command(&["ZADD", "bull:bench:failed", "1795748400300", "42"]);
    redis.command(&["SET", "bull:bench:id", "42"]);
    let target = mb * 1_000_000;
    let file = std::fs::File::create(&path).expect("creating the log file");
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let (mut bytes, mut lines, mut matched) = (0u64, 0u64, 0u64);
    // Where the job's 60 lines go: evenly through the file.
    let every = (target / 200 / 60).max(1);
    let mut line = String::with_capacity(512);
    while bytes < target {
        line.clear();
        let t = 1_795_748_400_000 + lines;
        let id = if lines % every == every / 2 {
            matched += 1;
            "42".to_owned()
        } else if lines % 20 == 0 {
            format!("42{}", lines % 100)
        } else {
            (1000 + lines % 90_000).to_string()
        };
        let _ = writeln!(
            line,
            "{{\"level\":30,\"time\":{t},\"pid\":7,\"hostname\":\"worker-1\",\"name\":\"worker\",\"jobId\":\"{id}\",\"queue\":\"bench\",\"requestId\":\"req-{lines:08}\",\"attempt\":1,\"msg\":\"processing step {} of the charge pipeline\"}}",
            lines % 7
        );
        out.write_all(line.as_bytes()).expect("writing the log");
        bytes += line.len() as u64;
        lines += 1;
    }
    out.flush().expect("writing the log");
    drop(out);
    let line = serde_json::json!({
        "redis": redis.url(),
        "log": path.display().to_string(),
        "bytes": bytes,
        "lines": lines,
        "matched": matched,
    });
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
    drop(stdout);
    testkit::wait_for_stdin_eof();
}
