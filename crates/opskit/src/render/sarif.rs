//! `--format sarif`: [SARIF 2.1.0], as GitHub code scanning accepts it.
//!
//! One run per check with located findings (predeploy's tsc, ESLint and Railway findings are
//! three tools to code scanning), at most [`MAX_RUNS`], each with its own
//! `automationDetails.id` category; a report whose findings come from one check (or none) is
//! one run. `tool.driver.rules` lists every rule that appears (with the report's
//! [`RuleInfo`] where the tool registered one); each located finding is a result with `ruleId`,
//! `ruleIndex`, `level`, `message.text`, a `physicalLocation` relative to `%SRCROOT%`, and a
//! `partialFingerprints` entry that does not change when the finding moves to another line, so
//! code scanning keeps tracking an alert across edits.
//!
//! What has no place in a file (a queue over its threshold, a check that could not run, a
//! finding without a location) becomes a `toolExecutionNotification` of the run's invocation:
//! GitHub rejects results without a location, and notifications are SARIF's place for them.
//!
//! GitHub accepts at most [`MAX_RESULTS`] results per run and [`MAX_RUNS`] runs per file. Past
//! that, results are kept by severity (errors first) and a notification says how many were
//! left out; `--format json` has them all.
//!
//! [SARIF 2.1.0]: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};
use sha2::{Digest, Sha256};

use super::RenderOptions;
use crate::report::{Check, Finding, RuleInfo, Severity};
use crate::{Report, Status};

/// GitHub's limit of runs per file.
pub const MAX_RUNS: usize = 20;
/// GitHub's limit of results per run.
pub const MAX_RESULTS: usize = 25_000;
/// Where opskit is documented, for `tool.driver.informationUri`.
pub const INFORMATION_URI: &str = "https://github.com/opskit/opskit";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    automation_details: AutomationDetails,
    invocations: [Invocation; 1],
    results: Results<'a>,
    column_kind: &'static str,
    properties: RunProperties,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: String,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    short_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    exit_code: u8,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    descriptor: Option<Descriptor>,
}

#[derive(Serialize)]
struct Descriptor {
    id: String,
}

#[derive(Serialize)]
struct RunProperties {
    status: Status,
    summary: String,
    #[serde(rename = "resultsOmitted")]
    results_omitted: usize,
}

/// The results, serialized lazily from the report.
struct Results<'a> {
    report: &'a Report,
    rule_index: HashMap<&'a str, usize>,
    kept: Vec<(usize, usize)>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    partial_fingerprints: Fingerprints,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "opskit/v1")]
    opskit: String,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    check: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<String>,
    #[serde(flatten)]
    extra: &'a std::collections::BTreeMap<String, String>,
}

const fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Note => "note",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

/// Percent-encodes a relative path into a URI reference, keeping `/`.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A fingerprint that survives line moves: tool, rule, path, and the evidence's fingerprint
/// (or the message when there is no evidence).
fn fingerprint(tool: &str, f: &Finding) -> String {
    let mut h = Sha256::new();
    for part in [
        tool,
        &f.rule,
        f.location.as_ref().map_or("", |l| l.path.as_str()),
        f.evidence
            .as_ref()
            .map_or(f.message.as_str(), |e| e.fingerprint()),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    crate::redact::hex(&h.finalize()[..16])
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.kept.len()))?;
        for &(ci, fi) in &self.kept {
            let check = &self.report.checks[ci];
            let f = &check.findings[fi];
            let Some(loc) = &f.location else { continue };
            let rule_index = self.rule_index.get(f.rule.as_str()).copied().unwrap_or(0);
            seq.serialize_element(&SarifResult {
                rule_id: &f.rule,
                rule_index,
                level: level(f.severity),
                message: Text {
                    text: f.message.clone(),
                },
                locations: [Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri: uri(&loc.path),
                            uri_base_id: "%SRCROOT%",
                        },
                        region: Region {
                            start_line: loc.line.unwrap_or(1).max(1),
                            start_column: loc.column.map(|c| c.max(1)),
                        },
                    },
                }],
                partial_fingerprints: Fingerprints {
                    opskit: fingerprint(&self.report.tool, f),
                },
                properties: ResultProperties {
                    check: &check.name,
                    evidence: f.evidence.as_ref().map(ToString::to_string),
                    extra: &f.properties,
                },
            })?;
        }
        seq.end()
    }
}

fn rule_descriptor(code: &str, info: Option<&RuleInfo>, seen_severity: Severity) -> Rule {
    match info {
        Some(r) => Rule {
            id: code.to_owned(),
            name: Some(r.name.clone()),
            short_description: Text {
                text: r.summary.clone(),
            },
            help_uri: r.help.clone(),
            default_configuration: Configuration {
                level: level(r.severity),
            },
        },
        None => Rule {
            id: code.to_owned(),
            name: None,
            short_description: Text {
                text: format!("Rule {code}"),
            },
            help_uri: None,
            default_configuration: Configuration {
                level: level(seen_severity),
            },
        },
    }
}

/// Writes the SARIF log.
pub fn render(report: &Report, _options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let groups = run_groups(report);
    let single = groups.len() == 1;
    let runs: Vec<Run<'_>> = groups
        .iter()
        .map(|g| build_run(report, g, single))
        .collect();
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs,
    };
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::other)?;
    writeln!(out)
}

/// Which checks go in which run: one run per check with located findings (a tool such as
/// predeploy reports tsc, ESLint and others, and code scanning tracks each as its own tool),
/// at most [`MAX_RUNS`], the rest merged into the last; checks without located findings ride
/// in the first run, as notifications.
fn run_groups(report: &Report) -> Vec<Vec<usize>> {
    let located = |c: &Check| c.findings.iter().any(|f| f.location.is_some());
    let with_results: Vec<usize> = report
        .checks
        .iter()
        .enumerate()
        .filter(|(_, c)| located(c))
        .map(|(i, _)| i)
        .collect();
    let mut groups: Vec<Vec<usize>> = with_results.iter().map(|&i| vec![i]).collect();
    if groups.len() > MAX_RUNS {
        let rest = groups.split_off(MAX_RUNS - 1).concat();
        groups.push(rest);
    }
    if groups.is_empty() {
        groups.push(Vec::new());
    }
    groups[0].extend((0..report.checks.len()).filter(|i| !with_results.contains(i)));
    groups[0].sort_unstable();
    groups
}

#[expect(
    clippy::too_many_lines,
    reason = "a run is one long literal; splitting it would scatter its fields"
)]
fn build_run<'a>(report: &'a Report, checks: &[usize], single: bool) -> Run<'a> {
    let mut located: Vec<(usize, usize)> = Vec::new();
    let mut notifications = Vec::new();
    for &ci in checks {
        let check = &report.checks[ci];
        if check.status == Status::Unknown
            || (check.status.is_problem() && check.findings.is_empty())
        {
            notifications.push(Notification {
                level: if check.status == Status::Warning {
                    "warning"
                } else {
                    "error"
                },
                message: Text {
                    text: format!("{}: {} ({})", check.name, check.summary, check.status),
                },
                descriptor: None,
            });
        }
        for (fi, f) in check.findings.iter().enumerate() {
            if f.location.is_some() {
                located.push((ci, fi));
            } else {
                notifications.push(Notification {
                    level: level(f.severity),
                    message: Text {
                        text: format!("{}: {}", check.name, f.message),
                    },
                    descriptor: Some(Descriptor { id: f.rule.clone() }),
                });
            }
        }
    }
    // Over the limit, the most severe results are kept; otherwise report order.
    let omitted = located.len().saturating_sub(MAX_RESULTS);
    if omitted > 0 {
        located.sort_by_key(|&(ci, fi)| std::cmp::Reverse(report.checks[ci].findings[fi].severity));
        located.truncate(MAX_RESULTS);
        located.sort_unstable();
        notifications.push(Notification {
            level: "warning",
            message: Text {
                text: format!(
                    "{omitted} results were left out: GitHub code scanning accepts {MAX_RESULTS} per run. Use --format json for all of them."
                ),
            },
            descriptor: None,
        });
    }
    // Rules in order of first appearance among the kept results.
    let mut rule_index: HashMap<&str, usize> = HashMap::new();
    let mut descriptors = Vec::new();
    for &(ci, fi) in &located {
        let f = &report.checks[ci].findings[fi];
        if !rule_index.contains_key(f.rule.as_str()) {
            rule_index.insert(f.rule.as_str(), descriptors.len());
            descriptors.push(rule_descriptor(&f.rule, report.rule(&f.rule), f.severity));
        }
    }
    let status = Status::worst_of(checks.iter().map(|&ci| report.checks[ci].status));
    let (name, category, summary) = if single {
        (
            format!("opskit {}", report.tool),
            format!("opskit/{}/", report.tool),
            report.summary(),
        )
    } else {
        let main = &report.checks[checks
            .iter()
            .copied()
            .find(|&ci| located.iter().any(|&(c, _)| c == ci))
            .unwrap_or(checks[0])];
        let label = if checks
            .iter()
            .filter(|&&ci| {
                report.checks[ci]
                    .findings
                    .iter()
                    .any(|f| f.location.is_some())
            })
            .count()
            > 1
        {
            "more".to_owned()
        } else {
            main.name.clone()
        };
        let summary = checks
            .iter()
            .map(|&ci| format!("{}: {}", report.checks[ci].name, report.checks[ci].summary))
            .collect::<Vec<_>>()
            .join("; ");
        (
            format!("opskit {} {label}", report.tool),
            format!("opskit/{}/{label}/", report.tool),
            summary,
        )
    };
    Run {
        tool: Tool {
            driver: Driver {
                name,
                version: &report.version,
                semantic_version: &report.version,
                information_uri: INFORMATION_URI,
                rules: descriptors,
            },
        },
        automation_details: AutomationDetails { id: category },
        invocations: [Invocation {
            execution_successful: status != Status::Unknown,
            exit_code: status.code(),
            tool_execution_notifications: notifications,
        }],
        results: Results {
            report,
            rule_index,
            kept: located,
        },
        column_kind: "unicodeCodePoints",
        properties: RunProperties {
            status,
            summary,
            results_omitted: omitted,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("src/app.ts"), "src/app.ts");
        assert_eq!(uri("my dir/a#b.ts"), "my%20dir/a%23b.ts");
        assert_eq!(uri("win\\path.ts"), "win/path.ts");
        assert_eq!(uri("ü.ts"), "%C3%BC.ts");
    }
}
