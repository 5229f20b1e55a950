//! The CLI as a user meets it, snapshotted whole (exit code, stdout, stderr): help, version, an
//! OK run, a CRITICAL run, a usage error, an UNKNOWN run and `--explain`.

use opskit_secret_scan::fake::{Rng, expand};

fn run(dir: &std::path::Path, args: &[&str]) -> testkit::Run {
    testkit::cli(env!("CARGO_BIN_EXE_secret-scan"))
        .dir(dir)
        .args(args)
        .run()
}

#[test]
fn transcripts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("app.ts"), "export const port = 3000;\n").unwrap();
    insta::assert_snapshot!("help", run(d, &["--help"]).transcript());
    insta::assert_snapshot!("version", run(d, &["--version"]).transcript());
    insta::assert_snapshot!("ok", run(d, &["."]).transcript());
    let token = expand("ghp_{a62:36}", &mut Rng::new(7));
    std::fs::write(
        d.join("config.ts"),
        format!("export const token = \"{token}\";\n"),
    )
    .unwrap();
    let critical = run(d, &["."]);
    assert!(
        !critical.text().contains(&token),
        "the token was printed whole"
    );
    insta::assert_snapshot!("critical", critical.transcript());
    insta::assert_snapshot!("usage", run(d, &["--no-such-flag"]).transcript());
    insta::assert_snapshot!("unknown", run(d, &["missing-dir"]).transcript());
    insta::assert_snapshot!("explain", run(d, &["--explain", "SCAN001"]).transcript());
    // OPSKIT_FORMAT picks the format when --format does not; --format wins over it.
    let nagios = testkit::cli(env!("CARGO_BIN_EXE_secret-scan"))
        .dir(d)
        .arg("app.ts")
        .env("OPSKIT_FORMAT", "nagios")
        .run();
    assert_eq!(
        (nagios.code, nagios.stdout.as_str()),
        (
            0,
            "SECRET-SCAN OK - no secrets (1 file) | secrets.secrets=0;;;0 secrets.files=1;;;0 secrets.bytes=26B;;;0 secrets.skipped=0;;;0\n"
        ),
        "{}",
        nagios.text()
    );
    let json = testkit::cli(env!("CARGO_BIN_EXE_secret-scan"))
        .dir(d)
        .args(["app.ts", "--format", "json"])
        .env("OPSKIT_FORMAT", "nagios")
        .run();
    assert!(json.stdout.starts_with('{'), "{}", json.text());
}
