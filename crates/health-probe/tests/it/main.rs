//! health-probe end to end, against real servers: testkit's HTTP server, `openssl s_server`
//! for TLS, a real redis-server.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

mod hostile;
mod http;
mod metrics;
mod monitor;
mod notify;
mod services;
mod tls;
mod transcripts;

use testkit::{HttpServer, Reply};

fn run(dir: &Path, args: &[&str]) -> Output {
    testkit::cli(env!("CARGO_BIN_EXE_health-probe"))
        .dir(dir)
        .args(args)
        .output()
}

fn health_server() -> HttpServer {
    HttpServer::start(|r| match r.url.as_str() {
        "/api/health" => Reply::json(
            200,
            r#"{"status":"ok","checks":{"redis":"up","db":"down"},"uptime":120}"#,
        ),
        "/slow" => Reply::new(200, "ok").delayed(Duration::from_millis(400)),
        "/moved" => Reply::new(302, "").header("Location", "/api/health"),
        _ => Reply::new(503, "down"),
    })
}

/// Kills the exporter when the test ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
