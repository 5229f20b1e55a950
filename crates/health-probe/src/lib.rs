//! # health-probe: is each part of the platform up, and answering as it should?
//!
//! Targets come from `[[health-probe.targets]]` in opskit.toml or from the command line
//! (`health-probe https://app.example.com/api/health`). Every target of a run is probed at
//! the same time, so a run takes about as long as its slowest target; each becomes one check
//! with Nagios semantics (exit 0/1/2/3) and blackbox_exporter's metric names.
//!
//! - http: status codes, latency thresholds, body text or regex, conditions on the JSON body
//!   (`status == "ok"`, `checks.redis == "up"`, `uptime > 60`), TLS certificate expiry in
//!   days, redirects, retries with backoff, a timeout per phase and a body cap; timing split
//!   into resolve, connect, TLS, processing (first byte) and transfer.
//! - http with `metrics`: conditions on a Prometheus/OpenMetrics endpoint: a sample's value,
//!   a quantile from histogram buckets (p95 job duration), a counter's rate between two scrapes.
//! - redis: PING over the native protocol (`redis://`, `rediss://`) or the Upstash REST API.
//! - postgres: connect (TLS as `sslmode` says), authenticate (SCRAM-SHA-256), run a query
//!   (`SELECT 1`) and check its first value (`expect = "> 0"`).
//! - tcp: a connect.
//!
//! | code  | finding |
//! |-------|---------|
//! | HP001 | down: DNS, connect, TLS, timeout, or the service's own error |
//! | HP002 | a status code outside the accepted set |
//! | HP003 | slower than the latency threshold (warning or critical) |
//! | HP004 | the body fails a condition (text, regex, JSON path) |
//! | HP005 | the TLS certificate expires within the warning or critical days |
//! | HP006 | a metrics endpoint fails a condition (a sum, a histogram quantile, a rate) |

pub mod metrics;
pub mod target;

use std::collections::BTreeMap;

use clap::Parser;
use opskit::cli::{CommonArgs, Context, Tool};
use opskit::report::Report;
use serde::Deserialize;

pub use crate::target::{Kind, Target, TargetConfig};

/// The binary's name and config section.
pub const NAME: &str = "health-probe";

const EXAMPLES: &str = "\
Examples:
  # Every target of opskit.toml's [[health-probe.targets]], in parallel
  health-probe
  health-probe --target frontend --target worker
  # One URL from the command line, with conditions
  health-probe https://app.example.com/api/health --json 'status == \"ok\"' --latency-warning 500
  health-probe http://worker.internal:8080/health --status 200 --retries 2
  # For Nagios/Icinga, Prometheus' textfile collector, or CI
  health-probe --format nagios
  health-probe --format prometheus > /var/lib/node_exporter/health.prom

Exit codes: 0 every target up, 1 a warning (slow, a certificate expiring soon), 2 a target down
or failing a condition, 3 the probe could not run (bad configuration or flags).";

/// `health-probe`.
#[derive(Debug, Clone, Parser)]
#[command(name = NAME, version, about = "Probe HTTP(S), Redis and TCP targets in parallel, with conditions and thresholds.", after_help = EXAMPLES)]
pub struct Args {
    /// URLs to probe (http, https, redis, rediss), besides or instead of the configured targets.
    pub urls: Vec<String>,
    /// Only these configured targets, by name (repeat).
    #[arg(long = "target", value_name = "NAME")]
    pub targets: Vec<String>,
    /// Accepted statuses for the URLs given here (`200`, `2xx`, `200-299`; repeat).
    #[arg(long, value_name = "CODE")]
    pub status: Vec<String>,
    /// A condition on the JSON body for the URLs given here (repeat).
    #[arg(long, value_name = "COND")]
    pub json: Vec<String>,
    /// A condition on a metrics endpoint for the URLs given here (repeat):
    /// `quantile(0.95, job_duration_seconds) < 30`.
    #[arg(long, value_name = "COND")]
    pub metric: Vec<String>,
    /// A header for the URLs given here: `Name: value` (repeat; use "$VAR" in the shell for
    /// secrets).
    #[arg(long, short = 'H', value_name = "HEADER")]
    pub header: Vec<String>,
    /// Latency in milliseconds above which a URL given here is a warning.
    #[arg(long, value_name = "MS")]
    pub latency_warning: Option<f64>,
    /// Latency in milliseconds above which it is critical.
    #[arg(long, value_name = "MS")]
    pub latency_critical: Option<f64>,
    /// Extra attempts before a URL given here counts as down.
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// Limit per phase in milliseconds [default: 5000].
    #[arg(long, value_name = "MS")]
    pub timeout: Option<u64>,
    /// Trust only this CA (PEM) for the URLs given here.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<std::path::PathBuf>,
    /// Flags every opskit tool takes.
    #[command(flatten)]
    pub common: CommonArgs,
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_never_carry_a_password() {
        assert_eq!(
            super::display_name("rediss://default:tok3n@eu1.upstash.io:6379"),
            "rediss://default@eu1.upstash.io:6379"
        );
        assert_eq!(
            super::display_name("postgres://app:pw@db/x?sslmode=require"),
            "postgres://app@db/x"
        );
        assert_eq!(
            super::display_name("https://a.b/health?token=x"),
            "https://a.b/health"
        );
    }
}

impl Tool for Args {
    fn common(&self) -> &CommonArgs {
        &self.common
    }
}

/// `[health-probe]` in opskit.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// The targets.
    #[serde(default)]
    pub targets: Vec<TargetConfig>,
}

/// Why health-probe could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// opskit.toml is wrong.
    #[error(transparent)]
    Config(#[from] opskit::config::ConfigError),
    /// A target or flag is wrong.
    #[error("{0}")]
    Usage(String),
}

/// A URL as a target's name: without its query and without a password (`redis://default:TOKEN@h`
/// becomes `redis://default@h`), so a name never carries a secret.
pub fn display_name(url: &str) -> String {
    let url = url.split_once('?').map_or(url, |(u, _)| u);
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..].find('/').map_or(url.len(), |i| start + i);
    match url[start..end].rfind('@') {
        Some(at) => {
            let userinfo = &url[start..start + at];
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{}{user}@{}", &url[..start], &url[start + at + 1..])
        }
        None => url.to_owned(),
    }
}

/// The targets of a run: the configured ones (or those `--target` names), then the URLs.
pub fn targets(args: &Args, cx: &Context) -> Result<Vec<Target>, Error> {
    let file: FileConfig = cx.section(NAME)?.unwrap_or_default();
    let mut configs: Vec<TargetConfig> = Vec::new();
    for name in &args.targets {
        if !file.targets.iter().any(|t| &t.name == name) {
            let known: Vec<&str> = file.targets.iter().map(|t| t.name.as_str()).collect();
            return Err(Error::Usage(format!(
                "no target `{name}` in [[health-probe.targets]]; the targets are: {}",
                known.join(", ")
            )));
        }
    }
    if args.urls.is_empty() || !args.targets.is_empty() {
        configs.extend(
            file.targets
                .into_iter()
                .filter(|t| args.targets.is_empty() || args.targets.contains(&t.name)),
        );
    }
    let mut headers = BTreeMap::new();
    for h in &args.header {
        let (k, v) = h
            .split_once(':')
            .ok_or_else(|| Error::Usage(format!("--header {h:?}: write `Name: value`")))?;
        headers.insert(k.trim().to_owned(), v.trim().to_owned());
    }
    for url in &args.urls {
        let kind = if url.starts_with("redis://") || url.starts_with("rediss://") {
            Kind::Redis
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Kind::Postgres
        } else {
            Kind::Http
        };
        configs.push(TargetConfig {
            name: display_name(url),
            kind,
            url: Some(url.clone()),
            headers: headers.clone(),
            status: args
                .status
                .iter()
                .map(|s| target::StatusItem::Text(s.clone()))
                .collect(),
            json: args.json.clone(),
            metrics: args.metric.clone(),
            latency_warning_ms: args.latency_warning,
            latency_critical_ms: args.latency_critical,
            retries: args.retries,
            timeout_ms: args.timeout,
            ca_file: args.cacert.clone(),
            ..TargetConfig::default()
        });
    }
    if configs.is_empty() {
        return Err(Error::Usage("nothing to probe: give URLs, or add [[health-probe.targets]] to opskit.toml (docs/health-probe.md)".to_owned()));
    }
    let mut names = std::collections::BTreeSet::new();
    for c in &configs {
        if !names.insert(c.name.clone()) {
            return Err(Error::Usage(format!("two targets are called `{}`", c.name)));
        }
    }
    configs
        .into_iter()
        .map(|c| Target::new(c).map_err(Error::Usage))
        .collect()
}

/// Probes every target at once; the checks come back in the targets' order.
pub fn probe_all(targets: &[Target]) -> Report {
    let checks = std::thread::scope(|s| {
        let handles: Vec<_> = targets.iter().map(|t| s.spawn(move || t.check())).collect();
        handles
            .into_iter()
            .zip(targets)
            .map(|(h, t)| {
                h.join().unwrap_or_else(|_| {
                    opskit::report::Check::unknown(t.config.name.clone(), "the probe crashed")
                })
            })
            .collect::<Vec<_>>()
    });
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    for c in checks {
        report.push(c);
    }
    report
}

/// `health-probe`'s entry point.
pub fn run(args: &Args, cx: &Context) -> Result<Report, Error> {
    let targets = targets(args, cx)?;
    Ok(probe_all(&targets))
}
