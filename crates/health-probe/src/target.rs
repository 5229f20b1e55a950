//! A target and how it is probed: its configuration (from opskit.toml or the command line),
//! then one [`Check`] per target with the findings and the metrics blackbox_exporter users
//! know (`probe_success`, `probe_duration_seconds`, `probe_http_status_code`,
//! `probe_http_duration_seconds{phase}`, `probe_ssl_earliest_cert_expiry`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use opskit::Status;
use opskit::duration::{Span, SpanArg, Unit as DurUnit};
use opskit::probe::condition::{JsonCondition, StatusSet};
use opskit::probe::http::{self, ProbeError, Request, Response};
use opskit::redis::Backend as _;
use opskit::report::{Check, Finding, Metric, Severity, Unit};
use opskit::threshold::{Range, Set, Thresholds};
use serde::Deserialize;

use crate::codes::{HP001, HP002, HP003, HP004, HP005, HP006, HP007};
use crate::metrics::MetricCondition;

/// What a target is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An HTTP(S) endpoint.
    #[default]
    Http,
    /// A TCP port.
    Tcp,
    /// Redis: `redis://`, `rediss://`, or an Upstash REST URL with `token`.
    Redis,
    /// PostgreSQL: connect, authenticate, run `query` (SELECT 1), check `expect`.
    Postgres,
    /// An OpenRouter API key: usage, limit and remaining credit from `GET /api/v1/key`.
    Openrouter,
}

/// One target, as written in `[[health-probe.targets]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    /// Its name in the report.
    pub name: String,
    /// http (default), tcp or redis.
    #[serde(default)]
    pub kind: Kind,
    /// http: the URL; redis: the Redis or Upstash REST URL.
    pub url: Option<String>,
    /// tcp: host.
    pub host: Option<String>,
    /// tcp: port.
    pub port: Option<u16>,
    /// http: method (GET).
    pub method: Option<String>,
    /// http: headers (secrets only as `${VAR}` references).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// http: request body.
    pub body: Option<String>,
    /// http: accepted statuses (`200`, `"2xx"`, `"200-299"`) [default: 2xx].
    #[serde(default)]
    pub status: Vec<StatusItem>,
    /// Latency (total) above this is a warning: `500ms`, `1.5s` (a bare number is seconds).
    pub latency_warning: Option<SpanArg>,
    /// Latency (total) above this is critical.
    pub latency_critical: Option<SpanArg>,
    /// Deprecated: `latency_warning` in milliseconds.
    pub latency_warning_ms: Option<f64>,
    /// Deprecated: `latency_critical` in milliseconds.
    pub latency_critical_ms: Option<f64>,
    /// http: the body must contain this text.
    pub body_contains: Option<String>,
    /// http: the body must match this regex.
    pub body_regex: Option<String>,
    /// http: conditions on the JSON body (`status == "ok"`, `uptime > 60`).
    #[serde(default)]
    pub json: Vec<String>,
    /// http: conditions on a Prometheus/OpenMetrics body
    /// (`quantile(0.95, job_duration_seconds) < 30`, `rate(jobs_failed_total) < 0.1`).
    #[serde(default)]
    pub metrics: Vec<String>,
    /// The time between the two scrapes a `rate(...)` condition needs [default: 2s].
    pub rate_interval: Option<SpanArg>,
    /// Deprecated: `rate_interval` in milliseconds.
    pub rate_interval_ms: Option<u64>,
    /// https: a certificate expiring within this many days is a warning [default: 14].
    pub cert_warning_days: Option<f64>,
    /// https: within this many days, critical [default: 7].
    pub cert_critical_days: Option<f64>,
    /// Extra attempts before the target counts as down [default: 0].
    pub retries: Option<u32>,
    /// The whole probe (each attempt), redirects included: `5s`, `800ms` [default: 5s].
    pub timeout: Option<SpanArg>,
    /// Deprecated: `timeout` in milliseconds.
    pub timeout_ms: Option<u64>,
    /// http: most body bytes read [default: 1 MiB].
    pub max_body: Option<usize>,
    /// http: redirects followed [default: 5].
    pub follow_redirects: Option<u8>,
    /// Trust only this CA (PEM) for https and rediss.
    pub ca_file: Option<PathBuf>,
    /// redis over Upstash REST: the token (a `${VAR}` reference).
    pub token: Option<String>,
    /// postgres: the query (one statement) [default: SELECT 1].
    pub query: Option<String>,
    /// postgres: a condition on the query's first value: `> 0`, `== "t"`, `< 100`.
    pub expect: Option<String>,
    /// openrouter: remaining credit (USD) under which the key is a warning.
    pub credit_warning: Option<f64>,
    /// openrouter: remaining credit (USD) under which it is critical.
    pub credit_critical: Option<f64>,
}

/// A status item: a number or a string (`"2xx"`, `"200-299"`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum StatusItem {
    /// `200`
    Code(u16),
    /// `"2xx"`, `"200-299"`
    Text(String),
}

impl StatusItem {
    fn text(&self) -> String {
        match self {
            StatusItem::Code(c) => c.to_string(),
            StatusItem::Text(t) => t.clone(),
        }
    }
}

/// A target ready to probe: its configuration checked.
#[derive(Debug, Clone)]
pub struct Target {
    /// The configuration.
    pub config: TargetConfig,
    status: StatusSet,
    json: Vec<JsonCondition>,
    expect: Option<JsonCondition>,
    metrics: Vec<MetricCondition>,
    body_regex: Option<regex::Regex>,
    timeout: Duration,
    rate_interval: Duration,
    latency: Set,
    /// Deprecated forms the configuration used, as notes for the user.
    pub notes: Vec<String>,
}

/// A target's durations, resolved: the probe's timeout, the rate interval and the latency
/// thresholds with who set them, and notes for deprecated keys.
struct Times {
    timeout: Duration,
    rate_interval: Duration,
    latency: Set,
    notes: Vec<String>,
}

fn times(config: &TargetConfig) -> Result<Times, String> {
    let mut notes = Vec::new();
    #[expect(clippy::cast_precision_loss, reason = "milliseconds of a timeout")]
    let timeout = duration_key(
        &config.name,
        "timeout",
        config.timeout,
        config.timeout_ms.map(|v| v as f64),
        &mut notes,
    )
    .map_or(Duration::from_secs(5), Span::duration);
    if timeout.is_zero() {
        return Err("`timeout` must be longer than zero".to_owned());
    }
    #[expect(clippy::cast_precision_loss, reason = "milliseconds of an interval")]
    let rate_interval = duration_key(
        &config.name,
        "rate_interval",
        config.rate_interval,
        config.rate_interval_ms.map(|v| v as f64),
        &mut notes,
    )
    .map_or(Duration::from_secs(2), Span::duration);
    let by_cli = config.name.contains("://");
    let latency_side =
        |new: Option<SpanArg>, old: Option<f64>, side: &str, notes: &mut Vec<String>| {
            let span = duration_key(&config.name, &format!("latency_{side}"), new, old, notes)?;
            let by = if by_cli {
                format!("--latency-{side}")
            } else {
                format!("latency_{side} of target {}", config.name)
            };
            Some((Range::upper(span.as_secs_f64()), by))
        };
    let w = latency_side(
        config.latency_warning,
        config.latency_warning_ms,
        "warning",
        &mut notes,
    );
    let c = latency_side(
        config.latency_critical,
        config.latency_critical_ms,
        "critical",
        &mut notes,
    );
    let latency = Set {
        thresholds: Thresholds::new(w.as_ref().map(|x| x.0), c.as_ref().map(|x| x.0)),
        warning_by: w.map(|x| x.1),
        critical_by: c.map(|x| x.1),
    };
    latency
        .thresholds
        .check_order(
            latency.warning_by.as_deref().unwrap_or("latency_warning"),
            latency.critical_by.as_deref().unwrap_or("latency_critical"),
        )
        .map_err(|e| e.to_string())?;
    Ok(Times {
        timeout,
        rate_interval,
        latency,
        notes,
    })
}

/// A duration key and its deprecated `_ms` twin: the new key wins; the old one still works,
/// with a note.
fn duration_key(
    target: &str,
    key: &str,
    new: Option<SpanArg>,
    old_ms: Option<f64>,
    notes: &mut Vec<String>,
) -> Option<Span> {
    if let Some(v) = new {
        return Some(v.span(DurUnit::Seconds));
    }
    let ms = old_ms?;
    let span = Span::new(Duration::from_secs_f64(ms.max(0.0) / 1000.0));
    notes.push(format!(
        "target `{target}`: `{key}_ms = {ms}` is deprecated and goes in the next release; write `{key} = \"{span}\"`"
    ));
    Some(span)
}

/// A target whose configuration cannot be probed: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("target `{target}`: {reason}")]
pub struct TargetError {
    /// The target's name.
    pub target: String,
    /// What is wrong.
    pub reason: String,
}

impl Target {
    /// Checks a configuration; the error names the target and the key.
    pub fn new(config: TargetConfig) -> Result<Target, TargetError> {
        let name = config.name.clone();
        let err = |reason: String| TargetError {
            target: name.clone(),
            reason,
        };
        match config.kind {
            Kind::Http | Kind::Redis | Kind::Postgres if config.url.is_none() => {
                return Err(err("needs `url`".to_owned()));
            }
            Kind::Tcp if config.host.is_none() || config.port.is_none() => {
                return Err(err("a tcp target needs `host` and `port`".to_owned()));
            }
            _ => {}
        }
        let items: Vec<String> = config.status.iter().map(StatusItem::text).collect();
        let status = StatusSet::parse(&items).map_err(|e| err(e.to_string()))?;
        let json = config
            .json
            .iter()
            .map(|c| JsonCondition::parse(c))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| err(e.to_string()))?;
        let body_regex = config
            .body_regex
            .as_deref()
            .map(regex::Regex::new)
            .transpose()
            .map_err(|e| err(format!("body_regex: {e}")))?;
        let metrics = config
            .metrics
            .iter()
            .map(|c| MetricCondition::parse(c))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| err(e.to_string()))?;
        if !metrics.is_empty() && config.kind != Kind::Http {
            return Err(err(
                "`metrics` conditions need an http target (the /metrics URL)".to_owned(),
            ));
        }
        let expect = config
            .expect
            .as_deref()
            .map(|e| JsonCondition::parse(&format!("value {e}")))
            .transpose()
            .map_err(|e| err(format!("expect: {e}")))?;
        if let (Some(w), Some(c)) = (config.credit_warning, config.credit_critical)
            && w < c
        {
            return Err(err(format!(
                "credit_warning {w} is below credit_critical {c}: the key is CRITICAL before it could be a WARNING; swap them"
            )));
        }
        let Times {
            timeout,
            rate_interval,
            latency,
            notes,
        } = times(&config).map_err(err)?;
        Ok(Target {
            config,
            status,
            json,
            expect,
            metrics,
            body_regex,
            timeout,
            rate_interval,
            latency,
            notes,
        })
    }

    fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Probes the target (with its retries) and reports it as a check.
    pub fn check(&self) -> Check {
        let attempts = 1 + self.config.retries.unwrap_or(0);
        let mut backoff = Duration::from_millis(200);
        let mut last = None;
        for attempt in 1..=attempts {
            let check = self.attempt();
            let failed = check.status == Status::Critical;
            last = Some(check);
            if !failed || attempt == attempts {
                break;
            }
            std::thread::sleep(backoff);
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
        let mut check = last.unwrap_or_else(|| Check::unknown(self.name(), "not probed"));
        if attempts > 1 {
            check.summary = format!("{} ({attempts} attempts at most)", check.summary);
        }
        check
    }

    fn name(&self) -> String {
        if self.config.name.contains("://") {
            return self.config.name.clone();
        }
        let kind = match self.config.kind {
            Kind::Http => "http",
            Kind::Tcp => "tcp",
            Kind::Redis => "redis",
            Kind::Postgres => "postgres",
            Kind::Openrouter => "openrouter",
        };
        format!("{kind}:{}", self.config.name)
    }

    fn attempt(&self) -> Check {
        let started = Instant::now();
        let (mut findings, mut metrics) = match self.config.kind {
            Kind::Http => self.http(),
            Kind::Tcp => self.tcp(),
            Kind::Redis => self.redis(),
            Kind::Postgres => self.postgres(),
            Kind::Openrouter => self.openrouter(),
        };
        let elapsed = started.elapsed().as_secs_f64();
        let up = !findings.iter().any(|f| f.rule == HP001.code);
        let labels = [("target", self.config.name.as_str())];
        let latency = Metric::new("latency", elapsed)
            .unit(Unit::Seconds)
            .limits(&self.latency);
        if let Some(breach) = latency.breach().filter(|_| up) {
            let severity = if latency.status() == Status::Critical {
                Severity::Error
            } else {
                Severity::Warning
            };
            findings.push(HP003.finding_as(severity, format!("{breach}; {}", HP003.fix)));
        }
        metrics.insert(
            0,
            Metric::new(
                "success",
                if findings.iter().any(|f| f.severity == Severity::Error) {
                    0.0
                } else {
                    1.0
                },
            )
            .prometheus("probe_success", &labels)
            .min(0.0)
            .max(1.0),
        );
        metrics.insert(
            1,
            Metric::new("duration", elapsed)
                .unit(Unit::Seconds)
                .prometheus("probe_duration_seconds", &labels)
                .min(0.0),
        );
        let mut check = Check::from_findings(self.name(), findings).took(started.elapsed());
        if !check.status.is_problem() {
            check.summary = format!("up in {:.0} ms", elapsed * 1000.0);
        } else if up
            && check.findings.iter().all(|f| {
                f.severity == Severity::Note
                    || [HP003.code, HP005.code, HP007.code].contains(&f.rule.as_str())
            })
        {
            // Up, but something is wrong (slow, low on credit, a certificate expiring): the
            // summary says both, so a problem never reads like "down".
            let first = check
                .findings
                .iter()
                .find(|f| f.severity.status() == check.status)
                .map(|f| f.message.split("; ").next().unwrap_or_default().to_owned())
                .unwrap_or_default();
            check.summary = format!("up in {:.0} ms, but {first}", elapsed * 1000.0);
        }
        check.metrics = metrics;
        check
    }

    fn http(&self) -> (Vec<Finding>, Vec<Metric>) {
        let c = &self.config;
        let mut request = Request::get(c.url.clone().unwrap_or_default());
        request.method = c
            .method
            .clone()
            .unwrap_or_else(|| "GET".to_owned())
            .to_ascii_uppercase();
        request.headers = c
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (_, value) in &request.headers {
            opskit::redact::secrets().register_header(value);
        }
        request.body.clone_from(&c.body);
        request.timeout = self.timeout();
        request.connect_timeout = self.timeout();
        request.max_body = c.max_body.unwrap_or(1 << 20);
        request.max_redirects = c.follow_redirects.unwrap_or(5);
        request.ca_file.clone_from(&c.ca_file);
        let labels = [("target", c.name.as_str())];
        match http::probe(&request) {
            Ok(r) => {
                let mut metrics = phase_metrics(&r, &c.name);
                metrics.push(
                    Metric::new("status code", f64::from(r.status))
                        .prometheus("probe_http_status_code", &labels),
                );
                metrics.push(
                    Metric::new(
                        "redirects",
                        f64::from(u32::try_from(r.redirects.len()).unwrap_or(u32::MAX)),
                    )
                    .prometheus("probe_http_redirects", &labels)
                    .min(0.0),
                );
                if let Some(t) = r.cert_not_after {
                    #[expect(clippy::cast_precision_loss, reason = "Unix seconds as a metric")]
                    metrics.push(
                        Metric::new("certificate expiry", t as f64)
                            .unit(Unit::Seconds)
                            .prometheus("probe_ssl_earliest_cert_expiry", &labels),
                    );
                }
                let mut findings = self.judge(&r);
                if !self.metrics.is_empty() {
                    findings.extend(self.metric_conditions(&request, &r, &mut metrics));
                }
                (findings, metrics)
            }
            Err(e) => (vec![unreachable(&e)], Vec::new()),
        }
    }

    /// HP006: the conditions on a metrics endpoint; a `rate(...)` scrapes it a second time.
    fn metric_conditions(
        &self,
        request: &Request,
        first: &Response,
        metrics: &mut Vec<Metric>,
    ) -> Vec<Finding> {
        let earlier = opskit::probe::prometheus::parse(&String::from_utf8_lossy(&first.body));
        let mut out = Vec::new();
        if !earlier.errors.is_empty() {
            let e = &earlier.errors[0];
            out.push(HP006.finding_as(
                Severity::Warning,
                format!(
                    "{} lines of the exposition could not be read (line {}: {})",
                    earlier.errors.len(),
                    e.line,
                    e.message
                ),
            ));
        }
        let mut later = None;
        if self.metrics.iter().any(MetricCondition::needs_rate) {
            let wait = self.rate_interval;
            let started = Instant::now();
            std::thread::sleep(wait);
            match http::probe(request) {
                Ok(r) => {
                    later = Some((
                        opskit::probe::prometheus::parse(&String::from_utf8_lossy(&r.body)),
                        started.elapsed().as_secs_f64(),
                    ));
                }
                Err(e) => out.push(HP001.finding(format!("down at the second scrape: {e}"))),
            }
        }
        for (i, cond) in self.metrics.iter().enumerate() {
            let result = match &later {
                Some((now, seconds)) => cond.eval(now, Some((&earlier, *seconds))),
                None if cond.needs_rate() => continue,
                None => cond.eval(&earlier, None),
            };
            let index = i.to_string();
            match result {
                Ok(v) => metrics.push(Metric::new(cond.as_str(), v).prometheus(
                    "health_probe_metric_value",
                    &[
                        ("target", self.config.name.as_str()),
                        ("condition", index.as_str()),
                    ],
                )),
                Err(why) => out.push(HP006.finding(why.to_string())),
            }
        }
        out
    }

    /// The findings about an answer.
    fn judge(&self, r: &Response) -> Vec<Finding> {
        let c = &self.config;
        let mut out = Vec::new();
        if !self.status.contains(r.status) {
            out.push(HP002.finding(format!(
                "status {} is not one of the accepted ({})",
                r.status,
                if c.status.is_empty() {
                    "2xx".to_owned()
                } else {
                    c.status
                        .iter()
                        .map(StatusItem::text)
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )));
        }
        let body = String::from_utf8_lossy(&r.body);
        if let Some(want) = &c.body_contains
            && !body.contains(want.as_str())
        {
            out.push(HP004.finding(format!("the body does not contain {want:?}")));
        }
        if let Some(re) = &self.body_regex
            && !re.is_match(&body)
        {
            out.push(HP004.finding(format!("the body does not match /{}/", re.as_str())));
        }
        if !self.json.is_empty() {
            match serde_json::from_slice::<serde_json::Value>(&r.body) {
                Ok(json) => {
                    for cond in &self.json {
                        if let Err(why) = cond.eval(&json) {
                            out.push(HP004.finding(format!("{}: {why}", cond.as_str())));
                        }
                    }
                }
                Err(e) => out.push(HP004.finding(format!(
                    "the body is not JSON ({e}){}",
                    if r.truncated {
                        "; it was cut at max_body"
                    } else {
                        ""
                    }
                ))),
            }
        }
        if let Some(not_after) = r.cert_not_after {
            let now = i64::try_from(opskit::time::now_unix()).unwrap_or(i64::MAX);
            #[expect(clippy::cast_precision_loss, reason = "days, shown with one decimal")]
            let days = (not_after - now) as f64 / 86_400.0;
            let (warn, crit) = (
                c.cert_warning_days.unwrap_or(14.0),
                c.cert_critical_days.unwrap_or(7.0),
            );
            if days < crit {
                out.push(HP005.finding_as(
                    Severity::Error,
                    format!(
                        "the TLS certificate expires in {days:.1} days (critical under {crit}, cert_critical_days)"
                    ),
                ));
            } else if days < warn {
                out.push(HP005.finding(format!(
                    "the TLS certificate expires in {days:.1} days (warning under {warn}, cert_warning_days)"
                )));
            }
        }
        out
    }

    fn tcp(&self) -> (Vec<Finding>, Vec<Metric>) {
        let c = &self.config;
        let host = c.host.clone().unwrap_or_default();
        match opskit::probe::tcp::connect(&host, c.port.unwrap_or(0), self.timeout()) {
            Ok(_) => (Vec::new(), Vec::new()),
            Err(e) => (vec![HP001.finding(e.to_string())], Vec::new()),
        }
    }

    fn redis(&self) -> (Vec<Finding>, Vec<Metric>) {
        let c = &self.config;
        let url = c.url.clone().unwrap_or_default();
        let target = match &c.token {
            Some(token) => opskit::redis::Target::Upstash {
                url,
                token: token.clone(),
            },
            None => match url.parse::<opskit::redis::RedisUrl>() {
                Ok(mut u) => {
                    u.ca_file.clone_from(&c.ca_file);
                    opskit::redis::Target::Native(u)
                }
                Err(e) => {
                    return (vec![HP001.finding(e.to_string())], Vec::new());
                }
            },
        };
        let limits = opskit::redis::Limits {
            connect_timeout: self.timeout(),
            timeout: self.timeout(),
            ..opskit::redis::Limits::default()
        };
        let result = opskit::redis::Connection::open(&target, &limits)
            .and_then(|mut conn| conn.pipeline(&[vec!["PING".to_owned()]]));
        match result {
            Ok(replies)
                if replies
                    .first()
                    .and_then(opskit::redis::Value::as_text)
                    .as_deref()
                    == Some("PONG") =>
            {
                (Vec::new(), Vec::new())
            }
            Ok(replies) => (
                vec![HP001.finding(format!(
                        "PING answered {:?} instead of PONG",
                        replies
                            .first()
                            .and_then(opskit::redis::Value::as_text)
                            .unwrap_or_default()
                    ))],
                Vec::new(),
            ),
            Err(e) => (vec![HP001.finding(e.to_string())], Vec::new()),
        }
    }
}

impl Target {
    fn postgres(&self) -> (Vec<Finding>, Vec<Metric>) {
        let c = &self.config;
        let url: opskit::probe::postgres::PgUrl = match c.url.as_deref().unwrap_or_default().parse()
        {
            Ok(u) => u,
            Err(e) => return (vec![HP001.finding(e)], Vec::new()),
        };
        let sql = c.query.as_deref().unwrap_or("SELECT 1");
        match opskit::probe::postgres::probe(&url, sql, self.timeout()) {
            Ok(answer) => {
                let labels = |phase: &'static str| [("target", c.name.as_str()), ("phase", phase)];
                let metrics = [
                    ("connect", answer.connect),
                    ("startup", answer.startup),
                    ("query", answer.query),
                ]
                .into_iter()
                .map(|(phase, d)| {
                    Metric::new(format!("{phase} time"), d.as_secs_f64())
                        .unit(Unit::Seconds)
                        .min(0.0)
                        .prometheus("probe_postgres_duration_seconds", &labels(phase))
                })
                .collect();
                let mut findings = Vec::new();
                if let Some(cond) = &self.expect {
                    let value = match &answer.value {
                        None => serde_json::Value::Null,
                        Some(v) => v
                            .parse::<f64>()
                            .ok()
                            .and_then(serde_json::Number::from_f64)
                            .map_or_else(
                                || serde_json::Value::String(v.clone()),
                                serde_json::Value::Number,
                            ),
                    };
                    if let Err(why) = cond.eval(&serde_json::json!({ "value": value })) {
                        findings.push(HP004.finding(format!("`{sql}`: {why}")));
                    }
                }
                (findings, metrics)
            }
            Err(e) => (vec![HP001.finding(e.to_string())], Vec::new()),
        }
    }
}

/// OpenRouter's documented key endpoint.
pub const OPENROUTER_KEY_URL: &str = "https://openrouter.ai/api/v1/key";

impl Target {
    fn openrouter(&self) -> (Vec<Finding>, Vec<Metric>) {
        let c = &self.config;
        let Some(token) = c.token.as_deref().filter(|t| !t.is_empty()) else {
            return (
                vec![HP001.finding(
                    "an openrouter target needs `token` (token = \"${OPENROUTER_API_KEY}\")",
                )],
                Vec::new(),
            );
        };
        let mut request = Request::get(
            c.url
                .clone()
                .unwrap_or_else(|| OPENROUTER_KEY_URL.to_owned()),
        );
        request
            .headers
            .push(("Authorization".to_owned(), format!("Bearer {token}")));
        opskit::redact::secrets().register(token);
        request.timeout = self.timeout();
        request.connect_timeout = self.timeout();
        request.ca_file.clone_from(&c.ca_file);
        let response = match http::probe(&request) {
            Ok(r) => r,
            Err(e) => return (vec![unreachable(&e)], Vec::new()),
        };
        if response.status == 401 || response.status == 403 {
            return (
                vec![HP001.finding(format!(
                        "OpenRouter refuses the key ({}): it is invalid, disabled or deleted; see docs/ROTATE_SECRETS.md",
                        response.status
                    ),
                )],
                Vec::new(),
            );
        }
        if response.status != 200 {
            return (
                vec![HP002.finding(format!("OpenRouter answered {}", response.status))],
                Vec::new(),
            );
        }
        let json: serde_json::Value = match serde_json::from_slice(&response.body) {
            Ok(j) => j,
            Err(e) => {
                return (
                    vec![HP004.finding(format!("OpenRouter's answer is not JSON: {e}"))],
                    Vec::new(),
                );
            }
        };
        let data = &json["data"];
        let labels = [("target", c.name.as_str())];
        let mut metrics = Vec::new();
        for (field, family) in [
            ("usage", "openrouter_key_usage_dollars"),
            ("limit", "openrouter_key_limit_dollars"),
            ("limit_remaining", "openrouter_key_limit_remaining_dollars"),
            ("usage_daily", "openrouter_key_usage_daily_dollars"),
        ] {
            if let Some(v) = data[field].as_f64() {
                metrics.push(
                    Metric::new(field.replace('_', " "), v)
                        .min(0.0)
                        .prometheus(family, &labels),
                );
            }
        }
        (credit_findings(c, data), metrics)
    }
}

/// HP007: the credit left on an OpenRouter key, against the target's thresholds.
fn credit_findings(c: &TargetConfig, data: &serde_json::Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    match data["limit_remaining"].as_f64() {
        Some(left) => {
            let (warn, crit) = (c.credit_warning, c.credit_critical);
            if crit.is_some_and(|l| left < l) {
                findings.push(HP007.finding_as(Severity::Error, format!("${left:.2} of credit left on the key (critical under ${:.2}, credit_critical); requests fail with 402 when it runs out: add credit on openrouter.ai", crit.unwrap_or_default())));
            } else if warn.is_some_and(|l| left < l) {
                findings.push(HP007.finding(format!(
                    "${left:.2} of credit left on the key (warning under ${:.2}, credit_warning); add credit on openrouter.ai before requests fail with 402",
                    warn.unwrap_or_default()
                )));
            }
        }
        None if data.get("limit").is_some_and(serde_json::Value::is_null) => {}
        None => findings.push(HP004.finding_as(
            Severity::Warning,
            "OpenRouter's answer has no data.limit_remaining",
        )),
    }
    if data["is_free_tier"].as_bool() == Some(true) {
        findings.push(
            HP007.finding(
                "the key is on the free tier: low rate limits (about 20 requests per 10 s)",
            ),
        );
    }
    findings
}

fn unreachable(e: &ProbeError) -> Finding {
    HP001.finding(format!("down: {e}"))
}

fn phase_metrics(r: &Response, name: &str) -> Vec<Metric> {
    let t = r.timing;
    let mut phases = vec![("resolve", t.dns), ("connect", t.connect)];
    if let Some(tls) = t.tls {
        phases.push(("tls", tls));
    }
    phases.push(("processing", t.first_byte));
    let accounted: Duration = phases.iter().map(|(_, d)| *d).sum();
    phases.push(("transfer", t.total.saturating_sub(accounted)));
    phases
        .into_iter()
        .map(|(phase, d)| {
            Metric::new(format!("{phase} time"), d.as_secs_f64())
                .unit(Unit::Seconds)
                .min(0.0)
                .prometheus(
                    "probe_http_duration_seconds",
                    &[("target", name), ("phase", phase)],
                )
        })
        .collect()
}
