//! ENV011 `extra-blank-line`
//!
//! **What it does:** flags a blank line that follows another blank line.
//! **Fix:** removes it.

use opskit::report::{Finding, Severity};

use super::{Rule, RuleMeta};
use crate::lint::{Cx, Kind};

pub struct ExtraBlankLine;

static META: RuleMeta = RuleMeta {
    code: "ENV011",
    name: "extra-blank-line",
    severity: Severity::Warning,
    summary: "More than one blank line in a row.",
};

fn extra<'a>(cx: &'a Cx<'a>) -> impl Iterator<Item = u32> + 'a {
    cx.lines
        .windows(2)
        .filter(|w| w[0].kind == Kind::Blank && w[1].kind == Kind::Blank)
        .map(|w| w[1].number)
}

impl Rule for ExtraBlankLine {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for n in extra(cx) {
            out.push(cx.finding(self, "extra blank line".to_owned(), n, 1));
        }
    }

    fn fix(&self, cx: &Cx<'_>, lines: &mut [Option<String>]) {
        for n in extra(cx) {
            if let Some(slot) = lines.get_mut(n as usize - 1) {
                *slot = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fires_and_fixes() {
        assert_eq!(super::super::codes("A=1\n\n\nB=2\n"), ["ENV011@3"]);
        assert_eq!(
            crate::lint::fix(".env", "A=1\n\n\n\nB=2\n", &[]).unwrap(),
            "A=1\n\nB=2\n"
        );
    }
}
