//! `db-backup verify` and `db-backup restore`: is an archive sound, does it really restore, and
//! restoring it for real, table by table.

use std::path::{Path, PathBuf};
use std::time::Instant;

use opskit::Status;
use opskit::probe::postgres::PgUrl;
use opskit::report::{Check, Finding, Metric, Report, Severity};

use crate::archive;
use crate::codes::{DB101, DB102, DB104, DB106, DB201, DB202, DB203, DB204, DB205, DB206, DB301};
use crate::inventory;
use crate::manifest::{self, Manifest, Mode, Table, Verification};
use crate::pgtools::{self, PassFile, Program};
use crate::run::connect_failure;
use crate::{NAME, RestoreArgs, Settings};

fn critical(name: &str, code: &str, message: impl Into<String>) -> Check {
    let message = message.into();
    Check::new(name, Status::Critical, message.clone()).with_finding(Finding::new(
        code,
        Severity::Error,
        message,
    ))
}

/// The manifest and whether the file matches it (size and SHA-256): the first two checks of
/// both verify and restore.
fn integrity(path: &Path) -> (Option<Manifest>, Vec<Check>) {
    let manifest_path = manifest::path_for(path);
    let manifest = match Manifest::read(&manifest_path) {
        Ok(m) => m,
        Err(e) => {
            let e = if manifest_path.exists() {
                e.to_string()
            } else {
                format!(
                    "{} has no manifest ({} is missing): not written by db-backup, or moved without it",
                    path.display(),
                    manifest_path.display()
                )
            };
            return (None, vec![critical("manifest", DB202.code, e)]);
        }
    };
    let check = match archive::sha256_file(path) {
        Err(e) => critical(
            "checksum",
            DB201.code,
            format!("cannot read {}: {e}", path.display()),
        ),
        Ok((sha, bytes)) if sha != manifest.sha256 || bytes != manifest.bytes => critical(
            "checksum",
            DB201.code,
            format!(
                "{} is damaged or was changed: SHA-256 {}... ({bytes} bytes), the manifest says {}... ({} bytes)",
                path.display(),
                &sha[..12],
                manifest.sha256.get(..12).unwrap_or(&manifest.sha256),
                manifest.bytes
            ),
        ),
        Ok((sha, bytes)) => Check::new(
            "checksum",
            Status::Ok,
            format!(
                "SHA-256 {}... and size ({}) match the manifest",
                &sha[..12],
                archive::human_size(bytes)
            ),
        ),
    };
    (Some(manifest), vec![check])
}

fn client(name: &str, settings: &Settings, server_version: Option<&str>) -> Result<Program, Check> {
    pgtools::find(name, settings.pg_bin.as_deref(), server_version).map_err(|e| {
        let code = match e {
            pgtools::ToolError::Missing { .. } => DB101.code,
            pgtools::ToolError::TooOld { .. } => DB102.code,
        };
        critical(name, code, e.to_string())
    })
}

/// `verify FILE...`: each file in turn.
pub fn verify_all(
    files: &[PathBuf],
    into: Option<&PgUrl>,
    source: Option<&PgUrl>,
    keep: bool,
    settings: &Settings,
) -> Report {
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    for file in files {
        let prefix = if files.len() > 1 {
            format!(
                "{}: ",
                file.file_name().unwrap_or_default().to_string_lossy()
            )
        } else {
            String::new()
        };
        for mut check in verify(file, into, source, keep, settings) {
            check.name = format!("{prefix}{}", check.name);
            report.push(check);
        }
    }
    report
}

/// Verifies one archive and records the outcome in its manifest.
pub fn verify(
    path: &Path,
    into: Option<&PgUrl>,
    source: Option<&PgUrl>,
    keep: bool,
    settings: &Settings,
) -> Vec<Check> {
    let started = Instant::now();
    let (manifest, mut checks) = integrity(path);
    let Some(manifest) = manifest else {
        return checks;
    };
    let mut level = "checksum";
    if checks.iter().all(|c| c.status == Status::Ok) {
        checks.push(readable(path, &manifest, settings));
        if checks.iter().all(|c| c.status == Status::Ok) {
            level = if manifest.mode.is_sql() {
                "checksum"
            } else {
                "list"
            };
            if let Some(url) = into {
                if manifest.mode.is_sql() {
                    // Roles belong to the whole server, not to a database: a scratch restore
                    // would leave them behind.
                    checks.push(Check::new(
                        "restore",
                        Status::Ok,
                        "not restored: a roles archive would create roles on the whole scratch server; its checksum and SQL were checked",
                    ));
                } else {
                    let restored = scratch_restore(path, &manifest, url, source, keep, settings);
                    level = "restore";
                    checks.extend(restored);
                }
            }
        }
    }
    let failed = checks.iter().find(|c| c.status == Status::Critical);
    let mut updated = manifest.clone();
    updated.verification = Some(Verification {
        at: opskit::time::utc_timestamp(opskit::time::now_unix()),
        level: level.to_owned(),
        ok: failed.is_none(),
        error: failed.map(|c| c.summary.clone()),
    });
    if let Err(e) = updated.write(&manifest::path_for(path)) {
        checks.push(
            Check::new(
                "manifest",
                Status::Warning,
                format!("the verification could not be recorded in the manifest: {e}"),
            )
            .with_finding(DB202.finding_as(
                Severity::Warning,
                format!("cannot update {}: {e}", manifest::path_for(path).display()),
            )),
        );
    }
    if let Some(last) = checks.last_mut() {
        last.duration = started.elapsed();
    }
    checks
}

/// The archive decompresses and pg_restore reads it (custom format), covering the manifest's
/// tables.
fn readable(path: &Path, manifest: &Manifest, settings: &Settings) -> Check {
    if manifest.mode.is_sql() {
        return match archive::feed(path, std::io::sink()) {
            Ok(n) => Check::new(
                "archive",
                Status::Ok,
                format!("SQL decompresses ({})", archive::human_size(n)),
            ),
            Err(e) => critical("archive", DB203.code, format!("{}: {e}", path.display())),
        };
    }
    let restore = match client("pg_restore", settings, None) {
        Ok(p) => p,
        Err(c) => return c,
    };
    match crate::run::list(&restore, path)
        .and_then(|toc| crate::run::check_toc(&toc, &manifest.tables, manifest.mode).map(|()| toc))
    {
        Ok(toc) => {
            let entries = toc
                .lines()
                .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
                .count();
            Check::new(
                "archive",
                Status::Ok,
                format!(
                    "pg_restore reads it: {entries} entries, data for all {} tables",
                    manifest.tables.len()
                ),
            )
        }
        Err(e) => critical("archive", DB203.code, e),
    }
}

/// Restores into a new scratch database on `url`'s server, compares, drops it.
fn scratch_restore(
    path: &Path,
    manifest: &Manifest,
    url: &PgUrl,
    source: Option<&PgUrl>,
    keep: bool,
    settings: &Settings,
) -> Vec<Check> {
    let name = format!(
        "opskit_verify_{}_{}",
        manifest.started_unix,
        std::process::id()
    );
    let mut admin = match inventory::connect(url, settings.timeout) {
        Ok(s) => s,
        Err(e) => {
            let (code, message) = connect_failure(&e);
            return vec![critical("restore", code, message)];
        }
    };
    if let Err(e) = admin.query(&format!("CREATE DATABASE {}", inventory::ident(&name))) {
        return vec![critical(
            "restore",
            DB106.code,
            format!("cannot create the scratch database {name}: {e}"),
        )];
    }
    let mut scratch_url = url.clone();
    scratch_url.database.clone_from(&name);
    let options = RestoreOptions {
        force: false,
        no_owner: true,
        no_privileges: true,
    };
    let mut checks = restore_and_compare(path, manifest, &scratch_url, source, options, settings);
    if keep {
        checks.push(Check::new(
            "scratch database",
            Status::Ok,
            format!("kept: {name} (drop it with DROP DATABASE {name})"),
        ));
    } else {
        let drop_sql = format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            inventory::ident(&name)
        );
        if let Err(e) = admin.query(&drop_sql) {
            checks.push(Check::new(
                "scratch database",
                Status::Warning,
                format!("could not drop the scratch database {name}: {e}"),
            ));
        }
    }
    checks
}

/// What pg_restore is told.
#[derive(Debug, Clone, Copy)]
struct RestoreOptions {
    force: bool,
    no_owner: bool,
    no_privileges: bool,
}

/// Runs pg_restore (or psql for SQL) into `target`, then compares every table.
fn restore_and_compare(
    path: &Path,
    manifest: &Manifest,
    target: &PgUrl,
    source: Option<&PgUrl>,
    options: RestoreOptions,
    settings: &Settings,
) -> Vec<Check> {
    let started = Instant::now();
    let server_version = inventory::connect(target, settings.timeout)
        .ok()
        .and_then(|s| s.server_version.clone());
    let program = if manifest.mode.is_sql() {
        "psql"
    } else {
        "pg_restore"
    };
    let client = match client(program, settings, server_version.as_deref()) {
        Ok(p) => p,
        Err(c) => return vec![c],
    };
    let existed = match load(&client, path, manifest.mode, target, options) {
        Ok(existed) => existed,
        Err(e) => return vec![critical("restore", DB106.code, e)],
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let summary = if manifest.mode.is_sql() {
        format!(
            "{program} ran {name} in {target}; {} role(s) existed already and were altered to match",
            existed.len()
        )
    } else {
        format!("{program} restored {name} into {target} in one transaction")
    };
    let mut checks = vec![Check::new("restore", Status::Ok, summary).took(started.elapsed())];
    if manifest.mode.is_sql() {
        return checks;
    }
    checks.extend(compare(manifest, target, source, settings));
    checks
}

fn load(
    client: &Program,
    path: &Path,
    mode: Mode,
    target: &PgUrl,
    options: RestoreOptions,
) -> Result<Vec<String>, String> {
    let pass =
        PassFile::new(target).map_err(|e| format!("cannot write a private password file: {e}"))?;
    let mut cmd = pgtools::command(client, &pass);
    let conninfo = pgtools::conninfo(target, &target.database);
    if mode.is_sql() {
        // pg_dumpall's roles: CREATE ROLE then ALTER ROLE for each, so that a role that exists
        // already (the postgres user always does) still gets its attributes: its CREATE fails
        // and the rest must go on, statement by statement, as PostgreSQL's docs run such files.
        cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=0"])
            .arg(format!("--dbname={conninfo}"))
            .args(["-f", "-"]);
    } else {
        cmd.args(["--single-transaction", "--exit-on-error"])
            .arg(format!("--dbname={conninfo}"));
        if options.no_owner {
            cmd.arg("--no-owner");
        }
        if options.no_privileges {
            cmd.arg("--no-privileges");
        }
        if options.force && mode != Mode::DataOnly {
            cmd.args(["--clean", "--if-exists"]);
        }
    }
    let (out, fed) = archive::run_fed(&mut cmd, path)
        .map_err(|e| format!("cannot run {}: {e}", client.path.display()))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!(
            "the restore failed and was rolled back (nothing of it stays in {target}): {}",
            pgtools::explain(&stderr, &target.to_string())
        ));
    }
    fed.map_err(|e| format!("reading {}: {e}", path.display()))?;
    if !mode.is_sql() {
        return Ok(Vec::new());
    }
    let (existed, failed): (Vec<&str>, Vec<&str>) = stderr
        .lines()
        .filter(|l| l.contains("ERROR:"))
        .partition(|l| l.contains("already exists"));
    if failed.is_empty() {
        Ok(existed.iter().map(|l| (*l).to_owned()).collect())
    } else {
        Err(format!(
            "{} statement(s) failed (the others were applied): {}",
            failed.len(),
            failed
                .iter()
                .take(5)
                .copied()
                .collect::<Vec<_>>()
                .join("; ")
        ))
    }
}

/// Every table of the manifest, in the restored database: present, same row count, same content
/// hash (from the manifest, or from `source` when given).
fn compare(
    manifest: &Manifest,
    target: &PgUrl,
    source: Option<&PgUrl>,
    settings: &Settings,
) -> Vec<Check> {
    let mut restored: Vec<Table> = manifest.tables.clone();
    let want_hash = source.is_some() || manifest.tables.iter().any(|t| t.content_hash.is_some());
    let mut session = match inventory::connect(target, settings.timeout) {
        Ok(s) => s,
        Err(e) => {
            let (code, message) = connect_failure(&e);
            return vec![critical("compare", code, message)];
        }
    };
    session.set_timeout(None);
    let present: Vec<String> = match inventory::existing(&mut session, &restored) {
        Ok(found) => found.into_iter().map(|(name, _)| name).collect(),
        Err(e) => return vec![critical("compare", DB104.code, e.to_string())],
    };
    let mut checks = Vec::new();
    restored.retain(|t| {
        let here = present.contains(&t.qualified());
        if !here {
            checks.push(critical(
                &t.qualified(),
                DB206.code,
                format!("{} is missing after the restore", t.qualified()),
            ));
        }
        here
    });
    if let Err(e) = inventory::count(&mut session, &mut restored, want_hash) {
        return vec![critical("compare", DB104.code, e.to_string())];
    }
    let expected: Vec<Table> = match source {
        Some(url) => {
            let mut live = restored.clone();
            match inventory::connect(url, settings.timeout).and_then(|mut s| {
                s.set_timeout(None);
                inventory::count(&mut s, &mut live, true)
            }) {
                Ok(()) => live,
                Err(e) => return vec![critical("compare", DB104.code, format!("--source: {e}"))],
            }
        }
        None => manifest.tables.clone(),
    };
    for t in &restored {
        let name = t.qualified();
        let want = expected.iter().find(|e| e.qualified() == name);
        let rows = t.rows.unwrap_or(0);
        let want_rows = if manifest.mode.has_data() || source.is_some() {
            want.and_then(|w| w.rows)
        } else {
            Some(0)
        };
        let mut check = if want_rows.is_some_and(|w| w != rows) {
            critical(
                &name,
                DB204.code,
                format!(
                    "{name}: {rows} rows after the restore, {} in the {}",
                    want_rows.unwrap_or(0),
                    if source.is_some() {
                        "source"
                    } else {
                        "manifest"
                    }
                ),
            )
        } else if let (Some(got), Some(w)) =
            (&t.content_hash, want.and_then(|w| w.content_hash.as_ref()))
            && got != w
        {
            critical(
                &name,
                DB205.code,
                format!("{name}: {rows} rows, as expected, but their content differs"),
            )
        } else {
            let how = if t.content_hash.is_some() && want.is_some_and(|w| w.content_hash.is_some())
            {
                ", content hash matches"
            } else {
                ""
            };
            Check::new(&name, Status::Ok, format!("{rows} rows{how}"))
        };
        #[expect(clippy::cast_precision_loss, reason = "row counts as metrics")]
        let metric = Metric::new("rows", rows as f64).prometheus(
            "opskit_db_backup_restored_rows",
            &[("table", name.as_str())],
        );
        check = check.with_metric(metric);
        checks.push(check);
    }
    if source.is_none() && !want_hash && manifest.mode.has_data() {
        checks.push(Check::new(
            "content",
            Status::Ok,
            "row counts compared; contents were not (back up with --content-hash, or pass --source URL)",
        ));
    }
    checks
}

/// What `restore` will do, in one line.
fn plan_text(
    path: &Path,
    manifest: &Manifest,
    into: &PgUrl,
    args: &RestoreArgs,
    replacing: bool,
) -> String {
    let rows: u64 = manifest.tables.iter().filter_map(|t| t.rows).sum();
    format!(
        "{} {} ({}, {} tables, {rows} rows, taken {} from {} on PostgreSQL {}) into {into}: {}{}{}{}",
        if args.dry_run {
            "would restore"
        } else {
            "restoring"
        },
        path.file_name().unwrap_or_default().to_string_lossy(),
        manifest.mode.as_str(),
        manifest.tables.len(),
        manifest.started,
        manifest.database,
        manifest.server_version,
        if manifest.mode.is_sql() {
            "psql, statement by statement"
        } else {
            "pg_restore in one transaction"
        },
        if args.force && replacing {
            ", dropping the existing tables first (--force)"
        } else {
            ""
        },
        if args.no_owner {
            ", without owners"
        } else {
            ""
        },
        if args.no_privileges {
            ", without privileges"
        } else {
            ""
        },
    )
}

/// `restore FILE --into URL`.
pub fn restore(path: &Path, into: &PgUrl, args: &RestoreArgs, settings: &Settings) -> Report {
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    let (manifest, checks) = integrity(path);
    let damaged = checks.iter().any(|c| c.status != Status::Ok);
    for c in checks {
        report.push(c);
    }
    let Some(manifest) = manifest else {
        return report;
    };
    if damaged {
        report.push(critical(
            "restore",
            DB201.code,
            "not restored: the archive does not match its manifest; restore an older backup, or verify this one",
        ));
        return report;
    }
    let mut session = match inventory::connect(into, settings.timeout) {
        Ok(s) => s,
        Err(e) => {
            let (code, message) = connect_failure(&e);
            report.push(critical("restore", code, message));
            return report;
        }
    };
    let existing = match inventory::existing(&mut session, &manifest.tables) {
        Ok(e) => e,
        Err(e) => {
            report.push(critical("restore", DB104.code, e.to_string()));
            return report;
        }
    };
    drop(session);
    let conflicts: Vec<String> = if manifest.mode == Mode::DataOnly {
        existing
            .iter()
            .filter(|(_, rows)| *rows > 0)
            .map(|(name, rows)| format!("{name} ({rows} rows)"))
            .collect()
    } else {
        existing.iter().map(|(name, _)| name.clone()).collect()
    };
    let plan = plan_text(path, &manifest, into, args, !conflicts.is_empty());
    report.push(Check::new("plan", Status::Ok, plan));
    if !conflicts.is_empty() && !args.force {
        report.push(critical(
            "restore",
            DB301.code,
            format!(
                "refused: {into} already holds {} of the archive's tables ({}); restore into an empty database, or pass --force to drop and replace them",
                conflicts.len(),
                conflicts.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ),
        ));
        return report;
    }
    if args.dry_run {
        return report;
    }
    let options = RestoreOptions {
        force: args.force,
        no_owner: args.no_owner,
        no_privileges: args.no_privileges,
    };
    for c in restore_and_compare(path, &manifest, into, None, options, settings) {
        report.push(c);
    }
    report
}
