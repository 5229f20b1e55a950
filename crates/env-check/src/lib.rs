//! # env-check: .env files, read the way the app reads them
//!
//! Every check here starts from [`opskit::env::dotenv`], which parses exactly as the npm
//! `dotenv` package does, so a finding is about a value the app really loads.
//!
//! - `env-check lint [FILES]`: twelve rules (the set dotenv-linter users know, judged by what
//!   dotenv loads), each with a stable code; `--fix` rewrites a file only in ways that leave
//!   what dotenv loads unchanged (checked by parsing before and after), atomically, keeping a
//!   `.bak` copy.
//! - `env-check parse FILE`: what dotenv loads from the file, key by key, with its position;
//!   values redacted unless `--reveal`.
//!
//! The typed env schema, sources with Next.js precedence, drift against the code and secret
//! generation are the next parts of this tool.

pub mod lint;
pub mod rules;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, Subcommand};
use opskit::cli::{CommonArgs, Context, Tool};
use opskit::redact::redact;
use opskit::report::{Check, Finding, Location, Report, Severity};

/// The binary's name.
pub const NAME: &str = "env-check";

const EXAMPLES: &str = "\
Examples:
  # Lint every .env* file here
  env-check lint
  # Fix what can be fixed without changing what dotenv loads (keeps .env.bak)
  env-check lint .env --fix
  # What dotenv loads from a file, values redacted
  env-check parse .env.production --format json

Exit codes: 0 clean, 1 warnings, 2 errors, 3 a file could not be read or bad flags.";

/// `env-check`.
#[derive(Debug, Clone, Parser)]
#[command(name = NAME, version, about = "Lint and parse .env files exactly as the npm dotenv package reads them.", after_help = EXAMPLES, subcommand_required = true)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Flags every opskit tool takes.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Lint .env files (default: every `.env*` file in the working directory).
    Lint {
        /// Files to lint.
        files: Vec<PathBuf>,
        /// Rewrite the files with every safe fix; refuses any fix that would change what
        /// dotenv loads, and keeps the original as FILE.bak.
        #[arg(long)]
        fix: bool,
        /// Rules to leave out, by code or name (comma-separated or repeated).
        #[arg(long, value_delimiter = ',', value_name = "RULES")]
        skip: Vec<String>,
    },
    /// Check each service's environment against the schema in opskit.toml ([env-check]):
    /// values from the process environment and the service's .env files, with Next.js
    /// precedence (.env.ENV.local, .env.local except in test, .env.ENV, .env).
    Check {
        /// Only this service (default: every service in the schema).
        #[arg(long)]
        service: Option<String>,
        /// The environment being checked.
        #[arg(long = "env", default_value = "production")]
        environment: String,
        /// The project root the services' `dir` are relative to.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Show what dotenv loads from a file: each key, where it is set, and its value redacted.
    Parse {
        /// The file.
        file: PathBuf,
        /// Show values in full. They are secrets: only on your own terminal.
        #[arg(long)]
        reveal: bool,
    },
}

impl Tool for Args {
    fn common(&self) -> &CommonArgs {
        &self.common
    }
}

/// Why env-check could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {reason}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// No files to lint.
    #[error("no .env files in {0}; name the files to lint")]
    NoFiles(String),
    /// opskit.toml is wrong.
    #[error(transparent)]
    Config(#[from] opskit::config::ConfigError),
    /// No schema.
    #[error(
        "no [env-check.services.NAME] schema in opskit.toml; docs/env-check.md shows one to copy"
    )]
    NoSchema,
    /// An unknown service.
    #[error("no service `{name}` in the schema; the schema has: {known}")]
    NoService {
        /// The name asked for.
        name: String,
        /// The services there are.
        known: String,
    },
}

fn read(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::File {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|_| Error::File {
        path: path.to_owned(),
        reason: "not UTF-8 text".to_owned(),
    })
}

fn shown(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// The `.env*` files of a directory, sorted (backups left out).
pub fn env_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().is_some_and(|n| {
                        n.to_string_lossy().starts_with(".env")
                            && !n.to_string_lossy().ends_with(".bak")
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Writes `text` to `path` atomically, keeping the original as `path.bak`.
fn write_fixed(path: &Path, original: &str, text: &str) -> Result<PathBuf, Error> {
    let fail = |e: std::io::Error| Error::File {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let mut backup = path.as_os_str().to_owned();
    backup.push(".bak");
    let backup = PathBuf::from(backup);
    std::fs::write(&backup, original).map_err(fail)?;
    opskit::fs::write_atomic(path, text.as_bytes()).map_err(fail)?;
    Ok(backup)
}

fn lint_files(
    files: &[PathBuf],
    fix: bool,
    skip: &[String],
    cx: &Context,
) -> Result<Report, Error> {
    let files: Vec<PathBuf> = if files.is_empty() {
        env_files(&cx.cwd)
    } else {
        files.iter().map(|f| cx.cwd.join(f)).collect()
    };
    if files.is_empty() {
        return Err(Error::NoFiles(cx.cwd.display().to_string()));
    }
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    for path in &files {
        let started = Instant::now();
        let name = shown(path, &cx.cwd);
        let text = match read(path) {
            Ok(t) => t,
            Err(e) => {
                report.push(Check::unknown(format!("lint:{name}"), e.to_string()));
                continue;
            }
        };
        let mut note = None;
        let mut current = text.clone();
        if fix {
            match lint::fix(&name, &text, skip) {
                Ok(fixed) if fixed != text => {
                    let backup = write_fixed(path, &text, &fixed)?;
                    note = Some(format!(
                        "fixed; the original is in {}",
                        shown(&backup, &cx.cwd)
                    ));
                    current = fixed;
                }
                Ok(_) => {}
                Err(refused) => note = Some(refused.to_string()),
            }
        }
        let findings = lint::lint(&name, &current, skip);
        let mut check =
            Check::from_findings(format!("lint:{name}"), findings).took(started.elapsed());
        if let Some(n) = note {
            check.summary = format!("{}; {n}", check.summary);
        }
        report.push(check);
    }
    Ok(report)
}

fn parse_file(file: &Path, reveal: bool, cx: &Context) -> Result<Report, Error> {
    let started = Instant::now();
    let path = cx.cwd.join(file);
    let name = shown(&path, &cx.cwd);
    let text = read(&path)?;
    let parsed = opskit::env::dotenv::parse(&text);
    let findings: Vec<Finding> = parsed
        .entries
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            !parsed.entries[i + 1..]
                .iter()
                .any(|later| later.key == e.key)
        })
        .map(|(_, e)| {
            let loc = Location::new(name.clone()).line(e.line).column(e.column);
            if reveal {
                Finding::new(
                    "ENV-VALUE",
                    Severity::Note,
                    format!("{}={}", e.key, e.value),
                )
                .at(loc)
            } else {
                let r = redact(&e.value);
                Finding::new("ENV-VALUE", Severity::Note, format!("{}={r}", e.key))
                    .at(loc)
                    .evidence(r)
            }
        })
        .collect();
    let keys = findings.len();
    let mut check = Check::from_findings(format!("parse:{name}"), findings).took(started.elapsed());
    check.summary = format!(
        "{keys} keys, as dotenv loads them{}",
        if reveal { "" } else { " (values redacted)" }
    );
    Ok(Report::new(NAME, env!("CARGO_PKG_VERSION")).with_check(check))
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The process environment.
    Process,
    /// A .env file, at a line and column.
    File(Location),
}

/// The .env files of an environment, highest precedence first (Next.js' order).
pub fn env_file_names(environment: &str) -> Vec<String> {
    let mut names = vec![format!(".env.{environment}.local")];
    if environment != "test" {
        names.push(".env.local".to_owned());
    }
    names.push(format!(".env.{environment}"));
    names.push(".env".to_owned());
    names
}

/// The value of every variable the files in `dir` and the process environment set, with its
/// source; the process environment wins, then the files in precedence order.
pub fn gather(
    dir: &Path,
    root: &Path,
    environment: &str,
    names: &[&str],
    process: &dyn Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, (String, Source)>, Error> {
    let mut values: BTreeMap<String, (String, Source)> = BTreeMap::new();
    for file in env_file_names(environment).iter().rev() {
        let path = dir.join(file);
        if !path.is_file() {
            continue;
        }
        let text = read(&path)?;
        let shown_path = shown(&path, root);
        for e in opskit::env::dotenv::parse(&text).entries {
            let loc = Location::new(shown_path.clone())
                .line(e.line)
                .column(e.column);
            values.insert(e.key, (e.value, Source::File(loc)));
        }
    }
    for name in names {
        if let Some(v) = process(name) {
            values.insert((*name).to_owned(), (v, Source::Process));
        }
    }
    Ok(values)
}

/// Checks one service.
pub fn check_service(
    name: &str,
    service: &opskit::env::schema::Service,
    root: &Path,
    environment: &str,
    process: &dyn Fn(&str) -> Option<String>,
    verbose: bool,
) -> Result<Check, Error> {
    let started = Instant::now();
    let dir = root.join(service.dir.as_deref().unwrap_or(Path::new(".")));
    let mut names: Vec<&str> = service.vars.keys().map(String::as_str).collect();
    names.extend(
        service
            .vars
            .values()
            .flat_map(|v| v.deprecated_names.iter().map(String::as_str)),
    );
    let values = gather(&dir, root, environment, &names, process)?;
    let mut findings = Vec::new();
    for (var_name, var) in &service.vars {
        let mut found = values.get(var_name);
        if found.is_none()
            && let Some(old) = var
                .deprecated_names
                .iter()
                .find(|d| values.contains_key(*d))
        {
            let mut f = Finding::new(
                "ENV106",
                Severity::Warning,
                format!("{old} is deprecated; rename it {var_name}"),
            );
            if let Some((_, Source::File(loc))) = values.get(old) {
                f = f.at(loc.clone());
            }
            findings.push(f);
            found = values.get(old);
        }
        for p in opskit::env::schema::check_var(
            var_name,
            var,
            found.map(|(v, _)| v.as_str()),
            environment,
        ) {
            let mut f = Finding::new(p.code, p.severity, p.message);
            if let Some((_, Source::File(loc))) = found {
                f = f.at(loc.clone());
            }
            findings.push(f);
        }
        if verbose && let Some((value, source)) = found {
            let from = match source {
                Source::Process => "the process environment".to_owned(),
                Source::File(loc) => loc.to_string(),
            };
            let shown_value = redact(value);
            findings.push(Finding::new(
                "ENV-SOURCE",
                Severity::Note,
                format!("{var_name} from {from}: {shown_value}"),
            ));
        }
    }
    let mut check = Check::from_findings(format!("env:{name}"), findings).took(started.elapsed());
    if !check.status.is_problem() {
        check.summary = format!("{} variables as {environment} expects", service.vars.len());
    }
    Ok(check)
}

fn check_services(
    service: Option<&str>,
    environment: &str,
    root: &Path,
    cx: &Context,
) -> Result<Report, Error> {
    let root = cx.cwd.join(root);
    let schema: opskit::env::schema::Schema = cx.section(NAME)?.unwrap_or_default();
    if schema.services.is_empty() {
        return Err(Error::NoSchema);
    }
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    for (name, svc) in &schema.services {
        if service.is_some_and(|s| s != name) {
            continue;
        }
        report.push(check_service(
            name,
            svc,
            &root,
            environment,
            &|n| cx.var(n),
            cx.verbose > 0,
        )?);
    }
    if report.checks.is_empty() {
        let known: Vec<&str> = schema.services.keys().map(String::as_str).collect();
        return Err(Error::NoService {
            name: service.unwrap_or_default().to_owned(),
            known: known.join(", "),
        });
    }
    Ok(report)
}

/// Runs the subcommand.
pub fn run(args: &Args, cx: &Context) -> Result<Report, Error> {
    match &args.command {
        Command::Check {
            service,
            environment,
            root,
        } => check_services(service.as_deref(), environment, root, cx),
        Command::Lint { files, fix, skip } => lint_files(files, *fix, skip, cx),
        Command::Parse { file, reveal } => parse_file(file, *reveal, cx),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_valid() {
        Args::command().debug_assert();
    }

    #[test]
    fn fixes_never_change_what_dotenv_loads_over_the_corpus() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../opskit/tests/fixtures/dotenv");
        let mut fixed_any = false;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
            match lint::fix(".env", &text, &[]) {
                Ok(fixed) => {
                    assert_eq!(
                        opskit::env::dotenv::parse(&fixed).map(),
                        opskit::env::dotenv::parse(&text).map(),
                        "{}",
                        path.display()
                    );
                    fixed_any |= fixed != text;
                    // Fixing twice changes nothing more.
                    assert_eq!(
                        lint::fix(".env", &fixed, &[]).unwrap(),
                        fixed,
                        "{}",
                        path.display()
                    );
                }
                Err(refused) => panic!("{}: {refused}", path.display()),
            }
        }
        assert!(fixed_any, "the corpus has something to fix");
    }

    #[test]
    fn writes_atomically_with_a_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "B = 2\nA=1\nA=3  ").unwrap();
        let cx = Context::new(None, dir.path().to_owned(), |_| None);
        let report = lint_files(&[PathBuf::from(".env")], true, &[], &cx).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "B=2\nA=3\n");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".env.bak")).unwrap(),
            "B = 2\nA=1\nA=3  "
        );
        assert!(
            report.checks[0]
                .summary
                .contains("the original is in .env.bak"),
            "{}",
            report.checks[0].summary
        );
        assert_eq!(
            report.checks[0]
                .findings
                .iter()
                .map(|f| f.rule.as_str())
                .collect::<Vec<_>>(),
            ["ENV010"]
        );
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    }

    #[test]
    fn check_follows_next_js_precedence_and_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("opskit.toml"),
            "[env-check.services.worker]\ndir = \"apps/worker\"\n\
             [env-check.services.worker.vars.ENCRYPTION_KEY]\nsecret = true\nmin_length = 32\nrequired = true\n\
             [env-check.services.worker.vars.PORT]\ntype = \"port\"\n\
             [env-check.services.worker.vars.DATABASE_URL]\ntype = \"postgres-url\"\nrequired = [\"production\"]\ndeprecated_names = [\"SUPABASE_DB_URL\"]\n",
        )
        .unwrap();
        let w = root.join("apps/worker");
        std::fs::create_dir_all(&w).unwrap();
        std::fs::write(w.join(".env"), "ENCRYPTION_KEY=short\nPORT=80\n").unwrap();
        std::fs::write(w.join(".env.production"), "ENCRYPTION_KEY=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nSUPABASE_DB_URL=postgres://db/app\n").unwrap();
        std::fs::write(w.join(".env.local"), "PORT=99999\n").unwrap();
        let config = opskit::config::Config::discover(root).unwrap();
        let cx = Context::new(config, root.to_owned(), |_| None);
        let r = check_services(None, "production", Path::new("."), &cx).unwrap();
        let c = &r.checks[0];
        let got: Vec<String> = c
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f.rule,
                    f.location
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "ENV106 apps/worker/.env.production:2:1",
                "ENV105 apps/worker/.env.production:1:1",
                "ENV103 apps/worker/.env.local:1:1"
            ],
            "{c:?}"
        );
        // The process environment wins over every file.
        let config = opskit::config::Config::discover(root).unwrap();
        let cx = Context::new(config, root.to_owned(), |n| {
            (n == "PORT").then(|| "8080".to_owned())
        });
        let r = check_services(Some("worker"), "production", Path::new("."), &cx).unwrap();
        assert!(!r.checks[0].findings.iter().any(|f| f.rule == "ENV103"));
        // In test, .env.local is not read and DATABASE_URL is not required.
        let config = opskit::config::Config::discover(root).unwrap();
        let cx = Context::new(config, root.to_owned(), |_| None);
        let r = check_services(None, "test", Path::new("."), &cx).unwrap();
        let rules: Vec<&str> = r.checks[0]
            .findings
            .iter()
            .map(|f| f.rule.as_str())
            .collect();
        assert_eq!(rules, ["ENV104", "ENV105"], "{:?}", r.checks[0]);
        assert!(
            !format!("{r:?}").contains("aaaaaaaaaaaa"),
            "values are never shown"
        );
        assert!(matches!(
            check_services(Some("nope"), "production", Path::new("."), &cx),
            Err(Error::NoService { .. })
        ));
    }

    #[test]
    fn parse_redacts_unless_revealed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "KEY=sk-proj-abcdefghijklmnopqrstuvwx\nKEY=second-value-that-wins-here\n",
        )
        .unwrap();
        let cx = Context::new(None, dir.path().to_owned(), |_| None);
        let r = parse_file(Path::new(".env"), false, &cx).unwrap();
        let text = format!("{r:?}");
        assert!(
            !text.contains("second-value-that-wins-here") && !text.contains("abcdefghijk"),
            "{text}"
        );
        assert_eq!(r.checks[0].findings.len(), 1);
        assert_eq!(
            r.checks[0].findings[0].location.as_ref().unwrap().line,
            Some(2)
        );
        let r = parse_file(Path::new(".env"), true, &cx).unwrap();
        assert_eq!(
            r.checks[0].findings[0].message,
            "KEY=second-value-that-wins-here"
        );
    }
}
