//! ENV001 `duplicated-key`
//!
//! **What it does:** flags a key set more than once.
//! **Why is this bad?** dotenv keeps the *last* value; the earlier line is dead and misleads
//! whoever edits it.
//! **Example:** `API_URL=a` … `API_URL=b`. **Use instead:** one `API_URL=b`.
//! **Fix:** removes the earlier assignments (dotenv loads the same values).

use opskit::report::{Finding, Severity};

use super::{Rule, RuleMeta};
use crate::lint::Cx;

pub struct DuplicatedKey;

static META: RuleMeta = RuleMeta {
    code: "ENV001",
    name: "duplicated-key",
    severity: Severity::Warning,
    summary: "A key is set more than once; dotenv keeps the last value.",
};

impl Rule for DuplicatedKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (i, e) in cx.parsed.entries.iter().enumerate() {
            if let Some(later) = cx.next_same_key[i].map(|j| &cx.parsed.entries[j]) {
                out.push(cx.finding(self, format!("{} is set again on line {}; dotenv keeps the last value, so this one is ignored", e.key, later.line), e.line, e.column));
            }
        }
    }

    fn fix(&self, cx: &Cx<'_>, lines: &mut [Option<String>]) {
        for (i, e) in cx.parsed.entries.iter().enumerate() {
            if cx.next_same_key[i].is_some() {
                for n in e.line..=e.end_line {
                    if let Some(slot) = lines.get_mut(n as usize - 1) {
                        *slot = None;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fires_on_the_earlier_one() {
        assert_eq!(
            super::super::codes("A=1\nB=2\nA=3\n"),
            ["ENV001@1", "ENV010@3"]
        );
        assert!(super::super::codes("A=1\nB=2\n").is_empty());
        assert_eq!(
            crate::lint::fix(".env", "A=1\nB=2\nA=3\n", &["ENV010".into()]).unwrap(),
            "B=2\nA=3\n"
        );
    }
}
