//! The result cache: a project whose inputs did not change since a previous run is not
//! checked again; its stored result is reported, marked `(cached)`.
//!
//! Only the long checks (typescript, lint) are cached, and they are cached **per project**
//! (one package's tsc run, one package's ESLint run), so a change to one package reruns that
//! package and the packages that depend on it, not the whole workspace. A project's key is a
//! SHA-256 over:
//!
//! - the predeploy version, the check's name and settings, the project's directory;
//! - the tool that runs it (the resolved binary and its package version);
//! - the files of the project's package and of every workspace package it depends on;
//! - the files at the top of the workspace root (the lockfile, `tsconfig.base.json`,
//!   `eslint.config.mjs`, `biome.json`, …), which every package shares.
//!
//! A file is an input when git would track it: tracked, or untracked but not ignored
//! (`.gitignore`, `.git/info/exclude`; read even outside a git work tree). Files the tools
//! write for themselves (`*.tsbuildinfo`, `.eslintcache`) and everything gitignored (build
//! output, `.next`, `node_modules`) never enter a key, so a run does not invalidate the next.
//!
//! Results of projects that could not be checked (UNKNOWN) are never stored. How long each
//! project took is kept too, so the next run starts the longest first. The cache lives in the
//! workspace root's `node_modules/.cache/opskit-predeploy/results.json`, where build tools
//! keep theirs; it is written to a temporary file and renamed.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use opskit::Status;
use opskit::report::Check;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Files larger than this are hashed by size and modification time only.
const HASH_LIMIT: u64 = 8 * 1024 * 1024;

/// The stored format's version; older files are ignored.
const VERSION: u32 = 2;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    version: u32,
    entries: BTreeMap<String, Entry>,
    /// Seconds each project took last time it ran, by `check:project`.
    #[serde(default)]
    durations: BTreeMap<String, f64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    key: String,
    check: Check,
}

/// An open cache.
#[derive(Debug)]
pub struct Cache {
    path: PathBuf,
    stored: Stored,
}

/// Whether a file name is one the checked tools write for themselves.
fn tool_output(name: &str) -> bool {
    name.ends_with(".tsbuildinfo") || name == ".eslintcache" || name == "tsconfig.tsbuildinfo"
}

/// The input files of a tree and their content hashes, found in one walk.
#[derive(Debug, Clone, Default)]
pub struct Digests {
    /// `(path relative to the root, hash)`, sorted by path.
    files: Vec<(PathBuf, [u8; 32])>,
}

impl Digests {
    /// Walks `root` as git sees it (tracked plus untracked-not-ignored), hashing each file.
    pub fn of_tree(root: &Path) -> Digests {
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .require_git(false)
            .parents(false)
            .follow_links(false)
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                !(e.file_type().is_some_and(|t| t.is_dir())
                    && (name == "node_modules" || name == ".git"))
            })
            .build();
        let mut files = Vec::new();
        let mut buf = Vec::new();
        for entry in walker.filter_map(Result::ok) {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            if tool_output(&entry.file_name().to_string_lossy()) {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(root) else {
                continue;
            };
            let mut h = Sha256::new();
            match entry.metadata() {
                Ok(meta) if meta.len() > HASH_LIMIT => {
                    h.update(meta.len().to_le_bytes());
                    let modified = meta
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map_or(0, |d| d.as_nanos());
                    h.update(modified.to_le_bytes());
                }
                _ => {
                    buf.clear();
                    if std::fs::File::open(entry.path())
                        .and_then(|mut f| f.read_to_end(&mut buf))
                        .is_ok()
                    {
                        h.update(&buf);
                    }
                }
            }
            files.push((rel.to_owned(), h.finalize().into()));
        }
        files.sort();
        Digests { files }
    }

    /// The input files, relative to the root.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// A digest of the files under `dir` that are not under one of `nested` (the packages
    /// inside it, which have digests of their own).
    pub fn of_dir(&self, dir: &Path, nested: &[&Path]) -> String {
        let mut h = Sha256::new();
        for (path, hash) in &self.files {
            if !path.starts_with(dir)
                || nested
                    .iter()
                    .any(|n| n != &dir && n.starts_with(dir) && path.starts_with(n))
            {
                continue;
            }
            h.update(path.to_string_lossy().as_bytes());
            h.update([0]);
            h.update(hash);
        }
        opskit::redact::hex(&h.finalize())
    }

    /// A digest of the files directly in the root (not in a subdirectory).
    pub fn of_top(&self) -> String {
        let mut h = Sha256::new();
        for (path, hash) in &self.files {
            if path.components().count() == 1 {
                h.update(path.to_string_lossy().as_bytes());
                h.update([0]);
                h.update(hash);
            }
        }
        opskit::redact::hex(&h.finalize())
    }
}

/// A key from its parts, in order.
pub fn key(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update([0]);
    for part in parts {
        h.update(part.as_bytes());
        h.update([0]);
    }
    opskit::redact::hex(&h.finalize())
}

impl Cache {
    /// Opens the cache of a workspace; `None` when its root has no node_modules to keep it
    /// in.
    pub fn open(root: &Path) -> Option<Cache> {
        let modules = root.join("node_modules");
        if !modules.is_dir() {
            return None;
        }
        let path = modules.join(".cache/opskit-predeploy/results.json");
        let stored = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Stored>(&b).ok())
            .filter(|s| s.version == VERSION)
            .unwrap_or(Stored {
                version: VERSION,
                entries: BTreeMap::new(),
                durations: BTreeMap::new(),
            });
        Some(Cache { path, stored })
    }

    /// The stored result of `id` if its key matches.
    pub fn get(&self, id: &str, key: &str) -> Option<Check> {
        self.stored
            .entries
            .get(id)
            .filter(|e| e.key == key)
            .map(|e| e.check.clone())
    }

    /// Stores a result (not an UNKNOWN one).
    pub fn put(&mut self, id: &str, key: String, result: &Check) {
        if result.status != Status::Unknown {
            self.stored.entries.insert(
                id.to_owned(),
                Entry {
                    key,
                    check: result.clone(),
                },
            );
        }
    }

    /// How long `id` took when it last ran.
    pub fn duration(&self, id: &str) -> Option<Duration> {
        self.stored
            .durations
            .get(id)
            .and_then(|s| Duration::try_from_secs_f64(*s).ok())
    }

    /// Records how long `id` took.
    pub fn record_duration(&mut self, id: &str, took: Duration) {
        self.stored
            .durations
            .insert(id.to_owned(), took.as_secs_f64());
    }

    /// Writes the cache; a failure only costs the next run its speed.
    pub fn save(&self) {
        let Some(dir) = self.path.parent() else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let Ok(json) = serde_json::to_vec(&self.stored) else {
            return;
        };
        let _ = opskit::fs::write_atomic(&self.path, &json);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn digests_follow_inputs_not_tool_output_or_ignored_files() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(r, ".gitignore", "dist/\n*.log\n");
        write(r, "package.json", "{}");
        write(r, "apps/web/src/a.ts", "1");
        write(r, "packages/ui/src/b.ts", "1");
        let digest = |d: &Digests| {
            (
                d.of_dir(Path::new("apps/web"), &[]),
                d.of_dir(
                    Path::new(""),
                    &[Path::new("apps/web"), Path::new("packages/ui")],
                ),
                d.of_top(),
            )
        };
        let first = digest(&Digests::of_tree(r));
        // What the tools write, and what git ignores, changes nothing.
        write(r, "apps/web/tsconfig.tsbuildinfo", "{}");
        write(r, "apps/web/.eslintcache", "[]");
        write(r, "apps/web/dist/a.js", "x");
        write(r, "apps/web/debug.log", "x");
        write(r, "node_modules/x/index.js", "x");
        assert_eq!(digest(&Digests::of_tree(r)), first);
        // A source change changes its package only.
        write(r, "packages/ui/src/b.ts", "2");
        let after = digest(&Digests::of_tree(r));
        assert_eq!(after.0, first.0, "apps/web did not change");
        assert_eq!(after.1, first.1, "the root's own files did not change");
        // An untracked new file counts; a root file changes the top.
        write(r, "apps/web/src/new.ts", "1");
        write(r, "tsconfig.base.json", "{}");
        let last = digest(&Digests::of_tree(r));
        assert_ne!(last.0, first.0);
        assert_ne!(last.2, first.2);
    }

    #[test]
    fn stores_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            Cache::open(dir.path()).is_none(),
            "no node_modules, no cache"
        );
        std::fs::create_dir(dir.path().join("node_modules")).unwrap();
        let mut cache = Cache::open(dir.path()).unwrap();
        let check = Check::new("typescript", Status::Critical, "3 type errors");
        cache.put("typescript:web", "k1".to_owned(), &check);
        cache.put(
            "lint:web",
            "k2".to_owned(),
            &Check::unknown("lint", "eslint crashed"),
        );
        cache.record_duration("typescript:web", Duration::from_millis(1500));
        cache.save();
        let cache = Cache::open(dir.path()).unwrap();
        assert_eq!(cache.get("typescript:web", "k1"), Some(check));
        assert_eq!(cache.get("typescript:web", "other"), None);
        assert_eq!(
            cache.get("lint:web", "k2"),
            None,
            "UNKNOWN results are not stored"
        );
        assert_eq!(
            cache.duration("typescript:web"),
            Some(Duration::from_millis(1500))
        );
    }
}
