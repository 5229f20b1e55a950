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

use opskit::env::{dotenv, expand};

/// Runs a reference script of scripts/test-tools in Node: JSON in on stdin, JSON out.
fn node<I: serde::Serialize, O: serde::de::DeserializeOwned>(
    script: &str,
    package: &str,
    input: &I,
) -> O {
    let tools = testkit::test_tools_dir();
    assert!(
        tools.join("node_modules").join(package).is_dir(),
        "npm {package} is missing; run `npm ci --prefix {}` (scripts/test.sh does it)",
        tools.display()
    );
    let mut child = Command::new("node")
        .arg(tools.join(script))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node ({e}); install Node.js 20"));
    let input = serde_json::to_vec(input).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "node {script} failed");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// dotenv.parse for each text, from Node.
fn reference(texts: &[String]) -> Vec<BTreeMap<String, String>> {
    node("dotenv-parse.js", "dotenv", &texts)
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

/// One expansion case: a .env text and the process environment it expands against.
#[derive(serde::Serialize)]
struct ExpandCase {
    text: String,
    env: BTreeMap<String, String>,
}

/// dotenv-expand's pairs for each case, from Node; `None` where dotenv-expand did not finish
/// (it loops forever on some inputs; opskit stops, see opskit::env::expand).
fn expand_reference(cases: &[ExpandCase]) -> Vec<Option<Vec<(String, String)>>> {
    node("dotenv-expand.js", "dotenv-expand", &cases)
}

fn compare_expansion(cases: &[ExpandCase]) {
    let theirs = expand_reference(cases);
    let mut failures = Vec::new();
    let mut endless = 0;
    for (case, expected) in cases.iter().zip(&theirs) {
        let Some(expected) = expected else {
            endless += 1;
            continue;
        };
        let parsed: Vec<(String, String)> = dotenv::parse(&case.text)
            .entries
            .into_iter()
            .map(|e| (e.key, e.value))
            .collect();
        let ours = expand::expand(&parsed, &|k| case.env.get(k).cloned()).unwrap();
        if &ours != expected {
            failures.push(format!(
                "input {:?} env {:?}\n  dotenv-expand: {expected:?}\n  opskit:        {ours:?}",
                case.text, case.env
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The generator is built to hit expansion's corners; only a few are endless loops.
    assert!(
        endless * 20 < cases.len(),
        "{endless} of {} never finished in dotenv-expand",
        cases.len()
    );
}

#[test]
fn expansion_matches_dotenv_expand() {
    let env = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    // Hand-written: every operator, escapes, order, the process environment, self-reference,
    // and the JavaScript oddities.
    let mut cases: Vec<ExpandCase> = [
        (
            "HOST=db\nURL=postgres://${HOST}:${PORT:-5432}/$DB_NAME\n",
            env(&[("DB_NAME", "app")]),
        ),
        (
            "A=1\nB=${A:+set}${MISSING:+no}${A+set2}${MISSING+no}\nC=${MISSING-dash}${A-unused}\n",
            env(&[]),
        ),
        ("EMPTY=\nD=${EMPTY:-colon}${EMPTY-dash}\n", env(&[])),
        (
            "PRICE=\\$5\nLITERAL='${HOST}'\nCMD=$(whoami)\nB=\\${A}${A}\nA=x\n",
            env(&[]),
        ),
        (
            "SELF=$SELF\nLOOP=x${LOOP}y\nA=$B\nB=$A\n",
            env(&[("C", "$C")]),
        ),
        ("KEY=file\nREF=$KEY\n", env(&[("KEY", "process")])),
        ("KEY=same\nREF=$KEY\n", env(&[("KEY", "same")])),
        (
            "N=${nullable}\nM=${a_null_b_null_c}\n",
            env(&[("able", "x")]),
        ),
        ("P=1$$2\nQ=[$P]\nR=${P}$&$`$'\n", env(&[])),
        ("2=two\nB=b\n1=one\nB=again\nX=$1$2$B\n", env(&[])),
        ("D=\"multi\nline ${A:-def}\"\nE=${D}\n", env(&[])),
        ("A=a\nA=${A}${A}\n", env(&[])),
        ("U=${}${ }${a b}${A{B}\n", env(&[("a b", "space")])),
    ]
    .into_iter()
    .map(|(text, env)| ExpandCase {
        text: text.to_owned(),
        env,
    })
    .collect();
    // Generated: random assignments full of references. Not `$&`: a substituted value holding
    // it makes dotenv-expand loop until Node runs out of memory (opskit stops; see
    // opskit::env::expand).
    let mut rng = Rng(0x0e8a_4d5e_ed00_0001);
    let names = ["A", "B", "C", "_x", "null", "n1"];
    let pieces = [
        "$", "{", "}", "${", "$A", "${A}", "${B:-", "${C-", ":+", "+", ":-", "-", "\\", "\\$", "x",
        "$$", "null", "${nullA}", "$1", "'", "\"", " ", "${A:+", "$B", "$C", "${_x}",
    ];
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..=(rng.next() % 5) {
            text.push_str(rng.pick(&names));
            text.push('=');
            for _ in 0..rng.next() % 6 {
                text.push_str(rng.pick(&pieces));
            }
            text.push('\n');
        }
        let mut e = BTreeMap::new();
        for _ in 0..rng.next() % 3 {
            let value: String = (0..rng.next() % 3).map(|_| rng.pick(&pieces)).collect();
            e.insert(rng.pick(&names).to_owned(), value);
        }
        cases.push(ExpandCase { text, env: e });
    }
    compare_expansion(&cases);
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
