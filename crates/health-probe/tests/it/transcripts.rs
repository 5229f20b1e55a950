//! The CLI as a user meets it, snapshotted whole (exit code, stdout, stderr): help, version, an
//! OK run, a CRITICAL run, a usage error, an UNKNOWN run and `--explain`.

use testkit::{HttpServer, Reply};

fn run(dir: &std::path::Path, args: &[&str]) -> testkit::Run {
    testkit::cli(env!("CARGO_BIN_EXE_health-probe"))
        .dir(dir)
        .args(args)
        .run()
}

#[test]
fn transcripts() {
    let server = HttpServer::start(|r| match r.url.as_str() {
        "/api/health" => Reply::json(200, r#"{"status":"ok"}"#),
        _ => Reply::new(503, "starting"),
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = format!("{}/api/health", server.url());
    let down = format!("{}/other", server.url());
    insta::assert_snapshot!("help", run(d, &["--help"]).transcript());
    insta::assert_snapshot!("version", run(d, &["--version"]).transcript());
    insta::assert_snapshot!(
        "ok",
        run(d, &[ok.as_str(), "--json", "status == \"ok\""]).transcript()
    );
    insta::assert_snapshot!("critical", run(d, &[down.as_str()]).transcript());
    insta::assert_snapshot!(
        "usage",
        run(d, &[ok.as_str(), "--retries", "many"]).transcript()
    );
    std::fs::write(
        d.join("opskit.toml"),
        "[[health-probe.targets]]\nname = \"worker\"\nurll = \"http://worker.internal/health\"\n",
    )
    .unwrap();
    insta::assert_snapshot!("unknown", run(d, &[]).transcript());
    insta::assert_snapshot!("explain", run(d, &["--explain", "HP002"]).transcript());
}

#[test]
fn a_password_with_a_slash_stays_out_of_names_and_output() {
    // Issue 18: `postgres://u:pa/ss@h/db` used to be cut at the `/` and shown whole.
    let dir = tempfile::tempdir().unwrap();
    for format in [
        "human",
        "json",
        "sarif",
        "github",
        "nagios",
        "junit",
        "prometheus",
    ] {
        let run = run(
            dir.path(),
            &["postgres://app:pa/ss-w0rd@127.0.0.1:1/db", "-f", format],
        );
        assert_eq!(run.code, 2, "{format}: {}", run.text());
        assert!(
            !run.text().contains("pa/ss-w0rd"),
            "{format}: {}",
            run.text()
        );
        assert!(!run.text().contains("ss-w0rd"), "{format}: {}", run.text());
    }
}
