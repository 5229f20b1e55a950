//! `--format prometheus`: the [text exposition format] 0.0.4, for node_exporter's textfile
//! collector, a Pushgateway, or a `/metrics` endpoint.
//!
//! Families, each with `# HELP` and `# TYPE` and grouped as the format requires:
//!
//! | family                                  | type  | labels                  |
//! |-----------------------------------------|-------|-------------------------|
//! | `opskit_report_status`                  | gauge | tool                    |
//! | `opskit_check_status`                   | gauge | tool, check             |
//! | `opskit_check_duration_seconds`         | gauge | tool, check             |
//! | `opskit_check_findings`                 | gauge | tool, check, severity   |
//! | `opskit_<tool>_<metric>[_<unit>]`       | gauge (counter for `c`) | tool, check |
//!
//! Statuses are the exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). Metric values are
//! converted to base units, as Prometheus recommends: milliseconds and microseconds become
//! `_seconds`, bytes `_bytes`, percent a `_ratio` from 0 to 1, and counters end in `_total`.
//!
//! [text exposition format]: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io::{self, Write};

use super::RenderOptions;
use crate::Report;
use crate::report::{Metric, Severity, Unit};

/// A metric or label name: `[a-zA-Z_][a-zA-Z0-9_]*`. Colons are reserved for recording rules,
/// so they become `_` like every other character outside the set.
pub fn name(raw: &str) -> String {
    let mut out: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// A label value with `\`, `"` and line feeds escaped.
pub fn label_value(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn help_text(raw: &str) -> String {
    raw.replace('\\', "\\\\").replace('\n', "\\n")
}

/// A sample value as Prometheus writes it.
pub fn value(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v == f64::INFINITY {
        "+Inf".to_owned()
    } else if v == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else {
        format!("{v}")
    }
}

struct Family {
    help: String,
    kind: &'static str,
    samples: Vec<String>,
    series: HashSet<String>,
}

#[derive(Default)]
struct Families(BTreeMap<String, Family>);

impl Families {
    fn add(
        &mut self,
        family: &str,
        help: &str,
        kind: &'static str,
        labels: &[(&str, &str)],
        v: f64,
    ) {
        let entry = self.0.entry(family.to_owned()).or_insert_with(|| Family {
            help: help.to_owned(),
            kind,
            samples: Vec::new(),
            series: HashSet::new(),
        });
        if entry.kind != kind {
            return;
        }
        let mut sample = family.to_owned();
        if !labels.is_empty() {
            sample.push('{');
            for (i, (k, val)) in labels.iter().enumerate() {
                if i > 0 {
                    sample.push(',');
                }
                let _ = write!(sample, "{k}=\"{}\"", label_value(val));
            }
            sample.push('}');
        }
        // Two samples with the same labels would make the exposition invalid: keep the first.
        if !entry.series.insert(sample.clone()) {
            return;
        }
        sample.push(' ');
        sample.push_str(&value(v));
        entry.samples.push(sample);
    }
}

/// The family name and the value in base units for a tool's metric.
fn metric_family(tool: &str, m: &Metric) -> (String, f64, &'static str) {
    let base = format!("opskit_{}_{}", name(tool), name(&m.label));
    let with = |suffix: &str| {
        if base.ends_with(suffix) {
            base.clone()
        } else {
            format!("{base}{suffix}")
        }
    };
    match m.unit {
        Unit::None => (base, m.value, "gauge"),
        Unit::Seconds => (with("_seconds"), m.value, "gauge"),
        Unit::Milliseconds => (with("_seconds"), m.value / 1e3, "gauge"),
        Unit::Microseconds => (with("_seconds"), m.value / 1e6, "gauge"),
        Unit::Bytes => (with("_bytes"), m.value, "gauge"),
        Unit::Percent => (with("_ratio"), m.value / 100.0, "gauge"),
        Unit::Counter => (with("_total"), m.value, "counter"),
    }
}

/// Writes every family of the report.
pub fn render(report: &Report, _options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let tool = report.tool.as_str();
    let mut families = Families::default();
    families.add(
        "opskit_report_status",
        "Worst status of the run: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
        "gauge",
        &[("tool", tool)],
        f64::from(report.status().code()),
    );
    for check in &report.checks {
        let labels = [("tool", tool), ("check", check.name.as_str())];
        families.add(
            "opskit_check_status",
            "Status of one check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
            "gauge",
            &labels,
            f64::from(check.status.code()),
        );
        families.add(
            "opskit_check_duration_seconds",
            "How long the check took.",
            "gauge",
            &labels,
            check.duration.as_secs_f64(),
        );
        for severity in [Severity::Error, Severity::Warning, Severity::Note] {
            let count = check
                .findings
                .iter()
                .filter(|f| f.severity == severity)
                .count();
            #[expect(
                clippy::cast_precision_loss,
                reason = "finding counts stay far below 2^52"
            )]
            families.add(
                "opskit_check_findings",
                "Findings of the check, by severity.",
                "gauge",
                &[
                    ("tool", tool),
                    ("check", check.name.as_str()),
                    ("severity", severity.as_str()),
                ],
                count as f64,
            );
        }
        for m in &check.metrics {
            if let Some(own) = &m.prometheus {
                let family = name(&own.family);
                let labels: Vec<(String, &str)> = own
                    .labels
                    .iter()
                    .map(|(k, v)| (name(k), v.as_str()))
                    .collect();
                let labels: Vec<(&str, &str)> =
                    labels.iter().map(|(k, v)| (k.as_str(), *v)).collect();
                let kind = if m.unit == Unit::Counter {
                    "counter"
                } else {
                    "gauge"
                };
                let help = m
                    .help
                    .clone()
                    .unwrap_or_else(|| format!("{} measured by {tool}.", m.label));
                families.add(&family, &help, kind, &labels, m.value);
                continue;
            }
            let (family, v, kind) = metric_family(tool, m);
            let help = m
                .help
                .clone()
                .unwrap_or_else(|| format!("{} measured by {tool}.", m.label));
            families.add(&family, &help, kind, &labels, v);
        }
    }
    for (family, f) in &families.0 {
        writeln!(out, "# HELP {family} {}", help_text(&f.help))?;
        writeln!(out, "# TYPE {family} {}", f.kind)?;
        for s in &f.samples {
            writeln!(out, "{s}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitized() {
        assert_eq!(name("queue-depth"), "queue_depth");
        assert_eq!(name("p95 latency"), "p95_latency");
        assert_eq!(name("9lives"), "_9lives");
        assert_eq!(name(""), "_");
        assert_eq!(name("Wait:Ms"), "wait_ms");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn special_values() {
        assert_eq!(value(f64::NAN), "NaN");
        assert_eq!(value(f64::INFINITY), "+Inf");
        assert_eq!(value(f64::NEG_INFINITY), "-Inf");
        assert_eq!(value(0.5), "0.5");
    }

    #[test]
    fn units_become_base_units() {
        let m = Metric::new("latency", 250.0).unit(Unit::Milliseconds);
        assert_eq!(
            metric_family("health-probe", &m),
            (
                "opskit_health_probe_latency_seconds".to_owned(),
                0.25,
                "gauge"
            )
        );
        let m = Metric::new("disk", 50.0).unit(Unit::Percent);
        assert_eq!(
            metric_family("x", &m),
            ("opskit_x_disk_ratio".to_owned(), 0.5, "gauge")
        );
        let m = Metric::new("jobs_total", 5.0).unit(Unit::Counter);
        assert_eq!(metric_family("x", &m).0, "opskit_x_jobs_total");
    }

    #[test]
    fn duplicate_series_keep_the_first() {
        let mut f = Families::default();
        f.add("m", "h", "gauge", &[("a", "1")], 1.0);
        f.add("m", "h", "gauge", &[("a", "1")], 2.0);
        f.add("m", "h", "gauge", &[("a", "10")], 3.0);
        assert_eq!(f.0["m"].samples, ["m{a=\"1\"} 1", "m{a=\"10\"} 3"]);
    }
}
