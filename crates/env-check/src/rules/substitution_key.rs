//! ENV008 `substitution-key`
//!
//! **What it does:** flags `${` without its closing `}` in a value that expansion reads
//! (unquoted or double-quoted).
//! **Why is this bad?** dotenv-expand and shells leave or mangle the reference; the app gets a
//! value nobody meant.
//! **Example:** `URL=${HOST/api`. **Use instead:** `URL=${HOST}/api`.

use opskit::report::{Finding, Severity};

use super::{Rule, RuleMeta};
use crate::lint::Cx;

pub struct SubstitutionKey;

static META: RuleMeta = RuleMeta {
    code: "ENV008",
    name: "substitution-key",
    severity: Severity::Warning,
    summary: "A `${` reference is never closed.",
};

fn unclosed(value: &str) -> bool {
    let mut rest = value;
    while let Some(i) = rest.find("${") {
        match rest[i + 2..].find('}') {
            Some(j) if !rest[i + 2..i + 2 + j].contains("${") => rest = &rest[i + 3 + j..],
            _ => return true,
        }
    }
    false
}

impl Rule for SubstitutionKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for e in cx
            .parsed
            .entries
            .iter()
            .filter(|e| matches!(e.quote, None | Some('"')))
        {
            if unclosed(&e.value) {
                out.push(cx.finding(
                    self,
                    format!("{}'s value opens `${{` and never closes it", e.key),
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
    fn fires_on_unclosed_references() {
        assert_eq!(super::super::codes("URL=${HOST/api\n"), ["ENV008@1"]);
        assert!(
            !super::super::codes(
                "URL=${HOST}/api
RAW='${NOT'
"
            )
            .iter()
            .any(|c| c.starts_with("ENV008"))
        );
    }
}
