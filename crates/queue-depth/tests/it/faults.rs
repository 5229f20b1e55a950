//! Faults give exit 3 (UNKNOWN) and a one-line reason, within the timeout.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use testkit::RedisServer;

use crate::{bin, output};

/// A TCP server that answers every connection with `reply` (after reading the request), then
/// holds the connection open without another byte.
struct Fake {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Fake {
    fn start(reply: &'static [u8]) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        s.set_nonblocking(false).unwrap();
                        s.set_read_timeout(Some(Duration::from_millis(200)))
                            .unwrap();
                        let mut buf = [0; 4096];
                        let _ = s.read(&mut buf);
                        let _ = s.write_all(reply);
                        held.push(s);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Fake { port, stop }
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn expect_unknown(url: &str, needle: &str) {
    let started = Instant::now();
    let (code, stdout, stderr) = output(bin().args([
        "--url",
        url,
        "--queue",
        "q",
        "--timeout",
        "1",
        "--format",
        "nagios",
    ]));
    let took = started.elapsed();
    assert_eq!(code, 3, "{url}: stdout {stdout} stderr {stderr}");
    let first = stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with("QUEUE-DEPTH UNKNOWN - "), "{first}");
    assert!(first.contains(needle), "{url}: `{needle}` not in {first}");
    assert!(
        took < Duration::from_secs(4),
        "{url}: took {took:?} with a 1 s timeout"
    );
    assert!(stderr.lines().count() <= 2, "{stderr}");
}

#[test]
fn redis_down() {
    let port = testkit::free_port();
    expect_unknown(&format!("redis://127.0.0.1:{port}"), "cannot connect");
}

#[test]
fn wrong_password() {
    let redis = RedisServer::start_with(Some("right-password"), &[]);
    expect_unknown(
        &format!("redis://:wrong-password@127.0.0.1:{}", redis.port()),
        "refused the credentials",
    );
    let (_, stdout, stderr) = output(bin().args([
        "--url",
        &format!("redis://:wrong-password@127.0.0.1:{}", redis.port()),
        "--queue",
        "q",
    ]));
    assert!(
        !stdout.contains("wrong-password") && !stderr.contains("wrong-password"),
        "the password leaked"
    );
}

#[test]
fn no_password_where_one_is_required() {
    let redis = RedisServer::start_with(Some("right-password"), &[]);
    expect_unknown(&format!("redis://127.0.0.1:{}", redis.port()), "NOAUTH");
}

#[test]
fn a_server_that_never_answers() {
    let fake = Fake::start(b"");
    expect_unknown(
        &format!("redis://127.0.0.1:{}", fake.port),
        "did not answer within 1s",
    );
}

#[test]
fn a_server_that_stalls_mid_response() {
    let fake = Fake::start(b":1\r\n$5\r\nab");
    expect_unknown(
        &format!("redis://127.0.0.1:{}", fake.port),
        "did not answer within 1s",
    );
}

#[test]
fn a_malformed_reply() {
    let fake = Fake::start(b"HTTP/1.1 400 Bad Request\r\n\r\n");
    expect_unknown(
        &format!("redis://127.0.0.1:{}", fake.port),
        "malformed reply",
    );
}

#[test]
fn an_oversized_reply() {
    let fake = Fake::start(b"$99999999999\r\n");
    expect_unknown(&format!("redis://127.0.0.1:{}", fake.port), "larger than");
}

#[test]
fn wrong_upstash_token() {
    let redis = RedisServer::start();
    let rest = testkit::UpstashStandIn::start(&redis);
    let started = Instant::now();
    let (code, stdout, _) = output(
        bin()
            .args(["--queue", "q", "--format", "nagios"])
            .env("UPSTASH_REDIS_REST_URL", rest.url())
            .env("UPSTASH_REDIS_REST_TOKEN", "wrong-token"),
    );
    assert_eq!(code, 3, "{stdout}");
    assert!(
        stdout.contains("refused the credentials") && stdout.contains("HTTP 401"),
        "{stdout}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn an_upstash_server_that_stalls() {
    let slow = testkit::HttpServer::start(|_| {
        testkit::Reply::json(200, "[]").delayed(Duration::from_secs(5))
    });
    let started = Instant::now();
    let (code, stdout, _) = output(
        bin()
            .args(["--queue", "q", "--timeout", "1", "--format", "nagios"])
            .env("UPSTASH_REDIS_REST_URL", slow.url())
            .env("UPSTASH_REDIS_REST_TOKEN", "t"),
    );
    assert_eq!(code, 3, "{stdout}");
    assert!(stdout.contains("did not answer within 1s"), "{stdout}");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[test]
fn a_key_of_the_wrong_type_is_unknown_for_that_queue() {
    let redis = RedisServer::start();
    redis.command(&["SET", "bull:q:wait", "not a list"]);
    let (code, stdout, _) =
        output(bin().args(["--url", &redis.url(), "--queue", "q", "--format", "nagios"]));
    assert_eq!(code, 3, "{stdout}");
    assert!(stdout.contains("bull:q:wait: WRONGTYPE"), "{stdout}");
}

#[test]
fn tls_is_verified() {
    let redis = RedisServer::start_tls();
    redis.command(&["SET", "bull:q:id", "1"]);
    redis.command(&["RPUSH", "bull:q:wait", "1", "2"]);
    let tls = redis.tls_url().unwrap();
    // Trusting the server's CA: it reads over TLS.
    let (code, stdout, stderr) = output(
        bin()
            .args([
                "--url", &tls, "--queue", "q", "--format", "nagios", "--cacert",
            ])
            .arg(redis.ca_file()),
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("queue:q.waiting=2"), "{stdout}");
    // Without it, the certificate is refused: UNKNOWN, with the reason.
    expect_unknown(&tls, "TLS handshake failed");
    let (_, stdout, _) = output(bin().args(["--url", &tls, "--queue", "q", "--format", "nagios"]));
    assert!(
        stdout.contains("UnknownIssuer") || stdout.contains("certificate"),
        "{stdout}"
    );
    // Plain TCP to the TLS port is not a Redis reply.
    let plain = tls.replace("rediss://", "redis://");
    let (code, _, _) = output(bin().args(["--url", &plain, "--queue", "q", "--timeout", "1"]));
    assert_eq!(code, 3);
    // A CA file that is not one.
    let (code, stdout, _) =
        output(bin().args(["--url", &tls, "--queue", "q", "--cacert", "/etc/hostname"]));
    assert_eq!(code, 3);
    assert!(
        stdout.contains("no PEM certificate") || stdout.contains("not a PEM"),
        "{stdout}"
    );
}

#[test]
fn a_server_that_drips_is_cut_off_at_the_timeout() {
    // One byte every 100 ms of an endless stream of replies: every read succeeds, none
    // finishes the batch. This held `--timeout 3` for 60 s before the session deadline.
    let drip = testkit::HostileServer::start(testkit::Behaviour::drip(
        b":1\r\n",
        Duration::from_millis(100),
    ));
    expect_unknown(
        &format!("redis://127.0.0.1:{}", drip.port()),
        "did not answer within 1s",
    );
}

#[test]
fn an_error_that_echoes_the_password_or_holds_escapes_is_shown_clean() {
    let secret = "Pw-9f8e7d6c5b4a3f2e1d";
    let echo = testkit::HostileServer::start(testkit::Behaviour::redis_echo());
    let url = format!("redis://:{secret}@127.0.0.1:{}/0", echo.port());
    let hostile = testkit::HostileServer::start(testkit::Behaviour::Reply(
        b"-ERR \x1b[2J\x1b]0;owned\x07 go away\r\n".to_vec(),
    ));
    let escapes = format!("redis://127.0.0.1:{}/0", hostile.port());
    for format in [
        "human",
        "json",
        "nagios",
        "github",
        "sarif",
        "junit",
        "prometheus",
    ] {
        for url in [&url, &escapes] {
            let (code, stdout, stderr) =
                output(bin().args(["--url", url, "--queue", "q", "--format", format, "-v"]));
            assert_eq!(code, 3, "{format}: {stdout} {stderr}");
            let all = format!("{stdout}{stderr}");
            assert!(!all.contains(secret), "{format}: {all}");
            assert!(
                !all.contains('\u{1b}') && !all.contains('\u{7}'),
                "{format}: {all:?}"
            );
        }
    }
}
