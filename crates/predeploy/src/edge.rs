//! The command line of `predeploy`, shared by its own binary and by `opskit predeploy`: the
//! `readiness` subcommand and the one-line progress view on a terminal.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use opskit::cli::{Context, HookFactory};
use opskit::report::Report;

use crate::{Args, Error, Progress};

/// Runs `predeploy` with these arguments (the first is the program name), as the binary does:
/// `predeploy readiness …` is the production readiness checklist, anything else the
/// pre-deployment validation.
pub fn main_from(argv: Vec<OsString>, hooks: Option<HookFactory>) -> ExitCode {
    if argv.get(1).is_some_and(|a| a == "readiness") {
        return opskit::cli::main_from_with::<crate::readiness::Args, _>(
            argv.into_iter().skip(1),
            crate::readiness::run,
            hooks,
        );
    }
    opskit::cli::main_from_with::<Args, _>(argv, run_with_progress, hooks)
}

/// The clap definition with `readiness` beside the flags, for completions and manual pages.
pub fn command() -> clap::Command {
    use clap::CommandFactory as _;
    // The subcommand's bin name is computed from its parent's here (`predeploy readiness` as a
    // tool, `opskit predeploy readiness` in the multicall binary's completions).
    Args::command()
        .subcommand(crate::readiness::Args::command().bin_name(clap::builder::Resettable::Reset))
}

fn run_with_progress(args: &Args, cx: &Context) -> Result<Report, Error> {
    // `-q` means nothing on stderr but errors: no progress line either.
    if args.common.quiet {
        return crate::run_with(args, cx, &mut |_| {});
    }
    crate::run_with(args, cx, &mut progress_line)
}

/// A one-line live view on stderr, only on a terminal: which checks still run.
fn progress_line(event: Progress) {
    let mut err = std::io::stderr();
    if !err.is_terminal() {
        return;
    }
    let text = match event {
        Progress::Started(names) => format!("running {}", names.join(", ")),
        Progress::Finished {
            name,
            status,
            duration,
            running,
        } if running.is_empty() => {
            format!("{name} {status} in {:.1}s; done", duration.as_secs_f64())
        }
        Progress::Finished {
            name,
            status,
            duration,
            running,
        } => {
            format!(
                "{name} {status} in {:.1}s; still running {}",
                duration.as_secs_f64(),
                running.join(", ")
            )
        }
    };
    let _ = write!(err, "\r\x1b[2K{text}");
    if text.ends_with("done") {
        let _ = write!(err, "\r\x1b[2K");
    }
    let _ = err.flush();
}
