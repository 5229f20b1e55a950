//! Instruction-level rules from hadolint: FROM, WORKDIR, USER, EXPOSE, COPY/ADD, CMD and
//! ENTRYPOINT, ENV, ONBUILD, and the RUN rules that are not about a package manager.

use std::collections::HashSet;

use super::{Cx, Hit, ImageRef, Level, Rule};
use crate::parser::{CommandForm, Instruction, Kind};
use crate::shell::Script;

fn unquoted(s: &str) -> &str {
    s.trim_matches(|c| c == '"' || c == '\'')
}

fn is_absolute(path: &str) -> bool {
    let p = unquoted(path);
    p.starts_with('/')
        || p.starts_with('$')
        || (p.len() >= 2 && p.as_bytes()[1] == b':' && p.as_bytes()[0].is_ascii_alphabetic())
}

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

const POINTLESS: &[&str] = &[
    "free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim",
];

pub static DL3001: Rule = Rule {
    code: "DL3001",
    name: "pointless-command",
    level: Level::Info,
    summary: "A command that makes no sense in a container build (ssh, vim, service, ps, top, kill, mount, shutdown, free).",
    why: "An image build has no interactive session and no init system; these commands do nothing useful there.",
    check: |cx, out| {
        for (_, ins, script) in cx.runs() {
            if let Some(p) = script
                .commands
                .iter()
                .filter_map(|c| c.program())
                .find(|p| POINTLESS.contains(p))
            {
                out.push(Hit::at(ins, format!("For some bash commands it makes no sense running them in a Docker container like `{p}`")));
            }
        }
    },
};

/// Whether a USER value is root (`root`, `0`, with or without a group or quotes).
pub(super) fn is_root(user: &str) -> bool {
    let name = unquoted(user.trim()).split(':').next().unwrap_or("");
    name == "root" || name == "0"
}

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

pub static DL3003: Rule = Rule {
    code: "DL3003",
    name: "cd-in-run",
    level: Level::Warning,
    summary: "`cd` in RUN instead of WORKDIR.",
    why: "WORKDIR makes the directory explicit for every later instruction; a `cd` lasts one RUN and is easy to misread.",
    check: |cx, out| {
        for (_, ins, script) in cx.runs() {
            if script.calls("cd").next().is_some() {
                out.push(Hit::at(ins, "Use WORKDIR to switch to a directory"));
            }
        }
    },
};

pub static DL3004: Rule = Rule {
    code: "DL3004",
    name: "sudo",
    level: Level::Error,
    summary: "`sudo` in RUN.",
    why: "Builds run as root already, or as a user who should not have sudo; sudo also has unpredictable TTY and signal behaviour. Use USER, or gosu at runtime.",
    check: |cx, out| {
        for (_, ins, script) in cx.runs() {
            if script.commands.iter().any(|c| c.starts_with("sudo")) {
                out.push(Hit::at(ins, "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root"));
            }
        }
    },
};

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

fn base_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

pub static DL3010: Rule = Rule {
    code: "DL3010",
    name: "copy-then-extract",
    level: Level::Info,
    summary: "COPY of a tar archive that a later RUN extracts.",
    why: "ADD extracts a local tar archive in one layer; COPY plus `tar -x` keeps the archive in a layer as well.",
    check: |cx, out| {
        for stage in &cx.df.stages {
            for i in stage.body() {
                let ins = &cx.df.instructions[i];
                if ins.kind != Kind::Copy || ins.flag("from").is_some() {
                    continue;
                }
                let words = ins.exec_form().unwrap_or_else(|| ins.words());
                let Some((dest, sources)) = words.split_last() else {
                    continue;
                };
                let mut names: Vec<&str> = sources
                    .iter()
                    .filter(|s| is_archive(s))
                    .map(|s| base_name(s))
                    .collect();
                if names.is_empty() {
                    continue;
                }
                if !dest.ends_with('/') {
                    names.push(base_name(dest));
                }
                let extracted = (i + 1..stage.end)
                    .filter_map(|j| cx.scripts[j].as_ref())
                    .any(|script| {
                        script.calls("tar").any(|c| {
                            let args = c.args();
                            let extracting = args.iter().any(|a| {
                                a == "--extract"
                                    || (a.starts_with('-')
                                        && !a.starts_with("--")
                                        && a.contains('x'))
                            });
                            extracting && args.iter().any(|a| names.contains(&base_name(a)))
                        })
                    });
                if extracted {
                    out.push(Hit::at(
                        ins,
                        "Use `ADD` for extracting archives into an image",
                    ));
                }
            }
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

/// Fires on the second and later instruction of `kind` within one stage.
fn repeated_in_stage(cx: &Cx<'_>, kind: Kind, message: &str, out: &mut Vec<Hit>) {
    for stage in &cx.df.stages {
        let mut seen = false;
        for i in stage.body() {
            let ins = &cx.df.instructions[i];
            if ins.kind == kind {
                if seen {
                    out.push(Hit::at(ins, message));
                }
                seen = true;
            }
        }
    }
}

pub static DL3012: Rule = Rule {
    code: "DL3012",
    name: "multiple-healthchecks",
    level: Level::Error,
    summary: "More than one HEALTHCHECK in a stage.",
    why: "Only the last one counts; the others mislead readers.",
    check: |cx, out| {
        repeated_in_stage(
            cx,
            Kind::Healthcheck,
            "Multiple `HEALTHCHECK` instructions",
            out,
        );
    },
};

const ARCHIVES: &[&str] = &[
    ".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz",
    ".tpz", ".txz", ".xz", ".zst",
];

fn is_archive(path: &str) -> bool {
    ARCHIVES.iter().any(|e| path.ends_with(e))
}

fn is_url(path: &str) -> bool {
    path.contains("://") || path.starts_with("git@")
}

pub static DL3020: Rule = Rule {
    code: "DL3020",
    name: "add-for-files",
    level: Level::Error,
    summary: "ADD for a local file or directory.",
    why: "ADD also fetches URLs and unpacks archives; COPY does only what it says, so use it for plain files.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Add) {
            let words = ins.exec_form().unwrap_or_else(|| ins.words());
            if words.len() < 2 {
                continue;
            }
            let sources = &words[..words.len() - 1];
            if sources
                .iter()
                .any(|s| !s.starts_with("<<") && !is_url(s) && !is_archive(s))
            {
                out.push(Hit::at(
                    ins,
                    "Use COPY instead of ADD for files and folders",
                ));
            }
        }
    },
};

pub static DL3021: Rule = Rule {
    code: "DL3021",
    name: "copy-many-to-file",
    level: Level::Error,
    summary: "COPY of several sources to a destination that does not end in `/`.",
    why: "With more than one source the destination must be a directory, written with a trailing slash; otherwise the build fails.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Copy) {
            let words = ins.exec_form().unwrap_or_else(|| ins.words());
            if words.len() > 2
                && words
                    .last()
                    .is_some_and(|d| !d.ends_with('/') && !d.contains('$'))
            {
                out.push(Hit::at(
                    ins,
                    "COPY with more than 2 arguments requires the last argument to end with /",
                ));
            }
        }
    },
};

pub static DL3022: Rule = Rule {
    code: "DL3022",
    name: "copy-from-unknown-stage",
    level: Level::Warning,
    summary: "COPY --from names a stage that is not defined before it.",
    why: "A typo in a stage name silently pulls an image of that name from a registry instead.",
    check: |cx, out| {
        for (i, ins) in cx.each(Kind::Copy) {
            let Some(from) = ins.flag("from").and_then(|f| f.value.as_deref()) else {
                continue;
            };
            if from.contains([':', '/', '$', '@']) {
                continue;
            }
            if cx.df.stage_named(from, i).is_none() {
                out.push(Hit::at(
                    ins,
                    format!(
                        "`COPY --from={from}` should reference a previously defined `FROM` alias"
                    ),
                ));
            }
        }
    },
};

pub static DL3023: Rule = Rule {
    code: "DL3023",
    name: "copy-from-own-stage",
    level: Level::Error,
    summary: "COPY --from names the stage it is in.",
    why: "A stage cannot copy from itself; the build fails.",
    check: |cx, out| {
        for (i, ins) in cx.each(Kind::Copy) {
            let Some(from) = ins.flag("from").and_then(|f| f.value.as_deref()) else {
                continue;
            };
            let Some(stage) = cx.df.stage_of(i) else {
                continue;
            };
            if stage.name.as_deref() == Some(from.to_ascii_lowercase().as_str()) {
                out.push(Hit::at(
                    ins,
                    "`COPY --from` cannot reference its own `FROM` alias",
                ));
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

pub static DL3025: Rule = Rule {
    code: "DL3025",
    name: "shell-form-cmd",
    level: Level::Warning,
    summary: "CMD or ENTRYPOINT in shell form.",
    why: "In shell form the program runs under `/bin/sh -c` as a child: it never receives SIGTERM, so `docker stop` waits and kills it. Use the JSON form.",
    check: |cx, out| {
        for ins in &cx.df.instructions {
            if matches!(ins.kind, Kind::Cmd | Kind::Entrypoint)
                && matches!(ins.command_form(), CommandForm::Shell(_))
            {
                out.push(Hit::at(
                    ins,
                    "Use arguments JSON notation for CMD and ENTRYPOINT arguments",
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
    summary: "FROM --platform with a fixed platform.",
    why: "A hard-coded platform breaks multi-arch builds; use `--platform=$BUILDPLATFORM` or leave it out.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::From) {
            if let Some(f) = ins.flag("platform")
                && !f.value.as_deref().unwrap_or("").contains('$')
            {
                out.push(Hit::at(ins, "Do not use --platform flag with FROM"));
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

pub static DL3045: Rule = Rule {
    code: "DL3045",
    name: "copy-relative-without-workdir",
    level: Level::Warning,
    summary: "COPY to a relative destination before any WORKDIR.",
    why: "The destination then depends on the base image's WORKDIR, which you do not control.",
    check: |cx, out| {
        for stage in &cx.df.stages {
            let lineage = cx.lineage(stage);
            let inherited = lineage[1..].iter().any(|s| {
                s.body()
                    .any(|i| cx.df.instructions[i].kind == Kind::Workdir)
            });
            let mut workdir = inherited;
            for i in stage.body() {
                let ins = &cx.df.instructions[i];
                match ins.kind {
                    Kind::Workdir => workdir = true,
                    Kind::Copy if !workdir => {
                        let words = ins.exec_form().unwrap_or_else(|| ins.words());
                        if words.len() >= 2
                            && let Some(dest) = words.last()
                            && !is_absolute(dest)
                        {
                            out.push(Hit::at(
                                ins,
                                "`COPY` to a relative destination without `WORKDIR` set.",
                            ));
                        }
                    }
                    _ => {}
                }
            }
        }
    },
};

pub static DL3046: Rule = Rule {
    code: "DL3046",
    name: "useradd-high-uid",
    level: Level::Warning,
    summary: "`useradd` with a high UID and without `-l`.",
    why: "Without `-l` useradd writes a lastlog entry sized by the UID: a high UID makes a huge sparse file in the layer.",
    check: |cx, out| {
        for (_, ins, script) in cx.runs() {
            for c in script.calls("useradd") {
                let args = c.args();
                let uid = args.iter().enumerate().find_map(|(k, a)| {
                    if a == "-u" || a == "--uid" {
                        args.get(k + 1).map(String::as_str)
                    } else {
                        a.strip_prefix("--uid=")
                            .or_else(|| a.strip_prefix("-u").filter(|v| !v.is_empty()))
                    }
                });
                let high =
                    uid.is_some_and(|u| u.len() > 5 && u.chars().all(|c| c.is_ascii_digit()));
                if high && !c.has_flag(Some('l'), &["no-log-init"]) {
                    out.push(Hit::at(ins, "`useradd` without flag `-l` and high UID will result in excessively large Image."));
                }
            }
        }
    },
};

pub static DL3047: Rule = Rule {
    code: "DL3047",
    name: "wget-without-progress",
    level: Level::Info,
    summary: "`wget` without `--progress` (or quiet).",
    why: "wget's default progress bar floods build logs with thousands of lines for a large download.",
    check: |cx, out| {
        for (_, ins, script) in cx.runs() {
            let noisy = script.calls("wget").any(|c| {
                !c.has_flag(
                    Some('q'),
                    &[
                        "quiet",
                        "progress",
                        "no-verbose",
                        "output-file",
                        "append-output",
                    ],
                ) && !c
                    .args()
                    .iter()
                    .any(|a| a == "-nv" || a.starts_with("-o") || a.starts_with("-a"))
            });
            if noisy {
                out.push(Hit::at(ins, "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`)."));
            }
        }
    },
};

pub static DL3059: Rule = Rule {
    code: "DL3059",
    name: "consecutive-runs",
    level: Level::Info,
    summary: "Consecutive single-command RUN instructions.",
    why: "Each RUN is a layer; two one-line RUNs in a row are usually one `&&` chain.",
    check: |cx, out| {
        let mut previous: Option<(usize, usize)> = None;
        for (i, ins) in cx.df.instructions.iter().enumerate() {
            if ins.kind != Kind::Run {
                previous = None;
                continue;
            }
            let count = cx.scripts[i].as_ref().map_or(0, |s| s.commands.len());
            if let Some((p, pcount)) = previous
                && cx.df.instructions[p].flags == ins.flags
                && pcount + count <= 2
                && ins.heredocs.is_empty()
            {
                out.push(Hit::at(
                    ins,
                    "Multiple consecutive `RUN` instructions. Consider consolidation.",
                ));
            }
            previous = Some((i, count));
        }
    },
};

pub static DL3061: Rule = Rule {
    code: "DL3061",
    name: "instruction-before-from",
    level: Level::Error,
    summary: "An instruction other than ARG before the first FROM.",
    why: "A Dockerfile must begin with FROM (only ARG and parser directives may come first).",
    check: |cx, out| {
        if let Some(ins) = cx
            .df
            .instructions
            .iter()
            .take_while(|i| i.kind != Kind::From)
            .find(|i| i.kind != Kind::Arg)
        {
            out.push(Hit::at(
                ins,
                "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment.",
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

/// Whether an ARG or ENV name looks like it holds a secret.
pub(super) fn secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["token", "password", "secret", "api_key", "private_key"]
        .iter()
        .any(|w| lower.contains(w))
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

pub static DL3067: Rule = Rule {
    code: "DL3067",
    name: "copy-whole-filesystem",
    level: Level::Warning,
    summary: "COPY --from=stage / /: the entire filesystem of another stage.",
    why: "It drags every build tool and cache of that stage into the image; copy what the image needs.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Copy) {
            if ins.flag("from").is_none() {
                continue;
            }
            let words = ins.exec_form().unwrap_or_else(|| ins.words());
            if words.len() == 2 && words[0] == "/" && words[1] == "/" {
                out.push(Hit::at(
                    ins,
                    "Do not copy an entire filesystem from another stage",
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

pub static DL4001: Rule = Rule {
    code: "DL4001",
    name: "wget-and-curl",
    level: Level::Warning,
    summary: "Both wget and curl are used.",
    why: "Two download tools where one does: pick one and install only that.",
    check: |cx, out| {
        let (mut wget, mut curl) = (false, false);
        for (_, ins, script) in cx.runs() {
            let uses_wget = script.calls("wget").next().is_some();
            let uses_curl = script.calls("curl").next().is_some();
            wget |= uses_wget;
            curl |= uses_curl;
            if (uses_wget || uses_curl) && wget && curl {
                out.push(Hit::at(ins, "Either use Wget or Curl but not both"));
            }
        }
    },
};

pub static DL4003: Rule = Rule {
    code: "DL4003",
    name: "multiple-cmd",
    level: Level::Warning,
    summary: "More than one CMD in a stage.",
    why: "Only the last CMD takes effect.",
    check: |cx, out| {
        repeated_in_stage(
            cx,
            Kind::Cmd,
            "Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect",
            out,
        );
    },
};

pub static DL4004: Rule = Rule {
    code: "DL4004",
    name: "multiple-entrypoint",
    level: Level::Error,
    summary: "More than one ENTRYPOINT in a stage.",
    why: "Only the last ENTRYPOINT takes effect.",
    check: |cx, out| {
        repeated_in_stage(
            cx,
            Kind::Entrypoint,
            "Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last `ENTRYPOINT` will take effect",
            out,
        );
    },
};

pub static DL4005: Rule = Rule {
    code: "DL4005",
    name: "ln-bin-sh",
    level: Level::Warning,
    summary: "Replacing /bin/sh with `ln` instead of using SHELL.",
    why: "SHELL changes the shell for RUN without rewriting a system file of the image.",
    check: |cx, out| {
        for (_, ins, script) in cx.runs() {
            if script
                .calls("ln")
                .any(|c| c.args().iter().any(|a| a == "/bin/sh"))
            {
                out.push(Hit::at(ins, "Use SHELL to change the default shell"));
            }
        }
    },
};

fn pipefail_shell(ins: &Instruction) -> Option<bool> {
    let argv = ins.exec_form()?;
    let shell = argv.first()?.rsplit('/').next()?.to_owned();
    if !["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"].contains(&shell.as_str()) {
        // PowerShell, cmd: pipes work differently; the rule does not apply.
        return Some(true);
    }
    Some(
        argv.windows(2).any(|w| w[0] == "-o" && w[1] == "pipefail")
            || argv.iter().any(|a| {
                a.starts_with('-')
                    && !a.starts_with("--")
                    && a.contains('o')
                    && a.ends_with("pipefail")
            }),
    )
}

pub static DL4006: Rule = Rule {
    code: "DL4006",
    name: "pipe-without-pipefail",
    level: Level::Warning,
    summary: "RUN with a pipe and no `SHELL [..., \"-o\", \"pipefail\", ...]` before it.",
    why: "Without pipefail `curl ... | tar x` succeeds when curl fails, and the build goes on with a broken layer.",
    check: |cx, out| {
        for stage in &cx.df.stages {
            let mut safe = false;
            for i in stage.body() {
                let ins = &cx.df.instructions[i];
                match ins.kind {
                    Kind::Shell => safe = pipefail_shell(ins).unwrap_or(false),
                    Kind::Run
                        if !safe
                            && cx.scripts[i].as_ref().is_some_and(Script::has_pipe)
                            && !cx.scripts[i].as_ref().is_some_and(|s| {
                                s.commands.iter().any(|c| {
                                    c.starts_with("set") && c.args().iter().any(|a| a == "pipefail")
                                })
                            }) =>
                    {
                        out.push(Hit::at(ins, "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to /bin/ash, or disable this check"));
                    }
                    _ => {}
                }
            }
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
