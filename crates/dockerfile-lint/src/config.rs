//! Where the options come from: `.hadolint.yaml` first, then the `[dockerfile-lint]` section of
//! opskit.toml, then flags. Lists (ignores, trusted registries, labels) add up; single values
//! (the threshold, a rule's level) are taken from the last place that sets them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use opskit::cli::Context;
use serde::Deserialize;

use crate::Args;
use crate::lint::Options;
use crate::rules::{self, LabelType, Level};

/// Why dockerfile-lint could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A Dockerfile or configuration file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// .hadolint.yaml is not valid.
    #[error("{}: {message} (see https://github.com/hadolint/hadolint#configure for the keys)", path.display())]
    Hadolint {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// opskit.toml is wrong.
    #[error(transparent)]
    Config(#[from] opskit::config::ConfigError),
    /// A rule code that does not exist.
    #[error("unknown rule `{0}`: `dockerfile-lint --list-rules` shows every code")]
    UnknownRule(String),
    /// A bad value for a flag or key.
    #[error("{0}")]
    Usage(String),
    /// No Dockerfile under the given paths.
    #[error("no Dockerfile found under {}: name files Dockerfile, Dockerfile.<name>, <name>.Dockerfile or Containerfile, or pass them by path", .0.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    NoDockerfiles(Vec<PathBuf>),
    /// secret-scan's engine could not be built.
    #[error("secret-scan: {0}")]
    Scanner(String),
}

/// Levels by rule code, as in hadolint's `override`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Codes reported as errors.
    #[serde(default)]
    pub error: Vec<String>,
    /// Codes reported as warnings.
    #[serde(default)]
    pub warning: Vec<String>,
    /// Codes reported as info.
    #[serde(default)]
    pub info: Vec<String>,
    /// Codes reported as style.
    #[serde(default)]
    pub style: Vec<String>,
}

/// `.hadolint.yaml`, with hadolint's key names.
#[expect(
    clippy::struct_excessive_bools,
    reason = "hadolint's switches, key for key"
)]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HadolintConfig {
    /// Codes switched off.
    #[serde(default)]
    pub ignored: Vec<String>,
    /// DL3026's registries.
    #[serde(default, rename = "trustedRegistries")]
    pub trusted_registries: Vec<String>,
    /// Level overrides.
    #[serde(default)]
    pub r#override: Overrides,
    /// Findings at or above it fail.
    pub failure_threshold: Option<String>,
    /// DL3050.
    #[serde(default)]
    pub strict_labels: bool,
    /// DL3049-DL3058.
    #[serde(default)]
    pub label_schema: BTreeMap<String, LabelType>,
    /// Pragmas off.
    #[serde(default)]
    pub disable_ignore_pragma: bool,
    /// Exit 0 whatever is found (read for compatibility; use `--no-fail`).
    #[serde(default)]
    pub no_fail: bool,
    /// hadolint's own output switches: accepted and ignored (opskit has `--format`, `--color`).
    #[serde(default)]
    pub no_color: bool,
    /// See `no_color`.
    pub format: Option<String>,
    /// See `no_color`.
    #[serde(default)]
    pub verbose: bool,
}

/// The `[dockerfile-lint]` section of opskit.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Codes switched off.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// DL3026's registries.
    #[serde(default)]
    pub trusted_registries: Vec<String>,
    /// Level overrides.
    #[serde(default)]
    pub r#override: Overrides,
    /// Findings at or above it fail.
    pub failure_threshold: Option<String>,
    /// DL3050.
    #[serde(default)]
    pub strict_labels: bool,
    /// Label name to format.
    #[serde(default)]
    pub label_schema: BTreeMap<String, LabelType>,
    /// Pragmas off.
    #[serde(default)]
    pub disable_ignore_pragma: bool,
}

/// `.hadolint.yaml` or `.hadolint.yml` in `start` or a parent.
pub fn find_hadolint_config(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        [".hadolint.yaml", ".hadolint.yml"]
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
    })
}

/// Reads a `.hadolint.yaml`.
pub fn read_hadolint_config(path: &Path) -> Result<HadolintConfig, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    if text.trim().is_empty() {
        return Ok(HadolintConfig::default());
    }
    serde_yaml_ng::from_str(&text).map_err(|e| Error::Hadolint {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

fn code(c: &str) -> Result<String, Error> {
    rules::find(c.trim())
        .map(|r| r.code.to_owned())
        .ok_or_else(|| Error::UnknownRule(c.trim().to_owned()))
}

fn level(text: &str) -> Result<Level, Error> {
    text.parse().map_err(Error::Usage)
}

impl Options {
    fn ignore(&mut self, codes: &[String]) -> Result<(), Error> {
        for c in codes {
            self.ignored.insert(code(c)?);
        }
        Ok(())
    }

    fn apply_overrides(&mut self, o: &Overrides) -> Result<(), Error> {
        for (codes, l) in [
            (&o.style, Level::Style),
            (&o.info, Level::Info),
            (&o.warning, Level::Warning),
            (&o.error, Level::Error),
        ] {
            for c in codes {
                self.overrides.insert(code(c)?, l);
            }
        }
        Ok(())
    }

    fn labels(&mut self, schema: &BTreeMap<String, LabelType>) {
        for (name, t) in schema {
            self.settings.label_schema.retain(|(n, _)| n != name);
            self.settings.label_schema.push((name.clone(), *t));
        }
    }

    /// Adds a `.hadolint.yaml` (hadolint's key names for the same settings).
    pub fn apply_hadolint(&mut self, h: &HadolintConfig) -> Result<(), Error> {
        self.apply_file(&FileConfig {
            ignore: h.ignored.clone(),
            trusted_registries: h.trusted_registries.clone(),
            r#override: h.r#override.clone(),
            failure_threshold: h.failure_threshold.clone(),
            strict_labels: h.strict_labels,
            label_schema: h.label_schema.clone(),
            disable_ignore_pragma: h.disable_ignore_pragma,
        })
    }

    /// Adds opskit.toml's `[dockerfile-lint]`.
    pub fn apply_file(&mut self, f: &FileConfig) -> Result<(), Error> {
        self.ignore(&f.ignore)?;
        self.apply_overrides(&f.r#override)?;
        self.settings
            .trusted_registries
            .extend(f.trusted_registries.iter().cloned());
        if let Some(t) = &f.failure_threshold {
            self.failure_threshold = level(t)?;
        }
        self.settings.strict_labels |= f.strict_labels;
        self.labels(&f.label_schema);
        self.disable_ignore_pragma |= f.disable_ignore_pragma;
        Ok(())
    }
}

/// The options of a run: `.hadolint.yaml`, then opskit.toml, then flags.
pub fn resolve(args: &Args, cx: &Context) -> Result<Options, Error> {
    let mut options = Options::default();
    let hadolint = match &args.hadolint_config {
        Some(p) => Some(cx.cwd.join(p)),
        None => find_hadolint_config(&cx.cwd),
    };
    if let Some(path) = hadolint {
        let h = read_hadolint_config(&path)?;
        options.apply_hadolint(&h)?;
    }
    if let Some(f) = cx.section::<FileConfig>(crate::NAME)? {
        options.apply_file(&f)?;
    }
    options.ignore(&args.ignore)?;
    options.apply_overrides(&Overrides {
        error: args.error.clone(),
        warning: args.warning.clone(),
        info: args.info.clone(),
        style: args.style.clone(),
    })?;
    options
        .settings
        .trusted_registries
        .extend(args.trusted_registry.iter().cloned());
    if let Some(t) = args.failure_threshold {
        options.failure_threshold = t;
    }
    options.settings.strict_labels |= args.strict_labels;
    options.disable_ignore_pragma |= args.disable_ignore_pragma;
    let mut schema = BTreeMap::new();
    for spec in &args.require_label {
        let (name, kind) = spec.split_once(':').ok_or_else(|| {
            Error::Usage(format!(
                "--require-label {spec}: write LABEL:TYPE, e.g. org.opencontainers.image.source:url"
            ))
        })?;
        let kind: LabelType = serde_yaml_ng::from_str(kind).map_err(|_| {
            Error::Usage(format!("--require-label {spec}: `{kind}` is not a label type (text, url, semver, hash, rfc3339, spdx, email)"))
        })?;
        schema.insert(name.to_owned(), kind);
    }
    options.labels(&schema);
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_hadolint_yaml() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".hadolint.yaml");
        std::fs::write(&p, "ignored:\n  - DL3008\noverride:\n  error:\n    - DL3059\ntrustedRegistries:\n  - ghcr.io\nfailure-threshold: warning\nlabel-schema:\n  maintainer: email\nstrict-labels: true\n").unwrap();
        let h = read_hadolint_config(&p).unwrap();
        let mut o = Options::default();
        o.apply_hadolint(&h).unwrap();
        assert!(o.ignored.contains("DL3008"));
        assert_eq!(o.overrides["DL3059"], Level::Error);
        assert_eq!(o.failure_threshold, Level::Warning);
        assert_eq!(
            o.settings.label_schema,
            [("maintainer".to_owned(), LabelType::Email)]
        );
        assert!(o.settings.strict_labels);
        assert_eq!(find_hadolint_config(&dir.path().join("sub/dir")), Some(p));
    }

    #[test]
    fn bad_yaml_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".hadolint.yaml");
        std::fs::write(&p, "ignored: [DL3008\n").unwrap();
        let e = read_hadolint_config(&p).unwrap_err().to_string();
        assert!(e.contains(".hadolint.yaml") && e.contains("line"), "{e}");
        std::fs::write(&p, "ignore: [DL3008]\n").unwrap();
        let e = read_hadolint_config(&p).unwrap_err().to_string();
        assert!(e.contains("unknown field `ignore`"), "{e}");
    }
}
