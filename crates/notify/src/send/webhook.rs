//! Any HTTP endpoint taking JSON: one body with every change.

use serde_json::{Value, json};

use super::{Delivery, headline, now_rfc3339};

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
        "links": d.target.links(),
    })
}
