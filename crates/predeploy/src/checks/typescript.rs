//! `typescript`: `tsc --noEmit` for every package of the workspace, with the compiler that the
//! package itself resolves (TypeScript 5, or the native TypeScript 7), output parsed into
//! findings.
//!
//! Each package's project is its `tsconfig.json`, or the config its own typecheck script
//! passes (`"typecheck": "tsc --noEmit -p tsconfig.typecheck.json --skipLibCheck"`). A
//! solution-style config (`references` and no files of its own) runs as `tsc -b --noEmit`,
//! and the projects it references are not run again on their own. Projects run in parallel
//! (see [`crate::runner`]); one that cannot run is UNKNOWN with its reason (`PD001`) and the
//! others keep their results. A TS2307 on a workspace package whose `types`/`exports` point
//! at files that do not exist (an unbuilt `dist/`) says which package to build and how.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use opskit::report::{Check, Finding, Location, Severity};
use opskit::workspace::Workspace;

use super::{Work, skipped_separate};
use crate::codes::PD003;
use crate::project::{Project, local_bin};
use crate::runner::{self, Outcome, Unit, rebase};
use crate::{exec, script};

/// One diagnostic line of `tsc --pretty false`:
/// `path(line,col): error TS2322: message` or `error TS5058: message`.
pub fn parse(output: &str) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    for line in output.lines() {
        if line.starts_with("  ") || line.starts_with('\t') {
            // A continuation of the previous message (elaborations, related information).
            if let Some(last) = findings.last_mut() {
                last.message.push(' ');
                last.message.push_str(line.trim());
            }
            continue;
        }
        if let Some(f) = parse_line(line) {
            findings.push(f);
        }
    }
    findings
}

fn parse_line(line: &str) -> Option<Finding> {
    let (place, rest) = match line.find("): ") {
        Some(i) if line[..i].contains('(') => (Some(&line[..=i]), &line[i + 3..]),
        _ => (None, line),
    };
    let (severity, rest) = if let Some(r) = rest.strip_prefix("error ") {
        (Severity::Error, r)
    } else if let Some(r) = rest.strip_prefix("warning ") {
        (Severity::Warning, r)
    } else {
        return None;
    };
    let (code, message) = rest.split_once(": ")?;
    if !code.starts_with("TS") || !code[2..].chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut finding = Finding::new(code, severity, message.trim()).help(format!(
        "https://typescript.tv/errors/#{}",
        code.to_lowercase()
    ));
    if let Some(place) = place {
        let open = place.rfind('(')?;
        let path = &place[..open];
        let nums = place[open + 1..place.len() - 1]
            .split(',')
            .map(str::parse::<u32>)
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        let mut loc = Location::new(path.replace('\\', "/"));
        if let Some(&l) = nums.first() {
            loc = loc.line(l);
        }
        if let Some(&c) = nums.get(1) {
            loc = loc.column(c);
        }
        finding = finding.at(loc);
    }
    Some(finding)
}

/// One TypeScript project to check: a package's tsconfig (or the one its typecheck script
/// names), run in the package's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The package's directory, relative to the workspace root.
    pub dir: PathBuf,
    /// The config, relative to `dir`.
    pub config: String,
    /// A solution-style config (`references`, no files of its own): `tsc -b`.
    pub build: bool,
    /// The package's own typecheck script passes `--skipLibCheck`.
    pub skip_lib_check: bool,
    /// What the package's typecheck script runs before tsc (`pnpm typegen`, `prisma
    /// generate`): predeploy does not run it, so its output must already exist.
    pub before: Vec<String>,
    /// The package that holds the config (the cache key and `--changed-since` follow it): a
    /// root script's `tsc -p apps/worker` belongs to apps/worker.
    pub owner: PathBuf,
    /// The project as shown: the config's directory, or its path when it is not a
    /// `tsconfig.json` (`apps/web/tsconfig.typecheck.json`).
    pub label: String,
}

impl Target {
    /// `tsc -p tsconfig.json` in `dir`.
    fn plain(dir: PathBuf) -> Target {
        Target {
            dir,
            config: "tsconfig.json".to_owned(),
            build: false,
            skip_lib_check: false,
            before: Vec::new(),
            owner: PathBuf::new(),
            label: String::new(),
        }
    }
}

/// `PD003`: the package's typecheck script prepares something before tsc (a note, with the
/// type errors it may explain).
pub const PREPARED: &str = PD003.code;

/// The scripts a package type-checks with, in the order they are looked at.
const TYPECHECK_SCRIPTS: [&str; 8] = [
    "typecheck",
    "type-check",
    "check-types",
    "types:check",
    "check:types",
    "typescript",
    "tsc",
    "types",
];

/// The projects a package's own typecheck script runs tsc on (its `build` script's when it
/// has no typecheck script): each `tsc` command's config, build mode and skipLibCheck, and
/// what the script runs before it. `dir` is the package's; configs are as the script writes
/// them, relative to it.
fn from_script(pkg: &opskit::workspace::Package) -> Vec<Target> {
    let line = TYPECHECK_SCRIPTS
        .iter()
        .find_map(|name| pkg.scripts.get(*name))
        .or_else(|| pkg.scripts.get("build"));
    let Some(line) = line else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut before = Vec::new();
    for c in script::commands(line) {
        let program = c[0].rsplit('/').next().unwrap_or(&c[0]);
        if program != "tsc" && program != "tsgo" {
            before.push(c.join(" "));
            continue;
        }
        let build = script::has(&c, "-b") || script::has(&c, "--build");
        let configs: Vec<String> = match script::flag(&c, &["-p", "--project"]) {
            Some(p) => vec![p.to_owned()],
            None if build => {
                let p: Vec<String> = script::positional(&c, 1, &["--tsBuildInfoFile"])
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
                if p.is_empty() {
                    vec!["tsconfig.json".to_owned()]
                } else {
                    p
                }
            }
            None => vec!["tsconfig.json".to_owned()],
        };
        for config in configs {
            out.push(Target {
                dir: pkg.dir.clone(),
                config,
                build,
                skip_lib_check: script::has(&c, "--skipLibCheck"),
                before: before.clone(),
                owner: PathBuf::new(),
                label: String::new(),
            });
        }
    }
    out
}

/// A config's `references`, as config files relative to the workspace root.
fn references(ws_root: &Path, dir: &Path, config: &str) -> Option<Vec<PathBuf>> {
    let text = std::fs::read_to_string(ws_root.join(dir).join(config)).ok()?;
    let json = opskit::workspace::read_jsonc(&text)?;
    let refs = json.get("references")?.as_array()?;
    let config_dir = opskit::workspace::normalize(&dir.join(config))
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    Some(
        refs.iter()
            .filter_map(|r| r.get("path")?.as_str())
            .map(|p| {
                let target = opskit::workspace::normalize(&config_dir.join(p));
                if Path::new(p)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"))
                {
                    target
                } else {
                    target.join("tsconfig.json")
                }
            })
            .collect(),
    )
}

/// Whether a config is solution-style: it has references and no files of its own.
fn is_solution(ws_root: &Path, dir: &Path, config: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(ws_root.join(dir).join(config)) else {
        return false;
    };
    let Some(json) = opskit::workspace::read_jsonc(&text) else {
        return false;
    };
    let has_refs = json
        .get("references")
        .and_then(|r| r.as_array())
        .is_some_and(|r| !r.is_empty());
    let no_files = json
        .get("files")
        .and_then(|f| f.as_array())
        .is_some_and(Vec::is_empty)
        || json
            .get("include")
            .and_then(|f| f.as_array())
            .is_some_and(Vec::is_empty);
    has_refs && no_files
}

/// Fills in a target's owner (the package, or separate project, that holds its config), its
/// label, and whether it is solution-style.
fn place(ws: &Workspace, t: &mut Target) {
    let config = opskit::workspace::normalize(&t.dir.join(&t.config));
    let separate = ws
        .separate
        .iter()
        .filter(|s| config.starts_with(&s.package.dir))
        .max_by_key(|s| s.package.dir.components().count())
        .map(|s| s.package.dir.clone());
    let member = ws.owner(&config).map(|p| p.dir.clone()).unwrap_or_default();
    // A separate project inside (or beside) the member that would own it owns its own files.
    t.owner = match separate {
        Some(s) if s.starts_with(&member) => s,
        _ => member,
    };
    t.label = if config.file_name().is_some_and(|n| n == "tsconfig.json") {
        let dir = config
            .parent()
            .map(opskit::workspace::slash)
            .unwrap_or_default();
        if dir.is_empty() { ".".to_owned() } else { dir }
    } else {
        opskit::workspace::slash(&config)
    };
    t.build = t.build || is_solution(&ws.root, &t.dir, &t.config);
}

/// Whether a workspace type-checks through its scripts: some package has a typecheck
/// script (or a build script) that runs tsc.
fn declared(ws: &Workspace) -> bool {
    ws.packages.iter().any(|p| {
        TYPECHECK_SCRIPTS
            .iter()
            .filter_map(|n| p.scripts.get(*n))
            .any(|line| {
                script::commands(line).iter().any(|c| {
                    let program = c[0].rsplit('/').next().unwrap_or(&c[0]);
                    program == "tsc" || program == "tsgo"
                })
            })
    })
}

/// The projects to check, and the packages with a tsconfig that are not checked because the
/// workspace type-checks through scripts and theirs has none.
///
/// - Each package's typecheck script names its projects (`tsc -p tsconfig.typecheck.json`; a
///   root script's `tsc -p apps/worker` names apps/worker's).
/// - Where no package has such a script, every package's `tsconfig.json` is a project.
/// - Where some do, a package without one is not type-checked on its own (its team does not
///   check it either; its files are checked where the checked packages import them), and is
///   named in a note.
/// - `[predeploy] typescript_projects` (directories relative to the root) replaces all that.
pub fn targets(project: &Project, explicit: &[PathBuf]) -> (Vec<Target>, Vec<String>) {
    let ws = &project.workspace;
    let mut out: Vec<Target> = Vec::new();
    let mut unchecked = Vec::new();
    if explicit.is_empty() {
        let by_script = declared(ws);
        let separate = ws
            .separate_in_scope()
            .filter(|s| s.skip_reason().is_none())
            .map(|s| &s.package);
        for pkg in ws.packages.iter().chain(separate) {
            let scripted = from_script(pkg);
            let default_config = ws.root.join(&pkg.dir).join("tsconfig.json").is_file();
            if !scripted.is_empty() {
                out.extend(scripted);
            } else if default_config
                && (!by_script || !ws.packages.iter().any(|p| p.dir == pkg.dir))
            {
                out.push(Target::plain(pkg.dir.clone()));
            } else if default_config {
                unchecked.push(pkg.dir.clone());
            }
        }
    } else {
        for d in explicit {
            out.push(Target::plain(opskit::workspace::normalize(
                &ws.scope.join(d),
            )));
        }
    }
    // A config named as a directory is that directory's tsconfig.json.
    for t in &mut out {
        if ws.root.join(&t.dir).join(&t.config).is_dir() {
            t.config = format!("{}/tsconfig.json", t.config.trim_end_matches('/'));
        }
    }
    out.retain(|t| ws.root.join(&t.dir).join(&t.config).is_file());
    let full = |t: &Target| opskit::workspace::normalize(&t.dir.join(&t.config));
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|t| seen.insert(full(t)));
    for t in &mut out {
        place(ws, t);
    }
    // Only the projects under the scope (`--root` one package).
    out.retain(|t| {
        t.owner.starts_with(&ws.scope)
            && (ws.scope.as_os_str().is_empty() || !t.owner.as_os_str().is_empty())
    });
    // A project that a solution config builds is not checked a second time on its own.
    let built: Vec<PathBuf> = out
        .iter()
        .filter(|t| t.build)
        .filter_map(|t| references(&ws.root, &t.dir, &t.config))
        .flatten()
        .collect();
    out.retain(|t| t.build || !built.contains(&full(t)));
    let covered: Vec<PathBuf> = out.iter().map(full).collect();
    let unchecked = unchecked
        .into_iter()
        .filter(|d| d.starts_with(&ws.scope) && !covered.contains(&d.join("tsconfig.json")))
        .map(|d| {
            let s = opskit::workspace::slash(&d);
            if s.is_empty() { ".".to_owned() } else { s }
        })
        .collect();
    (out, unchecked)
}

/// The package name in a module specifier: `@scope/name/sub` -> `@scope/name`.
fn package_of(spec: &str) -> &str {
    let mut parts = spec.splitn(3, '/');
    let first = parts.next().unwrap_or(spec);
    if first.starts_with('@') {
        match parts.next() {
            Some(second) => &spec[..first.len() + 1 + second.len()],
            None => spec,
        }
    } else {
        first
    }
}

/// A TS2307 on a workspace package whose `types`/`exports` point at files that do not exist
/// (an unbuilt `dist/`): the hint that names the package and the build it needs.
pub fn unbuilt_hint(ws: &Workspace, message: &str) -> Option<String> {
    let rest = message.strip_prefix("Cannot find module '")?;
    let spec = &rest[..rest.find('\'')?];
    unbuilt_package(ws, package_of(spec))
}

/// A tool that crashed on `Cannot find package '…/node_modules/@repo/eslint-plugin/dist/…'`
/// (an ESLint config importing a workspace package that is not built): the same hint.
pub fn unbuilt_in_crash(ws: &Workspace, text: &str) -> Option<String> {
    let at = text
        .find("Cannot find package '")
        .or_else(|| text.find("Cannot find module '"))?;
    let rest = &text[at..];
    let quoted = &rest[rest.find('\'')? + 1..];
    let path = &quoted[..quoted.find('\'')?];
    let after = path.rsplit_once("node_modules/").map_or(path, |(_, a)| a);
    unbuilt_package(ws, package_of(after))
}

/// The hint for a workspace package `name` whose entry points do not exist.
fn unbuilt_package(ws: &Workspace, name: &str) -> Option<String> {
    let pkg = ws.package(name)?;
    let dir = ws.root.join(&pkg.dir);
    let missing: Vec<&String> = pkg
        .entry_points
        .iter()
        .filter(|e| !e.contains('*'))
        .filter(|e| !dir.join(e).exists())
        .collect();
    let first = missing.first()?;
    // Only when nothing it points at exists: one missing file among present ones is another
    // problem.
    if missing.len() < pkg.entry_points.iter().filter(|e| !e.contains('*')).count() {
        return None;
    }
    let how = if pkg.scripts.contains_key("build") {
        format!("build it first: `{}`", ws.run_command(pkg, "build"))
    } else {
        "build or generate it first".to_owned()
    };
    Some(format!(
        "{} is a workspace package whose package.json points at {}, which does not exist: {how}",
        pkg.name,
        first.trim_start_matches("./")
    ))
}

fn tool_version(tsc: &Path, dir: &Path) -> String {
    opskit::workspace::bin_version(tsc)
        .or_else(|| {
            exec::run(tsc, &["--version"], dir, &[], Duration::from_secs(30))
                .ok()
                .map(|o| o.stdout.trim().trim_start_matches("Version ").to_owned())
        })
        .unwrap_or_else(|| "unknown version".to_owned())
}

/// One project's run.
fn unit(project: &Project, target: &Target, work: &Work) -> Unit {
    let ws = &project.workspace;
    let dir_abs = ws.root.join(&target.dir);
    let shown = if target.dir.as_os_str().is_empty() {
        ".".to_owned()
    } else {
        opskit::workspace::slash(&target.dir)
    };
    let tsc =
        local_bin(&ws.root, &dir_abs, "tsc").or_else(|| local_bin(&ws.root, &dir_abs, "tsgo"));
    let key = tsc
        .as_ref()
        .and_then(|t| work.key(project, "typescript", &target.dir, t));
    let size = work.digests.as_ref().map_or(0, |d| {
        d.paths().filter(|p| p.starts_with(&target.dir)).count() as u64
    });
    let (target, project_root, ws) = (target.clone(), project.root.clone(), ws.clone());
    Unit {
        project: shown.clone(),
        key,
        size,
        run: Box::new(move |left| {
            let Some(tsc) = tsc else {
                return Outcome::unknown(format!(
                    "TypeScript is not installed for {shown}: add it with `npm install --save-dev typescript` (or your package manager's add), then install"
                ));
            };
            let mut args: Vec<&str> = if target.build {
                vec!["-b", &target.config, "--noEmit", "--pretty", "false"]
            } else {
                vec!["--noEmit", "--pretty", "false", "-p", &target.config]
            };
            if target.skip_lib_check && !target.build {
                args.push("--skipLibCheck");
            }
            let out = match exec::run(&tsc, &args, &dir_abs, &[], left) {
                Ok(out) => out,
                Err(e) => return Outcome::unknown(format!("{shown}: {e}")),
            };
            let text = format!("{}{}", out.stdout, out.stderr);
            let mut found = parse(&text);
            match out.code {
                Some(0) => {}
                Some(1 | 2) if !found.is_empty() => {}
                code => {
                    let first = text
                        .lines()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or("no output");
                    let mode = if target.build { "-b" } else { "-p" };
                    return Outcome::unknown(format!(
                        "tsc {mode} {} in {shown} failed (exit {code:?}): {first}",
                        target.config
                    ));
                }
            }
            for f in &mut found {
                if let Some(loc) = f.location.as_mut() {
                    loc.path = rebase(&project_root, &dir_abs, &loc.path);
                }
                if f.rule == "TS2307"
                    && let Some(hint) = unbuilt_hint(&ws, &f.message)
                {
                    f.message = format!("{} ({hint})", f.message);
                }
            }
            if !found.is_empty() && !target.before.is_empty() {
                found.push(Finding::new(
                    PREPARED,
                    Severity::Note,
                    format!(
                        "{shown}'s typecheck script runs `{}` before tsc; predeploy runs only tsc, so what that step generates must already be there (run it first, as CI does)",
                        target.before.join(" && ")
                    ),
                ));
            }
            Outcome {
                findings: found,
                unknown: None,
                tool: Some(format!("TypeScript {}", tool_version(&tsc, &dir_abs))),
                cached: false,
            }
        }),
    }
}

/// Runs the check: one unit per project, in parallel under the shared job limit.
pub fn check(project: &Project, explicit: &[PathBuf], work: &Work) -> Check {
    let started = Instant::now();
    let (all, unchecked) = targets(project, explicit);
    let mut notes = skipped_separate(project, &|d| d.join("tsconfig.json").is_file());
    if !unchecked.is_empty() {
        notes.push(Finding::new(
            runner::SKIPPED,
            Severity::Note,
            format!(
                "not type-checked on their own: {} (a tsconfig.json but no typecheck script, while the workspace type-checks through its packages' scripts; their files are checked where checked packages import them; list them in [predeploy] typescript_projects to check them alone)",
                unchecked.join(", ")
            ),
        ));
    }
    let (selected, unchanged): (Vec<Target>, Vec<Target>) =
        all.into_iter().partition(|t| work.selected(&t.owner));
    if selected.is_empty() {
        let summary = if let Some(c) = work.changed.as_ref().filter(|_| !unchanged.is_empty()) {
            format!(
                "no TypeScript project changed since {} ({} unchanged, not checked)",
                c.since,
                unchanged.len()
            )
        } else {
            "no tsconfig.json found: nothing to type-check".to_owned()
        };
        let mut c = Check::from_findings("typescript", notes);
        c.summary = summary;
        return c.took(started.elapsed());
    }
    let units = selected.iter().map(|t| unit(project, t, work)).collect();
    let mut results = runner::run_units("typescript", units, &work.shared);
    // Projects that include each other's files (path aliases into a sibling's sources) see
    // the same error; it is reported once, under the first project that saw it.
    runner::dedupe(&mut results, true);
    let unchanged_note = work.unchanged_note(unchanged.len(), "checked");
    let check = runner::assemble("typescript", results, notes, &|findings, n, tools| {
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let projects = if n == 1 { "project" } else { "projects" };
        let tools = if tools.is_empty() {
            String::new()
        } else {
            format!(" ({})", tools.join(", "))
        };
        if errors == 0 {
            format!("{n} {projects} type-check{tools}{unchanged_note}")
        } else {
            let plural = if errors == 1 { "" } else { "s" };
            format!("{errors} type error{plural} in {n} {projects}{tools}{unchanged_note}")
        }
    });
    check.took(started.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_located_and_global_diagnostics() {
        let out = "apps/worker/src/index.ts(12,7): error TS2322: Type 'string' is not assignable to type 'number'.\n\
                   \x20\x20The expected type comes from property 'n'.\n\
                   error TS5058: The specified path does not exist: 'nope'.\n\
                   Found 2 errors.\n";
        let f = parse(out);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].rule, "TS2322");
        assert_eq!(
            f[0].location.as_ref().unwrap().to_string(),
            "apps/worker/src/index.ts:12:7"
        );
        assert!(
            f[0].message
                .ends_with("The expected type comes from property 'n'."),
            "{}",
            f[0].message
        );
        assert_eq!(f[1].rule, "TS5058");
        assert!(f[1].location.is_none());
        assert!(
            parse("src/a (copy).ts(1,2): error TS1005: ';' expected.")[0]
                .location
                .as_ref()
                .unwrap()
                .path
                == "src/a (copy).ts"
        );
        assert!(parse("nothing here\n").is_empty());
    }
}
