//! `env-check --explain CODE` and `--list-rules`: what a code means, from the registries (the
//! lint rules, one file each in `rules/`; the schema and drift codes of `opskit::env::codes`;
//! the listing codes of `crate::codes`).

use opskit::codes::Registry;
use opskit::report::{Check, Finding, Report, RuleInfo, Severity};

use crate::{Error, NAME, rules};

/// The registries of [`opskit::codes::Code`]s env-check reports (the lint rules are apart).
pub(crate) const REGISTRIES: &[Registry] = &[opskit::env::codes::REGISTRY, crate::codes::REGISTRY];

fn lint_help(code: &str) -> String {
    format!(
        "{}/env-check.md#{}",
        opskit::codes::DOCS,
        code.to_ascii_lowercase()
    )
}

fn lint_info(m: &rules::RuleMeta) -> RuleInfo {
    RuleInfo {
        code: m.code.to_owned(),
        name: m.name.to_owned(),
        summary: m.summary.to_owned(),
        severity: m.severity,
        help: Some(lint_help(m.code)),
    }
}

/// `env-check --explain CODE`: a lint rule (by code or name), a schema or drift code, or a
/// listing code.
pub fn explain(code: &str) -> Result<Report, Error> {
    let version = env!("CARGO_PKG_VERSION");
    if let Ok(report) = opskit::codes::explain(NAME, version, REGISTRIES, code) {
        return Ok(report);
    }
    let m = rules::RULES
        .iter()
        .map(|r| r.meta())
        .find(|m| m.code.eq_ignore_ascii_case(code) || m.name == code)
        .ok_or_else(|| Error::UnknownCode(code.to_owned()))?;
    Ok(Report::new(NAME, version)
        .with_check(Check::new(
            m.code,
            opskit::Status::Ok,
            format!(
                "{} ({}, {}): {} See {}",
                m.code,
                m.name,
                m.severity.as_str(),
                m.summary,
                lint_help(m.code)
            ),
        ))
        .with_rule(lint_info(m)))
}

/// Every lint rule, then every code of [`REGISTRIES`], as notes.
pub(crate) fn list() -> Report {
    let lint = rules::RULES.iter().map(|r| r.meta());
    let mut report = opskit::codes::list(NAME, env!("CARGO_PKG_VERSION"), REGISTRIES);
    let mut notes: Vec<Finding> = lint
        .clone()
        .map(|m| {
            Finding::new(
                m.code,
                Severity::Note,
                format!("{} ({})", m.name, m.severity.as_str()),
            )
            .help(lint_help(m.code))
        })
        .collect();
    report.rules.extend(lint.map(lint_info));
    if let Some(check) = report.checks.first_mut() {
        notes.append(&mut check.findings);
        check.summary = opskit::codes::count_codes(notes.len());
        check.findings = notes;
    }
    report
}

/// Adds the SARIF descriptors of every env-check code a report's findings carry: the lint
/// rules, and the schema, drift and listing codes (through [`opskit::codes::describe`]).
pub fn describe(report: &mut Report) {
    opskit::codes::describe(report, REGISTRIES);
    let mut add = Vec::new();
    for f in report.checks.iter().flat_map(|c| &c.findings) {
        if report
            .rules
            .iter()
            .chain(&add)
            .any(|r: &RuleInfo| r.code == f.rule)
        {
            continue;
        }
        if let Some(m) = rules::RULES
            .iter()
            .map(|r| r.meta())
            .find(|m| m.code == f.rule)
        {
            add.push(lint_info(m));
        }
    }
    report.rules.extend(add);
}
