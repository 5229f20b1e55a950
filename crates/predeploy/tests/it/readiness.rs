//! `cargo xtask readiness` computed on a project made for it: each item is done or missing for
//! the reason the project gives, and the percentage follows.

use std::path::Path;

use opskit::cli::{Io, run_main};

/// Runs the checklist on `root` with `env` as the whole environment; returns the JSON report.
fn readiness(root: &Path, env: &[(&str, &str)]) -> serde_json::Value {
    let vars: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let io = Io {
        stdout: &mut out,
        stderr: &mut err,
        stdout_is_terminal: false,
        cwd: root.to_owned(),
        env: Box::new(move |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())),
        env_names: Vec::new(),
        hooks: None,
    };
    run_main::<opskit_predeploy::readiness::Args, _>(
        ["readiness", "--skip-predeploy", "-f", "json"],
        io,
        opskit_predeploy::readiness::run,
    );
    serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&err)))
}

fn status<'a>(report: &'a serde_json::Value, item: &str) -> &'a str {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == item)
        .unwrap_or_else(|| panic!("no item {item}"))["status"]
        .as_str()
        .unwrap()
}

fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    opskit::time::utc_timestamp(secs)[..10].to_owned()
}

fn project(dir: &Path, rotated: &str) {
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::write(dir.join("docs/RUNBOOK.md"), "# Runbook\n").unwrap();
    std::fs::write(dir.join("docs/SENTRY_ALERTS_SETUP.md"), "# Alerts\n").unwrap();
    std::fs::write(
        dir.join("opskit.toml"),
        format!(
            r#"[[health-probe.targets]]
name = "web"
url = "http://127.0.0.1:9/health"

[queue-depth]
queues = ["jobs"]

[db-backup]
dir = "backups"

[env-check.services.web.vars.API_SECRET]
type = "string"
secret = true
rotate_days = 90
rotated = "{rotated}"

[notify.targets.sentry]
kind = "sentry"
dsn = "${{SENTRY_DSN:-}}"

[notify.targets.slack]
kind = "slack"
webhook_url = "${{SLACK_WEBHOOK_URL:-}}"

[notify.monitors.nightly]
schedule = "0 3 * * *"
"#
        ),
    )
    .unwrap();
}

#[test]
fn the_checklist_is_computed_from_the_project() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), &today());
    let env = [
        (
            "SENTRY_DSN",
            "https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/1",
        ),
        (
            "SLACK_WEBHOOK_URL",
            "https://hooks.slack.com/services/T0/B0/X",
        ),
    ];
    let r = readiness(dir.path(), &env);
    for item in [
        "health checks",
        "queue monitoring",
        "incident runbook",
        "alert setup instructions",
        "monitors notify someone",
        "Sentry alerts",
        "Sentry Crons monitor",
        "Slack integration",
        "secrets rotated",
    ] {
        assert_eq!(status(&r, item), "OK", "{item}: {r}");
    }
    // No backup yet, and predeploy was skipped: 9 of 11.
    assert_eq!(status(&r, "automatic backups"), "WARNING");
    assert_eq!(status(&r, "pre-deployment validation"), "WARNING");
    let summary = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "readiness")
        .unwrap()["summary"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        summary.starts_with("production readiness 82% (9 of 11 items)"),
        "{summary}"
    );

    // A fresh, verified backup completes the item.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let backups = dir.path().join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    let file = "app-20261127T030000Z.dump.zst";
    std::fs::write(backups.join(file), b"archive").unwrap();
    let manifest = serde_json::json!({
        "tool": "opskit db-backup", "format": 1, "file": file, "database": "app",
        "server": "db:5432", "server_version": "15.8", "dumper": "pg_dump 15.14",
        "preset": "full", "mode": "full", "compression": "zstd", "level": 3,
        "started": opskit::time::utc_timestamp(now - 3600), "started_unix": now - 3600,
        "duration_seconds": 1.0, "bytes": 7, "raw_bytes": 7, "sha256": "0".repeat(64),
        "consistent_counts": true, "tables": [],
        "verification": {"at": opskit::time::utc_timestamp(now), "level": "list", "ok": true}
    });
    std::fs::write(
        backups.join(format!("{file}.manifest.json")),
        manifest.to_string(),
    )
    .unwrap();
    let r = readiness(dir.path(), &env);
    assert_eq!(status(&r, "automatic backups"), "OK", "{r}");

    // Without the secrets in the environment, the integrations are not done; an old rotation
    // is overdue.
    project(dir.path(), "2020-01-01");
    let r = readiness(dir.path(), &[]);
    for item in [
        "monitors notify someone",
        "Sentry alerts",
        "Sentry Crons monitor",
        "Slack integration",
        "secrets rotated",
    ] {
        assert_eq!(status(&r, item), "WARNING", "{item}: {r}");
    }
    assert!(
        r.to_string()
            .contains("web.API_SECRET (rotated 2020-01-01, every 90 days)"),
        "{r}"
    );
}

/// The checklist ships with the predeploy binary: users without the source tree run
/// `predeploy readiness`, with its own help.
// See: issue 19
#[test]
fn r19_predeploy_readiness_runs_from_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("opskit.toml"),
        "[[health-probe.targets]]\nname = \"web\"\nurl = \"http://127.0.0.1:9/health\"\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .args([
            "readiness",
            "--skip-predeploy",
            "--format",
            "json",
            "--root",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let health = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap().contains("health"))
        .unwrap();
    assert_eq!(health["status"], "OK", "{report}");
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .args(["readiness", "--help"])
        .output()
        .unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage: predeploy readiness"));
    let top = std::process::Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&top.stdout).contains("predeploy readiness"));
}
