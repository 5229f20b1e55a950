//! The workspace's invariants that no compiler checks, as ARCHITECTURE.md states them. Here:
//! every finding code lives in one registry. A code written anywhere in the workspace (a
//! finding, a test's assertion, a doc comment) must be registered, and outside its registry a
//! tool names its codes by their constants (`HP001.finding(...)`), never by a string, so a
//! code cannot be emitted that `--explain`, `--list-rules`, SARIF and the docs do not know.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use opskit::codes::Registry;

/// Every registry of `opskit::codes::Code`s.
const REGISTRIES: &[Registry] = &[
    opskit::env::codes::REGISTRY,
    opskit_env_check::codes::REGISTRY,
    opskit_health_probe::codes::REGISTRY,
    opskit_queue_depth::codes::REGISTRY,
    opskit_db_backup::codes::REGISTRY,
    opskit_notify::codes::REGISTRY,
    opskit_predeploy::codes::REGISTRY,
    opskit_secret_scan::codes::REGISTRY,
];

/// The prefixes of opskit's own codes (DL codes are hadolint's, checked by dockerfile-lint's
/// registry as well).
const PREFIXES: &[&str] = &[
    "ENV", "HP", "QD", "DB", "NT", "PD", "FILE", "RW", "VC", "LINT", "SCAN", "SEC", "OPS-DF", "DL",
];

/// Code-shaped strings that are deliberately not codes: the tests' unknown codes.
// Besides the made-up codes of tests: OPS-DF010, the retired name of LegacyKeyValueFormat
// (still accepted), and hadolint's rules that dockerfile-lint does not implement, which the
// comparison with hadolint leaves out by name.
const NOT_CODES: &[&str] = &[
    "ENV999",
    "HP999",
    "SEC999",
    "DL9999",
    "OPS-DF010",
    "DL1001",
    "DL3054",
    "DL3057",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every registered code, from every kind of registry.
fn registered() -> BTreeSet<String> {
    let mut all: BTreeSet<String> = REGISTRIES
        .iter()
        .flat_map(|r| r.codes.iter().map(|c| c.code.to_owned()))
        .collect();
    all.extend(
        opskit_env_check::rules::RULES
            .iter()
            .map(|r| r.meta().code.to_owned()),
    );
    all.extend(
        opskit_secret_scan::rules::all()
            .iter()
            .map(|r| r.code.to_owned()),
    );
    all.extend(
        std::iter::once(&opskit_dockerfile_lint::rules::DL1000)
            .chain(opskit_dockerfile_lint::rules::RULES.iter().copied())
            .map(|r| r.code.to_owned()),
    );
    all
}

/// The workspace's Rust files.
fn rust_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("crates"), root().join("xtask")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(
                    name.as_str(),
                    "target" | "node_modules" | "fixtures" | "npm"
                ) {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The quoted strings of `text` that are shaped like one of opskit's codes, with their line.
fn code_literals(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for (i, part) in line.split('"').enumerate() {
            if i % 2 == 1 && is_code_shaped(part) {
                out.push((n + 1, part.to_owned()));
            }
        }
    }
    out
}

fn is_code_shaped(s: &str) -> bool {
    PREFIXES.iter().any(|p| {
        s.strip_prefix(p).is_some_and(|rest| {
            (3..=4).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_digit())
        })
    }) || s
        .strip_prefix("ENV-")
        .is_some_and(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_uppercase()))
}

/// A file that is a registry: it defines codes and so writes them as strings.
fn is_registry(path: &Path) -> bool {
    let p = path.to_string_lossy().replace('\\', "/");
    p.ends_with("/src/codes.rs")
        || p.ends_with("/src/env/codes.rs")
        || p.contains("/env-check/src/rules/")
        || p.contains("/secret-scan/src/rules/")
        || p.contains("/dockerfile-lint/src/rules/")
}

/// The part of a source file before its unit tests.
fn before_tests(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |i| &text[..i])
}

#[test]
fn every_code_written_anywhere_is_registered() {
    let known = registered();
    let mut unknown = Vec::new();
    for path in rust_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (line, code) in code_literals(&text) {
            if !known.contains(&code) && !NOT_CODES.contains(&code.as_str()) {
                unknown.push(format!("{}:{line}: {code}", path.display()));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "codes that no registry holds (add them to the crate's codes.rs):\n{}",
        unknown.join("\n")
    );
}

#[test]
fn outside_a_registry_codes_are_named_by_their_constants() {
    let constants: BTreeSet<&str> = REGISTRIES
        .iter()
        .flat_map(|r| r.codes.iter().map(|c| c.code))
        .collect();
    let mut literal = Vec::new();
    for path in rust_files() {
        let p = path.to_string_lossy().replace('\\', "/");
        if is_registry(&path) || !p.contains("/src/") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (line, code) in code_literals(before_tests(&text)) {
            if constants.contains(code.as_str()) && !is_doc_line(&text, line) {
                literal.push(format!("{}:{line}: \"{code}\"", path.display()));
            }
        }
    }
    assert!(
        literal.is_empty(),
        "write these as the registry's constants (`HP001.finding(..)`, `f.rule == HP001.code`):\n{}",
        literal.join("\n")
    );
}

/// Doc comments may show a code as text.
fn is_doc_line(text: &str, line: usize) -> bool {
    text.lines()
        .nth(line - 1)
        .is_some_and(|l| l.trim_start().starts_with("//"))
}

#[test]
fn the_tidy_checks_can_fail() {
    // The scanner sees what the tests above rely on it to see.
    let text =
        "let f = Finding::new(\"HP001\", x);\nlet s = \"ENV-SOURCE\"; \"not a code\" \"HP12\"";
    let found: Vec<String> = code_literals(text).into_iter().map(|(_, c)| c).collect();
    assert_eq!(found, ["HP001", "ENV-SOURCE"]);
    assert!(before_tests("a\n#[cfg(test)]\nb").ends_with("a\n"));
    assert!(registered().contains("HP001") && !registered().contains("HP999"));
    assert!(is_registry(Path::new(
        "/w/crates/health-probe/src/codes.rs"
    )));
    assert!(!is_registry(Path::new(
        "/w/crates/health-probe/src/target.rs"
    )));
}

#[test]
fn every_registered_code_is_explained_in_its_docs_page() {
    for registry in REGISTRIES {
        let page = root().join("docs").join(format!("{}.md", registry.page));
        let doc = std::fs::read_to_string(&page).unwrap();
        for c in registry.codes {
            let anchor = format!("<a id=\"{}\"></a>{}", c.code.to_ascii_lowercase(), c.code);
            assert!(
                doc.contains(&anchor),
                "{} has no row for {} (run `cargo xtask codegen`)",
                page.display(),
                c.code
            );
        }
    }
}

/// Public functions that may still return `Result<_, String>`: none. (Kept as a list so an
/// exception, if one is ever needed, is written down with its reason.)
const STRING_ERRORS_LEFT: &[&str] = &[];

/// `pub fn NAME` whose return type is `Result<_, String>`, in a library's sources (testkit and
/// xtask are not libraries anyone links).
fn string_error_functions() -> Vec<String> {
    let re = regex::Regex::new(r"pub fn (\w+)[^{;]*?->\s*Result<[^{;]*,\s*String>\s*(?:where|\{)")
        .unwrap();
    let mut out = Vec::new();
    for path in rust_files() {
        let p = path.to_string_lossy().replace('\\', "/");
        if !p.contains("/src/") || p.contains("/testkit/") || p.contains("/xtask/") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let file = p.split("/crates/").nth(1).unwrap_or(&p).to_owned();
        for m in re.captures_iter(before_tests(&text)) {
            out.push(format!("{file}: {}", &m[1]));
        }
    }
    out.sort();
    out
}

#[test]
fn public_apis_return_typed_errors() {
    let found = string_error_functions();
    let new: Vec<&String> = found
        .iter()
        .filter(|f| !STRING_ERRORS_LEFT.contains(&f.as_str()))
        .collect();
    assert!(
        new.is_empty(),
        "public functions returning Result<_, String>; give them a typed error (thiserror):\n{}",
        new.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let fixed: Vec<&&str> = STRING_ERRORS_LEFT
        .iter()
        .filter(|f| !found.iter().any(|x| x == *f))
        .collect();
    assert!(
        fixed.is_empty(),
        "these return typed errors now; take them out of STRING_ERRORS_LEFT: {fixed:?}"
    );
}
