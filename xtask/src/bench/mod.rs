//! `cargo xtask bench`: the benchmark harness.
//!
//! A benchmark prepares one or more *cases*; each case has *sides*: opskit and, where one
//! exists, peer tools doing the same job. Every side runs `--runs` times (default 5) as a child
//! process; the harness records wall time and peak resident memory (from `wait4`), and prints
//! the median, the spread (min–max) and, for peers, the ratio of their median to opskit's.
//!
//! The harness is `measure.rs` (one side, `--runs` times), `table.rs` (the results table) and
//! `peers.rs` (finding or installing a peer tool); each suite is a file of its own.
//!
//! Adding a benchmark: a file with a `fn(&Options) -> Result<Vec<Case>>` and a row in
//! [`BENCHES`]. Peers are declared with [`Peer`] so the harness can install a missing one.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use crate::Result;

use db_backup::db_backup_cases;
use dockerfile_lint::dockerfile_lint_cases;
use env_check::env_check_cases;
use health_probe::health_probe_cases;
use job_trace::job_trace_cases;
use measure::measure;
pub(crate) use peers::ensure_peer;
use predeploy::predeploy_cases;
use queue_depth::queue_depth_cases;
use render::render_cases;
use secret_scan::secret_scan_cases;
use serve::serve_cases;
use table::Row;
use table::fmt_duration;
use table::table;

mod db_backup;
mod dockerfile_lint;
mod env_check;
mod health_probe;
mod job_trace;
mod measure;
mod peers;
mod predeploy;
mod queue_depth;
mod render;
mod secret_scan;
mod serve;
mod table;

/// Options shared by all benchmarks.
#[derive(Debug, Clone)]
pub struct Options {
    /// Runs per side.
    pub runs: usize,
    /// The workspace root.
    pub root: PathBuf,
}

/// One command to measure.
#[derive(Debug, Clone)]
pub struct Side {
    /// `opskit` or the peer's name.
    pub tool: String,
    /// The command line.
    pub command: Vec<String>,
}

/// One workload, measured for opskit and its peers.
#[derive(Debug, Clone)]
pub struct Case {
    /// What is measured, e.g. `sarif, 100k findings`.
    pub name: String,
    /// opskit first, then peers.
    pub sides: Vec<Side>,
    /// A helper process (servers) that must live while the case runs; held, never read.
    #[expect(dead_code, reason = "held for its Drop")]
    pub guard: Option<Arc<Guard>>,
    /// A derived row: the floor of parallel work, `max(slowest, all in turn / cores)`, from the
    /// medians of the sides at these indexes (slowest part alone, all parts one after another).
    pub floor: Option<(usize, usize)>,
}

/// Kills a helper process when the last case holding it is done.
#[derive(Debug)]
pub struct Guard(std::sync::Mutex<std::process::Child>);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Ok(child) = self.0.get_mut() {
            // A bench environment serves until its stdin closes, then stops what it started
            // (a killed one would leave its own children running); kill only a laggard.
            drop(child.stdin.take());
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while matches!(child.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A peer tool and how to install it when missing.
#[derive(Debug, Clone, Copy)]
pub enum Install {
    /// `cargo install NAME`
    Cargo(&'static str),
    /// `pip install NAME`
    Pip(&'static str),
    /// `npm install --prefix target/bench-tools NAME`
    Npm(&'static str),
    /// `apt-get install NAME`
    Apt(&'static str),
}

/// A peer tool.
#[derive(Debug, Clone, Copy)]
pub struct Peer {
    /// The binary to look for on PATH (or in target/bench-tools/node_modules/.bin).
    pub binary: &'static str,
    /// How to get it.
    pub install: Install,
}

type Prepare = fn(&Options) -> Result<Vec<Case>>;

/// Every benchmark: name, description, preparation.
pub const BENCHES: &[(&str, &str, Prepare)] = &[
    (
        "render",
        "render a report of 100,000 findings in each output format",
        render_cases,
    ),
    (
        "job-trace",
        "one job correlated with a 1 GB pino log, next to grep -F and jq",
        job_trace_cases,
    ),
    (
        "queue-depth",
        "one poll of 1, 10 and 100 queues, native and REST, next to one redis-cli/curl per key",
        queue_depth_cases,
    ),
    (
        "predeploy",
        "predeploy on the example and a larger project, next to its slowest check alone, the checks in turn, and a warm cache",
        predeploy_cases,
    ),
    (
        "secret-scan",
        "secret-scan over the example's node_modules (~390 MB) and its typescript package (~23 MB) next to ripgrep's I/O and keyword floors, gitleaks, Betterleaks, Kingfisher and ripsecrets; detect-secrets and secretlint on a subset",
        secret_scan_cases,
    ),
    (
        "env-check",
        "env-check parse, expand and lint of a generated 50,000-line .env next to npm dotenv (+ dotenv-expand) and the Rust dotenv-linter",
        env_check_cases,
    ),
    (
        "health-probe",
        "health-probe on 50 HTTP targets answering in 50-200 ms, next to the slowest target alone and curl one after another",
        health_probe_cases,
    ),
    (
        "dockerfile-lint",
        "dockerfile-lint over its corpus (one process, and one process per file) and a 32 KiB Dockerfile next to hadolint; a 2 MiB Dockerfile alone",
        dockerfile_lint_cases,
    ),
    (
        "db-backup",
        "db-backup run on a 33 MB and a 290 MB PostgreSQL database next to pg_dump -Fc to a file and pg_dump | gzip",
        db_backup_cases,
    ),
    (
        "serve",
        "opskit serve's pages with 50 targets, 20 queues and a week of history, and its memory",
        serve_cases,
    ),
];

fn parse(args: &[String], root: PathBuf) -> Result<(Options, Vec<String>, bool)> {
    let mut options = Options { runs: 5, root };
    let mut names = Vec::new();
    let mut list = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => {
                let value = it.next().ok_or("--runs needs a number")?;
                options.runs = value
                    .parse()
                    .map_err(|_| format!("--runs: `{value}` is not a number"))?;
                if options.runs == 0 {
                    return Err("--runs must be at least 1".into());
                }
            }
            "--list" => list = true,
            flag if flag.starts_with('-') => return Err(format!("unknown flag `{flag}`").into()),
            name => {
                if !BENCHES.iter().any(|(n, _, _)| *n == name) {
                    let known: Vec<&str> = BENCHES.iter().map(|(n, _, _)| *n).collect();
                    return Err(
                        format!("unknown benchmark `{name}`; known: {}", known.join(", ")).into(),
                    );
                }
                names.push(name.to_owned());
            }
        }
    }
    Ok((options, names, list))
}

/// `cargo xtask bench [NAME ...] [--runs N] [--list]`.
pub fn main(args: &[String]) -> Result<()> {
    let root = workspace_root()?;
    let (options, names, list) = parse(args, root)?;
    if list {
        for (name, about, _) in BENCHES {
            println!("{name:<12} {about}");
        }
        return Ok(());
    }
    let mut rows = Vec::new();
    for (name, about, prepare) in BENCHES {
        if !names.is_empty() && !names.iter().any(|n| n == name) {
            continue;
        }
        eprintln!("bench {name}: {about} ({} runs per side)", options.runs);
        for case in prepare(&options)? {
            let mut opskit_median = None;
            let mut case_rows = Vec::new();
            for side in &case.sides {
                let samples = measure(side, options.runs)?;
                let row = Row::new(name, &case.name, &side.tool, &samples, opskit_median);
                if side.tool == "opskit" {
                    opskit_median = Some(row.median);
                }
                eprintln!(
                    "  {} / {}: {}",
                    case.name,
                    side.tool,
                    fmt_duration(row.median)
                );
                case_rows.push(row.clone());
                rows.push(row);
            }
            if let (Some((slowest, serial)), Some(base)) = (case.floor, opskit_median) {
                rows.push(Row::floor(
                    name, &case.name, &case_rows, slowest, serial, base,
                ));
            }
        }
    }
    print!("{}", table(&rows));
    Ok(())
}

fn workspace_root() -> Result<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    Ok(manifest
        .parent()
        .ok_or("xtask has no parent directory")?
        .to_owned())
}

/// Builds a release binary or example and returns its path.
/// Starts a bench environment (a `bench_env` example) and reads the JSON line it prints when
/// ready; the guard stops it.
fn start_env(mut command: Command) -> Result<(Arc<Guard>, String)> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("bench_env has no stdout")?;
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
    Ok((Arc::new(Guard(std::sync::Mutex::new(child))), line))
}

/// A field of the flat JSON line a bench environment prints, as text.
fn json_field(line: &str, name: &str) -> Result<String> {
    let rest = line
        .split(&format!("\"{name}\":"))
        .nth(1)
        .ok_or_else(|| format!("bench_env said {line}"))?;
    Ok(rest
        .trim_start()
        .trim_start_matches('"')
        .split(['"', ',', '}'])
        .next()
        .unwrap_or_default()
        .to_owned())
}

pub(crate) fn cargo_build(root: &Path, args: &[&str], artifact: &str) -> Result<PathBuf> {
    eprintln!("bench: cargo build --release {}", args.join(" "));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .current_dir(root)
        .args(["build", "--release", "--quiet"])
        .args(args)
        .status()?;
    if !status.success() {
        return Err(format!("cargo build {} failed", args.join(" ")).into());
    }
    let path = root.join("target/release").join(artifact);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{} was not built", path.display()).into())
    }
}

fn strings(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| (*s).to_owned()).collect()
}

/// The embedded example, with its npm packages installed (`npm ci` when missing).
fn installed_example(options: &Options) -> Result<PathBuf> {
    let example = options.root.join("examples/agent-platform");
    if !example.join("node_modules").is_dir() {
        eprintln!(
            "bench: installing the example's npm packages (npm ci in {})",
            example.display()
        );
        let ok = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&example)
            .status()?
            .success();
        if !ok {
            return Err("npm ci failed in examples/agent-platform".into());
        }
    }
    Ok(example)
}

/// The site-packages directory of a `pip install --prefix target/bench-tools` (for PYTHONPATH).
fn bench_site_packages(root: &Path) -> String {
    let lib = root.join("target/bench-tools/lib");
    std::fs::read_dir(&lib)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::measure::{Sample, run_once};
    use super::peers::ensure_peer;
    use super::table::median;
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[]), Duration::ZERO);
        assert_eq!(median(&[ms(5)]), ms(5));
        assert_eq!(median(&[ms(1), ms(2), ms(9)]), ms(2));
        assert_eq!(median(&[ms(1), ms(3), ms(5), ms(100)]), ms(4));
    }

    #[test]
    fn rows_compare_peers_with_opskit() {
        let s = |m| Sample {
            wall: ms(m),
            max_rss: 2 * 1024 * 1024,
            cpu: ms(m),
        };
        let ours = Row::new("b", "c", "opskit", &[s(10), s(12), s(11)], None);
        assert_eq!(
            (ours.median, ours.min, ours.max, ours.ratio),
            (ms(11), ms(10), ms(12), None)
        );
        let peer = Row::new(
            "b",
            "c",
            "gitleaks",
            &[s(44), s(40), s(50)],
            Some(ours.median),
        );
        assert_eq!(peer.ratio, Some(4.0));
        let text = table(&[ours, peer]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("bench  case  tool"), "{text}");
        assert!(lines[3].ends_with("4.00x"), "{text}");
        assert!(
            lines[2].contains("11.0 ms")
                && lines[2].contains("10.0 ms - 12.0 ms")
                && lines[2].contains("2.0 MiB"),
            "{text}"
        );
    }

    #[test]
    fn arguments() {
        let root = PathBuf::from("/r");
        let (o, names, list) = parse(
            &["render".into(), "--runs".into(), "3".into()],
            root.clone(),
        )
        .unwrap();
        assert_eq!((o.runs, names, list), (3, vec!["render".to_owned()], false));
        assert!(
            parse(&["nope".into()], root.clone())
                .unwrap_err()
                .to_string()
                .contains("known: render")
        );
        assert!(parse(&["--runs".into(), "0".into()], root.clone()).is_err());
        assert!(parse(&["--runs".into()], root.clone()).is_err());
        assert!(parse(&["--list".into()], root).unwrap().2);
    }

    #[test]
    fn run_once_measures_a_real_process() {
        let sample = run_once(
            "sh",
            &[
                "-c".to_owned(),
                "head -c 20000000 /dev/zero | tail -c 1 >/dev/null".to_owned(),
            ],
        )
        .unwrap();
        assert!(sample.max_rss > 0);
        assert!(sample.wall > Duration::ZERO);
        assert!(
            run_once("sh", &["-c".to_owned(), "echo boom >&2; exit 3".to_owned()])
                .unwrap_err()
                .to_string()
                .contains("boom")
        );
    }

    #[test]
    fn a_present_peer_is_found_without_installing() {
        let peer = Peer {
            binary: "sh",
            install: Install::Apt("dash"),
        };
        assert!(
            ensure_peer(peer, Path::new("/nonexistent"))
                .unwrap()
                .ends_with("sh")
        );
        let _ = [Install::Cargo("x"), Install::Pip("x"), Install::Npm("x")];
    }
}
