//! The CLI as a user meets it, snapshotted whole (exit code, stdout, stderr): help, version, an
//! OK run, a WARNING and a CRITICAL run, a usage error, an UNKNOWN run and `--explain`.

fn run(dir: &std::path::Path, args: &[&str]) -> testkit::Run {
    testkit::cli(env!("CARGO_BIN_EXE_dockerfile-lint"))
        .dir(dir)
        .args(args)
        .env("SHELLCHECK", crate::hadolint::shellcheck())
        .run()
}

#[test]
fn transcripts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("Dockerfile"),
        "FROM node:22.11.0-slim\nENV NODE_ENV=production\nWORKDIR /app\nCOPY --chown=node:node . .\nUSER 1000\nHEALTHCHECK CMD [\"node\", \"healthcheck.js\"]\nCMD [\"node\", \"server.js\"]\n",
    )
    .unwrap();
    std::fs::write(
        d.join("Dockerfile.bad"),
        "FROM node:latest\nRUN cd /app && npm install\nCOPY . .\nCMD npm start\n",
    )
    .unwrap();
    insta::assert_snapshot!("help", run(d, &["--help"]).transcript());
    insta::assert_snapshot!("version", run(d, &["--version"]).transcript());
    insta::assert_snapshot!("ok", run(d, &["Dockerfile"]).transcript());
    insta::assert_snapshot!("warning", run(d, &["Dockerfile.bad"]).transcript());
    std::fs::write(
        d.join("Dockerfile.worse"),
        "FROM node:22.11.0-slim\nWORKDIR app\nRUN sudo npm ci\nUSER node\nCMD [\"node\", \"server.js\"]\n",
    )
    .unwrap();
    insta::assert_snapshot!("critical", run(d, &["Dockerfile.worse"]).transcript());
    insta::assert_snapshot!("usage", run(d, &["--format", "yaml"]).transcript());
    insta::assert_snapshot!("unknown", run(d, &["Dockerfile.missing"]).transcript());
    insta::assert_snapshot!("explain", run(d, &["--explain", "DL3007"]).transcript());
    // See: issue 22. ShellCheck on RUN: its findings under their SC codes, and one note when
    // it is missing.
    std::fs::write(
        d.join("Dockerfile.shell"),
        "FROM node:22.11.0-slim\nRUN for f in $(ls /etc/*.conf); do echo \"$f\"; done\nUSER node\nHEALTHCHECK CMD [\"node\", \"healthcheck.js\"]\nCMD [\"node\", \"server.js\"]\n",
    )
    .unwrap();
    insta::assert_snapshot!("shellcheck", run(d, &["Dockerfile.shell"]).transcript());
    let without = testkit::cli(env!("CARGO_BIN_EXE_dockerfile-lint"))
        .dir(d)
        .args(["Dockerfile.shell"])
        .env("SHELLCHECK", d.join("no-such-shellcheck"))
        .run();
    insta::assert_snapshot!("shellcheck_missing", without.transcript());
}
