//! # opskit: the shared vocabulary of the opskit tools
//!
//! opskit is a set of small DevOps binaries (`queue-depth`, `env-check`, `secret-scan`,
//! `dockerfile-lint`, `health-probe`, `db-backup`, `notify`, `predeploy`) for teams that run a
//! TypeScript app with a Redis job queue, PostgreSQL and Sentry. This crate is what they share:
//!
//! | module        | what lives there                                                         |
//! |---------------|--------------------------------------------------------------------------|
//! | [`status`]    | [`Status`] (OK/WARNING/CRITICAL/UNKNOWN), worst-of, exit codes 0-3        |
//! | [`threshold`] | Nagios ranges (`10`, `10:`, `~:10`, `10:20`, `@10:20`) evaluated to a Status |
//! | [`report`]    | [`Report`], [`Check`], [`Finding`], [`Metric`]: what every tool returns   |
//! | [`render`]    | one module per output format, all driven by the same Report              |
//! | [`config`]    | `opskit.toml` discovery, `${VAR}` references, errors with line and column |
//! | [`redact`]    | the only way a secret is shown                                           |
//! | [`env`](mod@env) | `.env` files, parsed exactly as the npm `dotenv` package does         |
//! | [`deadline`] | one deadline per network operation, enforced on every read and write |
//! | [`fs`]        | atomic file writes: temporary name, fsync, rename                        |
//! | [`http`]      | the HTTP client factory: timeouts, user agent, bounded bodies            |
//! | [`redis`]     | Redis reads, native (TCP/TLS) or Upstash REST, one round trip per batch  |
//! | [`cli`]       | the binaries' edge: common flags, rendering, exit codes                  |
//! | `workspace`   | (feature `workspace`) the packages of a pnpm/npm/yarn/bun workspace      |
//!
//! ## Where things go
//!
//! - **A new tool** is a crate `crates/<binary-name>/` whose `lib.rs` has `Args` (flattening
//!   [`cli::CommonArgs`]) and `run(&Args, &Context) -> Result<Report, Error>`, and whose
//!   `main.rs` is `opskit::cli::main::<Args, _>(run)`. It gets every output format, config
//!   loading and the exit-code convention from here.
//! - **A new output format** is one module in `render/`, a [`render::Format`] variant, and a
//!   snapshot test.
//! - **A new kind of threshold** goes in [`threshold`], next to [`threshold::Range`], with its
//!   own tests; tools only ever see the [`Status`] it evaluates to.
//!
//! ## Rules of the crate
//!
//! **Architecture Invariant:** this crate never prints and never exits, except in [`cli`], the
//! edge. Libraries return values and typed errors; binaries speak.
//!
//! **Architecture Invariant:** only the [`report`] types are serialized; a secret can only
//! enter a report as [`redact::Redacted`].
//!
//! ## Example: a check from a measured value
//!
//! ```
//! use opskit::render::{Format, RenderOptions, render};
//! use opskit::report::{Check, Metric, Report};
//! use opskit::threshold::Thresholds;
//!
//! let limits = Thresholds::parse(Some("500"), Some("1000"))?;
//! let depth = 742.0;
//! let report = Report::new("queue-depth", "0.1.0").with_check(
//!     Check::new("queue:emails", limits.evaluate(depth), "742 jobs waiting")
//!         .with_metric(Metric::new("depth", depth).thresholds(&limits).min(0.0)),
//! );
//! let mut out = Vec::new();
//! render(&report, Format::Nagios, &RenderOptions::default(), &mut out)?;
//! assert_eq!(
//!     String::from_utf8(out)?,
//!     "QUEUE-DEPTH WARNING - 742 jobs waiting | queue:emails.depth=742;500;1000;0\n\
//!      [WARNING] queue:emails: 742 jobs waiting\n"
//! );
//! assert_eq!(report.status().code(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod cli;
pub mod codes;
pub mod config;
pub mod deadline;
pub mod docs;
pub mod duration;
pub mod encoding;
pub mod env;
pub mod fs;
#[cfg(feature = "net")]
pub mod http;
#[cfg(feature = "net")]
pub mod probe;
pub mod random;
pub mod redact;
#[cfg(feature = "net")]
pub mod redis;
pub mod render;
pub mod report;
pub mod server;
pub mod status;
pub mod threshold;
pub mod time;
#[cfg(feature = "net")]
pub mod tls;
#[cfg(feature = "workspace")]
pub mod workspace;

pub use report::{Check, Finding, Location, Metric, Report, Severity};
pub use status::Status;
