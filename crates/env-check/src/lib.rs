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
//!   values redacted unless `--reveal`; `--expand` applies dotenv-expand's `${VAR}` rules.
//! - `env-check check`: each service's values, from the [`sources`] that win, against the typed
//!   schema in opskit.toml ([`opskit::env::schema`]).
//! - `env-check drift`: the schema against the code and `.env.example` ([`drift`]).
//! - `env-check generate NAME`: a new random value that satisfies the schema ([`generate`]).
//! - `env-check` alone runs check, drift and lint for every service (or `--service`).

pub mod code;
pub mod drift;
pub mod generate;
pub mod lint;
pub mod public;
pub mod rules;
pub mod schema;
pub mod sources;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, Subcommand};
use opskit::cli::{CommonArgs, Context, Tool};
use opskit::redact::redact;
use opskit::report::{Check, Finding, Location, Report, Severity};

use crate::sources::{Inputs, Source};

/// The binary's name.
pub const NAME: &str = "env-check";

const EXAMPLES: &str = "\
Examples:
  # Everything for one service: schema check, drift against the code, lint of its .env files
  env-check --service worker --env production
  # Only the schema check, with what Vercel or Railway hold for production
  vercel env pull .env.vercel --environment=production
  env-check check --service frontend --vars .env.vercel
  railway variables --json > railway.json && env-check check --service worker --vars railway.json
  # Variables the code reads that the schema does not know, and client components reading secrets
  env-check drift
  # A new ENCRYPTION_KEY (32 random bytes, hex) that satisfies the schema, straight into Vercel
  env-check generate ENCRYPTION_KEY --service frontend | vercel env add ENCRYPTION_KEY production
  # A 32-byte key in base64 (the app reads it with Buffer.from(value, 'base64'))
  env-check generate SESSION_KEY --bytes 32 --charset base64
  # The env schema the code declares (t3-env, zod, envalid), as opskit.toml text to refine
  env-check schema --from-code
  # Each service's export to its own service
  env-check check --vars apps/web=.env.vercel --vars worker=railway.json
  # Lint every .env* file here; fix what can be fixed without changing what dotenv loads
  env-check lint
  env-check lint .env --fix
  # What dotenv (and dotenv-expand) load from a file, values redacted
  env-check parse .env.production --expand --format json
  # What a code means
  env-check --explain ENV105

Exit codes: 0 clean, 1 warnings, 2 errors, 3 a file could not be read, bad schema or flags.";

/// `env-check`.
#[derive(Debug, Clone, Parser)]
#[command(name = NAME, version, about = "Check a service's environment against a typed schema, the code and .env.example; lint and parse .env files exactly as npm dotenv reads them.", after_help = EXAMPLES)]
pub struct Args {
    /// What to do [default: check, drift and lint for each service].
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Only this service of the schema.
    #[arg(long, global = true)]
    pub service: Option<String>,
    /// The environment being checked (development, preview, production, test...).
    #[arg(long = "env", global = true, default_value = "production")]
    pub environment: String,
    /// The project root the schema's paths are relative to.
    #[arg(long, global = true, default_value = ".")]
    pub root: PathBuf,
    /// Another .env file to read, above the service's own (repeat for several; later wins).
    #[arg(long = "file", global = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// An exported variable list: JSON (`railway variables --json`) or dotenv (`vercel env
    /// pull`); above every file. `SERVICE=FILE` gives it to one service (by name or
    /// directory); a bare FILE is accepted only when one service is checked.
    #[arg(long = "vars", global = true, value_name = "[SERVICE=]FILE")]
    pub vars: Vec<String>,
    /// Leave the process environment out (by default it wins over every file).
    #[arg(long, global = true)]
    pub no_process_env: bool,
    /// Explain a finding's code and exit.
    #[arg(long, value_name = "CODE")]
    pub explain: Option<String>,
    /// Notifications on status changes and Sentry Crons check-ins.
    #[command(flatten)]
    pub notify: opskit_notify::NotifyArgs,
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
    /// values from the process environment, exports, extra files and the service's .env files
    /// with Next.js precedence (.env.ENV.local, .env.local except in test, .env.ENV, .env).
    Check,
    /// Compare the schema with the code (process.env reads) and .env.example.
    Drift,
    /// Print the schema as opskit.toml text: what the code declares (t3-env, zod, envalid)
    /// with opskit.toml on top, or with --from-code the code's alone, to adopt and refine.
    Schema {
        /// Only what the code declares, leaving opskit.toml out.
        #[arg(long)]
        from_code: bool,
    },
    /// Show what dotenv loads from a file: each key, where it is set, and its value redacted.
    Parse {
        /// The file.
        file: PathBuf,
        /// Show values in full. They are secrets: only on your own terminal.
        #[arg(long)]
        reveal: bool,
        /// Expand `${VAR}` references as npm dotenv-expand (and Next.js) does.
        #[arg(long)]
        expand: bool,
    },
    /// Print a new random value for a variable, satisfying its schema (length, charset).
    Generate {
        /// The variable.
        name: String,
        /// Characters [default: the schema's min_length, at least 32].
        #[arg(long)]
        length: Option<usize>,
        /// hex, base64, base64url or alphanumeric [default: the schema's charset, or
        /// alphanumeric; hex for a key of --bytes].
        #[arg(long, value_parser = parse_charset)]
        charset: Option<opskit::env::schema::Charset>,
        /// A key of this many random bytes, written in --charset (hex, base64, base64url)
        /// [default: the schema's `bytes`; 32 for a name like ENCRYPTION_KEY].
        #[arg(long, conflicts_with = "length")]
        bytes: Option<usize>,
    },
}

fn parse_charset(s: &str) -> Result<opskit::env::schema::Charset, String> {
    use opskit::env::schema::Charset;
    [
        Charset::Hex,
        Charset::Base64,
        Charset::Base64url,
        Charset::Alphanumeric,
    ]
    .into_iter()
    .find(|c| c.as_str() == s)
    .ok_or_else(|| format!("`{s}` is not a charset: hex, base64, base64url or alphanumeric"))
}

impl Tool for Args {
    fn common(&self) -> &CommonArgs {
        &self.common
    }

    fn hook(&self) -> Option<Box<dyn opskit::cli::Hook>> {
        self.notify.hook(NAME)
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
        "no env schema: the code declares none (t3-env, zod on process.env, envalid) and opskit.toml has no [env-check.services.NAME]; docs/env-check.md shows one to copy"
    )]
    NoSchema,
    /// A bad value for a flag.
    #[error("{0}")]
    Usage(String),
    /// A code `--explain` does not know.
    #[error(
        "unknown code `{0}`: the codes are ENV001-ENV012 (lint), ENV100-ENV106 (schema) and ENV201-ENV209 (drift); `env-check --explain ENV101`"
    )]
    UnknownCode(String),
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

fn parse_file(file: &Path, reveal: bool, expand: bool, cx: &Context) -> Result<Report, Error> {
    let started = Instant::now();
    let path = cx.cwd.join(file);
    let name = shown(&path, &cx.cwd);
    let text = read(&path)?;
    let parsed = opskit::env::dotenv::parse(&text);
    // The last assignment of a key is the one dotenv keeps.
    let mut last: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, e) in parsed.entries.iter().enumerate() {
        last.insert(e.key.as_str(), i);
    }
    let expanded: BTreeMap<String, String> = if expand {
        let pairs: Vec<(String, String)> = parsed
            .entries
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect();
        opskit::env::expand::expand(&pairs, &|k| cx.var(k))
            .into_iter()
            .collect()
    } else {
        BTreeMap::new()
    };
    let findings: Vec<Finding> = parsed
        .entries
        .iter()
        .enumerate()
        .filter(|(i, e)| last.get(e.key.as_str()) == Some(i))
        .map(|(_, e)| {
            let loc = Location::new(name.clone()).line(e.line).column(e.column);
            let value = expanded.get(&e.key).unwrap_or(&e.value);
            if reveal {
                Finding::new("ENV-VALUE", Severity::Note, format!("{}={value}", e.key)).at(loc)
            } else {
                let r = redact(value);
                Finding::new("ENV-VALUE", Severity::Note, format!("{}={r}", e.key))
                    .at(loc)
                    .evidence(r)
            }
        })
        .collect();
    let keys = findings.len();
    let mut check = Check::from_findings(format!("parse:{name}"), findings).took(started.elapsed());
    check.summary = format!(
        "{keys} keys, as dotenv{} loads them{}",
        if expand { " and dotenv-expand" } else { "" },
        if reveal { "" } else { " (values redacted)" }
    );
    Ok(Report::new(NAME, env!("CARGO_PKG_VERSION")).with_check(check))
}

/// Checks one service's values against its schema; every finding about a value names the
/// source that won (`source` property, and the location when it is a file), and a variable
/// required but not set names the service and every source that was read. Any variable of any
/// source with a browser-public prefix (`NEXT_PUBLIC_`…) that holds or names a secret is an
/// error (ENV102), declared or not.
pub fn check_service(
    name: &str,
    service: &opskit::env::schema::Service,
    root: &Path,
    environment: &str,
    inputs: &Inputs,
    process: &dyn Fn(&str) -> Option<String>,
    verbose: bool,
) -> Result<Check, Error> {
    let started = Instant::now();
    let (_, values, read_from) = service_values(service, root, environment, inputs, process)?;
    let locate = |f: Finding, source: Option<&Source>| match source {
        Some(Source::File(loc)) => f.at(loc.clone()).property("source", loc.to_string()),
        Some(other) => f.property("source", other.to_string()),
        None => f,
    };
    let mut findings = Vec::new();
    let mut public_reported = std::collections::BTreeSet::new();
    for (var_name, var) in &service.vars {
        let mut found = values.get(var_name);
        if found.is_none()
            && let Some(old) = var
                .deprecated_names
                .iter()
                .find(|d| values.contains_key(*d))
        {
            let f = Finding::new(
                "ENV106",
                Severity::Warning,
                format!("{old} is deprecated; rename it {var_name}"),
            );
            findings.push(locate(f, values.get(old).map(|(_, s)| s)));
            found = values.get(old);
        }
        for p in opskit::env::schema::check_var(
            var_name,
            var,
            found.map(|(v, _)| v.as_str()),
            environment,
        ) {
            if p.code == "ENV102" {
                public_reported.insert(var_name.clone());
            }
            let message = if p.code == "ENV101" {
                format!(
                    "{} for `{name}`; read: {}",
                    p.message,
                    if read_from.is_empty() {
                        "no source".to_owned()
                    } else {
                        read_from.join(", ")
                    }
                )
            } else {
                p.message
            };
            let f = Finding::new(p.code, p.severity, message);
            findings.push(locate(f, found.map(|(_, s)| s)));
        }
        if verbose && let Some((value, source)) = found {
            findings.push(Finding::new(
                "ENV-SOURCE",
                Severity::Note,
                format!("{var_name} from {source}: {}", redact(value)),
            ));
        }
    }
    for (key, (value, source)) in &values {
        if public_reported.contains(key)
            || service.vars.get(key).is_some_and(|v| {
                v.public && !v.secret && public::matching_rule(key, value).is_none()
            })
        {
            continue;
        }
        if let Some(why) = public::problem(key, value) {
            findings.push(locate(
                Finding::new("ENV102", Severity::Error, why),
                Some(source),
            ));
        }
    }
    let mut check = Check::from_findings(format!("env:{name}"), findings).took(started.elapsed());
    if !check.status.is_problem() {
        check.summary = format!("{} variables as {environment} expects", service.vars.len());
    }
    Ok(check)
}

/// Whether any source sets any of the service's variables (or their deprecated names): on a
/// developer's machine or a CI runner without the deployment's values there is nothing to
/// check the values of, and predeploy says so instead of failing on every variable.
pub fn has_values(
    service: &opskit::env::schema::Service,
    root: &Path,
    environment: &str,
    inputs: &Inputs,
    process: &dyn Fn(&str) -> Option<String>,
) -> Result<bool, Error> {
    let (names, values, _) = service_values(service, root, environment, inputs, process)?;
    // NODE_ENV, PORT or HOSTNAME in a shell say nothing about the deployment's values.
    Ok(names
        .iter()
        .any(|n| !drift::platform_set(n) && values.get(*n).is_some_and(|(v, _)| !v.is_empty())))
}

/// Each variable's value and the source that won.
type Values = BTreeMap<String, (String, Source)>;

/// Every name the service's schema knows (its variables and their deprecated names), the
/// values the sources give them, and the sources read.
fn service_values<'s>(
    service: &'s opskit::env::schema::Service,
    root: &Path,
    environment: &str,
    inputs: &Inputs,
    process: &dyn Fn(&str) -> Option<String>,
) -> Result<(Vec<&'s str>, Values, Vec<String>), Error> {
    let dir = root.join(service.dir.as_deref().unwrap_or(Path::new(".")));
    let names: Vec<&str> = service
        .vars
        .iter()
        .flat_map(|(k, v)| {
            std::iter::once(k.as_str()).chain(v.deprecated_names.iter().map(String::as_str))
        })
        .collect();
    let (values, read_from) = sources::gather(
        &dir,
        root,
        environment,
        service.expand,
        &names,
        inputs,
        process,
    )?;
    Ok((names, values, read_from))
}

/// The inputs of one service: the common ones, with the exports given for it (`SERVICE=FILE`,
/// a bare FILE when it is the only service checked, and its `exports` in opskit.toml).
pub fn service_inputs(
    common: &Inputs,
    exports: &[sources::Export],
    name: &str,
    service: &opskit::env::schema::Service,
    checked: &[(String, String)],
    root: &Path,
    cwd: &Path,
) -> Result<Inputs, Error> {
    let mut inputs = common.clone();
    inputs.exports = service.exports.iter().map(|e| root.join(e)).collect();
    inputs.exports.extend(
        sources::exports_for(exports, name, checked)?
            .into_iter()
            .map(|p| cwd.join(p)),
    );
    Ok(inputs)
}

/// The services a run checks: name and directory of each that has variables.
pub fn checked_services(
    schema: &opskit::env::schema::Schema,
    only: Option<&str>,
) -> Vec<(String, String)> {
    schema
        .services
        .iter()
        .filter(|(n, s)| {
            !s.vars.is_empty()
                && only.is_none_or(|o| o == n.as_str() || s.dir.as_deref() == Some(Path::new(o)))
        })
        .map(|(n, s)| {
            (
                n.clone(),
                opskit::workspace::slash(s.dir.as_deref().unwrap_or(Path::new("."))),
            )
        })
        .collect()
}

/// What to run for each service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Parts {
    check: bool,
    drift: bool,
    lint: bool,
}

/// The schema of this run: the code's, with opskit.toml's `[env-check]` on top.
pub fn resolved_schema(root: &Path, cx: &Context) -> Result<schema::Resolved, Error> {
    let typed: Option<opskit::env::schema::Schema> = cx.section(NAME)?;
    let raw: Option<toml::Value> = cx.section(NAME)?;
    schema::resolve(root, typed, raw.as_ref())
}

fn service_matches(want: Option<&str>, name: &str, service: &opskit::env::schema::Service) -> bool {
    want.is_none_or(|w| {
        w == name
            || service.dir.as_deref().is_some_and(|d| {
                opskit::workspace::normalize(d) == opskit::workspace::normalize(Path::new(w))
            })
    })
}

fn services(args: &Args, cx: &Context, parts: Parts) -> Result<Report, Error> {
    let root = cx.cwd.join(&args.root);
    let resolved = resolved_schema(&root, cx)?;
    let schema = &resolved.schema;
    if schema.services.is_empty() {
        return Err(Error::NoSchema);
    }
    let common = Inputs {
        files: args.files.iter().map(|f| cx.cwd.join(f)).collect(),
        exports: Vec::new(),
        process: !args.no_process_env,
        public_names: public_names(cx),
    };
    let exports: Vec<sources::Export> = args
        .vars
        .iter()
        .map(|v| sources::Export::parse(v))
        .collect();
    let checked = checked_services(schema, args.service.as_deref());
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    let mut linted = std::collections::BTreeSet::new();
    let mut matched = false;
    for (name, svc) in &schema.services {
        if !service_matches(args.service.as_deref(), name, svc) {
            continue;
        }
        matched = true;
        if parts.check && !svc.vars.is_empty() {
            let inputs = service_inputs(&common, &exports, name, svc, &checked, &root, &cx.cwd)?;
            report.push(check_service(
                name,
                svc,
                &root,
                &args.environment,
                &inputs,
                &|n| cx.var(n),
                cx.verbose > 0,
            )?);
        }
        if parts.drift {
            let started = Instant::now();
            let findings = drift::drift(name, svc, &resolved, &root);
            if findings.is_empty() && svc.vars.is_empty() && !drift::reads_env(&root, svc) {
                // A package that neither declares nor reads a variable: nothing to say.
            } else {
                let mut check =
                    Check::from_findings(format!("drift:{name}"), findings).took(started.elapsed());
                if !check.status.is_problem() {
                    check.summary =
                        format!("{}; code, schema and .env.example agree", check.summary);
                }
                report.push(check);
            }
        }
        if parts.lint {
            for file in drift::lint_files(svc, &root) {
                let shown_name = shown(&file, &cx.cwd);
                // A file shared by several services (one .env.example) is linted once.
                if !linted.insert(shown_name.clone()) {
                    continue;
                }
                let text = read(&file)?;
                let mut findings = lint::lint(&shown_name, &text, &[]);
                findings.extend(drift::public_in_file(&shown_name, &text));
                report.push(Check::from_findings(format!("lint:{shown_name}"), findings));
            }
        }
    }
    if !matched && args.service.is_some() {
        let known: Vec<&str> = schema.services.keys().map(String::as_str).collect();
        return Err(Error::NoService {
            name: args.service.clone().unwrap_or_default(),
            known: known.join(", "),
        });
    }
    Ok(report)
}

/// The process environment's names with a browser-public prefix.
pub fn public_names(cx: &Context) -> Vec<String> {
    cx.env_names
        .iter()
        .filter(|n| public::public_prefix(n).is_some())
        .cloned()
        .collect()
}

fn print_schema(args: &Args, from_code: bool, cx: &Context) -> Result<Report, Error> {
    let root = cx.cwd.join(&args.root);
    let resolved = if from_code {
        schema::resolve(&root, None, None)?
    } else {
        resolved_schema(&root, cx)?
    };
    let text = schema::to_toml(&resolved, args.service.as_deref());
    let vars: usize = resolved
        .schema
        .services
        .iter()
        .filter(|(n, _)| args.service.as_deref().is_none_or(|s| s == n.as_str()))
        .map(|(_, s)| s.vars.len())
        .sum();
    let notes: usize = resolved
        .code
        .values()
        .flatten()
        .map(|c| c.notes.len())
        .sum();
    let check = Check::new(
        "schema",
        opskit::Status::Ok,
        format!(
            "{vars} variables{}; {notes} parts not understood (see the # not understood lines); the schema is printed only in human format",
            if from_code {
                " read from the code"
            } else {
                " (code and opskit.toml)"
            }
        ),
    );
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION")).with_check(check);
    report.output = Some(text);
    Ok(report)
}

fn generate_value(
    args: &Args,
    name: &str,
    length: Option<usize>,
    charset: Option<opskit::env::schema::Charset>,
    bytes: Option<usize>,
    cx: &Context,
) -> Result<Report, Error> {
    let resolved = resolved_schema(&cx.cwd.join(&args.root), cx)?;
    let var = resolved
        .schema
        .services
        .iter()
        .filter(|(s, svc)| service_matches(args.service.as_deref(), s, svc))
        .find_map(|(_, svc)| svc.vars.get(name));
    if var.is_none() && args.service.is_some() {
        return Err(Error::Usage(format!(
            "`{name}` is not in the schema of service `{}`",
            args.service.as_deref().unwrap_or_default()
        )));
    }
    let asks_length =
        length.is_some() || var.is_some_and(|v| v.min_length.is_some() || v.max_length.is_some());
    let key_bytes = bytes.or(var.and_then(|v| v.bytes)).or_else(|| {
        (generate::is_encryption_key(name)
            && !asks_length
            && charset != Some(opskit::env::schema::Charset::Alphanumeric))
        .then_some(32)
    });
    let (value, what) = if let Some(n) = key_bytes {
        let (value, encoding) = generate::generate_key(name, var, n, charset)?;
        let what = format!(
            "{n} random bytes in {} ({} characters; {})",
            encoding.as_str(),
            value.len(),
            generate::decode_hint(encoding)
        );
        (value, what)
    } else {
        let value = generate::generate(name, var, length, charset)?;
        let what = format!("{} characters", value.chars().count());
        (value, what)
    };
    let r = redact(&value);
    let check = Check::new(
        format!("generate:{name}"),
        opskit::Status::Ok,
        format!("a new {name} of {what}: {r}; the value is printed only in human format"),
    );
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION")).with_check(check);
    report.output = Some(value);
    Ok(report)
}

fn explain(code: &str) -> Result<Report, Error> {
    let upper = code.to_ascii_uppercase();
    let text = opskit::env::codes::find(&upper)
        .map(|c| {
            format!(
                "{} ({}, {}): {} {}",
                c.code,
                c.title,
                c.severity.as_str(),
                c.explanation,
                c.fix
            )
        })
        .or_else(|| {
            rules::RULES
                .iter()
                .map(|r| r.meta())
                .find(|m| m.code == upper || m.name == code)
                .map(|m| format!("{} ({}): {}", m.code, m.name, m.summary))
        })
        .ok_or_else(|| Error::UnknownCode(code.to_owned()))?;
    let help = format!(
        "https://github.com/opskit/opskit/blob/main/docs/env-check.md#{}",
        upper.to_ascii_lowercase()
    );
    Ok(
        Report::new(NAME, env!("CARGO_PKG_VERSION")).with_check(Check::new(
            upper,
            opskit::Status::Ok,
            format!("{text} See {help}"),
        )),
    )
}

/// Runs the subcommand.
pub fn run(args: &Args, cx: &Context) -> Result<Report, Error> {
    if let Some(code) = &args.explain {
        return explain(code);
    }
    let all = Parts {
        check: true,
        drift: true,
        lint: true,
    };
    match &args.command {
        None => services(args, cx, all),
        Some(Command::Check) => services(
            args,
            cx,
            Parts {
                drift: false,
                lint: false,
                ..all
            },
        ),
        Some(Command::Drift) => services(
            args,
            cx,
            Parts {
                check: false,
                lint: false,
                ..all
            },
        ),
        Some(Command::Lint { files, fix, skip }) => lint_files(files, *fix, skip, cx),
        Some(Command::Schema { from_code }) => print_schema(args, *from_code, cx),
        Some(Command::Parse {
            file,
            reveal,
            expand,
        }) => parse_file(file, *reveal, *expand, cx),
        Some(Command::Generate {
            name,
            length,
            charset,
            bytes,
        }) => generate_value(args, name, *length, *charset, *bytes, cx),
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

    fn check_services(
        service: Option<&str>,
        environment: &str,
        _root: &Path,
        cx: &Context,
    ) -> Result<Report, Error> {
        let mut argv = vec!["env-check", "check", "--env", environment];
        if let Some(s) = service {
            argv.extend(["--service", s]);
        }
        run(&Args::try_parse_from(argv).unwrap(), cx)
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
        let r = parse_file(Path::new(".env"), false, false, &cx).unwrap();
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
        let r = parse_file(Path::new(".env"), true, false, &cx).unwrap();
        assert_eq!(
            r.checks[0].findings[0].message,
            "KEY=second-value-that-wins-here"
        );
    }
}
