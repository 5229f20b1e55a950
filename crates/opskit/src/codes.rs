//! Finding codes and their registries. Each tool writes its codes once, in the crate that
//! emits them (`HP001` in health-probe's `codes.rs`, `ENV101` in [`crate::env::codes`]), as
//! [`Code`] constants with a title, a default severity, an explanation and a fix. Everything a
//! person reads about a code comes from that one entry: `--explain CODE` and `--list-rules`
//! ([`CodeFlags`]), the SARIF rule descriptors ([`describe`]), and the tables of `docs/<tool>.md`
//! ([`markdown_table`], written by `cargo xtask codegen`). A tidy test fails on a code literal
//! outside a registry, so a finding cannot carry a code nobody explains.
//!
//! ```
//! use opskit::codes::Code;
//! use opskit::report::Severity;
//!
//! const XX001: Code = Code {
//!     code: "XX001",
//!     title: "down",
//!     severity: Severity::Error,
//!     explanation: "The service did not answer.",
//!     fix: "Start it.",
//! };
//! let f = XX001.finding("connection refused");
//! assert_eq!((f.rule.as_str(), f.severity), ("XX001", Severity::Error));
//! assert_eq!(opskit::codes::find(&[XX001], "xx001"), Some(&XX001));
//! ```

use std::fmt::Write as _;

use crate::report::{Check, Finding, Report, RuleInfo, Severity};
use crate::status::Status;

/// Where the docs live; a code's help link is `{DOCS}/{page}.md#{code}`.
pub const DOCS: &str = "https://github.com/opskit/opskit/blob/main/docs";

/// One finding code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// `HP001`…
    pub code: &'static str,
    /// A few words.
    pub title: &'static str,
    /// How serious it is by default (a finding may be raised or lowered where the message says
    /// why: a latency over the warning limit is a warning, over the critical limit an error).
    pub severity: Severity,
    /// What it means.
    pub explanation: &'static str,
    /// What to do.
    pub fix: &'static str,
}

impl Code {
    /// A finding of this code at its default severity.
    pub fn finding(&self, message: impl Into<String>) -> Finding {
        Finding::new(self.code, self.severity, message)
    }

    /// A finding of this code at `severity`.
    pub fn finding_as(&self, severity: Severity, message: impl Into<String>) -> Finding {
        Finding::new(self.code, severity, message)
    }

    /// The code as SARIF's `tool.driver.rules` and the JSON report describe it; `page` is the
    /// docs page (`health-probe`) the help link points into.
    pub fn rule_info(&self, page: &str) -> RuleInfo {
        RuleInfo {
            code: self.code.to_owned(),
            name: kebab(self.title),
            summary: format!("{}. {}", capitalised(self.title), self.explanation),
            severity: self.severity,
            help: Some(self.help_url(page)),
        }
    }

    /// `{DOCS}/{page}.md#{code}`.
    pub fn help_url(&self, page: &str) -> String {
        format!("{DOCS}/{page}.md#{}", self.code.to_ascii_lowercase())
    }

    /// The one paragraph `--explain` prints.
    pub fn explain(&self) -> String {
        format!(
            "{} ({}, {}): {} {}",
            self.code,
            self.title,
            self.severity.as_str(),
            self.explanation,
            self.fix
        )
    }
}

/// A tool's registry: its docs page and its codes, in order.
#[derive(Debug, Clone, Copy)]
pub struct Registry {
    /// The docs page the codes are explained on (`health-probe` for docs/health-probe.md).
    pub page: &'static str,
    /// The codes.
    pub codes: &'static [Code],
}

impl Registry {
    /// The registered code, if `code` is one (any case).
    pub fn find(&self, code: &str) -> Option<&'static Code> {
        find(self.codes, code)
    }
}

/// The code in `codes` named `code` (any case).
pub fn find<'a>(codes: &'a [Code], code: &str) -> Option<&'a Code> {
    codes.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

/// Every code of `registries`, as a comma-free list of ranges for an error message:
/// `HP001-HP007, HP100`.
pub fn ranges(registries: &[Registry]) -> String {
    let mut all: Vec<&str> = registries
        .iter()
        .flat_map(|r| r.codes.iter().map(|c| c.code))
        .collect();
    all.sort_unstable();
    let mut out: Vec<String> = Vec::new();
    let mut run: Option<(&str, &str)> = None;
    for code in all {
        run = match run {
            Some((first, last)) if follows(last, code) => Some((first, code)),
            Some((first, last)) => {
                out.push(range(first, last));
                Some((code, code))
            }
            None => Some((code, code)),
        };
    }
    if let Some((first, last)) = run {
        out.push(range(first, last));
    }
    out.join(", ")
}

fn range(first: &str, last: &str) -> String {
    if first == last {
        first.to_owned()
    } else {
        format!("{first}-{last}")
    }
}

/// `HP002` follows `HP001`: the same prefix and the next number.
fn follows(last: &str, next: &str) -> bool {
    let split = |c: &str| {
        let at = c.find(|ch: char| ch.is_ascii_digit()).unwrap_or(c.len());
        let (prefix, digits) = c.split_at(at);
        digits.parse::<u32>().ok().map(|n| (prefix.to_owned(), n))
    };
    match (split(last), split(next)) {
        (Some((p, a)), Some((q, b))) => p == q && b == a + 1,
        _ => false,
    }
}

/// A code `--explain` does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown code `{code}`: the codes are {known}; `--list-rules` lists them")]
pub struct UnknownCode {
    /// What was asked for.
    pub code: String,
    /// The registered ranges.
    pub known: String,
}

/// `--explain CODE` and `--list-rules`, for a tool whose codes are [`Code`] registries.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct CodeFlags {
    /// List the finding codes this tool reports, with their severity and title.
    #[arg(long)]
    pub list_rules: bool,
    /// Explain a finding code: what it means and what to do (`--explain HP001`).
    #[arg(long, value_name = "CODE", conflicts_with = "list_rules")]
    pub explain: Option<String>,
}

impl CodeFlags {
    /// The report these flags ask for instead of a run, if they ask for one: the explanation
    /// of one code, or the list of every code of `registries`.
    pub fn answer(
        &self,
        tool: &str,
        version: &str,
        registries: &[Registry],
    ) -> Option<Result<Report, UnknownCode>> {
        if let Some(code) = &self.explain {
            return Some(explain(tool, version, registries, code));
        }
        self.list_rules.then(|| Ok(list(tool, version, registries)))
    }
}

/// A report of one check that explains `code`, found in the first registry that holds it.
pub fn explain(
    tool: &str,
    version: &str,
    registries: &[Registry],
    code: &str,
) -> Result<Report, UnknownCode> {
    let (page, found) = lookup(registries, code).ok_or_else(|| UnknownCode {
        code: code.to_owned(),
        known: ranges(registries),
    })?;
    let text = format!("{} See {}", found.explain(), found.help_url(page));
    let mut report = Report::new(tool, version)
        .with_check(Check::new(found.code, Status::Ok, text.clone()))
        .with_rule(found.rule_info(page));
    // People read the explanation once, as text; the machine formats keep the check.
    report.output = Some(text);
    Ok(report)
}

/// A report of one check, `rules`, with a note per code (its severity and title), every code
/// described for SARIF.
pub fn list(tool: &str, version: &str, registries: &[Registry]) -> Report {
    let mut report = Report::new(tool, version);
    let count = registries.iter().map(|r| r.codes.len()).sum::<usize>();
    let mut check = Check::new("rules", Status::Ok, count_codes(count));
    for registry in registries {
        for c in registry.codes {
            check = check.with_finding(
                Finding::new(
                    c.code,
                    Severity::Note,
                    format!("{} ({})", c.title, c.severity.as_str()),
                )
                .help(c.help_url(registry.page)),
            );
            report = report.with_rule(c.rule_info(registry.page));
        }
    }
    report.with_check(check)
}

/// `1 code`, `3 codes`.
pub fn count_codes(n: usize) -> String {
    if n == 1 {
        "1 code".to_owned()
    } else {
        format!("{n} codes")
    }
}

/// Adds a SARIF rule descriptor to `report` for each code its findings carry that one of
/// `registries` holds and the report does not describe yet.
pub fn describe(report: &mut Report, registries: &[Registry]) {
    // Each distinct rule of the findings is looked up once (a monorepo's lint run carries
    // thousands of findings of a few dozen rules).
    let mut looked_up: std::collections::BTreeSet<&str> =
        report.rules.iter().map(|r| r.code.as_str()).collect();
    let mut add = Vec::new();
    for f in report.checks.iter().flat_map(|c| &c.findings) {
        if looked_up.insert(f.rule.as_str())
            && let Some((page, c)) = lookup(registries, &f.rule)
        {
            add.push(c.rule_info(page));
        }
    }
    report.rules.extend(add);
}

/// The code and its registry's docs page, from the first registry that holds it.
fn lookup(registries: &[Registry], code: &str) -> Option<(&'static str, &'static Code)> {
    registries
        .iter()
        .find_map(|r| r.find(code).map(|c| (r.page, c)))
}

/// The docs table of `codes`: code (with an anchor), severity, finding, what to do.
pub fn markdown_table<'a>(codes: impl IntoIterator<Item = &'a Code>) -> String {
    let mut out = String::from(
        "| code | severity | finding | what to do |\n|------|----------|---------|------------|\n",
    );
    for c in codes {
        let _ = writeln!(
            out,
            "| <a id=\"{}\"></a>{} | {} | {}: {} | {} |",
            c.code.to_ascii_lowercase(),
            c.code,
            c.severity.as_str(),
            c.title,
            c.explanation.replace('|', "\\|"),
            c.fix.replace('|', "\\|"),
        );
    }
    out
}

/// What is wrong with a registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RegistryError(String);

/// Checks a registry the way every registry's own test does: codes unique, in order, each
/// with a title, an explanation and a fix, all of one of `prefixes`. The first problem, if any.
pub fn validate(codes: &[Code], prefixes: &[&str]) -> Result<(), RegistryError> {
    check_registry(codes, prefixes).map_err(RegistryError)
}

fn check_registry(codes: &[Code], prefixes: &[&str]) -> Result<(), String> {
    for pair in codes.windows(2) {
        if pair[0].code >= pair[1].code {
            return Err(format!(
                "{} and {} are out of order or repeated",
                pair[0].code, pair[1].code
            ));
        }
    }
    for c in codes {
        if c.title.is_empty() || c.explanation.is_empty() || c.fix.is_empty() {
            return Err(format!("{} lacks a title, an explanation or a fix", c.code));
        }
        // `HP001`, or a word for a code that carries no judgement (`ENV-SOURCE`).
        let shaped = |rest: &str| {
            (rest.len() == 3 && rest.bytes().all(|b| b.is_ascii_digit()))
                || rest.strip_prefix('-').is_some_and(|w| {
                    !w.is_empty() && w.bytes().all(|b| b.is_ascii_uppercase() || b == b'-')
                })
        };
        if !prefixes
            .iter()
            .any(|p| c.code.strip_prefix(p).is_some_and(shaped))
        {
            return Err(format!(
                "{} is not one of {prefixes:?} and 3 digits (or -WORD)",
                c.code
            ));
        }
    }
    Ok(())
}

fn kebab(title: &str) -> String {
    let mut out = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    out
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A1: Code = Code {
        code: "AB001",
        title: "down",
        severity: Severity::Error,
        explanation: "It is down.",
        fix: "Start it.",
    };
    const A2: Code = Code {
        code: "AB002",
        title: "slow, or late",
        severity: Severity::Warning,
        explanation: "It is slow.",
        fix: "Wait.",
    };
    const A9: Code = Code {
        code: "AB100",
        title: "flapping",
        severity: Severity::Note,
        explanation: "It comes and goes.",
        fix: "Look.",
    };
    const REG: Registry = Registry {
        page: "ab",
        codes: &[A1, A2, A9],
    };

    #[test]
    fn findings_carry_the_code_and_its_severity() {
        let f = A2.finding("5 s");
        assert_eq!((f.rule.as_str(), f.severity), ("AB002", Severity::Warning));
        let f = A2.finding_as(Severity::Error, "9 s");
        assert_eq!(f.severity, Severity::Error);
    }

    #[test]
    fn explain_finds_any_case_and_says_what_is_known() {
        let r = explain("t", "1", &[REG], "ab002").unwrap();
        assert_eq!(r.checks[0].name, "AB002");
        assert_eq!(
            r.checks[0].summary,
            "AB002 (slow, or late, warning): It is slow. Wait. See https://github.com/opskit/opskit/blob/main/docs/ab.md#ab002"
        );
        assert_eq!(r.rules[0].name, "slow-or-late");
        let e = explain("t", "1", &[REG], "AB003").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown code `AB003`: the codes are AB001-AB002, AB100; `--list-rules` lists them"
        );
    }

    #[test]
    fn list_has_one_note_and_one_descriptor_per_code() {
        let r = list("t", "1", &[REG]);
        let c = &r.checks[0];
        assert_eq!(c.summary, "3 codes");
        let lines: Vec<String> = c
            .findings
            .iter()
            .map(|f| format!("{} {}", f.rule, f.message))
            .collect();
        assert_eq!(
            lines,
            [
                "AB001 down (error)",
                "AB002 slow, or late (warning)",
                "AB100 flapping (note)"
            ]
        );
        assert_eq!(r.rules.len(), 3);
    }

    #[test]
    fn describe_adds_only_what_appears_and_once() {
        let mut r = Report::new("t", "1").with_check(Check::from_findings(
            "x",
            vec![
                A1.finding("a"),
                A1.finding("b"),
                Finding::new("TS2322", Severity::Error, "c"),
            ],
        ));
        describe(&mut r, &[REG]);
        describe(&mut r, &[REG]);
        let codes: Vec<&str> = r.rules.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(codes, ["AB001"]);
    }

    #[test]
    fn validate_catches_order_gaps_and_prefixes() {
        assert_eq!(validate(&[A1, A2, A9], &["AB"]), Ok(()));
        assert!(
            validate(&[A2, A1], &["AB"])
                .unwrap_err()
                .to_string()
                .contains("out of order")
        );
        assert!(validate(&[A1, A1], &["AB"]).is_err());
        assert!(
            validate(&[A1], &["CD"])
                .unwrap_err()
                .to_string()
                .contains("not one of")
        );
        let empty = Code { fix: "", ..A1 };
        assert!(
            validate(&[empty], &["AB"])
                .unwrap_err()
                .to_string()
                .contains("lacks")
        );
    }

    #[test]
    fn markdown_rows_have_anchors_and_escaped_pipes() {
        let piped = Code {
            explanation: "a | b",
            ..A1
        };
        let t = markdown_table(&[piped]);
        assert!(
            t.ends_with("| <a id=\"ab001\"></a>AB001 | error | down: a \\| b | Start it. |\n"),
            "{t}"
        );
    }
}
