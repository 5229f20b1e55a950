//! ShellCheck on RUN, as hadolint runs it.
//!
//! hadolint links ShellCheck in; we run the `shellcheck` binary (Debian's package, or any on
//! PATH, or `$SHELLCHECK`) once per Dockerfile, with every RUN's script as one file. Each
//! script is what hadolint hands ShellCheck: a shebang naming the stage's shell (`/bin/sh` until
//! a `SHELL` instruction or a `# hadolint shell=` pragma says otherwise), an `export NAME=1`
//! line for every ARG and ENV of the stage so far and for the proxy variables BuildKit passes
//! through, then the RUN's shell-form text. hadolint's default exclusions apply (SC2187, ash
//! checked as dash; SC1090, a `source` of a computed path, which a Dockerfile cannot annotate;
//! and SC1091, a `source` of a file in the image, which ShellCheck cannot read from here),
//! every severity down to `style` is reported, and findings stand at the RUN's line with the
//! `SCxxxx` code as the rule. PowerShell and cmd scripts are not shell scripts and are skipped.
//!
//! Without `shellcheck`, nothing runs and the caller says so once.

use std::collections::{BTreeSet, HashMap};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::parser::{CommandForm, Dockerfile, Kind};
use crate::rules::{Level, Rule};

/// hadolint's exclusions, and SC1091 (a `source` of a file in the image, which ShellCheck
/// cannot read from here; hadolint's in-memory ShellCheck stays silent on it too).
const EXCLUDED: &str = "SC2187,SC1090,SC1091";

/// Variables BuildKit passes to every RUN without an ARG (hadolint's list).
const PROXY_VARS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// How long one Dockerfile's ShellCheck run may take before it is stopped.
const DEADLINE: Duration = Duration::from_mins(1);

/// At most this much of ShellCheck's output is read.
const MAX_OUTPUT: u64 = 16 << 20;

/// The `shellcheck` to run: `$SHELLCHECK`, or `shellcheck` on PATH.
pub fn find() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SHELLCHECK") {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("shellcheck"))
            .find(|p| p.is_file())
    })
}

/// What to say when ShellCheck is missing.
pub const MISSING_NOTE: &str = "ShellCheck is not installed, so the SC checks hadolint runs on RUN instructions were skipped; install it (apt-get install shellcheck, brew install shellcheck) or set SHELLCHECK to its path";

/// One ShellCheck finding, at the RUN it is in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScFinding {
    /// The RUN's line.
    pub line: u32,
    /// `SC2086`.
    pub code: String,
    /// ShellCheck's level, as hadolint maps it.
    pub level: Level,
    /// ShellCheck's message.
    pub message: String,
}

/// Why ShellCheck gave no answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ScError {
    /// It could not be started, or its files written.
    #[error("could not run {bin}: {reason}")]
    Run {
        /// The binary.
        bin: String,
        /// The cause.
        reason: String,
    },
    /// Its output was not the JSON it documents.
    #[error("{bin} gave output that is not its JSON format: {reason}")]
    Output {
        /// The binary.
        bin: String,
        /// The cause.
        reason: String,
    },
}

/// One RUN's script, as ShellCheck will read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunScript {
    /// The RUN's line.
    pub line: u32,
    /// The whole file handed to ShellCheck.
    pub text: String,
}

/// At most this many bytes of scripts go to ShellCheck for one Dockerfile: each script repeats
/// the stage's variables, so a hostile file of many ENVs and RUNs would otherwise grow them
/// quadratically.
const MAX_SCRIPTS: usize = 16 << 20;

/// The scripts of every shell-form RUN (ONBUILD RUN too), with the stage's shell and
/// variables.
pub fn scripts(df: &Dockerfile) -> Vec<RunScript> {
    scripts_within(df, usize::MAX).unwrap_or_default()
}

/// [`scripts`], or `None` when they would hold more than `limit` bytes.
fn scripts_within(df: &Dockerfile, limit: usize) -> Option<Vec<RunScript>> {
    let mut total = 0usize;
    let default_shell = "/bin/sh".to_owned();
    let mut shell = default_shell.clone();
    let mut vars: BTreeSet<String> = PROXY_VARS.iter().map(|v| (*v).to_owned()).collect();
    let mut out = Vec::new();
    let pragma_shells: HashMap<u32, String> = df
        .comments
        .iter()
        .filter_map(|c| crate::lint::shell_pragma(&c.text).map(|s| (c.line, s.to_owned())))
        .collect();
    let mut pragmas: Vec<(&u32, &String)> = pragma_shells.iter().collect();
    pragmas.sort();
    let mut next_pragma = 0;
    for ins in &df.instructions {
        // A `# hadolint shell=` pragma holds from its line on.
        while next_pragma < pragmas.len() && *pragmas[next_pragma].0 < ins.line {
            shell.clone_from(pragmas[next_pragma].1);
            next_pragma += 1;
        }
        let ins = match (&ins.kind, &ins.onbuild) {
            (Kind::Onbuild, Some(trigger)) => trigger.as_ref(),
            _ => ins,
        };
        match ins.kind {
            Kind::From => {
                shell.clone_from(&default_shell);
                vars = PROXY_VARS.iter().map(|v| (*v).to_owned()).collect();
            }
            Kind::Arg | Kind::Env => {
                for (name, _) in ins.pairs() {
                    if !name.is_empty()
                        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    {
                        vars.insert(name);
                    }
                }
            }
            Kind::Shell => {
                if let Some(argv) = ins.exec_form() {
                    shell = argv.join(" ");
                }
            }
            Kind::Run => {
                let Some((text, own_shebang)) = run_text(ins) else {
                    continue;
                };
                let program = own_shebang
                    .as_deref()
                    .unwrap_or_else(|| shell.split_whitespace().next().unwrap_or("/bin/sh"));
                let name = program
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or(program)
                    .to_ascii_lowercase();
                if name.starts_with("pwsh")
                    || name.starts_with("powershell")
                    || name.starts_with("cmd")
                {
                    continue;
                }
                let mut script = format!("#!{program}\n");
                for v in &vars {
                    script.push_str("export ");
                    script.push_str(v);
                    script.push_str("=1\n");
                }
                script.push_str(&text);
                script.push('\n');
                total = total.saturating_add(script.len());
                if total > limit {
                    return None;
                }
                out.push(RunScript {
                    line: ins.line,
                    text: script,
                });
            }
            _ => {}
        }
    }
    Some(out)
}

/// The shell text of a RUN as hadolint hands it to ShellCheck: a shell-form command line,
/// or the body of `RUN <<EOF` (a heredoc with no command is the script itself), with the
/// interpreter of its own `#!` line when it has one. `None` for the exec form, a heredoc fed
/// to a program (`RUN python3 <<EOF`, hadolint leaves those alone too) and a script for
/// another interpreter.
fn run_text(ins: &crate::parser::Instruction) -> Option<(String, Option<String>)> {
    if ins.heredocs.is_empty() {
        return match ins.command_form() {
            CommandForm::Shell(text) => Some((text, None)),
            CommandForm::Exec(_) => None,
        };
    }
    let first = ins.args.split_whitespace().next().unwrap_or("");
    if !first.starts_with("<<") || ins.args.split_whitespace().count() > 1 {
        return None;
    }
    let body = &ins.heredocs.first()?.body;
    let Some(rest) = body.strip_prefix("#!") else {
        return Some((body.clone(), None));
    };
    let (line, script) = rest.split_once('\n').unwrap_or((rest, ""));
    let mut words = line.split_whitespace();
    let mut interpreter = words.next().unwrap_or("");
    if interpreter.ends_with("/env") {
        interpreter = words.next().unwrap_or("");
    }
    let name = interpreter.rsplit('/').next().unwrap_or(interpreter);
    ["sh", "bash", "dash", "ksh", "ash"]
        .contains(&name)
        .then(|| (script.to_owned(), Some(line.trim().to_owned())))
}

/// Runs ShellCheck over every RUN of `df`.
pub fn check(df: &Dockerfile, bin: &Path) -> Result<Vec<ScFinding>, ScError> {
    check_many(&[df], bin).pop().unwrap_or(Ok(Vec::new()))
}

/// At most this many Dockerfiles share one ShellCheck process.
const BATCH: usize = 64;

/// Runs ShellCheck over every RUN of several Dockerfiles (64 at a time, in one process per
/// core): the result of each, in order.
pub fn check_many(dfs: &[&Dockerfile], bin: &Path) -> Vec<Result<Vec<ScFinding>, ScError>> {
    let mut out = Vec::with_capacity(dfs.len());
    for chunk in dfs.chunks(BATCH) {
        out.extend(check_batch(chunk, bin));
    }
    out
}

fn check_batch(dfs: &[&Dockerfile], bin: &Path) -> Vec<Result<Vec<ScFinding>, ScError>> {
    let run_err = |reason: String| ScError::Run {
        bin: bin.display().to_string(),
        reason,
    };
    let mut results: Vec<Result<Vec<ScFinding>, ScError>> = Vec::with_capacity(dfs.len());
    // The scripts in groups of at most MAX_SCRIPTS bytes, one process each: (Dockerfile, RUN).
    let mut groups: Vec<Vec<(usize, RunScript)>> = vec![Vec::new()];
    let mut size = 0usize;
    for (d, df) in dfs.iter().enumerate() {
        let Some(s) = scripts_within(df, MAX_SCRIPTS) else {
            results.push(Err(run_err(format!(
                "the RUN scripts with their variables come to more than {} MiB",
                MAX_SCRIPTS >> 20
            ))));
            continue;
        };
        results.push(Ok(Vec::new()));
        let bytes: usize = s.iter().map(|s| s.text.len()).sum();
        if size + bytes > MAX_SCRIPTS && groups.last().is_some_and(|g| !g.is_empty()) {
            groups.push(Vec::new());
            size = 0;
        }
        size += bytes;
        if let Some(g) = groups.last_mut() {
            g.extend(s.into_iter().map(|s| (d, s)));
        }
    }
    let mut sets: Vec<BTreeSet<ScFinding>> = vec![BTreeSet::new(); dfs.len()];
    for group in groups.iter().filter(|g| !g.is_empty()) {
        match run_parallel(group, bin) {
            Ok(found) => {
                for (d, f) in found {
                    sets[d].insert(f);
                }
            }
            // The process failed: each Dockerfile of the group says so.
            Err(e) => {
                for (d, _) in group {
                    if results[*d].is_ok() {
                        results[*d] = Err(e.clone());
                    }
                }
            }
        }
    }
    for (d, set) in sets.into_iter().enumerate() {
        if let Ok(v) = &mut results[d] {
            *v = set.into_iter().collect();
        }
    }
    results
}

/// ShellCheck over the scripts, in as many processes at once as there are cores (its
/// analysis, not its start-up, is most of the time; the scripts are independent files).
fn run_parallel(
    scripts: &[(usize, RunScript)],
    bin: &Path,
) -> Result<Vec<(usize, ScFinding)>, ScError> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let parts = cores.min(scripts.len()).max(1);
    if parts == 1 {
        return run_batch(scripts, bin);
    }
    let per = scripts.len().div_ceil(parts);
    std::thread::scope(|scope| {
        let handles: Vec<_> = scripts
            .chunks(per)
            .map(|chunk| scope.spawn(move || run_batch(chunk, bin)))
            .collect();
        let mut all = Vec::new();
        for h in handles {
            let found = h.join().unwrap_or_else(|_| {
                Err(ScError::Run {
                    bin: bin.display().to_string(),
                    reason: "a ShellCheck runner thread failed".to_owned(),
                })
            })?;
            all.extend(found);
        }
        Ok(all)
    })
}

/// One ShellCheck process over the scripts; each finding with its Dockerfile's index.
fn run_batch(
    scripts: &[(usize, RunScript)],
    bin: &Path,
) -> Result<Vec<(usize, ScFinding)>, ScError> {
    let run_err = |reason: String| ScError::Run {
        bin: bin.display().to_string(),
        reason,
    };
    let dir = ScratchDir::new().map_err(|e| run_err(e.to_string()))?;
    let mut files = Vec::with_capacity(scripts.len());
    for (i, (_, s)) in scripts.iter().enumerate() {
        let path = dir.0.join(format!("run{i}.sh"));
        std::fs::write(&path, &s.text).map_err(|e| run_err(e.to_string()))?;
        files.push(path);
    }
    let mut child = Command::new(bin)
        .args([
            "--format",
            "json",
            "--severity",
            "style",
            "--exclude",
            EXCLUDED,
        ])
        .args(&files)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| run_err(e.to_string()))?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| run_err("no stdout".to_owned()))?;
    // Read on a thread, so a ShellCheck that hangs is stopped at the deadline.
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = (&mut stdout).take(MAX_OUTPUT).read_to_end(&mut out);
        out
    });
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() < DEADLINE => {
                std::thread::sleep(Duration::from_millis(5));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(run_err(format!(
                    "it did not finish within {}s",
                    DEADLINE.as_secs()
                )));
            }
        }
    }
    let out = reader.join().unwrap_or_default();
    let json: serde_json::Value = serde_json::from_slice(&out).map_err(|e| ScError::Output {
        bin: bin.display().to_string(),
        reason: e.to_string(),
    })?;
    let index: std::collections::HashMap<&std::ffi::OsStr, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_os_str(), i))
        .collect();
    let mut found = Vec::new();
    for c in json.as_array().into_iter().flatten() {
        let (Some(file), Some(code)) = (c["file"].as_str(), c["code"].as_u64()) else {
            continue;
        };
        let Some(&i) = index.get(std::ffi::OsStr::new(file)) else {
            continue;
        };
        let level = match c["level"].as_str() {
            Some("error") => Level::Error,
            Some("warning") => Level::Warning,
            Some("info") => Level::Info,
            _ => Level::Style,
        };
        let (d, script) = &scripts[i];
        found.push((
            *d,
            ScFinding {
                line: script.line,
                code: format!("SC{code}"),
                level,
                message: c["message"].as_str().unwrap_or_default().to_owned(),
            },
        ));
    }
    Ok(found)
}

/// A directory of our own under the system's temporary directory, removed on drop.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> std::io::Result<ScratchDir> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        loop {
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!(
                "dockerfile-lint-shellcheck-{}-{n}",
                std::process::id()
            ));
            // Owner-only: RUN scripts can hold what a Dockerfile should not, and the system's
            // temporary directory is shared.
            let mut builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            match builder.create(&path) {
                Ok(()) => return Ok(ScratchDir(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The rule for an SC code: one per code, made on first sight and kept (ShellCheck has a few
/// hundred codes, so this is bounded), so SC findings go through the same levels, ignore
/// lists and pragmas as every other rule.
pub fn rule(code: &str, level: Level) -> &'static Rule {
    static RULES: OnceLock<Mutex<HashMap<String, &'static Rule>>> = OnceLock::new();
    let mut rules = RULES
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(rule) = rules.get(code) {
        return rule;
    }
    let name: &'static str =
        Box::leak(format!("shellcheck-{}", code.to_ascii_lowercase()).into_boxed_str());
    let code_static: &'static str = Box::leak(code.to_owned().into_boxed_str());
    let rule: &'static Rule = Box::leak(Box::new(Rule {
        code: code_static,
        name,
        level,
        summary: "A ShellCheck finding in a RUN instruction's script.",
        why: "ShellCheck finds the shell mistakes that break a build or an image at run time: unquoted variables, globs, unset names, POSIX sh limits. Its wiki explains each code.",
        check: |_, _| {},
    }));
    rules.insert(code.to_owned(), rule);
    rule
}

/// Whether a code is ShellCheck's (`SC` and digits).
pub fn is_sc_code(code: &str) -> bool {
    code.len() > 2
        && code[..2].eq_ignore_ascii_case("SC")
        && code[2..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;

    #[test]
    fn scripts_carry_the_stage_shell_and_variables() {
        let df = parse(
            "FROM debian:12\nARG VERSION\nENV APP_HOME=/app\nRUN echo $VERSION $APP_HOME\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN echo hi\nFROM alpine:3\nRUN echo $VERSION\nRUN [\"echo\", \"exec form\"]\n",
        );
        let s = scripts(&df);
        assert_eq!(s.len(), 3);
        assert!(s[0].text.starts_with("#!/bin/sh\n"), "{}", s[0].text);
        assert!(
            s[0].text.contains("export VERSION=1\n") && s[0].text.contains("export APP_HOME=1\n")
        );
        assert!(s[0].text.contains("export HTTP_PROXY=1\n"));
        assert!(s[1].text.starts_with("#!/bin/bash\n"));
        // A new stage starts over.
        assert!(s[2].text.starts_with("#!/bin/sh\n") && !s[2].text.contains("VERSION=1"));
        assert_eq!((s[0].line, s[1].line, s[2].line), (4, 6, 8));
    }

    #[test]
    fn a_shell_pragma_sets_the_shell_and_powershell_is_skipped() {
        let df = parse(
            "FROM debian:12\n# hadolint shell=/bin/bash\nRUN echo a\nSHELL [\"pwsh\", \"-Command\"]\nRUN Get-Item x\n",
        );
        let s = scripts(&df);
        assert_eq!(s.len(), 1);
        assert!(s[0].text.starts_with("#!/bin/bash\n"));
    }

    // See: issue 22. hadolint runs ShellCheck on the body of `RUN <<EOF`, and only there.
    #[test]
    fn a_heredoc_run_is_its_body() {
        let df = parse(
            "FROM debian:12\nRUN <<EOF\necho $1\nEOF\nRUN <<EOF\n#!/usr/bin/env bash\necho $2\nEOF\nRUN python3 <<EOF\nprint(1)\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint(2)\nEOF\n",
        );
        let s = scripts(&df);
        assert_eq!(s.iter().map(|s| s.line).collect::<Vec<_>>(), [2, 5]);
        assert!(s[0].text.starts_with("#!/bin/sh\n") && s[0].text.ends_with("echo $1\n\n"));
        assert!(
            s[1].text.starts_with("#!/usr/bin/env bash\n"),
            "{}",
            s[1].text
        );
        assert!(s[1].text.ends_with("echo $2\n\n"), "{}", s[1].text);
    }

    #[test]
    fn scripts_are_bounded() {
        use std::fmt::Write as _;
        let mut text = String::from("FROM debian:12\n");
        for i in 0..200 {
            let _ = write!(text, "ENV VAR_{i}=1\nRUN echo {i}\n");
        }
        let df = parse(&text);
        // Each RUN repeats every variable so far: about 200 * 100 export lines in all.
        assert!(scripts_within(&df, 64 << 10).is_none());
        assert_eq!(scripts_within(&df, usize::MAX).map(|s| s.len()), Some(200));
    }

    #[test]
    fn sc_rules_are_made_once() {
        let a = rule("SC2086", Level::Info);
        let b = rule("SC2086", Level::Info);
        assert!(std::ptr::eq(a, b));
        assert!(
            is_sc_code("SC2086")
                && is_sc_code("sc1000")
                && !is_sc_code("DL3008")
                && !is_sc_code("SC")
        );
    }
}
