//! # dockerfile-lint: a Dockerfile parser and a hadolint-compatible linter
//!
//! - [`parser`]: everything BuildKit builds (directives, continuations with either escape
//!   character, heredocs, exec and shell forms, flags, stages), with line and column; never
//!   panics, never gives up on the first error.
//! - [`shell`]: RUN lines split into commands, package managers recognised.
//! - [`rules`]: the registry: hadolint's DL rules with hadolint's codes and levels, and
//!   opskit's `OPS-DFnnn` rules (health checks on runtime stages, secrets baked into images,
//!   root, Node production settings).
//! - [`lint`]: the driver: ignores, `# hadolint ignore=` pragmas, overrides, thresholds.
//!
//! Configuration comes from `.hadolint.yaml` (hadolint users keep theirs), the
//! `[dockerfile-lint]` section of opskit.toml, and flags, in that order of precedence.
//!
//! ```
//! use opskit_dockerfile_lint::lint::{lint_bytes, Options};
//! let problems = lint_bytes(b"FROM node:latest\nCMD node server.js\n", &Options::default(), None, None);
//! let codes: Vec<&str> = problems.iter().map(|p| p.rule.code).collect();
//! assert!(codes.contains(&"DL3007") && codes.contains(&"DL3025") && codes.contains(&"OPS-DF001"));
//! ```

pub mod config;
pub mod lint;
pub mod parser;
pub mod rules;
pub mod shell;
pub mod shellcheck;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use opskit::Status;
use opskit::cli::{CommonArgs, Context, Tool};
use opskit::report::{Check, Finding, Metric, Report, RuleInfo, Unit};
use opskit_secret_scan::scan::{Scanner, Settings as ScanSettings};

pub use crate::config::{Error, FileConfig};
use crate::lint::Options;
use crate::rules::Level;

/// The binary's name.
pub const NAME: &str = "dockerfile-lint";

const EXAMPLES: &str = "\
Examples:
  # Every Dockerfile under the current directory (Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile)
  dockerfile-lint
  dockerfile-lint Dockerfile worker/Dockerfile
  # From a pipeline
  cat Dockerfile | dockerfile-lint -
  # Fail only on warnings and errors (hadolint's default fails on info too)
  dockerfile-lint --failure-threshold warning
  # Switch rules off or change their level
  dockerfile-lint --ignore DL3008 --ignore DL3018 --error OPS-DF001
  # Only allow images from these registries (DL3026)
  dockerfile-lint --trusted-registry docker.io --trusted-registry ghcr.io
  # SARIF for GitHub code scanning
  dockerfile-lint --format sarif > dockerfile.sarif
  # What a rule means
  dockerfile-lint --explain OPS-DF002

Silence one instruction with a comment on the line before it:
  # hadolint ignore=DL3008,DL3015
and a whole file with `# hadolint global ignore=DL3059`. .hadolint.yaml is read from the
current directory or a parent (or --hadolint-config).

Exit codes: 0 nothing at or above the failure threshold, 1 warnings (or info/style findings
at a lower threshold), 2 an error-level finding, 3 the lint could not run.";

/// `dockerfile-lint`.
#[expect(clippy::struct_excessive_bools, reason = "command-line switches")]
#[derive(Debug, Clone, Default, Parser)]
#[command(name = NAME, version, about = "Lint Dockerfiles: hadolint's rules, plus health checks, secrets and runtime safety.", after_help = EXAMPLES)]
pub struct Args {
    /// Dockerfiles or directories to search (`-` reads stdin) [default: .].
    pub paths: Vec<PathBuf>,
    /// Rules to switch off, by code (repeat or separate with commas).
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub ignore: Vec<String>,
    /// Report these rules at level error.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub error: Vec<String>,
    /// Report these rules at level warning.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub warning: Vec<String>,
    /// Report these rules at level info.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub info: Vec<String>,
    /// Report these rules at level style.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub style: Vec<String>,
    /// Findings at or above this level fail the run: error, warning, info, style or none [default: info].
    #[arg(long, short = 't', value_name = "LEVEL")]
    pub failure_threshold: Option<Level>,
    /// Exit 0 whatever is found (the lint can still exit 3 if it cannot run).
    #[arg(long)]
    pub no_fail: bool,
    /// A registry FROM may use (DL3026); repeat for several.
    #[arg(long, value_name = "REGISTRY")]
    pub trusted_registry: Vec<String>,
    /// A label every runtime image needs, with its format: `LABEL:text|url|semver|hash|rfc3339|spdx|email`.
    #[arg(long, value_name = "LABEL:TYPE")]
    pub require_label: Vec<String>,
    /// Labels outside the schema are findings (DL3050).
    #[arg(long)]
    pub strict_labels: bool,
    /// Do not honour `# hadolint ignore=` pragmas.
    #[arg(long)]
    pub disable_ignore_pragma: bool,
    /// Do not run ShellCheck on RUN instructions (it runs when `shellcheck` is on PATH or
    /// SHELLCHECK names it).
    #[arg(long)]
    pub no_shellcheck: bool,
    /// Read hadolint's configuration from FILE [default: .hadolint.yaml here or in a parent].
    #[arg(long, value_name = "FILE")]
    pub hadolint_config: Option<PathBuf>,
    /// The file name to report for stdin.
    #[arg(long, value_name = "NAME", default_value = "Dockerfile")]
    pub stdin_name: String,
    /// List the rules and exit.
    #[arg(long)]
    pub list_rules: bool,
    /// Explain one rule and exit.
    #[arg(long, value_name = "CODE")]
    pub explain: Option<String>,
    /// Notifications on status changes and Sentry Crons check-ins.
    #[command(flatten)]
    pub notify: opskit::cli::NotifyFlags,
    /// Flags every opskit tool takes.
    #[command(flatten)]
    pub common: CommonArgs,
}

impl Tool for Args {
    fn common(&self) -> &CommonArgs {
        &self.common
    }

    fn notify(&self) -> Option<&opskit::cli::NotifyFlags> {
        Some(&self.notify)
    }

    fn exit_status(&self, report: &Report, _cx: &Context) -> Status {
        let status = report.status();
        if self.no_fail && status != Status::Unknown {
            Status::Ok
        } else {
            status
        }
    }
}

/// Whether a file name is a Dockerfile's.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower.starts_with("containerfile.")
}

/// The Dockerfiles under `root`, sorted; .gitignore honoured, node_modules skipped.
pub fn discover(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ignore::WalkBuilder::new(root)
        .hidden(false)
        .filter_entry(|e| {
            let n = e.file_name();
            n != "node_modules" && n != ".git" && n != "target"
        })
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter(|e| e.file_name().to_str().is_some_and(is_dockerfile_name))
        .map(ignore::DirEntry::into_path)
        .collect();
    out.sort();
    out
}

/// What one run linted.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every finding, in file order.
    pub findings: Vec<Finding>,
    /// Files linted.
    pub files: usize,
    /// Bytes read.
    pub bytes: u64,
    /// What could not be checked, for the person running the tool.
    pub notes: Vec<String>,
}

/// Builds secret-scan's engine with its defaults (OPS-DF004 uses it).
pub fn scanner() -> Result<Scanner, Error> {
    Scanner::new(&ScanSettings::default(), None).map_err(|e| Error::Scanner(e.to_string()))
}

/// Lints files (each file's directory is its build context). `display` turns a path into
/// the name shown in findings.
pub fn lint_files(
    files: &[PathBuf],
    options: &Options,
    scanner: Option<&Scanner>,
    display: &dyn Fn(&Path) -> String,
) -> Result<Outcome, Error> {
    let mut outcome = Outcome::default();
    // Read and parse every file first, so ShellCheck runs once for all of them (its start-up
    // costs more than most Dockerfiles' scripts).
    let mut parsed = Vec::with_capacity(files.len());
    for file in files {
        let bytes = std::fs::read(file).map_err(|source| Error::Read {
            path: file.clone(),
            source,
        })?;
        outcome.bytes += bytes.len() as u64;
        outcome.files += 1;
        parsed.push((file, parser::parse_bytes(&bytes)));
    }
    let mut sc: Vec<Option<_>> = match &options.settings.shellcheck {
        Some(bin) if lint::wants_sc(options) => {
            let dfs: Vec<&parser::Dockerfile> = parsed.iter().map(|(_, df)| df).collect();
            shellcheck::check_many(&dfs, bin)
                .into_iter()
                .map(Some)
                .collect()
        }
        _ => parsed.iter().map(|_| None).collect(),
    };
    for ((file, df), sc) in parsed.iter().zip(sc.iter_mut()) {
        let context = file.parent().map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        });
        let name = display(file);
        let linted = lint::lint_with_shellcheck(df, options, context, scanner, sc.take());
        for p in linted.problems {
            outcome
                .findings
                .push(p.finding(&name, options.failure_threshold));
        }
        for note in linted.notes {
            outcome.notes.push(format!("{name}: {note}"));
        }
    }
    Ok(outcome)
}

/// The `dockerfile` check of an outcome.
pub fn check(outcome: Outcome, took: std::time::Duration) -> Check {
    let files = outcome.files;
    let mut check = Check::from_findings("dockerfile", outcome.findings);
    check.summary = format!(
        "{} in {files} Dockerfile{}",
        check.summary.replace("no findings", "no problems"),
        if files == 1 { "" } else { "s" }
    );
    #[expect(clippy::cast_precision_loss, reason = "counts shown as metrics")]
    let metrics = [
        (
            "findings",
            check.findings.len() as f64,
            "dockerfile_lint_findings",
        ),
        ("files", files as f64, "dockerfile_lint_files"),
    ];
    for (label, value, family) in metrics {
        check = check.with_metric(
            Metric::new(label, value)
                .unit(Unit::None)
                .min(0.0)
                .prometheus(family, &[]),
        );
    }
    check.took(took)
}

/// The rule descriptions a report needs for the codes in its findings.
pub fn rule_infos(check: &Check) -> Vec<RuleInfo> {
    let mut codes: Vec<&str> = check.findings.iter().map(|f| f.rule.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
        .into_iter()
        .filter_map(rules::find)
        .map(|r| RuleInfo {
            code: r.code.to_owned(),
            name: r.name.to_owned(),
            summary: r.summary.to_owned(),
            severity: match r.level {
                Level::Error => opskit::report::Severity::Error,
                Level::Warning => opskit::report::Severity::Warning,
                _ => opskit::report::Severity::Note,
            },
            help: Some(r.help_url()),
        })
        .collect()
}

/// What a rule (by code, `DL3007`, or name, `latest-tag`) means, as `--explain` shows it;
/// `None` for a rule dockerfile-lint does not have.
pub fn explain(code: &str) -> Option<Report> {
    let rule = rules::find(code)?;
    let check = Check::new(
        rule.code,
        Status::Ok,
        format!(
            "{} ({}, {}): {} {} See {}",
            rule.code,
            rule.name,
            rule.level,
            rule.summary,
            rule.why,
            rule.help_url()
        ),
    );
    Some(Report::new(NAME, env!("CARGO_PKG_VERSION")).with_check(check))
}

/// `dockerfile-lint`'s entry point.
pub fn run(args: &Args, cx: &Context) -> Result<Report, Error> {
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    if let Some(code) = &args.explain {
        return explain(code).ok_or_else(|| Error::UnknownRule(code.clone()));
    }
    if args.list_rules {
        let all: Vec<&rules::Rule> = std::iter::once(&rules::DL1000)
            .chain(rules::RULES.iter().copied())
            .collect();
        let mut check = Check::new("rules", Status::Ok, format!("{} rules", all.len()));
        for r in all {
            check = check.with_finding(
                Finding::new(
                    r.code,
                    opskit::report::Severity::Note,
                    format!("{} [{}] {}", r.name, r.level, r.summary),
                )
                .help(r.help_url()),
            );
        }
        return Ok(report.with_check(check));
    }
    let mut options = config::resolve(args, cx)?;
    if !args.no_shellcheck {
        options.settings.shellcheck = shellcheck::find();
        if options.settings.shellcheck.is_none() {
            cx.note(shellcheck::MISSING_NOTE);
        }
    }
    let scanner = scanner()?;
    let started = Instant::now();
    let outcome = if args.paths.len() == 1 && args.paths[0].as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|source| Error::Read {
                path: PathBuf::from("-"),
                source,
            })?;
        let linted = lint::lint_bytes_checked(&bytes, &options, None, Some(&scanner));
        let findings = linted
            .problems
            .into_iter()
            .map(|p| p.finding(&args.stdin_name, options.failure_threshold))
            .collect();
        Outcome {
            findings,
            files: 1,
            bytes: bytes.len() as u64,
            notes: linted.notes,
        }
    } else {
        let roots = if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths.clone()
        };
        let mut files = Vec::new();
        for root in &roots {
            let absolute = cx.cwd.join(root);
            if absolute.is_dir() {
                files.extend(discover(&absolute));
            } else if absolute.is_file() {
                files.push(absolute);
            } else {
                return Err(Error::Read {
                    path: root.clone(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "no such file or directory",
                    ),
                });
            }
        }
        if files.is_empty() {
            return Err(Error::NoDockerfiles(roots));
        }
        let cwd = cx.cwd.clone();
        lint_files(&files, &options, Some(&scanner), &|p| {
            p.strip_prefix(&cwd)
                .unwrap_or(p)
                .to_string_lossy()
                .into_owned()
        })?
    };
    for note in &outcome.notes {
        cx.note(note.clone());
    }
    let check = check(outcome, started.elapsed());
    for info in rule_infos(&check) {
        report = report.with_rule(info);
    }
    Ok(report.with_check(check))
}
