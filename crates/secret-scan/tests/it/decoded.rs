//! Issue 22's recall and precision cases that a rule's own examples cannot show: encoded text
//! (a Kubernetes Secret's base64 `data:`, a UTF-16 `.env`), values longer than the line window,
//! values judged by the object they stand in, and findings that drop a level in declarations,
//! documents and comments.

use opskit::report::Severity;
use opskit_secret_scan::fake::{Rng, expand};
use opskit_secret_scan::scan::{Scanner, Settings};
use opskit_secret_scan::{Options, scan_paths};

fn scanner() -> Scanner {
    Scanner::new(&Settings::default(), None).unwrap()
}

fn codes(hits: &[opskit_secret_scan::engine::Hit]) -> Vec<(&'static str, u32)> {
    hits.iter().map(|h| (h.rule.code, h.line)).collect()
}

// See: issue 22. Every credential of a deployment sits base64-encoded in its Secret.
#[test]
fn r22_a_kubernetes_secret_is_read_decoded() {
    let mut rng = Rng::new(7);
    let url = expand(
        "postgres://app:{a62:20}@db.internal.example.net:5432/app",
        &mut rng,
    );
    let token = expand("ghp_{a62:36}", &mut rng);
    let b64 = |s: &str| opskit::encoding::encode_base64(s.as_bytes());
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: worker\ntype: Opaque\ndata:\n  DATABASE_URL: {}\n  GITHUB_TOKEN: \"{}\"\n  LOG_LEVEL: {}\n---\napiVersion: v1\nkind: ConfigMap\ndata:\n  TOKEN: {}\n",
        b64(&url),
        b64(&token),
        b64("info"),
        b64(&token),
    );
    let hits = scanner().scan_bytes("k8s/worker-secret.yaml", manifest.as_bytes());
    // The ConfigMap is not decoded: its base64 is judged as it stands (random, under a secret
    // name), by the generic rule.
    assert_eq!(
        codes(&hits),
        [("SEC010", 7), ("SEC027", 8), ("SEC072", 14)],
        "{hits:#?}"
    );
    assert!(hits[..2].iter().all(|h| h.via.is_some()) && hits[2].via.is_none());
    // Reported where the encoded value stands, so the line is the one to fix.
    assert_eq!(hits[0].column, 17);
    // The same file under another extension is not a manifest.
    assert!(
        scanner()
            .scan_bytes("worker-secret.txt", manifest.as_bytes())
            .iter()
            .all(|h| h.via.is_none())
    );
}

// See: issue 22. A `.env` written by PowerShell is UTF-16; its secrets are still secrets.
#[test]
fn r22_a_utf16_env_file_is_scanned_as_text() {
    let token = expand("sk-or-v1-{hex:64}", &mut Rng::new(3));
    let text = format!("# written by Out-File\r\nOPENROUTER_API_KEY={token}\r\n");
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), &bytes).unwrap();
    let outcome = scan_paths(&[dir.path().to_owned()], &Options::default()).unwrap();
    let found: Vec<_> = outcome
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.location.as_ref().unwrap().line))
        .collect();
    assert_eq!(found, [("SEC001", Some(2))], "{:#?}", outcome.findings);
    assert!(outcome.stats.binary_content.is_empty());
}

// See: issue 22. A value that runs past the line window is read whole.
#[test]
fn r22_a_long_value_on_a_long_line_is_read_whole() {
    let mut rng = Rng::new(11);
    // A service_role JWT with a large payload: about 1.6 KB, past the 1 KiB window.
    let claims = format!(
        r#"{{"iss":"supabase","ref":"abcdefghijklmnopqrst","role":"service_role","iat":1735689600,"exp":2051222400,"pad":"{}"}}"#,
        expand("{a62:1100}", &mut rng)
    );
    let jwt = format!(
        "{}.{}.{}",
        opskit::encoding::encode_base64url(br#"{"alg":"HS256","typ":"JWT"}"#),
        opskit::encoding::encode_base64url(claims.as_bytes()),
        expand("{b64u:43}", &mut rng)
    );
    let bundle = format!(
        "{}var k=\"{jwt}\";{}\n",
        "a=1;".repeat(400),
        "b=2;".repeat(400)
    );
    let hits = scanner().scan_bytes("dist/app.js", bundle.as_bytes());
    assert_eq!(codes(&hits), [("SEC016", 1)]);
    assert_eq!(
        hits[0].secret, jwt,
        "the whole token, not the part inside the window"
    );
}

// See: issue 22. `password:` and `token:` in code are judged by the object they stand in.
#[test]
fn r22_bare_keyword_names_in_code_are_judged_by_their_neighbours() {
    let s = scanner();
    let connection = "export const connection = {\n  host: process.env.REDIS_HOST,\n  port: 6379,\n  password: 'Xk9mP2qLw7Rt',\n};\n";
    assert_eq!(
        codes(&s.scan_bytes("src/queue.ts", connection.as_bytes())),
        [("SEC072", 4)]
    );
    let upstash = "const redis = new Redis({\n  url: 'https://eu1-good-fox-30001.upstash.io',\n  token: 'AXk9mP2qLw7RtB3vN8cZq4Hs6Jd1Ug5Yb0Ef',\n});\n";
    assert_eq!(
        codes(&s.scan_bytes("src/cache.ts", upstash.as_bytes())),
        [("SEC019", 3)]
    );
    // The same short value alone in a form's state is not a credential.
    let form = "const initial = {\n  title: 'Sign in',\n  password: 'Xk9mP2qLw7Rt',\n};\n";
    assert!(s.scan_bytes("src/form.tsx", form.as_bytes()).is_empty());
}

// See: issue 22. Names found by name alone drop a level in declarations, docs and comments.
#[test]
fn r22_low_confidence_findings_drop_a_level_in_declarations_docs_and_comments() {
    let s = scanner();
    let value = expand("{a62:32}", &mut Rng::new(5));
    let plain = format!("WEBHOOK_SECRET=\"{value}\"\n");
    let severity = |path: &str, text: &str| {
        let hits = s.scan_bytes(path, text.as_bytes());
        assert_eq!(hits.len(), 1, "{path}: {hits:?}");
        hits[0].severity
    };
    assert_eq!(severity("config/app.env", &plain), Severity::Error);
    assert_eq!(severity("docs/SETUP.md", &plain), Severity::Warning);
    assert_eq!(
        severity(
            "types/index.d.ts",
            &format!("/** e.g. */ declare const x: {{ apiKey: \"{value}\" }};\n")
        ),
        Severity::Warning
    );
    assert_eq!(
        severity(
            "src/app.ts",
            &format!("// const webhookSecret = \"{value}\";\n")
        ),
        Severity::Warning
    );
    // A provider's own format is as sure in a comment as anywhere.
    let token = expand("ghp_{a62:36}", &mut Rng::new(6));
    assert_eq!(
        severity("src/app.ts", &format!("// GITHUB_TOKEN={token}\n")),
        Severity::Error
    );
}

// See: issue 22. Credentials in the configuration files of the tools teams use.
#[test]
fn r22_tool_config_files() {
    let s = scanner();
    let mut rng = Rng::new(9);
    let netrc = expand(
        "machine api.heroku.com\n  login ops@example.com\n  password {uuid}\n",
        &mut rng,
    );
    assert_eq!(
        codes(&s.scan_bytes(".netrc", netrc.as_bytes())),
        [("SEC073", 3)]
    );
    let docker = expand(
        "{\n  \"auths\": {\n    \"ghcr.io\": {\n      \"auth\": \"{basic}\"\n    }\n  }\n}\n",
        &mut rng,
    );
    assert_eq!(
        codes(&s.scan_bytes(".docker/config.json", docker.as_bytes())),
        [("SEC075", 4)]
    );
    let pypirc = expand(
        "[internal]\nusername = deploy\npassword = {a62:18}\n",
        &mut rng,
    );
    assert_eq!(
        codes(&s.scan_bytes("home/.pypirc", pypirc.as_bytes())),
        [("SEC074", 3)]
    );
    // Only in a .pypirc: elsewhere the name alone decides (the generic rule).
    assert_eq!(
        codes(&s.scan_bytes("settings.ini", pypirc.as_bytes())),
        [("SEC072", 3)]
    );
    let sentry = expand("[auth]\ntoken={hex:64}\n", &mut rng);
    assert_eq!(
        codes(&s.scan_bytes(".sentryclirc", sentry.as_bytes())),
        [("SEC076", 2)]
    );
}
