//! Variables that reach the browser, and the secrets that must never be among them.
//!
//! Frameworks inline every variable with a public prefix into the client bundle: Next.js
//! `NEXT_PUBLIC_`, Vite `VITE_`, Expo `EXPO_PUBLIC_`, Create React App `REACT_APP_`, Nuxt
//! `NUXT_PUBLIC_`, SvelteKit and Astro `PUBLIC_`, Gatsby `GATSBY_`, Vue CLI `VUE_APP_`. Such a
//! variable holding a secret is published to every visitor. It is an error (ENV102) in every
//! source (a .env file, an export, the process environment), declared in a schema or not, when
//!
//! - its value matches one of secret-scan's provider rules (an `sk-or-v1-…` key, a Stripe
//!   secret key, a Supabase service-role JWT…), or
//! - its name says secret, token, password, private or key, and it is not one of the keys made
//!   to be public (Supabase anon, Stripe and Clerk publishable, Sentry DSN, PostHog, Firebase
//!   web config, site keys of reCAPTCHA/Turnstile/hCaptcha, Algolia search-only, Mapbox `pk.`).

use std::sync::OnceLock;

use opskit_secret_scan::engine::Engine;
use opskit_secret_scan::rules::{Confidence, Kind};

/// The prefixes frameworks publish to the browser, longest first.
pub const PUBLIC_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "EXPO_PUBLIC_",
    "NUXT_PUBLIC_",
    "REACT_APP_",
    "VUE_APP_",
    "GATSBY_",
    "PUBLIC_",
    "VITE_",
];

/// The public prefix of a name, if it has one.
pub fn public_prefix(name: &str) -> Option<&'static str> {
    PUBLIC_PREFIXES
        .iter()
        .copied()
        .find(|p| name.starts_with(p))
}

fn words(name: &str) -> Vec<&str> {
    name.split(['_', '-']).filter(|w| !w.is_empty()).collect()
}

/// Whether a name says it holds a secret (`…_SECRET`, `…_TOKEN`, `…_API_KEY`, `…PASSWORD`).
pub fn looks_secret(name: &str) -> bool {
    // A flag or a setting about a secret is not one: DISABLE_PASSWORD_SIGNUP, TOKEN_TTL,
    // SECRET_ROTATION_DAYS. The secret word is the name's last.
    const FLAGS: [&str; 9] = [
        "DISABLE", "DISABLED", "ENABLE", "ENABLED", "ALLOW", "USE", "SHOW", "HIDE", "IS",
    ];
    let upper = name.to_ascii_uppercase();
    let w = words(&upper);
    if w.first().is_some_and(|f| FLAGS.contains(f)) {
        return false;
    }
    w.last().is_some_and(|w| {
        matches!(
            *w,
            "SECRET"
                | "TOKEN"
                | "PASSWORD"
                | "PASSWD"
                | "PWD"
                | "PRIVATE"
                | "KEY"
                | "APIKEY"
                | "CREDENTIALS"
                | "CREDENTIAL"
        ) || w.ends_with("SECRET")
            || w.ends_with("TOKEN")
            || w.ends_with("PASSWORD")
    }) && !known_public(&upper)
}

/// Names of keys that are public by design.
fn known_public(upper: &str) -> bool {
    let w = words(upper);
    let has = |x: &str| w.contains(&x);
    let pair = |a: &str, b: &str| w.windows(2).any(|p| p[0] == a && p[1] == b);
    pair("ANON", "KEY")
        || has("PUBLISHABLE")
        || pair("PUBLIC", "KEY")
        || pair("SITE", "KEY")
        || has("SITEKEY")
        || has("DSN")
        || has("POSTHOG")
        || has("FIREBASE") && has("API")
        || has("ALGOLIA") && has("SEARCH")
        || has("MAPBOX")
        || pair("MEASUREMENT", "ID")
        || pair("CLIENT", "ID")
        || pair("WRITE", "KEY") && has("SEGMENT")
        || has("VAPID") && has("PUBLIC")
        || has("TOKEN") && has("CSRF")
}

fn engine() -> Option<&'static Engine> {
    static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| Engine::new(&opskit_secret_scan::rules::all()).ok())
        .as_ref()
}

/// The secret-scan rule a value matches (a provider's own format, medium confidence or more).
pub fn matching_rule(name: &str, value: &str) -> Option<(&'static str, &'static str)> {
    if value.len() < 8 {
        return None;
    }
    let line = format!("{name}={value}\n");
    engine()?
        .scan(".env", line.as_bytes())
        .into_iter()
        .find(|h| h.rule.kind == Kind::Provider && h.confidence >= Confidence::Medium)
        .map(|h| (h.rule.code, h.rule.title))
}

/// Why a browser-public variable holding `value` (empty when unknown) is a leaked secret.
pub fn problem(name: &str, value: &str) -> Option<String> {
    let prefix = public_prefix(name)?;
    if let Some((code, title)) = matching_rule(name, value) {
        return Some(format!(
            "{name} holds a {title} ({code}), and every {prefix} variable is shipped to every browser: move it to a server-only variable and rotate it"
        ));
    }
    let rest = &name[prefix.len()..];
    looks_secret(rest).then(|| {
        format!(
            "{name} is named like a secret, and every {prefix} variable is shipped to every browser: keep it server-only (without {prefix}), or mark it `public = true` in opskit.toml if it is a key made to be public"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_and_public_keys() {
        for secret in [
            "NEXT_PUBLIC_OPENROUTER_API_KEY",
            "VITE_STRIPE_SECRET_KEY",
            "EXPO_PUBLIC_GITHUB_TOKEN",
            "NEXT_PUBLIC_DB_PASSWORD",
        ] {
            assert!(problem(secret, "").is_some(), "{secret}");
        }
        for public in [
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
            "NEXT_PUBLIC_SENTRY_DSN",
            "NEXT_PUBLIC_POSTHOG_KEY",
            "NEXT_PUBLIC_FIREBASE_API_KEY",
            "NEXT_PUBLIC_RECAPTCHA_SITE_KEY",
            "VITE_APP_URL",
            "NEXT_PUBLIC_KEYBOARD_LAYOUT",
            "OPENROUTER_API_KEY",
        ] {
            assert!(problem(public, "").is_none(), "{public}");
        }
    }
}
