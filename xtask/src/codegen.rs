//! `cargo xtask codegen [--check]`: files generated from the rule registries.

use std::path::Path;

use crate::Result;

type Regenerate = fn(&str) -> Option<String>;

/// docs/env-check.md's two code tables, from `opskit::env::codes`.
fn env_codes(doc: &str) -> Option<String> {
    let hundreds = |h: &'static str| {
        opskit::codes::markdown_table(
            opskit::env::codes::CODES
                .iter()
                .filter(move |c| c.code.strip_prefix("ENV").is_some_and(|n| n.starts_with(h))),
        )
    };
    let doc = opskit::docs::splice_named(doc, "codes-check", &hundreds("1"))?;
    opskit::docs::splice_named(&doc, "codes-drift", &hundreds("2"))
}

/// A page's `<!-- codes:start -->` table, from one registry.
fn codes(doc: &str, registry: &opskit::codes::Registry) -> Option<String> {
    opskit::docs::splice_named(doc, "codes", &opskit::codes::markdown_table(registry.codes))
}

/// docs/env-check.md's tables: the schema and drift codes, and the listing codes.
fn env_check(doc: &str) -> Option<String> {
    let doc = env_codes(doc)?;
    opskit::docs::splice_named(
        &doc,
        "codes-listing",
        &opskit::codes::markdown_table(opskit_env_check::codes::CODES),
    )
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
    let docs: [(&str, Regenerate); 9] = [
        ("docs/env-check.md", env_check),
        ("docs/secret-scan.md", |doc| {
            let doc = opskit_secret_scan::rules::regenerate_docs(doc)?;
            codes(&doc, &opskit_secret_scan::codes::REGISTRY)
        }),
        ("docs/health-probe.md", |doc| {
            codes(doc, &opskit_health_probe::codes::REGISTRY)
        }),
        ("docs/queue-depth.md", |doc| {
            codes(doc, &opskit_queue_depth::codes::REGISTRY)
        }),
        ("docs/job-trace.md", |doc| {
            codes(doc, &opskit_job_trace::codes::REGISTRY)
        }),
        ("docs/db-backup.md", |doc| {
            codes(doc, &opskit_db_backup::codes::REGISTRY)
        }),
        ("docs/notify.md", |doc| {
            codes(doc, &opskit_notify::codes::REGISTRY)
        }),
        ("docs/predeploy.md", |doc| {
            codes(doc, &opskit_predeploy::codes::REGISTRY)
        }),
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
