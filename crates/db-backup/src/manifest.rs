//! The manifest written beside every backup (`FILE.manifest.json`), and the catalog of a backup
//! directory built from them. A file without an opskit manifest is not ours: list shows it,
//! prune and check never touch it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::archive::Compression;

/// The `tool` field of every manifest: how prune knows a file is ours.
pub const TOOL: &str = "opskit db-backup";

/// The manifest format's version.
pub const FORMAT: u32 = 1;

/// What a backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Schema and data.
    Full,
    /// Definitions only.
    SchemaOnly,
    /// Rows only.
    DataOnly,
    /// Roles (plain SQL from pg_dumpall).
    RolesOnly,
}

impl Mode {
    /// As in flags and file names.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::SchemaOnly => "schema-only",
            Mode::DataOnly => "data-only",
            Mode::RolesOnly => "roles-only",
        }
    }

    /// The archive is plain SQL (roles) rather than pg_dump's custom format.
    pub const fn is_sql(self) -> bool {
        matches!(self, Mode::RolesOnly)
    }

    /// The archive holds table rows.
    pub const fn has_data(self) -> bool {
        matches!(self, Mode::Full | Mode::DataOnly)
    }
}

/// One table at the time of the dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Schema.
    pub schema: String,
    /// Name.
    pub name: String,
    /// Rows, counted in the dump's own snapshot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// An order-independent hash of the rows' text (see [`crate::inventory`]), when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
}

impl Table {
    /// `schema.name`.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }
}

/// The last verification of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// When (UTC, RFC 3339).
    pub at: String,
    /// `checksum` (the file's SHA-256), `list` (and pg_restore read the archive), `restore`
    /// (and a restore compared every table).
    pub level: String,
    /// It passed.
    pub ok: bool,
    /// What failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Everything known about one backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`TOOL`].
    pub tool: String,
    /// [`FORMAT`].
    pub format: u32,
    /// The archive's file name (in the same directory).
    pub file: String,
    /// The database's name.
    pub database: String,
    /// Host and port, for people (never the user's password).
    pub server: String,
    /// `server_version`.
    pub server_version: String,
    /// The program that wrote the archive and its version (`pg_dump 15.14`).
    pub dumper: String,
    /// `full` or `supabase`.
    pub preset: String,
    /// What the archive holds.
    pub mode: Mode,
    /// Schemas left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_schemas: Vec<String>,
    /// Compression.
    pub compression: Compression,
    /// Compression level.
    pub level: i32,
    /// Start (UTC, RFC 3339).
    pub started: String,
    /// Start, seconds since the Unix epoch.
    pub started_unix: u64,
    /// Seconds the run took.
    pub duration_seconds: f64,
    /// Bytes on disk.
    pub bytes: u64,
    /// Bytes before compression.
    pub raw_bytes: u64,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// The row counts were taken in pg_dump's snapshot (exactly what the archive holds).
    pub consistent_counts: bool,
    /// Tables with their row counts.
    pub tables: Vec<Table>,
    /// Warnings of the run (a preset that leaves out schemas the kept tables need).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The last verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
}

/// The manifest's path for an archive.
pub fn path_for(archive: &Path) -> PathBuf {
    let mut name = archive.file_name().unwrap_or_default().to_os_string();
    name.push(".manifest.json");
    archive.with_file_name(name)
}

/// A manifest that cannot be read or is not one of ours: which file, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ManifestError(String);

/// A backup directory that cannot be listed, pruned or checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CatalogError(pub(crate) String);

/// The message, for the internal code that reports failures as lines of text.
impl From<CatalogError> for String {
    fn from(e: CatalogError) -> String {
        e.0
    }
}

impl Manifest {
    /// Reads a manifest; `Err` says what is wrong with it.
    pub fn read(path: &Path) -> Result<Manifest, ManifestError> {
        Self::read_text(path).map_err(ManifestError)
    }

    fn read_text(path: &Path) -> Result<Manifest, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a db-backup manifest: {e}", path.display()))?;
        if manifest.tool != TOOL {
            return Err(format!(
                "{} was written by {:?}, not {TOOL}",
                path.display(),
                manifest.tool
            ));
        }
        if manifest.format > FORMAT {
            return Err(format!(
                "{} has manifest format {}; this db-backup reads up to {FORMAT}: upgrade opskit",
                path.display(),
                manifest.format
            ));
        }
        Ok(manifest)
    }

    /// Writes the manifest atomically (temporary file, fsync, rename).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        text.push('\n');
        opskit::fs::write_atomic(path, text.as_bytes())
    }

    /// The backup passed its last verification.
    pub fn verified(&self) -> bool {
        self.verification.as_ref().is_some_and(|v| v.ok)
    }

    /// `verified (restore)`, `FAILED verification (list)`, `not verified`.
    pub fn verification_text(&self) -> String {
        match &self.verification {
            Some(v) if v.ok => format!("verified ({})", v.level),
            Some(v) => format!("FAILED verification ({})", v.level),
            None => "not verified".to_owned(),
        }
    }
}

/// A backup of the catalog: its manifest and archive.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The archive (it may be missing).
    pub archive: PathBuf,
    /// The manifest's path.
    pub manifest_path: PathBuf,
    /// The manifest.
    pub manifest: Manifest,
    /// The archive exists.
    pub archive_present: bool,
}

/// A backup directory, read.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Backups with an opskit manifest, newest first.
    pub entries: Vec<Entry>,
    /// Files with a manifest-like name that is not ours or not readable: `(path, why)`.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Temporary files of runs that did not finish: `(path, writer still running)`.
    pub partials: Vec<(PathBuf, bool)>,
}

/// Reads every `*.manifest.json` of `dir` (not recursively). A missing directory is an empty
/// catalog; an unreadable one is an error.
pub fn catalog(dir: &Path) -> std::io::Result<Catalog> {
    let mut catalog = Catalog::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(catalog),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if let Some(pid) = crate::archive::partial_pid(&name) {
            let running = crate::cleanup::process_running(pid);
            catalog.partials.push((path, running));
            continue;
        }
        let Some(archive_name) = name.strip_suffix(".manifest.json") else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        match Manifest::read(&path) {
            Ok(manifest) if manifest.file == archive_name => {
                let archive = dir.join(archive_name);
                catalog.entries.push(Entry {
                    archive_present: archive.is_file(),
                    archive,
                    manifest_path: path,
                    manifest,
                });
            }
            Ok(manifest) => catalog.unreadable.push((
                path,
                format!(
                    "names {:?}, not {archive_name:?}: renamed by hand?",
                    manifest.file
                ),
            )),
            Err(e) => catalog.unreadable.push((path, e.to_string())),
        }
    }
    catalog.entries.sort_by(|a, b| {
        b.manifest
            .started_unix
            .cmp(&a.manifest.started_unix)
            .then_with(|| b.archive.cmp(&a.archive))
    });
    catalog.partials.sort();
    catalog.unreadable.sort();
    Ok(catalog)
}

/// A backup's file name: `DB-YYYYMMDDTHHMMSSZ[-MODE].dump.zst` (`.sql.zst` for roles).
pub fn file_name(
    database: &str,
    started_unix: u64,
    mode: Mode,
    compression: Compression,
) -> String {
    let stamp: String = opskit::time::utc_timestamp(started_unix)
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect();
    let db: String = database
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mode = match mode {
        Mode::Full => String::new(),
        other => format!("-{}", other.as_str()),
    };
    let kind = if matches!(mode.as_str(), "-roles-only") {
        "sql"
    } else {
        "dump"
    };
    format!("{db}-{stamp}{mode}.{kind}{}", compression.suffix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            file_name("postgres", 1_795_748_400, Mode::Full, Compression::Zstd),
            "postgres-20261127T030000Z.dump.zst"
        );
        assert_eq!(
            file_name("my db", 0, Mode::RolesOnly, Compression::Gzip),
            "my_db-19700101T000000Z-roles-only.sql.gz"
        );
        assert_eq!(
            path_for(Path::new("/b/x.dump.zst")),
            Path::new("/b/x.dump.zst.manifest.json")
        );
    }
}
