//! `cargo xtask codegen [--check]`: files generated from the rule registries.

use std::path::Path;

use crate::Result;

pub fn main(args: &[String]) -> Result<()> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        other => return Err(format!("codegen takes only --check, not {other:?}").into()),
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("xtask is not inside the workspace")?;
    let path = root.join("docs/secret-scan.md");
    let current = std::fs::read_to_string(&path)?;
    let fresh = opskit_secret_scan::rules::regenerate_docs(&current)
        .ok_or("docs/secret-scan.md lost its <!-- rules:start --> / <!-- rules:end --> markers")?;
    if fresh == current {
        println!("docs/secret-scan.md is current");
    } else if check {
        return Err("docs/secret-scan.md is stale: run `cargo xtask codegen` and commit".into());
    } else {
        std::fs::write(&path, fresh)?;
        println!("wrote docs/secret-scan.md");
    }
    Ok(())
}
