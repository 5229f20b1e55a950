//! `--watch`: the same run again and again, each shown as it comes.

use std::io::Write;

use super::{CommonArgs, finish, use_color};
use crate::Status;
use crate::render::{self, Format, RenderOptions};
use crate::report::Report;
use crate::time::utc_timestamp;

/// Repeated runs: on a terminal the human report is redrawn in place; otherwise human output
/// is one line per run (`2026-11-27T03:40:00Z WARNING summary`), and machine formats print a
/// whole report per run. The exit code is the last run's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watch {
    /// Time between the starts of two runs.
    pub interval: std::time::Duration,
    /// Stop after this many runs; `None` runs until interrupted.
    pub count: Option<u64>,
}

/// Runs `once` every `watch.interval` (`watch.count` times, or until stdout is gone or the
/// process is stopped) and shows each report; the status is the last run's.
pub(super) fn run(
    watch: Watch,
    common: &CommonArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdout_is_terminal: bool,
    no_color: Option<&str>,
    once: &mut dyn FnMut(&mut dyn Write) -> Report,
) -> Status {
    let mut runs = 0u64;
    loop {
        let started = std::time::Instant::now();
        let report = once(stderr);
        runs += 1;
        let status = if common.format == Format::Human && !common.quiet {
            if !write_watch_frame(&report, common, stdout, stdout_is_terminal, no_color) {
                return report.status();
            }
            report.status()
        } else {
            finish(
                &report,
                common,
                stdout,
                stderr,
                stdout_is_terminal,
                no_color,
                None,
            )
        };
        if watch.count.is_some_and(|n| runs >= n) {
            return status;
        }
        std::thread::sleep(watch.interval.saturating_sub(started.elapsed()));
    }
}

/// One `--watch` frame of human output: the whole report redrawn on a terminal, one line
/// otherwise. False when stdout is gone.
fn write_watch_frame(
    report: &Report,
    common: &CommonArgs,
    stdout: &mut dyn Write,
    is_terminal: bool,
    no_color: Option<&str>,
) -> bool {
    let written = if is_terminal {
        write!(stdout, "\x1b[2J\x1b[H").and_then(|()| {
            let options = RenderOptions {
                color: use_color(common.color, no_color, true),
                verbose: common.verbose,
            };
            render::render(report, Format::Human, &options, stdout)
        })
    } else {
        writeln!(
            stdout,
            "{} {} {}",
            utc_timestamp(crate::time::now_unix()),
            report.status(),
            render::one_line(&report.summary())
        )
    };
    written.and_then(|()| stdout.flush()).is_ok()
}
