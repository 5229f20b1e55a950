//! The embedded example end to end: every check passes, the formats, flags and usage errors,
//! the seed's shim, the cache, installing, and a check that times out.

use super::Fixture;
use super::check;
use super::finding;
use super::workspace;
use std::process::Command;

#[test]
fn the_example_passes_every_check() {
    let f = Fixture::new();
    let (code, report, stderr) = f.run(&[]);
    assert_eq!(code, 0, "{report}\n{stderr}");
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "typescript",
            "lint",
            "secrets",
            "dockerfile",
            "env",
            "health",
            "files",
            "railway",
            "vercel"
        ]
    );
    assert!(
        check(&report, "typescript")["summary"]
            .as_str()
            .unwrap()
            .contains("TypeScript 5."),
        "{report}"
    );
}

#[test]
fn missing_node_modules_says_how_to_install_and_install_does_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name":"tiny","version":"1.0.0","private":true}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("package-lock.json"),
        r#"{"name":"tiny","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"tiny","version":"1.0.0"}}}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("tsconfig.json"), "{}").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .arg("--root")
        .arg(dir.path())
        .args(["--only", "typescript", "--format", "nagios"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("node_modules is missing") && stdout.contains("`npm ci`"),
        "{stdout}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .arg("--root")
        .arg(dir.path())
        .args(["--only", "typescript", "--install", "--format", "nagios"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // npm ci ran (this project has no dependencies, so it leaves no node_modules) and the
    // check went on: TypeScript is not a dependency here, so it says how to add it.
    assert!(!stdout.contains("node_modules is missing"), "{stdout}");
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("npm install --save-dev typescript"),
        "{stdout}"
    );
}

#[test]
fn a_check_that_times_out_is_unknown_and_the_others_finish() {
    let f = Fixture::new();
    let (code, report, _) = f.run(&["--only", "typescript,files", "--timeout", "0.05"]);
    assert_eq!(code, 3, "{report}");
    assert_eq!(check(&report, "typescript")["status"], "UNKNOWN");
    assert!(
        check(&report, "typescript")["summary"]
            .as_str()
            .unwrap()
            .contains("did not finish within"),
        "{report}"
    );
    assert_eq!(check(&report, "files")["status"], "OK");
}

#[test]
fn sarif_and_junit_carry_the_findings() {
    let f = Fixture::new();
    f.edit(
        "apps/worker/railway.json",
        "\"healthcheckPath\": \"/health\"",
        "\"healthcheckPath\": \"/healthz\"",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .arg("--root")
        .arg(f.dir.path())
        .args(["--only", "railway,files", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "RW005"
        && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "apps/worker/railway.json"));
    let out = Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .arg("--root")
        .arg(f.dir.path())
        .args(["--only", "railway,files", "--format", "junit"])
        .output()
        .unwrap();
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(
        xml.contains("<testcase name=\"railway\"")
            && xml.contains("<failure")
            && xml.contains("RW005"),
        "{xml}"
    );
    assert!(xml.contains("<testcase name=\"files\""), "{xml}");
}

#[test]
fn help_and_usage_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--fail-on"));
    let out = Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .args(["--only", "typescirpt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let out = Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .args(["--root", "/nonexistent/app"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn the_seed_shim_passes_the_environment_and_exit_code() {
    let f = Fixture::new();
    let script = workspace().join("scripts/pre-deployment-check.sh");
    let run = |args: &[&str]| {
        Command::new("bash")
            .arg(&script)
            .args(args)
            .env("PREDEPLOY_BIN", env!("CARGO_BIN_EXE_predeploy"))
            .env("PREDEPLOY_ROOT", f.dir.path())
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(
        run(&["production", "--", "--only", "files,railway,vercel"]),
        Some(0)
    );
    f.edit(
        "apps/worker/railway.json",
        "\"healthcheckPath\": \"/health\"",
        "\"healthcheckPath\": \"/nope\"",
    );
    assert_eq!(run(&["production", "--", "--only", "railway"]), Some(2));
}

#[test]
fn unchanged_inputs_reuse_the_last_result() {
    let f = Fixture::new();
    f.write(
        "apps/worker/src/extra.ts",
        &format!("export const marker = '{}';\n", std::process::id()),
    );
    let run = || {
        let out = Command::new(env!("CARGO_BIN_EXE_predeploy"))
            .arg("--root")
            .arg(f.dir.path())
            .args(["--only", "typescript,lint", "--format", "json"])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let cold = run();
    assert!(
        !check(&cold, "typescript")["summary"]
            .as_str()
            .unwrap()
            .contains("(cached)"),
        "{cold}"
    );
    let warm = run();
    assert!(
        check(&warm, "typescript")["summary"]
            .as_str()
            .unwrap()
            .ends_with("(cached)"),
        "{warm}"
    );
    assert!(
        check(&warm, "lint")["summary"]
            .as_str()
            .unwrap()
            .ends_with("(cached)"),
        "{warm}"
    );
    // A change to any input runs the checks again, and finds what changed.
    f.edit(
        "apps/worker/src/extra.ts",
        "export const marker =",
        "export const marker: number =",
    );
    let changed = run();
    assert_eq!(changed["exit_code"], 2, "{changed}");
    assert!(
        !check(&changed, "typescript")["summary"]
            .as_str()
            .unwrap()
            .contains("(cached)")
    );
    finding(&changed, "typescript", "TS2322");
}

/// `-q` keeps stderr free of the progress line on a terminal too (`script` gives the run one).
#[test]
fn quiet_means_no_progress_line_on_a_terminal() {
    let f = Fixture::new();
    let run = |quiet: bool| {
        let command = format!(
            "{} --root {} --no-cache --only files{}",
            env!("CARGO_BIN_EXE_predeploy"),
            f.path("").display(),
            if quiet { " -q" } else { "" }
        );
        let out = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env_remove("OPSKIT_FORMAT")
            .output()
            .expect("script (util-linux) runs the command on a pseudo-terminal");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(
        run(false).contains("running files"),
        "the progress line shows without -q"
    );
    let quiet = run(true);
    assert!(!quiet.contains("running"), "{quiet:?}");
}

/// GitHub annotations and SARIF place a finding by its path from the top of the repository,
/// not from `--root`: a check of `apps/worker` annotates `apps/worker/railway.json`.
// See: issue 19
#[test]
fn r19_github_paths_start_at_the_repository_not_at_the_root() {
    let f = Fixture::new();
    f.edit(
        "apps/worker/railway.json",
        "\"healthcheckPath\": \"/health\"",
        "\"healthcheckPath\": \"/healthz\"",
    );
    std::fs::create_dir(f.dir.path().join(".git")).unwrap();
    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_predeploy"))
            .arg("--root")
            .arg(f.dir.path().join("apps/worker"))
            .args(["--only", "railway", "--format", format])
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap()
    };
    let out = run("github");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("file=apps/worker/railway.json") && text.contains("RW005"),
        "{text}"
    );
    let sarif: serde_json::Value = serde_json::from_slice(&run("sarif").stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.iter().any(
            |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == "apps/worker/railway.json"
        ),
        "{sarif}"
    );
    // People at a terminal keep the path from --root.
    let out = run("human");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("apps/worker/railway.json"), "{text}");
}
