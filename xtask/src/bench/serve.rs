//! The `serve` suite: `opskit serve` with 50 health targets, 20 BullMQ queues on a real
//! redis-server and a week of history, each page fetched by curl, next to `/health` (the same
//! request with nothing rendered). The server's own memory goes into the case names.

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

/// The pages measured: path and what it is.
const PAGES: &[(&str, &str)] = &[
    ("/", "overview page"),
    ("/targets", "targets page (50 charts' data)"),
    ("/queues", "queues page (20 queues)"),
    ("/api/v1/targets", "JSON targets"),
];

pub(super) fn serve_cases(options: &Options) -> Result<Vec<Case>> {
    let opskit = cargo_build(
        &options.root,
        &["-p", "opskit-cli", "--bin", "opskit"],
        "opskit",
    )?;
    let env_bin = cargo_build(
        &options.root,
        &["-p", "opskit-dashboard", "--example", "serve_bench_env"],
        "examples/serve_bench_env",
    )?;
    let curl = ensure_peer(
        Peer {
            binary: "curl",
            install: Install::Apt("curl"),
        },
        &options.root,
    )?
    .to_string_lossy()
    .into_owned();
    let work = options.root.join("target/bench-work/serve");
    let mut command = Command::new(&env_bin);
    command.arg(&opskit).arg(&work);
    let (guard, line) = start_env(command)?;
    let url = json_field(&line, "url")?;
    let kb = |name: &str| -> Result<u64> {
        json_field(&line, name)?
            .parse()
            .map_err(|_| format!("serve_bench_env said {line}").into())
    };
    #[expect(clippy::cast_precision_loss, reason = "a size in MB for a name")]
    let mb = |kb: u64| kb as f64 / 1024.0;
    let (rss, hwm, disk) = (kb("rss_kb")?, kb("hwm_kb")?, kb("history_bytes")?);
    eprintln!(
        "  opskit serve: {:.1} MB resident, {:.1} MB at its peak, history {:.1} MB on disk",
        mb(rss),
        mb(hwm),
        mb(disk / 1024)
    );
    let fetch = |path: &str| {
        vec![
            curl.clone(),
            "-sf".to_owned(),
            "-o".to_owned(),
            "/dev/null".to_owned(),
            format!("{url}{path}"),
        ]
    };
    Ok(PAGES
        .iter()
        .map(|(path, what)| Case {
            name: format!(
                "{what}, server at {:.1} MB RSS (peak {:.1} MB)",
                mb(rss),
                mb(hwm)
            ),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: fetch(path),
                },
                Side {
                    tool: "/health (no page)".to_owned(),
                    command: fetch("/health"),
                },
            ],
            guard: Some(guard.clone()),
            floor: None,
        })
        .collect())
}
