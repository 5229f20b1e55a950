//! External validators the tests run: found where scripts/test.sh installs them, or a loud
//! failure that says how to install them.

use std::path::{Path, PathBuf};

use crate::INSTALL_HINT;

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .map_or_else(|| here.to_owned(), Path::to_owned)
}

/// `scripts/test-tools`: the npm project that pins the validators the tests use.
pub fn test_tools_dir() -> PathBuf {
    workspace_root().join("scripts/test-tools")
}

fn npm_file(relative: &str, what: &str) -> PathBuf {
    let path = test_tools_dir().join("node_modules").join(relative);
    if path.is_file() {
        return path;
    }
    panic!(
        "{what} was not found at {}; install it with `npm ci --prefix {}` {INSTALL_HINT}",
        path.display(),
        test_tools_dir().display()
    );
}

/// Microsoft's SARIF Multitool (`Sarif.Multitool validate`), from the npm package
/// `@microsoft/sarif-multitool-linux`.
pub fn sarif_multitool() -> PathBuf {
    npm_file(
        "@microsoft/sarif-multitool-linux/Sarif.Multitool",
        "the SARIF Multitool",
    )
}

/// The official SARIF 2.1.0 JSON schema, as shipped with the SARIF Multitool.
pub fn sarif_schema() -> PathBuf {
    npm_file(
        "@microsoft/sarif-multitool-linux/sarif-2.1.0.json",
        "the SARIF 2.1.0 schema",
    )
}

/// Prometheus' `promtool`, which parses and lints the text exposition format.
pub fn promtool() -> PathBuf {
    find_binary("promtool", &path_dirs(), "apt-get install prometheus")
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The directories on `PATH`.
pub fn path_dirs() -> Vec<PathBuf> {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default()
}

/// Finds `name` in `dirs`, or says how to install it.
pub fn find_binary(name: &str, dirs: &[PathBuf], install: &str) -> Result<PathBuf, String> {
    dirs.iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!("{name} was not found on PATH; install it with `{install}` {INSTALL_HINT}")
        })
}

/// Runs `promtool check metrics` on `text`: whether it passed, and what it said (parse errors
/// and lint problems).
pub fn promtool_check(text: &str) -> (bool, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(promtool())
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run promtool: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(text.as_bytes());
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("promtool: {e}"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}
