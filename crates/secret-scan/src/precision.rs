//! What keeps secret-scan from crying wolf: placeholders, documented example keys, obviously
//! fake values, public-by-design keys, and the judgement behind the generic rule.
//!
//! Every rule's match passes [`is_placeholder`] and [`looks_fake`] before it becomes a finding;
//! the generic rule additionally has to pass [`generic_secret`].

use crate::rules::{Candidate, claim, jwt_claims};

/// Words and shapes that mark a value as a placeholder, not a secret.
const PLACEHOLDER_MARKERS: &[&str] = &[
    "xxxx",
    "your",
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "replace",
    "dummy",
    "redacted",
    "sample",
    "insert",
    "<",
    ">",
    "${",
    "{{",
    "%s",
    "process.env",
    "os.environ",
    "getenv",
    "****",
    "...",
    "todo",
    "fixme",
    "fake",
    "here",
    "secret_value",
];

/// Example credentials that providers publish in their documentation (and that tutorials and
/// SDK tests copy everywhere): none of them opens anything.
const KNOWN_EXAMPLES: &[&str] = &[
    // AWS's documentation.
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    // Stripe's API reference, over the years (test mode, on Stripe's own demo account).
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
    "sk_test_26PHem9AhJZvU623DfE1x4sd",
    // Slack's OAuth documentation.
    "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
    // Mailgun's samples domain.
    "key-3ax6xnjp29jd6fds4gc373sgvjxteol0",
    // Telegram's Bot API documentation.
    "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
    // jwt.io's example token.
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
];

/// Default passwords of local setups and documentation.
const DEFAULT_PASSWORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pw",
    "postgres",
    "root",
    "secret",
    "example",
    "changeme",
    "admin",
    "test",
    "user",
    "mysql",
    "redis",
    "mongo",
    "guest",
    "default",
    "pwd",
    "foobared",
    "password123",
    "admin123",
    "letmein",
    "qwerty",
    "123456",
    "12345678",
    "hunter2",
];

/// Prefixes of keys that are public by design.
const PUBLIC_PREFIXES: &[&str] = &["pk_live_", "pk_test_", "sb_publishable_", "phc_", "pk."];

/// A placeholder or template rather than a value: `your-key-here`, `<TOKEN>`, `${VAR}`,
/// `process.env.X`, `xxxx`, `changeme`, a documented example key.
pub fn is_placeholder(value: &str) -> bool {
    if KNOWN_EXAMPLES.contains(&value) {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    // Documentation's `my_api_key`, `my-secret-token`, `mySecretValue`.
    let mine = ["my_", "my-", "my."].iter().any(|p| lower.starts_with(p))
        || (value.starts_with("my") && value.as_bytes().get(2).is_some_and(u8::is_ascii_uppercase));
    mine || PLACEHOLDER_MARKERS.iter().any(|m| marker_in(value, &lower, m))
        || lower.starts_with('$')
        // A format string or template hole: `{password}`, `{a62:24}`.
        || (lower.contains('{') && lower.contains('}'))
}

/// Whether `marker` stands in `value` as a word someone wrote (`your_key_here`, `FAKE-TOKEN`,
/// `sk_test_fake123`), not as letters that a random token happens to contain (`…z2EfaKex3…`,
/// `…Q7hereB…`): a word marker must be in one case and end at a non-letter or the value's
/// edge on at least one side. Markers with other characters (`<`, `${`, `...`) and runs
/// (`xxxx`) count anywhere.
fn marker_in(value: &str, lower: &str, marker: &str) -> bool {
    if !marker.bytes().all(|b| b.is_ascii_lowercase()) || marker == "xxxx" {
        return lower.contains(marker);
    }
    let bytes = value.as_bytes();
    let not_letter = |i: Option<usize>| {
        i.and_then(|i| bytes.get(i))
            .is_none_or(|b| !b.is_ascii_alphabetic())
    };
    lower.match_indices(marker).any(|(at, _)| {
        let word = &value[at..at + marker.len()];
        let one_case = word.bytes().all(|b| b.is_ascii_lowercase())
            || word.bytes().all(|b| b.is_ascii_uppercase());
        one_case && (not_letter(at.checked_sub(1)) || not_letter(Some(at + marker.len())))
    })
}

/// Whether base64 `encoded` is `user:password` with a real password: at least 6 characters,
/// not a placeholder and not a default (`Authorization: Basic`, Docker's `auths`).
pub fn decodes_to_real_login(encoded: &str) -> bool {
    let Some(bytes) = opskit::encoding::decode_base64(encoded) else {
        return false;
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return false;
    };
    text.split_once(':').is_some_and(|(_, password)| {
        password.len() >= 6 && !is_placeholder(password) && !is_default_password(password)
    })
}

/// A default password of a local setup or documentation (`postgres`, `foobared`, …).
pub fn is_default_password(value: &str) -> bool {
    DEFAULT_PASSWORDS.contains(&value.to_ascii_lowercase().as_str())
}

/// An obviously fake value: `ghp_000…`, `AAAAAAAA…`, `0123456789`, `abcdefghij`, or too few
/// distinct characters for its length. `multiline` values (PEM bodies) may repeat characters.
pub fn looks_fake(value: &str, multiline: bool) -> bool {
    let lower = value.to_ascii_lowercase();
    if [
        "0123456789",
        "123456789",
        "abcdefghij",
        "abcdef123456",
        "1234567890",
    ]
    .iter()
    .any(|s| lower.contains(s))
    {
        return true;
    }
    if multiline {
        return false;
    }
    let distinct = {
        let mut seen = [false; 256];
        value
            .bytes()
            .filter(|&b| !std::mem::replace(&mut seen[usize::from(b)], true))
            .count()
    };
    if value.len() >= 16 && distinct <= 6 {
        return true;
    }
    longest_run(value) >= 8
}

fn longest_run(value: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut last = None;
    for b in value.bytes() {
        if Some(b) == last {
            run += 1;
        } else {
            run = 1;
            last = Some(b);
        }
        best = best.max(run);
    }
    best
}

/// For a JWT, whether it is public by design (a Supabase `anon` key, sent to browsers) or
/// published (the local keys of `supabase start`, `iss` `supabase-demo`); `None` when the
/// value is not a JWT.
pub fn is_public_jwt(value: &str) -> Option<bool> {
    jwt_claims(value).map(|claims| {
        claim(&claims, "role").as_deref() == Some("anon")
            // The Supabase CLI's local stack signs both its keys with a secret it publishes.
            || claim(&claims, "iss").as_deref() == Some("supabase-demo")
    })
}

/// Shannon entropy in bits per character.
pub fn entropy(value: &str) -> f64 {
    opskit::env::schema::entropy(value)
}

/// How many of lower case, upper case, digits and symbols a value uses.
fn classes(value: &str) -> usize {
    let has = |f: fn(&u8) -> bool| value.as_bytes().iter().any(f);
    [
        has(u8::is_ascii_lowercase),
        has(u8::is_ascii_uppercase),
        has(u8::is_ascii_digit),
        has(u8::is_ascii_punctuation),
    ]
    .into_iter()
    .filter(|&b| b)
    .count()
}

/// Long enough, random enough, and not a placeholder.
pub fn looks_random(value: &str, min_len: usize, min_entropy: f64) -> bool {
    value.len() >= min_len
        && entropy(value) >= min_entropy
        && classes(value) >= 2
        && !is_placeholder(value)
        && !looks_fake(value, false)
}

/// Source files where an unquoted right-hand side is an expression, not a value. Source maps
/// count: their `sourcesContent` is code inside JSON strings, where a quoted literal shows up
/// as `\"…\"` and an unquoted right-hand side is an expression.
fn is_code(path: &str) -> bool {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(
        ext,
        "ts" | "tsx"
            | "js"
            | "jsx"
            | "mjs"
            | "cjs"
            | "mts"
            | "cts"
            | "py"
            | "go"
            | "rs"
            | "rb"
            | "java"
            | "kt"
            | "cs"
            | "php"
            | "swift"
            | "scala"
            | "vue"
            | "svelte"
            | "astro"
            | "map"
    )
}

/// Name endings that hold identifiers, sizes, paths or switches, never the secret itself.
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "id",
    "_name",
    "name",
    "_url",
    "_uri",
    "_path",
    "path",
    "_file",
    "file",
    "_dir",
    "_header",
    "header",
    "_prefix",
    "prefix",
    "_type",
    "type",
    "_length",
    "_len",
    "_size",
    "_ttl",
    "ttl",
    "_expiry",
    "_expires",
    "expiresin",
    "_algorithm",
    "_alg",
    "_field",
    "_env",
    "_version",
    "_mode",
    "_enabled",
    "_count",
    "_max",
    "_min",
    "_timeout",
    "_region",
    "_hint",
    "_endpoint",
    "endpoint",
    "_format",
    "_label",
    "_ref",
    "_arn",
    "_policy",
    "_scope",
    "_scopes",
    "_kind",
    "_at",
    "_host",
    "_port",
    "_user",
    "_username",
    "username",
    "_email",
    "_issuer",
    "_audience",
    "_location",
    "_bucket",
    "_table",
    "_column",
    "_index",
    "_key_id",
    "keyid",
];

/// Whether a name sounds like it holds a secret: a secret word in it, a key that is only
/// `pass` (nodemailer's `auth: { user, pass }`), or an UPPER_SNAKE name ending in `_KEY`.
fn secret_sounding(name: &str) -> bool {
    let lname = name.to_ascii_lowercase();
    // `_key` only counts as a secret name in UPPER_SNAKE environment names (ENCRYPTION_KEY);
    // in code, primaryKey, cacheKey and queryKey are not.
    let secretish = [
        "secret",
        "token",
        "passw",
        "pwd",
        "passphrase",
        "apikey",
        "api_key",
        "api-key",
        "access_key",
        "accesskey",
        "private_key",
        "privatekey",
        "credential",
    ]
    .iter()
    .any(|w| lname.contains(w))
        || lname.trim_matches(|ch| ch == '"' || ch == '\'') == "pass";
    let upper_env = name
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    secretish || lname.ends_with("_key") && upper_env
}

/// The generic rule's judgement: the name sounds secret, the value is a literal, looks random,
/// and is not one of the public or structured values that share those traits.
pub fn generic_secret(c: &Candidate<'_>) -> bool {
    let name = c.name.unwrap_or_default();
    let lname = name.to_ascii_lowercase();
    let value = c.secret;
    if lname.contains("public") || lname.contains("publishable") || lname.contains("tokenizer") {
        return false;
    }
    if NOT_SECRET_SUFFIXES.iter().any(|s| lname.ends_with(s)) {
        return false;
    }
    if !secret_sounding(name) {
        return false;
    }
    // A URL's query parameter (`…?alt=media&token=…`) is the URL rules' business, and a value
    // that repeats its own name (`password: "password-for-30001"`) is documentation.
    let lvalue = value.to_ascii_lowercase();
    if c.line.contains(&format!("&{name}=")) || c.line.contains(&format!("?{name}=")) {
        return false;
    }
    if [
        "passw",
        "secret",
        "token",
        "apikey",
        "api_key",
        "credential",
    ]
    .iter()
    .any(|w| lname.contains(w) && lvalue.contains(w))
    {
        return false;
    }
    if !c.quoted && is_code(c.path) {
        return false;
    }
    // A quoted value that goes on past a space is a sentence, such as a translated message
    // (`"incorrect-username-password": "Pengguna/kata laluan tidak betul."`), not a key.
    if c.quoted
        && c.file
            .get(c.at + value.len())
            .is_some_and(|b| *b == b' ' || *b == b'\t')
    {
        return false;
    }
    // A bare `password:` / `token:` / `secret:` in code is judged by the object it stands in:
    // beside a host, a port, a URL or a user (a client's connection options) it is a
    // credential; alone it must look like a key on its own.
    let bare = matches!(
        lname.trim_matches(|ch| ch == '"' || ch == '\''),
        "password" | "pass" | "pwd" | "passwd" | "token" | "secret" | "passphrase"
    );
    if bare && is_code(c.path) && !beside_connection_keys(c.around(240)) {
        return looks_random(value, 20, 3.5);
    }
    if !value.bytes().all(|b| b.is_ascii_graphic())
        || value.contains("://")
        || value.starts_with("sha1-")
        || value.starts_with("sha256-")
        || value.starts_with("sha384-")
        || value.starts_with("sha512-")
        || (value.starts_with('/') && !base64_like(value))
        || value.starts_with("./")
        || value.starts_with("~/")
        || PUBLIC_PREFIXES.iter().any(|p| value.starts_with(p))
    {
        return false;
    }
    if let Some(public) = is_public_jwt(value) {
        return !public;
    }
    if is_code_expression(value) || is_secret_store_reference(value) {
        return false;
    }
    // Identifiers and constants: `prod/agent-platform/openrouter`, `users:list:v2`, `MY_SECRET`.
    let identifier = value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b"-_.:/".contains(&b) || b.is_ascii_digit())
        && value.bytes().filter(u8::is_ascii_digit).count() * 4 < value.len();
    // camelCase and PascalCase words: `previewModeSigningKey`, `TSPrivateKeyword`.
    let letters_only = value.bytes().all(|b| b.is_ascii_alphabetic());
    let camel =
        letters_only && value.bytes().filter(u8::is_ascii_uppercase).count() * 4 <= value.len();
    if identifier
        || camel
        || value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit())
    {
        return false;
    }
    let password = ["passw", "pwd", "passphrase"]
        .iter()
        .any(|w| lname.contains(w))
        || lname.trim_matches(|ch| ch == '"' || ch == '\'') == "pass";
    if password {
        return !is_default_password(value) && looks_random(value, 8, 2.5);
    }
    looks_random(value, 16, 3.0)
}

/// A value that starts with `/` and yet is base64, not a path: padding or `+`, or a
/// `/`-separated piece of 12 or more characters mixing upper case, lower case and digits
/// (`/yMJbpwr30a0a2/3lhsooEnNYZfHXiDSffz/RGO3dHq7`). Paths are words: `/run/secrets/db`.
fn base64_like(value: &str) -> bool {
    value.len() >= 20
        && (value.contains('+')
            || value.ends_with('=')
            || value.split('/').any(|piece| {
                piece.len() >= 12
                    && piece.bytes().any(|b| b.is_ascii_uppercase())
                    && piece.bytes().any(|b| b.is_ascii_lowercase())
                    && piece.bytes().any(|b| b.is_ascii_digit())
                    && piece.bytes().all(|b| b.is_ascii_alphanumeric())
            }))
}

/// Keys that make an object a client's connection options.
const CONNECTION_KEYS: &[&str] = &[
    "host",
    "hostname",
    "port",
    "url",
    "uri",
    "username",
    "user",
    "database",
    "db",
    "connection",
    "endpoint",
    "server",
    "tls",
];

/// Whether `text` names one of [`CONNECTION_KEYS`] as an object key (`host:`, `"port":`,
/// `url =`) or is a client constructor call.
fn beside_connection_keys(text: &[u8]) -> bool {
    let text = String::from_utf8_lossy(text).to_ascii_lowercase();
    if [
        "new redis(",
        "new ioredis(",
        "createclient(",
        "postgres(",
        "new pool(",
        "new client(",
    ]
    .iter()
    .any(|call| text.contains(call))
    {
        return true;
    }
    let bytes = text.as_bytes();
    CONNECTION_KEYS.iter().any(|key| {
        text.match_indices(key).any(|(at, _)| {
            let before = at.checked_sub(1).map(|i| bytes[i]);
            let starts = before.is_none_or(|b| !(b.is_ascii_alphanumeric() || b == b'_'));
            let mut i = at + key.len();
            if matches!(bytes.get(i), Some(b'"' | b'\'')) {
                i += 1;
            }
            while bytes.get(i) == Some(&b' ') {
                i += 1;
            }
            starts && matches!(bytes.get(i), Some(b':' | b'='))
        })
    })
}

/// A reference to a platform's secret store rather than a secret: Vercel's `@name` secrets
/// (`"API_KEY": "@openrouter-key"` in vercel.json). `${{ secrets.X }}` (GitHub Actions) and
/// `${{shared.X}}` (Railway) are template holes, which [`is_code_expression`] already refuses.
pub fn is_secret_store_reference(value: &str) -> bool {
    value.strip_prefix('@').is_some_and(|name| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
    })
}

/// A value that is code, not a literal: a call (`z.string().min(1)`, `Math.min(a, b)`), a
/// member access (`process.env.JWT_SECRET`, `config.auth.secret`), a template hole
/// (`${token}`), an index or an object literal. Documentation snippets and unquoted
/// assignments in config templates are full of them.
pub fn is_code_expression(value: &str) -> bool {
    if value.contains("${") || value.bytes().any(|b| b"()[]{}".contains(&b)) {
        return true;
    }
    // `a.b.c`: identifier segments joined by dots, with few digits (a random token with a dot
    // in it has digits and mixed case throughout).
    let segments: Vec<&str> = value.split('.').collect();
    segments.len() >= 2
        && segments.iter().all(|s| {
            let mut b = s.bytes();
            b.next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_' || c == b'$')
                && b.all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
        })
        && value.bytes().filter(u8::is_ascii_digit).count() * 5 < value.len()
}

/// Whether the text before a value on its line opens a comment: a line comment (`//`, `#`,
/// `--`), a block or doc comment (`/*`, ` * `) or an HTML comment. `//` after a `:` is a URL.
pub fn in_comment(before: &[u8]) -> bool {
    let text = String::from_utf8_lossy(before);
    let trimmed = text.trim_start();
    if ["//", "#", "/*", "*", "<!--", "--"]
        .iter()
        .any(|m| trimmed.starts_with(m))
    {
        return true;
    }
    text.match_indices("//")
        .any(|(at, _)| at == 0 || text.as_bytes()[at - 1] != b':')
        || text.contains("/*")
}

/// A documentation file (Markdown, MDX, reStructuredText, AsciiDoc, plain text).
pub fn is_doc(path: &str) -> bool {
    let ext = path
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    matches!(
        ext.as_str(),
        "md" | "mdx" | "markdown" | "rst" | "adoc" | "txt"
    )
}

/// A command line that talks to this machine: `-h localhost`, `127.0.0.1`, `::1`, a
/// `localhost` URL, or no host at all (the client's default is the local server).
pub fn targets_local_host(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    if [
        "localhost",
        "127.0.0.1",
        "0.0.0.0",
        "[::1]",
        "host.docker.internal",
    ]
    .iter()
    .any(|h| lower.contains(h))
    {
        return true;
    }
    let names_a_host = [" -h ", " -h=", "--host", "://", " -u http", "@"]
        .iter()
        .any(|h| lower.contains(h));
    !names_a_host
}

#[cfg(test)]
mod tests {
    use super::*;

    // See: issue 22. A random token that happens to hold a marker's letters is not a placeholder.
    #[test]
    fn markers_are_words_not_letters_inside_random_tokens() {
        for placeholder in [
            "your_api_key_here",
            "FAKE-TOKEN",
            "sk_test_fake123",
            "fake",
            "<token>",
            "AKIAXXXXXXXXXXXXXXXX",
            "replace-me",
            "insert your key",
            "TODO",
        ] {
            assert!(is_placeholder(placeholder), "{placeholder}");
        }
        for token in [
            "lin_api_AmJLu3v0UD1izJ4M1kj7WOA9z2EfaKex3tJkn1tL",
            "Q7khereBx9KdLmP2vW4yZ",
            "ghp_aYourB7cD8eF9gH0iJ1kL2mN3oP4qR5sT6uV",
        ] {
            assert!(!is_placeholder(token), "{token}");
        }
    }

    #[test]
    fn code_expressions_are_not_values() {
        for v in [
            "z.string().min(1)",
            "process.env.JWT_SECRET",
            "config.auth.secret",
            "Math.min(a,b)",
            "${token}",
            "env[\"KEY\"]",
            "{token}",
        ] {
            assert!(is_code_expression(v), "{v}");
        }
        for v in [
            "q8Zr3LmN0pXvT6wYbK2s",
            "k3Y.9xQ2mZ7pL4vR8tW1",
            "aB3dE5gH7jK9",
        ] {
            assert!(!is_code_expression(v), "{v}");
        }
    }

    #[test]
    fn local_command_lines() {
        assert!(targets_local_host("redis-cli -a localdev123 ping"));
        assert!(targets_local_host(
            "redis-cli -h localhost -a s3cr3tPass ping"
        ));
        assert!(targets_local_host("PGPASSWORD=x psql -h 127.0.0.1 -U app"));
        assert!(!targets_local_host(
            "redis-cli -h cache.internal -a s3cr3tPass ping"
        ));
        assert!(!targets_local_host(
            "curl -u deploy:x https://ci.internal/api"
        ));
        assert!(is_doc("docs/SETUP.md") && is_doc("README.mdx") && !is_doc("src/a.ts"));
    }

    #[test]
    fn placeholders() {
        for p in [
            "your-key-here",
            "<TOKEN>",
            "${VAR}",
            "process.env.KEY",
            "xxxxxxxx",
            "changeme",
            "AKIAIOSFODNN7EXAMPLE",
            "$TOKEN",
            "sk-...",
            "{{ secrets.X }}",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        assert!(!is_placeholder("q8Zr3LmN0pXvT6wYbK2s"));
    }

    #[test]
    fn fakes() {
        assert!(looks_fake(
            "ghp_000000000000000000000000000000000000",
            false
        ));
        assert!(looks_fake("sk_live_0123456789abcdef", false));
        assert!(looks_fake(
            "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            false
        ));
        let real = crate::fake::expand("ghp_{a62:36}", &mut crate::fake::Rng::new(3));
        assert!(!looks_fake(&real, false));
        assert!(!looks_fake(
            "MIIEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            true
        ));
    }

    #[test]
    fn randomness() {
        assert!(looks_random("q8Zr3LmN0pXvT6wYbK2s", 16, 3.0));
        assert!(!looks_random("aaaaaaaaaaaaaaaaaaaaab", 16, 3.0));
        assert!(!looks_random("short1A", 16, 3.0));
    }
}
