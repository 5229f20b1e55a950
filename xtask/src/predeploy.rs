//! `cargo xtask predeploy`: runs `crates/predeploy` in-process, on the embedded example unless
//! `--root` says otherwise. The orchestration is product and lives in that crate; this only
//! picks the default root and installs the example's npm packages when they are missing.

use std::path::Path;
use std::process::{Command, ExitCode};

use crate::Result;

/// `cargo xtask predeploy [predeploy flags]`.
pub fn main(args: &[String], root: &Path) -> Result<ExitCode> {
    let mut command_line = vec!["predeploy".to_owned()];
    let has_root = args
        .iter()
        .any(|a| a == "--root" || a.starts_with("--root="));
    if !has_root {
        let example = root.join("examples/agent-platform");
        if !example.join("node_modules").is_dir() {
            eprintln!(
                "xtask: installing the example's npm packages: npm ci in {}",
                example.display()
            );
            let status = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&example)
                .status()
                .map_err(|e| format!("cannot run npm ({e}); install Node.js 20 and npm"))?;
            if !status.success() {
                return Err(format!("npm ci failed in {}", example.display()).into());
            }
        }
        command_line.push("--root".to_owned());
        command_line.push(example.to_string_lossy().into_owned());
    }
    command_line.extend(args.iter().cloned());
    Ok(opskit::cli::main_from_with::<opskit_predeploy::Args, _>(
        command_line,
        opskit_predeploy::run,
        Some(opskit_notify::hook),
    ))
}
