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
    /// How long a target may take, all attempts included: `"10s"` (default 10s; a bare number
    /// is seconds).
    pub timeout: Option<opskit::duration::SpanArg>,
    /// Deprecated: `timeout` in milliseconds.
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
    /// The keys a target of this kind takes.
    pub const fn keys(self) -> &'static [&'static str] {
        match self {
            Kind::Sentry => &["dsn", "environment", "min_status", "links"],
            Kind::Slack => &["webhook_url", "min_status", "links"],
            Kind::Pagerduty => &["routing_key", "url", "min_status", "links"],
            Kind::Webhook => &["url", "headers", "min_status", "links"],
        }
    }

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

/// One target, by its `kind`: each kind has the keys it needs and no others, checked when
/// opskit.toml is read (a Slack target without `webhook_url`, or with a key of another kind,
/// is an error at its line and column, not at the first alert). A required key whose value is
/// empty ([`TargetConfig::unset_key`]) is a target not set up on this machine.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawTarget")]
pub enum TargetConfig {
    /// Sentry: events through the official SDK.
    Sentry(SentryTarget),
    /// A Slack incoming webhook.
    Slack(SlackTarget),
    /// PagerDuty Events API v2.
    Pagerduty(PagerDutyTarget),
    /// Any HTTP endpoint taking JSON.
    Webhook(WebhookTarget),
}

/// `kind = "sentry"`.
#[derive(Debug, Clone)]
pub struct SentryTarget {
    /// The project's DSN (`dsn = "${SENTRY_DSN}"`).
    pub dsn: String,
    /// The environment (`production`).
    pub environment: Option<String>,
    /// The least status that notifies: `warning` (the default) or `critical`.
    pub min_status: Option<MinStatus>,
    /// Links shown with every notification (`runbook`, `dashboard`).
    pub links: BTreeMap<String, String>,
}

/// `kind = "slack"`.
#[derive(Debug, Clone)]
pub struct SlackTarget {
    /// The incoming webhook URL (`webhook_url = "${SLACK_WEBHOOK_URL}"`).
    pub webhook_url: String,
    /// The least status that notifies: `warning` (the default) or `critical`.
    pub min_status: Option<MinStatus>,
    /// Links shown with every notification (`runbook`, `dashboard`).
    pub links: BTreeMap<String, String>,
}

/// `kind = "pagerduty"`.
#[derive(Debug, Clone)]
pub struct PagerDutyTarget {
    /// The integration's routing key (`routing_key = "${PAGERDUTY_ROUTING_KEY}"`).
    pub routing_key: String,
    /// Another Events API endpoint (the EU service region).
    pub url: Option<String>,
    /// The least status that notifies: `warning` (the default) or `critical`.
    pub min_status: Option<MinStatus>,
    /// Links shown with every notification (`runbook`, `dashboard`).
    pub links: BTreeMap<String, String>,
}

/// `kind = "webhook"`.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    /// Where to POST.
    pub url: String,
    /// Extra headers (`Authorization = "Bearer ${HOOK_TOKEN}"`).
    pub headers: BTreeMap<String, String>,
    /// The least status that notifies: `warning` (the default) or `critical`.
    pub min_status: Option<MinStatus>,
    /// Links shown with every notification (`runbook`, `dashboard`).
    pub links: BTreeMap<String, String>,
}

/// A target as opskit.toml writes it: every key any kind takes, each checked where it stands
/// (an unknown key, an unknown kind), then [`TargetConfig::try_from`] checks
/// that the kind has the keys it needs and no other kind's.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    kind: Kind,
    dsn: Option<String>,
    environment: Option<String>,
    webhook_url: Option<String>,
    routing_key: Option<String>,
    url: Option<String>,
    headers: Option<BTreeMap<String, String>>,
    min_status: Option<MinStatus>,
    #[serde(default)]
    links: BTreeMap<String, String>,
}

impl TryFrom<RawTarget> for TargetConfig {
    type Error = String;

    fn try_from(raw: RawTarget) -> Result<TargetConfig, String> {
        let kind = raw.kind.as_str();
        let needs = |value: Option<String>, key: &str| {
            value.ok_or_else(|| format!("a {kind} target needs `{key}`"))
        };
        // A key set here that this kind does not take (`Kind::keys` says which it takes).
        let foreign = [
            ("dsn", raw.dsn.is_some()),
            ("environment", raw.environment.is_some()),
            ("webhook_url", raw.webhook_url.is_some()),
            ("routing_key", raw.routing_key.is_some()),
            ("url", raw.url.is_some()),
            ("headers", raw.headers.is_some()),
        ]
        .into_iter()
        .find(|(key, set)| *set && !raw.kind.keys().contains(key));
        if let Some((key, _)) = foreign {
            return Err(format!(
                "`{key}` is not a key of a {kind} target (kind = \"{kind}\" takes {})",
                raw.kind.keys().join(", ")
            ));
        }
        Ok(match raw.kind {
            Kind::Sentry => TargetConfig::Sentry(SentryTarget {
                dsn: needs(raw.dsn, "dsn")?,
                environment: raw.environment,
                min_status: raw.min_status,
                links: raw.links,
            }),
            Kind::Slack => TargetConfig::Slack(SlackTarget {
                webhook_url: needs(raw.webhook_url, "webhook_url")?,
                min_status: raw.min_status,
                links: raw.links,
            }),
            Kind::Pagerduty => TargetConfig::Pagerduty(PagerDutyTarget {
                routing_key: needs(raw.routing_key, "routing_key")?,
                url: raw.url,
                min_status: raw.min_status,
                links: raw.links,
            }),
            Kind::Webhook => TargetConfig::Webhook(WebhookTarget {
                url: needs(raw.url, "url")?,
                headers: raw.headers.unwrap_or_default(),
                min_status: raw.min_status,
                links: raw.links,
            }),
        })
    }
}

impl TargetConfig {
    /// The required key whose value is empty, if one is: `webhook_url = "${SLACK_WEBHOOK_URL:-}"`
    /// on a machine without the variable. Such a target loads (the others keep working) and
    /// says so when it is used.
    pub fn unset_key(&self) -> Option<&'static str> {
        let (key, value) = match self {
            TargetConfig::Sentry(t) => ("dsn", &t.dsn),
            TargetConfig::Slack(t) => ("webhook_url", &t.webhook_url),
            TargetConfig::Pagerduty(t) => ("routing_key", &t.routing_key),
            TargetConfig::Webhook(t) => ("url", &t.url),
        };
        value.trim().is_empty().then_some(key)
    }

    /// Which kind.
    pub const fn kind(&self) -> Kind {
        match self {
            TargetConfig::Sentry(_) => Kind::Sentry,
            TargetConfig::Slack(_) => Kind::Slack,
            TargetConfig::Pagerduty(_) => Kind::Pagerduty,
            TargetConfig::Webhook(_) => Kind::Webhook,
        }
    }

    /// `min_status`.
    pub fn min_status(&self) -> MinStatus {
        match self {
            TargetConfig::Sentry(t) => t.min_status,
            TargetConfig::Slack(t) => t.min_status,
            TargetConfig::Pagerduty(t) => t.min_status,
            TargetConfig::Webhook(t) => t.min_status,
        }
        .unwrap_or_default()
    }

    /// `links`.
    pub fn links(&self) -> &BTreeMap<String, String> {
        match self {
            TargetConfig::Sentry(t) => &t.links,
            TargetConfig::Slack(t) => &t.links,
            TargetConfig::Pagerduty(t) => &t.links,
            TargetConfig::Webhook(t) => &t.links,
        }
    }
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
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorConfig {
    /// A crontab schedule: `0 3 * * *`.
    pub schedule: Option<String>,
    /// How late a check-in may be before it counts as missed: `"5m"` (a bare number is
    /// minutes for this release, as Sentry counts them).
    pub checkin_margin: Option<opskit::duration::SpanArg>,
    /// How long a run may stay in progress before it counts as failed: `"30m"`.
    pub max_runtime: Option<opskit::duration::SpanArg>,
    /// The schedule's time zone (`UTC`, `Europe/Berlin`).
    pub timezone: Option<String>,
    /// Which results make the check-in `error` (`unknown`, `critical`, `warning`) (default: unknown).
    pub fail_on: Option<opskit::cli::CronFailOn>,
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
        // `20/h` is one hour; units as every duration of opskit (`10m`, `1h`, `1d`).
        let window = if window.starts_with(|c: char| c.is_ascii_alphabetic()) {
            format!("1{window}")
        } else {
            window.to_owned()
        };
        let window: opskit::duration::Span =
            window.replace("min", "m").parse().map_err(|_| bad())?;
        if count == 0 || window.is_zero() {
            return Err(bad());
        }
        Ok(RateLimit {
            count,
            window: window.duration(),
        })
    }
}

/// A `[notify]` setting that cannot be used: an unknown target name, a malformed rate limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotifyConfigError(String);

/// The message, for the internal code that reports failures as lines of text.
impl From<NotifyConfigError> for String {
    fn from(e: NotifyConfigError) -> String {
        e.0
    }
}

impl NotifyConfig {
    /// The rate limit.
    pub fn rate_limit(&self) -> Result<RateLimit, NotifyConfigError> {
        self.rate_limit_text().map_err(NotifyConfigError)
    }

    fn rate_limit_text(&self) -> Result<RateLimit, String> {
        self.rate_limit
            .as_deref()
            .map_or(Ok(RateLimit::default()), str::parse)
    }

    /// The time a target may take.
    pub fn timeout(&self) -> Duration {
        let given = match (self.timeout, self.timeout_ms) {
            (Some(t), _) => t.span(opskit::duration::Unit::Seconds).duration(),
            (None, Some(ms)) => Duration::from_millis(ms),
            (None, None) => Duration::from_secs(10),
        };
        given.max(Duration::from_millis(100))
    }

    /// The deprecation note for `timeout_ms`, when the file still uses it.
    pub fn notes(&self) -> Vec<String> {
        match (self.timeout, self.timeout_ms) {
            (None, Some(ms)) => vec![format!(
                "`timeout_ms = {ms}` in [notify] is deprecated and goes in the next release; write `timeout = \"{}\"`",
                opskit::duration::Span::from_millis(ms)
            )],
            _ => Vec::new(),
        }
    }

    /// A target by name, or an error listing the names there are.
    pub fn target(&self, name: &str) -> Result<&TargetConfig, NotifyConfigError> {
        self.target_text(name).map_err(NotifyConfigError)
    }

    fn target_text(&self, name: &str) -> Result<&TargetConfig, String> {
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

    fn load(targets: &str) -> Result<NotifyConfig, String> {
        let text = format!("[notify.targets.oncall]\n{targets}\n");
        let config = opskit::config::Config::parse("/app/opskit.toml", &text).unwrap();
        config
            .section::<NotifyConfig>("notify", &|_| None)
            .map(Option::unwrap_or_default)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn targets_are_checked_when_they_are_read_at_their_line() {
        let t = load("kind = \"slack\"\nwebhook_url = \"https://hooks.slack.com/x\"").unwrap();
        let target = t.target("oncall").unwrap();
        assert_eq!(target.kind(), Kind::Slack);
        assert_eq!(target.min_status(), MinStatus::Warning);
        assert_eq!(target.unset_key(), None);
        let t = load("kind = \"pagerduty\"\nrouting_key = \"\"").unwrap();
        assert_eq!(t.target("oncall").unwrap().unset_key(), Some("routing_key"));
        for (text, error) in [
            (
                "kind = \"slack\"",
                "/app/opskit.toml:1:1: in [notify]: a slack target needs `webhook_url`",
            ),
            (
                "kind = \"slack\"\nwebhok_url = \"x\"",
                "/app/opskit.toml:3:1: unknown key `webhok_url` in [notify]; did you mean `webhook_url`? (valid keys: kind, dsn, environment, webhook_url, routing_key, url, headers, min_status, links)",
            ),
            (
                "kind = \"slack\"\nwebhook_url = \"https://h\"\nrouting_key = \"k\"",
                "/app/opskit.toml:1:1: in [notify]: `routing_key` is not a key of a slack target (kind = \"slack\" takes webhook_url, min_status, links)",
            ),
            (
                "kind = \"teams\"",
                "/app/opskit.toml:2:8: `kind` in [notify]: unknown variant `teams`, expected one of `sentry`, `slack`, `pagerduty`, `webhook`",
            ),
        ] {
            assert_eq!(load(text).unwrap_err(), error, "{text}");
        }
    }

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
