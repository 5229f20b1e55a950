//! ENV012 `ending-blank-line`
//!
//! **What it does:** flags a file whose last line has no line break.
//! **Why is this bad?** Appending to it (`echo KEY=x >> .env`) glues the new key onto the
//! last value. **Fix:** adds the line break (every fixed file ends with one).

use opskit::report::{Finding, Severity};

use super::{Rule, RuleMeta};
use crate::lint::Cx;

pub struct EndingBlankLine;

static META: RuleMeta = RuleMeta {
    code: "ENV012",
    name: "ending-blank-line",
    severity: Severity::Warning,
    summary: "The file does not end with a line break.",
};

impl Rule for EndingBlankLine {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        if !cx.text.is_empty() && !cx.text.ends_with('\n') {
            let last = cx.lines.last().map_or(1, |l| l.number);
            out.push(cx.finding(
                self,
                "no line break at the end of the file".to_owned(),
                last,
                1,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fires_without_a_final_newline() {
        assert_eq!(super::super::codes("A=1"), ["ENV012@1"]);
        assert!(super::super::codes("A=1\n").is_empty());
        assert_eq!(crate::lint::fix(".env", "A=1", &[]).unwrap(), "A=1\n");
    }
}
