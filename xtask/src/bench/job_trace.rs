//! The `job-trace` suite: one job correlated with a 1 GB pino log.

use std::process::Command;

use crate::Result;

use super::Case;
use super::Install;
use super::Options;
use super::Peer;
use super::Side;
use super::cargo_build;
use super::json_field;
use super::peers::ensure_peer;
use super::start_env;
use super::strings;

/// `job-trace`: a failed job in a real redis-server and a pino NDJSON log of 1 GB
/// (`OPSKIT_BENCH_LOG_MB` sets another size) from job-trace's `job_trace_bench_env` example.
/// opskit's side is the whole trace (Redis reads, the event stream, the log streamed with the
/// id prefilter, the requestIds of the matched lines followed, so the file is read twice) in
/// JSON. Peers are what a person runs instead: `grep -F` for the id, which cannot tell job 42
/// from 420 or a field from a message, and `jq` selecting `.jobId == "42"`, which parses
/// every line. Peak memory shows that it does not grow with the log; throughput is the size
/// over the time.
pub(super) fn job_trace_cases(options: &Options) -> Result<Vec<Case>> {
    let jt = cargo_build(
        &options.root,
        &["-p", "opskit-job-trace", "--bin", "job-trace"],
        "job-trace",
    )?;
    let env_bin = cargo_build(
        &options.root,
        &["-p", "opskit-job-trace", "--example", "job_trace_bench_env"],
        "examples/job_trace_bench_env",
    )?;
    let jq = ensure_peer(
        Peer {
            binary: "jq",
            install: Install::Apt("jq"),
        },
        &options.root,
    )?;
    let work = options.root.join("target/bench-job-trace");
    std::fs::create_dir_all(&work)?;
    let log = work.join("app.ndjson");
    eprintln!("bench: writing the log (about 10 s per GB)");
    let mut command = Command::new(&env_bin);
    command.arg(&log);
    let (guard, line) = start_env(command)?;
    let field = |name: &str| json_field(&line, name);
    let (url, bytes, lines) = (field("redis")?, field("bytes")?, field("lines")?);
    let mb = bytes.parse::<u64>().unwrap_or(0) / 1_000_000;
    let log_arg = log.display().to_string();
    let ours = jt.display().to_string();
    Ok(vec![Case {
        name: format!("one job, {mb} MB pino log ({lines} lines)"),
        sides: vec![
            Side {
                tool: "opskit".to_owned(),
                // The job failed, so a right answer exits 2.
                command: strings(&[
                    "sh",
                    "-c",
                    &format!(
                        "{ours} bench 42 --url {url} --logs {log_arg} --format json > /dev/null; [ $? -eq 2 ]"
                    ),
                ]),
            },
            Side {
                tool: "grep -F".to_owned(),
                // Through a pipe: GNU grep stops at the first match when its output is
                // /dev/null, which the runner gives every side.
                command: strings(&[
                    "sh",
                    "-c",
                    &format!("grep -F '\"jobId\":\"42\"' {log_arg} | wc -l"),
                ]),
            },
            Side {
                tool: "jq select".to_owned(),
                command: strings(&[
                    &jq.display().to_string(),
                    "-c",
                    "select(.jobId == \"42\")",
                    &log_arg,
                ]),
            },
        ],
        guard: Some(guard),
        floor: None,
    }])
}
