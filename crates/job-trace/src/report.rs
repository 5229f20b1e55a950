//! The report: a check for the job (its status decides the exit code), one for its flow, one
//! per log source, and the timeline; or, with `--failed`, one check of failure causes.

use std::fmt::Write as _;

use opskit::Status;
use opskit::redis::{Backend, Connection};
use opskit::report::{Check, Finding, Location, Metric, Report, Unit};
use opskit::time::utc_timestamp_ms;

use crate::codes::{
    JT001, JT002, JT003, JT004, JT005, JT010, JT011, JT012, JT013, JT014, JT020, JT021, JT030,
    JT031, JT032, JT033, JT040,
};
use crate::events::{self, Event};
use crate::job::{self, Field, Job, State};
use crate::logs::{self, Input, LogLine, Matcher};
use crate::settings::Settings;
use crate::{Error, NAME, data, failed as grouping};

/// How many frames of each stack trace entry are shown.
pub const FRAMES: usize = 5;

/// `350ms`, `2.1s`, `3m05s`, `2h10m`, `1d4h`.
pub fn span_text(ms: i64) -> String {
    let ms = ms.max(0);
    match ms {
        0..1000 => format!("{ms}ms"),
        1000..60_000 => {
            let tenths = ms / 100;
            format!("{}.{}s", tenths / 10, tenths % 10)
        }
        _ => {
            let s = ms / 1000;
            match s {
                0..3600 => format!("{}m{:02}s", s / 60, s % 60),
                3600..86_400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
                _ => format!("{}d{}h", s / 86_400, s % 86_400 / 3600),
            }
        }
    }
}

fn clock(ms: i64) -> String {
    let full = utc_timestamp_ms(ms);
    full.get(11..23).map_or(full.clone(), ToOwned::to_owned)
}

/// `job-trace QUEUE ID`.
pub fn trace(settings: &Settings, cx: &opskit::cli::Context) -> Result<Report, Error> {
    let _ = cx;
    let id = settings.id.clone().unwrap_or_default();
    let started = std::time::Instant::now();
    let mut redis = Connection::open(&settings.target, &settings.limits)?;
    let job = job::read(&mut redis, &settings.queue, &id, settings.data)?;
    let events = events::read(
        &mut redis,
        &settings.queue,
        &id,
        job.int("timestamp"),
        settings.data,
    )?;
    let now = opskit::time::now_unix_ms();
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    report.push(job_check(&job, settings, now).took(started.elapsed()));
    if job.parent.is_some() || !job.children.is_empty() || job.child_counts.iter().any(|n| *n > 0) {
        report.push(family_check(&job));
    }
    // Logs: the job's id, and the request and trace ids its data carries.
    let mut fields: Vec<&str> = logs::TRACE_ID_FIELDS.to_vec();
    fields.extend(settings.id_fields.iter().map(String::as_str));
    let extra = job
        .field("data")
        .map(|d| data::ids_in(d, &fields))
        .unwrap_or_default();
    let mut matcher = Matcher::new(&settings.queue.name, &id, &extra, &settings.id_fields);
    let mut lines: Vec<LogLine> = Vec::new();
    let mut stdin_used = false;
    for path in &settings.logs {
        let t = std::time::Instant::now();
        let input = if path.as_os_str() == "-" {
            if stdin_used {
                continue;
            }
            stdin_used = true;
            Input::Stream("stdin".to_owned(), Box::new(std::io::stdin()))
        } else {
            Input::File(path.clone())
        };
        let name = format!("logs:{}", path.display());
        match logs::correlate(input, &mut matcher, &mut lines, settings.max_lines) {
            Ok(stats) => report.push(source_check(name, &stats).took(t.elapsed())),
            Err(e) => report.push(Check::unknown(
                name,
                format!("cannot read {}: {}", e.source_name, e.error),
            )),
        }
    }
    let found = settings.sentry.as_ref().map(|cfg| {
        let t = std::time::Instant::now();
        let mut terms = vec![format!("{}:\"{}\"", cfg.tag, id.replace('"', ""))];
        // W3C / Sentry trace ids (32 hex digits) followed in the logs are searched too.
        terms.extend(
            matcher
                .ids()
                .iter()
                .filter(|i| i.len() == 32 && i.bytes().all(|b| b.is_ascii_hexdigit()))
                .take(3)
                .map(|i| format!("trace:{i}")),
        );
        (
            crate::sentry::find(cfg, &terms, settings.limits.timeout),
            t.elapsed(),
        )
    });
    let sentry_events = match found {
        Some((Ok(found), took)) => {
            report.push(
                Check::new(
                    "sentry",
                    Status::Ok,
                    format!(
                        "{} issue{}, {} event{} for {}",
                        found.issues,
                        if found.issues == 1 { "" } else { "s" },
                        found.events.len(),
                        if found.events.len() == 1 { "" } else { "s" },
                        found.queries.join(" or ")
                    ),
                )
                .took(took),
            );
            found.events
        }
        Some((Err(e), took)) => {
            report.push(Check::unknown("sentry", e.to_string()).took(took));
            Vec::new()
        }
        None => Vec::new(),
    };
    report.push(timeline_check(&job, &events, &lines, &sentry_events));
    Ok(report)
}

fn wait_summary(job: &Job, now: i64, limit_ms: i64) -> (Status, String, Option<Finding>) {
    let created = job.int("timestamp").unwrap_or(now);
    let delay = job.int("delay").unwrap_or(0);
    let attempt = job.attempts_made();
    let waited = now - created - if attempt == 0 { delay } else { 0 };
    let over = waited > limit_ms;
    let text = format!(
        "waiting for {}{}",
        span_text(waited),
        if job.queue_paused {
            " (the queue is PAUSED)"
        } else {
            ""
        }
    );
    if over {
        let finding = JT003.finding(format!(
            "{text}, longer than --wait-warning {}; {}",
            span_text(limit_ms),
            JT003.fix
        ));
        (Status::Warning, text, Some(finding))
    } else {
        (Status::Ok, text, None)
    }
}

fn attempts_text(job: &Job) -> String {
    let max = job
        .opts()
        .and_then(|o| o.get("attempts").and_then(serde_json::Value::as_i64))
        .unwrap_or(1)
        .max(1);
    format!("{} of {max} attempts", job.attempts_made())
}

fn backoff_text(opts: &serde_json::Value) -> Option<String> {
    let b = opts.get("backoff")?;
    if let Some(ms) = b.as_i64() {
        return Some(format!("fixed {}", span_text(ms)));
    }
    let kind = b
        .get("type")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("custom");
    let delay = b.get("delay").and_then(serde_json::Value::as_i64);
    Some(match delay {
        Some(d) => format!("{kind} {}", span_text(d)),
        None => kind.to_owned(),
    })
}

#[expect(
    clippy::too_many_lines,
    reason = "one state after another, each with its words"
)]
fn job_check(job: &Job, settings: &Settings, now: i64) -> Check {
    let q = &job.queue;
    let name = format!("job:{}:{}", q.name, job.id);
    let Some(state) = job.state else {
        let mut check = Check::unknown(
            name,
            format!("no job {} in {}:{}", job.id, q.prefix, q.name),
        );
        let why = if job.queue_exists {
            "the queue exists but holds no such job: the id is wrong, or the job was removed (removeOnComplete / removeOnFail, a clean)"
        } else {
            "no queue by that name either: check the queue's name and --prefix"
        };
        check
            .findings
            .push(JT004.finding(format!("no hash {}; {why}", q.key(&job.id))));
        return check;
    };
    let limit_ms = i64::try_from(settings.wait_warning.as_millis()).unwrap_or(i64::MAX);
    let created = job.int("timestamp");
    let processed = job.int("processedOn");
    let finished = job.int("finishedOn");
    let reason = job
        .field("failedReason")
        .map(|r| r.lines().next().unwrap_or_default().to_owned());
    let mut findings = Vec::new();
    let (status, summary) = match state {
        State::Completed => (
            Status::Ok,
            format!(
                "completed{}{}",
                match (processed, finished) {
                    (Some(p), Some(f)) => format!(" in {}", span_text(f - p)),
                    _ => String::new(),
                },
                match (created, processed) {
                    (Some(c), Some(p)) => format!(" (waited {})", span_text(p - c)),
                    _ => String::new(),
                }
            ),
        ),
        State::Failed => {
            let reason = reason
                .clone()
                .unwrap_or_else(|| match job.raw("failedReason") {
                    Field::TooLong(n) => format!("(a reason of {n} bytes, not read)"),
                    _ => "(no reason recorded)".to_owned(),
                });
            let text = format!("failed after {}: {reason}", attempts_text(job));
            findings.push(JT001.finding(format!("{text}; {}", JT001.fix)));
            (Status::Critical, text)
        }
        State::Stalled => {
            let text = format!(
                "stalled: active{} but no worker holds its lock",
                processed
                    .map(|p| format!(" for {}", span_text(now - p)))
                    .unwrap_or_default()
            );
            findings.push(JT002.finding(format!("{text}; {}", JT002.fix)));
            (Status::Warning, text)
        }
        State::Active => (
            Status::Ok,
            format!(
                "active{} ({}{})",
                processed
                    .map(|p| format!(" for {}", span_text(now - p)))
                    .unwrap_or_default(),
                attempts_text(job),
                job.field("pb")
                    .map(|w| format!(", worker {w}"))
                    .unwrap_or_default()
            ),
        ),
        State::Waiting | State::Prioritized => {
            let (status, text, finding) = wait_summary(job, now, limit_ms);
            findings.extend(finding);
            (
                status,
                if state == State::Prioritized {
                    format!("{text} (prioritized)")
                } else {
                    text
                },
            )
        }
        State::Delayed => {
            // BullMQ 5+ scores delayed jobs by due time × 4096; older ones by the due time.
            let due = job
                .delayed_score
                .map(|s| if s > 1 << 52 { s >> 12 } else { s });
            match due {
                Some(d) if now - d > limit_ms => {
                    let text = format!(
                        "delayed: due {} ago, and no worker has moved it",
                        span_text(now - d)
                    );
                    findings.push(JT003.finding(format!(
                        "{text}, longer than --wait-warning {}; {}",
                        span_text(limit_ms),
                        JT003.fix
                    )));
                    (Status::Warning, text)
                }
                Some(d) if d >= now => (
                    Status::Ok,
                    format!(
                        "delayed: due in {} ({})",
                        span_text(d - now),
                        attempts_text(job)
                    ),
                ),
                _ => (Status::Ok, format!("delayed ({})", attempts_text(job))),
            }
        }
        State::WaitingChildren => (
            Status::Ok,
            format!(
                "waiting for its children: {} pending, {} processed, {} failed",
                job.child_counts[0], job.child_counts[1], job.child_counts[2]
            ),
        ),
        State::Unknown => {
            findings.push(JT005.finding(format!(
                "the hash {} exists but the id is in no list or set of the queue; {}",
                q.key(&job.id),
                JT005.fix
            )));
            (
                Status::Unknown,
                "in no state (BullMQ's getState() says unknown)".to_owned(),
            )
        }
    };
    findings.push(facts(job, state));
    findings.extend(stacks(job));
    let shown_from = job.log_count.saturating_sub(job.logs.len() as u64);
    for (i, line) in job.logs.iter().enumerate() {
        findings.push(
            JT012
                .finding(opskit::render::cut(line, 500))
                .property("line", (shown_from + i as u64 + 1).to_string()),
        );
    }
    if shown_from > 0 {
        findings.push(JT012.finding(format!(
            "{shown_from} earlier job.log() lines not shown (the last {} are)",
            job.logs.len()
        )));
    }
    if settings.data {
        for (field, code) in [("data", &JT013), ("returnvalue", &JT014)] {
            match job.raw(field) {
                Field::Text(t) => findings.push(code.finding(data::shown(t))),
                Field::TooLong(n) => findings.push(code.finding(format!("({n} bytes, not read)"))),
                Field::Absent => {}
            }
        }
    }
    let mut check = Check::new(name, status, summary);
    check.findings = findings;
    check.metrics = job_metrics(job);
    check
}

#[expect(
    clippy::cast_precision_loss,
    reason = "durations and counts stay far below 2^52"
)]
fn job_metrics(job: &Job) -> Vec<Metric> {
    let (c, p, f) = (
        job.int("timestamp"),
        job.int("processedOn"),
        job.int("finishedOn"),
    );
    let mut m = vec![Metric::new("attempts_made", job.attempts_made() as f64).min(0.0)];
    if let Some(max) = job
        .opts()
        .and_then(|o| o.get("attempts").and_then(serde_json::Value::as_i64))
    {
        m.push(Metric::new("attempts_max", max as f64).min(0.0));
    }
    let secs = |ms: i64| ms.max(0) as f64 / 1000.0;
    if let (Some(c), Some(p)) = (c, p) {
        m.push(Metric::new("waited_seconds", secs(p - c)).unit(Unit::Seconds));
    }
    if let (Some(p), Some(f)) = (p, f) {
        m.push(Metric::new("ran_seconds", secs(f - p)).unit(Unit::Seconds));
    }
    if let (Some(c), Some(f)) = (c, f) {
        m.push(Metric::new("total_seconds", secs(f - c)).unit(Unit::Seconds));
    }
    m.push(Metric::new("log_lines", job.log_count as f64).min(0.0));
    m
}

fn facts(job: &Job, state: State) -> Finding {
    let name = match job.raw("name") {
        Field::Text(n) => opskit::render::cut(n, 200),
        Field::TooLong(n) => format!("(a name of {n} bytes)"),
        Field::Absent => "?".to_owned(),
    };
    let mut msg = format!("`{name}` {}", state.as_str());
    let mut f = Finding::new(JT010.code, JT010.severity, String::new())
        .property("name", name.clone())
        .property("state", state.as_str());
    let (c, p, fin) = (
        job.int("timestamp"),
        job.int("processedOn"),
        job.int("finishedOn"),
    );
    if let Some(c) = c {
        let _ = write!(msg, "; created {}", utc_timestamp_ms(c));
        f = f.property("created", utc_timestamp_ms(c));
    }
    if let Some(p) = p {
        f = f.property("processed", utc_timestamp_ms(p));
    }
    if let Some(x) = fin {
        f = f.property("finished", utc_timestamp_ms(x));
    }
    if let (Some(c), Some(p)) = (c, p) {
        let _ = write!(msg, "; waited {}", span_text(p - c));
        f = f.property("waited", span_text(p - c));
    }
    if let (Some(p), Some(x)) = (p, fin) {
        let _ = write!(msg, ", ran {}", span_text(x - p));
        f = f.property("ran", span_text(x - p));
    }
    if let (Some(c), Some(x)) = (c, fin) {
        let _ = write!(msg, ", total {}", span_text(x - c));
        f = f.property("total", span_text(x - c));
    }
    let _ = write!(msg, "; {}", attempts_text(job));
    f = f.property("attempts", attempts_text(job));
    let opts = job.opts().unwrap_or_default();
    if let Some(b) = backoff_text(&opts) {
        let _ = write!(msg, ", backoff {b}");
        f = f.property("backoff", b);
    }
    if let Some(d) = job.int("delay").filter(|d| *d > 0) {
        let _ = write!(msg, ", delay {}", span_text(d));
        f = f.property("delay", span_text(d));
    }
    if let Some(p) = job.int("priority").filter(|p| *p > 0) {
        f = f.property("priority", p.to_string());
    }
    for (field, label) in [
        ("pb", "processed_by"),
        ("deid", "deduplication_id"),
        ("stc", "stalled_count"),
    ] {
        if let Some(v) = job.field(field).filter(|v| !v.is_empty() && *v != "0") {
            f = f.property(label, opskit::render::cut(v, 200));
        }
    }
    if let Some(r) = &job.repeat {
        let settings: Vec<String> = r.settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let _ = write!(
            msg,
            "; from scheduler/repeat key {}",
            opskit::render::cut(&r.key, 120)
        );
        f = f.property("repeat_key", opskit::render::cut(&r.key, 200));
        if !settings.is_empty() {
            f = f.property("repeat", settings.join(" "));
        }
    }
    if let Some(d) = job.field("defa") {
        f = f.property("deferred_failure", opskit::render::cut(d, 300));
    }
    f.message = msg;
    f
}

fn stacks(job: &Job) -> Vec<Finding> {
    let entries: Vec<String> = match job.raw("stacktrace") {
        Field::Text(t) => serde_json::from_str::<Vec<serde_json::Value>>(t)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| v.as_str().map(ToOwned::to_owned))
            .collect(),
        Field::TooLong(n) => {
            return vec![JT011.finding(format!("(a stacktrace of {n} bytes, not read)"))];
        }
        Field::Absent => Vec::new(),
    };
    let total = entries.len();
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut lines = e.lines();
            let first = lines.next().unwrap_or_default();
            let frames: Vec<String> = lines
                .map(str::trim)
                .filter(|l| l.starts_with("at "))
                .take(FRAMES)
                .map(|l| opskit::render::cut(l, 200))
                .collect();
            JT011
                .finding(format!(
                    "stack {} of {total}: {}",
                    i + 1,
                    opskit::render::cut(first, 300)
                ))
                .property("frames", frames.join(" ← "))
        })
        .collect()
}

fn state_word(s: Option<State>) -> &'static str {
    s.map_or("removed", State::as_str)
}

fn family_check(job: &Job) -> Check {
    let mut findings = Vec::new();
    let mut parts = Vec::new();
    if let Some(p) = &job.parent {
        parts.push(format!(
            "parent {}:{} {}",
            p.queue.name,
            p.id,
            state_word(p.state)
        ));
        findings.push(
            JT020
                .finding(format!(
                    "parent {} `{}` {}",
                    p.queue.key(&p.id),
                    p.name.as_deref().unwrap_or("?"),
                    state_word(p.state)
                ))
                .property("queue", p.queue.name.clone())
                .property("id", p.id.clone()),
        );
    }
    let [pending, processed, failed, ignored] = job.child_counts;
    if pending + processed + failed + ignored > 0 {
        parts.push(format!(
            "children: {processed} processed, {pending} pending, {failed} failed, {ignored} ignored"
        ));
    }
    for c in &job.children {
        findings.push(
            JT021
                .finding(format!(
                    "child {} `{}` {} (in the parent: {})",
                    c.queue.key(&c.id),
                    c.name.as_deref().unwrap_or("?"),
                    state_word(c.state),
                    c.relation
                ))
                .property("queue", c.queue.name.clone())
                .property("id", c.id.clone()),
        );
    }
    let mut check = Check::new("family", Status::Ok, parts.join("; "));
    check.findings = findings;
    check
}

fn source_check(name: String, s: &logs::SourceStats) -> Check {
    let mut summary = format!(
        "{} of {} lines ({}) name the job",
        s.matched,
        s.lines,
        human_bytes(s.bytes)
    );
    if !s.shapes.is_empty() {
        let _ = write!(summary, " ({})", s.shapes.join(", "));
    }
    if s.passes > 1 {
        summary.push_str("; read twice to follow the request and trace ids it found");
    }
    let mut check = Check::new(name, Status::Ok, summary);
    let mut notes = Vec::new();
    if s.too_long > 0 {
        notes.push(format!(
            "{} lines over {} KiB skipped",
            s.too_long,
            logs::MAX_LINE / 1024
        ));
    }
    if s.not_utf8 > 0 {
        notes.push(format!(
            "{} lines not UTF-8 (read with replacement characters)",
            s.not_utf8
        ));
    }
    if s.dropped > 0 {
        notes.push(format!(
            "{} matching lines over --max-lines not kept",
            s.dropped
        ));
    }
    for n in notes {
        check.findings.push(JT033.finding(n));
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "line counts stay far below 2^52"
    )]
    {
        check
            .metrics
            .push(Metric::new("lines", s.lines as f64).min(0.0));
        check
            .metrics
            .push(Metric::new("matched", s.matched as f64).min(0.0));
        check.metrics.push(
            Metric::new("bytes", s.bytes as f64)
                .unit(Unit::Bytes)
                .min(0.0),
        );
    }
    check
}

fn human_bytes(n: u64) -> String {
    #[expect(clippy::cast_precision_loss, reason = "an approximate size for people")]
    let f = n as f64;
    match n {
        0..1024 => format!("{n} B"),
        1024..1_048_576 => format!("{:.1} KiB", f / 1024.0),
        1_048_576..1_073_741_824 => format!("{:.1} MiB", f / 1_048_576.0),
        _ => format!("{:.2} GiB", f / 1_073_741_824.0),
    }
}

/// One entry of the timeline, before it becomes a finding.
struct Entry {
    time_ms: Option<i64>,
    order: usize,
    finding: Finding,
}

fn event_text(e: &Event, attempt: &mut u32) -> String {
    let get = |k: &str| {
        e.fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    match e.event.as_str() {
        "added" => format!("added `{}`", get("name").unwrap_or("?")),
        "active" => {
            *attempt += 1;
            format!("active (attempt {attempt})")
        }
        "failed" => format!(
            "failed: {}",
            get("failedReason").map_or("", |r| r.lines().next().unwrap_or_default())
        ),
        "delayed" => match get("delay").and_then(|d| d.parse::<i64>().ok()) {
            Some(due) => format!("delayed until {}", clock(due)),
            None => "delayed".to_owned(),
        },
        "retries-exhausted" => format!(
            "retries exhausted after {} attempts",
            get("attemptsMade").unwrap_or("?")
        ),
        "stalled" => "stalled: its worker lost the lock".to_owned(),
        "progress" => match get("data") {
            Some(d) => format!("progress {}", data::shown(d)),
            None => "progress".to_owned(),
        },
        "completed" => match get("returnvalue") {
            Some(v) => format!("completed, returned {}", data::shown(v)),
            None => "completed".to_owned(),
        },
        other => {
            let rest: Vec<String> = e
                .fields
                .iter()
                .filter(|(k, _)| k != "name")
                .map(|(k, v)| format!("{k}={}", opskit::render::cut(v, 100)))
                .collect();
            if rest.is_empty() {
                other.to_owned()
            } else {
                format!("{other} ({})", rest.join(", "))
            }
        }
    }
}

fn sentry_finding(e: &crate::sentry::SentryEvent) -> Finding {
    let mut f = JT032
        .finding(format!(
            "{} {} (Sentry issue {})",
            e.level, e.title, e.issue
        ))
        .property("source", "sentry")
        .property("event_id", e.event_id.clone());
    if let Some(link) = &e.link {
        f = f.property("link", link.clone());
    }
    if let Some(t) = e.time_ms {
        f = f.property("time", utc_timestamp_ms(t));
    }
    f
}

fn log_finding(l: &LogLine) -> Finding {
    let mut f = JT031
        .finding(format!(
            "{}{}{}",
            l.level
                .as_deref()
                .map(|v| format!("{v} "))
                .unwrap_or_default(),
            l.service
                .as_deref()
                .map(|s| format!("[{s}] "))
                .unwrap_or_default(),
            l.message
        ))
        .at(Location::new(l.source.clone()).line(u32::try_from(l.line).unwrap_or(u32::MAX)))
        .property("source", l.source.clone())
        .property("shape", l.shape.clone())
        .property(
            "matched_by",
            format!("{}={}", l.matched_by.0, l.matched_by.1),
        );
    if let Some(t) = l.time_ms {
        f = f.property("time", utc_timestamp_ms(t));
    }
    f
}

fn timeline_check(
    job: &Job,
    events: &events::Events,
    lines: &[LogLine],
    sentry: &[crate::sentry::SentryEvent],
) -> Check {
    let mut entries: Vec<Entry> = Vec::new();
    let mut attempt = 0;
    let queue_event = |time: i64, text: String, event: &str, order: usize| Entry {
        time_ms: Some(time),
        order,
        finding: JT030
            .finding(text)
            .property("time", utc_timestamp_ms(time))
            .property("source", "queue")
            .property("event", event.to_owned()),
    };
    for e in &events.events {
        let text = event_text(e, &mut attempt);
        entries.push(queue_event(e.time_ms, text, &e.event, entries.len()));
    }
    let has = |name: &str| events.events.iter().any(|e| e.event == name);
    // Times from the job's hash stand in for events the stream no longer holds.
    if !has("added")
        && !has("waiting")
        && let Some(c) = job.int("timestamp")
    {
        entries.push(queue_event(
            c,
            "created (the job's timestamp)".to_owned(),
            "created",
            entries.len(),
        ));
    }
    if !has("active")
        && let Some(p) = job.int("processedOn")
    {
        entries.push(queue_event(
            p,
            "processing started (processedOn)".to_owned(),
            "processed",
            entries.len(),
        ));
    }
    if !has("completed")
        && !has("failed")
        && let Some(f) = job.int("finishedOn")
    {
        entries.push(queue_event(
            f,
            format!("{} (finishedOn)", state_word(job.state)),
            "finished",
            entries.len(),
        ));
    }
    let queue_count = entries.len();
    for l in lines {
        entries.push(Entry {
            time_ms: l.time_ms,
            order: entries.len(),
            finding: log_finding(l),
        });
    }
    for e in sentry {
        entries.push(Entry {
            time_ms: e.time_ms,
            order: entries.len(),
            finding: sentry_finding(e),
        });
    }
    entries.sort_by(|a, b| {
        (a.time_ms.is_none(), a.time_ms, a.order).cmp(&(b.time_ms.is_none(), b.time_ms, b.order))
    });
    let start = entries.iter().find_map(|e| e.time_ms);
    let findings: Vec<Finding> = entries
        .into_iter()
        .map(|mut e| {
            let at = match (e.time_ms, start) {
                (Some(t), Some(s)) => format!("{} +{:<7}", clock(t), span_text(t - s)),
                _ => format!("{:<12} {:<8}", "(no time)", ""),
            };
            e.finding.message = format!("{at} {}", e.finding.message);
            e.finding
        })
        .collect();
    let mut summary = format!(
        "{} entries: {queue_count} from the queue, {} from logs{}",
        findings.len(),
        lines.len(),
        if sentry.is_empty() {
            String::new()
        } else {
            format!(", {} from Sentry", sentry.len())
        }
    );
    if events.truncated {
        let _ = write!(
            summary,
            " (the event stream was read back {} entries only)",
            events.scanned
        );
    }
    let mut check = Check::new("timeline", Status::Ok, summary);
    check.findings = findings;
    check.ordered = true;
    check
}

/// `job-trace QUEUE --failed`.
pub fn failed(settings: &Settings) -> Result<Report, Error> {
    let started = std::time::Instant::now();
    let mut redis = Connection::open(&settings.target, &settings.limits)?;
    let q = &settings.queue;
    let grouped = grouping::group(
        &mut redis,
        q,
        settings.since_ms,
        settings.limit,
        settings.name.as_deref(),
    )?;
    let window = match settings.since_ms {
        Some(s) => format!(
            " in the last {}",
            span_text(opskit::time::now_unix_ms() - s)
        ),
        None => String::new(),
    };
    let name = format!("failed:{}", q.name);
    let mut check = if grouped.jobs == 0 {
        let exists = queue_exists(&mut redis, q)?;
        if exists {
            Check::new(name, Status::Ok, format!("no failed jobs{window}"))
        } else {
            let mut c = Check::unknown(name, format!("no queue {}:{}", q.prefix, q.name));
            c.findings.push(JT004.finding(format!(
                "no keys under {}:{}: — check the queue's name and --prefix",
                q.prefix, q.name
            )));
            c
        }
    } else {
        let top = &grouped.causes[0];
        let mut summary = format!(
            "{} failed job{}{window}, {} cause{}; most: {} ({})",
            grouped.jobs,
            if grouped.jobs == 1 { "" } else { "s" },
            grouped.causes.len(),
            if grouped.causes.len() == 1 { "" } else { "s" },
            opskit::render::cut(&top.example_reason, 80),
            top.count
        );
        if grouped.in_window > grouped.jobs + grouped.other_names {
            let _ = write!(
                summary,
                "; the {} most recent of {} read",
                settings.limit, grouped.in_window
            );
        }
        let mut c = Check::new(name, Status::Critical, summary);
        for cause in &grouped.causes {
            let names: Vec<String> = cause
                .names
                .iter()
                .map(|(n, k)| format!("{n} ×{k}"))
                .collect();
            c.findings.push(
                JT040
                    .finding(format!(
                        "{} job{}: {}",
                        cause.count,
                        if cause.count == 1 { "" } else { "s" },
                        cause.example_reason
                    ))
                    .property("count", cause.count.to_string())
                    .property("first_seen", utc_timestamp_ms(cause.first_ms))
                    .property("last_seen", utc_timestamp_ms(cause.last_ms))
                    .property("names", names.join(", "))
                    .property("example", cause.example_id.clone()),
            );
        }
        c
    };
    #[expect(clippy::cast_precision_loss, reason = "job counts stay far below 2^52")]
    {
        check
            .metrics
            .push(Metric::new("failed_jobs", grouped.jobs as f64).min(0.0));
        check
            .metrics
            .push(Metric::new("causes", grouped.causes.len() as f64).min(0.0));
    }
    let check = check.took(started.elapsed());
    Ok(Report::new(NAME, env!("CARGO_PKG_VERSION")).with_check(check))
}

fn queue_exists(
    redis: &mut Connection,
    q: &opskit_queue_depth::bullmq::QueueRef,
) -> Result<bool, Error> {
    let commands: Vec<Vec<String>> = ["meta", "id", "failed", "wait", "completed"]
        .iter()
        .map(|k| vec!["EXISTS".to_owned(), q.key(k)])
        .collect();
    let replies = redis.pipeline(&commands)?;
    Ok(replies.iter().any(|v| v.as_int().unwrap_or(0) > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_well() {
        assert_eq!(span_text(350), "350ms");
        assert_eq!(span_text(2149), "2.1s");
        assert_eq!(span_text(125_000), "2m05s");
        assert_eq!(span_text(3 * 3_600_000 + 600_000), "3h10m");
        assert_eq!(span_text(-5), "0ms");
    }
}
