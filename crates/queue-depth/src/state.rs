//! The state file that remembers failed counts between runs, for failed growth.
//!
//! ```json
//! {"version": 1, "saved_ms": 1795748399000, "failed": {"bull:emails": 12}}
//! ```
//!
//! It is written with [`opskit::fs::write_atomic`], so a run killed mid-write never leaves a
//! half-written file.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::bullmq::QueueRef;

/// What the previous run saw.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct State {
    /// Format version.
    pub version: u32,
    /// When it was saved.
    pub saved_ms: i64,
    /// Failed counts by `prefix:name`.
    pub failed: BTreeMap<String, u64>,
}

impl State {
    /// The failed count of a queue at the previous run.
    pub fn failed(&self, q: &QueueRef) -> Option<i64> {
        self.failed
            .get(&format!("{}:{}", q.prefix, q.name))
            .and_then(|n| i64::try_from(*n).ok())
    }
}

/// Why the state file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a state file.
    #[error("{}: {source}", path.display())]
    Json {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: serde_json::Error,
    },
}

/// Reads the state; a missing file is an empty state (the first run).
pub fn load(path: &Path) -> Result<State, StateError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| StateError::Json {
            path: path.to_owned(),
            source,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
        Err(source) => Err(StateError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Writes the state atomically.
pub fn save(path: &Path, failed: &[(QueueRef, u64)], now_ms: i64) -> Result<(), StateError> {
    let state = State {
        version: 1,
        saved_ms: now_ms,
        failed: failed
            .iter()
            .map(|(q, n)| (format!("{}:{}", q.prefix, q.name), *n))
            .collect(),
    };
    let json = serde_json::to_vec_pretty(&state).map_err(|source| StateError::Json {
        path: path.to_owned(),
        source,
    })?;
    opskit::fs::write_atomic(path, &json).map_err(|source| StateError::Io {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_tolerates_absence() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qd.json");
        assert_eq!(load(&path).unwrap(), State::default());
        save(&path, &[(QueueRef::new("bull", "emails"), 12)], 5).unwrap();
        let s = load(&path).unwrap();
        assert_eq!(s.failed(&QueueRef::new("bull", "emails")), Some(12));
        assert_eq!(s.failed(&QueueRef::new("bull", "other")), None);
        std::fs::write(&path, "{broken").unwrap();
        assert!(load(&path).unwrap_err().to_string().contains("qd.json"));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }
}
