//! `--watch`: the same run again and again, with the change since the previous round.
//!
//! - On a terminal (human format): a live table redrawn in place (the lines of the previous
//!   frame are overwritten, the scrollback above is kept), one row per check with its lead
//!   number, the change since the previous round and per minute, and its summary.
//! - Through a pipe (human format): one line per check per round, every number with its
//!   change: `2026-12-02T13:40:00Z WARNING queue:emails depth=612 (+12, +24.0/min) active=3 …`.
//! - `--format json`: one JSON object per check per round (JSON lines), with `metrics` and
//!   `change` maps, for `jq` and log shippers.
//! - Other machine formats (nagios, prometheus…): the whole report per round.
//!
//! The exit code is the last round's.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::time::Instant;

use super::{CommonArgs, finish, use_color};
use crate::Status;
use crate::render::{Format, one_line};
use crate::report::{Check, Metric, Report};
use crate::time::utc_timestamp;

/// Repeated runs, every `interval`, `count` times or until interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watch {
    /// Time between the starts of two runs.
    pub interval: std::time::Duration,
    /// Stop after this many runs; `None` runs until interrupted.
    pub count: Option<u64>,
}

/// The previous round's numbers, by check and metric label, and when they were taken.
#[derive(Debug, Default)]
pub struct Trend {
    previous: BTreeMap<(String, String), f64>,
    at: Option<Instant>,
}

/// A metric's change since the previous round: the difference, and per minute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    /// Now minus then.
    pub delta: f64,
    /// `delta` per minute of the time between the two rounds.
    pub per_minute: f64,
}

impl Trend {
    /// Remembers this round's numbers and returns each metric's change since the last round
    /// (none in the first round, nor for a metric that was not there).
    pub fn update(&mut self, report: &Report, now: Instant) -> BTreeMap<(String, String), Change> {
        let minutes = self
            .at
            .map(|t| now.saturating_duration_since(t).as_secs_f64() / 60.0);
        let mut changes = BTreeMap::new();
        let mut current = BTreeMap::new();
        for check in &report.checks {
            for m in &check.metrics {
                let key = (check.name.clone(), m.label.clone());
                if m.value.is_finite() {
                    if let (Some(before), Some(min)) = (self.previous.get(&key), minutes) {
                        let delta = m.value - before;
                        let per_minute = if min > 0.0 { delta / min } else { 0.0 };
                        changes.insert(key.clone(), Change { delta, per_minute });
                    }
                    current.insert(key, m.value);
                }
            }
        }
        self.previous = current;
        self.at = Some(now);
        changes
    }
}

/// Runs `once` every `watch.interval` (`watch.count` times, or until stdout is gone or the
/// process is stopped) and shows each report; the status is the last run's.
pub(super) fn run(
    watch: Watch,
    common: &CommonArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdout_is_terminal: bool,
    no_color: Option<&str>,
    once: &mut dyn FnMut(&mut dyn Write) -> Report,
) -> Status {
    let mut runs = 0u64;
    let mut trend = Trend::default();
    let mut drawn_lines = 0usize;
    loop {
        let started = Instant::now();
        let report = once(stderr);
        runs += 1;
        let changes = trend.update(&report, started);
        let status = report.status();
        let shown = if common.quiet {
            true
        } else {
            match common.format {
                Format::Human if stdout_is_terminal => {
                    let color = use_color(common.color, no_color, true);
                    let frame = table(&report, &changes, color, runs);
                    let ok = write_frame(stdout, &frame, drawn_lines);
                    drawn_lines = frame.lines().count();
                    ok
                }
                Format::Human => write_all(stdout, &lines(&report, &changes)),
                Format::Json => write_all(stdout, &json_lines(&report, &changes)),
                _ => {
                    finish(
                        &report,
                        common,
                        stdout,
                        stderr,
                        stdout_is_terminal,
                        no_color,
                        None,
                    );
                    true
                }
            }
        };
        if !shown || watch.count.is_some_and(|n| runs >= n) {
            return status;
        }
        std::thread::sleep(watch.interval.saturating_sub(started.elapsed()));
    }
}

fn write_all(out: &mut dyn Write, text: &str) -> bool {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_ok()
}

/// Overwrites the previous frame (`previous` lines up) and writes this one.
fn write_frame(out: &mut dyn Write, frame: &str, previous: usize) -> bool {
    let mut text = String::new();
    if previous > 0 {
        let _ = write!(text, "\x1b[{previous}F");
    }
    text.push_str("\x1b[J");
    text.push_str(frame);
    write_all(out, &text)
}

/// The number a check's row leads with: its first metric other than `success` (queue depth,
/// probe duration), else its first.
fn lead(check: &Check) -> Option<&Metric> {
    check
        .metrics
        .iter()
        .find(|m| m.label != "success")
        .or_else(|| check.metrics.first())
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    }
}

fn signed(value: f64) -> String {
    let text = number(value.abs());
    if value < 0.0 {
        format!("-{text}")
    } else {
        format!("+{text}")
    }
}

fn change_text(c: &Change) -> String {
    format!(
        "{}, {}/min",
        signed(c.delta),
        signed((c.per_minute * 10.0).round() / 10.0)
    )
}

/// The live table of one round.
pub fn table(
    report: &Report,
    changes: &BTreeMap<(String, String), Change>,
    color: bool,
    round: u64,
) -> String {
    let rows: Vec<[String; 5]> = report
        .checks
        .iter()
        .map(|c| {
            let (value, trend) = lead(c).map_or((String::new(), String::new()), |m| {
                let value = format!("{} {}", m.label, m.unit.show(m.value));
                let trend = changes
                    .get(&(c.name.clone(), m.label.clone()))
                    .map_or_else(|| "-".to_owned(), change_text);
                (value, trend)
            });
            [
                c.status.as_str().to_owned(),
                one_line(&c.name),
                value,
                trend,
                one_line(&c.summary),
            ]
        })
        .collect();
    let header = [
        "STATUS".to_owned(),
        "CHECK".to_owned(),
        "NOW".to_owned(),
        "TREND".to_owned(),
        "SUMMARY".to_owned(),
    ];
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = format!(
        "{}  {}  round {round} (Ctrl-C stops)\n",
        utc_timestamp(crate::time::now_unix()),
        report.status(),
    );
    for (i, row) in std::iter::once(&header).chain(&rows).enumerate() {
        let mut line = String::new();
        for (cell, w) in row.iter().take(4).zip(widths) {
            let _ = write!(line, "{cell:<w$}  ");
        }
        line.push_str(&crate::render::cut(&row[4], 101));
        let line = line.trim_end().to_owned();
        let status = report.checks.get(i.wrapping_sub(1)).map(|c| c.status);
        if let Some(s) = status.filter(|s| color && i > 0 && *s != Status::Ok) {
            let _ = writeln!(out, "{}{line}\x1b[0m", colour(s));
        } else {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

const fn colour(status: Status) -> &'static str {
    match status {
        Status::Ok => "",
        Status::Warning => "\x1b[33m",
        Status::Critical => "\x1b[31m",
        Status::Unknown => "\x1b[35m",
    }
}

/// One line per check for a pipe: the time, the status, the check, every number with its
/// change, and the summary.
pub fn lines(report: &Report, changes: &BTreeMap<(String, String), Change>) -> String {
    let time = utc_timestamp(crate::time::now_unix());
    let mut out = String::new();
    for c in &report.checks {
        let mut line = format!("{time} {} {}", c.status, one_line(&c.name));
        for m in &c.metrics {
            let _ = write!(line, " {}={}", m.label.replace(' ', "_"), number(m.value));
            if let Some(ch) = changes.get(&(c.name.clone(), m.label.clone()))
                && ch.delta.abs() >= 0.0005
            {
                let _ = write!(line, " ({})", change_text(ch));
            }
        }
        let _ = write!(line, " - {}", one_line(&c.summary));
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// One JSON object per check (JSON lines).
pub fn json_lines(report: &Report, changes: &BTreeMap<(String, String), Change>) -> String {
    let time = utc_timestamp(crate::time::now_unix());
    let mut out = String::new();
    for c in &report.checks {
        let metrics: serde_json::Map<String, serde_json::Value> = c
            .metrics
            .iter()
            .map(|m| (m.label.clone(), serde_json::json!(m.value)))
            .collect();
        let change: serde_json::Map<String, serde_json::Value> = c
            .metrics
            .iter()
            .filter_map(|m| {
                let ch = changes.get(&(c.name.clone(), m.label.clone()))?;
                Some((
                    m.label.clone(),
                    serde_json::json!({"delta": ch.delta, "per_minute": ch.per_minute}),
                ))
            })
            .collect();
        let line = serde_json::json!({
            "time": time,
            "tool": report.tool,
            "check": c.name,
            "status": c.status.as_str(),
            "summary": c.summary,
            "metrics": metrics,
            "change": change,
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn report(depth: f64) -> Report {
        Report::new("queue-depth", "0").with_check(
            Check::new("queue:emails", Status::Ok, "depth")
                .with_metric(Metric::new("depth", depth))
                .with_metric(Metric::new("failed", 2.0)),
        )
    }

    #[test]
    fn the_trend_is_the_change_since_the_last_round_and_per_minute() {
        let mut trend = Trend::default();
        let t0 = Instant::now();
        assert!(trend.update(&report(100.0), t0).is_empty());
        let changes = trend.update(&report(130.0), t0 + Duration::from_secs(30));
        let c = changes[&("queue:emails".to_owned(), "depth".to_owned())];
        assert!((c.delta - 30.0).abs() < 1e-9);
        assert!((c.per_minute - 60.0).abs() < 1e-9);
        let piped = lines(&report(130.0), &changes);
        assert!(
            piped.contains(" OK queue:emails depth=130 (+30, +60/min) failed=2 - depth"),
            "{piped}"
        );
        let table = table(&report(130.0), &changes, false, 2);
        assert!(table.contains("TREND"), "{table}");
        assert!(table.contains("depth 130"), "{table}");
        assert!(table.contains("+30, +60/min"), "{table}");
        let json = json_lines(&report(130.0), &changes);
        let v: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
        assert_eq!(v["metrics"]["depth"], 130.0);
        assert_eq!(v["change"]["depth"]["delta"], 30.0);
        assert_eq!(v["check"], "queue:emails");
    }

    #[test]
    fn a_frame_overwrites_the_previous_one_instead_of_clearing_the_screen() {
        let mut out = Vec::new();
        assert!(write_frame(&mut out, "a\nb\n", 0));
        assert!(write_frame(&mut out, "a\nc\n", 2));
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("\x1b[2J"), "{text:?}");
        assert!(text.contains("\x1b[2F\x1b[Ja\nc\n"), "{text:?}");
    }
}
