//! Secrets and the Dockerfile: planted secrets, confidence gates, hadolint's findings.

use super::Fixture;
use super::check;
use super::finding;
use std::process::Command;

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
    // Counted, it fails the deploy: as a warning, since a low-confidence finding in a
    // document is a level lower (issue 22).
    let (code, report, _) = f.run(&["--only", "secrets", "--min-confidence", "low"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(finding(&report, "secrets", "SEC071")["severity"], "warning");
    f.edit(
        "opskit.toml",
        "fail_on = \"warning\"",
        "fail_on = \"warning\"\nmin_confidence = \"low\"",
    );
    let (code, report, _) = f.run(&["--only", "secrets"]);
    assert_eq!(code, 1, "from opskit.toml: {report}");
    // The same line in a script is not documentation: a full-level finding.
    f.write(
        "local-redis.sh",
        "redis-cli -h cache.internal -a Kq7vN2pX9zLm ping\n",
    );
    let (code, report, _) = f.run(&["--only", "secrets"]);
    assert_eq!(code, 2, "{report}");
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
        finding(&report, "dockerfile", "LegacyKeyValueFormat")["location"]["line"],
        2
    );
}
