//! hadolint's rules on FROM and the stages it opens: tags, registries, platforms, stage
//! names, and what may come before the first FROM.

use std::collections::HashSet;

use super::{Cx, Hit, ImageRef, Level, Rule};
use crate::parser::{Instruction, Kind};

/// The FROM image of instruction `i`, unless it names an earlier stage, is `scratch` or is
/// built from a variable.
fn external_image(cx: &Cx<'_>, i: usize, ins: &Instruction) -> Option<String> {
    let image = ins.words().into_iter().next()?;
    if image == "scratch" || image.contains('$') || cx.df.stage_named(&image, i).is_some() {
        return None;
    }
    Some(image)
}

pub static DL3006: Rule = Rule {
    code: "DL3006",
    name: "untagged-image",
    level: Level::Warning,
    summary: "FROM without an explicit tag.",
    why: "An untagged image is `latest`, which changes under you; pin a tag (and ideally a digest).",
    check: |cx, out| {
        for (i, ins) in cx.each(Kind::From) {
            if let Some(image) = external_image(cx, i, ins) {
                let r = ImageRef::parse(&image);
                if r.tag.is_none() && r.digest.is_none() {
                    out.push(Hit::at(
                        ins,
                        format!("Always tag the version of an image explicitly: `{image}`"),
                    ));
                }
            }
        }
    },
};

pub static DL3007: Rule = Rule {
    code: "DL3007",
    name: "latest-tag",
    level: Level::Warning,
    summary: "FROM with the `latest` tag.",
    why: "`latest` moves: the same Dockerfile builds a different image tomorrow. Pin the version.",
    check: |cx, out| {
        for (i, ins) in cx.each(Kind::From) {
            if let Some(image) = external_image(cx, i, ins) {
                let r = ImageRef::parse(&image);
                if r.tag == Some("latest") && r.digest.is_none() {
                    out.push(Hit::at(ins, "Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag"));
                }
            }
        }
    },
};

pub static DL3024: Rule = Rule {
    code: "DL3024",
    name: "duplicate-stage-name",
    level: Level::Error,
    summary: "Two stages with the same name.",
    why: "BuildKit refuses duplicate stage names.",
    check: |cx, out| {
        let mut seen = HashSet::new();
        for stage in &cx.df.stages {
            if let Some(name) = &stage.name
                && !seen.insert(name.clone())
            {
                out.push(Hit::at(
                    &cx.df.instructions[stage.from],
                    format!("FROM aliases (stage names) must be unique: `{name}`"),
                ));
            }
        }
    },
};

pub static DL3026: Rule = Rule {
    code: "DL3026",
    name: "untrusted-registry",
    level: Level::Error,
    summary: "FROM an image outside the trusted registries (when `trustedRegistries` is set).",
    why: "Base images are code you run; a policy of trusted registries keeps typosquats and unknown publishers out.",
    check: |cx, out| {
        let trusted = &cx.settings.trusted_registries;
        if trusted.is_empty() {
            return;
        }
        for (i, ins) in cx.each(Kind::From) {
            let Some(image) = external_image(cx, i, ins) else {
                continue;
            };
            let registry = ImageRef::parse(&image).registry.unwrap_or("docker.io");
            let ok = trusted.iter().any(|t| {
                t == registry
                    || (registry == "docker.io"
                        && (t == "hub.docker.com" || t == "index.docker.io"))
                    || t.strip_prefix("*.")
                        .is_some_and(|suffix| registry.ends_with(&format!(".{suffix}")))
            });
            if !ok {
                out.push(Hit::at(ins, format!("Use only an allowed registry in the FROM image: `{registry}` is not trusted")));
            }
        }
    },
};

pub static DL3029: Rule = Rule {
    code: "DL3029",
    name: "from-platform",
    level: Level::Warning,
    summary: "FROM --platform with anything but BUILDPLATFORM or TARGETPLATFORM (`linux/amd64`, `$TARGETOS/$TARGETARCH`).",
    why: "A hard-coded platform breaks multi-arch builds; use `--platform=$BUILDPLATFORM` or leave it out. As hadolint 2.15 reads it: a value that names BUILDPLATFORM or TARGETPLATFORM passes, any other is reported.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::From) {
            if let Some(f) = ins.flag("platform")
                && !["BUILDPLATFORM", "TARGETPLATFORM"]
                    .iter()
                    .any(|p| f.value.as_deref().unwrap_or("").contains(p))
            {
                out.push(Hit::at(ins, "Do not use --platform flag with FROM"));
            }
        }
    },
};

pub static DL3061: Rule = Rule {
    code: "DL3061",
    name: "instruction-before-from",
    level: Level::Error,
    summary: "An instruction other than ARG before the first FROM.",
    why: "A Dockerfile must begin with FROM (only ARG and parser directives may come first).",
    // Each of them, as hadolint reports them (every one is an instruction BuildKit refuses),
    // up to a bound: a file that is not a Dockerfile at all gets one line for the rest.
    check: |cx, out| {
        const SHOWN: usize = 20;
        let before: Vec<_> = cx
            .df
            .instructions
            .iter()
            .take_while(|i| i.kind != Kind::From)
            .filter(|i| i.kind != Kind::Arg)
            .collect();
        for ins in before.iter().take(SHOWN) {
            out.push(Hit::at(
                ins,
                "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment.",
            ));
        }
        if let Some(next) = before.get(SHOWN) {
            out.push(Hit::at(
                next,
                format!(
                    "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment (and {} more instructions before the first FROM)",
                    before.len() - SHOWN
                ),
            ));
        }
    },
};

pub static DL3063: Rule = Rule {
    code: "DL3063",
    name: "reserved-stage-name",
    level: Level::Warning,
    summary: "A stage named `scratch` or `context`.",
    why: "Those names mean something else to BuildKit (the empty image, a named build context); a stage called so is confusing at best.",
    check: |cx, out| {
        for stage in &cx.df.stages {
            if stage
                .name
                .as_deref()
                .is_some_and(|n| n == "scratch" || n == "context")
            {
                out.push(Hit::at(
                    &cx.df.instructions[stage.from],
                    "stage name should not be a reserved word",
                ));
            }
        }
    },
};

pub static DL3065: Rule = Rule {
    code: "DL3065",
    name: "redundant-target-platform",
    level: Level::Warning,
    summary: "FROM --platform=$TARGETPLATFORM.",
    why: "That is already the default; the flag only adds noise.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::From) {
            if ins
                .flag("platform")
                .and_then(|f| f.value.as_deref())
                .is_some_and(|v| v == "$TARGETPLATFORM" || v == "${TARGETPLATFORM}")
            {
                out.push(Hit::at(ins, "Setting `FROM --platform` to predefined `$TARGETPLATFORM` is redundant as this is the default behavior"));
            }
        }
    },
};
