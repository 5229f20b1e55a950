//! The CLI as a user meets it, snapshotted whole (exit code, stdout, stderr): help, version, an
//! OK run, a CRITICAL run, a usage error, an UNKNOWN run and `--explain`.

fn run(dir: &std::path::Path, args: &[&str]) -> testkit::Run {
    testkit::cli(env!("CARGO_BIN_EXE_predeploy"))
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
    insta::assert_snapshot!(
        "critical",
        run(d, &["--root", ".", "--only", "files", "--no-cache"]).transcript()
    );
    for (name, text) in [
        ("package.json", "{\"name\":\"app\",\"private\":true}\n"),
        (
            "package-lock.json",
            "{\"name\":\"app\",\"lockfileVersion\":3,\"packages\":{}}\n",
        ),
        (
            "Dockerfile",
            "FROM node:22.11.0-slim\nCMD [\"node\", \"server.js\"]\n",
        ),
        (
            "railway.json",
            "{\"deploy\":{\"healthcheckPath\":\"/health\"}}\n",
        ),
        (".env.example", "DATABASE_URL=\n"),
        (".gitignore", "node_modules\n.env\n.env.*\n!.env.example\n"),
    ] {
        std::fs::write(d.join(name), text).unwrap();
    }
    insta::assert_snapshot!(
        "ok",
        run(d, &["--root", ".", "--only", "files", "--no-cache"]).transcript()
    );
    insta::assert_snapshot!("usage", run(d, &["--only", "spelling"]).transcript());
    insta::assert_snapshot!(
        "unknown",
        run(d, &["--root", "no-such-dir", "--only", "files"]).transcript()
    );
    insta::assert_snapshot!("explain", run(d, &["--explain", "RW005"]).transcript());
}
