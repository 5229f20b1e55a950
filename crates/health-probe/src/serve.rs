//! `health-probe serve`: an exporter in the style of Prometheus' blackbox_exporter.
//! `/probe?target=NAME` probes one configured target (or `target=URL` for an ad hoc http,
//! redis or postgres URL) when Prometheus scrapes it, and answers its metrics
//! (`probe_success`, `probe_duration_seconds`, ...); `/metrics` holds the exporter's own
//! counters; `/health` answers 200. Each connection is served on its own thread by
//! [`opskit::server`] (bounded in number and in time), so one slow target does not hold the
//! others.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use opskit::render::{Format, RenderOptions, render};
use opskit::report::Report;
use opskit::server::{Limits, Request, Response, Server};

use crate::{Error, Target};

/// The content type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The target a `/probe` query names.
fn resolve(query: &str, configured: &[Target]) -> Result<Target, String> {
    let target = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("target="))
        .map(|t| opskit::encoding::percent_decode(t, true))
        .ok_or("give ?target=NAME (a configured target) or ?target=URL")?;
    if let Some(t) = configured.iter().find(|t| t.config.name == target) {
        return Ok(t.clone());
    }
    // Neither a configured name nor a URL: a typo, answered 400 with the names, never a probe
    // that fails (`probe_success 0` would page someone for a scrape config mistake).
    if !target.contains("://") {
        let names: Vec<&str> = configured.iter().map(|t| t.config.name.as_str()).collect();
        let close = opskit::config::closest(&target, names.iter().copied())
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        return Err(format!(
            "no target `{}`{close} (configured: {}; or give a URL with its scheme)",
            opskit::redact::escape_controls(&target),
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        ));
    }
    crate::check_scheme(&target).map_err(|e| e.to_string())?;
    Target::new(crate::url_config(&target, None))
        .map_err(|e| format!("`{}`: {e}", crate::display_name(&target)))
}

/// Serves until the process is stopped. Returns only when the address cannot be bound.
/// `unresolved` are the configured targets that refer to an unset variable, with the reason:
/// they answer 503 with it, and the others are served.
pub fn serve(
    configured: Vec<Target>,
    unresolved: Vec<crate::Unresolved>,
    listen: &str,
) -> Result<Report, Error> {
    let server = Server::bind(listen, Limits::default())
        .map_err(|e| Error::Usage(format!("cannot serve on {listen}: {e}")))?;
    let counts: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());
    let result = server.run(move |request| answer(request, &configured, &unresolved, &counts));
    Err(Error::Usage(format!(
        "cannot serve on {listen}: {}",
        match result {
            Ok(()) => "the listener closed".to_owned(),
            Err(e) => e.to_string(),
        }
    )))
}

/// One request: a probe, the exporter's own metrics, or its liveness.
fn answer(
    request: &Request,
    configured: &[Target],
    unresolved: &[crate::Unresolved],
    counts: &Mutex<BTreeMap<String, u64>>,
) -> Response {
    let query = request.query();
    match request.path() {
        "/probe" => {
            let asked = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("target="))
                .map(|t| opskit::encoding::percent_decode(t, true));
            if let Some((name, _, reason)) = unresolved
                .iter()
                .find(|(n, _, _)| asked.as_deref() == Some(n.as_str()))
            {
                let text = opskit::redact::secrets()
                    .clean(&format!("target `{name}` is not probed: {reason}\n"));
                return Response::text(503, &text);
            }
            match resolve(query, configured) {
                Ok(target) => {
                    // Served text is output too: cleaned as the CLI edge cleans it.
                    let report =
                        opskit::cli::cleaned(crate::probe_all(std::slice::from_ref(&target)));
                    if let Ok(mut c) = counts.lock() {
                        *c.entry(target.config.name.clone()).or_default() += 1;
                    }
                    let mut body = Vec::new();
                    let _ = render(
                        &report,
                        Format::Prometheus,
                        &RenderOptions::default(),
                        &mut body,
                    );
                    Response::new(200, CONTENT_TYPE, body)
                }
                Err(e) => Response::text(400, &format!("{e}\n")),
            }
        }
        "/metrics" => {
            let mut body = String::from(
                "# HELP health_probe_exporter_probes_total Probes served, by target.\n# TYPE health_probe_exporter_probes_total counter\n",
            );
            if let Ok(c) = counts.lock() {
                for (name, n) in c.iter() {
                    let name = name
                        .replace('\\', "\\\\")
                        .replace('"', "\\\"")
                        .replace('\n', "\\n");
                    let _ = writeln!(
                        body,
                        "health_probe_exporter_probes_total{{target=\"{name}\"}} {n}"
                    );
                }
            }
            let _ = write!(
                body,
                "# HELP health_probe_exporter_targets Targets configured.\n# TYPE health_probe_exporter_targets gauge\nhealth_probe_exporter_targets {}\n",
                configured.len()
            );
            Response::new(200, CONTENT_TYPE, body.into_bytes())
        }
        "/health" | "/healthz" => Response::text(200, "ok\n"),
        "/" => Response::text(
            200,
            "health-probe exporter: /probe?target=NAME, /metrics, /health\n",
        ),
        _ => Response::text(404, "not found\n"),
    }
}
