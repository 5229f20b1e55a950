//! The edge every binary shares: common flags, config loading, rendering and exit codes.
//!
//! A tool's `main.rs` is one call:
//!
//! ```no_run
//! # use opskit::{cli::{CommonArgs, Context, Tool}, Report};
//! # #[derive(clap::Parser)] struct Args { #[command(flatten)] common: CommonArgs }
//! # impl Tool for Args { fn common(&self) -> &CommonArgs { &self.common } }
//! # fn run(_: &Args, _: &Context) -> Result<Report, std::io::Error> { Ok(Report::new("x", "1")) }
//! fn main() -> std::process::ExitCode {
//!     opskit::cli::main::<Args, _>(run)
//! }
//! ```
//!
//! [`main`] then owns every exit path:
//!
//! | what happened                          | output                                   | exit |
//! |----------------------------------------|------------------------------------------|------|
//! | `--help`, `--version`                  | the text, on stdout                      | 0    |
//! | a usage error (unknown flag, bad value) | clap's message, on stderr                | 3    |
//! | a bad `opskit.toml`                     | an UNKNOWN report, and the error on stderr | 3  |
//! | `run` returned `Err`                   | an UNKNOWN report, and the error on stderr | 3    |
//! | `run` returned a report                | the report in `--format`                 | its status |
//! | stdout closed early (`| head`)         | nothing more                             | its status |
//!
//! Clap's own usage exit code is 2, which every monitoring system reads as CRITICAL; a typo in
//! a cron line must read as UNKNOWN instead.

use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use serde::de::DeserializeOwned;

use crate::Status;
#[cfg(test)]
use crate::config::ConfigErrorKind;
use crate::config::{Config, ConfigError};
use crate::render::{self, Format, RenderOptions};
use crate::report::{Check, Report};
mod watch;
pub use watch::Watch;

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always, even through a pipe and despite `NO_COLOR`.
    Always,
    /// Never.
    Never,
}

/// The flags every opskit binary takes. Flatten it into a tool's `Args`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CommonArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human, env = "OPSKIT_FORMAT", global = true)]
    pub format: Format,
    /// Configuration file [default: opskit.toml in this directory or a parent].
    #[arg(long, value_name = "FILE", env = "OPSKIT_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// When to colour human output (NO_COLOR is honoured in auto).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Print nothing; only the exit code tells.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say more (help links and rule descriptions); repeat for more.
    #[arg(long, short = 'v', action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Also write the report as SARIF 2.1.0 to FILE (for code scanning), whatever the format.
    #[arg(long, value_name = "FILE", env = "OPSKIT_SARIF_FILE", global = true)]
    pub sarif_file: Option<PathBuf>,
}

/// A tool's arguments: a clap parser that contains [`CommonArgs`].
pub trait Tool: Parser {
    /// The flattened common flags.
    fn common(&self) -> &CommonArgs;

    /// `Some` to run again and again (`--watch`): every `interval`, `count` times or forever.
    fn watch(&self) -> Option<Watch> {
        None
    }

    /// The status the process exits with; the report's worst status unless the tool lets
    /// the user relax it (predeploy's `--fail-on critical` lets warnings pass).
    fn exit_status(&self, report: &Report, cx: &Context) -> Status {
        let _ = cx;
        report.status()
    }

    /// The notification flags of this invocation (`--notify`, `--cron-monitor`), for the
    /// binary's [`HookFactory`] to build a hook from. None by default.
    fn notify(&self) -> Option<&NotifyFlags> {
        None
    }
}

/// The flags that ask for notifications and Sentry Crons check-ins around a run. They are
/// plain data here: the tool libraries do not link the alerting stack, and only the binaries
/// turn these flags into a [`Hook`] (opskit-notify's `hook`, given to [`main_with`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct NotifyFlags {
    /// Tell this target of [notify.targets] when a check's status changes, and again when it
    /// recovers (repeat for several).
    #[arg(long = "notify", value_name = "NAME", global = true)]
    pub notify: Vec<String>,
    /// Wrap the run in Sentry Crons check-ins for this monitor (in_progress, then ok or error
    /// with the duration).
    #[arg(long, value_name = "SLUG", global = true)]
    pub cron_monitor: Option<String>,
    /// The monitor's crontab schedule, sent with each check-in so Sentry creates and updates
    /// the monitor (or set it in [notify.monitors.SLUG]).
    #[arg(long, value_name = "CRON", global = true)]
    pub cron_schedule: Option<String>,
    /// Which results make the Crons check-in `error`: `unknown` (the tool could not run; the
    /// default, so Sentry tells "did it run" and the notifications tell "what it found"),
    /// `critical` or `warning` [default: `fail_on` of [notify.monitors.SLUG], else unknown].
    #[arg(long, value_enum, value_name = "STATUS", global = true)]
    pub cron_fail_on: Option<CronFailOn>,
    /// Where the statuses last notified are kept (default: state_file of opskit.toml's notify
    /// section, else $XDG_STATE_HOME/opskit/notify-state.json).
    #[arg(long, value_name = "FILE", global = true)]
    pub notify_state: Option<PathBuf>,
}

/// The least bad result that marks a Sentry Crons check-in as `error`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CronFailOn {
    /// Only a run that could not tell (exit 3).
    #[default]
    Unknown,
    /// CRITICAL or UNKNOWN.
    Critical,
    /// WARNING, CRITICAL or UNKNOWN.
    Warning,
}

impl CronFailOn {
    /// Whether a run that ended with `status` is an `error` check-in.
    pub const fn fails(self, status: Status) -> bool {
        match self {
            CronFailOn::Unknown => matches!(status, Status::Unknown),
            CronFailOn::Critical => matches!(status, Status::Unknown | Status::Critical),
            CronFailOn::Warning => !matches!(status, Status::Ok),
        }
    }
}

/// Builds the hook for a run of the tool named by the second argument from its notification
/// flags; `None` when the flags ask for nothing.
pub type HookFactory = fn(&NotifyFlags, &str) -> Option<Box<dyn Hook>>;

/// Work around a run that is not the run itself: a Sentry Crons check-in before it, and
/// notifications of what changed after it. A hook never changes the exit code: what it could
/// not do comes back as lines for standard error.
pub trait Hook {
    /// Before each run (an `in_progress` check-in).
    fn before(&mut self, cx: &Context) -> Vec<String>;

    /// After each run, with its report and the status the process will exit with.
    fn after(&mut self, report: &Report, status: Status, cx: &Context) -> Vec<String>;
}

/// Looks up an environment variable.
pub type EnvLookup = Box<dyn Fn(&str) -> Option<String>>;

/// What a tool's `run` gets besides its flags: the configuration and the environment, passed
/// explicitly (there is no global config).
pub struct Context {
    /// The loaded `opskit.toml`, if one was found or given.
    pub config: Option<Config>,
    /// The working directory.
    pub cwd: PathBuf,
    /// `-v` count.
    pub verbose: u8,
    /// The names of the variables the environment holds (values through [`Context::var`]).
    pub env_names: Vec<String>,
    env: EnvLookup,
    notes: std::cell::RefCell<Notes>,
}

/// Notes for the user that are not part of the report (deprecations, fallbacks under `-v`),
/// each shown once per process.
#[derive(Default)]
struct Notes {
    pending: Vec<String>,
    seen: std::collections::BTreeSet<String>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("config", &self.config)
            .field("cwd", &self.cwd)
            .finish_non_exhaustive()
    }
}

impl Context {
    /// A context with the given configuration and environment lookup.
    pub fn new(
        config: Option<Config>,
        cwd: PathBuf,
        env: impl Fn(&str) -> Option<String> + 'static,
    ) -> Context {
        Context {
            config,
            cwd,
            verbose: 0,
            env_names: Vec::new(),
            env: Box::new(env),
            notes: std::cell::RefCell::default(),
        }
    }

    /// A note for standard error (`note: ...`): a deprecated form, a default that stood in.
    /// Each distinct note is shown once, however many rounds `--watch` runs; `-q` hides them.
    pub fn note(&self, text: impl Into<String>) {
        let text = text.into();
        let mut notes = self.notes.borrow_mut();
        if notes.seen.insert(text.clone()) {
            notes.pending.push(text);
        }
    }

    /// The notes not yet shown, oldest first.
    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut self.notes.borrow_mut().pending)
    }

    /// An environment variable, as the tool should see it.
    /// The value of a variable whose name says it is a secret (`*_TOKEN`, `*_KEY`,
    /// `*PASSWORD*`, `*_DSN`, `*_URL` with credentials...) is registered with the output layer,
    /// so it is hidden wherever it appears.
    pub fn var(&self, name: &str) -> Option<String> {
        let value = (self.env)(name)?;
        if crate::redact::name_says_secret(name) {
            crate::redact::secrets().register(&value);
        } else {
            crate::redact::secrets().register_value(&value);
        }
        Some(value)
    }

    /// The tool's section of `opskit.toml`, with references resolved; `None` without a file or
    /// section.
    pub fn section<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, ConfigError> {
        match &self.config {
            Some(config) => config.section(name, &*self.env),
            None => Ok(None),
        }
    }
}

/// The process environment, for [`Context::new`].
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Colour on or off, from the flag, `NO_COLOR` and whether the output is a terminal.
pub fn use_color(choice: ColorChoice, no_color: Option<&str>, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && no_color.is_none_or(str::is_empty),
    }
}

/// Where [`run_main`] writes and what it may look at. [`main`] fills it from the process.
pub struct Io<'a> {
    /// Standard output.
    pub stdout: &'a mut dyn Write,
    /// Standard error.
    pub stderr: &'a mut dyn Write,
    /// Whether stdout is a terminal.
    pub stdout_is_terminal: bool,
    /// The working directory.
    pub cwd: PathBuf,
    /// Environment lookup.
    pub env: EnvLookup,
    /// The names of the variables the environment holds (env-check looks through them for
    /// browser-public secrets); their values are read through `env`.
    pub env_names: Vec<String>,
    /// Builds the hook from the tool's notification flags (`None`: no notifications).
    pub hooks: Option<HookFactory>,
}

impl std::fmt::Debug for Io<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Io")
            .field("cwd", &self.cwd)
            .finish_non_exhaustive()
    }
}

/// Runs a tool with the process's arguments and stdio, and returns the exit code.
pub fn main<A: Tool, E: std::error::Error>(run: fn(&A, &Context) -> Result<Report, E>) -> ExitCode {
    main_from(std::env::args_os(), run)
}

/// [`main`], with the hook factory that turns the tool's notification flags into
/// notifications (the binaries pass `opskit_notify::hook`).
pub fn main_with<A: Tool, E: std::error::Error>(
    run: fn(&A, &Context) -> Result<Report, E>,
    hooks: HookFactory,
) -> ExitCode {
    main_from_with(std::env::args_os(), run, Some(hooks))
}

/// [`main`] with the arguments given (the first is the program name), for callers such as
/// `cargo xtask predeploy` that run a tool in-process.
pub fn main_from<A: Tool, E: std::error::Error>(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    run: fn(&A, &Context) -> Result<Report, E>,
) -> ExitCode {
    main_from_with(args, run, None)
}

/// [`main_from`] with a hook factory.
pub fn main_from_with<A: Tool, E: std::error::Error>(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    run: fn(&A, &Context) -> Result<Report, E>,
    hooks: Option<HookFactory>,
) -> ExitCode {
    let stdout = io::stdout();
    let is_terminal = stdout.is_terminal();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut err = io::stderr().lock();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let io = Io {
        stdout: &mut out,
        stderr: &mut err,
        stdout_is_terminal: is_terminal,
        cwd,
        env: Box::new(process_env),
        env_names: std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .collect(),
        hooks,
    };
    ExitCode::from(run_main(args, io, run).code())
}

/// The body of [`main`], with its inputs and outputs passed in so tests can drive it.
pub fn run_main<A: Tool, E: std::error::Error>(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    io: Io<'_>,
    run: fn(&A, &Context) -> Result<Report, E>,
) -> Status {
    let Io {
        stdout,
        stderr,
        stdout_is_terminal,
        cwd,
        env,
        env_names,
        hooks,
    } = io;
    let raw: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let args = match A::try_parse_from(raw.iter().cloned()) {
        Ok(args) => args,
        Err(e) => return usage_error(&e, stdout, stderr),
    };
    let mut common = args.common().clone();
    // In GitHub Actions, annotations and a job summary unless a format was asked for.
    let format_given = env("OPSKIT_FORMAT").is_some()
        || raw.iter().skip(1).any(|a| {
            let a = a.to_string_lossy();
            a == "-f" || a.starts_with("--format") || (a.starts_with("-f") && !a.starts_with("--"))
        });
    if !format_given && env("GITHUB_ACTIONS").as_deref() == Some("true") {
        common.format = Format::Github;
    }
    let tool_name = A::command().get_name().to_owned();
    let no_color = env("NO_COLOR");
    let summary_file = env("GITHUB_STEP_SUMMARY");
    let config = match load_config(common.config.as_deref(), &cwd) {
        Ok(config) => config,
        Err(e) => {
            let report = cleaned(failure_report(&tool_name, &e));
            return finish(
                &report,
                &common,
                stdout,
                stderr,
                stdout_is_terminal,
                no_color.as_deref(),
                summary_file.as_deref(),
            );
        }
    };
    let mut context = Context::new(config, cwd, env);
    context.verbose = common.verbose;
    context.env_names = env_names;
    let mut hook = hooks.and_then(|build| args.notify().and_then(|flags| build(flags, &tool_name)));
    let mut once = |context: &Context, stderr: &mut dyn Write| {
        run_once(&args, run, hook.as_deref_mut(), context, &tool_name, stderr)
    };
    let summary_file = summary_file.as_deref();
    let Some(watch) = args.watch() else {
        let report = once(&context, stderr);
        let shown = finish(
            &report,
            &common,
            stdout,
            stderr,
            stdout_is_terminal,
            no_color.as_deref(),
            summary_file,
        );
        return if shown == report.status() {
            args.exit_status(&report, &context)
        } else {
            shown
        };
    };
    watch::run(
        watch,
        &common,
        stdout,
        stderr,
        stdout_is_terminal,
        no_color.as_deref(),
        &mut |stderr| once(&context, stderr),
    )
}

/// One run with its hook around it; the hook's complaints go to stderr as warnings.
fn run_once<A: Tool, E: std::error::Error>(
    args: &A,
    run: fn(&A, &Context) -> Result<Report, E>,
    mut hook: Option<&mut (dyn Hook + 'static)>,
    context: &Context,
    tool_name: &str,
    stderr: &mut dyn Write,
) -> Report {
    let secrets = crate::redact::secrets();
    if let Some(h) = hook.as_mut() {
        for line in h.before(context) {
            let _ = writeln!(stderr, "warning: {}", secrets.clean(&line));
        }
    }
    let report = match run(args, context) {
        Ok(mut report) => {
            report.sort();
            report
        }
        Err(e) => failure_report(tool_name, &e),
    };
    if context.verbose > 0
        && let Some(config) = &context.config
    {
        for fallback in config.fallbacks() {
            context.note(fallback.to_string());
        }
    }
    if !args.common().quiet {
        for note in context.take_notes() {
            let _ = writeln!(stderr, "note: {}", secrets.clean(&note));
        }
    }
    // Cleaned before anything sees it, the alert hooks included.
    let report = cleaned(report);
    if let Some(h) = hook {
        let status = args.exit_status(&report, context);
        for line in h.after(&report, status, context) {
            let _ = writeln!(stderr, "warning: {}", secrets.clean(&line));
        }
    }
    report
}

/// The report as it may be shown: every registered secret replaced, URL passwords hidden and
/// control characters from outside escaped, in every text (see [`Report::map_text`]).
pub fn cleaned(mut report: Report) -> Report {
    let secrets = crate::redact::secrets();
    report.map_text(&|text| secrets.clean(text));
    report
}

/// What a clap error means for the exit code: help and version on stdout with OK; anything
/// else (a usage error) on stderr, redacted, with UNKNOWN, never clap's 2, which would read as
/// CRITICAL. Every opskit command line goes through it, the multicall binary's own included.
pub fn usage_error(e: &clap::Error, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Status {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let plain = e.render().to_string();
    // Help and version are our own text, printed as they are.
    let error_text = || {
        let mut text = plain.clone();
        // A value given to the wrong flag may be a secret (`--timeout "$TOKEN"`): shown
        // redacted when it looks like one (`spelling` for `--only` stays readable).
        if let Some(ContextValue::String(value)) = e.get(ContextKind::InvalidValue)
            && crate::redact::looks_secret(value)
        {
            text = text.replace(value.as_str(), &crate::redact::redact(value).to_string());
        }
        crate::redact::escape_controls(&crate::redact::url(&text)).into_owned()
    };
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = write!(stdout, "{plain}");
            let _ = stdout.flush();
            Status::Ok
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = write!(stderr, "{plain}");
            Status::Unknown
        }
        _ => {
            let _ = write!(stderr, "{}", error_text());
            let _ = writeln!(stderr, "(exit 3: UNKNOWN, the tool could not run)");
            Status::Unknown
        }
    }
}

fn load_config(explicit: Option<&Path>, cwd: &Path) -> Result<Option<Config>, ConfigError> {
    match explicit {
        Some(path) => {
            let path = if path.is_absolute() {
                path.to_owned()
            } else {
                cwd.join(path)
            };
            Config::load(&path).map(Some)
        }
        None => Config::discover(cwd),
    }
}

/// The report of a tool that could not run: one UNKNOWN check whose summary is the error and
/// its causes.
pub fn failure_report(tool: &str, error: &dyn std::error::Error) -> Report {
    Report::new(tool, env!("CARGO_PKG_VERSION"))
        .with_check(Check::unknown(tool, error_chain(error)))
}

/// An error and its sources, joined with `: `, without repeating a cause the message already
/// contains.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn finish(
    report: &Report,
    common: &CommonArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    is_terminal: bool,
    no_color: Option<&str>,
    summary_file: Option<&str>,
) -> Status {
    let status = report.status();
    if status == Status::Unknown && common.format != Format::Human && !common.quiet {
        for check in report.checks.iter().filter(|c| c.status == Status::Unknown) {
            let _ = writeln!(stderr, "error: {}: {}", check.name, check.summary);
        }
    }
    let options = RenderOptions {
        color: use_color(common.color, no_color, is_terminal),
        verbose: common.verbose,
    };
    // The SARIF copy is written whole or not at all (a temporary file renamed), quiet or not.
    if let Some(path) = &common.sarif_file {
        let mut bytes = Vec::new();
        let written = render::render(report, Format::Sarif, &options, &mut bytes)
            .and_then(|()| crate::fs::write_atomic(path, &bytes));
        if let Err(e) = written {
            let _ = writeln!(
                stderr,
                "error: cannot write the SARIF report to {}: {e}",
                path.display()
            );
            return Status::Unknown;
        }
    }
    if common.quiet {
        return status;
    }
    let written = match (&report.output, common.format) {
        (Some(text), Format::Human) => writeln!(stdout, "{text}").and_then(|()| stdout.flush()),
        _ => render::render(report, common.format, &options, stdout).and_then(|()| stdout.flush()),
    };
    if let Err(e) = written
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(stderr, "error: cannot write the report: {e}");
        return Status::Unknown;
    }
    if common.format == Format::Github
        && let Some(path) = summary_file.filter(|p| !p.is_empty())
    {
        let appended = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| render::github::render_summary(report, &mut f));
        if let Err(e) = appended {
            let _ = writeln!(
                stderr,
                "warning: cannot append the job summary to {path}: {e}"
            );
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Parser)]
    #[command(name = "demo", version = "9.9.9")]
    struct Args {
        /// A value that must be a number.
        #[arg(long)]
        depth: Option<u32>,
        /// Fail to run.
        #[arg(long)]
        fail: bool,
        #[command(flatten)]
        common: CommonArgs,
    }

    impl Tool for Args {
        fn common(&self) -> &CommonArgs {
            &self.common
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Section {
        depth: u32,
    }

    fn run(args: &Args, cx: &Context) -> Result<Report, ConfigError> {
        if args.fail {
            return Err(ConfigErrorKind::Invalid {
                at: crate::config::Position {
                    path: "x".into(),
                    line: 1,
                    column: 1,
                },
                message: "told to fail".to_owned(),
            }
            .into());
        }
        let from_file = cx.section::<Section>("queue-depth")?.map(|s| s.depth);
        let depth = args.depth.or(from_file).unwrap_or(0);
        let status = if depth > 10 {
            Status::Critical
        } else {
            Status::Ok
        };
        Ok(Report::new("demo", "9.9.9").with_check(Check::new(
            "depth",
            status,
            format!("depth {depth}"),
        )))
    }

    struct Outcome {
        status: Status,
        stdout: String,
        stderr: String,
    }

    fn drive(args: &[&str], cwd: &Path, vars: &[(&str, &str)]) -> Outcome {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let io = Io {
            stdout: &mut out,
            stderr: &mut err,
            stdout_is_terminal: false,
            cwd: cwd.to_owned(),
            env: Box::new(move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())),
            env_names: Vec::new(),
            hooks: None,
        };
        let mut command_line = vec!["demo"];
        command_line.extend_from_slice(args);
        let status = run_main::<Args, _>(command_line, io, run);
        Outcome {
            status,
            stdout: String::from_utf8(out).unwrap(),
            stderr: String::from_utf8(err).unwrap(),
        }
    }

    #[test]
    fn clap_definition_is_valid() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }

    #[test]
    fn usage_errors_exit_unknown_not_critical() {
        let dir = tempfile::tempdir().unwrap();
        let o = drive(&["--depht", "3"], dir.path(), &[]);
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.stderr.contains("unexpected argument '--depht'"),
            "{}",
            o.stderr
        );
        assert!(o.stderr.contains("exit 3"), "{}", o.stderr);
        assert!(o.stdout.is_empty());
        let o = drive(&["--depth", "many"], dir.path(), &[]);
        assert_eq!(o.status, Status::Unknown);
        let o = drive(&["--format", "xml"], dir.path(), &[]);
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.stderr
                .contains("possible values: human, json, nagios, prometheus, sarif, junit, github"),
            "{}",
            o.stderr
        );
    }

    #[test]
    fn help_and_version_exit_ok_on_stdout() {
        let dir = tempfile::tempdir().unwrap();
        let o = drive(&["--help"], dir.path(), &[]);
        assert_eq!(o.status, Status::Ok);
        assert!(o.stdout.contains("--format <FORMAT>"), "{}", o.stdout);
        let o = drive(&["--version"], dir.path(), &[]);
        assert_eq!((o.status, o.stdout.as_str()), (Status::Ok, "demo 9.9.9\n"));
    }

    #[test]
    fn report_status_is_the_exit_status() {
        let dir = tempfile::tempdir().unwrap();
        let o = drive(&["--depth", "11", "--format", "nagios"], dir.path(), &[]);
        assert_eq!(o.status, Status::Critical);
        assert_eq!(
            o.stdout,
            "DEMO CRITICAL - depth 11\n[CRITICAL] depth: depth 11\n"
        );
        let o = drive(&["--depth", "1", "-q"], dir.path(), &[]);
        assert_eq!((o.status, o.stdout.as_str()), (Status::Ok, ""));
    }

    #[test]
    fn run_errors_become_an_unknown_report() {
        let dir = tempfile::tempdir().unwrap();
        let o = drive(&["--fail", "--format", "nagios"], dir.path(), &[]);
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.stdout.starts_with("DEMO UNKNOWN - x:1:1: told to fail"),
            "{}",
            o.stdout
        );
        assert!(
            o.stderr.contains("error: demo: x:1:1: told to fail"),
            "{}",
            o.stderr
        );
    }

    #[test]
    fn config_is_discovered_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("opskit.toml"),
            "[queue-depth]\ndepth = \"${D:-12}\"\n",
        )
        .unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        // The string "12" is not a number: the error points at the file.
        let o = drive(&["-f", "json"], &sub, &[]);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.stderr.contains("opskit.toml:2:9"), "{}", o.stderr);
        std::fs::write(
            dir.path().join("opskit.toml"),
            "[queue-depth]\ndepth = 12\n",
        )
        .unwrap();
        assert_eq!(drive(&[], &sub, &[]).status, Status::Critical);
        assert_eq!(drive(&["--depth", "2"], &sub, &[]).status, Status::Ok);
        let o = drive(&["--config", "missing.toml"], &sub, &[]);
        assert_eq!(o.status, Status::Unknown);
        assert!(o.stdout.contains("cannot read"), "{}", o.stdout);
    }

    #[test]
    fn bad_config_is_unknown_with_the_spot() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("opskit.toml"), "[queue-depth]\ndepht = 1\n").unwrap();
        let o = drive(&[], dir.path(), &[]);
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.stdout.contains(
                "opskit.toml:2:1: unknown key `depht` in [queue-depth]; did you mean `depth`?"
            ),
            "{}",
            o.stdout
        );
    }

    #[test]
    fn github_actions_switches_the_default_format() {
        let dir = tempfile::tempdir().unwrap();
        let o = drive(
            &["--depth", "50"],
            dir.path(),
            &[("GITHUB_ACTIONS", "true")],
        );
        assert!(
            o.stdout.starts_with("::error title=depth::"),
            "{}",
            o.stdout
        );
        let o = drive(
            &["--depth", "50", "-f", "json"],
            dir.path(),
            &[("GITHUB_ACTIONS", "true")],
        );
        assert!(
            o.stdout.starts_with('{'),
            "an explicit format wins: {}",
            o.stdout
        );
        let o = drive(&["--depth", "50"], dir.path(), &[]);
        assert!(o.stdout.starts_with("CRITICAL"), "{}", o.stdout);
    }

    #[test]
    fn github_format_appends_the_step_summary() {
        let dir = tempfile::tempdir().unwrap();
        let summary = dir.path().join("summary.md");
        std::fs::write(&summary, "before\n").unwrap();
        let path = summary.to_str().unwrap().to_owned();
        let o = drive(
            &["--depth", "50", "-f", "github"],
            dir.path(),
            &[("GITHUB_STEP_SUMMARY", &path)],
        );
        assert_eq!(o.status, Status::Critical);
        assert!(
            o.stdout
                .starts_with("::error title=depth::depth 50 (CRITICAL)"),
            "{}",
            o.stdout
        );
        let text = std::fs::read_to_string(&summary).unwrap();
        assert!(
            text.starts_with("before\n### ❌ opskit demo: CRITICAL"),
            "{text}"
        );
    }

    #[test]
    fn a_sarif_copy_is_written_beside_any_format() {
        let dir = tempfile::tempdir().unwrap();
        let sarif = dir.path().join("out.sarif");
        let o = drive(
            &[
                "--depth",
                "50",
                "-f",
                "github",
                "--sarif-file",
                sarif.to_str().unwrap(),
            ],
            dir.path(),
            &[],
        );
        assert_eq!(o.status, Status::Critical);
        assert!(o.stdout.starts_with("::error "), "{}", o.stdout);
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
        assert_eq!(doc["version"], "2.1.0");
        assert_eq!(doc["runs"][0]["properties"]["status"], "CRITICAL", "{doc}");
        // A file that cannot be written is UNKNOWN, with the reason.
        let o = drive(
            &[
                "--depth",
                "5",
                "--sarif-file",
                "/proc/version/x.sarif",
                "-q",
            ],
            dir.path(),
            &[],
        );
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.stderr.contains("cannot write the SARIF report"),
            "{}",
            o.stderr
        );
    }

    #[test]
    fn colour_rules() {
        assert!(use_color(ColorChoice::Auto, None, true));
        assert!(use_color(ColorChoice::Auto, Some(""), true));
        assert!(!use_color(ColorChoice::Auto, Some("1"), true));
        assert!(!use_color(ColorChoice::Auto, None, false));
        assert!(use_color(ColorChoice::Always, Some("1"), false));
        assert!(!use_color(ColorChoice::Never, None, true));
    }

    #[test]
    fn broken_pipe_is_quiet() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::from(io::ErrorKind::BrokenPipe))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let mut closed = Closed;
        let mut err = Vec::new();
        let io = Io {
            stdout: &mut closed,
            stderr: &mut err,
            stdout_is_terminal: false,
            cwd: dir.path().to_owned(),
            env: Box::new(|_| None),
            env_names: Vec::new(),
            hooks: None,
        };
        let status = run_main::<Args, _>(["demo", "--depth", "20"], io, run);
        assert_eq!(status, Status::Critical);
        assert!(err.is_empty());
    }

    #[test]
    fn error_chain_skips_repeats() {
        let inner = io::Error::other("connection refused");
        let outer = ConfigError::from(ConfigErrorKind::Read {
            path: "a".into(),
            source: inner,
        });
        assert_eq!(error_chain(&outer), "cannot read a: connection refused");
    }
}
