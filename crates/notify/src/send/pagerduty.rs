//! PagerDuty: Events API v2 `trigger` and `resolve` events.

use opskit::Status;
use serde_json::{Value, json};

use super::{Delivery, now_rfc3339, truncate};

/// PagerDuty Events API v2: one event per change, `trigger` for a problem and `resolve` for a
/// recovery, tied by the dedup key.
pub fn pagerduty_events(d: &Delivery<'_>, routing_key: &str, host: &str) -> Vec<Value> {
    d.changes
        .iter()
        .map(|c| {
            if c.is_recovery() || !d.target.min_status().admits(c.current) {
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
                    .links()
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
