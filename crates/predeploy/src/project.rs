//! What a target project is made of: its package manager, TypeScript projects, linter, and the
//! deployment files predeploy checks.

use std::path::{Path, PathBuf};

use opskit::workspace::Workspace;
pub use opskit::workspace::{PackageManager, local_bin};

/// Directories never searched: dependencies, build output, version control (the same ones
/// the workspace model skips).
pub use opskit::workspace::SKIP_DIRS;

/// The files predeploy cares about, found in one walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The root.
    pub root: PathBuf,
    /// The package manager and its lockfile, if any (the workspace root's).
    pub manager: Option<(PackageManager, PathBuf)>,
    /// The workspace the root belongs to: its packages, separate projects and tasks.
    pub workspace: Workspace,
    /// Every `tsconfig.json`, relative to the root, sorted.
    pub tsconfigs: Vec<PathBuf>,
    /// Every `railway.json` / `railway.toml`.
    pub railway: Vec<PathBuf>,
    /// Every `nixpacks.toml` and `railpack.json` (Railway's builders' own configs).
    pub railway_builds: Vec<PathBuf>,
    /// Every `vercel.json`.
    pub vercel: Vec<PathBuf>,
    /// Every Dockerfile (`Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `Containerfile`), as
    /// dockerfile-lint names them.
    pub dockerfiles: Vec<PathBuf>,
    /// Every `.env.example` (or `.env.sample`, `.env.template`).
    pub env_examples: Vec<PathBuf>,
}

pub use opskit::workspace::files;

/// Reads the workspace around `root` and walks `root` once (depth 8, skipping
/// [`SKIP_DIRS`]), sorting what it found.
pub fn scan(root: &Path) -> Result<Project, opskit::workspace::Error> {
    let workspace = opskit::workspace::discover(root)?;
    let mut p = Project {
        root: root.to_owned(),
        manager: workspace.manager.clone(),
        workspace,
        tsconfigs: Vec::new(),
        railway: Vec::new(),
        railway_builds: Vec::new(),
        vercel: Vec::new(),
        dockerfiles: Vec::new(),
        env_examples: Vec::new(),
    };
    for entry in files(root, 8) {
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let name = entry.file_name().to_string_lossy();
        let rel = rel.to_owned();
        match name.as_ref() {
            "tsconfig.json" => p.tsconfigs.push(rel),
            "railway.json" | "railway.toml" => p.railway.push(rel),
            "nixpacks.toml" | "railpack.json" => p.railway_builds.push(rel),
            "vercel.json" => p.vercel.push(rel),
            ".env.example" | ".env.sample" | ".env.template" => p.env_examples.push(rel),
            n if opskit_dockerfile_lint::is_dockerfile_name(n) => p.dockerfiles.push(rel),
            _ => {}
        }
    }
    for list in [
        &mut p.tsconfigs,
        &mut p.railway,
        &mut p.railway_builds,
        &mut p.vercel,
        &mut p.dockerfiles,
        &mut p.env_examples,
    ] {
        list.sort();
    }
    Ok(p)
}

impl Project {
    /// The workspace root, absolute.
    pub fn workspace_root(&self) -> &Path {
        &self.workspace.root
    }
}

/// `path` relative to the root, with `/` separators, for locations.
pub fn display(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_a_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "package-lock.json",
            "apps/web/tsconfig.json",
            "apps/web/vercel.json",
            "apps/worker/Dockerfile",
            "apps/worker/railway.toml",
            "node_modules/x/tsconfig.json",
            ".env.example",
            "docker/api.Dockerfile",
        ] {
            let path = root.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "{}").unwrap();
        }
        let p = scan(root).unwrap();
        assert_eq!(p.manager.as_ref().map(|m| m.0), Some(PackageManager::Npm));
        assert_eq!(
            p.tsconfigs,
            [PathBuf::from("apps/web/tsconfig.json")],
            "node_modules is skipped"
        );
        assert_eq!(
            p.dockerfiles,
            [
                PathBuf::from("apps/worker/Dockerfile"),
                PathBuf::from("docker/api.Dockerfile")
            ]
        );
        assert_eq!(p.railway.len(), 1);
        assert_eq!(p.vercel.len(), 1);
        assert_eq!(p.env_examples.len(), 1);
    }

    #[test]
    fn lockfiles_name_the_manager() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pnpm-lock.yaml"), "").unwrap();
        assert_eq!(
            scan(dir.path()).unwrap().manager.unwrap().0,
            PackageManager::Pnpm
        );
        assert_eq!(
            PackageManager::Pnpm.install(),
            ["pnpm", "install", "--frozen-lockfile"]
        );
    }
}
