//! The CLI as a user meets it, snapshotted whole (exit code, stdout, stderr): help, version, an
//! OK run, a CRITICAL run, a usage error, an UNKNOWN run and `--explain`.

fn run(dir: &std::path::Path, args: &[&str]) -> testkit::Run {
    testkit::cli(env!("CARGO_BIN_EXE_env-check"))
        .dir(dir)
        .args(args)
        .run()
}

const SCHEMA: &str = r#"[env-check.services.app]
dir = "."

[env-check.services.app.vars.DATABASE_URL]
type = "postgres-url"
required = true

[env-check.services.app.vars.PORT]
type = "port"
default = "3000"
"#;

#[test]
fn transcripts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    insta::assert_snapshot!("help", run(d, &["--help"]).transcript());
    insta::assert_snapshot!("version", run(d, &["--version"]).transcript());
    insta::assert_snapshot!("unknown", run(d, &["check"]).transcript());
    std::fs::write(d.join("opskit.toml"), SCHEMA).unwrap();
    std::fs::write(d.join(".env.example"), "DATABASE_URL=\nPORT=3000\n").unwrap();
    std::fs::write(
        d.join(".env"),
        "DATABASE_URL=postgres://app@127.0.0.1:5432/app\nPORT=3000\n",
    )
    .unwrap();
    insta::assert_snapshot!("ok", run(d, &["check", "--no-process-env"]).transcript());
    std::fs::write(d.join(".env"), "PORT=99999\n").unwrap();
    insta::assert_snapshot!(
        "critical",
        run(d, &["check", "--no-process-env"]).transcript()
    );
    insta::assert_snapshot!("usage", run(d, &["check", "--envv", "x"]).transcript());
    insta::assert_snapshot!("explain", run(d, &["--explain", "ENV101"]).transcript());
}
