//! The `dockerfile-lint` binary end to end: exit codes by threshold, discovery, stdin,
//! configuration from .hadolint.yaml and opskit.toml, pragmas, formats, and secrets that are
//! never printed whole.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use clap::CommandFactory;
use opskit_secret_scan::fake::{Rng, expand};
use testkit::output_text as text;

fn bin() -> Command {
    testkit::cli(env!("CARGO_BIN_EXE_dockerfile-lint")).into_command()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    testkit::cli(env!("CARGO_BIN_EXE_dockerfile-lint"))
        .dir(dir)
        .args(args)
        .output()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

const CLEAN: &str = "FROM node:22.11.0-slim\nENV NODE_ENV=production\nWORKDIR /app\nCOPY --chown=node:node . .\nUSER 1000\nHEALTHCHECK CMD [\"node\", \"healthcheck.js\"]\nCMD [\"node\", \"server.js\"]\n";

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn clap_definition_is_valid() {
    opskit_dockerfile_lint::Args::command().debug_assert();
}

#[test]
fn help_version_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let help = run(dir.path(), &["--help"]);
    assert_eq!(code(&help), 0);
    assert!(text(&help).contains("Examples:") && text(&help).contains("hadolint ignore="));
    assert_eq!(code(&run(dir.path(), &["--version"])), 0);
    assert_eq!(code(&run(dir.path(), &["--no-such-flag"])), 3);
    assert_eq!(code(&run(dir.path(), &["--failure-threshold", "loud"])), 3);
    let unknown = run(dir.path(), &["--ignore", "DL9999", "x"]);
    assert_eq!(code(&unknown), 3);
    assert!(
        text(&unknown).contains("unknown rule `DL9999`"),
        "{}",
        text(&unknown)
    );
}

#[test]
fn exit_codes_follow_the_failure_threshold() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", CLEAN);
    let ok = run(dir.path(), &[]);
    assert_eq!(code(&ok), 0, "{}", text(&ok));
    // DL3059 is info: it fails at hadolint's default threshold (info), not at warning.
    write(
        dir.path(),
        "Dockerfile",
        &CLEAN.replace(
            "WORKDIR /app\n",
            "WORKDIR /app\nRUN npm ci\nRUN npm run build\n",
        ),
    );
    assert_eq!(code(&run(dir.path(), &[])), 1);
    assert_eq!(code(&run(dir.path(), &["-t", "warning"])), 0);
    // DL3000 is an error.
    write(
        dir.path(),
        "Dockerfile",
        &CLEAN.replace("WORKDIR /app", "WORKDIR app"),
    );
    assert_eq!(code(&run(dir.path(), &[])), 2);
    assert_eq!(code(&run(dir.path(), &["-t", "none"])), 0);
    assert_eq!(code(&run(dir.path(), &["--no-fail"])), 0);
    assert_eq!(code(&run(dir.path(), &["--warning", "DL3000"])), 1);
    // Docker's own check on the same line is a warning of its own.
    assert_eq!(code(&run(dir.path(), &["--ignore", "DL3000"])), 1);
    assert_eq!(
        code(&run(
            dir.path(),
            &["--ignore", "DL3000", "--ignore", "WorkdirRelativePath"]
        )),
        0
    );
}

#[test]
fn finds_dockerfiles_by_name_and_skips_node_modules() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "Dockerfile",
        "worker/Dockerfile.prod",
        "api.Dockerfile",
        "Containerfile",
        "node_modules/x/Dockerfile",
    ] {
        write(dir.path(), name, "FROM node\n");
    }
    let out = run(dir.path(), &["-f", "json", "--no-fail"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut paths: Vec<String> = json["checks"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "DL3006")
        .map(|f| f["location"]["path"].as_str().unwrap().to_owned())
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "Containerfile",
            "Dockerfile",
            "api.Dockerfile",
            "worker/Dockerfile.prod"
        ]
    );
    let empty = tempfile::tempdir().unwrap();
    let none = run(empty.path(), &[]);
    assert_eq!(code(&none), 3);
    assert!(
        text(&none).contains("no Dockerfile found"),
        "{}",
        text(&none)
    );
    assert_eq!(code(&run(empty.path(), &["missing/Dockerfile"])), 3);
}

#[test]
fn reads_stdin() {
    let mut child = bin()
        .args(["-", "--stdin-name", "api/Dockerfile"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"FROM node:latest\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 1);
    assert!(
        text(&out).contains("api/Dockerfile:1:1") && text(&out).contains("DL3007"),
        "{}",
        text(&out)
    );
}

#[test]
fn honours_hadolint_yaml_opskit_toml_and_pragmas() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "FROM quay.io/x/app:1.0\n# hadolint ignore=DL3020\nADD app.conf /etc/app.conf\nADD other.conf /etc/other.conf\nWORKDIR /app\n",
    );
    write(
        dir.path(),
        ".hadolint.yaml",
        "ignored: [OPS-DF001]\ntrustedRegistries: [docker.io]\n",
    );
    let out = run(dir.path(), &["-f", "json", "--no-fail"]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(!s.contains("OPS-DF001"), "ignored in .hadolint.yaml: {s}");
    assert!(
        s.contains("DL3026"),
        "trusted registries from .hadolint.yaml: {s}"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dl3020: Vec<u64> = json["checks"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "DL3020")
        .map(|f| f["location"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(dl3020, [4], "the pragma hides line 3 only");
    write(
        dir.path(),
        "opskit.toml",
        "[dockerfile-lint]\nignore = [\"DL3026\"]\nfailure_threshold = \"error\"\n",
    );
    let out = run(dir.path(), &["-f", "json"]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(!s.contains("\"DL3026\""), "{s}");
    assert_eq!(code(&out), 2, "DL3020 is an error: {s}");
    write(
        dir.path(),
        "opskit.toml",
        "[dockerfile-lint]\nignor = [\"DL3026\"]\n",
    );
    let bad = run(dir.path(), &[]);
    assert_eq!(code(&bad), 3);
    assert!(text(&bad).contains("ignor"), "{}", text(&bad));
    write(dir.path(), ".hadolint.yaml", "ignored: [DL3008\n");
    let bad = run(dir.path(), &["--config", "/nonexistent-dir/none.toml"]);
    assert_eq!(code(&bad), 3);
}

#[test]
fn every_format_renders_and_sarif_names_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "FROM node:latest\nCMD node x.js\n",
    );
    for format in [
        "human",
        "json",
        "nagios",
        "prometheus",
        "sarif",
        "junit",
        "github",
    ] {
        let out = run(dir.path(), &["-f", format]);
        assert_eq!(code(&out), 1, "{format}: {}", text(&out));
        assert!(!out.stdout.is_empty(), "{format}");
    }
    let sarif: serde_json::Value =
        serde_json::from_slice(&run(dir.path(), &["-f", "sarif"]).stdout).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().any(|r| r["id"] == "DL3007"), "{sarif}");
}

#[test]
fn explain_and_list_rules() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--explain", "ops-df002"]);
    assert_eq!(code(&out), 0);
    assert!(
        text(&out).contains("OPS-DF002") && text(&out).contains("curl"),
        "{}",
        text(&out)
    );
    let list = run(dir.path(), &["--list-rules"]);
    assert!(text(&list).contains("DL3008") && text(&list).contains("OPS-DF007"));
}

#[test]
fn secrets_in_copied_files_are_found_and_never_printed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let token = expand("ghp_{a62:36}", &mut Rng::new(7));
    let key = expand("sk_live_{a62:32}", &mut Rng::new(8));
    write(dir.path(), ".env", &format!("GITHUB_TOKEN={token}\n"));
    write(
        dir.path(),
        "config/.env.production",
        &format!("STRIPE_SECRET_KEY={key}\n"),
    );
    write(dir.path(), "config/.env.example", "STRIPE_SECRET_KEY=\n");
    write(
        dir.path(),
        "Dockerfile",
        &format!("{CLEAN}COPY . /app/\nCOPY config/ /app/config/\nENV GH={token}\n"),
    );
    let out = run(dir.path(), &["-f", "json"]);
    let s = text(&out);
    assert_eq!(code(&out), 2, "{s}");
    assert!(
        !s.contains(&token) && !s.contains(&key),
        "a secret was printed whole: {s}"
    );
    assert!(s.contains("sweeps `.env`"), "{s}");
    assert!(s.contains("sweeps `config/.env.production`"), "{s}");
    assert!(!s.contains(".env.example"), "{s}");
    assert!(s.contains("ENV GH holds a secret"), "{s}");
    for format in ["human", "sarif", "junit", "github", "nagios"] {
        let o = run(dir.path(), &["-f", format]);
        assert!(
            !text(&o).contains(&token) && !text(&o).contains(&key),
            "{format} printed a secret"
        );
    }
    // A .dockerignore that excludes the env files silences the directory copies.
    write(
        dir.path(),
        ".dockerignore",
        ".env*\n**/.env*\n!**/.env.example\n",
    );
    let s = text(&run(dir.path(), &["-f", "json"]));
    assert!(!s.contains("sweeps"), "{s}");
    assert!(s.contains("ENV GH holds a secret"), "{s}");
}
