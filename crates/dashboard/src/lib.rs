//! # opskit serve: a status page for the platform, served by the monitors themselves
//!
//! `opskit serve` is one process that runs the configured health targets (health-probe), the
//! queue checks (queue-depth) and the backup check (db-backup), each on its own interval and
//! through the tool's own code, keeps their history on disk ([`store`]), and serves:
//!
//! - `/`: the overview, each service green, amber or red with the reason and the time of its
//!   last change; `/targets`: uptime over 24 h / 7 d / 30 d, latency charts and incidents;
//!   `/queues`: depth, active, failed and delayed over time, stalled jobs, the oldest waiting
//!   job's age and the top failure causes; `/backups`: the newest verified backup, the size
//!   trend and the last verification;
//! - `/api/v1/...`: the same data as JSON ([`api`]);
//! - `/metrics`: the monitors' Prometheus metrics, as each tool's exporter serves them;
//! - `/health`: 200 while the server runs (never behind authentication).
//!
//! It is read-only, binds 127.0.0.1 unless told otherwise, refuses to serve another address
//! without `--auth` or `--public`, and sends every page with a strict Content-Security-Policy
//! (scripts and styles only with the response's nonce). `--public` serves only the overview
//! and uptime, without queue names or failure texts, for a CDN.
//!
//! ```no_run
//! use opskit_dashboard::{Args, Server};
//! use clap::Parser;
//! let args = Args::parse_from(["opskit serve", "--listen", "127.0.0.1:9470"]);
//! let cx = opskit::cli::Context::new(None, ".".into(), opskit::cli::process_env);
//! let server = Server::start(&args, &cx, Box::new(std::io::stderr()))?;
//! println!("serving on {}", server.url());
//! server.serve();
//! # Ok::<(), opskit_dashboard::Error>(())
//! ```

pub mod api;
pub mod collect;
pub mod history;
pub mod page;
pub mod store;
pub mod web;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use opskit::cli::{CommonArgs, Context, Tool};
use opskit::duration::{Span, SpanArg, Unit};
use opskit::report::Report;
use serde::Deserialize;

use crate::collect::{Schedule, Shared};
use crate::history::History;
use crate::store::{Limits, Store};

/// The command's name, as `opskit serve`.
pub const NAME: &str = "serve";
/// The config section.
pub const SECTION: &str = "serve";
/// The default address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9470";

const EXAMPLES: &str = "\
Examples:
  # The status page of opskit.toml's targets, queues and backups on http://127.0.0.1:9470
  opskit serve
  # Beside the worker on Railway or Kubernetes: every address, a password for people and a
  # token for scripts (OPSKIT_SERVE_PASSWORD and OPSKIT_SERVE_TOKEN hold them)
  opskit serve --listen 0.0.0.0:9470 --auth basic --auth bearer
  # A public status page for a CDN: the overview and uptime only, no queue names or errors
  opskit serve --public --listen 0.0.0.0:8080
  # Probe every 15s, keep 14 days of history in at most 100 MB
  opskit serve --health-every 15s --retention 14d --max-history-mb 100
  # The data behind the page
  curl -s http://127.0.0.1:9470/api/v1/overview

Pages: / (overview), /targets, /queues, /backups; JSON: /api/v1/overview, /api/v1/targets,
/api/v1/queues, /api/v1/backups, /api/v1/uptime; /metrics (Prometheus), /health.
Exit codes: it runs until stopped; 3 when it cannot start (address in use, bad flags or
configuration, a history directory in use).";

/// How a request proves who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    /// HTTP Basic: `--user` and the password in `--password-env` (for browsers).
    Basic,
    /// `Authorization: Bearer TOKEN` with the token in `--token-env` (for scripts, Prometheus).
    Bearer,
}

/// A monitor `--skip` can leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Part {
    /// health-probe's targets.
    Health,
    /// queue-depth's queues.
    Queues,
    /// db-backup's check.
    Backups,
}

/// `opskit serve`.
#[derive(Debug, Clone, Parser)]
#[command(name = "opskit serve", version, about = "Serve a status page (health, queues, backups) with history, a JSON API and Prometheus metrics.", after_help = EXAMPLES)]
pub struct Args {
    /// The address to listen on [default: serve.listen in opskit.toml, or 127.0.0.1:9470]. Any
    /// address but loopback needs --auth, --public or --no-auth.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// The public status page: only the overview and uptime, no queue names, failure texts or
    /// reasons; cacheable for 30s.
    #[arg(long)]
    pub public: bool,
    /// Require credentials for everything but /health (repeat to accept both).
    #[arg(long, value_name = "KIND")]
    pub auth: Vec<AuthKind>,
    /// The user name for --auth basic [default: opskit].
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// The variable that holds --auth basic's password.
    #[arg(long, value_name = "VAR", default_value = "OPSKIT_SERVE_PASSWORD")]
    pub password_env: String,
    /// The variable that holds --auth bearer's token.
    #[arg(long, value_name = "VAR", default_value = "OPSKIT_SERVE_TOKEN")]
    pub token_env: String,
    /// Serve every page to anyone who can reach the address (behind your own proxy's
    /// authentication).
    #[arg(long, conflicts_with = "auth")]
    pub no_auth: bool,
    /// The history directory [default: serve.history, or .opskit/history beside
    /// opskit.toml].
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// How long the history is kept: `30d`, `14d` [default: 30d].
    #[arg(long, value_name = "DURATION")]
    pub retention: Option<SpanArg>,
    /// The history's size budget in MB; the oldest segments go first [default: 256].
    #[arg(long, value_name = "MB")]
    pub max_history_mb: Option<u64>,
    /// How often the health targets are probed [default: 30s].
    #[arg(long, value_name = "DURATION")]
    pub health_every: Option<SpanArg>,
    /// How often the queues are read [default: 30s].
    #[arg(long, value_name = "DURATION")]
    pub queues_every: Option<SpanArg>,
    /// How often the backups are checked [default: 5m].
    #[arg(long, value_name = "DURATION")]
    pub backups_every: Option<SpanArg>,
    /// Leave a monitor out (repeat).
    #[arg(long, value_name = "PART")]
    pub skip: Vec<Part>,
    /// Consecutive failed probes before a target is down [default: 3].
    #[arg(long, value_name = "N")]
    pub down_after: Option<u32>,
    /// Consecutive good probes before a down target is up [default: 2].
    #[arg(long, value_name = "N")]
    pub up_after: Option<u32>,
    /// The page's title [default: serve.title, or "Status"].
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Flags every opskit tool takes.
    #[command(flatten)]
    pub common: CommonArgs,
}

impl Tool for Args {
    fn common(&self) -> &CommonArgs {
        &self.common
    }
}

/// A service of the overview made of parts: health targets (`frontend`), queues
/// (`queue:emails`), `redis` and `backups`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// The name shown.
    pub name: String,
    /// What it is made of; its colour is the worst of theirs.
    pub parts: Vec<String>,
}

/// `[serve]` in opskit.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `--listen`.
    pub listen: Option<String>,
    /// `--history`, relative to opskit.toml.
    pub history: Option<PathBuf>,
    /// `--retention`.
    pub retention: Option<SpanArg>,
    /// `--max-history-mb`.
    pub max_history_mb: Option<u64>,
    /// `--health-every`.
    pub health_every: Option<SpanArg>,
    /// `--queues-every`.
    pub queues_every: Option<SpanArg>,
    /// `--backups-every`.
    pub backups_every: Option<SpanArg>,
    /// `--down-after`.
    pub down_after: Option<u32>,
    /// `--up-after`.
    pub up_after: Option<u32>,
    /// `--title`.
    pub title: Option<String>,
    /// `--auth`.
    pub auth: Option<Vec<AuthKind>>,
    /// `--user`.
    pub user: Option<String>,
    /// The overview's services.
    #[serde(default)]
    pub services: Vec<ServiceConfig>,
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// opskit.toml is wrong.
    #[error(transparent)]
    Config(#[from] opskit::config::ConfigError),
    /// A flag or key is wrong.
    #[error("{0}")]
    Usage(String),
    /// The address cannot be served.
    #[error("cannot serve on {addr}: {reason}")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        reason: String,
    },
    /// The history cannot be opened.
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// Who may read the pages.
#[derive(Clone)]
pub struct Auth {
    /// `user:password` for Basic, as its SHA-256.
    pub basic: Option<(String, [u8; 32])>,
    /// The bearer token's SHA-256.
    pub bearer: Option<[u8; 32]>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("basic", &self.basic.as_ref().map(|(u, _)| u))
            .field("bearer", &self.bearer.is_some())
            .finish()
    }
}

/// Everything a server runs with, from the flags, `[serve]` and the defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The address.
    pub listen: String,
    /// `--public`.
    pub public: bool,
    /// Credentials, when required.
    pub auth: Option<Auth>,
    /// The history directory.
    pub history: PathBuf,
    /// The history's bounds.
    pub limits: Limits,
    /// The monitors.
    pub schedule: Schedule,
    /// The page title.
    pub title: String,
    /// The overview's services.
    pub services: Vec<ServiceConfig>,
}

fn every(
    flag: Option<SpanArg>,
    key: Option<SpanArg>,
    default: Duration,
    name: &str,
) -> Result<Duration, Error> {
    let d = flag
        .or(key)
        .map_or(default, |v| v.span(Unit::Seconds).duration());
    if d < Duration::from_millis(100) {
        return Err(Error::Usage(format!(
            "--{name} {}: give 100ms or more",
            Span::new(d)
        )));
    }
    Ok(d)
}

fn sha(text: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).into()
}

impl Settings {
    /// Resolves the settings.
    #[expect(
        clippy::too_many_lines,
        reason = "one flag, key and default after the other"
    )]
    pub fn resolve(args: &Args, cx: &Context) -> Result<Settings, Error> {
        let file: FileConfig = cx.section(SECTION)?.unwrap_or_default();
        let base = cx
            .config
            .as_ref()
            .and_then(|c| c.path().parent().map(std::path::Path::to_owned))
            .unwrap_or_else(|| cx.cwd.clone());
        let history = match (&args.history, &file.history) {
            (Some(d), _) => cx.cwd.join(d),
            (None, Some(d)) => base.join(d),
            (None, None) => base.join(".opskit/history"),
        };
        let retention = args
            .retention
            .or(file.retention)
            .map_or(Duration::from_hours(30 * 24), |v| {
                v.span(Unit::Seconds).duration()
            });
        if retention < Duration::from_hours(1) {
            return Err(Error::Usage(
                "--retention: keep at least 1h of history".to_owned(),
            ));
        }
        let mb = args.max_history_mb.or(file.max_history_mb).unwrap_or(256);
        if mb == 0 {
            return Err(Error::Usage("--max-history-mb: give 1 or more".to_owned()));
        }
        let has = |section: &str| cx.config.as_ref().is_some_and(|c| c.has_section(section));
        let redis_env = ["REDIS_URL", "UPSTASH_REDIS_REST_URL"]
            .iter()
            .any(|v| cx.var(v).is_some());
        let wanted = |p: Part| !args.skip.contains(&p);
        let schedule = Schedule {
            health: (wanted(Part::Health) && has(opskit_health_probe::NAME))
                .then(|| {
                    every(
                        args.health_every,
                        file.health_every,
                        Duration::from_secs(30),
                        "health-every",
                    )
                })
                .transpose()?,
            queues: (wanted(Part::Queues) && (has(opskit_queue_depth::NAME) || redis_env))
                .then(|| {
                    every(
                        args.queues_every,
                        file.queues_every,
                        Duration::from_secs(30),
                        "queues-every",
                    )
                })
                .transpose()?,
            backups: (wanted(Part::Backups) && has(opskit_db_backup::NAME))
                .then(|| {
                    every(
                        args.backups_every,
                        file.backups_every,
                        Duration::from_mins(5),
                        "backups-every",
                    )
                })
                .transpose()?,
            damping: opskit_health_probe::watch::Damping {
                down_after: args.down_after.or(file.down_after).unwrap_or(3).max(1),
                up_after: args.up_after.or(file.up_after).unwrap_or(2).max(1),
            },
        };
        if schedule.health.is_none() && schedule.queues.is_none() && schedule.backups.is_none() {
            return Err(Error::Usage(
                "nothing to monitor: add [[health-probe.targets]], [queue-depth] or [db-backup] to opskit.toml (or set REDIS_URL), or run where opskit.toml is (--config FILE)".to_owned(),
            ));
        }
        let listen = args
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let kinds = if args.auth.is_empty() {
            file.auth.unwrap_or_default()
        } else {
            args.auth.clone()
        };
        let auth = Self::auth(args, cx, &kinds, file.user.as_deref())?;
        if auth.is_none() && !args.public && !args.no_auth && !is_loopback(&listen) {
            return Err(Error::Usage(format!(
                "--listen {listen} serves queue names and failure texts to anyone who can reach it: add --auth basic (and OPSKIT_SERVE_PASSWORD), --auth bearer, --public for the public page, or --no-auth if a proxy in front authenticates"
            )));
        }
        Ok(Settings {
            listen,
            public: args.public,
            auth,
            history,
            limits: Limits {
                #[expect(clippy::cast_possible_wrap, reason = "retentions are far below 2^63 s")]
                retention_secs: retention.as_secs() as i64,
                max_bytes: mb.saturating_mul(1_000_000),
            },
            schedule,
            title: args
                .title
                .clone()
                .or(file.title)
                .unwrap_or_else(|| "Status".to_owned()),
            services: file.services,
        })
    }

    fn auth(
        args: &Args,
        cx: &Context,
        kinds: &[AuthKind],
        user: Option<&str>,
    ) -> Result<Option<Auth>, Error> {
        if kinds.is_empty() {
            return Ok(None);
        }
        let secret = |var: &str, what: &str| -> Result<String, Error> {
            // Registered with the output layer: never shown, wherever it might appear.
            let value = cx.var(var).filter(|v| !v.is_empty()).ok_or_else(|| {
                Error::Usage(format!("--auth {what} needs its secret in ${var}: export {var}=... (a long random value; `env-check generate` makes one)"))
            })?;
            opskit::redact::secrets().register(&value);
            if value.len() < 12 {
                return Err(Error::Usage(format!(
                    "${var} is {} characters: use 12 or more",
                    value.chars().count()
                )));
            }
            Ok(value)
        };
        let mut auth = Auth {
            basic: None,
            bearer: None,
        };
        if kinds.contains(&AuthKind::Basic) {
            let user = args.user.as_deref().or(user).unwrap_or("opskit");
            if user.contains(':') {
                return Err(Error::Usage(
                    "--user: a Basic user name cannot hold `:`".to_owned(),
                ));
            }
            let password = secret(&args.password_env, "basic")?;
            auth.basic = Some((user.to_owned(), sha(&format!("{user}:{password}"))));
        }
        if kinds.contains(&AuthKind::Bearer) {
            auth.bearer = Some(sha(&secret(&args.token_env, "bearer")?));
        }
        Ok(Some(auth))
    }
}

/// Whether an address is a loopback one (`127.0.0.1:9470`, `[::1]:80`, `localhost:9470`).
pub fn is_loopback(listen: &str) -> bool {
    use std::net::ToSocketAddrs;
    listen.to_socket_addrs().is_ok_and(|a| {
        let all: Vec<_> = a.collect();
        !all.is_empty() && all.iter().all(|s| s.ip().is_loopback())
    })
}

/// A started server: bound, its history read, its monitors running.
pub struct Server {
    http: opskit::server::Server,
    shared: Shared,
    settings: Settings,
    opened: store::Opened,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Binds the address, reads the history and starts the monitors. `log` receives a line
    /// for each change of colour and each failure to write the history.
    pub fn start(
        args: &Args,
        cx: &Context,
        log: Box<dyn std::io::Write + Send>,
    ) -> Result<Server, Error> {
        let settings = Settings::resolve(args, cx)?;
        let http = opskit::server::Server::bind(&settings.listen, web::limits()).map_err(|e| {
            Error::Listen {
                addr: settings.listen.clone(),
                reason: e.to_string(),
            }
        })?;
        let mut history = History::default();
        #[expect(clippy::cast_possible_wrap, reason = "unix seconds fit in i64")]
        let now = opskit::time::now_unix() as i64;
        let (store, opened) = Store::open(&settings.history, settings.limits, now, |e| {
            history.apply(&e);
        })?;
        let shared = Shared::new(history, store, log);
        collect::start(&shared, settings.schedule, cx);
        Ok(Server {
            http,
            shared,
            settings,
            opened,
        })
    }

    /// The address served, as a URL.
    pub fn url(&self) -> String {
        match self.http.local_addr() {
            Ok(a) => format!("http://{a}"),
            Err(_) => format!("http://{}", self.settings.listen),
        }
    }

    /// What the history held at start, in words.
    pub fn history_text(&self) -> String {
        let cut: u64 = self.opened.cut.iter().map(|(_, n)| n).sum();
        let mut text = format!(
            "history {}: {} records in {} segment{}",
            self.settings.history.display(),
            self.opened.records,
            self.opened.segments,
            if self.opened.segments == 1 { "" } else { "s" }
        );
        if cut > 0 {
            let _ = write!(text, "; {cut} damaged bytes cut off (an interrupted write)");
        }
        text
    }

    /// Writes a line to the log.
    pub fn log(&self, line: &str) {
        self.shared.log(line);
    }

    /// Serves until the process is stopped; returns when the listener closes.
    pub fn serve(self) -> Result<Report, Error> {
        let addr = self.settings.listen.clone();
        let reason = match web::serve(self.http, self.shared, self.settings) {
            Ok(()) => "the listener closed".to_owned(),
            Err(e) => e.to_string(),
        };
        Err(Error::Listen { addr, reason })
    }
}

/// `opskit serve` without a log (the library's entry point; the `opskit` binary logs to
/// standard error).
pub fn run(args: &Args, cx: &Context) -> Result<Report, Error> {
    Server::start(args, cx, Box::new(std::io::sink()))?.serve()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_consistent() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }

    #[test]
    fn loopback_addresses() {
        assert!(is_loopback("127.0.0.1:9470"));
        assert!(is_loopback("[::1]:9470"));
        assert!(!is_loopback("0.0.0.0:9470"));
        assert!(!is_loopback("not an address"));
    }
}
