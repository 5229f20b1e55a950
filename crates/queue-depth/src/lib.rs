//! # queue-depth: BullMQ and Bull queue monitoring
//!
//! Reads BullMQ (5 and 6) and Bull queues straight from Redis, natively (`redis://`,
//! `rediss://`) or through the Upstash REST API, and holds each queue against thresholds in
//! the Nagios range syntax. It only reads: it never runs the libraries' Lua scripts (BullMQ's
//! own counting script pops delay markers, a write), and computes every count from the raw
//! keys (see [`bullmq`]).
//!
//! A poll costs one pipelined batch for the counts of every queue, and one more for the locks
//! of active jobs and the age of the oldest waiting job (`--counts-only` skips it), however
//! many queues there are; discovery (SCAN) comes on top unless the queues are named.
//!
//! What is checked, per queue:
//!
//! | metric            | meaning                                                   | flags                         |
//! |-------------------|-----------------------------------------------------------|-------------------------------|
//! | depth             | jobs waiting to be processed: waiting + paused + prioritized | `-w` (500), `-c` (1000)   |
//! | failed            | jobs in the failed set                                    | `--failed-warning/-critical`  |
//! | failed growth     | failed now minus failed at the previous run (`--state`)  | `--failed-growth-warning/-critical` |
//! | active            | jobs being processed                                      | `--active-warning/-critical`  |
//! | stalled           | active jobs whose lock expired: their worker is gone      | `--stalled-warning/-critical` |
//! | oldest age        | seconds since the oldest waiting job was created          | `--age-warning/-critical`     |
//!
//! Delayed jobs are reported apart: they are not due yet, so they are not in the depth.
//!
//! ```no_run
//! use opskit::redis::{Connection, Target};
//! use opskit_queue_depth::{bullmq::QueueRef, poll};
//! let mut redis = Connection::open(&"redis://127.0.0.1:6379".parse::<Target>()?, &Default::default())?;
//! let result = poll::poll(&mut redis, &[QueueRef::new("bull", "emails")], true)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod bullmq;
pub mod codes;
pub mod poll;
pub mod serve;
pub mod state;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use opskit::cli::{CommonArgs, Context, Tool, Watch};
use opskit::redis::{Connection, Limits, RedisError, Target};
use opskit::report::{Check, Finding, Metric, Report, Unit};
use opskit::threshold::{Range, Thresholds};
use opskit::{Status, config::ConfigError};
use serde::Deserialize;

use crate::bullmq::{Layout, QueueRef};
use crate::codes::{QD001, QD002, QD003, QD010};
use crate::poll::{DiscoveryError, QueueResult};

/// The binary's name.
pub const NAME: &str = "queue-depth";
/// Default depth warning, from the seed's script.
pub const DEFAULT_WARNING: f64 = 500.0;
/// Default depth critical, from the seed's script.
pub const DEFAULT_CRITICAL: f64 = 1000.0;

const EXAMPLES: &str = "\
Examples:
  # Upstash REST (UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN set), default thresholds 500/1000
  queue-depth
  # A self-hosted Redis, two named queues, custom thresholds
  queue-depth --url redis://127.0.0.1:6379/0 --queue emails --queue reports -w 2000 -c 5000
  # Alert when a worker died: any stalled job is CRITICAL, a job older than 10 minutes a WARNING
  queue-depth --stalled-critical 0 --age-warning 600
  # Nagios/Icinga, or Prometheus node_exporter's textfile collector
  queue-depth --format nagios
  # A Prometheus exporter on :9464 (/metrics, /health)
  queue-depth serve --listen 0.0.0.0:9464
  # The last 5 failed jobs of a queue, for the runbook
  queue-depth failed emails --limit 5
  # What a finding code means
  queue-depth --explain QD001

Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (Redis unreachable, bad credentials, bad flags).";

/// `queue-depth`: BullMQ/Bull queue depth with thresholds.
#[derive(Debug, Clone, Parser)]
#[command(name = NAME, version, about = "BullMQ and Bull queue depth, failed, stalled and age checks over native Redis or Upstash REST.", after_help = EXAMPLES)]
pub struct Args {
    /// What to run (default: check the queues once).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Redis to read: `redis://[user:password@]host:port/db`, `rediss://` (TLS), or an Upstash REST
    /// https:// URL [default: [queue-depth] url, REDIS_URL, UPSTASH_REDIS_REST_URL].
    #[arg(long, value_name = "URL", global = true)]
    pub url: Option<String>,
    /// For rediss://: a PEM file of CA certificates to trust instead of the public roots.
    #[arg(long, value_name = "FILE", global = true)]
    pub cacert: Option<PathBuf>,
    /// Key prefix to discover queues under; repeatable [default: bull].
    #[arg(long = "prefix", value_name = "PREFIX", global = true)]
    pub prefixes: Vec<String>,
    /// A queue to check, without discovery (needed with read-only Upstash tokens); repeatable.
    /// `PREFIX:NAME` picks a prefix.
    #[arg(long = "queue", value_name = "NAME", global = true)]
    pub queues: Vec<String>,
    /// Depth (waiting + paused + prioritized) warning threshold [default: 500].
    #[arg(short = 'w', long, value_name = "RANGE", allow_hyphen_values = true)]
    pub warning: Option<Range>,
    /// Depth critical threshold [default: 1000].
    #[arg(short = 'c', long, value_name = "RANGE", allow_hyphen_values = true)]
    pub critical: Option<Range>,
    /// Failed jobs warning threshold.
    #[arg(long, value_name = "RANGE")]
    pub failed_warning: Option<Range>,
    /// Failed jobs critical threshold.
    #[arg(long, value_name = "RANGE")]
    pub failed_critical: Option<Range>,
    /// Warning threshold on failed jobs added since the previous run (needs --state).
    #[arg(long, value_name = "RANGE")]
    pub failed_growth_warning: Option<Range>,
    /// Critical threshold on failed jobs added since the previous run (needs --state).
    #[arg(long, value_name = "RANGE")]
    pub failed_growth_critical: Option<Range>,
    /// Active jobs warning threshold.
    #[arg(long, value_name = "RANGE")]
    pub active_warning: Option<Range>,
    /// Active jobs critical threshold.
    #[arg(long, value_name = "RANGE")]
    pub active_critical: Option<Range>,
    /// Stalled jobs (active, lock expired) warning threshold; `0` alerts on any.
    #[arg(long, value_name = "RANGE")]
    pub stalled_warning: Option<Range>,
    /// Stalled jobs critical threshold.
    #[arg(long, value_name = "RANGE")]
    pub stalled_critical: Option<Range>,
    /// Warning threshold on the oldest waiting job's age, in seconds.
    #[arg(long, value_name = "RANGE")]
    pub age_warning: Option<Range>,
    /// Critical threshold on the oldest waiting job's age, in seconds.
    #[arg(long, value_name = "RANGE")]
    pub age_critical: Option<Range>,
    /// A small JSON file that keeps failed counts between runs, for failed growth.
    #[arg(long, value_name = "FILE", global = true)]
    pub state: Option<PathBuf>,
    /// Read only the counts: one round trip per poll, no stalled or age checks.
    #[arg(long, global = true)]
    pub counts_only: bool,
    /// Seconds to wait for Redis, per connection and per batch.
    #[arg(long, value_name = "SECONDS", global = true)]
    pub timeout: Option<f64>,
    /// Poll every SECONDS until interrupted: redraws on a terminal, one line per poll otherwise.
    #[arg(long, value_name = "SECONDS")]
    pub watch: Option<f64>,
    /// With --watch, stop after N polls.
    #[arg(long, value_name = "N", requires = "watch")]
    pub watch_count: Option<u64>,
    /// Notifications on status changes and Sentry Crons check-ins.
    #[command(flatten)]
    pub notify: opskit::cli::NotifyFlags,
    /// `--explain CODE` and `--list-rules`.
    #[command(flatten)]
    pub codes: opskit::codes::CodeFlags,
    /// Flags every opskit tool takes.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve Prometheus metrics (/metrics) and a health check (/health).
    Serve {
        /// Address to listen on.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464")]
        listen: String,
        /// Seconds a poll's result is reused: at most one Redis poll per interval, however
        /// often Prometheus scrapes.
        #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
        cache: f64,
    },
    /// The most recent failed jobs of a queue: name, attempts, times and failedReason (first
    /// line). Job data is never shown.
    Failed {
        /// The queue (`NAME` or `PREFIX:NAME`).
        queue: String,
        /// How many jobs.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
}

impl Tool for Args {
    fn common(&self) -> &CommonArgs {
        &self.common
    }

    fn notify(&self) -> Option<&opskit::cli::NotifyFlags> {
        Some(&self.notify)
    }

    fn watch(&self) -> Option<Watch> {
        let secs = self.watch?;
        Some(Watch {
            interval: Duration::from_secs_f64(secs.max(0.1)),
            count: self.watch_count,
        })
    }
}

/// `[queue-depth]` in opskit.toml. Every key is optional; flags win.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `redis://`, `rediss://` or an Upstash `https://` URL.
    pub url: Option<String>,
    /// The Upstash REST token (write `"${UPSTASH_REDIS_REST_TOKEN}"`, never the token).
    pub token: Option<String>,
    /// For `rediss://`: CA certificates (PEM) to trust instead of the public roots.
    pub ca_file: Option<PathBuf>,
    /// Prefixes to discover under.
    pub prefixes: Option<Vec<String>>,
    /// Queues to check without discovery.
    pub queues: Option<Vec<String>>,
    /// Depth warning.
    pub warning: Option<Range>,
    /// Depth critical.
    pub critical: Option<Range>,
    /// Failed warning.
    pub failed_warning: Option<Range>,
    /// Failed critical.
    pub failed_critical: Option<Range>,
    /// Failed growth warning.
    pub failed_growth_warning: Option<Range>,
    /// Failed growth critical.
    pub failed_growth_critical: Option<Range>,
    /// Active warning.
    pub active_warning: Option<Range>,
    /// Active critical.
    pub active_critical: Option<Range>,
    /// Stalled warning.
    pub stalled_warning: Option<Range>,
    /// Stalled critical.
    pub stalled_critical: Option<Range>,
    /// Oldest-age warning, seconds.
    pub age_warning: Option<Range>,
    /// Oldest-age critical, seconds.
    pub age_critical: Option<Range>,
    /// The state file.
    pub state_file: Option<PathBuf>,
    /// Timeout in seconds.
    pub timeout: Option<f64>,
}

/// Why queue-depth could not tell.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--explain` of a code no registry holds.
    #[error(transparent)]
    UnknownCode(#[from] opskit::codes::UnknownCode),
    /// `opskit.toml` is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Nothing says where Redis is.
    #[error(
        "no Redis to read: set REDIS_URL (redis:// or rediss://), or UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or `url` in [queue-depth] of opskit.toml, or pass --url"
    )]
    NoTarget,
    /// An Upstash URL without a token.
    #[error(
        "{0} is an Upstash REST URL but no token is set; export UPSTASH_REDIS_REST_TOKEN (or `token = \"${{UPSTASH_REDIS_REST_TOKEN}}\"` in opskit.toml)"
    )]
    NoToken(String),
    /// A bad flag value that clap cannot check.
    #[error("{0}")]
    Usage(String),
    /// Reading Redis failed.
    #[error(transparent)]
    Redis(#[from] RedisError),
    /// Discovery failed.
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    /// The exporter could not start.
    #[error("cannot serve on {addr}: {reason}")]
    Serve {
        /// The address.
        addr: String,
        /// Why.
        reason: String,
    },
}

/// Everything a poll needs, resolved from flags, opskit.toml and the environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where.
    pub target: Target,
    /// Timeouts.
    pub limits: Limits,
    /// Prefixes for discovery.
    pub prefixes: Vec<String>,
    /// Named queues (no discovery when non-empty).
    pub queues: Vec<QueueRef>,
    /// Thresholds.
    pub thresholds: QueueThresholds,
    /// The state file.
    pub state: Option<PathBuf>,
    /// Skip the second round.
    pub counts_only: bool,
}

/// The thresholds of every metric.
#[derive(Debug, Clone, Copy, Default)]
pub struct QueueThresholds {
    /// Depth.
    pub depth: Thresholds,
    /// Failed.
    pub failed: Thresholds,
    /// Failed growth.
    pub failed_growth: Thresholds,
    /// Active.
    pub active: Thresholds,
    /// Stalled.
    pub stalled: Thresholds,
    /// Oldest age (seconds).
    pub age: Thresholds,
}

fn queue_ref(spec: &str, default_prefix: &str) -> QueueRef {
    match spec.split_once(':') {
        Some((prefix, name)) if !prefix.is_empty() && !name.is_empty() => {
            QueueRef::new(prefix, name)
        }
        _ => QueueRef::new(default_prefix, spec),
    }
}

/// Each threshold: the flag, else opskit.toml, else the default (depth only).
fn thresholds(args: &Args, file: &FileConfig) -> QueueThresholds {
    QueueThresholds {
        depth: Thresholds::new(
            Some(
                args.warning
                    .or(file.warning)
                    .unwrap_or(Range::upper(DEFAULT_WARNING)),
            ),
            Some(
                args.critical
                    .or(file.critical)
                    .unwrap_or(Range::upper(DEFAULT_CRITICAL)),
            ),
        ),
        failed: Thresholds::new(
            args.failed_warning.or(file.failed_warning),
            args.failed_critical.or(file.failed_critical),
        ),
        failed_growth: Thresholds::new(
            args.failed_growth_warning.or(file.failed_growth_warning),
            args.failed_growth_critical.or(file.failed_growth_critical),
        ),
        active: Thresholds::new(
            args.active_warning.or(file.active_warning),
            args.active_critical.or(file.active_critical),
        ),
        stalled: Thresholds::new(
            args.stalled_warning.or(file.stalled_warning),
            args.stalled_critical.or(file.stalled_critical),
        ),
        age: Thresholds::new(
            args.age_warning.or(file.age_warning),
            args.age_critical.or(file.age_critical),
        ),
    }
}

/// Resolves settings: flags, then `[queue-depth]`, then the environment, then defaults.
pub fn settings(args: &Args, cx: &Context) -> Result<Settings, Error> {
    let file: FileConfig = cx.section(NAME)?.unwrap_or_default();
    let url = args
        .url
        .clone()
        .or(file.url.clone())
        .or_else(|| cx.var("REDIS_URL").filter(|v| !v.is_empty()))
        .or_else(|| cx.var("UPSTASH_REDIS_REST_URL").filter(|v| !v.is_empty()))
        .ok_or(Error::NoTarget)?;
    let target = if url.starts_with("https://") || url.starts_with("http://") {
        let token = file
            .token
            .clone()
            .or_else(|| cx.var("UPSTASH_REDIS_REST_TOKEN"))
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| Error::NoToken(url.clone()))?;
        Target::Upstash { url, token }
    } else {
        let mut parsed: opskit::redis::RedisUrl = url.parse()?;
        parsed.ca_file = args.cacert.clone().or(file.ca_file.clone());
        Target::Native(parsed)
    };
    let timeout = args.timeout.or(file.timeout).unwrap_or(10.0);
    if !(timeout.is_finite() && timeout > 0.0) {
        return Err(Error::Usage(format!(
            "--timeout must be a positive number of seconds, not {timeout}"
        )));
    }
    let timeout = Duration::from_secs_f64(timeout);
    let limits = Limits {
        connect_timeout: timeout.min(Duration::from_secs(5)),
        timeout,
        ..Limits::default()
    };
    let prefixes = if args.prefixes.is_empty() {
        file.prefixes
            .clone()
            .unwrap_or_else(|| vec!["bull".to_owned()])
    } else {
        args.prefixes.clone()
    };
    let default_prefix = prefixes
        .first()
        .cloned()
        .unwrap_or_else(|| "bull".to_owned());
    let names = if args.queues.is_empty() {
        file.queues.clone().unwrap_or_default()
    } else {
        args.queues.clone()
    };
    let queues = names
        .iter()
        .map(|n| queue_ref(n, &default_prefix))
        .collect();
    let thresholds = thresholds(args, &file);
    let state = args.state.clone().or(file.state_file);
    if state.is_none()
        && (thresholds.failed_growth.warning.is_some()
            || thresholds.failed_growth.critical.is_some())
    {
        return Err(Error::Usage("failed-growth thresholds need --state FILE (or state_file in opskit.toml) to remember the previous count".to_owned()));
    }
    Ok(Settings {
        target,
        limits,
        prefixes,
        queues,
        thresholds,
        state,
        counts_only: args.counts_only,
    })
}

/// Runs the command the flags ask for.
pub fn run(args: &Args, cx: &Context) -> Result<Report, Error> {
    if let Some(answer) = args
        .codes
        .answer(NAME, env!("CARGO_PKG_VERSION"), &[codes::REGISTRY])
    {
        return Ok(answer?);
    }
    let settings = settings(args, cx)?;
    let mut report = match &args.command {
        None => check(&settings),
        Some(Command::Failed { queue, limit }) => failed(&settings, queue, *limit),
        Some(Command::Serve { listen, cache }) => {
            serve::serve(&settings, listen, Duration::from_secs_f64(cache.max(0.0)))
        }
    }?;
    opskit::codes::describe(&mut report, &[codes::REGISTRY]);
    Ok(report)
}

fn now_ms() -> i64 {
    opskit::time::now_unix_ms()
}

/// One poll, turned into a report.
pub fn check(settings: &Settings) -> Result<Report, Error> {
    let started = std::time::Instant::now();
    let mut redis = Connection::open(&settings.target, &settings.limits)?;
    let queues = if settings.queues.is_empty() {
        poll::discover(&mut redis, &settings.prefixes)?
    } else {
        settings.queues.clone()
    };
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    if queues.is_empty() {
        report.push(Check::unknown(
            "discovery",
            format!(
                "no queues found under prefix {} on {}; check --prefix, or name them with --queue",
                settings.prefixes.join(", "),
                settings.target.describe()
            ),
        ));
        return Ok(report);
    }
    let result = poll::poll(&mut redis, &queues, !settings.counts_only)?;
    let previous = settings.state.as_deref().map(state::load);
    let now = now_ms();
    let mut failed_now = Vec::new();
    let show_prefix = queues.iter().any(|q| q.prefix != "bull");
    for item in &result.queues {
        match item {
            QueueResult::Read { snapshot, details } => {
                let growth = previous
                    .as_ref()
                    .and_then(|p| p.as_ref().ok())
                    .and_then(|p| p.failed(&snapshot.queue))
                    .map(|before| {
                        #[expect(
                            clippy::cast_possible_wrap,
                            reason = "job counts stay far below 2^63"
                        )]
                        let now = snapshot.counts.failed as i64;
                        now - before
                    });
                failed_now.push((snapshot.queue.clone(), snapshot.counts.failed));
                report.push(queue_check(
                    snapshot,
                    details,
                    growth,
                    now,
                    &settings.thresholds,
                    show_prefix,
                    settings.counts_only,
                ));
            }
            QueueResult::Broken { queue, error } => {
                report.push(Check::unknown(
                    check_name(queue, show_prefix),
                    format!("not a BullMQ/Bull queue: {error}"),
                ));
            }
        }
    }
    if let Some(path) = &settings.state {
        record_state(&mut report, path, previous.as_ref(), &failed_now, now);
    }
    let elapsed = started.elapsed();
    #[expect(clippy::cast_precision_loss, reason = "round trips are few")]
    let trips = result.round_trips as f64;
    report.push(
        Check::new(
            "poll",
            Status::Ok,
            format!(
                "{} queue{} in {} round trips, {} ms",
                queues.len(),
                if queues.len() == 1 { "" } else { "s" },
                result.round_trips,
                elapsed.as_millis()
            ),
        )
        .with_metric(
            Metric::new("round_trips", trips)
                .help("Round trips (native) or HTTP requests (Upstash) of the last poll."),
        )
        .with_metric(
            Metric::new("poll_seconds", elapsed.as_secs_f64())
                .unit(Unit::Seconds)
                .help("How long the last poll took."),
        )
        .took(elapsed),
    );
    Ok(report)
}

fn record_state(
    report: &mut Report,
    path: &std::path::Path,
    previous: Option<&Result<state::State, String>>,
    failed_now: &[(QueueRef, u64)],
    now: i64,
) {
    let mut notes = Vec::new();
    if let Some(Err(e)) = previous {
        notes.push(QD002.finding(format!(
            "previous state unreadable, failed growth starts over: {e}"
        )));
    }
    if let Err(e) = state::save(path, failed_now, now) {
        notes.push(QD003.finding(format!("cannot save the state file: {e}")));
    }
    if !notes.is_empty() {
        report.push(Check::from_findings("state", notes));
    }
}

fn check_name(q: &QueueRef, show_prefix: bool) -> String {
    if show_prefix {
        format!("queue:{}:{}", q.prefix, q.name)
    } else {
        format!("queue:{}", q.name)
    }
}

/// `2m05s`, `3h10m`, `2d4h`.
fn age_text(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        3600..86_400 => format!("{}h{:02}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d{}h", secs / 86_400, secs % 86_400 / 3600),
    }
}

#[expect(clippy::cast_precision_loss, reason = "job counts stay far below 2^52")]
#[expect(
    clippy::too_many_lines,
    reason = "one metric after another; splitting would scatter the list"
)]
fn queue_check(
    snap: &bullmq::Snapshot,
    det: &bullmq::Details,
    growth: Option<i64>,
    now_ms: i64,
    lim: &QueueThresholds,
    show_prefix: bool,
    counts_only: bool,
) -> Check {
    let c = &snap.counts;
    let name = check_name(&snap.queue, show_prefix);
    let (q, prefix) = (snap.queue.name.as_str(), snap.queue.prefix.as_str());
    let mut statuses = vec![lim.depth.evaluate(c.depth() as f64)];
    let mut metrics = vec![
        Metric::new("depth", c.depth() as f64)
            .thresholds(&lim.depth)
            .min(0.0)
            .help("Jobs waiting to be processed: waiting + paused + prioritized.")
            .prometheus("bullmq_queue_depth", &[("queue", q), ("prefix", prefix)]),
    ];
    for (state, n) in c.states() {
        let mut m = Metric::new(state, n as f64)
            .min(0.0)
            .help("Number of jobs in the queue by state.")
            .prometheus(
                "bullmq_job_count",
                &[("queue", q), ("state", state), ("prefix", prefix)],
            );
        match state {
            "failed" => {
                m = m.thresholds(&lim.failed);
                statuses.push(lim.failed.evaluate(n as f64));
            }
            "active" => {
                m = m.thresholds(&lim.active);
                statuses.push(lim.active.evaluate(n as f64));
            }
            _ => {}
        }
        metrics.push(m);
    }
    metrics.push(
        Metric::new("is_paused", f64::from(u8::from(snap.is_paused)))
            .min(0.0)
            .max(1.0)
            .help("1 when the queue is paused.")
            .prometheus("bullmq_queue_paused", &[("queue", q), ("prefix", prefix)]),
    );
    let mut parts = vec![format!("depth {}", c.depth())];
    let mut detail = Vec::new();
    if c.paused > 0 || c.prioritized > 0 {
        detail.push(format!(
            "{} waiting, {} paused, {} prioritized",
            c.waiting, c.paused, c.prioritized
        ));
    }
    if !counts_only {
        statuses.push(lim.stalled.evaluate(det.stalled as f64));
        metrics.push(
            Metric::new("stalled", det.stalled as f64)
                .thresholds(&lim.stalled)
                .min(0.0)
                .help("Active jobs whose lock expired: no live worker holds them.")
                .prometheus("bullmq_stalled_jobs", &[("queue", q), ("prefix", prefix)]),
        );
        if let Some(ts) = det.oldest_timestamp_ms {
            let age = u64::try_from((now_ms - ts).max(0)).unwrap_or(0) / 1000;
            statuses.push(lim.age.evaluate(age as f64));
            metrics.push(
                Metric::new("oldest_age", age as f64)
                    .unit(Unit::Seconds)
                    .thresholds(&lim.age)
                    .min(0.0)
                    .help("Seconds since the oldest waiting job was created.")
                    .prometheus(
                        "bullmq_oldest_waiting_job_age_seconds",
                        &[("queue", q), ("prefix", prefix)],
                    ),
            );
            detail.push(format!("oldest waiting {}", age_text(age)));
        }
    }
    let mut summary_tail = vec![format!("{} active", c.active)];
    if !counts_only && det.stalled > 0 {
        summary_tail[0] = format!("{} active ({} stalled)", c.active, det.stalled);
    }
    summary_tail.push(format!("{} delayed", c.delayed));
    summary_tail.push(format!("{} failed", c.failed));
    if let Some(g) = growth {
        statuses.push(lim.failed_growth.evaluate(g as f64));
        metrics.push(
            Metric::new("failed_growth", g as f64)
                .thresholds(&lim.failed_growth)
                .help("Failed jobs added since the previous run.")
                .prometheus("bullmq_failed_growth", &[("queue", q), ("prefix", prefix)]),
        );
        summary_tail.push(format!("{g:+} failed since last run"));
    }
    if !detail.is_empty() {
        parts[0] = format!("{} ({})", parts[0], detail.join(", "));
    }
    parts.extend(summary_tail);
    if snap.is_paused {
        parts.push("PAUSED".to_owned());
    }
    let mut check = Check::new(name, Status::worst_of(statuses), parts.join("; "));
    check.metrics = metrics;
    if !snap.exists
        && c.depth() == 0
        && c.active == 0
        && c.failed == 0
        && c.completed == 0
        && c.delayed == 0
    {
        check.status = check.status.worst(Status::Warning);
        check.findings.push(QD001.finding(format!("no keys under {}:{}: — no producer has used this queue name; check the name and --prefix", snap.queue.prefix, snap.queue.name),
        ));
    }
    if snap.layout == Layout::Bull && snap.exists {
        check.summary.push_str(" (Bull)");
    }
    check
}

/// `queue-depth failed QUEUE`: the most recent failed jobs as findings.
pub fn failed(settings: &Settings, queue: &str, limit: usize) -> Result<Report, Error> {
    let default_prefix = settings.prefixes.first().map_or("bull", String::as_str);
    let q = queue_ref(queue, default_prefix);
    let mut redis = Connection::open(&settings.target, &settings.limits)?;
    let started = std::time::Instant::now();
    let jobs = poll::failed_jobs(&mut redis, &q, limit.clamp(1, 1000))?;
    let now = now_ms();
    let findings: Vec<Finding> = jobs
        .iter()
        .map(|j| {
            let ago = |ms: Option<i64>| {
                ms.map(|t| {
                    format!(
                        "{} ago",
                        age_text(u64::try_from((now - t).max(0)).unwrap_or(0) / 1000)
                    )
                })
            };
            let mut parts = vec![format!(
                "job {} `{}`",
                j.id,
                j.name.as_deref().unwrap_or("?")
            )];
            if let Some(a) = j.attempts {
                parts.push(format!("{a} attempts"));
            }
            if let Some(t) = ago(j.created_ms) {
                parts.push(format!("created {t}"));
            }
            if let Some(t) = ago(j.finished_ms) {
                parts.push(format!("failed {t}"));
            }
            parts.push(format!(
                "reason: {}",
                j.reason.as_deref().unwrap_or("(none recorded)")
            ));
            QD010.finding(parts.join(", "))
        })
        .collect();
    let summary = if jobs.is_empty() {
        format!("no failed jobs in {}:{}", q.prefix, q.name)
    } else {
        format!("{} most recent failed jobs", jobs.len())
    };
    let mut check =
        Check::from_findings(format!("failed:{}", q.name), findings).took(started.elapsed());
    check.summary = summary;
    Ok(Report::new(NAME, env!("CARGO_PKG_VERSION")).with_check(check))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_valid() {
        Args::command().debug_assert();
    }

    #[test]
    fn queue_specs() {
        assert_eq!(queue_ref("emails", "bull"), QueueRef::new("bull", "emails"));
        assert_eq!(
            queue_ref("app:emails", "bull"),
            QueueRef::new("app", "emails")
        );
        assert_eq!(queue_ref(":x", "bull"), QueueRef::new("bull", ":x"));
    }

    #[test]
    fn ages_read_well() {
        assert_eq!(age_text(5), "5s");
        assert_eq!(age_text(125), "2m05s");
        assert_eq!(age_text(3 * 3600 + 600), "3h10m");
        assert_eq!(age_text(2 * 86_400 + 4 * 3600), "2d4h");
    }
}
