//! LABEL rules: key syntax always; the label schema (`label-schema` in .hadolint.yaml) when
//! one is configured.

use serde::Deserialize;

use super::{Cx, Hit, Level, Rule};
use crate::parser::{Instruction, Kind};

/// The format a schema label must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelType {
    /// Any non-empty text.
    Text,
    /// An absolute URL.
    Url,
    /// Semantic version.
    Semver,
    /// A git commit hash.
    Hash,
    /// An RFC 3339 time.
    Rfc3339,
    /// An SPDX license expression (checked only for being present and non-empty).
    Spdx,
    /// An e-mail address.
    Email,
}

fn labels<'a>(cx: &'a Cx<'_>) -> impl Iterator<Item = (&'a Instruction, String, String)> + 'a {
    cx.each(Kind::Label).flat_map(|(_, ins)| {
        ins.pairs()
            .into_iter()
            .map(move |(k, v)| (ins, k, v.unwrap_or_default()))
    })
}

fn valid_key(key: &str) -> bool {
    let reserved = ["com.docker.", "io.docker.", "org.dockerproject."];
    !reserved.iter().any(|r| key.starts_with(r))
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
        && !key.contains("..")
        && !key.contains("--")
}

pub static DL3048: Rule = Rule {
    code: "DL3048",
    name: "invalid-label-key",
    level: Level::Style,
    summary: "A LABEL key that is not a valid label name.",
    why: "Label keys are lower-case letters and digits separated by `.`, `-` or `_`, starting with a letter; com.docker.*, io.docker.* and org.dockerproject.* are reserved.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Label) {
            if let Some((key, _)) = ins
                .pairs()
                .into_iter()
                .find(|(k, _)| !k.contains('$') && !valid_key(k))
            {
                out.push(Hit::at(ins, format!("Invalid label key: `{key}`")));
            }
        }
    },
};

pub static DL3049: Rule = Rule {
    code: "DL3049",
    name: "missing-label",
    level: Level::Info,
    summary: "A label required by the label schema is missing from a runtime stage.",
    why: "Labels such as the source URL and the revision are how people and tools trace an image back to its code.",
    check: |cx, out| {
        for stage in cx.runtime_stages() {
            let present: Vec<String> = cx
                .lineage_instructions(stage)
                .into_iter()
                .filter(|(_, i)| i.kind == Kind::Label)
                .flat_map(|(_, i)| i.pairs().into_iter().map(|(k, _)| k))
                .collect();
            for (name, _) in &cx.settings.label_schema {
                if !present.contains(name) {
                    out.push(Hit::at(
                        &cx.df.instructions[stage.from],
                        format!("Label `{name}` is missing."),
                    ));
                }
            }
        }
    },
};

pub static DL3050: Rule = Rule {
    code: "DL3050",
    name: "superfluous-label",
    level: Level::Info,
    summary: "A label outside the schema (with `strict-labels`).",
    why: "With strict labels the schema is the whole list; anything else is a typo or drift.",
    check: |cx, out| {
        if !cx.settings.strict_labels {
            return;
        }
        for (_, ins) in cx.each(Kind::Label) {
            let extra: Vec<String> = ins
                .pairs()
                .into_iter()
                .map(|(k, _)| k)
                .filter(|k| !cx.settings.label_schema.iter().any(|(s, _)| s == k))
                .collect();
            if !extra.is_empty() {
                out.push(Hit::at(
                    ins,
                    format!("Superfluous label(s) present: `{}`", extra.join("`, `")),
                ));
            }
        }
    },
};

fn schema_check(
    cx: &Cx<'_>,
    want: LabelType,
    valid: fn(&str) -> bool,
    what: &str,
    out: &mut Vec<Hit>,
) {
    for (ins, key, value) in labels(cx) {
        let typed = cx
            .settings
            .label_schema
            .iter()
            .any(|(k, t)| *k == key && *t == want);
        if typed && !value.is_empty() && !value.contains('$') && !valid(&value) {
            out.push(Hit::at(
                ins,
                format!("Label `{key}` is not a valid {what}."),
            ));
        }
    }
}

pub static DL3051: Rule = Rule {
    code: "DL3051",
    name: "empty-label",
    level: Level::Warning,
    summary: "A schema label is empty.",
    why: "An empty required label satisfies the letter of the schema and none of its purpose.",
    check: |cx, out| {
        for (ins, key, value) in labels(cx) {
            if value.trim().is_empty() && cx.settings.label_schema.iter().any(|(k, _)| *k == key) {
                out.push(Hit::at(ins, format!("Label `{key}` is empty.")));
            }
        }
    },
};

fn is_url(v: &str) -> bool {
    v.split_once("://").is_some_and(|(scheme, rest)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            && !rest.is_empty()
            && !rest.contains(char::is_whitespace)
    })
}

pub static DL3052: Rule = Rule {
    code: "DL3052",
    name: "label-not-url",
    level: Level::Warning,
    summary: "A `url` schema label is not a URL.",
    why: "Tools follow these links; a broken one leads nowhere.",
    check: |cx, out| schema_check(cx, LabelType::Url, is_url, "URL", out),
};

fn is_rfc3339(v: &str) -> bool {
    let b = v.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
    {
        return false;
    }
    if !matches!(b[10], b'T' | b't' | b' ')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut rest = &v[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    rest.eq_ignore_ascii_case("z")
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':'
            && rest[1..3]
                .bytes()
                .chain(rest[4..].bytes())
                .all(|c| c.is_ascii_digit()))
}

pub static DL3053: Rule = Rule {
    code: "DL3053",
    name: "label-not-rfc3339",
    level: Level::Warning,
    summary: "An `rfc3339` schema label is not an RFC 3339 time.",
    why: "Build dates are compared by tools; they need the standard format, e.g. 2026-11-27T06:00:00Z.",
    check: |cx, out| {
        schema_check(
            cx,
            LabelType::Rfc3339,
            is_rfc3339,
            "time format - must conform to RFC3339",
            out,
        );
    },
};

pub static DL3055: Rule = Rule {
    code: "DL3055",
    name: "label-not-git-hash",
    level: Level::Warning,
    summary: "A `hash` schema label is not a git commit hash.",
    why: "The revision label is how you find the commit an image was built from.",
    check: |cx, out| {
        schema_check(
            cx,
            LabelType::Hash,
            |v| {
                (v.len() == 40 || v.len() == 64 || (7..=12).contains(&v.len()))
                    && v.chars().all(|c| c.is_ascii_hexdigit())
            },
            "git hash",
            out,
        );
    },
};

fn is_semver(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let (core, _) = v.split_once('+').unwrap_or((v, ""));
    let (core, pre) = core.split_once('-').unwrap_or((core, ""));
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars().all(|c| c.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        })
        && pre
            .split('.')
            .all(|p| p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

pub static DL3056: Rule = Rule {
    code: "DL3056",
    name: "label-not-semver",
    level: Level::Warning,
    summary: "A `semver` schema label is not a semantic version.",
    why: "Version labels are sorted and compared by tools; they need MAJOR.MINOR.PATCH.",
    check: |cx, out| schema_check(cx, LabelType::Semver, is_semver, "semantic version", out),
};

fn is_email(v: &str) -> bool {
    let v = v
        .rsplit_once('<')
        .map_or(v, |(_, r)| r.trim_end_matches('>'));
    v.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !v.contains(char::is_whitespace)
    })
}

pub static DL3058: Rule = Rule {
    code: "DL3058",
    name: "label-not-email",
    level: Level::Warning,
    summary: "An `email` schema label is not an e-mail address.",
    why: "The maintainer address is how people reach whoever owns the image.",
    check: |cx, out| {
        schema_check(
            cx,
            LabelType::Email,
            is_email,
            "email format - must conform to RFC5322",
            out,
        );
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(is_rfc3339("2026-11-27T06:00:00Z"));
        assert!(is_rfc3339("2026-11-27T06:00:00.123+02:00"));
        assert!(!is_rfc3339("2026-11-27"));
        assert!(!is_rfc3339("yesterday at noon, 2026"));
        assert!(is_semver("1.2.3-rc.1+build.5"));
        assert!(!is_semver("1.2"));
        assert!(!is_semver("01.2.3"));
        assert!(is_email("Ops <ops@example.com>"));
        assert!(!is_email("ops at example"));
        assert!(is_url("https://github.com/x/y"));
        assert!(!is_url("github.com/x"));
        assert!(valid_key("org.opencontainers.image.source"));
        assert!(!valid_key("a b"));
        assert!(!valid_key("com.docker.x"));
        assert!(!valid_key("Foo"));
        assert!(!valid_key("1abc"));
        assert!(valid_key("foo_bar"));
    }
}
