//! predeploy end to end on copies of examples/agent-platform, each broken for one reason, with
//! the example's real node_modules (TypeScript 5, ESLint 9, Next.js) and a TypeScript 7 install.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

mod code;
mod env_health;
mod example;
mod monorepo;
mod platform;
mod readiness;
mod security;
mod transcripts;

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example() -> PathBuf {
    let dir = workspace().join("examples/agent-platform");
    assert!(
        dir.join("node_modules/.bin/tsc").is_file(),
        "the example's npm packages are missing; run `npm ci` in {} (scripts/test.sh does it)",
        dir.display()
    );
    dir
}

/// A copy of the example with its node_modules linked in.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let source = example();
        let dir = tempfile::tempdir().unwrap();
        testkit::copy_tree(&source, dir.path()).unwrap();
        std::os::unix::fs::symlink(source.join("node_modules"), dir.path().join("node_modules"))
            .unwrap();
        Fixture { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).unwrap();
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.path(rel)).unwrap();
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    fn run(&self, extra: &[&str]) -> (i32, serde_json::Value, String) {
        let out = testkit::cli(env!("CARGO_BIN_EXE_predeploy"))
            .dir(env!("CARGO_MANIFEST_DIR"))
            .arg("--root")
            .arg(self.dir.path())
            .args(["--format", "json", "--no-cache"])
            .args(extra)
            .env_remove("NO_COLOR")
            .output();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let json = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
        (out.status.code().unwrap_or(-1), json, stderr)
    }
}

fn check<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {report}"))
}

fn finding<'a>(
    report: &'a serde_json::Value,
    check_name: &str,
    rule: &str,
) -> &'a serde_json::Value {
    check(report, check_name)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {check_name}: {}", check(report, check_name)))
}
