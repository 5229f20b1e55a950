//! Running the project's own tools: with a timeout, output captured, never through a shell.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a finished command left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The exit code; `None` when a signal ended it.
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// How long it ran.
    pub duration: Duration,
}

impl Output {
    /// The first non-blank line of stderr, else of stdout: what to quote when a tool fails.
    /// Banners that say nothing of the cause (ESLint's `Oops! Something went wrong! :(` and
    /// its version line) are passed over.
    pub fn first_line(&self) -> &str {
        let lines = || {
            self.stderr
                .lines()
                .chain(self.stdout.lines())
                .map(str::trim)
                .filter(|l| !l.is_empty())
        };
        lines()
            .find(|l| !l.starts_with("Oops! Something went wrong") && !l.starts_with("ESLint: "))
            .or_else(|| lines().next())
            .unwrap_or("no output")
    }
}

/// Why a command did not finish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    /// It could not start.
    #[error("cannot run {program}: {reason}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        reason: String,
    },
    /// It ran past the limit and was killed.
    #[error("{program} did not finish within {}s and was stopped", limit.as_secs())]
    Timeout {
        /// The program.
        program: String,
        /// The limit.
        limit: Duration,
    },
}

/// Runs `program args` in `dir` with `env` added, killing it and every process it started
/// after `timeout`.
pub fn run(
    program: &Path,
    args: &[&str],
    dir: &Path,
    env: &[(&str, &str)],
    timeout: Duration,
) -> Result<Output, ExecError> {
    let name = program.file_name().map_or_else(
        || program.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let started = Instant::now();
    let deadline = opskit::deadline::Deadline::after(timeout);
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| ExecError::Spawn {
            program: name.clone(),
            reason: e.to_string(),
        })?;
    // Drain both pipes on threads so a chatty tool cannot fill a pipe and block.
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(p) = out_pipe.as_mut() {
            let _ = p.read_to_string(&mut s);
        }
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.read_to_string(&mut s);
        }
        s
    });
    let status = match deadline.wait(&mut child) {
        Ok(Some(status)) => status,
        Ok(None) => {
            return Err(ExecError::Timeout {
                program: name,
                limit: timeout,
            });
        }
        Err(e) => {
            return Err(ExecError::Spawn {
                program: name,
                reason: e.to_string(),
            });
        }
    };
    Ok(Output {
        code: status.code(),
        stdout: out_thread.join().unwrap_or_default(),
        stderr: err_thread.join().unwrap_or_default(),
        duration: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cause_not_the_banner() {
        let out = Output {
            code: Some(2),
            stdout: String::new(),
            stderr: "\nOops! Something went wrong! :(\n\nESLint: 10.8.0\n\nError: Cannot find package 'x'\n    at y\n".to_owned(),
            duration: Duration::ZERO,
        };
        assert_eq!(out.first_line(), "Error: Cannot find package 'x'");
    }

    #[test]
    fn captures_and_times_out() {
        let sh = Path::new("/bin/sh");
        let out = run(
            sh,
            &["-c", "echo out; echo err >&2; exit 4"],
            Path::new("/"),
            &[("X", "1")],
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (Some(4), "out\n", "err\n")
        );
        let err = run(
            sh,
            &["-c", "sleep 5"],
            Path::new("/"),
            &[],
            Duration::from_millis(200),
        )
        .unwrap_err();
        assert!(matches!(err, ExecError::Timeout { .. }), "{err}");
        assert!(matches!(
            run(
                Path::new("/nonexistent/tool"),
                &[],
                Path::new("/"),
                &[],
                Duration::from_secs(1)
            ),
            Err(ExecError::Spawn { .. })
        ));
    }
}
