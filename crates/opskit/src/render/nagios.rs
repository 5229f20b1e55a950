//! `--format nagios`: a plugin status line with performance data, as the
//! [monitoring-plugins guidelines] define it.
//!
//! ```text
//! QUEUE-DEPTH CRITICAL - 1 critical (queue:emails) | 'queue:emails.depth'=1204;500;1000;0
//! [CRITICAL] queue:emails: 1204 jobs waiting
//! ```
//!
//! - Line 1 is `TOOL STATUS - summary | perfdata`. A `|` inside text would start performance
//!   data early, so it is written as `/`.
//! - Each metric is `'label'=value[UOM];[warn];[crit];[min];[max]`, trailing empty fields
//!   dropped. Labels are `check.metric`; they are quoted when they hold anything but
//!   letters, digits, `_`, `.`, `:` and `-`, and a `'` inside is doubled. `=` cannot appear in a
//!   label, so it becomes `_`.
//! - The following lines are the long output: one line per check that is not OK, then its
//!   findings, at most [`MAX_FINDING_LINES`] of them in all (monitoring UIs are not the place for
//!   a full scan; use `--format json` for that), with a line that says how many were left out.
//!
//! [monitoring-plugins guidelines]: https://www.monitoring-plugins.org/doc/guidelines.html#AEN201

use std::io::{self, Write};

use super::{RenderOptions, one_line};
use crate::Report;
use crate::report::Metric;

/// The most finding lines written to the long output.
pub const MAX_FINDING_LINES: usize = 100;

fn text(s: &str) -> String {
    one_line(s).replace('|', "/")
}

/// A perfdata label, quoted when needed.
pub fn label(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| if c == '=' || c.is_control() { '_' } else { c })
        .collect();
    let plain = !cleaned.is_empty()
        && cleaned
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c));
    if plain {
        cleaned
    } else {
        format!("'{}'", cleaned.replace('\'', "''"))
    }
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "U".to_owned()
    } else {
        format!("{v}")
    }
}

/// One performance-data item.
pub fn perfdata(label_text: &str, m: &Metric) -> String {
    let value = if m.value.is_nan() {
        "U".to_owned()
    } else {
        format!("{}{}", number(m.value), m.unit.nagios())
    };
    let fields = [
        m.warn.map(|r| r.to_string()).unwrap_or_default(),
        m.crit.map(|r| r.to_string()).unwrap_or_default(),
        m.min.map(number).unwrap_or_default(),
        m.max.map(number).unwrap_or_default(),
    ];
    let keep = fields
        .iter()
        .rposition(|f| !f.is_empty())
        .map_or(0, |i| i + 1);
    let mut item = format!("{}={value}", label(label_text));
    for field in &fields[..keep] {
        item.push(';');
        item.push_str(field);
    }
    item
}

/// Writes the status line, the long output and the performance data.
pub fn render(report: &Report, _options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let status = report.status();
    let perf: Vec<String> = report
        .checks
        .iter()
        .flat_map(|c| {
            c.metrics
                .iter()
                .map(move |m| perfdata(&format!("{}.{}", c.name, m.label), m))
        })
        .collect();
    write!(
        out,
        "{} {} - {}",
        text(&report.tool).to_uppercase(),
        status.as_str(),
        text(&report.summary())
    )?;
    if !perf.is_empty() {
        write!(out, " | {}", perf.join(" "))?;
    }
    writeln!(out)?;
    let mut budget = MAX_FINDING_LINES;
    let mut left_out = 0usize;
    for check in &report.checks {
        if report.checks.len() > 1 || check.status.is_problem() {
            writeln!(
                out,
                "[{}] {}: {}",
                check.status.as_str(),
                text(&check.name),
                text(&check.summary)
            )?;
        }
        for finding in &check.findings {
            if budget == 0 {
                left_out += 1;
                continue;
            }
            budget -= 1;
            let place = finding
                .location
                .as_ref()
                .map(|l| format!("{l} "))
                .unwrap_or_default();
            writeln!(
                out,
                "  {place}{} {}: {}",
                finding.rule,
                finding.severity.as_str(),
                text(&finding.message)
            )?;
        }
    }
    if left_out > 0 {
        writeln!(
            out,
            "  … and {left_out} more findings (use --format json for all)"
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Unit;
    use crate::threshold::Thresholds;

    #[test]
    fn labels_are_quoted_only_when_needed() {
        assert_eq!(label("queue:emails.depth"), "queue:emails.depth");
        assert_eq!(label("free space"), "'free space'");
        assert_eq!(label("it's"), "'it''s'");
        assert_eq!(label("a=b"), "a_b");
        assert_eq!(label(""), "''");
    }

    #[test]
    fn perfdata_drops_trailing_empty_fields() {
        let t = Thresholds::parse(Some("500"), Some("1000")).unwrap();
        let m = Metric::new("depth", 742.0).thresholds(&t).min(0.0);
        assert_eq!(perfdata("depth", &m), "depth=742;500;1000;0");
        assert_eq!(perfdata("d", &Metric::new("d", 1.5)), "d=1.5");
        let m = Metric::new("t", 0.25).unit(Unit::Seconds).max(10.0);
        assert_eq!(perfdata("t", &m), "t=0.25s;;;;10");
        let m = Metric::new("p", 99.0)
            .unit(Unit::Percent)
            .thresholds(&Thresholds::parse(Some("@10:20"), Some("~:5")).unwrap());
        assert_eq!(perfdata("p", &m), "p=99%;@10:20;~:5");
        assert_eq!(perfdata("n", &Metric::new("n", f64::NAN)), "n=U");
        assert_eq!(
            perfdata("big", &Metric::new("big", 1e21)),
            "big=1000000000000000000000"
        );
    }
}
