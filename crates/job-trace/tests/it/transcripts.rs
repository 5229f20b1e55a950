//! The CLI as a user meets it, snapshotted whole (exit code, stdout, stderr): help, version, an
//! OK run, a CRITICAL run, a usage error, an UNKNOWN run and `--explain`.

use testkit::RedisServer;

fn run(args: &[&str]) -> testkit::Run {
    testkit::cli(env!("CARGO_BIN_EXE_job-trace"))
        .args(args)
        .run()
}

#[test]
fn transcripts() {
    let redis = RedisServer::start();
    let url = redis.url();
    insta::assert_snapshot!("help", run(&["--help"]).transcript());
    insta::assert_snapshot!("version", run(&["--version"]).transcript());
    // A completed job and a failed one, written as BullMQ 6 writes them, with fixed times.
    redis.command(&[
        "HSET",
        "bull:emails:1",
        "name",
        "send",
        "timestamp",
        "1795748400000",
        "processedOn",
        "1795748400120",
        "finishedOn",
        "1795748402300",
        "atm",
        "1",
        "opts",
        "{\"attempts\":1}",
    ]);
    redis.command(&["ZADD", "bull:emails:completed", "1795748402300", "1"]);
    redis.command(&["RPUSH", "bull:emails:1:logs", "connecting", "sent"]);
    redis.command(&["HSET", "bull:emails:2", "name", "send", "timestamp", "1795748400000", "processedOn", "1795748400100", "finishedOn", "1795748400200", "atm", "2", "opts", "{\"attempts\":2,\"backoff\":{\"type\":\"fixed\",\"delay\":1000}}", "failedReason", "SMTP 554 rejected", "stacktrace", "[\"Error: SMTP 554 rejected\\n    at send (/app/worker.js:10:5)\\n    at run (/app/worker.js:20:3)\"]"]);
    redis.command(&["ZADD", "bull:emails:failed", "1795748400200", "2"]);
    redis.command(&[
        "XADD",
        "bull:emails:events",
        "1795748400000-0",
        "event",
        "added",
        "jobId",
        "2",
        "name",
        "send",
    ]);
    redis.command(&[
        "XADD",
        "bull:emails:events",
        "1795748400200-0",
        "event",
        "failed",
        "jobId",
        "2",
        "failedReason",
        "SMTP 554 rejected",
        "prev",
        "active",
    ]);
    insta::assert_snapshot!("ok", run(&["--url", &url, "emails", "1"]).transcript());
    insta::assert_snapshot!(
        "critical",
        run(&["--url", &url, "emails", "2"]).transcript()
    );
    insta::assert_snapshot!(
        "failed",
        run(&["--url", &url, "emails", "--failed"]).transcript()
    );
    insta::assert_snapshot!("usage", run(&["emails", "1", "--failed"]).transcript());
    insta::assert_snapshot!(
        "unknown",
        run(&["--url", "redis://127.0.0.1:1/0", "emails", "1"]).transcript()
    );
    insta::assert_snapshot!("explain", run(&["--explain", "JT001"]).transcript());
}
