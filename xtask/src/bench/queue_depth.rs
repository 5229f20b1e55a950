//! The `queue-depth` suite: one poll of 1, 10 and 100 queues, native and REST.

use std::fmt::Write as _;
use std::process::Command;
use std::sync::Arc;

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

/// The round trips (or HTTP requests) of one poll, from the tool's own JSON report.
pub(super) fn round_trips(command: &[String]) -> Result<String> {
    let (program, args) = command.split_first().ok_or("empty command")?;
    let out = Command::new(program)
        .args(args)
        .args(["--format", "json"])
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // The `poll` check carries `round_trips`; read it without a JSON dependency.
    let value = text
        .split("\"label\": \"round_trips\"")
        .nth(1)
        .and_then(|rest| rest.split("\"value\": ").nth(1))
        .and_then(|v| v.split([',', '\n']).next())
        .ok_or_else(|| {
            format!(
                "no round_trips in the output of {}: {text}",
                command.join(" ")
            )
        })?;
    Ok(value.trim().trim_end_matches(".0").to_owned())
}

/// `queue-depth`: one poll of 1, 10 and 100 queues (8 counted keys each), over the native
/// protocol and over the Upstash REST API (the local stand-in in front of a real redis-server).
/// Peers: the naive way, one `redis-cli` per key as the seed's shell script did, and one `curl`
/// per command for REST. The case names carry the round trips (requests) per poll.
#[expect(
    clippy::too_many_lines,
    reason = "builds every side's command line in one place"
)]
pub(super) fn queue_depth_cases(options: &Options) -> Result<Vec<Case>> {
    let qd = cargo_build(
        &options.root,
        &["-p", "opskit-queue-depth", "--bin", "queue-depth"],
        "queue-depth",
    )?;
    let env_bin = cargo_build(
        &options.root,
        &["-p", "opskit-queue-depth", "--example", "bench_env"],
        "examples/bench_env",
    )?;
    let redis_cli = ensure_peer(
        Peer {
            binary: "redis-cli",
            install: Install::Apt("redis-tools"),
        },
        &options.root,
    )?;
    let curl = ensure_peer(
        Peer {
            binary: "curl",
            install: Install::Apt("curl"),
        },
        &options.root,
    )?;
    let (guard, line) = start_env(Command::new(&env_bin))?;
    let field = |name: &str| json_field(&line, name);
    let (redis, port, rest, token) = (
        field("redis")?,
        field("port")?,
        field("rest")?,
        field("token")?,
    );
    let qd = qd.to_string_lossy().into_owned();
    let (redis_cli, curl) = (
        redis_cli.to_string_lossy().into_owned(),
        curl.to_string_lossy().into_owned(),
    );
    let lists = ["wait", "paused", "active"];
    let sets = [
        "prioritized",
        "delayed",
        "waiting-children",
        "completed",
        "failed",
    ];
    let mut cases = Vec::new();
    for n in [1usize, 10, 100] {
        let prefix = format!("b{n}");
        let mut queue_flags = Vec::new();
        for q in 0..n {
            queue_flags.push("--queue".to_owned());
            queue_flags.push(format!("{prefix}:q{q}"));
        }
        let native: Vec<String> = [
            vec![qd.clone(), "--url".to_owned(), redis.clone()],
            queue_flags.clone(),
        ]
        .concat();
        let rest_cmd: Vec<String> = [
            strings(&[
                "env",
                "-u",
                "REDIS_URL",
                &format!("UPSTASH_REDIS_REST_URL={rest}"),
                &format!("UPSTASH_REDIS_REST_TOKEN={token}"),
            ]),
            vec![qd.clone()],
            queue_flags.clone(),
        ]
        .concat();
        let mut naive_cli = String::new();
        let mut naive_curl = String::new();
        for q in 0..n {
            for (cmd, keys) in [("LLEN", &lists[..]), ("ZCARD", &sets[..])] {
                for k in keys {
                    let key = format!("{prefix}:q{q}:{k}");
                    let _ = writeln!(naive_cli, "{redis_cli} -p {port} {cmd} {key}");
                    let _ = writeln!(
                        naive_curl,
                        "{curl} -s -H 'Authorization: Bearer {token}' {rest}/{}/{key}",
                        cmd.to_lowercase()
                    );
                }
            }
        }
        let keys = n * (lists.len() + sets.len());
        let native_trips = round_trips(&native)?;
        let rest_trips = round_trips(&rest_cmd)?;
        let with = |base: &[String], extra: &str| -> Vec<String> {
            [base.to_vec(), vec![extra.to_owned()]].concat()
        };
        cases.push(Case {
            name: format!("native, {n} queues ({native_trips} round trips vs {keys})"),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: native.clone(),
                },
                Side {
                    tool: "opskit --counts-only".to_owned(),
                    command: with(&native, "--counts-only"),
                },
                Side {
                    tool: "redis-cli per key".to_owned(),
                    command: strings(&["sh", "-c", &naive_cli]),
                },
            ],
            guard: Some(Arc::clone(&guard)),
            floor: None,
        });
        cases.push(Case {
            name: format!("REST, {n} queues ({rest_trips} requests vs {keys})"),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: rest_cmd.clone(),
                },
                Side {
                    tool: "opskit --counts-only".to_owned(),
                    command: with(&rest_cmd, "--counts-only"),
                },
                Side {
                    tool: "curl per key".to_owned(),
                    command: strings(&["sh", "-c", &naive_curl]),
                },
            ],
            guard: Some(Arc::clone(&guard)),
            floor: None,
        });
    }
    Ok(cases)
}
