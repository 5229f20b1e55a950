//! `lint`: every package linted with its own tool, as its own lint script does it.
//!
//! - A package whose `lint` script runs ESLint (`eslint src --max-warnings 0`), `next lint` or
//!   Biome (`biome check .`) is linted that way: the same paths, config and gate (more
//!   warnings than `--max-warnings N` fail it, `LINT002`), with the binary the package itself
//!   resolves (its `node_modules/.bin`, then upward to the workspace root).
//! - A package without one is linted with the ESLint config that applies to it (the nearest
//!   `eslint.config.*` up to the workspace root, else `.eslintrc.*`), or Biome's.
//! - A root script that hands linting to the members (`turbo run lint`, `pnpm -r lint`) runs
//!   nothing itself; a run that covers a package linted on its own leaves it out
//!   (`--ignore-pattern`), so nothing is linted twice.
//!
//! ESLint's JSON formatter and Biome's JSON reporter (1.x and 2.x) are parsed into findings.
//! No linter anywhere is a note (`LINT001`). A package whose linter cannot run is UNKNOWN
//! with the reason (`PD001`); the others keep their results.
//!
//! | code    | severity | finding                                                       |
//! |---------|----------|---------------------------------------------------------------|
//! | LINT001 | note     | no linter is configured in any package                        |
//! | LINT002 | error    | more warnings than the package's `--max-warnings N` allows     |

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use opskit::report::{Check, Finding, Location, Severity};
use serde::Deserialize;
use serde_json::Value;

use super::{Work, skipped_separate};
use crate::codes::{LINT001, LINT002};
use crate::project::{Project, display, local_bin};
use crate::runner::{self, Outcome, Unit, rebase};
use crate::{exec, script};

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

/// A linter's report that cannot be read (not the JSON ESLint or Biome writes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReportError(pub(crate) String);

/// The message, for the internal code that reports failures as lines of text.
impl From<ReportError> for String {
    fn from(e: ReportError) -> String {
        e.0
    }
}

/// ESLint's JSON output as findings, paths relative to `root`.
pub fn parse(json: &str, root: &std::path::Path) -> Result<Vec<Finding>, ReportError> {
    parse_text(json, root).map_err(ReportError)
}

fn parse_text(json: &str, root: &std::path::Path) -> Result<Vec<Finding>, String> {
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
    /// Biome 2: a string. Biome 1: an array of markup nodes (`{"elements": [], "content": "…"}`).
    #[serde(rename = "message")]
    text: Option<Value>,
    /// Biome 1: the message as plain text.
    description: Option<String>,
    category: Option<String>,
    location: Option<BiomeLocation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BiomeLocation {
    /// Biome 2: a string. Biome 1: `{"file": "./src/a.ts"}`.
    path: Option<Value>,
    /// Biome 2.
    start: Option<BiomePosition>,
    /// Biome 1: byte offsets into `sourceCode`.
    span: Option<(usize, usize)>,
    source_code: Option<String>,
}

#[derive(Deserialize)]
struct BiomePosition {
    line: u32,
    column: u32,
}

/// The text of a Biome message: a string, or the contents of markup nodes.
fn biome_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(nodes) => nodes
            .iter()
            .filter_map(|n| n.get("content").and_then(Value::as_str))
            .collect(),
        _ => String::new(),
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> Option<(u32, u32)> {
    let before = text.get(..offset)?;
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    Some((u32::try_from(line).ok()?, u32::try_from(col).ok()?))
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

/// Biome's `--reporter=json` output as findings, for Biome 1.x (markup-node messages, byte
/// spans) and 2.x (string messages, line and column). Configuration notices (category
/// `deserialize`) and infos are notes. Paths are as Biome printed them (relative to where it
/// ran).
pub fn parse_biome(stdout: &str) -> Result<Vec<Finding>, ReportError> {
    parse_biome_text(stdout).map_err(ReportError)
}

fn parse_biome_text(stdout: &str) -> Result<Vec<Finding>, String> {
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
            let text = d
                .text
                .as_ref()
                .map(biome_text)
                .filter(|t| !t.is_empty())
                .or(d.description)
                .unwrap_or_default();
            let mut f = Finding::new(rule.clone(), severity, text);
            if let Some(name) = rule.strip_prefix("lint/").and_then(|r| r.split('/').nth(1)) {
                f = f.help(format!("https://biomejs.dev/linter/rules/{}/", kebab(name)));
            }
            if let Some(loc) = d.location {
                let path = match &loc.path {
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(Value::Object(o)) => {
                        o.get("file").and_then(Value::as_str).map(str::to_owned)
                    }
                    _ => None,
                };
                if let Some(path) = path {
                    let mut l = Location::new(path.trim_start_matches("./"));
                    let place = loc.start.map(|p| (p.line, p.column)).or_else(|| {
                        let (from, _) = loc.span?;
                        line_col(loc.source_code.as_deref()?, from)
                    });
                    if let Some((line, column)) = place {
                        l = l.line(line).column(column);
                    }
                    f = f.at(l);
                }
            }
            f
        })
        .collect())
}

/// Which linter a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linter {
    /// ESLint (flat or legacy config).
    Eslint,
    /// Biome, with the subcommand the package's script uses.
    Biome(&'static str),
}

/// One lint run: a linter in a directory over some paths, with the package's own gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Where it runs, relative to the workspace root (the package's directory).
    pub dir: PathBuf,
    /// The linter.
    pub linter: Linter,
    /// What it lints, relative to `dir`.
    pub paths: Vec<String>,
    /// `-c FILE` from the script.
    pub config: Option<String>,
    /// `--ext` from the script (legacy ESLint).
    pub ext: Option<String>,
    /// The script's `--max-warnings N`: more warnings than this fail the package.
    pub max_warnings: Option<u64>,
    /// The script is `next lint` (Next.js's own directories and gate).
    pub next: bool,
    /// Where the run came from: `lint script` or the config file found.
    pub source: String,
    /// Subdirectories (relative to `dir`) that are linted by runs of their own.
    pub ignore: Vec<String>,
}

/// The scripts a package lints with, in the order they are looked at.
const LINT_SCRIPTS: [&str; 3] = ["lint", "lint:eslint", "eslint"];

/// ESLint's flags that take a value, to tell them from the paths to lint.
const ESLINT_VALUED: [&str; 22] = [
    "-c",
    "--config",
    "--ext",
    "-f",
    "--format",
    "-o",
    "--output-file",
    "--max-warnings",
    "--cache-location",
    "--cache-strategy",
    "--rulesdir",
    "--parser",
    "--parser-options",
    "--resolve-plugins-relative-to",
    "--ignore-path",
    "--ignore-pattern",
    "--concurrency",
    "--env",
    "--global",
    "--plugin",
    "--rule",
    "--report-unused-disable-directives-severity",
];

/// The paths a linter was given, or `.` (what ESLint and Biome lint when given none).
fn here_if_none(paths: Vec<String>) -> Vec<String> {
    if paths.is_empty() {
        vec![".".to_owned()]
    } else {
        paths
    }
}

/// What a package's lint script asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Intent {
    /// It runs a linter itself.
    Runs(Run),
    /// It hands linting to the members (`turbo run lint`, `pnpm -r lint`).
    Delegates,
    /// It has no lint script, or one that runs no linter predeploy knows.
    None,
}

/// Reads a lint script line, following calls to the package's other scripts.
fn intent_of(dir: &Path, scripts: &BTreeMap<String, String>, line: &str, depth: usize) -> Intent {
    for c in script::commands(line) {
        let program = c[0].rsplit('/').next().unwrap_or(&c[0]);
        let run = |linter, paths: Vec<String>, next| Run {
            dir: dir.to_owned(),
            linter,
            paths,
            config: script::flag(&c, &["-c", "--config"]).map(str::to_owned),
            ext: script::flag(&c, &["--ext"]).map(str::to_owned),
            max_warnings: script::flag(&c, &["--max-warnings"]).and_then(|v| v.parse().ok()),
            next,
            source: "lint script".to_owned(),
            ignore: Vec::new(),
        };
        match program {
            "eslint" => {
                let paths = script::positional(&c, 1, &ESLINT_VALUED)
                    .into_iter()
                    .map(str::to_owned)
                    .collect::<Vec<_>>();
                let paths = here_if_none(paths);
                return Intent::Runs(run(Linter::Eslint, paths, false));
            }
            "next" if c.get(1).is_some_and(|w| w == "lint") => {
                let mut dirs: Vec<String> = Vec::new();
                let mut it = c.iter();
                while let Some(w) = it.next() {
                    if w == "--dir" || w == "-d" {
                        if let Some(d) = it.next() {
                            dirs.push(d.clone());
                        }
                    } else if let Some(d) = w.strip_prefix("--dir=") {
                        dirs.push(d.to_owned());
                    }
                }
                return Intent::Runs(run(Linter::Eslint, dirs, true));
            }
            "biome" => {
                let sub = match c.get(1).map(String::as_str) {
                    Some("check") => "check",
                    Some("ci") => "ci",
                    Some("lint") => "lint",
                    _ => continue,
                };
                let paths = script::positional(
                    &c,
                    2,
                    &[
                        "--config-path",
                        "--max-diagnostics",
                        "--reporter",
                        "--diagnostic-level",
                        "--log-level",
                        "--since",
                    ],
                )
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>();
                let paths = here_if_none(paths);
                let mut r = run(Linter::Biome(sub), paths, false);
                r.config = None;
                r.max_warnings = None;
                return Intent::Runs(r);
            }
            "turbo" | "nx" | "lerna" => return Intent::Delegates,
            "pnpm" | "npm" | "yarn" | "bun"
                if script::has(&c, "-r")
                    || script::has(&c, "--recursive")
                    || script::has(&c, "--workspaces")
                    || script::has(&c, "-ws")
                    || (program == "yarn" && c.get(1).is_some_and(|w| w == "workspaces")) =>
            {
                return Intent::Delegates;
            }
            _ => {
                if let Some(call) = script::script_call(&c) {
                    if call.package.is_some() {
                        return Intent::Delegates;
                    }
                    if depth < 3
                        && let Some(next) = scripts.get(&call.script)
                    {
                        let i = intent_of(dir, scripts, next, depth + 1);
                        if i != Intent::None {
                            return i;
                        }
                    }
                }
            }
        }
    }
    Intent::None
}

/// The first of `dir` and its parents, up to the workspace root, where `find` finds
/// something.
fn find_up(ws_root: &Path, dir: &Path, find: &dyn Fn(&Path) -> Option<PathBuf>) -> Option<PathBuf> {
    let mut here = Some(dir);
    while let Some(d) = here {
        if let Some(f) = find(d) {
            return Some(f);
        }
        if d == ws_root || !d.starts_with(ws_root) {
            break;
        }
        here = d.parent();
    }
    None
}

/// The first of `names` that is a file in `d`.
fn file_in(d: &Path, names: &[&str]) -> Option<PathBuf> {
    names.iter().map(|f| d.join(f)).find(|p| p.is_file())
}

/// The ESLint config that applies in `dir`: the nearest flat config up to the workspace root
/// (as ESLint 9 looks it up), else the nearest legacy one (`.eslintrc.*` or package.json's
/// `eslintConfig`).
pub fn eslint_config(ws_root: &Path, dir: &Path) -> Option<(PathBuf, bool)> {
    if let Some(f) = find_up(ws_root, dir, &|d| file_in(d, &FLAT)) {
        return Some((f, true));
    }
    find_up(ws_root, dir, &|d| {
        file_in(d, &LEGACY).or_else(|| {
            let pkg = d.join("package.json");
            std::fs::read_to_string(&pkg)
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .filter(|v| v.get("eslintConfig").is_some())
                .map(|_| pkg)
        })
    })
    .map(|f| (f, false))
}

/// The Biome config that applies in `dir`: the nearest `biome.json(c)` up to the root.
pub fn biome_config(ws_root: &Path, dir: &Path) -> Option<PathBuf> {
    find_up(ws_root, dir, &|d| {
        file_in(d, &["biome.json", "biome.jsonc"])
    })
}

/// Next.js's default lint directories that exist in `dir`.
fn next_dirs(dir: &Path) -> Vec<String> {
    ["pages", "app", "components", "lib", "src"]
        .iter()
        .filter(|d| dir.join(d).is_dir())
        .map(|d| (*d).to_owned())
        .collect()
}

/// The lint runs of the project: each package's own lint script (ESLint, `next lint`,
/// Biome) where it has one, the applicable config otherwise; a package that an enclosing
/// run (the root's `eslint .`) covers is not linted twice, and a run does not enter the
/// packages that have runs of their own.
pub fn runs(project: &Project) -> Vec<Run> {
    let ws = &project.workspace;
    let packages: Vec<&opskit::workspace::Package> = ws
        .in_scope()
        .chain(
            ws.separate_in_scope()
                .filter(|s| s.skip_reason().is_none())
                .map(|s| &s.package),
        )
        .collect();
    let intents: Vec<Intent> = packages
        .iter()
        .map(|p| {
            LINT_SCRIPTS
                .iter()
                .find_map(|s| p.scripts.get(*s))
                .map_or(Intent::None, |line| intent_of(&p.dir, &p.scripts, line, 0))
        })
        .collect();
    let covers = |run: &Run, dir: &Path| {
        dir != run.dir
            && run.paths.iter().any(|p| {
                let base = opskit::workspace::normalize(&run.dir.join(p));
                dir.starts_with(&base)
            })
    };
    let scripted: Vec<&Run> = intents
        .iter()
        .filter_map(|i| match i {
            Intent::Runs(r) => Some(r),
            _ => None,
        })
        .collect();
    let mut out: Vec<Run> = Vec::new();
    for (pkg, intent) in packages.iter().zip(&intents) {
        let abs = ws.root.join(&pkg.dir);
        match intent {
            Intent::Runs(r) => out.push(r.clone()),
            Intent::Delegates => {}
            Intent::None => {
                if scripted.iter().any(|r| covers(r, &pkg.dir)) {
                    continue;
                }
                let has_lint_script = LINT_SCRIPTS.iter().any(|s| pkg.scripts.contains_key(*s));
                if let Some((config, _)) = eslint_config(&ws.root, &abs) {
                    out.push(Run {
                        dir: pkg.dir.clone(),
                        linter: Linter::Eslint,
                        paths: vec![".".to_owned()],
                        config: None,
                        ext: None,
                        max_warnings: None,
                        next: false,
                        source: display(&ws.root, &config),
                        ignore: Vec::new(),
                    });
                } else if let Some(config) = biome_config(&ws.root, &abs)
                    && (pkg.is_root() || has_lint_script || config.parent() == Some(abs.as_path()))
                {
                    out.push(Run {
                        dir: pkg.dir.clone(),
                        linter: Linter::Biome("lint"),
                        paths: vec![".".to_owned()],
                        config: None,
                        ext: None,
                        max_warnings: None,
                        next: false,
                        source: display(&ws.root, &config),
                        ignore: Vec::new(),
                    });
                }
            }
        }
    }
    // A run leaves out the packages below it that have runs of their own.
    let dirs: Vec<PathBuf> = out.iter().map(|r| r.dir.clone()).collect();
    for r in &mut out {
        r.ignore = dirs
            .iter()
            .filter(|d| covers(r, d))
            .filter_map(|d| d.strip_prefix(&r.dir).ok())
            .map(opskit::workspace::slash)
            .collect();
        if r.next && r.paths.is_empty() {
            r.paths = next_dirs(&ws.root.join(&r.dir));
        }
    }
    out
}

fn major(version: &str) -> Option<u32> {
    version.split('.').next()?.parse().ok()
}

/// One run as a unit of work.
fn unit(project: &Project, run: &Run, work: &Work) -> Unit {
    let ws = &project.workspace;
    let dir_abs = ws.root.join(&run.dir);
    let shown = if run.dir.as_os_str().is_empty() {
        ".".to_owned()
    } else {
        opskit::workspace::slash(&run.dir)
    };
    let bin_name = match run.linter {
        Linter::Eslint => "eslint",
        Linter::Biome(_) => "biome",
    };
    let bin = local_bin(&ws.root, &dir_abs, bin_name);
    let key = bin.as_ref().and_then(|b| {
        work.key(project, "lint", &run.dir, b)
            .map(|k| crate::cache::key(&[&k, &format!("{run:?}")]))
    });
    let size = work.digests.as_ref().map_or(0, |d| {
        d.paths().filter(|p| p.starts_with(&run.dir)).count() as u64
    });
    let (run, project_root, ws) = (run.clone(), project.root.clone(), ws.clone());
    Unit {
        project: shown.clone(),
        key,
        size,
        run: Box::new(move |left| {
            let Some(bin) = bin else {
                let how = match run.linter {
                    Linter::Eslint => "npm install --save-dev eslint",
                    Linter::Biome(_) => "npm install --save-dev @biomejs/biome",
                };
                let name = match run.linter {
                    Linter::Eslint => "ESLint",
                    Linter::Biome(_) => "Biome",
                };
                return Outcome::unknown(format!(
                    "{shown} lints with {name} ({}) but it is not installed there: add it with `{how}` (or your package manager's add), then install",
                    run.source
                ));
            };
            let version = opskit::workspace::bin_version(&bin).unwrap_or_default();
            match run.linter {
                Linter::Eslint => eslint(
                    &run,
                    &bin,
                    &version,
                    &dir_abs,
                    &project_root,
                    &ws,
                    &shown,
                    left,
                ),
                Linter::Biome(sub) => biome(
                    sub,
                    &run,
                    &bin,
                    &version,
                    &dir_abs,
                    &project_root,
                    &shown,
                    left,
                ),
            }
        }),
    }
}

#[expect(clippy::too_many_arguments, reason = "one run's parts, passed once")]
fn eslint(
    run: &Run,
    bin: &Path,
    version: &str,
    dir: &Path,
    project_root: &Path,
    ws: &opskit::workspace::Workspace,
    shown: &str,
    left: Duration,
) -> Outcome {
    let flat = match (&run.config, eslint_config(&ws.root, dir)) {
        (Some(c), _) => FLAT.iter().any(|f| c.ends_with(f)),
        (None, Some((_, flat))) => flat,
        (None, None) => {
            return Outcome::unknown(format!(
                "{shown}: its lint script runs ESLint, but no ESLint config (eslint.config.* or .eslintrc.*) applies there"
            ));
        }
    };
    if !flat && major(version).is_some_and(|m| m >= 10) {
        return Outcome::unknown(format!(
            "{shown}: ESLint {version} no longer reads legacy .eslintrc configs; move to eslint.config.js (https://eslint.org/docs/latest/use/configure/migration-guide)"
        ));
    }
    if run.paths.is_empty() {
        return Outcome {
            tool: Some(format!("ESLint {version}")),
            ..Outcome::default()
        };
    }
    let mut args: Vec<String> = run.paths.clone();
    args.extend(["--format", "json", "--no-error-on-unmatched-pattern"].map(str::to_owned));
    if let Some(c) = &run.config {
        args.extend(["-c".to_owned(), c.clone()]);
    }
    if let Some(e) = &run.ext
        && !flat
    {
        args.extend(["--ext".to_owned(), e.clone()]);
    }
    for i in &run.ignore {
        args.extend(["--ignore-pattern".to_owned(), format!("{i}/**")]);
    }
    let env: &[(&str, &str)] = if flat {
        &[]
    } else {
        &[("ESLINT_USE_FLAT_CONFIG", "false")]
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = match exec::run(bin, &args, dir, env, left) {
        Ok(out) => out,
        Err(e) => return Outcome::unknown(format!("{shown}: {e}")),
    };
    if !matches!(out.code, Some(0 | 1)) {
        let hint = super::typescript::unbuilt_in_crash(ws, &out.stderr)
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        return Outcome::unknown(format!(
            "ESLint could not run in {shown} (exit {:?}): {}{hint}",
            out.code,
            out.first_line()
        ));
    }
    let mut findings = match parse(&out.stdout, project_root) {
        Ok(f) => f,
        Err(e) => return Outcome::unknown(format!("{shown}: {e}")),
    };
    gate(run, shown, &mut findings);
    Outcome {
        findings,
        unknown: None,
        tool: Some(format!("ESLint {version}")),
        cached: false,
    }
}

/// The package's `--max-warnings N`: more warnings than N fail it, as its own script would.
fn gate(run: &Run, shown: &str, findings: &mut Vec<Finding>) {
    let Some(max) = run.max_warnings else { return };
    let warnings = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count() as u64;
    if warnings > max {
        let what = if run.next { "next lint" } else { "lint script" };
        let plural = if warnings == 1 { "" } else { "s" };
        findings.push(LINT002.finding(format!("{warnings} ESLint warning{plural} in {shown}, more than the {max} its {what} allows (--max-warnings {max}): the package's own lint fails"),
        ));
    }
}

#[expect(clippy::too_many_arguments, reason = "one run's parts, passed once")]
fn biome(
    sub: &str,
    run: &Run,
    bin: &Path,
    version: &str,
    dir: &Path,
    project_root: &Path,
    shown: &str,
    left: Duration,
) -> Outcome {
    let mut args: Vec<&str> = vec![sub, "--reporter=json", "--colors=off"];
    args.extend(run.paths.iter().map(String::as_str));
    let out = match exec::run(bin, &args, dir, &[], left) {
        Ok(out) => out,
        Err(e) => return Outcome::unknown(format!("{shown}: {e}")),
    };
    let findings = match (out.code, parse_biome(&out.stdout)) {
        (Some(0 | 1), Ok(f)) => f,
        (Some(0 | 1), Err(e)) => return Outcome::unknown(format!("{shown}: {e}")),
        (code, _) => {
            return Outcome::unknown(format!(
                "Biome could not run in {shown} (exit {code:?}): {}",
                out.first_line()
            ));
        }
    };
    let findings = findings
        .into_iter()
        .map(|mut f| {
            if let Some(loc) = f.location.as_mut() {
                loc.path = rebase(project_root, dir, &loc.path);
            }
            f
        })
        .collect();
    Outcome {
        findings,
        unknown: None,
        tool: Some(format!("Biome {version}")),
        cached: false,
    }
}

/// Runs the check: one unit per lint run, in parallel under the shared job limit.
pub fn check(project: &Project, work: &Work) -> Check {
    let started = Instant::now();
    let all = runs(project);
    let notes = skipped_separate(project, &|d| {
        eslint_config(d, d).is_some() || biome_config(d, d).is_some()
    });
    if all.is_empty() {
        let mut findings = notes;
        findings.push(LINT001.finding("no linter configured in any package (no eslint.config.*, .eslintrc.* or biome.json, and no lint script that runs ESLint or Biome): nothing is linted",
        ));
        let mut c = Check::from_findings("lint", findings);
        "no linter configured".clone_into(&mut c.summary);
        return c.took(started.elapsed());
    }
    let (selected, unchanged): (Vec<Run>, Vec<Run>) =
        all.into_iter().partition(|r| work.selected(&r.dir));
    if selected.is_empty() {
        let since = work
            .changed
            .as_ref()
            .map(|c| c.since.clone())
            .unwrap_or_default();
        let mut c = Check::from_findings("lint", notes);
        c.summary = format!(
            "no linted package changed since {since} ({} unchanged, not linted)",
            unchanged.len()
        );
        return c.took(started.elapsed());
    }
    let units = selected.iter().map(|r| unit(project, r, work)).collect();
    let mut results = runner::run_units("lint", units, &work.shared);
    // Runs that overlap (a root run and a package's own) report a problem once.
    runner::dedupe(&mut results, false);
    let unchanged_note = work.unchanged_note(unchanged.len(), "linted");
    let check = runner::assemble("lint", results, notes, &|findings, n, tools| {
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let warnings = findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count();
        let packages = if n == 1 { "package" } else { "packages" };
        let tools = if tools.is_empty() {
            String::new()
        } else {
            format!(", {}", tools.join(", "))
        };
        if errors == 0 && warnings == 0 {
            format!("clean ({n} {packages}{tools}){unchanged_note}")
        } else {
            let e = if errors == 1 { "" } else { "s" };
            let w = if warnings == 1 { "" } else { "s" };
            format!(
                "{errors} error{e}, {warnings} warning{w} ({n} {packages}{tools}){unchanged_note}"
            )
        }
    });
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
