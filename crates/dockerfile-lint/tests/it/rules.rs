//! Each rule on its own fixture (`tests/fixtures/<CODE>.Dockerfile`): cases separated by
//! `#> fires: …` and `#> ok: …` lines, each linted alone with only that rule switched on.
//! A `fires` case must report the rule, an `ok` case must not; the findings are snapshotted.
//! `#> config: …` lines at the top are .hadolint.yaml for the whole fixture; `#> file NAME: …`
//! lines in a case are files of its build context (a .dockerignore), one line each. `\x{HH}` in a
//! case stands for the raw byte HH (a fixture is UTF-8; a case need not be).

use std::fmt::Write as _;
use std::path::Path;

use opskit_dockerfile_lint::config::HadolintConfig;
use opskit_dockerfile_lint::lint::{Options, lint_bytes};
use opskit_dockerfile_lint::rules::{self, DL1000, RULES, Rule};

struct Case {
    fires: bool,
    description: String,
    text: Vec<u8>,
    /// Files of the build context (`#> file NAME: LINE`, one line each, repeatable).
    files: Vec<(String, String)>,
}

/// A fixture line as bytes, with `\x{HH}` turned into the byte HH.
fn raw(line: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("\\x{") {
        out.extend_from_slice(&rest.as_bytes()[..at]);
        let hex = &rest[at + 3..at + 5];
        out.push(u8::from_str_radix(hex, 16).expect("\\x{HH} with two hex digits"));
        rest = &rest[at + 6..];
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

fn cases(text: &str) -> (String, Vec<Case>) {
    let mut config = String::new();
    let mut out: Vec<Case> = Vec::new();
    for line in text.lines() {
        if let Some(c) = line.strip_prefix("#> config: ") {
            config.push_str(c);
            config.push('\n');
        } else if let Some(rest) = line.strip_prefix("#> file ") {
            let (name, content) = rest.split_once(": ").expect("#> file NAME: LINE");
            let case = out.last_mut().expect("a case before its files");
            match case.files.iter_mut().find(|(n, _)| n == name) {
                Some((_, c)) => {
                    c.push_str(content);
                    c.push('\n');
                }
                None => case.files.push((name.to_owned(), format!("{content}\n"))),
            }
        } else if let Some(rest) = line.strip_prefix("#> ") {
            let (kind, description) = rest.split_once(": ").expect("#> fires: or #> ok:");
            assert!(kind == "fires" || kind == "ok", "unknown case kind {kind}");
            out.push(Case {
                fires: kind == "fires",
                description: description.to_owned(),
                text: Vec::new(),
                files: Vec::new(),
            });
        } else {
            let case = out.last_mut().expect("a case line before any text");
            case.text.extend(raw(line));
            case.text.push(b'\n');
        }
    }
    (config, out)
}

fn all_rules() -> impl Iterator<Item = &'static Rule> {
    std::iter::once(&DL1000).chain(RULES.iter().copied())
}

#[test]
fn every_rule_fires_and_stays_quiet_where_its_fixture_says() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let scanner = opskit_dockerfile_lint::scanner().unwrap();
    let mut snapshot = String::new();
    for rule in all_rules() {
        let path = dir.join(format!("{}.Dockerfile", rule.code));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{} has no fixture {}", rule.code, path.display()));
        let (config, cases) = cases(&text);
        let mut options = Options::for_rule(rule.code);
        // End-of-life dates are judged on a fixed day, so the snapshot does not age.
        options.settings.today = opskit::time::parse_date("2026-12-01");
        if !config.is_empty() {
            let h: HadolintConfig = serde_yaml_ng::from_str(&config).unwrap();
            options.apply_hadolint(&h).unwrap();
        }
        assert!(
            cases.iter().any(|c| c.fires),
            "{}: no `fires` case",
            rule.code
        );
        assert!(
            cases.iter().any(|c| !c.fires),
            "{}: no `ok` case",
            rule.code
        );
        for case in &cases {
            let context = tempfile::tempdir().unwrap();
            for (name, content) in &case.files {
                std::fs::write(context.path().join(name), content).unwrap();
            }
            let context = (!case.files.is_empty()).then_some(context.path());
            let problems = lint_bytes(&case.text, &options, context, Some(&scanner));
            let mine: Vec<_> = problems
                .iter()
                .filter(|p| p.rule.code == rule.code)
                .collect();
            assert_eq!(problems.len(), mine.len(), "only {} may report", rule.code);
            if case.fires {
                assert!(
                    !mine.is_empty(),
                    "{} should fire: {}\n{}",
                    rule.code,
                    case.description,
                    String::from_utf8_lossy(&case.text)
                );
            } else {
                assert!(
                    mine.is_empty(),
                    "{} should stay quiet: {}\n{}\n{:?}",
                    rule.code,
                    case.description,
                    String::from_utf8_lossy(&case.text),
                    mine.iter()
                        .map(|p| (&p.message, p.line))
                        .collect::<Vec<_>>()
                );
            }
            for p in mine {
                let evidence = p
                    .secret
                    .as_deref()
                    .map(|s| format!(" [{}]", opskit::redact::redact(s)))
                    .unwrap_or_default();
                writeln!(
                    snapshot,
                    "{} ({}) {}:{} {}{evidence}",
                    rule.code, case.description, p.line, p.column, p.message
                )
                .unwrap();
            }
        }
    }
    insta::assert_snapshot!(snapshot);
}

#[test]
fn every_fixture_belongs_to_a_rule() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let code = name.trim_end_matches(".Dockerfile");
        assert!(
            rules::find(code).is_some_and(|r| r.code == code),
            "fixture {name} has no rule"
        );
    }
}

#[test]
fn every_rule_is_in_the_docs() {
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/dockerfile-lint.md"),
    )
    .unwrap();
    for rule in all_rules() {
        assert!(
            docs.contains(rule.code),
            "{} is missing from docs/dockerfile-lint.md",
            rule.code
        );
    }
    let fresh =
        rules::regenerate_docs(&docs).expect("docs/dockerfile-lint.md has the rules markers");
    assert!(
        fresh == docs,
        "docs/dockerfile-lint.md's rule table is stale: run `cargo xtask codegen`"
    );
}
