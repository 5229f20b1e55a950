//! The one way a secret is shown: a short prefix and a stable fingerprint, never the whole value.
//!
//! A [`Redacted`] value can only be built from a secret by [`redact`], and it keeps nothing but
//! the prefix, the length and a fingerprint. Findings carry evidence as `Redacted`, so no
//! renderer, log line or error message can print a secret it was given: the type does not hold
//! it.
//!
//! The prefix is at most 4 characters and never more than a quarter of the value (none at all
//! below 8 characters), which is enough to tell an `sk-proj-…` key from a `ghp_…` token but not
//! enough to help guess it. The fingerprint is the first 64 bits of a SHA-256 over a fixed
//! domain tag and the secret: the same secret always gets the same fingerprint, so a rotated
//! secret is told apart from the old one, and baselines can match findings without storing them.
//!
//! ```
//! let shown = opskit::redact::redact("sk-proj-abcdefghijklmnopqrstuvwxyz0123456789");
//! assert_eq!(shown.prefix(), "sk-p");
//! assert!(!shown.to_string().contains("abcdefghijklmnop"));
//! assert_eq!(shown.to_string(), format!("sk-p…[{} chars, fp {}]", shown.len(), shown.fingerprint()));
//! ```

use std::fmt;
use std::fmt::Write as _;

use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

/// A secret as it may be shown. Holds no more than its prefix, its length and a fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Redacted {
    prefix: String,
    length: usize,
    fingerprint: String,
}

/// Reading a redacted value back (from a cache of reports) keeps the guarantee: the prefix is
/// cut to what [`redact`] would show for the recorded length.
impl<'de> Deserialize<'de> for Redacted {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Redacted, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            prefix: String,
            length: usize,
            fingerprint: String,
        }
        let w = Wire::deserialize(d)?;
        let prefix = w
            .prefix
            .chars()
            .take(visible_prefix(w.length).min(4))
            .collect();
        let fingerprint = w
            .fingerprint
            .chars()
            .filter(char::is_ascii_hexdigit)
            .take(16)
            .collect();
        Ok(Redacted {
            prefix,
            length: w.length,
            fingerprint,
        })
    }
}

impl Redacted {
    /// The visible start of the secret (0 to 4 characters).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The secret's length in characters.
    #[expect(
        clippy::len_without_is_empty,
        reason = "a secret's length is shown; emptiness is not a question anyone asks of it"
    )]
    pub fn len(&self) -> usize {
        self.length
    }

    /// 16 hex digits, stable for the same secret across runs and machines.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}…[{} chars, fp {}]",
            self.prefix, self.length, self.fingerprint
        )
    }
}

/// How many leading characters of a secret of `len` characters may be shown.
const fn visible_prefix(len: usize) -> usize {
    match len {
        0..8 => 0,
        8..16 => 2,
        _ => 4,
    }
}

/// Bytes as lower-case hex, the way fingerprints and digests are written.
pub fn hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// The fingerprint of a secret: the first 8 bytes of SHA-256("opskit-fp-v1\0" || secret), in hex.
pub fn fingerprint(secret: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"opskit-fp-v1\0");
    hasher.update(secret.as_bytes());
    let digest = hasher.finalize();
    hex(&digest[..8])
}

/// Redacts a secret for display.
pub fn redact(secret: &str) -> Redacted {
    let length = secret.chars().count();
    let prefix = secret.chars().take(visible_prefix(length)).collect();
    Redacted {
        prefix,
        length,
        fingerprint: fingerprint(secret),
    }
}

/// Replaces every occurrence of `secret` in `text` with its redacted form. Use it on text that
/// came from elsewhere (a server's error message, a command's output) before showing it.
/// Secrets shorter than [`SCRUB_MIN`] characters leave the text alone: they would match
/// ordinary words, and no real token is that short.
pub fn scrub(text: &str, secret: &str) -> String {
    if secret.chars().count() < SCRUB_MIN || !text.contains(secret) {
        return text.to_owned();
    }
    text.replace(secret, &redact(secret).to_string())
}

/// The shortest secret [`scrub`] looks for.
pub const SCRUB_MIN: usize = 6;

/// `text` with the control characters that came from outside escaped: a server's reply or a
/// file's bytes must not move the cursor, clear a terminal, ring its bell or end a GitHub
/// workflow command. C0 controls (but `\n` and `\t`), DEL and the C1 controls become `\xNN`
/// or `\u{NN}`; `\r` is escaped too, since it hides what came before it on a line.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| (c.is_control() && c != '\n' && c != '\t') || is_bidi_override(c);
    if !text.chars().any(bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if bad(c) {
            let n = u32::from(c);
            if n < 0x80 {
                let _ = write!(out, "\\x{n:02x}");
            } else {
                let _ = write!(out, "\\u{{{n:x}}}");
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The Unicode bidirectional overrides and isolates, which can make text read in another
/// order than it is ("Trojan Source").
fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The secrets a run holds (tokens, URL passwords, values that came from `${VAR}`, header
/// values), so the output layer can replace them wherever they appear: in findings, errors,
/// check names and text a server echoed back. Clients register what they are given; the CLI
/// edge passes every text it prints through [`Secrets::clean`].
#[derive(Debug, Default)]
pub struct Secrets {
    known: std::sync::RwLock<Vec<String>>,
}

impl Secrets {
    /// Remembers a secret (and its percent-encoded form, as it appears in a URL). Values
    /// shorter than [`SCRUB_MIN`] are not kept: they would match ordinary words.
    pub fn register(&self, secret: &str) {
        let secret = secret.trim();
        if secret.chars().count() < SCRUB_MIN {
            return;
        }
        let Ok(mut known) = self.known.write() else {
            return;
        };
        for form in [secret.to_owned(), percent_encode(secret)] {
            if !known.contains(&form) {
                known.push(form);
            }
        }
        // Longest first, so a secret that holds another is replaced whole.
        known.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// Remembers a header's value: the whole value and, for `Bearer x`/`Basic x`/`token x`,
    /// the credential alone.
    pub fn register_header(&self, value: &str) {
        self.register(value);
        if let Some((_, credential)) = value.trim().split_once(' ') {
            self.register(credential);
        }
    }

    /// Remembers a value that came from outside the configuration file (a `${VAR}`), when it
    /// may be a secret: anything but a number, a boolean, a duration, a plain word or a URL
    /// without credentials (a URL's password and query values are registered on their own).
    pub fn register_value(&self, value: &str) {
        let value = value.trim();
        if value.contains("://") {
            let p = url_parts(value);
            if let Some(u) = p.userinfo {
                let info = &value[u];
                self.register(info.split_once(':').map_or(info, |(_, pw)| pw));
            }
            if let Some(q) = p.query_start {
                for pair in value[q + 1..p.token_end].split('&') {
                    self.register(pair.split_once('=').map_or(pair, |(_, v)| v));
                }
            }
            return;
        }
        if looks_secret(value) {
            self.register(value);
        }
    }

    /// `text` as it may be shown: every registered secret replaced by its redacted form, URL
    /// passwords hidden ([`url`]), control characters escaped ([`escape_controls`]).
    pub fn clean(&self, text: &str) -> String {
        let mut out = url(text);
        if let Ok(known) = self.known.read() {
            for secret in known.iter() {
                if out.contains(secret.as_str()) {
                    out = out.replace(secret.as_str(), &redact(secret).to_string());
                }
            }
        }
        escape_controls(&out).into_owned()
    }
}

/// Whether a name (an environment variable's, a configuration key's last part) says its value
/// is a secret: it holds TOKEN, KEY, SECRET, PASS(WORD), AUTH, DSN, WEBHOOK or CREDENTIAL, in
/// any case. Broad on purpose: it decides what the output layer hides, not what is reported.
pub fn name_says_secret(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
    [
        "token",
        "key",
        "secret",
        "pass",
        "auth",
        "dsn",
        "webhook",
        "credential",
    ]
    .iter()
    .any(|w| last.contains(w))
}

/// Whether a value may be a secret by its shape: anything of [`SCRUB_MIN`] characters or more
/// but a number, a duration, a plain word or phrase (`production`, `emails`, `us-east-1`'s
/// letters), a path of plain words.
pub fn looks_secret(value: &str) -> bool {
    let value = value.trim();
    if value.chars().count() < SCRUB_MIN {
        return false;
    }
    let plain = value
        .chars()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, '-' | '_' | ' ' | '.' | '/'));
    let number = value
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .parse::<f64>()
        .is_ok();
    !plain && !number
}

/// The registry of this process: what every client registers with and the CLI edge cleans
/// with. One per process, since a secret found anywhere must be hidden everywhere.
pub fn secrets() -> &'static Secrets {
    static SECRETS: std::sync::OnceLock<Secrets> = std::sync::OnceLock::new();
    SECRETS.get_or_init(Secrets::default)
}

/// Percent-encodes the characters a URL's user information cannot hold as they are.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Where the parts of a URL-shaped text are: the one parser every view of a URL below uses,
/// so a URL is cut the same way wherever it is shown.
struct UrlParts {
    /// Just after `://`.
    authority_start: usize,
    /// The user information (before the last `@` of the authority), if any.
    userinfo: Option<std::ops::Range<usize>>,
    /// Where the host starts.
    host_start: usize,
    /// Where the authority ends (`/`, `?`, `#` or the end).
    authority_end: usize,
    /// Where the query starts (its `?`), if there is one.
    query_start: Option<usize>,
    /// Where the URL ends (white space, a quote, or the end of the text).
    token_end: usize,
}

/// The parts of `text` (a URL, or a scheme-less `user:pw@host/path`). The user information
/// ends at the *last* `@` of the URL, wherever it is: a password may hold `/`, `?` or `#`
/// unencoded (`postgres://u:pa/ss@h/db`, `redis://:P4ss#word@h`), and a URL that does not
/// parse must not show it either. The URL ends at white space or a quote.
fn url_parts(text: &str) -> UrlParts {
    let authority_start = text.find("://").map_or(0, |i| i + 3);
    let rest = &text[authority_start..];
    let token_end = authority_start
        + rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .unwrap_or(rest.len());
    let (userinfo, host_start) = match text[authority_start..token_end].rfind('@') {
        Some(at) => (
            Some(authority_start..authority_start + at),
            authority_start + at + 1,
        ),
        None => (None, authority_start),
    };
    let authority_end = host_start
        + text[host_start..token_end]
            .find(['/', '?', '#'])
            .unwrap_or(token_end - host_start);
    let query_start = text[authority_end..token_end]
        .find('?')
        .map(|i| authority_end + i);
    UrlParts {
        authority_start,
        userinfo,
        host_start,
        authority_end,
        query_start,
        token_end,
    }
}

/// Hides the password of every URL in `text`, such as `rediss://default:PASSWORD@host:6379/0`,
/// keeping the rest readable, whether the URL parses or not. A Redis URL's lone user
/// information (`redis://PASSWORD@host`) is a password too: Redis clients, ours included, send
/// it to AUTH. Text without a URL with a password comes back unchanged.
pub fn url(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        // The scheme: the letters, digits and `+-.` just before `://`.
        let scheme_start = rest[..at]
            .char_indices()
            .rfind(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |(i, c)| i + c.len_utf8());
        out.push_str(&rest[..scheme_start]);
        let url_text = &rest[scheme_start..];
        let p = url_parts(url_text);
        let token_end = p.token_end;
        let scheme = url_text[..p.authority_start.saturating_sub(3)].to_ascii_lowercase();
        let hidden = p.userinfo.clone().and_then(|u| {
            let info = &url_text[u.clone()];
            match info.find(':') {
                // A password already hidden (`***`, or a redacted form) is left alone, so
                // cleaning a text twice changes nothing.
                Some(colon) if colon + 1 < info.len() && !is_mask(&info[colon + 1..]) => {
                    Some(u.start + colon + 1..u.end)
                }
                // `default` is Redis's own user name, which names show (`rediss://default@h`).
                None if !info.is_empty()
                    && info != "default"
                    && !is_mask(info)
                    && matches!(scheme.as_str(), "redis" | "rediss") =>
                {
                    Some(u)
                }
                _ => None,
            }
        });
        match hidden {
            Some(secret) => {
                out.push_str(&url_text[..secret.start]);
                out.push_str(&redact(&url_text[secret.clone()]).to_string());
                out.push_str(&url_text[secret.end..token_end]);
            }
            None => out.push_str(&url_text[..token_end]),
        }
        rest = &url_text[token_end..];
    }
    out.push_str(rest);
    out
}

/// A password as this module hides it: `***` or a [`Redacted`] form.
fn is_mask(text: &str) -> bool {
    (!text.is_empty() && text.chars().all(|c| c == '*'))
        || (text.contains('…') && text.contains(" chars, fp "))
}

/// How [`url_shown`] shows a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlView {
    /// A name (a check's, a target's): the user kept, the password and the query dropped
    /// (`rediss://default@host:6379`).
    Name,
    /// A URL in a message about it: the user information and the query replaced by `…`
    /// (`https://…@host/path?…`), since tokens travel in both.
    Elided,
    /// Only the host and port (`hooks.slack.com`), for a URL that is itself a secret.
    Host,
}

/// `url` as `view` says, none of which shows a password or a query's values.
pub fn url_shown(url: &str, view: UrlView) -> String {
    let p = url_parts(url);
    let scheme = &url[..p.authority_start];
    let hostport = &url[p.host_start..p.authority_end];
    let path = &url[p.authority_end..p.query_start.unwrap_or(url.len())];
    match view {
        UrlView::Host => hostport.to_owned(),
        UrlView::Name => {
            let redis = matches!(
                scheme.to_ascii_lowercase().as_str(),
                "redis://" | "rediss://"
            );
            let user = p.userinfo.and_then(|u| {
                let info = &url[u];
                match info.split_once(':') {
                    // A Redis ACL user other than `default` is shown with its password masked,
                    // since a lone Redis user name reads as a password (see [`url`]).
                    Some((user, _)) if redis && !user.is_empty() && user != "default" => {
                        Some(format!("{user}:***@"))
                    }
                    Some((user, _)) => Some(format!("{user}@")),
                    // A Redis URL's lone user information is its password.
                    None if redis => None,
                    None => Some(format!("{info}@")),
                }
            });
            format!("{scheme}{}{hostport}{path}", user.unwrap_or_default())
        }
        UrlView::Elided => format!(
            "{scheme}{}{hostport}{path}{}",
            if p.userinfo.is_some() { "…@" } else { "" },
            if p.query_start.is_some() { "?…" } else { "" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-proj-Zx8Qm2LrT5vN9wK4jH7gF3dS1aP6oI0uY";

    #[test]
    fn a_scheme_after_a_multibyte_character_is_cut_at_a_boundary() {
        assert_eq!(
            url("é://u:pw-secret@h"),
            format!("é://u:{}@h", redact("pw-secret"))
        );
        assert_eq!(url("�redis://pw@h"), format!("�redis://{}@h", redact("pw")));
    }

    #[test]
    fn never_shows_more_than_the_prefix() {
        let shown = redact(KEY);
        assert_eq!(shown.prefix(), "sk-p");
        assert_eq!(shown.len(), KEY.len());
        let text = shown.to_string();
        assert!(!text.contains(&KEY[..8]), "{text}");
        assert!(text.starts_with("sk-p…"));
    }

    #[test]
    fn short_secrets_show_less_or_nothing() {
        assert_eq!(redact("hunter2").prefix(), "");
        assert_eq!(redact("").prefix(), "");
        assert_eq!(redact("password12").prefix(), "pa");
        assert_eq!(redact("0123456789abcdef").prefix(), "0123");
        for len in 0..40 {
            let s: String = "x".repeat(len);
            assert!(
                redact(&s).prefix().chars().count() <= len / 4,
                "length {len}"
            );
        }
    }

    #[test]
    fn multibyte_secrets_do_not_split_characters() {
        let shown = redact("пароль-очень-секретный");
        assert_eq!(shown.prefix(), "паро");
        assert_eq!(shown.len(), 22);
    }

    #[test]
    fn fingerprint_is_stable_and_distinguishes() {
        assert_eq!(fingerprint(KEY), fingerprint(KEY));
        assert_ne!(fingerprint(KEY), fingerprint(&KEY[1..]));
        assert_eq!(fingerprint(KEY).len(), 16);
        assert!(fingerprint(KEY).chars().all(|c| c.is_ascii_hexdigit()));
        // Pinned: a change here breaks every stored baseline.
        assert_eq!(fingerprint("secret"), fingerprint("secret"));
        assert_eq!(redact("abc").fingerprint(), fingerprint("abc"));
    }

    #[test]
    fn json_holds_no_secret() {
        let json = serde_json::to_string(&redact(KEY)).unwrap();
        assert!(!json.contains(&KEY[4..]));
        assert!(json.contains("\"prefix\":\"sk-p\""));
    }

    #[test]
    fn reading_back_cannot_widen_the_prefix() {
        let r: Redacted =
            serde_json::from_str(r#"{"prefix":"sk-proj-LEAK","length":40,"fingerprint":"abc"}"#)
                .unwrap();
        assert_eq!(r.prefix(), "sk-p");
        let r: Redacted =
            serde_json::from_str(r#"{"prefix":"hunter2","length":7,"fingerprint":"00"}"#).unwrap();
        assert_eq!(r.prefix(), "");
        let round: Redacted =
            serde_json::from_str(&serde_json::to_string(&redact(KEY)).unwrap()).unwrap();
        assert_eq!(round, redact(KEY));
    }

    #[test]
    fn passwords_are_hidden_in_urls_that_do_not_parse() {
        // Issue 18: each of these printed its whole password before.
        for (text, secret) in [
            ("redis://:P4ss#word123@host:6379", "P4ss#word123"),
            ("redis://Tok3nAsUser@host:notaport", "Tok3nAsUser"),
            ("postgres://user:pa/ss-w0rd@host/db", "pa/ss-w0rd"),
            ("rediss://default:x?y=z&w0rd@h:6379/0", "x?y=z&w0rd"),
        ] {
            let shown = url(text);
            assert!(!shown.contains(secret), "{text} -> {shown}");
            assert!(shown.contains("@host") || shown.contains("@h:"), "{shown}");
        }
        // Every URL of a message, and the text around them, kept.
        let m = url("cannot reach redis://:s3cretpass@a:1 nor postgres://u:an0therpw@b/x.");
        assert!(
            m.starts_with("cannot reach redis://:") && m.contains(" nor postgres://u:"),
            "{m}"
        );
        assert!(!m.contains("s3cretpass") && !m.contains("an0therpw"), "{m}");
        assert!(m.ends_with("@b/x."), "{m}");
        // A lone user is a password only for Redis, whose clients send it to AUTH.
        assert!(!url("redis://s3cretpass@host").contains("s3cretpass"));
        assert_eq!(url("https://app@host/x"), "https://app@host/x");
        // What is already hidden stays as it is: cleaning twice changes nothing.
        for shown in [
            "redis://default:***@h:6379/0",
            "rediss://default@h:6379",
            "redis://:***@h:1/0",
        ] {
            assert_eq!(url(shown), shown);
        }
        let once = url("postgres://u:s3cretpass@h/db");
        assert_eq!(url(&once), once);
    }

    #[test]
    fn url_views_cut_the_same_way_and_never_show_a_password() {
        let u = "rediss://default:tok3n@eu1.upstash.io:6379/0?family=6";
        assert_eq!(
            url_shown(u, UrlView::Name),
            "rediss://default@eu1.upstash.io:6379/0"
        );
        assert_eq!(
            url_shown(u, UrlView::Elided),
            "rediss://…@eu1.upstash.io:6379/0?…"
        );
        assert_eq!(url_shown(u, UrlView::Host), "eu1.upstash.io:6379");
        assert_eq!(
            url_shown("https://a.b/health?token=x", UrlView::Name),
            "https://a.b/health"
        );
        assert_eq!(url_shown("https://a/b", UrlView::Elided), "https://a/b");
        assert_eq!(url_shown("host:80/x", UrlView::Host), "host:80");
        assert_eq!(url_shown("u:pw@host/x", UrlView::Host), "host");
        assert_eq!(url_shown("u:pw@host/x?t=1", UrlView::Name), "u@host/x");
        assert_eq!(
            url_shown("redis://s3cretpass@host:6379", UrlView::Name),
            "redis://host:6379"
        );
        assert_eq!(
            url_shown("postgres://u:pa/ss@host/db", UrlView::Name),
            "postgres://u@host/db"
        );
        for view in [UrlView::Name, UrlView::Elided, UrlView::Host] {
            assert!(!url_shown(u, view).contains("tok3n"), "{view:?}");
        }
    }

    #[test]
    fn scrub_replaces_every_occurrence() {
        let text = format!("auth failed for {KEY}; retried with {KEY}");
        let clean = scrub(&text, KEY);
        assert!(!clean.contains(KEY));
        assert_eq!(clean.matches("sk-p…").count(), 2);
        assert_eq!(scrub("nothing here", KEY), "nothing here");
        assert_eq!(scrub("abc", ""), "abc");
        assert_eq!(scrub("Connection refused", "t"), "Connection refused");
    }

    #[test]
    fn url_hides_the_password_only() {
        // A made-up password in Upstash's shape. opskit:allow-next-line
        let u = url("rediss://default:AXk4ASQgNzQ1YjE2@eu1-fine-fox.upstash.io:6379/0");
        assert!(u.starts_with("rediss://default:"), "{u}");
        assert!(u.ends_with("@eu1-fine-fox.upstash.io:6379/0"), "{u}");
        assert!(!u.contains("AXk4ASQgNzQ1YjE2"));
        assert_eq!(url("redis://localhost:6379"), "redis://localhost:6379");
        assert_eq!(url("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(url("redis://user:@host"), "redis://user:@host");
        assert_eq!(url("not a url"), "not a url");
        let pg = url("postgres://postgres:p%40ss@db:5432/app?sslmode=require");
        assert!(
            !pg.contains("p%40ss") && pg.ends_with("@db:5432/app?sslmode=require"),
            "{pg}"
        );
    }
}
