//! Delivering: one JSON POST with bounded retries inside a deadline ([`http`]), the payload of
//! each kind of target (one module each: [`slack`], [`pagerduty`], [`webhook`]; Sentry's is
//! `crate::sentry`), and all targets at once so a slow one delays nobody.
//!
//! A target's URL is never shown (a Slack webhook URL is itself a secret): errors name the
//! target and the host only.

use std::time::Duration;

use opskit::Status;

use crate::config::TargetConfig;
use crate::state::Change;

pub mod http;
pub mod pagerduty;
pub mod slack;
pub mod webhook;

pub use http::{post_json, url_host};
pub use pagerduty::pagerduty_events;
pub use slack::slack_payload;
pub use webhook::webhook_payload;

/// A delivery that failed: the target, the host and the cause (never the URL, which may be a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DeliveryError(String);

/// The message, for the internal code that reports failures as lines of text.
impl From<DeliveryError> for String {
    fn from(e: DeliveryError) -> String {
        e.0
    }
}

/// What one target gets from one run.
#[derive(Debug, Clone)]
pub struct Delivery<'a> {
    /// The target's name.
    pub name: String,
    /// Its configuration (references resolved).
    pub target: TargetConfig,
    /// The tool whose checks changed.
    pub tool: String,
    /// Alerts and resolves for this target.
    pub changes: Vec<&'a Change>,
    /// Notifications the rate limit dropped before this one.
    pub suppressed: u64,
}

/// Limits of one delivery.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The whole delivery, all attempts.
    pub timeout: Duration,
    /// Extra attempts.
    pub retries: u32,
}

/// This machine's name, for "where did this come from".
pub fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown-host".to_owned())
}

/// The emoji and word of a status for chat.
pub(crate) fn badge(status: Status) -> &'static str {
    match status {
        Status::Ok => ":large_green_circle: OK",
        Status::Warning => ":large_yellow_circle: WARNING",
        Status::Critical => ":red_circle: CRITICAL",
        Status::Unknown => ":white_circle: UNKNOWN",
    }
}

pub(crate) use opskit::render::cut as truncate;

/// The worst status among the changes (OK when all recovered).
pub(crate) fn headline(changes: &[&Change]) -> Status {
    Status::worst_of(changes.iter().map(|c| c.current))
}

/// The time now, as the payloads show it.
pub(crate) fn now_rfc3339() -> String {
    opskit::time::utc_timestamp(opskit::time::now_unix())
}

/// Sends one delivery. `Ok` carries a short description of what was sent.
pub fn deliver(d: &Delivery<'_>, limits: Limits) -> Result<String, DeliveryError> {
    deliver_text(d, limits).map_err(DeliveryError)
}

fn deliver_text(d: &Delivery<'_>, limits: Limits) -> Result<String, String> {
    if let Some(key) = d.target.unset_key() {
        return Err(format!(
            "[notify.targets.{}] (kind = \"{}\") needs {key}: it is empty here (is the variable it references set?)",
            d.name,
            d.target.kind().as_str()
        ));
    }
    let deadline = opskit::deadline::Deadline::new(
        limits.timeout,
        limits.timeout.min(std::time::Duration::from_secs(5)),
    );
    let host = host();
    let none = std::collections::BTreeMap::new();
    match &d.target {
        TargetConfig::Slack(t) => http::post_json_text(
            &t.webhook_url,
            &none,
            &slack_payload(d, &host),
            limits.retries,
            &deadline,
        )
        .map(|_| format!("{} change(s) posted to Slack", d.changes.len())),
        TargetConfig::Pagerduty(t) => {
            let url = t
                .url
                .as_deref()
                .unwrap_or("https://events.pagerduty.com/v2/enqueue");
            opskit::redact::secrets().register(&t.routing_key);
            let mut sent = 0;
            for event in pagerduty_events(d, &t.routing_key, &host) {
                http::post_json_text(url, &none, &event, limits.retries, &deadline)?;
                sent += 1;
            }
            Ok(format!("{sent} PagerDuty event(s)"))
        }
        TargetConfig::Webhook(t) => http::post_json_text(
            &t.url,
            &t.headers,
            &webhook_payload(d, &host),
            limits.retries,
            &deadline,
        )
        .map(|(status, _)| format!("webhook answered {status}")),
        TargetConfig::Sentry(t) => {
            crate::sentry::send_changes(d, t, limits).map_err(|e| e.to_string())
        }
    }
}
