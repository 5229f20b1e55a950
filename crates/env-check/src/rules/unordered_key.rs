//! ENV010 `unordered-key`
//!
//! **What it does:** flags a key that sorts before the one above it, within a block of
//! assignments (blocks are separated by blank lines and comments).
//! **Why is this bad?** Unordered files grow duplicates; sorted ones show what is set at a
//! glance. No automatic fix: moving lines is for people.

use opskit::report::{Finding, Severity};

use super::{Rule, RuleMeta};
use crate::lint::{Cx, Kind};

pub struct UnorderedKey;

static META: RuleMeta = RuleMeta {
    code: "ENV010",
    name: "unordered-key",
    severity: Severity::Note,
    summary: "Keys of a block are not in alphabetical order.",
};

impl Rule for UnorderedKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let mut previous: Option<&str> = None;
        for line in &cx.lines {
            match line.kind {
                Kind::Entry(n) => {
                    let e = &cx.parsed.entries[n];
                    if let Some(p) = previous
                        && e.key.as_str() < p
                    {
                        out.push(cx.finding(
                            self,
                            format!("{} should come before {p}", e.key),
                            e.line,
                            e.column,
                        ));
                    }
                    previous = Some(&e.key);
                }
                Kind::Continuation => {}
                _ => previous = None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fires_within_a_block() {
        assert_eq!(super::super::codes("B=1\nA=2\n"), ["ENV010@2"]);
        assert!(super::super::codes("B=1\n\nA=2\n").is_empty());
        assert!(super::super::codes("B=1\n# group\nA=2\n").is_empty());
    }
}
