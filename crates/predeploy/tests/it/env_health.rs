//! The env check (platform exports and the code's schema) and the health targets.

use super::Fixture;
use super::check;
use super::finding;
use std::process::Command;

#[test]
fn the_env_check_reads_the_platform_export_and_the_code() {
    let f = Fixture::new();
    // No production values on this machine: the values are not checked, and a note says so.
    let (code, report, _) = f.run(&["--only", "env"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        finding(&report, "env", "ENV100")["message"]
            .as_str()
            .unwrap()
            .contains("--env-vars")
    );
    let (code, report, _) = f.run(&["--only", "env", "--require-env"]);
    assert_eq!(code, 2, "{report}");
    assert!(
        check(&report, "env")["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "ENV101"
                && f["message"].as_str().unwrap().contains("ENCRYPTION_KEY")),
        "{report}"
    );
    // See: issue 17. An export belongs to one service: with two services a bare FILE is
    // refused (the frontend's Vercel export must not satisfy the worker Railway runs).
    f.write("vercel.env", "ENCRYPTION_KEY=x\n");
    let (code, report, _) = f.run(&[
        "--only",
        "env",
        "--env-vars",
        &f.path("vercel.env").display().to_string(),
    ]);
    assert_eq!(code, 3, "{report}");
    assert!(
        report.to_string().contains("say which: SERVICE="),
        "{report}"
    );
    // The env check alone, on a Vercel export holding `vars`, given to the frontend.
    let with_export = |vars: &str| {
        f.write("vercel.env", vars);
        f.run(&[
            "--only",
            "env",
            "--env-vars",
            &format!("frontend={}", f.path("vercel.env").display()),
        ])
    };
    // The seed's rule: ENCRYPTION_KEY at least 32 characters, and strong.
    let (code, report, _) = with_export(
        "ENCRYPTION_KEY=\"changeme-changeme-changeme-changeme\"\nNEXT_PUBLIC_SUPABASE_URL=https://abc.supabase.co\n",
    );
    assert_eq!(code, 2, "{report}");
    let weak = finding(&report, "env", "ENV105");
    assert!(weak["message"].as_str().unwrap().contains("ENCRYPTION_KEY"));
    assert!(
        weak["properties"]["source"]
            .as_str()
            .unwrap()
            .contains("vercel.env"),
        "{weak}"
    );
    assert!(
        !report.to_string().contains("changeme-changeme"),
        "values are never shown"
    );
    // Too short, the seed's own rule.
    let (code, report, _) = with_export("ENCRYPTION_KEY=k3Y-9x\n");
    assert_eq!(code, 2, "{report}");
    assert!(
        finding(&report, "env", "ENV104")["message"]
            .as_str()
            .unwrap()
            .contains("at least 32"),
        "{report}"
    );
    // A client component that reads a server secret.
    f.write(
        "apps/frontend/app/leak.tsx",
        "'use client';\nexport const k = process.env.OPENROUTER_API_KEY;\n",
    );
    let (code, report, _) = f.run(&["--only", "env"]);
    assert_eq!(code, 2, "{report}");
    assert_eq!(
        finding(&report, "env", "ENV205")["location"]["path"],
        "apps/frontend/app/leak.tsx"
    );
}

/// predeploy's health check alone, as JSON, with the example's frontend and worker at `url`.
fn health_run(f: &Fixture, extra: &[&str], url: &str) -> std::process::Output {
    let root = f.path("").display().to_string();
    let mut args = vec![
        "--root",
        &root,
        "--format",
        "json",
        "--no-cache",
        "--only",
        "health",
    ];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_predeploy"))
        .args(&args)
        .env_remove("OPSKIT_FORMAT")
        .env("FRONTEND_URL", url)
        .env("WORKER_URL", url)
        .output()
        .unwrap()
}

#[test]
fn health_targets_are_probed_when_reachable() {
    let f = Fixture::new();
    // Nothing listens where the example's targets point: skipped, with the reason.
    let (code, report, _) = f.run(&["--only", "health"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        check(&report, "health")["summary"]
            .as_str()
            .unwrap()
            .contains("skipped (unreachable)"),
        "{report}"
    );
    let (code, report, _) = f.run(&["--only", "health", "--require-health"]);
    assert_eq!(code, 2, "{report}");
    // A frontend that answers, but not as the condition wants.
    let server = testkit::HttpServer::start(|r| match r.url.as_str() {
        "/api/health" => testkit::Reply::json(503, r#"{"status":"degraded"}"#),
        _ => testkit::Reply::json(200, r#"{"status":"ok"}"#),
    });
    let out = health_run(&f, &[], &server.url());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{report}");
    let findings = check(&report, "health")["findings"].as_array().unwrap();
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["HP002", "HP004"], "{report}");
    assert!(
        findings[1]["message"]
            .as_str()
            .unwrap()
            .contains("http:frontend"),
        "{report}"
    );
}

#[test]
fn a_dripping_health_endpoint_is_cut_off_at_its_timeout() {
    // One byte of headers every 200 ms: every read succeeds and none finishes. The health
    // check held predeploy for 21 s with `timeout_ms = 1000` before the probe had one deadline.
    let f = Fixture::new();
    let drip = testkit::HostileServer::start(testkit::Behaviour::drip(
        b"HTTP/1.1 200 OK\r\nX-Slow: 1\r\n",
        std::time::Duration::from_millis(200),
    ));
    let started = std::time::Instant::now();
    let out = health_run(&f, &["--require-health"], &drip.url());
    let took = started.elapsed();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{report}");
    assert!(report.to_string().contains("no answer within"), "{report}");
    // The targets' own timeouts (5 s at most in the example), probed in parallel.
    assert!(took < std::time::Duration::from_secs(12), "took {took:?}");
}
