//! A [`Scanner`]: the engine plus what the user accepted (pragmas, allowlists, a baseline).
//! Every mode (tree, staged, history, stdin) scans bytes through [`Scanner::scan_bytes`].

use std::collections::HashSet;
use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};
use opskit::report::Finding;
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::decode;
use crate::engine::{Engine, Hit};
use crate::rules::{self, Confidence, Rule};

/// Inline comments that accept a finding on their line. The ones of gitleaks and
/// detect-secrets are honoured so an existing codebase keeps its decisions.
const ALLOW_PRAGMAS: &[&str] = &["opskit:allow", "gitleaks:allow", "pragma: allowlist secret"];
/// Comments that accept a finding on the next line.
const ALLOW_NEXT_LINE: &[&str] = &[
    "opskit:allow-next-line",
    "pragma: allowlist nextline secret",
];

/// What to scan with and what to accept, from opskit.toml and flags.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Path globs never scanned (relative to the root): `tests/fixtures/**`.
    pub allow_paths: Vec<String>,
    /// Regexes: a secret that matches one is accepted.
    pub allow_patterns: Vec<String>,
    /// Substrings: a secret that contains one is accepted.
    pub stopwords: Vec<String>,
    /// Rules not to run, by code or id.
    pub skip_rules: Vec<String>,
    /// Only these rules, by code or id (empty: all).
    pub only_rules: Vec<String>,
    /// Findings below this confidence are dropped.
    pub min_confidence: Option<Confidence>,
}

/// One accepted finding in a baseline file: no secret, only its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// Rule code.
    pub rule: String,
    /// Path relative to the scanned root.
    pub path: String,
    /// The secret's fingerprint ([`opskit::redact::fingerprint`]).
    pub fingerprint: String,
}

/// A baseline file: findings an existing repository has accepted, so only new ones fail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version (1).
    pub version: u32,
    /// Accepted findings, sorted.
    pub findings: Vec<BaselineEntry>,
}

impl BaselineEntry {
    /// The entry of a secret-scan finding: its rule, path and the evidence's fingerprint
    /// (`None` for a finding without location or evidence, such as a skipped file's note).
    pub fn of(finding: &Finding) -> Option<BaselineEntry> {
        Some(BaselineEntry {
            rule: finding.rule.clone(),
            path: finding.location.as_ref()?.path.clone(),
            fingerprint: finding.evidence.as_ref()?.fingerprint().to_owned(),
        })
    }

    /// The entry of a hit, before it becomes a finding.
    fn of_hit(path: &str, hit: &Hit) -> BaselineEntry {
        BaselineEntry {
            rule: hit.rule.code.to_owned(),
            path: path.to_owned(),
            fingerprint: opskit::redact::fingerprint(&hit.secret),
        }
    }
}

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, e))?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| Error::Invalid {
            path: path.to_owned(),
            reason: format!("not a secret-scan baseline: {e}"),
        })?;
        if baseline.version != 1 {
            return Err(Error::Invalid {
                path: path.to_owned(),
                reason: format!(
                    "baseline version {} is not supported (1 is)",
                    baseline.version
                ),
            });
        }
        Ok(baseline)
    }

    /// Writes the baseline atomically.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| Error::Invalid {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        text.push('\n');
        opskit::fs::write_atomic(path, text.as_bytes()).map_err(|e| Error::file(path, e))
    }
}

/// The engine plus what is accepted.
#[derive(Debug)]
pub struct Scanner {
    engine: Engine,
    allow_paths: GlobSet,
    allow_patterns: Vec<Regex>,
    stopwords: Vec<String>,
    min_confidence: Confidence,
    baseline: HashSet<BaselineEntry>,
}

impl Scanner {
    /// Builds a scanner; bad globs, regexes or rule names are errors that name the value.
    pub fn new(settings: &Settings, baseline: Option<Baseline>) -> Result<Scanner, Error> {
        for name in settings.skip_rules.iter().chain(&settings.only_rules) {
            if rules::find(name).is_none() {
                return Err(Error::Usage(format!(
                    "unknown rule `{name}`; `secret-scan --list-rules` lists them"
                )));
            }
        }
        let selected: Vec<&'static Rule> = rules::all()
            .into_iter()
            .filter(|r| !settings.skip_rules.iter().any(|s| matches_rule(r, s)))
            .filter(|r| {
                settings.only_rules.is_empty()
                    || settings.only_rules.iter().any(|s| matches_rule(r, s))
            })
            .collect();
        let engine = Engine::new(&selected).map_err(|e| Error::Usage(e.to_string()))?;
        let mut globs = GlobSetBuilder::new();
        for g in &settings.allow_paths {
            globs.add(Glob::new(g).map_err(|e| {
                Error::Usage(format!("allow_paths: `{g}` is not a valid glob: {e}"))
            })?);
        }
        let allow_paths = globs
            .build()
            .map_err(|e| Error::Usage(format!("allow_paths: {e}")))?;
        let allow_patterns = settings
            .allow_patterns
            .iter()
            .map(|p| {
                Regex::new(p).map_err(|e| {
                    Error::Usage(format!("allow_patterns: `{p}` is not a valid regex: {e}"))
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Scanner {
            engine,
            allow_paths,
            allow_patterns,
            stopwords: settings.stopwords.clone(),
            min_confidence: settings.min_confidence.unwrap_or(Confidence::Low),
            baseline: baseline
                .map(|b| b.findings.into_iter().collect())
                .unwrap_or_default(),
        })
    }

    /// Whether a path (relative to the root, `/`-separated) is allowlisted.
    pub fn path_allowed(&self, path: &str) -> bool {
        self.allow_paths.is_match(path)
    }

    /// Scans one file's bytes and keeps what is not accepted. UTF-16 text is read as text,
    /// and the base64 values of a Kubernetes Secret are decoded and scanned too (see
    /// [`crate::decode`]).
    pub fn scan_bytes(&self, path: &str, data: &[u8]) -> Vec<Hit> {
        if let Some(text) = decode::utf16_text(data) {
            let mut hits = self.scan_text(path, &text);
            for h in &mut hits {
                h.via.get_or_insert("UTF-16 text");
            }
            return hits;
        }
        self.scan_text(path, data)
    }

    /// [`Scanner::scan_bytes`] for a generated file (a minified bundle, a source map): only
    /// the high-confidence rules, the providers' tokens that cannot be anything else. A token
    /// built into a public bundle is the worst leak there is, while the name-based rules would
    /// be noise in generated code.
    pub fn scan_generated(&self, path: &str, data: &[u8]) -> Vec<Hit> {
        let mut hits = self.scan_bytes(path, data);
        hits.retain(|h| h.confidence == Confidence::High);
        hits
    }

    fn scan_text(&self, path: &str, data: &[u8]) -> Vec<Hit> {
        let mut hits = self.engine.scan(path, data);
        let encoded = decode::kubernetes_secret_values(path, data);
        if !encoded.is_empty() {
            // What the encoded value hides replaces whatever matched the encoding itself.
            hits.retain(|h| {
                !encoded
                    .iter()
                    .any(|e| h.span.start < e.range.end && e.range.start < h.span.end)
            });
            // One line index for all the values: a manifest can hold many.
            let mut lines = crate::engine::LineIndex::default();
            for e in &encoded {
                let (line, column) = lines.position(data, e.range.start);
                for mut h in self.engine.scan(path, &e.as_assignment()) {
                    h.span = e.range.clone();
                    h.line = line;
                    h.column = column;
                    h.via = Some("base64 in a Kubernetes Secret");
                    hits.push(h);
                }
            }
            hits.sort_by_key(|h| h.span.start);
        }
        if hits.is_empty() {
            return hits;
        }
        hits.retain(|h| {
            h.confidence >= self.min_confidence
                && !pragma_allows(data, h.span.start)
                && !self.allow_patterns.iter().any(|re| re.is_match(&h.secret))
                && !self.stopwords.iter().any(|w| h.secret.contains(w.as_str()))
                && (self.baseline.is_empty()
                    || !self.baseline.contains(&BaselineEntry::of_hit(path, h)))
        });
        hits
    }

    /// How many rules run.
    pub fn rule_count(&self) -> usize {
        self.engine.rule_count()
    }
}

fn matches_rule(rule: &Rule, name: &str) -> bool {
    rule.code.eq_ignore_ascii_case(name) || rule.id == name
}

/// An allow pragma on the hit's line, or an allow-next-line pragma on the line before.
fn pragma_allows(data: &[u8], offset: usize) -> bool {
    let start = memchr::memrchr(b'\n', &data[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &data[offset..]).map_or(data.len(), |i| offset + i);
    let line = &data[start..end];
    if ALLOW_PRAGMAS
        .iter()
        .any(|p| memchr::memmem::find(line, p.as_bytes()).is_some())
    {
        return true;
    }
    if start == 0 {
        return false;
    }
    let prev_start = memchr::memrchr(b'\n', &data[..start - 1]).map_or(0, |i| i + 1);
    let prev = &data[prev_start..start - 1];
    ALLOW_NEXT_LINE
        .iter()
        .any(|p| memchr::memmem::find(prev, p.as_bytes()).is_some())
}
