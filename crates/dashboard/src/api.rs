//! The JSON API and the views the pages are drawn from: one function per view, each reading
//! the live state, so the page and `/api/v1/...` can never disagree.
//!
//! | path | what |
//! |------|------|
//! | `/api/v1/overview` | each service's colour, status word, reason and last change |
//! | `/api/v1/targets` | each health target: uptime 24h/7d/30d, latency by 5 minutes, incidents |
//! | `/api/v1/queues` | each queue: its numbers now and by 5 minutes, top failure causes |
//! | `/api/v1/backups` | the newest verified backup, the last verification, every backup's size |
//! | `/api/v1/uptime` | each health target's uptime only (the public page's data) |
//!
//! Times are unix seconds (`t`, `start`, `since`) beside RFC 3339 text (`*_at`).

use std::collections::BTreeMap;

use opskit::Status;
use serde::Serialize;

use crate::ServiceConfig;
use crate::collect::{BackupPoint, Cause, Current, Live, Verify};
use crate::history::TargetHistory;
use crate::store::QueueCounts;

/// The format version of the API.
pub const VERSION: u32 = 1;
/// Seconds per chart point.
pub const STEP: i64 = 300;

/// A status as a colour.
pub fn colour(s: Status) -> &'static str {
    match s {
        Status::Ok => "green",
        Status::Warning => "amber",
        Status::Critical | Status::Unknown => "red",
    }
}

/// A status as a word.
pub fn word(s: Status) -> &'static str {
    match s {
        Status::Ok => "operational",
        Status::Warning => "degraded",
        Status::Critical => "down",
        Status::Unknown => "unknown",
    }
}

/// RFC 3339, or nothing before 1970.
pub fn at(t: i64) -> String {
    u64::try_from(t)
        .map(opskit::time::utc_timestamp)
        .unwrap_or_default()
}

/// One service of the overview.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Service {
    /// The name shown.
    pub name: String,
    /// `green`, `amber`, `red`, or `grey` before the first check.
    pub colour: &'static str,
    /// `operational`, `degraded`, `down`, `unknown`, `pending`.
    pub status: &'static str,
    /// Why, in words (public page: the status word only).
    pub reason: String,
    /// The last change of colour (unix seconds).
    pub since: Option<i64>,
    /// The same, RFC 3339.
    pub since_at: Option<String>,
    /// The parts it is made of (absent on the public page).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
}

/// `/api/v1/overview`.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// The API's version.
    pub version: u32,
    /// When this was made.
    pub generated_at: String,
    /// The worst colour.
    pub colour: &'static str,
    /// The services.
    pub services: Vec<Service>,
    /// Why the history is not being written, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_error: Option<String>,
}

/// The name a series is shown by and matched by `[[serve.services]]` parts.
pub fn display(series: &str) -> String {
    if let Some(check) = series.strip_prefix("health/") {
        // `http:frontend` is the target `frontend`; a URL target keeps its URL.
        return match check.split_once(':') {
            Some((_, name)) if !check.contains("://") => name.to_owned(),
            _ => check.to_owned(),
        };
    }
    if let Some(q) = series.strip_prefix("queue/") {
        return q.to_owned();
    }
    match series.strip_prefix("row/").unwrap_or(series) {
        "redis" => "Redis".to_owned(),
        "backups" => "Backups".to_owned(),
        other => other.to_owned(),
    }
}

fn rank(series: &str) -> u8 {
    match series.split('/').next() {
        Some("health") => 0,
        Some("queue") => 1,
        _ => 2,
    }
}

fn public_reason(s: Status) -> String {
    match s {
        Status::Ok => "operating normally",
        Status::Warning => "degraded performance",
        Status::Critical => "outage",
        Status::Unknown => "status unknown",
    }
    .to_owned()
}

/// Why a service has no colour. Once rounds have come in, nothing matching is a typo in
/// opskit.toml more often than a slow monitor: say which names matched nothing.
fn pending(svc: &ServiceConfig, no_rounds: bool) -> String {
    if no_rounds {
        "not checked yet".to_owned()
    } else {
        format!(
            "not checked: nothing monitored is called {} (the parts of [[serve.services]] are health target names, queue:NAME, redis and backups)",
            svc.parts.join(", ")
        )
    }
}

/// The overview: the configured services (worst of their parts), then every row no service
/// names, health targets first.
pub fn overview(live: &Live, services: &[ServiceConfig], public: bool, now: i64) -> Overview {
    let since = |series: &str| live.history.rows.get(series).map(|r| r.since);
    let mut rows: Vec<(&String, &Current)> = live.current.iter().collect();
    rows.sort_by_key(|(s, _)| rank(s));
    let mut used = vec![false; rows.len()];
    let mut out = Vec::new();
    for svc in services {
        let mut parts: Vec<(&String, &Current)> = Vec::new();
        for (i, (series, row)) in rows.iter().enumerate() {
            let name = display(series);
            if svc
                .parts
                .iter()
                .any(|p| p.eq_ignore_ascii_case(&name) || p == *series)
            {
                used[i] = true;
                parts.push((series, row));
            }
        }
        let worst = parts.iter().max_by_key(|(_, r)| r.status.rank());
        let service = match worst {
            None => Service {
                name: svc.name.clone(),
                colour: "grey",
                status: "pending",
                reason: pending(svc, rows.is_empty()),
                since: None,
                since_at: None,
                parts: svc.parts.clone(),
            },
            Some((_, w)) => {
                let last = parts.iter().filter_map(|(s, _)| since(s)).max();
                let reason = parts
                    .iter()
                    .filter(|(_, r)| r.status == w.status)
                    .map(|(s, r)| format!("{}: {}", display(s), r.reason))
                    .collect::<Vec<_>>()
                    .join("; ");
                Service {
                    name: svc.name.clone(),
                    colour: colour(w.status),
                    status: word(w.status),
                    reason,
                    since: last,
                    since_at: last.map(at),
                    parts: parts.iter().map(|(s, _)| display(s)).collect(),
                }
            }
        };
        out.push(service);
    }
    for (i, (series, row)) in rows.iter().enumerate() {
        // Queue names, Redis and backups are the platform's insides: a public page shows
        // the health targets and the services its owners named.
        if used[i] || (public && rank(series) != 0) {
            continue;
        }
        let s = since(series);
        out.push(Service {
            name: display(series),
            colour: colour(row.status),
            status: word(row.status),
            reason: row.reason.clone(),
            since: s,
            since_at: s.map(at),
            parts: Vec::new(),
        });
    }
    if public {
        for s in &mut out {
            s.reason = if s.colour == "grey" {
                "not checked yet".to_owned()
            } else {
                public_reason(match s.colour {
                    "green" => Status::Ok,
                    "amber" => Status::Warning,
                    _ => Status::Critical,
                })
            };
            s.parts.clear();
        }
    }
    let worst = out
        .iter()
        .map(|s| match s.colour {
            "red" => 2,
            "amber" => 1,
            _ => 0,
        })
        .max()
        .unwrap_or(0);
    Overview {
        version: VERSION,
        generated_at: at(now),
        colour: ["green", "amber", "red"][worst],
        services: out,
        history_error: if public {
            None
        } else {
            live.store_error.clone()
        },
    }
}

/// Uptime as percentages.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Uptime {
    /// The last 24 hours.
    #[serde(rename = "24h")]
    pub day: Option<f64>,
    /// The last 7 days.
    #[serde(rename = "7d")]
    pub week: Option<f64>,
    /// The last 30 days.
    #[serde(rename = "30d")]
    pub month: Option<f64>,
}

fn uptime(t: &TargetHistory, now: i64) -> Uptime {
    let pct = |secs| t.uptime(now, secs).map(|u| (u * 10_000.0).round() / 100.0);
    Uptime {
        day: pct(86_400),
        week: pct(7 * 86_400),
        month: pct(30 * 86_400),
    }
}

/// Latency over one chart step.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct LatencyPoint {
    /// The step's start (unix seconds).
    pub t: i64,
    /// Mean latency in ms.
    pub avg_ms: Option<f64>,
    /// Slowest in ms.
    pub max_ms: Option<f64>,
    /// Share of probes up in the step, 0 to 1.
    pub up: f64,
}

/// A down time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IncidentView {
    /// When it went down.
    pub start: i64,
    /// The same, RFC 3339.
    pub start_at: String,
    /// When it came back.
    pub end: Option<i64>,
    /// The same, RFC 3339.
    pub end_at: Option<String>,
    /// How long it lasted (so far, while ongoing).
    pub duration_s: i64,
    /// Still down.
    pub ongoing: bool,
    /// The probe's words when it went down.
    pub reason: String,
}

/// A health target.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TargetView {
    /// The target's name.
    pub name: String,
    /// The check's name (`http:frontend`).
    pub check: String,
    /// The colour now.
    pub colour: &'static str,
    /// The status word now.
    pub status: &'static str,
    /// The last probe's words.
    pub reason: String,
    /// The flap-damped state.
    pub down: bool,
    /// Uptime.
    pub uptime: Uptime,
    /// The last probe's latency.
    pub latency_ms: Option<f64>,
    /// The last 24 hours by [`STEP`].
    pub latency: Vec<LatencyPoint>,
    /// The incidents, newest first.
    pub incidents: Vec<IncidentView>,
}

fn latency_points(t: &TargetHistory) -> Vec<LatencyPoint> {
    let mut out: Vec<LatencyPoint> = Vec::new();
    let mut acc: BTreeMap<i64, (f64, u32, f64, u32, u32)> = BTreeMap::new();
    for m in t.minutes() {
        let step = (m.minute * 60).div_euclid(STEP) * STEP;
        let e = acc.entry(step).or_default();
        e.0 += f64::from(m.latency_sum);
        e.1 += u32::from(m.latencies);
        e.2 = e.2.max(f64::from(m.latency_max));
        e.3 += u32::from(m.probes);
        e.4 += u32::from(m.up);
    }
    for (step, (sum, n, max, probes, up)) in acc {
        let r = |v: f64| (v * 10.0).round() / 10.0;
        out.push(LatencyPoint {
            t: step,
            avg_ms: (n > 0).then(|| r(sum / f64::from(n))),
            max_ms: (n > 0).then(|| r(max)),
            up: if probes == 0 {
                0.0
            } else {
                f64::from(up) / f64::from(probes)
            },
        });
    }
    out
}

/// `/api/v1/targets`.
pub fn targets(live: &Live, now: i64) -> Vec<TargetView> {
    let mut out = Vec::new();
    for (series, row) in &live.current {
        let Some(check) = series.strip_prefix("health/") else {
            continue;
        };
        let empty = TargetHistory::default();
        let t = live.history.targets.get(check).unwrap_or(&empty);
        let incidents = t
            .incidents
            .iter()
            .rev()
            .map(|i| IncidentView {
                start: i.start,
                start_at: at(i.start),
                end: i.end,
                end_at: i.end.map(at),
                duration_s: i.end.unwrap_or(now) - i.start,
                ongoing: i.end.is_none(),
                reason: i.reason.clone(),
            })
            .collect();
        out.push(TargetView {
            name: display(series),
            check: check.to_owned(),
            colour: colour(row.status),
            status: word(row.status),
            reason: row.reason.clone(),
            down: t.down,
            uptime: uptime(t, now),
            latency_ms: t
                .last
                .and_then(|(_, _, l)| l)
                .map(|l| (f64::from(l) * 10.0).round() / 10.0),
            latency: latency_points(t),
            incidents,
        });
    }
    out
}

/// One target's uptime, for the public page.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UptimeView {
    /// The target.
    pub name: String,
    /// Its colour now.
    pub colour: &'static str,
    /// Uptime.
    pub uptime: Uptime,
}

/// `/api/v1/uptime`.
pub fn uptimes(live: &Live, now: i64) -> Vec<UptimeView> {
    // The uptime alone: not the latency points and incidents `targets` builds.
    let empty = TargetHistory::default();
    live.current
        .iter()
        .filter_map(|(series, row)| {
            let check = series.strip_prefix("health/")?;
            let t = live.history.targets.get(check).unwrap_or(&empty);
            Some(UptimeView {
                name: display(series),
                colour: colour(row.status),
                uptime: uptime(t, now),
            })
        })
        .collect()
}

/// A queue's numbers at one chart step (the last poll of the step).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct QueuePoint {
    /// The step's start.
    pub t: i64,
    /// The numbers.
    #[serde(flatten)]
    pub counts: QueueCounts,
}

/// A queue.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QueueView {
    /// The check's name (`queue:emails`).
    pub name: String,
    /// The colour now.
    pub colour: &'static str,
    /// The status word now.
    pub status: &'static str,
    /// The check's words.
    pub reason: String,
    /// The numbers of the last poll.
    pub now: QueueCounts,
    /// The last 24 hours by [`STEP`].
    pub series: Vec<QueuePoint>,
    /// The top failure causes of the last 24 hours (first lines of failedReason; never job
    /// data).
    pub causes: Vec<Cause>,
}

/// `/api/v1/queues`.
pub fn queues(live: &Live) -> Vec<QueueView> {
    let mut out = Vec::new();
    for (series, row) in &live.current {
        let Some(name) = series.strip_prefix("queue/") else {
            continue;
        };
        let h = live.history.queues.get(name);
        let mut points: BTreeMap<i64, QueueCounts> = BTreeMap::new();
        for (minute, c) in h.iter().flat_map(|h| h.minutes.iter()) {
            points.insert((minute * 60).div_euclid(STEP) * STEP, *c);
        }
        out.push(QueueView {
            name: name.to_owned(),
            colour: colour(row.status),
            status: word(row.status),
            reason: row.reason.clone(),
            now: h
                .and_then(|h| h.last)
                .map(|(_, _, c)| c)
                .unwrap_or_default(),
            series: points
                .into_iter()
                .map(|(t, counts)| QueuePoint { t, counts })
                .collect(),
            causes: live.causes.get(name).cloned().unwrap_or_default(),
        });
    }
    out
}

/// `/api/v1/backups`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BackupsView {
    /// Whether the backup check runs.
    pub monitored: bool,
    /// The colour now.
    pub colour: &'static str,
    /// The status word now.
    pub status: &'static str,
    /// The check's words.
    pub reason: String,
    /// The newest backup whose verification passed.
    pub newest_verified: Option<BackupPoint>,
    /// Its age in seconds.
    pub newest_verified_age_s: Option<i64>,
    /// The newest verification of any backup.
    pub last_verify: Option<Verify>,
    /// Every backup, oldest first (at most 60): the size trend.
    pub backups: Vec<BackupPoint>,
}

/// The backups view.
pub fn backups(live: &Live, now: i64) -> BackupsView {
    let row = live.current.get("row/backups");
    let b = live.backups.clone().unwrap_or_default();
    BackupsView {
        monitored: row.is_some(),
        colour: row.map_or("grey", |r| colour(r.status)),
        status: row.map_or("pending", |r| word(r.status)),
        reason: row.map_or_else(|| "not checked yet".to_owned(), |r| r.reason.clone()),
        newest_verified_age_s: b.newest_verified.as_ref().map(|p| now - p.started),
        newest_verified: b.newest_verified,
        last_verify: b.last_verify,
        backups: b.points,
    }
}

/// A list under its name beside the API's version: `{"version": 1, "targets": [...]}`.
#[derive(Debug, Serialize)]
pub struct Versioned<'a, T> {
    /// [`VERSION`].
    pub version: u32,
    /// The list's name and the list.
    #[serde(flatten)]
    pub list: BTreeMap<&'static str, &'a [T]>,
}

/// `{"version": 1, NAME: list}`.
pub fn versioned<'a, T: Serialize>(name: &'static str, list: &'a [T]) -> Versioned<'a, T> {
    Versioned {
        version: VERSION,
        list: BTreeMap::from([(name, list)]),
    }
}

/// JSON for a `<script type="application/json">` block or a response: `<`, `>`, `&` and
/// the JavaScript line separators escaped, so no value can end the block.
pub fn json<T: Serialize>(value: &T) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    if !text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 64);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(rows: &[(&str, Status, &str)]) -> Live {
        let mut live = Live::default();
        for (series, status, reason) in rows {
            live.current.insert(
                (*series).to_owned(),
                Current {
                    status: *status,
                    reason: (*reason).to_owned(),
                    t: 100,
                    from_history: false,
                },
            );
        }
        live
    }

    fn service(name: &str, parts: &[&str]) -> ServiceConfig {
        ServiceConfig {
            name: name.to_owned(),
            parts: parts.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    #[test]
    fn a_service_is_its_worst_part_and_names_it() {
        let live = live(&[
            ("health/http:worker", Status::Ok, "up in 3 ms"),
            ("queue/queue:emails", Status::Warning, "depth 600"),
            ("health/http:frontend", Status::Critical, "status 503"),
            ("row/redis", Status::Ok, "1 queue read"),
        ]);
        let o = overview(
            &live,
            &[service("Worker", &["worker", "queue:emails"])],
            false,
            200,
        );
        let names: Vec<&str> = o.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Worker", "frontend", "Redis"]);
        let worker = &o.services[0];
        assert_eq!(
            (worker.colour, worker.status, worker.reason.as_str()),
            ("amber", "degraded", "queue:emails: depth 600")
        );
        assert_eq!(worker.parts, ["worker", "queue:emails"]);
        assert_eq!(o.colour, "red");
    }

    #[test]
    fn the_public_overview_has_no_insides() {
        let live = live(&[
            (
                "health/http:frontend",
                Status::Critical,
                "status 503 from 10.0.0.4",
            ),
            ("queue/queue:emails", Status::Warning, "depth 600"),
            ("row/backups", Status::Ok, "newest verified 2h ago"),
        ]);
        let o = overview(&live, &[service("Mail", &["queue:emails"])], true, 200);
        let text = json(&o);
        for inside in ["10.0.0.4", "depth", "emails", "backups", "parts"] {
            assert!(!text.contains(inside), "{inside} in {text}");
        }
        let reasons: Vec<(&str, &str)> = o
            .services
            .iter()
            .map(|s| (s.name.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [("Mail", "degraded performance"), ("frontend", "outage")]
        );
    }

    #[test]
    fn a_part_that_matches_nothing_is_named_once_rounds_came_in() {
        let services = [service("API", &["api-gatewy"])];
        let before = overview(&Live::default(), &services, false, 0);
        assert_eq!(before.services[0].reason, "not checked yet");
        let after = overview(
            &live(&[("health/http:api-gateway", Status::Ok, "up")]),
            &services,
            false,
            0,
        );
        assert_eq!(after.services[0].colour, "grey");
        assert!(
            after.services[0].reason.contains("is called api-gatewy ("),
            "{}",
            after.services[0].reason
        );
    }

    #[test]
    fn json_cannot_close_its_script_block() {
        let text = json(&"</script><!-- & \u{2028}");
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        assert!(!text.contains('\u{2028}'), "{text}");
    }
}
