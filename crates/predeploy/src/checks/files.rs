//! `files`: the files a deployment of this stack needs, and the one file it must not ship.
//!
//! | code    | severity | finding                                                    |
//! |---------|----------|------------------------------------------------------------|
//! | FILE001 | error    | no lockfile (npm, pnpm, yarn or bun)                       |
//! | FILE002 | error    | no Dockerfile                                              |
//! | FILE003 | warning  | no railway.json or railway.toml                            |
//! | FILE004 | warning  | no .env.example                                            |
//! | FILE005 | error    | .gitignore missing, or it does not ignore `.env` files     |
//! | FILE006 | error    | a `.env` file that sets values is tracked by git (templates such as `.env.docker.example` and files of names without values are not) |
//! | FILE007 | error    | a file named in `[predeploy] required_files` is missing    |

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use opskit::report::{Check, Finding, Location, Severity};

use crate::codes::{FILE001, FILE002, FILE003, FILE004, FILE005, FILE006, FILE007};
use crate::project::Project;

/// Whether a gitignore glob (`*`, `?`) matches a name.
fn glob(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), name.as_bytes())
}

/// Whether the rules of a .gitignore ignore a file called `name` at any depth. Handles
/// comments, negation (`!`), anchoring (`/`) and `**/`; a pattern with a slash in the middle
/// applies to a path, so it is skipped here.
pub fn ignores(gitignore: &str, name: &str) -> bool {
    let mut ignored = false;
    for raw in gitignore.lines() {
        let line = raw.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (negate, pattern) = match line.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, line),
        };
        let pattern = pattern.trim_start_matches("**/").trim_start_matches('/');
        if pattern.contains('/') {
            continue;
        }
        if glob(pattern, name) {
            ignored = !negate;
        }
    }
    ignored
}

/// Name parts that mark an env file as a template, meant to be tracked: `.env.example`,
/// `.env.docker.example`, `.env.sample`, `.env.template`, `.env.dist`, `.env.defaults`.
const TEMPLATE_PARTS: [&str; 6] = [
    "example", "sample", "template", "dist", "defaults", "schema",
];

/// Whether a file name is an env file that can hold values (not a template).
fn is_env_file(name: &str) -> bool {
    (name == ".env" || name.starts_with(".env."))
        && !name
            .split('.')
            .any(|part| TEMPLATE_PARTS.contains(&part.to_ascii_lowercase().as_str()))
}

/// Whether an env file's text sets a value: a `KEY=value` line whose value is not empty.
fn sets_a_value(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start();
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            return false;
        };
        let key = key.trim();
        let value = value.trim();
        !key.is_empty()
            && !key.starts_with('#')
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
            && !matches!(value, "" | "\"\"" | "''")
            && !value.starts_with('#')
    })
}

/// Runs the check.
pub fn check(project: &Project, required: &[String]) -> Check {
    let started = Instant::now();
    let root = &project.root;
    let mut findings = Vec::new();
    let mut add = |code: &str, severity, message: String, path: Option<&str>| {
        let mut f = Finding::new(code, severity, message);
        if let Some(p) = path {
            f = f.at(Location::new(p));
        }
        findings.push(f);
    };
    if project.manager.is_none() {
        add(FILE001.code, Severity::Error, "no lockfile (package-lock.json, pnpm-lock.yaml, yarn.lock, bun.lock): builds are not reproducible; run your package manager's install and commit the lockfile".to_owned(), None);
    }
    if project.dockerfiles.is_empty() {
        add(
            FILE002.code,
            Severity::Error,
            "no Dockerfile: the worker cannot be built as an image".to_owned(),
            None,
        );
    }
    if project.railway.is_empty() {
        add(FILE003.code, Severity::Warning, "no railway.json or railway.toml: the worker's deploy settings live only in the dashboard".to_owned(), None);
    }
    if project.env_examples.is_empty() {
        add(
            FILE004.code,
            Severity::Warning,
            "no .env.example: newcomers and CI cannot tell which variables to set".to_owned(),
            None,
        );
    }
    // One package of a workspace (`--root apps/web`) is covered by the root's .gitignore.
    let gitignore = std::fs::read_to_string(root.join(".gitignore"))
        .or_else(|_| std::fs::read_to_string(project.workspace_root().join(".gitignore")));
    match gitignore {
        Err(_) => add(
            FILE005.code,
            Severity::Error,
            "no .gitignore: nothing keeps .env files out of git".to_owned(),
            None,
        ),
        Ok(text) => {
            for name in [".env", ".env.local", ".env.production"] {
                if !ignores(&text, name) {
                    add(
                        FILE005.code,
                        Severity::Error,
                        format!(
                            ".gitignore does not ignore `{name}`; add `.env` and `.env.*` (with `!.env.example`)"
                        ),
                        Some(".gitignore"),
                    );
                    break;
                }
            }
        }
    }
    if let Some(tracked) = git_tracked(root) {
        for path in tracked.iter().filter(|p| {
            is_env_file(
                Path::new(p)
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .as_deref()
                    .unwrap_or(""),
            )
        }) {
            // Decided by what git holds: a tracked symlink (to a local .env that is not in
            // git) and a file of names without values hold no secrets.
            if !tracked_with_values(root, path) {
                continue;
            }
            add(
                FILE006.code,
                Severity::Error,
                format!(
                    "{path} is tracked by git: its secrets are in the history; remove it (`git rm --cached {path}`) and rotate every secret in it"
                ),
                Some(path),
            );
        }
    }
    for file in required {
        if !root.join(file).exists() {
            add(
                FILE007.code,
                Severity::Error,
                format!(
                    "{file} is required by opskit.toml ([predeploy] required_files) but missing"
                ),
                None,
            );
        }
    }
    let mut check = Check::from_findings("files", findings);
    if check.findings.is_empty() {
        "lockfile, Dockerfile, railway config, .env.example and .gitignore in place"
            .clone_into(&mut check.summary);
    }
    check.took(started.elapsed())
}

/// Whether the tracked `path` holds values: git's copy of it (the index) is a regular file
/// with at least one `KEY=value` line. Unreadable means yes: the finding is the safe side.
fn tracked_with_values(root: &Path, path: &str) -> bool {
    let Ok(out) = Command::new("git")
        .args(["ls-files", "-s", "-z", "--", path])
        .current_dir(root)
        .output()
    else {
        return true;
    };
    let entry = String::from_utf8_lossy(&out.stdout);
    let mut fields = entry.split_whitespace();
    let (Some(mode), Some(object)) = (fields.next(), fields.next()) else {
        return true;
    };
    if mode == "120000" {
        return false;
    }
    let Ok(blob) = Command::new("git")
        .args(["cat-file", "blob", object])
        .current_dir(root)
        .output()
    else {
        return true;
    };
    if !blob.status.success() {
        return true;
    }
    // Bounded: a value, if any, shows up in the first megabyte.
    let text = String::from_utf8_lossy(&blob.stdout[..blob.stdout.len().min(1 << 20)]);
    sets_a_value(&text)
}

/// The files git tracks, when `root` is in a git work tree.
fn git_tracked(root: &Path) -> Option<Vec<String>> {
    let out = Command::new("git")
        .args(["ls-files", "-z", "--", "."])
        .current_dir(root)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(
        String::from_utf8_lossy(&out.stdout)
            .split('\0')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitignore_rules() {
        assert!(ignores(".env\n", ".env"));
        assert!(!ignores(".env\n", ".env.local"));
        assert!(ignores(".env*\n", ".env.local"));
        assert!(ignores(".env\n.env.*\n!.env.example\n", ".env.production"));
        assert!(!ignores(".env.*\n!.env.example\n", ".env.example"));
        assert!(ignores("**/.env\n", ".env"));
        assert!(ignores("/.env\n", ".env"));
        assert!(!ignores("# .env\n", ".env"));
        assert!(
            !ignores("config/.env\n", ".env"),
            "a path pattern is not a name pattern"
        );
        assert!(ignores("*.local\n.env\n", ".env"));
        assert!(!ignores(".env\n!.env\n", ".env"));
    }

    #[test]
    fn values_decide() {
        assert!(sets_a_value("# db\nDATABASE_URL=postgres://u:p@h/db\n"));
        assert!(sets_a_value("export TOKEN='x'\n"));
        assert!(!sets_a_value(
            "# names only\nDATABASE_URL=\nTOKEN=\"\"\nKEY= # set me\n"
        ));
        assert!(!sets_a_value(""));
    }

    #[test]
    fn env_file_names() {
        assert!(is_env_file(".env"));
        assert!(is_env_file(".env.production"));
        assert!(!is_env_file(".env.example"));
        assert!(!is_env_file(".env.docker.example"));
        assert!(!is_env_file(".env.selfhost.example"));
        assert!(!is_env_file(".env.test.example"));
        assert!(!is_env_file(".env.sample"));
        assert!(!is_env_file(".env.production.template"));
        assert!(is_env_file(".env.test"));
        assert!(!is_env_file("env.ts"));
        assert!(!is_env_file(".envrc"));
    }
}
