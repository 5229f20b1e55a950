//! `secrets`: secret-scan over the project's working tree, with the project's own
//! `[secret-scan]` settings (allowlists, baseline) from its opskit.toml. Findings carry the
//! secret-scan rule codes (`SEC001`…) and paths relative to the root.
//!
//! Findings gate the deploy by confidence: those at or above `--min-confidence`
//! (`[predeploy] min_confidence`, default `medium`) keep their severity; the ones below (by
//! default the low-confidence generic rule, and passwords on local command lines in the docs)
//! are notes, shown but never failing the run.

use std::time::Instant;

use opskit::report::{Check, Severity};
use opskit_secret_scan::rules::Confidence;
use opskit_secret_scan::{Options, scan_paths};

use crate::project::Project;
use opskit_secret_scan::codes::SCAN002;

/// Scans the tree under the project's root; `options` come from [`crate::plan`], which asks
/// for paths relative to the root.
pub fn check(project: &Project, options: &Options, min: Confidence) -> Check {
    let started = Instant::now();
    let outcome = match scan_paths(std::slice::from_ref(&project.root), options) {
        Ok(outcome) => outcome,
        Err(e) => return Check::unknown("secrets", format!("secret-scan could not run: {e}")),
    };
    let mut check = opskit_secret_scan::check(outcome, started.elapsed());
    let mut demoted = 0;
    for f in &mut check.findings {
        let below = f
            .properties
            .get("confidence")
            .and_then(|c| c.parse::<Confidence>().ok())
            .is_some_and(|c| c < min);
        if below && f.severity != Severity::Note {
            f.severity = Severity::Note;
            f.message = format!(
                "{} [{} confidence: a note, below --min-confidence {}]",
                f.message,
                f.properties["confidence"],
                min.as_str()
            );
            demoted += 1;
        }
    }
    if demoted > 0 {
        let unknown = check.findings.iter().any(|f| f.rule == SCAN002.code);
        check.status = opskit::Status::worst_of(check.findings.iter().map(|f| f.severity.status()));
        if unknown {
            check.status = check.status.worst(opskit::Status::Unknown);
        }
        check.summary = format!(
            "{}; {demoted} below {} confidence shown as notes",
            check.summary,
            min.as_str()
        );
    }
    check
}
