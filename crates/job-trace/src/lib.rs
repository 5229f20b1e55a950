//! # job-trace: what happened to this job?
//!
//! Follows one BullMQ job across what knows about it: the job as BullMQ keeps it in Redis
//! (state, times, attempts, backoff, failure and stack, `job.log()` lines, flow parent and
//! children, repeat settings), the queue's event stream, and the JSON logs of the worker and
//! the frontend (pino, winston, bunyan, Railway, Vercel, key=value), merged into one timeline.
//! `--failed` groups a queue's failed jobs by cause instead.
//!
//! It only reads Redis, natively or through the Upstash REST API, in a few pipelined rounds;
//! log files of any size are streamed, and only the lines that name the job are kept.
//!
//! Exit codes: 0 the job completed (or is fine where it is), 1 stalled or waiting past
//! `--wait-warning`, 2 failed (with `--failed`: failed jobs in the window), 3 the job cannot
//! be found or read.
//!
//! ```no_run
//! use opskit::redis::{Connection, Target};
//! use opskit_queue_depth::bullmq::QueueRef;
//! let mut redis = Connection::open(&"redis://127.0.0.1:6379".parse::<Target>()?, &Default::default())?;
//! let job = opskit_job_trace::job::read(&mut redis, &QueueRef::new("bull", "emails"), "42", false)?;
//! println!("{:?}", job.state);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod codes;
pub mod data;
pub mod events;
pub mod failed;
pub mod job;
pub mod logs;
pub mod report;
pub mod sentry;
pub mod settings;

use std::path::PathBuf;

use clap::Parser;
use opskit::cli::{CommonArgs, Context, Tool};
use opskit::duration::SpanArg;
use opskit::report::Report;

/// The binary's name.
pub const NAME: &str = "job-trace";

const EXAMPLES: &str = "\
Examples:
  # One job: state, times, attempts, failure and stack, job.log() lines, flow, timeline
  job-trace emails 42
  # ... with the worker's and the frontend's logs merged into the timeline
  railway logs --json > worker.ndjson; vercel logs my-app --json > web.ndjson
  job-trace emails 42 --logs worker.ndjson --logs web.ndjson
  # Logs from a pipe
  kubectl logs deploy/worker | job-trace emails 42 --logs -
  # The job's data and return value (secrets redacted, sizes bounded)
  job-trace emails 42 --data
  # Many jobs fail: is it one cause? Failed jobs of the last hour, grouped by reason
  job-trace emails --failed --since 1h
  job-trace emails --failed --name send-welcome --format json
  # ... and the Sentry events tagged with its id (SENTRY_AUTH_TOKEN set)
  job-trace emails 42 --sentry-org acme --sentry-project worker
  # A queue under another prefix
  job-trace myapp:emails 42

Exit codes: 0 completed (or fine where it is), 1 stalled or waiting past --wait-warning,
2 failed (--failed: failed jobs in the window), 3 not found or unreadable (Redis unreachable,
bad flags).";

/// `job-trace`: follow one BullMQ job across Redis and the logs.
#[derive(Debug, Clone, Parser)]
#[command(name = NAME, version, about = "Follow one BullMQ job across Redis, its queue's events and the worker's and frontend's logs; group failed jobs by cause.", after_help = EXAMPLES)]
pub struct Args {
    /// The queue (`NAME`, or `PREFIX:NAME` for a prefix other than `bull`).
    #[arg(value_name = "QUEUE", required_unless_present_any = ["list_rules", "explain"])]
    pub queue: Option<String>,
    /// The job's id.
    #[arg(value_name = "ID", required_unless_present_any = ["failed", "list_rules", "explain"])]
    pub id: Option<String>,
    /// Group the queue's failed jobs by the first line of their reason instead of tracing one.
    #[arg(long, conflicts_with = "id")]
    pub failed: bool,
    /// With --failed: only jobs that failed within this long (`1h`, `30m`, `2d`).
    #[arg(long, value_name = "DURATION", requires = "failed")]
    pub since: Option<SpanArg>,
    /// With --failed: only jobs of this name.
    #[arg(long, value_name = "NAME", requires = "failed")]
    pub name: Option<String>,
    /// With --failed: read at most this many of the most recent failed jobs.
    #[arg(long, value_name = "N", default_value_t = 1000, requires = "failed")]
    pub limit: usize,
    /// Show the job's data and return value (redacted: secrets show as a prefix and a
    /// fingerprint; bounded in size).
    #[arg(long)]
    pub data: bool,
    /// A log to correlate: NDJSON (pino, winston, bunyan, `railway logs --json`, `vercel logs
    /// --json`, log drains) or key=value lines; `-` reads stdin. Repeatable.
    #[arg(long = "logs", value_name = "FILE|-")]
    pub logs: Vec<PathBuf>,
    /// One more field that carries a job, request or trace id in the logs (a dotted path such
    /// as `ctx.jobId`); repeatable, added to `id_fields` of [job-trace].
    #[arg(long = "id-field", value_name = "FIELD")]
    pub id_fields: Vec<String>,
    /// The most log lines kept in the timeline.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_lines: usize,
    /// A job waiting (or delayed past its due time) longer than this is a WARNING [default:
    /// 5m, or wait_warning in [job-trace]].
    #[arg(long, value_name = "DURATION")]
    pub wait_warning: Option<SpanArg>,
    /// The Sentry organization (slug) to search for the job's events; with --sentry-project
    /// and SENTRY_AUTH_TOKEN (scopes project:read, event:read).
    #[arg(long, value_name = "ORG", env = "SENTRY_ORG")]
    pub sentry_org: Option<String>,
    /// The Sentry project (slug).
    #[arg(long, value_name = "PROJECT", env = "SENTRY_PROJECT")]
    pub sentry_project: Option<String>,
    /// Sentry's address: a region (`https://de.sentry.io`) or a self-hosted Sentry [default:
    /// `https://sentry.io`].
    #[arg(long, value_name = "URL", env = "SENTRY_URL")]
    pub sentry_url: Option<String>,
    /// The tag your code sets to the job's id (`Sentry.setTag("job_id", job.id)`) [default:
    /// job_id].
    #[arg(long, value_name = "TAG")]
    pub sentry_tag: Option<String>,
    /// Redis to read: `redis://…`, `rediss://…` or an Upstash REST https:// URL [default:
    /// [job-trace] url, [queue-depth] url, UPSTASH_REDIS_REST_URL, REDIS_URL].
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// For rediss://: a PEM file of CA certificates to trust instead of the public roots.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// The queue's key prefix, when QUEUE does not name one [default: bull].
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,
    /// The whole Redis read's time limit: `10s`, `1m` [default: 10s; a bare number is
    /// seconds].
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<SpanArg>,
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

impl Tool for Args {
    fn common(&self) -> &CommonArgs {
        &self.common
    }

    fn notify(&self) -> Option<&opskit::cli::NotifyFlags> {
        Some(&self.notify)
    }
}

/// Why job-trace could not tell.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--explain` of a code no registry holds.
    #[error(transparent)]
    UnknownCode(#[from] opskit::codes::UnknownCode),
    /// `opskit.toml` is wrong.
    #[error(transparent)]
    Config(#[from] opskit::config::ConfigError),
    /// Where Redis is could not be resolved.
    #[error(transparent)]
    Target(#[from] opskit_queue_depth::Error),
    /// A bad flag value that clap cannot check.
    #[error("{0}")]
    Usage(String),
    /// Reading Redis failed.
    #[error(transparent)]
    Redis(#[from] opskit::redis::RedisError),
    /// Sentry is asked for but no token is set.
    #[error(
        "--sentry-org and --sentry-project need SENTRY_AUTH_TOKEN: make a token with the project:read and event:read scopes in Sentry (Settings → Auth Tokens) and export it"
    )]
    NoSentryToken,
    /// The job's keys are not what BullMQ writes.
    #[error(transparent)]
    Read(#[from] job::ReadError),
}

/// Runs what the flags ask for.
pub fn run(args: &Args, cx: &Context) -> Result<Report, Error> {
    if let Some(answer) = args
        .codes
        .answer(NAME, env!("CARGO_PKG_VERSION"), &[codes::REGISTRY])
    {
        return Ok(answer?);
    }
    let settings = settings::settings(args, cx)?;
    let mut report = if args.failed {
        report::failed(&settings)?
    } else {
        report::trace(&settings, cx)?
    };
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
