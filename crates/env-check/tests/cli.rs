//! The env-check binary end to end: exit codes, formats, fixes.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::process::Command;

fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let r = testkit::cli(env!("CARGO_BIN_EXE_env-check"))
        .dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .run();
    (r.code, r.stdout, r.stderr)
}

#[test]
fn help_version_and_usage() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(dir.path(), &["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("lint") && out.contains("parse") && out.contains("Examples:"));
    let (code, out, _) = run(dir.path(), &["--version"]);
    assert_eq!(
        (code, out.trim()),
        (0, concat!("env-check ", env!("CARGO_PKG_VERSION")))
    );
    let (code, out, err) = run(dir.path(), &[]);
    assert_eq!(code, 3, "without a schema there is nothing to check");
    assert!(
        format!("{out}{err}").contains("no env schema"),
        "{out}{err}"
    );
    assert_eq!(run(dir.path(), &["lint", "--fixx"]).0, 3);
}

#[test]
fn lint_exit_codes_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        run(dir.path(), &["lint"]).0,
        3,
        "no .env files: cannot tell"
    );
    std::fs::write(dir.path().join(".env"), "A=1\nB=2\n").unwrap();
    let (code, out, _) = run(dir.path(), &["lint"]);
    assert_eq!(code, 0, "{out}");
    std::fs::write(dir.path().join(".env.local"), "KEY = value\nKEY=other").unwrap();
    let (code, out, _) = run(dir.path(), &["lint", "--format", "nagios"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(".env.local:1:1 ENV001") && out.contains("ENV007"),
        "{out}"
    );
    let (code, out, _) = run(dir.path(), &["lint", ".env.local", "--fix"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".env.local")).unwrap(),
        "KEY=other\n"
    );
    assert!(dir.path().join(".env.local.bak").is_file());
    let (code, out, _) = run(dir.path(), &["lint", "missing.env"]);
    assert_eq!(code, 3, "{out}");
}

#[test]
fn parse_never_prints_a_value_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "ENCRYPTION_KEY=\"a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6\"\n",
    )
    .unwrap();
    for format in ["human", "json", "sarif", "junit", "github", "nagios"] {
        let (code, out, _) = run(dir.path(), &["parse", ".env", "--format", format]);
        assert_eq!(code, 0);
        assert!(
            !out.contains("c3d4e5f6"),
            "{format} printed the value: {out}"
        );
    }
    let (_, out, _) = run(dir.path(), &["parse", ".env", "--reveal"]);
    assert!(
        out.contains("ENCRYPTION_KEY=a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"),
        "{out}"
    );
}

/// A two-service project: a Next.js frontend with a client component, a worker reading its
/// variables in every form, a shared .env.example, and the schema.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "opskit.toml",
        r#"[env-check.services.web]
dir = "web"
example = ".env.example"
expand = true
undeclared_ok = ["VERCEL_URL"]
[env-check.services.web.vars.NEXT_PUBLIC_API_URL]
type = "url"
public = true
required = true
[env-check.services.web.vars.SESSION_SECRET]
secret = true
min_length = 32
required = ["production"]
charset = "hex"
[env-check.services.web.vars.API_ORIGIN]
type = "url"
[env-check.services.worker]
dir = "worker"
example = ".env.example"
[env-check.services.worker.vars.REDIS_URL]
type = "redis-url"
required = true
[env-check.services.worker.vars.PORT]
type = "port"
[env-check.services.worker.vars.UNUSED]
"#,
    );
    write(
        ".env.example",
        "NEXT_PUBLIC_API_URL=\nREDIS_URL=\nLEFTOVER=\n",
    );
    write(
        "web/app/page.tsx",
        "'use client';\nexport default function Page() {\n  return process.env.NEXT_PUBLIC_API_URL + process.env.SESSION_SECRET + process.env.NODE_ENV;\n}\n",
    );
    write(
        "web/app/api/route.ts",
        "export const origin = process.env.API_ORIGIN ?? process.env.VERCEL_URL;\n",
    );
    write(
        "web/.env",
        "API_HOST=api.example.com\nAPI_ORIGIN=https://${API_HOST}\nNEXT_PUBLIC_API_URL=https://${API_HOST}/v1\n",
    );
    write(
        "worker/src/config.ts",
        "const { REDIS_URL, PORT: port = '8080' } = process.env;\nconst q = process.env['QUEUE_NAME'];\nconst c = import.meta.env.CONCURRENCY;\n",
    );
    write(
        "worker/node_modules/pkg/index.js",
        "process.env.IGNORED_IN_DEPENDENCIES;\n",
    );
    dir
}

#[test]
fn drift_finds_every_reference_form_and_client_reads() {
    let dir = project();
    let (code, out, err) = run(dir.path(), &["drift", "--format", "json"]);
    assert_eq!(code, 2, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut got: Vec<String> = Vec::new();
    for check in json["checks"].as_array().unwrap() {
        for f in check["findings"].as_array().unwrap() {
            let loc = f["location"]["path"]
                .as_str()
                .map(|p| format!(" {p}:{}", f["location"]["line"]))
                .unwrap_or_default();
            got.push(format!(
                "{} {}{loc}",
                check["name"].as_str().unwrap(),
                f["rule"].as_str().unwrap()
            ));
        }
    }
    got.sort();
    assert_eq!(
        got,
        [
            "drift:web ENV203 .env.example:3",
            "drift:web ENV204 .env.example:null",
            "drift:web ENV205 web/app/page.tsx:3",
            "drift:worker ENV201 worker/src/config.ts:2",
            "drift:worker ENV201 worker/src/config.ts:3",
            "drift:worker ENV202",
            "drift:worker ENV203 .env.example:3",
        ],
        "{out}"
    );
    assert!(
        out.contains("must stay on the server"),
        "SESSION_SECRET is a secret: {out}"
    );
    assert!(!out.contains("IGNORED_IN_DEPENDENCIES"));
}

#[test]
fn check_reads_exports_expands_and_names_the_source() {
    let dir = project();
    // web/.env expands ${API_HOST}; SESSION_SECRET comes from a Vercel-style export.
    std::fs::write(
        dir.path().join("vercel.env"),
        "SESSION_SECRET=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
    )
    .unwrap();
    let (code, out, err) = run(
        dir.path(),
        &[
            "check",
            "--service",
            "web",
            "--vars",
            "vercel.env",
            "--no-process-env",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 2, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = json["checks"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{out}");
    assert_eq!(findings[0]["rule"], "ENV105");
    assert_eq!(findings[0]["properties"]["source"], "the export vercel.env");
    assert!(!out.contains("aaaaaaaaaaaaaaaa"));
    // Railway's JSON export, and the process environment over it.
    std::fs::write(
        dir.path().join("railway.json"),
        r#"{"REDIS_URL": "https://not-redis", "PORT": "8080"}"#,
    )
    .unwrap();
    let (code, out, _) = run(
        dir.path(),
        &[
            "check",
            "--service",
            "worker",
            "--vars",
            "railway.json",
            "--no-process-env",
        ],
    );
    assert_eq!(code, 2);
    assert!(out.contains("ENV103") && out.contains("REDIS_URL"), "{out}");
    let out = Command::new(env!("CARGO_BIN_EXE_env-check"))
        .args(["check", "--service", "worker", "--vars", "railway.json"])
        .current_dir(dir.path())
        .env("REDIS_URL", "rediss://default:x@cache.example.com:6379")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_default_run_checks_drifts_and_lints_each_service() {
    let dir = project();
    std::fs::write(
        dir.path().join("worker/.env"),
        "REDIS_URL=rediss://default:x@cache.example.com:6379\nredis_url=dup\n",
    )
    .unwrap();
    let (code, out, _) = run(dir.path(), &["--service", "worker", "--no-process-env"]);
    assert_eq!(code, 1, "{out}");
    for name in ["env:worker", "drift:worker", "lint:worker/.env"] {
        assert!(out.contains(name), "{name}: {out}");
    }
    assert!(out.contains("ENV005"), "lowercase key: {out}");
    let (code, out, err) = run(dir.path(), &["--service", "nope"]);
    assert_eq!(code, 3);
    assert!(
        format!("{out}{err}").contains("no service `nope`"),
        "{out}{err}"
    );
}

#[test]
fn generate_prints_only_the_value_and_machine_formats_never_carry_it() {
    let dir = project();
    let (code, out, _) = run(dir.path(), &["generate", "SESSION_SECRET"]);
    assert_eq!(code, 0);
    let value = out.trim();
    assert_eq!(value.len(), 32);
    assert!(
        value.chars().all(|c| c.is_ascii_hexdigit()),
        "the schema's charset: {value}"
    );
    let (_, again, _) = run(dir.path(), &["generate", "SESSION_SECRET"]);
    assert_ne!(again.trim(), value);
    let (code, json, _) = run(
        dir.path(),
        &[
            "generate",
            "SESSION_SECRET",
            "--length",
            "40",
            "--charset",
            "base64",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        json.contains("generate:SESSION_SECRET") && json.contains("40 characters"),
        "{json}"
    );
    let (code, _, err) = run(
        dir.path(),
        &["generate", "SESSION_SECRET", "--charset", "emoji"],
    );
    assert_eq!(code, 3, "{err}");
    let (code, out, err) = run(dir.path(), &["generate", "MISSING", "--service", "web"]);
    assert_eq!(code, 3);
    assert!(
        format!("{out}{err}").contains("not in the schema"),
        "{out}{err}"
    );
}

#[test]
fn explain_knows_every_code() {
    let dir = tempfile::tempdir().unwrap();
    for code in ["ENV001", "ENV105", "ENV205", "env203"] {
        let (status, out, _) = run(dir.path(), &["--explain", code]);
        assert_eq!(status, 0, "{code}: {out}");
        assert!(out.contains(&code.to_ascii_uppercase()), "{out}");
    }
    assert_eq!(run(dir.path(), &["--explain", "ENV999"]).0, 3);
}

#[test]
fn parse_expands_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "HOST=db.internal\nURL=postgres://${HOST}/app\n",
    )
    .unwrap();
    let (_, out, _) = run(dir.path(), &["parse", ".env", "--reveal", "--expand"]);
    assert!(out.contains("URL=postgres://db.internal/app"), "{out}");
    let (_, out, _) = run(dir.path(), &["parse", ".env", "--reveal"]);
    assert!(out.contains("URL=postgres://${HOST}/app"), "{out}");
}

#[test]
fn the_seed_shim_checks_production() {
    let dir = project();
    std::fs::write(
        dir.path().join("worker/.env.production"),
        "REDIS_URL=rediss://default:x@cache.example.com:6379\n",
    )
    .unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts/check-env-production.sh");
    let out = Command::new("bash")
        .arg(&script)
        .args(["worker", "--", "--no-process-env", "--format", "json"])
        .current_dir(dir.path())
        .env("ENV_CHECK_BIN", env!("CARGO_BIN_EXE_env-check"))
        .env_remove("OPSKIT_FORMAT")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"env:worker") && !names.contains(&"env:web"),
        "{names:?}"
    );
    // drift:worker has warnings (CONCURRENCY, QUEUE_NAME read but undeclared).
    assert_eq!(out.status.code(), Some(1), "{json}");
}

#[test]
fn a_bad_schema_names_the_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("opskit.toml"), "[env-check.services.web]\ndir = \".\"\n[env-check.services.web.vars.PORT]\ntyp = \"port\"\n").unwrap();
    let (code, out, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 3);
    assert!(
        format!("{out}{err}").contains("opskit.toml:4:1: unknown key `typ`")
            && out.contains("did you mean `type`"),
        "{out}{err}"
    );
    std::fs::write(
        dir.path().join("opskit.toml"),
        "[env-check.services.web.vars.PORT]\ntype = \"prot\"\n",
    )
    .unwrap();
    let (code, out, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 3);
    assert!(
        out.contains("opskit.toml:2:8") && out.contains("unknown variant `prot`"),
        "{out}"
    );
}
