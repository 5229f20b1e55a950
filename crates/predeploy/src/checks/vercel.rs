//! `vercel`: vercel.json against Vercel's documented project configuration.
//!
//! | code  | severity | finding                                                              |
//! |-------|----------|----------------------------------------------------------------------|
//! | VC001 | warning  | a key Vercel does not document (with the closest documented one)     |
//! | VC002 | error    | the file does not parse                                              |
//! | VC003 | error    | `routes` together with `headers`, `redirects`, `rewrites`, `cleanUrls` or `trailingSlash` (Vercel refuses the deployment) |
//! | VC004 | error    | a value of the wrong type (`functions.*.maxDuration`, `memory`, `crons`, `regions`) |

use std::time::Instant;

use opskit::config::closest;
use opskit::report::{Check, Finding, Location, Severity};
use serde_json::Value;

use super::config_file::{self, ConfigFile};
use crate::codes::{VC001, VC002, VC003, VC004};
use crate::project::Project;

/// Documented top-level keys (current and legacy).
pub const TOP: [&str; 30] = [
    "$schema",
    "buildCommand",
    "bunVersion",
    "cleanUrls",
    "crons",
    "devCommand",
    "fluid",
    "framework",
    "functions",
    "git",
    "github",
    "headers",
    "ignoreCommand",
    "images",
    "installCommand",
    "outputDirectory",
    "public",
    "redirects",
    "regions",
    "functionFailoverRegions",
    "rewrites",
    "trailingSlash",
    "routes",
    "builds",
    "build",
    "env",
    "name",
    "version",
    "alias",
    "scope",
];
/// Documented keys of a `functions` entry.
pub const FUNCTION: [&str; 7] = [
    "runtime",
    "memory",
    "maxDuration",
    "includeFiles",
    "excludeFiles",
    "regions",
    "supportsCancellation",
];

fn vc(code: &str, severity: Severity, message: String, loc: Location) -> Finding {
    Finding::new(code, severity, message).at(loc)
}

#[expect(clippy::too_many_lines, reason = "one documented rule after another")]
fn check_file(file: &ConfigFile, out: &mut Vec<Finding>) {
    let Some(top) = file.value.as_object() else {
        out.push(vc(
            VC002.code,
            Severity::Error,
            "vercel.json must be a JSON object".to_owned(),
            Location::new(file.path.clone()),
        ));
        return;
    };
    for key in top.keys() {
        if !TOP.contains(&key.as_str()) {
            let hint = closest(key, TOP.iter().copied())
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            out.push(vc(
                VC001.code,
                Severity::Warning,
                format!("`{key}` is not a documented vercel.json property{hint}"),
                file.at(key),
            ));
        }
    }
    if top.contains_key("routes") {
        for other in [
            "headers",
            "redirects",
            "rewrites",
            "cleanUrls",
            "trailingSlash",
        ] {
            if top.contains_key(other) {
                out.push(vc(VC003.code, Severity::Error, format!("`routes` cannot be used with `{other}`: Vercel rejects the deployment; move the routes to `{other}`"), file.at("routes")));
            }
        }
    }
    if let Some(functions) = top.get("functions") {
        match functions.as_object() {
            None => out.push(vc(
                VC004.code,
                Severity::Error,
                "`functions` must map file globs to settings".to_owned(),
                file.at("functions"),
            )),
            Some(map) => {
                for (glob, settings) in map {
                    let Some(settings) = settings.as_object() else {
                        out.push(vc(
                            VC004.code,
                            Severity::Error,
                            format!("functions[\"{glob}\"] must be an object"),
                            file.at(glob),
                        ));
                        continue;
                    };
                    for key in settings.keys().filter(|k| !FUNCTION.contains(&k.as_str())) {
                        out.push(vc(
                            VC001.code,
                            Severity::Warning,
                            format!(
                                "functions[\"{glob}\"].{key} is not a documented function setting"
                            ),
                            file.at(key),
                        ));
                    }
                    for key in ["maxDuration", "memory"] {
                        if let Some(v) = settings.get(key)
                            && v.as_u64().is_none_or(|n| n == 0)
                        {
                            out.push(vc(
                                VC004.code,
                                Severity::Error,
                                format!(
                                    "functions[\"{glob}\"].{key} must be a positive whole number"
                                ),
                                file.at(key),
                            ));
                        }
                    }
                }
            }
        }
    }
    if let Some(crons) = top.get("crons") {
        for (i, cron) in crons
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let path_ok = cron
                .get("path")
                .and_then(Value::as_str)
                .is_some_and(|p| p.starts_with('/'));
            let schedule_ok = cron
                .get("schedule")
                .and_then(Value::as_str)
                .is_some_and(|s| s.split_whitespace().count() == 5);
            if !path_ok || !schedule_ok {
                out.push(vc(VC004.code, Severity::Error, format!("crons[{i}] needs a `path` starting with `/` and a five-field cron `schedule`"), file.at("crons")));
            }
        }
        if !crons.is_array() {
            out.push(vc(
                VC004.code,
                Severity::Error,
                "`crons` must be an array".to_owned(),
                file.at("crons"),
            ));
        }
    }
    if let Some(regions) = top.get("regions")
        && !regions
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string))
    {
        out.push(vc(
            VC004.code,
            Severity::Error,
            "`regions` must be an array of region ids such as \"fra1\"".to_owned(),
            file.at("regions"),
        ));
    }
}

/// Runs the check over every vercel.json.
pub fn check(project: &Project) -> Check {
    let started = Instant::now();
    if project.vercel.is_empty() {
        return Check::new(
            "vercel",
            opskit::Status::Ok,
            "no vercel.json: nothing to check",
        )
        .took(started.elapsed());
    }
    let mut findings = Vec::new();
    for rel in &project.vercel {
        match config_file::load_or_finding(&project.root, rel, VC002.code) {
            Ok(file) => check_file(&file, &mut findings),
            Err(finding) => findings.push(*finding),
        }
    }
    let n = project.vercel.len();
    let mut check = Check::from_findings("vercel", findings);
    if check.findings.is_empty() {
        check.summary = format!("{n} vercel.json valid");
    }
    check.took(started.elapsed())
}
