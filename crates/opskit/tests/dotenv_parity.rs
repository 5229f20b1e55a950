//! opskit's `.env` parser gives what the npm `dotenv` package gives, key by key: over a corpus
//! of tricky files (`tests/fixtures/dotenv/`) and over thousands of generated ones. The
//! reference runs in Node (`scripts/test-tools/dotenv-parse.js`).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use opskit::env::dotenv;

/// dotenv.parse for each text, from Node.
fn reference(texts: &[String]) -> Vec<BTreeMap<String, String>> {
    let tools = testkit::test_tools_dir();
    assert!(
        tools.join("node_modules/dotenv").is_dir(),
        "npm dotenv is missing; run `npm ci --prefix {}` (scripts/test.sh does it)",
        tools.display()
    );
    let mut child = Command::new("node")
        .arg(tools.join("dotenv-parse.js"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node ({e}); install Node.js 20"));
    let input = serde_json::to_vec(texts).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn compare(texts: &[String], label: &dyn Fn(usize) -> String) {
    let theirs = reference(texts);
    let mut failures = Vec::new();
    for (i, (text, expected)) in texts.iter().zip(&theirs).enumerate() {
        let ours = dotenv::parse(text).map();
        if &ours != expected {
            failures.push(format!(
                "{}: input {text:?}\n  dotenv: {expected:?}\n  opskit: {ours:?}",
                label(i)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        texts.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_corpus_parses_like_dotenv() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dotenv");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 6);
    let texts: Vec<String> = files
        .iter()
        .map(|p| String::from_utf8(std::fs::read(p).unwrap()).unwrap())
        .collect();
    compare(&texts, &|i| {
        files[i].file_name().unwrap().to_string_lossy().into_owned()
    });
    // Each file holds what it should.
    let basics = dotenv::parse(
        &texts[files
            .iter()
            .position(|p| p.ends_with("basics.env"))
            .unwrap()],
    )
    .map();
    assert_eq!(basics["INLINE_COMMENTS"], "inline comments");
    assert_eq!(basics["SPACED_KEY"], "parsed");
}

/// A small deterministic generator (xorshift), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.next() % items.len() as u64).unwrap()]
    }
}

#[test]
fn generated_files_parse_like_dotenv() {
    let fragments = [
        "A", "KEY", "k.e-y", "export ", "export", "=", "=", " = ", ": ", ":", " ", "  ", "\t",
        "\n", "\r\n", "\r", "'", "\"", "`", "#", " # c", "\\", "\\n", "\\'", "\\\"", "value",
        "v a l", "$(x)", "${Y}", "\u{feff}", "\u{a0}", "\u{2028}", "é", "==", "x=y",
    ];
    let mut rng = Rng(0x005e_ed0f_0b5c_a1e5);
    let mut texts = Vec::new();
    for _ in 0..4000 {
        let mut text = String::new();
        let parts = 1 + rng.next() % 14;
        for _ in 0..parts {
            // Bias toward well-formed assignments so the interesting paths are hit often.
            if rng.next().is_multiple_of(3) {
                text.push_str(rng.pick(&["A", "KEY", "export B"]));
                text.push_str(rng.pick(&["=", ": ", " = "]));
            }
            text.push_str(rng.pick(&fragments));
        }
        texts.push(text);
    }
    compare(&texts, &|i| format!("generated #{i}"));
}

#[test]
fn no_input_makes_the_parser_panic() {
    // Arbitrary characters, not only .env-shaped ones: controls, surrogate neighbours, line
    // separators, quotes and backslashes in any order.
    let alphabet: Vec<char> = (0u32..0x80)
        .chain([
            0xa0, 0xfeff, 0x2028, 0x2029, 0x1680, 0x3000, 0xe9, 0x1f980, 0xfffd, 0xd7ff, 0xe000,
        ])
        .filter_map(char::from_u32)
        .collect();
    let mut rng = Rng(0x0bad_5eed_1234_5678);
    for _ in 0..20_000 {
        let len = usize::try_from(rng.next() % 64).unwrap();
        let text: String = (0..len)
            .map(|_| alphabet[usize::try_from(rng.next() % alphabet.len() as u64).unwrap()])
            .collect();
        let parsed = dotenv::parse(&text);
        for e in &parsed.entries {
            assert!(
                e.line >= 1 && e.column >= 1 && e.end_line >= e.line,
                "{text:?}: {e:?}"
            );
        }
    }
}
