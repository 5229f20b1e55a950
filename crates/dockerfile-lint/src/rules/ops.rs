//! opskit's own rules: what hadolint does not check and a deploy needs. Health checks on the
//! images that run (not on builder stages), secrets baked into images, root, and Node's
//! production settings.
#![expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "package and file names on Linux are case-sensitive; so are these suffixes"
)]

use std::path::Path;

use super::{Cx, Hit, ImageRef, Level, Rule};
use crate::parser::{CommandForm, Instruction, Kind, Stage};
use crate::shell::{Manager, Script};

fn stage_label(cx: &Cx<'_>, stage: &Stage) -> String {
    let last = stage.index + 1 == cx.df.stages.len();
    match (&stage.name, last) {
        (Some(n), true) => format!("the final stage `{n}`"),
        (None, true) => "the final stage".to_owned(),
        (Some(n), false) => format!("the runtime stage `{n}`"),
        (None, false) => format!("stage {}", stage.index),
    }
}

/// The HEALTHCHECK that applies to a stage (the last one in its lineage).
fn effective_healthcheck<'a>(cx: &Cx<'a>, stage: &'a Stage) -> Option<&'a Instruction> {
    cx.lineage_instructions(stage)
        .into_iter()
        .rev()
        .map(|(_, i)| i)
        .find(|i| i.kind == Kind::Healthcheck)
}

fn is_none(ins: &Instruction) -> bool {
    ins.args.trim().eq_ignore_ascii_case("none")
}

/// The command of `HEALTHCHECK [flags] CMD ...`.
fn healthcheck_command(ins: &Instruction) -> Option<CommandForm> {
    let rest = ins.args.trim_start();
    let (word, cmd) = rest.split_at(rest.find(char::is_whitespace).unwrap_or(rest.len()));
    if !word.eq_ignore_ascii_case("cmd") {
        return None;
    }
    let cmd = cmd.trim();
    Some(match serde_json::from_str::<Vec<String>>(cmd) {
        Ok(v) if cmd.starts_with('[') => CommandForm::Exec(v),
        _ => CommandForm::Shell(cmd.to_owned()),
    })
}

pub static OPS_DF001: Rule = Rule {
    code: "OPS-DF001",
    name: "missing-healthcheck",
    level: Level::Warning,
    summary: "A runtime image (the final stage, or any stage nothing else builds on) has no HEALTHCHECK, or disables it with HEALTHCHECK NONE.",
    why: "Without a health check Docker, Compose and Swarm report a hung process as running, and restarts never happen. Builder stages are not checked: they never run as containers.",
    check: |cx, out| {
        for stage in cx.runtime_stages() {
            match effective_healthcheck(cx, stage) {
                None => out.push(Hit::at(
                    &cx.df.instructions[stage.from],
                    format!("{} has no HEALTHCHECK: add one that calls the service's health endpoint, e.g. HEALTHCHECK CMD [\"node\", \"healthcheck.js\"]", stage_label(cx, stage)),
                )),
                Some(h) if is_none(h) => out.push(Hit::at(h, format!("HEALTHCHECK NONE switches the health check of {} off", stage_label(cx, stage)))),
                Some(_) => {}
            }
        }
    },
};

/// What a base image is known to lack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    /// No shell, no curl, no wget (distroless, scratch, Chainguard).
    Bare,
    /// BusyBox: wget yes, curl no (Alpine, busybox).
    Busybox,
    /// Debian slim: neither curl nor wget.
    Slim,
    /// A full image or one we know nothing about.
    Unknown,
}

fn flavour(image: &str) -> Flavour {
    let r = ImageRef::parse(image);
    let tag = r.tag.unwrap_or("");
    if image == "scratch"
        || r.repository.contains("distroless")
        || (r.registry == Some("cgr.dev") && !tag.contains("dev"))
    {
        Flavour::Bare
    } else if r.name() == "alpine" || r.name() == "busybox" || tag.contains("alpine") {
        Flavour::Busybox
    } else if tag.contains("slim") {
        Flavour::Slim
    } else {
        Flavour::Unknown
    }
}

/// Whether a RUN or COPY in the stage's lineage provides `program`.
fn provides(cx: &Cx<'_>, stage: &Stage, program: &str) -> bool {
    cx.lineage_instructions(stage)
        .into_iter()
        .any(|(i, ins)| match ins.kind {
            Kind::Run => cx.scripts[i].as_ref().is_some_and(|s| {
                s.package_commands().any(|p| {
                    p.is(&["install", "add", "in"])
                        && !matches!(
                            p.manager,
                            Manager::Npm
                                | Manager::Yarn
                                | Manager::Pnpm
                                | Manager::Pip
                                | Manager::Gem
                                | Manager::Go
                        )
                        && p.packages().iter().any(|pkg| {
                            pkg.split(['=', '-']).next() == Some(program)
                                || pkg.starts_with(&format!("{program}="))
                        })
                }) || s
                    .commands
                    .iter()
                    .any(|c| c.args().iter().any(|a| a.ends_with(&format!("/{program}"))))
            }),
            Kind::Copy | Kind::Add => ins
                .words()
                .iter()
                .any(|w| w.ends_with(&format!("/{program}")) || w == program),
            _ => false,
        })
}

pub static OPS_DF002: Rule = Rule {
    code: "OPS-DF002",
    name: "healthcheck-program-missing",
    level: Level::Error,
    summary: "The HEALTHCHECK calls a program the image does not have (curl on slim, Alpine or distroless; wget on slim or distroless; a shell on distroless).",
    why: "The check then fails every time with `not found`, and the orchestrator restarts a healthy container forever. Install the program in the final stage or check with the runtime you ship (`node healthcheck.js`).",
    check: |cx, out| {
        for stage in cx.runtime_stages() {
            let Some(h) = effective_healthcheck(cx, stage) else {
                continue;
            };
            let Some(cmd) = healthcheck_command(h) else {
                continue;
            };
            let image = cx.root_image(stage);
            let f = flavour(image);
            if f == Flavour::Unknown {
                continue;
            }
            let programs: Vec<String> = match &cmd {
                CommandForm::Exec(argv) => argv
                    .first()
                    .map(|p| p.rsplit('/').next().unwrap_or(p).to_owned())
                    .into_iter()
                    .collect(),
                CommandForm::Shell(text) => {
                    if f == Flavour::Bare && !provides(cx, stage, "sh") {
                        out.push(Hit::at(h, format!("the shell-form HEALTHCHECK needs /bin/sh, which `{image}` does not have: use the exec form [\"/app/healthcheck\"]")));
                        continue;
                    }
                    Script::parse(text)
                        .commands
                        .iter()
                        .filter_map(|c| c.program().map(str::to_owned))
                        .collect()
                }
            };
            for program in programs {
                let missing = matches!(
                    (program.as_str(), f),
                    ("curl", Flavour::Bare | Flavour::Busybox | Flavour::Slim)
                        | ("wget", Flavour::Bare | Flavour::Slim)
                );
                if missing && !provides(cx, stage, &program) {
                    out.push(Hit::at(h, format!("the HEALTHCHECK calls `{program}`, which `{image}` does not have and no step installs: the check will always fail")));
                }
            }
        }
    },
};

/// A Go duration (`30s`, `1m30s`, `500ms`), in milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..u] {
            "ns" => 1e-6,
            "us" | "µs" => 1e-3,
            "ms" => 1.0,
            "s" => 1e3,
            "m" => 60e3,
            "h" => 3600e3,
            _ => return None,
        };
        total += value * factor;
        rest = &rest[u..];
    }
    Some(total)
}

pub static OPS_DF003: Rule = Rule {
    code: "OPS-DF003",
    name: "healthcheck-timing",
    level: Level::Warning,
    summary: "HEALTHCHECK timings that make no sense: an unreadable duration, an interval under a second, a timeout longer than the interval, or more than ten minutes before a dead container is noticed.",
    why: "The health check is only as useful as its timing: too eager and it load-tests the service, too slow and an outage goes unnoticed.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Healthcheck) {
            if is_none(ins) {
                continue;
            }
            let mut ms = |name: &str, default: f64| -> Option<f64> {
                match ins.flag(name).and_then(|f| f.value.as_deref()) {
                    None => Some(default),
                    Some(v) if v.contains('$') => Some(default),
                    Some(v) => match duration_ms(v) {
                        Some(d) if d > 0.0 => Some(d),
                        _ => {
                            out.push(Hit::at(ins, format!("--{name}={v} is not a duration Docker reads (use 30s, 1m30s, 500ms)")));
                            None
                        }
                    },
                }
            };
            let interval = ms("interval", 30_000.0);
            let timeout = ms("timeout", 30_000.0);
            let (Some(interval), Some(timeout)) = (interval, timeout) else {
                continue;
            };
            let retries = match ins.flag("retries").and_then(|f| f.value.as_deref()) {
                None => 3.0,
                Some(v) => {
                    if let Ok(n) = v.parse::<u32>() {
                        f64::from(n.max(1))
                    } else {
                        out.push(Hit::at(ins, format!("--retries={v} is not a whole number")));
                        continue;
                    }
                }
            };
            if interval < 1000.0 {
                out.push(Hit::at(
                    ins,
                    format!(
                        "--interval={} runs the check more than once a second",
                        ins.flag("interval")
                            .and_then(|f| f.value.clone())
                            .unwrap_or_default()
                    ),
                ));
            }
            if ins.flag("timeout").is_some() && timeout > interval {
                out.push(Hit::at(ins, "the timeout is longer than the interval: a hung check outlives the next scheduled one; keep the timeout below the interval"));
            }
            let detect = (interval + timeout.min(interval)) * retries;
            if detect > 600_000.0 {
                out.push(Hit::at(ins, format!("a dead container is noticed only after about {:.0} minutes (interval x retries); lower --interval or --retries", detect / 60_000.0)));
            }
        }
    },
};

/// Whether a file name is one that holds secrets by its nature.
fn secret_file(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    let env_file = (base == ".env" || base.starts_with(".env."))
        && ![
            ".example",
            ".sample",
            ".template",
            ".dist",
            ".defaults",
            ".schema",
        ]
        .iter()
        .any(|s| base.ends_with(s));
    env_file
        || [
            ".npmrc",
            ".pypirc",
            ".netrc",
            ".git-credentials",
            "id_rsa",
            "id_ed25519",
            "id_ecdsa",
            "credentials.json",
        ]
        .contains(&base)
        || base.ends_with(".pem")
        || base.ends_with(".key")
        || base.ends_with(".p12")
}

/// A .dockerignore's patterns as written, comments and blank lines left out.
pub(super) fn dockerignore_lines(context: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(context.join(".dockerignore")) else {
        return Vec::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// A .dockerignore, as patterns in order (`!` negates).
pub(super) fn dockerignore(context: &Path) -> Vec<(bool, globset::GlobMatcher)> {
    dockerignore_lines(context)
        .iter()
        .filter_map(|l| {
            let (negate, pattern) = l
                .strip_prefix('!')
                .map_or((false, l.as_str()), |p| (true, p));
            let pattern = pattern
                .trim_start_matches("./")
                .trim_start_matches('/')
                .trim_end_matches('/');
            globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .ok()
                .map(|g| (negate, g.compile_matcher()))
        })
        .collect()
}

pub(super) fn ignored(patterns: &[(bool, globset::GlobMatcher)], path: &str) -> bool {
    let mut out = false;
    for (negate, glob) in patterns {
        // A pattern also excludes everything under a directory it matches.
        let mut hit = glob.is_match(path);
        let mut prefix = path;
        while !hit {
            let Some((parent, _)) = prefix.rsplit_once('/') else {
                break;
            };
            hit = glob.is_match(parent);
            prefix = parent;
        }
        if hit {
            out = !negate;
        }
    }
    out
}

fn scan_file(cx: &Cx<'_>, path: &Path) -> Option<(String, String)> {
    let scanner = cx.scanner?;
    let data = std::fs::read(path).ok()?;
    if data.len() > 1 << 20 {
        return None;
    }
    let hits = scanner.scan_bytes(&path.to_string_lossy(), &data);
    hits.into_iter()
        .next()
        .map(|h| (format!("{} ({})", h.rule.title, h.rule.code), h.secret))
}

pub static OPS_DF004: Rule = Rule {
    code: "OPS-DF004",
    name: "secret-in-image",
    level: Level::Error,
    summary: "A secret baked into the image: a secret value in ENV or ARG (found by secret-scan's rules), or a secrets file such as `.env` copied in.",
    why: "Everything in ENV, ARG and the layers ships with the image to every registry and machine that pulls it, and stays in its history. Pass secrets at runtime, or to the build with RUN --mount=type=secret.",
    check: |cx, out| {
        for ins in &cx.df.instructions {
            match ins.kind {
                Kind::Env | Kind::Arg => {
                    let Some(scanner) = cx.scanner else { continue };
                    for (key, value) in ins.pairs() {
                        let Some(value) = value.filter(|v| !v.is_empty()) else {
                            continue;
                        };
                        let line = format!("{key}={value}\n");
                        if let Some(hit) = scanner
                            .scan_bytes("Dockerfile", line.as_bytes())
                            .into_iter()
                            .next()
                        {
                            out.push(Hit {
                                secret: Some(hit.secret),
                                ..Hit::at(ins, format!("{} {key} holds a secret ({}, {}): it ships in the image config; pass it at runtime instead", ins.keyword.to_ascii_uppercase(), hit.rule.title, hit.rule.code))
                            });
                        }
                    }
                }
                Kind::Copy | Kind::Add if ins.flag("from").is_none() => {
                    let words = ins.exec_form().unwrap_or_else(|| ins.words());
                    let Some((_, sources)) = words.split_last() else {
                        continue;
                    };
                    for src in sources
                        .iter()
                        .filter(|s| !s.starts_with("<<") && !s.contains("://"))
                    {
                        let clean = src.trim_start_matches("./");
                        if secret_file(clean) {
                            let found = cx.context.and_then(|c| scan_file(cx, &c.join(clean)));
                            let message = match &found {
                                Some((rule, _)) => format!(
                                    "COPY puts `{src}` into the image, and it holds a secret ({rule})"
                                ),
                                None => format!(
                                    "COPY puts `{src}` into the image: secrets files belong in the runtime environment, not in a layer"
                                ),
                            };
                            out.push(Hit {
                                secret: found.map(|(_, s)| s),
                                ..Hit::at(ins, message)
                            });
                            continue;
                        }
                        // A directory copy: what secrets files does it sweep in?
                        let Some(context) = cx.context else { continue };
                        let dir = if clean.is_empty() || clean == "." {
                            context.to_path_buf()
                        } else {
                            context.join(clean)
                        };
                        if !dir.is_dir() {
                            continue;
                        }
                        let patterns = dockerignore(context);
                        let Ok(entries) = std::fs::read_dir(&dir) else {
                            continue;
                        };
                        let mut names: Vec<String> = entries
                            .filter_map(|e| e.ok()?.file_name().into_string().ok())
                            .filter(|n| secret_file(n))
                            .collect();
                        names.sort();
                        for name in names {
                            let rel = if clean.is_empty() || clean == "." {
                                name.clone()
                            } else {
                                format!("{}/{name}", clean.trim_end_matches('/'))
                            };
                            if ignored(&patterns, &rel) {
                                continue;
                            }
                            if let Some((rule, secret)) = scan_file(cx, &dir.join(&name)) {
                                out.push(Hit {
                                    secret: Some(secret),
                                    ..Hit::at(ins, format!("COPY {src} sweeps `{rel}` into the image, and it holds a secret ({rule}); add it to .dockerignore"))
                                });
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    },
};

fn runs_nonroot_by_default(image: &str) -> bool {
    let r = ImageRef::parse(image);
    r.tag.is_some_and(|t| t.contains("nonroot"))
        || r.registry == Some("cgr.dev")
        || r.repository.starts_with("bitnami/")
        || r.repository.contains("unprivileged")
}

pub static OPS_DF005: Rule = Rule {
    code: "OPS-DF005",
    name: "runs-as-root",
    level: Level::Warning,
    summary: "A runtime image runs as root: no USER in its stages and a base image that defaults to root.",
    why: "A compromised process that runs as root in the container has root's power over everything mounted into it and is one kernel bug away from the host. Add `USER node` (Node images ship that user) or another unprivileged user.",
    check: |cx, out| {
        let last = cx.df.stages.len().saturating_sub(1);
        for stage in cx.runtime_stages() {
            let user = cx
                .lineage_instructions(stage)
                .into_iter()
                .rev()
                .map(|(_, i)| i)
                .find(|i| i.kind == Kind::User);
            match user {
                None if !runs_nonroot_by_default(cx.root_image(stage))
                    && cx.root_image(stage) != "scratch" =>
                {
                    out.push(Hit::at(
                        &cx.df.instructions[stage.from],
                        format!(
                            "{} runs as root: no USER instruction, and `{}` starts as root",
                            stage_label(cx, stage),
                            cx.root_image(stage)
                        ),
                    ));
                }
                // DL3002 already reports an explicit root USER in the final stage.
                Some(u) if super::shared::is_root(&u.args) && stage.index != last => {
                    out.push(Hit::at(
                        u,
                        format!("{} runs as root", stage_label(cx, stage)),
                    ));
                }
                _ => {}
            }
        }
    },
};

pub static OPS_DF006: Rule = Rule {
    code: "OPS-DF006",
    name: "npm-install-not-ci",
    level: Level::Warning,
    summary: "`npm install` (or `yarn install`, `pnpm install`) without the lockfile-only mode.",
    why: "`npm install` may rewrite the lockfile and install versions nobody tested; `npm ci` installs exactly the lockfile and fails if it is out of date (`yarn install --immutable`, `pnpm install --frozen-lockfile`).",
    check: |cx, out| {
        for (_, ins, script) in cx.runs() {
            for p in script.package_commands() {
                let message = match p.manager {
                    Manager::Npm if p.is(&["install", "i"]) && p.packages().is_empty() => {
                        "`npm install` where `npm ci` belongs: install exactly what package-lock.json says"
                    }
                    Manager::Yarn
                        if (p.is(&["install"]) || p.subcommand.is_empty())
                            && !p.has_flag(None, &["frozen-lockfile", "immutable"]) =>
                    {
                        "`yarn install` without `--frozen-lockfile` (Yarn 1) or `--immutable` (Yarn 2+)"
                    }
                    Manager::Pnpm
                        if p.is(&["install", "i"])
                            && p.packages().is_empty()
                            && !p.has_flag(None, &["frozen-lockfile"]) =>
                    {
                        "`pnpm install` without `--frozen-lockfile`"
                    }
                    _ => continue,
                };
                out.push(Hit::at(ins, message));
            }
        }
    },
};

fn is_node_image(image: &str) -> bool {
    let r = ImageRef::parse(image);
    let name = r.name();
    name == "node" || name.starts_with("nodejs") || name.starts_with("node-") || name == "bun"
}

pub static OPS_DF007: Rule = Rule {
    code: "OPS-DF007",
    name: "node-env-not-production",
    level: Level::Warning,
    summary: "A Node runtime image without `ENV NODE_ENV=production`.",
    why: "Without it Express, Next.js and many libraries run in development mode: slower, more verbose errors to clients, and dev-only code paths.",
    check: |cx, out| {
        for stage in cx.runtime_stages() {
            if !is_node_image(cx.root_image(stage)) {
                continue;
            }
            let instructions = cx.lineage_instructions(stage);
            let args: Vec<(String, Option<String>)> = instructions
                .iter()
                .filter(|(_, i)| i.kind == Kind::Arg)
                .flat_map(|(_, i)| i.pairs())
                .collect();
            let value = instructions
                .iter()
                .rev()
                .filter(|(_, i)| i.kind == Kind::Env)
                .find_map(|(_, i)| {
                    i.pairs()
                        .into_iter()
                        .find(|(k, _)| k == "NODE_ENV")
                        .map(|(_, v)| v.unwrap_or_default())
                });
            let resolved = value.as_deref().map(|v| {
                let var = v
                    .trim_start_matches("${")
                    .trim_start_matches('$')
                    .trim_end_matches('}');
                if v.starts_with('$') {
                    args.iter()
                        .rev()
                        .find(|(k, _)| k == var)
                        .and_then(|(_, d)| d.clone())
                        .unwrap_or_default()
                } else {
                    v.to_owned()
                }
            });
            match resolved.as_deref() {
                Some("production") => {}
                Some(other) => out.push(Hit::at(
                    &cx.df.instructions[stage.from],
                    format!(
                        "{} sets NODE_ENV={other}; a runtime image wants NODE_ENV=production",
                        stage_label(cx, stage)
                    ),
                )),
                None => out.push(Hit::at(
                    &cx.df.instructions[stage.from],
                    format!(
                        "{} is a Node image without ENV NODE_ENV=production",
                        stage_label(cx, stage)
                    ),
                )),
            }
        }
    },
};

/// Whether a variable's name says it holds a credential: secrets, tokens, passwords, keys,
/// and connection strings that carry a password (`DATABASE_URL`, `REDIS_URL`).
pub fn credential_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    if n.starts_with("NEXT_PUBLIC_")
        || n.starts_with("VITE_")
        || n.contains("PUBLIC")
        || n.contains("PUBLISHABLE")
        || n.ends_with("_KEY_ID")
        || n.ends_with("_ID")
    {
        return false;
    }
    [
        "SECRET",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| n.contains(w))
        || n.ends_with("_KEY")
        || n.ends_with("_PASS")
        || n.ends_with("_PWD")
        || [
            "DATABASE", "DB", "POSTGRES", "PG", "MYSQL", "REDIS", "MONGO", "MONGODB", "AMQP",
            "RABBITMQ", "KV",
        ]
        .iter()
        .any(|p| {
            n == format!("{p}_URL")
                || n.ends_with(&format!("_{p}_URL"))
                || n == format!("{p}_URI")
                || n.ends_with(&format!("{p}_DSN"))
        })
}

/// The variables a value refers to: `$NAME`, `${NAME}`, `${NAME:-default}`.
fn references(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        rest = &rest[i + 1..];
        let body = rest.strip_prefix('{').unwrap_or(rest);
        let end = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        if end > 0 {
            out.push(&body[..end]);
        }
        rest = &body[end..];
    }
    out
}

pub static OPS_DF008: Rule = Rule {
    code: "OPS-DF008",
    name: "credential-arg-in-env",
    level: Level::Error,
    summary: "A build argument that holds a credential (by its name, or a secret default) copied into ENV of an image that runs: `ARG DATABASE_URL` then `ENV DATABASE_URL=$DATABASE_URL`.",
    why: "ENV is part of the image config: the value passed with --build-arg is then in every container started from the image, in `docker history` and in every registry that holds it. Read the credential at runtime from the platform's environment; a build that needs it uses RUN --mount=type=secret.",
    check: |cx, out| {
        // Only what ships: the runtime stages and the stages they build on. An ENV in a
        // builder stage stays in the build cache, not in the image that is pushed.
        let mut seen = std::collections::BTreeSet::new();
        for stage in cx.runtime_stages() {
            let instructions = cx.lineage_instructions(stage);
            for (i, ins) in &instructions {
                if ins.kind != Kind::Env || !seen.insert(*i) {
                    continue;
                }
                for (key, value) in ins.pairs() {
                    let Some(value) = value else { continue };
                    for var in references(&value) {
                        // The ARG in scope: in the stage's lineage before the ENV, or before
                        // the first FROM (a global ARG re-declared in the stage).
                        let arg = instructions
                            .iter()
                            .filter(|(j, a)| j < i && a.kind == Kind::Arg)
                            .flat_map(|(_, a)| a.pairs())
                            .rfind(|(k, _)| k == var);
                        let Some((_, default)) = arg else { continue };
                        let secret_default = default.as_deref().is_some_and(|d| {
                            !d.is_empty()
                                && cx.scanner.is_some_and(|s| {
                                    !s.scan_bytes("Dockerfile", format!("{var}={d}\n").as_bytes())
                                        .is_empty()
                                })
                        });
                        if credential_name(var) || credential_name(&key) || secret_default {
                            out.push(Hit::at(
                                ins,
                                format!(
                                    "ENV {key}=${var} copies the build argument {var} into the image: a credential passed with --build-arg then ships in every container and in `docker history`; read it at runtime, or mount it for the build only (RUN --mount=type=secret)"
                                ),
                            ));
                        }
                    }
                }
            }
        }
    },
};

pub static OPS_DF009: Rule = Rule {
    code: "OPS-DF009",
    name: "eol-base-image",
    level: Level::Warning,
    summary: "A base image whose Node.js, Python, Debian or Alpine release is past its end of life (`node:18`, `python:3.8`, `*-buster`, `alpine:3.16`).",
    why: "A release past its end of life gets no security fixes: every new CVE in the runtime or the OS stays open in the image. The dates are in one table (rules/eol.rs) from the projects' own schedules.",
    check: |cx, out| {
        let today = cx.settings.today.unwrap_or_else(opskit::time::today);
        for stage in &cx.df.stages {
            if cx.df.stage_named(&stage.base, stage.from).is_some() {
                continue;
            }
            for e in super::eol::expired(&stage.base, today) {
                let instead = e
                    .instead
                    .map(|v| format!("; move to a supported release ({} {v})", e.product))
                    .unwrap_or_default();
                out.push(Hit::at(
                    &cx.df.instructions[stage.from],
                    format!(
                        "{} runs {} {}, past its end of life on {}: it gets no security fixes{instead}",
                        stage.base, e.product, e.version, e.eol
                    ),
                ));
            }
        }
    },
};

pub static OPS_DF011: Rule = Rule {
    code: "OPS-DF011",
    name: "not-utf8",
    level: Level::Warning,
    summary: "The file is not UTF-8 text; it was read with each other byte as a Latin-1 character.",
    why: "BuildKit reads a Dockerfile as UTF-8: a Latin-1 `é` in a LABEL or an echo becomes a replacement character in the image, and editors and diff tools disagree on what the file says. Every line is still linted. Save the file as UTF-8.",
    check: |cx, out| {
        if let Some(line) = cx.df.not_utf8 {
            out.push(Hit {
                line,
                column: 1,
                message: format!("the file is not UTF-8 (first at line {line}); it was read as Latin-1 there: save it as UTF-8"),
                secret: None,
            });
        }
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_ms("1m30s"), Some(90_000.0));
        assert_eq!(duration_ms("500ms"), Some(500.0));
        assert_eq!(duration_ms("1.5h"), Some(5_400_000.0));
        assert_eq!(duration_ms("30"), None);
        assert_eq!(duration_ms("x"), None);
    }

    #[test]
    fn flavours_and_files() {
        assert_eq!(flavour("node:22-alpine"), Flavour::Busybox);
        assert_eq!(
            flavour("gcr.io/distroless/nodejs22-debian12:nonroot"),
            Flavour::Bare
        );
        assert_eq!(flavour("python:3.13-slim"), Flavour::Slim);
        assert_eq!(flavour("node:22"), Flavour::Unknown);
        assert!(secret_file(".env.production"));
        assert!(!secret_file(".env.example"));
    }

    #[test]
    fn dockerignore_semantics() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".dockerignore"),
            "# c\n.env*\n!.env.example\nsecrets/\n",
        )
        .unwrap();
        let p = dockerignore(dir.path());
        assert!(ignored(&p, ".env"));
        assert!(!ignored(&p, ".env.example"));
        assert!(ignored(&p, "secrets/x.pem"));
        assert!(!ignored(&p, "src/app.ts"));
    }
}
