//! Railway and Vercel configuration, and the files a deploy needs.

use super::Fixture;
use super::check;
use super::finding;
use std::process::Command;

#[test]
fn a_railway_health_check_without_a_route_is_an_error() {
    let f = Fixture::new();
    f.edit(
        "apps/worker/railway.json",
        "\"healthcheckPath\": \"/health\"",
        "\"healthcheckPath\": \"/healthz\"",
    );
    let (code, report, _) = f.run(&["--only", "railway"]);
    assert_eq!(code, 2, "{report}");
    let rw = finding(&report, "railway", "RW005");
    assert_eq!(rw["location"]["path"], "apps/worker/railway.json");
    assert_eq!(rw["location"]["line"], 9);
    assert!(rw["message"].as_str().unwrap().contains("/healthz"));
}

#[test]
fn railway_fields_are_checked() {
    let f = Fixture::new();
    f.edit(
        "apps/worker/railway.json",
        "\"healthcheckTimeout\": 60",
        "\"healthcheckTimout\": 60",
    );
    f.edit(
        "apps/worker/railway.json",
        "\"restartPolicyType\": \"ON_FAILURE\"",
        "\"restartPolicyType\": \"SOMETIMES\"",
    );
    f.edit(
        "apps/worker/railway.json",
        "\"dockerfilePath\": \"apps/worker/Dockerfile\"",
        "\"dockerfilePath\": \"apps/worker/Dockerfile.prod\"",
    );
    let (code, report, _) = f.run(&["--only", "railway"]);
    assert_eq!(code, 2, "{report}");
    assert!(
        finding(&report, "railway", "RW001")["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `healthcheckTimeout`?")
    );
    assert!(
        finding(&report, "railway", "RW003")["message"]
            .as_str()
            .unwrap()
            .contains("SOMETIMES")
    );
    assert!(
        finding(&report, "railway", "RW004")["message"]
            .as_str()
            .unwrap()
            .contains("Dockerfile.prod")
    );
    f.write(
        "apps/worker/railway.json",
        "{ \"deploy\": { \"healthcheckPath\": \"/health\", }\n}\n",
    );
    let (_, report, _) = f.run(&["--only", "railway"]);
    let parse = finding(&report, "railway", "RW002");
    assert_eq!(parse["location"]["line"], 1);
    assert!(
        parse["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{parse}"
    );
}

#[test]
fn vercel_conflicts_and_typos_are_found() {
    let f = Fixture::new();
    f.edit("apps/frontend/vercel.json", "\"regions\"", "\"routes\": [{ \"src\": \"/old\", \"dest\": \"/\" }],\n  \"cleanUrl\": true,\n  \"regions\"");
    let (code, report, _) = f.run(&["--only", "vercel"]);
    assert_eq!(code, 2, "{report}");
    assert!(
        finding(&report, "vercel", "VC003")["message"]
            .as_str()
            .unwrap()
            .contains("headers")
    );
    assert!(
        finding(&report, "vercel", "VC001")["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `cleanUrls`?")
    );
}

#[test]
fn a_missing_lockfile_and_an_unignored_env_are_errors() {
    let f = Fixture::new();
    std::fs::remove_file(f.path("package-lock.json")).unwrap();
    f.write(".gitignore", "node_modules/\n.next/\n");
    let (code, report, _) = f.run(&["--only", "files"]);
    assert_eq!(code, 2, "{report}");
    finding(&report, "files", "FILE001");
    assert!(
        finding(&report, "files", "FILE005")["message"]
            .as_str()
            .unwrap()
            .contains("`.env`")
    );
}

#[test]
fn a_tracked_env_file_is_an_error() {
    let f = Fixture::new();
    f.write(".env.production", "ENCRYPTION_KEY=not-here\n");
    let git = |args: &[&str]| {
        assert!(
            Command::new("git")
                .args(args)
                .current_dir(f.dir.path())
                .output()
                .unwrap()
                .status
                .success()
        );
    };
    // Templates and files of names without values are meant to be tracked (issue 16).
    f.write(
        ".env.docker.example",
        "DATABASE_URL=postgres://postgres:postgres@db/app\n",
    );
    f.write(".env.test", "# set in CI\nDATABASE_URL=\n");
    git(&["init", "-q"]);
    git(&[
        "add",
        "-f",
        ".env.production",
        ".env.docker.example",
        ".env.test",
        "package.json",
    ]);
    let (code, report, _) = f.run(&["--only", "files"]);
    assert_eq!(code, 2, "{report}");
    let all: Vec<&serde_json::Value> = check(&report, "files")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "FILE006")
        .collect();
    assert_eq!(all.len(), 1, "only .env.production: {report}");
    let tracked = finding(&report, "files", "FILE006");
    assert_eq!(tracked["location"]["path"], ".env.production");
    assert!(
        tracked["message"]
            .as_str()
            .unwrap()
            .contains("git rm --cached")
    );
    assert!(
        !report.to_string().contains("not-here"),
        "the file's content is never shown"
    );
}

#[test]
fn railway_commands_must_run_scripts_that_exist() {
    let f = Fixture::new();
    f.edit(
        "apps/worker/railway.json",
        "\"builder\": \"DOCKERFILE\"",
        "\"builder\": \"dockerfile\",\n    \"buildCommand\": \"npm run build:api -- --token tok_9f8e7d6c5b4a\"",
    );
    f.edit(
        "apps/worker/railway.json",
        "\"startCommand\": \"node dist/index.js\"",
        "\"startCommand\": \"npm start\",\n    \"preDeployCommand\": [\"npm run migrate -w @agent-platform/worker\"]",
    );
    f.write(
        "apps/worker/nixpacks.toml",
        "[phases.build]\ncmds = [\"npm run build\"]\n\n[start]\ncmd = \"turbo run serve --filter=@agent-platform/worker\"\n",
    );
    f.write(
        "apps/frontend/railpack.json",
        r#"{ "deploy": { "startCommand": "npm run start" }, "steps": { "build": { "commands": ["npm run build", { "cmd": "npm run bild" }] } } }"#,
    );
    let (code, report, _) = f.run(&["--only", "railway"]);
    assert_eq!(code, 2, "{report}");
    let messages: Vec<String> = check(&report, "railway")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "RW009")
        .map(|f| {
            format!(
                "{} {}",
                f["location"]["path"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(messages.len(), 4, "{messages:#?}");
    assert!(messages[0].starts_with("apps/frontend/railpack.json commands: `npm run bild` runs the script `bild`, which @agent-platform/frontend (apps/frontend/package.json) does not have; did you mean `build`?"), "{messages:#?}");
    assert!(messages.iter().any(|m| m.starts_with("apps/worker/nixpacks.toml cmd: `turbo run serve …` runs the task `serve`, but @agent-platform/worker has no `serve` script")), "{messages:#?}");
    assert!(messages.iter().any(|m| m.starts_with("apps/worker/railway.json buildCommand: `npm run build:api` runs the script `build:api`, which @agent-platform/worker")), "{messages:#?}");
    assert!(messages.iter().any(|m| m.starts_with("apps/worker/railway.json preDeployCommand: `npm run migrate …` runs the script `migrate`, which @agent-platform/worker")), "{messages:#?}");
    assert!(
        !report.to_string().contains("is not one of"),
        "builders match without regard to case: {report}"
    );
    assert!(
        !report.to_string().contains("tok_9f8e"),
        "what follows the script name is not repeated: {report}"
    );
}

// See: issue 16.
