//! `[notify]` in opskit.toml: the named targets, the state file, the limits, the Crons
//! monitors.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use opskit::Status;
use serde::Deserialize;

/// The section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// Targets by name: `[notify.targets.oncall]`.
    #[serde(default)]
    pub targets: BTreeMap<String, TargetConfig>,
    /// Where the last statuses and the sending history are kept.
    pub state_file: Option<PathBuf>,
    /// At most this many notifications per target and window: `20/1h`, `5/10m` [20/1h].
    pub rate_limit: Option<String>,
    /// Milliseconds a target may take, all attempts included (default 10000).
    pub timeout_ms: Option<u64>,
    /// Extra attempts after a network error, a 5xx or a 429 (default 2).
    pub retries: Option<u32>,
    /// The Sentry target that `--cron-monitor` check-ins go to [the only sentry target, else
    /// SENTRY_DSN].
    pub cron_target: Option<String>,
    /// Crons monitors by slug, with the schedule sent on each check-in so Sentry creates and
    /// updates the monitor.
    #[serde(default)]
    pub monitors: BTreeMap<String, MonitorConfig>,
}

/// Where notifications go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Sentry: events through the official SDK.
    Sentry,
    /// A Slack incoming webhook.
    Slack,
    /// PagerDuty Events API v2.
    Pagerduty,
    /// Any HTTP endpoint taking JSON.
    Webhook,
}

impl Kind {
    /// As in opskit.toml.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Sentry => "sentry",
            Kind::Slack => "slack",
            Kind::Pagerduty => "pagerduty",
            Kind::Webhook => "webhook",
        }
    }
}

/// One target.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    /// sentry, slack, pagerduty or webhook.
    pub kind: Kind,
    /// Sentry: the project's DSN (`dsn = "${SENTRY_DSN}"`).
    pub dsn: Option<String>,
    /// Sentry: the environment (`production`).
    pub environment: Option<String>,
    /// Slack: the incoming webhook URL (`webhook_url = "${SLACK_WEBHOOK_URL}"`).
    pub webhook_url: Option<String>,
    /// PagerDuty: the integration's routing key (`routing_key = "${PAGERDUTY_ROUTING_KEY}"`).
    pub routing_key: Option<String>,
    /// Webhook: where to POST; PagerDuty: another Events API endpoint (the EU service region).
    pub url: Option<String>,
    /// Webhook: extra headers (`Authorization = "Bearer ${HOOK_TOKEN}"`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The least status that notifies: `warning` (every problem, the default) or `critical`
    /// (CRITICAL and UNKNOWN only: what should wake someone up).
    pub min_status: Option<MinStatus>,
    /// Links shown with every notification: `{ runbook = "https://...", dashboard = "..." }`.
    #[serde(default)]
    pub links: BTreeMap<String, String>,
}

/// `min_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MinStatus {
    /// Any problem.
    #[default]
    Warning,
    /// CRITICAL and UNKNOWN.
    Critical,
}

impl MinStatus {
    /// Whether a status is at least this level.
    pub const fn admits(self, status: Status) -> bool {
        match self {
            MinStatus::Warning => status.is_problem(),
            MinStatus::Critical => matches!(status, Status::Critical | Status::Unknown),
        }
    }
}

/// A Crons monitor's configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorConfig {
    /// A crontab schedule: `0 3 * * *`.
    pub schedule: Option<String>,
    /// Minutes after the expected time before a check-in counts as missed.
    pub checkin_margin: Option<u64>,
    /// Minutes a run may stay in progress before it counts as failed.
    pub max_runtime: Option<u64>,
    /// The schedule's time zone (`UTC`, `Europe/Berlin`).
    pub timezone: Option<String>,
}

/// Notifications per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// How many.
    pub count: u32,
    /// Per how long.
    pub window: Duration,
}

impl Default for RateLimit {
    fn default() -> RateLimit {
        RateLimit {
            count: 20,
            window: Duration::from_hours(1),
        }
    }
}

impl std::str::FromStr for RateLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<RateLimit, String> {
        let bad = || format!("rate_limit `{text}`: write COUNT/WINDOW, for example 20/1h or 5/10m");
        let (count, window) = text.split_once('/').ok_or_else(bad)?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        let window = window.trim();
        let (number, unit) = window.split_at(
            window
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(window.len()),
        );
        let number: u64 = if number.is_empty() {
            1
        } else {
            number.parse().map_err(|_| bad())?
        };
        let secs = match unit {
            "s" => 1,
            "m" | "min" => 60,
            "h" | "" => 3600,
            "d" => 86_400,
            _ => return Err(bad()),
        };
        if count == 0 || number == 0 {
            return Err(bad());
        }
        Ok(RateLimit {
            count,
            window: Duration::from_secs(number * secs),
        })
    }
}

impl NotifyConfig {
    /// The rate limit.
    pub fn rate_limit(&self) -> Result<RateLimit, String> {
        self.rate_limit
            .as_deref()
            .map_or(Ok(RateLimit::default()), str::parse)
    }

    /// The time a target may take.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.unwrap_or(10_000).max(100))
    }

    /// A target by name, or an error listing the names there are.
    pub fn target(&self, name: &str) -> Result<&TargetConfig, String> {
        self.targets.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.targets.keys().map(String::as_str).collect();
            let hint = opskit::config::closest(name, known.iter().copied())
                .map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
            if known.is_empty() {
                format!(
                    "no notify target `{name}`: opskit.toml has no [notify.targets.{name}] (see docs/notify.md)"
                )
            } else {
                format!(
                    "no notify target `{name}`{hint}; [notify.targets] has {}",
                    known.join(", ")
                )
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits() {
        let r: RateLimit = "5/10m".parse().unwrap();
        assert_eq!((r.count, r.window), (5, Duration::from_mins(10)));
        let r: RateLimit = "20/h".parse().unwrap();
        assert_eq!(r.window, Duration::from_hours(1));
        assert!("0/1h".parse::<RateLimit>().is_err());
        assert!("ten".parse::<RateLimit>().is_err());
        assert!("5/1y".parse::<RateLimit>().is_err());
    }

    #[test]
    fn min_status() {
        assert!(MinStatus::Warning.admits(Status::Unknown));
        assert!(!MinStatus::Warning.admits(Status::Ok));
        assert!(!MinStatus::Critical.admits(Status::Warning));
        assert!(MinStatus::Critical.admits(Status::Unknown));
    }
}
