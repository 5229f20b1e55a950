//! `predeploy readiness` (and `cargo xtask readiness`): the production readiness checklist, computed from what can be
//! checked instead of written by hand ("readiness: 85%"). Each item is a check that is OK when
//! done and WARNING with what is missing; the summary gives the percentage.
//!
//! | item | done when |
//! |------|-----------|
//! | health checks | opskit.toml has `[[health-probe.targets]]` |
//! | queue monitoring | opskit.toml has `[queue-depth]` with queues |
//! | pre-deployment validation | `predeploy` passes on the project |
//! | incident runbook | `docs/RUNBOOK.md` exists (here or in a parent directory) |
//! | alert setup instructions | `docs/SENTRY_ALERTS_SETUP.md` exists |
//! | monitors notify someone | a `[notify.targets]` entry has its secret set |
//! | Sentry alerts | a `kind = "sentry"` target has its DSN set |
//! | Sentry Crons monitor | `[notify.monitors]` has a schedule, and a DSN for check-ins is set |
//! | Slack integration | a `kind = "slack"` target has its webhook URL set |
//! | secrets rotated | every secret of the env schema with `rotate_days` has a `rotated` date within it |
//! | automatic backups | `db-backup check` on `[db-backup]`'s directory is OK |

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Parser;
use opskit::Status;
use opskit::cli::{CommonArgs, Context, Tool};
use opskit::report::{Check, Metric, Report, Unit};
use opskit_notify::config::{Kind, NotifyConfig};

/// `cargo xtask readiness`.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "readiness",
    bin_name = "predeploy readiness",
    version,
    about = "The production readiness checklist, computed from what can be checked.",
    after_help = "Examples:\n  # In the app's root (where opskit.toml is)\n  predeploy readiness\n  # Without running predeploy itself, as JSON\n  predeploy readiness --root ../app --skip-predeploy --format json\n\nExit codes: 0 every item done, 1 an item is not done (the message says what is missing), 3 the checklist could not be computed."
)]
pub struct Args {
    /// The project's root (where opskit.toml is).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Do not run predeploy (its item then counts as not done).
    #[arg(long)]
    pub skip_predeploy: bool,
    /// Flags every opskit tool takes.
    #[command(flatten)]
    pub common: CommonArgs,
}

impl Tool for Args {
    fn common(&self) -> &CommonArgs {
        &self.common
    }
}

/// The project's configuration, with the caller's environment for `${VAR}` references.
struct Project<'a> {
    config: Option<opskit::config::Config>,
    cx: &'a Context,
}

impl Project<'_> {
    fn section<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<T>, opskit::config::ConfigError> {
        match &self.config {
            Some(c) => c.section(name, &|k| self.cx.var(k)),
            None => Ok(None),
        }
    }
}

fn item(name: &str, done: Result<String, String>) -> Check {
    match done {
        Ok(detail) => Check::new(name, Status::Ok, detail),
        Err(missing) => Check::new(name, Status::Warning, missing),
    }
}

/// A file in `docs/` of the root or of a parent (the repository of a monorepo app).
fn find_doc(root: &Path, name: &str) -> Option<PathBuf> {
    root.ancestors()
        .take(4)
        .map(|d| d.join("docs").join(name))
        .find(|p| p.is_file())
}

fn secrets_rotated(project: &Project<'_>) -> Result<String, String> {
    let schema = project
        .section::<opskit::env::schema::Schema>("env-check")
        .map_err(|e| e.to_string())?
        .ok_or(
            "no env schema ([env-check] in opskit.toml): nothing says which secrets to rotate",
        )?;
    let mut tracked = 0;
    let mut late = Vec::new();
    for (service, s) in &schema.services {
        for (name, var) in s.vars.iter().filter(|(_, v)| v.secret) {
            let Some(period) = var.rotate_days else {
                continue;
            };
            tracked += 1;
            match var
                .rotated
                .as_deref()
                .map(|d| (d, opskit::time::parse_date(d)))
            {
                Some((_, Some(at))) if opskit::time::today() - at <= i64::from(period) => {}
                Some((d, Some(_))) => late.push(format!(
                    "{service}.{name} (rotated {d}, every {period} days)"
                )),
                Some((d, None)) => late.push(format!(
                    "{service}.{name} (rotated = \"{d}\" is not YYYY-MM-DD)"
                )),
                None => late.push(format!("{service}.{name} (never recorded)")),
            }
        }
    }
    if tracked == 0 {
        return Err("no secret records its rotation: add rotate_days = 90 and rotated = \"YYYY-MM-DD\" to the secrets of the env schema (docs/ROTATE_SECRETS.md)".to_owned());
    }
    if late.is_empty() {
        Ok(format!("{tracked} secret(s) rotated within their period"))
    } else {
        Err(format!("overdue: {}", late.join(", ")))
    }
}

fn backups(root: &Path, project: &Project<'_>) -> Result<String, String> {
    let file: opskit_db_backup::FileConfig = project
        .section(opskit_db_backup::NAME)
        .map_err(|e| e.to_string())?
        .ok_or("no [db-backup] in opskit.toml: backups are not set up")?;
    let dir = root.join(
        file.dir
            .clone()
            .unwrap_or_else(|| opskit_db_backup::DEFAULT_DIR.into()),
    );
    let args = opskit_db_backup::CheckArgs {
        max_age: None,
        warn_age: None,
        size_change: None,
        database: None,
        require_verified: false,
    };
    let (report, _notes) = opskit_db_backup::check::check(&dir, &args, &file)?;
    if report.status() == Status::Ok {
        Ok(format!(
            "a verified backup younger than {} in {}",
            file.max_age.map_or_else(
                || "26h".to_owned(),
                |a| a.span(opskit::duration::Unit::Seconds).to_string()
            ),
            dir.display()
        ))
    } else {
        Err(format!("db-backup check: {}", report.summary()))
    }
}

fn predeploy_passes(root: &Path, cx: &Context) -> Result<String, String> {
    let args = crate::Args::try_parse_from(["predeploy", "--root", &root.to_string_lossy()])
        .map_err(|e| e.to_string())?;
    let report = crate::run(&args, cx).map_err(|e| e.to_string())?;
    match args.exit_status(&report, cx) {
        Status::Ok => Ok(report.summary()),
        _ => Err(format!("predeploy: {}", report.summary())),
    }
}

/// The items that depend on `[notify]`: someone is told, Sentry, Crons, Slack.
fn notify_items(notify: &NotifyConfig, cx: &Context) -> Vec<Check> {
    let usable_of = |kind: Option<Kind>| -> Vec<&str> {
        notify
            .targets
            .iter()
            .filter(|(_, t)| kind.is_none_or(|k| t.kind() == k) && t.unset_key().is_none())
            .map(|(n, _)| n.as_str())
            .collect()
    };
    let named = |v: Vec<&str>, what: &str| -> Result<String, String> {
        if v.is_empty() {
            Err(what.to_owned())
        } else {
            Ok(v.join(", "))
        }
    };
    let crons = if !notify.monitors.values().any(|m| m.schedule.is_some()) {
        Err(
            "no [notify.monitors.SLUG] with a schedule: jobs that stop running go unnoticed"
                .to_owned(),
        )
    } else if usable_of(Some(Kind::Sentry)).is_empty()
        && cx.var("SENTRY_DSN").is_none_or(|d| d.is_empty())
    {
        Err("[notify.monitors] has schedules but no Sentry DSN is set for the check-ins".to_owned())
    } else {
        let slugs: Vec<&str> = notify.monitors.keys().map(String::as_str).collect();
        Ok(format!("{} monitor(s): {}", slugs.len(), slugs.join(", ")))
    };
    vec![
        item(
            "monitors notify someone",
            named(
                usable_of(None),
                "no [notify.targets] entry has its secret set: monitors' --notify reaches nobody",
            ),
        ),
        item(
            "Sentry alerts",
            named(
                usable_of(Some(Kind::Sentry)),
                "no kind = \"sentry\" target with its DSN set (SENTRY_DSN)",
            ),
        ),
        item("Sentry Crons monitor", crons),
        item(
            "Slack integration",
            named(
                usable_of(Some(Kind::Slack)),
                "no kind = \"slack\" target with its webhook URL set (SLACK_WEBHOOK_URL)",
            ),
        ),
    ]
}

/// The items about the project's files and configuration.
fn project_items(
    args: &Args,
    root: &Path,
    project: &Project<'_>,
) -> Result<Vec<Check>, crate::Error> {
    let health = project
        .section::<toml::Value>("health-probe")?
        .and_then(|v| v.get("targets").and_then(|t| t.as_array()).map(Vec::len))
        .unwrap_or(0);
    let queue = project.section::<toml::Value>("queue-depth")?;
    let doc = |name: &str| {
        find_doc(root, name)
            .map(|p| p.display().to_string())
            .ok_or_else(|| format!("no docs/{name}"))
    };
    Ok(vec![
        item(
            "health checks",
            if health > 0 {
                Ok(format!("{health} health-probe target(s)"))
            } else {
                Err("no [[health-probe.targets]] in opskit.toml".to_owned())
            },
        ),
        item(
            "queue monitoring",
            queue
                .map(|_| "[queue-depth] configured".to_owned())
                .ok_or_else(|| "no [queue-depth] in opskit.toml".to_owned()),
        ),
        item(
            "pre-deployment validation",
            if args.skip_predeploy {
                Err("not run (--skip-predeploy)".to_owned())
            } else {
                predeploy_passes(root, project.cx)
            },
        ),
        item("incident runbook", doc("RUNBOOK.md")),
        item("alert setup instructions", doc("SENTRY_ALERTS_SETUP.md")),
    ])
}

/// Computes the checklist.
pub fn run(args: &Args, cx: &Context) -> Result<Report, crate::Error> {
    let root = cx.cwd.join(&args.root);
    // The project's own opskit.toml, read with this process's environment.
    let project = Project {
        config: opskit::config::Config::discover(&root)?,
        cx,
    };
    let notify: NotifyConfig = project.section("notify")?.unwrap_or_default();
    let mut items = project_items(args, &root, &project)?;
    items.extend(notify_items(&notify, cx));
    items.push(item("secrets rotated", secrets_rotated(&project)));
    items.push(item("automatic backups", backups(&root, &project)));
    let done = items.iter().filter(|c| c.status == Status::Ok).count();
    #[expect(clippy::cast_precision_loss, reason = "a percentage of a dozen items")]
    let percent = (done as f64 * 100.0 / items.len() as f64).round();
    let mut summary = format!(
        "production readiness {percent}% ({done} of {} items)",
        items.len()
    );
    let missing: Vec<String> = items
        .iter()
        .filter(|c| c.status != Status::Ok)
        .map(|c| c.name.clone())
        .collect();
    if !missing.is_empty() {
        let _ = write!(summary, "; missing: {}", missing.join(", "));
    }
    let status = if missing.is_empty() {
        Status::Ok
    } else {
        Status::Warning
    };
    let mut report = Report::new("readiness", env!("CARGO_PKG_VERSION"));
    for c in items {
        report.push(c);
    }
    report.push(
        Check::new("readiness", status, summary).with_metric(
            Metric::new("readiness", percent)
                .unit(Unit::Percent)
                .min(0.0)
                .max(100.0)
                .prometheus("opskit_production_readiness_percent", &[]),
        ),
    );
    Ok(report)
}
