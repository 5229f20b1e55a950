//! Labelled corpora: trees of text with planted fake secrets, for measuring recall and
//! precision (the tests do, on `tests/corpus`, and `cargo xtask accuracy` does, next to the
//! peer scanners, on every corpus).
//!
//! In a corpus file, `⟦CODE:template⟧` plants a secret: the template is expanded with
//! [`crate::fake::expand`] and the lines it covers are labelled with CODE. `⟦CODE|base64:template⟧`
//! plants it base64-encoded (a Kubernetes Secret's `data:`). Everything outside markers is
//! expanded too (for realistic noise) but labelled nothing: none of it may be reported. A file
//! whose name ends in `.utf16` is written as UTF-16LE with a byte order mark, under its name
//! without that suffix. `README.md` at the corpus root describes the corpus and is not copied.
//!
//! ```
//! let from = tempfile::tempdir().unwrap();
//! std::fs::write(from.path().join(".env"), "A=1\nTOKEN=⟦SEC027:ghp_{a62:36}⟧\n").unwrap();
//! let to = tempfile::tempdir().unwrap();
//! let labels = opskit_secret_scan::corpus::materialize(from.path(), to.path(), 1).unwrap();
//! assert_eq!(labels[0].path, ".env");
//! assert_eq!((labels[0].first_line, labels[0].last_line), (2, 2));
//! ```

use std::path::Path;

use crate::fake::{Rng, expand};

/// One planted secret.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Label {
    /// The file, relative to the corpus root, `/`-separated.
    pub path: String,
    /// The line the secret starts on, from 1.
    pub first_line: u32,
    /// The line it ends on (a PEM block spans several).
    pub last_line: u32,
    /// The rule that should report it.
    pub code: String,
}

impl Label {
    /// Whether a finding at `path:line` is this secret.
    pub fn covers(&self, path: &str, line: u32) -> bool {
        self.path == path && (self.first_line..=self.last_line).contains(&line)
    }
}

/// A corpus that cannot be read or written, or a marker that is not closed.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A marker is malformed.
    #[error("{path}: {reason}")]
    Marker {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// Expands the corpus under `from` into `to` with the random draws of `seed`; returns the
/// labels, sorted.
pub fn materialize(from: &Path, to: &Path, seed: u64) -> Result<Vec<Label>, CorpusError> {
    let mut rng = Rng::new(seed);
    let mut labels = Vec::new();
    let mut files = Vec::new();
    walk(from, from, &mut files)?;
    files.sort();
    for rel in files {
        if rel == "README.md" {
            continue;
        }
        let io = |source| CorpusError::Io {
            path: rel.clone(),
            source,
        };
        let text = std::fs::read_to_string(from.join(&rel)).map_err(io)?;
        let (dest_rel, utf16) = match rel.strip_suffix(".utf16") {
            Some(plain) => (plain.to_owned(), true),
            None => (rel.clone(), false),
        };
        let out = expand_file(&text, &dest_rel, &mut rng, &mut labels)?;
        let dest = to.join(&dest_rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let bytes: Vec<u8> = if utf16 {
            [0xFF, 0xFE]
                .into_iter()
                .chain(out.encode_utf16().flat_map(u16::to_le_bytes))
                .collect()
        } else {
            out.into_bytes()
        };
        std::fs::write(dest, bytes).map_err(io)?;
    }
    labels.sort();
    Ok(labels)
}

fn expand_file(
    text: &str,
    path: &str,
    rng: &mut Rng,
    labels: &mut Vec<Label>,
) -> Result<String, CorpusError> {
    let marker = |reason: &str| CorpusError::Marker {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let line_of = |s: &str| u32::try_from(s.matches('\n').count() + 1).unwrap_or(u32::MAX);
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('⟦') {
        out.push_str(&expand(&rest[..open], rng));
        let after = &rest[open + '⟦'.len_utf8()..];
        let close = after.find('⟧').ok_or_else(|| marker("unclosed ⟦ marker"))?;
        let (head, template) = after[..close]
            .split_once(':')
            .ok_or_else(|| marker("a marker is ⟦CODE:template⟧"))?;
        let (code, encoding) = head.split_once('|').unwrap_or((head, ""));
        let first_line = line_of(&out);
        let secret = expand(template, rng);
        let planted = match encoding {
            "" => secret,
            "base64" => opskit::encoding::encode_base64(secret.as_bytes()),
            other => return Err(marker(&format!("unknown encoding `{other}` (base64)"))),
        };
        out.push_str(&planted);
        labels.push(Label {
            path: path.to_owned(),
            first_line,
            last_line: line_of(&out),
            code: code.to_owned(),
        });
        rest = &after[close + '⟧'.len_utf8()..];
    }
    out.push_str(&expand(rest, rng));
    Ok(out)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), CorpusError> {
    let io = |source| CorpusError::Io {
        path: dir.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}
