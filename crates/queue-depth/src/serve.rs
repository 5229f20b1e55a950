//! `queue-depth serve`: a Prometheus exporter with `/metrics` and `/health`.
//!
//! A scrape reuses the last poll while it is younger than the cache interval, so Redis sees
//! at most one poll per interval however many Prometheus servers scrape. `/health` answers
//! 200 when the last poll read Redis, 503 otherwise.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use opskit::Status;
use opskit::render::{Format, RenderOptions, render};
use opskit::report::Report;
use opskit::server::{Limits, Response, Server};

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

/// Serves until the process is stopped. Returns only when the address cannot be bound (or
/// accepting fails for good). Connections are served by [`opskit::server`], each bounded in
/// time; scrapes share one cache, so Redis still sees one poll per interval.
pub fn serve(settings: &Settings, listen: &str, interval: Duration) -> Result<Report, Error> {
    let server = Server::bind(listen, Limits::default()).map_err(|e| Error::Serve {
        addr: listen.to_owned(),
        reason: e.to_string(),
    })?;
    let settings = settings.clone();
    let cache = Mutex::new(Cache {
        at: None,
        body: Vec::new(),
        healthy: false,
        reason: "not polled yet".to_owned(),
    });
    let result = server.run(move |request| {
        let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
        match request.path() {
            "/metrics" => {
                refresh(&settings, &mut cache, interval);
                Response::new(200, CONTENT_TYPE, cache.body.clone())
            }
            "/health" | "/healthz" => {
                refresh(&settings, &mut cache, interval);
                if cache.healthy {
                    Response::text(200, "ok\n")
                } else {
                    Response::text(503, &format!("unhealthy: {}\n", cache.reason))
                }
            }
            "/" => Response::text(200, "queue-depth exporter: see /metrics and /health\n"),
            _ => Response::text(404, "not found\n"),
        }
    });
    Err(Error::Serve {
        addr: listen.to_owned(),
        reason: match result {
            Ok(()) => "the listener closed".to_owned(),
            Err(e) => e.to_string(),
        },
    })
}
