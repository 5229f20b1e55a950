//! The env-check binary end to end: exit codes, formats, fixes.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::process::Command;

fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_env-check"))
        .args(args)
        .current_dir(dir)
        .env_remove("OPSKIT_FORMAT")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_version_and_usage() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(dir.path(), &["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("lint") && out.contains("parse") && out.contains("Examples:"));
    let (code, out, _) = run(dir.path(), &["--version"]);
    assert_eq!(
        (code, out.trim()),
        (0, concat!("env-check ", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(run(dir.path(), &[]).0, 3, "a subcommand is required");
    assert_eq!(run(dir.path(), &["lint", "--fixx"]).0, 3);
}

#[test]
fn lint_exit_codes_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        run(dir.path(), &["lint"]).0,
        3,
        "no .env files: cannot tell"
    );
    std::fs::write(dir.path().join(".env"), "A=1\nB=2\n").unwrap();
    let (code, out, _) = run(dir.path(), &["lint"]);
    assert_eq!(code, 0, "{out}");
    std::fs::write(dir.path().join(".env.local"), "KEY = value\nKEY=other").unwrap();
    let (code, out, _) = run(dir.path(), &["lint", "--format", "nagios"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(".env.local:1:1 ENV001") && out.contains("ENV007"),
        "{out}"
    );
    let (code, out, _) = run(dir.path(), &["lint", ".env.local", "--fix"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".env.local")).unwrap(),
        "KEY=other\n"
    );
    assert!(dir.path().join(".env.local.bak").is_file());
    let (code, out, _) = run(dir.path(), &["lint", "missing.env"]);
    assert_eq!(code, 3, "{out}");
}

#[test]
fn parse_never_prints_a_value_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "ENCRYPTION_KEY=\"a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6\"\n",
    )
    .unwrap();
    for format in ["human", "json", "sarif", "junit", "github", "nagios"] {
        let (code, out, _) = run(dir.path(), &["parse", ".env", "--format", format]);
        assert_eq!(code, 0);
        assert!(
            !out.contains("c3d4e5f6"),
            "{format} printed the value: {out}"
        );
    }
    let (_, out, _) = run(dir.path(), &["parse", ".env", "--reveal"]);
    assert!(
        out.contains("ENCRYPTION_KEY=a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"),
        "{out}"
    );
}
