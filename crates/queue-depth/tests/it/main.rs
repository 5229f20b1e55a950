//! queue-depth against real parts: redis-server from testkit, queues filled by the real BullMQ
//! 5 and 6 and Bull, the Upstash stand-in checked with the official client, and faults.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

mod cli;
mod counts;
mod faults;
mod transcripts;
mod upstash;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The npm project with BullMQ 5, 6, Bull and @upstash/redis.
pub fn node_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node");
    assert!(
        dir.join("node_modules/bullmq6").is_dir(),
        "the test helpers' npm packages are missing; run `npm ci --prefix {}` (scripts/test.sh does it)",
        dir.display()
    );
    dir
}

/// Queues filled by a real library, whose workers stay alive until this is dropped.
#[derive(Debug)]
pub struct Filled {
    child: Child,
    _stdin: ChildStdin,
    /// `{"prefix:name": {"counts": {...}, "paused": bool}}` from the library itself.
    pub library: serde_json::Value,
}

impl Drop for Filled {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `fill.js` for `lib` against a redis on `port`.
pub fn fill(lib: &str, port: u16) -> Filled {
    let dir = node_dir();
    let mut child = Command::new("node")
        .arg(dir.join("fill.js"))
        .args([lib, &port.to_string()])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node ({e}); install Node.js 20"));
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let Ok(line) = rx.recv_timeout(Duration::from_mins(1)) else {
        let _ = child.kill();
        panic!("fill.js {lib} did not report within 60 s");
    };
    if line.trim().is_empty() {
        let _ = child.kill();
        let mut err = String::new();
        let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
        panic!("fill.js {lib} failed:\n{err}");
    }
    Filled {
        child,
        _stdin: stdin,
        library: serde_json::from_str(&line).unwrap(),
    }
}

/// The queue-depth binary.
pub fn bin() -> Command {
    testkit::cli(env!("CARGO_BIN_EXE_queue-depth"))
        .env_remove("NO_COLOR")
        .into_command()
}

/// Runs a command and returns (exit code, stdout, stderr).
pub fn output(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
