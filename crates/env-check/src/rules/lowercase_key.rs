//! ENV005 `lowercase-key`
//!
//! **What it does:** flags keys with lower-case letters.
//! **Why is this bad?** Environment variables are upper case by convention; a lower-case key
//! is usually a typo of one that the code reads in upper case.
//! **Example:** `database_url=…`. **Use instead:** `DATABASE_URL=…`.

use opskit::report::{Finding, Severity};

use super::{Rule, RuleMeta};
use crate::lint::Cx;

pub struct LowercaseKey;

static META: RuleMeta = RuleMeta {
    code: "ENV005",
    name: "lowercase-key",
    severity: Severity::Warning,
    summary: "A key has lower-case letters.",
};

impl Rule for LowercaseKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for e in cx
            .parsed
            .entries
            .iter()
            .filter(|e| e.key.chars().any(|c| c.is_ascii_lowercase()))
        {
            out.push(cx.finding(
                self,
                format!(
                    "{} has lower-case letters; did you mean {}?",
                    e.key,
                    e.key.to_ascii_uppercase()
                ),
                e.line,
                e.column,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fires_on_lower_case() {
        assert_eq!(super::super::codes("db_url=1\n"), ["ENV005@1"]);
        assert!(super::super::codes("DB_URL=1\n").is_empty());
    }
}
