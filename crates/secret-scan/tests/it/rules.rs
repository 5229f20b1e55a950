//! Every rule's own examples: each must be reported by that rule and by no other, and each
//! counter-example must stay silent. The registry itself is checked for unique codes and names,
//! compiling patterns, and keywords that the patterns really need.

use opskit_secret_scan::fake::{Rng, expand};
use opskit_secret_scan::rules;
use opskit_secret_scan::scan::{Scanner, Settings};

fn scanner() -> Scanner {
    Scanner::new(&Settings::default(), None).unwrap()
}

#[test]
fn registry_is_well_formed() {
    let all = rules::all();
    // Exact, so a rule added or lost shows up here and in the docs table together.
    assert_eq!(all.len(), 78, "provider rules");
    let doc = include_str!("../../../../docs/secret-scan.md");
    for r in &all {
        let anchor = format!(
            "| <a id=\"{}\"></a>`{}` | `{}` |",
            r.code.to_ascii_lowercase(),
            r.code,
            r.id
        );
        assert!(doc.contains(&anchor), "docs/secret-scan.md lacks {anchor}");
    }
    let mut codes: Vec<_> = all.iter().map(|r| r.code).collect();
    codes.dedup();
    assert_eq!(codes.len(), all.len(), "duplicate codes");
    let mut ids: Vec<_> = all.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "duplicate ids");
    for r in &all {
        assert!(r.code.starts_with("SEC") && r.code.len() == 6, "{}", r.code);
        assert!(!r.keywords.is_empty(), "{} has no keywords", r.code);
        assert!(!r.patterns.is_empty(), "{} has no pattern", r.code);
        assert!(!r.examples.is_empty(), "{} has no examples", r.code);
        assert!(
            !r.counter_examples.is_empty(),
            "{} has no counter-examples",
            r.code
        );
        assert!(
            !r.rotate.is_empty() && !r.impact.is_empty() && !r.title.is_empty(),
            "{}",
            r.code
        );
        assert!(
            r.id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}",
            r.id
        );
    }
}

#[test]
fn every_example_is_reported_by_its_rule_alone() {
    let scanner = scanner();
    let mut rng = Rng::new(0x5ec_5ca7);
    let mut failures = Vec::new();
    for rule in rules::all() {
        for template in rule.examples {
            for _ in 0..5 {
                let text = expand(template, &mut rng);
                let hits = scanner.scan_bytes(rules::example_path(rule), text.as_bytes());
                let codes: Vec<_> = hits.iter().map(|h| h.rule.code).collect();
                if codes != [rule.code] {
                    failures.push(format!(
                        "{}: {template:?} gave {codes:?} for {text:?}",
                        rule.code
                    ));
                    break;
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_counter_example_is_reported() {
    let scanner = scanner();
    let mut rng = Rng::new(42);
    let mut failures = Vec::new();
    for rule in rules::all() {
        for template in rule.counter_examples {
            let text = expand(template, &mut rng);
            for path in ["example.env", "example.ts", rules::example_path(rule)] {
                let hits = scanner.scan_bytes(path, text.as_bytes());
                if !hits.is_empty() {
                    let codes: Vec<_> = hits.iter().map(|h| h.rule.code).collect();
                    failures.push(format!(
                        "{} ({path}): {template:?} gave {codes:?}",
                        rule.code
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn examples_fire_only_with_their_keywords() {
    // A rule whose pattern could match without any of its keywords would be skipped by the
    // prefilter: check that every example really contains one of them.
    let mut rng = Rng::new(9);
    for rule in rules::all() {
        for template in rule.examples {
            let text = expand(template, &mut rng).to_ascii_lowercase();
            assert!(
                rule.keywords
                    .iter()
                    .any(|k| text.contains(&k.to_ascii_lowercase())),
                "{}: no keyword in {template:?}",
                rule.code
            );
        }
    }
}

#[test]
fn docs_rules_table_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/secret-scan.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let fresh = rules::regenerate_docs(&doc).expect("docs/secret-scan.md has the rules markers");
    assert!(
        fresh == doc,
        "docs/secret-scan.md is stale: run `cargo xtask codegen` and commit"
    );
    for r in rules::all() {
        assert!(
            doc.contains(&format!("<a id=\"{}\"></a>", r.code.to_lowercase())),
            "{}",
            r.code
        );
    }
}

#[test]
fn every_pattern_of_the_registry_compiles() {
    // Patterns compile lazily, on the first file that needs them; this is where a broken
    // one is caught.
    let all = rules::all();
    let engine = opskit_secret_scan::engine::Engine::new(&all).unwrap();
    engine.compile_all().unwrap();
}

// See: issue 16. Documentation snippets are code, not values; local command lines are
// local defaults.
#[test]
fn r16_code_in_docs_is_not_a_secret_and_local_command_lines_are_low() {
    let scanner = scanner();
    let doc = "## Environment\n\n```ts\nexport const env = createEnv({\n  server: {\n    NEXTAUTH_SECRET: z.string().min(32),\n    STRIPE_SECRET_KEY: process.env.STRIPE_SECRET_KEY_LIVE,\n    WEBHOOK_SECRET: Math.min(limits.webhookSecretLength),\n    API_TOKEN: `${prefix}${randomTokenValue}`,\n  },\n});\n```\n";
    let hits = scanner.scan_bytes("docs/env.md", doc.as_bytes());
    assert!(
        hits.is_empty(),
        "{:?}",
        hits.iter()
            .map(|h| (h.rule.code, h.line))
            .collect::<Vec<_>>()
    );
    let cli = "Start it with `redis-cli -a Kq7vN2pX9zLm ping`.\n";
    let in_docs = scanner.scan_bytes("docs/RUNBOOK.md", cli.as_bytes());
    assert_eq!(in_docs.len(), 1);
    assert_eq!(
        (in_docs[0].rule.code, in_docs[0].confidence),
        ("SEC071", rules::Confidence::Low)
    );
    let remote = "redis-cli -h cache.internal -a Kq7vN2pX9zLm ping\n";
    let hits = scanner.scan_bytes("docs/RUNBOOK.md", remote.as_bytes());
    assert_eq!(
        hits[0].confidence,
        rules::Confidence::Medium,
        "a remote host stays medium"
    );
    let hits = scanner.scan_bytes("scripts/start.sh", cli.as_bytes());
    assert_eq!(
        hits[0].confidence,
        rules::Confidence::Medium,
        "a script is not documentation"
    );
}
