//! `predeploy`: see the library's documentation and `predeploy --help`.

use std::io::{IsTerminal, Write};

use opskit::cli::Context;
use opskit::report::Report;
use opskit_predeploy::{Args, Error, Progress};

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

fn run(args: &Args, cx: &Context) -> Result<Report, Error> {
    // `-q` means nothing on stderr but errors: no progress line either.
    if args.common.quiet {
        return opskit_predeploy::run_with(args, cx, &mut |_| {});
    }
    opskit_predeploy::run_with(args, cx, &mut progress_line)
}

fn main() -> std::process::ExitCode {
    // `predeploy readiness …`: the production readiness checklist, shipped with the binary so
    // it runs without the source tree (`cargo xtask readiness` runs the same code).
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if argv.get(1).is_some_and(|a| a == "readiness") {
        return opskit::cli::main_from_with::<opskit_predeploy::readiness::Args, _>(
            argv.into_iter().skip(1),
            opskit_predeploy::readiness::run,
            Some(opskit_notify::hook),
        );
    }
    opskit::cli::main_with::<Args, _>(run, opskit_notify::hook)
}
