//! The `predeploy` suite: the example, a larger project, a generated workspace, a warm cache.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::Result;

use super::Case;
use super::Options;
use super::Side;
use super::cargo_build;
use super::installed_example;
use super::strings;

/// A larger TypeScript project: the example plus `modules` generated worker modules that import
/// one another, sharing the example's node_modules.
pub(super) fn larger_project(example: &Path, dir: &Path, modules: usize) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    testkit::copy_tree(example, dir)?;
    std::os::unix::fs::symlink(example.join("node_modules"), dir.join("node_modules"))?;
    let gen_dir = dir.join("apps/worker/src/gen");
    std::fs::create_dir_all(&gen_dir)?;
    for i in 0..modules {
        let mut text = String::new();
        if i > 0 {
            let _ = writeln!(
                text,
                "import {{ step{p}, type Record{p} }} from './m{p}.js';\n",
                p = i - 1
            );
        }
        let _ = writeln!(
            text,
            "export interface Record{i} {{\n  id: number;\n  name: string;\n  tags: readonly string[];\n  score?: number;\n}}\n"
        );
        let _ = writeln!(
            text,
            "export function step{i}(input: readonly Record{i}[]): Map<string, number> {{"
        );
        let _ = writeln!(
            text,
            "  const totals = new Map<string, number>();\n  for (const r of input) {{\n    for (const tag of r.tags) {{\n      totals.set(tag, (totals.get(tag) ?? 0) + (r.score ?? r.id));\n    }}\n  }}\n  return totals;\n}}\n"
        );
        if i > 0 {
            let _ = writeln!(
                text,
                "export function chain{i}(rows: Record{p}[]): number {{\n  return [...step{p}(rows).values()].reduce((a, b) => a + b, 0);\n}}",
                p = i - 1
            );
        }
        std::fs::write(gen_dir.join(format!("m{i}.ts")), text)?;
    }
    Ok(())
}

/// `predeploy`: the whole run (cold: no result cache, no tsc build info), next to its slowest
/// checks run alone, the same tools run one after another as the seed's shell script did, and
/// a warm run whose inputs did not change. Targets: within 1.15x of the slowest check alone;
/// a warm run under 20% of a cold one.
pub(super) fn predeploy_cases(options: &Options) -> Result<Vec<Case>> {
    let predeploy = cargo_build(
        &options.root,
        &["-p", "opskit-predeploy", "--bin", "predeploy"],
        "predeploy",
    )?;
    let predeploy = predeploy.to_string_lossy().into_owned();
    let example = installed_example(options)?;
    let large = options.root.join("target/bench-work/predeploy-large");
    larger_project(&example, &large, 400)?;
    let mut cases = predeploy_workspace_cases(&predeploy, options)?;
    for (label, root) in [
        ("example", example.clone()),
        ("example + 400 modules", large),
    ] {
        let r = root.to_string_lossy().into_owned();
        let clean = format!("rm -rf '{r}/apps/frontend/.next/cache' '{r}/apps/worker/dist';");
        let cold = |extra: &str| {
            strings(&[
                "sh",
                "-c",
                &format!("{clean} '{predeploy}' --root '{r}' --no-cache {extra} >/dev/null"),
            ])
        };
        let sequential = format!(
            "{clean} cd '{r}' && node_modules/.bin/tsc --noEmit -p apps/frontend >/dev/null; node_modules/.bin/tsc --noEmit -p apps/worker >/dev/null; node_modules/.bin/eslint . >/dev/null; true"
        );
        cases.push(Case {
            name: format!("{label}: cold run vs parts"),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: cold(""),
                },
                Side {
                    tool: "typescript check alone".to_owned(),
                    command: cold("--only typescript"),
                },
                Side {
                    tool: "lint check alone".to_owned(),
                    command: cold("--only lint"),
                },
                Side {
                    tool: "tsc, tsc, eslint in turn".to_owned(),
                    command: strings(&["sh", "-c", &sequential]),
                },
            ],
            guard: None,
            floor: None,
        });
        cases.push(Case {
            name: format!("{label}: warm run (cache) vs cold"),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: cold(""),
                },
                Side {
                    tool: "opskit warm".to_owned(),
                    command: strings(&[&predeploy, "--root", &r, "--format", "json"]),
                },
            ],
            guard: None,
            floor: None,
        });
    }
    Ok(cases)
}

/// A generated npm workspace of `packages.len()` packages, package `i` with `packages[i]`
/// modules that import one another, each with a `typecheck` script and the test tools
/// (TypeScript 5, ESLint 9) linked into its node_modules, as pnpm links them.
pub(super) fn generated_workspace(tools: &Path, dir: &Path, packages: &[usize]) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir.join("node_modules"))?;
    std::fs::write(
        dir.join("package.json"),
        r#"{"name":"bench-workspace","private":true,"workspaces":["packages/*"]}"#,
    )?;
    std::fs::write(dir.join("package-lock.json"), "{}")?;
    std::fs::write(dir.join(".gitignore"), "node_modules/\n")?;
    for (p, &modules) in packages.iter().enumerate() {
        let pkg = dir.join(format!("packages/p{p}"));
        std::fs::create_dir_all(pkg.join("src"))?;
        std::fs::write(
            pkg.join("package.json"),
            format!(r#"{{"name":"p{p}","private":true,"scripts":{{"typecheck":"tsc --noEmit"}}}}"#),
        )?;
        std::fs::write(
            pkg.join("tsconfig.json"),
            r#"{ "compilerOptions": { "strict": true, "noEmit": true, "target": "ES2022", "module": "nodenext", "skipLibCheck": true }, "include": ["src"] }"#,
        )?;
        std::os::unix::fs::symlink(tools, pkg.join("node_modules"))?;
        for i in 0..modules {
            let mut text = String::new();
            if i > 0 {
                let _ = writeln!(text, "import {{ step{q} }} from './m{q}.js';", q = i - 1);
            }
            let _ = writeln!(
                text,
                "export interface Row{i} {{ id: number; tags: readonly string[]; score?: number }}\n\
                 export function step{i}(rows: readonly Row{i}[]): Map<string, number> {{\n\
                 \x20 const out = new Map<string, number>();\n\
                 \x20 for (const r of rows) for (const t of r.tags) out.set(t, (out.get(t) ?? 0) + (r.score ?? r.id));\n\
                 \x20 return out;\n}}"
            );
            if i > 0 {
                let _ = writeln!(
                    text,
                    "export const total{i} = (rows: Row{i}[]): number => [...step{q}(rows).values()].reduce((a, b) => a + b, 0);",
                    q = i - 1
                );
            }
            std::fs::write(pkg.join(format!("src/m{i}.ts")), text)?;
        }
    }
    Ok(())
}

/// `predeploy` on a generated workspace of 8 packages (one twice the size of the next): the
/// typescript check cold, next to the slowest package's tsc alone, the eight tsc one after
/// another, and the floor `max(slowest, in turn / cores)`; and a warm rerun with nothing
/// changed. Targets: within 1.15x of the floor; warm under 5% of cold.
pub(super) fn predeploy_workspace_cases(predeploy: &str, options: &Options) -> Result<Vec<Case>> {
    let tools_dir = options.root.join("crates/predeploy/tests/monorepo");
    if !tools_dir.join("node_modules/.bin/tsc").is_file() {
        let ok = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&tools_dir)
            .status()?
            .success();
        if !ok {
            return Err("npm ci failed in crates/predeploy/tests/monorepo".into());
        }
    }
    let dir = options.root.join("target/bench-work/predeploy-workspace");
    let sizes = [600, 300, 250, 200, 150, 120, 100, 80];
    generated_workspace(&tools_dir.join("node_modules"), &dir, &sizes)?;
    let r = dir.to_string_lossy().into_owned();
    let tsc = tools_dir
        .join("node_modules/.bin/tsc")
        .to_string_lossy()
        .into_owned();
    let in_turn = (0..sizes.len())
        .map(|p| format!("(cd '{r}/packages/p{p}' && '{tsc}' --noEmit >/dev/null)"))
        .collect::<Vec<_>>()
        .join("; ");
    let cold = strings(&[
        predeploy,
        "--root",
        &r,
        "--only",
        "typescript",
        "--no-cache",
        "--format",
        "json",
    ]);
    Ok(vec![
        Case {
            name: "workspace of 8: typescript, cold".to_owned(),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: cold.clone(),
                },
                Side {
                    tool: "slowest package's tsc alone".to_owned(),
                    command: strings(&[
                        "sh",
                        "-c",
                        &format!("cd '{r}/packages/p0' && '{tsc}' --noEmit >/dev/null"),
                    ]),
                },
                Side {
                    tool: "8 tsc in turn".to_owned(),
                    command: strings(&["sh", "-c", &in_turn]),
                },
            ],
            guard: None,
            floor: Some((1, 2)),
        },
        Case {
            name: "workspace of 8: warm rerun vs cold".to_owned(),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: cold,
                },
                Side {
                    tool: "opskit warm".to_owned(),
                    command: strings(&[
                        predeploy,
                        "--root",
                        &r,
                        "--only",
                        "typescript",
                        "--format",
                        "json",
                    ]),
                },
            ],
            guard: None,
            floor: None,
        },
    ])
}
