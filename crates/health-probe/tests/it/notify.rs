//! Notifications on status changes, which never change the exit code.

use super::run;
use std::sync::Arc;
use testkit::output_text as text;
use testkit::{HttpServer, Reply};

/// `--notify` and `--cron-monitor` through a real monitor: only changes are sent, a recovery
/// resolves, a notification target that is down never changes the probe's exit code, and a
/// run wrapped in check-ins reaches Sentry Crons with one check-in id and its duration.
#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one monitor's story against one set of stand-ins, step after step"
)]
fn notifications_follow_status_changes_and_never_change_the_exit_code() {
    use std::sync::atomic::{AtomicU16, Ordering};
    let status = Arc::new(AtomicU16::new(200));
    let s = Arc::clone(&status);
    let app = HttpServer::start(move |_| Reply::new(s.load(Ordering::SeqCst), "x"));
    let slack = testkit::SlackStandIn::start(false);
    let pager = testkit::PagerDutyStandIn::start();
    let sentry = testkit::SentryStandIn::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("opskit.toml"),
        format!(
            "[notify]\nstate_file = \"notify.json\"\ntimeout_ms = 2000\n\n[notify.targets.slack]\nkind = \"slack\"\nwebhook_url = \"{}\"\n\n[notify.targets.pager]\nkind = \"pagerduty\"\nrouting_key = \"{}\"\nurl = \"{}\"\n\n[notify.targets.gone]\nkind = \"slack\"\nwebhook_url = \"http://127.0.0.1:{}/services/T/B/X\"\n\n[notify.targets.sentry]\nkind = \"sentry\"\ndsn = \"{}\"\n",
            slack.webhook_url(),
            testkit::PAGERDUTY_KEY,
            pager.url(),
            testkit::free_port(),
            sentry.dsn()
        ),
    )
    .unwrap();
    let url = format!("{}/health", app.url());
    let probe = |extra: &[&str]| {
        let mut args = vec![url.as_str(), "--notify", "slack", "--notify", "pager"];
        args.extend_from_slice(extra);
        run(dir.path(), &args)
    };
    let out = probe(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        slack.messages().is_empty(),
        "OK at the first run: nothing to say"
    );
    status.store(503, Ordering::SeqCst);
    let out = probe(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(slack.messages().len(), 1);
    assert_eq!(pager.open().len(), 1);
    let out = probe(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(slack.messages().len(), 1, "CRITICAL again: no second alert");
    assert_eq!(pager.events().len(), 1);
    status.store(200, Ordering::SeqCst);
    let out = probe(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(slack.messages().len(), 2);
    assert!(pager.open().is_empty(), "resolved");
    // A target that is down: reported on stderr, exit code unchanged.
    status.store(503, Ordering::SeqCst);
    let out = probe(&["--notify", "gone"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: gone: 1 change(s) not delivered"),
        "{stderr}"
    );
    assert_eq!(slack.messages().len(), 3);

    // Sentry Crons around a run: in_progress, then ok: the probe ran, though the target is
    // down (the notifications say what it found); one id.
    let out = run(
        dir.path(),
        &[
            &url,
            "--cron-monitor",
            "health-probe",
            "--cron-schedule",
            "*/5 * * * *",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let check_ins = sentry.items("check_in");
    assert_eq!(check_ins.len(), 2, "{check_ins:?}");
    assert_eq!(check_ins[0]["status"], "in_progress");
    assert_eq!(check_ins[1]["status"], "ok");
    assert_eq!(check_ins[0]["check_in_id"], check_ins[1]["check_in_id"]);
    assert_eq!(check_ins[0]["monitor_slug"], "health-probe");
    assert!(check_ins[1]["duration"].as_f64().unwrap() >= 0.0);
    assert!(check_ins[0].get("duration").is_none());
    assert_eq!(
        check_ins[1]["monitor_config"]["schedule"],
        serde_json::json!({"type": "crontab", "value": "*/5 * * * *"})
    );
    // The old meaning, for teams who want it: a CRITICAL run is an `error` check-in.
    let out = run(
        dir.path(),
        &[
            &url,
            "--cron-monitor",
            "health-probe",
            "--cron-schedule",
            "*/5 * * * *",
            "--cron-fail-on",
            "critical",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(sentry.items("check_in")[3]["status"], "error");
    status.store(200, Ordering::SeqCst);
    // A slug without a schedule: Sentry cannot create the monitor, and the user is told.
    let out = run(dir.path(), &[&url, "--cron-monitor", "health-probe"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(sentry.items("check_in")[5]["status"], "ok");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("has no schedule, so Sentry cannot create the monitor"),
        "{}",
        text(&out)
    );
    // A bad schedule is reported, and the probe still runs and decides the exit code.
    let out = run(
        dir.path(),
        &[&url, "--cron-monitor", "x", "--cron-schedule", "soon"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a crontab schedule"));
}
