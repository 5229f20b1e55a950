//! ENV006 `quote-character`
//!
//! **What it does:** flags quotes around a value that needs none.
//! **Why is this bad?** Quotes change what dotenv loads (double quotes expand `\n`, any quote
//! keeps `#`), so they should mean something; needless ones hide the ones that matter.
//! **Example:** `PORT="8080"`. **Use instead:** `PORT=8080`.
//! **Fix:** removes the quotes when dotenv then loads the same value.

use opskit::report::{Finding, Severity};

use super::{Rule, RuleMeta};
use crate::lint::{Cx, Kind};

pub struct QuoteCharacter;

static META: RuleMeta = RuleMeta {
    code: "ENV006",
    name: "quote-character",
    severity: Severity::Note,
    summary: "A value is quoted but needs no quotes.",
};

/// Whether `value` reads the same without quotes.
fn plain(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.,/:@+%".contains(c))
}

/// The line without the quotes around a value that is exactly `q value q`.
fn unquoted(text: &str, value: &str, q: char) -> Option<String> {
    let quoted = format!("{q}{value}{q}");
    let at = text.rfind(&quoted)?;
    Some(format!(
        "{}{value}{}",
        &text[..at],
        &text[at + quoted.len()..]
    ))
}

impl Rule for QuoteCharacter {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for e in &cx.parsed.entries {
            if let Some(q) = e.quote
                && e.line == e.end_line
                && plain(&e.value)
            {
                out.push(cx.finding(
                    self,
                    format!("the {q} quotes around {}'s value are not needed", e.key),
                    e.line,
                    e.column,
                ));
            }
        }
    }

    fn fix(&self, cx: &Cx<'_>, lines: &mut [Option<String>]) {
        for line in &cx.lines {
            let Kind::Entry(n) = line.kind else { continue };
            let e = &cx.parsed.entries[n];
            if let (Some(q), true) = (e.quote, e.line == e.end_line && plain(&e.value))
                && let Some(slot) = lines.get_mut(line.number as usize - 1)
                && let Some(text) = slot.as_deref()
                && let Some(new) = unquoted(text, &e.value, q)
            {
                *slot = Some(new);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fires_only_on_needless_quotes() {
        assert_eq!(super::super::codes("PORT=\"8080\"\n"), ["ENV006@1"]);
        assert!(super::super::codes("A=\"two words\"\nB='x#y'\nC=\"a\\nb\"\nD=''\n").is_empty());
        assert_eq!(
            crate::lint::fix(".env", "PORT=\"8080\" # web\n", &[]).unwrap(),
            "PORT=8080 # web\n"
        );
    }
}
