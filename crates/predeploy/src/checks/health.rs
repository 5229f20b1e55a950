//! `health`: health-probe on the targets of the project's `[[health-probe.targets]]` (the
//! frontend's `/api/health`, the worker's `/health` and `/metrics`), all at once. The seed's
//! script checked the endpoints "if reachable": a target that cannot be reached is reported as
//! skipped, with the reason, unless `--require-health`; a target that answers must pass its
//! conditions.

use std::time::Instant;

use opskit::Status;
use opskit::report::{Check, Finding, Severity};
use opskit_health_probe::Target;
use opskit_health_probe::codes::HP001;

/// The targets and whether they must be reachable.
#[derive(Debug, Clone, Default)]
pub struct HealthPlan {
    /// From `[[health-probe.targets]]`.
    pub targets: Vec<Target>,
    /// Unreachable targets fail the check.
    pub require: bool,
}

/// Probes every target.
pub fn check(plan: &HealthPlan) -> Check {
    let started = Instant::now();
    if plan.targets.is_empty() {
        return Check::new(
            "health",
            Status::Ok,
            "no [[health-probe.targets]] in opskit.toml: nothing to probe",
        );
    }
    let report = opskit_health_probe::probe_all(&plan.targets);
    let mut findings = Vec::new();
    let mut skipped = Vec::new();
    for c in report.checks {
        let unreachable = c.findings.iter().any(|f| f.rule == HP001.code);
        for f in c.findings {
            let message = format!("{}: {}", c.name, f.message);
            if unreachable && !plan.require {
                findings.push(Finding::new(f.rule, Severity::Note, format!("{message} (skipped: not reachable from here; --require-health makes this an error)")));
            } else {
                findings.push(Finding { message, ..f });
            }
        }
        if unreachable && !plan.require {
            skipped.push(c.name);
        }
    }
    let mut check = Check::from_findings("health", findings).took(started.elapsed());
    let probed = plan.targets.len() - skipped.len();
    if !check.status.is_problem() {
        check.summary = if skipped.is_empty() {
            format!("{probed} targets up")
        } else {
            format!(
                "{probed} targets up; skipped (unreachable): {}",
                skipped.join(", ")
            )
        };
    }
    check
}
