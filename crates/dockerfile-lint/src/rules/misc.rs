//! hadolint's rules on the other instructions: WORKDIR, USER, EXPOSE, ENV and ARG, ONBUILD
//! and MAINTAINER.

use std::collections::HashSet;

use super::shared::{is_absolute, is_root, unquoted};
use super::{Hit, Level, Rule};
use crate::parser::Kind;

pub static DL3000: Rule = Rule {
    code: "DL3000",
    name: "absolute-workdir",
    level: Level::Error,
    summary: "Use absolute WORKDIR.",
    why: "A relative WORKDIR depends on every WORKDIR before it, in this stage and its base image.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Workdir) {
            if !is_absolute(&ins.args) {
                out.push(Hit::at(
                    ins,
                    format!("Use absolute WORKDIR: `{}` is relative", ins.args),
                ));
            }
        }
    },
};

pub static DL3002: Rule = Rule {
    code: "DL3002",
    name: "last-user-root",
    level: Level::Warning,
    summary: "The last USER of the final stage is root.",
    why: "A process that runs as root in the container is root on the host if it escapes. Switch to an unprivileged user at the end.",
    check: |cx, out| {
        let Some(last) = cx.df.stages.last() else {
            return;
        };
        if let Some(ins) = last
            .body()
            .rev()
            .map(|i| &cx.df.instructions[i])
            .find(|i| i.kind == Kind::User)
            && is_root(&ins.args)
        {
            out.push(Hit::at(ins, "Last USER should not be root"));
        }
    },
};

pub static DL3011: Rule = Rule {
    code: "DL3011",
    name: "invalid-port",
    level: Level::Error,
    summary: "EXPOSE with a port outside 0-65535.",
    why: "Such a port cannot exist; the build or the run fails.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Expose) {
            for word in ins.words() {
                let port = word.split('/').next().unwrap_or("");
                if port.contains('$') {
                    continue;
                }
                let bad = port
                    .split('-')
                    .any(|p| p.parse::<u64>().is_ok_and(|n| n > 65_535));
                if bad {
                    out.push(Hit::at(
                        ins,
                        format!("Valid UNIX ports range from 0 to 65535: `{word}`"),
                    ));
                }
            }
        }
    },
};

pub static DL3043: Rule = Rule {
    code: "DL3043",
    name: "onbuild-trigger",
    level: Level::Error,
    summary: "ONBUILD ONBUILD, ONBUILD FROM or ONBUILD MAINTAINER.",
    why: "Docker refuses these triggers.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Onbuild) {
            if ins
                .onbuild
                .as_ref()
                .is_some_and(|t| matches!(t.kind, Kind::Onbuild | Kind::From | Kind::Maintainer))
            {
                out.push(Hit::at(ins, "`ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction."));
            }
        }
    },
};

/// `$NAME` and `${NAME...}` references in a value.
fn references(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let braced = bytes.get(i + 1) == Some(&b'{');
            let start = i + 1 + usize::from(braced);
            let mut end = start;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            if end > start {
                out.push(&value[start..end]);
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

pub static DL3044: Rule = Rule {
    code: "DL3044",
    name: "env-self-reference",
    level: Level::Error,
    summary: "ENV refers to a variable defined in the same ENV instruction.",
    why: "Within one ENV the new values are not visible yet: `ENV A=1 B=$A` sets B from the old A (usually empty).",
    check: |cx, out| {
        for stage in &cx.df.stages {
            let mut defined: HashSet<String> = HashSet::new();
            for i in stage.body() {
                let ins = &cx.df.instructions[i];
                if !matches!(ins.kind, Kind::Env | Kind::Arg) {
                    continue;
                }
                let pairs = ins.pairs();
                let mut here: HashSet<&str> = HashSet::new();
                for (key, value) in &pairs {
                    if ins.kind == Kind::Env
                        && let Some(v) = value
                        && let Some(r) = references(v)
                            .into_iter()
                            .find(|r| here.contains(r) && !defined.contains(*r))
                    {
                        out.push(Hit::at(ins, format!("Do not refer to an environment variable within the same `ENV` statement where it is defined: `{r}`")));
                        break;
                    }
                    here.insert(key);
                }
                defined.extend(pairs.into_iter().map(|(k, _)| k));
            }
        }
    },
};

/// Whether an ARG or ENV name looks like it holds a secret.
pub(super) fn secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // hadolint 2.15's words (`private` catches Next.js-style `NEXT_PRIVATE_*` server-only
    // values), less `username`, which names an account rather than a secret; and its known
    // credential names that hold none of those words.
    ([
        "token",
        "password",
        "secret",
        "api_key",
        "private",
        "client_key",
    ]
    .iter()
    .any(|w| lower.contains(w))
        || ["aws_access_key_id", "application_key"].contains(&lower.as_str()))
        && !["_file", "_path", "_dir", "_url"]
            .iter()
            .any(|s| lower.ends_with(s))
}

pub static DL3064: Rule = Rule {
    code: "DL3064",
    name: "sensitive-arg-or-env",
    level: Level::Warning,
    summary: "An ARG or ENV whose name says it holds a secret (`NPM_TOKEN`, `DB_PASSWORD`).",
    why: "Build arguments are recorded in the image history and ENV values in the image config, for anyone who pulls it. Use RUN --mount=type=secret for build secrets and the runtime environment for the rest. Names ending in _FILE, _PATH, _DIR or _URL point at a secret and are not flagged.",
    check: |cx, out| {
        for ins in cx
            .df
            .instructions
            .iter()
            .filter(|i| matches!(i.kind, Kind::Arg | Kind::Env))
        {
            if let Some((key, _)) = ins.pairs().into_iter().find(|(k, _)| secret_name(k)) {
                out.push(Hit::at(ins, format!("Potentially sensitive data should not be used in the `ARG` or `ENV` commands: `{key}`")));
            }
        }
    },
};

pub static DL3066: Rule = Rule {
    code: "DL3066",
    name: "non-numeric-user",
    level: Level::Info,
    summary: "USER with a user name instead of a numeric id.",
    why: "Kubernetes' runAsNonRoot can only verify a numeric user; a name may also not exist in the image.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::User) {
            let user = unquoted(ins.args.trim()).split(':').next().unwrap_or("");
            if !user.is_empty() && !user.chars().all(|c| c.is_ascii_digit()) {
                out.push(Hit::at(
                    ins,
                    "Non-numeric user-id may not be resolvable by host system",
                ));
            }
        }
    },
};

pub static DL4000: Rule = Rule {
    code: "DL4000",
    name: "maintainer",
    level: Level::Error,
    summary: "MAINTAINER is deprecated.",
    why: "Use `LABEL org.opencontainers.image.authors=...` instead.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Maintainer) {
            out.push(Hit::at(ins, "MAINTAINER is deprecated"));
        }
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_in_values() {
        assert_eq!(references("$A-${B}x$ $1"), ["A", "B", "1"]);
    }
}
