//! The lint driver: splits a file into lines that know what they are, runs every rule, and
//! applies fixes only when dotenv would load exactly the same values afterwards.

use std::collections::BTreeMap;

use opskit::env::dotenv::{self, Parsed};
use opskit::report::{Finding, Location};

use crate::rules::{RULES, Rule};

/// What a line of a .env file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Only whitespace.
    Blank,
    /// A `#` comment.
    Comment,
    /// The first line of assignment `n` (index into the parsed entries).
    Entry(usize),
    /// A later line of a quoted value that spans lines: content, never touched.
    Continuation,
    /// Anything dotenv skips.
    Other,
}

/// A line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<'a> {
    /// From 1.
    pub number: u32,
    /// Without its line break.
    pub text: &'a str,
    /// What it is.
    pub kind: Kind,
}

/// What a rule sees.
#[derive(Debug)]
pub struct Cx<'a> {
    /// The file's path, for locations.
    pub path: &'a str,
    /// The raw text.
    pub text: &'a str,
    /// Its lines.
    pub lines: Vec<Line<'a>>,
    /// What dotenv reads from it.
    pub parsed: Parsed,
    /// For each entry, the index of the next entry with the same key.
    pub next_same_key: Vec<Option<usize>>,
}

impl<'a> Cx<'a> {
    /// Splits and classifies `text`.
    pub fn new(path: &'a str, text: &'a str) -> Cx<'a> {
        let parsed = dotenv::parse(text);
        let mut lines: Vec<Line<'a>> = text
            .split('\n')
            .enumerate()
            .map(|(i, l)| {
                let t = l.strip_suffix('\r').unwrap_or(l);
                let kind = if t.trim().is_empty() {
                    Kind::Blank
                } else if t.trim_start().starts_with('#') {
                    Kind::Comment
                } else {
                    Kind::Other
                };
                Line {
                    number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    text: t,
                    kind,
                }
            })
            .collect();
        if text.ends_with('\n') {
            lines.pop();
        }
        for (n, e) in parsed.entries.iter().enumerate() {
            // Lines are numbered from 1 in order: an entry's lines are a slice.
            let first = (e.line as usize).saturating_sub(1);
            let last = (e.end_line as usize).min(lines.len());
            for line in lines.get_mut(first..last).unwrap_or_default() {
                line.kind = if line.number == e.line {
                    Kind::Entry(n)
                } else {
                    Kind::Continuation
                };
            }
        }
        let mut next_same_key = vec![None; parsed.entries.len()];
        let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, e) in parsed.entries.iter().enumerate().rev() {
            next_same_key[i] = seen.insert(e.key.as_str(), i);
        }
        Cx {
            path,
            text,
            lines,
            parsed,
            next_same_key,
        }
    }

    /// A location on a line.
    pub fn at(&self, line: u32, column: u32) -> Location {
        Location::new(self.path).line(line).column(column)
    }

    /// A finding for `rule`.
    pub fn finding(&self, rule: &dyn Rule, message: String, line: u32, column: u32) -> Finding {
        let meta = rule.meta();
        Finding::new(meta.code, meta.severity, message)
            .at(self.at(line, column))
            .help(format!(
                "https://github.com/opskit/opskit/blob/main/docs/env-check.md#{}",
                meta.code.to_lowercase()
            ))
    }
}

/// Lints `text` with every rule not in `skip`.
pub fn lint(path: &str, text: &str, skip: &[String]) -> Vec<Finding> {
    let cx = Cx::new(path, text);
    let mut out = Vec::new();
    for rule in RULES.iter().filter(|r| {
        !skip
            .iter()
            .any(|s| s.eq_ignore_ascii_case(r.meta().code) || s.eq_ignore_ascii_case(r.meta().name))
    }) {
        rule.check(&cx, &mut out);
    }
    out
}

/// Why a fix was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fixing would change what dotenv loads ({0}); nothing was written")]
pub struct FixRefused(pub String);

/// The fixed text: every rule's line edits applied, then checked: dotenv must load the same
/// map from it as from the original.
pub fn fix(path: &str, text: &str, skip: &[String]) -> Result<String, FixRefused> {
    let cx = Cx::new(path, text);
    let mut lines: Vec<Option<String>> = cx.lines.iter().map(|l| Some(l.text.to_owned())).collect();
    for rule in RULES.iter().filter(|r| {
        !skip
            .iter()
            .any(|s| s.eq_ignore_ascii_case(r.meta().code) || s.eq_ignore_ascii_case(r.meta().name))
    }) {
        rule.fix(&cx, &mut lines);
    }
    let crlf = text.contains("\r\n");
    let mut fixed = lines
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(if crlf { "\r\n" } else { "\n" });
    if !fixed.is_empty() {
        fixed.push_str(if crlf { "\r\n" } else { "\n" });
    }
    let before: BTreeMap<String, String> = cx.parsed.map();
    let after = dotenv::parse(&fixed).map();
    if before != after {
        let changed: Vec<&String> = before
            .keys()
            .chain(after.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .collect();
        return Err(FixRefused(format!(
            "keys {}",
            changed
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(fixed)
}
