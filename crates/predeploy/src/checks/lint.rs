//! `lint`: the project's own ESLint (flat or legacy config) with its JSON formatter, or Biome
//! (`biome.json`) with its JSON reporter when the project lints with Biome instead.

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

#[derive(Deserialize)]
struct BiomeReport {
    diagnostics: Vec<BiomeDiagnostic>,
}

#[derive(Deserialize)]
struct BiomeDiagnostic {
    severity: String,
    #[serde(rename = "message")]
    text: String,
    category: Option<String>,
    location: Option<BiomeLocation>,
}

#[derive(Deserialize)]
struct BiomeLocation {
    path: Option<String>,
    start: Option<BiomePosition>,
}

#[derive(Deserialize)]
struct BiomePosition {
    line: u32,
    column: u32,
}

/// `noDebugger` -> `no-debugger`, as Biome's rule pages are named.
fn kebab(rule: &str) -> String {
    rule.chars().fold(String::new(), |mut s, c| {
        if c.is_ascii_uppercase() {
            s.push('-');
            s.push(c.to_ascii_lowercase());
        } else {
            s.push(c);
        }
        s
    })
}

/// Biome's `--reporter=json` output as findings. Configuration notices (category
/// `deserialize`) and infos are notes.
pub fn parse_biome(stdout: &str) -> Result<Vec<Finding>, String> {
    let start = stdout.find('{').ok_or("Biome printed no JSON report")?;
    let mut stream =
        serde_json::Deserializer::from_str(&stdout[start..]).into_iter::<BiomeReport>();
    let report = stream
        .next()
        .ok_or("Biome printed no JSON report")?
        .map_err(|e| format!("Biome's JSON report did not parse: {e}"))?;
    Ok(report
        .diagnostics
        .into_iter()
        .map(|d| {
            let severity = match d.severity.as_str() {
                "error" | "fatal" => Severity::Error,
                "warning" => Severity::Warning,
                _ => Severity::Note,
            };
            let rule = d.category.unwrap_or_else(|| "biome".to_owned());
            let mut f = Finding::new(rule.clone(), severity, d.text);
            if let Some(name) = rule.strip_prefix("lint/").and_then(|r| r.split('/').nth(1)) {
                f = f.help(format!("https://biomejs.dev/linter/rules/{}/", kebab(name)));
            }
            if let Some(loc) = d.location
                && let Some(path) = loc.path
            {
                let mut l = Location::new(path);
                if let Some(p) = loc.start {
                    l = l.line(p.line).column(p.column);
                }
                f = f.at(l);
            }
            f
        })
        .collect())
}

fn biome(project: &Project, config: &str, timeout: Duration, started: Instant) -> Check {
    let root = &project.root;
    let Some(biome) = local_bin(root, root, "biome") else {
        return Check::unknown("lint", "Biome is configured but not installed: add it with `npm install --save-dev @biomejs/biome`, then install").took(started.elapsed());
    };
    let out = match exec::run(
        &biome,
        &["lint", "--reporter=json", "--colors=off", "."],
        root,
        &[],
        timeout,
    ) {
        Ok(out) => out,
        Err(e) => return Check::unknown("lint", e.to_string()).took(started.elapsed()),
    };
    let findings = match (out.code, parse_biome(&out.stdout)) {
        (Some(0 | 1), Ok(f)) => f,
        (Some(0 | 1), Err(e)) => {
            return Check::unknown("lint", e).took(started.elapsed());
        }
        (code, _) => {
            let first = out.first_line();
            return Check::unknown(
                "lint",
                format!("Biome could not run (exit {code:?}): {first}"),
            )
            .took(started.elapsed());
        }
    };
    let mut check = Check::from_findings("lint", findings);
    if check.findings.is_empty() {
        check.summary = format!("clean ({config}, Biome)");
    } else {
        check.summary = format!("{} ({config}, Biome)", check.summary);
    }
    check.took(started.elapsed())
}

/// Runs the check.
pub fn check(project: &Project, timeout: Duration) -> Check {
    let started = Instant::now();
    let root = &project.root;
    let flat = FLAT.iter().find(|f| root.join(f).is_file());
    let legacy = LEGACY.iter().find(|f| root.join(f).is_file());
    if flat.is_none() && legacy.is_none() {
        if let Some(config) = ["biome.json", "biome.jsonc"]
            .iter()
            .find(|f| root.join(f).is_file())
        {
            return biome(project, config, timeout, started);
        }
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
        let first = out.first_line();
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
    fn parses_biome_json() {
        let out = r#"{"summary":{"errors":1},"diagnostics":[
            {"severity":"error","message":"This is an unexpected use of the debugger statement.","category":"lint/suspicious/noDebugger","location":{"path":"src/a.ts","start":{"line":2,"column":1},"end":{"line":2,"column":10}},"advices":[]},
            {"severity":"info","message":"deprecated field","category":"deserialize","location":{"path":"biome.json","start":{"line":1,"column":11}},"advices":[]}
        ],"command":"lint"}
        trailing human output"#;
        let f = parse_biome(out).unwrap();
        assert_eq!(
            (f[0].rule.as_str(), f[0].severity),
            ("lint/suspicious/noDebugger", Severity::Error)
        );
        assert_eq!(f[0].location.as_ref().unwrap().to_string(), "src/a.ts:2:1");
        assert_eq!(
            f[0].help.as_deref(),
            Some("https://biomejs.dev/linter/rules/no-debugger/")
        );
        assert_eq!(f[1].severity, Severity::Note);
        assert!(parse_biome("no json").is_err());
    }

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
