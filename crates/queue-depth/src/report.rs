//! The report of a poll: one check per queue, its status derived from its metrics' thresholds,
//! the poll's cost, and `queue-depth failed QUEUE`'s list of failed jobs.

use opskit::Status;
use opskit::codes::Code;
use opskit::redis::{Backend, Connection, Value};
use opskit::report::{Check, Finding, Metric, Report, Severity, Unit};
use opskit::threshold::{Range, Thresholds};

use crate::bullmq::{self, Layout, QueueRef};
use crate::codes::{QD001, QD002, QD003, QD010, QD020, QD021, QD022, QD023, QD024, QD025, QD026};
use crate::poll::{self, QueueResult};
use crate::settings::{QueueThresholds, Settings, queue_ref};
use crate::{Error, NAME, state};

pub(crate) fn now_ms() -> i64 {
    opskit::time::now_unix_ms()
}

/// One poll, turned into a report.
pub fn check(settings: &Settings) -> Result<Report, Error> {
    let started = std::time::Instant::now();
    let mut redis = Connection::open(&settings.target, &settings.limits)?;
    let queues = if settings.queues.is_empty() {
        poll::discover(&mut redis, &settings.prefixes)?
    } else {
        settings.queues.clone()
    };
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    if queues.is_empty() {
        report.push(Check::unknown(
            "discovery",
            format!(
                "no queues found under prefix {} on {}; check --prefix, or name them with --queue",
                settings.prefixes.join(", "),
                settings.target.describe()
            ),
        ));
        return Ok(report);
    }
    let result = poll::poll(&mut redis, &queues, !settings.counts_only)?;
    let previous = settings.state.as_deref().map(state::load);
    let now = now_ms();
    let mut failed_now = Vec::new();
    let show_prefix = queues.iter().any(|q| q.prefix != "bull");
    for item in &result.queues {
        match item {
            QueueResult::Read { snapshot, details } => {
                let growth = previous
                    .as_ref()
                    .and_then(|p| p.as_ref().ok())
                    .and_then(|p| p.failed(&snapshot.queue))
                    .map(|before| {
                        #[expect(
                            clippy::cast_possible_wrap,
                            reason = "job counts stay far below 2^63"
                        )]
                        let now = snapshot.counts.failed as i64;
                        now - before
                    });
                failed_now.push((snapshot.queue.clone(), snapshot.counts.failed));
                report.push(queue_check(
                    snapshot,
                    details,
                    growth,
                    now,
                    &settings.thresholds,
                    show_prefix,
                    settings.counts_only,
                ));
            }
            QueueResult::Broken { queue, error } => {
                report.push(Check::unknown(
                    check_name(queue, show_prefix),
                    format!("not a BullMQ/Bull queue: {error}"),
                ));
            }
        }
    }
    if let Some(path) = &settings.state {
        record_state(&mut report, path, previous.as_ref(), &failed_now, now);
    }
    let elapsed = started.elapsed();
    #[expect(clippy::cast_precision_loss, reason = "round trips are few")]
    let trips = result.round_trips as f64;
    report.push(
        Check::new(
            "poll",
            Status::Ok,
            format!(
                "{} queue{} in {} round trips, {} ms, on {} (from {})",
                queues.len(),
                if queues.len() == 1 { "" } else { "s" },
                result.round_trips,
                elapsed.as_millis(),
                settings.target.describe(),
                settings.source
            ),
        )
        .with_metric(
            Metric::new("round_trips", trips)
                .help("Round trips (native) or HTTP requests (Upstash) of the last poll."),
        )
        .with_metric(
            Metric::new("poll_seconds", elapsed.as_secs_f64())
                .unit(Unit::Seconds)
                .help("How long the last poll took."),
        )
        .took(elapsed),
    );
    Ok(report)
}

fn record_state(
    report: &mut Report,
    path: &std::path::Path,
    previous: Option<&Result<state::State, state::StateError>>,
    failed_now: &[(QueueRef, u64)],
    now: i64,
) {
    let mut notes = Vec::new();
    if let Some(Err(e)) = previous {
        notes.push(QD002.finding(format!(
            "previous state unreadable, failed growth starts over: {e}"
        )));
    }
    if let Err(e) = state::save(path, failed_now, now) {
        notes.push(QD003.finding(format!("cannot save the state file: {e}")));
    }
    if !notes.is_empty() {
        report.push(Check::from_findings("state", notes));
    }
}

fn check_name(q: &QueueRef, show_prefix: bool) -> String {
    if show_prefix {
        format!("queue:{}:{}", q.prefix, q.name)
    } else {
        format!("queue:{}", q.name)
    }
}

/// `2m05s`, `3h10m`, `2d4h`.
fn age_text(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        3600..86_400 => format!("{}h{:02}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d{}h", secs / 86_400, secs % 86_400 / 3600),
    }
}

#[expect(clippy::cast_precision_loss, reason = "job counts stay far below 2^52")]
#[expect(
    clippy::too_many_lines,
    reason = "one metric after another; splitting would scatter the list"
)]
fn queue_check(
    snap: &bullmq::Snapshot,
    det: &bullmq::Details,
    growth: Option<i64>,
    now_ms: i64,
    lim: &QueueThresholds,
    show_prefix: bool,
    counts_only: bool,
) -> Check {
    let c = &snap.counts;
    let name = check_name(&snap.queue, show_prefix);
    let (q, prefix) = (snap.queue.name.as_str(), snap.queue.prefix.as_str());
    let mut metrics = vec![
        Metric::new("depth", c.depth() as f64)
            .limits(&lim.depth)
            .min(0.0)
            .help("Jobs waiting to be processed: waiting + paused + prioritized.")
            .prometheus("bullmq_queue_depth", &[("queue", q), ("prefix", prefix)]),
    ];
    for (state, n) in c.states() {
        let mut m = Metric::new(state, n as f64)
            .min(0.0)
            .help("Number of jobs in the queue by state.")
            .prometheus(
                "bullmq_job_count",
                &[("queue", q), ("state", state), ("prefix", prefix)],
            );
        match state {
            "failed" => m = m.limits(&lim.failed),
            "active" => m = m.limits(&lim.active),
            _ => {}
        }
        metrics.push(m);
    }
    let mut paused = Metric::new("is_paused", f64::from(u8::from(snap.is_paused)))
        .min(0.0)
        .max(1.0)
        .help("1 when the queue is paused.")
        .prometheus("bullmq_queue_paused", &[("queue", q), ("prefix", prefix)]);
    if !lim.paused_ok {
        paused = paused.limits(&opskit::threshold::Set {
            thresholds: Thresholds::new(Some(Range::upper(0.0)), None),
            warning_by: Some("default, --paused-ok accepts it".to_owned()),
            critical_by: None,
        });
    }
    metrics.push(paused);
    let mut parts = vec![format!("depth {}", c.depth())];
    let mut detail = Vec::new();
    if c.paused > 0 || c.prioritized > 0 {
        detail.push(format!(
            "{} waiting, {} paused, {} prioritized",
            c.waiting, c.paused, c.prioritized
        ));
    }
    if !counts_only {
        metrics.push(
            Metric::new("stalled", det.stalled as f64)
                .limits(&lim.stalled)
                .min(0.0)
                .help("Active jobs whose lock expired: no live worker holds them.")
                .prometheus("bullmq_stalled_jobs", &[("queue", q), ("prefix", prefix)]),
        );
        if let Some(ts) = det.oldest_timestamp_ms {
            let age = u64::try_from((now_ms - ts).max(0)).unwrap_or(0) / 1000;
            metrics.push(
                Metric::new("oldest_age", age as f64)
                    .unit(Unit::Seconds)
                    .limits(&lim.age)
                    .min(0.0)
                    .help("Seconds since the oldest waiting job was created.")
                    .prometheus(
                        "bullmq_oldest_waiting_job_age_seconds",
                        &[("queue", q), ("prefix", prefix)],
                    ),
            );
            detail.push(format!("oldest waiting {}", age_text(age)));
        }
    }
    let mut summary_tail = vec![format!("{} active", c.active)];
    if !counts_only && det.stalled > 0 {
        summary_tail[0] = format!("{} active ({} stalled)", c.active, det.stalled);
    }
    summary_tail.push(format!("{} delayed", c.delayed));
    summary_tail.push(format!("{} failed", c.failed));
    if let Some(g) = growth {
        metrics.push(
            Metric::new("failed_growth", g as f64)
                .limits(&lim.failed_growth)
                .help("Failed jobs added since the previous run.")
                .prometheus("bullmq_failed_growth", &[("queue", q), ("prefix", prefix)]),
        );
        summary_tail.push(format!("{g:+} failed since last run"));
    }
    if !detail.is_empty() {
        parts[0] = format!("{} ({})", parts[0], detail.join(", "));
    }
    parts.extend(summary_tail);
    if snap.is_paused {
        parts.push("PAUSED".to_owned());
    }
    // Each threshold is on its metric, once; the check is as bad as its worst metric, and
    // says which thresholds made it so, first.
    let status = Status::worst_of(metrics.iter().map(Metric::status));
    let breaches = breaches(&metrics);
    let mut summary = parts.join("; ");
    if !breaches.is_empty() {
        let said: Vec<&str> = breaches.iter().map(|(_, text, _)| text.as_str()).collect();
        summary = format!("{}; {summary}", said.join("; "));
    }
    let mut check = Check::new(name, status, summary);
    check.findings = breaches
        .into_iter()
        .map(|(code, text, severity)| code.finding_as(severity, format!("{text}; {}", code.fix)))
        .collect();
    check.metrics = metrics;
    if !snap.exists
        && c.depth() == 0
        && c.active == 0
        && c.failed == 0
        && c.completed == 0
        && c.delayed == 0
    {
        // A queue named on the command line or in opskit.toml that does not exist: the monitor
        // cannot tell how it is doing (discovery only ever finds queues that exist).
        check.status = Status::Unknown;
        check.summary = format!("no queue {}:{}", snap.queue.prefix, snap.queue.name);
        check.findings.push(QD001.finding(format!("no keys under {}:{}: — no producer has used this queue name; check the name and --prefix (`queue-depth` without --queue lists the queues)", snap.queue.prefix, snap.queue.name),
        ));
    }
    if snap.layout == Layout::Bull && snap.exists {
        check.summary.push_str(" (Bull)");
    }
    check
}

/// Each metric over a threshold: its code, the breach in words, and the finding's severity.
fn breaches(metrics: &[Metric]) -> Vec<(&'static Code, String, Severity)> {
    metrics
        .iter()
        .filter_map(|m| {
            let code = match m.label.as_str() {
                "depth" => &QD020,
                "failed" => &QD021,
                "failed_growth" => &QD022,
                "active" => &QD023,
                "stalled" => &QD024,
                "oldest_age" => &QD025,
                "is_paused" => &QD026,
                _ => return None,
            };
            let text = if m.label == "is_paused" {
                format!(
                    "queue paused ({})",
                    m.warn_by.as_deref().unwrap_or("default")
                )
            } else {
                m.breach()?
            };
            let severity = match m.status() {
                Status::Ok => return None,
                Status::Warning => Severity::Warning,
                Status::Critical | Status::Unknown => Severity::Error,
            };
            Some((
                code,
                text.replacen("oldest_age", "oldest waiting job", 1)
                    .replacen("failed_growth", "failed growth", 1),
                severity,
            ))
        })
        .collect()
}

/// `queue-depth failed QUEUE`: the most recent failed jobs as findings.
pub fn failed(settings: &Settings, queue: &str, limit: usize) -> Result<Report, Error> {
    let default_prefix = settings.prefixes.first().map_or("bull", String::as_str);
    let q = queue_ref(queue, default_prefix);
    let mut redis = Connection::open(&settings.target, &settings.limits)?;
    let started = std::time::Instant::now();
    let jobs = poll::failed_jobs(&mut redis, &q, limit.clamp(1, 1000))?;
    let now = now_ms();
    let findings: Vec<Finding> = jobs
        .iter()
        .map(|j| {
            let ago = |ms: Option<i64>| {
                ms.map(|t| {
                    format!(
                        "{} ago",
                        age_text(u64::try_from((now - t).max(0)).unwrap_or(0) / 1000)
                    )
                })
            };
            let mut parts = vec![format!(
                "job {} `{}`",
                j.id,
                j.name.as_deref().unwrap_or("?")
            )];
            if let Some(a) = j.attempts {
                parts.push(format!("{a} attempts"));
            }
            if let Some(t) = ago(j.created_ms) {
                parts.push(format!("created {t}"));
            }
            if let Some(t) = ago(j.finished_ms) {
                parts.push(format!("failed {t}"));
            }
            parts.push(format!(
                "reason: {}",
                j.reason.as_deref().unwrap_or("(none recorded)")
            ));
            QD010.finding(parts.join(", "))
        })
        .collect();
    let summary = if jobs.is_empty() {
        format!("no failed jobs in {}:{}", q.prefix, q.name)
    } else {
        format!("{} most recent failed jobs", jobs.len())
    };
    // No failed jobs in a queue that does not exist is not "all fine": the name is wrong.
    let missing = jobs.is_empty() && !queue_exists(&mut redis, &q)?;
    let mut check =
        Check::from_findings(format!("failed:{}", q.name), findings).took(started.elapsed());
    check.summary = summary;
    if missing {
        check.status = Status::Unknown;
        check.summary = format!("no queue {}:{}", q.prefix, q.name);
        check.findings.push(QD001.finding(format!(
            "no keys under {}:{}: — no producer has used this queue name; check the name and --prefix (`queue-depth` without --queue lists the queues)",
            q.prefix, q.name
        )));
    }
    Ok(Report::new(NAME, env!("CARGO_PKG_VERSION")).with_check(check))
}

/// Whether any key of the queue's bookkeeping exists (BullMQ and Bull alike).
fn queue_exists(redis: &mut Connection, q: &QueueRef) -> Result<bool, Error> {
    let commands: Vec<Vec<String>> = ["meta", "id", "failed", "wait", "completed", "stalled-check"]
        .iter()
        .map(|k| vec!["EXISTS".to_owned(), q.key(k)])
        .collect();
    let replies = redis.pipeline(&commands)?;
    Ok(replies.iter().any(|v| matches!(v, Value::Int(n) if *n > 0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_well() {
        assert_eq!(age_text(5), "5s");
        assert_eq!(age_text(125), "2m05s");
        assert_eq!(age_text(3 * 3600 + 600), "3h10m");
        assert_eq!(age_text(2 * 86_400 + 4 * 3600), "2d4h");
    }
}
