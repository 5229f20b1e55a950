//! `db-backup list` and `db-backup prune`.
//!
//! Prune keeps the union of its policies, each counted as restic and borg count them: the
//! newest `--keep-last` backups, and the newest backup of each of the last N days (ISO weeks,
//! months, all in UTC) that have one. It never deletes the newest verified backup, and it
//! never touches a file that has no opskit manifest.

use std::collections::BTreeMap;
use std::path::Path;

use opskit::Status;
use opskit::report::{Check, Metric, Report, Severity, Unit};

use crate::archive::human_size;
use crate::codes::{DB401, DB506};
use crate::manifest::{self, CatalogError, Entry};
use crate::{FileConfig, NAME, PruneArgs};

fn read(dir: &Path) -> Result<manifest::Catalog, String> {
    manifest::catalog(dir)
        .map_err(|e| format!("cannot read the backup directory {}: {e}", dir.display()))
}

/// One line about a backup.
pub fn describe(e: &Entry) -> String {
    let m = &e.manifest;
    let rows: u64 = m.tables.iter().filter_map(|t| t.rows).sum();
    format!(
        "{} {} {} {} ({} tables, {rows} rows), {}{}",
        m.started,
        m.database,
        m.mode.as_str(),
        human_size(m.bytes),
        m.tables.len(),
        m.verification_text(),
        if e.archive_present {
            ""
        } else {
            ", ARCHIVE MISSING"
        }
    )
}

/// `list`: one check per backup, newest first, plus leftovers.
pub fn list(dir: &Path) -> Result<Report, CatalogError> {
    list_text(dir).map_err(CatalogError)
}

fn list_text(dir: &Path) -> Result<Report, String> {
    let catalog = read(dir)?;
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    if catalog.entries.is_empty() {
        report.push(Check::new(
            "backups",
            Status::Ok,
            format!("no backups in {}", dir.display()),
        ));
    }
    for e in &catalog.entries {
        let status =
            if !e.archive_present || e.manifest.verification.as_ref().is_some_and(|v| !v.ok) {
                Status::Warning
            } else {
                Status::Ok
            };
        #[expect(clippy::cast_precision_loss, reason = "a size as a metric")]
        report.push(
            Check::new(e.manifest.file.clone(), status, describe(e))
                .with_metric(Metric::new("bytes", e.manifest.bytes as f64).unit(Unit::Bytes)),
        );
    }
    for c in leftovers(&catalog) {
        report.push(c);
    }
    Ok(report)
}

/// Leftovers: partial files of killed runs, unreadable manifests.
pub fn leftovers(catalog: &manifest::Catalog) -> Vec<Check> {
    let mut checks = Vec::new();
    for (path, running) in &catalog.partials {
        if !running {
            checks.push(
                Check::new(
                    "partial",
                    Status::Warning,
                    format!(
                        "{} is a partial file of a run that was killed; the next run removes it",
                        path.display()
                    ),
                )
                .with_finding(DB506.finding(format!("{} is incomplete", path.display()))),
            );
        }
    }
    for (path, why) in &catalog.unreadable {
        checks.push(
            Check::new(
                "manifest",
                Status::Warning,
                format!("{}: {why}", path.display()),
            )
            .with_finding(DB506.finding(why.clone())),
        );
    }
    checks
}

/// Days since the Unix epoch of a Unix time.
fn day(unix: u64) -> i64 {
    i64::try_from(unix / 86_400).unwrap_or(i64::MAX)
}

/// (year, month) of a day number.
fn year_month(days: i64) -> (i64, u32) {
    let (y, m, _) = opskit::time::civil_from_days(days);
    (y, m)
}

/// The Monday of the ISO week of a day number: one key per ISO week.
fn week(days: i64) -> i64 {
    // 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays.
    days - (days + 3).rem_euclid(7)
}

/// A retention bucket: its name, how many to keep, the key of a start time.
type Bucket<'a> = (&'a str, usize, &'a dyn Fn(u64) -> i64);

/// Why each backup is kept: index -> reasons. `entries` are newest first.
pub fn keep(entries: &[Entry], policy: &Policy) -> BTreeMap<usize, Vec<String>> {
    let mut kept: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for i in 0..policy.last.min(entries.len()) {
        kept.entry(i)
            .or_default()
            .push(format!("last {}", policy.last));
    }
    let buckets: [Bucket; 3] = [
        ("daily", policy.daily, &|u| day(u)),
        ("weekly", policy.weekly, &|u| week(day(u))),
        ("monthly", policy.monthly, &|u| {
            let (y, m) = year_month(day(u));
            y * 12 + i64::from(m)
        }),
    ];
    for (name, n, key) in buckets {
        let mut seen = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            if seen.len() >= n {
                break;
            }
            let k = key(e.manifest.started_unix);
            if !seen.contains(&k) {
                seen.push(k);
                kept.entry(i).or_default().push(format!("{name} {n}"));
            }
        }
    }
    if let Some(i) = entries
        .iter()
        .position(|e| e.archive_present && e.manifest.verified())
    {
        kept.entry(i)
            .or_default()
            .push("the newest verified backup".to_owned());
    }
    // A restore that compared every table is a stronger proof than pg_restore reading the
    // archive: the newest backup that passed one is kept too, even behind a newer one that was
    // only listed.
    if let Some(i) = entries.iter().position(|e| {
        e.archive_present
            && e.manifest
                .verification
                .as_ref()
                .is_some_and(|v| v.ok && v.level == "restore")
    }) {
        kept.entry(i)
            .or_default()
            .push("the newest restore-verified backup".to_owned());
    }
    kept
}

/// The retention policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// `--keep-last`.
    pub last: usize,
    /// `--keep-daily`.
    pub daily: usize,
    /// `--keep-weekly`.
    pub weekly: usize,
    /// `--keep-monthly`.
    pub monthly: usize,
}

/// `prune`.
pub fn prune(dir: &Path, args: &PruneArgs, file: &FileConfig) -> Result<Report, CatalogError> {
    prune_text(dir, args, file).map_err(CatalogError)
}

fn prune_text(dir: &Path, args: &PruneArgs, file: &FileConfig) -> Result<Report, String> {
    let flags = [
        args.keep_last,
        args.keep_daily,
        args.keep_weekly,
        args.keep_monthly,
    ];
    let policy = if flags.iter().any(Option::is_some) {
        Policy {
            last: args.keep_last.unwrap_or(0),
            daily: args.keep_daily.unwrap_or(0),
            weekly: args.keep_weekly.unwrap_or(0),
            monthly: args.keep_monthly.unwrap_or(0),
        }
    } else {
        Policy {
            last: file.keep_last.unwrap_or(0),
            daily: file.keep_daily.unwrap_or(0),
            weekly: file.keep_weekly.unwrap_or(0),
            monthly: file.keep_monthly.unwrap_or(0),
        }
    };
    if policy == Policy::default() {
        return Err("prune needs a policy: --keep-last, --keep-daily, --keep-weekly or --keep-monthly (or keep_* in [db-backup]); it never deletes everything".to_owned());
    }
    let catalog = read(dir)?;
    let kept = keep(&catalog.entries, &policy);
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    let mut deleted = Vec::new();
    let mut freed = 0u64;
    let mut errors = Vec::new();
    for (i, e) in catalog.entries.iter().enumerate() {
        if let Some(reasons) = kept.get(&i) {
            report.push(Check::new(
                e.manifest.file.clone(),
                Status::Ok,
                format!("keep ({}): {}", reasons.join(", "), describe(e)),
            ));
            continue;
        }
        let verb = if args.dry_run {
            "would delete"
        } else {
            "delete"
        };
        if !args.dry_run {
            // The archive first: a manifest without its archive is still recognisably ours.
            let removed = remove(&e.archive).and_then(|()| remove(&e.manifest_path));
            if let Err(err) = removed {
                errors.push(format!("{}: {err}", e.archive.display()));
                continue;
            }
        }
        freed += if e.archive_present {
            e.manifest.bytes
        } else {
            0
        };
        deleted.push(e.manifest.file.clone());
        report.push(
            Check::new(
                e.manifest.file.clone(),
                Status::Ok,
                format!("{verb}: {}", describe(e)),
            )
            .with_finding(DB401.finding(format!(
                "{verb} {} ({})",
                e.archive.display(),
                describe(e)
            ))),
        );
    }
    let summary = format!(
        "{} {} of {} backups ({}), kept {}",
        if args.dry_run {
            "would delete"
        } else {
            "deleted"
        },
        deleted.len(),
        catalog.entries.len(),
        human_size(freed),
        kept.len()
    );
    let status = if errors.is_empty() {
        Status::Ok
    } else {
        Status::Critical
    };
    let mut summary_check = Check::new("prune", status, summary);
    for e in errors {
        summary_check = summary_check
            .with_finding(DB401.finding_as(Severity::Error, format!("cannot delete {e}")));
    }
    report.push(summary_check);
    Ok(report)
}

fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar() {
        // 2026-11-27 is a Friday; its ISO week starts on Monday 2026-11-23.
        let d = day(1_795_748_400);
        assert_eq!(year_month(d), (2026, 11));
        assert_eq!(d - week(d), 4);
        assert_eq!(year_month(0), (1970, 1));
        assert_eq!(year_month(day(951_782_400)), (2000, 2)); // 2000-02-29
    }
}
