//! predeploy end to end on copies of examples/agent-platform, each broken for one reason, with
//! the example's real node_modules (TypeScript 5, ESLint 9, Next.js) and a TypeScript 7 install.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

mod monorepo;
mod readiness;
mod transcripts;

use std::path::{Path, PathBuf};
use std::process::Command;

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
fn a_type_error_is_critical_with_its_location() {
    let f = Fixture::new();
    f.edit(
        "apps/worker/src/config.ts",
        "export function loadConfig",
        "export const broken: number = 'not a number';\n\nexport function loadConfig",
    );
    let (code, report, _) = f.run(&["--only", "typescript"]);
    assert_eq!(code, 2, "{report}");
    let ts = finding(&report, "typescript", "TS2322");
    assert_eq!(ts["location"]["path"], "apps/worker/src/config.ts");
    assert_eq!(ts["location"]["line"], 13);
    assert_eq!(ts["location"]["column"], 14);
    assert_eq!(ts["severity"], "error");
}

#[test]
fn a_lint_error_is_critical_with_its_rule() {
    let f = Fixture::new();
    f.edit(
        "apps/worker/src/metrics.ts",
        "export const registry",
        "const leftover = 42;\n\nexport const registry",
    );
    let (code, report, _) = f.run(&["--only", "lint"]);
    assert_eq!(code, 2, "{report}");
    let lint = finding(&report, "lint", "@typescript-eslint/no-unused-vars");
    assert_eq!(lint["location"]["path"], "apps/worker/src/metrics.ts");
    assert_eq!(lint["location"]["line"], 3);
    assert_eq!(
        lint["help"],
        "https://typescript-eslint.io/rules/no-unused-vars"
    );
}

#[test]
fn a_lint_warning_is_a_warning_and_fail_on_critical_lets_it_pass() {
    let f = Fixture::new();
    f.edit(
        "apps/worker/src/config.ts",
        "export function loadConfig",
        "export function debug(): void {\n  console.log('x');\n}\n\nexport function loadConfig",
    );
    let (code, report, _) = f.run(&["--only", "lint"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        finding(&report, "lint", "no-console")["severity"],
        "warning"
    );
    let (code, _, _) = f.run(&["--only", "lint", "--fail-on", "critical"]);
    assert_eq!(code, 0);
}

#[test]
fn a_planted_secret_is_critical_and_an_allow_pragma_accepts_it() {
    let f = Fixture::new();
    let secret = format!("sk-or-v1-{}", "0f3a9c".repeat(10) + "b1d2");
    f.write(
        "apps/worker/src/fallback.ts",
        &format!("export const key = process.env.OPENROUTER_API_KEY ?? \"{secret}\";\n"),
    );
    let (code, report, _) = f.run(&["--only", "secrets"]);
    assert_eq!(code, 2, "{report}");
    let sec = finding(&report, "secrets", "SEC001");
    assert_eq!(sec["location"]["path"], "apps/worker/src/fallback.ts");
    assert_eq!(sec["location"]["line"], 1);
    assert!(
        !report.to_string().contains(&secret[12..]),
        "the secret is never printed"
    );
    f.write(
        "apps/worker/src/fallback.ts",
        &format!("export const key = \"{secret}\"; // opskit:allow (rotated, test value)\n"),
    );
    let (code, report, _) = f.run(&["--only", "secrets"]);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn a_dockerfile_without_healthcheck_warns_and_a_missing_curl_is_critical() {
    let f = Fixture::new();
    let healthcheck = "HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \\\n  CMD [\"node\", \"-e\", \"fetch('http://127.0.0.1:8080/health').then(r => process.exit(r.ok ? 0 : 1)).catch(() => process.exit(1))\"]\n";
    f.edit("apps/worker/Dockerfile", healthcheck, "");
    let (code, report, _) = f.run(&["--only", "dockerfile"]);
    assert_eq!(code, 1, "{report}");
    let df = finding(&report, "dockerfile", "OPS-DF001");
    assert_eq!(df["location"]["path"], "apps/worker/Dockerfile");
    assert_eq!(df["location"]["line"], 11, "the final stage's FROM: {df}");
    assert_eq!(
        check(&report, "dockerfile")["findings"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "builder stages are not flagged: {report}"
    );
    // curl is not in node:*-slim: the check would fail forever.
    f.edit("apps/worker/Dockerfile", "CMD [\"node\", \"dist/index.js\"]", "HEALTHCHECK CMD curl -f http://127.0.0.1:8080/health || exit 1\nCMD [\"node\", \"dist/index.js\"]");
    let (code, report, _) = f.run(&["--only", "dockerfile"]);
    assert_eq!(code, 2, "{report}");
    assert!(
        finding(&report, "dockerfile", "OPS-DF002")["message"]
            .as_str()
            .unwrap()
            .contains("curl")
    );
    // The project's .hadolint.yaml is honoured.
    f.write(".hadolint.yaml", "ignored: [OPS-DF002]\n");
    let (code, report, _) = f.run(&["--only", "dockerfile"]);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn the_env_check_reads_the_platform_export_and_the_code() {
    let f = Fixture::new();
    // No production values on this machine: the values are not checked, and a note says so.
    let (code, report, _) = f.run(&["--only", "env"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        finding(&report, "env", "ENV100")["message"]
            .as_str()
            .unwrap()
            .contains("--env-vars")
    );
    let (code, report, _) = f.run(&["--only", "env", "--require-env"]);
    assert_eq!(code, 2, "{report}");
    assert!(
        check(&report, "env")["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "ENV101"
                && f["message"].as_str().unwrap().contains("ENCRYPTION_KEY")),
        "{report}"
    );
    // See: issue 17. An export belongs to one service: with two services a bare FILE is
    // refused (the frontend's Vercel export must not satisfy the worker Railway runs).
    f.write("vercel.env", "ENCRYPTION_KEY=x\n");
    let (code, report, _) = f.run(&[
        "--only",
        "env",
        "--env-vars",
        &f.path("vercel.env").display().to_string(),
    ]);
    assert_eq!(code, 3, "{report}");
    assert!(
        report.to_string().contains("say which: SERVICE="),
        "{report}"
    );
    // The env check alone, on a Vercel export holding `vars`, given to the frontend.
    let with_export = |vars: &str| {
        f.write("vercel.env", vars);
        f.run(&[
            "--only",
            "env",
            "--env-vars",
            &format!("frontend={}", f.path("vercel.env").display()),
        ])
    };
    // The seed's rule: ENCRYPTION_KEY at least 32 characters, and strong.
    let (code, report, _) = with_export(
        "ENCRYPTION_KEY=\"changeme-changeme-changeme-changeme\"\nNEXT_PUBLIC_SUPABASE_URL=https://abc.supabase.co\n",
    );
    assert_eq!(code, 2, "{report}");
    let weak = finding(&report, "env", "ENV105");
    assert!(weak["message"].as_str().unwrap().contains("ENCRYPTION_KEY"));
    assert!(
        weak["properties"]["source"]
            .as_str()
            .unwrap()
            .contains("vercel.env"),
        "{weak}"
    );
    assert!(
        !report.to_string().contains("changeme-changeme"),
        "values are never shown"
    );
    // Too short, the seed's own rule.
    let (code, report, _) = with_export("ENCRYPTION_KEY=k3Y-9x\n");
    assert_eq!(code, 2, "{report}");
    assert!(
        finding(&report, "env", "ENV104")["message"]
            .as_str()
            .unwrap()
            .contains("at least 32"),
        "{report}"
    );
    // A client component that reads a server secret.
    f.write(
        "apps/frontend/app/leak.tsx",
        "'use client';\nexport const k = process.env.OPENROUTER_API_KEY;\n",
    );
    let (code, report, _) = f.run(&["--only", "env"]);
    assert_eq!(code, 2, "{report}");
    assert_eq!(
        finding(&report, "env", "ENV205")["location"]["path"],
        "apps/frontend/app/leak.tsx"
    );
}

#[test]
fn health_targets_are_probed_when_reachable() {
    let f = Fixture::new();
    // Nothing listens where the example's targets point: skipped, with the reason.
    let (code, report, _) = f.run(&["--only", "health"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        check(&report, "health")["summary"]
            .as_str()
            .unwrap()
            .contains("skipped (unreachable)"),
        "{report}"
    );
    let (code, report, _) = f.run(&["--only", "health", "--require-health"]);
    assert_eq!(code, 2, "{report}");
    // A frontend that answers, but not as the condition wants.
    let server = testkit::HttpServer::start(|r| match r.url.as_str() {
        "/api/health" => testkit::Reply::json(503, r#"{"status":"degraded"}"#),
        _ => testkit::Reply::json(200, r#"{"status":"ok"}"#),
    });
    let out = Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .args([
            "--root",
            &f.path("").display().to_string(),
            "--format",
            "json",
            "--no-cache",
            "--only",
            "health",
        ])
        .env_remove("OPSKIT_FORMAT")
        .env("FRONTEND_URL", server.url())
        .env("WORKER_URL", server.url())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{report}");
    let findings = check(&report, "health")["findings"].as_array().unwrap();
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["HP002", "HP004"], "{report}");
    assert!(
        findings[1]["message"]
            .as_str()
            .unwrap()
            .contains("http:frontend"),
        "{report}"
    );
}

#[test]
fn a_railway_health_check_without_a_route_is_an_error() {
    let f = Fixture::new();
    f.edit(
        "apps/worker/railway.json",
        "\"healthcheckPath\": \"/health\"",
        "\"healthcheckPath\": \"/healthz\"",
    );
    let (code, report, _) = f.run(&["--only", "railway"]);
    assert_eq!(code, 2, "{report}");
    let rw = finding(&report, "railway", "RW005");
    assert_eq!(rw["location"]["path"], "apps/worker/railway.json");
    assert_eq!(rw["location"]["line"], 9);
    assert!(rw["message"].as_str().unwrap().contains("/healthz"));
}

#[test]
fn railway_fields_are_checked() {
    let f = Fixture::new();
    f.edit(
        "apps/worker/railway.json",
        "\"healthcheckTimeout\": 60",
        "\"healthcheckTimout\": 60",
    );
    f.edit(
        "apps/worker/railway.json",
        "\"restartPolicyType\": \"ON_FAILURE\"",
        "\"restartPolicyType\": \"SOMETIMES\"",
    );
    f.edit(
        "apps/worker/railway.json",
        "\"dockerfilePath\": \"apps/worker/Dockerfile\"",
        "\"dockerfilePath\": \"apps/worker/Dockerfile.prod\"",
    );
    let (code, report, _) = f.run(&["--only", "railway"]);
    assert_eq!(code, 2, "{report}");
    assert!(
        finding(&report, "railway", "RW001")["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `healthcheckTimeout`?")
    );
    assert!(
        finding(&report, "railway", "RW003")["message"]
            .as_str()
            .unwrap()
            .contains("SOMETIMES")
    );
    assert!(
        finding(&report, "railway", "RW004")["message"]
            .as_str()
            .unwrap()
            .contains("Dockerfile.prod")
    );
    f.write(
        "apps/worker/railway.json",
        "{ \"deploy\": { \"healthcheckPath\": \"/health\", }\n}\n",
    );
    let (_, report, _) = f.run(&["--only", "railway"]);
    let parse = finding(&report, "railway", "RW002");
    assert_eq!(parse["location"]["line"], 1);
    assert!(
        parse["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{parse}"
    );
}

#[test]
fn vercel_conflicts_and_typos_are_found() {
    let f = Fixture::new();
    f.edit("apps/frontend/vercel.json", "\"regions\"", "\"routes\": [{ \"src\": \"/old\", \"dest\": \"/\" }],\n  \"cleanUrl\": true,\n  \"regions\"");
    let (code, report, _) = f.run(&["--only", "vercel"]);
    assert_eq!(code, 2, "{report}");
    assert!(
        finding(&report, "vercel", "VC003")["message"]
            .as_str()
            .unwrap()
            .contains("headers")
    );
    assert!(
        finding(&report, "vercel", "VC001")["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `cleanUrls`?")
    );
}

#[test]
fn a_missing_lockfile_and_an_unignored_env_are_errors() {
    let f = Fixture::new();
    std::fs::remove_file(f.path("package-lock.json")).unwrap();
    f.write(".gitignore", "node_modules/\n.next/\n");
    let (code, report, _) = f.run(&["--only", "files"]);
    assert_eq!(code, 2, "{report}");
    finding(&report, "files", "FILE001");
    assert!(
        finding(&report, "files", "FILE005")["message"]
            .as_str()
            .unwrap()
            .contains("`.env`")
    );
}

#[test]
fn a_tracked_env_file_is_an_error() {
    let f = Fixture::new();
    f.write(".env.production", "ENCRYPTION_KEY=not-here\n");
    let git = |args: &[&str]| {
        assert!(
            Command::new("git")
                .args(args)
                .current_dir(f.dir.path())
                .output()
                .unwrap()
                .status
                .success()
        );
    };
    // Templates and files of names without values are meant to be tracked (issue 16).
    f.write(
        ".env.docker.example",
        "DATABASE_URL=postgres://postgres:postgres@db/app\n",
    );
    f.write(".env.test", "# set in CI\nDATABASE_URL=\n");
    git(&["init", "-q"]);
    git(&[
        "add",
        "-f",
        ".env.production",
        ".env.docker.example",
        ".env.test",
        "package.json",
    ]);
    let (code, report, _) = f.run(&["--only", "files"]);
    assert_eq!(code, 2, "{report}");
    let all: Vec<&serde_json::Value> = check(&report, "files")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "FILE006")
        .collect();
    assert_eq!(all.len(), 1, "only .env.production: {report}");
    let tracked = finding(&report, "files", "FILE006");
    assert_eq!(tracked["location"]["path"], ".env.production");
    assert!(
        tracked["message"]
            .as_str()
            .unwrap()
            .contains("git rm --cached")
    );
    assert!(
        !report.to_string().contains("not-here"),
        "the file's content is never shown"
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
fn typescript_7_is_supported() {
    let ts7 = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ts7/node_modules");
    assert!(
        ts7.join(".bin/tsc").is_file(),
        "TypeScript 7 is missing; run `npm ci` in {} (scripts/test.sh does it)",
        ts7.parent().unwrap().display()
    );
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&ts7, dir.path().join("node_modules")).unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name":"ts7","private":true}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("tsconfig.json"), r#"{"compilerOptions":{"strict":true,"noEmit":true,"target":"ES2022","module":"nodenext"},"include":["src"]}"#).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/a.ts"),
        "const n: number = 'x';\nexport const m = n;\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .arg("--root")
        .arg(dir.path())
        .args(["--only", "typescript", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{report}");
    assert!(
        check(&report, "typescript")["summary"]
            .as_str()
            .unwrap()
            .contains("TypeScript 7.0.2"),
        "{report}"
    );
    let f = finding(&report, "typescript", "TS2322");
    assert_eq!(f["location"]["path"], "src/a.ts");
    assert_eq!(
        (
            f["location"]["line"].as_u64(),
            f["location"]["column"].as_u64()
        ),
        (Some(1), Some(7))
    );
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

#[test]
fn biome_projects_lint_with_biome() {
    let biome = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/biome/node_modules");
    assert!(
        biome.join(".bin/biome").is_file(),
        "Biome is missing; run `npm ci` in {} (scripts/test.sh does it)",
        biome.parent().unwrap().display()
    );
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&biome, dir.path().join("node_modules")).unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name":"b","private":true}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("biome.json"),
        r#"{"linter":{"enabled":true}}"#,
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/a.ts"),
        "export function f(x: number) {\n  debugger;\n  return x == 1;\n}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .arg("--root")
        .arg(dir.path())
        .args(["--only", "lint", "--format", "json", "--no-cache"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{report}");
    assert!(
        check(&report, "lint")["summary"]
            .as_str()
            .unwrap()
            .contains("Biome"),
        "{report}"
    );
    let f = finding(&report, "lint", "lint/suspicious/noDebugger");
    assert_eq!(f["location"]["path"], "src/a.ts");
    assert_eq!(
        (
            f["location"]["line"].as_u64(),
            f["location"]["column"].as_u64()
        ),
        (Some(2), Some(3))
    );
}

// See: issue 16.
#[test]
fn railway_commands_must_run_scripts_that_exist() {
    let f = Fixture::new();
    f.edit(
        "apps/worker/railway.json",
        "\"builder\": \"DOCKERFILE\"",
        "\"builder\": \"dockerfile\",\n    \"buildCommand\": \"npm run build:api -- --token tok_9f8e7d6c5b4a\"",
    );
    f.edit(
        "apps/worker/railway.json",
        "\"startCommand\": \"node dist/index.js\"",
        "\"startCommand\": \"npm start\",\n    \"preDeployCommand\": [\"npm run migrate -w @agent-platform/worker\"]",
    );
    f.write(
        "apps/worker/nixpacks.toml",
        "[phases.build]\ncmds = [\"npm run build\"]\n\n[start]\ncmd = \"turbo run serve --filter=@agent-platform/worker\"\n",
    );
    f.write(
        "apps/frontend/railpack.json",
        r#"{ "deploy": { "startCommand": "npm run start" }, "steps": { "build": { "commands": ["npm run build", { "cmd": "npm run bild" }] } } }"#,
    );
    let (code, report, _) = f.run(&["--only", "railway"]);
    assert_eq!(code, 2, "{report}");
    let messages: Vec<String> = check(&report, "railway")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "RW009")
        .map(|f| {
            format!(
                "{} {}",
                f["location"]["path"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(messages.len(), 4, "{messages:#?}");
    assert!(messages[0].starts_with("apps/frontend/railpack.json commands: `npm run bild` runs the script `bild`, which @agent-platform/frontend (apps/frontend/package.json) does not have; did you mean `build`?"), "{messages:#?}");
    assert!(messages.iter().any(|m| m.starts_with("apps/worker/nixpacks.toml cmd: `turbo run serve …` runs the task `serve`, but @agent-platform/worker has no `serve` script")), "{messages:#?}");
    assert!(messages.iter().any(|m| m.starts_with("apps/worker/railway.json buildCommand: `npm run build:api` runs the script `build:api`, which @agent-platform/worker")), "{messages:#?}");
    assert!(messages.iter().any(|m| m.starts_with("apps/worker/railway.json preDeployCommand: `npm run migrate …` runs the script `migrate`, which @agent-platform/worker")), "{messages:#?}");
    assert!(
        !report.to_string().contains("is not one of"),
        "builders match without regard to case: {report}"
    );
    assert!(
        !report.to_string().contains("tok_9f8e"),
        "what follows the script name is not repeated: {report}"
    );
}

// See: issue 16.
#[test]
fn secrets_gate_the_deploy_by_confidence() {
    let f = Fixture::new();
    f.write(
        "docs-local.md",
        "Start the local Redis with `redis-cli -a Kq7vN2pX9zLm ping`.\n",
    );
    let (code, report, _) = f.run(&["--only", "secrets"]);
    assert_eq!(code, 0, "a low-confidence finding is a note: {report}");
    let note = finding(&report, "secrets", "SEC071");
    assert_eq!(note["severity"], "note");
    assert!(
        note["message"].as_str().unwrap().contains("low confidence"),
        "{note}"
    );
    assert!(
        !report.to_string().contains("Kq7vN2pX9zLm"),
        "never the whole secret"
    );
    let (code, report, _) = f.run(&["--only", "secrets", "--min-confidence", "low"]);
    assert_eq!(code, 2, "{report}");
    assert_eq!(finding(&report, "secrets", "SEC071")["severity"], "error");
    f.edit(
        "opskit.toml",
        "fail_on = \"warning\"",
        "fail_on = \"warning\"\nmin_confidence = \"low\"",
    );
    let (code, report, _) = f.run(&["--only", "secrets"]);
    assert_eq!(code, 2, "from opskit.toml: {report}");
}

// See: issue 16.
#[test]
fn hadolint_info_findings_are_notes_and_eol_images_warn() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name":"d","private":true}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM node:18-slim\nENV NODE_ENV production\nARG DATABASE_URL\nENV DATABASE_URL=$DATABASE_URL\nRUN echo one\nRUN echo two\nHEALTHCHECK CMD [\"node\", \"-e\", \"process.exit(0)\"]\nUSER node\nCMD [\"node\", \"index.js\"]\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .arg("--root")
        .arg(dir.path())
        .args(["--only", "dockerfile", "--format", "json"])
        .env_remove("OPSKIT_FORMAT")
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{report}");
    assert_eq!(
        finding(&report, "dockerfile", "DL3059")["severity"],
        "note",
        "hadolint's info level"
    );
    assert_eq!(
        finding(&report, "dockerfile", "OPS-DF008")["location"]["line"],
        4
    );
    assert_eq!(
        finding(&report, "dockerfile", "OPS-DF008")["severity"],
        "error"
    );
    assert!(
        finding(&report, "dockerfile", "OPS-DF009")["message"]
            .as_str()
            .unwrap()
            .contains("Node.js 18, past its end of life on 2025-04-30"),
        "{report}"
    );
    assert_eq!(
        finding(&report, "dockerfile", "OPS-DF010")["location"]["line"],
        2
    );
}
