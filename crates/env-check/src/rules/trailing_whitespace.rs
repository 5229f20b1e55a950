//! ENV009 `trailing-whitespace`
//!
//! **What it does:** flags spaces and tabs at the end of a line (never inside a quoted value
//! that spans lines, where they are content).
//! **Why is this bad?** Invisible, and in other loaders (shells, Docker) part of the value.
//! **Fix:** removes them.

use opskit::report::{Finding, Severity};

use super::{Rule, RuleMeta};
use crate::lint::{Cx, Kind};

pub struct TrailingWhitespace;

static META: RuleMeta = RuleMeta {
    code: "ENV009",
    name: "trailing-whitespace",
    severity: Severity::Warning,
    summary: "Whitespace at the end of a line.",
};

fn applies(cx: &Cx<'_>, kind: Kind) -> bool {
    match kind {
        Kind::Continuation => false,
        Kind::Entry(n) => cx.parsed.entries[n].end_line == cx.parsed.entries[n].line,
        _ => true,
    }
}

impl Rule for TrailingWhitespace {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for line in cx
            .lines
            .iter()
            .filter(|l| applies(cx, l.kind) && l.text.ends_with([' ', '\t']))
        {
            let column = u32::try_from(line.text.trim_end_matches([' ', '\t']).chars().count() + 1)
                .unwrap_or(1);
            out.push(cx.finding(self, "trailing whitespace".to_owned(), line.number, column));
        }
    }

    fn fix(&self, cx: &Cx<'_>, lines: &mut [Option<String>]) {
        for line in cx.lines.iter().filter(|l| applies(cx, l.kind)) {
            if let Some(Some(text)) = lines.get_mut(line.number as usize - 1) {
                let trimmed = text.trim_end_matches([' ', '\t']).len();
                text.truncate(trimmed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fires_outside_multiline_values() {
        assert_eq!(
            super::super::codes("A=1  \n# c \n"),
            ["ENV009@1", "ENV009@2"]
        );
        assert!(super::super::codes("A=\"line  \nend\"\n").is_empty());
        assert_eq!(crate::lint::fix(".env", "A=1  \n", &[]).unwrap(), "A=1\n");
    }
}
