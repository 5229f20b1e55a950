//! # testkit: real servers for opskit's tests
//!
//! Dev-only (`publish = false`). Tests never mock what can run here: this crate starts a real
//! `redis-server` ([`RedisServer`]) and a real PostgreSQL ([`PostgresServer`]) on free loopback
//! ports, each in its own temporary directory, ready-checked before the constructor returns,
//! and stopped and cleaned up on drop, so tests run in parallel without sharing state. For
//! SaaS that cannot run here (Upstash REST, Sentry, Slack), [`HttpServer`] is a small local
//! HTTP server that records what it was sent and answers with what the test says. A
//! [`HostileServer`] misbehaves on purpose (a slow drip, endless headers, broken framing, a
//! peer that never answers) for the deadline and hostile-input tests.
//!
//! A missing binary is a loud failure with the command that installs it, never a silent pass:
//!
//! ```text
//! redis-server was not found on PATH; install it with `apt-get install redis-server`
//! (or run scripts/test.sh, which installs everything the tests need)
//! ```
//!
//! PostgreSQL refuses to run as root. When the tests run as root, the server runs as the
//! unprivileged `nobody` user, with a data directory owned by it.
//!
//! ```no_run
//! let redis = testkit::RedisServer::start();
//! redis.command(&["SET", "k", "v"]);
//! assert_eq!(redis.command(&["GET", "k"]), testkit::Resp::Bulk(b"v".to_vec()));
//! let pg = testkit::PostgresServer::start();
//! assert_eq!(pg.psql("SELECT 1 + 1").unwrap(), "2");
//! ```

#![expect(clippy::panic, reason = "testkit fails tests loudly by design")]

mod cli;
mod fs;
mod hostile;
mod http;
mod node;
mod postgres;
mod process;
pub mod property;
mod redis;
mod saas;
mod sentry_api;
mod tls;
mod tools;
mod upstash;

pub use cli::{Cli, Run, cli};
pub use fs::copy_tree;
pub use hostile::{Behaviour, HostileServer};
pub use http::{HttpServer, Recorded, Reply};
pub use node::NodeScript;
pub use postgres::PostgresServer;
pub use process::{free_port, is_root, output_text, process_alive, wait_for_stdin_eof};
pub use property::PeakAlloc;
pub use redis::{RedisServer, Resp};
pub use saas::{
    Envelope, PAGERDUTY_KEY, PagerDutyStandIn, SENTRY_KEY, SentryStandIn, SlackStandIn,
    parse_envelope,
};
pub use sentry_api::{SENTRY_API_TOKEN, SentryApiStandIn, StoredEvent};
pub use tls::TlsServer;
pub use tools::{
    find_binary, path_dirs, promtool, promtool_check, sarif_multitool, sarif_schema,
    test_tools_dir, workspace_root,
};
pub use upstash::UpstashStandIn;

/// The message every "not installed" failure ends with.
pub const INSTALL_HINT: &str = "(or run scripts/test.sh, which installs everything the tests need)";
