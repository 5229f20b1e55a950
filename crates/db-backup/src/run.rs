//! `db-backup run`: one backup, from connection to manifest.
//!
//! 1. Connect with opskit's client; learn the server's version and pick a pg_dump that can dump
//!    it (the same major or newer).
//! 2. Open a repeatable-read transaction and export its snapshot; pg_dump runs in that snapshot
//!    (`--snapshot`), so the row counts taken meanwhile on this connection are exactly what
//!    the archive holds.
//! 3. pg_dump writes its custom format uncompressed to a pipe; a thread compresses and hashes it
//!    into a temporary file (see [`crate::archive`]).
//! 4. The file is fsynced, read back with `pg_restore --list`, renamed into place; then the
//!    manifest is written beside it. Any failure deletes the temporary file.

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use opskit::Status;
use opskit::probe::postgres::{PgError, PgUrl, Session};
use opskit::report::{Check, Finding, Metric, Report, Severity, Unit};

use crate::archive::{self, Compression, Written};
use crate::codes::{DB101, DB102, DB103, DB104, DB105, DB106, DB107, DB110, DB111};
use crate::inventory;
use crate::manifest::{self, Manifest, Mode, Table, Verification};
use crate::pgtools::{self, PassFile, Program, ToolError};
use crate::{NAME, Preset};

/// What to back up and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The database.
    pub url: PgUrl,
    /// Where the backup goes.
    pub dir: PathBuf,
    /// full or supabase.
    pub preset: Preset,
    /// What the archive holds.
    pub mode: Mode,
    /// Compression.
    pub compression: Compression,
    /// Compression level.
    pub level: i32,
    /// Record content hashes.
    pub content_hash: bool,
    /// Read the archive back with pg_restore --list.
    pub verify: bool,
    /// More schemas to leave out.
    pub exclude_schemas: Vec<String>,
    /// Supabase references are notes.
    pub allow_references: bool,
    /// Where the client programs are.
    pub pg_bin: Option<PathBuf>,
    /// Connect/read timeout.
    pub timeout: Duration,
}

/// A failed run: a code, a message.
struct Failure {
    code: &'static str,
    message: String,
}

fn fail(code: &'static str, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

fn tool_failure(e: &ToolError) -> Failure {
    match e {
        ToolError::Missing { .. } => fail(DB101.code, e.to_string()),
        ToolError::TooOld { .. } => fail(DB102.code, e.to_string()),
    }
}

/// A connection error as DB103 (the login: refused, or a method opskit does not speak) or
/// DB104 (unreachable, timed out, or any other failure), by the error's kind.
pub(crate) fn connect_failure(e: &PgError) -> (&'static str, String) {
    if e.is_authentication() {
        (
            DB103.code,
            format!("authentication failed: {e}; check the password in the connection URL"),
        )
    } else if e.sqlstate.as_deref() == Some("3D000") {
        // The server answered: the database itself is missing (a restore target not made yet).
        (
            DB104.code,
            format!(
                "{e}; create it first (`createdb NAME`, or `CREATE DATABASE NAME;` in psql as a user allowed to), then run this again"
            ),
        )
    } else {
        (DB104.code, format!("cannot reach the database: {e}"))
    }
}

/// Runs one backup and reports it.
pub fn run(options: &Options) -> Report {
    let started = Instant::now();
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    let leftovers = remove_stale_partials(&options.dir);
    let check = match backup(options, started) {
        Ok((manifest, path, notes)) => success_check(&manifest, &path, notes, leftovers),
        Err(f) => Check::new("backup", Status::Critical, f.message.clone())
            .with_finding(Finding::new(f.code, Severity::Error, f.message)),
    };
    report.push(check.took(started.elapsed()));
    report
}

/// Partial files of runs that were killed: their writer is gone. Returns how many were removed.
fn remove_stale_partials(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = archive::partial_pid(&name)
            && !crate::cleanup::process_running(pid)
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

fn success_check(manifest: &Manifest, path: &Path, notes: Vec<Finding>, leftovers: usize) -> Check {
    let rows: u64 = manifest.tables.iter().filter_map(|t| t.rows).sum();
    let mut summary = format!(
        "{} ({}): {} ({} before compression) in {:.1}s, {} tables, {rows} rows -> {}",
        manifest.database,
        manifest.mode.as_str(),
        archive::human_size(manifest.bytes),
        archive::human_size(manifest.raw_bytes),
        manifest.duration_seconds,
        manifest.tables.len(),
        path.display()
    );
    if manifest.verification.is_some() {
        let _ = write!(summary, ", {}", manifest.verification_text());
    }
    if leftovers > 0 {
        let _ = write!(
            summary,
            "; removed {leftovers} partial file(s) of killed runs"
        );
    }
    let status = notes.iter().fold(Status::Ok, |s, f| {
        s.worst(match f.severity {
            Severity::Error => Status::Critical,
            Severity::Warning => Status::Warning,
            Severity::Note => Status::Ok,
        })
    });
    let db = manifest.database.as_str();
    #[expect(clippy::cast_precision_loss, reason = "sizes and counts as metrics")]
    let mut check = Check::new("backup", status, summary)
        .with_metric(
            Metric::new("bytes", manifest.bytes as f64)
                .unit(Unit::Bytes)
                .prometheus("opskit_db_backup_bytes", &[("database", db)])
                .help("Size of the newest backup on disk."),
        )
        .with_metric(
            Metric::new("raw_bytes", manifest.raw_bytes as f64)
                .unit(Unit::Bytes)
                .prometheus("opskit_db_backup_raw_bytes", &[("database", db)])
                .help("Size of pg_dump's output before compression."),
        )
        .with_metric(
            Metric::new("duration", manifest.duration_seconds)
                .unit(Unit::Seconds)
                .prometheus("opskit_db_backup_duration_seconds", &[("database", db)])
                .help("Time the backup took."),
        )
        .with_metric(
            Metric::new("tables", manifest.tables.len() as f64)
                .prometheus("opskit_db_backup_tables", &[("database", db)])
                .help("Tables in the backup."),
        )
        .with_metric(
            Metric::new("rows", rows as f64)
                .prometheus("opskit_db_backup_rows", &[("database", db)])
                .help("Rows in the backup."),
        );
    check.findings = notes;
    check
}

/// The schemas left out, by preset and mode.
fn excluded(options: &Options) -> Vec<String> {
    let mut out: Vec<String> = match (options.preset, options.mode) {
        (Preset::Full, _) => Vec::new(),
        (Preset::Supabase, Mode::DataOnly) => inventory::SUPABASE_MANAGED_DATA
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        (Preset::Supabase, _) => inventory::SUPABASE_MANAGED
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    };
    out.extend(options.exclude_schemas.iter().cloned());
    out
}

#[expect(
    clippy::too_many_lines,
    reason = "the steps of one backup, in order, each with its failure"
)]
fn backup(
    options: &Options,
    started: Instant,
) -> Result<(Manifest, PathBuf, Vec<Finding>), Failure> {
    let started_unix = opskit::time::now_unix();
    let url = &options.url;
    let who = url.to_string();
    let mut session = inventory::connect(url, options.timeout).map_err(|e| {
        let (code, message) = connect_failure(&e);
        fail(code, message)
    })?;
    let server_version = session.server_version.clone().unwrap_or_default();
    let dumper_name = if options.mode.is_sql() {
        "pg_dumpall"
    } else {
        "pg_dump"
    };
    let dumper = pgtools::find(
        dumper_name,
        options.pg_bin.as_deref(),
        Some(&server_version),
    )
    .map_err(|e| tool_failure(&e))?;
    let excluded = excluded(options);
    let mut notes = Vec::new();
    let mut tables = if options.mode.is_sql() {
        Vec::new()
    } else {
        let mut t = inventory::tables(&mut session, &excluded)
            .map_err(|e| fail(connect_failure(&e).0, e.to_string()))?;
        if options.preset == Preset::Supabase && options.mode == Mode::DataOnly {
            t.retain(|t| !inventory::SUPABASE_MANAGED_TABLES.contains(&t.qualified().as_str()));
        }
        t
    };
    if options.preset == Preset::Supabase && !options.mode.is_sql() {
        notes.extend(reference_notes(
            &mut session,
            &excluded,
            options.allow_references,
        ));
    }
    std::fs::create_dir_all(&options.dir).map_err(|e| {
        fail(
            if is_full(&e) { DB105.code } else { DB106.code },
            format!(
                "cannot create the backup directory {}: {e}",
                options.dir.display()
            ),
        )
    })?;
    let target = options.dir.join(manifest::file_name(
        &url.database,
        started_unix,
        options.mode,
        options.compression,
    ));
    if target.exists() {
        return Err(fail(
            DB106.code,
            format!(
                "{} already exists (two runs in the same second?); nothing was overwritten",
                target.display()
            ),
        ));
    }
    // The snapshot: pg_dump imports it; this transaction must stay open until pg_dump is done.
    let snapshot = if options.mode.is_sql() {
        None
    } else {
        export_snapshot(&mut session)
    };
    let pass = PassFile::new(url).map_err(|e| {
        fail(
            DB106.code,
            format!("cannot write a private password file: {e}"),
        )
    })?;
    let mut cmd = pgtools::command(&dumper, &pass);
    dump_args(&mut cmd, options, &excluded, snapshot.as_deref());
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            fail(
                DB101.code,
                format!("cannot run {}: {e}", dumper.path.display()),
            )
        })?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut s) = stderr {
            let _ = s.read_to_string(&mut text);
        }
        text
    });
    let sql_filter = options.preset == Preset::Supabase && options.mode.is_sql();
    let (compression, level) = (options.compression, options.level);
    let target_for_writer = target.clone();
    let writer = std::thread::spawn(move || -> std::io::Result<(archive::Partial, Written)> {
        let Some(out) = stdout else {
            return Err(std::io::Error::other("pg_dump has no output pipe"));
        };
        if sql_filter {
            let mut text = String::new();
            let mut out = out;
            out.read_to_string(&mut text)?;
            let filtered = supabase_roles(&text);
            archive::write(filtered.as_bytes(), &target_for_writer, compression, level)
        } else {
            archive::write(out, &target_for_writer, compression, level)
        }
    });
    // Counting runs while pg_dump dumps, in the same snapshot when there is one.
    let counted = if options.mode.has_data() || options.mode == Mode::SchemaOnly {
        session.set_timeout(None);
        inventory::count(
            &mut session,
            &mut tables,
            options.content_hash && options.mode.has_data(),
        )
    } else {
        Ok(())
    };
    let written = writer
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("the writer thread panicked")));
    let status = child.wait();
    let stderr_text = errors.join().unwrap_or_default();
    let _ = session.query("COMMIT");
    drop(session);
    drop(pass);
    let status = status.map_err(|e| fail(DB106.code, format!("waiting for {dumper_name}: {e}")))?;
    // A writer that failed closed the pipe, and pg_dump died of it (SIGPIPE): the writer's
    // error is the cause. A writer that saw the end of a failed pg_dump's output is fine.
    if !status.success() && written.is_ok() {
        let message = pgtools::explain(&stderr_text, &who);
        let code = dump_failure(url, options.timeout);
        return Err(fail(
            code,
            format!("{dumper_name} failed ({status}): {message}"),
        ));
    }
    let (partial, written) = written.map_err(|e| {
        if is_full(&e) {
            fail(
                DB105.code,
                format!(
                    "no room for the backup in {}: {e}; free space or choose another --dir (the partial file was deleted)",
                    options.dir.display()
                ),
            )
        } else {
            fail(DB106.code, format!("writing {}: {e}", target.display()))
        }
    })?;
    // A table the user may not read stops the count, not the backup (pg_dump read them all).
    let counts_failed = counted.err();
    if options.mode == Mode::SchemaOnly || counts_failed.is_some() {
        for t in &mut tables {
            t.rows = None;
            t.content_hash = None;
        }
    }
    if let Some(e) = counts_failed {
        notes.push(DB106.finding_as(
            Severity::Warning,
            format!("the backup is complete, but its row counts could not be taken: {e}"),
        ));
    }
    let verification = if options.verify {
        let level = read_back(partial.path(), options, &dumper, &tables).map_err(|e| {
            fail(
                DB107.code,
                format!("the new archive does not read back, so it was deleted: {e}"),
            )
        })?;
        Some(Verification {
            at: opskit::time::utc_timestamp(opskit::time::now_unix()),
            level: level.to_owned(),
            ok: true,
            error: None,
        })
    } else {
        None
    };
    let path = partial.commit().map_err(|e| {
        fail(
            if is_full(&e) { DB105.code } else { DB106.code },
            format!("cannot rename the backup into place: {e}"),
        )
    })?;
    let manifest = Manifest {
        tool: manifest::TOOL.to_owned(),
        format: manifest::FORMAT,
        file: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        database: url.database.clone(),
        server: format!("{}:{}", url.host, url.port),
        server_version,
        dumper: format!("{dumper_name} {}", dumper.version),
        preset: options.preset.as_str().to_owned(),
        mode: options.mode,
        excluded_schemas: excluded,
        compression: options.compression,
        level: options.level,
        started: opskit::time::utc_timestamp(started_unix),
        started_unix,
        duration_seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        bytes: written.bytes,
        raw_bytes: written.raw_bytes,
        sha256: written.sha256,
        consistent_counts: snapshot.is_some(),
        tables,
        warnings: notes.iter().map(|f| f.message.clone()).collect(),
        verification,
    };
    manifest.write(&manifest::path_for(&path)).map_err(|e| {
        fail(
            if is_full(&e) { DB105.code } else { DB106.code },
            format!(
                "the backup {} is complete but its manifest could not be written: {e}",
                path.display()
            ),
        )
    })?;
    if snapshot.is_none() && !options.mode.is_sql() {
        notes.push(DB106.finding_as(Severity::Note, "the server would not export a snapshot (a connection pooler in transaction mode?), so row counts were taken beside the dump, not in its snapshot; use the direct connection (port 5432) for exact counts",
        ));
    }
    Ok((manifest, path, notes))
}

/// A write error that means no room: ENOSPC, EDQUOT, EFBIG (a file size limit).
pub(crate) fn is_full(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull
            | std::io::ErrorKind::QuotaExceeded
            | std::io::ErrorKind::FileTooLarge
    ) || e.to_string().contains("No space left")
}

/// Why pg_dump failed, as our own client tells it: pg_dump's exit code says only that it
/// failed, and its words are for people (they go into the message). If the server now refuses
/// the login or cannot be reached, that is the cause (DB103, DB104); otherwise pg_dump itself
/// failed (DB106). The server's version was matched before pg_dump ran (DB102), and a full
/// disk is the archive writer's error (DB105).
fn dump_failure(url: &PgUrl, timeout: Duration) -> &'static str {
    match inventory::connect(url, timeout) {
        Ok(_) => DB106.code,
        Err(e) => connect_failure(&e).0,
    }
}

fn export_snapshot(session: &mut Session) -> Option<String> {
    session
        .query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .ok()?;
    if let Ok(Some(id)) = inventory::scalar(session, "SELECT pg_catalog.pg_export_snapshot()") {
        Some(id)
    } else {
        let _ = session.query("ROLLBACK");
        None
    }
}

fn dump_args(
    cmd: &mut std::process::Command,
    options: &Options,
    excluded: &[String],
    snapshot: Option<&str>,
) {
    let conninfo = pgtools::conninfo(&options.url, &options.url.database);
    if options.mode.is_sql() {
        cmd.args(["--roles-only", "--quote-all-identifiers", "--no-comments"]);
        if options.preset == Preset::Supabase {
            // Supabase does not let a project read pg_authid; role passwords are reset anyway.
            cmd.arg("--no-role-passwords");
        }
        cmd.arg(format!("--dbname={conninfo}"));
        return;
    }
    // Uncompressed custom format: opskit compresses, in another thread, with zstd.
    cmd.args(["--format=custom", "--compress=0", "--no-sync"]);
    match options.mode {
        Mode::SchemaOnly => {
            cmd.arg("--schema-only");
        }
        Mode::DataOnly => {
            cmd.arg("--data-only");
        }
        _ => {}
    }
    if let Some(s) = snapshot {
        cmd.arg(format!("--snapshot={s}"));
    }
    for pattern in excluded {
        cmd.arg(format!("--exclude-schema={pattern}"));
    }
    if options.preset == Preset::Supabase && options.mode == Mode::DataOnly {
        for table in inventory::SUPABASE_MANAGED_TABLES {
            cmd.arg(format!("--exclude-table={table}"));
        }
    }
    cmd.arg(format!("--dbname={conninfo}"));
}

/// pg_dumpall's roles with Supabase's reserved roles commented out (they exist in every project
/// and supautils refuses to create or alter them), as `supabase db dump --role-only` does.
pub fn supabase_roles(sql: &str) -> String {
    let reserved = |rest: &str| {
        inventory::SUPABASE_RESERVED_ROLES
            .iter()
            .any(|r| rest.starts_with(&format!("\"{r}\"")))
    };
    let mut out = String::with_capacity(sql.len());
    for line in sql.lines() {
        let skip = line
            .strip_prefix("CREATE ROLE ")
            .or_else(|| line.strip_prefix("ALTER ROLE "))
            .is_some_and(reserved)
            || line.starts_with("GRANT ")
                && line
                    .rsplit_once(" TO ")
                    .is_some_and(|(_, to)| reserved(to.trim_start()));
        if skip {
            out.push_str("-- reserved by Supabase: ");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn reference_notes(session: &mut Session, excluded: &[String], allow: bool) -> Vec<Finding> {
    let severity = if allow {
        Severity::Note
    } else {
        Severity::Warning
    };
    match inventory::cross_references(session, excluded) {
        Ok((needs, lost)) => {
            let mut notes = Vec::new();
            if !needs.is_empty() {
                notes.push(DB110.finding_as(severity,
                    format!(
                        "the dump will not restore outside a Supabase project: {} object(s) in the kept schemas need left-out schemas: {}",
                        needs.len(),
                        preview(&needs)
                    ),
                ));
            }
            if !lost.is_empty() {
                notes.push(DB111.finding_as(severity,
                    format!(
                        "not in the dump (they live in left-out schemas) but use your objects; recreate them after a restore: {}",
                        preview(&lost)
                    ),
                ));
            }
            notes
        }
        Err(e) => vec![DB110.finding(format!(
            "could not check references into left-out schemas: {e}"
        ))],
    }
}

fn preview(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(5).map(String::as_str).collect();
    if items.len() > shown.len() {
        format!(
            "{}; and {} more",
            shown.join("; "),
            items.len() - shown.len()
        )
    } else {
        shown.join("; ")
    }
}

/// Reads a written archive back: for custom format, `pg_restore --list` must succeed and list
/// a TABLE DATA entry for every table that has rows; for SQL, it must decompress. Returns the
/// verification level reached.
pub(crate) fn read_back(
    path: &Path,
    options: &Options,
    dumper: &Program,
    tables: &[Table],
) -> Result<&'static str, String> {
    if options.mode.is_sql() {
        archive::feed(path, std::io::sink()).map_err(|e| e.to_string())?;
        return Ok("checksum");
    }
    let dir = dumper.path.parent().map(Path::to_owned);
    let restore = pgtools::find("pg_restore", dir.as_deref(), None)
        .or_else(|_| pgtools::find("pg_restore", options.pg_bin.as_deref(), None))
        .map_err(|e| e.to_string())?;
    let toc = list(&restore, path)?;
    check_toc(&toc, tables, options.mode)?;
    Ok("list")
}

/// `pg_restore --list` of an archive (decompressed into its stdin).
pub(crate) fn list(restore: &Program, path: &Path) -> Result<String, String> {
    let mut cmd = std::process::Command::new(&restore.path);
    cmd.arg("--list");
    let (out, fed) = archive::run_fed(&mut cmd, path)
        .map_err(|e| format!("cannot run {}: {e}", restore.path.display()))?;
    fed.map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "pg_restore --list failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Every table with rows has its TABLE DATA entry in the archive's table of contents.
pub(crate) fn check_toc(toc: &str, tables: &[Table], mode: Mode) -> Result<(), String> {
    if !toc
        .lines()
        .any(|l| l.starts_with(';') && l.contains("Archive created at"))
    {
        return Err("pg_restore listed no archive header".to_owned());
    }
    if !mode.has_data() {
        return Ok(());
    }
    let missing: Vec<String> = tables
        .iter()
        .filter(|t| {
            let entry = format!(" TABLE DATA {} {} ", t.schema, t.name);
            !toc.lines().any(|l| l.contains(&entry))
        })
        .map(Table::qualified)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the archive has no data for {} table(s): {}",
            missing.len(),
            preview(&missing)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_roles_are_commented_out() {
        let sql = "CREATE ROLE \"anon\";\nALTER ROLE \"anon\" WITH NOLOGIN;\nCREATE ROLE \"app_reader\";\nGRANT \"app_reader\" TO \"authenticated\" GRANTED BY \"postgres\";\nGRANT \"x\" TO \"app_reader\";\n";
        let out = supabase_roles(sql);
        assert_eq!(
            out,
            "-- reserved by Supabase: CREATE ROLE \"anon\";\n-- reserved by Supabase: ALTER ROLE \"anon\" WITH NOLOGIN;\nCREATE ROLE \"app_reader\";\n-- reserved by Supabase: GRANT \"app_reader\" TO \"authenticated\" GRANTED BY \"postgres\";\nGRANT \"x\" TO \"app_reader\";\n"
        );
    }

    #[test]
    fn toc_covers_tables() {
        let toc = ";\n; Archive created at 2026-11-27 03:00:00 UTC\n;\n3345; 0 16390 TABLE DATA public users postgres\n";
        let t = |n: &str| Table {
            schema: "public".into(),
            name: n.into(),
            rows: Some(1),
            content_hash: None,
        };
        assert!(check_toc(toc, &[t("users")], Mode::Full).is_ok());
        assert!(check_toc(toc, &[t("orders")], Mode::Full).is_err());
        assert!(check_toc(toc, &[t("orders")], Mode::SchemaOnly).is_ok());
        assert!(check_toc("garbage", &[], Mode::SchemaOnly).is_err());
    }

    #[test]
    fn connect_errors() {
        use opskit::probe::postgres::PgErrorKind;
        let error = |kind, sqlstate: Option<&str>| PgError {
            kind,
            sqlstate: sqlstate.map(str::to_owned),
            message: "u@h/d: it failed".to_owned(),
        };
        assert_eq!(
            connect_failure(&error(PgErrorKind::Authentication, Some("28P01"))).0,
            "DB103"
        );
        assert_eq!(
            connect_failure(&error(PgErrorKind::Unsupported, None)).0,
            "DB103"
        );
        assert_eq!(
            connect_failure(&error(PgErrorKind::Unreachable, None)).0,
            "DB104"
        );
        assert_eq!(
            connect_failure(&error(PgErrorKind::Timeout, None)).0,
            "DB104"
        );
        // See: issue 19. Restoring into a database that does not exist says to create it.
        let (code, message) = connect_failure(&error(PgErrorKind::Server, Some("3D000")));
        assert_eq!(code, "DB104");
        assert!(
            message.contains("create it first (`createdb NAME`"),
            "{message}"
        );
        assert!(!message.contains("cannot reach"), "{message}");
    }
}
