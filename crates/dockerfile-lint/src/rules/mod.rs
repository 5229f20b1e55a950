//! The rules, registered once in [`RULES`]: hadolint's DL rules (same codes, same default
//! levels) where the rule is the same, and opskit's own `OPS-DFnnn` rules.
//!
//! A rule is a small table entry: its code, name, level, a one-line summary, why it matters,
//! and a function that reports [`Hit`]s. Rules never see configuration that switches them off:
//! ignores, pragmas and level overrides are the driver's job ([`crate::lint`]).

use std::fmt::{self, Write as _};
use std::path::Path;

use opskit_secret_scan::scan::Scanner;

use crate::parser::{Dockerfile, Instruction, Kind, Stage};
use crate::shell::Script;

mod apt;
pub mod buildkit;
mod cmd_entrypoint;
mod copy_add;
pub mod eol;
mod from;
mod labels;
mod lang;
mod misc;
mod ops;
mod rpm;
mod run;
mod shared;

pub use labels::LabelType;

/// hadolint's levels. `Error` fails a run at any threshold; `Style` only at `style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Never reported.
    Ignore,
    /// Cosmetic.
    Style,
    /// Worth knowing.
    Info,
    /// Should be fixed.
    Warning,
    /// Breaks the build or the image.
    Error,
}

impl Level {
    /// `error`, `warning`, `info`, `style` or `ignore`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Ignore => "ignore",
            Level::Style => "style",
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Level, String> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Ok(Level::Error),
            "warning" => Ok(Level::Warning),
            "info" => Ok(Level::Info),
            "style" => Ok(Level::Style),
            "ignore" | "none" => Ok(Level::Ignore),
            _ => Err(format!(
                "`{s}` is not a level: use error, warning, info, style or none"
            )),
        }
    }
}

/// One rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable code: hadolint's `DLnnnn` or opskit's `OPS-DFnnn`.
    pub code: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    /// Default level (hadolint's, for DL rules).
    pub level: Level,
    /// What it flags, one line.
    pub summary: &'static str,
    /// Why it matters and what to do instead.
    pub why: &'static str,
    /// The detector.
    pub check: fn(&Cx<'_>, &mut Vec<Hit>),
}

impl Rule {
    /// Where the rule is explained.
    pub fn help_url(&self) -> String {
        if buildkit::is_check(self.code) {
            buildkit::help_url(self)
        } else if self.code.starts_with("DL") {
            format!("https://github.com/hadolint/hadolint/wiki/{}", self.code)
        } else {
            format!(
                "https://github.com/opskit/opskit/blob/main/docs/dockerfile-lint.md#{}",
                self.code.to_ascii_lowercase()
            )
        }
    }
}

/// What a rule found: a line and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// For people.
    pub message: String,
    /// The text to redact and show as evidence (secrets only).
    pub secret: Option<String>,
}

impl Hit {
    /// A hit at an instruction.
    pub fn at(ins: &Instruction, message: impl Into<String>) -> Hit {
        Hit {
            line: ins.line,
            column: ins.column,
            message: message.into(),
            secret: None,
        }
    }
}

/// Settings the rules read (not switches: those are the driver's).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// DL3026: registries FROM may use; empty means any.
    pub trusted_registries: Vec<String>,
    /// DL3049-DL3058: required labels and their formats.
    pub label_schema: Vec<(String, LabelType)>,
    /// DL3050: labels outside the schema are superfluous.
    pub strict_labels: bool,
    /// OPS-DF009: the day end-of-life dates are compared with (days since 1970-01-01);
    /// `None` is today.
    pub today: Option<i64>,
    /// The `shellcheck` binary for the SC checks on RUN; `None` skips them.
    pub shellcheck: Option<std::path::PathBuf>,
}

/// What every rule sees.
pub struct Cx<'a> {
    /// The parsed file.
    pub df: &'a Dockerfile,
    /// RUN scripts, split, by instruction index (`None` for other instructions).
    pub scripts: Vec<Option<Script>>,
    /// Rule settings.
    pub settings: &'a Settings,
    /// The build context (the Dockerfile's directory), for rules that look at COPY'd files.
    pub context: Option<&'a Path>,
    /// secret-scan's engine, for secrets in ENV, ARG and COPY'd files.
    pub scanner: Option<&'a Scanner>,
}

impl fmt::Debug for Cx<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cx")
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

impl<'a> Cx<'a> {
    /// A context; splits every RUN once.
    pub fn new(
        df: &'a Dockerfile,
        settings: &'a Settings,
        context: Option<&'a Path>,
        scanner: Option<&'a Scanner>,
    ) -> Cx<'a> {
        let scripts = df
            .instructions
            .iter()
            .map(|i| (i.kind == Kind::Run).then(|| Script::parse(&i.script())))
            .collect();
        Cx {
            df,
            scripts,
            settings,
            context,
            scanner,
        }
    }

    /// Instructions of one kind, with their index.
    pub fn each(&self, kind: Kind) -> impl Iterator<Item = (usize, &'a Instruction)> + '_ {
        self.df
            .instructions
            .iter()
            .enumerate()
            .filter(move |(_, i)| i.kind == kind)
    }

    /// RUN instructions with their split script.
    pub fn runs(&self) -> impl Iterator<Item = (usize, &'a Instruction, &Script)> + '_ {
        self.df
            .instructions
            .iter()
            .enumerate()
            .filter_map(|(i, ins)| self.scripts[i].as_ref().map(|s| (i, ins, s)))
    }

    /// The stages no other stage builds on or copies from, plus the last stage: the images
    /// someone runs.
    pub fn runtime_stages(&self) -> Vec<&'a Stage> {
        let df = self.df;
        let mut used = vec![false; df.stages.len()];
        for (i, ins) in df.instructions.iter().enumerate() {
            let referenced = match ins.kind {
                Kind::From => ins.words().first().cloned(),
                Kind::Copy | Kind::Add => ins.flag("from").and_then(|f| f.value.clone()),
                Kind::Run => ins.flags.iter().find_map(|f| {
                    let v = f.value.as_deref()?;
                    v.split(',')
                        .find_map(|p| p.strip_prefix("from="))
                        .map(str::to_owned)
                }),
                _ => None,
            };
            if let Some(stage) = referenced.and_then(|r| df.stage_named(&r, i)) {
                used[stage.index] = true;
            }
        }
        let last = df.stages.len().saturating_sub(1);
        df.stages
            .iter()
            .filter(|s| s.index == last || !used[s.index])
            .collect()
    }

    /// A stage and the stages it builds on (`FROM builder`), nearest first.
    pub fn lineage(&self, stage: &'a Stage) -> Vec<&'a Stage> {
        let mut out = vec![stage];
        let mut current = stage;
        while let Some(parent) = self.df.stage_named(&current.base, current.from) {
            if out.iter().any(|s| s.index == parent.index) {
                break;
            }
            out.push(parent);
            current = parent;
        }
        out
    }

    /// The external image a stage finally builds on (through `FROM stage` chains).
    pub fn root_image(&self, stage: &'a Stage) -> &'a str {
        self.lineage(stage).last().map_or("", |s| s.base.as_str())
    }

    /// Instructions of a stage's lineage, oldest stage first.
    pub fn lineage_instructions(&self, stage: &'a Stage) -> Vec<(usize, &'a Instruction)> {
        let mut out = Vec::new();
        for s in self.lineage(stage).into_iter().rev() {
            for i in s.body() {
                out.push((i, &self.df.instructions[i]));
            }
        }
        out
    }
}

/// An image reference split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// `ghcr.io`, `localhost:5000`; `None` for Docker Hub.
    pub registry: Option<&'a str>,
    /// `library/node`, `node`.
    pub repository: &'a str,
    /// After `:`.
    pub tag: Option<&'a str>,
    /// After `@`.
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Splits `reference` (`ghcr.io/org/app:1.2@sha256:…`).
    pub fn parse(reference: &'a str) -> ImageRef<'a> {
        let (rest, digest) = match reference.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (reference, None),
        };
        let (registry, path) = match rest.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first), path)
            }
            _ => (None, rest),
        };
        let last_slash = path.rfind('/').map_or(0, |i| i + 1);
        let (repository, tag) = match path[last_slash..].rfind(':') {
            Some(c) => (&path[..last_slash + c], Some(&path[last_slash + c + 1..])),
            None => (path, None),
        };
        ImageRef {
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// The last path component: `node` for `docker.io/library/node:22`.
    pub fn name(&self) -> &'a str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(self.repository)
    }
}

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &misc::DL3000,
    &run::DL3001,
    &misc::DL3002,
    &run::DL3003,
    &run::DL3004,
    &from::DL3006,
    &from::DL3007,
    &apt::DL3008,
    &apt::DL3009,
    &copy_add::DL3010,
    &misc::DL3011,
    &cmd_entrypoint::DL3012,
    &lang::DL3013,
    &apt::DL3014,
    &apt::DL3015,
    &lang::DL3016,
    &apt::DL3018,
    &apt::DL3019,
    &copy_add::DL3020,
    &copy_add::DL3021,
    &copy_add::DL3022,
    &copy_add::DL3023,
    &from::DL3024,
    &cmd_entrypoint::DL3025,
    &from::DL3026,
    &apt::DL3027,
    &lang::DL3028,
    &from::DL3029,
    &rpm::DL3030,
    &rpm::DL3032,
    &rpm::DL3033,
    &rpm::DL3034,
    &rpm::DL3035,
    &rpm::DL3036,
    &rpm::DL3037,
    &rpm::DL3038,
    &rpm::DL3040,
    &rpm::DL3041,
    &lang::DL3042,
    &misc::DL3043,
    &misc::DL3044,
    &copy_add::DL3045,
    &run::DL3046,
    &run::DL3047,
    &labels::DL3048,
    &labels::DL3049,
    &labels::DL3050,
    &labels::DL3051,
    &labels::DL3052,
    &labels::DL3053,
    &labels::DL3055,
    &labels::DL3056,
    &labels::DL3058,
    &run::DL3059,
    &lang::DL3060,
    &from::DL3061,
    &lang::DL3062,
    &from::DL3063,
    &misc::DL3064,
    &from::DL3065,
    &misc::DL3066,
    &copy_add::DL3067,
    &misc::DL4000,
    &run::DL4001,
    &cmd_entrypoint::DL4003,
    &cmd_entrypoint::DL4004,
    &run::DL4005,
    &run::DL4006,
    &ops::OPS_DF001,
    &ops::OPS_DF002,
    &ops::OPS_DF003,
    &ops::OPS_DF004,
    &ops::OPS_DF005,
    &ops::OPS_DF006,
    &ops::OPS_DF007,
    &ops::OPS_DF008,
    &ops::OPS_DF009,
    &ops::OPS_DF011,
    // Docker's build checks, in the order of Docker's reference.
    &buildkit::STAGE_NAME_CASING,
    &buildkit::FROM_AS_CASING,
    &buildkit::NO_EMPTY_CONTINUATION,
    &buildkit::CONSISTENT_INSTRUCTION_CASING,
    &buildkit::DUPLICATE_STAGE_NAME,
    &buildkit::RESERVED_STAGE_NAME,
    &buildkit::JSON_ARGS_RECOMMENDED,
    &buildkit::MAINTAINER_DEPRECATED,
    &buildkit::UNDEFINED_ARG_IN_FROM,
    &buildkit::WORKDIR_RELATIVE_PATH,
    &buildkit::UNDEFINED_VAR,
    &buildkit::MULTIPLE_INSTRUCTIONS_DISALLOWED,
    &buildkit::LEGACY_KEY_VALUE_FORMAT,
    &buildkit::REDUNDANT_TARGET_PLATFORM,
    &buildkit::SECRETS_USED_IN_ARG_OR_ENV,
    &buildkit::INVALID_DEFAULT_ARG_IN_FROM,
    &buildkit::FROM_PLATFORM_FLAG_CONST_DISALLOWED,
    &buildkit::COPY_IGNORED_FILE,
    &buildkit::INVALID_DEFINITION_DESCRIPTION,
    &buildkit::EXPOSE_PROTO_CASING,
    &buildkit::EXPOSE_INVALID_FORMAT,
];

/// The parse-error pseudo-rule (hadolint's code for it).
pub static DL1000: Rule = Rule {
    code: "DL1000",
    name: "parse-error",
    level: Level::Error,
    summary: "The file is not valid Dockerfile syntax.",
    why: "BuildKit refuses the file, so nothing else matters until it parses.",
    check: |_, _| {},
};

/// docs/dockerfile-lint.md with its rule table regenerated; `None` without the markers.
pub fn regenerate_docs(doc: &str) -> Option<String> {
    opskit::docs::splice(doc, &markdown_table())
}

/// A rule by code (case-insensitive) or name.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    if code_or_name.eq_ignore_ascii_case(DL1000.code) || code_or_name == DL1000.name {
        return Some(&DL1000);
    }
    if crate::shellcheck::is_sc_code(code_or_name) {
        return Some(crate::shellcheck::rule(
            &code_or_name.to_ascii_uppercase(),
            Level::Warning,
        ));
    }
    let code_or_name = buildkit::RENAMED
        .iter()
        .find(|(old, _)| old.eq_ignore_ascii_case(code_or_name))
        .map_or(code_or_name, |(_, new)| new);
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// The rule table as Markdown (docs/dockerfile-lint.md is generated from it).
pub fn markdown_table() -> String {
    let mut out =
        String::from("| Code | Name | Level | What it flags | Why |\n|---|---|---|---|---|\n");
    for r in std::iter::once(&&DL1000).chain(RULES) {
        let code = if r.code.starts_with("DL") || buildkit::is_check(r.code) {
            format!("[{}]({})", r.code, r.help_url())
        } else {
            format!("<a id=\"{}\"></a>{}", r.code.to_ascii_lowercase(), r.code)
        };
        let _ = writeln!(
            out,
            "| {code} | `{}` | {} | {} | {} |",
            r.name,
            r.level,
            r.summary.replace('|', "\\|"),
            r.why.replace('|', "\\|")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_ordered() {
        // hadolint's and ours in code order, then Docker's checks in the order of its
        // reference.
        let codes: Vec<&str> = RULES
            .iter()
            .map(|r| r.code)
            .filter(|c| !buildkit::is_check(c))
            .collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        let all: std::collections::BTreeSet<&str> = RULES.iter().map(|r| r.code).collect();
        assert_eq!(all.len(), RULES.len(), "a code is registered twice");
        let dl = codes.iter().filter(|c| c.starts_with("DL")).count();
        let checks = RULES.len() - codes.len();
        // Exact, so a rule added or lost shows up here and in the docs table together.
        assert_eq!(
            (dl, codes.len() - dl, checks),
            (68, 10, 21),
            "DL rules, OPS rules, BuildKit checks"
        );
    }

    #[test]
    fn every_rule_is_in_the_docs_table() {
        let doc = include_str!("../../../../docs/dockerfile-lint.md");
        for r in std::iter::once(&&DL1000).chain(RULES) {
            let row = if r.code.starts_with("DL") || buildkit::is_check(r.code) {
                format!("| [{}]({}) | `{}` |", r.code, r.help_url(), r.name)
            } else {
                format!(
                    "| <a id=\"{}\"></a>{} | `{}` |",
                    r.code.to_ascii_lowercase(),
                    r.code,
                    r.name
                )
            };
            assert!(doc.contains(&row), "docs/dockerfile-lint.md lacks {row}");
        }
    }

    #[test]
    fn image_refs() {
        let r = ImageRef::parse("ghcr.io/org/app:1.2@sha256:abc");
        assert_eq!(
            (r.registry, r.repository, r.tag, r.digest),
            (Some("ghcr.io"), "org/app", Some("1.2"), Some("sha256:abc"))
        );
        let r = ImageRef::parse("localhost:5000/app");
        assert_eq!(
            (r.registry, r.repository, r.tag),
            (Some("localhost:5000"), "app", None)
        );
        let r = ImageRef::parse("node:22-slim");
        assert_eq!(
            (r.registry, r.name(), r.tag),
            (None, "node", Some("22-slim"))
        );
    }
}
