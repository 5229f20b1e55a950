//! Drift between the schema, the code and `.env.example`.
//!
//! The code is the service's TypeScript and JavaScript (`.gitignore` honoured; node_modules,
//! build output and `.next` skipped). A variable is read by `process.env.X`,
//! `process.env?.X`, `process.env["X"]`, `const { X, Y: y, Z = "d" } = process.env` and
//! `import.meta.env.X`. A file whose first statement is `"use client"` is a client component:
//! Next.js inlines only `NEXT_PUBLIC_` variables (and `NODE_ENV`) into the browser bundle, so
//! any other read there is `undefined` in the browser.
//!
//! A read inside a `typeof window === "undefined"` branch (or after an early
//! `if (typeof window !== "undefined") return`) runs only on the server, and a file that imports
//! `server-only`, starts with `"use server"`, is a route handler (`route.ts`) or lives under
//! `app/api/` is server code, whatever else it says.
//!
//! | code   | finding |
//! |--------|---------|
//! | ENV201 | read by the code, not in the schema |
//! | ENV202 | in the schema, never read by the code (a note: platforms read some themselves) |
//! | ENV203 | in .env.example, not in the schema |
//! | ENV204 | in the schema, missing from .env.example |
//! | ENV205 | a client component reads a variable that is not `NEXT_PUBLIC_` |
//! | ENV206 | read by the code of a package without a schema, in no .env example |
//! | ENV207 | in a .env example, read by no code of its packages (a note) |
//! | ENV208 | a part of the schema in code that env-check does not understand (a note) |
//! | ENV209 | required, and the .env example leaves it empty: a setup copied from it fails (a note) |

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use opskit::env::schema::{Required, Service};
use opskit::report::{Finding, Location};
use regex::Regex;

use crate::schema::Resolved;
use crate::shown;
use opskit::env::codes::{
    ENV102, ENV201, ENV202, ENV203, ENV204, ENV205, ENV206, ENV207, ENV208, ENV209,
};

/// One read of a variable in the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The variable.
    pub name: String,
    /// The file, relative to the root.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// The file is a client component (`"use client"`).
    pub client: bool,
}

/// Variables every Node and Next.js process has, or that Next.js inlines itself.
const ALWAYS_SET: &[&str] = &["NODE_ENV", "NEXT_RUNTIME", "NEXT_PHASE"];
/// Variables the platform, the shell or CI set, which no example needs to document.
const PLATFORM: &[&str] = &[
    "CI",
    "HOME",
    "PATH",
    "PWD",
    "USER",
    "SHELL",
    "TZ",
    "HOSTNAME",
    "PORT",
    "VERCEL",
    "VERCEL_URL",
    "VERCEL_ENV",
    "VERCEL_REGION",
    "NEXT_TELEMETRY_DISABLED",
    "NODE_OPTIONS",
    "DEBUG",
    "LANG",
    "TERM",
    "NODE_EXTRA_CA_CERTS",
    "NODE_TLS_REJECT_UNAUTHORIZED",
];
const PLATFORM_PREFIXES: &[&str] = &[
    "VERCEL_", "RAILWAY_", "GITHUB_", "npm_", "TURBO_", "NETLIFY_", "RENDER_", "FLY_",
];

/// Whether the platform, the shell or CI sets a variable (no example needs to list it).
pub fn platform_set(name: &str) -> bool {
    ALWAYS_SET.contains(&name)
        || PLATFORM.contains(&name)
        || PLATFORM_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// What marks a `.env*` file as an example (`.env.example`, `.env.prod.example`,
/// `.env.sample`, `.env.template`, `.env.dist`).
pub const EXAMPLE_MARKS: &[&str] = &["example", "sample", "template", "dist"];

/// Whether a file name is a .env example.
pub fn is_example(name: &str) -> bool {
    name.starts_with(".env") && name.split('.').any(|part| EXAMPLE_MARKS.contains(&part))
}

#[expect(
    clippy::expect_used,
    reason = "literal patterns, compiled by every test"
)]
fn patterns() -> &'static [Regex; 5] {
    static PATTERNS: OnceLock<[Regex; 5]> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let build = |p: &str| Regex::new(p).expect("a literal pattern");
        [
            build(r"\bprocess\.env\??\.([A-Za-z_][A-Za-z0-9_]*)"),
            build(r#"\bprocess\.env\??\.?\[\s*["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]\s*\]"#),
            build(r"\bimport\.meta\.env\.([A-Za-z_][A-Za-z0-9_]*)"),
            build(r"\{([^{}]*)\}\s*=\s*process\.env\b"),
            // The usual wrappers over process.env[name]: env("X"), getEnv('X'), requireEnv(`X`).
            build(
                r#"\b(?:env|getEnv|requireEnv|readEnv|mustEnv|getEnvVar|getEnvVariable|requiredEnv)\(\s*["'`]([A-Z][A-Z0-9_]*)["'`]"#,
            ),
        ]
    })
}

/// Whether the first statement of a file is `"use client"` (comments before it allowed).
pub fn is_client_component(text: &str) -> bool {
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
        } else {
            break;
        }
    }
    ["\"use client\"", "'use client'"]
        .iter()
        .any(|d| rest.starts_with(d))
}

fn position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// Whether a file is server code whatever it says: it imports `server-only`, starts with
/// `"use server"`, is a route handler or lives under `app/api/`.
pub fn is_server_only(path: &str, text: &str) -> bool {
    let p = path.replace('\\', "/");
    let stem = p.rsplit('/').next().unwrap_or_default();
    p.contains("app/api/")
        || p.starts_with("api/")
        || (stem.starts_with("route.") && (p.contains("app/") || p.starts_with("route.")))
        || text.contains("import \"server-only\"")
        || text.contains("import 'server-only'")
        || {
            let rest = text.trim_start_matches('\u{feff}').trim_start();
            rest.starts_with("\"use server\"") || rest.starts_with("'use server'")
        }
}

/// The variable reads in one file's text.
pub fn references_in(path: &str, text: &str) -> Vec<Reference> {
    let wrapped = text.contains("nv(") || text.contains("nvVar");
    if !text.contains("process.env") && !text.contains("import.meta.env") && !wrapped {
        return Vec::new();
    }
    let client = is_client_component(text) && !is_server_only(path, text);
    // Parsed once, only files that mention the environment: comments are not reads, and a
    // client component's server-only branches are not client reads.
    let analysis = crate::code::analyze(path, text, client);
    let on_server = |offset: usize| analysis.server_only.iter().any(|r| r.contains(&offset));
    let in_comment = |offset: usize| analysis.comments.iter().any(|r| r.contains(&offset));
    let mut out = Vec::new();
    let [dot, index, meta, destructure, helper] = patterns();
    for (re, direct) in [(dot, true), (index, true), (meta, true), (helper, false)] {
        for c in re.captures_iter(text) {
            let Some(m) = c.get(1) else { continue };
            if in_comment(m.start()) {
                continue;
            }
            let (line, column) = position(text, m.start());
            out.push(Reference {
                name: m.as_str().to_owned(),
                path: path.to_owned(),
                line,
                column,
                // A wrapper may read window.__ENV__ in the browser: only direct reads are
                // judged as client reads.
                client: direct && client && !on_server(m.start()),
            });
        }
    }
    for c in destructure.captures_iter(text) {
        let Some(body) = c.get(1) else { continue };
        if in_comment(body.start()) {
            continue;
        }
        let mut offset = body.start();
        for item in body.as_str().split(',') {
            let trimmed = item.trim_start();
            let start = offset + (item.len() - trimmed.len());
            offset += item.len() + 1;
            let name = trimmed
                .split([':', '=', ' ', '\n', '\t'])
                .next()
                .unwrap_or("");
            if name.starts_with("...")
                || name.is_empty()
                || !name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
            {
                continue;
            }
            let (line, column) = position(text, start);
            out.push(Reference {
                name: name.to_owned(),
                path: path.to_owned(),
                line,
                column,
                client: client && !on_server(start),
            });
        }
    }
    out.sort_by_key(|r| (r.line, r.column));
    out
}

/// Directories of tests, whose variables are not the deployment's.
const TEST_DIRS: &[&str] = &[
    "__tests__",
    "__mocks__",
    "test",
    "tests",
    "e2e",
    "playwright",
    "cypress",
];
/// Tool configurations that run on a developer's machine or in CI, not in the deployment.
const TOOLING: &[&str] = &[
    "eslint.config.",
    "vitest.config.",
    "vitest.workspace.",
    "jest.config.",
    "playwright.config.",
    "prettier.config.",
    ".eslintrc.",
];

/// Whether a file is a test or a tool's configuration (its reads are not the app's).
pub fn is_test_or_tooling(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.contains(".test.")
        || name.contains(".spec.")
        || name.contains(".stories.")
        || TOOLING.iter().any(|t| name.starts_with(t))
        || path.components().any(|c| {
            c.as_os_str()
                .to_str()
                .is_some_and(|c| TEST_DIRS.contains(&c))
        })
}

/// Every variable read under `dirs` (relative paths shown from `root`), leaving out the
/// `exclude`d directories (other packages inside these).
pub fn scan(root: &Path, dirs: &[PathBuf], exclude: &[PathBuf]) -> Vec<Reference> {
    let mut out = Vec::new();
    let excluded: Vec<PathBuf> = exclude.iter().map(|x| root.join(x)).collect();
    for dir in dirs {
        for entry in crate::code::files(&root.join(dir), &excluded) {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "prisma") {
                if let Ok(text) = std::fs::read_to_string(path) {
                    out.extend(prisma_references(&shown(path, root), &text));
                }
                continue;
            }
            let wanted = crate::code::is_source(path)
                && !is_test_or_tooling(path.strip_prefix(root).unwrap_or(path));
            if !wanted {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            out.extend(references_in(&shown(path, root), &text));
        }
    }
    out.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    out
}

/// The variables a Prisma schema reads: `url = env("DATABASE_URL")`, `directUrl = env("…")`.
pub fn prisma_references(path: &str, text: &str) -> Vec<Reference> {
    static ENV_CALL: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(re) = ENV_CALL
        .get_or_init(|| Regex::new(r#"\benv\(\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\)"#).ok())
        .as_ref()
    else {
        return Vec::new();
    };
    re.captures_iter(text)
        .filter_map(|c| c.get(1))
        .filter(|m| {
            // A `//` comment before it on its line.
            let line_start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
            !text[line_start..m.start()].contains("//")
        })
        .map(|m| {
            let (line, column) = position(text, m.start());
            Reference {
                name: m.as_str().to_owned(),
                path: path.to_owned(),
                line,
                column,
                client: false,
            }
        })
        .collect()
}

fn at(r: &Reference) -> Location {
    Location::new(r.path.clone()).line(r.line).column(r.column)
}

fn src_dirs(service: &Service) -> Vec<PathBuf> {
    if service.src.is_empty() {
        vec![service.dir.clone().unwrap_or_else(|| PathBuf::from("."))]
    } else {
        service.src.clone()
    }
}

/// Whether the service's code reads any variable.
pub fn reads_env(root: &Path, service: &Service) -> bool {
    !scan(root, &src_dirs(service), &service.exclude).is_empty()
}

/// The .env example files of a service: its `example`, else those in its directory, else
/// those of the project root.
pub fn examples(service: &Service, root: &Path) -> Vec<PathBuf> {
    if let Some(e) = &service.example {
        return vec![e.clone()];
    }
    let dir = service.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let in_dir = |d: &Path| -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(root.join(d))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| is_example(n))
                    .map(|n| opskit::workspace::normalize(&d.join(n)))
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    };
    let own = in_dir(&dir);
    if own.is_empty() {
        in_dir(Path::new(""))
    } else {
        own
    }
}

/// The files `env-check` lints for a service: its .env files and its examples.
pub fn lint_files(service: &Service, root: &Path) -> Vec<PathBuf> {
    let dir = root.join(service.dir.as_deref().unwrap_or(Path::new(".")));
    let mut files = crate::env_files(&dir);
    for e in examples(service, root) {
        let e = root.join(e);
        if !files.contains(&e) {
            files.push(e);
        }
    }
    files
}

/// ENV102 for every browser-public variable of a .env file that holds or names a secret.
pub fn public_in_file(shown_path: &str, text: &str) -> Vec<Finding> {
    let parsed = opskit::env::dotenv::parse(text);
    parsed
        .entries
        .iter()
        .filter_map(|e| {
            crate::public::problem(&e.key, &e.value).map(|why| {
                ENV102.finding(why).at(Location::new(shown_path.to_owned())
                    .line(e.line)
                    .column(e.column))
            })
        })
        .collect()
}

#[expect(
    clippy::too_many_lines,
    reason = "one pass over the service's reads, each code in turn"
)]
/// The drift findings of one service; `resolved` is the whole schema (a shared `.env.example`
/// may hold the variables of every service) with what was read from the code.
pub fn drift(
    service_name: &str,
    service: &Service,
    resolved: &Resolved,
    root: &Path,
) -> Vec<Finding> {
    let src = src_dirs(service);
    let refs = scan(root, &src, &service.exclude);
    let has_schema = resolved.has_schema(service_name) || !service.vars.is_empty();
    let declared = |name: &str| {
        service.vars.contains_key(name)
            || service
                .vars
                .values()
                .any(|v| v.deprecated_names.iter().any(|d| d == name))
    };
    let mut findings = Vec::new();
    for schema in resolved.code.get(service_name).into_iter().flatten() {
        for n in &schema.notes {
            findings.push(
                ENV208
                    .finding(format!(
                        "{} schema not fully read: {}",
                        schema.library.as_str(),
                        n.message
                    ))
                    .at(Location::new(n.path.clone()).line(n.line).column(n.column)),
            );
        }
    }
    let mut by_name: BTreeMap<&str, Vec<&Reference>> = BTreeMap::new();
    for r in &refs {
        by_name.entry(r.name.as_str()).or_default().push(r);
    }
    let example_files = examples(service, root);
    let mut in_examples: BTreeSet<String> = BTreeSet::new();
    for e in &example_files {
        if let Ok(text) = std::fs::read_to_string(root.join(e)) {
            in_examples.extend(
                opskit::env::dotenv::parse(&text)
                    .entries
                    .into_iter()
                    .map(|e| e.key),
            );
        }
    }
    for (name, uses) in &by_name {
        let allowed = ALWAYS_SET.contains(name) || service.undeclared_ok.iter().any(|u| u == name);
        let more = if uses.len() > 1 {
            format!(" (and {} more reads)", uses.len() - 1)
        } else {
            String::new()
        };
        if has_schema && !declared(name) && !allowed && !platform_set(name) {
            findings.push(
                ENV201.finding(format!("{name} is read by the code{more} but is not in the schema of `{service_name}`: declare it (type, required) so a deploy without it is caught"))
                    .at(at(uses[0])),
            );
        }
        if !has_schema && !allowed && !platform_set(name) && !in_examples.contains(*name) {
            let documented = if example_files.is_empty() {
                "there is no .env.example".to_owned()
            } else {
                format!(
                    "{} does not list it",
                    example_files
                        .iter()
                        .map(|p| opskit::workspace::slash(p))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            findings.push(
                ENV206.finding(format!("{name} is read by the code of `{service_name}`{more} but {documented}: add `{name}=` so a new setup knows it"))
                    .at(at(uses[0])),
            );
        }
        for r in uses.iter().filter(|r| r.client) {
            if name.starts_with("NEXT_PUBLIC_") || ALWAYS_SET.contains(name) {
                continue;
            }
            let secret = service.vars.get(*name).is_some_and(|v| v.secret);
            let why = if secret {
                "it is a secret and must stay on the server: read it in a server component or a route handler".to_owned()
            } else {
                format!(
                    "Next.js inlines only NEXT_PUBLIC_ variables into the browser bundle, so it is undefined there; read it on the server or rename it NEXT_PUBLIC_{name} if it may be public"
                )
            };
            findings.push(
                ENV205
                    .finding(format!("a client component reads {name}: {why}"))
                    .at(at(r)),
            );
        }
    }
    for name in service.vars.keys() {
        if !by_name.contains_key(name.as_str()) && !code_reads(resolved, service_name, name) {
            findings.push(ENV202.finding(format!(
                    "{name} is in the schema of `{service_name}` but no code under {} reads it",
                    src.iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
        }
    }
    let at_root = service
        .dir
        .as_deref()
        .is_none_or(|d| d == Path::new(".") || d.as_os_str().is_empty());
    // The root's example serves every package: what counts as read is the whole tree's code.
    let whole = if at_root && !service.exclude.is_empty() {
        scan(root, &[PathBuf::from(".")], &[])
    } else {
        Vec::new()
    };
    let mut whole_names: BTreeMap<&str, Vec<&Reference>> = BTreeMap::new();
    for r in &whole {
        whole_names.entry(r.name.as_str()).or_default().push(r);
    }
    let reads = if whole.is_empty() {
        &by_name
    } else {
        &whole_names
    };
    for example in &example_files {
        example_drift(
            service_name,
            service,
            resolved,
            root,
            example,
            reads,
            &mut findings,
        );
    }
    if has_schema && !example_files.is_empty() {
        for (name, var) in &service.vars {
            let needed = !matches!(var.required, Required::Always(false));
            if needed && !in_examples.contains(name) && !platform_set(name) {
                let shown_example = example_files
                    .iter()
                    .map(|p| opskit::workspace::slash(p))
                    .collect::<Vec<_>>()
                    .join(", ");
                findings.push(
                    ENV204.finding(format!("{name} is required by the schema of `{service_name}` but missing from {shown_example}: add `{name}=` so a new setup knows it"))
                        .at(Location::new(opskit::workspace::slash(&example_files[0]))),
                );
            }
        }
    }
    findings
}

/// A schema read from the code reads its own variables (t3-env's runtimeEnv), so a variable
/// it declares counts as read.
fn code_reads(resolved: &Resolved, service: &str, name: &str) -> bool {
    resolved
        .code
        .get(service)
        .is_some_and(|c| c.iter().any(|s| s.vars.iter().any(|d| d.name == name)))
}

/// ENV203, ENV207 and ENV209: one .env example against the schema and the code.
fn example_drift(
    service_name: &str,
    service: &Service,
    resolved: &Resolved,
    root: &Path,
    example: &Path,
    reads: &BTreeMap<&str, Vec<&Reference>>,
    findings: &mut Vec<Finding>,
) {
    let schema = &resolved.schema;
    let declared_anywhere = |name: &str| {
        schema.services.values().any(|svc| {
            svc.vars.contains_key(name)
                || svc
                    .vars
                    .values()
                    .any(|v| v.deprecated_names.iter().any(|d| d == name))
        })
    };
    // The root's example, used by a package that has none of its own: the root's run reads it.
    let shared = service.example.is_none()
        && example.parent().is_none_or(|p| p.as_os_str().is_empty())
        && service
            .dir
            .as_deref()
            .is_some_and(|d| d != Path::new(".") && !d.as_os_str().is_empty());
    let Ok(text) = std::fs::read_to_string(root.join(example)) else {
        return;
    };
    let shown_example = opskit::workspace::slash(example);
    let parsed = opskit::env::dotenv::parse(&text);
    let has_schema = resolved.has_schema(service_name);
    for e in &parsed.entries {
        let loc = Location::new(shown_example.clone())
            .line(e.line)
            .column(e.column);
        let read_here = reads.contains_key(e.key.as_str());
        if has_schema
            && !declared_anywhere(&e.key)
            && !read_here
            && !service.undeclared_ok.contains(&e.key)
            && !shared
        {
            findings.push(
                ENV203
                    .finding(format!(
                        "{} is in {shown_example} but not in the schema of any service",
                        e.key
                    ))
                    .at(loc.clone()),
            );
        } else if !has_schema
            && !read_here
            && !declared_anywhere(&e.key)
            && !shared
            && !platform_set(&e.key)
        {
            findings.push(
                ENV207.finding(format!("{} is in {shown_example} but no code of `{service_name}` reads it (a framework or tool may: next-auth, Prisma, Sentry)", e.key),
                )
                .at(loc.clone()),
            );
        }
        // "The app's own validation": only a schema read from the app's code says so.
        if let Some(var) = service.vars.get(&e.key)
            && code_reads(resolved, service_name, &e.key)
            && e.value.is_empty()
            && !var.accept_empty
            && !matches!(var.required, Required::Always(false))
        {
            let when = match &var.required {
                Required::In(envs) => envs.join(", "),
                Required::Always(_) => "every environment".to_owned(),
            };
            findings.push(
                ENV209.finding(format!("{} is required in {when} by the schema of `{service_name}`, and {shown_example} leaves it empty: a setup copied from it fails the app's validation; `env-check generate {}` makes a value", e.key, e.key),
                )
                .at(loc),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_form() {
        let text = "// c\nconst a = process.env.A;\nconst b = process.env['B'] ?? process.env[\"C\"];\nconst { D, E: e, F = 'x', ...rest } = process.env;\nconst g = import.meta.env.G;\nconst h = process.env?.H;\nconst dynamic = process.env[name];\n";
        let names: Vec<String> = references_in("x.ts", text)
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["A", "B", "C", "D", "E", "F", "G", "H"]);
        let r = &references_in("x.ts", text)[0];
        assert_eq!((r.line, r.column), (2, 23));
    }

    #[test]
    fn client_components() {
        assert!(is_client_component(
            "\"use client\";\nexport default function X() {}"
        ));
        assert!(is_client_component(
            "/* license */\n// note\n'use client'\n"
        ));
        assert!(!is_client_component("import x from 'y';\n'use client';\n"));
        assert!(!is_client_component("\"use server\";\n"));
    }
}
