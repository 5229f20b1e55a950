//! Docker's own build checks: what `docker build --check` (BuildKit's Dockerfile frontend)
//! reports, each under the check's name as Docker prints it (`StageNameCasing`), with the
//! semantics of Docker's build-checks reference (docs.docker.com/reference/build-checks).
//!
//! What BuildKit knows and a linter cannot: the base image's configuration (its ENV and
//! SHELL). [`image_env`] holds the variables of the official images teams build on; for
//! other images UndefinedVar reports only a near-miss of a defined name (a typo), since the
//! image may define the rest. InvalidBaseImagePlatform needs the image from its registry
//! and is not checked.
//!
//! The `# check=skip=…;error=true;experimental=…` directive and the same comment right
//! before one instruction are read by the driver through [`CheckConfig`].

use std::collections::{BTreeSet, HashMap};

use super::{Hit, ImageRef, Level, Rule};
use crate::parser::{Dockerfile, Instruction, Kind};

/// Checks BuildKit runs only when asked (`# check=experimental=…`): off by default here too.
pub static EXPERIMENTAL: &[&str] = &["CopyIgnoredFile", "InvalidDefinitionDescription"];

/// A BuildKit check and the hadolint rule that reports the same thing on the same line:
/// where both fire, one finding is kept (hadolint's code, its message naming the check).
pub static TWINS: &[(&str, &str)] = &[
    ("DuplicateStageName", "DL3024"),
    ("JSONArgsRecommended", "DL3025"),
    ("FromPlatformFlagConstDisallowed", "DL3029"),
    ("ReservedStageName", "DL3063"),
    ("SecretsUsedInArgOrEnv", "DL3064"),
    ("RedundantTargetPlatform", "DL3065"),
    ("MaintainerDeprecated", "DL4000"),
    ("WorkdirRelativePath", "DL3000"),
    ("MultipleInstructionsDisallowed", "DL3012"),
    ("MultipleInstructionsDisallowed", "DL4003"),
    ("MultipleInstructionsDisallowed", "DL4004"),
];

/// Codes of earlier releases, still accepted in ignore lists and pragmas.
pub static RENAMED: &[(&str, &str)] = &[("OPS-DF010", "LegacyKeyValueFormat")];

/// Whether `code` is one of Docker's build checks: their codes are the checks' names,
/// letters only (`StageNameCasing`), where hadolint's and ours carry digits.
pub fn is_check(code: &str) -> bool {
    !code.is_empty() && code.bytes().all(|b| b.is_ascii_alphabetic())
}

/// Docker's page for a check: `https://docs.docker.com/go/dockerfile/rule/<name>/`.
pub fn help_url(rule: &Rule) -> String {
    format!("https://docs.docker.com/go/dockerfile/rule/{}/", rule.name)
}

// ---------------------------------------------------------------------------------------
// The `check` directive.

/// A `# check=` directive BuildKit would refuse: which option, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CheckError(pub String);

/// `# check=skip=A,B;error=true;experimental=C` as BuildKit reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckConfig {
    /// `skip=all`.
    pub skip_all: bool,
    /// `skip=A,B`.
    pub skip: Vec<String>,
    /// `experimental=all`.
    pub experimental_all: bool,
    /// `experimental=C`.
    pub experimental: Vec<String>,
    /// `error=true`: a violation fails the build.
    pub error: bool,
}

impl CheckConfig {
    /// Parses the directive's value. The error says which option is wrong.
    pub fn parse(value: &str) -> Result<CheckConfig, CheckError> {
        let mut c = CheckConfig::default();
        let value = value.trim();
        if value.is_empty() {
            return Ok(c);
        }
        // BuildKit splits into at most three options; a fourth stays in the third's value.
        for part in value.splitn(3, ';') {
            let Some((key, v)) = part.split_once('=') else {
                return Err(CheckError(format!(
                    "invalid check option `{part}`: write key=value"
                )));
            };
            let v = v.trim();
            let list = || v.split(',').map(|r| r.trim().to_owned()).collect();
            match key.trim() {
                "skip" if v == "all" => c.skip_all = true,
                "skip" => c.skip = list(),
                "experimental" if v == "all" => c.experimental_all = true,
                "experimental" => c.experimental = list(),
                "error" => {
                    c.error = match v.to_ascii_lowercase().as_str() {
                        "1" | "t" | "true" => true,
                        "0" | "f" | "false" => false,
                        _ => {
                            return Err(CheckError(format!(
                                "invalid check option `{part}`: error takes true or false"
                            )));
                        }
                    }
                }
                other => {
                    return Err(CheckError(format!(
                        "invalid check option `{other}`: use skip=, error= or experimental="
                    )));
                }
            }
        }
        Ok(c)
    }

    /// The `check=` comment among the comments right before an instruction, as BuildKit
    /// merges it (the first one that parses; a value ends at the first space).
    pub fn from_comment(text: &str) -> Option<CheckConfig> {
        let (key, value) = text.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("check") {
            return None;
        }
        let value = value.trim().split(' ').next().unwrap_or("");
        CheckConfig::parse(value).ok()
    }

    /// Whether the check `code` is switched off here.
    pub fn skips(&self, code: &str) -> bool {
        if EXPERIMENTAL.contains(&code) {
            return false;
        }
        self.skip_all || self.skip.iter().any(|s| s == code)
    }

    /// Whether the experimental check `code` is switched on here.
    pub fn enables(&self, code: &str) -> bool {
        self.experimental_all || self.experimental.iter().any(|s| s == code)
    }
}

/// The comments BuildKit attaches to instruction `index` (its `PrevComment`): those since
/// the previous instruction, parser directives left out, an empty `#` starting afresh.
pub fn comments_before(df: &Dockerfile, index: usize) -> Vec<&str> {
    let ins = &df.instructions[index];
    let after = index
        .checked_sub(1)
        .map_or(df.directives.lines, |p| df.instructions[p].end_line);
    let mut out = Vec::new();
    for c in df
        .comments
        .iter()
        .filter(|c| c.line > after && c.line < ins.line)
    {
        if c.text.is_empty() {
            out.clear();
        } else {
            out.push(c.text.as_str());
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Variables, as BuildKit's Dockerfile shell lexer reads them.

/// The variables a word refers to (`$A`, `${B}`, `${C:-$D}`), outside single quotes and
/// escapes. `escape` is the file's escape character.
pub fn variables(word: &str, escape: char) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = word.chars().collect();
    let mut i = 0;
    let mut in_double = false;
    while i < chars.len() {
        let c = chars[i];
        if c == escape {
            i += 2;
            continue;
        }
        match c {
            '\'' if !in_double => {
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
            }
            '"' => in_double = !in_double,
            '$' => {
                let braced = chars.get(i + 1) == Some(&'{');
                let start = i + 1 + usize::from(braced);
                let mut end = start;
                while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
                    end += 1;
                }
                if end > start && !chars[start].is_ascii_digit() {
                    out.push(chars[start..end].iter().collect());
                }
                // Inside `${A:-…}` the default is read on: its variables count too.
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Expands a word with `lookup`: `$A`, `${A}`, `${A:-w}`, `${A-w}`, `${A:+w}`, `${A+w}`.
/// `None` for a form this expander does not evaluate (pattern removal, replacement): the
/// caller cannot tell what BuildKit makes of it.
pub fn expand(word: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let name_len = |s: &str| {
            s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(s.len())
        };
        if let Some(body) = rest.strip_prefix('{') {
            let close = body.find('}')?;
            let inner = &body[..close];
            let n = name_len(inner);
            let (name, op) = inner.split_at(n);
            let value = lookup(name);
            let expanded = match op {
                "" => value.unwrap_or_default(),
                _ if op.starts_with(":-") => value
                    .filter(|v| !v.is_empty())
                    .map_or_else(|| expand(&op[2..], lookup), Some)?,
                _ if op.starts_with('-') => value.map_or_else(|| expand(&op[1..], lookup), Some)?,
                _ if op.starts_with(":+") => match value.filter(|v| !v.is_empty()) {
                    Some(_) => expand(&op[2..], lookup)?,
                    None => String::new(),
                },
                _ if op.starts_with('+') => match value {
                    Some(_) => expand(&op[1..], lookup)?,
                    None => String::new(),
                },
                _ => return None,
            };
            out.push_str(&expanded);
            rest = &body[close + 1..];
        } else {
            let n = name_len(rest);
            if n == 0 {
                out.push('$');
                continue;
            }
            out.push_str(&lookup(&rest[..n]).unwrap_or_default());
            rest = &rest[n..];
        }
    }
    out.push_str(rest);
    Some(out)
}

/// The closest of `options` to `name` within BuildKit's edit distance (under 3), or `None`.
fn suggest<'a>(name: &str, options: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for o in options {
        if o == name {
            return None;
        }
        let d = opskit::config::edit_distance(name, o);
        if d < 3 && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, o));
        }
    }
    best.map(|(_, o)| o)
}

fn did_you_mean(s: Option<&str>, sigil: &str) -> String {
    s.map(|s| format!(" (did you mean {sigil}{s}?)"))
        .unwrap_or_default()
}

/// The words of an instruction's arguments with their quotes kept (so single-quoted text
/// can be told from the rest).
fn raw_words(args: &str, escape: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in args.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == escape {
            escaped = true;
            start.get_or_insert(i);
            continue;
        }
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    out.push(&args[s..i]);
                }
            }
            (None, _) => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        out.push(&args[s..]);
    }
    out
}

/// The build arguments every FROM may use without declaring them.
const PREDEFINED: &[&str] = &[
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDOSVERSION",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETOSVERSION",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
];

/// Values for the predefined arguments when a default is evaluated (an amd64 Linux build).
fn predefined_value(name: &str) -> Option<&'static str> {
    Some(match name {
        "BUILDPLATFORM" | "TARGETPLATFORM" => "linux/amd64",
        "BUILDOS" | "TARGETOS" => "linux",
        "BUILDARCH" | "TARGETARCH" => "amd64",
        "BUILDOSVERSION" | "BUILDVARIANT" | "TARGETOSVERSION" | "TARGETVARIANT" => "",
        "TARGETSTAGE" => "final",
        _ => return None,
    })
}

/// Build arguments BuildKit reads itself and never puts in the environment.
const NON_ENV_ARGS: &[&str] = &["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// The global ARGs (before the first FROM): name and default.
fn global_args(df: &Dockerfile) -> Vec<(String, Option<String>)> {
    let first = df.stages.first().map_or(df.instructions.len(), |s| s.from);
    df.instructions[..first]
        .iter()
        .filter(|i| i.kind == Kind::Arg)
        .flat_map(Instruction::pairs)
        .collect()
}

/// The environment variables an official image's config sets (from the images' own
/// Dockerfiles on Docker Hub), by repository name; `None` for an image we know nothing of.
/// PATH is set in every image.
pub fn image_env(image: &str) -> Option<&'static [&'static str]> {
    if image == "scratch" {
        return Some(&[]);
    }
    let r = ImageRef::parse(image);
    let official = matches!(r.registry, None | Some("docker.io" | "index.docker.io"))
        && (!r.repository.contains('/') || r.repository.starts_with("library/"));
    if !official {
        return None;
    }
    Some(match r.name() {
        "alpine" | "debian" | "ubuntu" | "busybox" | "fedora" | "centos" | "rockylinux"
        | "almalinux" | "amazonlinux" | "oraclelinux" | "archlinux" | "photon" => &[],
        "node" => &["NODE_VERSION", "YARN_VERSION"],
        "python" | "pypy" => &[
            "LANG",
            "GPG_KEY",
            "PYTHON_VERSION",
            "PYTHON_SHA256",
            "PYTHON_PIP_VERSION",
            "PYTHON_SETUPTOOLS_VERSION",
            "PYTHON_GET_PIP_URL",
            "PYTHON_GET_PIP_SHA256",
            "PYPY_VERSION",
        ],
        "golang" => &["GOLANG_VERSION", "GOTOOLCHAIN", "GOPATH"],
        "rust" => &["RUSTUP_HOME", "CARGO_HOME", "RUST_VERSION"],
        "ruby" => &[
            "LANG",
            "RUBY_VERSION",
            "RUBY_DOWNLOAD_URL",
            "RUBY_DOWNLOAD_SHA256",
            "GEM_HOME",
            "BUNDLE_SILENCE_ROOT_WARNING",
            "BUNDLE_APP_CONFIG",
        ],
        "openjdk" | "eclipse-temurin" | "amazoncorretto" | "ibmjava" | "sapmachine" => {
            &["JAVA_HOME", "JAVA_VERSION", "LANG", "LANGUAGE", "LC_ALL"]
        }
        "maven" => &[
            "JAVA_HOME",
            "JAVA_VERSION",
            "LANG",
            "MAVEN_HOME",
            "MAVEN_CONFIG",
        ],
        "gradle" => &[
            "JAVA_HOME",
            "JAVA_VERSION",
            "LANG",
            "GRADLE_HOME",
            "GRADLE_VERSION",
        ],
        "php" => &[
            "PHPIZE_DEPS",
            "PHP_INI_DIR",
            "APACHE_CONFDIR",
            "APACHE_ENVVARS",
            "PHP_CFLAGS",
            "PHP_CPPFLAGS",
            "PHP_LDFLAGS",
            "GPG_KEYS",
            "PHP_VERSION",
            "PHP_URL",
            "PHP_ASC_URL",
            "PHP_SHA256",
        ],
        "nginx" => &[
            "NGINX_VERSION",
            "NJS_VERSION",
            "NJS_RELEASE",
            "PKG_RELEASE",
            "DYNPKG_RELEASE",
        ],
        "httpd" => &[
            "HTTPD_PREFIX",
            "HTTPD_VERSION",
            "HTTPD_SHA256",
            "HTTPD_PATCHES",
        ],
        "postgres" => &["GOSU_VERSION", "LANG", "PG_MAJOR", "PG_VERSION", "PGDATA"],
        "redis" => &["REDIS_DOWNLOAD_URL", "REDIS_DOWNLOAD_SHA", "REDIS_VERSION"],
        "caddy" => &["CADDY_VERSION", "XDG_CONFIG_HOME", "XDG_DATA_HOME"],
        _ => return None,
    })
}

/// The names defined at a point of the build, as a count per name: a stage's names are
/// added while its instructions are read and taken away again when every stage built on it
/// has been read (a walk of the stage tree), so no stage copies its parent's set.
#[derive(Debug, Default)]
struct Env {
    count: HashMap<String, u32>,
    /// Whether the root image's variables are known.
    known: bool,
}

impl Env {
    fn add(&mut self, name: &str, log: &mut Vec<String>) {
        *self.count.entry(name.to_owned()).or_default() += 1;
        log.push(name.to_owned());
    }

    fn remove(&mut self, names: Vec<String>) {
        for n in names {
            if let Some(c) = self.count.get_mut(&n) {
                *c -= 1;
                if *c == 0 {
                    self.count.remove(&n);
                }
            }
        }
    }

    fn has(&self, name: &str) -> bool {
        self.count.contains_key(name)
    }
}

/// Suggestions are looked for among at most this many names: beyond it (no real Dockerfile
/// has so many) the search would make a hostile file quadratic.
const SUGGEST_LIMIT: usize = 2000;

fn suggest_bounded<'a>(
    name: &str,
    options: impl ExactSizeIterator<Item = &'a str>,
) -> Option<&'a str> {
    if options.len() > SUGGEST_LIMIT {
        return None;
    }
    suggest(name, options)
}

// ---------------------------------------------------------------------------------------
// The checks.

fn stage_name_as_written(ins: &Instruction) -> Option<String> {
    match ins.words().as_slice() {
        [_, as_, name] if as_.eq_ignore_ascii_case("as") => Some(name.clone()),
        _ => None,
    }
}

fn self_consistent(s: &str) -> bool {
    s == s.to_lowercase() || s == s.to_uppercase()
}

pub static STAGE_NAME_CASING: Rule = Rule {
    code: "StageNameCasing",
    name: "stage-name-casing",
    level: Level::Warning,
    summary: "A stage name with upper-case letters (`FROM alpine AS BuilderBase`).",
    why: "Stage names are matched in lower case; an upper-case name reads like an instruction keyword or an image. Write `AS builder-base`.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::From) {
            if let Some(name) = stage_name_as_written(ins)
                && name != name.to_lowercase()
            {
                out.push(Hit::at(
                    ins,
                    format!("Stage name '{name}' should be lowercase"),
                ));
            }
        }
    },
};

pub static FROM_AS_CASING: Rule = Rule {
    code: "FromAsCasing",
    name: "from-as-casing",
    level: Level::Warning,
    summary: "`FROM … as name` or `from … AS name`: the `AS` keyword in another case than `FROM`.",
    why: "Keywords in one case read as keywords; mixed case is noise. A `From` keyword of mixed case is ConsistentInstructionCasing's to report.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::From) {
            let words = ins.words();
            let [_, as_, _, ..] = words.as_slice() else {
                continue;
            };
            let kw = &ins.keyword;
            let mismatch = if *kw == kw.to_lowercase() {
                *as_ != as_.to_lowercase()
            } else if *kw == kw.to_uppercase() {
                *as_ != as_.to_uppercase()
            } else {
                false
            };
            if mismatch {
                out.push(Hit::at(
                    ins,
                    format!("'{as_}' and '{kw}' keywords' casing do not match"),
                ));
            }
        }
    },
};

pub static NO_EMPTY_CONTINUATION: Rule = Rule {
    code: "NoEmptyContinuation",
    name: "no-empty-continuation",
    level: Level::Warning,
    summary: "A blank line inside an instruction continued with `\\`.",
    why: "BuildKit skips the blank line today and will reject it in a future release. Remove the blank line, or end the instruction before it (a comment line inside a continuation is fine).",
    check: |cx, out| {
        for ins in cx.df.instructions.iter().filter(|i| i.empty_continuation) {
            out.push(Hit::at(ins, "Empty continuation line"));
        }
    },
};

pub static CONSISTENT_INSTRUCTION_CASING: Rule = Rule {
    code: "ConsistentInstructionCasing",
    name: "consistent-instruction-casing",
    level: Level::Warning,
    summary: "An instruction keyword in another case than most of the file's (`run` among `RUN`s), or in mixed case (`Run`).",
    why: "One case for every keyword keeps a Dockerfile readable. The majority decides (upper case on a tie); ARGs before the first FROM are not counted, as BuildKit counts.",
    check: |cx, out| {
        let first = cx.df.stages.first().map_or(usize::MAX, |s| s.from);
        let counted: Vec<&Instruction> = cx
            .df
            .instructions
            .iter()
            .enumerate()
            .filter(|(i, ins)| *i >= first && ins.kind != Kind::Unknown)
            .map(|(_, ins)| ins)
            .collect();
        let (mut lower, mut upper) = (0, 0);
        for ins in &counted {
            let k = &ins.keyword;
            if self_consistent(k) {
                if *k == k.to_lowercase() {
                    lower += 1;
                } else {
                    upper += 1;
                }
            }
        }
        let majority_lower = lower > upper;
        for ins in counted {
            let k = &ins.keyword;
            let wrong = if majority_lower {
                (*k != k.to_lowercase()).then_some("lowercase")
            } else {
                (*k != k.to_uppercase()).then_some("uppercase")
            };
            if let Some(casing) = wrong {
                out.push(Hit::at(
                    ins,
                    format!(
                        "Command '{k}' should match the case of the command majority ({casing})"
                    ),
                ));
            }
        }
    },
};

pub static DUPLICATE_STAGE_NAME: Rule = Rule {
    code: "DuplicateStageName",
    name: "duplicate-stage-name",
    level: Level::Warning,
    summary: "Two stages with the same name (compared in lower case).",
    why: "`COPY --from` and `FROM` take the first stage of that name; the second is unreachable by name, which is rarely what was meant.",
    check: |cx, out| {
        let mut seen = BTreeSet::new();
        for stage in &cx.df.stages {
            if let Some(name) = &stage.name
                && !seen.insert(name.as_str())
            {
                out.push(Hit::at(
                    &cx.df.instructions[stage.from],
                    format!("Duplicate stage name \"{name}\", stage names should be unique"),
                ));
            }
        }
    },
};

pub static RESERVED_STAGE_NAME: Rule = Rule {
    code: "ReservedStageName",
    name: "reserved-stage-name",
    level: Level::Warning,
    summary: "A stage named `scratch` or `context`.",
    why: "`scratch` is the empty image and `context` a named build context; a stage of that name shadows them.",
    check: |cx, out| {
        for stage in &cx.df.stages {
            if let Some(name) = stage
                .name
                .as_deref()
                .filter(|n| ["scratch", "context"].contains(n))
            {
                out.push(Hit::at(
                    &cx.df.instructions[stage.from],
                    format!("Stage name should not use the same name as reserved stage \"{name}\""),
                ));
            }
        }
    },
};

pub static JSON_ARGS_RECOMMENDED: Rule = Rule {
    code: "JSONArgsRecommended",
    name: "json-args-recommended",
    level: Level::Warning,
    summary: "CMD or ENTRYPOINT in shell form (`CMD node server.js`) in a stage that does not set SHELL.",
    why: "Shell form runs the program under `/bin/sh -c`, which does not pass SIGTERM on: the container is killed after the stop timeout instead of shutting down cleanly. Use the exec form `CMD [\"node\", \"server.js\"]`; an explicit SHELL instruction says the shell form is meant, and silences the check.",
    check: |cx, out| {
        // Whether SHELL is set by the end of each stage (a stage inherits its parent's).
        let mut shell_at_end = vec![false; cx.df.stages.len()];
        for stage in &cx.df.stages {
            let mut shell = cx
                .df
                .stage_named(&stage.base, stage.from)
                .is_some_and(|p| shell_at_end[p.index]);
            for i in stage.body() {
                let ins = &cx.df.instructions[i];
                match ins.kind {
                    Kind::Shell => shell = true,
                    Kind::Cmd | Kind::Entrypoint if !shell && ins.exec_form().is_none() => {
                        out.push(Hit::at(
                            ins,
                            format!(
                                "JSON arguments recommended for {} to prevent unintended behavior related to OS signals",
                                ins.keyword.to_uppercase()
                            ),
                        ));
                    }
                    _ => {}
                }
            }
            shell_at_end[stage.index] = shell;
        }
    },
};

pub static MAINTAINER_DEPRECATED: Rule = Rule {
    code: "MaintainerDeprecated",
    name: "maintainer-deprecated",
    level: Level::Warning,
    summary: "The MAINTAINER instruction.",
    why: "MAINTAINER is deprecated; the author goes in a label: `LABEL org.opencontainers.image.authors=\"…\"`.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Maintainer) {
            out.push(Hit::at(
                ins,
                "Maintainer instruction is deprecated in favor of using label",
            ));
        }
    },
};

pub static UNDEFINED_ARG_IN_FROM: Rule = Rule {
    code: "UndefinedArgInFrom",
    name: "undefined-arg-in-from",
    level: Level::Warning,
    summary: "FROM (or its --platform) uses a variable that no ARG before the first FROM declares and that is not a predefined platform argument.",
    why: "FROM sees only the global ARGs and the predefined ones (TARGETPLATFORM, BUILDARCH, …): an undeclared variable expands to nothing, so the image name is not what it reads.",
    check: |cx, out| {
        let escape = cx.df.directives.escape;
        let globals: Vec<String> = global_args(cx.df).into_iter().map(|(k, _)| k).collect();
        let options: Vec<&str> = globals
            .iter()
            .map(String::as_str)
            .chain(PREDEFINED.iter().copied())
            .collect();
        for (_, ins) in cx.each(Kind::From) {
            let base = raw_words(&ins.args, escape).first().map_or("", |w| *w);
            let platform = ins
                .flag("platform")
                .and_then(|f| f.value.as_deref())
                .unwrap_or("");
            let mut reported = BTreeSet::new();
            for var in variables(base, escape)
                .into_iter()
                .chain(variables(platform, escape))
            {
                if options.contains(&var.as_str()) || !reported.insert(var.clone()) {
                    continue;
                }
                let s = suggest_bounded(&var, options.iter().copied());
                out.push(Hit::at(
                    ins,
                    format!(
                        "FROM argument '{var}' is not declared{}",
                        did_you_mean(s, "")
                    ),
                ));
            }
        }
    },
};

fn absolute_path(p: &str) -> bool {
    p.starts_with('/')
        || p.starts_with('\\')
        || (p.len() >= 3
            && p.as_bytes()[0].is_ascii_alphabetic()
            && p.as_bytes()[1] == b':'
            && matches!(p.as_bytes()[2], b'\\' | b'/'))
}

pub static WORKDIR_RELATIVE_PATH: Rule = Rule {
    code: "WorkdirRelativePath",
    name: "workdir-relative-path",
    level: Level::Warning,
    summary: "A relative WORKDIR before any absolute WORKDIR in the stage (or the stages it builds on).",
    why: "A relative WORKDIR is relative to the base image's working directory, which can change upstream without notice. Start with an absolute path: `WORKDIR /app`.",
    check: |cx, out| {
        let globals = global_args(cx.df);
        let mut set = vec![false; cx.df.stages.len()];
        for stage in &cx.df.stages {
            let from = &cx.df.instructions[stage.from];
            let mut workdir_set = from
                .words()
                .first()
                .and_then(|b| cx.df.stage_named(b, stage.from))
                .is_some_and(|parent| set[parent.index]);
            let mut values: HashMap<String, String> = HashMap::new();
            for i in stage.body() {
                let ins = &cx.df.instructions[i];
                match ins.kind {
                    Kind::Env | Kind::Arg => {
                        for (k, v) in ins.pairs() {
                            // `ARG NAME` alone takes the global ARG's default.
                            let v = v.or_else(|| {
                                globals
                                    .iter()
                                    .rev()
                                    .find(|(g, _)| *g == k)
                                    .and_then(|(_, d)| d.clone())
                            });
                            if let Some(v) = v {
                                values.insert(k, v);
                            }
                        }
                    }
                    Kind::Workdir => {
                        let raw = raw_words(&ins.args, cx.df.directives.escape)
                            .first()
                            .map_or("", |w| w.trim_matches(['"', '\'']))
                            .to_owned();
                        // Expanded as BuildKit expands it; a variable we cannot resolve
                        // leaves the path undecided, and nothing is reported.
                        let unknown = std::cell::Cell::new(false);
                        let path = expand(&raw, &|n| {
                            let v = values.get(n).cloned();
                            unknown.set(unknown.get() || v.is_none());
                            v
                        });
                        if let Some(path) = path.filter(|_| !unknown.get())
                            && !workdir_set
                            && !absolute_path(&path)
                        {
                            out.push(Hit::at(
                                ins,
                                format!("Relative workdir \"{path}\" can have unexpected results if the base image changes"),
                            ));
                        }
                        workdir_set = true;
                    }
                    _ => {}
                }
            }
            set[stage.index] = workdir_set;
        }
    },
};

/// The words BuildKit expands with the environment, for UndefinedVar: everything but the
/// shell's own text (RUN, CMD, ENTRYPOINT and heredoc bodies).
fn expanded_words(ins: &Instruction, escape: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    match ins.kind {
        Kind::Env
        | Kind::Label
        | Kind::Workdir
        | Kind::User
        | Kind::Volume
        | Kind::Stopsignal
        | Kind::Copy
        | Kind::Add => {
            out.extend(
                raw_words(&ins.args, escape)
                    .into_iter()
                    .filter(|w| !w.starts_with("<<"))
                    .map(str::to_owned),
            );
            if matches!(ins.kind, Kind::Copy | Kind::Add) {
                for f in &ins.flags {
                    if matches!(f.name.as_str(), "chown" | "chmod" | "checksum") {
                        out.extend(f.value.clone());
                    }
                }
            }
        }
        Kind::Run => {
            for f in ins.flags.iter().filter(|f| f.name == "mount") {
                out.extend(f.value.clone());
            }
        }
        _ => {}
    }
    out
}

pub static UNDEFINED_VAR: Rule = Rule {
    code: "UndefinedVar",
    name: "undefined-var",
    level: Level::Warning,
    summary: "A variable used in ENV, ARG, LABEL, COPY, ADD, WORKDIR, USER, VOLUME, STOPSIGNAL or a RUN --mount before any ARG or ENV of the stage defines it (`ENV PATH=$PAHT:/app/bin`).",
    why: "An undefined variable expands to nothing: the path, user or label is silently wrong. RUN, CMD and ENTRYPOINT are the shell's to expand and are not checked. The base image's own variables count as defined: opskit knows those of the official images (node, python, golang, …); on another image only a near-miss of a defined name is reported, since the image may define the rest.",
    check: |cx, out| {
        let stages = &cx.df.stages;
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); stages.len()];
        let mut roots = Vec::new();
        for stage in stages {
            match cx.df.stage_named(&stage.base, stage.from) {
                Some(parent) => children[parent.index].push(stage.index),
                None => roots.push(stage.index),
            }
        }
        let mut env = Env::default();
        for root in roots {
            let image = image_env(&stages[root].base);
            env.known = image.is_some();
            let mut base = Vec::new();
            for name in image.unwrap_or(&[]).iter().chain(&["PATH"]) {
                env.add(name, &mut base);
            }
            let mut steps = vec![Step::Enter(root)];
            while let Some(step) = steps.pop() {
                match step {
                    Step::Enter(s) => {
                        let added = undefined_in_stage(cx, &stages[s], &mut env, out);
                        steps.push(Step::Leave(added));
                        steps.extend(children[s].iter().rev().map(|&c| Step::Enter(c)));
                    }
                    Step::Leave(added) => env.remove(added),
                }
            }
            env.remove(base);
        }
    },
};

/// A step of the walk of the stage tree: read a stage, or take its names away again.
enum Step {
    Enter(usize),
    Leave(Vec<String>),
}

/// UndefinedVar on one stage's instructions; returns the names the stage added.
fn undefined_in_stage(
    cx: &super::Cx<'_>,
    stage: &crate::parser::Stage,
    env: &mut Env,
    out: &mut Vec<Hit>,
) -> Vec<String> {
    let escape = cx.df.directives.escape;
    let mut added = Vec::new();
    for i in stage.body() {
        let ins = &cx.df.instructions[i];
        let report = |var: &str, env: &Env, out: &mut Vec<Hit>| {
            if env.has(var) || NON_ENV_ARGS.contains(&var) {
                return;
            }
            let s = suggest_bounded(var, env.count.keys().map(String::as_str));
            if env.known || s.is_some() {
                out.push(Hit::at(
                    ins,
                    format!(
                        "Usage of undefined variable '${var}'{}",
                        did_you_mean(s, "$")
                    ),
                ));
            }
        };
        if ins.kind == Kind::Arg {
            // One name after the other: `ARG A=1 B=$A` sees A.
            for word in raw_words(&ins.args, escape) {
                let (key, default) = word.split_once('=').unwrap_or((word, ""));
                for var in variables(default, escape) {
                    report(&var, env, out);
                }
                env.add(key, &mut added);
            }
            continue;
        }
        for word in expanded_words(ins, escape) {
            for var in variables(&word, escape) {
                report(&var, env, out);
            }
        }
        if ins.kind == Kind::Env {
            for (k, _) in ins.pairs() {
                env.add(&k, &mut added);
            }
        }
    }
    added
}

pub static MULTIPLE_INSTRUCTIONS_DISALLOWED: Rule = Rule {
    code: "MultipleInstructionsDisallowed",
    name: "multiple-instructions-disallowed",
    level: Level::Warning,
    summary: "Two CMD, two ENTRYPOINT or two HEALTHCHECK instructions in one stage: the earlier one is reported.",
    why: "An image has one CMD, one ENTRYPOINT and one HEALTHCHECK; only the last of each takes effect, so the earlier one is dead text that misleads whoever reads it.",
    check: |cx, out| {
        for stage in &cx.df.stages {
            let mut last: HashMap<Kind, &Instruction> = HashMap::new();
            for i in stage.body() {
                let ins = &cx.df.instructions[i];
                if !matches!(ins.kind, Kind::Cmd | Kind::Entrypoint | Kind::Healthcheck) {
                    continue;
                }
                if let Some(prev) = last.insert(ins.kind, ins) {
                    out.push(Hit::at(
                        prev,
                        format!(
                            "Multiple {} instructions should not be used in the same stage because only the last one will be used",
                            prev.keyword.to_uppercase()
                        ),
                    ));
                }
            }
        }
    },
};

pub static LEGACY_KEY_VALUE_FORMAT: Rule = Rule {
    code: "LegacyKeyValueFormat",
    name: "legacy-key-value-format",
    level: Level::Warning,
    summary: "`ENV key value` or `LABEL key value`, the legacy form without `=` (opskit's OPS-DF010 before it took the check's name).",
    why: "The legacy form takes the whole rest of the line as one value, so `ENV A 1 B 2` sets A to `1 B 2`; it cannot set two variables. Write `ENV key=value`.",
    check: |cx, out| {
        for ins in &cx.df.instructions {
            if !matches!(ins.kind, Kind::Env | Kind::Label) {
                continue;
            }
            let args = ins.args.trim_start();
            let first = args.split_whitespace().next().unwrap_or("");
            if !first.is_empty() && !first.contains('=') && args.len() > first.len() {
                let keyword = ins.keyword.to_ascii_uppercase();
                out.push(Hit::at(
                    ins,
                    format!(
                        "\"{keyword} key=value\" should be used instead of legacy \"{keyword} key value\" format"
                    ),
                ));
            }
        }
    },
};

fn platform_flag(ins: &Instruction) -> Option<&str> {
    ins.flag("platform").and_then(|f| f.value.as_deref())
}

pub static REDUNDANT_TARGET_PLATFORM: Rule = Rule {
    code: "RedundantTargetPlatform",
    name: "redundant-target-platform",
    level: Level::Warning,
    summary: "`FROM --platform=$TARGETPLATFORM`.",
    why: "The target platform is already the default for FROM; the flag adds nothing but noise.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::From) {
            if let Some(p) = platform_flag(ins)
                .filter(|p| ["$TARGETPLATFORM", "${TARGETPLATFORM}"].contains(&p.trim()))
            {
                out.push(Hit::at(
                    ins,
                    format!("Setting platform to predefined {p} in FROM is redundant as this is the default behavior"),
                ));
            }
        }
    },
};

/// Whether a name says it holds a secret, as BuildKit decides: one of its `_`-separated
/// parts is a secret word, and none says public, file or version.
fn secret_key(key: &str) -> bool {
    let parts: Vec<String> = key.split('_').map(str::to_ascii_lowercase).collect();
    let has = |words: &[&str]| parts.iter().any(|p| words.contains(&p.as_str()));
    has(&[
        "apikey",
        "auth",
        "credential",
        "credentials",
        "key",
        "password",
        "pword",
        "passwd",
        "secret",
        "token",
    ]) && !has(&["public", "file", "version"])
}

pub static SECRETS_USED_IN_ARG_OR_ENV: Rule = Rule {
    code: "SecretsUsedInArgOrEnv",
    name: "secrets-used-in-arg-or-env",
    level: Level::Warning,
    summary: "An ARG or ENV in a stage whose name has a secret word as one of its `_` parts (`GITHUB_TOKEN`, `DB_PASSWORD`, `API_KEY`), unless a part says public, file or version.",
    why: "ARG values are recorded in the image history and ENV values in its config, for anyone who pulls the image. Pass build secrets with RUN --mount=type=secret and runtime secrets in the platform's environment.",
    check: |cx, out| {
        let first = cx.df.stages.first().map_or(usize::MAX, |s| s.from);
        for (i, ins) in cx.df.instructions.iter().enumerate() {
            if i < first || !matches!(ins.kind, Kind::Arg | Kind::Env) {
                continue;
            }
            for (key, _) in ins.pairs() {
                if secret_key(&key) {
                    out.push(Hit::at(
                        ins,
                        format!(
                            "Do not use ARG or ENV instructions for sensitive data ({} \"{key}\")",
                            ins.keyword.to_uppercase()
                        ),
                    ));
                }
            }
        }
    },
};

/// Whether a reference is one `docker pull` accepts: `[host[:port]/]path[:tag][@digest]`,
/// path components lower case.
pub fn valid_reference(reference: &str) -> bool {
    // `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    fn component(c: &str) -> bool {
        let mut sep = String::new();
        let mut started = false;
        for ch in c.chars() {
            if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
                let ok_sep = sep.is_empty()
                    || (started
                        && (sep == "."
                            || sep == "_"
                            || sep == "__"
                            || sep.chars().all(|x| x == '-')));
                if !ok_sep {
                    return false;
                }
                sep.clear();
                started = true;
            } else if matches!(ch, '.' | '_' | '-') && started {
                sep.push(ch);
            } else {
                return false;
            }
        }
        started && sep.is_empty()
    }
    if reference.is_empty() || reference.len() > 255 {
        return false;
    }
    let (rest, digest) = match reference.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (reference, None),
    };
    if let Some(d) = digest {
        let Some((algo, hex)) = d.split_once(':') else {
            return false;
        };
        if algo.is_empty() || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
    }
    let r = ImageRef::parse(rest);
    if let Some(tag) = r.tag {
        let t = tag.as_bytes();
        if t.is_empty()
            || t.len() > 128
            || !(t[0].is_ascii_alphanumeric() || t[0] == b'_')
            || !t
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        {
            return false;
        }
    }
    if let Some(host) = r.registry {
        let (name, port) = host.split_once(':').unwrap_or((host, ""));
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
            || !port.bytes().all(|b| b.is_ascii_digit())
        {
            return false;
        }
    }
    r.repository.split('/').all(component)
}

pub static INVALID_DEFAULT_ARG_IN_FROM: Rule = Rule {
    code: "InvalidDefaultArgInFrom",
    name: "invalid-default-arg-in-from",
    level: Level::Warning,
    summary: "A FROM whose image, with the global ARGs at their defaults, is empty or not a valid reference (`ARG TAG` then `FROM node:${TAG}`).",
    why: "A build without --build-arg then fails on an image name like `node:`. Give the ARG a default that makes a valid name, or use `${TAG:-22}`.",
    check: |cx, out| {
        let globals = global_args(cx.df);
        let lookup = |name: &str| match globals.iter().rev().find(|(k, _)| k == name) {
            Some((_, default)) => default.clone(),
            None => predefined_value(name).map(str::to_owned),
        };
        for (_, ins) in cx.each(Kind::From) {
            let Some(base) = ins.words().into_iter().next().filter(|b| b.contains('$')) else {
                continue;
            };
            let Some(result) = expand(&base, &lookup) else {
                continue;
            };
            if !valid_reference(&result) {
                out.push(Hit::at(
                    ins,
                    format!(
                        "Default value for ARG {base} results in empty or invalid base image name"
                    ),
                ));
            }
        }
    },
};

/// `os/arch[/variant]` (or one of them) as containerd reads it: the OS and the normalised
/// architecture, `None` when it is not a platform.
fn platform(spec: &str) -> Option<(String, String)> {
    const OSES: &[&str] = &[
        "linux",
        "windows",
        "darwin",
        "freebsd",
        "netbsd",
        "openbsd",
        "solaris",
        "illumos",
        "android",
        "ios",
        "aix",
        "plan9",
        "js",
        "wasip1",
        "dragonfly",
    ];
    let arch = |a: &str| -> Option<&'static str> {
        Some(match a {
            "amd64" | "x86_64" | "x86-64" => "amd64",
            "arm64" | "aarch64" => "arm64",
            "arm" | "armhf" | "armel" => "arm",
            "386" | "i386" | "i686" => "386",
            "ppc64le" => "ppc64le",
            "s390x" => "s390x",
            "riscv64" => "riscv64",
            "mips64le" => "mips64le",
            "loong64" => "loong64",
            "wasm" => "wasm",
            _ => return None,
        })
    };
    let lower = spec.trim().to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    match parts.as_slice() {
        [one] if OSES.contains(one) => Some(((*one).to_owned(), "amd64".to_owned())),
        [one] => arch(one).map(|a| ("linux".to_owned(), a.to_owned())),
        [os, a] | [os, a, _] if OSES.contains(os) => {
            arch(a).map(|a| ((*os).to_owned(), a.to_owned()))
        }
        _ => None,
    }
}

pub static FROM_PLATFORM_FLAG_CONST_DISALLOWED: Rule = Rule {
    code: "FromPlatformFlagConstDisallowed",
    name: "from-platform-flag-const-disallowed",
    level: Level::Warning,
    summary: "`FROM --platform=linux/amd64 …` with a constant platform, in a stage whose name does not name that OS or architecture.",
    why: "A constant platform pins the build to one architecture: `docker buildx build --platform linux/arm64` then still builds amd64. Leave the flag out, or use `--platform=$BUILDPLATFORM` for a cross-compiling builder; a stage named for its platform (`build_amd64`) is taken as meant.",
    check: |cx, out| {
        for stage in &cx.df.stages {
            let ins = &cx.df.instructions[stage.from];
            let Some(value) = platform_flag(ins).filter(|v| !v.contains('$')) else {
                continue;
            };
            let Some((os, arch)) = platform(value) else {
                continue;
            };
            let name = stage.name.as_deref().unwrap_or("");
            if !name.contains(os.as_str()) && !name.contains(arch.as_str()) {
                out.push(Hit::at(
                    ins,
                    format!("FROM --platform flag should not use constant value \"{value}\""),
                ));
            }
        }
    },
};

/// `path.Clean` for a COPY source: context-relative, `.` for the root.
fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

pub static COPY_IGNORED_FILE: Rule = Rule {
    code: "CopyIgnoredFile",
    name: "copy-ignored-file",
    level: Level::Ignore,
    summary: "COPY or ADD of a path the build context's .dockerignore excludes. Experimental in BuildKit: on with `# check=experimental=CopyIgnoredFile` (or `all`), or a level override.",
    why: "An excluded file is not in the build context, so the COPY fails or copies less than it says. As BuildKit does, the check is skipped when the .dockerignore has `!` exceptions (a directory excluded with one file let back in cannot be judged statically).",
    check: |cx, out| {
        let Some(context) = cx.context else { return };
        let patterns = super::ops::dockerignore(context);
        if patterns.is_empty() || patterns.iter().any(|(negate, _)| *negate) {
            return;
        }
        let root_ignored = super::ops::dockerignore_lines(context)
            .iter()
            .any(|p| ["*", "**", "**/*"].contains(&p.as_str()));
        for ins in &cx.df.instructions {
            if !matches!(ins.kind, Kind::Copy | Kind::Add) || ins.flag("from").is_some() {
                continue;
            }
            let words = ins.exec_form().unwrap_or_else(|| ins.words());
            let Some((_, sources)) = words.split_last() else {
                continue;
            };
            for src in sources
                .iter()
                .filter(|s| !s.starts_with("<<") && !s.contains("://") && !s.contains('$'))
            {
                let path = clean(src);
                let hit = if path == "." {
                    root_ignored
                } else {
                    super::ops::ignored(&patterns, &path)
                };
                if hit {
                    let cmd = if ins.kind == Kind::Add { "Add" } else { "Copy" };
                    out.push(Hit::at(
                        ins,
                        format!(
                            "Attempting to {cmd} file \"{path}\" that is excluded by .dockerignore"
                        ),
                    ));
                }
            }
        }
    },
};

pub static INVALID_DEFINITION_DESCRIPTION: Rule = Rule {
    code: "InvalidDefinitionDescription",
    name: "invalid-definition-description",
    level: Level::Ignore,
    summary: "A comment right before `FROM … AS name` or `ARG name` that does not start with that name. Experimental in BuildKit: on with `# check=experimental=InvalidDefinitionDescription` (or `all`), or a level override.",
    why: "`docker build --call=outline` and `--call=targets` print such comments as the descriptions of stages and arguments: `# VERSION sets the release` describes `ARG VERSION`. A comment that is no description needs an empty `#` line before the instruction.",
    check: |cx, out| {
        for (i, ins) in cx.df.instructions.iter().enumerate() {
            let (what, names): (&str, Vec<String>) = match ins.kind {
                Kind::From => match cx
                    .df
                    .stages
                    .iter()
                    .find(|s| s.from == i)
                    .and_then(|s| s.name.clone())
                {
                    Some(n) => ("FROM", vec![n]),
                    None => continue,
                },
                Kind::Arg => ("ARG", ins.pairs().into_iter().map(|(k, _)| k).collect()),
                _ => continue,
            };
            let comments = comments_before(cx.df, i);
            let Some(last) = comments.last() else {
                continue;
            };
            let first_word = last.split(' ').next().unwrap_or("");
            if names.iter().any(|n| n == first_word) {
                continue;
            }
            let example = if names.len() > 1 {
                "<arg_key>"
            } else {
                names[0].as_str()
            };
            out.push(Hit::at(
                ins,
                format!("Comment for {what} should follow the format: `# {example} <description>`"),
            ));
        }
    },
};

fn expose_ports(ins: &Instruction) -> impl Iterator<Item = String> {
    ins.words().into_iter().filter(|w| !w.contains('$'))
}

pub static EXPOSE_PROTO_CASING: Rule = Rule {
    code: "ExposeProtoCasing",
    name: "expose-proto-casing",
    level: Level::Warning,
    summary: "`EXPOSE 80/TCP`: the protocol in upper case.",
    why: "Protocols are `tcp`, `udp` and `sctp` in lower case; write `EXPOSE 80/tcp`.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Expose) {
            for port in expose_ports(ins) {
                let container = port.rsplit(':').next().unwrap_or("");
                if let Some((_, proto)) = container.split_once('/')
                    && proto != proto.to_lowercase()
                {
                    out.push(Hit::at(
                        ins,
                        format!(
                            "Defined protocol '{port}' in EXPOSE instruction should be lowercase"
                        ),
                    ));
                }
            }
        }
    },
};

pub static EXPOSE_INVALID_FORMAT: Rule = Rule {
    code: "ExposeInvalidFormat",
    name: "expose-invalid-format",
    level: Level::Warning,
    summary: "`EXPOSE 8080:80` or `EXPOSE 127.0.0.1:80:80`: a host port or IP address in EXPOSE.",
    why: "EXPOSE documents the port the container listens on; publishing to a host port is `docker run -p`'s job. BuildKit will reject the form in a future release.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Expose) {
            for port in expose_ports(ins).filter(|p| p.contains(':')) {
                out.push(Hit::at(
                    ins,
                    format!("EXPOSE instruction should not define an IP address or host-port mapping, found '{port}'"),
                ));
            }
        }
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_directives() {
        let c = CheckConfig::parse("skip=JSONArgsRecommended, StageNameCasing;error=true").unwrap();
        assert_eq!(c.skip, ["JSONArgsRecommended", "StageNameCasing"]);
        assert!(c.error && !c.skip_all);
        assert!(c.skips("StageNameCasing") && !c.skips("FromAsCasing"));
        let c = CheckConfig::parse("skip=all;experimental=CopyIgnoredFile").unwrap();
        assert!(c.skips("UndefinedVar") && !c.skips("CopyIgnoredFile"));
        assert!(c.enables("CopyIgnoredFile"));
        assert!(CheckConfig::parse("error=maybe").is_err());
        assert!(CheckConfig::parse("skip").is_err());
        assert!(CheckConfig::parse("silence=all").is_err());
        assert_eq!(CheckConfig::parse("  ").unwrap(), CheckConfig::default());
        assert_eq!(
            CheckConfig::from_comment("check=skip=UndefinedVar because").map(|c| c.skip),
            Some(vec!["UndefinedVar".to_owned()])
        );
        assert_eq!(CheckConfig::from_comment("just a note"), None);
    }

    #[test]
    fn variables_outside_quotes() {
        assert_eq!(variables("$A-${B}x $1", '\\'), ["A", "B"]);
        assert_eq!(variables("'$A' \"$B\" \\$C", '\\'), ["B"]);
        assert_eq!(variables("${A:-$B}", '\\'), ["A", "B"]);
        assert_eq!(variables("`$A \\$B", '`'), ["B"]);
    }

    #[test]
    fn expansion() {
        let env = |n: &str| match n {
            "TAG" => Some("22".to_owned()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        assert_eq!(expand("node:${TAG}", &env).as_deref(), Some("node:22"));
        assert_eq!(expand("node:$NOPE", &env).as_deref(), Some("node:"));
        assert_eq!(expand("${EMPTY:-x}${EMPTY-y}", &env).as_deref(), Some("x"));
        assert_eq!(
            expand("${TAG:+set}${NOPE:+no}", &env).as_deref(),
            Some("set")
        );
        assert_eq!(expand("${TAG%2}", &env), None);
    }

    #[test]
    fn references() {
        for ok in [
            "node:22",
            "ghcr.io/org/app:1.2",
            "localhost:5000/a_b/c-d",
            "a__b",
            "node@sha256:0123456789abcdef0123456789abcdef",
        ] {
            assert!(valid_reference(ok), "{ok}");
        }
        for bad in [
            "",
            "node:",
            "Node:22",
            "a/-b",
            "node:22:1",
            "a..b",
            "node@sha256:xyz",
        ] {
            assert!(!valid_reference(bad), "{bad}");
        }
    }

    #[test]
    fn secret_names_and_platforms() {
        assert!(secret_key("GITHUB_TOKEN") && secret_key("api_key") && secret_key("AUTH"));
        assert!(
            !secret_key("PUBLIC_KEY") && !secret_key("TOKEN_FILE") && !secret_key("KEYCLOAK_URL")
        );
        assert_eq!(
            platform("linux/x86_64"),
            Some(("linux".into(), "amd64".into()))
        );
        assert_eq!(platform("arm64"), Some(("linux".into(), "arm64".into())));
        assert_eq!(platform("nonsense/x"), None);
    }

    #[test]
    fn raw_words_keep_quotes() {
        assert_eq!(
            raw_words("A='$x y' B=\"z\" C", '\\'),
            ["A='$x y'", "B=\"z\"", "C"]
        );
        assert_eq!(raw_words("a\\ b c", '\\'), ["a\\ b", "c"]);
    }
}
