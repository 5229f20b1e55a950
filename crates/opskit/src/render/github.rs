//! `--format github`: GitHub Actions [workflow commands] that turn findings into annotations,
//! plus a markdown summary for `$GITHUB_STEP_SUMMARY`.
//!
//! ```text
//! ::error file=src/app.ts,line=3,col=7,title=SEC001 (secrets)::OpenAI API key in source
//! ::warning title=queue:emails::742 jobs waiting
//! ```
//!
//! Errors come first, then warnings, then notices, because GitHub shows only the first few
//! annotations of each kind per step. Checks that are not OK and have no findings get one
//! annotation with their summary. Data is escaped as the runner expects (`%`, CR, LF; in
//! properties also `:` and `,`).
//!
//! [`render_summary`] writes the markdown job summary; the CLI edge appends it to the file named
//! by `GITHUB_STEP_SUMMARY` when that is set (libraries do not read the environment).
//!
//! [workflow commands]: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands

use std::io::{self, Write};

use super::{RenderOptions, human_duration, one_line};
use crate::report::{Check, Finding, Severity};
use crate::{Report, Status};

/// Bytes of finding rows the step summary holds at most; GitHub caps a step summary at 1 MiB.
pub const MAX_SUMMARY_BYTES: usize = 900 * 1024;

/// Escapes a command's message.
pub fn escape_data(raw: &str) -> String {
    raw.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value.
pub fn escape_property(raw: &str) -> String {
    escape_data(raw).replace(':', "%3A").replace(',', "%2C")
}

const fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// GitHub shows at most this many annotations of each kind (error, warning, notice) per step.
pub const MAX_ANNOTATIONS_PER_KIND: usize = 10;

fn annotation(severity: Severity, check: &Check, f: &Finding) -> String {
    let mut props = Vec::new();
    if let Some(loc) = &f.location {
        props.push(format!("file={}", escape_property(&loc.path)));
        if let Some(line) = loc.line {
            props.push(format!("line={line}"));
            if let Some(col) = loc.column {
                props.push(format!("col={col}"));
            }
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("{} ({})", f.rule, check.name))
    ));
    let mut message = f.message.clone();
    if let Some(e) = &f.evidence {
        message = format!("{message} [{e}]");
    }
    format!(
        "::{} {}::{}",
        command(severity),
        props.join(","),
        escape_data(&message)
    )
}

/// Writes the most important annotations: errors first, then warnings, then notices, at most
/// [`MAX_ANNOTATIONS_PER_KIND`] of each (a failing check without findings counts as one),
/// then one notice that counts the rest, which the job summary lists.
pub fn render(report: &Report, _options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut left_out = 0usize;
    for severity in [Severity::Error, Severity::Warning, Severity::Note] {
        let mut shown = 0usize;
        for check in &report.checks {
            let check_severity = match check.status {
                Status::Critical | Status::Unknown => Some(Severity::Error),
                Status::Warning => Some(Severity::Warning),
                Status::Ok => None,
            };
            let mut lines = Vec::new();
            if check.findings.is_empty() && check_severity == Some(severity) {
                lines.push(format!(
                    "::{} title={}::{} ({})",
                    command(severity),
                    escape_property(&check.name),
                    escape_data(&check.summary),
                    check.status
                ));
            }
            let matching = check.findings.iter().filter(|f| f.severity == severity);
            for line in lines
                .into_iter()
                .chain(matching.map(|f| annotation(severity, check, f)))
            {
                if shown < MAX_ANNOTATIONS_PER_KIND {
                    writeln!(out, "{line}")?;
                    shown += 1;
                } else {
                    left_out += 1;
                }
            }
        }
    }
    if left_out > 0 {
        writeln!(
            out,
            "::notice title=opskit {}::{left_out} more findings are not annotated (GitHub shows {MAX_ANNOTATIONS_PER_KIND} of each kind per step); the job summary lists them",
            escape_property(&report.tool)
        )?;
    }
    let status = report.status();
    writeln!(
        out,
        "{} {}: {}",
        report.tool,
        status,
        one_line(&report.summary())
    )
}

fn cell(raw: &str) -> String {
    one_line(raw).replace('|', "\\|")
}

/// Writes the markdown job summary.
pub fn render_summary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let status = report.status();
    let mark = |s: Status| match s {
        Status::Ok => "✅",
        Status::Warning => "⚠️",
        Status::Critical => "❌",
        Status::Unknown => "❔",
    };
    writeln!(
        out,
        "### {} opskit {}: {}",
        mark(status),
        report.tool,
        status
    )?;
    writeln!(out)?;
    writeln!(out, "{}", cell(&report.summary()))?;
    writeln!(out)?;
    writeln!(out, "| Status | Check | Summary | Findings | Duration |")?;
    writeln!(out, "|---|---|---|---:|---:|")?;
    for c in &report.checks {
        writeln!(
            out,
            "| {} {} | `{}` | {} | {} | {} |",
            mark(c.status),
            c.status,
            cell(&c.name).replace('`', "'"),
            cell(&c.summary),
            c.findings.len(),
            human_duration(c.duration)
        )?;
    }
    let total = report.finding_count();
    if total > 0 {
        writeln!(out)?;
        writeln!(out, "<details><summary>Findings ({total})</summary>")?;
        writeln!(out)?;
        writeln!(out, "| Severity | Rule | Location | Message |")?;
        writeln!(out, "|---|---|---|---|")?;
        let mut shown = 0;
        let mut bytes = 0usize;
        'outer: for severity in [Severity::Error, Severity::Warning, Severity::Note] {
            for c in &report.checks {
                for f in c.findings.iter().filter(|f| f.severity == severity) {
                    let place = f
                        .location
                        .as_ref()
                        .map_or_else(|| c.name.clone(), ToString::to_string);
                    let row = format!(
                        "| {} | {} | {} | {} |",
                        f.severity.as_str(),
                        cell(&f.rule),
                        cell(&place),
                        cell(&f.message)
                    );
                    bytes += row.len() + 1;
                    if bytes > MAX_SUMMARY_BYTES {
                        break 'outer;
                    }
                    writeln!(out, "{row}")?;
                    shown += 1;
                }
            }
        }
        if shown < total {
            writeln!(out)?;
            writeln!(
                out,
                "{} more not shown (GitHub limits a job summary to 1 MiB); run with `--format json` for all.",
                total - shown
            )?;
        }
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
