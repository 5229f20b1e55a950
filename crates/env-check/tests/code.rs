//! The env schema read from code means what the app's own validation means.
//!
//! Each fixture under tests/npm/schemas is a real schema (t3-env with zod 4, zod 3 alone,
//! envalid), installed from npm by scripts/test.sh. env-check reads it without running it; the
//! same file then runs under Node on generated value sets, and for every set the variables the
//! app rejects must be exactly those env-check reports (ENV101 missing, ENV103 wrong type,
//! ENV104 wrong length). See: issue 17.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use opskit::env::schema::{Required, Var, VarType, check_var};
use opskit_env_check::code::{CodeSchema, Library, Side, schemas_in};

fn npm_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/npm");
    assert!(
        dir.join("node_modules/@t3-oss/env-nextjs").is_dir()
            && dir.join("node_modules/envalid").is_dir(),
        "the env libraries are not installed: run scripts/test.sh, or `npm ci` in {}",
        dir.display()
    );
    dir
}

fn read(name: &str) -> CodeSchema {
    let path = npm_dir().join("schemas").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut found = schemas_in(&format!("schemas/{name}"), &text);
    assert_eq!(found.len(), 1, "{name}: {found:#?}");
    found.remove(0)
}

fn var<'s>(schema: &'s CodeSchema, name: &str) -> &'s Var {
    &schema
        .vars
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("{name} not read: {schema:#?}"))
        .var
}

#[test]
fn t3_env_is_read_with_sides_conditions_and_constraints() {
    let s = read("t3.mjs");
    assert_eq!(s.library, Library::T3);
    assert!(s.notes.is_empty(), "{:#?}", s.notes);
    assert_eq!(s.vars.len(), 13);
    let secret = var(&s, "FX_AUTH_SECRET");
    assert_eq!(
        secret.required,
        Required::In(vec!["production".into(), "preview".into()])
    );
    assert_eq!(secret.min_length, Some(32));
    let port = var(&s, "FX_PORT");
    assert_eq!(
        (port.kind, port.integer, port.minimum, port.maximum),
        (VarType::Number, true, Some(1.0), Some(65535.0))
    );
    assert_eq!(
        (port.required.clone(), port.default.as_deref()),
        (Required::Always(false), Some("3000"))
    );
    let level = var(&s, "FX_LOG_LEVEL");
    assert_eq!(level.values, ["debug", "info", "warn", "error"]);
    let url = s
        .vars
        .iter()
        .find(|d| d.name == "NEXT_PUBLIC_FX_APP_URL")
        .unwrap();
    // The side is kept; `public` stays the user's to set: a client variable named like a
    // secret is still an error in every source.
    assert_eq!(
        (url.side, url.var.kind, url.var.public),
        (Side::Client, VarType::Url, false)
    );
    assert!(!url.var.accept_empty, "emptyStringAsUndefined: true");
    assert!(var(&s, "FX_NAME").trim);
    assert_eq!(
        var(&s, "FX_API_KEY").pattern.as_deref(),
        Some(r"sk_[\s\S]*")
    );
}

#[test]
fn zod_and_envalid_are_read() {
    let z = read("zod3.mjs");
    assert_eq!(z.library, Library::Zod);
    assert!(z.notes.is_empty(), "{:#?}", z.notes);
    assert_eq!(z.vars.len(), 10, "the merged object's fields too");
    // z.preprocess that makes an empty (or blank, before .trim()) value undefined is read.
    assert!(!var(&z, "FX_HOST").accept_empty && !var(&z, "FX_LABEL").accept_empty);
    assert_eq!(var(&z, "FX_HOST").min_length, Some(3));
    assert!(
        var(&z, "FX_REDIS_URL").accept_empty,
        "zod sees empty values"
    );
    assert_eq!(
        var(&z, "FX_SENTRY_DSN").required,
        Required::In(vec!["production".into(), "preview".into()])
    );
    let e = read("envalid.mjs");
    assert_eq!(e.library, Library::Envalid);
    assert!(e.notes.is_empty(), "{:#?}", e.notes);
    assert_eq!(var(&e, "FX_PORT").kind, VarType::Port);
    assert_eq!(var(&e, "FX_PORT").default.as_deref(), Some("8080"));
    assert_eq!(
        var(&e, "FX_RATE").required,
        Required::In(vec!["production".into(), "preview".into()]),
        "devDefault: required where NODE_ENV is production"
    );
    assert_eq!(
        var(&e, "FX_STAGE").required,
        Required::In(vec![
            "production".into(),
            "preview".into(),
            "development".into()
        ]),
        "testDefault"
    );
    assert_eq!(var(&e, "FX_STAGE").values, ["alpha", "beta", "ga"]);
}

#[test]
fn what_is_not_understood_is_said_with_its_place() {
    let text = r#"import { z } from "zod";
import { zPort } from "./shared";
export const env = z.object({
  A: zPort,
  B: z.string().refine((v) => v.startsWith("x")),
  C: z.preprocess((v) => process.env.VERCEL_URL ?? v, z.string()),
  D: z.string().uuid(),
  E: z.string().min(1),
}).parse(process.env);
"#;
    let s = schemas_in("env.ts", text).remove(0);
    let lines: Vec<(u32, &str)> = s
        .notes
        .iter()
        .map(|n| (n.line, n.message.as_str()))
        .collect();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(
        lines[0].0 == 4 && lines[0].1.contains("another module"),
        "{lines:?}"
    );
    assert!(
        lines[1].0 == 5 && lines[1].1.contains("refine"),
        "{lines:?}"
    );
    assert!(
        lines[2].0 == 6 && lines[2].1.contains("preprocess"),
        "{lines:?}"
    );
    assert!(lines[3].0 == 7 && lines[3].1.contains("uuid"), "{lines:?}");
    // Declared all the same (no ENV201 for them), and what was read is kept.
    assert_eq!(s.vars.len(), 5);
    assert_eq!(
        var(&s, "B").required,
        Required::Always(true),
        "refine adds, it does not remove"
    );
    assert_eq!(
        var(&s, "C").required,
        Required::Always(false),
        "preprocess: not guessed"
    );
    assert_eq!(var(&s, "E").min_length, Some(1));
}

/// A small deterministic generator, so a failing set can be replayed.
struct Rng(u64);

impl Rng {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        &items[usize::try_from(self.0 % items.len() as u64).unwrap()]
    }
}

/// Each variable's candidate values; the third of each is one the app accepts, and every set
/// starts from those and changes up to three variables.
type Pools = &'static [(&'static str, &'static [Option<&'static str>])];

const T3_POOLS: Pools = &[
    (
        "FX_DATABASE_URL",
        &[
            None,
            Some(""),
            Some("https://db.example.com/app"),
            Some("postgres://u:p@db:5432/app"),
            Some("not a url"),
        ],
    ),
    (
        "FX_AUTH_SECRET",
        &[
            None,
            Some(""),
            Some("k3Y9x2Lm4Pz7Qw8Er5Ty1Ui6Op0As3Df"),
            Some("short"),
            Some("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        ],
    ),
    (
        "FX_PORT",
        &[
            None,
            Some(""),
            Some("3000"),
            Some("0"),
            Some("65536"),
            Some("abc"),
            Some("80.5"),
            Some(" 8080 "),
            Some("0x1F90"),
            Some("Infinity"),
        ],
    ),
    (
        "FX_LOG_LEVEL",
        &[None, Some(""), Some("info"), Some("trace"), Some("DEBUG")],
    ),
    (
        "FX_REDIS_TLS",
        &[
            None,
            Some(""),
            Some("true"),
            Some("false"),
            Some("whatever"),
        ],
    ),
    (
        "FX_API_KEY",
        &[None, Some(""), Some("sk_live_123"), Some("pk_live_123")],
    ),
    ("FX_REGION", &[None, Some(""), Some("eu"), Some("us")]),
    (
        "FX_WORKERS",
        &[
            None,
            Some(""),
            Some("4"),
            Some("0"),
            Some("65"),
            Some("-1"),
            Some("2.5"),
            Some("1e1"),
        ],
    ),
    (
        "FX_ADMIN_EMAIL",
        &[
            None,
            Some(""),
            Some("ops@example.com"),
            Some("nope"),
            Some("a@b"),
        ],
    ),
    (
        "FX_CODE",
        &[
            None,
            Some(""),
            Some("ABC-12"),
            Some("abc-12"),
            Some("ABC-123"),
        ],
    ),
    (
        "FX_NAME",
        &[
            None,
            Some(""),
            Some("  ab  "),
            Some("a"),
            Some("abcdefghijk"),
            Some(" x "),
        ],
    ),
    (
        "FX_KEY",
        &[
            None,
            Some(""),
            Some("12345678"),
            Some("1234567"),
            Some("123456789"),
        ],
    ),
    (
        "NEXT_PUBLIC_FX_APP_URL",
        &[
            None,
            Some(""),
            Some("https://app.example.com"),
            Some("nope"),
        ],
    ),
];

const ZOD3_POOLS: Pools = &[
    (
        "FX_REDIS_URL",
        &[
            None,
            Some(""),
            Some("redis://cache:6379"),
            Some("rediss://u:p@h:6380/0"),
            Some("nope"),
        ],
    ),
    (
        "FX_CONCURRENCY",
        &[
            None,
            Some(""),
            Some("5"),
            Some("-1"),
            Some("1.5"),
            Some("abc"),
            Some(" 7 "),
        ],
    ),
    ("FX_QUEUE", &[None, Some(""), Some("jobs"), Some(" ")]),
    (
        "FX_SENTRY_DSN",
        &[
            None,
            Some(""),
            Some("https://k@o1.ingest.sentry.io/1"),
            Some("nope"),
        ],
    ),
    (
        "FX_TIMEOUT_MS",
        &[
            None,
            Some(""),
            Some("100"),
            Some("99"),
            Some("59999"),
            Some("60000"),
            Some("1e3"),
        ],
    ),
    ("FX_MODE", &[None, Some(""), Some("fast"), Some("slow")]),
    (
        "FX_TOKEN",
        &[
            None,
            Some(""),
            Some("abcdefghij"),
            Some("short"),
            Some("abcdefghijklmnopqrstu"),
        ],
    ),
    ("FX_REGION", &[None, Some(""), Some("eu")]),
    (
        "FX_HOST",
        &[None, Some(""), Some("abc"), Some("ab"), Some("   ")],
    ),
    (
        "FX_LABEL",
        &[None, Some(""), Some(" abcd "), Some("   "), Some(" a ")],
    ),
];

// Left out on purpose, where env-check is stricter than envalid (docs/env-check.md says so):
// `num()` of "12abc" or "   " (parseFloat reads a prefix, or NaN of blanks that Number() reads
// as 0).
const ENVALID_POOLS: Pools = &[
    (
        "FX_API_URL",
        &[
            None,
            Some(""),
            Some("https://api.example.com"),
            Some("nope"),
        ],
    ),
    (
        "FX_PORT",
        &[
            None,
            Some(""),
            Some("8080"),
            Some("080"),
            Some("0"),
            Some("65536"),
            Some("abc"),
            Some("80.0"),
        ],
    ),
    (
        "FX_DEBUG",
        &[
            None,
            Some(""),
            Some("true"),
            Some("t"),
            Some("yes"),
            Some("TRUE"),
            Some("maybe"),
            Some("0"),
        ],
    ),
    (
        "FX_RATE",
        &[
            None,
            Some(""),
            Some("1.5"),
            Some("2"),
            Some("abc"),
            Some("-3"),
            Some(" 4"),
        ],
    ),
    (
        "FX_SMTP_HOST",
        &[
            None,
            Some(""),
            Some("smtp.example.com"),
            Some("10.0.0.1"),
            Some("-bad.example.com"),
            Some("bad host"),
            Some("::1"),
        ],
    ),
    (
        "FX_FROM",
        &[None, Some(""), Some("ops@example.com"), Some("nope")],
    ),
    (
        "FX_FLAGS",
        &[
            None,
            Some(""),
            Some("{\"a\":1}"),
            Some("{a:1}"),
            Some("[1,2]"),
        ],
    ),
    (
        "FX_STAGE",
        &[None, Some(""), Some("alpha"), Some("beta"), Some("rc")],
    ),
    ("FX_LABEL", &[None, Some(""), Some("x")]),
];

const NODE_ENVS: [&str; 3] = ["production", "development", "test"];

/// The variables env-check rejects in one set.
fn ours(schema: &CodeSchema, values: &BTreeMap<&str, Option<&str>>, node_env: &str) -> Vec<String> {
    let mut bad: Vec<String> = schema
        .vars
        .iter()
        .filter(|d| {
            check_var(
                &d.name,
                &d.var,
                values.get(d.name.as_str()).copied().flatten(),
                node_env,
            )
            .iter()
            .any(|p| matches!(p.code, "ENV101" | "ENV103" | "ENV104"))
        })
        .map(|d| d.name.clone())
        .collect();
    bad.sort();
    bad
}

fn agree(fixture: &str, pools: Pools, seed: u64) {
    let schema = read(fixture);
    let mut rng = Rng(seed);
    let sets: Vec<(String, BTreeMap<&str, Option<&str>>)> = (0..60)
        .map(|_| {
            let node_env = (*rng.pick(&NODE_ENVS)).to_owned();
            let mut values: BTreeMap<&str, Option<&str>> =
                pools.iter().map(|(n, pool)| (*n, pool[2])).collect();
            for _ in 0..*rng.pick(&[0, 1, 1, 2, 3]) {
                let (name, pool) = rng.pick(pools);
                values.insert(name, *rng.pick(pool));
            }
            (node_env, values)
        })
        .collect();
    let json = serde_json::Value::Array(
        sets.iter()
            .map(|(node_env, values)| serde_json::json!({ "node_env": node_env, "values": values }))
            .collect(),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sets.json");
    std::fs::write(&file, json.to_string()).unwrap();
    let npm = npm_dir();
    let out = Command::new("node")
        .arg(npm.join("agree.mjs"))
        .arg(npm.join("schemas").join(fixture))
        .arg(&file)
        .current_dir(&npm)
        .output()
        .expect("node is not installed: this test runs the schemas under Node 20 (apt-get install nodejs)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(theirs.len(), sets.len());
    let mut rejected = 0;
    let mut disagree = Vec::new();
    for ((node_env, values), app) in sets.iter().zip(&theirs) {
        let mine = ours(&schema, values, node_env);
        rejected += usize::from(!app.is_empty());
        if &mine != app {
            disagree.push(format!("NODE_ENV={node_env} {values:?}\n  the app rejects {app:?}\n  env-check rejects {mine:?}"));
        }
    }
    assert!(
        disagree.is_empty(),
        "{fixture}: {} of 60 sets differ:\n{}",
        disagree.len(),
        disagree.join("\n")
    );
    // Both outcomes occur, so the comparison says something.
    assert!(
        rejected > 5 && rejected < 60,
        "{fixture}: {rejected} of 60 sets rejected"
    );
}

#[test]
fn t3_env_accepts_and_rejects_what_env_check_does() {
    agree("t3.mjs", T3_POOLS, 0x9E37_79B9_7F4A_7C15);
}

#[test]
fn zod_accepts_and_rejects_what_env_check_does() {
    agree("zod3.mjs", ZOD3_POOLS, 0xD1B5_4A32_D192_ED03);
}

#[test]
fn envalid_accepts_and_rejects_what_env_check_does() {
    agree("envalid.mjs", ENVALID_POOLS, 0x2545_F491_4F6C_DD1D);
}
