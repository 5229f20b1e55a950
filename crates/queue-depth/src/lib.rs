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
//! | stalled           | active jobs whose lock expired: their worker is gone      | `--stalled-warning/-critical` (any is CRITICAL) |
//! | oldest age        | time since the oldest waiting job was created             | `--age-warning/-critical` (5m, 15m) |
//! | paused            | the queue is paused: nothing it holds will run            | WARNING unless `--paused-ok` |
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
pub mod report;
pub mod serve;
pub mod settings;
pub mod state;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use opskit::cli::{CommonArgs, Context, Tool, Watch};
use opskit::config::ConfigError;
use opskit::duration::{SpanArg, Unit};
use opskit::redis::RedisError;
use opskit::report::Report;
use opskit::threshold::Range;

use crate::poll::DiscoveryError;
pub use crate::report::{check, failed};
pub use crate::settings::{FileConfig, QueueThresholds, Settings, settings};

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
  # By default a stalled job (its worker died) is CRITICAL, a job waiting over 5m a WARNING
  # and over 15m CRITICAL, a paused queue a WARNING; loosen them for a slow batch queue
  queue-depth --queue reports --age-warning 1h --age-critical 3h --paused-ok
  # Compare the depth over a few rounds (the trend column shows the change per minute)
  queue-depth --watch 30s
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
    /// Stalled jobs (active, lock expired) warning threshold.
    #[arg(long, value_name = "RANGE")]
    pub stalled_warning: Option<Range>,
    /// Stalled jobs critical threshold [default: 0, so any stalled job is CRITICAL: no live
    /// worker holds it].
    #[arg(long, value_name = "RANGE")]
    pub stalled_critical: Option<Range>,
    /// Warning threshold on the oldest waiting job's age: `5m`, `90s`, or seconds [default: 5m].
    #[arg(long, value_name = "AGE", value_parser = opskit::threshold::parse_time_range)]
    pub age_warning: Option<Range>,
    /// Critical threshold on the oldest waiting job's age [default: 15m].
    #[arg(long, value_name = "AGE", value_parser = opskit::threshold::parse_time_range)]
    pub age_critical: Option<Range>,
    /// A paused queue is OK (by default it is a WARNING: nothing it holds will run).
    #[arg(long)]
    pub paused_ok: bool,
    /// A small JSON file that keeps failed counts between runs, for failed growth.
    #[arg(long, value_name = "FILE", global = true)]
    pub state: Option<PathBuf>,
    /// Read only the counts: one round trip per poll, no stalled or age checks.
    #[arg(long, global = true)]
    pub counts_only: bool,
    /// The whole poll's time limit, connection included: `10s`, `2m` [default: 10s; a bare
    /// number is seconds].
    #[arg(long, value_name = "DURATION", global = true)]
    pub timeout: Option<SpanArg>,
    /// Poll every DURATION (`30s`, `1m`) until interrupted: a live table with the change since
    /// the previous round on a terminal, one line per queue per round through a pipe.
    #[arg(long, value_name = "DURATION")]
    pub watch: Option<SpanArg>,
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
        /// How long a poll's result is reused (`10s`): at most one Redis poll per interval,
        /// however often Prometheus scrapes.
        #[arg(long, value_name = "DURATION", default_value = "10s")]
        cache: SpanArg,
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
        let interval = self.watch?.span(Unit::Seconds).duration();
        Some(Watch {
            interval: interval.max(Duration::from_millis(100)),
            count: self.watch_count,
        })
    }
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
            serve::serve(&settings, listen, cache.span(Unit::Seconds).duration())
        }
    }?;
    opskit::codes::describe(&mut report, &[codes::REGISTRY]);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_valid() {
        Args::command().debug_assert();
    }
}
