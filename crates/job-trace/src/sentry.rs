//! Sentry: the issues and error events tagged with the job's id (or one of its trace ids),
//! through Sentry's documented web API, read-only.
//!
//! Two endpoints, both with an auth token (`SENTRY_AUTH_TOKEN`, scopes `project:read` and
//! `event:read`) as a bearer:
//!
//! - *List a Project's Issues*: `GET /api/0/projects/{org}/{project}/issues/?query=…&statsPeriod=14d`
//!   gives the issues whose events match the search (`job_id:42`, `trace:…`);
//! - *List an Issue's Events*: `GET /api/0/organizations/{org}/issues/{id}/events/?query=…`
//!   gives each issue's matching events with their times.
//!
//! Only the first page of each is read (Sentry pages by 100), at most [`MAX_ISSUES`] issues,
//! every request bounded by one deadline and every body by the core's limit. The token is
//! registered with the output layer, so no message can print it.

use std::fmt::Write as _;
use std::time::Duration;

use opskit::deadline::Deadline;
use opskit::http::{self, HttpOptions};
use serde::Deserialize;

/// The most issues whose events are read.
pub const MAX_ISSUES: usize = 10;

/// Where and how to ask Sentry.
#[derive(Debug, Clone)]
pub struct SentryConfig {
    /// `https://sentry.io`, a region (`https://de.sentry.io`) or a self-hosted Sentry.
    pub base_url: String,
    /// The organization's slug.
    pub org: String,
    /// The project's slug.
    pub project: String,
    /// The auth token.
    pub token: String,
    /// The tag the job's id is set as (`job_id`).
    pub tag: String,
    /// How far back to search (`14d`).
    pub period: String,
}

/// One event, as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentryEvent {
    /// When it happened.
    pub time_ms: Option<i64>,
    /// The event's title (the error's type and message).
    pub title: String,
    /// The issue's short id (`WORKER-1A`).
    pub issue: String,
    /// The issue's level.
    pub level: String,
    /// The issue's link.
    pub link: Option<String>,
    /// The event's id.
    pub event_id: String,
}

/// What the search found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Found {
    /// The searches made.
    pub queries: Vec<String>,
    /// Issues found.
    pub issues: usize,
    /// Their events.
    pub events: Vec<SentryEvent>,
}

/// Why Sentry could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SentryError {
    /// An HTTP status other than 200.
    #[error("{url}: HTTP {status}: {detail}{hint}")]
    Status {
        /// The URL asked (no token in it).
        url: String,
        /// The status.
        status: u16,
        /// Sentry's `detail`, cut short.
        detail: String,
        /// What to do.
        hint: &'static str,
    },
    /// No answer.
    #[error("{url}: {reason}")]
    Transport {
        /// The URL asked.
        url: String,
        /// Why.
        reason: String,
    },
    /// An answer that is not what the API documents.
    #[error("{url}: not the answer Sentry's API documents: {reason}")]
    Shape {
        /// The URL asked.
        url: String,
        /// Why.
        reason: String,
    },
}

#[derive(Debug, Deserialize)]
struct Issue {
    id: String,
    #[serde(rename = "shortId", default)]
    short_id: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    permalink: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "eventID", default)]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(rename = "dateCreated", default)]
    date_created: Option<String>,
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn get<T: serde::de::DeserializeOwned>(
    agent: &ureq::Agent,
    cfg: &SentryConfig,
    path_and_query: &str,
    deadline: &Deadline,
    options: &HttpOptions,
) -> Result<T, SentryError> {
    let url = format!("{}{path_and_query}", cfg.base_url.trim_end_matches('/'));
    let request = agent
        .get(&url)
        .header("Authorization", &format!("Bearer {}", cfg.token));
    let mut response =
        http::bounded(request, deadline)
            .call()
            .map_err(|e| SentryError::Transport {
                url: url.clone(),
                reason: e.to_string(),
            })?;
    let status = response.status().as_u16();
    let body = http::read_body(&mut response, options).map_err(|e| SentryError::Transport {
        url: url.clone(),
        reason: e.to_string(),
    })?;
    if status != 200 {
        let detail = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| {
                v.get("detail")
                    .and_then(|d| d.as_str())
                    .map(ToOwned::to_owned)
            })
            .unwrap_or_else(|| body.chars().take(200).collect());
        let hint = match status {
            401 => {
                "; SENTRY_AUTH_TOKEN was refused: make a token with the project:read and event:read scopes (Settings → Auth Tokens)"
            }
            403 => {
                "; the token may not read this organization or project: check --sentry-org/--sentry-project and the token's scopes"
            }
            404 => {
                "; no such organization or project: check --sentry-org and --sentry-project (slugs), and --sentry-url for a region or a self-hosted Sentry"
            }
            429 => "; Sentry's rate limit: try again in a minute",
            _ => "",
        };
        return Err(SentryError::Status {
            url,
            status,
            detail: opskit::render::cut(&detail, 200),
            hint,
        });
    }
    serde_json::from_str(&body).map_err(|e| SentryError::Shape {
        url,
        reason: e.to_string(),
    })
}

/// Searches Sentry for each of `terms` (`job_id:42`, `trace:abc…`), newest events first.
pub fn find(cfg: &SentryConfig, terms: &[String], timeout: Duration) -> Result<Found, SentryError> {
    opskit::redact::secrets().register(&cfg.token);
    let options = HttpOptions {
        timeout,
        ..HttpOptions::default()
    };
    let agent = http::agent(&options);
    let deadline = Deadline::new(timeout, options.connect_timeout);
    let mut found = Found::default();
    let mut seen_issues = Vec::new();
    for term in terms {
        found.queries.push(term.clone());
        let issues: Vec<Issue> = get(
            &agent,
            cfg,
            &format!(
                "/api/0/projects/{}/{}/issues/?query={}&statsPeriod={}",
                encode(&cfg.org),
                encode(&cfg.project),
                encode(term),
                encode(&cfg.period)
            ),
            &deadline,
            &options,
        )?;
        for issue in issues.into_iter().take(MAX_ISSUES) {
            if seen_issues.contains(&issue.id) {
                continue;
            }
            seen_issues.push(issue.id.clone());
            let events: Vec<Event> = get(
                &agent,
                cfg,
                &format!(
                    "/api/0/organizations/{}/issues/{}/events/?query={}&statsPeriod={}",
                    encode(&cfg.org),
                    encode(&issue.id),
                    encode(term),
                    encode(&cfg.period)
                ),
                &deadline,
                &options,
            )?;
            for e in events.into_iter().take(50) {
                found.events.push(SentryEvent {
                    time_ms: e
                        .date_created
                        .as_deref()
                        .and_then(opskit::time::parse_rfc3339_ms),
                    title: opskit::render::cut(&e.title, 300),
                    issue: issue.short_id.clone(),
                    level: issue.level.clone(),
                    link: issue.permalink.clone(),
                    event_id: e.id,
                });
            }
        }
    }
    found.issues = seen_issues.len();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_encoded() {
        assert_eq!(encode("job_id:42"), "job_id%3A42");
        assert_eq!(encode("a b\"c"), "a%20b%22c");
    }
}
