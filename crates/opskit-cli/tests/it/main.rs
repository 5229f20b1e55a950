//! The multicall binary as a user meets it: its own commands snapshotted whole, every tool
//! reached three ways (`opskit TOOL`, a link named after the tool, the tool's own binary) with
//! the same transcript, completions that a real bash completes with, and manual pages that
//! groff reads. Each tool's whole CLI suite also runs through `opskit TOOL` (scripts/test.sh,
//! `OPSKIT_MULTICALL`).

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};
use std::process::Command;

mod serve;

const OPSKIT: &str = env!("CARGO_BIN_EXE_opskit");

fn opskit(args: &[&str]) -> testkit::Run {
    testkit::cli(OPSKIT).args(args).run()
}

/// A tool's own binary, built beside `opskit` by `cargo test --workspace`.
fn own_binary(tool: &str) -> PathBuf {
    let path = Path::new(OPSKIT).with_file_name(format!("{tool}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: build every binary first (`cargo build --workspace`, which \
         `cargo test --workspace` does)",
        path.display()
    );
    path
}

#[test]
fn transcripts() {
    insta::assert_snapshot!("help", opskit(&["--help"]).transcript());
    insta::assert_snapshot!("version", opskit(&["--version"]).transcript());
    insta::assert_snapshot!("list", opskit(&["--list"]).transcript());
    insta::assert_snapshot!("no_arguments", opskit(&[]).transcript());
    insta::assert_snapshot!("unknown_tool", opskit(&["queue-dept"]).transcript());
    insta::assert_snapshot!("usage", opskit(&["--lst"]).transcript());
    insta::assert_snapshot!("bad_shell", opskit(&["completions", "tcsh"]).transcript());
}

#[test]
fn list_names_every_tool_once() {
    let run = opskit(&["--list"]);
    let names: Vec<&str> = run.stdout.lines().collect();
    let expected: Vec<&str> = opskit_cli::TOOLS.iter().map(|t| t.name).collect();
    assert_eq!(names, expected);
}

/// The same run three ways: `opskit TOOL ARGS`, `TOOL ARGS` through a link to opskit, and the
/// tool's own binary.
#[test]
fn every_tool_is_the_same_through_opskit_a_link_and_its_own_binary() {
    let links = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    for tool in opskit_cli::TOOLS {
        let link = links.path().join(tool.name);
        make_link(Path::new(OPSKIT), &link);
        let own = own_binary(tool.name);
        for args in [
            &["--help"][..],
            &["--version"],
            &["--no-such-flag"],
            &["--format", "yaml"],
        ] {
            let through_opskit = testkit::cli(OPSKIT)
                .arg(tool.name)
                .args(args)
                .dir(work.path())
                .run();
            let through_link = testkit::cli(&link).args(args).dir(work.path()).run();
            let direct = testkit::cli(&own).args(args).dir(work.path()).run();
            assert_eq!(
                through_opskit.transcript(),
                direct.transcript(),
                "opskit {} {args:?}",
                tool.name
            );
            assert_eq!(
                through_link.transcript(),
                direct.transcript(),
                "link {} {args:?}",
                tool.name
            );
        }
        assert_ne!(own_help_code(&own), 3, "{}: --help must succeed", tool.name);
    }
}

fn own_help_code(bin: &Path) -> i32 {
    Command::new(bin)
        .arg("--help")
        .output()
        .unwrap()
        .status
        .code()
        .unwrap_or(-1)
}

#[cfg(unix)]
fn make_link(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(windows)]
fn make_link(target: &Path, link: &Path) {
    std::fs::copy(target, link.with_extension("exe")).unwrap();
}

/// A real run, not only help: a CRITICAL finding's exit code passes through unchanged.
#[test]
fn a_tool_run_keeps_its_findings_and_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM node:latest\nRUN npm install\nCMD [\"node\", \"server.js\"]\n",
    )
    .unwrap();
    let args = ["dockerfile-lint", "--no-shellcheck", "Dockerfile"];
    let through_opskit = testkit::cli(OPSKIT).args(args).dir(dir.path()).run();
    let direct = testkit::cli(own_binary("dockerfile-lint"))
        .args(&args[1..])
        .dir(dir.path())
        .run();
    assert_eq!(through_opskit.transcript(), direct.transcript());
    assert!(
        through_opskit.stdout.contains("DL3007"),
        "{}",
        through_opskit.text()
    );
    assert!(
        [1, 2].contains(&through_opskit.code),
        "{}",
        through_opskit.text()
    );
    // `predeploy readiness` is reached through opskit too.
    let readiness = opskit(&["predeploy", "readiness", "--help"]);
    assert_eq!(readiness.code, 0, "{}", readiness.text());
    assert!(readiness.stdout.contains("Usage: predeploy readiness"));
}

#[test]
fn bash_completes_tools_and_their_flags() {
    assert!(
        Command::new("bash").arg("--version").output().is_ok(),
        "bash is needed for this test (apt-get install bash)"
    );
    let dir = tempfile::tempdir().unwrap();
    let run = opskit(&["completions", "bash", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.text());
    let files: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(files.len(), opskit_cli::TOOLS.len() + 1, "{files:?}");
    // Complete `opskit queue-d` and `queue-depth --form` as bash would on a Tab.
    let script = format!(
        r#"for f in {dir}/*.bash; do source "$f"; done
COMP_WORDS=(opskit queue-d); COMP_CWORD=1; COMP_LINE="opskit queue-d"; COMP_POINT=${{#COMP_LINE}}
_opskit opskit queue-d opskit; echo "1:${{COMPREPLY[*]}}"
COMP_WORDS=(opskit predeploy --chan); COMP_CWORD=2; COMP_LINE="opskit predeploy --chan"; COMP_POINT=${{#COMP_LINE}}
_opskit opskit --chan predeploy; echo "2:${{COMPREPLY[*]}}"
COMP_WORDS=(queue-depth --form); COMP_CWORD=1; COMP_LINE="queue-depth --form"; COMP_POINT=${{#COMP_LINE}}
_queue__depth queue-depth --form queue-depth; echo "3:${{COMPREPLY[*]}}"
"#,
        dir = dir.path().display()
    );
    let out = Command::new("bash").arg("-c").arg(script).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1:queue-depth"), "{text}");
    assert!(text.contains("2:--changed-since"), "{text}");
    assert!(text.contains("3:--format"), "{text}");
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let run = opskit(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.text());
        assert!(run.stdout.contains("queue-depth"), "{shell}");
    }
}

#[test]
fn manual_pages_for_opskit_and_every_tool() {
    let dir = tempfile::tempdir().unwrap();
    let run = opskit(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.text());
    for page in ["opskit.1", "predeploy-readiness.1", "queue-depth-failed.1"]
        .into_iter()
        .map(str::to_owned)
        .chain(opskit_cli::TOOLS.iter().map(|t| format!("{}.1", t.name)))
    {
        let text = std::fs::read_to_string(dir.path().join(&page))
            .unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH "), "{page}");
    }
    let page = opskit(&["man", "secret-scan"]);
    assert_eq!(page.code, 0);
    assert!(page.stdout.contains(".TH secret-scan 1"), "{}", page.stdout);
    assert!(
        page.stdout.contains("\\-\\-baseline"),
        "the flags are in the page"
    );
    // groff (Debian's groff-base, which scripts/test.sh installs) reads every page without a
    // warning, with preconv for the UTF-8 text (-k), as man-db runs it.
    for page in std::fs::read_dir(dir.path()).unwrap() {
        let page = page.unwrap().path();
        let out = Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
            .arg(&page)
            .output()
            .unwrap_or_else(|e| panic!("groff: {e} (apt-get install groff-base)"));
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{}: {}",
            page.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let missing = opskit(&["man", "no-such-tool"]);
    assert_eq!(missing.code, 3, "{}", missing.text());
    let unwritable = opskit(&["man", "--dir", "/proc/version/x"]);
    assert_eq!(unwritable.code, 3, "{}", unwritable.text());
    assert!(
        unwritable.stderr.contains("cannot write"),
        "{}",
        unwritable.stderr
    );
}
