//! Drift between the schema, the code and `.env.example`.
//!
//! The code is the service's TypeScript and JavaScript (`.gitignore` honoured; node_modules,
//! build output and `.next` skipped). A variable is read by `process.env.X`,
//! `process.env?.X`, `process.env["X"]`, `const { X, Y: y, Z = "d" } = process.env` and
//! `import.meta.env.X`. A file whose first statement is `"use client"` is a client component:
//! Next.js inlines only `NEXT_PUBLIC_` variables (and `NODE_ENV`) into the browser bundle, so
//! any other read there is `undefined` in the browser.
//!
//! | code   | finding |
//! |--------|---------|
//! | ENV201 | read by the code, not in the schema |
//! | ENV202 | in the schema, never read by the code (a note: platforms read some themselves) |
//! | ENV203 | in .env.example, not in the schema |
//! | ENV204 | in the schema, missing from .env.example |
//! | ENV205 | a client component reads a variable that is not `NEXT_PUBLIC_` |

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use opskit::env::schema::{Schema, Service};
use opskit::report::{Finding, Location, Severity};
use regex::Regex;

use crate::shown;

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

const EXTENSIONS: &[&str] = &["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"];
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".next",
    "dist",
    "build",
    "out",
    "coverage",
    ".turbo",
    ".vercel",
    ".git",
];
/// Variables every Node and Next.js process has, or that Next.js inlines itself.
const ALWAYS_SET: &[&str] = &["NODE_ENV", "NEXT_RUNTIME", "NEXT_PHASE"];

#[expect(
    clippy::expect_used,
    reason = "literal patterns, compiled by every test"
)]
fn patterns() -> &'static [Regex; 4] {
    static PATTERNS: OnceLock<[Regex; 4]> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let build = |p: &str| Regex::new(p).expect("a literal pattern");
        [
            build(r"\bprocess\.env\??\.([A-Za-z_][A-Za-z0-9_]*)"),
            build(r#"\bprocess\.env\??\.?\[\s*["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]\s*\]"#),
            build(r"\bimport\.meta\.env\.([A-Za-z_][A-Za-z0-9_]*)"),
            build(r"\{([^{}]*)\}\s*=\s*process\.env\b"),
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

/// The variable reads in one file's text.
pub fn references_in(path: &str, text: &str) -> Vec<Reference> {
    let client = is_client_component(text);
    let mut out = Vec::new();
    let [dot, index, meta, destructure] = patterns();
    for re in [dot, index, meta] {
        for c in re.captures_iter(text) {
            let Some(m) = c.get(1) else { continue };
            let (line, column) = position(text, m.start());
            out.push(Reference {
                name: m.as_str().to_owned(),
                path: path.to_owned(),
                line,
                column,
                client,
            });
        }
    }
    for c in destructure.captures_iter(text) {
        let Some(body) = c.get(1) else { continue };
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
                client,
            });
        }
    }
    out.sort_by_key(|r| (r.line, r.column));
    out
}

/// Every variable read under `dirs` (relative paths shown from `root`).
pub fn scan(root: &Path, dirs: &[PathBuf]) -> Vec<Reference> {
    let mut out = Vec::new();
    for dir in dirs {
        let walker = ignore::WalkBuilder::new(root.join(dir))
            .hidden(false)
            .filter_entry(|e| {
                !e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n))
            })
            .build();
        for entry in walker.filter_map(Result::ok) {
            let path = entry.path();
            let wanted = entry.file_type().is_some_and(|t| t.is_file())
                && path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| EXTENSIONS.contains(&e))
                && !path.to_string_lossy().ends_with(".d.ts");
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

fn at(r: &Reference) -> Location {
    Location::new(r.path.clone()).line(r.line).column(r.column)
}

/// The drift findings of one service; `schema` is the whole schema (a shared `.env.example`
/// may hold the variables of every service).
pub fn drift(service_name: &str, service: &Service, schema: &Schema, root: &Path) -> Vec<Finding> {
    let dir = service.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let src = if service.src.is_empty() {
        vec![dir.clone()]
    } else {
        service.src.clone()
    };
    let refs = scan(root, &src);
    let declared = |name: &str| {
        service.vars.contains_key(name)
            || service
                .vars
                .values()
                .any(|v| v.deprecated_names.iter().any(|d| d == name))
    };
    let mut findings = Vec::new();
    let mut by_name: BTreeMap<&str, Vec<&Reference>> = BTreeMap::new();
    for r in &refs {
        by_name.entry(r.name.as_str()).or_default().push(r);
    }
    for (name, uses) in &by_name {
        let allowed = ALWAYS_SET.contains(name) || service.undeclared_ok.iter().any(|u| u == name);
        if !declared(name) && !allowed {
            let more = if uses.len() > 1 {
                format!(" (and {} more reads)", uses.len() - 1)
            } else {
                String::new()
            };
            findings.push(
                Finding::new("ENV201", Severity::Warning, format!("{name} is read by the code{more} but is not in the schema of `{service_name}`: declare it (type, required) so a deploy without it is caught"))
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
                Finding::new(
                    "ENV205",
                    Severity::Error,
                    format!("a client component reads {name}: {why}"),
                )
                .at(at(r)),
            );
        }
    }
    for name in service.vars.keys() {
        if !by_name.contains_key(name.as_str()) {
            findings.push(Finding::new(
                "ENV202",
                Severity::Note,
                format!(
                    "{name} is in the schema of `{service_name}` but no code under {} reads it",
                    src.iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    example_drift(service_name, service, schema, root, &dir, &mut findings);
    findings
}

/// ENV203 and ENV204: the schema against `.env.example`.
fn example_drift(
    service_name: &str,
    service: &Service,
    schema: &Schema,
    root: &Path,
    dir: &Path,
    findings: &mut Vec<Finding>,
) {
    let declared = |name: &str| {
        schema.services.values().any(|svc| {
            svc.vars.contains_key(name)
                || svc
                    .vars
                    .values()
                    .any(|v| v.deprecated_names.iter().any(|d| d == name))
        })
    };
    let example = service
        .example
        .clone()
        .unwrap_or_else(|| dir.join(".env.example"));
    if let Ok(text) = std::fs::read_to_string(root.join(&example)) {
        let shown_example = example.display().to_string();
        let parsed = opskit::env::dotenv::parse(&text);
        let in_example: BTreeSet<&str> = parsed.entries.iter().map(|e| e.key.as_str()).collect();
        for e in &parsed.entries {
            if !declared(&e.key) && !service.undeclared_ok.contains(&e.key) {
                findings.push(
                    Finding::new(
                        "ENV203",
                        Severity::Warning,
                        format!(
                            "{} is in {shown_example} but not in the schema of any service",
                            e.key
                        ),
                    )
                    .at(Location::new(shown_example.clone())
                        .line(e.line)
                        .column(e.column)),
                );
            }
        }
        for (name, var) in &service.vars {
            let needed = !matches!(var.required, opskit::env::schema::Required::Always(false));
            if needed && !in_example.contains(name.as_str()) {
                findings.push(
                    Finding::new("ENV204", Severity::Warning, format!("{name} is required by the schema of `{service_name}` but missing from {shown_example}: add `{name}=` so a new setup knows it"))
                        .at(Location::new(shown_example.clone())),
                );
            }
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
