//! The workspace's layering, as ARCHITECTURE.md states it: a tool library builds without the
//! alerting stack (opskit-notify is its binary's feature) and, unless it calls the network,
//! without the core's network clients. See: issue 20.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::path::Path;

fn manifest(krate: &str) -> toml::Table {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("Cargo.toml");
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn no_tool_library_links_the_alerting_stack() {
    // predeploy's readiness check reads the [notify] configuration itself: the one exception.
    for krate in [
        "secret-scan",
        "dockerfile-lint",
        "env-check",
        "health-probe",
        "queue-depth",
        "db-backup",
    ] {
        let m = manifest(krate);
        let dep = &m["dependencies"]["opskit-notify"];
        assert_eq!(
            dep.get("optional").and_then(toml::Value::as_bool),
            Some(true),
            "{krate}: opskit-notify must be an optional dependency"
        );
        let features = m["features"].as_table().unwrap();
        assert_eq!(
            features["notify"].as_array().unwrap()[0].as_str(),
            Some("dep:opskit-notify"),
            "{krate}"
        );
        let bins = m["bin"].as_array().unwrap();
        assert!(
            bins.iter().all(|b| b["required-features"]
                .as_array()
                .is_some_and(|f| f.iter().any(|x| x.as_str() == Some("notify")))),
            "{krate}: its binary needs the notify feature"
        );
    }
}

#[test]
fn libraries_that_make_no_network_call_leave_the_clients_out() {
    for krate in ["secret-scan", "dockerfile-lint", "env-check"] {
        let m = manifest(krate);
        let features = m["dependencies"]["opskit"]
            .get("features")
            .and_then(toml::Value::as_array)
            .cloned()
            .unwrap_or_default();
        assert!(
            !features.iter().any(|f| f.as_str() == Some("net")),
            "{krate} asks for the core's network clients"
        );
    }
    let root: toml::Table = toml::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml"))
            .unwrap(),
    )
    .unwrap();
    let core = &root["workspace"]["dependencies"]["opskit"];
    assert_eq!(
        core.get("default-features").and_then(toml::Value::as_bool),
        Some(false),
        "members get the core without `net` unless they ask"
    );
}
