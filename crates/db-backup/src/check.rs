//! `db-backup check`: do backups really run? A Nagios check on the newest backup of the
//! directory: its age, its size against the previous backup of the same database and mode,
//! and its verification. Every core output format; exit 0/1/2/3.

use std::path::Path;

use opskit::Status;
use opskit::report::{Check, Metric, Report, Severity, Unit};
use opskit::threshold::{Range, Thresholds};

use crate::archive::human_size;
use crate::codes::{DB501, DB502, DB503, DB504, DB505, DB506};
use crate::manifest::{self, CatalogError};
use crate::{CheckArgs, FileConfig, NAME, age_arg};
use opskit::duration::{Span, SpanArg};
use std::time::Duration;

/// `check`: the report, and notes for the user (a bare-number age, read as seconds).
pub fn check(
    dir: &Path,
    args: &CheckArgs,
    file: &FileConfig,
) -> Result<(Report, Vec<String>), CatalogError> {
    check_text(dir, args, file).map_err(CatalogError)
}

#[expect(
    clippy::too_many_lines,
    reason = "three measures of one backup, each with its metric and finding"
)]
fn check_text(
    dir: &Path,
    args: &CheckArgs,
    file: &FileConfig,
) -> Result<(Report, Vec<String>), String> {
    let mut notes = Vec::new();
    let mut age = |value: Option<SpanArg>, flag: &str| {
        value.map(|v| {
            let (d, note) = age_arg(v, flag);
            notes.extend(note);
            d
        })
    };
    let max_age =
        age(args.max_age.or(file.max_age), "--max-age").unwrap_or(Duration::from_hours(26));
    let warn_age = age(args.warn_age.or(file.warn_age), "--warn-age");
    // Who set each limit, for the finding that says which one the backup broke.
    let by = |flag: Option<SpanArg>, key: Option<SpanArg>, name: &str, default: bool| {
        if flag.is_some() {
            Some(format!("--{name}"))
        } else if key.is_some() {
            Some(format!("{} in [db-backup]", name.replace('-', "_")))
        } else {
            default.then(|| format!("default of --{name}"))
        }
    };
    let max_by = by(args.max_age, file.max_age, "max-age", true);
    let warn_by = by(args.warn_age, file.warn_age, "warn-age", false);
    if warn_age.is_some_and(|w| w > max_age) {
        return Err(format!(
            "--warn-age {} is longer than --max-age {}: the backup is CRITICAL before it could be a WARNING; swap them",
            Span::new(warn_age.unwrap_or_default()),
            Span::new(max_age)
        ));
    }
    let size_change = args.size_change.or(file.size_change).unwrap_or(50.0);
    if !(size_change.is_finite() && size_change >= 0.0) {
        return Err(format!(
            "--size-change {size_change}: give a percentage, 0 or more"
        ));
    }
    let catalog = manifest::catalog(dir)
        .map_err(|e| format!("cannot read the backup directory {}: {e}", dir.display()))?;
    let entries: Vec<&manifest::Entry> = catalog
        .entries
        .iter()
        .filter(|e| {
            args.database
                .as_ref()
                .is_none_or(|d| &e.manifest.database == d)
        })
        .collect();
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    let Some(newest) = entries.first() else {
        let what = args
            .database
            .as_ref()
            .map_or(String::new(), |d| format!(" of {d}"));
        report.push(
            Check::new(
                "backup",
                Status::Critical,
                format!("no backup{what} in {}", dir.display()),
            )
            .with_finding(DB501.finding(format!(
                "no backup{what} in {}: is the backup job running, and writing there?",
                dir.display()
            ))),
        );
        return Ok((report, notes));
    };
    let m = &newest.manifest;
    let db = m.database.as_str();
    let now = opskit::time::now_unix();
    let age = now.saturating_sub(m.started_unix);
    #[expect(
        clippy::cast_precision_loss,
        reason = "ages, sizes and counts as metrics"
    )]
    let (age_f, max_f, bytes_f, count_f) = (
        age as f64,
        max_age.as_secs() as f64,
        m.bytes as f64,
        entries.len() as f64,
    );
    #[expect(clippy::cast_precision_loss, reason = "an age as a metric")]
    let thresholds = Thresholds {
        warning: warn_age.map(|w| Range::upper(w.as_secs() as f64)),
        critical: Some(Range::upper(max_f)),
    };
    let age_metric = Metric::new("age", age_f)
        .unit(Unit::Seconds)
        .limits(&opskit::threshold::Set {
            thresholds,
            warning_by: warn_by,
            critical_by: max_by,
        })
        .min(0.0)
        .prometheus("opskit_db_backup_age_seconds", &[("database", db)])
        .help("Seconds since the newest backup started.");
    let age_status = age_metric.status();
    let breach = age_metric.breach();
    let mut age_check = Check::new(
        "age",
        age_status,
        format!(
            "newest backup {} is {} old (limit {})",
            m.file,
            human_age(age),
            human_age(max_age.as_secs())
        ),
    )
    .with_metric(age_metric)
    .with_metric(
        Metric::new("size", bytes_f)
            .unit(Unit::Bytes)
            .min(0.0)
            .prometheus("opskit_db_backup_bytes", &[("database", db)])
            .help("Size of the newest backup on disk."),
    )
    .with_metric(
        Metric::new("backups", count_f)
            .min(0.0)
            .prometheus("opskit_db_backup_backups", &[("database", db)])
            .help("Backups in the directory."),
    );
    if age_status != Status::Ok {
        age_check = age_check.with_finding(DB502.finding_as(if age_status == Status::Critical { Severity::Error } else { Severity::Warning },
            format!(
                "{}; the newest backup is {} old (started {}): the backup job has not succeeded since; see its logs (systemctl status, kubectl get cronjob) and run `db-backup run` by hand",
                breach.unwrap_or_default(),
                human_age(age),
                m.started
            ),
        ));
    }
    if !newest.archive_present {
        age_check.status = Status::Critical;
        age_check = age_check.with_finding(DB506.finding_as(
            Severity::Error,
            format!(
                "{} has a manifest but the archive is gone",
                newest.archive.display()
            ),
        ));
    }
    report.push(age_check);
    // Size against the previous backup of the same database and mode.
    let previous = entries
        .iter()
        .skip(1)
        .find(|e| e.manifest.mode == m.mode && e.manifest.database == m.database);
    let size_check = match previous {
        None => Check::new(
            "size",
            Status::Ok,
            format!("{} (no earlier backup to compare)", human_size(m.bytes)),
        ),
        Some(p) => {
            #[expect(clippy::cast_precision_loss, reason = "a ratio of sizes")]
            let change = if p.manifest.bytes == 0 {
                0.0
            } else {
                (m.bytes as f64 - p.manifest.bytes as f64) / p.manifest.bytes as f64 * 100.0
            };
            let status = if change.abs() > size_change {
                Status::Warning
            } else {
                Status::Ok
            };
            let summary = format!(
                "{} vs {} before ({change:+.1}%)",
                human_size(m.bytes),
                human_size(p.manifest.bytes)
            );
            let mut c = Check::new("size", status, summary).with_metric(
                Metric::new("size_change", change)
                    .unit(Unit::Percent)
                    .prometheus("opskit_db_backup_size_change_percent", &[("database", db)])
                    .help("Size change of the newest backup against the previous one."),
            );
            if status != Status::Ok {
                c = c.with_finding(DB503.finding(format!(
                        "the newest backup is {change:+.1}% the size of the previous one ({} -> {}): a table emptied, a schema left out, or a big import? Compare the manifests' row counts",
                        human_size(p.manifest.bytes),
                        human_size(m.bytes)
                    ),
                ));
            }
            c
        }
    };
    report.push(size_check);
    let verification = match &m.verification {
        Some(v) if v.ok => Check::new("verification", Status::Ok, format!("{} at {}", m.verification_text(), v.at)),
        Some(v) => Check::new("verification", Status::Critical, m.verification_text()).with_finding(DB505.finding(format!(
                "the newest backup failed verification at {}: {}; run `db-backup verify {}` and take a new backup",
                v.at,
                v.error.as_deref().unwrap_or("see the manifest"),
                newest.archive.display()
            ),
        )),
        None => {
            let status = if args.require_verified { Status::Critical } else { Status::Warning };
            Check::new("verification", status, "not verified").with_finding(DB504.finding_as(if args.require_verified { Severity::Error } else { Severity::Warning },
                format!("run `db-backup verify {}`", newest.archive.display()),
            ))
        }
    };
    report.push(verification);
    for c in crate::retention::leftovers(&catalog) {
        report.push(c);
    }
    Ok((report, notes))
}

/// `3h05m`, `2d04h`, `45s`.
pub fn human_age(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        3600..86_400 => format!("{}h{:02}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d{:02}h", secs / 86_400, secs % 86_400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages_read_well() {
        assert_eq!(super::human_age(59), "59s");
        assert_eq!(super::human_age(3725), "1h02m");
        assert_eq!(super::human_age(93_600), "1d02h");
    }
}
