//! Shared by the config-file checks: parsing JSON or TOML into a JSON value, and finding the
//! line a key is written on.

use std::path::Path;

/// A parsed config file.
pub struct ConfigFile {
    /// Path relative to the root.
    pub path: String,
    /// Its text.
    pub text: String,
    /// Its value.
    pub value: serde_json::Value,
}

/// Reads `root/rel` as JSON (or TOML when it ends in `.toml`); a file that does not parse is
/// a `code` finding at the line the parser names.
pub fn load_or_finding(
    root: &Path,
    rel: &Path,
    code: &str,
) -> Result<ConfigFile, Box<opskit::report::Finding>> {
    load(root, rel).map_err(|(path, message, line)| {
        let mut loc = opskit::report::Location::new(path);
        if let Some(l) = line {
            loc = loc.line(l);
        }
        Box::new(
            opskit::report::Finding::new(code, opskit::report::Severity::Error, message).at(loc),
        )
    })
}

/// Reads `root/rel` as JSON (or TOML when it ends in `.toml`).
fn load(root: &Path, rel: &Path) -> Result<ConfigFile, (String, String, Option<u32>)> {
    let path = crate::project::display(root, rel);
    let text = std::fs::read_to_string(root.join(rel))
        .map_err(|e| (path.clone(), format!("cannot read it: {e}"), None))?;
    let value = if rel.extension().is_some_and(|e| e == "toml") {
        toml::from_str::<toml::Value>(&text)
            .map_err(|e| {
                let line = e
                    .span()
                    .map(|s| u32::try_from(text[..s.start].matches('\n').count() + 1).unwrap_or(1));
                (
                    path.clone(),
                    format!("not valid TOML: {}", e.message()),
                    line,
                )
            })
            .and_then(|v| {
                serde_json::to_value(v).map_err(|e| (path.clone(), e.to_string(), None))
            })?
    } else {
        serde_json::from_str(&text).map_err(|e| {
            (
                path.clone(),
                format!("not valid JSON: {e}"),
                u32::try_from(e.line()).ok(),
            )
        })?
    };
    Ok(ConfigFile { path, text, value })
}

impl ConfigFile {
    /// The first line that mentions `key` as a key (`"key"` in JSON, `key =` in TOML).
    pub fn line_of(&self, key: &str) -> Option<u32> {
        let json = format!("\"{key}\"");
        self.text
            .lines()
            .position(|l| {
                l.contains(&json)
                    || l.trim_start().starts_with(&format!("{key} "))
                    || l.trim_start().starts_with(&format!("{key}="))
            })
            .and_then(|i| u32::try_from(i + 1).ok())
    }

    /// A location at `key`'s line.
    pub fn at(&self, key: &str) -> opskit::report::Location {
        let loc = opskit::report::Location::new(self.path.clone());
        match self.line_of(key) {
            Some(l) => loc.line(l),
            None => loc,
        }
    }
}
