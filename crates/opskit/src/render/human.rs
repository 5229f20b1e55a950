//! `--format human`: an aligned table of checks, then each check's findings and metrics.
//!
//! ```text
//! CRITICAL  tsc    3 errors             1.20s
//! OK        lint   no findings          410ms
//!
//! tsc
//!   src/index.ts:3:7  error  TS2322  Type 'string' is not assignable to type 'number'.
//!
//! CRITICAL: 2 checks: 1 critical (tsc), 1 ok
//! ```
//!
//! Colour is ANSI, used only when [`RenderOptions::color`] is set (the CLI edge decides from
//! `--color`, `NO_COLOR` and whether stdout is a terminal).

use std::io::{self, Write};

use super::{RenderOptions, human_duration, one_line};
use crate::report::{Check, Finding, Metric, Severity};
use crate::{Report, Status};

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn status(&self, status: Status, padded: &str) -> String {
        let code = match status {
            Status::Ok => "32",
            Status::Warning => "33",
            Status::Critical => "1;31",
            Status::Unknown => "35",
        };
        self.wrap(code, padded)
    }

    fn severity(&self, severity: Severity, padded: &str) -> String {
        let code = match severity {
            Severity::Note => "36",
            Severity::Warning => "33",
            Severity::Error => "31",
        };
        self.wrap(code, padded)
    }
}

fn width(text: &str) -> usize {
    text.chars().count()
}

fn pad(text: &str, to: usize) -> String {
    let mut s = text.to_owned();
    s.extend(std::iter::repeat_n(' ', to.saturating_sub(width(text))));
    s
}

/// Renders the report for people.
pub fn render(report: &Report, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let paint = Paint { on: options.color };
    let name_w = report
        .checks
        .iter()
        .map(|c| width(&c.name))
        .max()
        .unwrap_or(0);
    let summaries: Vec<String> = report.checks.iter().map(|c| one_line(&c.summary)).collect();
    let summary_w = summaries
        .iter()
        .map(|s| width(s))
        .max()
        .unwrap_or(0)
        .min(72);
    for (check, summary) in report.checks.iter().zip(&summaries) {
        let status = paint.status(check.status, &pad(check.status.as_str(), 8));
        let name = paint.wrap("1", &pad(&check.name, name_w));
        let line = format!(
            "{status}  {name}  {}  {}",
            pad(summary, summary_w),
            human_duration(check.duration)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    for check in &report.checks {
        if check.findings.is_empty() && check.metrics.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "{}", paint.wrap("1", &check.name))?;
        write_findings(report, check, &paint, options, out)?;
        write_metrics(&check.metrics, out)?;
    }
    if !report.checks.is_empty() {
        writeln!(out)?;
    }
    let status = report.status();
    writeln!(
        out,
        "{}: {}",
        paint.status(status, status.as_str()),
        one_line(&report.summary())
    )
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "options travel by reference like in every renderer"
)]
fn write_findings(
    report: &Report,
    check: &Check,
    paint: &Paint,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let place = |f: &Finding| {
        f.location
            .as_ref()
            .map_or_else(|| "-".to_owned(), ToString::to_string)
    };
    let place_w = check
        .findings
        .iter()
        .map(|f| width(&place(f)))
        .max()
        .unwrap_or(0);
    let rule_w = check
        .findings
        .iter()
        .map(|f| width(&f.rule))
        .max()
        .unwrap_or(0);
    for finding in &check.findings {
        let severity = paint.severity(finding.severity, &pad(finding.severity.as_str(), 7));
        writeln!(
            out,
            "  {}  {severity}  {}  {}",
            paint.wrap("2", &pad(&place(finding), place_w)),
            pad(&finding.rule, rule_w),
            one_line(&finding.message)
        )?;
        if let Some(evidence) = &finding.evidence {
            writeln!(out, "      evidence: {evidence}")?;
        }
        if !finding.properties.is_empty() {
            let facts: Vec<String> = finding
                .properties
                .iter()
                .map(|(k, v)| format!("{k}: {}", one_line(v)))
                .collect();
            writeln!(out, "      {}", facts.join(", "))?;
        }
        if options.verbose > 0 {
            if let Some(rule) = report.rule(&finding.rule) {
                writeln!(
                    out,
                    "      rule: {} ({})",
                    rule.name,
                    one_line(&rule.summary)
                )?;
            }
            if let Some(help) = finding
                .help
                .as_ref()
                .or_else(|| report.rule(&finding.rule).and_then(|r| r.help.as_ref()))
            {
                writeln!(out, "      help: {help}")?;
            }
        }
    }
    Ok(())
}

fn write_metrics(metrics: &[Metric], out: &mut dyn Write) -> io::Result<()> {
    let label_w = metrics.iter().map(|m| width(&m.label)).max().unwrap_or(0);
    for m in metrics {
        let mut line = format!(
            "  {}  {}{}",
            pad(&m.label, label_w),
            m.value,
            m.unit.nagios()
        );
        let mut limits = Vec::new();
        if let Some(w) = m.warn {
            limits.push(format!("warning {w}"));
        }
        if let Some(c) = m.crit {
            limits.push(format!("critical {c}"));
        }
        if !limits.is_empty() {
            line = format!("{line}  ({})", limits.join(", "));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}
