//! job-trace against real parts: jobs in every state made by the real BullMQ 5 and 6 while a
//! worker logs through the real pino, read over native Redis and the Upstash stand-in and
//! compared with what BullMQ's own Job.fromId(), getState() and getJobLogs() say.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

mod cli;
mod parity;
mod sentry;
mod transcripts;

use std::path::{Path, PathBuf};

/// The npm project with BullMQ 5, 6 and pino.
pub fn node_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node");
    assert!(
        dir.join("node_modules/bullmq6").is_dir() && dir.join("node_modules/pino").is_dir(),
        "the test helpers' npm packages are missing; run `npm ci --prefix {}` (scripts/test.sh does it)",
        dir.display()
    );
    dir
}

/// Jobs made by a real library, whose live worker stays until this is dropped.
#[derive(Debug)]
pub struct Scenario {
    _script: testkit::NodeScript,
    /// Per job: what the library itself says about it.
    pub library: serde_json::Value,
}

impl Scenario {
    /// What BullMQ says of the job `key` (`completed`, `failed`, `stalled`, ...).
    pub fn job(&self, key: &str) -> &serde_json::Value {
        &self.library[key]
    }

    /// The job's queue and id.
    pub fn at(&self, key: &str) -> (String, String) {
        let j = self.job(key);
        (
            j["queue"].as_str().unwrap().to_owned(),
            j["id"].as_str().unwrap().to_owned(),
        )
    }
}

/// Runs `scenario.js` for `lib` against a redis on `port`, pino writing to `log`.
pub fn scenario(lib: &str, port: u16, log: &Path) -> Scenario {
    let port = port.to_string();
    let script = testkit::NodeScript::start(
        &node_dir(),
        "scenario.js",
        &[lib.as_ref(), port.as_ref(), log.as_os_str()],
    );
    Scenario {
        library: script.report.clone(),
        _script: script,
    }
}
