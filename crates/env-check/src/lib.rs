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
pub mod codes;
mod commands;
pub mod drift;
pub mod generate;
pub mod lint;
pub mod public;
pub mod rules;
pub mod schema;
pub mod sources;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use opskit::cli::{CommonArgs, Context, Tool};
use opskit::report::Report;

use commands::check::{Parts, services};
pub use commands::check::{
    check_service, checked_services, has_values, public_names, resolved_schema, service_inputs,
};
use commands::explain::explain;
pub use commands::explain::{describe, explain as explain_code};
use commands::generate::generate_value;
use commands::lint::lint_files;
use commands::parse::parse_file;
use commands::schema::print_schema;

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
  env-check --list-rules

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
    /// List every code (the lint rules, the schema and drift codes) and exit.
    #[arg(long, conflicts_with = "explain")]
    pub list_rules: bool,
    /// Notifications on status changes and Sentry Crons check-ins.
    #[command(flatten)]
    pub notify: opskit::cli::NotifyFlags,
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

    fn notify(&self) -> Option<&opskit::cli::NotifyFlags> {
        Some(&self.notify)
    }
}

/// Why env-check could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file was read and is not what it must be (not UTF-8, not a variable export).
    #[error("{}: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The operating system's random generator failed.
    #[error("/dev/urandom: no random generator: {0}")]
    Random(#[source] std::io::Error),
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
        "unknown code `{0}`: the codes are ENV001-ENV012 (lint), ENV100-ENV106 (schema) and ENV201-ENV209 (drift); `env-check --list-rules` lists them"
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
    let bytes = std::fs::read(path).map_err(|source| Error::File {
        path: path.to_owned(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|_| Error::Invalid {
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

/// Runs the subcommand.
pub fn run(args: &Args, cx: &Context) -> Result<Report, Error> {
    if let Some(code) = &args.explain {
        return explain(code);
    }
    if args.list_rules {
        return Ok(commands::explain::list());
    }
    let mut report = subcommand(args, cx)?;
    commands::explain::describe(&mut report);
    Ok(report)
}

fn subcommand(args: &Args, cx: &Context) -> Result<Report, Error> {
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
