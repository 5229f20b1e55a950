//! Stand-ins for the notification services that cannot run here: Sentry's envelope endpoint,
//! Slack incoming webhooks and PagerDuty's Events API v2. Each is an [`HttpServer`] that checks
//! requests the way the service documents them (and refuses what the service refuses), answers
//! what the service answers, and keeps what it accepted for the test to inspect.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

use crate::http::{HttpServer, Recorded, Reply};

/// One envelope, parsed: its header and its items as (item header, payload).
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// The first line.
    pub header: Value,
    /// Each item's header and its JSON payload.
    pub items: Vec<(Value, Value)>,
    /// The `X-Sentry-Auth` header.
    pub auth: String,
}

impl Envelope {
    /// The payloads of the items of a type (`event`, `check_in`).
    pub fn of_type(&self, kind: &str) -> Vec<&Value> {
        self.items
            .iter()
            .filter(|(h, _)| h["type"] == kind)
            .map(|(_, p)| p)
            .collect()
    }
}

/// Parses an envelope as Sentry's documentation describes it: a header line, then items, each
/// an item header line (with `type` and optionally `length`) and a payload of `length` bytes or
/// up to the next newline.
pub fn parse_envelope(body: &[u8], auth: &str) -> Result<Envelope, String> {
    let (first, mut rest) = split_line(body);
    let header: Value =
        serde_json::from_slice(first).map_err(|e| format!("envelope header: {e}"))?;
    let mut items = Vec::new();
    while !rest.is_empty() {
        let (line, after) = split_line(rest);
        if line.is_empty() && after.is_empty() {
            break;
        }
        let item_header: Value =
            serde_json::from_slice(line).map_err(|e| format!("item header: {e}"))?;
        if !item_header["type"].is_string() {
            return Err("an item header without a type".to_owned());
        }
        let (payload, after) = match item_header["length"].as_u64() {
            Some(n) => {
                let n = usize::try_from(n).map_err(|e| e.to_string())?;
                if after.len() < n {
                    return Err(format!("item length {n} runs past the body"));
                }
                let (p, a) = after.split_at(n);
                (p, a.strip_prefix(b"\n").unwrap_or(a))
            }
            None => split_line(after),
        };
        let payload: Value =
            serde_json::from_slice(payload).map_err(|e| format!("item payload: {e}"))?;
        items.push((item_header, payload));
        rest = after;
    }
    Ok(Envelope {
        header,
        items,
        auth: auth.to_owned(),
    })
}

fn split_line(bytes: &[u8]) -> (&[u8], &[u8]) {
    match bytes.iter().position(|b| *b == b'\n') {
        Some(i) => (&bytes[..i], &bytes[i + 1..]),
        None => (bytes, &[]),
    }
}

/// Sentry's ingestion endpoint for one project: `POST /api/PROJECT/envelope/` with an
/// `X-Sentry-Auth` header carrying the DSN's public key.
pub struct SentryStandIn {
    server: HttpServer,
    accepted: Arc<Mutex<Vec<Envelope>>>,
}

impl std::fmt::Debug for SentryStandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentryStandIn").finish_non_exhaustive()
    }
}

/// The public key of the stand-in's DSN.
pub const SENTRY_KEY: &str = "0123456789abcdef0123456789abcdef";

impl SentryStandIn {
    /// Starts it for project 42.
    pub fn start() -> SentryStandIn {
        let accepted: Arc<Mutex<Vec<Envelope>>> = Arc::default();
        let store = Arc::clone(&accepted);
        let server = HttpServer::start(move |r: &Recorded| {
            if r.method != "POST" || r.url != "/api/42/envelope/" {
                return Reply::json(404, r#"{"detail":"not found"}"#);
            }
            let auth = r.header("x-sentry-auth").unwrap_or_default().to_owned();
            if !auth.starts_with("Sentry ") || !auth.contains(&format!("sentry_key={SENTRY_KEY}")) {
                return Reply::json(401, r#"{"detail":"Invalid api key"}"#);
            }
            match parse_envelope(&r.body, &auth) {
                Ok(envelope) => {
                    let id = envelope.header["event_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    store
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(envelope);
                    Reply::json(200, &format!(r#"{{"id":"{id}"}}"#))
                }
                Err(e) => Reply::json(400, &serde_json::json!({ "detail": e }).to_string()),
            }
        });
        SentryStandIn { server, accepted }
    }

    /// The DSN pointing here.
    pub fn dsn(&self) -> String {
        format!("http://{SENTRY_KEY}@127.0.0.1:{}/42", self.server.port())
    }

    /// Envelopes accepted so far.
    pub fn envelopes(&self) -> Vec<Envelope> {
        self.accepted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Every item payload of a type, across envelopes, in order.
    pub fn items(&self, kind: &str) -> Vec<Value> {
        self.envelopes()
            .iter()
            .flat_map(|e| e.of_type(kind).into_iter().cloned().collect::<Vec<_>>())
            .collect()
    }
}

/// A Slack incoming webhook: `POST /services/T…/B…/…` with a JSON message; answers `ok`, or
/// 400 with Slack's error strings for what Slack refuses (no text and no blocks, malformed
/// blocks, a header over 150 characters, a section over 3000, more than 50 blocks).
pub struct SlackStandIn {
    server: HttpServer,
    accepted: Arc<Mutex<Vec<Value>>>,
}

impl std::fmt::Debug for SlackStandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackStandIn").finish_non_exhaustive()
    }
}

fn slack_check(message: &Value) -> Result<(), &'static str> {
    let text = message["text"].as_str().unwrap_or_default();
    let blocks = message["blocks"].as_array();
    if text.is_empty() && blocks.is_none_or(Vec::is_empty) {
        return Err("no_text");
    }
    let Some(blocks) = blocks else { return Ok(()) };
    if blocks.len() > 50 {
        return Err("invalid_blocks");
    }
    for b in blocks {
        let ok = match b["type"].as_str() {
            Some("header") => {
                b["text"]["type"] == "plain_text"
                    && b["text"]["text"]
                        .as_str()
                        .is_some_and(|t| !t.is_empty() && t.chars().count() <= 150)
            }
            Some("section") => b["text"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty() && t.chars().count() <= 3000),
            Some("context") => b["elements"]
                .as_array()
                .is_some_and(|e| !e.is_empty() && e.len() <= 10),
            Some("actions") => b["elements"].as_array().is_some_and(|e| {
                !e.is_empty()
                    && e.len() <= 25
                    && e.iter()
                        .all(|x| x["type"] == "button" && x["text"]["text"].is_string())
            }),
            Some("divider") => true,
            _ => false,
        };
        if !ok {
            return Err("invalid_blocks");
        }
    }
    Ok(())
}

impl SlackStandIn {
    /// Starts it; `failing` makes it answer 500 (a Slack outage) to everything.
    pub fn start(failing: bool) -> SlackStandIn {
        let accepted: Arc<Mutex<Vec<Value>>> = Arc::default();
        let store = Arc::clone(&accepted);
        let server = HttpServer::start(move |r: &Recorded| {
            if failing {
                return Reply::new(500, "internal_error");
            }
            if r.method != "POST" || !r.url.starts_with("/services/") {
                return Reply::new(404, "no_service");
            }
            let Ok(message) = serde_json::from_slice::<Value>(&r.body) else {
                return Reply::new(400, "invalid_payload");
            };
            match slack_check(&message) {
                Ok(()) => {
                    store
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(message);
                    Reply::new(200, "ok")
                }
                Err(e) => Reply::new(400, e),
            }
        });
        SlackStandIn { server, accepted }
    }

    /// A webhook URL pointing here.
    pub fn webhook_url(&self) -> String {
        format!(
            "{}/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            self.server.url()
        )
    }

    /// Messages accepted so far.
    pub fn messages(&self) -> Vec<Value> {
        self.accepted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// PagerDuty's Events API v2: `POST /v2/enqueue`. Checks events as documented (a 32-character
/// routing key; `event_action` trigger, acknowledge or resolve; a dedup key for the last two;
/// for a trigger, a payload with a summary of at most 1024 characters, a source and a severity
/// of critical, error, warning or info), answers 202 with the dedup key or 400 with the
/// errors, and keeps the incidents open by dedup key.
pub struct PagerDutyStandIn {
    server: HttpServer,
    events: Arc<Mutex<Vec<Value>>>,
    open: Arc<Mutex<BTreeMap<String, Value>>>,
}

impl std::fmt::Debug for PagerDutyStandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PagerDutyStandIn").finish_non_exhaustive()
    }
}

/// The routing key the stand-in accepts.
pub const PAGERDUTY_KEY: &str = "R0UT1NGKEY0123456789ABCDEFGHIJKL";

fn pagerduty_errors(e: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let key = e["routing_key"].as_str().unwrap_or_default();
    if key.len() != 32 {
        errors.push("'routing_key' must be a 32 character integration key".to_owned());
    }
    let action = e["event_action"].as_str().unwrap_or_default();
    if !["trigger", "acknowledge", "resolve"].contains(&action) {
        errors.push("'event_action' must be one of trigger, acknowledge, resolve".to_owned());
    }
    if action != "trigger" && e["dedup_key"].as_str().is_none_or(str::is_empty) {
        errors.push("'dedup_key' is required for acknowledge and resolve".to_owned());
    }
    if action == "trigger" {
        let p = &e["payload"];
        let summary = p["summary"].as_str().unwrap_or_default();
        if summary.is_empty() || summary.chars().count() > 1024 {
            errors.push("'payload.summary' is required and at most 1024 characters".to_owned());
        }
        if p["source"].as_str().is_none_or(str::is_empty) {
            errors.push("'payload.source' is required".to_owned());
        }
        if !["critical", "error", "warning", "info"]
            .contains(&p["severity"].as_str().unwrap_or_default())
        {
            errors.push(
                "'payload.severity' must be one of critical, error, warning, info".to_owned(),
            );
        }
    }
    errors
}

impl PagerDutyStandIn {
    /// Starts it.
    pub fn start() -> PagerDutyStandIn {
        let events: Arc<Mutex<Vec<Value>>> = Arc::default();
        let open: Arc<Mutex<BTreeMap<String, Value>>> = Arc::default();
        let (store, incidents) = (Arc::clone(&events), Arc::clone(&open));
        let server = HttpServer::start(move |r: &Recorded| {
            if r.method != "POST" || r.url != "/v2/enqueue" {
                return Reply::json(404, r#"{"status":"not found"}"#);
            }
            let Ok(event) = serde_json::from_slice::<Value>(&r.body) else {
                return Reply::json(
                    400,
                    r#"{"status":"invalid event","message":"Event object is invalid","errors":["Malformed JSON"]}"#,
                );
            };
            if key_ok(&event) && event["routing_key"] != PAGERDUTY_KEY {
                return Reply::json(
                    400,
                    r#"{"status":"invalid event","message":"Event object is invalid","errors":["Invalid routing key"]}"#,
                );
            }
            let errors = pagerduty_errors(&event);
            if !errors.is_empty() {
                return Reply::json(
                    400,
                    &serde_json::json!({"status": "invalid event", "message": "Event object is invalid", "errors": errors}).to_string(),
                );
            }
            let dedup = event["dedup_key"]
                .as_str()
                .map_or_else(|| format!("generated-{}", r.body.len()), str::to_owned);
            {
                let mut open = incidents.lock().unwrap_or_else(PoisonError::into_inner);
                match event["event_action"].as_str() {
                    Some("trigger") => {
                        open.insert(dedup.clone(), event.clone());
                    }
                    Some("resolve") => {
                        open.remove(&dedup);
                    }
                    _ => {}
                }
            }
            store
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(event);
            Reply::json(
                202,
                &serde_json::json!({"status": "success", "message": "Event processed", "dedup_key": dedup}).to_string(),
            )
        });
        PagerDutyStandIn {
            server,
            events,
            open,
        }
    }

    /// The events endpoint.
    pub fn url(&self) -> String {
        format!("{}/v2/enqueue", self.server.url())
    }

    /// Events accepted so far.
    pub fn events(&self) -> Vec<Value> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Dedup keys of the incidents triggered and not resolved.
    pub fn open(&self) -> Vec<String> {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect()
    }
}

fn key_ok(event: &Value) -> bool {
    event["routing_key"].as_str().is_some_and(|k| k.len() == 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_parse_with_and_without_lengths() {
        let body = b"{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"event\",\"length\":13}\n{\"message\":1}\n{\"type\":\"check_in\"}\n{\"status\":\"ok\"}\n";
        let e = parse_envelope(body, "Sentry x").unwrap();
        assert_eq!(e.items.len(), 2);
        assert_eq!(e.of_type("check_in")[0]["status"], "ok");
        assert!(parse_envelope(b"{}\n{\"length\":3}\n{}\n", "").is_err());
        assert!(parse_envelope(b"{}\n{\"type\":\"event\",\"length\":99}\n{}\n", "").is_err());
    }

    #[test]
    fn slack_refuses_what_slack_refuses() {
        assert_eq!(slack_check(&serde_json::json!({})), Err("no_text"));
        assert!(slack_check(&serde_json::json!({"text": "hi"})).is_ok());
        let long = "x".repeat(151);
        assert_eq!(
            slack_check(
                &serde_json::json!({"blocks": [{"type": "header", "text": {"type": "plain_text", "text": long}}]})
            ),
            Err("invalid_blocks")
        );
    }
}
