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

/// SCAN003: a file whose content is binary.
pub const SCAN003: Code = Code {
    code: "SCAN003",
    title: "not scanned: binary",
    severity: Severity::Note,
    explanation: "A file's content is a known binary format (an image, an archive, an executable, a database) or is mostly NUL bytes, so it was not scanned. A text file with a stray NUL byte is scanned: one NUL does not make a file binary.",
    fix: "Nothing, if the file is what the reason says. A secret in a binary file (a keystore, an archive) needs a tool that reads that format.",
};

/// Every code, in order.
pub const CODES: &[Code] = &[SCAN001, SCAN002, SCAN003];

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
        assert_eq!(super::CODES.len(), 3);
    }
}
