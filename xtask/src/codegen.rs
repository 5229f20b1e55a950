//! `cargo xtask codegen [--check]`: files generated from the rule registries.

use std::path::Path;

use crate::Result;

type Regenerate = fn(&str) -> Option<String>;

/// docs/env-check.md's two code tables, from `opskit::env::codes`.
fn env_codes(doc: &str) -> Option<String> {
    use opskit::env::codes::markdown_table;
    let doc = opskit::docs::splice_named(doc, "codes-check", &markdown_table("ENV100", "ENV199"))?;
    opskit::docs::splice_named(&doc, "codes-drift", &markdown_table("ENV200", "ENV299"))
}

pub fn main(args: &[String]) -> Result<()> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        other => return Err(format!("codegen takes only --check, not {other:?}").into()),
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("xtask is not inside the workspace")?;
    let docs: [(&str, Regenerate); 3] = [
        ("docs/env-check.md", env_codes),
        (
            "docs/secret-scan.md",
            opskit_secret_scan::rules::regenerate_docs,
        ),
        (
            "docs/dockerfile-lint.md",
            opskit_dockerfile_lint::rules::regenerate_docs,
        ),
    ];
    for (name, regenerate) in docs {
        let path = root.join(name);
        let current = std::fs::read_to_string(&path)?;
        let fresh = regenerate(&current).ok_or(format!(
            "{name} lost its generated-section markers (<!-- rules:start --> / <!-- codes-…:start -->)"
        ))?;
        if fresh == current {
            println!("{name} is current");
        } else if check {
            return Err(format!("{name} is stale: run `cargo xtask codegen` and commit").into());
        } else {
            std::fs::write(&path, fresh)?;
            println!("wrote {name}");
        }
    }
    Ok(())
}
