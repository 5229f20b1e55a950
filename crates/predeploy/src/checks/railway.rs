//! `railway`: railway.json / railway.toml against Railway's documented config-as-code fields,
//! with a health check that points at a real route.
//!
//! | code  | severity | finding                                                            |
//! |-------|----------|--------------------------------------------------------------------|
//! | RW001 | warning  | a key Railway does not document (with the closest documented one)   |
//! | RW002 | error    | the file does not parse                                            |
//! | RW003 | error    | a value of the wrong type or outside the documented set             |
//! | RW004 | error    | `dockerfilePath` names a file that does not exist                  |
//! | RW005 | error    | `healthcheckPath` has no matching route in the service's code       |
//! | RW006 | warning  | no `healthcheckPath`: deploys switch traffic without knowing the app is up |
//! | RW007 | warning  | `healthcheckTimeout` under 5 s or over 600 s                        |
//! | RW008 | warning  | restart policy `NEVER`, or `ON_FAILURE` with 0 retries             |
//! | RW009 | error    | a build, start or pre-deploy command runs a package script that no package has |
//!
//! Builders are matched as Railway matches them, without regard to case (`nixpacks` is
//! `NIXPACKS`). The builders' own files are read too: `nixpacks.toml` (`[start] cmd`,
//! `[phases.*] cmds`) and `railpack.json` (`deploy.startCommand`, `steps.*.commands`), and
//! their commands are checked the same way. A command that runs a script (`npm run X`,
//! `pnpm X`, `pnpm --filter P X`, `yarn workspace P X`, `turbo run X`) must name one that
//! exists in the package the command runs in (the config's directory, else the nearest
//! package above it), in the package it filters to, or, for a turbo or nx task, in some
//! package of the workspace.

use std::path::{Path, PathBuf};
use std::time::Instant;

use opskit::config::closest;
use opskit::report::{Check, Finding, Location};
use serde_json::Value;

use super::config_file::{self, ConfigFile};
use crate::codes::{RW001, RW002, RW003, RW004, RW005, RW006, RW007, RW008, RW009};
use crate::project::Project;

/// Documented top-level keys.
pub const TOP: [&str; 4] = ["$schema", "build", "deploy", "environments"];
/// Documented `build` keys.
pub const BUILD: [&str; 10] = [
    "builder",
    "buildCommand",
    "dockerfilePath",
    "watchPatterns",
    "nixpacksConfigPath",
    "nixpacksPlan",
    "nixpacksVersion",
    "railpackVersion",
    "buildEnvironment",
    "dockerContext",
];
/// Documented `deploy` keys.
pub const DEPLOY: [&str; 19] = [
    "startCommand",
    "preDeployCommand",
    "numReplicas",
    "multiRegionConfig",
    "region",
    "healthcheckPath",
    "healthcheckTimeout",
    "restartPolicyType",
    "restartPolicyMaxRetries",
    "cronSchedule",
    "sleepApplication",
    "overlapSeconds",
    "drainingSeconds",
    "deploymentOverlapSeconds",
    "requiredMountPath",
    "runtime",
    "limitOverride",
    "ipv6EgressEnabled",
    "useLegacyStacker",
];
/// Builders.
pub const BUILDERS: [&str; 3] = ["RAILPACK", "DOCKERFILE", "NIXPACKS"];
/// Restart policies.
pub const RESTART: [&str; 3] = ["ON_FAILURE", "ALWAYS", "NEVER"];

fn unknown_keys(
    file: &ConfigFile,
    section: &str,
    value: &Value,
    known: &[&str],
    out: &mut Vec<Finding>,
) {
    let Some(map) = value.as_object() else {
        out.push(
            RW003
                .finding(format!("`{section}` must be an object"))
                .at(file.at(section)),
        );
        return;
    };
    for key in map.keys() {
        if !known.contains(&key.as_str()) {
            let hint = closest(key, known.iter().copied())
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            out.push(
                RW001
                    .finding(format!(
                        "`{section}.{key}` is not a documented Railway setting{hint}"
                    ))
                    .at(file.at(key)),
            );
        }
    }
}

fn check_deploy(file: &ConfigFile, deploy: &Value, service_dir: &Path, out: &mut Vec<Finding>) {
    unknown_keys(file, "deploy", deploy, &DEPLOY, out);
    match deploy.get("healthcheckPath") {
        None | Some(Value::Null) => out.push(
            RW006.finding("no deploy.healthcheckPath: Railway switches traffic to a new deploy without checking that it is up")
                .at(Location::new(file.path.clone())),
        ),
        Some(Value::String(path)) => {
            if !path.starts_with('/') {
                out.push(RW003.finding(format!("healthcheckPath `{path}` must start with `/`")).at(file.at("healthcheckPath")));
            } else if !route_exists(service_dir, path) {
                out.push(
                    RW005.finding(format!("healthcheckPath `{path}` has no route in {}: no Next.js route file and no handler string for it; deploys will never turn healthy", service_dir.display()),
                    )
                    .at(file.at("healthcheckPath")),
                );
            }
        }
        Some(_) => out.push(RW003.finding("healthcheckPath must be a string").at(file.at("healthcheckPath"))),
    }
    if let Some(t) = deploy.get("healthcheckTimeout") {
        match t.as_f64() {
            Some(secs) if !(5.0..=600.0).contains(&secs) => out.push(
                RW007.finding(format!("healthcheckTimeout {secs} s is outside 5-600 s: too short fails cold starts, too long hides a dead deploy"))
                    .at(file.at("healthcheckTimeout")),
            ),
            Some(_) => {}
            None => out.push(RW003.finding("healthcheckTimeout must be a number of seconds").at(file.at("healthcheckTimeout"))),
        }
    }
    match deploy.get("restartPolicyType").map(|v| v.as_str()) {
        Some(Some("NEVER")) => out.push(
            RW008
                .finding(
                    "restartPolicyType NEVER: a crashed worker stays down until someone notices",
                )
                .at(file.at("restartPolicyType")),
        ),
        Some(Some("ON_FAILURE"))
            if deploy
                .get("restartPolicyMaxRetries")
                .and_then(Value::as_u64)
                == Some(0) =>
        {
            out.push(
                RW008.finding("restartPolicyType ON_FAILURE with restartPolicyMaxRetries 0 never restarts",
                )
                .at(file.at("restartPolicyMaxRetries")),
            );
        }
        Some(Some(p)) if !RESTART.contains(&p) => out.push(
            RW003
                .finding(format!(
                    "restartPolicyType `{p}` is not one of {}",
                    RESTART.join(", ")
                ))
                .at(file.at("restartPolicyType")),
        ),
        Some(None) => out.push(
            RW003
                .finding("restartPolicyType must be a string")
                .at(file.at("restartPolicyType")),
        ),
        _ => {}
    }
    for key in [
        "numReplicas",
        "restartPolicyMaxRetries",
        "overlapSeconds",
        "drainingSeconds",
    ] {
        if let Some(v) = deploy.get(key)
            && !v.is_u64()
        {
            out.push(
                RW003
                    .finding(format!("{key} must be a whole number"))
                    .at(file.at(key)),
            );
        }
    }
}

fn check_build(file: &ConfigFile, build: &Value, root: &Path, out: &mut Vec<Finding>) {
    unknown_keys(file, "build", build, &BUILD, out);
    match build.get("builder").map(|v| v.as_str()) {
        Some(Some(b)) if !BUILDERS.iter().any(|k| k.eq_ignore_ascii_case(b)) => out.push(
            RW003
                .finding(format!(
                    "builder `{b}` is not one of {}",
                    BUILDERS.join(", ")
                ))
                .at(file.at("builder")),
        ),
        Some(None) => out.push(
            RW003
                .finding("builder must be a string")
                .at(file.at("builder")),
        ),
        _ => {}
    }
    if let Some(path) = build.get("dockerfilePath").and_then(Value::as_str) {
        // `/docker/Dockerfile` is relative to the repository root, as Railway reads it.
        let path = path.trim_start_matches('/');
        let beside = Path::new(&file.path)
            .parent()
            .unwrap_or(Path::new(""))
            .join(path);
        if !root.join(path).is_file() && !root.join(&beside).is_file() {
            out.push(
                RW004
                    .finding(format!("dockerfilePath `{path}` does not exist"))
                    .at(file.at("dockerfilePath")),
            );
        }
    }
}

/// Whether `path` (such as `/health` or `/api/health?full=1`) is served by code under `dir`:
/// a Next.js route file for it, or the path as a string literal in a source file.
pub fn route_exists(dir: &Path, path: &str) -> bool {
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or(path)
        .trim_end_matches('/');
    let path = if path.is_empty() { "/" } else { path };
    let exts = ["ts", "tsx", "js", "jsx", "mjs", "cjs"];
    for base in ["app", "src/app"] {
        for ext in ["ts", "js", "tsx", "jsx"] {
            if dir.join(format!("{base}{path}/route.{ext}")).is_file() {
                return true;
            }
        }
    }
    for base in ["pages", "src/pages"] {
        for ext in exts {
            if dir.join(format!("{base}{path}.{ext}")).is_file()
                || dir.join(format!("{base}{path}/index.{ext}")).is_file()
            {
                return true;
            }
        }
    }
    let needles = [
        format!("'{path}'"),
        format!("\"{path}\""),
        format!("`{path}`"),
        format!("'{path}/'"),
        format!("\"{path}/\""),
    ];
    crate::project::files(dir, 8)
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| exts.contains(&x.to_string_lossy().as_ref()))
        })
        .filter(|e| e.metadata().is_ok_and(|m| m.len() < 2 * 1024 * 1024))
        .any(|e| {
            std::fs::read_to_string(e.path())
                .is_ok_and(|text| needles.iter().any(|n| text.contains(n.as_str())))
        })
}

/// The commands a value holds: a string, or an array of strings (`preDeployCommand`).
fn command_strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().or_else(|| x.get("cmd").and_then(Value::as_str)))
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// Why a command's script call cannot run, or `None` when it can.
pub fn missing_script(project: &Project, dir: &Path, line: &str) -> Option<String> {
    let ws = &project.workspace;
    // The config's directory relative to the workspace root.
    let rel = ws.scope.join(dir);
    for command in crate::script::commands(line) {
        let Some(call) = crate::script::script_call(&command) else {
            continue;
        };
        // The command as far as the script's name: what follows (arguments, flags that may
        // carry a token) is not repeated in a finding.
        let upto = command
            .iter()
            .position(|w| w == &call.script || w.ends_with(&format!(":{}", call.script)))
            .map_or(command.len(), |i| i + 1);
        let mut words: Vec<&str> = command[..upto].iter().map(String::as_str).collect();
        if let Some(p) = &call.package
            && !words.iter().any(|w| w.contains(p.as_str()))
        {
            words.push("…");
        }
        let shown = words.join(" ");
        if call.task {
            let packages: Vec<&opskit::workspace::Package> = match &call.package {
                Some(p) => ws
                    .packages
                    .iter()
                    .filter(|k| k.name == *p || k.name.ends_with(&format!("/{p}")))
                    .collect(),
                None => ws.packages.iter().collect(),
            };
            if let Some(p) = &call.package
                && packages.is_empty()
            {
                return Some(format!(
                    "`{shown}` filters to {p}, which is not a package of the workspace"
                ));
            }
            if !packages
                .iter()
                .any(|k| k.scripts.contains_key(&call.script))
            {
                let scope = call
                    .package
                    .as_ref()
                    .map_or("any package of the workspace".to_owned(), Clone::clone);
                return Some(format!(
                    "`{shown}` runs the task `{}`, but {scope} has no `{}` script: the deploy would do nothing or fail",
                    call.script, call.script
                ));
            }
            continue;
        }
        let package = match &call.package {
            Some(name) => match ws.package(name) {
                Some(p) => p,
                None => {
                    return Some(format!(
                        "`{shown}` names the package {name}, which is not in the workspace (its packages: {})",
                        ws.packages
                            .iter()
                            .filter(|p| !p.is_root())
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            },
            None => match ws.owner(&rel) {
                Some(p) => p,
                None => continue,
            },
        };
        if !package.scripts.contains_key(&call.script) {
            let known: Vec<&str> = package.scripts.keys().map(String::as_str).collect();
            let hint = closest(&call.script, known.iter().copied())
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            return Some(format!(
                "`{shown}` runs the script `{}`, which {} ({}/package.json) does not have{hint}: the deploy would fail",
                call.script,
                package.name,
                package.shown()
            ));
        }
    }
    None
}

fn check_commands(
    project: &Project,
    file: &ConfigFile,
    dir: &Path,
    commands: &[(&str, String)],
    out: &mut Vec<Finding>,
) {
    for (key, line) in commands {
        if let Some(why) = missing_script(project, dir, line) {
            out.push(RW009.finding(format!("{key}: {why}")).at(file.at(key)));
        }
    }
}

/// The commands of `nixpacks.toml` or `railpack.json`, by the key they are under.
fn builder_commands(file: &ConfigFile) -> Vec<(&'static str, String)> {
    let v = &file.value;
    let mut out = Vec::new();
    if file.path.ends_with("nixpacks.toml") {
        if let Some(cmd) = v.pointer("/start/cmd").and_then(Value::as_str) {
            out.push(("cmd", cmd.to_owned()));
        }
        if let Some(phases) = v.get("phases").and_then(Value::as_object) {
            for phase in phases.values() {
                for c in phase.get("cmds").map(command_strings).unwrap_or_default() {
                    out.push(("cmds", c));
                }
            }
        }
    } else {
        if let Some(cmd) = v.pointer("/deploy/startCommand").and_then(Value::as_str) {
            out.push(("startCommand", cmd.to_owned()));
        }
        if let Some(steps) = v.get("steps").and_then(Value::as_object) {
            for step in steps.values() {
                for c in step
                    .get("commands")
                    .map(command_strings)
                    .unwrap_or_default()
                {
                    out.push(("commands", c));
                }
            }
        }
    }
    out
}

/// Runs the check over every Railway file.
pub fn check(project: &Project) -> Check {
    let started = Instant::now();
    let root = &project.root;
    if project.railway.is_empty() && project.railway_builds.is_empty() {
        return Check::new(
            "railway",
            opskit::Status::Ok,
            "no railway.json or railway.toml: nothing to check",
        )
        .took(started.elapsed());
    }
    let mut findings = Vec::new();
    for rel in &project.railway {
        let file = match config_file::load_or_finding(root, rel, RW002.code) {
            Ok(f) => f,
            Err(finding) => {
                findings.push(*finding);
                continue;
            }
        };
        let rel_dir = rel.parent().unwrap_or(Path::new(""));
        let service_dir: PathBuf = root.join(rel_dir);
        unknown_keys(&file, "top level", &file.value, &TOP, &mut findings);
        let mut commands: Vec<(&str, String)> = Vec::new();
        for (section, key) in [
            ("build", "buildCommand"),
            ("deploy", "startCommand"),
            ("deploy", "preDeployCommand"),
        ] {
            for c in file
                .value
                .get(section)
                .and_then(|s| s.get(key))
                .map(command_strings)
                .unwrap_or_default()
            {
                commands.push((key, c));
            }
        }
        check_commands(project, &file, rel_dir, &commands, &mut findings);
        if let Some(build) = file.value.get("build") {
            check_build(&file, build, root, &mut findings);
        }
        match file.value.get("deploy") {
            Some(deploy) => check_deploy(&file, deploy, &service_dir, &mut findings),
            None => findings.push(
                RW006
                    .finding("no deploy section: no health check and no restart policy in code")
                    .at(Location::new(file.path.clone())),
            ),
        }
    }
    for rel in &project.railway_builds {
        let file = match config_file::load_or_finding(root, rel, RW002.code) {
            Ok(f) => f,
            Err(finding) => {
                findings.push(*finding);
                continue;
            }
        };
        let commands = builder_commands(&file);
        check_commands(
            project,
            &file,
            rel.parent().unwrap_or(Path::new("")),
            &commands,
            &mut findings,
        );
    }
    let files = project.railway.len() + project.railway_builds.len();
    let mut check = Check::from_findings("railway", findings);
    if check.findings.is_empty() {
        check.summary = format!(
            "{files} config file{} valid; health check routes exist",
            if files == 1 { "" } else { "s" }
        );
    }
    check.took(started.elapsed())
}
