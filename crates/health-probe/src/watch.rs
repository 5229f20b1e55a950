//! `--watch`: an uptime monitor. Each target's state only changes after N consecutive failed
//! probes (down) or M consecutive good ones (up), so one lost packet does not page anyone;
//! every change is appended to a JSON-lines history, and each report carries the uptime since
//! the monitor started.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use crate::codes::HP100;
use opskit::Status;
use opskit::report::{Check, Metric, Report, Severity, Unit};

/// The damping of one target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct TargetState {
    down: bool,
    fails: u32,
    goods: u32,
    probes: u64,
    up_probes: u64,
}

/// Every target's state for the life of the process (the `--watch` loop).
fn states() -> &'static Mutex<Monitor> {
    static STATES: OnceLock<Mutex<Monitor>> = OnceLock::new();
    STATES.get_or_init(|| Mutex::new(Monitor::default()))
}

/// The damping settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Damping {
    /// Consecutive failures before a target is down.
    pub down_after: u32,
    /// Consecutive good probes before a down target is up again.
    pub up_after: u32,
}

/// A state change, as a line of the history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub time: String,
    /// The check's name.
    pub target: String,
    /// `up` or `down`.
    pub state: &'static str,
    /// The last probe's summary.
    pub reason: String,
}

/// The damped state of every target a monitor has seen: `--watch` keeps one for the life of
/// the process, `opskit serve` one seeded from its history.
#[derive(Debug, Clone, Default)]
pub struct Monitor {
    states: BTreeMap<String, TargetState>,
}

impl Monitor {
    /// A target starts as down (its history says it was down when the monitor stopped), so
    /// a restart neither closes its incident nor opens a new one.
    pub fn seed_down(&mut self, target: &str) {
        self.states.entry(target.to_owned()).or_default().down = true;
    }

    /// Whether a target is down after the rounds so far.
    pub fn is_down(&self, target: &str) -> bool {
        self.states.get(target).is_some_and(|s| s.down)
    }

    /// Applies one round of probes: each check's status becomes the damped one, with a note
    /// while a failure is not yet confirmed; returns the state changes.
    pub fn apply(&mut self, report: &mut Report, damping: Damping, now: u64) -> Vec<Change> {
        let mut changes = Vec::new();
        for check in &mut report.checks {
            let state = self.states.entry(check.name.clone()).or_default();
            if let Some(change) = state.round(check, damping, now) {
                changes.push(change);
            }
        }
        changes
    }
}

impl TargetState {
    fn round(&mut self, check: &mut Check, damping: Damping, now: u64) -> Option<Change> {
        let state = self;
        let failed = check.status == Status::Critical || check.status == Status::Unknown;
        state.probes += 1;
        if failed {
            state.fails += 1;
            state.goods = 0;
        } else {
            state.goods += 1;
            state.fails = 0;
        }
        let was_down = state.down;
        if !state.down && state.fails >= damping.down_after {
            state.down = true;
        } else if state.down && state.goods >= damping.up_after {
            state.down = false;
        }
        if !state.down {
            state.up_probes += 1;
        }
        let change = (state.down != was_down).then(|| Change {
            time: opskit::time::utc_timestamp(now),
            target: check.name.clone(),
            state: if state.down { "down" } else { "up" },
            reason: check.summary.clone(),
        });
        #[expect(clippy::cast_precision_loss, reason = "probe counts as a ratio")]
        let uptime = state.up_probes as f64 / state.probes as f64;
        if failed && !state.down {
            check.findings.push(HP100.finding(format!(
                "failed {} of the {} probes in a row that mark it down",
                state.fails, damping.down_after
            )));
            check.status = Status::Warning;
        } else if !failed && state.down {
            check.findings.push(HP100.finding_as(
                Severity::Error,
                format!(
                    "answering again: {} of {} good probes before it counts as up",
                    state.goods, damping.up_after
                ),
            ));
            check.status = Status::Critical;
        }
        check.summary = format!(
            "{} ({}, uptime {:.2}% of {} probes)",
            check.summary,
            if state.down { "down" } else { "up" },
            uptime * 100.0,
            state.probes
        );
        let target = check.name.clone();
        check.metrics.push(
            Metric::new("uptime", uptime * 100.0)
                .unit(Unit::Percent)
                .min(0.0)
                .max(100.0)
                .prometheus("health_probe_uptime_ratio", &[("target", target.as_str())]),
        );
        change
    }
}

/// Applies one round of probes to the process's monitor (see [`Monitor::apply`]).
pub fn damp(report: &mut Report, damping: Damping) -> Vec<Change> {
    states()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .apply(report, damping, opskit::time::now_unix())
}

/// Appends changes to the JSON-lines history.
pub fn record(path: &Path, changes: &[Change]) -> std::io::Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    // A file written is output too: the names and reasons are cleaned as printed text is.
    let secrets = opskit::redact::secrets();
    for c in changes {
        let c = Change {
            target: secrets.clean(&c.target),
            reason: secrets.clean(&c.reason),
            ..c.clone()
        };
        let line = serde_json::to_string(&c).map_err(std::io::Error::other)?;
        writeln!(file, "{line}")?;
    }
    file.sync_data()
}

/// A report of state changes as checks (for the non-terminal watch output).
pub fn change_check(changes: &[Change]) -> Option<Check> {
    (!changes.is_empty()).then(|| {
        let text: Vec<String> = changes
            .iter()
            .map(|c| format!("{} is {}", c.target, c.state))
            .collect();
        Check::new("changes", Status::Ok, text.join("; "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(statuses: &[Status]) -> (Report, Vec<Change>) {
        let mut report = Report::new("t", "1");
        for (i, s) in statuses.iter().enumerate() {
            report.push(Check::new(format!("unit-test-{i}"), *s, "x"));
        }
        let changes = damp(
            &mut report,
            Damping {
                down_after: 3,
                up_after: 2,
            },
        );
        (report, changes)
    }

    #[test]
    fn flaps_are_damped() {
        use Status::{Critical as C, Ok as K};
        let mut seen = Vec::new();
        for s in [C, C, K, C, C, C, K, K, C] {
            let (report, changes) = round(&[s]);
            seen.push((report.checks[0].status, changes.len()));
        }
        assert_eq!(
            seen,
            [
                (Status::Warning, 0),
                (Status::Warning, 0),
                (K, 0),
                (Status::Warning, 0),
                (Status::Warning, 0),
                (C, 1),
                (C, 0),
                (K, 1),
                (Status::Warning, 0)
            ]
        );
    }
}
