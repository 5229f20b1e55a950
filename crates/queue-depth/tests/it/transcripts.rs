//! The CLI as a user meets it, snapshotted whole (exit code, stdout, stderr): help, version, an
//! OK run, a CRITICAL run, a usage error, an UNKNOWN run and `--explain`.

use testkit::RedisServer;

fn run(args: &[&str]) -> testkit::Run {
    testkit::cli(env!("CARGO_BIN_EXE_queue-depth"))
        .args(args)
        .run()
}

#[test]
fn transcripts() {
    let redis = RedisServer::start();
    let url = redis.url();
    insta::assert_snapshot!("help", run(&["--help"]).transcript());
    insta::assert_snapshot!("version", run(&["--version"]).transcript());
    redis.command(&["RPUSH", "bull:emails:wait", "1", "2", "3"]);
    insta::assert_snapshot!(
        "ok",
        run(&["--url", &url, "--queue", "emails"]).transcript()
    );
    insta::assert_snapshot!(
        "critical",
        run(&["--url", &url, "--queue", "emails", "-w", "1", "-c", "2"]).transcript()
    );
    insta::assert_snapshot!("usage", run(&["-w", "20:10"]).transcript());
    insta::assert_snapshot!(
        "unknown",
        run(&["--url", "redis://127.0.0.1:1/0", "--queue", "emails"]).transcript()
    );
    insta::assert_snapshot!("explain", run(&["--explain", "QD001"]).transcript());
}

#[test]
fn a_url_that_does_not_parse_never_shows_its_password() {
    // Issue 18: a lone Redis user is the password (clients send it to AUTH), and a URL with a
    // bad port used to be printed whole.
    for url in [
        "redis://Tok3nAsUser99@127.0.0.1:notaport",
        "redis://:P4ss#word99@127.0.0.1:notaport",
    ] {
        for format in ["human", "json", "sarif", "github", "nagios", "junit"] {
            let run = run(&["--url", url, "--queue", "q", "-f", format]);
            assert_eq!(run.code, 3, "{url} {format}: {}", run.text());
            let text = run.text();
            assert!(
                !text.contains("Tok3nAsUser99") && !text.contains("P4ss#word99"),
                "{url} {format}: {text}"
            );
        }
    }
}
