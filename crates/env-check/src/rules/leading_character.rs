//! ENV004 `leading-character`
//!
//! **What it does:** flags keys that start with a digit, `.` or `-`.
//! **Why is this bad?** No shell can export such a name, and `process.env.1KEY` is not even
//! valid JavaScript property access.
//! **Example:** `1ST_KEY=x`. **Use instead:** `FIRST_KEY=x`.

use opskit::report::{Finding, Severity};

use super::{Rule, RuleMeta};
use crate::lint::Cx;

pub struct LeadingCharacter;

static META: RuleMeta = RuleMeta {
    code: "ENV004",
    name: "leading-character",
    severity: Severity::Warning,
    summary: "A key starts with a digit, `.` or `-`.",
};

impl Rule for LeadingCharacter {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for e in &cx.parsed.entries {
            if let Some(c) = e
                .key
                .chars()
                .next()
                .filter(|c| c.is_ascii_digit() || matches!(c, '.' | '-'))
            {
                out.push(cx.finding(
                    self,
                    format!(
                        "{} starts with `{c}`; a variable name starts with a letter or `_`",
                        e.key
                    ),
                    e.line,
                    e.column,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fires_on_digits() {
        assert_eq!(super::super::codes("1KEY=1\n"), ["ENV004@1"]);
        assert!(super::super::codes("_KEY=1\n").is_empty());
    }
}
