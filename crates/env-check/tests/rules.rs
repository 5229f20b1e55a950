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

/// Every `ENVnnn` code the sources emit is registered: the lint rules in env-check's registry,
/// the schema and drift codes in `opskit::env::codes` (which `--explain` and the docs tables are
/// generated from). Test modules are left out (they name unknown codes on purpose).
#[test]
fn every_emitted_env_code_is_registered() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let literal = regex::Regex::new(r#""(ENV\d{3})""#).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for dir in [
        "crates/opskit/src",
        "crates/env-check/src",
        "crates/predeploy/src",
    ] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                    for c in literal.captures_iter(code) {
                        seen.insert((c[1].to_owned(), path.display().to_string()));
                    }
                }
            }
        }
    }
    let lint: Vec<&str> = opskit_env_check::rules::RULES
        .iter()
        .map(|r| r.meta().code)
        .collect();
    let unregistered: Vec<&(String, String)> = seen
        .iter()
        .filter(|(c, _)| opskit::env::codes::find(c).is_none() && !lint.contains(&c.as_str()))
        .collect();
    assert!(
        unregistered.is_empty(),
        "codes emitted but not registered: {unregistered:?}"
    );
    assert!(seen.len() > 20, "the scan found the codes: {seen:?}");
    // And every registered code is explained by `--explain`.
    for c in opskit::env::codes::CODES {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_env-check"))
            .args(["--explain", c.code, "-f", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", c.code);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(c.title),
            "{}",
            c.code
        );
    }
}
