//! The lint rules, one file each, registered once in [`RULES`].
//!
//! Codes are stable and never reused. The set covers what dotenv-linter users know (duplicated
//! key, incorrect delimiter, key without value, leading character, lowercase key, quote
//! character, space character, substitution key, trailing whitespace, unordered key, extra
//! blank line, ending blank line), judged by what npm `dotenv` actually loads.

use opskit::report::{Finding, Severity};

use crate::lint::Cx;

mod duplicated_key;
mod ending_blank_line;
mod extra_blank_line;
mod incorrect_delimiter;
mod key_without_value;
mod leading_character;
mod lowercase_key;
mod quote_character;
mod space_character;
mod substitution_key;
mod trailing_whitespace;
mod unordered_key;

/// What a rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable code.
    pub code: &'static str,
    /// Kebab-case name (what `--skip` also takes).
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One sentence.
    pub summary: &'static str,
}

/// A lint rule. Rules never see configuration; the driver applies `--skip`.
pub trait Rule: Sync {
    /// The rule's description.
    fn meta(&self) -> &'static RuleMeta;
    /// Adds findings.
    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>);
    /// Edits lines (`None` removes one). The driver refuses the result if dotenv would load
    /// anything different, so a fix may only change form.
    fn fix(&self, _cx: &Cx<'_>, _lines: &mut [Option<String>]) {}
}

/// Every rule, in code order.
pub static RULES: &[&dyn Rule] = &[
    &duplicated_key::DuplicatedKey,
    &incorrect_delimiter::IncorrectDelimiter,
    &key_without_value::KeyWithoutValue,
    &leading_character::LeadingCharacter,
    &lowercase_key::LowercaseKey,
    &quote_character::QuoteCharacter,
    &space_character::SpaceCharacter,
    &substitution_key::SubstitutionKey,
    &trailing_whitespace::TrailingWhitespace,
    &unordered_key::UnorderedKey,
    &extra_blank_line::ExtraBlankLine,
    &ending_blank_line::EndingBlankLine,
];

#[cfg(test)]
pub(crate) fn codes(text: &str) -> Vec<String> {
    crate::lint::lint(".env", text, &[])
        .into_iter()
        .map(|f| {
            format!(
                "{}@{}",
                f.rule,
                f.location.and_then(|l| l.line).unwrap_or(0)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_ordered() {
        let codes: Vec<&str> = RULES.iter().map(|r| r.meta().code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        assert_eq!(codes.len(), 12);
    }
}
