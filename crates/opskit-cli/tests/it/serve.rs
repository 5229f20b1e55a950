//! `opskit serve` as a user meets it: against a real redis-server with real BullMQ queues, a
//! real PostgreSQL backed up by db-backup, and an HTTP target that goes down and comes back,
//! looked at in headless Chromium (tests/browser/check.js). Screenshots of every view are
//! written to `target/tmp/serve-screenshots/`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::OPSKIT;

/// How long anything the server should show may take to show.
const WAIT: Duration = Duration::from_secs(30);

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running `opskit serve`; killed (SIGKILL, as a crash) on drop.
struct Serve {
    child: Child,
    url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    /// Starts `opskit serve ARGS --listen 127.0.0.1:0` in `dir` and waits for its
    /// "listening on" line.
    fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut cmd = Command::new(OPSKIT);
        cmd.arg("serve")
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Some(url) = line.split("listening on ").nth(1) {
                        let _ = tx.send(url.trim().to_owned());
                    }
                    log.lock().unwrap().push(line);
                }
            });
        }
        let Ok(url) = rx.recv_timeout(WAIT) else {
            let _ = child.kill();
            panic!("opskit serve did not start: {:?}", log.lock().unwrap());
        };
        Serve { child, url, log }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    fn get(&self, path: &str) -> Response {
        get(&self.url, path, None)
    }

    fn json(&self, path: &str) -> Value {
        let r = self.get(path);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        serde_json::from_str(&r.body).unwrap()
    }

    /// Polls `path` until `test` holds, within [`WAIT`].
    fn until(&self, path: &str, what: &str, test: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            let v = self.json(path);
            if test(&v) {
                return v;
            }
            assert!(
                start.elapsed() < WAIT,
                "{path}: {what} did not happen within {WAIT:?}; last:\n{v:#}\nlog:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A response, read whole.
struct Response {
    status: u16,
    head: String,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }
}

/// `GET path` over a plain socket, so the test sees exactly what the server sends.
fn get(base: &str, path: &str, authorization: Option<&str>) -> Response {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    let auth = authorization
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Response {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

/// An HTTP target whose health can be switched off (503) and on.
fn target() -> (testkit::HttpServer, Arc<AtomicBool>) {
    let up = Arc::new(AtomicBool::new(true));
    let flag = Arc::clone(&up);
    let server = testkit::HttpServer::start(move |_| {
        if flag.load(Ordering::SeqCst) {
            testkit::Reply::json(200, r#"{"status":"ok"}"#)
        } else {
            testkit::Reply::json(503, r#"{"status":"down"}"#)
        }
    });
    (server, up)
}

fn browser(phase: &str, base: &str, extra: &[&str]) -> Value {
    let out = Command::new("node")
        .arg(browser_dir().join("check.js"))
        .args([base, screenshots().to_str().unwrap(), phase])
        .args(extra)
        .current_dir(browser_dir())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run node ({e}); install Node.js 20 and run scripts/test.sh")
        });
    assert!(
        out.status.success(),
        "the browser check `{phase}` failed (Chromium: apt-get install chromium; npm ci in {}):\n{}",
        browser_dir().display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn service<'a>(overview: &'a Value, name: &str) -> Option<&'a Value> {
    overview["services"]
        .as_array()?
        .iter()
        .find(|s| s["name"] == name)
}

fn colour_is(name: &'static str, colour: &'static str) -> impl Fn(&Value) -> bool {
    move |o| service(o, name).is_some_and(|s| s["colour"] == colour)
}

fn write_config(dir: &Path, target: &str, pg_bin: Option<&Path>) {
    let mut text = format!(
        "[[health-probe.targets]]\nname = \"web\"\nurl = \"{target}/health\"\njson = ['status == \"ok\"']\n\n[serve]\ntitle = \"Test platform\"\n"
    );
    if let Some(bin) = pg_bin {
        use std::fmt::Write as _;
        let _ = write!(
            text,
            "\n[queue-depth]\nurl = \"${{QUEUE_URL}}\"\nqueues = [\"emails\"]\nwarning = 5\ncritical = 100\n\n[db-backup]\nurl = \"${{BACKUP_URL}}\"\ndir = \"backups\"\npg_bin = \"{}\"\nmax_age = \"1h\"\n",
            bin.display()
        );
    }
    std::fs::write(dir.join("opskit.toml"), text).unwrap();
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one platform for the whole story, step after step"
)]
fn serve_shows_the_platform_in_chromium() {
    let password = "s3rve-test-redis-pw-7f1c";
    let redis = testkit::RedisServer::start_with(Some(password), &[]);
    let pg = testkit::PostgresServer::start();
    let (web, up) = target();
    let work = tempfile::tempdir().unwrap();
    write_config(work.path(), &web.url(), Some(pg.bin_dir()));
    let db = pg.url("postgres");
    // Two real backups, verified by db-backup itself.
    for i in 0..2 {
        if i > 0 {
            // Backups are named by the second they start in.
            std::thread::sleep(Duration::from_millis(1100));
        }
        let run = testkit::cli(OPSKIT)
            .args(["db-backup", "run"])
            .env("BACKUP_URL", &db)
            .dir(work.path())
            .run();
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
    let fill = testkit::NodeScript::start(&browser_dir(), "fill.js", &[redis.url().as_ref()]);
    assert_eq!(fill.report["waiting"], 7, "{}", fill.report);
    let env = [("QUEUE_URL", redis.url()), ("BACKUP_URL", db)];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let serve = Serve::start(
        work.path(),
        &[
            "--health-every",
            "200ms",
            "--queues-every",
            "300ms",
            "--backups-every",
            "1s",
            "--down-after",
            "2",
            "--up-after",
            "2",
        ],
        &env,
    );
    serve.until(
        "/api/v1/overview",
        "web green, the queue amber, backups green",
        |o| {
            colour_is("web", "green")(o)
                && colour_is("queue:emails", "amber")(o)
                && colour_is("Backups", "green")(o)
        },
    );
    up.store(false, Ordering::SeqCst);
    serve.until("/api/v1/overview", "web red", colour_is("web", "red"));
    browser("down", &serve.url, &[]);
    up.store(true, Ordering::SeqCst);
    let targets = serve.until("/api/v1/targets", "web's incident closed", |t| {
        t["targets"][0]["incidents"][0]["ongoing"] == false && t["targets"][0]["colour"] == "green"
    });
    let incident = &targets["targets"][0]["incidents"][0];
    assert!(
        incident["reason"].as_str().unwrap().contains("503"),
        "{incident}"
    );
    assert!(incident["duration_s"].as_i64().unwrap() >= 0, "{incident}");
    let queues = serve.json("/api/v1/queues");
    let q = &queues["queues"][0];
    assert_eq!(
        (
            q["now"]["depth"].as_u64(),
            q["now"]["failed"].as_u64(),
            q["now"]["delayed"].as_u64()
        ),
        (Some(7), Some(5), Some(2)),
        "{q:#}"
    );
    let seen = browser("final", &serve.url, &["", password]);
    assert!(
        seen["seen"].as_array().is_some_and(|s| s.len() >= 8),
        "{seen}"
    );
    // The log names every change of colour, and no page or log line holds the password.
    let log = serve.log();
    assert!(
        log.contains("web is down") && log.contains("web is ok"),
        "{log}"
    );
    for path in [
        "/",
        "/targets",
        "/queues",
        "/backups",
        "/api/v1/queues",
        "/metrics",
    ] {
        assert!(
            !serve.get(path).body.contains(password),
            "{path} holds the Redis password"
        );
    }
    assert!(!log.contains(password), "{log}");
    let metrics = serve.get("/metrics");
    assert!(
        metrics.body.contains("bullmq_queue_depth{queue=\"emails\"")
            && metrics.body.contains("probe_success{target=\"web\"}"),
        "{}",
        metrics.body
    );
    drop(fill);
}

#[test]
fn serve_keeps_its_history_across_a_restart_and_a_torn_write() {
    let (web, up) = target();
    let work = tempfile::tempdir().unwrap();
    write_config(work.path(), &web.url(), None);
    let args = [
        "--health-every",
        "100ms",
        "--down-after",
        "1",
        "--up-after",
        "1",
    ];
    let before = {
        let serve = Serve::start(work.path(), &args, &[]);
        serve.until("/api/v1/targets", "a probe", |t| {
            t["targets"][0]["colour"] == "green"
        });
        up.store(false, Ordering::SeqCst);
        serve.until("/api/v1/overview", "web red", colour_is("web", "red"));
        up.store(true, Ordering::SeqCst);
        let closed = serve.until("/api/v1/targets", "the incident closed", |t| {
            t["targets"][0]["incidents"][0]["ongoing"] == false
        });
        // More probes after it, so the write torn below is a probe's, not the recovery's.
        std::thread::sleep(Duration::from_millis(600));
        closed
    };
    // SIGKILL above, as a crash; now a write torn in the middle of a record.
    let history = work.path().join(".opskit/history");
    let mut segments: Vec<PathBuf> = std::fs::read_dir(&history)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ohist"))
        .collect();
    segments.sort();
    let last = segments.last().unwrap();
    let len = std::fs::metadata(last).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(last)
        .unwrap()
        .set_len(len - 7)
        .unwrap();
    let serve = Serve::start(work.path(), &args, &[]);
    let log = serve.log();
    assert!(log.contains("damaged bytes cut off"), "{log}");
    let after = serve.json("/api/v1/targets");
    let incident = |v: &Value| v["targets"][0]["incidents"][0].clone();
    assert_eq!(
        incident(&after)["start"],
        incident(&before)["start"],
        "{after:#}"
    );
    assert_eq!(
        incident(&after)["end"],
        incident(&before)["end"],
        "{after:#}"
    );
    let uptime = after["targets"][0]["uptime"]["24h"].as_f64().unwrap();
    assert!(uptime > 0.0 && uptime < 100.0, "{after:#}");
    // A second server on the same history is refused, with the reason.
    let second = testkit::cli(OPSKIT)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .dir(work.path())
        .run();
    assert_eq!(second.code, 3, "{}", second.transcript());
    assert!(
        second.stdout.contains("in use by another `opskit serve`"),
        "{}",
        second.transcript()
    );
}

/// Every `<script>` and `<style>` of a page carries the nonce of its CSP, and nothing else
/// could run: no event handler attributes, no `javascript:` links, no inline style.
fn assert_strict(r: &Response, path: &str) {
    let csp = r
        .header("Content-Security-Policy")
        .unwrap_or_else(|| panic!("{path}: no CSP"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    for tag in ["<script", "<style"] {
        for piece in r.body.split(tag).skip(1) {
            let head = piece.split('>').next().unwrap();
            assert!(
                head.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: {tag}{head}> without the nonce"
            );
        }
    }
    let lower = r.body.to_ascii_lowercase();
    for bad in [
        " onclick=",
        " onload=",
        " onerror=",
        "javascript:",
        " style=\"",
    ] {
        assert!(!lower.contains(bad), "{path} holds {bad}");
    }
    assert_eq!(
        r.header("X-Content-Type-Options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(r.header("X-Frame-Options").as_deref(), Some("DENY"));
    // Sent whole with its length, never chunked (chunks wait on delayed ACKs).
    assert_eq!(r.header("Transfer-Encoding"), None, "{path}");
    assert_eq!(
        r.header("Content-Length"),
        Some(r.body.len().to_string()),
        "{path}"
    );
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "auth, the public page and the refusals share a target"
)]
fn serve_is_safe_by_default() {
    let (web, _up) = target();
    let work = tempfile::tempdir().unwrap();
    write_config(work.path(), &web.url(), None);
    let pw = "correct-horse-battery-staple";
    let token = "tok-0123456789abcdef";
    let env = [("OPSKIT_SERVE_PASSWORD", pw), ("OPSKIT_SERVE_TOKEN", token)];
    let serve = Serve::start(
        work.path(),
        &[
            "--auth",
            "basic",
            "--auth",
            "bearer",
            "--health-every",
            "100ms",
        ],
        &env,
    );
    let basic = |u: &str, p: &str| format!("Basic {}", encode(&format!("{u}:{p}")));
    for path in ["/", "/queues", "/api/v1/overview", "/metrics"] {
        let r = get(&serve.url, path, None);
        assert_eq!(r.status, 401, "{path}");
        assert!(
            r.header("WWW-Authenticate")
                .is_some_and(|h| h.starts_with("Basic")),
            "{}",
            r.head
        );
        assert_eq!(
            get(&serve.url, path, Some(&basic("opskit", "wrong"))).status,
            401
        );
        assert_eq!(get(&serve.url, path, Some("Bearer tok-wrong")).status, 401);
        let ok = get(&serve.url, path, Some(&basic("opskit", pw)));
        assert_eq!(ok.status, 200, "{path}");
        assert!(
            !ok.body.contains(pw) && !ok.body.contains(token),
            "{path} shows a secret"
        );
        assert_eq!(
            get(&serve.url, path, Some(&format!("Bearer {token}"))).status,
            200,
            "{path}"
        );
        if !path.starts_with("/api") && path != "/metrics" {
            assert_strict(&ok, path);
        }
    }
    // Clients that connect and say nothing, or send half a request, hold no one else up.
    let silent: Vec<TcpStream> = (0..4)
        .map(|i| {
            let mut s = TcpStream::connect(serve.url.trim_start_matches("http://")).unwrap();
            if i % 2 == 1 {
                s.write_all(b"GET / HTTP/1.1\r\nAuthoriz").unwrap();
            }
            s
        })
        .collect();
    assert_eq!(get(&serve.url, "/", Some(&basic("opskit", pw))).status, 200);
    drop(silent);
    // A fresh nonce per response: one seen once is no key to the next page.
    let nonces: std::collections::BTreeSet<String> = (0..3)
        .map(|_| {
            get(&serve.url, "/", Some(&basic("opskit", pw)))
                .header("Content-Security-Policy")
                .unwrap()
        })
        .collect();
    assert_eq!(nonces.len(), 3, "{nonces:?}");
    // Liveness stays open for the platform's health check; writes are refused.
    assert_eq!(get(&serve.url, "/health", None).status, 200);
    browser("auth", &serve.url, &["opskit", pw]);
    drop(serve);

    // Public: the overview and uptime only, cacheable; no queue names, no reasons.
    let public = Serve::start(
        work.path(),
        &[
            "--public",
            "--history",
            "public-history",
            "--health-every",
            "100ms",
        ],
        &[],
    );
    public.until("/api/v1/uptime", "uptime", |u| {
        u["targets"][0]["uptime"]["24h"].is_number()
    });
    let page = public.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("Cache-Control").as_deref(),
        Some("public, max-age=30")
    );
    assert!(
        page.body.contains("operating normally") && page.body.contains("30 days"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("up in"),
        "the public page shows a probe's words"
    );
    for path in [
        "/targets",
        "/queues",
        "/backups",
        "/api/v1/queues",
        "/api/v1/targets",
        "/metrics",
    ] {
        assert_eq!(public.get(path).status, 404, "{path}");
    }
    drop(public);

    // Any address but loopback without --auth or --public is refused: exit 3, and why.
    let open = testkit::cli(OPSKIT)
        .args(["serve", "--listen", "0.0.0.0:0", "--history", "h3"])
        .dir(work.path())
        .run();
    assert_eq!(open.code, 3, "{}", open.transcript());
    assert!(
        open.stdout.contains("--auth basic"),
        "{}",
        open.transcript()
    );
    let no_password = testkit::cli(OPSKIT)
        .args(["serve", "--auth", "basic", "--listen", "127.0.0.1:0"])
        .env_remove("OPSKIT_SERVE_PASSWORD")
        .dir(work.path())
        .run();
    assert_eq!(no_password.code, 3, "{}", no_password.transcript());
    assert!(
        no_password.stdout.contains("$OPSKIT_SERVE_PASSWORD"),
        "{}",
        no_password.transcript()
    );
}

fn encode(text: &str) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = text.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &c)| n | (u32::from(c) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
