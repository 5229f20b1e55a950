//! The JavaScript workspace model: which packages a repository is made of, as its package
//! manager sees them.
//!
//! A repository of this stack is rarely one package. [`discover`] reads the workspace the way
//! the package managers do:
//!
//! - pnpm: `pnpm-workspace.yaml`'s `packages` globs (`apps/*`, `packages/**`, `!**/test/**`);
//!   the root is always a package;
//! - npm, yarn and bun: `package.json`'s `workspaces` (an array, or yarn's
//!   `{ "packages": [...] }`);
//! - turbo (`turbo.json` `tasks`, or `pipeline` before turbo 2) and nx (`nx.json`
//!   `targetDefaults`) for the task names a workspace runs.
//!
//! Each [`Package`] has its name, directory, scripts, dependencies and whether it has its own
//! `node_modules`. A directory with a `package.json` that is not a member (an example app with
//! its own lockfile, a docs site installed apart) is a [`Separate`] project: a tool checks it
//! only when it is installed, and otherwise says why it did not.
//!
//! `discover` accepts the workspace root or any directory inside it (one package): the
//! workspace is found upward, and [`Workspace::scope`] is the part under the directory given.
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! let root = dir.path();
//! std::fs::write(root.join("pnpm-workspace.yaml"), "packages:\n  - 'apps/*'\n")?;
//! std::fs::write(root.join("package.json"), r#"{"name":"mono","private":true}"#)?;
//! std::fs::create_dir_all(root.join("apps/web"))?;
//! std::fs::write(
//!     root.join("apps/web/package.json"),
//!     r#"{"name":"web","scripts":{"lint":"eslint ."}}"#,
//! )?;
//! let ws = opskit::workspace::discover(root)?;
//! assert_eq!(ws.kind, opskit::workspace::Kind::Pnpm);
//! let names: Vec<&str> = ws.packages.iter().map(|p| p.name.as_str()).collect();
//! assert_eq!(names, ["mono", "web"]);
//! assert_eq!(ws.packages[1].scripts["lint"], "eslint .");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

/// A JavaScript package manager, told by its lockfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PackageManager {
    /// `package-lock.json`
    Npm,
    /// `pnpm-lock.yaml`
    Pnpm,
    /// `yarn.lock`
    Yarn,
    /// `bun.lock` or `bun.lockb`
    Bun,
}

impl PackageManager {
    /// Lockfile names, most specific first.
    pub const LOCKFILES: [(&'static str, PackageManager); 5] = [
        ("pnpm-lock.yaml", PackageManager::Pnpm),
        ("yarn.lock", PackageManager::Yarn),
        ("bun.lock", PackageManager::Bun),
        ("bun.lockb", PackageManager::Bun),
        ("package-lock.json", PackageManager::Npm),
    ];

    /// The lockfile in `dir` and the manager it names.
    pub fn of_dir(dir: &Path) -> Option<(PackageManager, PathBuf)> {
        Self::LOCKFILES
            .iter()
            .find(|(f, _)| dir.join(f).is_file())
            .map(|(f, m)| (*m, PathBuf::from(f)))
    }

    /// The command that installs exactly what the lockfile pins.
    pub const fn install(self) -> &'static [&'static str] {
        match self {
            PackageManager::Npm => &["npm", "ci"],
            PackageManager::Pnpm => &["pnpm", "install", "--frozen-lockfile"],
            PackageManager::Yarn => &["yarn", "install", "--frozen-lockfile"],
            PackageManager::Bun => &["bun", "install", "--frozen-lockfile"],
        }
    }

    /// The manager's name as typed on a command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            PackageManager::Npm => "npm",
            PackageManager::Pnpm => "pnpm",
            PackageManager::Yarn => "yarn",
            PackageManager::Bun => "bun",
        }
    }

    /// How to run `script` of the workspace package `name` from the root.
    pub fn run_in(self, name: &str, script: &str) -> String {
        match self {
            PackageManager::Npm => format!("npm run {script} -w {name}"),
            PackageManager::Pnpm => format!("pnpm --filter {name} {script}"),
            PackageManager::Yarn => format!("yarn workspace {name} {script}"),
            PackageManager::Bun => format!("bun run --filter {name} {script}"),
        }
    }
}

/// How the workspace declares its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `pnpm-workspace.yaml`.
    Pnpm,
    /// `package.json` `workspaces` (npm, yarn, bun).
    PackageJson,
    /// One package (or a directory with none): no workspace.
    Single,
}

/// One package of the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// `name` from package.json, or the directory's name when it has none.
    pub name: String,
    /// The directory, relative to the workspace root (empty for the root).
    pub dir: PathBuf,
    /// `scripts`.
    pub scripts: BTreeMap<String, String>,
    /// Every dependency name (`dependencies`, `devDependencies`, `peerDependencies`,
    /// `optionalDependencies`).
    pub dependencies: BTreeSet<String>,
    /// The package's own `node_modules` exists.
    pub installed: bool,
    /// The files `types`, `typings`, `main`, `module` and `exports` name, relative to the
    /// package (globs and conditions flattened).
    pub entry_points: Vec<String>,
}

impl Package {
    /// Whether this is the workspace root.
    pub fn is_root(&self) -> bool {
        self.dir.as_os_str().is_empty()
    }

    /// The directory for messages: `.` for the root.
    pub fn shown(&self) -> String {
        if self.is_root() {
            ".".to_owned()
        } else {
            slash(&self.dir)
        }
    }
}

/// A directory with its own package.json that is not a member of the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Separate {
    /// Its package, read as a member would be.
    pub package: Package,
    /// Its own lockfile, if any.
    pub manager: Option<(PackageManager, PathBuf)>,
}

impl Separate {
    /// Why a tool does not check it, or `None` when it is installed and can be checked.
    pub fn skip_reason(&self) -> Option<String> {
        if self.package.installed {
            return None;
        }
        let dir = self.package.shown();
        Some(match &self.manager {
            Some((m, lock)) => format!(
                "{dir} has its own lockfile ({}) and is not a workspace member, and it is not installed: skipped (run `{}` in {dir} to check it)",
                lock.display(),
                m.install().join(" ")
            ),
            None => format!(
                "{dir} has a package.json but is not a workspace member and has no node_modules: skipped (add it to the workspace, or install it, to check it)"
            ),
        })
    }
}

/// The workspace around a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The workspace root.
    pub root: PathBuf,
    /// The directory asked for, relative to the root (empty when it is the root).
    pub scope: PathBuf,
    /// How members are declared.
    pub kind: Kind,
    /// The root's lockfile and its manager.
    pub manager: Option<(PackageManager, PathBuf)>,
    /// The root package first, then the members sorted by directory.
    pub packages: Vec<Package>,
    /// Non-member projects, sorted by directory.
    pub separate: Vec<Separate>,
    /// Task names from turbo.json or nx.json.
    pub tasks: BTreeSet<String>,
    /// Which orchestrator declared them: `turbo` or `nx`.
    pub orchestrator: Option<&'static str>,
}

/// Why a workspace could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file that declares the workspace does not parse.
    #[error("{path}: {reason}; fix the file (the package manager cannot read it either)")]
    Parse {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A workspace glob is not a glob.
    #[error("{path}: workspace pattern `{pattern}` is not a valid glob: {reason}")]
    Pattern {
        /// The file.
        path: String,
        /// The pattern.
        pattern: String,
        /// Why.
        reason: String,
    },
}

/// Directories no package manager looks into for members.
pub const SKIP_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    ".next",
    "dist",
    "build",
    "out",
    "coverage",
    "target",
    ".turbo",
    ".vercel",
    ".cache",
];

/// How deep members and separate projects are looked for.
const MAX_DEPTH: usize = 8;

/// `path` with `/` separators.
pub fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// `path` with `.` and `..` resolved lexically (no file system access).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn read_json(path: &Path) -> Result<Option<Value>, Error> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::Parse {
            path: path.display().to_string(),
            reason: format!("not valid JSON ({e})"),
        })
}

/// A JSON-with-comments file (turbo.json, tsconfig.json): comments and trailing commas are
/// dropped before parsing.
pub fn read_jsonc(text: &str) -> Option<Value> {
    serde_json::from_str(&strip_jsonc(text)).ok()
}

/// Removes `//` and `/* */` comments and trailing commas outside strings.
pub fn strip_jsonc(text: &str) -> String {
    let b = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            out.push(c);
            if c == b'\\' && i + 1 < b.len() {
                out.push(b[i + 1]);
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match (c, b.get(i + 1)) {
            (b'"', _) => {
                in_str = true;
                out.push(c);
                i += 1;
            }
            (b'/', Some(b'/')) => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            (b'/', Some(b'*')) => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            (b',', _) => {
                let next = b[i + 1..].iter().find(|x| !x.is_ascii_whitespace());
                if !matches!(next, Some(b']' | b'}')) {
                    out.push(c);
                }
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The member globs a root declares, and how.
fn member_patterns(root: &Path) -> Result<Option<(Kind, Vec<String>)>, Error> {
    let yaml = root.join("pnpm-workspace.yaml");
    if let Ok(text) = std::fs::read_to_string(&yaml) {
        let value: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(&text).map_err(|e| Error::Parse {
                path: yaml.display().to_string(),
                reason: format!("not valid YAML ({e})"),
            })?;
        let patterns = value
            .get("packages")
            .and_then(serde_yaml_ng::Value::as_sequence)
            .map(|s| {
                s.iter()
                    .filter_map(serde_yaml_ng::Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        return Ok(Some((Kind::Pnpm, patterns)));
    }
    let Some(pkg) = read_json(&root.join("package.json"))? else {
        return Ok(None);
    };
    let list = match pkg.get("workspaces") {
        Some(Value::Array(a)) => a,
        Some(Value::Object(o)) => match o.get("packages") {
            Some(Value::Array(a)) => a,
            _ => return Ok(None),
        },
        _ => return Ok(None),
    };
    Ok(Some((
        Kind::PackageJson,
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )))
}

/// Matches directories against a workspace's globs, negations last as pnpm applies them.
struct Members {
    include: globset::GlobSet,
    exclude: globset::GlobSet,
}

impl Members {
    fn new(path: &Path, patterns: &[String]) -> Result<Members, Error> {
        let mut include = globset::GlobSetBuilder::new();
        let mut exclude = globset::GlobSetBuilder::new();
        for raw in patterns {
            let (negated, p) = match raw.strip_prefix('!') {
                Some(p) => (true, p),
                None => (false, raw.as_str()),
            };
            let p = p.trim_start_matches("./").trim_end_matches('/');
            if p.is_empty() || p == "." {
                continue;
            }
            let glob = globset::GlobBuilder::new(p)
                .literal_separator(true)
                .build()
                .map_err(|e| Error::Pattern {
                    path: path.display().to_string(),
                    pattern: raw.clone(),
                    reason: e.to_string(),
                })?;
            if negated {
                exclude.add(glob);
            } else {
                include.add(glob);
            }
        }
        let build = |b: globset::GlobSetBuilder| {
            b.build().map_err(|e| Error::Pattern {
                path: path.display().to_string(),
                pattern: patterns.join(", "),
                reason: e.to_string(),
            })
        };
        Ok(Members {
            include: build(include)?,
            exclude: build(exclude)?,
        })
    }

    fn contains(&self, rel: &Path) -> bool {
        let rel = slash(rel);
        self.include.is_match(&rel) && !self.exclude.is_match(&rel)
    }
}

/// Reads the package.json in `root/dir`.
fn read_package(root: &Path, dir: &Path) -> Result<Package, Error> {
    let abs = root.join(dir);
    let json = read_json(&abs.join("package.json"))?.unwrap_or(Value::Null);
    let name = json
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| abs.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| ".".to_owned());
    let scripts = json
        .get("scripts")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let dependencies = [
        "dependencies",
        "devDependencies",
        "peerDependencies",
        "optionalDependencies",
    ]
    .iter()
    .filter_map(|k| json.get(k).and_then(Value::as_object))
    .flat_map(|m| m.keys().cloned())
    .collect();
    let mut entry_points = Vec::new();
    for key in ["types", "typings", "main", "module"] {
        if let Some(s) = json.get(key).and_then(Value::as_str) {
            entry_points.push(s.to_owned());
        }
    }
    if let Some(exports) = json.get("exports") {
        collect_strings(exports, &mut entry_points);
    }
    Ok(Package {
        name,
        dir: dir.to_owned(),
        scripts,
        dependencies,
        installed: abs.join("node_modules").is_dir(),
        entry_points,
    })
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// Task names from turbo.json (`tasks`, or `pipeline` before turbo 2; `pkg#task` keys give
/// `task`) or nx.json (`targetDefaults`).
fn tasks(root: &Path) -> (BTreeSet<String>, Option<&'static str>) {
    let names = |v: Option<&Value>| -> BTreeSet<String> {
        v.and_then(Value::as_object)
            .map(|m| {
                m.keys()
                    .map(|k| k.rsplit('#').next().unwrap_or(k).to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    for (file, tool) in [("turbo.json", "turbo"), ("turbo.jsonc", "turbo")] {
        if let Some(v) = std::fs::read_to_string(root.join(file))
            .ok()
            .and_then(|t| read_jsonc(&t))
        {
            let mut t = names(v.get("tasks"));
            t.extend(names(v.get("pipeline")));
            return (t, Some(tool));
        }
    }
    if let Some(v) = std::fs::read_to_string(root.join("nx.json"))
        .ok()
        .and_then(|t| read_jsonc(&t))
    {
        return (names(v.get("targetDefaults")), Some("nx"));
    }
    (BTreeSet::new(), None)
}

/// The workspace root above (or at) `dir`: the nearest directory that declares members and
/// whose globs take in `dir`.
fn find_root(dir: &Path) -> Result<Option<(PathBuf, Kind, Vec<String>)>, Error> {
    let mut here = Some(dir);
    while let Some(d) = here {
        if let Some((kind, patterns)) = member_patterns(d)? {
            let rel = dir.strip_prefix(d).unwrap_or(Path::new(""));
            if rel.as_os_str().is_empty()
                || Members::new(&d.join("package.json"), &patterns)?.contains(rel)
            {
                return Ok(Some((d.to_owned(), kind, patterns)));
            }
        }
        here = d.parent();
    }
    Ok(None)
}

/// The files under `dir`, in name order, at most `depth` levels down, without following links
/// and without entering [`SKIP_DIRS`].
pub fn files(dir: &Path, depth: usize) -> impl Iterator<Item = walkdir::DirEntry> {
    walkdir::WalkDir::new(dir)
        .max_depth(depth)
        .sort_by_file_name()
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && SKIP_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
}

/// Every directory under `root` (not `root` itself) holding a package.json, relative, sorted,
/// without entering [`SKIP_DIRS`] or following links.
fn package_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = files(root, MAX_DEPTH)
        .filter(|e| e.depth() > 1 && e.file_name() == "package.json")
        .filter_map(|e| {
            e.path()
                .parent()
                .and_then(|p| p.strip_prefix(root).ok())
                .map(Path::to_owned)
        })
        .collect();
    dirs.sort();
    dirs
}

/// Reads the workspace around `dir` (a workspace root, one of its packages, or a plain
/// directory).
pub fn discover(dir: &Path) -> Result<Workspace, Error> {
    let found = find_root(dir)?;
    let (root, kind, patterns) = match found {
        Some((root, kind, patterns)) => (root, kind, patterns),
        None => (dir.to_owned(), Kind::Single, Vec::new()),
    };
    let scope = dir.strip_prefix(&root).unwrap_or(Path::new("")).to_owned();
    let members = Members::new(&root.join("package.json"), &patterns)?;
    let mut packages = vec![read_package(&root, Path::new(""))?];
    let mut separate = Vec::new();
    for rel in package_dirs(&root) {
        if kind != Kind::Single && members.contains(&rel) {
            packages.push(read_package(&root, &rel)?);
            continue;
        }
        // A package.json that does not parse in a non-member is no reason to stop.
        let Ok(package) = read_package(&root, &rel) else {
            continue;
        };
        separate.push(Separate {
            manager: PackageManager::of_dir(&root.join(&rel)),
            package,
        });
    }
    // A non-member inside another non-member belongs to it (fixtures of a separate project).
    let outer: Vec<PathBuf> = separate.iter().map(|s| s.package.dir.clone()).collect();
    separate.retain(|s| {
        !outer
            .iter()
            .any(|o| o != &s.package.dir && s.package.dir.starts_with(o))
    });
    let (tasks, orchestrator) = tasks(&root);
    Ok(Workspace {
        manager: PackageManager::of_dir(&root),
        root,
        scope,
        kind,
        packages,
        separate,
        tasks,
        orchestrator,
    })
}

impl Workspace {
    /// The packages under the scope (all of them when the scope is the root; the root package
    /// only when it is the scope).
    pub fn in_scope(&self) -> impl Iterator<Item = &Package> {
        self.packages.iter().filter(|p| {
            if self.scope.as_os_str().is_empty() {
                true
            } else {
                !p.is_root() && p.dir.starts_with(&self.scope)
            }
        })
    }

    /// The separate projects under the scope.
    pub fn separate_in_scope(&self) -> impl Iterator<Item = &Separate> {
        self.separate
            .iter()
            .filter(|s| s.package.dir.starts_with(&self.scope))
    }

    /// The member named `name`.
    pub fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name == name)
    }

    /// The package whose directory holds `rel` (a path relative to the root): the deepest
    /// member directory that is a prefix of it, else the root.
    pub fn owner(&self, rel: &Path) -> Option<&Package> {
        self.packages
            .iter()
            .filter(|p| rel.starts_with(&p.dir))
            .max_by_key(|p| p.dir.components().count())
    }

    /// The workspace packages `pkg` depends on, directly.
    pub fn workspace_deps<'a>(&'a self, pkg: &'a Package) -> impl Iterator<Item = &'a Package> {
        pkg.dependencies
            .iter()
            .filter_map(|d| self.package(d))
            .filter(move |p| p.dir != pkg.dir)
    }

    /// `names` and every package that depends on one of them, directly or not.
    pub fn dependents_closure(&self, names: &BTreeSet<String>) -> BTreeSet<String> {
        let mut out = names.clone();
        loop {
            let before = out.len();
            for p in &self.packages {
                if !out.contains(&p.name) && p.dependencies.iter().any(|d| out.contains(d)) {
                    out.insert(p.name.clone());
                }
            }
            if out.len() == before {
                return out;
            }
        }
    }

    /// `pkg` and every workspace package it depends on, directly or not.
    pub fn dependencies_closure<'a>(&'a self, pkg: &'a Package) -> Vec<&'a Package> {
        let mut out: Vec<&Package> = vec![pkg];
        let mut i = 0;
        while i < out.len() {
            let next: Vec<&Package> = self
                .workspace_deps(out[i])
                .filter(|d| !out.iter().any(|o| o.dir == d.dir))
                .collect();
            out.extend(next);
            i += 1;
        }
        out
    }

    /// How to run a workspace script: through the orchestrator when it knows the task,
    /// otherwise through the package manager.
    pub fn run_command(&self, pkg: &Package, script: &str) -> String {
        if self.orchestrator == Some("turbo") && self.tasks.contains(script) {
            return format!("turbo run {script} --filter={}", pkg.name);
        }
        let manager = self.manager.as_ref().map_or(PackageManager::Npm, |m| m.0);
        if pkg.is_root() {
            return format!("{} run {script}", manager.as_str());
        }
        manager.run_in(&pkg.name, script)
    }
}

/// The project's own copy of a tool: `node_modules/.bin/NAME` in `dir` or an ancestor up to
/// `root` (workspaces hoist binaries to the root; pnpm links them into each package).
pub fn local_bin(root: &Path, dir: &Path, name: &str) -> Option<PathBuf> {
    let mut here = Some(dir);
    while let Some(d) = here {
        let candidate = d.join("node_modules/.bin").join(name);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d == root || !d.starts_with(root) {
            break;
        }
        here = d.parent();
    }
    None
}

/// Where a `node_modules/.bin` entry leads: the file a symlink (npm, yarn) points at, or the
/// script a shell shim (pnpm: `exec node "$basedir/../typescript/bin/tsc" "$@"`) runs.
pub fn bin_target(bin: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(bin).ok()?;
    if real
        .parent()
        .is_some_and(|d| d.file_name().is_some_and(|n| n == ".bin"))
    {
        // Not a link: a shim. Its target is the first "$basedir/…" path it runs.
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut std::io::Read::take(std::fs::File::open(&real).ok()?, 64 * 1024),
            &mut text,
        )
        .ok()?;
        // `"$basedir/node"` is the interpreter, when there is one beside it; skip it.
        let parent = real.parent()?;
        return text
            .match_indices("\"$basedir/")
            .filter_map(|(i, m)| {
                let rest = &text[i + m.len()..];
                Some(&rest[..rest.find('"')?])
            })
            .find(|rel| *rel != "node")
            .and_then(|rel| std::fs::canonicalize(parent.join(rel)).ok());
    }
    Some(real)
}

/// The version in the package.json of the npm package a `node_modules/.bin` entry runs.
pub fn bin_version(bin: &Path) -> Option<String> {
    let real = bin_target(bin)?;
    let mut here = real.parent();
    while let Some(d) = here {
        if let Some(v) = read_json(&d.join("package.json"))
            .ok()
            .flatten()
            .and_then(|v| v.get("version").and_then(Value::as_str).map(str::to_owned))
        {
            return Some(v);
        }
        if d.file_name().is_some_and(|n| n == "node_modules") {
            return None;
        }
        here = d.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn pnpm_globs_with_negation_and_separate_projects() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(
            r,
            "pnpm-workspace.yaml",
            "packages:\n  - \"web\"\n  - \"packages/**\"\n  - \"!**/fixtures/**\"\ncatalog:\n  zod: 4.0.0\n",
        );
        write(r, "pnpm-lock.yaml", "");
        write(r, "package.json", r#"{"name":"root"}"#);
        write(
            r,
            "web/package.json",
            r#"{"name":"web","dependencies":{"@x/shared":"workspace:*"}}"#,
        );
        write(
            r,
            "packages/shared/package.json",
            r#"{"name":"@x/shared","types":"dist/index.d.ts","exports":{".":{"types":"./dist/index.d.ts","import":"./dist/index.js"}}}"#,
        );
        write(r, "packages/a/b/package.json", r#"{"name":"deep"}"#);
        write(r, "packages/a/fixtures/p/package.json", r#"{"name":"fx"}"#);
        write(r, "docs/package.json", r#"{"name":"docs"}"#);
        write(r, "docs/package-lock.json", "{}");
        write(r, "docs/sub/package.json", r#"{"name":"docs-sub"}"#);
        write(r, "web/node_modules/x/package.json", "{}");
        let ws = discover(r).unwrap();
        assert_eq!(ws.kind, Kind::Pnpm);
        assert_eq!(ws.manager.as_ref().unwrap().0, PackageManager::Pnpm);
        let dirs: Vec<String> = ws.packages.iter().map(|p| slash(&p.dir)).collect();
        assert_eq!(dirs, ["", "packages/a/b", "packages/shared", "web"]);
        assert!(ws.packages[3].installed);
        assert!(!ws.packages[2].installed);
        let sep: Vec<String> = ws.separate.iter().map(|s| slash(&s.package.dir)).collect();
        assert_eq!(sep, ["docs", "packages/a/fixtures/p"], "docs/sub is docs'");
        assert_eq!(
            ws.separate[0].manager.as_ref().unwrap().0,
            PackageManager::Npm
        );
        assert!(
            ws.separate[0]
                .skip_reason()
                .unwrap()
                .contains("`npm ci` in docs")
        );
        let web = ws.package("web").unwrap();
        let deps: Vec<&str> = ws.workspace_deps(web).map(|p| p.name.as_str()).collect();
        assert_eq!(deps, ["@x/shared"]);
        let closure = ws.dependents_closure(&BTreeSet::from(["@x/shared".to_owned()]));
        assert_eq!(
            closure,
            BTreeSet::from(["@x/shared".to_owned(), "web".to_owned()])
        );
        assert_eq!(
            ws.package("@x/shared").unwrap().entry_points,
            ["dist/index.d.ts", "./dist/index.js", "./dist/index.d.ts"]
        );
        assert_eq!(
            ws.owner(Path::new("web/src/a.ts")).unwrap().name,
            "web",
            "deepest package"
        );
        assert_eq!(ws.owner(Path::new("scripts/x.ts")).unwrap().name, "root");
    }

    #[test]
    fn npm_and_yarn_workspaces_and_a_package_as_scope() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(
            r,
            "package.json",
            r#"{"name":"r","workspaces":{"packages":["apps/*"]}}"#,
        );
        write(r, "apps/api/package.json", r#"{"name":"api"}"#);
        write(r, "apps/web/package.json", r#"{"name":"web"}"#);
        let ws = discover(&r.join("apps/api")).unwrap();
        assert_eq!(ws.root, r);
        assert_eq!(ws.kind, Kind::PackageJson);
        assert_eq!(ws.scope, Path::new("apps/api"));
        let scoped: Vec<&str> = ws.in_scope().map(|p| p.name.as_str()).collect();
        assert_eq!(scoped, ["api"]);
        let all = discover(r).unwrap();
        assert_eq!(all.in_scope().count(), 3);
    }

    #[test]
    fn a_directory_outside_any_workspace_is_single() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(
            r,
            "package.json",
            r#"{"name":"solo","scripts":{"build":"tsc"}}"#,
        );
        write(
            r,
            "turbo.json",
            "{ // comment\n \"tasks\": { \"build\": {}, \"web#lint\": {}, },\n}",
        );
        let ws = discover(r).unwrap();
        assert_eq!(ws.kind, Kind::Single);
        assert_eq!(ws.packages.len(), 1);
        assert_eq!(
            ws.tasks,
            BTreeSet::from(["build".to_owned(), "lint".to_owned()])
        );
        assert_eq!(ws.orchestrator, Some("turbo"));
        assert_eq!(
            ws.run_command(&ws.packages[0], "build"),
            "turbo run build --filter=solo"
        );
    }

    #[test]
    fn bad_workspace_files_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "pnpm-workspace.yaml", "packages: [\n");
        let e = discover(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("pnpm-workspace.yaml") && e.contains("YAML"),
            "{e}"
        );
    }

    #[test]
    fn versions_through_links_and_pnpm_shims() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(
            r,
            "node_modules/typescript/package.json",
            r#"{"name":"typescript","version":"5.9.3"}"#,
        );
        write(
            r,
            "node_modules/typescript/bin/tsc",
            "#!/usr/bin/env node\n",
        );
        std::fs::create_dir_all(r.join("node_modules/.bin")).unwrap();
        std::os::unix::fs::symlink("../typescript/bin/tsc", r.join("node_modules/.bin/tsc"))
            .unwrap();
        assert_eq!(
            bin_version(&r.join("node_modules/.bin/tsc")).as_deref(),
            Some("5.9.3")
        );
        write(
            r,
            "web/node_modules/.bin/tsc",
            "#!/bin/sh\nbasedir=$(dirname \"$0\")\nif [ -x \"$basedir/node\" ]; then\n  exec \"$basedir/node\"  \"$basedir/../../../node_modules/typescript/bin/tsc\" \"$@\"\nelse\n  exec node  \"$basedir/../../../node_modules/typescript/bin/tsc\" \"$@\"\nfi\n",
        );
        assert_eq!(
            bin_version(&r.join("web/node_modules/.bin/tsc")).as_deref(),
            Some("5.9.3")
        );
    }

    #[test]
    fn jsonc_and_paths() {
        assert_eq!(
            read_jsonc("{\"a\": \"x // not a comment\", /* c */ \"b\": [1,2,],}").unwrap(),
            serde_json::json!({"a": "x // not a comment", "b": [1, 2]})
        );
        assert_eq!(
            normalize(Path::new("web/../packages/./a")),
            Path::new("packages/a")
        );
        assert_eq!(normalize(Path::new("../x")), Path::new("../x"));
    }
}
