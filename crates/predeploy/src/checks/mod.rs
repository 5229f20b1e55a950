//! The checks, one module each. A check takes the scanned project and returns one
//! [`opskit::report::Check`]; it never fails: a tool that cannot run is an UNKNOWN check.
//!
//! The per-project checks (typescript, lint) also take a [`Work`]: the job limit and cache
//! they share, the input digests their cache keys are made of, and which packages
//! `--changed-since` selected.

mod config_file;
pub mod dockerfile;
pub mod env;
pub mod files;
pub mod health;
pub mod lint;
pub mod railway;
pub mod secrets;
pub mod typescript;
pub mod vercel;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use opskit::report::{Finding, Severity};

use crate::cache::Digests;
use crate::project::Project;
use crate::runner::Shared;

/// What the per-project checks share.
#[derive(Debug, Clone)]
pub struct Work {
    /// Job limit, cache, deadline.
    pub shared: Arc<Shared>,
    /// The inputs' digests (when the cache is in use).
    pub digests: Option<Arc<Digests>>,
    /// The project directories (relative to the workspace root) `--changed-since` selected;
    /// `None` checks all.
    pub changed: Option<Arc<Changed>>,
    /// Settings that change results (part of every key).
    pub settings: String,
}

/// What `--changed-since REF` selected.
#[derive(Debug, Clone, Default)]
pub struct Changed {
    /// The ref.
    pub since: String,
    /// Project directories to check, relative to the workspace root.
    pub dirs: BTreeSet<PathBuf>,
}

impl Work {
    /// Whether the project in `dir` (relative to the workspace root) is to be checked.
    pub fn selected(&self, dir: &Path) -> bool {
        self.changed.as_ref().is_none_or(|c| c.dirs.contains(dir))
    }

    /// `; N unchanged since REF, not VERB` for a summary, when `--changed-since` left
    /// projects out.
    pub fn unchanged_note(&self, unchanged: usize, verb: &str) -> String {
        match &self.changed {
            Some(c) if unchanged > 0 => {
                format!("; {unchanged} unchanged since {}, not {verb}", c.since)
            }
            _ => String::new(),
        }
    }

    /// The cache key of `check` for the project in `dir`, run by `tool`: the files of its
    /// package and of the workspace packages it depends on, the root's own top-level files,
    /// the tool and the settings.
    pub fn key(&self, project: &Project, check: &str, dir: &Path, tool: &Path) -> Option<String> {
        let digests = self.digests.as_ref()?;
        let ws = &project.workspace;
        let nested: Vec<&Path> = ws
            .packages
            .iter()
            .map(|p| p.dir.as_path())
            .chain(ws.separate.iter().map(|s| s.package.dir.as_path()))
            .collect();
        let mut dirs: Vec<PathBuf> = match ws.packages.iter().find(|p| p.dir == dir) {
            Some(pkg) => ws
                .dependencies_closure(pkg)
                .into_iter()
                .map(|p| p.dir.clone())
                .collect(),
            None => vec![dir.to_owned()],
        };
        dirs.sort();
        let version = opskit::workspace::bin_version(tool).unwrap_or_default();
        let tool = tool.to_string_lossy();
        let mut parts: Vec<String> = vec![
            check.to_owned(),
            self.settings.clone(),
            opskit::workspace::slash(dir),
            tool.into_owned(),
            version,
            digests.of_top(),
        ];
        for d in &dirs {
            parts.push(opskit::workspace::slash(d));
            parts.push(digests.of_dir(d, &nested));
        }
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        Some(crate::cache::key(&parts))
    }
}

/// `PD002` notes for the separate projects that would have something to check (`wants`
/// says whether a directory does) and are not installed.
pub fn skipped_separate(project: &Project, wants: &dyn Fn(&Path) -> bool) -> Vec<Finding> {
    let ws = &project.workspace;
    ws.separate_in_scope()
        .filter(|s| wants(&ws.root.join(&s.package.dir)))
        .filter_map(|s| {
            s.skip_reason().map(|reason| {
                Finding::new(crate::runner::SKIPPED, Severity::Note, reason)
                    .property("project", s.package.shown())
            })
        })
        .collect()
}
