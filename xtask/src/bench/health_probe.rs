//! The `health-probe` suite: 50 HTTP targets answering in 50-200 ms.

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::sync::Arc;

use crate::Result;

use super::Case;
use super::Guard;
use super::Install;
use super::Options;
use super::Peer;
use super::Side;
use super::cargo_build;
use super::peers::ensure_peer;
use super::strings;

/// A threaded HTTP server that answers `/delay/MS` after MS milliseconds (Python's standard
/// library, so every request waits on its own).
pub(super) const DELAY_SERVER: &str = r#"
import http.server, socketserver, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(int(self.path.rsplit('/', 1)[-1]) / 1000)
        body = b'{"status":"ok"}'
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 256
s = S(('127.0.0.1', 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"#;

pub(super) fn health_probe_cases(options: &Options) -> Result<Vec<Case>> {
    let bin = cargo_build(
        &options.root,
        &["-p", "opskit-health-probe", "--bin", "health-probe"],
        "health-probe",
    )?;
    let bin = bin.to_string_lossy().into_owned();
    let curl = ensure_peer(
        Peer {
            binary: "curl",
            install: Install::Apt("curl"),
        },
        &options.root,
    )?
    .to_string_lossy()
    .into_owned();
    let mut child = Command::new("python3")
        .args(["-c", DELAY_SERVER])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run python3 for the delaying server: {e}"))?;
    let mut line = String::new();
    let stdout = child
        .stdout
        .take()
        .ok_or("the delaying server has no stdout")?;
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
    let port: u16 = line
        .trim()
        .parse()
        .map_err(|_| format!("the delaying server said {line:?}"))?;
    let guard = Arc::new(Guard(std::sync::Mutex::new(child)));
    let work = options.root.join("target/bench-work/health-probe");
    std::fs::create_dir_all(&work)?;
    // 50 targets, 50 to 200 ms, evenly spread.
    let delays: Vec<u64> = (0..50).map(|i| 50 + i * 150 / 49).collect();
    let mut config = String::new();
    for (i, d) in delays.iter().enumerate() {
        let _ = write!(
            config,
            "[[health-probe.targets]]\nname = \"t{i}\"\nurl = \"http://127.0.0.1:{port}/delay/{d}\"\njson = ['status == \"ok\"']\n\n"
        );
    }
    let toml = work.join("opskit.toml");
    std::fs::write(&toml, config)?;
    let urls: Vec<String> = delays
        .iter()
        .map(|d| format!("http://127.0.0.1:{port}/delay/{d}"))
        .collect();
    let quiet = |cmd: String| strings(&["sh", "-c", &format!("{cmd} >/dev/null 2>&1; true")]);
    Ok(vec![Case {
        name: "50 targets, 50-200 ms each".to_owned(),
        sides: vec![
            Side {
                tool: "opskit".to_owned(),
                command: quiet(format!("'{bin}' --config '{}' -f json", toml.display())),
            },
            Side {
                tool: "the slowest target alone".to_owned(),
                command: quiet(format!("'{bin}' http://127.0.0.1:{port}/delay/200 -f json")),
            },
            Side {
                tool: "curl, one after another".to_owned(),
                command: quiet(format!(
                    "for u in {}; do '{curl}' -s -o /dev/null \"$u\"; done",
                    urls.join(" ")
                )),
            },
        ],
        guard: Some(guard),
        floor: None,
    }])
}
