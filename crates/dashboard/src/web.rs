//! The HTTP side: routes, authentication, and the headers every response carries.
//!
//! Requests are served by [`opskit::server`]: each connection on its own thread, at most
//! [`MAX_IN_FLIGHT`] at once (more get 503), the request head read within 10 seconds and the
//! answer taken within 30, so a slow or silent client holds one slot for a bounded time and
//! never the others. Only GET and HEAD are served: the page is read-only.

use opskit::render::{Format, RenderOptions, render};
use opskit::server::{Limits, Request, Response};

use crate::collect::Shared;
use crate::page::Page;
use crate::{Auth, Settings, api};

/// Requests answered at once.
pub const MAX_IN_FLIGHT: usize = 64;

fn html(body: String) -> Response {
    Response::new(200, "text/html; charset=utf-8", body.into_bytes())
}

fn json(body: String) -> Response {
    Response::new(200, "application/json", body.into_bytes())
}

/// A fresh nonce for a response's script and style (128 random bits).
fn nonce() -> String {
    let mut bytes = [0u8; 16];
    if opskit::random::fill(&mut bytes).is_err() {
        // Without the system's randomness, a value that still differs per response.
        let t = opskit::time::since_epoch().as_nanos().to_le_bytes();
        bytes.copy_from_slice(&t);
    }
    opskit::encoding::encode_base64url(&bytes)
}

fn digest_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether a request's `Authorization` header satisfies the settings.
pub fn authorized(auth: &Auth, header: Option<&str>) -> bool {
    let Some(h) = header.map(str::trim) else {
        return false;
    };
    let (scheme, value) = h.split_once(' ').unwrap_or((h, ""));
    let value = value.trim();
    if scheme.eq_ignore_ascii_case("basic")
        && let Some((_, want)) = &auth.basic
        && let Some(decoded) = opskit::encoding::decode_base64(value)
    {
        return digest_eq(&crate::sha(&String::from_utf8_lossy(&decoded)), want);
    }
    if scheme.eq_ignore_ascii_case("bearer")
        && let Some(want) = &auth.bearer
    {
        return digest_eq(&crate::sha(value), want);
    }
    false
}

fn unauthorized(auth: &Auth) -> Response {
    let mut r = Response::text(401, "401: credentials required\n");
    if auth.basic.is_some() {
        r = r.with_header(
            "WWW-Authenticate",
            "Basic realm=\"opskit\", charset=\"UTF-8\"",
        );
    }
    if auth.bearer.is_some() {
        r = r.with_header("WWW-Authenticate", "Bearer realm=\"opskit\"");
    }
    r
}

/// Answers one request, and the nonce its page was made with.
pub fn answer(shared: &Shared, settings: &Settings, request: &Request) -> (Response, String) {
    let nonce = nonce();
    let path = request.path();
    if request.method != "GET" && request.method != "HEAD" {
        let r = Response::text(405, "405: this server is read-only; use GET\n")
            .with_header("Allow", "GET, HEAD");
        return (r, nonce);
    }
    if path == "/favicon.ico" {
        // The pages carry their icon inline; this answers browsers that ask anyway.
        return (Response::text(204, ""), nonce);
    }
    if path == "/health" || path == "/healthz" {
        return (Response::text(200, "ok\n"), nonce);
    }
    if let Some(auth) = &settings.auth
        && !authorized(auth, request.header("Authorization"))
    {
        return (unauthorized(auth), nonce);
    }
    let reply = route(shared, settings, path, &nonce);
    (reply, nonce)
}

fn route(shared: &Shared, settings: &Settings, path: &str, nonce: &str) -> Response {
    #[expect(clippy::cast_possible_wrap, reason = "unix seconds fit in i64")]
    let now = opskit::time::now_unix() as i64;
    let live = shared
        .live
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let page = Page {
        title: &settings.title,
        nonce,
        public: settings.public,
        now,
    };
    let public = settings.public;
    let overview = || api::overview(&live, &settings.services, public, now);
    match path {
        "/" | "/index.html" => {
            let uptime = if public {
                api::uptimes(&live, now)
            } else {
                Vec::new()
            };
            html(page.overview(&overview(), &uptime))
        }
        "/api/v1/overview" => json(api::json(&overview())),
        "/api/v1/uptime" => json(api::json(&api::versioned(
            "targets",
            &api::uptimes(&live, now),
        ))),
        _ if public => Response::text(
            404,
            "404: the public status page serves /, /api/v1/overview and /api/v1/uptime\n",
        ),
        "/targets" => html(page.targets(&api::targets(&live, now))),
        "/queues" => html(page.queues(&api::queues(&live))),
        "/backups" => html(page.backups(&api::backups(&live, now))),
        "/api/v1/targets" => json(api::json(&api::versioned(
            "targets",
            &api::targets(&live, now),
        ))),
        "/api/v1/queues" => json(api::json(&api::versioned("queues", &api::queues(&live)))),
        "/api/v1/backups" => json(api::json(&api::backups(&live, now))),
        "/metrics" => {
            let mut body = Vec::new();
            for report in live.reports.values() {
                let _ = render(
                    report,
                    Format::Prometheus,
                    &RenderOptions::default(),
                    &mut body,
                );
            }
            Response::new(200, "text/plain; version=0.0.4; charset=utf-8", body)
        }
        _ => Response::text(
            404,
            "404: pages are /, /targets, /queues, /backups; data under /api/v1/\n",
        ),
    }
}

/// The headers every response carries: a Content-Security-Policy that lets only this
/// response's nonce run or style anything, no framing, no sniffing, no referrer, and caching
/// only for the public page.
pub fn security_headers(nonce: &str, public: bool) -> Vec<(&'static str, String)> {
    vec![
        (
            "Content-Security-Policy",
            format!(
                "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            ),
        ),
        ("X-Content-Type-Options", "nosniff".to_owned()),
        ("X-Frame-Options", "DENY".to_owned()),
        ("Referrer-Policy", "no-referrer".to_owned()),
        ("Cross-Origin-Opener-Policy", "same-origin".to_owned()),
        (
            "Cache-Control",
            if public {
                "public, max-age=30".to_owned()
            } else {
                "no-store".to_owned()
            },
        ),
    ]
}

/// The limits each client gets.
pub fn limits() -> Limits {
    Limits {
        connections: MAX_IN_FLIGHT,
        ..Limits::default()
    }
}

/// Serves until accepting fails for good.
pub fn serve(
    http: opskit::server::Server,
    shared: Shared,
    settings: Settings,
) -> std::io::Result<()> {
    http.run(move |request: &Request| {
        let (mut response, nonce) = answer(&shared, &settings, request);
        let public = settings.public && response.status == 200;
        response.headers.extend(
            security_headers(&nonce, public)
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v)),
        );
        response
    })
}
