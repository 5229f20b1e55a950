//! # secret-scan: find secrets before they ship, and the ones that already did
//!
//! A keyword prefilter (one Aho-Corasick pass per file over every rule's literal keywords)
//! decides which of the [`rules`] run at all, and they run only on the lines around their
//! keywords. The walk is parallel, honours .gitignore, and scans hidden files (`.env*`,
//! `.npmrc`, `.github/`): the ones that leak most.
//!
//! - [`rules`]: the registry, one table entry per provider format, each with examples that must
//!   and must not fire.
//! - [`engine`]: the prefilter and the patterns; [`precision`]: what is not a secret.
//! - [`scan`]: pragmas, allowlists and baselines; [`walk`] and [`git`]: where bytes come from.
//!
//! ```
//! use opskit_secret_scan::scan::{Scanner, Settings};
//! let scanner = Scanner::new(&Settings::default(), None).unwrap();
//! let token = opskit_secret_scan::fake::expand("ghp_{a62:36}", &mut opskit_secret_scan::fake::Rng::new(1));
//! let hits = scanner.scan_bytes(".env", format!("GITHUB_TOKEN={token}\n").as_bytes());
//! assert_eq!(hits[0].rule.code, "SEC027");
//! ```

pub mod codes;
pub mod corpus;
pub mod decode;
pub mod engine;
pub mod fake;
pub mod git;
pub mod precision;
pub mod rules;
pub mod scan;
pub mod walk;

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use opskit::Status;
use opskit::cli::{CommonArgs, Context, Tool};
use opskit::redact::redact;
use opskit::report::{Check, Finding, Location, Metric, Report, RuleInfo, Severity, Unit};
use serde::Deserialize;

use crate::codes::{SCAN001, SCAN002, SCAN003};
use crate::engine::Hit;
use crate::rules::Confidence;
use crate::scan::{Baseline, BaselineEntry, Scanner, Settings};
use crate::walk::{Stats, WalkOptions};

/// The binary's name.
pub const NAME: &str = "secret-scan";

const EXAMPLES: &str = "\
Examples:
  # Scan the working tree (hidden files included, .gitignore honoured)
  secret-scan
  # Only what this commit adds (a pre-commit hook)
  secret-scan --staged
  # Every secret ever added on this branch, with commit, author and date
  secret-scan --git
  secret-scan --git main..HEAD
  # A file from a pipeline
  kubectl get secret app -o yaml | secret-scan -
  # Adopt on an existing repository: accept what is there, fail only on new secrets
  secret-scan --write-baseline .secrets-baseline.json
  secret-scan --baseline .secrets-baseline.json
  # SARIF for GitHub code scanning
  secret-scan --format sarif > secrets.sarif
  # What a rule finds and how to rotate what it found
  secret-scan --explain openrouter-api-key
  secret-scan --list-rules

Accept a finding with a comment on its line: opskit:allow (gitleaks:allow and
`pragma: allowlist secret` work too), or opskit:allow-next-line on the line before.

Exit codes: 0 clean, 1 only warnings, 2 a secret was found, 3 the scan could not run.";

/// `secret-scan`.
#[expect(clippy::struct_excessive_bools, reason = "command-line switches")]
#[derive(Debug, Clone, Default, Parser)]
#[command(name = NAME, version, about = "Find secrets in a working tree, staged changes, git history or stdin.", after_help = EXAMPLES)]
pub struct Args {
    /// Files or directories to scan (`-` reads stdin) [default: .].
    pub paths: Vec<PathBuf>,
    /// Scan what is staged for the next commit (only the lines it adds).
    #[arg(long, conflicts_with = "git")]
    pub staged: bool,
    /// Scan git history: every line each commit in RANGE added [default range: HEAD].
    #[arg(long, value_name = "RANGE", num_args = 0..=1, default_missing_value = "HEAD")]
    pub git: Option<String>,
    /// Accept the findings recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every current finding in FILE (no secrets, only fingerprints) and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Skip files larger than this many bytes, in every mode (reported); 0 means no limit
    /// [default: 5242880].
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Scan minified files and source maps with every rule (by default they are read for
    /// the providers' high-confidence tokens only).
    #[arg(long)]
    pub include_generated: bool,
    /// Do not honour .gitignore and .ignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links (loops are detected).
    #[arg(long)]
    pub follow: bool,
    /// Rules to leave out, by code or name (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub skip: Vec<String>,
    /// Only these rules, by code or name.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub only: Vec<String>,
    /// Drop findings below this confidence (low, medium, high).
    #[arg(long, value_name = "LEVEL")]
    pub min_confidence: Option<Confidence>,
    /// Worker threads [default: one per core].
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// List the rules and exit.
    #[arg(long)]
    pub list_rules: bool,
    /// Explain a rule (by code, `SEC001`, or name, `openrouter-api-key`) or a code and exit.
    #[arg(long, value_name = "CODE", conflicts_with = "list_rules")]
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
}

/// The `[secret-scan]` section of opskit.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Path globs never scanned.
    #[serde(default)]
    pub allow_paths: Vec<String>,
    /// Regexes over the secret: a match is accepted.
    #[serde(default)]
    pub allow_patterns: Vec<String>,
    /// Substrings of the secret that mark it accepted.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Rules to leave out.
    #[serde(default)]
    pub skip_rules: Vec<String>,
    /// The default baseline file.
    pub baseline: Option<PathBuf>,
    /// The default size limit in bytes.
    pub max_file_size: Option<u64>,
    /// The default minimum confidence.
    pub min_confidence: Option<String>,
}

/// Why secret-scan could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--explain` of a rule or code that does not exist.
    #[error(
        "unknown rule or code `{0}`: `secret-scan --list-rules` lists the rules (SEC001…); SCAN001 and SCAN002 are the files not scanned"
    )]
    UnknownRule(String),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file was read and is not what it must be (a baseline that is not one).
    #[error("{}: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A flag or configuration value is wrong.
    #[error("{0}")]
    Usage(String),
    /// git failed.
    #[error("{0}")]
    Git(String),
    /// opskit.toml is wrong.
    #[error(transparent)]
    Config(#[from] opskit::config::ConfigError),
}

impl Error {
    pub(crate) fn file(path: &Path, source: std::io::Error) -> Error {
        Error::File {
            path: path.to_owned(),
            source,
        }
    }
}

/// Everything a scan needs, resolved from flags and opskit.toml (flags win).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Accepted findings and rule selection.
    pub settings: Settings,
    /// Walk limits.
    pub walk: WalkOptions,
    /// Baseline to honour.
    pub baseline: Option<PathBuf>,
}

impl Options {
    /// Resolves flags over the file's section. A baseline named in the file is relative to
    /// `config_dir`, the directory of the opskit.toml it came from; one given as a flag is
    /// relative to the working directory.
    pub fn resolve(
        args: &Args,
        file: Option<FileConfig>,
        config_dir: Option<&Path>,
    ) -> Result<Options, Error> {
        let file = file.unwrap_or_default();
        let min_confidence = match (&args.min_confidence, &file.min_confidence) {
            (Some(c), _) => Some(*c),
            (None, Some(s)) => Some(s.parse::<Confidence>().map_err(|e| {
                Error::Usage(format!("opskit.toml [secret-scan] min_confidence: {e}"))
            })?),
            (None, None) => None,
        };
        let mut skip = file.skip_rules;
        skip.extend(args.skip.iter().cloned());
        Ok(Options {
            settings: Settings {
                allow_paths: file.allow_paths,
                allow_patterns: file.allow_patterns,
                stopwords: file.stopwords,
                skip_rules: skip,
                only_rules: args.only.clone(),
                min_confidence,
            },
            walk: WalkOptions {
                max_file_size: args.max_file_size.or(file.max_file_size).map_or(
                    WalkOptions::default().max_file_size,
                    |n| match n {
                        0 => u64::MAX,
                        n => n,
                    },
                ),
                include_generated: args.include_generated,
                no_ignore: args.no_ignore,
                follow_links: args.follow,
                threads: args.threads.unwrap_or(0),
                paths: walk::PathStyle::AsTyped,
            },
            baseline: args.baseline.clone().or_else(|| {
                file.baseline
                    .map(|b| config_dir.map_or(b.clone(), |dir| dir.join(&b)))
            }),
        })
    }
}

/// The rule descriptions a report carries (SARIF's rule table, `-v`).
pub fn rule_info(rule: &rules::Rule) -> RuleInfo {
    RuleInfo {
        code: rule.code.to_owned(),
        name: rule.id.to_owned(),
        summary: format!("{} {} Rotate: {}.", rule.title, rule.impact, rule.rotate),
        severity: rule.severity,
        help: Some(rules::help_url(rule)),
    }
}

/// A finding for a hit.
pub fn finding(path: &str, hit: &Hit) -> Finding {
    let f = Finding::new(
        hit.rule.code,
        hit.severity,
        match hit.via {
            Some(via) => format!("{} ({via}; rotate: {})", hit.rule.title, hit.rule.rotate),
            None => format!("{} (rotate: {})", hit.rule.title, hit.rule.rotate),
        },
    )
    .at(Location::new(path).line(hit.line).column(hit.column))
    .evidence(redact(&hit.secret))
    .help(rules::help_url(hit.rule))
    .property("confidence", hit.confidence.as_str());
    match hit.via {
        Some(via) => f.property("encoding", via),
        None => f,
    }
}

/// What a scan found and what it skipped.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings, with the path each was found in.
    pub findings: Vec<Finding>,
    /// Walk statistics (working-tree mode).
    pub stats: Stats,
    /// What was scanned, for the summary.
    pub scope: String,
}

/// Scans the working tree under `roots` with `options`: the entry point predeploy uses.
pub fn scan_paths(roots: &[PathBuf], options: &Options) -> Result<Outcome, Error> {
    let scanner = scanner(options)?;
    for root in roots {
        if std::fs::symlink_metadata(root).is_err() {
            return Err(Error::Invalid {
                path: root.clone(),
                reason: "no such file or directory".to_owned(),
            });
        }
    }
    let (found, stats) = walk::scan_tree(roots, &scanner, &options.walk);
    let mut outcome = Outcome {
        scope: match stats.files {
            1 => "1 file".to_owned(),
            n => format!("{n} files"),
        },
        stats,
        ..Outcome::default()
    };
    for file in found {
        for hit in &file.hits {
            outcome.findings.push(finding(&file.path, hit));
        }
    }
    Ok(outcome)
}

fn scanner(options: &Options) -> Result<Scanner, Error> {
    let baseline = options
        .baseline
        .as_deref()
        .map(Baseline::load)
        .transpose()?;
    Scanner::new(&options.settings, baseline)
}

fn scan_stdin(options: &Options) -> Result<Outcome, Error> {
    let scanner = scanner(options)?;
    let mut data = Vec::new();
    std::io::stdin()
        .take(options.walk.max_file_size.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| Error::file(Path::new("-"), e))?;
    let mut outcome = Outcome {
        scope: "stdin".to_owned(),
        ..Outcome::default()
    };
    // The same limit as for files, with the same outcome: skipped, and said so.
    if data.len() as u64 > options.walk.max_file_size {
        outcome
            .stats
            .too_large
            .push(("-".to_owned(), data.len() as u64));
        return Ok(outcome);
    }
    outcome.stats.files = 1;
    outcome.stats.bytes = data.len() as u64;
    for hit in scanner.scan_bytes("-", &data) {
        outcome.findings.push(finding("-", &hit));
    }
    Ok(outcome)
}

fn scan_git(root: &Path, args: &Args, options: &Options) -> Result<Outcome, Error> {
    let scanner = scanner(options)?;
    let max = options.walk.max_file_size;
    let ((hits, stats), scope) = if args.staged {
        (
            git::scan_staged(root, &scanner, max)?,
            "staged changes".to_owned(),
        )
    } else {
        let range = args.git.as_deref();
        (
            git::scan_history(root, range, &scanner, max)?,
            format!("git history ({})", range.unwrap_or("HEAD")),
        )
    };
    let mut outcome = Outcome {
        stats,
        scope,
        ..Outcome::default()
    };
    for g in hits {
        let mut f = finding(&g.path, &g.hit);
        if let Some(c) = &g.commit {
            f = f
                .property("commit", c.hash.clone())
                .property("author", c.author.clone())
                .property("date", c.date.clone());
        }
        outcome.findings.push(f);
    }
    Ok(outcome)
}

/// What was scanned, with what `--git` read (commits, patches, bytes).
fn scope_text(scope: String, stats: &Stats) -> String {
    match stats.commits {
        Some(n) => format!(
            "{scope}: {n} commit{}, {} patch{}, {} bytes",
            if n == 1 { "" } else { "s" },
            stats.files,
            if stats.files == 1 { "" } else { "es" },
            stats.bytes
        ),
        None => scope,
    }
}

/// The `secrets` check of an outcome: CRITICAL on a secret, UNKNOWN when files could not be
/// `; 3 generated files read for provider tokens only`, or nothing.
fn generated_note(n: u64) -> String {
    match n {
        0 => String::new(),
        1 => "; 1 generated file read for provider tokens only".to_owned(),
        n => format!("; {n} generated files read for provider tokens only"),
    }
}

/// read (and nothing worse was found), with what was skipped in the summary and metrics.
pub fn check(outcome: Outcome, took: std::time::Duration) -> Check {
    let Outcome {
        mut findings,
        stats,
        scope,
        ..
    } = outcome;
    let secrets = findings.len();
    let files_with = findings
        .iter()
        .filter_map(|f| f.location.as_ref().map(|l| l.path.as_str()))
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    for (path, size) in &stats.too_large {
        findings.push(
            SCAN001.finding(format!("not scanned: {size} bytes is over the size limit (raise --max-file-size to include it)"),
            )
            .at(Location::new(path)),
        );
    }
    for (path, kind) in &stats.binary_content {
        findings.push(
            SCAN003
                .finding(format!("not scanned: binary ({kind})"))
                .at(Location::new(path)),
        );
    }
    for (path, reason) in &stats.unreadable {
        findings.push(
            SCAN002
                .finding(format!("could not be read: {reason}"))
                .at(Location::new(path)),
        );
    }
    let mut status = Status::worst_of(findings.iter().map(|f| f.severity.status()));
    if !stats.unreadable.is_empty() {
        status = status.worst(Status::Unknown);
    }
    let mut skipped = Vec::new();
    for (n, what) in [
        (stats.binary, "binary"),
        (stats.too_large.len() as u64, "over the size limit"),
        (stats.allowlisted, "allowlisted"),
        (stats.unreadable.len() as u64, "unreadable"),
        (stats.loops.len() as u64, "symlink loops"),
    ] {
        if n > 0 {
            skipped.push(format!("{n} {what}"));
        }
    }
    let found = match secrets {
        0 => "no secrets".to_owned(),
        1 => "1 secret".to_owned(),
        n => format!("{n} secrets"),
    };
    let scope = scope_text(scope, &stats);
    let mut summary = if secrets > 0 {
        format!(
            "{found} in {files_with} file{} ({scope})",
            if files_with == 1 { "" } else { "s" }
        )
    } else {
        format!("{found} ({scope})")
    };
    if !skipped.is_empty() {
        let _ = write!(summary, "; skipped {}", skipped.join(", "));
    }
    summary.push_str(&generated_note(stats.generated));
    #[expect(clippy::cast_precision_loss, reason = "counts shown as metrics")]
    let metrics = [
        ("secrets", secrets as f64, "secret_scan_findings"),
        ("files", stats.files as f64, "secret_scan_files_scanned"),
        ("bytes", stats.bytes as f64, "secret_scan_bytes_scanned"),
        (
            "skipped",
            (stats.binary + stats.too_large.len() as u64) as f64,
            "secret_scan_files_skipped",
        ),
    ];
    let mut check = Check::new("secrets", status, summary);
    check.findings = findings;
    for (label, value, family) in metrics {
        let unit = if label == "bytes" {
            Unit::Bytes
        } else {
            Unit::None
        };
        check = check.with_metric(
            Metric::new(label, value)
                .unit(unit)
                .min(0.0)
                .prometheus(family, &[]),
        );
    }
    check.took(took)
}

/// What a rule (by code, `SEC001`, or name, `openrouter-api-key`) or a SCAN code means, as
/// `--explain` shows it; `None` for a code secret-scan does not have.
pub fn explain(code: &str) -> Option<Report> {
    let version = env!("CARGO_PKG_VERSION");
    let Some(r) = rules::find(code) else {
        return opskit::codes::explain(NAME, version, &[codes::REGISTRY], code).ok();
    };
    let summary = format!(
        "{} ({}, {}, {} confidence): {} {} Rotate: {}. See {}",
        r.code,
        r.id,
        r.severity.as_str(),
        r.confidence.as_str(),
        r.title,
        r.impact,
        r.rotate,
        rules::help_url(r)
    );
    Some(
        Report::new(NAME, version)
            .with_check(Check::new(r.code, Status::Ok, summary))
            .with_rule(rule_info(r)),
    )
}

/// `secret-scan`'s entry point.
pub fn run(args: &Args, cx: &Context) -> Result<Report, Error> {
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    if let Some(code) = &args.explain {
        return explain(code).ok_or_else(|| Error::UnknownRule(code.clone()));
    }
    if args.list_rules {
        let all = rules::all();
        let mut check = Check::new("rules", Status::Ok, format!("{} rules", all.len()));
        for r in all {
            check = check.with_finding(
                Finding::new(
                    r.code,
                    Severity::Note,
                    format!("{}: {} ({})", r.id, r.title, r.confidence.as_str()),
                )
                .help(rules::help_url(r)),
            );
            report = report.with_rule(rule_info(r));
        }
        return Ok(report.with_check(check));
    }
    let file: Option<FileConfig> = cx.section(NAME)?;
    let config_dir = cx.config.as_ref().and_then(|c| c.path().parent());
    let options = Options::resolve(args, file, config_dir)?;
    let started = Instant::now();
    let roots: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    // `--git .` reads `.` as the range; say what was meant.
    if let Some(range) = args.git.as_deref()
        && args.paths.is_empty()
        && range != "HEAD"
        && Path::new(range).is_dir()
    {
        return Err(Error::Usage(format!(
            "--git takes a revision range, and `{range}` is a directory: write `secret-scan --git {range}` as `secret-scan {range} --git` (all of HEAD's history) or `secret-scan {range} --git main..HEAD`"
        )));
    }
    let outcome = if args.staged || args.git.is_some() {
        let root = roots.first().cloned().unwrap_or_else(|| PathBuf::from("."));
        scan_git(&root, args, &options)?
    } else if roots.iter().any(|p| p.as_os_str() == "-") {
        if roots.len() > 1 {
            return Err(Error::Usage(
                "`-` (stdin) cannot be mixed with paths".to_owned(),
            ));
        }
        scan_stdin(&options)?
    } else {
        scan_paths(&roots, &options)?
    };
    if let Some(path) = &args.write_baseline {
        let mut entries: Vec<BaselineEntry> = outcome
            .findings
            .iter()
            .filter_map(BaselineEntry::of)
            .collect();
        entries.sort_by(|a, b| {
            (&a.path, &a.rule, &a.fingerprint).cmp(&(&b.path, &b.rule, &b.fingerprint))
        });
        entries.dedup();
        let count = entries.len();
        Baseline {
            version: 1,
            findings: entries,
        }
        .save(path)?;
        let mut check = Check::new(
            "baseline",
            Status::Ok,
            format!("{count} finding(s) accepted into {}", path.display()),
        );
        // The outcome holds secrets only (notes about skipped files are added by `check`).
        for mut f in outcome.findings {
            f.severity = Severity::Note;
            check.findings.push(f);
        }
        return Ok(report.with_check(check.took(started.elapsed())));
    }
    let found: std::collections::BTreeSet<&str> =
        outcome.findings.iter().map(|f| f.rule.as_str()).collect();
    for rule in found.into_iter().filter_map(rules::find) {
        report = report.with_rule(rule_info(rule));
    }
    let mut report = report.with_check(check(outcome, started.elapsed()));
    report.sort();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_valid() {
        Args::command().debug_assert();
    }
}
