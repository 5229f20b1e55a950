//! The `secret-scan` binary end to end: exit codes, formats, pragmas, allowlists, baselines,
//! stdin, staged changes and history against a real git repository, and hostile trees.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use opskit_secret_scan::fake::{Rng, expand};
use testkit::output_text as text;

fn bin() -> Command {
    testkit::cli(env!("CARGO_BIN_EXE_secret-scan")).into_command()
}

pub(crate) fn run(dir: &Path, args: &[&str]) -> Output {
    testkit::cli(env!("CARGO_BIN_EXE_secret-scan"))
        .dir(dir)
        .args(args)
        .output()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

pub(crate) fn token(seed: u64) -> String {
    expand("ghp_{a62:36}", &mut Rng::new(seed))
}

pub(crate) fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Lovelace")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git is needed for these tests: apt-get install git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn help_version_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let help = run(dir.path(), &["--help"]);
    assert_eq!(code(&help), 0);
    assert!(text(&help).contains("--staged") && text(&help).contains("Examples:"));
    assert_eq!(code(&run(dir.path(), &["--version"])), 0);
    assert_eq!(code(&run(dir.path(), &["--no-such-flag"])), 3);
    assert_eq!(code(&run(dir.path(), &["does-not-exist"])), 3);
    let bad_rule = run(dir.path(), &["--skip", "SEC999"]);
    assert_eq!(code(&bad_rule), 3);
    assert!(text(&bad_rule).contains("unknown rule `SEC999`"));
}

#[test]
fn list_rules() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--list-rules"]);
    assert_eq!(code(&out), 0);
    assert!(text(&out).contains("SEC016") && text(&out).contains("supabase-service-role-key"));
}

#[test]
fn clean_is_0_secret_is_2_and_no_format_prints_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.ts"), "export const x = 1;\n").unwrap();
    assert_eq!(code(&run(dir.path(), &[])), 0);
    let secret = token(1);
    std::fs::create_dir(dir.path().join(".github")).unwrap();
    std::fs::write(
        dir.path().join(".github/ci.env"),
        format!("GITHUB_TOKEN={secret}\n"),
    )
    .unwrap();
    for format in opskit::render::Format::ALL.map(opskit::render::Format::as_str) {
        let out = run(dir.path(), &["--format", format]);
        assert_eq!(code(&out), 2, "{format}: {}", text(&out));
        assert!(
            !text(&out).contains(&secret[4..]),
            "{format} printed the secret"
        );
    }
    let json: serde_json::Value =
        serde_json::from_slice(&run(dir.path(), &["--format", "json"]).stdout).unwrap();
    let finding = &json["checks"][0]["findings"][0];
    assert_eq!(finding["rule"], "SEC027");
    assert_eq!(finding["location"]["path"], ".github/ci.env");
    assert_eq!(finding["location"]["line"], 1);
    assert_eq!(finding["location"]["column"], 14);
    assert_eq!(finding["properties"]["confidence"], "high");
    assert_eq!(finding["evidence"]["prefix"], "ghp_");
}

#[test]
fn sarif_fingerprints_survive_line_moves() {
    let dir = tempfile::tempdir().unwrap();
    let secret = token(2);
    std::fs::write(dir.path().join("a.env"), format!("T={secret}\n")).unwrap();
    let fp = |dir: &Path| {
        let v: serde_json::Value =
            serde_json::from_slice(&run(dir, &["--format", "sarif"]).stdout).unwrap();
        v["runs"][0]["results"][0]["partialFingerprints"].clone()
    };
    let before = fp(dir.path());
    std::fs::write(
        dir.path().join("a.env"),
        format!("\n\n# moved\nT={secret}\n"),
    )
    .unwrap();
    assert_eq!(before, fp(dir.path()));
    assert!(before.is_object());
}

#[test]
fn pragmas_accept_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "A={} # opskit:allow\nB={} # gitleaks:allow\nC={} # pragma: allowlist secret\n# opskit:allow-next-line\nD={}\nE={}\n",
        token(3),
        token(4),
        token(5),
        token(6),
        token(7)
    );
    std::fs::write(dir.path().join("x.env"), body).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&run(dir.path(), &["--format", "json"]).stdout).unwrap();
    let lines: Vec<_> = json["checks"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [6]);
}

#[test]
fn config_allowlists() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("tests/fixtures")).unwrap();
    std::fs::write(
        dir.path().join("tests/fixtures/t.env"),
        format!("T={}\n", token(8)),
    )
    .unwrap();
    let stop = format!("{}DEVONLY{}", &token(9)[..20], &token(9)[27..]);
    std::fs::write(dir.path().join("stop.env"), format!("T={stop}\n")).unwrap();
    std::fs::write(
        dir.path().join("pat.env"),
        "S=sk_test_AbCdEfGhIjKlMnOpQrStUvWx12\n",
    )
    .unwrap();
    assert_eq!(code(&run(dir.path(), &[])), 2);
    std::fs::write(
        dir.path().join("opskit.toml"),
        "[secret-scan]\nallow_paths = [\"tests/fixtures/**\"]\nstopwords = [\"DEVONLY\"]\nallow_patterns = [\"^sk_test_\"]\n",
    )
    .unwrap();
    let out = run(dir.path(), &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("1 allowlisted"), "{}", text(&out));
    std::fs::write(
        dir.path().join("opskit.toml"),
        "[secret-scan]\nallow_path = []\n",
    )
    .unwrap();
    let out = run(dir.path(), &[]);
    assert_eq!(code(&out), 3);
    assert!(text(&out).contains("allow_paths"), "{}", text(&out));
}

#[test]
fn baseline_accepts_what_is_there_and_fails_on_new_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let old = token(10);
    std::fs::write(dir.path().join("old.env"), format!("T={old}\n")).unwrap();
    let out = run(dir.path(), &["--write-baseline", "baseline.json"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let saved = std::fs::read_to_string(dir.path().join("baseline.json")).unwrap();
    assert!(!saved.contains(&old[4..]), "the baseline holds no secret");
    assert!(saved.contains("SEC027"));
    assert_eq!(code(&run(dir.path(), &["--baseline", "baseline.json"])), 0);
    // Moving the accepted secret down the file keeps it accepted.
    std::fs::write(dir.path().join("old.env"), format!("\n\nT={old}\n")).unwrap();
    assert_eq!(code(&run(dir.path(), &["--baseline", "baseline.json"])), 0);
    let new = token(11);
    std::fs::write(dir.path().join("new.env"), format!("T={new}\n")).unwrap();
    let out = run(
        dir.path(),
        &["--baseline", "baseline.json", "--format", "json"],
    );
    assert_eq!(code(&out), 2);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json["checks"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["location"]["path"], "new.env");
    std::fs::write(dir.path().join("bad.json"), "{}").unwrap();
    assert_eq!(code(&run(dir.path(), &["--baseline", "bad.json"])), 3);
}

#[test]
fn stdin() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = bin()
        .current_dir(dir.path())
        .args(["-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(
            stdin,
            "line one\nexport NPM_TOKEN={}",
            expand("npm_{a62:36}", &mut Rng::new(12))
        )
        .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 2);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["checks"][0]["findings"][0]["rule"], "SEC062");
    assert_eq!(json["checks"][0]["findings"][0]["location"]["line"], 2);
}

#[test]
fn staged_reports_only_what_the_commit_adds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    let old = token(13);
    std::fs::write(d.join("config.env"), format!("OLD={old}\n")).unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "old"]);
    assert_eq!(code(&run(d, &["--staged"])), 0, "nothing staged");
    let new = token(14);
    std::fs::write(d.join("config.env"), format!("OLD={old}\nNEW={new}\n")).unwrap();
    git(d, &["add", "config.env"]);
    // Unstaged work is not part of the commit.
    std::fs::write(
        d.join("config.env"),
        format!("OLD={old}\nNEW={new}\nWIP={}\n", token(15)),
    )
    .unwrap();
    let out = run(d, &["--staged", "--format", "json"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json["checks"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["location"]["line"], 2);
    // A non-ASCII file name is read too (git quotes such names unless told not to).
    std::fs::write(d.join("настройки.env"), format!("KEY={}\n", token(20))).unwrap();
    git(d, &["add", "настройки.env"]);
    let out = run(d, &["--staged", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<_> = json["checks"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(paths, ["config.env", "настройки.env"]);
}

#[test]
fn history_reports_a_removed_secret_with_its_commit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    std::fs::write(d.join("README.md"), "# app\n").unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "init"]);
    let secret = expand("sk-or-v1-{hex:64}", &mut Rng::new(16));
    std::fs::create_dir(d.join("src")).unwrap();
    std::fs::write(
        d.join("src/llm.ts"),
        format!("const a = 1;\nconst key = \"{secret}\";\n"),
    )
    .unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "add llm"]);
    let added = String::from_utf8(
        Command::new("git")
            .current_dir(d)
            .args(["rev-parse", "HEAD"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    std::fs::write(
        d.join("src/llm.ts"),
        "const a = 1;\nconst key = process.env.OPENROUTER_API_KEY;\n",
    )
    .unwrap();
    git(d, &["commit", "-q", "-am", "remove key"]);
    assert_eq!(code(&run(d, &[])), 0, "the working tree is clean");
    let out = run(d, &["--git", "--format", "json"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &json["checks"][0]["findings"][0];
    assert_eq!(f["rule"], "SEC001");
    assert_eq!(f["location"]["path"], "src/llm.ts");
    assert_eq!(f["location"]["line"], 2);
    assert_eq!(f["properties"]["commit"], added.trim());
    assert_eq!(f["properties"]["author"], "Ada Lovelace <ada@example.com>");
    assert!(f["properties"]["date"].as_str().unwrap().len() >= 20);
    assert!(!text(&out).contains(&secret[12..]));
    // A range that excludes the commit finds nothing; a bad range is UNKNOWN.
    assert_eq!(code(&run(d, &["--git", "HEAD~1..HEAD"])), 0);
    assert_eq!(code(&run(d, &["--git", "no-such-branch"])), 3);
    let outside = tempfile::tempdir().unwrap();
    assert_eq!(code(&run(outside.path(), &["--git"])), 3);
}

#[test]
fn hostile_trees() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // One 3 MB line with a secret in the middle.
    let secret = token(17);
    let mut long = "a".repeat(1_500_000);
    long.push_str(" token=");
    long.push_str(&secret);
    long.push(' ');
    long.push_str(&"b".repeat(1_500_000));
    std::fs::write(d.join("long.txt"), &long).unwrap();
    // Invalid UTF-8 around a secret.
    let mut bytes = vec![0xff, 0xfe, b'\n'];
    bytes.extend_from_slice(format!("K={}\n", token(18)).as_bytes());
    bytes.extend_from_slice(&[0xc3, 0x28, b'\n']);
    std::fs::write(d.join("latin.txt"), bytes).unwrap();
    // A deep tree.
    let mut deep = d.to_path_buf();
    for i in 0..120 {
        deep.push(format!("d{i}"));
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join("deep.env"), format!("T={}\n", token(19))).unwrap();
    // A symlink loop and a binary file.
    std::os::unix::fs::symlink(d, d.join("loop")).unwrap();
    std::fs::write(d.join("blob.bin"), [0u8, 1, 2, 3]).unwrap();
    std::fs::write(d.join("big.txt"), "x".repeat(6 << 20)).unwrap();
    // A 3 MB single line reads as minified (skipped and counted) unless generated files are
    // included; either way the scan finishes.
    let out = run(d, &["--follow", "--format", "json"]);
    assert!(text(&out).contains("1 generated"), "{}", text(&out));
    let out = run(d, &["--follow", "--include-generated", "--format", "json"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let check = &json["checks"][0];
    let secrets: Vec<_> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("SEC"))
        .collect();
    assert_eq!(secrets.len(), 3, "{secrets:?}");
    let summary = check["summary"].as_str().unwrap();
    assert!(summary.contains("symlink loops"), "{summary}");
    assert!(summary.contains("over the size limit"), "{summary}");
    assert!(
        check["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "SCAN001")
    );
}

#[test]
fn a_baseline_named_in_opskit_toml_is_relative_to_that_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/app.ts"), "export const x = 1;\n").unwrap();
    std::fs::write(
        dir.path().join("opskit.toml"),
        "[secret-scan]\nbaseline = \"accepted.json\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("accepted.json"),
        "{\"version\": 1, \"findings\": []}\n",
    )
    .unwrap();
    // Run from a subdirectory: the file is found upward, and so is its baseline.
    assert_eq!(code(&run(&dir.path().join("sub"), &[])), 0);
    std::fs::write(dir.path().join("accepted.json"), "{}").unwrap();
    let out = run(&dir.path().join("sub"), &[]);
    assert_eq!(code(&out), 3);
    assert!(
        text(&out).contains("accepted.json: not a secret-scan baseline"),
        "{}",
        text(&out)
    );
}

// See: issue 22. A provider's token in a minified bundle is found (the bundle is public); the
// name-based rules stay off generated files unless --include-generated.
#[test]
fn generated_files_are_read_for_provider_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut rng = opskit_secret_scan::fake::Rng::new(11);
    let generic = opskit_secret_scan::fake::expand("{a62:32}", &mut rng);
    let bundle = format!(
        "!function(){{var c={{authToken:\"{}\",sessionSecret:\"{generic}\"}}}}();\n",
        token(3)
    );
    std::fs::write(d.join("app.min.js"), &bundle).unwrap();
    let rules = |args: &[&str]| -> Vec<String> {
        let out = run(d, args);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["checks"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(rules(&["--format", "json"]), ["SEC027"]);
    let mut all = rules(&["--include-generated", "--format", "json"]);
    all.sort();
    assert_eq!(all, ["SEC027", "SEC072"]);
    let out = run(d, &[]);
    assert!(
        text(&out).contains("1 generated file read for provider tokens only"),
        "{}",
        text(&out)
    );
}
