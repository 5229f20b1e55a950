//! Renderers: one module per output format, all driven by the same [`Report`].
//!
//! Every renderer writes to a `&mut dyn Write` as it goes, so output of any size streams
//! instead of being built in memory first, and every tool gets every format for free. To add a
//! format: add a module here with `pub fn render(&Report, &RenderOptions, &mut dyn Write)`, a
//! variant to [`Format`], a line in [`render`], and a snapshot in `tests/render.rs`.
//!
//! | format       | for                                              |
//! |--------------|--------------------------------------------------|
//! | `human`      | people at a terminal (the default)               |
//! | `json`       | scripts; a versioned schema ([`json`])           |
//! | `nagios`     | Nagios, Icinga, Sensu, Zabbix agents             |
//! | `prometheus` | node_exporter's textfile collector, Pushgateway  |
//! | `sarif`      | GitHub code scanning and other SARIF viewers     |
//! | `junit`      | CI test reports (GitLab, Jenkins, CircleCI, …)   |
//! | `github`     | GitHub Actions annotations and the step summary  |

use std::fmt;
use std::io::{self, Write};

use crate::Report;

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod nagios;
pub mod prometheus;
pub mod sarif;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum Format {
    /// An aligned table for people; colour on a terminal.
    #[default]
    Human,
    /// The versioned JSON report.
    Json,
    /// A Nagios plugin status line with performance data.
    Nagios,
    /// Prometheus text exposition format 0.0.4.
    Prometheus,
    /// SARIF 2.1.0, as GitHub code scanning accepts it.
    Sarif,
    /// JUnit XML, one testcase per check.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 7] = [
        Format::Human,
        Format::Json,
        Format::Nagios,
        Format::Prometheus,
        Format::Sarif,
        Format::Junit,
        Format::Github,
    ];

    /// The name used on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Nagios => "nagios",
            Format::Prometheus => "prometheus",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Github => "github",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Choices that are not part of the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Emit ANSI colour (human only). Decided by the caller from `--color`, `NO_COLOR` and
    /// whether stdout is a terminal.
    pub color: bool,
    /// `-v` count: 1 adds help links and rule summaries to human output.
    pub verbose: u8,
}

/// Renders `report` in `format`.
pub fn render(
    report: &Report,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, options, out),
        Format::Json => json::render(report, options, out),
        Format::Nagios => nagios::render(report, options, out),
        Format::Prometheus => prometheus::render(report, options, out),
        Format::Sarif => sarif::render(report, options, out),
        Format::Junit => junit::render(report, options, out),
        Format::Github => github::render(report, options, out),
    }
}

/// `1.20s`, `350ms`, `12µs`: a duration for people.
pub(crate) fn human_duration(d: std::time::Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 60.0 {
        let whole = d.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    } else if secs >= 1.0 {
        format!("{secs:.2}s")
    } else if d.as_millis() >= 1 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}µs", d.as_micros())
    }
}

/// `text` in at most `max` characters: whole when it fits, else its first `max - 1` and `…`
/// (a service's field limit, a status line's reason).
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Replaces line breaks and other control characters with spaces, for one-line formats.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(Duration::from_micros(12)), "12µs");
        assert_eq!(human_duration(Duration::from_millis(350)), "350ms");
        assert_eq!(human_duration(Duration::from_millis(1204)), "1.20s");
        assert_eq!(human_duration(Duration::from_secs(125)), "2m05s");
    }

    #[test]
    fn format_names_match_clap() {
        use clap::ValueEnum;
        for f in Format::ALL {
            let value = f.to_possible_value().unwrap();
            assert_eq!(value.get_name(), f.as_str());
        }
        assert_eq!(Format::value_variants().len(), Format::ALL.len());
    }

    #[test]
    fn one_line_removes_breaks() {
        assert_eq!(one_line("a\nb\r\tc"), "a b  c");
    }
}
