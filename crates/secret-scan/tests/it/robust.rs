//! No input makes the scanner panic: 20,000 generated inputs mixing every rule's keywords,
//! cut-up examples, random bytes, invalid UTF-8, quotes and newlines.

use opskit_secret_scan::fake::{Rng, expand};
use opskit_secret_scan::rules;
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
