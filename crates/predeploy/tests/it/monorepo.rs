//! predeploy on workspaces the tests build: a pnpm workspace with one ESLint 9 flat config per
//! package, an npm workspace whose ESLint lives only in one package (legacy .eslintrc), a
//! solution-style tsconfig, Biome 1.x, an uninstalled side project and a workspace package
//! whose types point at an unbuilt `dist/`. The tools are the real ones from npm
//! (`tests/monorepo`, `tests/biome1`, installed by scripts/test.sh), linked into each package's
//! `node_modules` the way pnpm links them.
//!
//! See: issue 16.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{check, finding};

fn tools(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
        .join("node_modules");
    assert!(
        dir.join(".bin").is_dir(),
        "the test tools are missing; run `npm ci` in {} (scripts/test.sh does it)",
        dir.parent().unwrap().display()
    );
    dir
}

/// A workspace in a temporary directory.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        Repo {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, rel: &str, text: &str) -> &Repo {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    /// Installs `tools` into `pkg/node_modules` (every package linked, as pnpm's hoisting
    /// leaves them), plus links to workspace packages.
    fn install(&self, pkg: &str, tools: &Path, links: &[(&str, &str)]) -> &Repo {
        let modules = self.root().join(pkg).join("node_modules");
        std::fs::create_dir_all(&modules).unwrap();
        for entry in std::fs::read_dir(tools).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name();
            if name.to_string_lossy().starts_with(".package-lock") {
                continue;
            }
            std::os::unix::fs::symlink(entry.path(), modules.join(&name)).unwrap();
        }
        for (name, target) in links {
            let link = modules.join(name);
            std::fs::create_dir_all(link.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(self.root().join(target), link).unwrap();
        }
        self
    }

    fn run(&self, extra: &[&str]) -> (i32, serde_json::Value) {
        run_at(self.root(), extra)
    }

    fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(self.root())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Runs predeploy on `root`, in JSON.
fn run_at(root: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = testkit::cli(env!("CARGO_BIN_EXE_predeploy"))
        .dir(env!("CARGO_MANIFEST_DIR"))
        .arg("--root")
        .arg(root)
        .args(["--format", "json"])
        .args(extra)
        .env_remove("NO_COLOR")
        .output();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

const TSCONFIG: &str = r#"{ "compilerOptions": { "strict": true, "noEmit": true, "target": "ES2022", "module": "esnext", "moduleResolution": "bundler", "skipLibCheck": true }, "include": ["src"] }"#;

/// ESLint 9 lints only JavaScript unless a config names other files; these TypeScript
/// sources are plain JavaScript syntax, so the default parser reads them.
const FLAT: &str = "import js from \"@eslint/js\";\nexport default [{ files: [\"**/*.{js,ts}\"], rules: { ...js.configs.recommended.rules, \"no-undef\": \"off\", \"no-console\": \"warn\" } }];\n";

fn rules(report: &serde_json::Value, name: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = check(report, name)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["properties"]["project"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    v.sort();
    v
}

/// pnpm + turbo: apps/web (a console.log under `--max-warnings 0`, and an import of an
/// unbuilt workspace package), apps/api (a type error), packages/ui (types in an unbuilt
/// dist/), each with its own flat config; examples/demo is a side project with its own
/// lockfile and no node_modules.
fn pnpm_workspace() -> Repo {
    let tools = tools("monorepo");
    let r = Repo::new();
    r.write("pnpm-workspace.yaml", "packages:\n  - \"apps/*\"\n  - \"packages/*\"\n")
        .write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n")
        .write(".gitignore", "node_modules/\ndist/\n*.tsbuildinfo\n")
        .write(
            "package.json",
            r#"{"name":"mono","private":true,"scripts":{"lint":"turbo run lint","typecheck":"turbo run typecheck"}}"#,
        )
        .write("turbo.json", r#"{ "tasks": { "build": { "dependsOn": ["^build"] }, "lint": {}, "typecheck": { "dependsOn": ["^build"] } } }"#)
        .write(
            "apps/web/package.json",
            r#"{"name":"web","private":true,"scripts":{"lint":"eslint . --max-warnings 0","typecheck":"tsc --noEmit"},"dependencies":{"@x/ui":"workspace:*"}}"#,
        )
        .write("apps/web/tsconfig.json", TSCONFIG)
        .write("apps/web/eslint.config.mjs", FLAT)
        .write(
            "apps/web/src/index.ts",
            "import { button } from \"@x/ui\";\nconsole.log(button);\nexport const page = 1;\n",
        )
        .write(
            "apps/api/package.json",
            r#"{"name":"api","private":true,"scripts":{"lint":"eslint src","typecheck":"tsc --noEmit -p ."}}"#,
        )
        .write("apps/api/tsconfig.json", TSCONFIG)
        .write("apps/api/eslint.config.mjs", FLAT)
        .write("apps/api/src/index.ts", "export const port = Math.max(\"3000\");\n")
        .write(
            "packages/ui/package.json",
            r#"{"name":"@x/ui","private":true,"types":"dist/index.d.ts","exports":{".":{"types":"./dist/index.d.ts","default":"./dist/index.js"}},"scripts":{"build":"tsc","lint":"eslint ."}}"#,
        )
        .write("packages/ui/tsconfig.json", TSCONFIG)
        .write("packages/ui/eslint.config.mjs", FLAT)
        .write("packages/ui/src/index.ts", "export const button = \"button\";\n")
        // A config package with a tsconfig and no scripts: the workspace type-checks through
        // scripts, so it is not checked on its own (its broken file is never imported).
        .write("packages/config/package.json", r#"{"name":"@x/config","private":true}"#)
        .write("packages/config/tsconfig.json", TSCONFIG)
        .write("packages/config/src/unused.ts", "export const n: number = \"never checked\";\n")
        .write(
            "examples/demo/package.json",
            r#"{"name":"demo","private":true,"devDependencies":{"typescript":"5.9.3"}}"#,
        )
        .write("examples/demo/package-lock.json", "{}")
        .write("examples/demo/tsconfig.json", TSCONFIG)
        .write("examples/demo/src/a.ts", "export const broken: number = \"x\";\n");
    std::fs::create_dir_all(r.root().join("node_modules")).unwrap();
    r.install("apps/web", &tools, &[("@x/ui", "packages/ui")])
        .install("apps/api", &tools, &[])
        .install("packages/ui", &tools, &[]);
    r
}

#[test]
fn a_pnpm_workspace_is_checked_package_by_package() {
    let r = pnpm_workspace();
    let (code, report) = r.run(&["--only", "typescript,lint", "--no-cache"]);
    assert_eq!(code, 2, "{report}");
    let ts = check(&report, "typescript");
    assert_eq!(
        rules(&report, "typescript"),
        pairs(&[
            ("PD002", ""),
            ("PD002", "examples/demo"),
            ("TS2307", "apps/web"),
            ("TS2345", "apps/api"),
        ]),
        "{ts}"
    );
    assert!(
        ts.to_string()
            .contains("not type-checked on their own: packages/config"),
        "{ts}"
    );
    assert!(
        ts["summary"]
            .as_str()
            .unwrap()
            .starts_with("2 type errors in 3 projects (TypeScript 5.9.3)"),
        "{ts}"
    );
    let unbuilt = finding(&report, "typescript", "TS2307");
    assert_eq!(unbuilt["location"]["path"], "apps/web/src/index.ts");
    assert!(
        unbuilt["message"].as_str().unwrap().contains(
            "@x/ui is a workspace package whose package.json points at dist/index.d.ts, which does not exist: build it first: `turbo run build --filter=@x/ui`"
        ),
        "{unbuilt}"
    );
    assert_eq!(
        finding(&report, "typescript", "TS2345")["location"]["path"],
        "apps/api/src/index.ts"
    );
    let side = finding(&report, "typescript", "PD002");
    assert_eq!(side["severity"], "note");
    assert!(
        side["message"]
            .as_str()
            .unwrap()
            .contains("examples/demo has its own lockfile (package-lock.json) and is not a workspace member, and it is not installed: skipped"),
        "{side}"
    );
    // Lint: each package with its own config; web's gate is --max-warnings 0.
    let lint = check(&report, "lint");
    assert_eq!(
        rules(&report, "lint"),
        pairs(&[("LINT002", "apps/web"), ("no-console", "apps/web")]),
        "{lint}"
    );
    assert!(
        finding(&report, "lint", "LINT002")["message"]
            .as_str()
            .unwrap()
            .contains("1 ESLint warning in apps/web, more than the 0 its lint script allows"),
        "{lint}"
    );
    assert_eq!(
        finding(&report, "lint", "no-console")["severity"],
        "warning"
    );
    assert_eq!(
        finding(&report, "lint", "no-console")["location"]["path"],
        "apps/web/src/index.ts"
    );
    assert_eq!(
        lint["summary"], "1 error, 1 warning (3 packages, ESLint 9.39.1)",
        "{lint}"
    );
    // One package as --root: only it, with the tools it resolves.
    let (code, report) = run_at(
        &r.root().join("apps/api"),
        &["--only", "typescript,lint", "--no-cache"],
    );
    assert_eq!(code, 2, "{report}");
    assert_eq!(
        rules(&report, "typescript"),
        pairs(&[("TS2345", "apps/api")])
    );
    assert_eq!(
        finding(&report, "typescript", "TS2345")["location"]["path"],
        "src/index.ts",
        "paths relative to --root"
    );
    assert_eq!(
        check(&report, "lint")["summary"],
        "clean (1 package, ESLint 9.39.1)"
    );
    // The workspace root's lockfile and .gitignore cover the package.
    let (_, report) = run_at(&r.root().join("apps/api"), &["--only", "files"]);
    let files = check(&report, "files").to_string();
    assert!(
        !files.contains("FILE001") && !files.contains("no .gitignore"),
        "{files}"
    );
    assert!(
        files.contains("does not ignore `.env`"),
        "the root's .gitignore is read: {files}"
    );
}

#[test]
fn each_project_is_cached_on_its_own_and_changed_since_follows_the_graph() {
    let r = pnpm_workspace();
    r.git(&["init", "-q"]);
    r.git(&["add", "-A"]);
    r.git(&["commit", "-qm", "init"]);
    let summary = |report: &serde_json::Value, name: &str| {
        check(report, name)["summary"].as_str().unwrap().to_owned()
    };
    let (_, cold) = r.run(&["--only", "typescript,lint"]);
    assert!(!summary(&cold, "typescript").contains("cached"), "{cold}");
    // What the tools write (build info, ESLint's cache) is not an input.
    r.write("apps/web/tsconfig.tsbuildinfo", "{}")
        .write("apps/api/.eslintcache", "[]");
    let (code, warm) = r.run(&["--only", "typescript,lint"]);
    assert_eq!(code, 2, "cached results keep their status: {warm}");
    assert!(summary(&warm, "typescript").ends_with("(cached)"), "{warm}");
    assert!(summary(&warm, "lint").ends_with("(cached)"), "{warm}");
    assert_eq!(rules(&warm, "typescript"), rules(&cold, "typescript"));
    // A change to api reruns api only.
    r.write(
        "apps/api/src/index.ts",
        "export const port: number = 3000;\n",
    );
    let (_, changed) = r.run(&["--only", "typescript"]);
    assert!(
        summary(&changed, "typescript").ends_with("(2 of 3 cached)"),
        "{changed}"
    );
    assert_eq!(
        rules(&changed, "typescript"),
        pairs(&[
            ("PD002", ""),
            ("PD002", "examples/demo"),
            ("TS2307", "apps/web")
        ])
    );
    // --changed-since: ui changed, so ui and web (which depends on it) are checked; api is not.
    r.git(&["add", "-A"]);
    r.git(&["commit", "-qm", "fix api"]);
    r.write(
        "packages/ui/src/index.ts",
        "export const button: string = \"b\";\n",
    );
    let (_, since) = r.run(&[
        "--only",
        "typescript",
        "--no-cache",
        "--changed-since",
        "HEAD",
    ]);
    let s = summary(&since, "typescript");
    assert!(
        s.starts_with("1 type error in 2 projects")
            && s.contains("1 unchanged since HEAD, not checked"),
        "{since}"
    );
    // A ref that does not exist is UNKNOWN with what to do.
    let (code, bad) = r.run(&["--only", "typescript", "--changed-since", "no-such-ref"]);
    assert_eq!(code, 3, "{bad}");
    assert!(
        bad.to_string().contains("--changed-since no-such-ref"),
        "{bad}"
    );
}

#[test]
fn an_npm_workspace_with_eslint_only_in_a_package_and_a_package_without_tsc() {
    let tools = tools("monorepo");
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"shop","private":true,"workspaces":["apps/*"]}"#,
    )
    .write("package-lock.json", "{}")
    .write(
        "apps/api/package.json",
        r#"{"name":"api","scripts":{"lint":"eslint src --max-warnings 5"}}"#,
    )
    .write(
        "apps/api/.eslintrc.json",
        r#"{ "root": true, "extends": "eslint:recommended", "parserOptions": { "ecmaVersion": 2022, "sourceType": "module" }, "env": { "node": true } }"#,
    )
    .write("apps/api/src/index.js", "const unused = 1;\nexport const ok = 2;\n")
    .write("apps/api/tsconfig.json", r#"{ "compilerOptions": { "allowJs": true, "checkJs": true, "noEmit": true, "strict": true }, "include": ["src"] }"#)
    .write("apps/web/package.json", r#"{"name":"web"}"#)
    .write("apps/web/tsconfig.json", TSCONFIG)
    .write("apps/web/src/a.ts", "export const a = 1;\n");
    std::fs::create_dir_all(r.root().join("node_modules")).unwrap();
    r.install("apps/api", &tools, &[]);
    let (code, report) = r.run(&["--only", "typescript,lint", "--no-cache"]);
    assert_eq!(code, 2, "{report}");
    let lint = finding(&report, "lint", "no-unused-vars");
    assert_eq!(lint["location"]["path"], "apps/api/src/index.js");
    assert_eq!(lint["severity"], "error");
    assert_eq!(
        check(&report, "lint")["summary"],
        "1 error, 0 warnings (1 package, ESLint 9.39.1)"
    );
    // web has no compiler of its own and none above it: UNKNOWN for web, api still checked.
    let ts = check(&report, "typescript");
    assert_eq!(ts["status"], "UNKNOWN", "{ts}");
    assert_eq!(
        rules(&report, "typescript"),
        pairs(&[("PD001", "apps/web")])
    );
    assert!(
        ts["summary"].as_str().unwrap().contains(
            "1 of 2 projects could not be checked: TypeScript is not installed for apps/web"
        ),
        "{ts}"
    );
}

#[test]
fn a_solution_tsconfig_runs_as_one_build() {
    let tools = tools("monorepo");
    let r = Repo::new();
    let composite = r#"{ "compilerOptions": { "composite": true, "strict": true, "rootDir": "src", "outDir": "dist" }, "include": ["src"] }"#;
    r.write(
        "package.json",
        r#"{"name":"sol","private":true,"workspaces":["packages/*"]}"#,
    )
    .write("package-lock.json", "{}")
    .write(
        "tsconfig.json",
        r#"{ "files": [], "references": [{ "path": "packages/a" }, { "path": "packages/b" }] }"#,
    )
    .write("packages/a/package.json", r#"{"name":"a"}"#)
    .write("packages/a/tsconfig.json", composite)
    .write("packages/a/src/index.ts", "export const a: number = 1;\n")
    .write("packages/b/package.json", r#"{"name":"b"}"#)
    .write("packages/b/tsconfig.json", composite)
    .write(
        "packages/b/src/index.ts",
        "export const b: number = \"2\";\n",
    );
    r.install("", &tools, &[]);
    let (code, report) = r.run(&["--only", "typescript", "--no-cache"]);
    assert_eq!(code, 2, "{report}");
    let ts = check(&report, "typescript");
    assert!(
        ts["summary"]
            .as_str()
            .unwrap()
            .starts_with("1 type error in 1 project"),
        "the referenced projects run inside the build, not again: {ts}"
    );
    let f = finding(&report, "typescript", "TS2322");
    assert_eq!(f["location"]["path"], "packages/b/src/index.ts");
    assert_eq!(f["properties"]["project"], ".");
    assert!(
        !r.root().join("packages/b/dist").exists(),
        "tsc -b --noEmit writes no output"
    );
}

#[test]
fn biome_1_reports_are_read() {
    let biome = tools("biome1");
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"b1","private":true,"scripts":{"lint":"biome lint ."}}"#,
    )
    .write("package-lock.json", "{}")
    .write("biome.json", r#"{"linter":{"enabled":true}}"#)
    .write(
        "src/a.ts",
        "export function f(x: number) {\n  debugger;\n  return x == 1;\n}\n",
    );
    std::os::unix::fs::symlink(&biome, r.root().join("node_modules")).unwrap();
    let (code, report) = r.run(&["--only", "lint", "--no-cache"]);
    assert_eq!(code, 2, "{report}");
    let lint = check(&report, "lint");
    assert_eq!(
        lint["summary"], "2 errors, 0 warnings (1 package, Biome 1.9.4)",
        "{lint}"
    );
    let f = finding(&report, "lint", "lint/suspicious/noDebugger");
    assert_eq!(f["location"]["path"], "src/a.ts");
    assert_eq!(
        (
            f["location"]["line"].as_u64(),
            f["location"]["column"].as_u64()
        ),
        (Some(2), Some(3))
    );
    assert_eq!(
        f["message"],
        "This is an unexpected use of the debugger statement."
    );
}

#[test]
fn no_linter_anywhere_is_a_note() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"bare","private":true}"#)
        .write("package-lock.json", "{}");
    std::fs::create_dir_all(r.root().join("node_modules")).unwrap();
    let (code, report) = r.run(&["--only", "lint", "--no-cache"]);
    assert_eq!(code, 0, "{report}");
    let f = finding(&report, "lint", "LINT001");
    assert_eq!(f["severity"], "note");
    assert_eq!(check(&report, "lint")["status"], "OK");
}

#[test]
fn next_lint_lints_nextjs_directories_with_its_gate() {
    let tools = tools("monorepo");
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"site","private":true,"scripts":{"lint":"next lint --max-warnings 0"}}"#,
    )
    .write("package-lock.json", "{}")
    .write("eslint.config.mjs", FLAT)
    .write(
        "app/page.js",
        "console.log(\"rendered\");\nexport default function Page() { return null; }\n",
    )
    .write(
        "scripts/seed.js",
        "console.log(\"outside next lint's directories\");\n",
    );
    r.install("", &tools, &[]);
    let (code, report) = r.run(&["--only", "lint", "--no-cache"]);
    assert_eq!(code, 2, "{report}");
    assert_eq!(
        rules(&report, "lint"),
        pairs(&[("LINT002", "."), ("no-console", ".")])
    );
    assert_eq!(
        finding(&report, "lint", "no-console")["location"]["path"],
        "app/page.js"
    );
    assert!(
        finding(&report, "lint", "LINT002")["message"]
            .as_str()
            .unwrap()
            .contains("its next lint allows"),
        "{report}"
    );
}

// See: issue 17. No opskit.toml: the env check reads each package's schema from its code, gives
// each export to its service, and lints the examples, where a public secret is an error.
#[test]
fn the_env_check_needs_no_opskit_toml() {
    let repo = Repo::new();
    repo.write(
        "package.json",
        r#"{"name": "shop", "private": true, "workspaces": ["apps/*"]}"#,
    )
    .write("apps/web/package.json", r#"{"name": "@shop/web"}"#)
    .write(
        "apps/web/src/env.mjs",
        "import { createEnv } from \"@t3-oss/env-nextjs\";\nimport { z } from \"zod\";\nexport const env = createEnv({\n  server: { DATABASE_URL: z.string().url() },\n  client: {},\n  runtimeEnv: { DATABASE_URL: process.env.DATABASE_URL },\n  emptyStringAsUndefined: true,\n});\n",
    )
    .write(
        "apps/web/.env.example",
        "DATABASE_URL=\nNEXT_PUBLIC_STRIPE_SECRET_KEY=\n",
    )
    .write("apps/worker/package.json", r#"{"name": "@shop/worker"}"#)
    .write(
        "apps/worker/src/env.ts",
        "import { cleanEnv, url } from \"envalid\";\nexport const env = cleanEnv(process.env, { REDIS_URL: url() });\n",
    )
    .write("web.env", "DATABASE_URL=https://db.example.com/app\nREDIS_URL=redis://cache:6379\n");
    let web = format!("@shop/web={}", repo.root().join("web.env").display());
    let (code, report) = run_at(
        repo.root(),
        &["--only", "env", "--require-env", "--env-vars", &web],
    );
    assert_eq!(code, 2, "{report}");
    let env = check(&report, "env");
    let messages: Vec<(String, String)> = env["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // The web export's REDIS_URL does not reach the worker.
    assert!(
        messages.iter().any(|(r, m)| r == "ENV101"
            && m.contains("REDIS_URL")
            && m.contains("for `@shop/worker`")),
        "{messages:#?}"
    );
    assert!(
        !messages
            .iter()
            .any(|(r, m)| r == "ENV101" && m.contains("DATABASE_URL")),
        "{messages:#?}"
    );
    assert_eq!(
        finding(&report, "env", "ENV102")["location"]["path"],
        "apps/web/.env.example"
    );
}
