//! ENV003 `key-without-value`
//!
//! **What it does:** flags a line with a key and no `=`.
//! **Why is this bad?** dotenv skips the line: the variable is not set at all, not even empty.
//! **Example:** `DEBUG`. **Use instead:** `DEBUG=` (empty) or `DEBUG=1`.

use opskit::report::{Finding, Severity};

use super::{Rule, RuleMeta};
use crate::lint::{Cx, Kind};

pub struct KeyWithoutValue;

static META: RuleMeta = RuleMeta {
    code: "ENV003",
    name: "key-without-value",
    severity: Severity::Warning,
    summary: "A key without `=`: dotenv does not set it at all.",
};

impl Rule for KeyWithoutValue {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for line in cx.lines.iter().filter(|l| l.kind == Kind::Other) {
            let t = line.text.trim();
            let key = t.strip_prefix("export ").map_or(t, str::trim);
            if !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            {
                let column = u32::try_from(line.text.find(key).unwrap_or(0) + 1).unwrap_or(1);
                out.push(cx.finding(self, format!("{key} has no `=`: dotenv ignores the line; write `{key}=` for an empty value"), line.number, column));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fires_on_a_bare_key() {
        assert_eq!(super::super::codes("DEBUG\n"), ["ENV003@1"]);
        assert!(super::super::codes("DEBUG=\n# DEBUG\n").is_empty());
    }
}
