//! ENV002 `incorrect-delimiter`
//!
//! **What it does:** flags keys with `-` or `.`.
//! **Why is this bad?** dotenv accepts them, but shells, Docker `--env-file`, and most hosting
//! platforms only accept letters, digits and `_`; the variable silently goes missing there.
//! **Example:** `API-URL=x`. **Use instead:** `API_URL=x`. No automatic fix: it is a rename.

use opskit::report::{Finding, Severity};

use super::{Rule, RuleMeta};
use crate::lint::Cx;

pub struct IncorrectDelimiter;

static META: RuleMeta = RuleMeta {
    code: "ENV002",
    name: "incorrect-delimiter",
    severity: Severity::Warning,
    summary: "A key uses `-` or `.`, which shells and most platforms reject.",
};

impl Rule for IncorrectDelimiter {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for e in &cx.parsed.entries {
            if let Some(c) = e.key.chars().find(|c| matches!(c, '-' | '.')) {
                let fixed: String = e
                    .key
                    .chars()
                    .map(|c| if matches!(c, '-' | '.') { '_' } else { c })
                    .collect();
                out.push(cx.finding(self, format!("{} uses `{c}`; shells and most platforms only take letters, digits and `_`: rename it {fixed}", e.key), e.line, e.column));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fires_on_dash_and_dot() {
        assert_eq!(super::super::codes("API-URL=1\n"), ["ENV002@1"]);
        assert_eq!(super::super::codes("A.B=1\n"), ["ENV002@1"]);
        assert!(super::super::codes("API_URL=1\n").is_empty());
    }
}
