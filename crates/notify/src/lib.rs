//! # notify: tell people when a monitor's status changes
//!
//! Targets are named in opskit.toml (`[notify.targets.NAME]`) and are one of:
//!
//! - **sentry**: events through the official SDK (level, message, tags, a fingerprint per
//!   check, context), and Sentry Crons check-ins around any run (`--cron-monitor SLUG`), so a
//!   cron job that stops running is noticed by Sentry itself;
//! - **slack**: an incoming webhook, with Block Kit sections for each change, its worst
//!   findings, the host and the target's links as buttons;
//! - **pagerduty**: Events API v2, `trigger` and `resolve` tied by a dedup key per check;
//! - **webhook**: a JSON POST to any endpoint.
//!
//! Every monitoring tool (queue-depth, health-probe, db-backup, predeploy) takes `--notify NAME`
//! (repeatable, see [`NotifyArgs`] and [`hook`]): after each run, the status of each of its checks is
//! compared with what each target was last told, kept in a small state file; only changes are
//! sent, a recovery is sent as a resolve, a target that failed is tried again next run, a flood
//! is cut by a rate limit, each delivery is retried with backoff inside a time limit, and
//! targets are served in parallel. A failed notification is printed on standard error; it never
//! changes the tool's exit code.
//!
//! The `notify` binary sends by hand (`notify send`) and checks a target end to end
//! (`notify test`).

pub mod codes;
pub mod config;
pub mod send;
pub mod sentry;
pub mod state;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use opskit::Status;
use opskit::cli::{CommonArgs, Context, Hook, Tool};
use opskit::report::{Check, Report};

use crate::codes::NT001;
use crate::config::{Kind, NotifyConfig};
use crate::send::{Delivery, Limits};
use crate::state::{Change, State};

/// The binary's name and config section.
pub const NAME: &str = "notify";

/// The flags every monitoring tool takes: plain data in the core
/// ([`opskit::cli::NotifyFlags`]), flattened into each tool's `Args`, so the tool libraries do
/// not link this crate. The binaries pass [`hook`] to `opskit::cli::main_with`.
pub type NotifyArgs = opskit::cli::NotifyFlags;

/// The hook for a run of `tool`, when any of the flags asks for one (an
/// [`opskit::cli::HookFactory`]).
pub fn hook(flags: &NotifyArgs, tool: &str) -> Option<Box<dyn Hook>> {
    if flags.notify.is_empty() && flags.cron_monitor.is_none() {
        return None;
    }
    Some(Box::new(NotifyHook {
        args: flags.clone(),
        tool: tool.to_owned(),
        cron: None,
        fail_on: opskit::cli::CronFailOn::default(),
    }))
}

/// `--notify` and `--cron-monitor` around each run.
#[derive(Debug)]
struct NotifyHook {
    args: NotifyArgs,
    tool: String,
    cron: Option<sentry::CronRun>,
    fail_on: opskit::cli::CronFailOn,
}

fn load_config(cx: &Context) -> Result<NotifyConfig, String> {
    let config = cx
        .section::<NotifyConfig>(NAME)
        .map(Option::unwrap_or_default)
        .map_err(|e| e.to_string())?;
    for note in config.notes() {
        cx.note(note);
    }
    Ok(config)
}

/// The state file: the flag, `state_file` in `[notify]` (relative to opskit.toml), the default.
fn state_path(flag: Option<&Path>, config: &NotifyConfig, cx: &Context) -> PathBuf {
    if let Some(p) = flag {
        return cx.cwd.join(p);
    }
    if let Some(p) = &config.state_file {
        let base = cx
            .config
            .as_ref()
            .and_then(|c| c.path().parent().map(Path::to_owned))
            .unwrap_or_else(|| cx.cwd.clone());
        return base.join(p);
    }
    state::default_path(&|v| cx.var(v), &cx.cwd)
}

/// The Sentry DSN and environment for check-ins.
fn cron_dsn(config: &NotifyConfig, cx: &Context) -> Result<(String, Option<String>), String> {
    let sentry_targets: Vec<(&String, &config::TargetConfig)> = config
        .targets
        .iter()
        .filter(|(_, t)| t.kind() == Kind::Sentry)
        .collect();
    let chosen = match &config.cron_target {
        Some(name) => Some(config.target(name)?),
        None if sentry_targets.len() == 1 => Some(sentry_targets[0].1),
        None => None,
    };
    if let Some(t) = chosen {
        let config::TargetConfig::Sentry(t) = t else {
            return Err(format!(
                "cron_target `{}` is a {} target; --cron-monitor check-ins go to a sentry target",
                config.cron_target.as_deref().unwrap_or_default(),
                t.kind().as_str()
            ));
        };
        if t.dsn.trim().is_empty() {
            return Err("the Sentry target for --cron-monitor has no dsn".to_owned());
        }
        return Ok((t.dsn.clone(), t.environment.clone()));
    }
    let dsn = cx.var("SENTRY_DSN").filter(|d| !d.is_empty()).ok_or_else(|| {
        if sentry_targets.len() > 1 {
            "--cron-monitor: several Sentry targets; name one with cron_target in [notify]".to_owned()
        } else {
            "--cron-monitor needs a Sentry DSN: a [notify.targets.NAME] with kind = \"sentry\", or SENTRY_DSN".to_owned()
        }
    })?;
    Ok((dsn, cx.var("SENTRY_ENVIRONMENT")))
}

impl Hook for NotifyHook {
    fn before(&mut self, cx: &Context) -> Vec<String> {
        let Some(slug) = self.args.cron_monitor.clone() else {
            return Vec::new();
        };
        let mut warnings = Vec::new();
        let started = (|| -> Result<sentry::CronRun, String> {
            let config = load_config(cx)?;
            let (dsn, environment) = cron_dsn(&config, cx)?;
            let mut monitor = config.monitors.get(&slug).cloned().unwrap_or_default();
            if let Some(s) = &self.args.cron_schedule {
                monitor.schedule = Some(s.clone());
            }
            self.fail_on = self
                .args
                .cron_fail_on
                .or(monitor.fail_on)
                .unwrap_or_default();
            if monitor.schedule.is_none() {
                cx.note(format!(
                    "--cron-monitor {slug} has no schedule, so Sentry cannot create the monitor or tell a missed run: pass --cron-schedule '*/5 * * * *' (the crontab line's schedule) or set schedule in [notify.monitors.{slug}]"
                ));
            }
            for (key, value) in [
                ("checkin_margin", monitor.checkin_margin),
                ("max_runtime", monitor.max_runtime),
            ] {
                if let Some((_, Some(note))) =
                    value.map(|v| v.resolve(opskit::duration::Unit::Minutes, key))
                {
                    cx.note(format!("[notify.monitors.{slug}] {note}"));
                }
            }
            let monitor = sentry::monitor_config(&monitor)?;
            sentry::CronRun::start(
                &dsn,
                environment.as_deref(),
                &slug,
                monitor,
                config.timeout(),
            )
            .map_err(String::from)
        })();
        match started {
            Ok(run) => self.cron = Some(run),
            Err(e) => warnings.push(format!("cron check-in for {slug} not sent: {e}")),
        }
        warnings
    }

    fn after(&mut self, report: &Report, status: Status, cx: &Context) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(run) = self.cron.take()
            && let Err(e) = run.finish(status, self.fail_on)
        {
            lines.push(format!("cron check-in not delivered: {e}"));
        }
        if !self.args.notify.is_empty() {
            lines.extend(notify_changes(&self.tool, &self.args, report, cx));
        }
        lines
    }
}

/// What one run changed, sent to each `--notify` target; returns the failures.
fn notify_changes(tool: &str, args: &NotifyArgs, report: &Report, cx: &Context) -> Vec<String> {
    let config = match load_config(cx) {
        Ok(c) => c,
        Err(e) => return vec![format!("notifications not sent: {e}")],
    };
    let path = state_path(args.notify_state.as_deref(), &config, cx);
    let mut state = match State::load(&path) {
        Ok(s) => s,
        Err(e) => return vec![format!("notifications not sent: {e}")],
    };
    let before = state.clone();
    let (mut lines, _) = dispatch(tool, &args.notify, report, &config, &mut state);
    if let Err(e) = state.save_merged(&before, &path) {
        lines.push(e.to_string());
    }
    lines
}

/// A target's name and what became of its delivery.
pub type Delivered = (String, Result<String, String>);

/// Sends what changed to each target, in parallel, and records what was delivered. Returns the
/// failure lines and a description of each delivery.
pub fn dispatch(
    tool: &str,
    targets: &[String],
    report: &Report,
    config: &NotifyConfig,
    state: &mut State,
) -> (Vec<String>, Vec<Delivered>) {
    let mut lines = Vec::new();
    let limit = match config.rate_limit() {
        Ok(l) => l,
        Err(e) => return (vec![e.to_string()], Vec::new()),
    };
    let limits = Limits {
        timeout: config.timeout(),
        retries: config.retries.unwrap_or(2),
    };
    let at = opskit::time::now_unix();
    let mut all_changes: Vec<(String, Vec<Change>)> = Vec::new();
    let mut jobs: Vec<(String, config::TargetConfig, u64)> = Vec::new();
    for name in targets {
        let target = match config.target(name) {
            Ok(t) => t.clone(),
            Err(e) => {
                lines.push(e.to_string());
                continue;
            }
        };
        let min = target.min_status();
        let changes = state.changes(name, tool, report);
        // Changes a target does not care about (a WARNING for a critical-only pager) are
        // recorded without a message, so they do not come back.
        let (wanted, quiet): (Vec<Change>, Vec<Change>) = changes
            .into_iter()
            .partition(|c| min.admits(c.current) || min.admits(c.previous));
        for c in &quiet {
            state.record(name, c, at);
        }
        if wanted.is_empty() {
            continue;
        }
        let (allowed, suppressed) = state.admit(name, limit, at);
        if !allowed {
            lines.push(format!(
                "{name}: {} change(s) not sent: more than {} notifications in {}s (rate_limit in [notify]); the next one will say how many were dropped",
                wanted.len(),
                limit.count,
                limit.window.as_secs()
            ));
            // Recorded, so the flood does not come back when the window opens.
            for c in &wanted {
                state.record(name, c, at);
            }
            continue;
        }
        all_changes.push((name.clone(), wanted));
        jobs.push((name.clone(), target, suppressed));
    }
    let results: Vec<(String, Result<String, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .zip(&all_changes)
            .map(|((name, target, suppressed), (_, changes))| {
                let delivery = Delivery {
                    name: name.clone(),
                    target: target.clone(),
                    tool: tool.to_owned(),
                    changes: changes.iter().collect(),
                    suppressed: *suppressed,
                };
                scope.spawn(move || send::deliver(&delivery, limits).map_err(String::from))
            })
            .collect();
        handles
            .into_iter()
            .zip(&jobs)
            .map(|(h, (name, ..))| {
                (
                    name.clone(),
                    h.join()
                        .unwrap_or_else(|_| Err("the sending thread panicked".to_owned())),
                )
            })
            .collect()
    });
    for ((name, result), (_, changes)) in results.iter().zip(&all_changes) {
        match result {
            Ok(_) => {
                for c in changes {
                    state.record(name, c, at);
                }
            }
            Err(e) => lines.push(format!(
                "{name}: {} change(s) not delivered (tried again at the next run): {e}",
                changes.len()
            )),
        }
    }
    (lines, results)
}

const EXAMPLES: &str = "\
Examples:
  # Check a target end to end (a test message says where it came from)
  notify test --target slack-oncall
  notify --explain NT001
  # From a shell pipeline: a backup script that failed
  notify send --target pagerduty --status critical --check nightly-backup --summary \"pg_dump failed: disk full\"
  notify send --target pagerduty --status ok --check nightly-backup --summary \"backup done\"   # resolves it
  # Any monitor, notifying on changes only
  queue-depth --notify slack-oncall --notify pagerduty
  health-probe --notify slack-oncall --cron-monitor health-probe --cron-schedule '*/5 * * * *'

Targets live in opskit.toml:
  [notify.targets.slack-oncall]
  kind = \"slack\"
  webhook_url = \"${SLACK_WEBHOOK_URL}\"

Exit codes: 0 delivered, 2 a target failed, 3 bad flags or configuration.";

const NEEDS_SUBCOMMAND: &str =
    "notify needs a subcommand: send or test (`notify --help` says what each does)";

/// `notify`.
#[derive(Debug, Clone, Parser)]
#[command(name = NAME, version, about = "Send notifications to Sentry, Slack, PagerDuty or a webhook, and check targets end to end.", after_help = EXAMPLES)]
pub struct Args {
    /// What to do (one subcommand is needed, unless `--explain` or `--list-rules`).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `--explain CODE` and `--list-rules`.
    #[command(flatten)]
    pub codes: opskit::codes::CodeFlags,
    /// Flags every opskit tool takes.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// The subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Send a status for a check; with the state file, only when it changed (unless --always).
    Send {
        /// The target (repeat).
        #[arg(long = "target", value_name = "NAME", required = true)]
        targets: Vec<String>,
        /// ok (sends a resolve), warning, critical or unknown.
        #[arg(long, value_parser = ["ok", "warning", "critical", "unknown"])]
        status: String,
        /// What the status is about (the dedup key's last part).
        #[arg(long, value_name = "NAME", default_value = "manual")]
        check: String,
        /// One line for people.
        #[arg(long)]
        summary: String,
        /// The source's name [default: notify].
        #[arg(long, value_name = "NAME", default_value = NAME)]
        source: String,
        /// Send even if the target was already told this status.
        #[arg(long)]
        always: bool,
        /// The state file (see --notify-state of the monitors).
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
    },
    /// Send a test notification to a target and report what it answered.
    Test {
        /// The target (repeat).
        #[arg(long = "target", value_name = "NAME", required = true)]
        targets: Vec<String>,
    },
}

impl Tool for Args {
    fn common(&self) -> &CommonArgs {
        &self.common
    }
}

/// What stops notify before it has an answer (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--explain` of a code no registry holds.
    #[error(transparent)]
    UnknownCode(#[from] opskit::codes::UnknownCode),
    /// opskit.toml is wrong.
    #[error(transparent)]
    Config(#[from] opskit::config::ConfigError),
    /// A flag or setting is wrong.
    #[error("{0}")]
    Usage(String),
}

fn parse_status(s: &str) -> Status {
    match s {
        "warning" => Status::Warning,
        "critical" => Status::Critical,
        "unknown" => Status::Unknown,
        _ => Status::Ok,
    }
}

fn delivery_checks(results: Vec<(String, Result<String, String>)>) -> Vec<Check> {
    results
        .into_iter()
        .map(|(name, r)| match r {
            Ok(what) => Check::new(name, Status::Ok, what),
            Err(e) => Check::new(name.clone(), Status::Critical, e.clone())
                .with_finding(NT001.finding(format!("{name}: {e}"))),
        })
        .collect()
}

/// `notify test`: a test message to each target, delivered now (no state, no rate limit).
fn test_targets(targets: &[String], config: &NotifyConfig) -> Result<Vec<Check>, Error> {
    let mut results = Vec::new();
    for name in targets {
        let target = config
            .target(name)
            .map_err(|e| Error::Usage(e.to_string()))?
            .clone();
        let change = Change {
            tool: NAME.to_owned(),
            check: "test".to_owned(),
            previous: Status::Ok,
            current: Status::Warning,
            summary: format!(
                "opskit notify test from {}: if you read this, target `{name}` works",
                send::host()
            ),
            findings: Vec::new(),
        };
        let delivery = Delivery {
            name: name.clone(),
            target,
            tool: NAME.to_owned(),
            changes: vec![&change],
            suppressed: 0,
        };
        let limits = Limits {
            timeout: config.timeout(),
            retries: 0,
        };
        results.push((
            name.clone(),
            send::deliver(&delivery, limits).map_err(String::from),
        ));
    }
    Ok(delivery_checks(results))
}

/// Runs `notify`.
pub fn run(args: &Args, cx: &Context) -> Result<Report, Error> {
    if let Some(answer) = args
        .codes
        .answer(NAME, env!("CARGO_PKG_VERSION"), &[codes::REGISTRY])
    {
        return Ok(answer?);
    }
    let Some(command) = &args.command else {
        return Err(Error::Usage(NEEDS_SUBCOMMAND.to_owned()));
    };
    let config: NotifyConfig = cx.section(NAME)?.unwrap_or_default();
    for note in config.notes() {
        cx.note(note);
    }
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    match command {
        Command::Send {
            targets,
            status,
            check,
            summary,
            source,
            always,
            state,
        } => {
            for t in targets {
                config.target(t).map_err(|e| Error::Usage(e.to_string()))?;
            }
            let status = parse_status(status);
            let source_report = Report::new(source.clone(), env!("CARGO_PKG_VERSION"))
                .with_check(Check::new(check.clone(), status, summary.clone()));
            let path = state_path(state.as_deref(), &config, cx);
            let mut st = State::load(&path).map_err(|e| Error::Usage(e.to_string()))?;
            if *always {
                for t in targets {
                    st.checks.remove(&format!("{t}:{source}/{check}"));
                    if status == Status::Ok {
                        // A resolve needs something to resolve: pretend it was critical.
                        st.checks.insert(
                            format!("{t}:{source}/{check}"),
                            state::Seen {
                                status: Status::Critical,
                                since: opskit::time::now_unix(),
                            },
                        );
                    }
                }
            }
            let before = st.clone();
            let (lines, results) = dispatch(source, targets, &source_report, &config, &mut st);
            st.save_merged(&before, &path)
                .map_err(|e| Error::Usage(e.to_string()))?;
            if results.is_empty() {
                let why = if lines.is_empty() {
                    format!(
                        "nothing sent: every target was already told {check} is {status} (--always sends anyway)"
                    )
                } else {
                    lines.join("; ")
                };
                // Held back by the rate limit: not a failure of the target, but not delivered.
                let s = if lines.is_empty() {
                    Status::Ok
                } else {
                    Status::Warning
                };
                report.push(Check::new("send", s, why));
            }
            for c in delivery_checks(results) {
                report.push(c);
            }
        }
        Command::Test { targets } => {
            for c in test_targets(targets, &config)? {
                report.push(c);
            }
        }
    }
    opskit::codes::describe(&mut report, &[codes::REGISTRY]);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_consistent() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }

    #[test]
    fn the_monitor_flags_flatten_into_a_tool() {
        use clap::CommandFactory;
        #[derive(Debug, Parser)]
        struct Monitor {
            #[command(flatten)]
            notify: NotifyArgs,
        }
        Monitor::command().debug_assert();
        let m =
            Monitor::try_parse_from(["m", "--notify", "a", "--notify", "b", "--cron-monitor", "s"])
                .unwrap();
        assert_eq!(m.notify.notify, ["a", "b"]);
        assert!(hook(&m.notify, "m").is_some());
        assert!(hook(&NotifyArgs::default(), "m").is_none());
    }
}
