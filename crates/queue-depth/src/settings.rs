//! Settings: what a poll needs, resolved from the flags, opskit.toml (`[queue-depth]`) and the
//! environment, flags first.

use std::path::PathBuf;
use std::time::Duration;

use opskit::cli::Context;
use opskit::redis::{Limits, Target};
use opskit::threshold::{Range, Thresholds};
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
    /// Oldest-age warning, seconds.
    pub age_warning: Option<Range>,
    /// Oldest-age critical, seconds.
    pub age_critical: Option<Range>,
    /// The state file.
    pub state_file: Option<PathBuf>,
    /// Timeout in seconds.
    pub timeout: Option<f64>,
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

pub(crate) fn queue_ref(spec: &str, default_prefix: &str) -> QueueRef {
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
