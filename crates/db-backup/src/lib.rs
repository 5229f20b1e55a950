//! # db-backup: PostgreSQL and Supabase backups that are verified, retained, restorable and
//! monitored
//!
//! It wraps the real `pg_dump`, `pg_restore` and `pg_dumpall` (the right tools: every version
//! of PostgreSQL, every object type) and adds what a backup job needs around them:
//!
//! - `run`: pg_dump's custom format, streamed through zstd (or gzip) and SHA-256 into a
//!   temporary file, fsynced, read back by `pg_restore --list`, and only then renamed into
//!   place, with a manifest beside it (server and pg_dump versions, sizes, checksum, every
//!   table with its row count taken in pg_dump's own snapshot). The password reaches pg_dump
//!   through a private password file, never a command line. `--preset supabase` dumps what
//!   `supabase db dump` would (the user's schemas) but with the data, and says what in the
//!   kept schemas needs the schemas Supabase manages.
//! - `verify FILE`: checksum and manifest agree, the archive decompresses and pg_restore reads
//!   it; `--restore-into URL` restores it into a scratch database and compares every table's
//!   row count and content hash.
//! - `restore FILE --into URL`: refuses a database that already holds the archive's tables
//!   unless `--force`, restores in one transaction, and reports every table.
//! - `list`, `prune` (keep-last/daily/weekly/monthly; never the newest verified backup, never a
//!   file without an opskit manifest) and `check` (a Nagios check on the newest backup's age,
//!   size change and verification).
//!
//! | code  | finding |
//! |-------|---------|
//! | DB101 | pg_dump (or pg_restore, pg_dumpall, psql) is not installed |
//! | DB102 | every installed pg_dump is older than the server |
//! | DB103 | authentication failed |
//! | DB104 | the server cannot be reached |
//! | DB105 | the disk is full (or the file size limit was reached) |
//! | DB106 | pg_dump, pg_restore or psql failed |
//! | DB107 | the new archive did not read back; it was deleted |
//! | DB110 | the Supabase preset leaves out a schema the kept objects need |
//! | DB111 | an object in a left-out schema uses kept objects; it is not in the dump |
//! | DB201 | the file's checksum or size differs from its manifest |
//! | DB202 | the manifest is missing or unreadable |
//! | DB203 | the archive does not decompress or pg_restore cannot read it |
//! | DB204 | a table's row count differs after a restore |
//! | DB205 | a table's content hash differs after a restore |
//! | DB206 | a table is missing after a restore |
//! | DB301 | the restore target already holds the archive's tables |
//! | DB401 | a backup prune deletes (or would delete) |
//! | DB501 | no backup found |
//! | DB502 | the newest backup is too old |
//! | DB503 | the newest backup's size changed sharply |
//! | DB504 | the newest backup is not verified |
//! | DB505 | the newest backup failed verification |
//! | DB506 | leftovers: an archive without its manifest, or a partial file |

pub mod archive;
pub mod check;
pub mod cleanup;
pub mod codes;
pub mod inventory;
pub mod manifest;
pub mod pgtools;
pub mod restore;
pub mod retention;
pub mod run;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use opskit::cli::{CommonArgs, Context, Tool};
use opskit::duration::{SpanArg, Unit};
use opskit::probe::postgres::PgUrl;
use opskit::report::Report;
use serde::Deserialize;

use crate::archive::Compression;
use crate::manifest::Mode;

/// The binary's name and config section.
pub const NAME: &str = "db-backup";

/// The directory backups go to when neither `--dir` nor `dir` in opskit.toml says.
pub const DEFAULT_DIR: &str = "backups";

const EXAMPLES: &str = "\
Examples:
  # A complete, verified backup of $SUPABASE_DB_URL (or $DATABASE_URL) into ./backups
  db-backup run
  db-backup run --dir /var/backups/app --compression gzip
  # What `supabase db dump` keeps (your schemas), with the data; or only roles, schema, data
  db-backup run --preset supabase
  db-backup run --preset supabase --roles-only
  # Is the archive sound? Does it really restore? (SCRATCH_URL: a server to create a scratch db on)
  db-backup verify backups/postgres-20261127T030000Z.dump.zst
  db-backup verify backups/postgres-20261127T030000Z.dump.zst --restore-into SCRATCH_URL
  # Disaster recovery into a new, empty database
  db-backup restore backups/postgres-20261127T030000Z.dump.zst --into NEW_DATABASE_URL
  # Housekeeping and monitoring
  db-backup list
  db-backup prune --keep-last 7 --keep-daily 14 --keep-weekly 8 --keep-monthly 12 --dry-run
  db-backup check --max-age 26h --format nagios
  # What a finding code means (DB502: the newest backup is too old)
  db-backup --explain DB502

URLs may be given as the name of an environment variable holding them (`--into NEW_DATABASE_URL`),
so no password stands on a command line. Exit codes: 0 OK, 1 warning, 2 critical (a backup or
restore failed, the newest backup is too old), 3 could not tell (bad flags or configuration).";

const NEEDS_SUBCOMMAND: &str = "db-backup needs a subcommand: run, verify, restore, list, prune or check (`db-backup --help` says what each does)";

/// `db-backup`.
#[derive(Debug, Clone, Parser)]
#[command(name = NAME, version, about = "PostgreSQL and Supabase backups through pg_dump: compressed, checksummed, verified, retained, restorable and monitored.", after_help = EXAMPLES)]
pub struct Args {
    /// What to do (one subcommand is needed, unless `--explain` or `--list-rules`).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The backup directory [default: `dir` in [db-backup], else ./backups].
    #[arg(long, global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The directory holding pg_dump, pg_restore, pg_dumpall and psql (default: PATH, then the
    /// newest of Debian's /usr/lib/postgresql/N/bin).
    #[arg(long, global = true, value_name = "DIR")]
    pub pg_bin: Option<PathBuf>,
    /// How long to wait for the server when connecting and between answers: `30s`, `2m`
    /// [default: 30s; a bare number is seconds].
    #[arg(long, global = true, value_name = "DURATION")]
    pub timeout: Option<SpanArg>,
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

/// The subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Back up a database.
    Run(RunArgs),
    /// Check a backup: checksum, manifest, readable archive; optionally a real restore.
    Verify(VerifyArgs),
    /// Restore a backup into a database.
    Restore(RestoreArgs),
    /// The backups of the directory, newest first.
    List,
    /// Delete old backups by a retention policy.
    Prune(PruneArgs),
    /// A Nagios-style check: the newest backup's age, size change and verification.
    Check(CheckArgs),
}

/// What the Supabase preset changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// Everything: restores on any PostgreSQL (what disaster recovery needs).
    #[default]
    Full,
    /// The user's schemas, leaving out those Supabase manages (as `supabase db dump`).
    Supabase,
}

impl Preset {
    /// As in flags and manifests.
    pub const fn as_str(self) -> &'static str {
        match self {
            Preset::Full => "full",
            Preset::Supabase => "supabase",
        }
    }
}

/// `db-backup run`.
#[expect(clippy::struct_excessive_bools, reason = "command-line switches")]
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// The database URL, or the name of an environment variable holding it [default:
    /// SUPABASE_DB_URL, then DATABASE_URL, then `url` in [db-backup]].
    #[arg(long, value_name = "URL|VAR")]
    pub url: Option<String>,
    /// full (everything) or supabase (the user's schemas).
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,
    /// Only the definitions (with --preset supabase: what a bare `supabase db dump` writes).
    #[arg(long, conflicts_with_all = ["data_only", "roles_only"])]
    pub schema_only: bool,
    /// Only the rows.
    #[arg(long, conflicts_with = "roles_only")]
    pub data_only: bool,
    /// Only the roles (pg_dumpall --roles-only; plain SQL).
    #[arg(long)]
    pub roles_only: bool,
    /// Also leave out these schemas (pg_dump patterns; repeat).
    #[arg(long, value_name = "PATTERN")]
    pub exclude_schema: Vec<String>,
    /// zstd (default), gzip or none.
    #[arg(long, value_enum)]
    pub compression: Option<CompressionArg>,
    /// Compression level [default: 3 for zstd, 6 for gzip].
    #[arg(long, value_name = "N")]
    pub level: Option<i32>,
    /// Also record each table's content hash (one more read of every table, in the dump's
    /// snapshot), so `verify --restore-into` compares contents, not only row counts.
    #[arg(long)]
    pub content_hash: bool,
    /// Skip reading the new archive back with pg_restore --list.
    #[arg(long)]
    pub no_verify: bool,
    /// With --preset supabase: report references into left-out schemas as notes, not warnings
    /// (you restore only into Supabase projects).
    #[arg(long)]
    pub allow_references: bool,
}

/// `--compression`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompressionArg {
    /// Zstandard.
    Zstd,
    /// gzip.
    Gzip,
    /// None.
    None,
}

impl From<CompressionArg> for Compression {
    fn from(c: CompressionArg) -> Compression {
        match c {
            CompressionArg::Zstd => Compression::Zstd,
            CompressionArg::Gzip => Compression::Gzip,
            CompressionArg::None => Compression::None,
        }
    }
}

/// `db-backup verify`.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// The archive (its manifest is FILE.manifest.json). Several are checked in turn.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Restore into a scratch database created on this server (URL or variable name; the URL's
    /// database is where CREATE DATABASE runs) and compare every table.
    #[arg(long, value_name = "URL|VAR")]
    pub restore_into: Option<String>,
    /// Compare content hashes with this live database instead of the manifest (for backups
    /// taken without --content-hash; the source may have changed since).
    #[arg(long, value_name = "URL|VAR", requires = "restore_into")]
    pub source: Option<String>,
    /// Keep the scratch database (its name is printed).
    #[arg(long, requires = "restore_into")]
    pub keep: bool,
}

/// `db-backup restore`.
#[expect(clippy::struct_excessive_bools, reason = "command-line switches")]
#[derive(Debug, Clone, clap::Args)]
pub struct RestoreArgs {
    /// The archive.
    pub file: PathBuf,
    /// The target database (URL or variable name).
    #[arg(long, value_name = "URL|VAR")]
    pub into: String,
    /// Restore even though the target already holds the archive's tables (they are dropped and
    /// recreated: pg_restore --clean --if-exists).
    #[arg(long)]
    pub force: bool,
    /// Show what would be done, and do nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not restore ownership (the target lacks the source's roles).
    #[arg(long)]
    pub no_owner: bool,
    /// Do not restore privileges (GRANT/REVOKE).
    #[arg(long)]
    pub no_privileges: bool,
}

/// `db-backup prune`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PruneArgs {
    /// Keep the N newest backups.
    #[arg(long, value_name = "N")]
    pub keep_last: Option<usize>,
    /// Keep the newest backup of each of the last N days that have one.
    #[arg(long, value_name = "N")]
    pub keep_daily: Option<usize>,
    /// Keep the newest backup of each of the last N ISO weeks that have one.
    #[arg(long, value_name = "N")]
    pub keep_weekly: Option<usize>,
    /// Keep the newest backup of each of the last N months that have one.
    #[arg(long, value_name = "N")]
    pub keep_monthly: Option<usize>,
    /// Print what would be deleted, and delete nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `db-backup check`.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Critical when the newest backup is older than this (`26h`, `90m`, `2d`, `1d12h`)
    /// [default: 26h]. A bare number is seconds, with a note.
    #[arg(long, value_name = "DURATION")]
    pub max_age: Option<SpanArg>,
    /// Warning when it is older than this [default: none].
    #[arg(long, value_name = "DURATION")]
    pub warn_age: Option<SpanArg>,
    /// Warning when the newest backup's size differs from the previous one's by more than this
    /// percentage [default: 50].
    #[arg(long, value_name = "PERCENT")]
    pub size_change: Option<f64>,
    /// Only backups of this database.
    #[arg(long, value_name = "NAME")]
    pub database: Option<String>,
    /// An unverified newest backup is critical, not a warning.
    #[arg(long)]
    pub require_verified: bool,
}

impl Tool for Args {
    fn common(&self) -> &CommonArgs {
        &self.common
    }

    fn notify(&self) -> Option<&opskit::cli::NotifyFlags> {
        Some(&self.notify)
    }
}

/// `[db-backup]` in opskit.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// The database URL; write a reference: `url = "${SUPABASE_DB_URL}"`.
    pub url: Option<String>,
    /// The backup directory, relative to opskit.toml.
    pub dir: Option<PathBuf>,
    /// full or supabase.
    pub preset: Option<Preset>,
    /// zstd, gzip or none.
    pub compression: Option<CompressionArg>,
    /// Compression level.
    pub level: Option<i32>,
    /// Record content hashes.
    #[serde(default)]
    pub content_hash: bool,
    /// More schemas to leave out.
    #[serde(default)]
    pub exclude_schemas: Vec<String>,
    /// Where the PostgreSQL client programs are.
    pub pg_bin: Option<PathBuf>,
    /// Retention: `prune` uses these when no --keep-* flag is given.
    pub keep_last: Option<usize>,
    /// Retention.
    pub keep_daily: Option<usize>,
    /// Retention.
    pub keep_weekly: Option<usize>,
    /// Retention.
    pub keep_monthly: Option<usize>,
    /// `check --max-age`.
    pub max_age: Option<SpanArg>,
    /// `check --warn-age`.
    pub warn_age: Option<SpanArg>,
    /// `check --size-change`.
    pub size_change: Option<f64>,
    /// Supabase preset: references into left-out schemas are notes.
    #[serde(default)]
    pub allow_references: bool,
}

/// What can stop db-backup before it has an answer (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--explain` of a code no registry holds.
    #[error(transparent)]
    UnknownCode(#[from] opskit::codes::UnknownCode),
    /// opskit.toml is wrong.
    #[error(transparent)]
    Config(#[from] opskit::config::ConfigError),
    /// A flag or setting is wrong.
    #[error("{0}")]
    Usage(String),
}

/// Settings every subcommand shares, resolved from flags, opskit.toml and defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The backup directory.
    pub dir: PathBuf,
    /// `--pg-bin`.
    pub pg_bin: Option<PathBuf>,
    /// Connect and read timeout.
    pub timeout: Duration,
    /// The section of opskit.toml.
    pub file: FileConfig,
}

impl Settings {
    /// From the flags, the `[db-backup]` section and the defaults.
    pub fn resolve(args: &Args, cx: &Context) -> Result<Settings, Error> {
        let file: FileConfig = cx.section(NAME)?.unwrap_or_default();
        let base = cx
            .config
            .as_ref()
            .and_then(|c| c.path().parent().map(std::path::Path::to_owned))
            .unwrap_or_else(|| cx.cwd.clone());
        let dir = match (&args.dir, &file.dir) {
            (Some(d), _) => cx.cwd.join(d),
            (None, Some(d)) => base.join(d),
            (None, None) => cx.cwd.join(DEFAULT_DIR),
        };
        let pg_bin = args
            .pg_bin
            .as_ref()
            .map(|d| cx.cwd.join(d))
            .or_else(|| file.pg_bin.as_ref().map(|d| base.join(d)));
        Ok(Settings {
            dir,
            pg_bin,
            timeout: args
                .timeout
                .map_or(Duration::from_secs(30), |t| {
                    t.span(Unit::Seconds).duration()
                })
                .max(Duration::from_secs(1)),
            file,
        })
    }
}

/// A URL flag's value: a URL, or the name of an environment variable holding one.
pub fn resolve_url(value: &str, cx: &Context, what: &str) -> Result<PgUrl, Error> {
    let text = if value.contains("://") {
        value.to_owned()
    } else {
        cx.var(value).ok_or_else(|| {
            Error::Usage(format!(
                "{what}: `{value}` is neither a postgres:// URL nor a set environment variable"
            ))
        })?
    };
    text.parse::<PgUrl>()
        .map_err(|e| Error::Usage(format!("{what}: {e} (got {})", opskit::redact::url(&text))))
}

/// The database to back up: `--url`, SUPABASE_DB_URL, DATABASE_URL, `url` in opskit.toml.
fn source_url(args: &RunArgs, cx: &Context, file: &FileConfig) -> Result<PgUrl, Error> {
    if let Some(v) = &args.url {
        return resolve_url(v, cx, "--url");
    }
    for var in ["SUPABASE_DB_URL", "DATABASE_URL"] {
        if let Some(v) = cx.var(var).filter(|v| !v.is_empty()) {
            return resolve_url(&v, cx, var);
        }
    }
    if let Some(v) = &file.url {
        return resolve_url(v, cx, "url in [db-backup]");
    }
    Err(Error::Usage(
        "no database to back up: set SUPABASE_DB_URL or DATABASE_URL, pass --url (a URL or the name of a variable holding it), or set url = \"${DATABASE_URL}\" in [db-backup] of opskit.toml".to_owned(),
    ))
}

/// An age flag or key as a duration, with a note for a bare number: `--max-age 26` is 26
/// seconds, which is rarely what was meant.
pub fn age_arg(value: SpanArg, flag: &str) -> (Duration, Option<String>) {
    let span = value.span(Unit::Seconds);
    let note = match value {
        SpanArg::Bare(n) => Some(format!(
            "{flag} {n} is read as {span} (a bare number is seconds); write {flag} {n}h for hours or {flag} {n}d for days"
        )),
        SpanArg::Span(_) => None,
    };
    (span.duration(), note)
}

/// Runs the subcommand.
pub fn run(args: &Args, cx: &Context) -> Result<Report, Error> {
    if let Some(answer) = args
        .codes
        .answer(NAME, env!("CARGO_PKG_VERSION"), &[codes::REGISTRY])
    {
        return Ok(answer?);
    }
    let Some(command) = &args.command else {
        return Err(Error::Usage(NEEDS_SUBCOMMAND.to_owned()));
    };
    let mut report = subcommand(command, args, cx)?;
    opskit::codes::describe(&mut report, &[codes::REGISTRY]);
    Ok(report)
}

fn subcommand(command: &Command, args: &Args, cx: &Context) -> Result<Report, Error> {
    let settings = Settings::resolve(args, cx)?;
    match command {
        Command::Run(a) => {
            let file = &settings.file;
            let mode = if a.roles_only {
                Mode::RolesOnly
            } else if a.schema_only {
                Mode::SchemaOnly
            } else if a.data_only {
                Mode::DataOnly
            } else {
                Mode::Full
            };
            let compression: Compression = a
                .compression
                .or(file.compression)
                .map_or(Compression::Zstd, Compression::from);
            let level = a
                .level
                .or(file.level)
                .unwrap_or(compression.default_level());
            let valid = match compression {
                Compression::Zstd => (1..=22).contains(&level),
                Compression::Gzip => (0..=9).contains(&level),
                Compression::None => true,
            };
            if !valid {
                return Err(Error::Usage(format!(
                    "--level {level} is out of range for {} (zstd 1-22, gzip 0-9)",
                    compression.as_str()
                )));
            }
            let mut exclude = file.exclude_schemas.clone();
            exclude.extend(a.exclude_schema.iter().cloned());
            let options = run::Options {
                url: source_url(a, cx, file)?,
                dir: settings.dir.clone(),
                preset: a.preset.or(file.preset).unwrap_or_default(),
                mode,
                compression,
                level,
                content_hash: a.content_hash || file.content_hash,
                verify: !a.no_verify,
                exclude_schemas: exclude,
                allow_references: a.allow_references || file.allow_references,
                pg_bin: settings.pg_bin.clone(),
                timeout: settings.timeout,
            };
            Ok(run::run(&options))
        }
        Command::Verify(a) => {
            let into = a
                .restore_into
                .as_deref()
                .map(|v| resolve_url(v, cx, "--restore-into"))
                .transpose()?;
            let source = a
                .source
                .as_deref()
                .map(|v| resolve_url(v, cx, "--source"))
                .transpose()?;
            let files: Vec<PathBuf> = a.files.iter().map(|f| cx.cwd.join(f)).collect();
            Ok(restore::verify_all(
                &files,
                into.as_ref(),
                source.as_ref(),
                a.keep,
                &settings,
            ))
        }
        Command::Restore(a) => {
            let into = resolve_url(&a.into, cx, "--into")?;
            Ok(restore::restore(&cx.cwd.join(&a.file), &into, a, &settings))
        }
        Command::List => retention::list(&settings.dir).map_err(|e| Error::Usage(e.to_string())),
        Command::Prune(a) => retention::prune(&settings.dir, a, &settings.file)
            .map_err(|e| Error::Usage(e.to_string())),
        Command::Check(a) => check::check(&settings.dir, a, &settings.file)
            .map(|(report, notes)| {
                for note in notes {
                    cx.note(note);
                }
                report
            })
            .map_err(|e| Error::Usage(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_consistent() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }

    #[test]
    fn ages() {
        let age = |t: &str| age_arg(t.parse().unwrap(), "--max-age");
        assert_eq!(age("26h"), (Duration::from_hours(26), None));
        assert_eq!(age("1d12h").0, Duration::from_hours(36));
        let (d, note) = age("26");
        assert_eq!(d, Duration::from_secs(26));
        let note = note.unwrap();
        assert!(
            note.contains("--max-age 26 is read as 26s") && note.contains("--max-age 26h"),
            "{note}"
        );
        assert!("12h5".parse::<SpanArg>().is_err());
        assert!("26x".parse::<SpanArg>().is_err());
    }
}
