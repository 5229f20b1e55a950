//! `dockerfile`: dockerfile-lint on every Dockerfile of the project (hadolint's rules plus the
//! HEALTHCHECK, secret and runtime rules), with the project's `.hadolint.yaml` and
//! `[dockerfile-lint]` settings. Paths are relative to the root.

use std::fmt::Write as _;
use std::time::Instant;

use opskit::report::Check;
use opskit_dockerfile_lint::lint::Options;

use crate::project::Project;

/// Lints the Dockerfiles under the project's root.
pub fn check(project: &Project, options: &Options) -> Check {
    let started = Instant::now();
    let files: Vec<_> = project
        .dockerfiles
        .iter()
        .map(|f| project.root.join(f))
        .collect();
    if files.is_empty() {
        // The files check reports a missing Dockerfile; nothing to lint here.
        return Check::new("dockerfile", opskit::Status::Ok, "no Dockerfile to lint");
    }
    let scanner = match opskit_dockerfile_lint::scanner() {
        Ok(s) => s,
        Err(e) => {
            return Check::unknown("dockerfile", format!("dockerfile-lint could not run: {e}"));
        }
    };
    let root = project.root.clone();
    let display = move |p: &std::path::Path| {
        p.strip_prefix(&root)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned()
    };
    match opskit_dockerfile_lint::lint_files(&files, options, Some(&scanner), &display) {
        Ok(outcome) => {
            let notes = outcome.notes.clone();
            let mut check = opskit_dockerfile_lint::check(outcome, started.elapsed());
            if options.settings.shellcheck.is_none() {
                check.summary.push_str(
                    "; the SC checks were skipped: ShellCheck is not installed (apt-get install shellcheck, or set SHELLCHECK)",
                );
            } else if let Some(first) = notes.first() {
                let _ = write!(check.summary, "; {first}");
            }
            check
        }
        Err(e) => Check::unknown("dockerfile", format!("dockerfile-lint could not run: {e}")),
    }
}
