//! secret-scan's codes for files it did not scan (the secret rules themselves, SEC001…, are the
//! registry in `rules/`). Each is written once: `--explain` and the SARIF rule descriptors are
//! made from this list.

use opskit::codes::{Code, Registry};
use opskit::report::Severity;

/// SCAN001: a file over the size limit.
pub const SCAN001: Code = Code {
    code: "SCAN001",
    title: "not scanned: over the size limit",
    severity: Severity::Note,
    explanation: "A file larger than `--max-file-size` (5 MiB by default) was not scanned; generated bundles and data dumps usually are.",
    fix: "Raise `--max-file-size` (or `max_file_size` in opskit.toml) to include it, or exclude it on purpose.",
};

/// SCAN002: a file that could not be read.
pub const SCAN002: Code = Code {
    code: "SCAN002",
    title: "not scanned: unreadable",
    severity: Severity::Note,
    explanation: "A file could not be read (permissions, a broken link, an I/O error); the result is UNKNOWN unless a secret was found elsewhere, because a secret could hide in it.",
    fix: "Fix the permissions, or exclude the path.",
};

/// Every code, in order.
pub const CODES: &[Code] = &[SCAN001, SCAN002];

/// The registry.
pub const REGISTRY: Registry = Registry {
    page: "secret-scan",
    codes: CODES,
};

#[cfg(test)]
mod tests {
    #[test]
    fn the_registry_is_complete() {
        assert_eq!(opskit::codes::validate(super::CODES, &["SCAN"]), Ok(()));
        assert_eq!(super::CODES.len(), 2);
    }
}
