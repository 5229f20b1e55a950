//! Delivering: one JSON POST with bounded retries inside a deadline, the payloads for Slack,
//! PagerDuty and webhooks, and all targets at once so a slow one delays nobody.
//!
//! A target's URL is never shown (a Slack webhook URL is itself a secret): errors name the
//! target and the host only.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use opskit::Status;
use serde_json::{Value, json};

use crate::config::{Kind, TargetConfig};
use crate::state::Change;

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

fn now_rfc3339() -> String {
    opskit::cli::utc_timestamp(opskit::time::now_unix())
}

/// The host of a URL, for messages.
pub fn url_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_owned()
}

/// POSTs `body` as JSON; retries a network error, a 5xx or a 429 (waiting Retry-After when it
/// fits) with doubling backoff, never past `deadline`. Returns the status and the body's start.
pub fn post_json(
    url: &str,
    headers: &BTreeMap<String, String>,
    body: &Value,
    retries: u32,
    deadline: Instant,
) -> Result<(u16, String), String> {
    let host = url_host(url);
    let payload = body.to_string();
    let mut backoff = Duration::from_millis(500);
    let mut attempt = 0u32;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!("{host}: no answer within the time limit"));
        }
        let options = opskit::http::HttpOptions {
            timeout: left,
            connect_timeout: left.min(Duration::from_secs(5)),
            max_body: 64 * 1024,
        };
        let agent = opskit::http::agent(&options);
        let mut request = agent.post(url).header("Content-Type", "application/json");
        for (k, v) in headers {
            request = request.header(k.as_str(), v.as_str());
        }
        let (retry, wait, error) = match request.send(payload.as_bytes()) {
            Ok(mut response) => {
                let status = response.status().as_u16();
                // What a target answers is only shown (200 characters of it); a body that
                // cannot be read, or is over the limit, still leaves the status to judge by.
                let text = opskit::http::read_body(&mut response, &options)
                    .unwrap_or_else(|e| format!("({e})"));
                if status < 300 {
                    return Ok((status, text.chars().take(300).collect()));
                }
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let error = format!(
                    "{host} answered {status}: {}",
                    opskit::render::one_line(&text.chars().take(200).collect::<String>())
                );
                (status == 429 || status >= 500, retry_after, error)
            }
            Err(ureq::Error::Timeout(_)) => (
                true,
                None,
                format!("{host}: no answer within the time limit"),
            ),
            Err(e) => (true, None, format!("{host}: {e}")),
        };
        if !retry || attempt >= retries {
            return Err(error);
        }
        let wait = wait.unwrap_or(backoff);
        if Instant::now() + wait >= deadline {
            return Err(format!("{error} (no time left to retry)"));
        }
        std::thread::sleep(wait);
        backoff *= 2;
        attempt += 1;
    }
}

/// The emoji and word of a status for chat.
fn badge(status: Status) -> &'static str {
    match status {
        Status::Ok => ":large_green_circle: OK",
        Status::Warning => ":large_yellow_circle: WARNING",
        Status::Critical => ":red_circle: CRITICAL",
        Status::Unknown => ":white_circle: UNKNOWN",
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut t: String = text.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The worst status among the changes (OK when all recovered).
fn headline(changes: &[&Change]) -> Status {
    Status::worst_of(changes.iter().map(|c| c.current))
}

/// Slack's Block Kit message: a header with the worst status, one section per change with its
/// summary and worst findings, the host and time, buttons for the target's links.
pub fn slack_payload(d: &Delivery<'_>, host: &str) -> Value {
    let worst = headline(&d.changes);
    let title = if worst == Status::Ok {
        format!("{}: {} recovered", badge(Status::Ok), d.tool)
    } else {
        format!("{}: {}", badge(worst), d.tool)
    };
    let mut blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(&title, 150), "emoji": true}
    })];
    for c in d.changes.iter().take(20) {
        let mut text = format!(
            "{} *{}*: {} → {}\n{}",
            badge(c.current).split(' ').next().unwrap_or_default(),
            c.check,
            c.previous,
            c.current,
            c.summary
        );
        for f in c.findings.iter().take(3) {
            text.push_str("\n• ");
            text.push_str(f);
        }
        blocks.push(
            json!({"type": "section", "text": {"type": "mrkdwn", "text": truncate(&text, 2900)}}),
        );
    }
    let mut context = format!("{host} · {}", now_rfc3339());
    if d.changes.len() > 20 {
        let _ = write!(
            context,
            " · {} more changes not shown",
            d.changes.len() - 20
        );
    }
    if d.suppressed > 0 {
        let _ = write!(
            context,
            " · {} notification(s) dropped by the rate limit before this one",
            d.suppressed
        );
    }
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]}));
    let buttons: Vec<Value> = d
        .target
        .links
        .iter()
        .take(5)
        .map(|(label, url)| json!({"type": "button", "text": {"type": "plain_text", "text": truncate(label, 75)}, "url": url}))
        .collect();
    if !buttons.is_empty() {
        blocks.push(json!({"type": "actions", "elements": buttons}));
    }
    let fallback = d
        .changes
        .iter()
        .map(|c| c.line())
        .collect::<Vec<_>>()
        .join("\n");
    json!({"text": truncate(&fallback, 3000), "blocks": blocks})
}

/// PagerDuty Events API v2: one event per change, `trigger` for a problem and `resolve` for a
/// recovery, tied by the dedup key.
pub fn pagerduty_events(d: &Delivery<'_>, routing_key: &str, host: &str) -> Vec<Value> {
    d.changes
        .iter()
        .map(|c| {
            if c.is_recovery() || !d.target.min_status.unwrap_or_default().admits(c.current) {
                json!({"routing_key": routing_key, "event_action": "resolve", "dedup_key": c.dedup_key()})
            } else {
                let severity = match c.current {
                    Status::Critical => "critical",
                    Status::Unknown => "error",
                    Status::Warning => "warning",
                    Status::Ok => "info",
                };
                let links: Vec<Value> = d
                    .target
                    .links
                    .iter()
                    .map(|(text, href)| json!({"href": href, "text": text}))
                    .collect();
                json!({
                    "routing_key": routing_key,
                    "event_action": "trigger",
                    "dedup_key": c.dedup_key(),
                    "client": "opskit",
                    "payload": {
                        "summary": truncate(&format!("{} {}: {}: {}", c.current, c.tool, c.check, c.summary), 1024),
                        "source": host,
                        "severity": severity,
                        "timestamp": now_rfc3339(),
                        "component": c.check,
                        "group": c.tool,
                        "class": c.current.as_str(),
                        "custom_details": {
                            "previous": c.previous.as_str(),
                            "findings": c.findings,
                            "suppressed_before": d.suppressed,
                        }
                    },
                    "links": links,
                })
            }
        })
        .collect()
}

/// The generic webhook's body.
pub fn webhook_payload(d: &Delivery<'_>, host: &str) -> Value {
    let changes: Vec<Value> = d
        .changes
        .iter()
        .map(|c| {
            json!({
                "kind": if c.is_recovery() { "resolve" } else { "alert" },
                "check": c.check,
                "previous": c.previous.as_str(),
                "status": c.current.as_str(),
                "summary": c.summary,
                "findings": c.findings,
                "dedup_key": c.dedup_key(),
            })
        })
        .collect();
    json!({
        "source": "opskit",
        "tool": d.tool,
        "host": host,
        "time": now_rfc3339(),
        "status": headline(&d.changes).as_str(),
        "changes": changes,
        "suppressed": d.suppressed,
        "links": d.target.links,
    })
}

/// Sends one delivery. `Ok` carries a short description of what was sent.
pub fn deliver(d: &Delivery<'_>, limits: Limits) -> Result<String, String> {
    let deadline = Instant::now() + limits.timeout;
    let host = host();
    let need = |v: &Option<String>, key: &str| {
        v.clone().filter(|s| !s.is_empty()).ok_or_else(|| {
            format!(
                "[notify.targets.{}] (kind = \"{}\") needs {key}",
                d.name,
                d.target.kind.as_str()
            )
        })
    };
    match d.target.kind {
        Kind::Slack => {
            let url = need(&d.target.webhook_url, "webhook_url")?;
            post_json(
                &url,
                &BTreeMap::new(),
                &slack_payload(d, &host),
                limits.retries,
                deadline,
            )
            .map(|_| format!("{} change(s) posted to Slack", d.changes.len()))
        }
        Kind::Pagerduty => {
            let key = need(&d.target.routing_key, "routing_key")?;
            let url = d
                .target
                .url
                .clone()
                .unwrap_or_else(|| "https://events.pagerduty.com/v2/enqueue".to_owned());
            let mut sent = 0;
            for event in pagerduty_events(d, &key, &host) {
                post_json(&url, &BTreeMap::new(), &event, limits.retries, deadline)?;
                sent += 1;
            }
            Ok(format!("{sent} PagerDuty event(s)"))
        }
        Kind::Webhook => {
            let url = need(&d.target.url, "url")?;
            post_json(
                &url,
                &d.target.headers,
                &webhook_payload(d, &host),
                limits.retries,
                deadline,
            )
            .map(|(status, _)| format!("webhook answered {status}"))
        }
        Kind::Sentry => crate::sentry::send_changes(d, limits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_hide_paths_and_credentials() {
        assert_eq!(
            url_host("https://hooks.slack.com/services/T000/B000/XXXX"),
            "hooks.slack.com"
        );
        assert_eq!(
            url_host("https://user:pw@example.com:8443/x?y"),
            "example.com:8443"
        );
    }
}
