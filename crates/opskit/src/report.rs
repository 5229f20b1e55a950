//! The report model every tool returns: a [`Report`] of [`Check`]s, each with [`Finding`]s and
//! [`Metric`]s.
//!
//! A **check** is one row of the report (`tsc`, `secrets`, `queue:emails`) with its own status.
//! A **finding** is one thing a check found (a leaked key at `src/app.ts:3:14`, a Dockerfile
//! without HEALTHCHECK), with the code of the rule that found it. A **metric** is one number a
//! check measured (queue depth 742, latency 0.12 s), with the thresholds it was held against.
//!
//! These types are the only ones in opskit that are serialized (see [`crate::render::json`] for
//! the wire format). Evidence is a [`Redacted`] value, so no report can carry a whole secret.
//!
//! ```
//! use opskit::report::{Check, Finding, Location, Metric, Report, Severity, Unit};
//! use opskit::{Status, threshold::Thresholds};
//!
//! let t = Thresholds::parse(Some("500"), Some("1000")).unwrap();
//! let depth = 742.0;
//! let check = Check::new("queue:emails", t.evaluate(depth), "742 jobs waiting")
//!     .with_metric(Metric::new("depth", depth).unit(Unit::None).thresholds(&t).min(0.0));
//! let lint = Check::from_findings("dockerfile", vec![
//!     Finding::new("DL3007", Severity::Warning, "Using latest is prone to errors")
//!         .at(Location::new("Dockerfile").line(1).column(1)),
//! ]);
//! let report = Report::new("example", "1.0.0").with_check(check).with_check(lint);
//! assert_eq!(report.status(), Status::Warning);
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Status;
use crate::redact::Redacted;
use crate::threshold::{Range, Thresholds};

/// The result of one tool run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The tool's binary name, e.g. `queue-depth`.
    pub tool: String,
    /// The tool's version.
    pub version: String,
    /// The checks, in the order the tool ran them.
    pub checks: Vec<Check>,
    /// Descriptions of the rules whose codes appear in findings (SARIF and `--explain` use them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleInfo>,
    /// Text the user asked for, printed as it is instead of the human report (`env-check
    /// generate`'s new value, for `| vercel env add`). Never serialized, so no machine format
    /// carries it; never a finding.
    #[serde(skip)]
    pub output: Option<String>,
}

impl Report {
    /// An empty report.
    pub fn new(tool: impl Into<String>, version: impl Into<String>) -> Report {
        Report {
            tool: tool.into(),
            version: version.into(),
            checks: Vec::new(),
            rules: Vec::new(),
            output: None,
        }
    }

    /// Passes every text of the report that can hold what came from outside (check names and
    /// summaries, finding messages, locations, help and properties, metric labels) through
    /// `f`. The CLI edge uses it with [`crate::redact::Secrets::clean`] before rendering. The
    /// `output` text the user asked for is left as it is.
    pub fn map_text(&mut self, f: &dyn Fn(&str) -> String) {
        for check in &mut self.checks {
            check.name = f(&check.name);
            check.summary = f(&check.summary);
            for finding in &mut check.findings {
                finding.message = f(&finding.message);
                if let Some(help) = &mut finding.help {
                    *help = f(help);
                }
                if let Some(location) = &mut finding.location {
                    location.path = f(&location.path);
                }
                for value in finding.properties.values_mut() {
                    *value = f(value);
                }
            }
            for metric in &mut check.metrics {
                metric.label = f(&metric.label);
                if let Some(name) = &mut metric.prometheus {
                    for (_, value) in &mut name.labels {
                        *value = f(value);
                    }
                }
            }
        }
    }

    /// Adds a check.
    #[must_use]
    pub fn with_check(mut self, check: Check) -> Report {
        self.checks.push(check);
        self
    }

    /// Adds a check.
    pub fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    /// Registers a rule description.
    #[must_use]
    pub fn with_rule(mut self, rule: RuleInfo) -> Report {
        self.rules.push(rule);
        self
    }

    /// The worst status of all checks; OK for a report without checks.
    pub fn status(&self) -> Status {
        Status::worst_of(self.checks.iter().map(|c| c.status))
    }

    /// The number of findings over all checks.
    pub fn finding_count(&self) -> usize {
        self.checks.iter().map(|c| c.findings.len()).sum()
    }

    /// The description of a rule, if registered.
    pub fn rule(&self, code: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.code == code)
    }

    /// One line that says what happened: the only check's summary, or a count by status with
    /// the names of the checks that are not OK.
    pub fn summary(&self) -> String {
        match self.checks.as_slice() {
            [] => "no checks ran".to_owned(),
            [only] => only.summary.clone(),
            checks => {
                let mut parts = Vec::new();
                for status in [Status::Critical, Status::Warning, Status::Unknown] {
                    let names: Vec<String> = checks
                        .iter()
                        .filter(|c| c.status == status)
                        .map(Check::name_and_reason)
                        .collect();
                    if !names.is_empty() {
                        parts.push(format!(
                            "{} {} ({})",
                            names.len(),
                            status.as_str().to_lowercase(),
                            names.join(", ")
                        ));
                    }
                }
                let ok = checks.iter().filter(|c| c.status == Status::Ok).count();
                if parts.is_empty() {
                    format!("all {ok} checks ok")
                } else {
                    if ok > 0 {
                        parts.push(format!("{ok} ok"));
                    }
                    format!("{} checks: {}", checks.len(), parts.join(", "))
                }
            }
        }
    }

    /// Sorts every check's findings by location, rule and message, so output is deterministic
    /// whatever order parallel workers produced them in; an [`Check::ordered`] check keeps its
    /// order.
    pub fn sort(&mut self) {
        for check in self.checks.iter_mut().filter(|c| !c.ordered) {
            check.findings.sort_by(Finding::sort_key_cmp);
        }
        self.rules.sort_by(|a, b| a.code.cmp(&b.code));
        self.rules.dedup_by(|a, b| a.code == b.code);
    }
}

/// One row of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// A short stable name: `tsc`, `secrets`, `queue:emails`.
    pub name: String,
    /// The outcome.
    pub status: Status,
    /// One line for people.
    pub summary: String,
    /// What the check found.
    pub findings: Vec<Finding>,
    /// What the check measured.
    pub metrics: Vec<Metric>,
    /// How long the check took.
    #[serde(
        rename = "duration_seconds",
        serialize_with = "seconds",
        deserialize_with = "from_seconds"
    )]
    pub duration: Duration,
    /// The findings are in an order that means something (job-trace's timeline is in time
    /// order), so [`Report::sort`] leaves them as they are. Not serialized: the order shows.
    #[serde(skip)]
    pub ordered: bool,
}

fn seconds<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

fn from_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let secs = f64::deserialize(d)?;
    Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
}

impl Check {
    /// The check's name, with what made it a problem when a finding of its status says so:
    /// `queue:emails: stalled 1 is above the critical threshold 0 (default of
    /// --stalled-critical)`. The finding's message is cut at its first `; ` (where the advice
    /// starts) and at 80 characters, so a status line stays one readable line.
    pub fn name_and_reason(&self) -> String {
        let reason = self
            .findings
            .iter()
            .find(|f| f.severity.status() == self.status && self.status.is_problem())
            .map(|f| {
                let first = f.message.lines().next().unwrap_or_default();
                let short = first.split("; ").next().unwrap_or(first);
                crate::render::cut(short, 81)
            });
        let reason = reason.or_else(|| {
            (self.status == Status::Unknown && !self.summary.is_empty())
                .then(|| crate::render::cut(self.summary.lines().next().unwrap_or_default(), 121))
        });
        match reason {
            Some(r) if !r.is_empty() => format!("{}: {r}", self.name),
            _ => self.name.clone(),
        }
    }

    /// A check with a status and a summary.
    pub fn new(name: impl Into<String>, status: Status, summary: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            status,
            summary: summary.into(),
            findings: Vec::new(),
            metrics: Vec::new(),
            duration: Duration::ZERO,
            ordered: false,
        }
    }

    /// A check whose status is the worst severity among its findings (OK without findings) and
    /// whose summary counts them.
    pub fn from_findings(name: impl Into<String>, findings: Vec<Finding>) -> Check {
        let status = Status::worst_of(findings.iter().map(|f| f.severity.status()));
        let summary = count_summary(&findings);
        Check {
            findings,
            ..Check::new(name, status, summary)
        }
    }

    /// A check that could not run; the reason becomes its summary.
    pub fn unknown(name: impl Into<String>, reason: impl Into<String>) -> Check {
        Check::new(name, Status::Unknown, reason)
    }

    /// Adds a finding (the status is left as it is).
    #[must_use]
    pub fn with_finding(mut self, finding: Finding) -> Check {
        self.findings.push(finding);
        self
    }

    /// Adds a metric.
    #[must_use]
    pub fn with_metric(mut self, metric: Metric) -> Check {
        self.metrics.push(metric);
        self
    }

    /// Sets the duration.
    #[must_use]
    pub fn took(mut self, duration: Duration) -> Check {
        self.duration = duration;
        self
    }
}

fn count_summary(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "no findings".to_owned();
    }
    let count = |sev| findings.iter().filter(|f| f.severity == sev).count();
    let mut parts = Vec::new();
    for (sev, word) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Note, "note"),
    ] {
        match count(sev) {
            0 => {}
            1 => parts.push(format!("1 {word}")),
            n => parts.push(format!("{n} {word}s")),
        }
    }
    parts.join(", ")
}

/// How serious a finding is. The names are SARIF's result levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; does not change the status.
    Note,
    /// Makes the check WARNING.
    Warning,
    /// Makes the check CRITICAL.
    Error,
}

impl Severity {
    /// The status a finding of this severity gives its check.
    pub const fn status(self) -> Status {
        match self {
            Severity::Note => Status::Ok,
            Severity::Warning => Status::Warning,
            Severity::Error => Status::Critical,
        }
    }

    /// `note`, `warning` or `error`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One thing a check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The stable code of the rule that found it: `SEC001`, `DL3007`, `TS2322`.
    pub rule: String,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong, for people.
    pub message: String,
    /// Where, when the finding is in a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The offending value, redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Redacted>,
    /// A link that explains the rule and the fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Facts that qualify the finding, by name: `confidence`, and for a secret found in git
    /// history `commit`, `author` and `date`. Never a secret.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

impl Finding {
    /// A finding without location, evidence or help.
    pub fn new(rule: impl Into<String>, severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            message: message.into(),
            location: None,
            evidence: None,
            help: None,
            properties: BTreeMap::new(),
        }
    }

    /// Sets the location.
    #[must_use]
    pub fn at(mut self, location: Location) -> Finding {
        self.location = Some(location);
        self
    }

    /// Sets the evidence.
    #[must_use]
    pub fn evidence(mut self, evidence: Redacted) -> Finding {
        self.evidence = Some(evidence);
        self
    }

    /// Sets the help link.
    #[must_use]
    pub fn help(mut self, url: impl Into<String>) -> Finding {
        self.help = Some(url.into());
        self
    }

    /// Sets a property (see [`Finding::properties`]).
    #[must_use]
    pub fn property(mut self, name: impl Into<String>, value: impl Into<String>) -> Finding {
        self.properties.insert(name.into(), value.into());
        self
    }

    fn sort_key_cmp(a: &Finding, b: &Finding) -> std::cmp::Ordering {
        let loc = |f: &Finding| {
            f.location
                .as_ref()
                .map(|l| (l.path.clone(), l.line.unwrap_or(0), l.column.unwrap_or(0)))
        };
        loc(a)
            .cmp(&loc(b))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.message.cmp(&b.message))
    }
}

/// A place in a file. Paths are relative to the scanned root, with `/` separators. Lines and
/// columns count from 1; columns count characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    /// The file.
    pub path: String,
    /// The line, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The column, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl Location {
    /// A whole file.
    pub fn new(path: impl Into<String>) -> Location {
        Location {
            path: path.into(),
            line: None,
            column: None,
        }
    }

    /// Sets the line.
    #[must_use]
    pub fn line(mut self, line: u32) -> Location {
        self.line = Some(line);
        self
    }

    /// Sets the column.
    #[must_use]
    pub fn column(mut self, column: u32) -> Location {
        self.column = Some(column);
        self
    }
}

impl std::fmt::Display for Location {
    /// `path`, `path:line` or `path:line:column`, the form editors and terminals link.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

/// The unit of a metric, limited to what Nagios performance data allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A plain number (a count of jobs, of findings).
    #[default]
    None,
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Milliseconds,
    /// Microseconds.
    Microseconds,
    /// Percent, 0 to 100.
    Percent,
    /// Bytes.
    Bytes,
    /// A continuous counter that only grows (Nagios `c`).
    Counter,
}

impl Unit {
    /// A value in this unit as people read it: `17m03s` for seconds, `250ms` for milliseconds,
    /// `98.5%`, plain numbers otherwise.
    pub fn show(self, value: f64) -> String {
        let span = |secs: f64| {
            if secs.is_finite() && secs >= 0.0 {
                crate::duration::Span::new(Duration::from_secs_f64(secs.min(1e12))).to_string()
            } else {
                format!("{secs}")
            }
        };
        match self {
            Unit::Seconds => span(value),
            Unit::Milliseconds => span(value / 1000.0),
            Unit::Microseconds => span(value / 1e6),
            Unit::Percent => format!("{value}%"),
            Unit::Bytes => format!("{value} bytes"),
            Unit::None | Unit::Counter => format!("{value}"),
        }
    }

    /// The Nagios unit of measurement: ``, `s`, `ms`, `us`, `%`, `B`, `c`.
    pub const fn nagios(self) -> &'static str {
        match self {
            Unit::None => "",
            Unit::Seconds => "s",
            Unit::Milliseconds => "ms",
            Unit::Microseconds => "us",
            Unit::Percent => "%",
            Unit::Bytes => "B",
            Unit::Counter => "c",
        }
    }
}

/// One measured number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// A short name: `depth`, `latency`, `failed`.
    pub label: String,
    /// The value.
    pub value: f64,
    /// The unit.
    pub unit: Unit,
    /// The warning range it was held against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn: Option<Range>,
    /// The critical range it was held against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crit: Option<Range>,
    /// The smallest possible value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// The largest possible value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// What the number means, for Prometheus `# HELP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// A Prometheus family and labels of the tool's choosing, for metrics whose names users
    /// already chart (such as `bullmq_job_count{queue,state}`). Without it the family is
    /// `opskit_<tool>_<label>` with `tool` and `check` labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<PrometheusName>,
    /// Who set the warning range (`--stalled-warning`, a key of opskit.toml, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_by: Option<String>,
    /// Who set the critical range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crit_by: Option<String>,
}

/// A metric's own Prometheus family name and labels. The value must already be in the
/// family's base unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrometheusName {
    /// The family, e.g. `bullmq_job_count`.
    pub family: String,
    /// Labels in order, e.g. `[("queue", "emails"), ("state", "waiting")]`.
    pub labels: Vec<(String, String)>,
}

impl Metric {
    /// A unitless metric without thresholds.
    pub fn new(label: impl Into<String>, value: f64) -> Metric {
        Metric {
            label: label.into(),
            value,
            unit: Unit::None,
            warn: None,
            crit: None,
            min: None,
            max: None,
            help: None,
            prometheus: None,
            warn_by: None,
            crit_by: None,
        }
    }

    /// Sets both thresholds and who set them.
    #[must_use]
    pub fn limits(mut self, set: &crate::threshold::Set) -> Metric {
        self = self.thresholds(&set.thresholds);
        self.warn_by.clone_from(&set.warning_by);
        self.crit_by.clone_from(&set.critical_by);
        self
    }

    /// The value as people read it: durations in the duration syntax (`17m03s`), others as
    /// numbers.
    pub fn value_text(&self) -> String {
        self.unit.show(self.value)
    }

    /// What the value breaks, in words, when it breaks a threshold: `stalled 1 is above the
    /// critical threshold 0 (default of --stalled-critical)`. `None` when the
    /// value is within its thresholds.
    pub fn breach(&self) -> Option<String> {
        let status = self.status();
        let (range, by, level) = match status {
            Status::Critical => (self.crit?, self.crit_by.as_deref(), "critical"),
            Status::Warning => (self.warn?, self.warn_by.as_deref(), "warning"),
            _ => return None,
        };
        let bound = |v: f64| self.unit.show(v);
        let relation = if self.value.is_nan() {
            "is not a number, against".to_owned()
        } else if range.alerts_inside() {
            "is inside".to_owned()
        } else if self.value > range.end() {
            "is above".to_owned()
        } else {
            "is below".to_owned()
        };
        let shown = if range.alerts_inside()
            || (range.start().is_finite() && range.start() != 0.0 && range.end().is_finite())
        {
            format!("{}:{}", bound(range.start()), bound(range.end()))
        } else if self.value > range.end() {
            bound(range.end())
        } else {
            bound(range.start())
        };
        let by = by.map(|b| format!(" ({b})")).unwrap_or_default();
        Some(format!(
            "{} {} {relation} the {level} threshold {shown}{by}",
            self.label,
            self.value_text()
        ))
    }

    /// Names the metric's Prometheus family and labels (see [`PrometheusName`]).
    #[must_use]
    pub fn prometheus(mut self, family: impl Into<String>, labels: &[(&str, &str)]) -> Metric {
        self.prometheus = Some(PrometheusName {
            family: family.into(),
            labels: labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        });
        self
    }

    /// Sets the unit.
    #[must_use]
    pub fn unit(mut self, unit: Unit) -> Metric {
        self.unit = unit;
        self
    }

    /// The status of the value against the metric's own thresholds (OK without any): a check
    /// derives its status from its metrics, so a threshold is written once, on the metric.
    pub fn status(&self) -> Status {
        if self.warn.is_none() && self.crit.is_none() {
            return Status::Ok;
        }
        Thresholds::new(self.warn, self.crit).evaluate(self.value)
    }

    /// Sets both thresholds.
    #[must_use]
    pub fn thresholds(mut self, t: &Thresholds) -> Metric {
        self.warn = t.warning;
        self.crit = t.critical;
        self
    }

    /// Sets the minimum.
    #[must_use]
    pub fn min(mut self, min: f64) -> Metric {
        self.min = Some(min);
        self
    }

    /// Sets the maximum.
    #[must_use]
    pub fn max(mut self, max: f64) -> Metric {
        self.max = Some(max);
        self
    }

    /// Sets the help text.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Metric {
        self.help = Some(help.into());
        self
    }
}

/// What a rule is, for SARIF's `tool.driver.rules` and for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    /// The stable code.
    pub code: String,
    /// A short name in kebab case: `latest-tag`.
    pub name: String,
    /// One sentence.
    pub summary: String,
    /// The default severity.
    pub severity: Severity,
    /// Where the rule is documented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metric_is_judged_by_its_own_thresholds() {
        let t = Thresholds::new(Some("10".parse().unwrap()), Some("20".parse().unwrap()));
        assert_eq!(Metric::new("x", 5.0).thresholds(&t).status(), Status::Ok);
        assert_eq!(
            Metric::new("x", 15.0).thresholds(&t).status(),
            Status::Warning
        );
        assert_eq!(
            Metric::new("x", 25.0).thresholds(&t).status(),
            Status::Critical
        );
        assert_eq!(Metric::new("x", 1e9).status(), Status::Ok);
        assert_eq!(
            Metric::new("x", f64::NAN).thresholds(&t).status(),
            Status::Unknown
        );
    }

    #[test]
    fn status_is_worst_of_checks() {
        let r = Report::new("t", "0");
        assert_eq!(r.status(), Status::Ok);
        let r = r
            .with_check(Check::new("a", Status::Ok, ""))
            .with_check(Check::unknown("b", "down"));
        assert_eq!(r.status(), Status::Unknown);
        let r = r.with_check(Check::new("c", Status::Warning, ""));
        assert_eq!(r.status(), Status::Warning);
    }

    #[test]
    fn from_findings_takes_worst_severity_and_counts() {
        let c = Check::from_findings("x", vec![]);
        assert_eq!((c.status, c.summary.as_str()), (Status::Ok, "no findings"));
        let c = Check::from_findings(
            "x",
            vec![
                Finding::new("A", Severity::Note, "n"),
                Finding::new("B", Severity::Warning, "w"),
                Finding::new("B", Severity::Warning, "w2"),
            ],
        );
        assert_eq!(
            (c.status, c.summary.as_str()),
            (Status::Warning, "2 warnings, 1 note")
        );
        let c = Check::from_findings("x", vec![Finding::new("A", Severity::Error, "e")]);
        assert_eq!(
            (c.status, c.summary.as_str()),
            (Status::Critical, "1 error")
        );
    }

    #[test]
    fn summary_names_failing_checks() {
        let r = Report::new("t", "0")
            .with_check(Check::new("tsc", Status::Critical, "3 errors"))
            .with_check(Check::new("lint", Status::Ok, "clean"))
            .with_check(Check::new("env", Status::Warning, "weak key"))
            .with_check(Check::unknown("health", "unreachable"));
        assert_eq!(
            r.summary(),
            "4 checks: 1 critical (tsc), 1 warning (env), 1 unknown (health: unreachable), 1 ok"
        );
        let ok = Report::new("t", "0")
            .with_check(Check::new("a", Status::Ok, ""))
            .with_check(Check::new("b", Status::Ok, ""));
        assert_eq!(ok.summary(), "all 2 checks ok");
        assert_eq!(Report::new("t", "0").summary(), "no checks ran");
        let one = Report::new("t", "0").with_check(Check::new("a", Status::Ok, "742 jobs"));
        assert_eq!(one.summary(), "742 jobs");
    }

    #[test]
    fn sort_orders_by_location_then_rule() {
        let f = |path: &str, line, rule: &str| {
            Finding::new(rule, Severity::Warning, "m").at(Location::new(path).line(line))
        };
        let mut r = Report::new("t", "0").with_check(Check::from_findings(
            "x",
            vec![
                f("b.ts", 1, "A"),
                f("a.ts", 10, "B"),
                f("a.ts", 2, "C"),
                f("a.ts", 2, "A"),
                Finding::new("Z", Severity::Note, "none"),
            ],
        ));
        r.sort();
        let order: Vec<String> = r.checks[0]
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{}:{}",
                    f.location
                        .as_ref()
                        .map_or_else(|| "-".to_owned(), ToString::to_string),
                    f.rule
                )
            })
            .collect();
        assert_eq!(
            order,
            ["-:Z", "a.ts:2:A", "a.ts:2:C", "a.ts:10:B", "b.ts:1:A"]
        );
    }

    #[test]
    fn location_displays_like_a_compiler() {
        assert_eq!(Location::new("a/b.ts").to_string(), "a/b.ts");
        assert_eq!(Location::new("a/b.ts").line(3).to_string(), "a/b.ts:3");
        assert_eq!(
            Location::new("a/b.ts").line(3).column(9).to_string(),
            "a/b.ts:3:9"
        );
    }

    #[test]
    fn severity_maps_to_status() {
        assert_eq!(Severity::Note.status(), Status::Ok);
        assert_eq!(Severity::Warning.status(), Status::Warning);
        assert_eq!(Severity::Error.status(), Status::Critical);
        assert!(Severity::Error > Severity::Warning && Severity::Warning > Severity::Note);
    }
}
