//! Slack: a Block Kit message for an incoming webhook.

use std::fmt::Write as _;

use opskit::Status;
use serde_json::{Value, json};

use super::{Delivery, badge, headline, now_rfc3339, truncate};

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
        .links()
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
