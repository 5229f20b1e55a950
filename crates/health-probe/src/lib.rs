//! # health-probe: is each part of the platform up, and answering as it should?
//!
//! Targets come from `[[health-probe.targets]]` in opskit.toml or from the command line
//! (`health-probe https://app.example.com/api/health`). Every target of a run is probed at
//! the same time, so a run takes about as long as its slowest target; each becomes one check
//! with Nagios semantics (exit 0/1/2/3) and blackbox_exporter's metric names.
//!
//! - http: status codes, latency thresholds, body text or regex, conditions on the JSON body
//!   (`status == "ok"`, `checks.redis == "up"`, `uptime > 60`), TLS certificate expiry in
//!   days, redirects, retries with backoff, one deadline per probe and a body cap; timing split
//!   into resolve, connect, TLS, processing (first byte) and transfer.
//! - http with `metrics`: conditions on a Prometheus/OpenMetrics endpoint: a sample's value,
//!   a quantile from histogram buckets (p95 job duration), a counter's rate between two scrapes.
//! - redis: PING over the native protocol (`redis://`, `rediss://`) or the Upstash REST API.
//! - postgres: connect (TLS as `sslmode` says), authenticate (SCRAM-SHA-256), run a query
//!   (`SELECT 1`) and check its first value (`expect = "> 0"`).
//! - openrouter: the key's usage, limit and remaining credit from OpenRouter's documented
//!   `GET /api/v1/key`, with thresholds on the credit left, before requests start failing.
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
//! | HP007 | an OpenRouter key is low on credit (warning or critical), or on the free tier |

pub mod codes;
pub mod metrics;
pub mod serve;
pub mod target;
pub mod watch;

use std::collections::BTreeMap;

use clap::Parser;
use opskit::cli::{CommonArgs, Context, Tool};
use opskit::duration::{SpanArg, Unit as DurUnit};
use opskit::report::{Check, Report};
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
  health-probe https://app.example.com/api/health --json 'status == \"ok\"' --latency-warning 500ms
  health-probe http://worker.internal:8080/health --status 200 --retries 2
  # For Nagios/Icinga, Prometheus' textfile collector, or CI
  health-probe --format nagios
  health-probe --format prometheus > /var/lib/node_exporter/health.prom
  # An uptime monitor: down after 3 failed probes in a row, up after 2 good ones
  health-probe --watch 30s --history uptime.jsonl
  # An exporter for Prometheus, in blackbox_exporter's style
  health-probe serve --listen 0.0.0.0:9115     # scrape /probe?target=frontend
  # What a finding code means, and every code
  health-probe --explain HP001
  health-probe --list-rules

Exit codes: 0 every target up, 1 a warning (slow, a certificate expiring soon), 2 a target down
or failing a condition, 3 the probe could not run (bad configuration or flags).";

/// `health-probe`.
#[derive(Debug, Clone, Parser)]
#[command(name = NAME, version, about = "Probe HTTP(S), Redis, PostgreSQL and TCP targets in parallel, with conditions and thresholds.", after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Args {
    /// `serve`: run as an exporter.
    #[command(subcommand)]
    pub command: Option<Command>,
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
    /// Latency above which a URL given here is a warning: `500ms`, `1.5s` (a bare number is
    /// milliseconds for this release, with a note).
    #[arg(long, value_name = "DURATION")]
    pub latency_warning: Option<SpanArg>,
    /// Latency above which it is critical.
    #[arg(long, value_name = "DURATION")]
    pub latency_critical: Option<SpanArg>,
    /// Extra attempts before a URL given here counts as down.
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// The whole probe of a URL, redirects included: `5s`, `800ms` [default: 5s; a bare
    /// number is milliseconds for this release, with a note]. Every read and write is held to
    /// it, so a server that drips cannot hold the run past it.
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<SpanArg>,
    /// Trust only this CA (PEM) for the URLs given here.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<std::path::PathBuf>,
    /// Probe every DURATION (`30s`, `1m`; a bare number is seconds), as an uptime monitor with
    /// flap damping (see --down-after).
    #[arg(long, value_name = "DURATION")]
    pub watch: Option<SpanArg>,
    /// Stop after this many rounds of --watch.
    #[arg(long, value_name = "N", requires = "watch")]
    pub count: Option<u64>,
    /// With --watch: consecutive failed probes before a target is down.
    #[arg(long, value_name = "N", default_value_t = 3, requires = "watch")]
    pub down_after: u32,
    /// With --watch: consecutive good probes before a down target is up.
    #[arg(long, value_name = "N", default_value_t = 2, requires = "watch")]
    pub up_after: u32,
    /// With --watch: append every up/down change to this JSON-lines file.
    #[arg(long, value_name = "FILE", requires = "watch")]
    pub history: Option<std::path::PathBuf>,
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

#[cfg(test)]
mod tests {
    #[test]
    fn flags_are_consistent() {
        use clap::CommandFactory;
        super::Args::command().debug_assert();
    }

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

/// Subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Serve an exporter in blackbox_exporter's style: /probe?target=NAME (or a URL),
    /// /metrics and /health.
    Serve {
        /// The address to listen on.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9115")]
        listen: String,
    },
}

impl Tool for Args {
    fn common(&self) -> &CommonArgs {
        &self.common
    }

    fn notify(&self) -> Option<&opskit::cli::NotifyFlags> {
        Some(&self.notify)
    }

    fn watch(&self) -> Option<opskit::cli::Watch> {
        let interval = self.watch?.span(DurUnit::Seconds).duration();
        Some(opskit::cli::Watch {
            interval: interval.max(std::time::Duration::from_millis(100)),
            count: self.count,
        })
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
    /// `--explain` of a code no registry holds.
    #[error(transparent)]
    UnknownCode(#[from] opskit::codes::UnknownCode),
    /// opskit.toml is wrong.
    #[error(transparent)]
    Config(#[from] opskit::config::ConfigError),
    /// A target or flag is wrong.
    #[error("{0}")]
    Usage(String),
    /// A configured target cannot be probed.
    #[error(transparent)]
    Target(#[from] target::TargetError),
}

/// A URL as a target's name: without its query and without a password (`redis://default:TOKEN@h`
/// becomes `redis://default@h`), so a name never carries a secret.
pub fn display_name(url: &str) -> String {
    opskit::redact::url_shown(url, opskit::redact::UrlView::Name)
}

/// A target for a URL from the command line (with the flags' conditions) or from the
/// exporter's `?target=` (with the defaults): http, redis or postgres by its scheme.
pub fn url_config(url: &str, args: Option<&Args>) -> TargetConfig {
    let kind = if url.starts_with("redis://") || url.starts_with("rediss://") {
        Kind::Redis
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Kind::Postgres
    } else {
        Kind::Http
    };
    let mut c = TargetConfig {
        name: display_name(url),
        kind,
        url: Some(url.to_owned()),
        ..TargetConfig::default()
    };
    if let Some(args) = args {
        c.status = args
            .status
            .iter()
            .map(|s| target::StatusItem::Text(s.clone()))
            .collect();
        c.json.clone_from(&args.json);
        c.metrics.clone_from(&args.metric);
        let ms = |v: Option<SpanArg>| v.map(|v| SpanArg::Span(v.span(DurUnit::Millis)));
        c.latency_warning = ms(args.latency_warning);
        c.latency_critical = ms(args.latency_critical);
        c.retries = args.retries;
        c.timeout = ms(args.timeout);
        c.ca_file.clone_from(&args.cacert);
    }
    c
}

/// A URL from the command line must say what to speak: without a scheme it is a usage error
/// (exit 3) that shows the URL to write, not a probe that fails (exit 2).
pub(crate) fn check_scheme(url: &str) -> Result<(), Error> {
    const SCHEMES: [&str; 6] = ["http", "https", "redis", "rediss", "postgres", "postgresql"];
    let shown = display_name(url);
    // Every scheme but `but`, as a list to write.
    let listed = |but: &str| {
        SCHEMES
            .iter()
            .filter(|s| **s != but)
            .map(|s| format!("{s}://"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match url.split_once("://").map(|(s, _)| s.to_ascii_lowercase()) {
        Some(s) if SCHEMES.contains(&s.as_str()) => Ok(()),
        Some(s) => Err(Error::Usage(format!(
            "`{shown}`: health-probe speaks {}, not `{s}://`",
            listed("")
        ))),
        None => Err(Error::Usage(format!(
            "`{shown}` has no scheme: write https://{shown} (or {})",
            listed("https")
        ))),
    }
}

/// The targets of a run: the configured ones (or those `--target` names), then the URLs; and
/// an UNKNOWN check for each configured target that cannot be resolved (it refers to an unset
/// variable), so one forgotten `DATABASE_URL` does not keep the others from being probed.
pub fn targets(args: &Args, cx: &Context) -> Result<(Vec<Target>, Vec<Check>), Error> {
    let (file, unresolved) = configured(cx)?;
    let mut configs: Vec<TargetConfig> = Vec::new();
    let known = || {
        file.targets
            .iter()
            .map(|t| t.name.as_str())
            .chain(unresolved.iter().map(|(n, _, _)| n.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for name in &args.targets {
        if !file.targets.iter().any(|t| &t.name == name)
            && !unresolved.iter().any(|(n, _, _)| n == name)
        {
            return Err(Error::Usage(format!(
                "no target `{name}` in [[health-probe.targets]]; the targets are: {}",
                known()
            )));
        }
    }
    let use_configured = args.urls.is_empty() || !args.targets.is_empty();
    let wanted = |name: &str| args.targets.is_empty() || args.targets.iter().any(|t| t == name);
    let mut unknown = Vec::new();
    if use_configured {
        for (name, check_name, reason) in &unresolved {
            if wanted(name) {
                unknown.push(
                    Check::unknown(check_name.clone(), format!("not probed: {reason}"))
                        .with_finding(codes::HP008.finding(reason.clone())),
                );
            }
        }
        configs.extend(file.targets.into_iter().filter(|t| wanted(&t.name)));
    }
    let mut headers = BTreeMap::new();
    for h in &args.header {
        let (k, v) = h
            .split_once(':')
            .ok_or_else(|| Error::Usage(format!("--header {h:?}: write `Name: value`")))?;
        headers.insert(k.trim().to_owned(), v.trim().to_owned());
    }
    for (flag, value) in [
        ("--timeout", args.timeout),
        ("--latency-warning", args.latency_warning),
        ("--latency-critical", args.latency_critical),
    ] {
        if let Some((_, Some(note))) = value.map(|v| v.resolve(DurUnit::Millis, flag)) {
            cx.note(note);
        }
    }
    for url in &args.urls {
        check_scheme(url)?;
        let mut c = url_config(url, Some(args));
        c.headers.clone_from(&headers);
        configs.push(c);
    }
    if configs.is_empty() && unknown.is_empty() {
        return Err(Error::Usage("nothing to probe: give URLs, or add [[health-probe.targets]] to opskit.toml (docs/health-probe.md)".to_owned()));
    }
    let mut names = std::collections::BTreeSet::new();
    for c in &configs {
        if !names.insert(c.name.clone()) {
            return Err(Error::Usage(format!("two targets are called `{}`", c.name)));
        }
    }
    let targets = configs
        .into_iter()
        .map(|c| Target::new(c).map_err(Error::Target))
        .collect::<Result<Vec<_>, _>>()?;
    for t in &targets {
        for note in &t.notes {
            cx.note(note.clone());
        }
    }
    Ok((targets, unknown))
}

/// A configured target that cannot be resolved: its name, its check name (`postgres:db`) and
/// why.
pub type Unresolved = (String, String, String);

/// `[health-probe]` with every target that resolves, and the name and reason of each that
/// does not.
pub fn configured(cx: &Context) -> Result<(FileConfig, Vec<Unresolved>), Error> {
    let Some(config) = &cx.config else {
        return Ok((FileConfig::default(), Vec::new()));
    };
    let env = |name: &str| cx.var(name);
    let Some((mut file, items)) =
        config.section_items::<FileConfig, TargetConfig>(NAME, "targets", &env)?
    else {
        return Ok((FileConfig::default(), Vec::new()));
    };
    let mut unresolved = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match item.value {
            Ok(t) => file.targets.push(t),
            Err(e) => {
                let name = item.name.unwrap_or_else(|| format!("targets[{i}]"));
                let kind = item
                    .plain
                    .iter()
                    .find(|(k, _)| k == "kind")
                    .map_or("http", |(_, v)| v.as_str());
                unresolved.push((name.clone(), format!("{kind}:{name}"), e.to_string()));
            }
        }
    }
    Ok((file, unresolved))
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

/// `health-probe`'s entry point (called once per round with `--watch`).
pub fn run(args: &Args, cx: &Context) -> Result<Report, Error> {
    if let Some(answer) = args
        .codes
        .answer(NAME, env!("CARGO_PKG_VERSION"), &[codes::REGISTRY])
    {
        return Ok(answer?);
    }
    let mut report = probe(args, cx)?;
    opskit::codes::describe(&mut report, &[codes::REGISTRY]);
    Ok(report)
}

fn probe(args: &Args, cx: &Context) -> Result<Report, Error> {
    if let Some(Command::Serve { listen }) = &args.command {
        let (file, unresolved) = configured(cx)?;
        let targets = file
            .targets
            .into_iter()
            .map(|c| Target::new(c).map_err(Error::Target))
            .collect::<Result<Vec<_>, _>>()?;
        return serve::serve(targets, unresolved, listen);
    }
    let (targets, unknown) = targets(args, cx)?;
    let mut report = probe_all(&targets);
    for check in unknown {
        report.push(check);
    }
    if args.watch.is_some() {
        let damping = watch::Damping {
            down_after: args.down_after.max(1),
            up_after: args.up_after.max(1),
        };
        let changes = watch::damp(&mut report, damping);
        if let Some(path) = &args.history {
            let path = cx.cwd.join(path);
            watch::record(&path, &changes).map_err(|e| {
                Error::Usage(format!("cannot write the history {}: {e}", path.display()))
            })?;
        }
        if let Some(c) = watch::change_check(&changes) {
            report.push(c);
        }
    }
    Ok(report)
}
