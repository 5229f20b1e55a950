//! The state between runs: the status each target was last told about for each check (so only
//! changes notify, and a notification that failed is tried again at the next run), and each
//! target's recent sends (for the rate limit). One small JSON file, written atomically.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use opskit::Status;
use opskit::report::Report;
use serde::{Deserialize, Serialize};

use crate::config::RateLimit;

/// The status a target was last told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// The status.
    pub status: Status,
    /// Since when (Unix seconds).
    pub since: u64,
}

/// A target's recent sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// Unix seconds of the sends in the current window.
    #[serde(default)]
    pub at: Vec<u64>,
    /// Notifications dropped by the rate limit since the last one sent.
    #[serde(default)]
    pub suppressed: u64,
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// `target:tool/check` -> the status the target was last told about.
    #[serde(default)]
    pub checks: BTreeMap<String, Seen>,
    /// target name -> recent sends.
    #[serde(default)]
    pub sent: BTreeMap<String, Sent>,
}

/// Where the state lives when nothing says: `$XDG_STATE_HOME/opskit/notify-state.json`, else
/// `~/.local/state/opskit/notify-state.json`, else `.opskit-notify-state.json` here.
pub fn default_path(var: &dyn Fn(&str) -> Option<String>, cwd: &Path) -> PathBuf {
    if let Some(dir) = var("XDG_STATE_HOME").filter(|d| !d.is_empty()) {
        return Path::new(&dir).join("opskit/notify-state.json");
    }
    if let Some(home) = var("HOME").filter(|d| !d.is_empty()) {
        return Path::new(&home).join(".local/state/opskit/notify-state.json");
    }
    cwd.join(".opskit-notify-state.json")
}

/// The state file cannot be read, locked or written, or is damaged (it is never reset silently: that would send every alert again).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StateError(String);

/// The message, for the internal code that reports failures as lines of text.
impl From<StateError> for String {
    fn from(e: StateError) -> String {
        e.0
    }
}

impl State {
    /// Reads the state; a missing file is an empty state, a damaged one is an error (it is
    /// not silently reset: that would re-send every alert).
    pub fn load(path: &Path) -> Result<State, StateError> {
        Self::load_text(path).map_err(StateError)
    }

    fn load_text(path: &Path) -> Result<State, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                format!(
                    "the notify state {} is damaged ({e}); delete it to start afresh",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(format!(
                "cannot read the notify state {}: {e}",
                path.display()
            )),
        }
    }

    /// Writes it atomically, creating the directory.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        self.save_text(path).map_err(StateError)
    }

    fn save_text(&self, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        opskit::fs::write_atomic(path, text.as_bytes())
            .map_err(|e| format!("cannot write the notify state {}: {e}", path.display()))
    }

    /// Writes what this run changed (against `before`, the state it loaded) into the file as
    /// it is now, under an exclusive lock: two monitors started by the same cron minute do not
    /// lose each other's records.
    pub fn save_merged(&self, before: &State, path: &Path) -> Result<(), StateError> {
        self.save_merged_text(before, path).map_err(StateError)
    }

    fn save_merged_text(&self, before: &State, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let mut lock_name = path.as_os_str().to_owned();
        lock_name.push(".lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_name)
            .and_then(|f| f.lock().map(|()| f))
            .map_err(|e| format!("cannot lock the notify state {}: {e}", path.display()))?;
        let mut latest = State::load(path)?;
        for (key, seen) in &self.checks {
            if before.checks.get(key) != Some(seen) {
                latest.checks.insert(key.clone(), *seen);
            }
        }
        for (target, sent) in &self.sent {
            if before.sent.get(target) != Some(sent) {
                // The sends this run added: ours minus those we loaded (as a multiset: two sends
                // in the same second are two).
                let mut known = before
                    .sent
                    .get(target)
                    .map(|s| s.at.clone())
                    .unwrap_or_default();
                let mut added = Vec::new();
                for at in &sent.at {
                    match known.iter().position(|k| k == at) {
                        Some(i) => {
                            known.swap_remove(i);
                        }
                        None => added.push(*at),
                    }
                }
                let entry = latest.sent.entry(target.clone()).or_default();
                entry.at.extend(added);
                entry.suppressed = sent.suppressed;
            }
        }
        let saved = latest.save_text(path);
        drop(lock);
        saved
    }

    /// What changed for `target`: the checks whose status differs from what the target was
    /// last told (a check it was never told about counts as OK).
    pub fn changes(&self, target: &str, tool: &str, report: &Report) -> Vec<Change> {
        let mut out = Vec::new();
        for check in &report.checks {
            let key = format!("{target}:{tool}/{}", check.name);
            let previous = self.checks.get(&key).map_or(Status::Ok, |s| s.status);
            if previous != check.status {
                let mut findings: Vec<&opskit::report::Finding> = check.findings.iter().collect();
                findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
                out.push(Change {
                    tool: tool.to_owned(),
                    check: check.name.clone(),
                    previous,
                    current: check.status,
                    summary: check.summary.clone(),
                    findings: findings
                        .iter()
                        .take(5)
                        .map(|f| format!("{} {}", f.rule, f.message))
                        .collect(),
                });
            }
        }
        out
    }

    /// Records that `target` now knows of `change` (it was delivered, or needed no message).
    pub fn record(&mut self, target: &str, change: &Change, now: u64) {
        self.checks.insert(
            format!("{target}:{}/{}", change.tool, change.check),
            Seen {
                status: change.current,
                since: now,
            },
        );
    }

    /// Whether `target` may send now under `limit`; records the send when it may, counts a
    /// suppression when it may not. Returns `(allowed, suppressed before this one)`.
    pub fn admit(&mut self, target: &str, limit: RateLimit, now: u64) -> (bool, u64) {
        let sent = self.sent.entry(target.to_owned()).or_default();
        let window = limit.window.as_secs();
        sent.at.retain(|t| now.saturating_sub(*t) < window);
        if sent.at.len() >= limit.count as usize {
            sent.suppressed += 1;
            return (false, sent.suppressed);
        }
        sent.at.push(now);
        let suppressed = std::mem::take(&mut sent.suppressed);
        (true, suppressed)
    }
}

/// A check whose status changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The tool.
    pub tool: String,
    /// The check (a queue, a target, a backup measure).
    pub check: String,
    /// Its status at the previous run.
    pub previous: Status,
    /// Its status now.
    pub current: Status,
    /// The check's summary.
    pub summary: String,
    /// Its worst findings: `CODE message`.
    pub findings: Vec<String>,
}

impl Change {
    /// It recovered: a resolve, not an alert.
    pub fn is_recovery(&self) -> bool {
        self.current == Status::Ok
    }

    /// The key that ties an alert to its resolve (PagerDuty's dedup key, Sentry's fingerprint).
    pub fn dedup_key(&self) -> String {
        format!("opskit/{}/{}", self.tool, self.check)
    }

    /// One line: `queue-depth agent-tasks: OK -> CRITICAL: depth 1203 > 1000`.
    pub fn line(&self) -> String {
        format!(
            "{} {}: {} -> {}: {}",
            self.tool, self.check, self.previous, self.current, self.summary
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opskit::report::Check;

    fn report(statuses: &[(&str, Status)]) -> Report {
        let mut r = Report::new("queue-depth", "0");
        for (name, s) in statuses {
            r.push(Check::new(*name, *s, format!("{name} is {s}")));
        }
        r
    }

    #[test]
    fn only_changes_count_and_failed_deliveries_are_retried() {
        let mut state = State::default();
        assert!(
            state
                .changes("t", "q", &report(&[("a", Status::Ok)]))
                .is_empty()
        );
        let c = state.changes(
            "t",
            "q",
            &report(&[("a", Status::Critical), ("b", Status::Ok)]),
        );
        assert_eq!(c.len(), 1);
        assert_eq!(
            (c[0].previous, c[0].current),
            (Status::Ok, Status::Critical)
        );
        // Not recorded (the delivery failed): the next run tries again.
        assert_eq!(
            state
                .changes("t", "q", &report(&[("a", Status::Critical)]))
                .len(),
            1
        );
        state.record("t", &c[0], 1);
        assert!(
            state
                .changes("t", "q", &report(&[("a", Status::Critical)]))
                .is_empty()
        );
        // Another target has its own view.
        assert_eq!(
            state
                .changes("u", "q", &report(&[("a", Status::Critical)]))
                .len(),
            1
        );
        let c = state.changes("t", "q", &report(&[("a", Status::Ok)]));
        assert!(c[0].is_recovery());
        assert_eq!(c[0].dedup_key(), "opskit/q/a");
    }

    #[test]
    fn concurrent_runs_keep_each_others_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let before = State::load(&path).unwrap();
        let (mut a, mut b) = (before.clone(), before.clone());
        let change = |check: &str| Change {
            tool: "t".into(),
            check: check.into(),
            previous: Status::Ok,
            current: Status::Critical,
            summary: String::new(),
            findings: Vec::new(),
        };
        a.record("slack", &change("queue"), 1);
        b.record("slack", &change("frontend"), 1);
        a.save_merged(&before, &path).unwrap();
        b.save_merged(&before, &path).unwrap();
        let merged = State::load(&path).unwrap();
        assert_eq!(merged.checks.len(), 2, "{merged:?}");
    }

    #[test]
    fn rate_limit_counts_suppressed() {
        let mut state = State::default();
        let limit = RateLimit {
            count: 2,
            window: std::time::Duration::from_mins(1),
        };
        assert_eq!(state.admit("t", limit, 0), (true, 0));
        assert_eq!(state.admit("t", limit, 1), (true, 0));
        assert_eq!(state.admit("t", limit, 2), (false, 1));
        assert_eq!(state.admit("t", limit, 3), (false, 2));
        assert_eq!(state.admit("t", limit, 61), (true, 2));
    }
}
