//! `secrets`: secret-scan over the project's working tree, with the project's own
//! `[secret-scan]` settings (allowlists, baseline) from its opskit.toml. Findings carry the
//! secret-scan rule codes (`SEC001`…) and paths relative to the root.

use std::time::Instant;

use opskit::report::Check;
use opskit_secret_scan::{Options, scan_paths};

use crate::project::Project;

/// Scans the tree under the project's root; `options` come from [`crate::plan`], which asks
/// for paths relative to the root.
pub fn check(project: &Project, options: &Options) -> Check {
    let started = Instant::now();
    match scan_paths(std::slice::from_ref(&project.root), options) {
        Ok(outcome) => opskit_secret_scan::check(outcome, started.elapsed()),
        Err(e) => Check::unknown("secrets", format!("secret-scan could not run: {e}")),
    }
}
