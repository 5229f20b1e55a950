//! Copying a project to work on a copy of it.

use std::path::Path;

/// What [`copy_tree`] leaves out: installed packages and build output, which a copy links or
/// rebuilds instead, and TypeScript's incremental state, which names the original's paths.
const LEFT_OUT: [&str; 3] = ["node_modules", ".next", "dist"];

/// Copies the directory `from` into `to` (created), without `node_modules`, `.next`, `dist`
/// and `*.tsbuildinfo`. Symbolic links are followed.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let shown = name.to_string_lossy();
        if LEFT_OUT.contains(&shown.as_ref()) || shown.ends_with(".tsbuildinfo") {
            continue;
        }
        let target = to.join(&name);
        if std::fs::metadata(entry.path())?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn copies_sources_and_leaves_installs_and_builds_out() {
        let from = tempfile::tempdir().unwrap();
        for (path, text) in [
            ("src/index.ts", "export {};"),
            ("package.json", "{}"),
            ("node_modules/x/index.js", ""),
            ("apps/web/.next/cache", ""),
            ("tsconfig.tsbuildinfo", ""),
        ] {
            let p = from.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let to = tempfile::tempdir().unwrap();
        let dest = to.path().join("copy");
        super::copy_tree(from.path(), &dest).unwrap();
        assert_eq!(
            std::fs::read_to_string(dest.join("src/index.ts")).unwrap(),
            "export {};"
        );
        assert!(dest.join("package.json").is_file());
        assert!(!dest.join("node_modules").exists());
        assert!(!dest.join("apps/web/.next").exists());
        assert!(!dest.join("tsconfig.tsbuildinfo").exists());
    }
}
