//! The result cache: a check whose inputs did not change since a previous run is not run
//! again; its stored result is reported, marked `(cached)`.
//!
//! Only the long checks (typescript, lint) are cached; the others take milliseconds. A check's
//! key is a SHA-256 over: the predeploy version, the check's name and settings, and the path
//! and content of every file in the project (dependencies, build output and `.git` left out;
//! the lockfile is in, so an upgraded compiler or linter changes the key). Results of checks
//! that could not run (UNKNOWN) are never stored. The cache lives in
//! `node_modules/.cache/opskit-predeploy/results.json`, where build tools keep theirs; it is
//! written to a temporary file and renamed.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use opskit::Status;
use opskit::report::Check;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Files larger than this are hashed by size and modification time only.
const HASH_LIMIT: u64 = 8 * 1024 * 1024;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    version: u32,
    entries: BTreeMap<String, Entry>,
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

/// A digest of every input file under `root`.
pub fn tree_digest(root: &Path) -> String {
    let mut hasher = Sha256::new();
    let mut buf = Vec::new();
    for entry in crate::project::files(root, usize::MAX) {
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        hasher.update(rel.to_string_lossy().as_bytes());
        hasher.update([0]);
        let Ok(meta) = entry.metadata() else { continue };
        if meta.len() > HASH_LIMIT {
            hasher.update(meta.len().to_le_bytes());
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            hasher.update(modified.to_le_bytes());
            continue;
        }
        buf.clear();
        if std::fs::File::open(entry.path())
            .and_then(|mut f| f.read_to_end(&mut buf))
            .is_ok()
        {
            hasher.update(&buf);
        }
        hasher.update([0]);
    }
    opskit::redact::hex(&hasher.finalize())
}

/// The key of one check: its name, its settings and the tree.
pub fn key(check: &str, settings: &str, tree: &str) -> String {
    let mut h = Sha256::new();
    for part in [env!("CARGO_PKG_VERSION"), check, settings, tree] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    opskit::redact::hex(&h.finalize())
}

impl Cache {
    /// Opens the cache of a project; `None` when it has no node_modules to keep it in.
    pub fn open(root: &Path) -> Option<Cache> {
        let modules = root.join("node_modules");
        if !modules.is_dir() {
            return None;
        }
        let path = modules.join(".cache/opskit-predeploy/results.json");
        let stored = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Stored>(&b).ok())
            .filter(|s| s.version == 1)
            .unwrap_or(Stored {
                version: 1,
                entries: BTreeMap::new(),
            });
        Some(Cache { path, stored })
    }

    /// The stored result of `check` if its key matches.
    pub fn get(&self, check: &str, key: &str) -> Option<Check> {
        self.stored
            .entries
            .get(check)
            .filter(|e| e.key == key)
            .map(|e| e.check.clone())
    }

    /// Stores a result (not an UNKNOWN one).
    pub fn put(&mut self, check: &str, key: String, result: &Check) {
        if result.status != Status::Unknown {
            self.stored.entries.insert(
                check.to_owned(),
                Entry {
                    key,
                    check: result.clone(),
                },
            );
        }
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

    #[test]
    fn digest_follows_content_not_skipped_dirs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.ts"), "1").unwrap();
        std::fs::create_dir(dir.path().join("node_modules")).unwrap();
        let first = tree_digest(dir.path());
        std::fs::write(dir.path().join("node_modules/x.js"), "ignored").unwrap();
        assert_eq!(tree_digest(dir.path()), first);
        std::fs::write(dir.path().join("a.ts"), "2").unwrap();
        assert_ne!(tree_digest(dir.path()), first);
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
        cache.put("typescript", "k1".to_owned(), &check);
        cache.put(
            "lint",
            "k2".to_owned(),
            &Check::unknown("lint", "eslint crashed"),
        );
        cache.save();
        let cache = Cache::open(dir.path()).unwrap();
        assert_eq!(cache.get("typescript", "k1"), Some(check));
        assert_eq!(cache.get("typescript", "other"), None);
        assert_eq!(
            cache.get("lint", "k2"),
            None,
            "UNKNOWN results are not stored"
        );
    }
}
