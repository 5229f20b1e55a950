//! The env schema: what each service expects of its environment, and the validation of a set
//! of values against it.
//!
//! It lives in `opskit.toml` under `[env-check.services.NAME]`:
//!
//! ```toml
//! [env-check.services.worker]
//! dir = "apps/worker"                      # where its .env files are (default: the root)
//!
//! [env-check.services.worker.vars.ENCRYPTION_KEY]
//! type = "string"
//! secret = true
//! min_length = 32
//! required = true                          # or ["production", "preview"]
//!
//! [env-check.services.worker.vars.DATABASE_URL]
//! type = "postgres-url"
//! required = ["production"]
//! deprecated_names = ["SUPABASE_DB_URL"]
//! ```
//!
//! Built-in rules of the stack: a `secret` variable must never carry the `NEXT_PUBLIC_` prefix
//! (Next.js inlines those into the browser bundle); a secret is checked for strength, not only
//! length (`aaaa…`, `changeme…` fail however long). Messages name the variable and the rule,
//! never the value.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::env::codes::{ENV101, ENV102, ENV103, ENV104, ENV105};
use crate::report::Severity;

/// The `[env-check]` section.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// Read each workspace package's env schema from its code (t3-env, zod, envalid) and use
    /// this section on top of it [default: true].
    pub from_code: Option<bool>,
    /// Services by name.
    #[serde(default)]
    pub services: BTreeMap<String, Service>,
}

/// One service's expectations.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Where its .env files are, relative to the project root.
    pub dir: Option<PathBuf>,
    /// Expand `${VAR}` in its .env files as npm dotenv-expand does (Next.js does; plain
    /// `dotenv` does not).
    #[serde(default)]
    pub expand: bool,
    /// Where its code is, for drift (default: `dir`), relative to the project root.
    #[serde(default)]
    pub src: Vec<PathBuf>,
    /// Its `.env.example` (default: `.env.example`, `.env.sample` and `.env.template` in
    /// `dir`, else in the workspace root).
    pub example: Option<PathBuf>,
    /// Exported variable lists of this service's platform (`vercel env pull FILE`, `railway
    /// variables --json > FILE`), relative to the project root; above its .env files.
    #[serde(default)]
    pub exports: Vec<PathBuf>,
    /// Directories under `dir` that belong to other packages (not read for drift).
    #[serde(skip)]
    pub exclude: Vec<PathBuf>,
    /// Variables the code may read without declaring them (the platform sets them:
    /// `VERCEL_URL`, `RAILWAY_ENVIRONMENT`). `NODE_ENV` and `NEXT_RUNTIME` always may.
    #[serde(default)]
    pub undeclared_ok: Vec<String>,
    /// Its variables.
    #[serde(default)]
    pub vars: BTreeMap<String, Var>,
}

/// The characters `env-check generate` draws a new secret from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Charset {
    /// `0-9a-f` (what `openssl rand -hex` gives).
    Hex,
    /// Standard base64 with padding.
    Base64,
    /// URL-safe base64 without padding.
    Base64url,
    /// `A-Za-z0-9`.
    #[default]
    Alphanumeric,
}

impl Charset {
    /// `hex`, `base64`, `base64url` or `alphanumeric`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Charset::Hex => "hex",
            Charset::Base64 => "base64",
            Charset::Base64url => "base64url",
            Charset::Alphanumeric => "alphanumeric",
        }
    }
}

/// How a key's random bytes are written as text (`bytes = 32`, `encoding = "hex"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// Two hex digits per byte: `Buffer.from(value, "hex")` decodes it.
    Hex,
    /// Standard base64 with padding: `Buffer.from(value, "base64")`.
    Base64,
    /// URL-safe base64 without padding: `Buffer.from(value, "base64url")`.
    Base64url,
}

impl Encoding {
    /// `hex`, `base64` or `base64url`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Encoding::Hex => "hex",
            Encoding::Base64 => "base64",
            Encoding::Base64url => "base64url",
        }
    }

    /// The bytes `text` decodes to, if it is valid in this encoding.
    pub fn decode(self, text: &str) -> Option<Vec<u8>> {
        match self {
            Encoding::Hex => {
                let t = text.as_bytes();
                if !t.len().is_multiple_of(2) {
                    return None;
                }
                t.chunks(2)
                    .map(|pair| {
                        std::str::from_utf8(pair)
                            .ok()
                            .and_then(|p| u8::from_str_radix(p, 16).ok())
                    })
                    .collect()
            }
            Encoding::Base64 => crate::encoding::decode_base64(text),
            Encoding::Base64url => crate::encoding::decode_base64url(text),
        }
    }
}

/// A variable's type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VarType {
    /// Any text.
    #[default]
    String,
    /// A whole number.
    Int,
    /// A number as JavaScript's `Number(value)` reads it (what zod's `z.coerce.number()` accepts):
    /// decimal, exponent, `0x`/`0o`/`0b`, surrounding whitespace; finite. `integer = true` asks
    /// for a safe integer, `minimum`/`maximum` bound the value.
    Number,
    /// 1 to 65535.
    Port,
    /// true/false, 1/0, yes/no, on/off.
    Bool,
    /// A URL (`schemes` limits its scheme).
    Url,
    /// `postgres://` or `postgresql://`.
    PostgresUrl,
    /// `redis://` or `rediss://`.
    RedisUrl,
    /// An e-mail address.
    Email,
    /// A domain name or an IP address (envalid's `host()`).
    Host,
    /// One of `values`.
    Enum,
    /// JSON.
    Json,
    /// A duration such as `500ms`, `30s`, `5m`, `2h`, `1d`.
    Duration,
    /// Text matching `pattern`.
    Regex,
}

impl VarType {
    /// The name opskit.toml uses (`postgres-url`).
    pub const fn as_str(self) -> &'static str {
        match self {
            VarType::String => "string",
            VarType::Int => "int",
            VarType::Number => "number",
            VarType::Port => "port",
            VarType::Bool => "bool",
            VarType::Url => "url",
            VarType::PostgresUrl => "postgres-url",
            VarType::RedisUrl => "redis-url",
            VarType::Email => "email",
            VarType::Host => "host",
            VarType::Enum => "enum",
            VarType::Json => "json",
            VarType::Duration => "duration",
            VarType::Regex => "regex",
        }
    }
}

/// When a variable is required.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Required {
    /// Always or never.
    Always(bool),
    /// In these environments.
    In(Vec<String>),
}

impl Default for Required {
    fn default() -> Required {
        Required::Always(false)
    }
}

impl Required {
    /// Whether the variable is required in `environment`.
    pub fn applies(&self, environment: &str) -> bool {
        match self {
            Required::Always(b) => *b,
            Required::In(envs) => envs.iter().any(|e| e == environment),
        }
    }
}

/// One variable.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each bool is one opskit.toml key a user writes"
)]
#[serde(deny_unknown_fields)]
pub struct Var {
    /// Its type.
    #[serde(rename = "type", default)]
    pub kind: VarType,
    /// When it must be set.
    #[serde(default)]
    pub required: Required,
    /// The value used when it is not set (the app's own default, for documentation).
    pub default: Option<String>,
    /// Fewest characters.
    pub min_length: Option<usize>,
    /// Most characters.
    pub max_length: Option<usize>,
    /// A secret: always redacted, checked for strength, never public.
    #[serde(default)]
    pub secret: bool,
    /// Allowed to reach the browser.
    #[serde(default)]
    pub public: bool,
    /// What it is for.
    pub description: Option<String>,
    /// Old names that still work but should be renamed.
    #[serde(default)]
    pub deprecated_names: Vec<String>,
    /// Allowed URL schemes (`url`).
    #[serde(default)]
    pub schemes: Vec<String>,
    /// Allowed values (`enum`).
    #[serde(default)]
    pub values: Vec<String>,
    /// The pattern a `regex` value matches (whole value).
    pub pattern: Option<String>,
    /// What `env-check generate` draws a new value from (secrets).
    pub charset: Option<Charset>,
    /// An empty value is a value the app validates (zod without t3-env's
    /// `emptyStringAsUndefined`, envalid); by default an empty value counts as not set.
    #[serde(default)]
    pub accept_empty: bool,
    /// Surrounding whitespace is removed before the checks (zod's `.trim()`).
    #[serde(default)]
    pub trim: bool,
    /// `number`: only safe integers (zod's `.int()`).
    #[serde(default)]
    pub integer: bool,
    /// Smallest value (numbers), inclusive.
    pub minimum: Option<f64>,
    /// Largest value (numbers), inclusive.
    pub maximum: Option<f64>,
    /// The value must be greater than this (zod's `.positive()` is 0).
    pub exclusive_minimum: Option<f64>,
    /// The value must be less than this.
    pub exclusive_maximum: Option<f64>,
    /// A key of this many random bytes, written in `encoding` (AES-256 needs 32): the value
    /// must decode to exactly that many bytes, and `env-check generate` makes one.
    pub bytes: Option<usize>,
    /// How the key's bytes are written (with `bytes`): `hex`, `base64` or `base64url`.
    pub encoding: Option<Encoding>,
    /// A secret's rotation period in days (`cargo xtask readiness` checks `rotated` against it).
    pub rotate_days: Option<u32>,
    /// When the secret was last rotated: `YYYY-MM-DD` (written by whoever rotates it).
    pub rotated: Option<String>,
}

/// A problem with one variable: a stable code, a severity and a message without the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `ENV101`…
    pub code: &'static str,
    /// How serious.
    pub severity: Severity,
    /// What is wrong and what to do.
    pub message: String,
}

fn problem(code: &'static str, severity: Severity, message: String) -> Problem {
    Problem {
        code,
        severity,
        message,
    }
}

/// Placeholders that make a secret worthless however long it is.
const PLACEHOLDERS: [&str; 12] = [
    "changeme",
    "change_me",
    "change-me",
    "secret",
    "password",
    "example",
    "your-",
    "your_",
    "placeholder",
    "replace",
    "dummy",
    "xxxx",
];

/// Shannon entropy in bits per character.
pub fn entropy(value: &str) -> f64 {
    let mut counts: BTreeMap<char, usize> = BTreeMap::new();
    let mut n = 0usize;
    for c in value.chars() {
        *counts.entry(c).or_default() += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "counts of a variable's characters"
    )]
    let total = n as f64;
    counts
        .values()
        .map(|&c| {
            #[expect(
                clippy::cast_precision_loss,
                reason = "counts of a variable's characters"
            )]
            let p = c as f64 / total;
            -p * p.log2()
        })
        .sum()
}

/// Why a secret is weak, if it is: a placeholder word, few distinct characters, a long
/// run, or low entropy.
pub fn weakness(value: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    if let Some(word) = PLACEHOLDERS.iter().find(|w| lower.contains(*w)) {
        return Some(format!("it contains the placeholder `{word}`"));
    }
    let distinct = value
        .chars()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    if distinct <= 4 {
        return Some(format!("it uses only {distinct} distinct characters"));
    }
    let chars: Vec<char> = value.chars().collect();
    let mut run = 1;
    for w in chars.windows(2) {
        run = if w[0] == w[1] { run + 1 } else { 1 };
        if run >= 6 {
            return Some("it repeats one character 6 times in a row".to_owned());
        }
    }
    let bits = entropy(value);
    if bits < 3.0 {
        return Some(format!(
            "its entropy is {bits:.1} bits per character (a random hex key has about 4)"
        ));
    }
    None
}

/// Whitespace as JavaScript's `String.prototype.trim` and `Number()` see it.
fn is_js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// The number JavaScript's `Number(text)` gives, or `None` where it gives `NaN`.
pub fn js_number(text: &str) -> Option<f64> {
    let t = text.trim_matches(is_js_space);
    if t.is_empty() {
        return Some(0.0);
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = t.strip_prefix(prefix) {
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return None;
            }
            return Some(
                digits
                    .chars()
                    .filter_map(|c| c.to_digit(radix))
                    .fold(0.0, |acc, d| acc * f64::from(radix) + f64::from(d)),
            );
        }
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned == "Infinity" {
        return Some(if t.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    // StrDecimalLiteral: digits, an optional fraction, an optional exponent.
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    t.parse::<f64>().ok()
}

fn host_ok(value: &str) -> bool {
    if value.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    !value.is_empty()
        && value.split('.').all(|part| {
            !part.is_empty()
                && !part.starts_with('-')
                && !part.ends_with('-')
                && part.chars().all(|c| {
                    c.is_ascii_alphanumeric()
                        || c == '-'
                        || (u32::from(c) >= 0xa1 && !('\u{ff01}'..='\u{ff5e}').contains(&c))
                })
        })
}

fn range_problem(var: &Var, n: f64) -> Option<String> {
    let show = |x: f64| {
        if x.fract() == 0.0 && x.abs() < 1e15 {
            format!("{x:.0}")
        } else {
            x.to_string()
        }
    };
    if let Some(m) = var.minimum.filter(|m| n < *m) {
        return Some(format!("is {}; the least allowed is {}", show(n), show(m)));
    }
    if let Some(m) = var.exclusive_minimum.filter(|m| n <= *m) {
        return Some(format!("is {}; it must be more than {}", show(n), show(m)));
    }
    if let Some(m) = var.maximum.filter(|m| n > *m) {
        return Some(format!("is {}; the most allowed is {}", show(n), show(m)));
    }
    if let Some(m) = var.exclusive_maximum.filter(|m| n >= *m) {
        return Some(format!("is {}; it must be less than {}", show(n), show(m)));
    }
    None
}

fn type_problem(kind: VarType, var: &Var, value: &str) -> Option<String> {
    let scheme = |v: &str| v.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match kind {
        VarType::String => None,
        VarType::Int => value
            .trim()
            .parse::<i64>()
            .is_err()
            .then(|| "is not a whole number".to_owned()),
        VarType::Number => match js_number(value) {
            Some(n) if n.is_finite() => {
                if var.integer && (n.fract() != 0.0 || n.abs() > 9_007_199_254_740_991.0) {
                    Some("is not a whole number".to_owned())
                } else {
                    range_problem(var, n)
                }
            }
            _ => Some("is not a number".to_owned()),
        },
        // A port is written as a plain number: `080` or ` 80` are mistakes (envalid agrees).
        VarType::Port => match value.parse::<u32>() {
            Ok(p) if (1..=65535).contains(&p) && p.to_string() == value => None,
            _ => Some("is not a port (1-65535)".to_owned()),
        },
        VarType::Host => {
            (!host_ok(value)).then(|| "is not a host name or an IP address".to_owned())
        }
        VarType::Bool => (!matches!(
            value.trim().to_ascii_lowercase().as_str(),
            "true" | "false" | "1" | "0" | "yes" | "no" | "on" | "off"
        ))
        .then(|| "is not a boolean (true/false, 1/0, yes/no, on/off)".to_owned()),
        VarType::Url => match scheme(value) {
            None => Some("is not a URL (scheme://host…)".to_owned()),
            Some(s)
                if !var.schemes.is_empty()
                    && !var.schemes.iter().any(|a| a.eq_ignore_ascii_case(&s)) =>
            {
                Some(format!(
                    "uses the scheme `{s}`; allowed: {}",
                    var.schemes.join(", ")
                ))
            }
            Some(_)
                if value
                    .split_once("://")
                    .is_some_and(|(_, rest)| rest.is_empty() || rest.starts_with('/')) =>
            {
                Some("has no host".to_owned())
            }
            Some(_) => None,
        },
        VarType::PostgresUrl => {
            (!matches!(scheme(value).as_deref(), Some("postgres" | "postgresql")))
                .then(|| "is not a postgres:// or postgresql:// URL".to_owned())
        }
        VarType::RedisUrl => (!matches!(scheme(value).as_deref(), Some("redis" | "rediss")))
            .then(|| "is not a redis:// or rediss:// URL".to_owned()),
        VarType::Email => {
            let ok = value.split_once('@').is_some_and(|(l, d)| {
                !l.is_empty()
                    && d.contains('.')
                    && !d.starts_with('.')
                    && !d.ends_with('.')
                    && !value.contains(' ')
            });
            (!ok).then(|| "is not an e-mail address".to_owned())
        }
        VarType::Enum => (!var.values.iter().any(|v| v == value))
            .then(|| format!("is not one of {}", var.values.join(", "))),
        VarType::Json => serde_json::from_str::<serde_json::Value>(value)
            .err()
            .map(|e| format!("is not JSON ({e})")),
        VarType::Duration => {
            let v = value.trim();
            let digits = v.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            let unit = &v[digits.len()..];
            let ok = !digits.is_empty()
                && digits.parse::<f64>().is_ok()
                && matches!(unit, "ms" | "s" | "m" | "h" | "d");
            (!ok).then(|| "is not a duration such as 500ms, 30s, 5m, 2h or 1d".to_owned())
        }
        VarType::Regex => var
            .pattern
            .is_none()
            .then(|| "cannot be checked: `type = \"regex\"` needs a `pattern`".to_owned()),
    }
    .or_else(|| pattern_problem(var, value))
}

/// The schema's `pattern`, whatever the type: the whole value must match it.
fn pattern_problem(var: &Var, value: &str) -> Option<String> {
    match var
        .pattern
        .as_deref()
        .map(|p| regex::Regex::new(&format!("^(?:{p})$")))
    {
        Some(Ok(re)) => (!re.is_match(value)).then(|| {
            format!(
                "does not match the pattern `{}`",
                var.pattern.as_deref().unwrap_or_default()
            )
        }),
        Some(Err(e)) => Some(format!(
            "cannot be checked: the schema's pattern is invalid ({e})"
        )),
        None => None,
    }
}

/// Checks one variable's value (or its absence) in `environment`.
pub fn check_var(name: &str, var: &Var, value: Option<&str>, environment: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    if var.secret && name.starts_with("NEXT_PUBLIC_") {
        out.push(problem(
            ENV102.code,
            Severity::Error,
            format!("{name} is a secret but starts with NEXT_PUBLIC_, so Next.js puts it in the browser bundle; rename it without the prefix and rotate it"),
        ));
    }
    if var.secret && var.public {
        out.push(problem(
            ENV102.code,
            Severity::Error,
            format!(
                "{name} is marked both secret and public in the schema; a secret is never public"
            ),
        ));
    }
    let value = value.map(|v| {
        if var.trim {
            v.trim_matches(is_js_space)
        } else {
            v
        }
    });
    let Some(value) = value.filter(|v| var.accept_empty || !v.is_empty()) else {
        if var.required.applies(environment) {
            let hint = var
                .description
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            out.push(problem(
                ENV101.code,
                Severity::Error,
                format!("{name} is required in {environment} but not set{hint}"),
            ));
        }
        return out;
    };
    if let Some(why) = type_problem(var.kind, var, value) {
        out.push(problem(
            ENV103.code,
            Severity::Error,
            format!("{name} {why}"),
        ));
    }
    if let (Some(want), Some(encoding)) = (var.bytes, var.encoding) {
        match encoding.decode(value) {
            Some(bytes) if bytes.len() == want => {}
            Some(bytes) => out.push(problem(
                ENV104.code,
                Severity::Error,
                format!(
                    "{name} decodes ({}) to {} bytes; {want} are required",
                    encoding.as_str(),
                    bytes.len()
                ),
            )),
            None => out.push(problem(
                ENV103.code,
                Severity::Error,
                format!("{name} is not {} text", encoding.as_str()),
            )),
        }
    }
    // Lengths count UTF-16 code units, as JavaScript's `length` (and so zod) does.
    let len = value.encode_utf16().count();
    if let Some(min) = var.min_length
        && len < min
    {
        out.push(problem(
            ENV104.code,
            Severity::Error,
            format!("{name} has {len} characters; at least {min} are required"),
        ));
    }
    if let Some(max) = var.max_length
        && len > max
    {
        out.push(problem(
            ENV104.code,
            Severity::Error,
            format!("{name} has {len} characters; at most {max} are allowed"),
        ));
    }
    if var.secret
        && !value.is_empty()
        && let Some(why) = weakness(value)
    {
        out.push(problem(
            ENV105.code,
            Severity::Error,
            format!("{name} is a weak secret: {why}; generate a random one"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(toml_text: &str) -> Var {
        toml::from_str(toml_text).unwrap()
    }

    fn codes(name: &str, v: &Var, value: Option<&str>) -> Vec<&'static str> {
        check_var(name, v, value, "production")
            .into_iter()
            .map(|p| p.code)
            .collect()
    }

    #[test]
    fn encryption_key_must_be_long_and_strong() {
        let v = var("secret = true\nmin_length = 32\nrequired = true");
        assert_eq!(
            codes(
                "ENCRYPTION_KEY",
                &v,
                Some("a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6")
            ),
            Vec::<&str>::new()
        );
        assert_eq!(
            codes("ENCRYPTION_KEY", &v, Some("short")),
            ["ENV104", "ENV105"]
        );
        assert_eq!(
            codes("ENCRYPTION_KEY", &v, Some(&"a".repeat(40))),
            ["ENV105"]
        );
        assert_eq!(
            codes(
                "ENCRYPTION_KEY",
                &v,
                Some("changeme-changeme-changeme-changeme")
            ),
            ["ENV105"]
        );
        assert_eq!(codes("ENCRYPTION_KEY", &v, None), ["ENV101"]);
        assert_eq!(
            codes("ENCRYPTION_KEY", &v, Some("")),
            ["ENV101"],
            "empty is not set"
        );
        let msgs = check_var(
            "ENCRYPTION_KEY",
            &v,
            Some("changeme-changeme-changeme-changeme"),
            "production",
        );
        assert!(
            !msgs[0].message.contains("changeme-changeme"),
            "the value is never shown"
        );
    }

    #[test]
    fn next_public_secrets_are_errors() {
        let v = var("secret = true");
        assert_eq!(
            codes(
                "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY",
                &v,
                Some("eyJhbGciOiJIUzI1NiJ9.x9Kq2Lm4Pz.w7Rt5Yu1")
            ),
            ["ENV102"]
        );
        assert_eq!(
            codes(
                "SUPABASE_SERVICE_ROLE_KEY",
                &v,
                Some("eyJhbGciOiJIUzI1NiJ9.x9Kq2Lm4Pz.w7Rt5Yu1")
            ),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn keys_decode_to_their_bytes() {
        // See: issue 17. 32 base64 characters are 24 bytes, not the 32 AES-256 needs.
        let v = var("bytes = 32\nencoding = \"base64\"");
        let short = check_var(
            "K",
            &v,
            Some("YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4"),
            "production",
        );
        assert_eq!(short[0].code, "ENV104");
        assert!(
            short[0]
                .message
                .contains("decodes (base64) to 24 bytes; 32 are required"),
            "{short:?}"
        );
        let ok = crate::encoding::encode_base64(&[7u8; 32]);
        assert!(check_var("K", &v, Some(&ok), "production").is_empty());
        let hex = var("bytes = 2\nencoding = \"hex\"");
        assert_eq!(
            check_var("K", &hex, Some("zz00"), "production")[0].code,
            "ENV103"
        );
    }

    #[test]
    fn numbers_as_javascript_reads_them() {
        for (text, n) in [
            ("42", 42.0),
            (" 7 ", 7.0),
            ("", 0.0),
            ("0x1F", 31.0),
            ("1e3", 1000.0),
            ("-2.5", -2.5),
            (".5", 0.5),
        ] {
            assert_eq!(js_number(text), Some(n), "{text}");
        }
        for bad in ["abc", "1_000", "0x", "--1", "1e", "inf", "NaN", "12abc"] {
            assert_eq!(js_number(bad), None, "{bad}");
        }
        let port = var("type = \"number\"\ninteger = true\nminimum = 1\nmaximum = 65535");
        assert!(check_var("P", &port, Some("8080"), "production").is_empty());
        assert_eq!(
            check_var("P", &port, Some("80.5"), "production")[0].code,
            "ENV103"
        );
        assert!(
            check_var("P", &port, Some("0"), "production")[0]
                .message
                .contains("least allowed is 1")
        );
    }

    #[test]
    fn required_per_environment() {
        let v = var("required = [\"production\"]");
        assert_eq!(check_var("X", &v, None, "production").len(), 1);
        assert!(check_var("X", &v, None, "development").is_empty());
    }

    #[test]
    fn every_type() {
        let cases: &[(&str, &str, bool)] = &[
            ("type = \"int\"", "42", true),
            ("type = \"int\"", "4.2", false),
            ("type = \"port\"", "8080", true),
            ("type = \"port\"", "70000", false),
            ("type = \"bool\"", "Yes", true),
            ("type = \"bool\"", "maybe", false),
            (
                "type = \"url\"\nschemes = [\"https\"]",
                "https://x.supabase.co",
                true,
            ),
            (
                "type = \"url\"\nschemes = [\"https\"]",
                "http://x.supabase.co",
                false,
            ),
            ("type = \"url\"", "https://", false),
            (
                "type = \"postgres-url\"",
                "postgresql://u:p@h:5432/db",
                true,
            ),
            ("type = \"postgres-url\"", "mysql://h/db", false),
            ("type = \"redis-url\"", "rediss://default:p@h:6379", true),
            ("type = \"redis-url\"", "https://h", false),
            ("type = \"email\"", "ops@example.com", true),
            ("type = \"email\"", "ops@localhost", false),
            (
                "type = \"enum\"\nvalues = [\"debug\", \"info\"]",
                "info",
                true,
            ),
            (
                "type = \"enum\"\nvalues = [\"debug\", \"info\"]",
                "trace",
                false,
            ),
            ("type = \"json\"", "{\"a\": [1]}", true),
            ("type = \"json\"", "{a: 1}", false),
            ("type = \"duration\"", "30s", true),
            ("type = \"duration\"", "30 seconds", false),
            (
                "type = \"regex\"\npattern = \"[a-z]{3}-[0-9]+\"",
                "abc-12",
                true,
            ),
            (
                "type = \"regex\"\npattern = \"[a-z]{3}-[0-9]+\"",
                "abc-12x",
                false,
            ),
        ];
        for (schema, value, ok) in cases {
            let problems = check_var("V", &var(schema), Some(value), "production");
            assert_eq!(problems.is_empty(), *ok, "{schema} / {value}: {problems:?}");
        }
        let bad = check_var(
            "V",
            &var("type = \"regex\"\npattern = \"(\""),
            Some("x"),
            "production",
        );
        assert!(bad[0].message.contains("pattern is invalid"), "{bad:?}");
    }

    #[test]
    fn schema_files_reject_unknown_keys() {
        assert!(toml::from_str::<Var>("secert = true").is_err());
        let s: Schema = toml::from_str("[services.worker.vars.A]\ntype = \"port\"\n").unwrap();
        assert_eq!(s.services["worker"].vars["A"].kind, VarType::Port);
    }

    #[test]
    fn entropy_of_known_strings() {
        assert!(entropy("aaaa").abs() < f64::EPSILON);
        assert!((entropy("abcd") - 2.0).abs() < 1e-9);
        assert!(weakness("Zx8Qm2LrT5vN9wK4jH7gF3dS1aP6oI0u").is_none());
    }
}
