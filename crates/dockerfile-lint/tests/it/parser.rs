//! The parser, one test per syntax feature BuildKit accepts, and a no-panic property test over
//! arbitrary bytes and mutated real Dockerfiles.

use std::fmt::Write as _;
use std::path::Path;

use opskit_dockerfile_lint::lint::{Options, lint_bytes};
use opskit_dockerfile_lint::parser::{CommandForm, Kind, parse, parse_bytes};

#[test]
fn parser_directives() {
    let df = parse(
        "# syntax=docker/dockerfile:1.7\n# ESCAPE = `\n# check=skip=JSONArgsRecommended;error=true\nFROM a\n",
    );
    assert_eq!(
        df.directives.syntax.as_deref(),
        Some("docker/dockerfile:1.7")
    );
    assert_eq!(df.directives.escape, '`');
    assert_eq!(
        df.directives.check.as_deref(),
        Some("skip=JSONArgsRecommended;error=true")
    );
    // After the first instruction a directive is an ordinary comment.
    let late = parse("FROM a\n# escape=`\nRUN a \\\n b\n");
    assert_eq!(late.directives.escape, '\\');
    assert_eq!(late.instructions[1].args, "a  b");
    // Twice is an error.
    assert_eq!(parse("# syntax=a\n# syntax=b\nFROM a\n").errors.len(), 1);
}

#[test]
fn continuations_with_either_escape_and_comments_inside() {
    let df =
        parse("FROM a\nRUN apt-get update \\\n    # refresh\n\n    && apt-get install -y curl\n");
    assert_eq!(
        df.instructions[1].args,
        "apt-get update     && apt-get install -y curl"
    );
    assert_eq!(
        (df.instructions[1].line, df.instructions[1].end_line),
        (2, 5)
    );
    let win = parse("# escape=`\nFROM a\nRUN dir C:\\ `\n  && echo done\nWORKDIR C:\\app\n");
    assert_eq!(win.instructions[1].args, "dir C:\\   && echo done");
    assert_eq!(win.instructions[2].args, "C:\\app");
    // A file may end in the middle of a continuation.
    assert_eq!(parse("FROM a\nRUN echo \\").instructions[1].args, "echo");
}

#[test]
fn heredocs() {
    let df = parse(
        "FROM a\nRUN <<EOF\nset -e\necho one\nEOF\nCOPY <<-\"A\" <<'B' /etc/\n\tfirst\n\tA\nsecond\nB\nRUN echo after\n",
    );
    let run = &df.instructions[1];
    assert_eq!(run.heredocs[0].body, "set -e\necho one\n");
    assert!(run.script().contains("echo one"));
    let copy = &df.instructions[2];
    assert_eq!(copy.heredocs.len(), 2);
    assert_eq!(copy.heredocs[0].body, "first\n");
    assert!(copy.heredocs[0].chomp && copy.heredocs[0].quoted);
    assert_eq!(copy.heredocs[1].body, "second\n");
    assert_eq!(df.instructions[3].line, 11);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
}

#[test]
fn exec_and_shell_forms() {
    let df = parse(
        "FROM a\nCMD [\"node\", \"server.js\"]\nENTRYPOINT node server.js\nCMD [\"broken\",]\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n",
    );
    assert_eq!(
        df.instructions[1].command_form(),
        CommandForm::Exec(vec!["node".into(), "server.js".into()])
    );
    assert_eq!(
        df.instructions[2].command_form(),
        CommandForm::Shell("node server.js".into())
    );
    // Invalid JSON is the shell form, as BuildKit reads it.
    assert!(matches!(
        df.instructions[3].command_form(),
        CommandForm::Shell(_)
    ));
    assert_eq!(df.instructions[4].exec_form().unwrap().len(), 4);
}

#[test]
fn flags_of_every_instruction_that_takes_them() {
    let df = parse(
        "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\nRUN --mount=type=secret,id=npm --network=none go build\nCOPY --from=build --chown=app:app --chmod=755 --link /out /app\nADD --checksum=sha256:abc --keep-git-dir=true https://x /y\nHEALTHCHECK --interval=30s --timeout=3s CMD true\n",
    );
    assert_eq!(
        df.instructions[0]
            .flag("platform")
            .unwrap()
            .value
            .as_deref(),
        Some("$BUILDPLATFORM")
    );
    assert_eq!(df.instructions[1].flags.len(), 2);
    assert_eq!(df.instructions[1].args, "go build");
    let copy = &df.instructions[2];
    assert_eq!(
        copy.flags
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["from", "chown", "chmod", "link"]
    );
    assert!(copy.flag("link").unwrap().value.is_none());
    assert_eq!(df.instructions[4].args, "CMD true");
}

#[test]
fn arg_before_from_stages_onbuild_and_case() {
    let df =
        parse("ARG BASE=node:22\nfrom ${BASE} as Build\nonbuild run make\nFrom build AS final\n");
    assert_eq!(df.instructions[0].kind, Kind::Arg);
    assert!(df.stage_of(0).is_none());
    assert_eq!(df.stages.len(), 2);
    assert_eq!(df.stages[0].name.as_deref(), Some("build"));
    assert_eq!(df.stages[1].base, "build");
    assert_eq!(df.instructions[2].onbuild.as_ref().unwrap().kind, Kind::Run);
}

#[test]
fn crlf_bom_and_positions() {
    let df = parse("\u{feff}FROM a\r\n\r\n   RUN b \\\r\n  c\r\nEXPOSE ${PORT} 80/tcp\r\n");
    assert_eq!(df.instructions[1].args, "b   c");
    assert_eq!((df.instructions[1].line, df.instructions[1].column), (3, 4));
    assert_eq!(df.instructions[2].words(), ["${PORT}", "80/tcp"]);
    assert!(df.errors.is_empty());
}

#[test]
fn what_is_not_a_dockerfile_is_a_finding_not_a_crash() {
    let problems = lint_bytes(
        b"\x7fELF\x02\x01\x01\0\0\0",
        &Options::default(),
        None,
        None,
    );
    assert_eq!(problems[0].rule.code, "DL1000");
    assert!(problems[0].message.contains("binary"));
    let problems = lint_bytes(
        b"<html><body>hello</body></html>\n",
        &Options::default(),
        None,
        None,
    );
    assert!(
        problems
            .iter()
            .any(|p| p.rule.code == "DL1000" && p.message.contains("not a Dockerfile instruction")),
        "{:?}",
        problems.iter().map(|p| &p.message).collect::<Vec<_>>()
    );
}

#[test]
fn a_two_mebibyte_dockerfile_parses() {
    let mut text = String::from("FROM debian:12.8-slim\n");
    let mut n = 0;
    while text.len() < 2 << 20 {
        n += 1;
        write!(
            text,"RUN apt-get install -y --no-install-recommends pkg{n}=1.0 \\\n    && echo {n} | tee /tmp/{n}\nCOPY <<EOF /etc/f{n}\nline {n}\nEOF\n").unwrap();
    }
    let df = parse(&text);
    assert!(df.errors.is_empty());
    assert_eq!(df.instructions.len(), 1 + 2 * n);
    assert!(!lint_bytes(text.as_bytes(), &Options::default(), None, None).is_empty());
}

/// xorshift64*: a small deterministic generator, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
    }
}

#[test]
fn never_panics_on_arbitrary_or_mutated_input() {
    let corpus: Vec<Vec<u8>> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .map(|p| std::fs::read(p).unwrap())
            .collect();
    let alphabet: &[u8] = b"FROM RUN COPY <<EOF\n\\`'\"[]{}$()|&;# =-:/\t\r\n\xef\xbb\xbf\xff\0 --mount=type=cache,target=/x AS x HEALTHCHECK CMD NONE ONBUILD";
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let options = Options::default();
    for round in 0..6000 {
        let bytes: Vec<u8> = if round % 2 == 0 {
            let len = rng.below(300);
            (0..len)
                .map(|_| {
                    if rng.below(4) == 0 {
                        u8::try_from(rng.below(256)).unwrap()
                    } else {
                        alphabet[rng.below(alphabet.len())]
                    }
                })
                .collect()
        } else {
            let mut b = corpus[rng.below(corpus.len())].clone();
            for _ in 0..=rng.below(8) {
                if b.is_empty() {
                    break;
                }
                let at = rng.below(b.len());
                match rng.below(3) {
                    0 => b[at] = alphabet[rng.below(alphabet.len())],
                    1 => {
                        b.remove(at);
                    }
                    _ => b.insert(at, alphabet[rng.below(alphabet.len())]),
                }
            }
            b
        };
        let df = parse_bytes(&bytes);
        let _ = lint_bytes(&bytes, &options, None, None);
        for i in &df.instructions {
            let _ = (i.words(), i.pairs(), i.script(), i.command_form());
        }
    }
}
