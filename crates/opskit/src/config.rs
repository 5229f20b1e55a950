//! `opskit.toml`: discovery, `${VAR}` references, and errors that point at the line.
//!
//! One file at the application's root holds one section per tool:
//!
//! ```toml
//! [queue-depth]
//! url = "${UPSTASH_REDIS_REST_URL}"
//! token = "${UPSTASH_REDIS_REST_TOKEN}"
//! warning = 500
//! critical = "1000"
//!
//! [health-probe]
//! timeout = "${PROBE_TIMEOUT:-5s}"
//! ```
//!
//! - **Discovery**: [`Config::discover`] looks for `opskit.toml` in the working directory and
//!   then in each parent; `--config FILE` names one directly.
//! - **Sections**: the top level may only hold the sections in [`SECTIONS`]; each tool reads its
//!   own with [`Config::section`] into a `#[serde(deny_unknown_fields)]` struct.
//! - **References**: secrets never stand in the file. String values may hold `${VAR}` (an error
//!   naming `VAR` when it is unset), `${VAR:-default}` (the default when unset or empty),
//!   `${VAR-default}` (the default when unset), and `$$` for a literal `$`. References are
//!   resolved after parsing, inside string values only, so a variable's value can never change
//!   the file's structure.
//! - **Errors** name the file, the line and the column, the key, and for an unknown key the
//!   closest valid one ("did you mean `warning`?").
//!
//! ```
//! use opskit::config::Config;
//! #[derive(Debug, serde::Deserialize)]
//! #[serde(deny_unknown_fields)]
//! struct Queue { warning: u32, token: String }
//!
//! let cfg = Config::parse("opskit.toml", "[queue-depth]\nwarning = 500\ntoken = \"${TOKEN}\"\n")?;
//! let env = |name: &str| (name == "TOKEN").then(|| "s3cr3t".to_owned());
//! let q: Queue = cfg.section("queue-depth", &env)?.unwrap();
//! assert_eq!((q.warning, q.token.as_str()), (500, "s3cr3t"));
//!
//! let bad = Config::parse("opskit.toml", "[queue-depth]\nwarnin = 500\ntoken = \"x\"\n")?;
//! let err = bad.section::<Queue>("queue-depth", &env).unwrap_err();
//! assert_eq!(err.to_string(), "opskit.toml:2:1: unknown key `warnin` in [queue-depth]; did you mean `warning`? (valid keys: warning, token)");
//! # Ok::<(), opskit::config::ConfigError>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The file name looked for.
pub const FILE_NAME: &str = "opskit.toml";

/// The sections a config file may hold, one per tool.
pub const SECTIONS: &[&str] = &[
    "queue-depth",
    "env-check",
    "secret-scan",
    "dockerfile-lint",
    "health-probe",
    "db-backup",
    "notify",
    "predeploy",
    "serve",
];

/// A place in the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The file.
    pub path: PathBuf,
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// Why a configuration could not be used; [`ConfigError::kind`] tells which way. Boxed, so
/// `Result<_, ConfigError>` stays one pointer wide on the happy path.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ConfigError(Box<ConfigErrorKind>);

impl ConfigError {
    /// What went wrong, and where.
    pub fn kind(&self) -> &ConfigErrorKind {
        &self.0
    }
}

impl From<ConfigErrorKind> for ConfigError {
    fn from(kind: ConfigErrorKind) -> ConfigError {
        ConfigError(Box::new(kind))
    }
}

/// The ways a configuration can be wrong. Every variant says where and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ConfigErrorKind {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{at}: {message}")]
    Syntax {
        /// Where.
        at: Position,
        /// The parser's message.
        message: String,
    },
    /// A key that no tool reads.
    #[error("{at}: unknown key `{key}` in {}{}{}", section_name(section.as_deref()), did_you_mean(suggestion.as_deref()), valid_list(valid))]
    UnknownKey {
        /// Where.
        at: Position,
        /// The key as written.
        key: String,
        /// The section it is in, `None` at the top level.
        section: Option<String>,
        /// The closest valid key, if one is close.
        suggestion: Option<String>,
        /// Every valid key there.
        valid: Vec<String>,
    },
    /// A `${VAR}` reference to a variable that is not set.
    #[error(
        "{at}: `{key}` refers to ${{{var}}}, which is not set; export {var}, or write ${{{var}:-default}} to fall back to a default"
    )]
    UnsetVariable {
        /// Where.
        at: Position,
        /// The key whose value holds the reference.
        key: String,
        /// The variable.
        var: String,
    },
    /// A malformed `${…}` reference.
    #[error(
        "{at}: `{key}` has a malformed reference: {message}; write ${{NAME}} or ${{NAME:-default}}, and $$ for a literal $"
    )]
    BadReference {
        /// Where.
        at: Position,
        /// The key.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A value of the wrong type or form.
    #[error("{at}: {message}")]
    Invalid {
        /// Where.
        at: Position,
        /// What the tool expected.
        message: String,
    },
}

fn section_name(section: Option<&str>) -> String {
    section.map_or_else(
        || "the top level (sections are tools)".to_owned(),
        |s| format!("[{s}]"),
    )
}

fn did_you_mean(s: Option<&str>) -> String {
    s.map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

fn valid_list(valid: &[String]) -> String {
    if valid.is_empty() {
        "; this section takes no keys".to_owned()
    } else {
        format!(" (valid keys: {})", valid.join(", "))
    }
}

/// The closest candidate within an edit distance of a third of the key's length (at least 2).
pub fn closest<'a>(key: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (key.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&key.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The Levenshtein distance between two strings, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A loaded `opskit.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    path: PathBuf,
    source: String,
    fallbacks: std::sync::Arc<std::sync::Mutex<Vec<Fallback>>>,
}

/// A `${VAR:-default}` whose default was used, because `VAR` was unset (or empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    /// The key, dotted: `queue-depth.url`.
    pub key: String,
    /// The variable.
    pub var: String,
    /// The default that stood in.
    pub default: String,
}

impl std::fmt::Display for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` in opskit.toml uses the default of ${{{}:-…}}, `{}`, because {} is not set",
            self.key, self.var, self.default, self.var
        )
    }
}

impl Config {
    /// Looks for `opskit.toml` in `start` and its parents. `Ok(None)` when there is none.
    pub fn discover(start: &Path) -> Result<Option<Config>, ConfigError> {
        for dir in start.ancestors() {
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                return Config::load(&candidate).map(Some);
            }
        }
        Ok(None)
    }

    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let source = std::fs::read_to_string(path).map_err(|source| ConfigErrorKind::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(path, &source)
    }

    /// Checks `source` as if read from `path`: TOML syntax and the top-level sections.
    pub fn parse(path: impl Into<PathBuf>, source: &str) -> Result<Config, ConfigError> {
        let config = Config {
            path: path.into(),
            source: source.to_owned(),
            fallbacks: std::sync::Arc::default(),
        };
        let table = config.table()?;
        for (key, value) in table.get_ref() {
            let name = key.get_ref().as_ref();
            if !SECTIONS.contains(&name) {
                return Err(ConfigErrorKind::UnknownKey {
                    at: config.position(key.span().start),
                    key: name.to_owned(),
                    section: None,
                    suggestion: closest(name, SECTIONS.iter().copied()).map(str::to_owned),
                    valid: SECTIONS.iter().map(|s| (*s).to_owned()).collect(),
                }
                .into());
            }
            if !value.get_ref().is_table() {
                return Err(ConfigErrorKind::Invalid {
                    at: config.position(key.span().start),
                    message: format!("`{name}` must be a table: write it as a [{name}] section"),
                }
                .into());
            }
        }
        Ok(config)
    }

    /// Every `${VAR:-default}` read so far whose default stood in, oldest first.
    pub fn fallbacks(&self) -> Vec<Fallback> {
        self.fallbacks.lock().map(|f| f.clone()).unwrap_or_default()
    }

    /// The fallback read for `key` (`queue-depth.url`), if its default stood in.
    pub fn fallback(&self, key: &str) -> Option<Fallback> {
        self.fallbacks().into_iter().rev().find(|f| f.key == key)
    }

    /// The file this came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn table(&self) -> Result<Spanned<DeTable<'_>>, ConfigError> {
        DeTable::parse(&self.source).map_err(|e| self.toml_error(&e))
    }

    /// Whether the file has a section named `name`.
    pub fn has_section(&self, name: &str) -> bool {
        self.table().is_ok_and(|t| t.get_ref().get(name).is_some())
    }

    /// Reads section `name` into `T`, resolving `${VAR}` references through `env`.
    /// `Ok(None)` when the section is absent.
    pub fn section<T: DeserializeOwned>(
        &self,
        name: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<T>, ConfigError> {
        let mut table = self.table()?;
        let Some(section) = table.get_mut().get_mut(name) else {
            return Ok(None);
        };
        let resolved = std::cell::RefCell::new(Vec::new());
        let recording = recording(env, &resolved);
        self.interpolate(section, name, &recording)?;
        let deserializer = toml::de::ValueDeserializer::from(section.clone());
        T::deserialize(deserializer)
            .map(Some)
            .map_err(|e| self.section_error(&e, name, &resolved.borrow()))
    }

    /// Reads section `name` into `S` like [`Config::section`], except for its array of
    /// tables `key` (`[[health-probe.targets]]`): each item is resolved and read on its own,
    /// so an item that refers to an unset variable fails alone ([`Item::value`] holds the
    /// error, naming the variable) while the others are used. Any other error is the
    /// section's. `S` sees the section without `key`.
    pub fn section_items<S: DeserializeOwned, T: DeserializeOwned>(
        &self,
        name: &str,
        key: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<SectionItems<S, T>>, ConfigError> {
        let mut table = self.table()?;
        let Some(section) = table.get_mut().get_mut(name) else {
            return Ok(None);
        };
        let mut raw_items = Vec::new();
        if let DeValue::Table(t) = section.get_mut() {
            let found = t.keys().find(|k| k.get_ref() == key).cloned();
            if let Some(k) = found
                && let Some(v) = t.remove(&k)
            {
                match v.into_inner() {
                    DeValue::Array(items) => raw_items = items.into_iter().collect(),
                    other => {
                        t.insert(k, Spanned::new(0..0, other));
                    }
                }
            }
        }
        let resolved = std::cell::RefCell::new(Vec::new());
        let recording = recording(env, &resolved);
        self.interpolate(section, name, &recording)?;
        let rest = S::deserialize(toml::de::ValueDeserializer::from(section.clone()))
            .map_err(|e| self.section_error(&e, name, &resolved.borrow()))?;
        let mut items = Vec::new();
        for (i, mut item) in raw_items.into_iter().enumerate() {
            let plain: Vec<(String, String)> = match item.get_ref() {
                DeValue::Table(t) => t
                    .iter()
                    .filter_map(|(k, v)| {
                        let text = v.get_ref().as_str()?;
                        (!text.contains('$')).then(|| (k.get_ref().to_string(), text.to_owned()))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let item_name = plain
                .iter()
                .find(|(k, _)| k == "name")
                .map(|(_, v)| v.clone());
            let path = format!("{name}.{key}[{i}]");
            let value = match self.interpolate(&mut item, &path, &recording) {
                Err(e) if matches!(e.kind(), ConfigErrorKind::UnsetVariable { .. }) => Err(e),
                Err(e) => return Err(e),
                Ok(()) => Ok(T::deserialize(toml::de::ValueDeserializer::from(item))
                    .map_err(|e| self.section_error(&e, name, &resolved.borrow()))?),
            };
            items.push(Item {
                name: item_name,
                plain,
                value,
            });
        }
        Ok(Some((rest, items)))
    }

    fn interpolate(
        &self,
        value: &mut Spanned<DeValue<'_>>,
        key: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let span = value.span();
        match value.get_mut() {
            DeValue::String(s) if s.contains('$') => {
                let mut defaults = Vec::new();
                let resolved = expand_noting(s, env, &mut defaults).map_err(|e| match e {
                    ExpandError::Unset(var) => ConfigErrorKind::UnsetVariable {
                        at: self.position(span.start),
                        key: key.to_owned(),
                        var,
                    },
                    ExpandError::Malformed(message) => ConfigErrorKind::BadReference {
                        at: self.position(span.start),
                        key: key.to_owned(),
                        message,
                    },
                })?;
                if crate::redact::name_says_secret(key) {
                    crate::redact::secrets().register(&resolved);
                }
                if let Ok(mut list) = self.fallbacks.lock() {
                    for (var, default) in defaults {
                        let f = Fallback {
                            key: key.to_owned(),
                            var,
                            default,
                        };
                        if !list.contains(&f) {
                            list.push(f);
                        }
                    }
                }
                *s = resolved.into();
            }
            DeValue::Array(items) => {
                for item in items.iter_mut() {
                    self.interpolate(item, key, env)?;
                }
            }
            DeValue::Table(t) => {
                for (k, v) in t.iter_mut() {
                    let path = format!("{key}.{}", k.get_ref());
                    self.interpolate(v, &path, env)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.source.len());
        let before = self.source.get(..offset).unwrap_or(&self.source);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Position {
            path: self.path.clone(),
            line,
            column,
        }
    }

    fn toml_error(&self, e: &toml::de::Error) -> ConfigError {
        let at = self.position(e.span().map_or(0, |s| s.start));
        ConfigErrorKind::Syntax {
            at,
            message: e.message().trim().to_owned(),
        }
        .into()
    }

    fn section_error(
        &self,
        e: &toml::de::Error,
        section: &str,
        resolved: &[(String, String)],
    ) -> ConfigError {
        let offset = e.span().map_or(0, |s| s.start);
        let at = self.position(offset);
        let message = e.message().trim();
        if let Some((key, valid)) = parse_unknown_field(message) {
            let suggestion = closest(&key, valid.iter().map(String::as_str)).map(str::to_owned);
            return ConfigErrorKind::UnknownKey {
                at,
                key,
                section: Some(section.to_owned()),
                suggestion,
                valid,
            }
            .into();
        }
        // The key and what was expected, never the value: a value that came from `${VAR}`
        // is named by its variable, and serde's quoted values are left out.
        let mut message = without_quoted_value(message);
        for (var, value) in resolved {
            if !value.is_empty() {
                message = message.replace(value.as_str(), &format!("${{{var}}}"));
            }
        }
        let key = self.key_at(offset);
        let key = key.map(|k| format!("`{k}` ")).unwrap_or_default();
        ConfigErrorKind::Invalid {
            at,
            message: format!("{key}in [{section}]: {message}"),
        }
        .into()
    }

    /// The key of the `key = value` line holding `offset`, if that line is one.
    fn key_at(&self, offset: usize) -> Option<String> {
        let offset = offset.min(self.source.len());
        let start = self.source.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
        let line = self.source.get(start..)?.lines().next()?;
        let (key, _) = line.split_once('=')?;
        let key = key.trim().trim_matches('"');
        (!key.is_empty() && !key.starts_with('[') && !key.starts_with('#'))
            .then(|| key.chars().take(64).collect())
    }
}

/// serde's `invalid type: string "VALUE", expected …` and `invalid value: …` without the
/// value: `invalid type: a string, expected …`.
fn without_quoted_value(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((found, expected)) = rest.split_once(", expected ")
        {
            let kind = found.split([' ', '`', '"']).next().unwrap_or("value");
            return format!("{prefix}a {kind}, expected {expected}");
        }
    }
    message.to_owned()
}

/// Reads serde's "unknown field `x`, expected one of `a`, `b`" message.
fn parse_unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let valid = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    Some((key.to_owned(), valid))
}

/// `env`, registering every value it gives with the output layer and noting it in `resolved`:
/// what came from the environment may be a secret, so an error about its key names the
/// variable, never the value.
fn recording<'a>(
    env: &'a dyn Fn(&str) -> Option<String>,
    resolved: &'a std::cell::RefCell<Vec<(String, String)>>,
) -> impl Fn(&str) -> Option<String> + 'a {
    move |var| {
        let value = env(var);
        if let Some(v) = &value {
            crate::redact::secrets().register_value(v);
            resolved.borrow_mut().push((var.to_owned(), v.clone()));
        }
        value
    }
}

/// A section read by [`Config::section_items`]: the rest of it, and each item on its own.
pub type SectionItems<S, T> = (S, Vec<Item<T>>);

/// One item of an array of tables read by [`Config::section_items`].
#[derive(Debug)]
pub struct Item<T> {
    /// Its `name` key, when that is a plain string.
    pub name: Option<String>,
    /// Its top-level string keys that hold no reference, as written (`kind = "postgres"`).
    pub plain: Vec<(String, String)>,
    /// The item, or why it could not be resolved (an unset variable).
    pub value: Result<T, ConfigError>,
}

enum ExpandError {
    Unset(String),
    Malformed(String),
}

fn valid_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Resolves `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$$`. A `$` not followed by `{` or
/// `$` is kept as it is. Defaults are taken literally (no nested references).
#[cfg(test)]
fn expand(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, ExpandError> {
    expand_noting(text, env, &mut Vec::new())
}

/// [`expand`], noting each `(variable, default)` whose default stood in.
fn expand_noting(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
    defaults: &mut Vec<(String, String)>,
) -> Result<String, ExpandError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let Some(end) = body.find('}') else {
                return Err(ExpandError::Malformed(format!(
                    "`${{{body}` has no closing `}}`"
                )));
            };
            let inner = &body[..end];
            let (name, default, empty_counts) = if let Some((n, d)) = inner.split_once(":-") {
                (n, Some(d), true)
            } else if let Some((n, d)) = inner.split_once('-') {
                (n, Some(d), false)
            } else {
                (inner, None, false)
            };
            if !valid_var_name(name) {
                return Err(ExpandError::Malformed(format!(
                    "`{name}` in `${{{inner}}}` is not a variable name"
                )));
            }
            let value = env(name).filter(|v| !(empty_counts && v.is_empty()));
            match (value, default) {
                (Some(v), _) => out.push_str(&v),
                (None, Some(d)) => {
                    out.push_str(d);
                    defaults.push((name.to_owned(), d.to_owned()));
                }
                (None, None) => return Err(ExpandError::Unset(name.to_owned())),
            }
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Queue {
        warning: Option<u32>,
        critical: Option<u32>,
        url: Option<String>,
        token: Option<String>,
        queues: Option<Vec<String>>,
        upstash: Option<Upstash>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Upstash {
        url: String,
    }

    fn env(name: &str) -> Option<String> {
        match name {
            "TOKEN" => Some("AXk4-secret".to_owned()),
            "EMPTY" => Some(String::new()),
            "HOST" => Some("example.upstash.io".to_owned()),
            _ => None,
        }
    }

    fn load(src: &str) -> Result<Option<Queue>, ConfigError> {
        Config::parse("opskit.toml", src)?.section("queue-depth", &env)
    }

    #[test]
    fn reads_a_section_with_references() {
        let q = load("[queue-depth]\nwarning = 5\nurl = \"https://${HOST}/\"\ntoken = \"${TOKEN}\"\nqueues = [\"${HOST}\", \"b\"]\n[queue-depth.upstash]\nurl = \"${HOST}\"\n")
            .unwrap()
            .unwrap();
        assert_eq!(q.url.as_deref(), Some("https://example.upstash.io/"));
        assert_eq!(q.token.as_deref(), Some("AXk4-secret"));
        assert_eq!(q.queues.unwrap(), ["example.upstash.io", "b"]);
        assert_eq!(q.upstash.unwrap().url, "example.upstash.io");
    }

    #[test]
    fn absent_section_is_none() {
        assert_eq!(load("[notify]\n").unwrap(), None);
        assert_eq!(load("").unwrap(), None);
    }

    #[test]
    fn defaults_and_escapes() {
        let e = |s: &str| {
            expand(s, &env).map_err(|e| match e {
                ExpandError::Unset(v) => format!("unset {v}"),
                ExpandError::Malformed(m) => m,
            })
        };
        assert_eq!(e("${MISSING:-x}").unwrap(), "x");
        assert_eq!(e("${MISSING-x}").unwrap(), "x");
        assert_eq!(e("${EMPTY:-x}").unwrap(), "x");
        assert_eq!(e("${EMPTY-x}").unwrap(), "");
        assert_eq!(e("${TOKEN:-x}").unwrap(), "AXk4-secret");
        assert_eq!(e("${MISSING:-}").unwrap(), "");
        assert_eq!(e("$$HOME and $${TOKEN}").unwrap(), "$HOME and ${TOKEN}");
        assert_eq!(e("price $5").unwrap(), "price $5");
        assert_eq!(e("end $").unwrap(), "end $");
        assert_eq!(e("${MISSING}").unwrap_err(), "unset MISSING");
        assert!(e("${TOKEN").unwrap_err().contains("no closing"));
        assert!(e("${1BAD}").unwrap_err().contains("not a variable name"));
        assert!(e("${}").unwrap_err().contains("not a variable name"));
        // A value is inserted as text, never re-expanded.
        let tricky = |n: &str| (n == "A").then(|| "${B}".to_owned());
        assert_eq!(expand("${A}", &tricky).ok().unwrap(), "${B}");
    }

    #[test]
    fn unset_variable_names_it_and_the_spot() {
        let err = load("[queue-depth]\n\ntoken = \"${UPSTASH_REDIS_REST_TOKEN}\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "opskit.toml:3:9: `queue-depth.token` refers to ${UPSTASH_REDIS_REST_TOKEN}, which is not set; export UPSTASH_REDIS_REST_TOKEN, or write ${UPSTASH_REDIS_REST_TOKEN:-default} to fall back to a default"
        );
    }

    #[test]
    fn a_wrong_value_from_a_variable_names_the_key_never_the_value() {
        let cfg = Config::parse("opskit.toml", "[queue-depth]\nwarning = \"${LEVEL}\"\n").unwrap();
        let secret = "CfgSecretValue-93ab";
        let err = cfg
            .section::<Queue>("queue-depth", &|n| {
                (n == "LEVEL").then(|| secret.to_owned())
            })
            .unwrap_err()
            .to_string();
        assert!(!err.contains(secret) && !err.contains("CfgS"), "{err}");
        assert!(
            err.contains("`warning`") && err.contains("expected u32"),
            "{err}"
        );
        // A literal in the file is not quoted either: the key and the type say enough.
        let cfg = Config::parse("opskit.toml", "[queue-depth]\nwarning = \"lots\"\n").unwrap();
        let err = cfg
            .section::<Queue>("queue-depth", &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`warning`") && !err.contains("lots"), "{err}");
    }

    #[test]
    fn nested_keys_are_named_in_errors() {
        let err = load("[queue-depth.upstash]\nurl = \"${NOPE}\"\n").unwrap_err();
        assert!(
            matches!(err.kind(), ConfigErrorKind::UnsetVariable { key, .. } if key == "queue-depth.upstash.url"),
            "{err}"
        );
    }

    #[test]
    fn unknown_key_suggests_the_closest() {
        let err = load("[queue-depth]\nwarning = 1\n  critcal = 2\n").unwrap_err();
        match err.kind() {
            ConfigErrorKind::UnknownKey {
                at,
                key,
                suggestion,
                ..
            } => {
                assert_eq!((at.line, at.column), (3, 3));
                assert_eq!(key, "critcal");
                assert_eq!(suggestion.as_deref(), Some("critical"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string().contains("did you mean `critical`?"),
            "{err}"
        );
        let err = load("[queue-depth]\nzzzzzz = 1\n").unwrap_err();
        assert!(!err.to_string().contains("did you mean"), "{err}");
        assert!(
            err.to_string()
                .contains("valid keys: warning, critical, url, token, queues, upstash"),
            "{err}"
        );
    }

    #[test]
    fn unknown_nested_key() {
        let err = load("[queue-depth.upstash]\nurl = \"a\"\nurls = 1\n").unwrap_err();
        assert!(
            matches!(err.kind(), ConfigErrorKind::UnknownKey { key, suggestion: Some(s), .. } if key == "urls" && s == "url"),
            "{err}"
        );
    }

    #[test]
    fn unknown_section_suggests_a_tool() {
        let err = Config::parse("/app/opskit.toml", "[queue-depht]\nwarning = 1\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "/app/opskit.toml:1:2: unknown key `queue-depht` in the top level (sections are tools); did you mean `queue-depth`? (valid keys: {})",
                SECTIONS.join(", ")
            )
        );
        let err = Config::parse("opskit.toml", "predeploy = 1\n").unwrap_err();
        assert!(err.to_string().contains("must be a table"), "{err}");
    }

    #[test]
    fn wrong_types_point_at_the_value() {
        let err = load("[queue-depth]\nwarning = \"lots\"\n").unwrap_err();
        match err.kind() {
            ConfigErrorKind::Invalid { at, message } => {
                assert_eq!(at.line, 2);
                assert!(message.contains("[queue-depth]"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let err = Config::parse("opskit.toml", "[queue-depth]\nwarning = = 1\n").unwrap_err();
        match err.kind() {
            ConfigErrorKind::Syntax { at, .. } => assert_eq!(at.line, 2),
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().starts_with("opskit.toml:2:"), "{err}");
    }

    #[test]
    fn columns_count_characters() {
        let err = load("[queue-depth]\n\"ключ\" = 1\n").unwrap_err();
        assert!(err.to_string().starts_with("opskit.toml:2:1:"), "{err}");
        let err = Config::parse("opskit.toml", "[queue-depth]\nurl = \"ü${NOPE}\"\n")
            .unwrap()
            .section::<Queue>("queue-depth", &env)
            .unwrap_err();
        assert!(err.to_string().starts_with("opskit.toml:2:7:"), "{err}");
    }

    #[test]
    fn discovers_upward() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        let outside = Config::discover(&deep).unwrap();
        assert!(outside.is_none_or(|c| !c.path().starts_with(dir.path())));
        std::fs::write(dir.path().join("a/opskit.toml"), "[notify]\n").unwrap();
        let found = Config::discover(&deep).unwrap().unwrap();
        assert_eq!(found.path(), dir.path().join("a/opskit.toml"));
        assert!(found.has_section("notify"));
        assert!(!found.has_section("predeploy"));
        std::fs::write(dir.path().join("a/b/opskit.toml"), "[bogus]\n").unwrap();
        assert!(
            Config::discover(&deep)
                .is_err_and(|e| matches!(e.kind(), ConfigErrorKind::UnknownKey { .. }))
        );
    }

    #[test]
    fn unreadable_file_says_which() {
        let err = Config::load(Path::new("/nonexistent/opskit.toml")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read /nonexistent/opskit.toml:"),
            "{err}"
        );
    }

    #[test]
    fn closest_is_bounded() {
        assert_eq!(closest("warnign", ["warning", "critical"]), Some("warning"));
        assert_eq!(closest("x", ["warning"]), None);
        assert_eq!(closest("TOKEN", ["token"]), Some("token"));
    }
}
