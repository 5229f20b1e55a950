//! Secrets known by where they stand rather than by their format: `Authorization` headers,
//! passwords on command lines, and the generic rule for random values assigned to
//! secret-sounding names.

use std::ops::Range;

use super::{BASE, Candidate, Confidence, Kind, Rule};
use crate::precision;

/// A bearer token that is not a template and not a public JWT (a Supabase anon key sent as
/// `Authorization: Bearer` is public by design).
fn real_bearer(c: &Candidate<'_>) -> bool {
    if let Some(public) = precision::is_public_jwt(c.secret) {
        return !public;
    }
    precision::looks_random(c.secret, 20, 3.0)
}

/// `Basic` credentials that decode to `user:password` with a real password.
fn real_basic(c: &Candidate<'_>) -> bool {
    precision::decodes_to_real_login(c.secret)
}

/// The generic rule's match is `NAME OP VALUE` with the keyword inside NAME: at most 61
/// characters of name before the keyword, at most 30 name characters after it, an optional
/// quote, spaces, then `=`, `:`, `:=` or `=>`. So a keyword not followed by that shape cannot
/// start a match, and one that is needs only the span from 61 bytes before it to the end of the
/// value. In minified bundles, where `token` and `key` occur every few hundred bytes, this
/// keeps the pattern off the rest of the line. Non-ASCII bytes are let through as possible
/// Unicode spaces (the pattern's `\s` is Unicode-aware), so the span is never too small.
fn assignment_window(data: &[u8], hit: Range<usize>, line: Range<usize>) -> Option<Range<usize>> {
    let at = |i: usize| (i < line.end).then(|| data[i]);
    let mut i = hit.end;
    while i < hit.end + 30 && at(i).is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
        i += 1;
    }
    if matches!(at(i), Some(b'"' | b'\'')) {
        i += 1;
    }
    while at(i).is_some_and(|b| b.is_ascii_whitespace() || !b.is_ascii()) {
        i += 1;
    }
    if !matches!(at(i), Some(b'=' | b':')) {
        return None;
    }
    while matches!(at(i), Some(b'=' | b':' | b'>')) {
        i += 1;
    }
    while at(i).is_some_and(|b| b.is_ascii_whitespace() || !b.is_ascii()) {
        i += 1;
    }
    if matches!(at(i), Some(b'"' | b'\'' | b'`')) {
        i += 1;
    }
    while at(i).is_some_and(|b| !(b.is_ascii_whitespace() || b"\"'`,;".contains(&b))) {
        i += 1;
    }
    Some(hit.start.saturating_sub(61).max(line.start)..i.min(line.end))
}

fn real_cli_password(c: &Candidate<'_>) -> bool {
    !precision::is_default_password(c.secret) && precision::looks_random(c.secret, 6, 2.0)
}

pub(super) const RULES: &[&Rule] = &[
    &Rule {
        code: "SEC069",
        id: "authorization-bearer",
        title: "Bearer token in an Authorization header",
        impact: "Calls the API the header is sent to, as whoever the token belongs to.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["bearer", "authorization"],
        patterns: &[
            r#"(?i)\bauthorization["']?\s*[:=]\s*["'`]?(?:bearer|token)\s+(?P<s>[A-Za-z0-9._~+/=_-]{20,})"#,
        ],
        validate: Some(real_bearer),
        rotate: "revoke the token with the service that issued it",
        examples: &[
            "curl -H \"Authorization: Bearer {a62:40}\" https://api.internal.example.net/v1/jobs",
            "headers: { Authorization: 'Bearer {b64u:48}' },",
        ],
        counter_examples: &[
            "curl -H \"Authorization: Bearer $UPSTASH_REDIS_REST_TOKEN\" https://eu2.upstash.io/get/foo",
            "headers: { Authorization: `Bearer ${token}` },",
            "Authorization: Bearer <token>",
            "Authorization: Bearer {jwt:anon}",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC070",
        id: "authorization-basic",
        title: "Basic credentials in an Authorization header",
        impact: "Logs in to the service with the encoded user and password.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["basic"],
        patterns: &[
            r#"(?i)\bauthorization["']?\s*[:=]\s*["'`]?basic\s+(?P<s>[A-Za-z0-9+/]{8,}={0,2})"#,
        ],
        validate: Some(real_basic),
        rotate: "change the password of the account",
        examples: &["Authorization: Basic {basic}"],
        counter_examples: &[
            "Authorization: Basic dXNlcjpwYXNzd29yZA==",
            "Authorization: Basic ${CREDENTIALS}",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC071",
        id: "command-line-password",
        title: "Password on a command line",
        impact: "Logs in to the service; command lines also leak through process lists and shell history.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &[
            "requirepass",
            "redis-cli",
            "pgpassword",
            "mysql",
            "--password",
            "curl",
        ],
        patterns: &[
            r#"--requirepass\s+["']?(?P<s>[^\s"'$`]{6,})"#,
            r#"(?m)^\s*requirepass\s+["']?(?P<s>[^\s"'$`]{6,})"#,
            r#"\bredis-cli\b[^\n]*?\s-a\s+["']?(?P<s>[^\s"'$`-][^\s"'`]{5,})"#,
            r#"\bPGPASSWORD=["']?(?P<s>[^\s"'$`][^\s"'`]{5,})"#,
            r#"\bmysql(?:dump|admin)?\b[^\n]*?\s-p(?P<s>[^\s"'$`-][^\s"'`]{5,})"#,
            r#"\s--(?:db-|admin-)?password[= ]["']?(?P<s>[^\s"'$`<{-][^\s"'`]{5,})"#,
            r#"\bcurl\b[^\n]*?\s(?:-u|--user)\s+["']?[^\s:"']+:(?P<s>[^\s"'$`@][^\s"'`]{5,})"#,
        ],
        validate: Some(real_cli_password),
        rotate: "change the password, then pass it through an environment variable or a file, never argv",
        examples: &[
            "redis-server --port 6379 --requirepass {a62:24}",
            "requirepass {a62:32}",
            "redis-cli -h cache.internal -a {a62:20} ping",
            "PGPASSWORD={a62:20} psql -h db.internal -U app",
            "mysqldump -u backup -p{a62:16} shop > shop.sql",
            "curl -u deploy:{a62:20} https://ci.internal/api",
        ],
        counter_examples: &[
            "redis-server --requirepass \"$REDIS_PASSWORD\"",
            "redis-cli -a $REDIS_PASSWORD ping",
            "mysql -u root -p",
            "PGPASSWORD=postgres psql -h localhost",
            "requirepass foobared",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC072",
        id: "generic-secret",
        title: "Random-looking value assigned to a secret-sounding name",
        impact: "Whatever the named credential allows.",
        confidence: Confidence::Low,
        kind: Kind::Generic,
        keywords: &[
            "secret",
            "token",
            "passw",
            "pwd",
            "passphrase",
            "api_key",
            "apikey",
            "api-key",
            "access_key",
            "accesskey",
            "private_key",
            "privatekey",
            "_key",
            "credential",
            "pass",
        ],
        patterns: &[
            r#"(?i)(?P<n>(?:[A-Za-z_][A-Za-z0-9_.-]{0,60}?)?(?:secret|token|passw(?:or)?d|pwd|passphrase|api[_-]?key|access[_-]?key|private[_-]?key|_key|credentials?)[A-Za-z0-9_]{0,30})["']?\s*(?::=|=>|=|:)\s*(?P<q>["'`]?)(?P<s>[^\s"'`,;]{8,})"#,
            // nodemailer's `auth: { user, pass }`: a key that is `pass` and nothing more.
            r#"(?i)(?:^|[\s{,(])(?P<n>["']?pass["']?)\s*(?::|=)\s*(?P<q>["'`]?)(?P<s>[^\s"'`,;]{8,})"#,
        ],
        validate: Some(precision::generic_secret),
        window: Some(assignment_window),
        rotate: "revoke the credential with the service it belongs to, then load it from the environment",
        examples: &[
            "ENCRYPTION_KEY={a62:32}",
            "JWT_SECRET=\"{b64:44}\"",
            "  webhookSecret: '{a62:32}',",
            "DB_PASSWORD={a62:14}",
            "\"api_key\": \"{hex:32}\"",
            // See: issue 22. A name that is only the keyword, as in the stack's client objects.
            "  connection: { host: 'redis-12345.c1.us-east-1.ec2.cloud.redislabs.com', port: 12345, password: '{a62:16}' },",
            "const io = new IORedis({ host: 'cache.internal', password: '{a62:14}' });",
            "const sql = postgres({ host: 'db.example.com', username: 'app', password: '{a62:14}' });",
            "password: \"{a62:16}\"",
            "  auth: { user: 'postmaster@mg.example.net', pass: '{a62:24}' },",
        ],
        counter_examples: &[
            "ENCRYPTION_KEY=your-32-character-encryption-key",
            // A translated message whose key names a password (umami's ms-MY.json).
            "    \"incorrect-username-password\": \"Pengguna/kata laluan tidak betul.\",",
            "JWT_SECRET=${JWT_SECRET}",
            "const token = process.env.API_TOKEN;",
            "const apiKey = getApiKey(config);",
            "password: \"password123\"",
            "NEXT_PUBLIC_SUPABASE_ANON_KEY={jwt:anon}",
            "\"integrity\": \"sha512-{b64:86}==\"",
            "CACHE_KEY=users:list:v2",
            "SESSION_TOKEN_TTL=3600",
            "tokenizer: 'wordpiece-basic-uncased'",
            "password: changeme",
            "secret_name = \"prod/agent-platform/openrouter\"",
            "NEXT_PUBLIC_POSTHOG_KEY=phc_{a62:43}",
            // See: issue 22. A Vercel secret reference, CI and Railway references, and a
            // documentation placeholder are not secrets.
            "    \"OPENROUTER_API_KEY\": \"@openrouter-api-key-production\",",
            "      API_TOKEN: ${{ secrets.OPENROUTER_API_TOKEN_PRODUCTION }}",
            "DATABASE_PASSWORD=${{shared.POSTGRES_PASSWORD_FOR_WORKER}}",
            "  apiKey: 'my_openrouter_api_key_7f3a9c2e1b',",
            "    { port: 30001, password: \"password-for-30001\" },",
            "  auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS },",
            "const compass = 'north-north-west';",
            "![x](https://firebasestorage.googleapis.com/v0/b/app.appspot.com/o/shot.png?alt=media&token={uuid})",
        ],
        ..BASE
    },
];
