//! Sentry through the official SDK: events built from status changes, and Crons check-ins
//! (the SDK has the check-in types but no helper to send one, so the envelope is built here and
//! sent through the client).
//!
//! The client uses the SDK's ureq transport with an agent of ours: its timeouts are opskit's,
//! and a middleware records each answer, because the transport itself only logs failures. So a
//! rejected DSN or an unreachable Sentry is reported, not lost.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opskit::Status;
use opskit::cli::CronFailOn;
use sentry::protocol::{
    Context, Envelope, EnvelopeItem, Event, Level, MonitorCheckIn, MonitorCheckInStatus,
    MonitorConfig as SentryMonitorConfig, MonitorSchedule,
};
use sentry::types::{Dsn, Uuid};

use crate::config::MonitorConfig;
use crate::send::{Delivery, Limits};

/// What the transport's requests got back: `Ok(status)` or `Err(reason)`.
type Outcomes = Arc<Mutex<Vec<Result<u16, String>>>>;

/// Sentry could not be used: a DSN that does not parse, events or check-ins not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SentryError(String);

/// The message, for the internal code that reports failures as lines of text.
impl From<SentryError> for String {
    fn from(e: SentryError) -> String {
        e.0
    }
}

/// Makes the SDK's ureq transport with our agent.
struct Factory(ureq::Agent);

impl sentry::TransportFactory for Factory {
    fn create_transport_with_options(
        &self,
        options: sentry::TransportOptions,
    ) -> Arc<dyn sentry::Transport> {
        Arc::new(
            sentry::transports::UreqHttpTransportOptions::from(options)
                .with_agent(self.0.clone())
                .build(),
        )
    }
}

/// A random (version 4) UUID from the OS generator.
fn uuid_v4() -> Uuid {
    let mut bytes = [0u8; 16];
    if opskit::random::fill(&mut bytes).is_err() {
        // No generator: time and process id still make a check-in id unique enough.
        let t = opskit::time::since_epoch().as_nanos();
        bytes = (t ^ (u128::from(std::process::id()) << 64)).to_le_bytes();
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

/// A Sentry client whose answers are recorded.
pub struct Sentry {
    client: sentry::Client,
    outcomes: Outcomes,
    host: String,
}

impl std::fmt::Debug for Sentry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sentry")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

impl Sentry {
    /// A client for `dsn`; `timeout` bounds each request.
    pub fn new(
        dsn: &str,
        environment: Option<&str>,
        timeout: Duration,
    ) -> Result<Sentry, SentryError> {
        Self::new_text(dsn, environment, timeout).map_err(SentryError)
    }

    fn new_text(dsn: &str, environment: Option<&str>, timeout: Duration) -> Result<Sentry, String> {
        let parsed: Dsn = dsn.trim().parse().map_err(|e| {
            format!("the Sentry DSN is not valid ({e}); copy it from Project Settings > Client Keys (DSN)")
        })?;
        let host = parsed.host().to_owned();
        opskit::redact::secrets().register(parsed.public_key());
        opskit::redact::secrets().register(dsn.trim());
        let outcomes: Outcomes = Arc::default();
        let recorder = Arc::clone(&outcomes);
        let agent: ureq::Agent = opskit::http::agent_builder(&opskit::http::HttpOptions {
            timeout,
            connect_timeout: timeout.min(Duration::from_secs(5)),
            ..opskit::http::HttpOptions::default()
        })
        .middleware(
            move |request: ureq::http::Request<ureq::SendBody>,
                  next: ureq::middleware::MiddlewareNext| {
                let answer = next.handle(request);
                let outcome = match &answer {
                    Ok(response) => Ok(response.status().as_u16()),
                    Err(e) => Err(e.to_string()),
                };
                if let Ok(mut o) = recorder.lock() {
                    o.push(outcome);
                }
                answer
            },
        )
        .build()
        .into();
        let mut options = sentry::ClientOptions::new();
        options.dsn = Some(parsed);
        options.environment = environment.map(|e| e.to_owned().into());
        options.release = Some(concat!("opskit@", env!("CARGO_PKG_VERSION")).into());
        options.server_name = Some(crate::send::host().into());
        options.default_integrations = false;
        options.transport = Some(Arc::new(Factory(agent)));
        Ok(Sentry {
            client: sentry::Client::with_options(options),
            outcomes,
            host,
        })
    }

    /// Waits (at most `timeout`) for everything queued, then reports what went wrong.
    pub fn flush(&self, timeout: Duration) -> Result<usize, SentryError> {
        self.flush_text(timeout).map_err(SentryError)
    }

    fn flush_text(&self, timeout: Duration) -> Result<usize, String> {
        let started = Instant::now();
        if !self.client.flush(Some(timeout)) {
            return Err(format!(
                "Sentry ({}) did not take the envelopes within {:.1}s",
                self.host,
                started.elapsed().as_secs_f64()
            ));
        }
        let outcomes = self
            .outcomes
            .lock()
            .map(|mut o| std::mem::take(&mut *o))
            .unwrap_or_default();
        let failures: Vec<String> = outcomes
            .iter()
            .filter_map(|o| match o {
                Ok(s) if *s < 300 => None,
                Ok(401 | 403) => Some(
                    "the DSN was refused (401/403): is the key revoked, or the project deleted?"
                        .to_owned(),
                ),
                Ok(429) => {
                    Some("rate limited by Sentry (429): the project's quota is used up".to_owned())
                }
                Ok(s) => Some(format!("answered {s}")),
                Err(e) => Some(e.clone()),
            })
            .collect();
        if failures.is_empty() {
            Ok(outcomes.len())
        } else {
            Err(format!("Sentry ({}): {}", self.host, failures.join("; ")))
        }
    }

    /// Captures one event.
    pub fn capture(&self, event: Event<'static>) -> Uuid {
        self.client.capture_event(event, None)
    }

    /// Sends a Crons check-in.
    pub fn check_in(&self, check_in: MonitorCheckIn) {
        let mut envelope = Envelope::new();
        envelope.add_item(EnvelopeItem::MonitorCheckIn(check_in));
        self.client.send_envelope(envelope);
    }
}

/// Sentry's level for a status.
pub fn level(status: Status) -> Level {
    match status {
        Status::Ok => Level::Info,
        Status::Warning | Status::Unknown => Level::Warning,
        Status::Critical => Level::Error,
    }
}

/// The event for one change: the level from the status, tags to search by, a fingerprint that
/// groups every alert of one check into one issue (recoveries into another), and the details as
/// context.
pub fn event(change: &crate::state::Change, suppressed: u64) -> Event<'static> {
    let mut tags = BTreeMap::new();
    tags.insert("tool".to_owned(), change.tool.clone());
    tags.insert("check".to_owned(), change.check.clone());
    tags.insert("status".to_owned(), change.current.as_str().to_owned());
    tags.insert(
        "previous_status".to_owned(),
        change.previous.as_str().to_owned(),
    );
    let mut details = BTreeMap::new();
    details.insert("summary".to_owned(), change.summary.clone().into());
    details.insert("previous".to_owned(), change.previous.as_str().into());
    details.insert("status".to_owned(), change.current.as_str().into());
    details.insert(
        "findings".to_owned(),
        serde_json::Value::from(change.findings.clone()),
    );
    details.insert("dedup_key".to_owned(), change.dedup_key().into());
    if suppressed > 0 {
        details.insert("suppressed_before".to_owned(), suppressed.into());
    }
    let mut contexts = BTreeMap::new();
    contexts.insert(
        "opskit".to_owned(),
        Context::Other(details.into_iter().collect()),
    );
    let mut fingerprint = vec![
        "opskit".into(),
        change.tool.clone().into(),
        change.check.clone().into(),
    ];
    if change.is_recovery() {
        fingerprint.push("recovered".into());
    }
    Event {
        level: level(change.current),
        message: Some(change.line()),
        logger: Some(format!("opskit.{}", change.tool)),
        fingerprint: fingerprint.into(),
        tags: tags.into_iter().collect(),
        contexts: contexts.into_iter().collect(),
        ..Default::default()
    }
}

/// Sends a delivery's changes as events and waits for them.
pub fn send_changes(
    d: &Delivery<'_>,
    target: &crate::config::SentryTarget,
    limits: Limits,
) -> Result<String, SentryError> {
    send_changes_text(d, target, limits).map_err(SentryError)
}

fn send_changes_text(
    d: &Delivery<'_>,
    target: &crate::config::SentryTarget,
    limits: Limits,
) -> Result<String, String> {
    let sentry = Sentry::new_text(&target.dsn, target.environment.as_deref(), limits.timeout)?;
    for change in &d.changes {
        sentry.capture(event(change, d.suppressed));
    }
    let n = sentry.flush_text(limits.timeout)?;
    Ok(format!(
        "{} event(s) sent to Sentry in {n} request(s)",
        d.changes.len()
    ))
}

/// A running Crons check-in: sent `in_progress` before the run, finished after it.
#[derive(Debug)]
pub struct CronRun {
    sentry: Sentry,
    id: Uuid,
    slug: String,
    environment: Option<String>,
    config: Option<SentryMonitorConfig>,
    started: Instant,
    timeout: Duration,
}

/// Sentry's monitor configuration from ours (a schedule makes Sentry create or update the
/// monitor on the first check-in).
pub fn monitor_config(c: &MonitorConfig) -> Result<Option<SentryMonitorConfig>, SentryError> {
    monitor_config_text(c).map_err(SentryError)
}

fn monitor_config_text(c: &MonitorConfig) -> Result<Option<SentryMonitorConfig>, String> {
    let Some(schedule) = c.schedule.as_deref() else {
        return Ok(None);
    };
    let schedule = MonitorSchedule::from_crontab(schedule).map_err(|_| {
        format!(
            "`{schedule}` is not a crontab schedule (five fields: minute hour day month weekday)"
        )
    })?;
    // Sentry counts both in whole minutes: a part of a minute is one more.
    let minutes = |v: Option<opskit::duration::SpanArg>| {
        v.map(|v| {
            let secs = v.span(opskit::duration::Unit::Minutes).as_secs_f64();
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a duration of at most ten years, in minutes"
            )]
            let m = (secs / 60.0).ceil().max(1.0) as u64;
            m
        })
    };
    Ok(Some(SentryMonitorConfig {
        schedule,
        checkin_margin: minutes(c.checkin_margin),
        max_runtime: minutes(c.max_runtime),
        timezone: c.timezone.clone(),
        failure_issue_threshold: None,
        recovery_threshold: None,
    }))
}

impl CronRun {
    /// Sends `in_progress` for `slug`.
    pub fn start(
        dsn: &str,
        environment: Option<&str>,
        slug: &str,
        config: Option<SentryMonitorConfig>,
        timeout: Duration,
    ) -> Result<CronRun, SentryError> {
        Self::start_text(dsn, environment, slug, config, timeout).map_err(SentryError)
    }

    fn start_text(
        dsn: &str,
        environment: Option<&str>,
        slug: &str,
        config: Option<SentryMonitorConfig>,
        timeout: Duration,
    ) -> Result<CronRun, String> {
        let sentry = Sentry::new_text(dsn, environment, timeout)?;
        let run = CronRun {
            sentry,
            id: uuid_v4(),
            slug: slug.to_owned(),
            environment: environment.map(str::to_owned),
            config,
            started: Instant::now(),
            timeout,
        };
        run.sentry
            .check_in(run.check_in(MonitorCheckInStatus::InProgress, None));
        run.sentry.flush_text(timeout).map(|_| run)
    }

    fn check_in(&self, status: MonitorCheckInStatus, duration: Option<f64>) -> MonitorCheckIn {
        MonitorCheckIn {
            check_in_id: self.id,
            monitor_slug: self.slug.clone(),
            status,
            environment: self.environment.clone(),
            duration,
            monitor_config: self.config.clone(),
        }
    }

    /// Sends `error` when `fail_on` says the run's status fails it (by default only UNKNOWN:
    /// the tool could not run), else `ok`, with the duration.
    pub fn finish(self, status: Status, fail_on: CronFailOn) -> Result<(), SentryError> {
        self.finish_text(status, fail_on).map_err(SentryError)
    }

    fn finish_text(self, status: Status, fail_on: CronFailOn) -> Result<(), String> {
        let outcome = if fail_on.fails(status) {
            MonitorCheckInStatus::Error
        } else {
            MonitorCheckInStatus::Ok
        };
        let duration = (self.started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
        self.sentry.check_in(self.check_in(outcome, Some(duration)));
        self.sentry.flush_text(self.timeout).map(|_| ())
    }
}
