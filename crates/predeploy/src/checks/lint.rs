//! `lint`: the project's own ESLint (flat or legacy config) with its JSON formatter.

use std::time::{Duration, Instant};

use opskit::report::{Check, Finding, Location, Severity};
use serde::Deserialize;

use crate::exec;
use crate::project::{Project, display, local_bin};

/// Flat config files, ESLint 9+ (and 8.57 with the flag).
pub const FLAT: [&str; 6] = [
    "eslint.config.js",
    "eslint.config.mjs",
    "eslint.config.cjs",
    "eslint.config.ts",
    "eslint.config.mts",
    "eslint.config.cts",
];
/// Legacy config files.
pub const LEGACY: [&str; 6] = [
    ".eslintrc.js",
    ".eslintrc.cjs",
    ".eslintrc.json",
    ".eslintrc.yml",
    ".eslintrc.yaml",
    ".eslintrc",
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileResult {
    file_path: String,
    messages: Vec<Message>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Message {
    rule_id: Option<String>,
    severity: u8,
    #[serde(rename = "message")]
    text: String,
    line: Option<u32>,
    column: Option<u32>,
}

/// ESLint's JSON output as findings, paths relative to `root`.
pub fn parse(json: &str, root: &std::path::Path) -> Result<Vec<Finding>, String> {
    let files: Vec<FileResult> = serde_json::from_str(json)
        .map_err(|e| format!("ESLint's JSON output did not parse: {e}"))?;
    let mut findings = Vec::new();
    for file in files {
        let path = display(root, std::path::Path::new(&file.file_path));
        for m in file.messages {
            let rule = m
                .rule_id
                .clone()
                .unwrap_or_else(|| "eslint:parse-error".to_owned());
            let severity = if m.severity >= 2 {
                Severity::Error
            } else {
                Severity::Warning
            };
            let mut loc = Location::new(path.clone());
            if let Some(l) = m.line {
                loc = loc.line(l);
                if let Some(c) = m.column {
                    loc = loc.column(c);
                }
            }
            let mut f = Finding::new(rule, severity, m.text).at(loc);
            if let Some(url) = m.rule_id.as_deref().and_then(rule_help) {
                f = f.help(url);
            }
            findings.push(f);
        }
    }
    Ok(findings)
}

/// Where a rule is documented, for ESLint's core rules and typescript-eslint's.
fn rule_help(id: &str) -> Option<String> {
    match id.split_once('/') {
        Some(("@typescript-eslint", rule)) => {
            Some(format!("https://typescript-eslint.io/rules/{rule}"))
        }
        Some(_) => None,
        None => Some(format!("https://eslint.org/docs/latest/rules/{id}")),
    }
}

/// Runs the check.
pub fn check(project: &Project, timeout: Duration) -> Check {
    let started = Instant::now();
    let root = &project.root;
    let flat = FLAT.iter().find(|f| root.join(f).is_file());
    let legacy = LEGACY.iter().find(|f| root.join(f).is_file());
    if flat.is_none() && legacy.is_none() {
        let mut c = Check::from_findings(
            "lint",
            vec![Finding::new(
                "LINT001",
                Severity::Warning,
                "no ESLint configuration (eslint.config.* or .eslintrc.*) at the project root: nothing is linted",
            )],
        );
        "no linter configured".clone_into(&mut c.summary);
        return c.took(started.elapsed());
    }
    let Some(eslint) = local_bin(root, root, "eslint") else {
        return Check::unknown("lint", "ESLint is configured but not installed: add it with `npm install --save-dev eslint`, then install").took(started.elapsed());
    };
    let env: &[(&str, &str)] = if flat.is_some() {
        &[]
    } else {
        &[("ESLINT_USE_FLAT_CONFIG", "false")]
    };
    let out = match exec::run(
        &eslint,
        &[".", "--format", "json", "--no-error-on-unmatched-pattern"],
        root,
        env,
        timeout,
    ) {
        Ok(out) => out,
        Err(e) => return Check::unknown("lint", e.to_string()).took(started.elapsed()),
    };
    if !matches!(out.code, Some(0 | 1)) {
        let first = out
            .stderr
            .lines()
            .chain(out.stdout.lines())
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no output");
        return Check::unknown(
            "lint",
            format!("ESLint could not run (exit {:?}): {first}", out.code),
        )
        .took(started.elapsed());
    }
    let findings = match parse(&out.stdout, root) {
        Ok(f) => f,
        Err(e) => return Check::unknown("lint", e).took(started.elapsed()),
    };
    let config = flat.or(legacy).copied().unwrap_or_default();
    let mut check = Check::from_findings("lint", findings);
    if check.findings.is_empty() {
        check.summary = format!("clean ({config})");
    } else {
        check.summary = format!("{} ({config})", check.summary);
    }
    check.took(started.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_eslint_json() {
        let json = r#"[{"filePath":"/app/src/a.ts","messages":[
            {"ruleId":"no-unused-vars","severity":2,"message":"'x' is assigned a value but never used.","line":3,"column":7},
            {"ruleId":"@typescript-eslint/no-explicit-any","severity":1,"message":"Unexpected any.","line":4,"column":10},
            {"ruleId":null,"severity":2,"message":"Parsing error: ';' expected.","line":9,"column":1,"fatal":true}
        ],"errorCount":2}]"#;
        let f = parse(json, std::path::Path::new("/app")).unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(
            (f[0].rule.as_str(), f[0].severity),
            ("no-unused-vars", Severity::Error)
        );
        assert_eq!(f[0].location.as_ref().unwrap().to_string(), "src/a.ts:3:7");
        assert_eq!(f[1].severity, Severity::Warning);
        assert_eq!(
            f[1].help.as_deref(),
            Some("https://typescript-eslint.io/rules/no-explicit-any")
        );
        assert_eq!(f[2].rule, "eslint:parse-error");
        assert!(parse("not json", std::path::Path::new("/")).is_err());
    }
}
