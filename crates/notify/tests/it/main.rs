//! notify end to end against faithful stand-ins of Sentry, Slack and PagerDuty (testkit), and a
//! plain HTTP server for webhooks.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod recipes;
mod runbook;
mod transcripts;

use testkit::output_text as text;
use testkit::{HttpServer, PAGERDUTY_KEY, PagerDutyStandIn, Reply, SentryStandIn, SlackStandIn};

fn run(dir: &Path, args: &[&str]) -> Output {
    testkit::cli(env!("CARGO_BIN_EXE_notify"))
        .dir(dir)
        .args(args)
        .output()
}

struct Services {
    sentry: SentryStandIn,
    slack: SlackStandIn,
    pagerduty: PagerDutyStandIn,
    hook: HttpServer,
}

fn services() -> Services {
    Services {
        sentry: SentryStandIn::start(),
        slack: SlackStandIn::start(false),
        pagerduty: PagerDutyStandIn::start(),
        hook: HttpServer::start(|_| Reply::json(200, r#"{"ok":true}"#)),
    }
}

fn config(dir: &Path, s: &Services, extra: &str) {
    std::fs::write(
        dir.join("opskit.toml"),
        format!(
            r#"[notify]
state_file = "state.json"
timeout_ms = 3000
{extra}

[notify.targets.sentry]
kind = "sentry"
dsn = "{}"
environment = "production"

[notify.targets.slack]
kind = "slack"
webhook_url = "{}"
links = {{ runbook = "https://example.com/runbook", dashboard = "https://example.com/grafana" }}

[notify.targets.pager]
kind = "pagerduty"
routing_key = "{PAGERDUTY_KEY}"
url = "{}"
min_status = "critical"

[notify.targets.hook]
kind = "webhook"
url = "{}/opskit"
headers = {{ Authorization = "Bearer hook-token-123" }}
"#,
            s.sentry.dsn(),
            s.slack.webhook_url(),
            s.pagerduty.url(),
            s.hook.url()
        ),
    )
    .unwrap();
}

const ALL: [&str; 8] = [
    "--target", "sentry", "--target", "slack", "--target", "pager", "--target", "hook",
];

fn send(dir: &Path, targets: &[&str], status: &str, summary: &str) -> Output {
    let mut args = vec!["send"];
    args.extend_from_slice(targets);
    args.extend_from_slice(&["--status", status, "--check", "disk", "--summary", summary]);
    run(dir, &args)
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one set of stand-ins for the whole story: each step builds on the one before"
)]
fn alerts_once_then_resolves_on_every_kind_of_target() {
    let s = services();
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), &s, "");

    // OK -> CRITICAL: one alert everywhere.
    let out = send(
        dir.path(),
        &ALL,
        "critical",
        "disk 95% full on /var/lib/postgresql",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let messages = s.slack.messages();
    assert_eq!(messages.len(), 1);
    let blocks = messages[0]["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], "header");
    assert!(
        blocks[0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("CRITICAL")
    );
    assert!(
        blocks[1]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("*disk*: OK → CRITICAL")
    );
    let actions = blocks.iter().find(|b| b["type"] == "actions").unwrap();
    assert_eq!(actions["elements"].as_array().unwrap().len(), 2);
    assert!(
        messages[0]["text"]
            .as_str()
            .unwrap()
            .contains("disk 95% full")
    );

    let events = s.pagerduty.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event_action"], "trigger");
    assert_eq!(events[0]["dedup_key"], "opskit/notify/disk");
    assert_eq!(events[0]["payload"]["severity"], "critical");
    assert_eq!(s.pagerduty.open(), vec!["opskit/notify/disk".to_owned()]);

    let sentry_events = s.sentry.items("event");
    assert_eq!(sentry_events.len(), 1, "{:?}", s.sentry.envelopes());
    let e = &sentry_events[0];
    // The SDK leaves out the level when it is Sentry's default, error.
    assert!(e["level"].is_null() || e["level"] == "error", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("disk: OK -> CRITICAL: disk 95% full"),
        "{e}"
    );
    assert_eq!(e["tags"]["tool"], "notify");
    assert_eq!(e["tags"]["check"], "disk");
    assert_eq!(e["tags"]["status"], "CRITICAL");
    assert_eq!(
        e["fingerprint"],
        serde_json::json!(["opskit", "notify", "disk"])
    );
    assert_eq!(
        e["contexts"]["opskit"]["summary"],
        "disk 95% full on /var/lib/postgresql"
    );
    assert_eq!(e["contexts"]["opskit"]["type"], "unknown");
    assert_eq!(e["environment"], "production");
    assert!(e["release"].as_str().unwrap().starts_with("opskit@"));
    assert!(s.sentry.envelopes()[0].auth.contains("sentry_key="));

    let hooks = s.hook.requests();
    assert_eq!(hooks.len(), 1);
    assert_eq!(
        hooks[0].header("authorization"),
        Some("Bearer hook-token-123")
    );
    let body: serde_json::Value = serde_json::from_slice(&hooks[0].body).unwrap();
    assert_eq!(body["changes"][0]["kind"], "alert");
    assert_eq!(body["changes"][0]["status"], "CRITICAL");
    assert_eq!(body["tool"], "notify");

    // CRITICAL again: nothing.
    let out = send(dir.path(), &ALL, "critical", "disk 96% full");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("nothing sent"), "{}", text(&out));
    assert_eq!(s.slack.messages().len(), 1);
    assert_eq!(s.pagerduty.events().len(), 1);
    assert_eq!(s.sentry.items("event").len(), 1);
    assert_eq!(s.hook.requests().len(), 1);

    // A WARNING does not page (min_status = critical) but resolves the page.
    let out = send(
        dir.path(),
        &["--target", "pager"],
        "warning",
        "disk 85% full",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let events = s.pagerduty.events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["event_action"], "resolve");
    assert!(s.pagerduty.open().is_empty());

    // Back to OK: a resolve everywhere that was alerted (the pager already was).
    let out = send(dir.path(), &ALL, "ok", "disk 40% full");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let messages = s.slack.messages();
    assert_eq!(messages.len(), 2);
    assert!(
        messages[1]["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("recovered")
    );
    assert_eq!(s.pagerduty.events().len(), 2, "the pager heard nothing new");
    let sentry_events = s.sentry.items("event");
    assert_eq!(sentry_events.len(), 2);
    assert_eq!(sentry_events[1]["level"], "info");
    assert_eq!(sentry_events[1]["fingerprint"][3], "recovered");
    let body: serde_json::Value = serde_json::from_slice(&s.hook.requests()[1].body).unwrap();
    assert_eq!(body["changes"][0]["kind"], "resolve");
}

#[test]
fn a_flood_is_rate_limited_and_the_next_message_says_so() {
    let s = services();
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), &s, "rate_limit = \"2/3s\"");
    let statuses = ["critical", "ok", "critical", "ok"];
    for (i, status) in statuses.iter().enumerate() {
        let out = send(dir.path(), &["--target", "slack"], status, "flapping");
        assert_eq!(
            out.status.code(),
            Some(i32::from(i >= 2)),
            "{i}: {}",
            text(&out)
        );
        if i >= 2 {
            assert!(text(&out).contains("rate_limit"), "{}", text(&out));
        }
    }
    assert_eq!(s.slack.messages().len(), 2);
    std::thread::sleep(Duration::from_millis(3100));
    let out = send(
        dir.path(),
        &["--target", "slack"],
        "critical",
        "still flapping",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let messages = s.slack.messages();
    assert_eq!(messages.len(), 3);
    let context = messages[2]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "context")
        .unwrap()["elements"][0]["text"]
        .to_string();
    assert!(context.contains("2 notification(s) dropped"), "{context}");
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one set of stand-ins for the whole story: each step builds on the one before"
)]
fn failures_are_reported_without_secrets_and_slow_targets_are_cut_off() {
    let s = services();
    let down = SlackStandIn::start(true);
    let slow = HttpServer::start(|_| Reply::new(200, "late").delayed(Duration::from_secs(8)));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("opskit.toml"),
        format!(
            r#"[notify]
state_file = "state.json"
timeout_ms = 800
retries = 1

[notify.targets.down]
kind = "slack"
webhook_url = "{}"

[notify.targets.slow]
kind = "webhook"
url = "{}/hook"

[notify.targets.slack]
kind = "slack"
webhook_url = "{}"

[notify.targets.badkey]
kind = "sentry"
dsn = "http://ffffffffffffffffffffffffffffffff@127.0.0.1:{}/42"

[notify.targets.badpager]
kind = "pagerduty"
routing_key = "not-a-key"
url = "{}"

[notify.targets.nodsn]
kind = "sentry"
dsn = ""
"#,
            down.webhook_url(),
            slow.url(),
            s.slack.webhook_url(),
            s.sentry
                .dsn()
                .rsplit_once(':')
                .unwrap()
                .1
                .split('/')
                .next()
                .unwrap(),
            s.pagerduty.url()
        ),
    )
    .unwrap();
    let started = Instant::now();
    let out = run(
        dir.path(),
        &[
            "send",
            "--target",
            "down",
            "--target",
            "slow",
            "--target",
            "slack",
            "--status",
            "critical",
            "--summary",
            "x",
            "-f",
            "json",
        ],
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("answered 500") && t.contains("no answer within the time limit"),
        "{t}"
    );
    // Never the webhook URL's secret path.
    assert!(
        !t.contains("XXXXXXXXXXXX") && !t.contains("B00000000"),
        "{t}"
    );
    // The healthy target was served while the others failed, and the slow one was cut off.
    assert_eq!(s.slack.messages().len(), 1);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    // A failed target is tried again next time; the delivered one is not.
    let out = run(
        dir.path(),
        &[
            "send",
            "--target",
            "down",
            "--target",
            "slack",
            "--status",
            "critical",
            "--summary",
            "x",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(s.slack.messages().len(), 1);

    for (target, expect) in [
        ("badkey", "refused (401/403)"),
        ("badpager", "routing_key"),
        ("nodsn", "needs dsn"),
        ("slack", "OK"),
    ] {
        let out = run(dir.path(), &["test", "--target", target]);
        let t = text(&out);
        assert_eq!(
            out.status.code(),
            Some(if target == "slack" { 0 } else { 2 }),
            "{target}: {t}"
        );
        assert!(t.contains(expect), "{target}: {t}");
    }
    assert!(
        s.slack.messages()[1]["text"]
            .as_str()
            .unwrap()
            .contains("if you read this")
    );
    // An unknown target is a usage error with a suggestion.
    let out = run(dir.path(), &["test", "--target", "slak"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("did you mean `slack`"),
        "{}",
        text(&out)
    );
}

/// The Slack stand-in answers Slack's official Node client as Slack does: it takes a message
/// the client sends, and refuses with a 400 one that Slack refuses.
#[test]
fn the_slack_stand_in_answers_the_official_client() {
    let slack = SlackStandIn::start(false);
    let tools = testkit::test_tools_dir();
    assert!(
        tools.join("node_modules/@slack/webhook").is_dir(),
        "@slack/webhook is missing: run `npm ci` in {} (scripts/test.sh does it)",
        tools.display()
    );
    let script = "const { IncomingWebhook } = require('@slack/webhook');\
        const hook = new IncomingWebhook(process.argv[1]);\
        (async () => {\
          const ok = await hook.send({ text: 'deploy done', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*deploy* done' } }] });\
          console.log('sent', ok.text);\
          try { await hook.send({ blocks: [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }] }); console.log('accepted'); }\
          catch (e) { console.log('refused', e.original && e.original.response ? e.original.response.data : e.message); }\
        })();";
    let out = Command::new("node")
        .current_dir(&tools)
        .args(["-e", script, &slack.webhook_url()])
        .output()
        .unwrap();
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("sent ok"), "{t}");
    assert!(t.contains("refused") && t.contains("400"), "{t}");
    assert_eq!(slack.messages().len(), 1);
    assert_eq!(slack.messages()[0]["text"], "deploy done");
}

/// Targets that quote the request back in their error, headers, path and query included, and
/// one that drips: the token, the webhook's secret path and its `?token=` never appear, and
/// the drip is cut off at the deadline.
#[test]
fn echoed_requests_never_show_what_the_target_was_sent() {
    let echo = testkit::HostileServer::start(testkit::Behaviour::http_echo());
    let drip = testkit::HostileServer::start(testkit::Behaviour::http_dripping_body());
    let dir = tempfile::tempdir().unwrap();
    let header_token = "hdr-7c6b5a4f3e2d1c0b9a8f";
    let query_token = "qry-1a2b3c4d5e6f7a8b9c0d";
    let path_secret = "T0PATH/B0PATH/p4th5ecret9x8y7z";
    std::fs::write(
        dir.path().join("opskit.toml"),
        format!(
            r#"[notify]
state_file = "state.json"
timeout_ms = 1000
retries = 0

[notify.targets.echo]
kind = "webhook"
url = "{}/services/{path_secret}?token=${{HOOK_TOKEN}}"
headers = {{ Authorization = "Bearer ${{HOOK_AUTH}}" }}

[notify.targets.slackecho]
kind = "slack"
webhook_url = "{}/services/{path_secret}"

[notify.targets.drip]
kind = "webhook"
url = "{}/hook"
"#,
            echo.url(),
            echo.url(),
            drip.url()
        ),
    )
    .unwrap();
    for format in ["human", "json", "nagios", "github", "sarif", "junit"] {
        let started = Instant::now();
        let out = testkit::cli(env!("CARGO_BIN_EXE_notify"))
            .dir(dir.path())
            .env("HOOK_TOKEN", query_token)
            .env("HOOK_AUTH", header_token)
            .args([
                "send",
                "--target",
                "echo",
                "--target",
                "slackecho",
                "--target",
                "drip",
                "--status",
                "critical",
                "--summary",
                "x",
                "-f",
                format,
                "-v",
            ])
            .output();
        let took = started.elapsed();
        let t = text(&out);
        assert_eq!(out.status.code(), Some(2), "{format}: {t}");
        assert!(t.contains("answered 400"), "{format}: {t}");
        for secret in [header_token, query_token, path_secret, "p4th5ecret9x8y7z"] {
            assert!(!t.contains(secret), "{format}: {secret} in {t}");
        }
        assert!(
            took < Duration::from_secs(4),
            "{format}: the drip held it {took:?}"
        );
        let _ = std::fs::remove_file(dir.path().join("state.json"));
    }
}
