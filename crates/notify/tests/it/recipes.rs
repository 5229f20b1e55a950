//! The deployment recipes of examples/deploy work when copied: each loads its environment the
//! way its scheduler requires, and the crontab line the issue caught ("backups stopped" never
//! reached anyone, because the line did not load the variables) runs through `env -i`, as
//! cron starts it, and reaches Slack.
// See: issue 19

use std::path::{Path, PathBuf};
use std::process::Command;

use testkit::SlackStandIn;

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/deploy")
}

/// Tools that read the environment for their servers or their alerting.
const NEEDS_ENV: [&str; 4] = ["queue-depth", "health-probe", "notify", "db-backup run"];

/// Whether a command needs variables: it notifies, checks in with Sentry, or reads a server.
fn needs_env(command: &str) -> bool {
    command.contains("--notify ")
        || command.contains("--cron-monitor")
        || NEEDS_ENV.iter().any(|t| command.contains(t))
        || command.contains("db-backup verify")
}

/// The job lines of a crontab: the command after the five schedule fields.
fn cron_jobs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| !l.split_whitespace().next().unwrap_or("").contains('='))
        .map(|l| l.split_whitespace().skip(5).collect::<Vec<_>>().join(" "))
        .collect()
}

fn files(ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(deploy()).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name == ext || name.ends_with(&format!(".{ext}")) {
                out.push(f);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_crontab_line_loads_the_variables_it_needs() {
    let crontabs = files("crontab");
    assert!(crontabs.len() >= 2, "{crontabs:?}");
    for path in crontabs {
        let text = std::fs::read_to_string(&path).unwrap();
        for job in cron_jobs(&text) {
            if !needs_env(&job) {
                continue;
            }
            let first_tool = ["queue-depth", "health-probe", "db-backup", "notify"]
                .iter()
                .filter_map(|t| job.find(t))
                .min()
                .unwrap();
            let loads = job.find(". /etc/opskit/");
            assert!(
                loads.is_some_and(|at| at < first_tool),
                "{}: this line runs with cron's empty environment: load the variables first (set -a && . /etc/opskit/….env && set +a):\n{job}",
                path.display()
            );
        }
    }
}

#[test]
fn every_systemd_unit_that_needs_variables_has_an_environment_file() {
    let units = files("service");
    assert!(units.len() >= 3, "{units:?}");
    for unit in &units {
        let text = std::fs::read_to_string(unit).unwrap();
        let exec = text
            .lines()
            .filter(|l| l.starts_with("ExecStart"))
            .collect::<Vec<_>>()
            .join("\n");
        if needs_env(&exec) {
            assert!(
                text.lines().any(|l| l.starts_with("EnvironmentFile=")),
                "{} runs `{exec}` without EnvironmentFile=",
                unit.display()
            );
        }
    }
    // Where systemd is installed, the units must also pass its own checks.
    if let Ok(out) = Command::new("systemd-analyze").arg("--version").output()
        && out.status.success()
    {
        for unit in &units {
            let out = Command::new("systemd-analyze")
                .args(["verify", "--man=no"])
                .arg(unit)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            // A unit names binaries under /usr/local/bin that this machine need not have.
            let real: Vec<&str> = err
                .lines()
                .filter(|l| !l.contains("/usr/local/bin") && !l.contains("not executable"))
                .collect();
            assert!(real.is_empty(), "{}: {}", unit.display(), real.join("\n"));
        }
    }
}

#[test]
fn kubernetes_and_actions_recipes_pass_the_variables_and_a_schedule() {
    for path in files("yaml") {
        let text = std::fs::read_to_string(&path).unwrap();
        for block in text.split("containers:").skip(1) {
            let command = block.lines().find(|l| l.contains("command:")).unwrap_or("");
            if needs_env(command) {
                assert!(
                    block.contains("envFrom:") || block.contains("env:"),
                    "{}: a container runs {command} without env or envFrom",
                    path.display()
                );
            }
            if command.contains("--cron-monitor") {
                assert!(
                    command.contains("--cron-schedule"),
                    "{}: {command}",
                    path.display()
                );
            }
        }
    }
    let actions = std::fs::read_to_string(deploy().join("monitors/github/monitors.yml")).unwrap();
    for line in actions.lines().filter(|l| l.contains("--cron-monitor")) {
        assert!(line.contains("--cron-schedule"), "{line}");
    }
    for var in ["SLACK_WEBHOOK_URL", "SENTRY_DSN", "PAGERDUTY_ROUTING_KEY"] {
        assert!(
            actions.contains(&format!("{var}: ${{{{ secrets.{var} }}}}")),
            "{var}"
        );
    }
    let railway: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(deploy().join("railway/railway.json")).unwrap(),
    )
    .unwrap();
    let schedule = railway["deploy"]["cronSchedule"].as_str().unwrap();
    assert_eq!(schedule.split_whitespace().count(), 5, "{schedule}");
    assert_eq!(railway["deploy"]["restartPolicyType"], "NEVER");
    let start = railway["deploy"]["startCommand"].as_str().unwrap();
    assert!(
        start.contains(&format!("--cron-schedule \"{schedule}\"")),
        "the Crons schedule must be the service's: {start}"
    );
}

/// The hourly backup check of the monitors' crontab, run the way cron runs it: `env -i`, the
/// crontab's SHELL, the variables only from the file the line names. No backup exists, so it
/// is CRITICAL, and Slack hears of it.
#[test]
fn r19_the_crontab_backup_check_reaches_slack_from_an_empty_environment() {
    let crontab = std::fs::read_to_string(deploy().join("monitors/crontab")).unwrap();
    let job = cron_jobs(&crontab)
        .into_iter()
        .find(|j| j.contains("db-backup check"))
        .unwrap();
    let slack = SlackStandIn::start(false);
    let work = tempfile::tempdir().unwrap();
    let app = work.path().join("app");
    std::fs::create_dir(&app).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/agent-platform/opskit.toml"),
        app.join("opskit.toml"),
    )
    .unwrap();
    let env_file = work.path().join("monitors.env");
    std::fs::write(
        &env_file,
        format!("SLACK_WEBHOOK_URL={}\n", slack.webhook_url()),
    )
    .unwrap();
    let job = job
        .replace("/srv/app", &app.to_string_lossy())
        .replace("/etc/opskit/monitors.env", &env_file.to_string_lossy());
    let bin = Path::new(env!("CARGO_BIN_EXE_notify")).parent().unwrap();
    assert!(
        bin.join("db-backup").is_file(),
        "db-backup is not built: run `cargo build --workspace --bins` (the runbook test does)"
    );
    let out = Command::new("env")
        .arg("-i")
        .arg(format!("PATH={}:/usr/bin:/bin", bin.display()))
        .arg(format!("HOME={}", work.path().display()))
        .args(["/bin/bash", "-c", &job])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{job}\n{stderr}");
    let messages = slack.messages();
    assert_eq!(messages.len(), 1, "{job}\n{stderr}");
    let text = messages[0]["text"].as_str().unwrap();
    assert!(
        text.contains("CRITICAL") && text.contains("backup"),
        "{text}"
    );
}

/// Every monitor line of the monitors' crontab but the nightly backup (which needs a
/// database), run as cron runs it: `env -i`, the variables only from the file the line loads,
/// against a real Redis with a BullMQ queue, HTTP endpoints and the Sentry stand-in. Each line
/// runs (no UNKNOWN), and each reports to Sentry Crons with the schedule of
/// `[notify.monitors.SLUG]`, so Sentry can create the monitor.
#[test]
fn r19_the_monitor_crontab_lines_run_from_an_empty_environment() {
    let crontab = std::fs::read_to_string(deploy().join("monitors/crontab")).unwrap();
    let jobs: Vec<String> = cron_jobs(&crontab)
        .into_iter()
        .filter(|j| !j.contains("db-backup run"))
        .collect();
    assert!(jobs.len() >= 3, "{jobs:?}");
    let redis = testkit::RedisServer::start();
    let work = tempfile::tempdir().unwrap();
    let app = work.path().join("app");
    std::fs::create_dir(&app).unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/agent-platform");
    std::fs::copy(example.join("opskit.toml"), app.join("opskit.toml")).unwrap();
    crate::runbook::enqueue(&example, &redis.url(), 1);
    let web = testkit::HttpServer::start(|r| match r.url.as_str() {
        "/api/health" | "/health" => testkit::Reply::json(200, r#"{"status":"ok"}"#),
        "/metrics" => testkit::Reply::new(200, "# TYPE up gauge\nup 1\n"),
        _ => testkit::Reply::new(404, "not found"),
    });
    let sentry = testkit::SentryStandIn::start();
    let slack = SlackStandIn::start(false);
    let env_file = work.path().join("monitors.env");
    std::fs::write(
        &env_file,
        format!(
            "REDIS_URL={}\nFRONTEND_URL={}\nWORKER_URL={}\nSENTRY_DSN={}\nSLACK_WEBHOOK_URL={}\n",
            redis.url(),
            web.url(),
            web.url(),
            sentry.dsn(),
            slack.webhook_url()
        ),
    )
    .unwrap();
    // The example sends check-ins to its `sentry` target, whose DSN comes from SENTRY_DSN.
    let bin = Path::new(env!("CARGO_BIN_EXE_notify")).parent().unwrap();
    for tool in ["queue-depth", "health-probe", "db-backup"] {
        assert!(
            bin.join(tool).is_file(),
            "{tool} is not built: run `cargo build --workspace --bins` (the runbook test does)"
        );
    }
    let mut slugs = Vec::new();
    for job in &jobs {
        let line = job
            .replace("/srv/app", &app.to_string_lossy())
            .replace("/etc/opskit/monitors.env", &env_file.to_string_lossy());
        let out = Command::new("env")
            .arg("-i")
            .arg(format!("PATH={}:/usr/bin:/bin", bin.display()))
            .arg(format!("HOME={}", work.path().display()))
            .arg(format!("XDG_STATE_HOME={}", work.path().display()))
            .args(["/bin/bash", "-c", &line])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "{line}: exit {code:?}\n{stderr}"
        );
        assert!(!stderr.contains("no schedule"), "{line}: {stderr}");
        assert!(!stderr.contains("not sent"), "{line}: {stderr}");
        if let Some(slug) = job.split("--cron-monitor ").nth(1) {
            slugs.push(slug.split_whitespace().next().unwrap().to_owned());
        }
    }
    let check_ins = sentry.items("check_in");
    for slug in &slugs {
        let mine: Vec<&serde_json::Value> = check_ins
            .iter()
            .filter(|c| c["monitor_slug"] == slug.as_str())
            .collect();
        assert_eq!(mine.len(), 2, "{slug}: {check_ins:?}");
        assert_eq!(mine[0]["status"], "in_progress");
        assert_eq!(mine[1]["status"], "ok", "{slug}: the monitor ran");
        assert_eq!(
            mine[1]["monitor_config"]["schedule"]["type"], "crontab",
            "{slug}"
        );
    }
    assert!(slugs.len() >= 3, "{slugs:?}");
}
