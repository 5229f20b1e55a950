//! A stand-in for the two read endpoints of Sentry's web API that job-trace uses, as Sentry
//! documents them:
//!
//! - *List a Project's Issues*, `GET /api/0/projects/{org}/{project}/issues/?query=…`: the
//!   issues with at least one event matching the search, each with `id`, `shortId`, `title`,
//!   `culprit`, `permalink`, `level`, `status`, `count`, `firstSeen`, `lastSeen`, `project`;
//! - *List an Issue's Events*, `GET /api/0/organizations/{org}/issues/{id}/events/?query=…`:
//!   the issue's matching events, newest first, each with `id`, `eventID`, `groupID`,
//!   `title`, `message`, `dateCreated`, `tags` (`[{key, value}]`), `platform`.
//!
//! Auth is `Authorization: Bearer TOKEN` (401 `{"detail": "Invalid token"}` otherwise); an
//! unknown organization or project is 404 `{"detail": "The requested resource does not
//! exist"}`. The search understands what job-trace sends: `key:value` and `key:"value"` terms
//! on tags, `trace:ID` on the trace id.

use crate::http::{HttpServer, Recorded, Reply};

/// The token the stand-in accepts.
pub const SENTRY_API_TOKEN: &str = "sntryu_0123456789abcdef0123456789abcdef0123456789abcdef";

/// One stored error event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The issue (group) it belongs to, e.g. `"4501"`.
    pub issue: String,
    /// The issue's short id, e.g. `"WORKER-1A"`.
    pub short_id: String,
    /// The error's title.
    pub title: String,
    /// `error`, `warning`, ...
    pub level: String,
    /// ISO 8601.
    pub date: String,
    /// Tags as (key, value).
    pub tags: Vec<(String, String)>,
    /// The trace id (contexts.trace.trace_id).
    pub trace: String,
}

/// The stand-in.
pub struct SentryApiStandIn {
    server: HttpServer,
}

impl std::fmt::Debug for SentryApiStandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentryApiStandIn").finish_non_exhaustive()
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => out.push(b),
                    Err(_) => out.extend_from_slice(&bytes[i..i + 3]),
                }
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| decode(v))
}

/// Whether an event matches every `key:value` term of the search.
fn matches(e: &StoredEvent, query: &str) -> bool {
    query.split_whitespace().all(|term| {
        let Some((key, value)) = term.split_once(':') else {
            return e.title.contains(term);
        };
        let value = value.trim_matches('"');
        if key == "trace" {
            return e.trace == value;
        }
        e.tags.iter().any(|(k, v)| k == key && v == value)
    })
}

fn issue_json(events: &[&StoredEvent], org: &str, project: &str) -> serde_json::Value {
    let first = events[0];
    let mut dates: Vec<&str> = events.iter().map(|e| e.date.as_str()).collect();
    dates.sort_unstable();
    serde_json::json!({
        "id": first.issue,
        "shortId": first.short_id,
        "title": first.title,
        "culprit": "processor(worker)",
        "permalink": format!("https://{org}.sentry.io/issues/{}/", first.issue),
        "level": first.level,
        "status": "unresolved",
        "count": events.len().to_string(),
        "userCount": 0,
        "firstSeen": dates[0],
        "lastSeen": dates[dates.len() - 1],
        "project": {"slug": project, "name": project},
    })
}

fn event_json(e: &StoredEvent, n: usize) -> serde_json::Value {
    let tags: Vec<serde_json::Value> = e
        .tags
        .iter()
        .map(|(k, v)| serde_json::json!({"key": k, "value": v}))
        .collect();
    serde_json::json!({
        "id": format!("{:032x}", n + 1),
        "eventID": format!("{:032x}", n + 1),
        "groupID": e.issue,
        "title": e.title,
        "message": e.title,
        "dateCreated": e.date,
        "tags": tags,
        "platform": "node",
    })
}

fn handle(r: &Recorded, org: &str, project: &str, events: &[StoredEvent]) -> Reply {
    if r.header("authorization") != Some(&format!("Bearer {SENTRY_API_TOKEN}")) {
        return Reply::json(401, r#"{"detail":"Invalid token"}"#);
    }
    let missing = || Reply::json(404, r#"{"detail":"The requested resource does not exist"}"#);
    let path = r.url.split('?').next().unwrap_or_default();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let query = query_param(&r.url, "query").unwrap_or_default();
    let matching: Vec<(usize, &StoredEvent)> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches(e, &query))
        .collect();
    match parts.as_slice() {
        ["api", "0", "projects", o, p, "issues"] if r.method == "GET" => {
            if *o != org || *p != project {
                return missing();
            }
            let mut ids: Vec<&str> = matching.iter().map(|(_, e)| e.issue.as_str()).collect();
            ids.dedup();
            let issues: Vec<serde_json::Value> = ids
                .iter()
                .map(|id| {
                    let of: Vec<&StoredEvent> = matching
                        .iter()
                        .map(|(_, e)| *e)
                        .filter(|e| e.issue == *id)
                        .collect();
                    issue_json(&of, org, project)
                })
                .collect();
            Reply::json(200, &serde_json::Value::Array(issues).to_string())
        }
        ["api", "0", "organizations", o, "issues", id, "events"] if r.method == "GET" => {
            if *o != org || !events.iter().any(|e| e.issue == *id) {
                return missing();
            }
            let mut list: Vec<(usize, &StoredEvent)> = matching
                .into_iter()
                .filter(|(_, e)| e.issue == *id)
                .collect();
            list.sort_by(|a, b| b.1.date.cmp(&a.1.date));
            let out: Vec<serde_json::Value> = list.iter().map(|(n, e)| event_json(e, *n)).collect();
            Reply::json(200, &serde_json::Value::Array(out).to_string())
        }
        _ => missing(),
    }
}

impl SentryApiStandIn {
    /// Starts it for organization `org` and project `project`, holding `events`.
    pub fn start(org: &str, project: &str, events: Vec<StoredEvent>) -> SentryApiStandIn {
        let (org, project) = (org.to_owned(), project.to_owned());
        let server = HttpServer::start(move |r: &Recorded| handle(r, &org, &project, &events));
        SentryApiStandIn { server }
    }

    /// Its base URL (`http://127.0.0.1:PORT`), for `--sentry-url`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The requests it received.
    pub fn requests(&self) -> Vec<Recorded> {
        self.server.requests()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_by_tag_and_trace() {
        let e = StoredEvent {
            issue: "1".into(),
            short_id: "W-1".into(),
            title: "Error: x".into(),
            level: "error".into(),
            date: "2026-11-27T03:00:00Z".into(),
            tags: vec![("job_id".into(), "42".into())],
            trace: "ab".repeat(16),
        };
        assert!(matches(&e, "job_id:\"42\""));
        assert!(matches(&e, "job_id:42"));
        assert!(!matches(&e, "job_id:420"));
        assert!(matches(&e, &format!("trace:{}", "ab".repeat(16))));
        assert_eq!(decode("job_id%3A%2242%22"), "job_id:\"42\"");
    }
}
