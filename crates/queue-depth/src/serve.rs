//! `queue-depth serve`: a Prometheus exporter with `/metrics` and `/health`.
//!
//! A scrape reuses the last poll while it is younger than the cache interval, so Redis sees
//! at most one poll per interval however many Prometheus servers scrape. `/health` answers
//! 200 when the last poll read Redis, 503 otherwise.

use std::time::{Duration, Instant};

use opskit::Status;
use opskit::render::{Format, RenderOptions, render};
use opskit::report::Report;

use crate::{Error, Settings, check};

/// The content type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

struct Cache {
    at: Option<Instant>,
    body: Vec<u8>,
    healthy: bool,
    reason: String,
}

fn refresh(settings: &Settings, cache: &mut Cache, interval: Duration) {
    if cache.at.is_some_and(|t| t.elapsed() < interval) {
        return;
    }
    // Served text is output too: cleaned as the CLI edge cleans what it prints.
    let report = opskit::cli::cleaned(match check(settings) {
        Ok(r) => r,
        Err(e) => opskit::cli::failure_report(crate::NAME, &e),
    });
    cache.healthy = report.checks.iter().all(|c| c.status != Status::Unknown);
    cache.reason = report.summary();
    cache.body = metrics(&report);
    cache.at = Some(Instant::now());
}

fn metrics(report: &Report) -> Vec<u8> {
    let mut body = Vec::new();
    let _ = render(
        report,
        Format::Prometheus,
        &RenderOptions::default(),
        &mut body,
    );
    body
}

/// Serves until the process is stopped. Returns only when the address cannot be bound.
pub fn serve(settings: &Settings, listen: &str, interval: Duration) -> Result<Report, Error> {
    let server = tiny_http::Server::http(listen).map_err(|e| Error::Serve {
        addr: listen.to_owned(),
        reason: e.to_string(),
    })?;
    let mut cache = Cache {
        at: None,
        body: Vec::new(),
        healthy: false,
        reason: "not polled yet".to_owned(),
    };
    for request in server.incoming_requests() {
        let path = request
            .url()
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        let response = match path.as_str() {
            "/metrics" => {
                refresh(settings, &mut cache, interval);
                with_content_type(tiny_http::Response::from_data(cache.body.clone()))
            }
            "/health" | "/healthz" => {
                refresh(settings, &mut cache, interval);
                let (status, text) = if cache.healthy {
                    (200, "ok\n".to_owned())
                } else {
                    (503, format!("unhealthy: {}\n", cache.reason))
                };
                tiny_http::Response::from_data(text.into_bytes()).with_status_code(status)
            }
            "/" => tiny_http::Response::from_data(
                b"queue-depth exporter: see /metrics and /health\n".to_vec(),
            ),
            _ => tiny_http::Response::from_data(b"not found\n".to_vec()).with_status_code(404),
        };
        let _ = request.respond(response);
    }
    Err(Error::Serve {
        addr: listen.to_owned(),
        reason: "the listener closed".to_owned(),
    })
}

fn with_content_type(
    mut response: tiny_http::Response<std::io::Cursor<Vec<u8>>>,
) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    if let Ok(h) = tiny_http::Header::from_bytes(&b"Content-Type"[..], CONTENT_TYPE.as_bytes()) {
        response.add_header(h);
    }
    response
}
