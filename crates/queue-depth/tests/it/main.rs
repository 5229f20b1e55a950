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

use std::path::PathBuf;
use std::process::Command;

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
    _script: testkit::NodeScript,
    /// `{"prefix:name": {"counts": {...}, "paused": bool}}` from the library itself.
    pub library: serde_json::Value,
}

/// Runs `fill.js` for `lib` against a redis on `port`.
pub fn fill(lib: &str, port: u16) -> Filled {
    let port = port.to_string();
    let script = testkit::NodeScript::start(&node_dir(), "fill.js", &[lib.as_ref(), port.as_ref()]);
    Filled {
        library: script.report.clone(),
        _script: script,
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
