//! The CLI as a user meets it, snapshotted whole (exit code, stdout, stderr): help, version, an
//! OK run, a CRITICAL run, a usage error, an UNKNOWN run and `--explain`.

fn run(dir: &std::path::Path, args: &[&str]) -> testkit::Run {
    testkit::cli(env!("CARGO_BIN_EXE_db-backup"))
        .dir(dir)
        .args(args)
        .run()
}

#[test]
fn transcripts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    insta::assert_snapshot!("help", run(d, &["--help"]).transcript());
    insta::assert_snapshot!("version", run(d, &["--version"]).transcript());
    insta::assert_snapshot!("no_subcommand", run(d, &[]).transcript());
    insta::assert_snapshot!("ok", run(d, &["list"]).transcript());
    insta::assert_snapshot!("critical", run(d, &["check"]).transcript());
    insta::assert_snapshot!("usage", run(d, &["check", "--max-age"]).transcript());
    insta::assert_snapshot!("unknown", run(d, &["run"]).transcript());
    insta::assert_snapshot!("explain", run(d, &["--explain", "DB502"]).transcript());
}
