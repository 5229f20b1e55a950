//! `--format junit`: JUnit XML that CI systems (GitLab, Jenkins, CircleCI, Azure Pipelines,
//! GitHub test-report actions) read.
//!
//! One `<testsuite>` per report and one `<testcase>` per check, named after the check, with
//! `classname` `opskit.<tool>` and the check's duration:
//!
//! | check status | testcase                                          |
//! |--------------|---------------------------------------------------|
//! | OK           | passes; notes, if any, in `<system-out>`          |
//! | WARNING      | `<failure type="WARNING">`                        |
//! | CRITICAL     | `<failure type="CRITICAL">`                       |
//! | UNKNOWN      | `<error type="UNKNOWN">`: the check could not run |
//!
//! The failure's `message` is the check's summary; its text lists the findings, one per line,
//! as `path:line:col RULE severity: message`. Text is escaped for XML 1.0, and characters XML 1.0
//! cannot hold at all (most control characters) are replaced with U+FFFD.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{RenderOptions, one_line};
use crate::report::Check;
use crate::{Report, Status};

/// Escapes text for XML 1.0 content and attribute values.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn seconds(d: std::time::Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

fn findings_text(check: &Check) -> String {
    let mut text = String::new();
    for f in &check.findings {
        if let Some(loc) = &f.location {
            text.push_str(&loc.to_string());
            text.push(' ');
        }
        let _ = writeln!(
            text,
            "{} {}: {}",
            f.rule,
            f.severity.as_str(),
            one_line(&f.message)
        );
        if let Some(e) = &f.evidence {
            let _ = writeln!(text, "  evidence: {e}");
        }
    }
    text
}

/// Writes the JUnit XML document.
pub fn render(report: &Report, _options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let tests = report.checks.len();
    let failures = report
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Warning | Status::Critical))
        .count();
    let errors = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Unknown)
        .count();
    let total: std::time::Duration = report.checks.iter().map(|c| c.duration).sum();
    let suite = escape(&report.tool);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="opskit {suite}" tests="{tests}" failures="{failures}" errors="{errors}" skipped="0" time="{}">"#,
        seconds(total)
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{suite}" tests="{tests}" failures="{failures}" errors="{errors}" skipped="0" time="{}">"#,
        seconds(total)
    )?;
    writeln!(out, "    <properties>")?;
    writeln!(
        out,
        r#"      <property name="opskit.version" value="{}"/>"#,
        escape(&report.version)
    )?;
    writeln!(
        out,
        r#"      <property name="opskit.status" value="{}"/>"#,
        report.status()
    )?;
    writeln!(out, "    </properties>")?;
    for check in &report.checks {
        write!(
            out,
            r#"    <testcase name="{}" classname="opskit.{suite}" time="{}""#,
            escape(&check.name),
            seconds(check.duration)
        )?;
        let body = findings_text(check);
        let element = match check.status {
            Status::Ok if body.is_empty() => {
                writeln!(out, "/>")?;
                continue;
            }
            Status::Ok => None,
            Status::Warning | Status::Critical => Some("failure"),
            Status::Unknown => Some("error"),
        };
        writeln!(out, ">")?;
        match element {
            Some(tag) => writeln!(
                out,
                r#"      <{tag} message="{}" type="{}">{}</{tag}>"#,
                escape(&one_line(&check.summary)),
                check.status,
                escape(&body)
            )?,
            None => writeln!(out, "      <system-out>{}</system-out>", escape(&body))?,
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_illegal_characters() {
        assert_eq!(escape(r#"a<b>&"c"'"#), "a&lt;b&gt;&amp;&quot;c&quot;&apos;");
        assert_eq!(escape("bell\u{7}"), "bell\u{FFFD}");
        assert_eq!(escape("tab\tnl\n"), "tab\tnl\n");
    }
}
