//! The monitors: health-probe, queue-depth and db-backup's check, each run on its own thread
//! at its own interval through the tool's own `run` (the same code path, opskit.toml and
//! environment as the CLI), turned into samples for the history and rows for the overview.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use clap::Parser;
use opskit::Status;
use opskit::cli::Context;
use opskit::report::{Check, Report};
use opskit_health_probe::watch::{Damping, Monitor};

use crate::history::History;
use crate::store::{self, Entry, QueueCounts, Sample, Store};

/// The longest failure cause kept, in bytes.
const MAX_CAUSE: usize = 300;
/// Failure causes shown per queue.
pub const TOP_CAUSES: usize = 5;
/// Failed jobs read per queue and round for the causes.
const CAUSE_JOBS: usize = 1000;

/// A row of the overview as the last round saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    /// The status (damped for health targets).
    pub status: Status,
    /// Why, in words.
    pub reason: String,
    /// When (unix seconds).
    pub t: i64,
    /// Read back from the history at start: the last state before a restart, shown until
    /// the monitor's first round replaces it (or drops it, when the target is gone).
    pub from_history: bool,
}

/// One cause of failed jobs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Cause {
    /// The first line of the newest such failedReason (never job data).
    pub reason: String,
    /// Jobs in the last 24 hours.
    pub count: u64,
    /// When the last one failed (unix ms).
    pub last_ms: i64,
    /// Job names and how many of each.
    pub names: BTreeMap<String, u64>,
}

/// One backup of the directory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackupPoint {
    /// When it started (unix seconds).
    pub started: i64,
    /// Its size.
    pub bytes: u64,
    /// The database.
    pub database: String,
    /// Its verification passed (`None`: never verified).
    pub verified: Option<bool>,
}

/// The last verification of a backup.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verify {
    /// When (RFC 3339).
    pub at: String,
    /// It passed.
    pub ok: bool,
    /// `checksum`, `list` or `restore`.
    pub level: String,
    /// What failed.
    pub error: Option<String>,
}

/// The backup directory as the last check read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backups {
    /// Backups, oldest first (at most 60).
    pub points: Vec<BackupPoint>,
    /// The newest backup whose verification passed.
    pub newest_verified: Option<BackupPoint>,
    /// The newest verification of any backup.
    pub last_verify: Option<Verify>,
}

/// What the pages show now, beside the history.
#[derive(Debug, Default)]
pub struct Live {
    /// The history.
    pub history: History,
    /// Every row of the overview, by series (`health/http:frontend`, `queue/queue:emails`,
    /// `row/redis`, `row/backups`).
    pub current: BTreeMap<String, Current>,
    /// The top failure causes, by queue check name.
    pub causes: BTreeMap<String, Vec<Cause>>,
    /// The backup directory.
    pub backups: Option<Backups>,
    /// The last report of each monitor, for `/metrics`.
    pub reports: BTreeMap<&'static str, Report>,
    /// The last failure to write the history.
    pub store_error: Option<String>,
}

/// The shared state of a server.
#[derive(Clone)]
pub struct Shared {
    /// What the pages read.
    pub live: Arc<Mutex<Live>>,
    store: Arc<Mutex<Store>>,
    log: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

impl Shared {
    /// Shares a history read from `store`.
    pub fn new(history: History, store: Store, log: Box<dyn Write + Send>) -> Shared {
        let current = history
            .rows
            .iter()
            .map(|(series, r)| {
                let row = Current {
                    status: r.status,
                    reason: r.reason.clone(),
                    t: r.since,
                    from_history: true,
                };
                (series.clone(), row)
            })
            .collect();
        Shared {
            live: Arc::new(Mutex::new(Live {
                history,
                current,
                ..Live::default()
            })),
            store: Arc::new(Mutex::new(store)),
            log: Arc::new(Mutex::new(log)),
        }
    }

    /// A line for the server's log (standard error at the edge).
    pub fn log(&self, line: &str) {
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = writeln!(
            log,
            "{} {line}",
            opskit::time::utc_timestamp(opskit::time::now_unix())
        );
        let _ = log.flush();
    }

    /// Takes a round: the rows it saw (a change of colour becomes a change record and a log
    /// line), its samples (into the history and the store) and its report.
    fn take(&self, tool: &'static str, round: Round, now: i64) {
        let mut entries = round.samples;
        let mut lines = Vec::new();
        {
            let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
            live.current
                .retain(|series, row| !(row.from_history && owner(series) == tool));
            for (series, row) in round.rows {
                let changed = live
                    .history
                    .rows
                    .get(&series)
                    .is_none_or(|r| r.status != row.status);
                if changed {
                    lines.push(format!(
                        "{} is {} ({})",
                        crate::api::display(&series),
                        word(row.status),
                        row.reason
                    ));
                    entries.push(Entry {
                        t: now,
                        series: series.clone(),
                        sample: Sample::Change {
                            status: row.status,
                            reason: store::truncate(&row.reason, store::MAX_REASON).to_owned(),
                        },
                    });
                }
                live.current.insert(series, row);
            }
            for e in &entries {
                live.history.apply(e);
            }
            if let Some(causes) = round.causes {
                live.causes = causes;
            }
            if let Some(b) = round.backups {
                live.backups = Some(b);
            }
            live.reports.insert(tool, round.report);
        }
        let written = self
            .store
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .append(&entries);
        let error = written.err().map(|e| e.to_string());
        {
            let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
            // Once per change, not once per round: a full disk is one line, then one when it
            // is written again.
            if live.store_error != error {
                match &error {
                    Some(e) => lines.push(format!("cannot write the history: {e}")),
                    None => lines.push("the history is written again".to_owned()),
                }
            }
            live.store_error = error;
        }
        for line in lines {
            self.log(&line);
        }
    }
}

/// The monitor whose rounds hold a series.
fn owner(series: &str) -> &'static str {
    match series.split('/').next() {
        Some("health") => opskit_health_probe::NAME,
        Some("queue") => opskit_queue_depth::NAME,
        _ if series == "row/redis" => opskit_queue_depth::NAME,
        _ => opskit_db_backup::NAME,
    }
}

fn word(s: Status) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::Warning => "degraded",
        Status::Critical => "down",
        Status::Unknown => "unknown",
    }
}

/// What one round of a monitor saw.
#[derive(Debug)]
struct Round {
    rows: Vec<(String, Current)>,
    samples: Vec<Entry>,
    causes: Option<BTreeMap<String, Vec<Cause>>>,
    backups: Option<Backups>,
    report: Report,
}

impl Round {
    fn new(report: Report) -> Round {
        Round {
            rows: Vec::new(),
            samples: Vec::new(),
            causes: None,
            backups: None,
            report,
        }
    }
}

/// The monitors to run and how often.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// health-probe's targets.
    pub health: Option<Duration>,
    /// queue-depth's queues.
    pub queues: Option<Duration>,
    /// db-backup's check.
    pub backups: Option<Duration>,
    /// The health targets' flap damping.
    pub damping: Damping,
}

/// A context for a monitor's thread: the same configuration and environment as the server's.
fn context(config: Option<&opskit::config::Config>, cwd: &std::path::Path) -> Context {
    Context::new(config.cloned(), cwd.to_owned(), opskit::cli::process_env)
}

/// Starts a thread per monitor the schedule holds.
pub fn start(shared: &Shared, schedule: Schedule, cx: &Context) {
    let config = cx.config.clone();
    let cwd = cx.cwd.clone();
    if let Some(every) = schedule.health {
        let mut monitor = Monitor::default();
        {
            let live = shared.live.lock().unwrap_or_else(PoisonError::into_inner);
            for (name, t) in &live.history.targets {
                if t.down {
                    monitor.seed_down(name);
                }
            }
        }
        let damping = schedule.damping;
        spawn(
            shared,
            every,
            config.clone(),
            cwd.clone(),
            opskit_health_probe::NAME,
            move |cx, now| health_round(cx, &mut monitor, damping, now),
        );
    }
    if let Some(every) = schedule.queues {
        spawn(
            shared,
            every,
            config.clone(),
            cwd.clone(),
            opskit_queue_depth::NAME,
            queue_round,
        );
    }
    if let Some(every) = schedule.backups {
        spawn(
            shared,
            every,
            config,
            cwd,
            opskit_db_backup::NAME,
            backup_round,
        );
    }
}

fn spawn(
    shared: &Shared,
    every: Duration,
    config: Option<opskit::config::Config>,
    cwd: std::path::PathBuf,
    tool: &'static str,
    mut round: impl FnMut(&Context, i64) -> Round + Send + 'static,
) {
    let shared = shared.clone();
    std::thread::spawn(move || {
        let cx = context(config.as_ref(), &cwd);
        loop {
            let started = Instant::now();
            #[expect(clippy::cast_possible_wrap, reason = "unix seconds fit in i64")]
            let now = opskit::time::now_unix() as i64;
            let r = round(&cx, now);
            let _ = cx.take_notes();
            shared.take(tool, r, now);
            std::thread::sleep(every.saturating_sub(started.elapsed()));
        }
    });
}

/// A tool's report, or the report of its failure (bad configuration, Redis unreachable), with
/// every registered secret cleaned out as the CLI edge cleans what it prints.
fn report_of<A: Parser, E: std::error::Error>(
    name: &str,
    argv: &[&str],
    cx: &Context,
    run: fn(&A, &Context) -> Result<Report, E>,
) -> Report {
    let report = match A::try_parse_from(argv) {
        Ok(parsed) => run(&parsed, cx).unwrap_or_else(|e| opskit::cli::failure_report(name, &e)),
        Err(e) => opskit::cli::failure_report(name, &e),
    };
    opskit::cli::cleaned(report)
}

fn metric(check: &Check, label: &str) -> Option<f64> {
    check
        .metrics
        .iter()
        .find(|m| m.label == label)
        .map(|m| m.value)
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "job counts and ages as u32"
)]
fn count(check: &Check, label: &str) -> Option<u32> {
    metric(check, label).map(|v| v.clamp(0.0, f64::from(u32::MAX - 1)) as u32)
}

fn health_round(cx: &Context, monitor: &mut Monitor, damping: Damping, now: i64) -> Round {
    let mut report = report_of(
        opskit_health_probe::NAME,
        &[opskit_health_probe::NAME],
        cx,
        opskit_health_probe::run,
    );
    let raw: Vec<(Status, String)> = report
        .checks
        .iter()
        .map(|c| (c.status, c.summary.clone()))
        .collect();
    #[expect(clippy::cast_sign_loss, reason = "now is after 1970")]
    monitor.apply(&mut report, damping, now as u64);
    let mut round = Round::new(Report::new(
        opskit_health_probe::NAME,
        env!("CARGO_PKG_VERSION"),
    ));
    for (check, (status, summary)) in report.checks.iter().zip(raw) {
        // A failed probe's words are its first error (`cannot connect to ...`), not the
        // count of findings.
        let summary = if status.is_problem() {
            check
                .findings
                .iter()
                .find(|f| {
                    f.rule != opskit_health_probe::codes::HP100.code
                        && f.severity != opskit::report::Severity::Note
                })
                .map_or(summary, |f| f.message.clone())
        } else {
            summary
        };
        let down = monitor.is_down(&check.name);
        #[expect(clippy::cast_possible_truncation, reason = "milliseconds as f32")]
        let latency_ms = metric(check, "duration").map(|s| (s * 1000.0) as f32);
        let series = format!("health/{}", check.name);
        round.samples.push(Entry {
            t: now,
            series: series.clone(),
            sample: Sample::Health {
                status,
                down,
                latency_ms,
            },
        });
        // The damping's own words (1 of 3 failed probes) after the probe's.
        let pending = check
            .findings
            .iter()
            .find(|f| f.rule == opskit_health_probe::codes::HP100.code)
            .map(|f| format!(" ({})", f.message))
            .unwrap_or_default();
        let row_status = if down {
            Status::Critical
        } else if check.status == Status::Ok {
            Status::Ok
        } else {
            Status::Warning
        };
        round.rows.push((
            series,
            Current {
                status: row_status,
                reason: format!("{summary}{pending}"),
                t: now,
                from_history: false,
            },
        ));
    }
    round.report = report;
    round
}

fn queue_counts(check: &Check) -> QueueCounts {
    QueueCounts {
        depth: count(check, "depth"),
        active: count(check, "active"),
        failed: count(check, "failed"),
        delayed: count(check, "delayed"),
        stalled: count(check, "stalled"),
        oldest_age_s: count(check, "oldest_age"),
    }
}

fn queue_round(cx: &Context, now: i64) -> Round {
    let report = report_of(
        opskit_queue_depth::NAME,
        &[opskit_queue_depth::NAME],
        cx,
        opskit_queue_depth::run,
    );
    let mut round = Round::new(Report::new(
        opskit_queue_depth::NAME,
        env!("CARGO_PKG_VERSION"),
    ));
    let mut refs = Vec::new();
    for check in report
        .checks
        .iter()
        .filter(|c| c.name.starts_with("queue:"))
    {
        let series = format!("queue/{}", check.name);
        round.samples.push(Entry {
            t: now,
            series: series.clone(),
            sample: Sample::Queue {
                status: check.status,
                counts: queue_counts(check),
            },
        });
        round.rows.push((
            series,
            Current {
                status: check.status,
                reason: check.summary.clone(),
                t: now,
                from_history: false,
            },
        ));
        let labels = check
            .metrics
            .iter()
            .find(|m| m.label == "depth")
            .and_then(|m| m.prometheus.as_ref())
            .map(|p| p.labels.clone())
            .unwrap_or_default();
        let label = |k: &str| labels.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if let (Some(q), Some(p)) = (label("queue"), label("prefix")) {
            refs.push((
                check.name.clone(),
                opskit_queue_depth::bullmq::QueueRef::new(p, q),
            ));
        }
    }
    let redis = redis_row(&report, refs.len(), now);
    round.rows.push(("row/redis".to_owned(), redis));
    if !refs.is_empty() {
        round.causes = Some(causes(cx, &refs, now));
    }
    round.report = report;
    round
}

/// The Redis row: green when queues were read; amber when Redis answered but holds no
/// queue under the prefixes (nothing to read is not an outage); red when it could not be
/// read at all.
fn redis_row(report: &Report, read: usize, now: i64) -> Current {
    let (status, reason) = if read > 0 {
        (
            Status::Ok,
            format!("{read} queue{} read", if read == 1 { "" } else { "s" }),
        )
    } else {
        let worst = report.checks.iter().max_by_key(|c| c.status.rank());
        let reason = worst.map_or_else(|| "no queues read".to_owned(), |c| c.summary.clone());
        let answered = report.checks.len() == 1 && worst.is_some_and(|c| c.name == "discovery");
        let status = if answered {
            Status::Warning
        } else {
            Status::Critical
        };
        (status, reason)
    };
    Current {
        status,
        reason,
        t: now,
        from_history: false,
    }
}

/// The top failure causes of each queue over the last 24 hours, grouped as `job-trace
/// --failed` groups them; a queue whose failed set cannot be read has none.
fn causes(
    cx: &Context,
    refs: &[(String, opskit_queue_depth::bullmq::QueueRef)],
    now: i64,
) -> BTreeMap<String, Vec<Cause>> {
    let mut out = BTreeMap::new();
    let Ok(args) = opskit_queue_depth::Args::try_parse_from([opskit_queue_depth::NAME]) else {
        return out;
    };
    let Ok(settings) = opskit_queue_depth::settings(&args, cx) else {
        return out;
    };
    let Ok(mut redis) = opskit::redis::Connection::open(&settings.target, &settings.limits) else {
        return out;
    };
    let secrets = opskit::redact::secrets();
    for (name, q) in refs {
        let since = (now - 86_400) * 1000;
        let Ok(grouped) =
            opskit_job_trace::failed::group(&mut redis, q, Some(since), CAUSE_JOBS, None)
        else {
            continue;
        };
        let causes = grouped
            .causes
            .into_iter()
            .take(TOP_CAUSES)
            .map(|c| Cause {
                reason: store::truncate(&secrets.clean(&c.example_reason), MAX_CAUSE).to_owned(),
                count: c.count,
                last_ms: c.last_ms,
                names: c
                    .names
                    .into_iter()
                    .map(|(k, v)| (secrets.clean(&k), v))
                    .collect(),
            })
            .collect();
        out.insert(name.clone(), causes);
    }
    out
}

fn backup_round(cx: &Context, now: i64) -> Round {
    let argv = [opskit_db_backup::NAME, "check"];
    let report = report_of(opskit_db_backup::NAME, &argv, cx, opskit_db_backup::run);
    let mut round = Round::new(Report::new(
        opskit_db_backup::NAME,
        env!("CARGO_PKG_VERSION"),
    ));
    let status = report.status();
    // The words of the check that decided the colour (when all is well, the newest
    // backup's age says enough).
    let reason = report
        .checks
        .iter()
        .filter(|c| c.status == status)
        .take(if status == Status::Ok { 1 } else { usize::MAX })
        .map(|c| format!("{}: {}", c.name, c.summary))
        .collect::<Vec<_>>()
        .join("; ");
    round.rows.push((
        "row/backups".to_owned(),
        Current {
            status,
            reason,
            t: now,
            from_history: false,
        },
    ));
    round.backups = opskit_db_backup::Args::try_parse_from(argv)
        .ok()
        .and_then(|args| opskit_db_backup::Settings::resolve(&args, cx).ok())
        .and_then(|s| opskit_db_backup::manifest::catalog(&s.dir).ok())
        .map(|c| backups(&c));
    round.report = report;
    round
}

fn backups(catalog: &opskit_db_backup::manifest::Catalog) -> Backups {
    let secrets = opskit::redact::secrets();
    let point = |e: &opskit_db_backup::manifest::Entry| BackupPoint {
        started: i64::try_from(e.manifest.started_unix).unwrap_or(i64::MAX),
        bytes: e.manifest.bytes,
        database: secrets.clean(&e.manifest.database),
        verified: e.manifest.verification.as_ref().map(|v| v.ok),
    };
    let mut points: Vec<BackupPoint> = catalog.entries.iter().take(60).map(point).collect();
    points.reverse();
    Backups {
        points,
        newest_verified: catalog
            .entries
            .iter()
            .find(|e| e.manifest.verification.as_ref().is_some_and(|v| v.ok))
            .map(point),
        last_verify: catalog.entries.iter().find_map(|e| {
            e.manifest.verification.as_ref().map(|v| Verify {
                at: v.at.clone(),
                ok: v.ok,
                level: v.level.clone(),
                error: v.error.as_deref().map(|e| secrets.clean(e)),
            })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(checks: Vec<Check>) -> Report {
        let mut r = Report::new("queue-depth", "0");
        for c in checks {
            r.push(c);
        }
        r
    }

    #[test]
    fn redis_row_by_what_was_read() {
        let read = report(vec![Check::new(
            "queue:emails",
            Status::Warning,
            "depth 600",
        )]);
        let row = redis_row(&read, 1, 7);
        assert_eq!(
            (row.status, row.reason.as_str(), row.t),
            (Status::Ok, "1 queue read", 7)
        );
        assert_eq!(redis_row(&read, 3, 7).reason, "3 queues read");

        let empty = report(vec![Check::unknown(
            "discovery",
            "no queues found under prefix bull",
        )]);
        let row = redis_row(&empty, 0, 7);
        assert_eq!(row.status, Status::Warning);
        assert_eq!(row.reason, "no queues found under prefix bull");

        let down = report(vec![Check::unknown(
            "queue-depth",
            "cannot connect to 127.0.0.1:1",
        )]);
        let row = redis_row(&down, 0, 7);
        assert_eq!(row.status, Status::Critical);
        assert_eq!(row.reason, "cannot connect to 127.0.0.1:1");

        assert_eq!(
            redis_row(&report(Vec::new()), 0, 7).reason,
            "no queues read"
        );
    }
}
