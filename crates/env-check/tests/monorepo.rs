//! env-check with no opskit.toml on a two-service workspace: the schemas come from the code
//! (t3-env in the web app, envalid in the worker), each platform export goes to its service,
//! and browser-public secrets are caught in every source. See: issue 17.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::path::Path;

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let r = testkit::cli(env!("CARGO_BIN_EXE_env-check"))
        .dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .envs(env)
        .run();
    (r.code, r.stdout, r.stderr)
}

const OPENROUTER: &str =
    "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";

fn shop() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "package.json",
        r#"{"name": "shop", "private": true, "workspaces": ["apps/*"]}"#,
    );
    write("apps/web/package.json", r#"{"name": "@shop/web"}"#);
    write(
        "apps/web/src/env.mjs",
        r#"import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

export const env = createEnv({
  server: {
    DATABASE_URL: z.string().url(),
    NEXTAUTH_SECRET:
      process.env.NODE_ENV === "production" ? z.string() : z.string().optional(),
  },
  client: {
    NEXT_PUBLIC_APP_URL: z.string().url(),
  },
  runtimeEnv: {
    DATABASE_URL: process.env.DATABASE_URL,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET,
    NEXT_PUBLIC_APP_URL: process.env.NEXT_PUBLIC_APP_URL,
  },
  emptyStringAsUndefined: true,
});
"#,
    );
    write(
        "apps/web/app/page.tsx",
        r#""use client";
export function Page() {
  const onServer = typeof window === "undefined" ? process.env.DATABASE_URL : null;
  return <p>{process.env.NEXTAUTH_SECRET}{onServer}</p>;
}
"#,
    );
    write(
        "apps/web/.env.example",
        &format!(
            "DATABASE_URL=\nNEXTAUTH_SECRET=\nNEXT_PUBLIC_APP_URL=\nNEXT_PUBLIC_OPENROUTER_API_KEY={OPENROUTER}\n"
        ),
    );
    write("apps/worker/package.json", r#"{"name": "@shop/worker"}"#);
    write(
        "apps/worker/src/env.ts",
        r#"import { cleanEnv, num, url } from "envalid";
export const env = cleanEnv(process.env, {
  REDIS_URL: url(),
  CONCURRENCY: num({ default: 5 }),
});
"#,
    );
    write(
        "apps/worker/src/index.ts",
        "Sentry.init({ dsn: process.env.SENTRY_DSN });\n",
    );
    write(
        "web.env",
        &format!(
            "DATABASE_URL=https://db.example.com/app\nNEXTAUTH_SECRET=Zx8Qm2LrT5vN9wK4jH7gF3dS1aP6oI0u\nNEXT_PUBLIC_APP_URL=https://shop.example.com\nREDIS_URL=redis://cache:6379\nNEXT_PUBLIC_OPENROUTER_API_KEY={OPENROUTER}\n"
        ),
    );
    write("worker.json", r#"{"CONCURRENCY": "many"}"#);
    dir
}

fn findings(out: &str) -> Vec<(String, String, String, String)> {
    let json: serde_json::Value = serde_json::from_str(out).unwrap();
    let mut got = Vec::new();
    for check in json["checks"].as_array().unwrap() {
        for f in check["findings"].as_array().unwrap() {
            got.push((
                check["name"].as_str().unwrap().to_owned(),
                f["rule"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
                f["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            ));
        }
    }
    got
}

#[test]
fn the_schema_comes_from_the_code_of_each_package() {
    let dir = shop();
    let (code, out, err) = run(dir.path(), &["schema", "--from-code", "-f", "human"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    for want in [
        "[env-check.services.\"@shop/web\"]",
        "# read from apps/web/src/env.mjs:4 (t3-env)",
        "[env-check.services.\"@shop/web\".vars.NEXTAUTH_SECRET]",
        "required = [\"production\", \"preview\"]",
        "[env-check.services.\"@shop/web\".vars.NEXT_PUBLIC_APP_URL]\n# apps/web/src/env.mjs:11 (client)\ntype = \"url\"\nrequired = true",
        "# read from apps/worker/src/env.ts:2 (envalid)",
        "[env-check.services.\"@shop/worker\".vars.CONCURRENCY]",
        "default = \"5\"",
    ] {
        assert!(out.contains(want), "{want}\n{out}");
    }
    // The printed schema is valid opskit.toml: it loads back with the same variables.
    let text: String = out
        .lines()
        .skip_while(|l| !l.starts_with('#'))
        .take_while(|l| !l.starts_with("OK"))
        .collect::<Vec<_>>()
        .join("\n");
    let parsed: toml::Value = toml::from_str(&text).unwrap();
    let web = &parsed["env-check"]["services"]["@shop/web"]["vars"];
    assert_eq!(web.as_table().unwrap().len(), 3, "{text}");
}

#[test]
fn each_export_belongs_to_its_service() {
    let dir = shop();
    let (code, out, err) = run(
        dir.path(),
        &[
            "check",
            "--vars",
            "apps/web=web.env",
            "--vars",
            "@shop/worker=worker.json",
            "--no-process-env",
            "-f",
            "json",
        ],
        &[],
    );
    assert_eq!(code, 2, "{out}{err}");
    let got = findings(&out);
    // The web export's REDIS_URL does not satisfy the worker; the message names the service
    // and what was read.
    let missing = got
        .iter()
        .find(|f| f.1 == "ENV101")
        .unwrap_or_else(|| panic!("{got:#?}"));
    assert_eq!(missing.0, "env:@shop/worker");
    assert!(
        missing.2.contains("REDIS_URL")
            && missing
                .2
                .contains("for `@shop/worker`; read: the export worker.json"),
        "{missing:?}"
    );
    assert!(
        got.iter()
            .any(|f| f.0 == "env:@shop/worker" && f.1 == "ENV103" && f.2.contains("CONCURRENCY")),
        "{got:#?}"
    );
    // The public OpenRouter key in the web export: an error, named by its rule, never shown.
    let leak = got
        .iter()
        .find(|f| f.1 == "ENV102")
        .unwrap_or_else(|| panic!("{got:#?}"));
    assert_eq!(leak.0, "env:@shop/web");
    assert!(
        leak.2.contains("NEXT_PUBLIC_OPENROUTER_API_KEY") && leak.2.contains("OpenRouter"),
        "{leak:?}"
    );
    assert!(!out.contains(&OPENROUTER[12..]), "the key is never printed");
    // A bare export with two services is refused, saying how to name the service.
    let (code, out, err) = run(dir.path(), &["check", "--vars", "web.env"], &[]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("say which: SERVICE=web.env"),
        "{out}{err}"
    );
}

#[test]
fn a_public_secret_is_caught_in_the_process_environment_and_the_example() {
    let dir = shop();
    let (_, out, err) = run(
        dir.path(),
        &["--service", "@shop/web", "-f", "json"],
        &[(
            "NEXT_PUBLIC_STRIPE_SECRET_KEY",
            "sk_live_51HqLyjWDarjtT1zdp7dcXAMPLEk3y9Zx8Qm2LrT5vN9",
        )],
    );
    let got = findings(&out);
    let process = got
        .iter()
        .find(|f| f.1 == "ENV102" && f.2.contains("NEXT_PUBLIC_STRIPE_SECRET_KEY"))
        .unwrap_or_else(|| panic!("{out}{err}"));
    assert_eq!(process.0, "env:@shop/web");
    let example = got
        .iter()
        .find(|f| f.1 == "ENV102" && f.3 == "apps/web/.env.example")
        .unwrap_or_else(|| panic!("{got:#?}"));
    assert!(example.0.starts_with("lint:"), "{example:?}");
    assert!(!out.contains("dp7dcXAMPLE"), "never printed");
    // A public key made to be public is not a finding.
    let (_, out, _) = run(
        dir.path(),
        &["--service", "@shop/web", "-f", "json"],
        &[(
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.x9Kq2Lm4Pz",
        )],
    );
    assert!(!out.contains("NEXT_PUBLIC_SUPABASE_ANON_KEY"), "{out}");
}

#[test]
fn drift_knows_guards_undeclared_reads_and_empty_examples() {
    let dir = shop();
    let (code, out, err) = run(dir.path(), &["drift", "-f", "json"], &[]);
    assert_eq!(code, 2, "{out}{err}");
    let got = findings(&out);
    let client: Vec<&str> = got
        .iter()
        .filter(|f| f.1 == "ENV205")
        .map(|f| f.2.as_str())
        .collect();
    assert_eq!(
        client.len(),
        1,
        "the typeof window branch runs on the server: {client:?}"
    );
    assert!(client[0].contains("NEXTAUTH_SECRET"), "{client:?}");
    assert!(
        got.iter()
            .any(|f| f.0 == "drift:@shop/worker" && f.1 == "ENV201" && f.2.contains("SENTRY_DSN")),
        "{got:#?}"
    );
    assert!(
        got.iter().any(|f| f.1 == "ENV209"
            && f.2
                .contains("NEXTAUTH_SECRET is required in production, preview")),
        "{got:#?}"
    );
}

#[test]
fn generate_gives_an_encryption_key_32_bytes() {
    let dir = shop();
    let (code, out, err) = run(
        dir.path(),
        &["generate", "ENCRYPTION_KEY", "-f", "human"],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    let value = out.lines().next().unwrap().trim();
    assert_eq!(value.len(), 64, "{out}");
    assert!(value.chars().all(|c| c.is_ascii_hexdigit()), "{out}");
    // The report says what the value is and how the app decodes it; the value itself is
    // printed only in human format (so it can be piped into `vercel env add`).
    let (_, json, _) = run(
        dir.path(),
        &["generate", "ENCRYPTION_KEY", "-f", "json"],
        &[],
    );
    assert!(
        json.contains("32 random bytes in hex") && json.contains(r#"Buffer.from(value, \"hex\")"#),
        "{json}"
    );
    let (_, out, _) = run(
        dir.path(),
        &[
            "generate",
            "SESSION_KEY",
            "--bytes",
            "32",
            "--charset",
            "base64",
            "-f",
            "human",
        ],
        &[],
    );
    let value = out.lines().next().unwrap().trim();
    assert_eq!(
        opskit::encoding::decode_base64(value).unwrap().len(),
        32,
        "{out}"
    );
}

#[test]
fn opskit_toml_refines_the_code_and_names_each_services_exports() {
    let dir = shop();
    std::fs::write(
        dir.path().join("opskit.toml"),
        "[env-check.services.\"@shop/worker\"]\nexports = [\"worker.json\"]\n\
         [env-check.services.\"@shop/worker\".vars.REDIS_URL]\nschemes = [\"rediss\"]\n\
         [env-check.services.\"@shop/worker\".vars.QUEUE]\nrequired = true\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("worker.json"),
        r#"{"CONCURRENCY": "many", "REDIS_URL": "redis://cache:6379"}"#,
    )
    .unwrap();
    let (code, out, err) = run(
        dir.path(),
        &[
            "check",
            "--service",
            "@shop/worker",
            "--no-process-env",
            "-f",
            "json",
        ],
        &[],
    );
    assert_eq!(code, 2, "{out}{err}");
    let got = findings(&out);
    let rules: Vec<(&str, &str)> = got
        .iter()
        .map(|f| (f.1.as_str(), f.2.split(' ').next().unwrap_or_default()))
        .collect();
    // From the code: CONCURRENCY is a number; from opskit.toml, over the code: REDIS_URL
    // must use rediss://, and QUEUE is added.
    for want in [
        ("ENV103", "CONCURRENCY"),
        ("ENV103", "REDIS_URL"),
        ("ENV101", "QUEUE"),
    ] {
        assert!(rules.contains(&want), "{want:?} in {got:#?}");
    }
    let (_, schema, _) = run(
        dir.path(),
        &["schema", "--service", "@shop/worker", "-f", "human"],
        &[],
    );
    assert!(
        schema.contains(
            "type = \"url\"\nrequired = true\naccept_empty = true\nschemes = [\"rediss\"]"
        ),
        "{schema}"
    );
}

#[test]
fn a_secret_default_in_the_code_is_never_printed_whole() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package.json"), r#"{"name": "x"}"#).unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/env.ts"),
        "import { z } from \"zod\";\nexport const env = z.object({\n  API_SECRET: z.string().default(\"Zx8Qm2LrT5vN9wK4jH7gF3dS1aP6oI0u\"),\n  ID: z.string().uuid().default(\"Zx8Qm2LrT5vN9wK4jH7gF3dS1aP6oI0u\"),\n}).parse(process.env);\n",
    )
    .unwrap();
    for args in [
        &["schema", "--from-code", "-f", "human"][..],
        &["drift", "-f", "json"][..],
    ] {
        let (_, out, err) = run(dir.path(), args, &[]);
        assert!(
            !format!("{out}{err}").contains("Zx8Qm2LrT5vN9wK4"),
            "{args:?}: {out}{err}"
        );
    }
}
