//! `--format json`: the report as one JSON document.
//!
//! # Wire format
//!
//! Schema `opskit.report`, version **1**. Fields are only ever added within a version; a field
//! that changes meaning or disappears bumps `schema_version`.
//!
//! ```json
//! {
//!   "schema": "opskit.report",
//!   "schema_version": 1,
//!   "tool": "queue-depth",            // the binary that ran
//!   "version": "0.1.0",               // its version
//!   "status": "CRITICAL",             // OK | WARNING | CRITICAL | UNKNOWN, worst of the checks
//!   "exit_code": 2,                   // 0 | 1 | 2 | 3, what the process exits with
//!   "summary": "…",                   // one line
//!   "checks": [{
//!     "name": "queue:emails",
//!     "status": "CRITICAL",
//!     "summary": "1204 jobs waiting",
//!     "duration_seconds": 0.012,
//!     "findings": [{
//!       "rule": "SEC001",
//!       "severity": "error",          // note | warning | error
//!       "message": "…",
//!       "location": {"path": "src/a.ts", "line": 3, "column": 7},   // optional; line/column optional
//!       "evidence": {"prefix": "sk-p", "length": 51, "fingerprint": "9f86d081884c7d65"}, // optional
//!       "help": "https://…"           // optional
//!     }],
//!     "metrics": [{
//!       "label": "depth", "value": 1204.0,
//!       "unit": "none",               // none | seconds | milliseconds | microseconds | percent | bytes | counter
//!       "warn": "500", "crit": "1000",// Nagios ranges, optional
//!       "min": 0.0, "max": null,      // optional (omitted when unknown)
//!       "help": "…",                  // optional
//!       "prometheus": {"family": "bullmq_job_count", "labels": [["queue", "emails"], ["state", "waiting"]]} // optional
//!     }]
//!   }],
//!   "rules": [{"code": "SEC001", "name": "openai-api-key", "summary": "…", "severity": "error", "help": "…"}]
//! }
//! ```
//!
//! Optional fields are omitted rather than `null`. Evidence never contains the secret, only its
//! redacted form (see [`crate::redact`]).

use std::io::{self, Write};

use serde::Serialize;

use super::RenderOptions;
use crate::Report;
use crate::Status;
use crate::report::{Check, RuleInfo};

/// The schema name in every document.
pub const SCHEMA: &str = "opskit.report";
/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Wire<'a> {
    schema: &'static str,
    schema_version: u32,
    tool: &'a str,
    version: &'a str,
    status: Status,
    exit_code: u8,
    summary: String,
    checks: &'a [Check],
    rules: &'a [RuleInfo],
}

/// Writes the report as pretty-printed JSON, streamed to `out`.
pub fn render(report: &Report, _options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let status = report.status();
    let wire = Wire {
        schema: SCHEMA,
        schema_version: SCHEMA_VERSION,
        tool: &report.tool,
        version: &report.version,
        status,
        exit_code: status.code(),
        summary: report.summary(),
        checks: &report.checks,
        rules: &report.rules,
    };
    serde_json::to_writer_pretty(&mut *out, &wire).map_err(io::Error::other)?;
    writeln!(out)
}
