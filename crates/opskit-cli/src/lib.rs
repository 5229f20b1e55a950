//! `opskit`: every opskit tool in one binary, the way busybox and uutils' `coreutils` ship.
//!
//! `opskit <tool> [args]` runs the tool in-process through its library's public `Args` and
//! `run`, exactly as the tool's own binary does: the same help, flags, formats and exit codes
//! (the first argument the tool sees is its own name, so even `--help` and error messages read
//! the same). Invoked through a link named after a tool (`queue-depth -> opskit`), the binary is
//! that tool. Besides the tools it has three commands of its own:
//!
//! - `opskit --list`: the tools, one per line (for scripts that make the links);
//! - `opskit completions SHELL [--dir DIR]`: shell completions for `opskit` and every tool;
//! - `opskit man [TOOL] [--dir DIR]`: manual pages.
//!
//! ```no_run
//! // src/main.rs is this one line:
//! fn main() -> std::process::ExitCode {
//!     opskit_cli::main_from(std::env::args_os().collect())
//! }
//! ```

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Arg, ArgAction, Command, CommandFactory, value_parser};
use clap_complete::Shell;

/// One tool of the multicall binary.
#[derive(Clone, Copy)]
pub struct ToolEntry {
    /// The binary name users type (`queue-depth`).
    pub name: &'static str,
    /// Runs the tool with these arguments (the first is the program name) on the process's
    /// stdio, and returns its exit code.
    pub main: fn(Vec<OsString>) -> ExitCode,
    /// The tool's clap definition (help, completions, manual page).
    pub command: fn() -> Command,
}

impl std::fmt::Debug for ToolEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolEntry")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Every tool, in the order `opskit --list` prints them. Each runs with the notification hooks
/// (`--notify`, `--cron-monitor`) its own binary has.
pub const TOOLS: &[ToolEntry] = &[
    ToolEntry {
        name: opskit_queue_depth::NAME,
        main: |argv| {
            opskit::cli::main_from_with::<opskit_queue_depth::Args, _>(
                argv,
                opskit_queue_depth::run,
                Some(opskit_notify::hook),
            )
        },
        command: opskit_queue_depth::Args::command,
    },
    ToolEntry {
        name: opskit_env_check::NAME,
        main: |argv| {
            opskit::cli::main_from_with::<opskit_env_check::Args, _>(
                argv,
                opskit_env_check::run,
                Some(opskit_notify::hook),
            )
        },
        command: opskit_env_check::Args::command,
    },
    ToolEntry {
        name: opskit_secret_scan::NAME,
        main: |argv| {
            opskit::cli::main_from_with::<opskit_secret_scan::Args, _>(
                argv,
                opskit_secret_scan::run,
                Some(opskit_notify::hook),
            )
        },
        command: opskit_secret_scan::Args::command,
    },
    ToolEntry {
        name: opskit_dockerfile_lint::NAME,
        main: |argv| {
            opskit::cli::main_from_with::<opskit_dockerfile_lint::Args, _>(
                argv,
                opskit_dockerfile_lint::run,
                Some(opskit_notify::hook),
            )
        },
        command: opskit_dockerfile_lint::Args::command,
    },
    ToolEntry {
        name: opskit_health_probe::NAME,
        main: |argv| {
            opskit::cli::main_from_with::<opskit_health_probe::Args, _>(
                argv,
                opskit_health_probe::run,
                Some(opskit_notify::hook),
            )
        },
        command: opskit_health_probe::Args::command,
    },
    ToolEntry {
        name: opskit_db_backup::NAME,
        main: |argv| {
            opskit::cli::main_from_with::<opskit_db_backup::Args, _>(
                argv,
                opskit_db_backup::run,
                Some(opskit_notify::hook),
            )
        },
        command: opskit_db_backup::Args::command,
    },
    ToolEntry {
        name: opskit_notify::NAME,
        // notify is the alerting stack itself: no hooks around it.
        main: |argv| opskit::cli::main_from::<opskit_notify::Args, _>(argv, opskit_notify::run),
        command: opskit_notify::Args::command,
    },
    ToolEntry {
        name: opskit_predeploy::NAME,
        main: |argv| opskit_predeploy::edge::main_from(argv, Some(opskit_notify::hook)),
        command: opskit_predeploy::edge::command,
    },
    ToolEntry {
        name: opskit_job_trace::NAME,
        main: |argv| {
            opskit::cli::main_from_with::<opskit_job_trace::Args, _>(
                argv,
                opskit_job_trace::run,
                Some(opskit_notify::hook),
            )
        },
        command: opskit_job_trace::Args::command,
    },
];

const NAME: &str = "opskit";

const EXAMPLES: &str = "\
Examples:
  opskit predeploy --root .              # any tool: opskit TOOL [ARGS]
  opskit queue-depth --help              # the tool's own help
  opskit serve                           # the status page on http://127.0.0.1:9470
  ln -s opskit queue-depth               # a link named after a tool is that tool
  opskit --list                          # the tools, one per line
  opskit completions bash > ~/.local/share/bash-completion/completions/opskit
  opskit completions zsh --dir ~/.zfunc  # files for opskit and every tool
  opskit man --dir /usr/local/share/man/man1

Exit codes: a tool's own (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN); 3 for a usage error here.";

/// The tool a program name stands for: `queue-depth`, `/usr/bin/queue-depth`,
/// `queue-depth.exe`.
pub fn tool_for_program(program: &OsStr) -> Option<&'static ToolEntry> {
    let stem = Path::new(program).file_stem()?.to_str()?;
    find(stem)
}

/// The tool of this name.
pub fn find(name: &str) -> Option<&'static ToolEntry> {
    TOOLS.iter().find(|t| t.name == name)
}

/// Runs `opskit` with these arguments (the first is the program name) on the process's stdio.
pub fn main_from(argv: Vec<OsString>) -> ExitCode {
    if let Some(tool) = argv.first().and_then(|p| tool_for_program(p)) {
        return (tool.main)(argv);
    }
    let mut words = argv.into_iter().skip(1);
    let first = words.next();
    let rest: Vec<OsString> = words.collect();
    let word = first.as_ref().and_then(|a| a.to_str());
    if let Some(tool) = word.and_then(find) {
        let argv = std::iter::once(OsString::from(tool.name))
            .chain(rest)
            .collect();
        return (tool.main)(argv);
    }
    if word == Some(opskit_dashboard::NAME) {
        let argv: Vec<OsString> = std::iter::once(OsString::from("opskit serve"))
            .chain(rest)
            .collect();
        return opskit::cli::main_from::<opskit_dashboard::Args, _>(argv, serve);
    }
    // `--version` and `--list` without building every tool's clap definition (the summaries
    // in `--help` need them): these two run in scripts and health checks.
    let alone = match word {
        Some("--version" | "-V") if rest.is_empty() => {
            Some(format!("{NAME} {}\n", env!("CARGO_PKG_VERSION")))
        }
        Some("--list") if rest.is_empty() => {
            Some(TOOLS.iter().fold(String::new(), |mut text, t| {
                let _ = writeln!(text, "{}", t.name);
                text
            }))
        }
        _ => None,
    };
    if let Some(text) = alone {
        return print(&text);
    }
    // `opskit help TOOL`: the tool's own help.
    if word == Some("help") {
        if let Some(tool) = rest.first().and_then(|a| a.to_str()).and_then(find) {
            return (tool.main)(vec![tool.name.into(), "--help".into()]);
        }
        return builtin([NAME.into(), OsString::from("--help")].into_iter());
    }
    let argv = std::iter::once(OsString::from(NAME))
        .chain(first)
        .chain(rest)
        .collect::<Vec<_>>();
    builtin(argv.into_iter())
}

/// `opskit serve`: the status page, logging to standard error (where it listens, what the
/// history held, each change of colour).
fn serve(
    args: &opskit_dashboard::Args,
    cx: &opskit::cli::Context,
) -> Result<opskit::report::Report, opskit_dashboard::Error> {
    let server = opskit_dashboard::Server::start(args, cx, log_writer())?;
    server.log(&format!("opskit serve: {}", server.history_text()));
    server.log(&format!("opskit serve: listening on {}", server.url()));
    server.serve()
}

/// Standard error for the server's threads. The edge holds `io::stderr()`'s lock for the
/// whole run, so the log writes to a duplicate of the descriptor instead (it shares the
/// offset, so the lines land in order).
fn log_writer() -> Box<dyn Write + Send> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = io::stderr().as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(fd));
        }
    }
    #[cfg(windows)]
    {
        use std::os::windows::io::AsHandle;
        if let Ok(h) = io::stderr().as_handle().try_clone_to_owned() {
            return Box::new(std::fs::File::from(h));
        }
    }
    Box::new(io::sink())
}

fn print(text: &str) -> ExitCode {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            let _ = writeln!(io::stderr(), "{NAME}: error: cannot write the output: {e}");
            ExitCode::from(3)
        }
        _ => ExitCode::SUCCESS,
    }
}

/// `opskit` itself: `--list`, `completions`, `man`, help and version.
fn builtin(argv: impl Iterator<Item = OsString>) -> ExitCode {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut err = io::stderr().lock();
    let code = match command().try_get_matches_from(argv) {
        Ok(matches) => match dispatch(&matches, &mut out) {
            Ok(()) => 0,
            Err(e) => {
                let _ = writeln!(err, "{NAME}: error: {e}");
                3
            }
        },
        Err(e) => opskit::cli::usage_error(&e, &mut out, &mut err).code(),
    };
    match out.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe && code == 0 => {
            let _ = writeln!(err, "{NAME}: error: cannot write the output: {e}");
            ExitCode::from(3)
        }
        _ => ExitCode::from(code),
    }
}

/// The definition of `opskit` itself, with each tool as a subcommand (only its name and
/// summary: the tool parses its own arguments).
pub fn command() -> Command {
    let mut cmd = Command::new(NAME)
        .version(env!("CARGO_PKG_VERSION"))
        .about("Every opskit tool in one binary: `opskit TOOL [ARGS]`, or a link named after the tool.")
        .after_help(EXAMPLES)
        .disable_help_subcommand(true)
        .arg_required_else_help(true)
        .override_usage(
            "opskit <TOOL> [ARGS]...\n       opskit serve [ARGS]...\n       opskit --list | completions <SHELL> | man [TOOL]",
        )
        .subcommand_value_name("TOOL")
        .arg(
            Arg::new("list")
                .long("list")
                .action(ArgAction::SetTrue)
                .help("Print the tools, one per line"),
        )
        .subcommand(completions_command())
        .subcommand(man_command())
        .subcommand(
            Command::new(opskit_dashboard::NAME)
                .about("Serve the status page: health, queues and backups with history (`opskit serve --help`)"),
        );
    for tool in TOOLS {
        let about = (tool.command)().get_about().map(ToString::to_string);
        cmd = cmd.subcommand(Command::new(tool.name).about(about.unwrap_or_default()));
    }
    cmd
}

fn completions_command() -> Command {
    Command::new("completions")
        .about("Print shell completions for opskit, or write them for opskit and every tool")
        .arg(
            Arg::new("shell")
                .value_name("SHELL")
                .required(true)
                .value_parser(value_parser!(Shell)),
        )
        .arg(dir_arg(
            "Write one file per command (opskit and each tool, for the links) into DIR",
        ))
}

fn man_command() -> Command {
    Command::new("man")
        .about("Print a manual page (opskit's, or a tool's), or write every page into a directory")
        .arg(
            Arg::new("tool")
                .value_name("TOOL")
                .value_parser(TOOLS.iter().map(|t| t.name).collect::<Vec<_>>()),
        )
        .arg(dir_arg(
            "Write opskit.1 and a page per tool and subcommand (TOOL.1, TOOL-SUB.1) into DIR",
        ))
}

fn dir_arg(help: &'static str) -> Arg {
    Arg::new("dir")
        .long("dir")
        .value_name("DIR")
        .value_parser(value_parser!(PathBuf))
        .help(help)
}

/// What can go wrong in opskit's own commands.
#[derive(Debug)]
enum Error {
    Write { path: PathBuf, source: io::Error },
    Stdout(io::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Write { path, source } => {
                write!(f, "cannot write {}: {source}", path.display())
            }
            Error::Stdout(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

fn dispatch(matches: &clap::ArgMatches, out: &mut dyn Write) -> Result<(), Error> {
    match matches.subcommand() {
        Some(("completions", sub)) => {
            let shell = sub
                .get_one::<Shell>("shell")
                .copied()
                .unwrap_or(Shell::Bash);
            if let Some(dir) = sub.get_one::<PathBuf>("dir") {
                write_completions(shell, dir, out)
            } else {
                clap_complete::generate(shell, &mut full_command(), NAME, out);
                Ok(())
            }
        }
        Some(("man", sub)) => {
            let tool = sub.get_one::<String>("tool").and_then(|t| find(t));
            if let Some(dir) = sub.get_one::<PathBuf>("dir") {
                return write_man_pages(dir, tool, out);
            }
            let page = tool.map_or_else(command, |t| (t.command)());
            clap_mangen::Man::new(page)
                .render(out)
                .map_err(Error::Stdout)
        }
        _ if matches.get_flag("list") => {
            let mut text = String::new();
            for tool in TOOLS {
                let _ = writeln!(text, "{}", tool.name);
            }
            out.write_all(text.as_bytes()).map_err(Error::Stdout)
        }
        _ => {
            let help = command().render_help().to_string();
            out.write_all(help.as_bytes()).map_err(Error::Stdout)
        }
    }
}

/// `opskit` with every tool's whole definition as a subcommand: what completion needs.
fn full_command() -> Command {
    let mut cmd = command();
    for tool in TOOLS {
        cmd = cmd.mut_subcommand(tool.name, |_| (tool.command)().name(tool.name));
    }
    cmd
}

fn create_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_owned(),
        source,
    })
}

fn write_completions(shell: Shell, dir: &Path, out: &mut dyn Write) -> Result<(), Error> {
    create_dir(dir)?;
    let mut written = Vec::new();
    let emit = |mut cmd: Command, name: &str| {
        clap_complete::generate_to(shell, &mut cmd, name, dir).map_err(|source| Error::Write {
            path: dir.to_owned(),
            source,
        })
    };
    written.push(emit(full_command(), NAME)?);
    for tool in TOOLS {
        written.push(emit((tool.command)(), tool.name)?);
    }
    list_written(&written, out)
}

fn write_man_pages(dir: &Path, only: Option<&ToolEntry>, out: &mut dyn Write) -> Result<(), Error> {
    create_dir(dir)?;
    let mut written = Vec::new();
    let mut page = |cmd: Command, file: String| {
        let path = dir.join(file);
        let mut bytes = Vec::new();
        clap_mangen::Man::new(cmd)
            .render(&mut bytes)
            .and_then(|()| std::fs::write(&path, bytes))
            .map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
        written.push(path);
        Ok::<_, Error>(())
    };
    if only.is_none() {
        page(command(), format!("{NAME}.1"))?;
    }
    for tool in TOOLS
        .iter()
        .filter(|t| only.is_none_or(|o| o.name == t.name))
    {
        let cmd = (tool.command)().name(tool.name);
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let name = format!("{}-{}", tool.name, sub.get_name());
            page(sub.clone().display_name(name.clone()), format!("{name}.1"))?;
        }
        page(cmd, format!("{}.1", tool.name))?;
    }
    list_written(&written, out)
}

fn list_written(paths: &[PathBuf], out: &mut dyn Write) -> Result<(), Error> {
    let mut text = String::new();
    for path in paths {
        let _ = writeln!(text, "{}", path.display());
    }
    out.write_all(text.as_bytes()).map_err(Error::Stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_valid() {
        command().debug_assert();
        full_command().debug_assert();
        for tool in TOOLS {
            (tool.command)().debug_assert();
        }
    }

    #[test]
    fn every_tool_is_named_as_its_binary() {
        for tool in TOOLS {
            assert_eq!((tool.command)().get_name(), tool.name);
        }
        let names: Vec<_> = TOOLS.iter().map(|t| t.name).collect();
        assert_eq!(
            names,
            [
                "queue-depth",
                "env-check",
                "secret-scan",
                "dockerfile-lint",
                "health-probe",
                "db-backup",
                "notify",
                "predeploy",
                "job-trace"
            ]
        );
    }

    #[test]
    fn program_names_map_to_tools() {
        let name = |p: &str| tool_for_program(OsStr::new(p)).map(|t| t.name);
        assert_eq!(name("queue-depth"), Some("queue-depth"));
        assert_eq!(name("/usr/local/bin/secret-scan"), Some("secret-scan"));
        assert_eq!(name("C:\\tools\\predeploy.exe").is_some(), cfg!(windows));
        assert_eq!(name("predeploy.exe"), Some("predeploy"));
        assert_eq!(name("opskit"), None);
        assert_eq!(name("queue"), None);
    }
}
