//! `env-check lint [FILES] [--fix]`: the lint rules over .env files, and fixes that leave what
//! dotenv loads unchanged, written atomically with a `.bak` copy.

use std::path::{Path, PathBuf};
use std::time::Instant;

use opskit::cli::Context;
use opskit::report::{Check, Report};

use crate::{Error, NAME, env_files, lint, read, shown};

/// Writes `text` to `path` atomically, keeping the original as `path.bak`.
pub(crate) fn write_fixed(path: &Path, original: &str, text: &str) -> Result<PathBuf, Error> {
    let fail = |source: std::io::Error| Error::File {
        path: path.to_owned(),
        source,
    };
    let mut backup = path.as_os_str().to_owned();
    backup.push(".bak");
    let backup = PathBuf::from(backup);
    std::fs::write(&backup, original).map_err(fail)?;
    opskit::fs::write_atomic(path, text.as_bytes()).map_err(fail)?;
    Ok(backup)
}

pub(crate) fn lint_files(
    files: &[PathBuf],
    fix: bool,
    skip: &[String],
    cx: &Context,
) -> Result<Report, Error> {
    let files: Vec<PathBuf> = if files.is_empty() {
        env_files(&cx.cwd)
    } else {
        files.iter().map(|f| cx.cwd.join(f)).collect()
    };
    if files.is_empty() {
        return Err(Error::NoFiles(cx.cwd.display().to_string()));
    }
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    for path in &files {
        let started = Instant::now();
        let name = shown(path, &cx.cwd);
        let text = match read(path) {
            Ok(t) => t,
            Err(e) => {
                report.push(Check::unknown(format!("lint:{name}"), e.to_string()));
                continue;
            }
        };
        let mut note = None;
        let mut current = text.clone();
        if fix {
            match lint::fix(&name, &text, skip) {
                Ok(fixed) if fixed != text => {
                    let backup = write_fixed(path, &text, &fixed)?;
                    note = Some(format!(
                        "fixed; the original is in {}",
                        shown(&backup, &cx.cwd)
                    ));
                    current = fixed;
                }
                Ok(_) => {}
                Err(refused) => note = Some(refused.to_string()),
            }
        }
        let findings = lint::lint(&name, &current, skip);
        let mut check =
            Check::from_findings(format!("lint:{name}"), findings).took(started.elapsed());
        if let Some(n) = note {
            check.summary = format!("{}; {n}", check.summary);
        }
        report.push(check);
    }
    Ok(report)
}
