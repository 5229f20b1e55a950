//! Settings: what a poll needs, resolved from the flags, opskit.toml (`[queue-depth]`) and the
//! environment, flags first.

use std::path::PathBuf;
use std::time::Duration;

use opskit::cli::Context;
use opskit::duration::{SpanArg, Unit};
use opskit::redis::{Limits, Target};
use opskit::threshold::{Range, Set, Sources, time_range};
use serde::Deserialize;

use crate::bullmq::QueueRef;
use crate::{Args, DEFAULT_CRITICAL, DEFAULT_WARNING, Error, NAME};

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
    /// Oldest-age warning: a duration (`"5m"`) or seconds.
    #[serde(default, deserialize_with = "time_range")]
    pub age_warning: Option<Range>,
    /// Oldest-age critical.
    #[serde(default, deserialize_with = "time_range")]
    pub age_critical: Option<Range>,
    /// A paused queue is OK instead of WARNING.
    pub paused_ok: Option<bool>,
    /// The state file.
    pub state_file: Option<PathBuf>,
    /// The whole poll's time limit: `"10s"` (a bare number is seconds).
    pub timeout: Option<SpanArg>,
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
    /// Where the Redis URL came from (`--url`, `REDIS_URL`, `url in [queue-depth]`, a
    /// default that stood in), for the poll's details.
    pub source: String,
}

/// The thresholds of every metric, with who set each.
#[derive(Debug, Clone, Default)]
pub struct QueueThresholds {
    /// Depth.
    pub depth: Set,
    /// Failed.
    pub failed: Set,
    /// Failed growth.
    pub failed_growth: Set,
    /// Active.
    pub active: Set,
    /// Stalled.
    pub stalled: Set,
    /// Oldest age (seconds).
    pub age: Set,
    /// A paused queue is a warning unless this is set (`--paused-ok`).
    pub paused_ok: bool,
}

/// Stalled jobs: any is CRITICAL by default, since no live worker holds them.
pub const DEFAULT_STALLED_CRITICAL: f64 = 0.0;
/// The oldest waiting job's age that is a WARNING by default: 5 minutes.
pub const DEFAULT_AGE_WARNING: f64 = 300.0;
/// ... and CRITICAL: 15 minutes.
pub const DEFAULT_AGE_CRITICAL: f64 = 900.0;

/// `NAME` or `PREFIX:NAME` as a queue, under `default_prefix` when no prefix is given.
pub fn queue_ref(spec: &str, default_prefix: &str) -> QueueRef {
    match spec.split_once(':') {
        Some((prefix, name)) if !prefix.is_empty() && !name.is_empty() => {
            QueueRef::new(prefix, name)
        }
        _ => QueueRef::new(default_prefix, spec),
    }
}

/// Each threshold: the flag, else opskit.toml, else the default, with the name of whichever
/// set it; a warning that could never fire before its critical is a usage error.
fn thresholds(args: &Args, file: &FileConfig) -> Result<QueueThresholds, Error> {
    let pair = |name: &str,
                flags: [Option<Range>; 2],
                keys: [Option<Range>; 2],
                defaults: [Option<Range>; 2]|
     -> Result<Set, Error> {
        let (fw, fc) = if name.is_empty() {
            ("--warning".to_owned(), "--critical".to_owned())
        } else {
            (format!("--{name}-warning"), format!("--{name}-critical"))
        };
        let key = name.replace('-', "_");
        let (kw, kc) = if name.is_empty() {
            ("warning".to_owned(), "critical".to_owned())
        } else {
            (format!("{key}_warning"), format!("{key}_critical"))
        };
        Set::resolve(&Sources {
            flags: [&fw, &fc],
            flag_values: flags,
            keys: [&kw, &kc],
            key_values: keys,
            section: NAME,
            defaults,
        })
        .map_err(|e| Error::Usage(e.to_string()))
    };
    Ok(QueueThresholds {
        depth: pair(
            "",
            [args.warning, args.critical],
            [file.warning, file.critical],
            [
                Some(Range::upper(DEFAULT_WARNING)),
                Some(Range::upper(DEFAULT_CRITICAL)),
            ],
        )?,
        failed: pair(
            "failed",
            [args.failed_warning, args.failed_critical],
            [file.failed_warning, file.failed_critical],
            [None, None],
        )?,
        failed_growth: pair(
            "failed-growth",
            [args.failed_growth_warning, args.failed_growth_critical],
            [file.failed_growth_warning, file.failed_growth_critical],
            [None, None],
        )?,
        active: pair(
            "active",
            [args.active_warning, args.active_critical],
            [file.active_warning, file.active_critical],
            [None, None],
        )?,
        stalled: pair(
            "stalled",
            [args.stalled_warning, args.stalled_critical],
            [file.stalled_warning, file.stalled_critical],
            [None, Some(Range::upper(DEFAULT_STALLED_CRITICAL))],
        )?,
        age: pair(
            "age",
            [args.age_warning, args.age_critical],
            [file.age_warning, file.age_critical],
            [
                Some(Range::upper(DEFAULT_AGE_WARNING)),
                Some(Range::upper(DEFAULT_AGE_CRITICAL)),
            ],
        )?,
        paused_ok: args.paused_ok || file.paused_ok.unwrap_or(false),
    })
}

/// What says where Redis is: the flags, and the config section that holds `url`, `token` and
/// `ca_file` (job-trace falls back on `[queue-depth]`'s).
#[derive(Debug, Clone, Copy)]
pub struct Where<'a> {
    /// `--url`.
    pub url: Option<&'a str>,
    /// `--cacert`.
    pub cacert: Option<&'a std::path::Path>,
    /// The section's keys.
    pub file: &'a FileConfig,
    /// The section's name, for messages.
    pub section: &'a str,
}

/// Where Redis is, and who said so: `--url`, then `url` in the section, then
/// `UPSTASH_REDIS_REST_URL` (with its token), then `REDIS_URL`.
pub fn redis_target(cx: &Context, at: &Where<'_>) -> Result<(Target, String), Error> {
    let file = at.file;
    // A platform's own variables come before the generic one: a host with a local Redis and
    // REDIS_URL set for something else must not win over the Upstash database of the app.
    let upstash = cx.var("UPSTASH_REDIS_REST_URL").filter(|v| !v.is_empty());
    let (url, source) = if let Some(u) = at.url {
        (u.to_owned(), "--url".to_owned())
    } else if let Some(u) = file.url.clone() {
        let fallback = cx
            .config
            .as_ref()
            .and_then(|c| c.fallback(&format!("{}.url", at.section)));
        let source = match fallback {
            Some(f) => format!(
                "url in [{}], the default of ${{{}:-…}} since {} is not set",
                at.section, f.var, f.var
            ),
            None => format!("url in [{}]", at.section),
        };
        (u, source)
    } else if let Some(u) = upstash {
        (u, "UPSTASH_REDIS_REST_URL".to_owned())
    } else if let Some(u) = cx.var("REDIS_URL").filter(|v| !v.is_empty()) {
        (u, "REDIS_URL".to_owned())
    } else {
        return Err(Error::NoTarget);
    };
    if cx.verbose > 0 {
        cx.note(format!("Redis from {source}"));
    }
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
        parsed.ca_file = at.cacert.map(ToOwned::to_owned).or(file.ca_file.clone());
        Target::Native(parsed)
    };
    Ok((target, source))
}

/// The Redis limits of a `--timeout` (10 s by default; a bare number is seconds): the whole
/// session, connecting at most 5 s of it.
pub fn limits(timeout: Option<SpanArg>) -> Result<Limits, Error> {
    let timeout = timeout.map_or(Duration::from_secs(10), |t| {
        t.span(Unit::Seconds).duration()
    });
    if timeout.is_zero() {
        return Err(Error::Usage(
            "--timeout must be longer than zero: write a duration such as 10s".to_owned(),
        ));
    }
    Ok(Limits {
        connect_timeout: timeout.min(Duration::from_secs(5)),
        timeout,
        ..Limits::default()
    })
}

/// Resolves settings: flags, then `[queue-depth]`, then the environment, then defaults.
pub fn settings(args: &Args, cx: &Context) -> Result<Settings, Error> {
    let file: FileConfig = cx.section(NAME)?.unwrap_or_default();
    let (target, source) = redis_target(
        cx,
        &Where {
            url: args.url.as_deref(),
            cacert: args.cacert.as_deref(),
            file: &file,
            section: NAME,
        },
    )?;
    let limits = limits(args.timeout.or(file.timeout))?;
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
    let thresholds = thresholds(args, &file)?;
    let state = args.state.clone().or(file.state_file);
    if state.is_none()
        && (thresholds.failed_growth.thresholds.warning.is_some()
            || thresholds.failed_growth.thresholds.critical.is_some())
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
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_specs() {
        assert_eq!(queue_ref("emails", "bull"), QueueRef::new("bull", "emails"));
        assert_eq!(
            queue_ref("app:emails", "bull"),
            QueueRef::new("app", "emails")
        );
        assert_eq!(queue_ref(":x", "bull"), QueueRef::new("bull", ":x"));
    }
}
