//! Running a tool's binary the way a user would, with a clean environment, and snapshotting
//! what it did as one text: the exit code, standard output and standard error. A changed exit
//! code or message then shows up in review as a changed `.snap` file, not only when a
//! substring happens to be asserted.
//!
//! ```no_run
//! // In a tool's integration test: env!("CARGO_BIN_EXE_health-probe").
//! let run = testkit::cli("health-probe")
//!     .args(["--explain", "HP001"])
//!     .run();
//! assert_eq!(run.code, 0);
//! // insta::assert_snapshot!("explain", run.transcript());
//! ```

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Variables a user's shell may hold that change what an opskit tool does; a test run starts
/// without them, and a test that wants one sets it.
const CLEARED: &[&str] = &[
    "OPSKIT_FORMAT",
    "OPSKIT_CONFIG",
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "CI",
    "REDIS_URL",
    "UPSTASH_REDIS_REST_URL",
    "UPSTASH_REDIS_REST_TOKEN",
    "DATABASE_URL",
    "SUPABASE_DB_URL",
    "SENTRY_DSN",
    "SENTRY_AUTH_TOKEN",
    "SENTRY_ORG",
    "SENTRY_PROJECT",
    "SENTRY_URL",
    "SLACK_WEBHOOK_URL",
    "CLICOLOR_FORCE",
    "FORCE_COLOR",
];

/// A command line to run: [`cli`] makes one.
#[derive(Debug)]
pub struct Cli {
    command: Command,
    stdin: Option<Vec<u8>>,
    dir: Option<PathBuf>,
}

/// `program` (a test's `env!("CARGO_BIN_EXE_<name>")`) with a clean environment: none of the
/// variables that steer opskit tools, `NO_COLOR=1`, in the system's temporary directory unless
/// [`Cli::dir`] says otherwise.
///
/// With `OPSKIT_MULTICALL` set to the `opskit` binary, a tool's binary is replaced by
/// `opskit <tool>`: scripts/test.sh runs every tool's CLI suite (its `transcripts` tests) a
/// second time that way, against the same snapshots, so the multicall binary is held to the
/// same help, output and exit codes as each tool's own.
pub fn cli(program: impl AsRef<OsStr>) -> Cli {
    let program = program.as_ref();
    let mut command = match multicall(program) {
        Some((opskit, tool)) => {
            let mut c = Command::new(opskit);
            c.arg(tool);
            c
        }
        None => Command::new(program),
    };
    for var in CLEARED {
        command.env_remove(var);
    }
    command.env("NO_COLOR", "1");
    Cli {
        command,
        stdin: None,
        dir: None,
    }
}

/// The multicall binary and the tool name to run `program` through, when `OPSKIT_MULTICALL`
/// asks for it and `program` is an opskit tool's binary.
fn multicall(program: &OsStr) -> Option<(PathBuf, String)> {
    let opskit = PathBuf::from(std::env::var_os("OPSKIT_MULTICALL").filter(|v| !v.is_empty())?);
    let stem = Path::new(program).file_stem()?.to_str()?;
    multicall_tools(&opskit)
        .iter()
        .any(|t| t == stem)
        .then(|| (opskit, stem.to_owned()))
}

/// The tools the multicall binary holds, as its `--list` prints them: asked once, so the
/// list is written in one place (opskit-cli's `TOOLS`).
fn multicall_tools(opskit: &Path) -> &'static [String] {
    static TOOLS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TOOLS.get_or_init(|| {
        let out = Command::new(opskit)
            .arg("--list")
            .output()
            .unwrap_or_else(|e| {
                panic!("OPSKIT_MULTICALL={}: cannot run it: {e}", opskit.display())
            });
        assert!(
            out.status.success(),
            "{} --list failed: {}",
            opskit.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .map(ToOwned::to_owned)
            .collect()
    })
}

impl Cli {
    /// Runs in `dir`.
    #[must_use]
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Cli {
        self.dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Adds an argument.
    #[must_use]
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cli {
        self.command.arg(arg);
        self
    }

    /// Adds arguments.
    #[must_use]
    pub fn args<I, S>(mut self, args: I) -> Cli
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    /// Sets a variable.
    #[must_use]
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Cli {
        self.command.env(key, value);
        self
    }

    /// Sets several variables.
    #[must_use]
    pub fn envs<'a>(mut self, vars: impl IntoIterator<Item = &'a (&'a str, &'a str)>) -> Cli {
        for (k, v) in vars {
            self.command.env(k, v);
        }
        self
    }

    /// Removes a variable.
    #[must_use]
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Cli {
        self.command.env_remove(key);
        self
    }

    /// Feeds `bytes` on standard input (otherwise it is empty).
    #[must_use]
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Cli {
        self.stdin = Some(bytes.into());
        self
    }

    /// The command itself, for a test that spawns it (a server it stops later).
    pub fn into_command(mut self) -> Command {
        self.command
            .current_dir(self.dir.unwrap_or_else(std::env::temp_dir));
        self.command
    }

    /// Runs it to the end.
    pub fn output(mut self) -> Output {
        let dir = self.dir.unwrap_or_else(std::env::temp_dir);
        self.command
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.command.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e} (is the binary built?)",
                self.command.get_program().display()
            )
        });
        if let Some(mut stdin) = child.stdin.take() {
            let bytes = self.stdin.unwrap_or_default();
            // A tool that does not read its input closes the pipe early; that is not an error.
            let feeder = std::thread::spawn(move || {
                let _ = stdin.write_all(&bytes);
            });
            let out = child.wait_with_output();
            let _ = feeder.join();
            return out.unwrap_or_else(|e| panic!("waiting for the command: {e}"));
        }
        child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("waiting for the command: {e}"))
    }

    /// Runs it to the end, as text.
    pub fn run(self) -> Run {
        let dir = self.dir.clone();
        let out = self.output();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            dir,
        }
    }
}

/// What a finished run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The exit code (-1 when a signal ended it).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    dir: Option<PathBuf>,
}

impl Run {
    /// Standard output, then standard error (for assertion messages).
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// The whole run as one text for a snapshot: `exit: N`, then each stream. What differs
    /// between two runs of the same thing is replaced by a placeholder: the run's directory
    /// (`[DIR]`), durations (`[TIME]`), loopback ports (`127.0.0.1:[PORT]`) and the version
    /// (`[VERSION]`); and since columns are padded to their widest cell, a run of spaces inside
    /// a line is shown as two.
    pub fn transcript(&self) -> String {
        let mut out = format!("exit: {}\n", self.code);
        for (name, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            out.push_str("--- ");
            out.push_str(name);
            out.push('\n');
            out.push_str(&self.normalise(text));
            if !text.is_empty() && !text.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }

    fn normalise(&self, text: &str) -> String {
        let mut text = text.to_owned();
        if let Some(dir) = &self.dir {
            // A temporary directory may be reached through a symbolic link (/tmp on macOS).
            for d in [
                dir.clone(),
                dir.canonicalize().unwrap_or_else(|_| dir.clone()),
            ] {
                let shown = d.display().to_string();
                if !shown.is_empty() {
                    text = text.replace(&shown, "[DIR]");
                }
            }
        }
        let version = env!("CARGO_PKG_VERSION");
        let patterns: [(&str, &str); 4] = [
            (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
            (r"\b\d+(?:\.\d+)? ?(?:ns|µs|us|ms|s)\b", "[TIME]"),
            (
                r#""duration_seconds": [0-9.e-]+"#,
                r#""duration_seconds": [TIME]"#,
            ),
            // Columns padded to the widest cell move when a duration's width changes: inside a
            // line, a run of spaces counts as two.
            (r"(\S) {2,}", "$1  "),
        ];
        for (pattern, with) in patterns {
            text = regex::Regex::new(pattern)
                .unwrap_or_else(|e| panic!("{pattern}: {e}"))
                .replace_all(&text, with)
                .into_owned();
        }
        text.replace(&format!(" {version}"), " [VERSION]")
            .replace(&format!("\"{version}\""), "\"[VERSION]\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transcript_holds_the_code_both_streams_and_no_run_specific_text() {
        let run = Run {
            code: 2,
            stdout: format!(
                "CRITICAL  x  down at 127.0.0.1:41234 after 12ms in /tmp/abc/x (v {})\n",
                env!("CARGO_PKG_VERSION")
            ),
            stderr: "warning: slow 1.5s".to_owned(),
            dir: Some(PathBuf::from("/tmp/abc")),
        };
        assert_eq!(
            run.transcript(),
            "exit: 2\n--- stdout\nCRITICAL  x  down at 127.0.0.1:[PORT] after [TIME] in [DIR]/x (v [VERSION])\n--- stderr\nwarning: slow [TIME]\n"
        );
    }

    #[test]
    fn runs_a_real_program_with_a_clean_environment() {
        let run = cli("sh")
            .args([
                "-c",
                "echo \"${OPSKIT_FORMAT:-unset} $NO_COLOR $X\"; cat; exit 3",
            ])
            .env("X", "x")
            .stdin("in")
            .run();
        assert_eq!((run.code, run.stdout.as_str()), (3, "unset 1 x\nin"));
    }
}
