//! Files shaped to slip past a scanner: a stray NUL byte in a `.env`, files over the size
//! limit, in every mode (tree, `--staged`, `--git`, stdin), each skip reported with its reason.

use std::path::Path;

use crate::cli::{git, run, token};

/// A `.env` with a live-looking token and one NUL byte, which git and ripgrep call binary.
fn env_with_nul(seed: u64) -> Vec<u8> {
    let mut data = b"# deploy settings\nNODE_ENV=production\n\x00\n".to_vec();
    data.extend_from_slice(format!("GITHUB_TOKEN={}\n", token(seed)).as_bytes());
    data
}

fn json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = run(dir, args);
    let code = out.status.code().unwrap();
    let value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", testkit::output_text(&out)));
    (code, value)
}

fn rules(report: &serde_json::Value) -> Vec<String> {
    report["checks"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn one_nul_byte_does_not_hide_a_secret_in_any_mode() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    std::fs::write(d.join(".env"), env_with_nul(1)).unwrap();
    // The working tree.
    let (code, report) = json(d, &["-f", "json", "."]);
    assert_eq!(code, 2, "{report}");
    assert!(
        rules(&report).iter().any(|r| r.starts_with("SEC")),
        "{report}"
    );
    // Staged.
    git(d, &["add", ".env"]);
    let (code, report) = json(d, &["--staged", "-f", "json"]);
    assert_eq!(code, 2, "{report}");
    // History.
    git(d, &["commit", "-qm", "settings"]);
    let (code, report) = json(d, &["--git", "-f", "json"]);
    assert_eq!(code, 2, "{report}");
    let summary = report["checks"][0]["summary"].as_str().unwrap();
    assert!(summary.contains("1 commit, 1 patch"), "{summary}");
    // Stdin.
    let out = testkit::cli(env!("CARGO_BIN_EXE_secret-scan"))
        .dir(d)
        .args(["-", "-f", "json"])
        .stdin(env_with_nul(1))
        .output();
    assert_eq!(out.status.code(), Some(2), "{}", testkit::output_text(&out));
}

#[test]
fn real_binaries_are_skipped_and_named_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    png.extend_from_slice(format!("tEXt{}", token(2)).as_bytes());
    // No extension: found by its content.
    std::fs::write(d.join("logo"), &png).unwrap();
    let (code, report) = json(d, &["-f", "json", "."]);
    assert_eq!(code, 0, "{report}");
    let findings = &report["checks"][0]["findings"];
    assert_eq!(findings[0]["rule"], "SCAN003", "{report}");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("a PNG image"),
        "{report}"
    );
    git(d, &["add", "logo"]);
    let (_, report) = json(d, &["--staged", "-f", "json"]);
    assert_eq!(rules(&report), ["SCAN003"], "{report}");
    git(d, &["commit", "-qm", "logo"]);
    let (_, report) = json(d, &["--git", "-f", "json"]);
    assert_eq!(rules(&report), ["SCAN003"], "{report}");
}

#[test]
fn one_size_limit_for_every_mode() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    let big = format!("{}\nKEY={}\n", "# padding\n".repeat(200), token(3));
    std::fs::write(d.join("big.env"), &big).unwrap();
    let limit = "--max-file-size=1000";
    let (code, report) = json(d, &[limit, "-f", "json", "."]);
    assert_eq!((code, rules(&report)), (0, vec!["SCAN001".to_owned()]));
    let out = testkit::cli(env!("CARGO_BIN_EXE_secret-scan"))
        .dir(d)
        .args(["-", limit, "-f", "json"])
        .stdin(big.clone())
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", testkit::output_text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules(&report), ["SCAN001"]);
    git(d, &["add", "big.env"]);
    let (code, report) = json(d, &["--staged", limit, "-f", "json"]);
    assert_eq!((code, rules(&report)), (0, vec!["SCAN001".to_owned()]));
    git(d, &["commit", "-qm", "big"]);
    let (code, report) = json(d, &["--git", limit, "-f", "json"]);
    assert_eq!((code, rules(&report)), (0, vec!["SCAN001".to_owned()]));
    // 0 is no limit, as peers read it.
    let (code, report) = json(d, &["--max-file-size=0", "-f", "json", "."]);
    assert_eq!(code, 2, "{report}");
}
