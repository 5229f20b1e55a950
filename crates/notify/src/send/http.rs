//! One JSON POST with bounded retries inside a deadline, on the core's HTTP agent.

use std::collections::BTreeMap;
use std::time::Duration;

use opskit::deadline::Deadline;

use serde_json::Value;

use super::DeliveryError;

/// The host of a URL, for messages.
pub fn url_host(url: &str) -> String {
    opskit::redact::url_shown(url, opskit::redact::UrlView::Host)
}

/// POSTs `body` as JSON; retries a network error, a 5xx or a 429 (waiting Retry-After when it
/// fits) with doubling backoff, never past `deadline`, which bounds every attempt's reads and
/// writes too. Returns the status and the body's start. The URL (its path and query may be
/// the secret, as a Slack webhook's are) and the header values never appear in an error, even
/// when the target echoes them back.
pub fn post_json(
    url: &str,
    headers: &BTreeMap<String, String>,
    body: &Value,
    retries: u32,
    deadline: &Deadline,
) -> Result<(u16, String), DeliveryError> {
    post_json_text(url, headers, body, retries, deadline).map_err(DeliveryError)
}

pub(super) fn post_json_text(
    url: &str,
    headers: &BTreeMap<String, String>,
    body: &Value,
    retries: u32,
    deadline: &Deadline,
) -> Result<(u16, String), String> {
    let host = url_host(url);
    // What the target is sent is registered with the output layer, so what it says back (a
    // body quoting the request line and headers) is shown without it: the whole URL, its path
    // and query (a Slack webhook's path is its secret), the query's values and the headers.
    let secrets = opskit::redact::secrets();
    secrets.register(url);
    secrets.register_value(url);
    if let Some((_, path)) = url.split_once(&host) {
        secrets.register(path);
        secrets.register(path.split(['?', '#']).next().unwrap_or(path));
    }
    for value in headers.values() {
        secrets.register_header(value);
    }
    let payload = body.to_string();
    let mut backoff = Duration::from_millis(500);
    let mut attempt = 0u32;
    loop {
        if deadline.expired() {
            return Err(format!("{host}: no answer within the time limit"));
        }
        let options = opskit::http::HttpOptions {
            max_body: 64 * 1024,
            ..opskit::http::HttpOptions::default()
        };
        let agent = opskit::http::agent(&options);
        let mut request = opskit::http::bounded(agent.post(url), deadline)
            .header("Content-Type", "application/json");
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
                    return Ok((status, secrets.clean(&text).chars().take(300).collect()));
                }
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let error = format!(
                    "{host} answered {status}: {}",
                    // Cleaned before it is cut: a secret cut in two would no longer match.
                    opskit::render::one_line(
                        &secrets.clean(&text).chars().take(200).collect::<String>()
                    )
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
        if wait >= deadline.remaining() {
            return Err(format!("{error} (no time left to retry)"));
        }
        std::thread::sleep(wait);
        backoff *= 2;
        attempt += 1;
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
