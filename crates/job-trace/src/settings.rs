//! Settings: flags, then `[job-trace]` of opskit.toml, then the Redis keys of `[queue-depth]`
//! (a team configures its Redis once), then the environment.

use std::path::PathBuf;
use std::time::Duration;

use opskit::cli::Context;
use opskit::duration::{SpanArg, Unit};
use opskit::redis::{Limits, Target};
use opskit_queue_depth::bullmq::QueueRef;
use opskit_queue_depth::settings::{
    FileConfig as QueueDepthConfig, Where, limits, queue_ref, redis_target,
};
use serde::Deserialize;

use crate::{Args, Error, NAME};

/// `[job-trace]` in opskit.toml. Every key is optional; flags win.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `redis://`, `rediss://` or an Upstash `https://` URL (else `url` of [queue-depth]).
    pub url: Option<String>,
    /// The Upstash REST token (write `"${UPSTASH_REDIS_REST_TOKEN}"`, never the token).
    pub token: Option<String>,
    /// For `rediss://`: CA certificates (PEM) to trust instead of the public roots.
    pub ca_file: Option<PathBuf>,
    /// The key prefix [default: the first of [queue-depth] prefixes, else `bull`].
    pub prefix: Option<String>,
    /// The Redis read's time limit: `"10s"`.
    pub timeout: Option<SpanArg>,
    /// A job waiting longer than this is a WARNING: `"5m"`.
    pub wait_warning: Option<SpanArg>,
    /// More log fields that carry a job, request or trace id (dotted paths).
    pub id_fields: Option<Vec<String>>,
    /// The Sentry organization's slug.
    pub sentry_org: Option<String>,
    /// The Sentry project's slug.
    pub sentry_project: Option<String>,
    /// Sentry's address.
    pub sentry_url: Option<String>,
    /// The tag that holds the job's id in Sentry.
    pub sentry_tag: Option<String>,
}

/// The default of `--wait-warning`: five minutes, queue-depth's default age warning.
pub const DEFAULT_WAIT_WARNING: Duration = Duration::from_mins(5);

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where Redis is.
    pub target: Target,
    /// Its timeouts.
    pub limits: Limits,
    /// Who said where Redis is.
    pub source: String,
    /// The queue.
    pub queue: QueueRef,
    /// The job, unless `--failed`.
    pub id: Option<String>,
    /// `--failed --since`: the earliest failure time, ms.
    pub since_ms: Option<i64>,
    /// `--failed --name`.
    pub name: Option<String>,
    /// `--failed --limit`.
    pub limit: usize,
    /// `--data`.
    pub data: bool,
    /// The log sources.
    pub logs: Vec<PathBuf>,
    /// Extra id fields.
    pub id_fields: Vec<String>,
    /// The most log lines kept.
    pub max_lines: usize,
    /// The wait that is a WARNING.
    pub wait_warning: Duration,
    /// Where to search Sentry, when asked.
    pub sentry: Option<crate::sentry::SentryConfig>,
}

fn sentry_config(
    args: &Args,
    file: &FileConfig,
    cx: &Context,
) -> Result<Option<crate::sentry::SentryConfig>, Error> {
    let org = args.sentry_org.clone().or(file.sentry_org.clone());
    let project = args.sentry_project.clone().or(file.sentry_project.clone());
    let (Some(org), Some(project)) = (org, project) else {
        if args.sentry_org.is_some() || args.sentry_project.is_some() {
            return Err(Error::Usage(
                "Sentry needs both --sentry-org and --sentry-project (or sentry_org and sentry_project in [job-trace])".to_owned(),
            ));
        }
        return Ok(None);
    };
    let token = cx
        .var("SENTRY_AUTH_TOKEN")
        .filter(|t| !t.trim().is_empty())
        .ok_or(Error::NoSentryToken)?;
    Ok(Some(crate::sentry::SentryConfig {
        base_url: args
            .sentry_url
            .clone()
            .or(file.sentry_url.clone())
            .unwrap_or_else(|| "https://sentry.io".to_owned()),
        org,
        project,
        token,
        tag: args
            .sentry_tag
            .clone()
            .or(file.sentry_tag.clone())
            .unwrap_or_else(|| "job_id".to_owned()),
        period: "14d".to_owned(),
    }))
}

/// Resolves the settings.
pub fn settings(args: &Args, cx: &Context) -> Result<Settings, Error> {
    let file: FileConfig = cx.section(NAME)?.unwrap_or_default();
    let qd: QueueDepthConfig = cx.section("queue-depth")?.unwrap_or_default();
    // [job-trace]'s own Redis keys when it has a url; otherwise [queue-depth]'s.
    let (conn, section) = if file.url.is_some() {
        (
            QueueDepthConfig {
                url: file.url.clone(),
                token: file.token.clone(),
                ca_file: file.ca_file.clone(),
                ..QueueDepthConfig::default()
            },
            NAME,
        )
    } else {
        (qd.clone(), "queue-depth")
    };
    let (target, source) = redis_target(
        cx,
        &Where {
            url: args.url.as_deref(),
            cacert: args.cacert.as_deref(),
            file: &conn,
            section,
        },
    )?;
    let limits = limits(args.timeout.or(file.timeout))?;
    let prefix = args
        .prefix
        .clone()
        .or(file.prefix.clone())
        .or_else(|| qd.prefixes.as_ref().and_then(|p| p.first().cloned()))
        .unwrap_or_else(|| "bull".to_owned());
    let queue_spec = args.queue.clone().unwrap_or_default();
    let queue = queue_ref(&queue_spec, &prefix);
    if queue.name.is_empty() {
        return Err(Error::Usage(
            "QUEUE is empty: name the queue (`job-trace emails 42`)".to_owned(),
        ));
    }
    let since_ms = args.since.map(|s| {
        let span = s.span(Unit::Seconds).duration();
        opskit::time::now_unix_ms() - i64::try_from(span.as_millis()).unwrap_or(i64::MAX / 2)
    });
    let mut id_fields = file.id_fields.clone().unwrap_or_default();
    id_fields.extend(args.id_fields.iter().cloned());
    let wait_warning = args
        .wait_warning
        .or(file.wait_warning)
        .map_or(DEFAULT_WAIT_WARNING, |w| w.span(Unit::Seconds).duration());
    let sentry = sentry_config(args, &file, cx)?;
    Ok(Settings {
        sentry,
        target,
        limits,
        source,
        queue,
        id: args.id.clone(),
        since_ms,
        name: args.name.clone(),
        limit: args.limit.clamp(1, 100_000),
        data: args.data,
        logs: args.logs.clone(),
        id_fields,
        max_lines: args.max_lines.clamp(1, 1_000_000),
        wait_warning,
    })
}
