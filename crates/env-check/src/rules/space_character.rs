//! ENV007 `space-character`
//!
//! **What it does:** flags whitespace around `=`.
//! **Why is this bad?** dotenv tolerates it, but shells (`source .env`) and Docker
//! `--env-file` do not: `KEY = value` runs a command named `KEY` there.
//! **Example:** `KEY = value`. **Use instead:** `KEY=value`.
//! **Fix:** removes the whitespace.

use opskit::report::{Finding, Severity};

use super::{Rule, RuleMeta};
use crate::lint::{Cx, Kind};

pub struct SpaceCharacter;

static META: RuleMeta = RuleMeta {
    code: "ENV007",
    name: "space-character",
    severity: Severity::Warning,
    summary: "Whitespace around `=`.",
};

/// (text before the key, key, separator with its spaces, rest) when the separator has spaces.
fn split<'a>(text: &'a str, key: &str) -> Option<(&'a str, &'a str, &'a str)> {
    let at = text.find(key)?;
    let after = &text[at + key.len()..];
    let eq = after.find('=')?;
    let (before_eq, rest) = (&after[..eq], &after[eq + 1..]);
    if !before_eq.trim().is_empty() {
        return None;
    }
    let spaced = !before_eq.is_empty() || rest.starts_with([' ', '\t']);
    spaced.then_some((&text[..at + key.len()], before_eq, rest))
}

impl Rule for SpaceCharacter {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for line in &cx.lines {
            let Kind::Entry(n) = line.kind else { continue };
            let e = &cx.parsed.entries[n];
            if split(line.text, &e.key).is_some() {
                out.push(cx.finding(self, format!("whitespace around `=` after {}: shells and Docker --env-file do not accept it", e.key), e.line, e.column));
            }
        }
    }

    fn fix(&self, cx: &Cx<'_>, lines: &mut [Option<String>]) {
        for line in &cx.lines {
            let Kind::Entry(n) = line.kind else { continue };
            let key = &cx.parsed.entries[n].key;
            if let Some(slot) = lines.get_mut(line.number as usize - 1)
                && let Some(text) = slot.clone()
                && let Some((head, _, rest)) = split(&text, key)
            {
                *slot = Some(format!("{head}={}", rest.trim_start_matches([' ', '\t'])));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fires_and_fixes() {
        assert_eq!(super::super::codes("KEY = value\n"), ["ENV007@1"]);
        assert!(super::super::codes("KEY=value with spaces\n").is_empty());
        assert_eq!(
            crate::lint::fix(".env", "export KEY = value\n", &[]).unwrap(),
            "export KEY=value\n"
        );
    }
}
