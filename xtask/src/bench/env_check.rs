//! The `env-check` suite: parse, expand and lint of a generated 50,000-line .env.

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

/// A .env file of `lines` lines in every shape dotenv reads: quotes of each kind, escapes,
/// multi-line values, `export`, comments, empty values, URLs and `${VAR}` references.
pub(super) fn big_env(lines: usize) -> String {
    let mut text = String::new();
    for i in 0..lines {
        let k = format!("VAR_{i:06}");
        let _ = match i % 10 {
            0 => writeln!(text, "# section {i}"),
            1 => writeln!(text, "{k}=\"double quoted {i} with \\n escape\""),
            2 => writeln!(text, "{k}='single quoted {i}'"),
            3 => writeln!(text, "export {k}=exported_{i}"),
            4 => writeln!(text, "{k}=value_{i} # inline comment"),
            5 => writeln!(text, "{k}=\"multi\nline {i}\""),
            6 => writeln!(text, "{k}="),
            7 => writeln!(text, "{k}=https://example.com/{i}?a=b&c=d"),
            8 => writeln!(text),
            _ => writeln!(text, "{k}=${{VAR_{:06}}}-suffix", i - 1),
        };
    }
    text
}

pub(super) fn env_check_cases(options: &Options) -> Result<Vec<Case>> {
    let bin = cargo_build(
        &options.root,
        &["-p", "opskit-env-check", "--bin", "env-check"],
        "env-check",
    )?;
    let bin = bin.to_string_lossy().into_owned();
    let work = options.root.join("target/bench-work/env-check");
    std::fs::create_dir_all(&work)?;
    let file = work.join("big.env");
    std::fs::write(&file, big_env(50_000))?;
    let file = file.display().to_string();
    // dotenv-expand copies every value expanded so far for each key (quadratic: 5,000 lines
    // take 2.3 s, 10,000 lines 8.9 s), so the expansion case is 5,000 lines.
    let small = work.join("5k.env");
    std::fs::write(&small, big_env(5_000))?;
    let small = small.display().to_string();
    let tools = options.root.join("scripts/test-tools/node_modules");
    if !tools.join("dotenv-expand").is_dir() {
        return Err("npm dotenv and dotenv-expand are missing: run `npm ci --prefix scripts/test-tools` (scripts/test.sh does)".into());
    }
    let tools = tools.display().to_string();
    let quiet = |cmd: String| strings(&["sh", "-c", &format!("{cmd} >/dev/null 2>&1; true")]);
    let node = |path: &str, script: &str| {
        quiet(format!(
            "node -e \"const fs=require('fs');const d=require('{tools}/dotenv');const {{expand}}=require('{tools}/dotenv-expand');const t=fs.readFileSync('{path}','utf8');{script}\""
        ))
    };
    let side = |tool: &str, command: Vec<String>| Side {
        tool: tool.to_owned(),
        command,
    };
    let mut lint = vec![side("opskit", quiet(format!("'{bin}' lint '{file}' -q")))];
    match ensure_peer(
        Peer {
            binary: "dotenv-linter",
            install: Install::Cargo("dotenv-linter"),
        },
        &options.root,
    ) {
        Ok(dl) => lint.push(side(
            "dotenv-linter",
            quiet(format!(
                "'{}' check '{file}' || '{}' '{file}'",
                dl.display(),
                dl.display()
            )),
        )),
        Err(e) => eprintln!("bench: dotenv-linter left out: {e}"),
    }
    Ok(vec![
        Case {
            name: "parse a 50,000-line .env (1.4 MB)".to_owned(),
            sides: vec![
                side("opskit", quiet(format!("'{bin}' parse '{file}' -q"))),
                side("npm dotenv 18 (node)", node(&file, "d.parse(t)")),
                side("node startup alone", node(&file, "")),
            ],
            guard: None,
            floor: None,
        },
        Case {
            name: "parse + expand ${VAR}, 5,000 lines".to_owned(),
            sides: vec![
                side(
                    "opskit",
                    quiet(format!("'{bin}' parse '{small}' --expand -q")),
                ),
                side(
                    "dotenv + dotenv-expand 13 (node)",
                    node(&small, "expand({parsed: d.parse(t), processEnv: {}})"),
                ),
            ],
            guard: None,
            floor: None,
        },
        Case {
            name: "lint the same file".to_owned(),
            sides: lint,
            guard: None,
            floor: None,
        },
    ])
}
