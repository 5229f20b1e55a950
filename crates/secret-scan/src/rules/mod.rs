//! The rule registry: every detector secret-scan has, in one table.
//!
//! A rule is data: a stable code, what it finds, how serious a find is, the literal keywords the
//! prefilter looks for, one or more patterns (with the secret in the group named `s`), an
//! optional validation that reads the match in context, where to rotate what it finds, and
//! examples that must and must not fire. The families live in one file each; [`all`] is the
//! only list, and everything else (the prefilter, `--rules`, docs/secret-scan.md, the tests) is
//! built from it.
//!
//! Adding a rule: one entry in the family's table, with its examples. The tests then check that
//! every example fires with that rule and no other rule outvotes it, that every counter-example
//! stays silent, and that the docs table is regenerated.

mod ai;
mod cloud;
mod context;
mod database;
mod files;
mod keys;
mod platform;
mod registry;
mod saas;
mod vcs;

use std::fmt::Write as _;
use std::ops::Range;

use opskit::report::Severity;

/// How sure a rule is that a match is a live secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// A value that looks random, found by its name only.
    Low,
    /// A provider's format known by context (the variable's name), or a format that other
    /// strings share.
    Medium,
    /// A provider's unique format (a prefix, a checksum, a decoded claim).
    High,
}

impl Confidence {
    /// `low`, `medium` or `high`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl std::str::FromStr for Confidence {
    type Err = String;
    fn from_str(s: &str) -> Result<Confidence, String> {
        match s {
            "low" => Ok(Confidence::Low),
            "medium" => Ok(Confidence::Medium),
            "high" => Ok(Confidence::High),
            other => Err(format!(
                "unknown confidence `{other}`: use low, medium or high"
            )),
        }
    }
}

/// What a rule knows the secret by. When two rules match the same text, the more specific kind
/// wins: a GitHub token in an `Authorization: Bearer` header is reported as a GitHub token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A value that looks random assigned to a secret-sounding name.
    Generic,
    /// A place where secrets go (a header, a command-line flag, a well-known variable name).
    Context,
    /// A provider's own token format.
    Provider,
}

/// How much of the file a rule's patterns need to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The line around each keyword (most rules).
    Line,
    /// The whole file (multi-line secrets such as PEM blocks).
    File,
}

/// A match, as a rule's validation sees it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The secret (the pattern's `s` group).
    pub secret: &'a str,
    /// The name it is assigned to, when the pattern has an `n` group.
    pub name: Option<&'a str>,
    /// Whether the value stands in quotes (the pattern's `q` group matched a quote).
    pub quoted: bool,
    /// The whole line the secret starts on.
    pub line: &'a str,
    /// The file's path, relative to the scanned root.
    pub path: &'a str,
    /// The whole file.
    pub file: &'a [u8],
    /// Where the secret starts in the file.
    pub at: usize,
}

impl Candidate<'_> {
    /// Up to `radius` bytes of the file either side of the secret: the object or call it
    /// stands in, for rules that judge a value by its neighbours.
    pub fn around(&self, radius: usize) -> &[u8] {
        let start = self.at.saturating_sub(radius);
        let end = (self.at + self.secret.len() + radius).min(self.file.len());
        &self.file[start..end]
    }
}

/// See [`Rule::window`].
pub type Window = fn(&[u8], Range<usize>, Range<usize>) -> Option<Range<usize>>;

/// One detector.
#[derive(Debug)]
pub struct Rule {
    /// Stable code, `SEC001`…; never reused.
    pub code: &'static str,
    /// Stable kebab-case name, `openrouter-api-key`.
    pub id: &'static str,
    /// What it finds, as a finding's message: `OpenRouter API key`.
    pub title: &'static str,
    /// What an attacker can do with it, in a sentence.
    pub impact: &'static str,
    /// How serious a find is.
    pub severity: Severity,
    /// How sure a match is.
    pub confidence: Confidence,
    /// What it knows the secret by.
    pub kind: Kind,
    /// Literal keywords (matched case-insensitively) without which the rule cannot match.
    pub keywords: &'static [&'static str],
    /// Patterns (Rust regex syntax, on bytes); the secret is the group `s` or the whole match.
    pub patterns: &'static [&'static str],
    /// What the patterns need to see.
    pub scope: Scope,
    /// File names the rule applies to (`.pypirc`); empty for every file. The examples are
    /// scanned under the first name.
    pub files: &'static [&'static str],
    /// A check of the match in context; `false` drops it.
    pub validate: Option<fn(&Candidate<'_>) -> bool>,
    /// For line rules: the part of the line around one keyword hit that a match could occupy,
    /// given the file, the keyword's range and its line window; `None` when no match can use
    /// this keyword. Without it the patterns read the whole line window. It must return a
    /// superset of every match that uses the keyword, so it changes speed, not results (on
    /// lines longer than the line window, values are cut at window edges either way).
    pub window: Option<Window>,
    /// Where and how to revoke a leaked value.
    pub rotate: &'static str,
    /// Inputs that must be reported by this rule (templates, see [`crate::fake`]).
    pub examples: &'static [&'static str],
    /// Inputs that must not be reported by any rule.
    pub counter_examples: &'static [&'static str],
}

/// The defaults a rule entry starts from.
pub(crate) const BASE: Rule = Rule {
    code: "",
    id: "",
    title: "",
    impact: "",
    severity: Severity::Error,
    confidence: Confidence::High,
    kind: Kind::Provider,
    keywords: &[],
    patterns: &[],
    scope: Scope::Line,
    files: &[],
    validate: None,
    window: None,
    rotate: "",
    examples: &[],
    counter_examples: &[],
};

/// Every rule, in code order.
pub fn all() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = [
        ai::RULES,
        database::RULES,
        platform::RULES,
        vcs::RULES,
        cloud::RULES,
        saas::RULES,
        registry::RULES,
        keys::RULES,
        context::RULES,
        files::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
    .collect();
    rules.sort_by_key(|r| r.code);
    rules
}

/// The path a rule's examples are scanned under: the first of its file names, or an
/// environment file.
pub fn example_path(rule: &Rule) -> &'static str {
    rule.files.first().copied().unwrap_or("example.env")
}

/// The rule with this code or id.
pub fn find(code_or_id: &str) -> Option<&'static Rule> {
    all()
        .into_iter()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_id) || r.id == code_or_id)
}

/// The docs anchor of a rule in docs/secret-scan.md.
pub fn help_url(rule: &Rule) -> String {
    format!(
        "https://github.com/opskit/opskit/blob/main/docs/secret-scan.md#{}",
        rule.code.to_lowercase()
    )
}

/// The rules table of docs/secret-scan.md, generated so it cannot drift from the registry.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Code | Name | Finds | Severity | Confidence | Rotate |\n|---|---|---|---|---|---|\n",
    );
    for r in all() {
        let _ = writeln!(
            out,
            "| <a id=\"{}\"></a>`{}` | `{}` | {} | {} | {} | {} |",
            r.code.to_lowercase(),
            r.code,
            r.id,
            r.title,
            r.severity.as_str(),
            r.confidence.as_str(),
            r.rotate.replace('|', "\\|"),
        );
    }
    out
}

/// `doc` with the text between `<!-- rules:start -->` and `<!-- rules:end -->` replaced by
/// [`markdown_table`]; `None` when the markers are missing. `cargo xtask codegen` writes it to
/// docs/secret-scan.md and a test checks that the file is current.
pub fn regenerate_docs(doc: &str) -> Option<String> {
    opskit::docs::splice(doc, &markdown_table())
}

/// The payload of a JWT as JSON, when `token` is one.
pub(crate) fn jwt_claims(token: &str) -> Option<serde_json::Value> {
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    let bytes = opskit::encoding::decode_base64url(payload)?;
    serde_json::from_slice(&bytes).ok()
}

/// A string claim of a decoded JWT payload.
pub(crate) fn claim(claims: &serde_json::Value, name: &str) -> Option<String> {
    claims.get(name)?.as_str().map(str::to_owned)
}
