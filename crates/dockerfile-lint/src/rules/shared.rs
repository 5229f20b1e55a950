//! Helpers the instruction rules share.

pub(super) fn unquoted(s: &str) -> &str {
    s.trim_matches(|c| c == '"' || c == '\'')
}

pub(super) fn is_absolute(path: &str) -> bool {
    let p = unquoted(path);
    p.starts_with('/')
        || p.starts_with('$')
        || (p.len() >= 2 && p.as_bytes()[1] == b':' && p.as_bytes()[0].is_ascii_alphabetic())
}

/// Whether a USER value is root (`root`, `0`, with or without a group or quotes).
pub(super) fn is_root(user: &str) -> bool {
    let name = unquoted(user.trim()).split(':').next().unwrap_or("");
    name == "root" || name == "0"
}
