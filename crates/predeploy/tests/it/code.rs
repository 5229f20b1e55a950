//! TypeScript and lint: type errors, ESLint errors and warnings, TypeScript 7, Biome.

use super::Fixture;
use super::check;
use super::finding;
use std::path::Path;
use std::process::Command;

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
    assert_eq!(ts["location"]["line"], 14);
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
