//! Each rule on its own fixture (`tests/fixtures/<CODE>.env`): nothing fires above the
//! `# Errors` line, something fires below it, and the findings are snapshotted.

use std::fmt::Write as _;
use std::path::Path;

use opskit_env_check::rules::RULES;

#[test]
fn every_rule_has_a_fixture_that_fires_only_where_it_should() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/env-check.md"),
    )
    .unwrap();
    let mut all = String::new();
    for rule in RULES {
        let meta = rule.meta();
        assert!(
            docs.contains(&format!("id=\"{}\"", meta.code.to_lowercase())),
            "{} has no entry in docs/env-check.md",
            meta.code
        );
        let path = dir.join(format!("{}.env", meta.code));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{} has no fixture {}", meta.code, path.display()));
        let errors_at = text.lines().position(|l| l == "# Errors").map_or_else(
            || panic!("{}: no `# Errors` line", path.display()),
            |i| u32::try_from(i + 1).unwrap(),
        );
        let others: Vec<String> = RULES
            .iter()
            .map(|r| r.meta().code.to_owned())
            .filter(|c| c != meta.code)
            .collect();
        let findings = opskit_env_check::lint::lint(&format!("{}.env", meta.code), &text, &others);
        for f in &findings {
            let line = f.location.as_ref().and_then(|l| l.line).unwrap();
            assert!(
                line > errors_at,
                "{}: fired above `# Errors` at line {line}: {}",
                meta.code,
                f.message
            );
            writeln!(
                all,
                "{}:{line} {} {}",
                f.rule,
                f.severity.as_str(),
                f.message
            )
            .unwrap();
        }
        assert!(
            !findings.is_empty(),
            "{}: nothing fired below `# Errors`",
            meta.code
        );
    }
    insta::assert_snapshot!(all);
}
