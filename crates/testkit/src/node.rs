//! A Node.js helper script that sets something up with a real npm library (BullMQ, pino),
//! prints one JSON line of what the library itself says, and keeps running (live workers)
//! until its stdin closes.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running helper script and the JSON line it printed; killed on drop.
#[derive(Debug)]
pub struct NodeScript {
    child: Child,
    _stdin: ChildStdin,
    /// The line it printed, parsed.
    pub report: serde_json::Value,
}

impl Drop for NodeScript {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl NodeScript {
    /// Runs `node SCRIPT ARGS...` in `dir` and waits (at most a minute) for its JSON line;
    /// a script that fails or says nothing fails the test with its stderr.
    pub fn start(dir: &Path, script: &str, args: &[&std::ffi::OsStr]) -> NodeScript {
        let mut child = Command::new("node")
            .arg(dir.join(script))
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run node ({e}); install Node.js 20"));
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            panic!("{script}: no pipes to the child");
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let Ok(line) = rx.recv_timeout(Duration::from_mins(1)) else {
            let _ = child.kill();
            panic!("{script} did not report within 60 s");
        };
        if line.trim().is_empty() {
            let _ = child.kill();
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            panic!("{script} failed:\n{err}");
        }
        let report = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("{script} printed what is not JSON ({e}): {line}"));
        NodeScript {
            child,
            _stdin: stdin,
            report,
        }
    }
}
