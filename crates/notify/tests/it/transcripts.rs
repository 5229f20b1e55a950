//! The CLI as a user meets it, snapshotted whole (exit code, stdout, stderr): help, version, an
//! OK run, a CRITICAL run, a usage error, an UNKNOWN run and `--explain`.

use testkit::{HttpServer, Reply};

fn run(dir: &std::path::Path, args: &[&str]) -> testkit::Run {
    testkit::cli(env!("CARGO_BIN_EXE_notify"))
        .dir(dir)
        .args(args)
        .run()
}

#[test]
fn transcripts() {
    let hook = HttpServer::start(|r| match r.url.as_str() {
        "/ok" => Reply::new(200, "ok"),
        _ => Reply::new(500, "boom"),
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("opskit.toml"),
        format!(
            "[notify.targets.hook]\nkind = \"webhook\"\nurl = \"{0}/ok\"\n\n[notify.targets.broken]\nkind = \"webhook\"\nurl = \"{0}/fail\"\n",
            hook.url()
        ),
    )
    .unwrap();
    insta::assert_snapshot!("help", run(d, &["--help"]).transcript());
    insta::assert_snapshot!("version", run(d, &["--version"]).transcript());
    insta::assert_snapshot!("ok", run(d, &["test", "--target", "hook"]).transcript());
    insta::assert_snapshot!(
        "critical",
        run(d, &["test", "--target", "broken"]).transcript()
    );
    insta::assert_snapshot!(
        "usage",
        run(d, &["send", "--status", "critical"]).transcript()
    );
    insta::assert_snapshot!(
        "unknown",
        run(d, &["test", "--target", "pager"]).transcript()
    );
    insta::assert_snapshot!("explain", run(d, &["--explain", "NT001"]).transcript());
    // A target that lacks a key of its kind is found when opskit.toml is read, at its line.
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(
        bad.path().join("opskit.toml"),
        "[notify.targets.oncall]\nkind = \"slack\"\nwebhok_url = \"https://hooks.slack.com/x\"\n",
    )
    .unwrap();
    insta::assert_snapshot!(
        "bad_target",
        run(bad.path(), &["test", "--target", "oncall"]).transcript()
    );
}
