//! # predeploy: the whole pre-deployment validation of a TypeScript platform
//!
//! The seed's `scripts/pre-deployment-check.sh production`, as one process that runs every
//! check in parallel and reports them together:
//!
//! | check        | what it runs                                                                  |
//! |--------------|--------------------------------------------------------------------------------|
//! | `typescript` | the project's own `tsc --noEmit` for every `tsconfig.json` (TypeScript 5 or 7) |
//! | `lint`       | the project's own ESLint with its JSON formatter (flat or legacy config)       |
//! | `files`      | lockfile, Dockerfile, Railway config, `.env.example`, `.gitignore`, no tracked `.env` |
//! | `railway`    | railway.json/.toml fields, a health check path with a real route, restart policy |
//! | `vercel`     | vercel.json fields                                                            |
//! | `secrets`    | secret-scan over the tree, with the project's `[secret-scan]` allowlists        |
//! | `dockerfile` | dockerfile-lint on every Dockerfile: hadolint's rules, HEALTHCHECK, secrets, root |
//! | `env`        | env-check for every service of the schema: values (when present) and drift      |
//! | `health`     | health-probe on the configured targets; unreachable ones skipped unless required |
//!
//! The long checks (tsc, ESLint) start first; every check runs on its own thread with a
//! timeout; a check that crashes or times out is UNKNOWN with its reason and the others still
//! finish. The exit code is the worst status (`--fail-on critical` lets warnings pass).

pub mod cache;
pub mod checks;
pub mod codes;
pub mod edge;
pub mod exec;
pub mod project;
pub mod readiness;
pub mod runner;
pub mod script;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use opskit::Status;
use opskit::cli::{CommonArgs, Context, Tool};
use opskit::config::ConfigError;
use opskit::render::Format;
use opskit::report::{Check, Report};
use serde::Deserialize;

/// The binary's name and config section.
pub const NAME: &str = "predeploy";

/// A check predeploy can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckName {
    /// `tsc --noEmit` per TypeScript project.
    Typescript,
    /// ESLint.
    Lint,
    /// Critical files.
    Files,
    /// Railway configuration.
    Railway,
    /// Vercel configuration.
    Vercel,
    /// secret-scan over the tree.
    Secrets,
    /// dockerfile-lint on every Dockerfile.
    Dockerfile,
    /// env-check: each service's values and code against the schema.
    Env,
    /// health-probe on the project's configured targets, when they are reachable.
    Health,
}

impl CheckName {
    /// Every check, longest first (they start in this order).
    pub const ALL: [CheckName; 9] = [
        CheckName::Typescript,
        CheckName::Lint,
        CheckName::Secrets,
        CheckName::Dockerfile,
        CheckName::Env,
        CheckName::Health,
        CheckName::Files,
        CheckName::Railway,
        CheckName::Vercel,
    ];

    /// The check's name in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            CheckName::Typescript => "typescript",
            CheckName::Lint => "lint",
            CheckName::Files => "files",
            CheckName::Railway => "railway",
            CheckName::Vercel => "vercel",
            CheckName::Secrets => "secrets",
            CheckName::Dockerfile => "dockerfile",
            CheckName::Env => "env",
            CheckName::Health => "health",
        }
    }
}

/// Which statuses fail the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// WARNING and worse exit non-zero (the default).
    #[default]
    Warning,
    /// Only CRITICAL and UNKNOWN exit non-zero; warnings are shown but pass.
    Critical,
}

const EXAMPLES: &str = "\
Examples:
  # The embedded example (what `cargo xtask predeploy` runs)
  predeploy --root examples/agent-platform
  # Your app, only the fast checks, for a pre-commit hook
  predeploy --root . --only files,railway,vercel
  # In GitHub Actions: annotations, a job summary, and SARIF for code scanning
  predeploy --format github
  predeploy --format sarif > predeploy.sarif
  # Let warnings through, fail on errors only
  predeploy --fail-on critical
  # What a finding code means (predeploy's own, ENV and HP codes)
  predeploy --explain RW005
  # The production readiness checklist (health checks, monitors, alerts, backups, rotation)
  predeploy readiness

Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (a check could not run, bad flags).";

/// `predeploy`: validate a TypeScript platform before deploying it.
#[expect(clippy::struct_excessive_bools, reason = "command-line switches")]
#[derive(Debug, Clone, Parser)]
#[command(name = NAME, version, about = "Pre-deployment validation: TypeScript, ESLint, secrets, Dockerfiles, environment, health endpoints, critical files, Railway and Vercel configuration, in parallel.", after_help = EXAMPLES)]
pub struct Args {
    /// The project to check.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// The environment being deployed (production, preview, development).
    #[arg(long = "env", value_name = "ENV", default_value = "production")]
    pub environment: String,
    /// Run only these checks (comma-separated or repeated).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "CHECKS")]
    pub only: Vec<CheckName>,
    /// Skip these checks.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "CHECKS")]
    pub skip: Vec<CheckName>,
    /// Which statuses fail the run [default: warning].
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Install the project's packages (npm ci, pnpm install --frozen-lockfile, …) when
    /// node_modules is missing.
    #[arg(long)]
    pub install: bool,
    /// Run every check, even those whose inputs did not change since the last run.
    #[arg(long)]
    pub no_cache: bool,
    /// The deployment's variables, exported from the platform (`vercel env pull FILE`,
    /// `railway variables --json > FILE`): the env check reads them above the .env files.
    /// `SERVICE=FILE` gives it to one service (its name or directory); a bare FILE is
    /// accepted only when one service is checked.
    #[arg(long = "env-vars", value_name = "[SERVICE=]FILE")]
    pub env_vars: Vec<String>,
    /// Fail when a configured health target cannot be reached (by default it is reported as
    /// skipped, as the seed's script did: "if reachable").
    #[arg(long)]
    pub require_health: bool,
    /// Fail when no source holds a service's values (by default the env check then only
    /// checks the code and notes that the values were not checked).
    #[arg(long)]
    pub require_env: bool,
    /// How long each check may run before it is stopped and reported UNKNOWN: `10m`, `90s`
    /// [default: 10m; a bare number is seconds].
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<opskit::duration::SpanArg>,
    /// How many tools (tsc, ESLint, Biome) run at once [default: the cores, at most one per
    /// 1.5 GiB of free memory].
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Secret findings at or above this confidence fail the deploy; those below are notes
    /// [default: medium: high and medium fail, low ones are notes].
    #[arg(long, value_name = "LEVEL")]
    pub min_confidence: Option<opskit_secret_scan::rules::Confidence>,
    /// Type-check and lint only the packages that changed since REF (a branch, tag or
    /// commit; uncommitted and untracked files count) and the packages that depend on them.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Notifications on status changes and Sentry Crons check-ins.
    #[command(flatten)]
    pub notify: opskit::cli::NotifyFlags,
    /// `--explain CODE` and `--list-rules`.
    #[command(flatten)]
    pub codes: opskit::codes::CodeFlags,
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

    fn exit_status(&self, report: &Report, cx: &Context) -> Status {
        let status = report.status();
        let fail_on = self
            .fail_on
            .or_else(|| plan(self, cx).ok().map(|p| p.fail_on))
            .unwrap_or_default();
        if fail_on == FailOn::Critical && status == Status::Warning {
            Status::Ok
        } else {
            status
        }
    }
}

/// `[predeploy]` in opskit.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Checks to run (default: all).
    pub checks: Option<Vec<CheckName>>,
    /// Checks to skip.
    pub skip: Option<Vec<CheckName>>,
    /// TypeScript project directories (default: every directory with a tsconfig.json).
    pub typescript_projects: Option<Vec<PathBuf>>,
    /// Files that must exist, relative to the root.
    pub required_files: Option<Vec<String>>,
    /// Per check: `"10m"` (a bare number is seconds).
    pub timeout: Option<opskit::duration::SpanArg>,
    /// `warning` or `critical`.
    pub fail_on: Option<FailOn>,
    /// Tools run at once.
    pub jobs: Option<usize>,
    /// The lowest secret confidence that fails the deploy: `low`, `medium` or `high`.
    pub min_confidence: Option<String>,
}

/// Why predeploy could not run at all (a check that cannot run is an UNKNOWN check instead).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--explain` of a code no registry holds.
    #[error(transparent)]
    UnknownCode(#[from] opskit::codes::UnknownCode),
    /// opskit.toml is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The root is not a directory.
    #[error("{0} is not a directory; pass the project's root with --root")]
    NoRoot(String),
    /// Dependencies are missing.
    #[error(
        "node_modules is missing in {root}: install the project's packages with `{command}` (in {root}), or pass --install"
    )]
    NotInstalled {
        /// The root.
        root: String,
        /// The install command.
        command: String,
    },
    /// `--install` failed.
    #[error("`{command}` failed in {root}: {reason}")]
    InstallFailed {
        /// The root.
        root: String,
        /// The command.
        command: String,
        /// Why.
        reason: String,
    },
    /// A bad value.
    #[error("{0}")]
    Usage(String),
    /// The workspace's own files do not parse.
    #[error(transparent)]
    Workspace(#[from] opskit::workspace::Error),
    /// `--changed-since` could not be worked out.
    #[error("--changed-since {since}: {reason}")]
    ChangedSince {
        /// The ref.
        since: String,
        /// Why.
        reason: String,
    },
}

/// What the runner tells as it goes, for a progress view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// These checks started.
    Started(Vec<&'static str>),
    /// A check finished.
    Finished {
        /// Its name.
        name: &'static str,
        /// Its status.
        status: Status,
        /// How long it took.
        duration: Duration,
        /// Checks still running.
        running: Vec<&'static str>,
    },
}

/// Resolved settings.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The root.
    pub root: PathBuf,
    /// The checks, in start order.
    pub checks: Vec<CheckName>,
    /// TypeScript projects (empty: all found).
    pub typescript_projects: Vec<PathBuf>,
    /// Required files.
    pub required_files: Vec<String>,
    /// Per-check timeout.
    pub timeout: Duration,
    /// Which statuses fail.
    pub fail_on: FailOn,
    /// Reuse results of unchanged inputs.
    pub use_cache: bool,
    /// Tools run at once.
    pub jobs: usize,
    /// `--changed-since REF`.
    pub changed_since: Option<String>,
    /// Secret findings below this confidence are notes.
    pub min_confidence: opskit_secret_scan::rules::Confidence,
    /// secret-scan's settings from the project's `[secret-scan]` section.
    pub secrets: opskit_secret_scan::Options,
    /// dockerfile-lint's settings from the project's `.hadolint.yaml` and `[dockerfile-lint]`.
    pub dockerfile: opskit_dockerfile_lint::lint::Options,
    /// env-check's schema from the project's `[env-check]`, and where values come from.
    pub env: checks::env::EnvPlan,
    /// health-probe's targets from the project's `[[health-probe.targets]]`.
    pub health: checks::health::HealthPlan,
}

/// Resolves flags over `[predeploy]` over defaults.
pub fn plan(args: &Args, cx: &Context) -> Result<Plan, Error> {
    let root = if args.root.is_absolute() {
        args.root.clone()
    } else {
        cx.cwd.join(&args.root)
    };
    if !root.is_dir() {
        return Err(Error::NoRoot(root.display().to_string()));
    }
    // The target's own opskit.toml wins over one found from the working directory.
    let target_config = opskit::config::Config::discover(&root)?;
    let file: FileConfig = match &target_config {
        Some(c) => c.section(NAME, &|n| cx.var(n))?,
        None => cx.section(NAME)?,
    }
    .unwrap_or_default();
    let secret_file: Option<opskit_secret_scan::FileConfig> = match &target_config {
        Some(c) => c.section(opskit_secret_scan::NAME, &|n| cx.var(n))?,
        None => cx.section(opskit_secret_scan::NAME)?,
    };
    let config_dir = target_config
        .as_ref()
        .or(cx.config.as_ref())
        .and_then(|c| c.path().parent());
    let mut secrets = opskit_secret_scan::Options::resolve(
        &opskit_secret_scan::Args::default(),
        secret_file,
        config_dir,
    )
    .map_err(|e| Error::Usage(format!("[secret-scan]: {e}")))?;
    // Findings read as the other checks': relative to the project's root.
    secrets.walk.paths = opskit_secret_scan::walk::PathStyle::RelativeToRoot;
    let dockerfile = dockerfile_options(&root, target_config.as_ref(), cx)?;
    let env = env_plan(args, target_config.as_ref(), cx)?;
    let health_file: Option<opskit_health_probe::FileConfig> = match &target_config {
        Some(c) => c.section(opskit_health_probe::NAME, &|n| cx.var(n))?,
        None => cx.section(opskit_health_probe::NAME)?,
    };
    let health = checks::health::HealthPlan {
        targets: health_file
            .unwrap_or_default()
            .targets
            .into_iter()
            .map(opskit_health_probe::Target::new)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Usage(format!("[health-probe]: {e}")))?,
        require: args.require_health,
    };
    let wanted = if args.only.is_empty() {
        file.checks
            .clone()
            .unwrap_or_else(|| CheckName::ALL.to_vec())
    } else {
        args.only.clone()
    };
    let skip: Vec<CheckName> = args
        .skip
        .iter()
        .chain(file.skip.iter().flatten())
        .copied()
        .collect();
    let checks = CheckName::ALL
        .into_iter()
        .filter(|c| wanted.contains(c) && !skip.contains(c))
        .collect();
    let timeout = args
        .timeout
        .or(file.timeout)
        .map_or(Duration::from_mins(10), |t| {
            t.span(opskit::duration::Unit::Seconds).duration()
        });
    if timeout.is_zero() {
        return Err(Error::Usage(
            "--timeout must be longer than zero: write a duration such as 10m".to_owned(),
        ));
    }
    Ok(Plan {
        root,
        checks,
        typescript_projects: file.typescript_projects.unwrap_or_default(),
        required_files: file.required_files.unwrap_or_default(),
        timeout,
        fail_on: args.fail_on.or(file.fail_on).unwrap_or_default(),
        use_cache: !args.no_cache,
        jobs: match args.jobs.or(file.jobs) {
            Some(0) => return Err(Error::Usage("--jobs must be at least 1".to_owned())),
            Some(n) => n,
            None => runner::default_jobs(),
        },
        changed_since: args.changed_since.clone(),
        min_confidence: match (args.min_confidence, &file.min_confidence) {
            (Some(c), _) => c,
            (None, Some(s)) => s.parse().map_err(|e| {
                Error::Usage(format!("opskit.toml [predeploy] min_confidence: {e}"))
            })?,
            (None, None) => opskit_secret_scan::rules::Confidence::Medium,
        },
        secrets,
        dockerfile,
        env,
        health,
    })
}

/// dockerfile-lint's options for the target: its `.hadolint.yaml`, then `[dockerfile-lint]`.
fn dockerfile_options(
    root: &std::path::Path,
    target_config: Option<&opskit::config::Config>,
    cx: &Context,
) -> Result<opskit_dockerfile_lint::lint::Options, Error> {
    // hadolint's info- and style-level findings are notes in a deploy gate (hadolint's own
    // default fails on them); a project's `failure-threshold` still wins.
    let mut dockerfile = opskit_dockerfile_lint::lint::Options {
        failure_threshold: opskit_dockerfile_lint::rules::Level::Warning,
        ..opskit_dockerfile_lint::lint::Options::default()
    };
    // ShellCheck on RUN, as dockerfile-lint runs it: when it is installed (or SHELLCHECK
    // names it); the check says so when it is not.
    dockerfile.settings.shellcheck = opskit_dockerfile_lint::shellcheck::find();
    if let Some(path) = opskit_dockerfile_lint::config::find_hadolint_config(root) {
        let h = opskit_dockerfile_lint::config::read_hadolint_config(&path)
            .map_err(|e| Error::Usage(e.to_string()))?;
        dockerfile
            .apply_hadolint(&h)
            .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
    }
    let dockerfile_file: Option<opskit_dockerfile_lint::FileConfig> = match target_config {
        Some(c) => c.section(opskit_dockerfile_lint::NAME, &|n| cx.var(n))?,
        None => cx.section(opskit_dockerfile_lint::NAME)?,
    };
    if let Some(f) = dockerfile_file {
        dockerfile
            .apply_file(&f)
            .map_err(|e| Error::Usage(format!("[dockerfile-lint]: {e}")))?;
    }
    Ok(dockerfile)
}

/// env-check's schema and sources for the target.
fn env_plan(
    args: &Args,
    target_config: Option<&opskit::config::Config>,
    cx: &Context,
) -> Result<checks::env::EnvPlan, Error> {
    let (schema, raw): (Option<opskit::env::schema::Schema>, Option<toml::Value>) =
        match target_config {
            Some(c) => (
                c.section(opskit_env_check::NAME, &|n| cx.var(n))?,
                c.section(opskit_env_check::NAME, &|n| cx.var(n))?,
            ),
            None => (
                cx.section(opskit_env_check::NAME)?,
                cx.section(opskit_env_check::NAME)?,
            ),
        };
    // The schema is resolved with the code in the check's thread; the process environment is
    // read here, once: every variable it holds (the schema's names are known only then).
    let mut names: Vec<String> = cx.env_names.clone();
    names.extend(
        schema
            .iter()
            .flat_map(|s| s.services.values())
            .flat_map(|svc| {
                svc.vars.iter().flat_map(|(k, v)| {
                    std::iter::once(k.clone()).chain(v.deprecated_names.iter().cloned())
                })
            }),
    );
    names.sort();
    names.dedup();
    let process: Vec<(String, String)> = names
        .into_iter()
        .filter_map(|name| cx.var(&name).map(|v| (name, v)))
        .collect();
    Ok(checks::env::EnvPlan {
        schema,
        raw,
        environment: args.environment.clone(),
        inputs: opskit_env_check::sources::Inputs {
            files: Vec::new(),
            exports: Vec::new(),
            process: true,
            public_names: opskit_env_check::public_names(cx),
        },
        exports: args
            .env_vars
            .iter()
            .map(|v| {
                let mut e = opskit_env_check::sources::Export::parse(v);
                e.path = cx.cwd.join(&e.path);
                e
            })
            .collect(),
        process,
        require: args.require_env,
    })
}

/// Makes sure node_modules exists when a check needs the project's tools: installs with
/// `--install`, otherwise says how.
pub fn ensure_installed(
    plan: &Plan,
    project: &project::Project,
    install: bool,
) -> Result<(), Error> {
    let needs_tools = plan
        .checks
        .iter()
        .any(|c| matches!(c, CheckName::Typescript | CheckName::Lint));
    let ws_root = project.workspace_root();
    if !needs_tools
        || ws_root.join("node_modules").is_dir()
        || plan.root.join("node_modules").is_dir()
        || !ws_root.join("package.json").is_file()
    {
        return Ok(());
    }
    let manager = project
        .manager
        .as_ref()
        .map_or(project::PackageManager::Npm, |m| m.0);
    let command = manager.install();
    let root = ws_root.display().to_string();
    if !install {
        let command = if project.manager.is_some() {
            command.join(" ")
        } else {
            "npm install".to_owned()
        };
        return Err(Error::NotInstalled { root, command });
    }
    let (program, rest) = command.split_first().unwrap_or((&"npm", &[]));
    let out = std::process::Command::new(program)
        .args(rest.iter())
        .current_dir(ws_root)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| Error::InstallFailed {
            root: root.clone(),
            command: command.join(" "),
            reason: e.to_string(),
        })?;
    if out.status.success() {
        Ok(())
    } else {
        let said = String::from_utf8_lossy(&out.stderr);
        let last = said
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no output")
            .to_owned();
        Err(Error::InstallFailed {
            root,
            command: command.join(" "),
            reason: last,
        })
    }
}

fn run_one(name: CheckName, plan: &Plan, project: &project::Project, work: &checks::Work) -> Check {
    match name {
        CheckName::Typescript => {
            checks::typescript::check(project, &plan.typescript_projects, work)
        }
        CheckName::Lint => checks::lint::check(project, work),
        CheckName::Files => checks::files::check(project, &plan.required_files),
        CheckName::Railway => checks::railway::check(project),
        CheckName::Vercel => checks::vercel::check(project),
        CheckName::Secrets => checks::secrets::check(project, &plan.secrets, plan.min_confidence),
        CheckName::Dockerfile => checks::dockerfile::check(project, &plan.dockerfile),
        CheckName::Env => checks::env::check(project, &plan.env),
        CheckName::Health => checks::health::check(&plan.health),
    }
}

/// Runs the plan's checks on the scanned `project` in parallel; calls `progress` as they
/// start and finish.
pub fn execute(
    plan: &Plan,
    project: &project::Project,
    progress: &mut dyn FnMut(Progress),
) -> Report {
    let started = Instant::now();
    let work = match work(plan, project, started) {
        Ok(w) => w,
        Err(e) => {
            let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
            for &name in &plan.checks {
                report.push(Check::unknown(name.as_str(), e.to_string()));
            }
            return report;
        }
    };
    let (tx, rx) = mpsc::channel();
    let names: Vec<&'static str> = plan.checks.iter().map(|c| c.as_str()).collect();
    for &name in &plan.checks {
        let tx = tx.clone();
        let (plan, project, work) = (plan.clone(), project.clone(), work.clone());
        std::thread::spawn(move || {
            let t = Instant::now();
            let check = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                run_one(name, &plan, &project, &work)
            }))
            .unwrap_or_else(|_| {
                Check::unknown(
                    name.as_str(),
                    "the check crashed; please report it with the project's layout",
                )
            });
            let _ = tx.send((name, check.took(t.elapsed())));
        });
    }
    drop(tx);
    progress(Progress::Started(names.clone()));
    let mut done: Vec<(CheckName, Check)> = Vec::new();
    // Each check enforces its own timeout on the tools it runs; this deadline catches a check
    // that hangs anyway.
    let deadline = started + plan.timeout + Duration::from_secs(30);
    while done.len() < plan.checks.len() {
        let wait = deadline.saturating_duration_since(Instant::now());
        let Ok((name, check)) = rx.recv_timeout(wait) else {
            break;
        };
        let running: Vec<&'static str> = plan
            .checks
            .iter()
            .filter(|c| **c != name && !done.iter().any(|(d, _)| d == *c))
            .map(|c| c.as_str())
            .collect();
        progress(Progress::Finished {
            name: name.as_str(),
            status: check.status,
            duration: check.duration,
            running,
        });
        done.push((name, check));
    }
    if let Some(cache) = work.shared.cache.as_ref() {
        cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .save();
    }
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    for &name in &plan.checks {
        match done.iter().position(|(n, _)| *n == name) {
            Some(i) => report.push(done.swap_remove(i).1),
            None => report.push(
                Check::unknown(
                    name.as_str(),
                    format!(
                        "did not finish within {}",
                        opskit::duration::Span::new(plan.timeout)
                    ),
                )
                .took(started.elapsed()),
            ),
        }
    }
    report
}

/// What the per-project checks share for one run: the job limit, the cache with the input
/// digests it is keyed on, and the packages `--changed-since` selected.
fn work(plan: &Plan, project: &project::Project, started: Instant) -> Result<checks::Work, Error> {
    let per_project = plan
        .checks
        .iter()
        .any(|c| matches!(c, CheckName::Typescript | CheckName::Lint));
    let ws = &project.workspace;
    let cache = if plan.use_cache && per_project {
        cache::Cache::open(&ws.root)
    } else {
        None
    };
    let digests = (cache.is_some()).then(|| std::sync::Arc::new(cache::Digests::of_tree(&ws.root)));
    let changed = match &plan.changed_since {
        Some(since) if per_project => Some(std::sync::Arc::new(changed_since(ws, since)?)),
        _ => None,
    };
    Ok(checks::Work {
        shared: std::sync::Arc::new(runner::Shared::new(
            plan.jobs,
            started + plan.timeout,
            cache,
        )),
        digests,
        changed,
        settings: format!("{:?}", plan.typescript_projects),
    })
}

/// The project directories that `--changed-since REF` selects: those holding a file that
/// differs from REF (committed since, staged, modified or untracked), and every package that
/// depends on one of them. A change to a file at the top of the root (the lockfile, a shared
/// tsconfig or ESLint config) selects everything.
pub fn changed_since(
    ws: &opskit::workspace::Workspace,
    since: &str,
) -> Result<checks::Changed, Error> {
    let git = |args: &[&str]| -> Result<Vec<PathBuf>, Error> {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(&ws.root)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| Error::ChangedSince {
                since: since.to_owned(),
                reason: format!("cannot run git: {e}"),
            })?;
        if !out.status.success() {
            let said = String::from_utf8_lossy(&out.stderr);
            return Err(Error::ChangedSince {
                since: since.to_owned(),
                reason: format!(
                    "{}; pass a branch, tag or commit that exists here (in CI, fetch it first: `git fetch origin main`)",
                    said.lines().next().unwrap_or("git failed").trim()
                ),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .split('\0')
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect())
    };
    let mut files = git(&["diff", "--name-only", "--relative", "-z", since, "--"])?;
    files.extend(git(&["ls-files", "--others", "--exclude-standard", "-z"])?);
    let dirs: Vec<&opskit::workspace::Package> = ws
        .packages
        .iter()
        .chain(ws.separate.iter().map(|s| &s.package))
        .collect();
    let mut everything = false;
    let mut touched = std::collections::BTreeSet::new();
    for f in &files {
        if f.components().count() == 1 && shared_input(f) {
            everything = true;
            break;
        }
        if let Some(owner) = dirs
            .iter()
            .filter(|p| f.starts_with(&p.dir))
            .max_by_key(|p| p.dir.components().count())
        {
            touched.insert(owner.dir.clone());
        }
    }
    let dirs: std::collections::BTreeSet<PathBuf> = if everything {
        dirs.iter().map(|p| p.dir.clone()).collect()
    } else {
        let names = ws
            .packages
            .iter()
            .filter(|p| touched.contains(&p.dir))
            .map(|p| p.name.clone())
            .collect();
        let closure = ws.dependents_closure(&names);
        ws.packages
            .iter()
            .filter(|p| closure.contains(&p.name))
            .map(|p| p.dir.clone())
            .chain(touched)
            .collect()
    };
    Ok(checks::Changed {
        since: since.to_owned(),
        dirs,
    })
}

/// Whether a file at the top of the workspace root is an input of every package: the
/// lockfile and manifests, shared TypeScript, ESLint and Biome configs, workspace files.
fn shared_input(file: &std::path::Path) -> bool {
    let name = file.to_string_lossy();
    opskit::workspace::PackageManager::LOCKFILES
        .iter()
        .any(|(l, _)| *l == name)
        || matches!(
            name.as_ref(),
            "package.json"
                | "pnpm-workspace.yaml"
                | "turbo.json"
                | "nx.json"
                | ".npmrc"
                | "biome.json"
                | "biome.jsonc"
        )
        || (name.starts_with("tsconfig") && name.ends_with(".json"))
        || name.starts_with("eslint.config.")
        || name.starts_with(".eslintrc")
}

/// Plans, installs if asked, and runs, reporting progress.
pub fn run_with(
    args: &Args,
    cx: &Context,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report, Error> {
    if let Some(answer) = args
        .codes
        .answer(NAME, env!("CARGO_PKG_VERSION"), codes::ALL)
    {
        return answer.or_else(|unknown| codes::explain_elsewhere(&unknown));
    }
    let plan = plan(args, cx)?;
    let project = project::scan(&plan.root)?;
    ensure_installed(&plan, &project, args.install)?;
    let mut report = execute(&plan, &project, progress);
    opskit::codes::describe(&mut report, codes::ALL);
    opskit_env_check::describe(&mut report);
    // Code scanning and workflow annotations place a finding by its path from the top of the
    // repository, not from --root: in a monorepo `src/app.ts` of `apps/web` is
    // `apps/web/src/app.ts` to them.
    let for_github = matches!(args.common.format, Format::Github | Format::Sarif)
        || cx.var("GITHUB_ACTIONS").as_deref() == Some("true");
    if for_github && let Some(prefix) = repository_prefix(&plan.root) {
        for check in &mut report.checks {
            for f in &mut check.findings {
                if let Some(loc) = &mut f.location
                    && !loc.path.starts_with('/')
                {
                    loc.path = format!("{prefix}/{}", loc.path);
                }
            }
        }
    }
    Ok(report)
}

/// The path of `root` inside the git repository that holds it (`apps/web`), when it is not
/// the repository's top.
pub fn repository_prefix(root: &Path) -> Option<String> {
    let root = root.canonicalize().ok()?;
    let top = root.ancestors().find(|d| d.join(".git").exists())?;
    let inside = root.strip_prefix(top).ok()?;
    let text = inside.to_string_lossy().replace('\\', "/");
    (!text.is_empty()).then_some(text)
}

/// Runs without a progress view.
pub fn run(args: &Args, cx: &Context) -> Result<Report, Error> {
    run_with(args, cx, &mut |_| {})
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_valid() {
        Args::command().debug_assert();
    }

    // See: issue 19. GitHub places annotations by the path from the repository's top.
    #[test]
    fn paths_for_github_start_at_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("apps/web");
        std::fs::create_dir_all(&app).unwrap();
        assert_eq!(repository_prefix(&app), None, "no repository");
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        assert_eq!(repository_prefix(&app).as_deref(), Some("apps/web"));
        assert_eq!(repository_prefix(dir.path()), None, "the top itself");
    }

    #[test]
    fn fail_on_critical_lets_warnings_pass() {
        let dir = tempfile::tempdir().unwrap();
        let cx = Context::new(None, dir.path().to_owned(), |_| None);
        let args = Args::parse_from(["predeploy", "--fail-on", "critical"]);
        let warn = Report::new("p", "0").with_check(Check::new("a", Status::Warning, ""));
        assert_eq!(args.exit_status(&warn, &cx), Status::Ok);
        let crit = Report::new("p", "0").with_check(Check::new("a", Status::Critical, ""));
        assert_eq!(args.exit_status(&crit, &cx), Status::Critical);
        let default = Args::parse_from(["predeploy"]);
        assert_eq!(default.exit_status(&warn, &cx), Status::Warning);
        std::fs::write(
            dir.path().join("opskit.toml"),
            "[predeploy]\nfail_on = \"critical\"\n",
        )
        .unwrap();
        assert_eq!(
            default.exit_status(&warn, &cx),
            Status::Ok,
            "from opskit.toml"
        );
    }
}
