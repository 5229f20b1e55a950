//! No input makes the scanner panic: 20,000 generated inputs mixing every rule's keywords,
//! cut-up examples, random bytes, invalid UTF-8, quotes and newlines.

use opskit_secret_scan::engine::Engine;
use opskit_secret_scan::fake::{Rng, expand};
use opskit_secret_scan::rules::{self, Rule};
use opskit_secret_scan::scan::{Scanner, Settings};

#[test]
fn arbitrary_inputs_never_panic_and_positions_are_sane() {
    let scanner = Scanner::new(&Settings::default(), None).unwrap();
    let all = rules::all();
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    let mut rng = Rng::new(0xf022);
    for r in &all {
        for k in r.keywords {
            pieces.push(k.as_bytes().to_vec());
        }
        for e in r.examples.iter().chain(r.counter_examples) {
            pieces.push(expand(e, &mut rng).into_bytes());
        }
    }
    for extra in [
        "\n",
        "\r\n",
        "\"",
        "'",
        "`",
        "=",
        ": ",
        "\\n",
        "-----END PRIVATE KEY-----",
        "@",
        "://",
        "\u{feff}",
        "é",
    ] {
        pieces.push(extra.as_bytes().to_vec());
    }
    for case in 0..20_000u32 {
        let mut data = Vec::new();
        for _ in 0..=rng.below(12) {
            match rng.below(4) {
                0 => {
                    let p = &pieces[rng.below(pieces.len())];
                    let a = rng.below(p.len() + 1);
                    let b = a + rng.below(p.len() - a + 1);
                    data.extend_from_slice(&p[a..b]);
                }
                1 => data.extend_from_slice(&pieces[rng.below(pieces.len())]),
                2 => {
                    for _ in 0..rng.below(40) {
                        data.push(u8::try_from(rng.below(256)).unwrap());
                    }
                }
                _ => {
                    let punct = b"\n =:\"'{}[]/\\";
                    data.push(punct[rng.below(punct.len())]);
                }
            }
        }
        for hit in scanner.scan_bytes("case.env", &data) {
            assert!(hit.span.end <= data.len(), "case {case}");
            assert!(hit.line >= 1 && hit.column >= 1, "case {case}");
            assert_eq!(
                hit.secret.as_bytes(),
                &data[hit.span.clone()],
                "case {case}"
            );
        }
    }
}

#[test]
fn the_generic_rules_narrow_windows_change_no_result() {
    let mut compared = 0u32;
    let generic = rules::find("SEC072").unwrap();
    assert!(generic.window.is_some());
    let plain: &'static Rule = Box::leak(Box::new(Rule {
        window: None,
        ..*generic
    }));
    let narrow = Engine::new(&[generic]).unwrap();
    let wide = Engine::new(&[plain]).unwrap();
    let mut rng = Rng::new(0x6e6e);
    let names = [
        "API_KEY",
        "apiKey",
        "db_password",
        "\"client_secret\"",
        "x.token",
        "PRIVATE_KEY",
        "credentials",
        "my-secret_value",
        "aVeryLongPrefixThatGoesOnAndOnForMoreThanSixtyCharactersBeforeIt_token",
    ];
    let ops = [
        "=", ": ", " := ", " => ", "=\"", ": '", "\t=\t`", " ", "=\u{a0}",
    ];
    let values = [
        "{a62:24}",
        "{b64:44}",
        "{hex:32}",
        "short",
        "{a62:8}",
        "{a62:600}",
        "é{a62:20}",
        "{a62:20},{a62:20}",
    ];
    for case in 0..3_000u32 {
        let mut text = String::new();
        for _ in 0..=rng.below(6) {
            match rng.below(3) {
                0 => text.push_str(&expand(&"x".repeat(rng.below(120)), &mut rng)),
                1 => text.push_str(["\n", " ", ";", "{", "}", "\r\n"][rng.below(6)]),
                _ => {
                    text.push_str(names[rng.below(names.len())]);
                    text.push_str(ops[rng.below(ops.len())]);
                    text.push_str(&expand(values[rng.below(values.len())], &mut rng));
                }
            }
        }
        // On lines longer than the engine's window (1 KiB either side of a keyword) both cut
        // the text at window edges, in different places; below that they must agree exactly.
        if text.split('\n').any(|line| line.len() > 1000) {
            continue;
        }
        for path in ["a.env", "a.ts"] {
            let a: Vec<_> = narrow
                .scan(path, text.as_bytes())
                .into_iter()
                .map(|h| h.span)
                .collect();
            let b: Vec<_> = wide
                .scan(path, text.as_bytes())
                .into_iter()
                .map(|h| h.span)
                .collect();
            assert_eq!(a, b, "case {case} ({path}): {text:?}");
        }
        compared += 1;
    }
    assert!(compared > 1_500, "only {compared} cases compared");
}
