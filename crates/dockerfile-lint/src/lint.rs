//! The driver: parse, run every rule, then apply what the user switched off (ignore lists,
//! `# hadolint ignore=` pragmas), level overrides and the failure threshold.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use opskit::redact::redact;
use opskit::report::{Finding, Location, Severity};
use opskit_secret_scan::scan::Scanner;

use crate::parser::{self, Dockerfile};
use crate::rules::buildkit::{self, CheckConfig};
use crate::rules::{self, Cx, DL1000, Level, Rule, Settings};
use crate::shellcheck;

/// What the user decided about the rules.
#[derive(Debug, Clone)]
pub struct Options {
    /// Codes never reported.
    pub ignored: HashSet<String>,
    /// Codes reported at another level.
    pub overrides: HashMap<String, Level>,
    /// Findings at or above this level fail the run.
    pub failure_threshold: Level,
    /// Ignore `# hadolint ignore=` pragmas.
    pub disable_ignore_pragma: bool,
    /// Only these codes (for testing one rule alone); empty means all.
    pub only: Vec<String>,
    /// What the rules read.
    pub settings: Settings,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            ignored: HashSet::new(),
            overrides: HashMap::new(),
            failure_threshold: Level::Info,
            disable_ignore_pragma: false,
            only: Vec::new(),
            settings: Settings::default(),
        }
    }
}

impl Options {
    /// Every rule but `code` switched off: a rule's fixture test sees only that rule.
    pub fn for_rule(code: &str) -> Options {
        Options {
            only: vec![code.to_owned()],
            ..Options::default()
        }
    }

    /// The level a rule reports at, `Ignore` when switched off.
    pub fn level(&self, rule: &Rule) -> Level {
        self.level_of(rule.code, rule.level)
    }

    /// The level a finding of `code` reports at when its own level is `default` (ShellCheck
    /// gives each finding its level).
    pub fn level_of(&self, code: &str, default: Level) -> Level {
        if self.ignored.contains(code)
            || (!self.only.is_empty() && !self.only.iter().any(|c| c == code))
        {
            return Level::Ignore;
        }
        self.overrides.get(code).copied().unwrap_or(default)
    }
}

/// One finding before it becomes a report [`Finding`].
#[derive(Debug, Clone)]
pub struct Problem {
    /// The rule.
    pub rule: &'static Rule,
    /// Its level after overrides.
    pub level: Level,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// For people.
    pub message: String,
    /// A secret to show redacted.
    pub secret: Option<String>,
}

impl Problem {
    /// Whether it fails the run at `threshold`.
    pub fn fails(&self, threshold: Level) -> bool {
        threshold != Level::Ignore && self.level >= threshold
    }

    /// The report finding: severity `error` or `warning` when it fails the run, `note`
    /// otherwise; hadolint's level as the `level` property.
    pub fn finding(&self, path: &str, threshold: Level) -> Finding {
        let severity = match self.level {
            _ if !self.fails(threshold) => Severity::Note,
            Level::Error => Severity::Error,
            _ => Severity::Warning,
        };
        let mut f = Finding::new(self.rule.code, severity, self.message.clone())
            .at(Location::new(path).line(self.line).column(self.column))
            .help(self.rule.help_url())
            .property("level", self.level.as_str());
        if let Some(s) = &self.secret {
            f = f.evidence(redact(s));
        }
        f
    }
}

/// `# hadolint ignore=DL3008,DL3015` (also `dockerfile-lint ignore=`): the codes, and
/// whether it is `global`. The grammar is hadolint 2.15's: the tool's name, at least one space
/// or tab, `global` and spaces for the file-wide form, `ignore`, optional spaces, `=`, then
/// codes separated by commas with optional spaces, and nothing after them (`ignore=DL3008
/// because …` is not a pragma, for hadolint either). Codes are matched case-insensitively and
/// may be ours (`OPS-DF001`).
fn pragma(comment: &str) -> Option<(bool, Vec<String>)> {
    let rest = tool_prefix(comment)?;
    let (global, rest) = match rest.strip_prefix("global") {
        Some(r) if r.starts_with([' ', '\t']) => (true, r.trim_start_matches([' ', '\t'])),
        _ => (false, rest),
    };
    let list = rest
        .strip_prefix("ignore")?
        .trim_start_matches([' ', '\t'])
        .strip_prefix('=')?;
    let mut codes = Vec::new();
    for code in list.split(',') {
        let code = code.trim_matches([' ', '\t']);
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return None;
        }
        codes.push(code.to_ascii_uppercase());
    }
    Some((global, codes))
}

/// `# hadolint shell=powershell`: the shell the RUN instructions after it are written for
/// (ShellCheck reads them as that shell).
pub fn shell_pragma(comment: &str) -> Option<&str> {
    let shell = tool_prefix(comment)?
        .strip_prefix("shell")?
        .trim_start_matches([' ', '\t'])
        .strip_prefix('=')?
        .trim_matches([' ', '\t']);
    (!shell.is_empty()).then_some(shell)
}

/// The text after `hadolint` (or `dockerfile-lint`) and at least one space.
fn tool_prefix(comment: &str) -> Option<&str> {
    let rest = comment
        .trim_start_matches([' ', '\t'])
        .strip_prefix("hadolint")
        .or_else(|| comment.trim_start().strip_prefix("dockerfile-lint"))?;
    rest.starts_with([' ', '\t'])
        .then(|| rest.trim_start_matches([' ', '\t']))
}

/// What linting one file gave: the problems, and what could not be checked.
#[derive(Debug, Default)]
pub struct Linted {
    /// The findings.
    pub problems: Vec<Problem>,
    /// Notes for the person running the tool (ShellCheck failed, …).
    pub notes: Vec<String>,
}

/// Lints a parsed file. `context` is the build context (for COPY'd files); `scanner` finds
/// secrets.
pub fn lint(
    df: &Dockerfile,
    options: &Options,
    context: Option<&Path>,
    scanner: Option<&Scanner>,
) -> Vec<Problem> {
    lint_checked(df, options, context, scanner).problems
}

/// [`lint`], with notes on what could not be checked.
pub fn lint_checked(
    df: &Dockerfile,
    options: &Options,
    context: Option<&Path>,
    scanner: Option<&Scanner>,
) -> Linted {
    let sc = options
        .settings
        .shellcheck
        .as_ref()
        .filter(|_| wants_sc(options))
        .map(|bin| shellcheck::check(df, bin));
    lint_with_shellcheck(df, options, context, scanner, sc)
}

/// Whether the SC checks run at all under `options`.
pub fn wants_sc(options: &Options) -> bool {
    options.settings.shellcheck.is_some()
        && (options.only.is_empty() || options.only.iter().any(|c| shellcheck::is_sc_code(c)))
}

/// [`lint_checked`] with ShellCheck's answer for the file already in hand (`None`: no SC
/// checks), as [`crate::lint_files`] gets it for many files from one ShellCheck process.
pub fn lint_with_shellcheck(
    df: &Dockerfile,
    options: &Options,
    context: Option<&Path>,
    scanner: Option<&Scanner>,
    sc: Option<Result<Vec<shellcheck::ScFinding>, shellcheck::ScError>>,
) -> Linted {
    let cx = Cx::new(df, &options.settings, context, scanner);
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    if options.level(&DL1000) != Level::Ignore {
        for e in &df.errors {
            problems.push(Problem {
                rule: &DL1000,
                level: options.level(&DL1000),
                line: e.line,
                column: e.column,
                message: e.message.clone(),
                secret: None,
            });
        }
    }
    let checks = Checks::new(df);
    if let Some((line, message)) = &checks.invalid
        && options.level(&DL1000) != Level::Ignore
    {
        problems.push(Problem {
            rule: &DL1000,
            level: options.level(&DL1000),
            line: *line,
            column: 1,
            message: message.clone(),
            secret: None,
        });
    }
    for rule in rules::RULES {
        let level = if buildkit::is_check(rule.code) {
            checks.level(rule, options)
        } else {
            options.level(rule)
        };
        if level == Level::Ignore {
            continue;
        }
        let mut hits = Vec::new();
        (rule.check)(&cx, &mut hits);
        if buildkit::is_check(rule.code) {
            hits.retain(|h| checks.keeps(rule.code, h.line, options));
        }
        problems.extend(hits.into_iter().map(|h| Problem {
            rule,
            level,
            line: h.line,
            column: h.column,
            message: h.message,
            secret: h.secret,
        }));
    }
    if let Some(sc) = sc {
        match sc {
            Ok(found) => {
                for f in found {
                    let level = options.level_of(&f.code, f.level);
                    if level == Level::Ignore {
                        continue;
                    }
                    problems.push(Problem {
                        rule: shellcheck::rule(&f.code, f.level),
                        level,
                        line: f.line,
                        column: 1,
                        message: f.message,
                        secret: None,
                    });
                }
            }
            Err(e) => notes.push(format!("the SC checks were skipped: {e}")),
        }
    }
    if !options.disable_ignore_pragma {
        apply_pragmas(df, &mut problems);
    }
    twins(&mut problems);
    problems
        .sort_by(|a, b| (a.line, a.rule.code, &a.message).cmp(&(b.line, b.rule.code, &b.message)));
    problems
        .dedup_by(|a, b| a.line == b.line && a.rule.code == b.rule.code && a.message == b.message);
    Linted { problems, notes }
}

/// Drops what `# hadolint ignore=` pragmas switch off.
fn apply_pragmas(df: &Dockerfile, problems: &mut Vec<Problem>) {
    let mut global: HashSet<String> = HashSet::new();
    let mut by_line: HashMap<u32, HashSet<String>> = HashMap::new();
    for c in &df.comments {
        let Some((is_global, codes)) = pragma(&c.text) else {
            continue;
        };
        // Codes as registered (`stagenamecasing`, a renamed `OPS-DF010`).
        let codes = codes
            .into_iter()
            .map(|c| rules::find(&c).map_or(c, |r| r.code.to_owned()));
        // As hadolint scopes it: the instruction that starts on the very next line, not
        // the next instruction after blank lines or other comments.
        if is_global {
            global.extend(codes);
        } else {
            by_line.entry(c.line + 1).or_default().extend(codes);
        }
    }
    problems.retain(|p| {
        !global.contains(p.rule.code)
            && !by_line
                .get(&p.line)
                .is_some_and(|codes| codes.contains(p.rule.code))
    });
}

/// Where a BuildKit check and its hadolint twin report the same line, hadolint's finding
/// stays, naming the check (one problem, one finding; `# check=skip=` then does not hide
/// hadolint's rule).
fn twins(problems: &mut Vec<Problem>) {
    // One look-up per problem: a hostile file may hold many thousands of them.
    let at: HashMap<(&str, u32), usize> = problems
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.rule.code, p.line), i))
        .collect();
    let mut dropped = vec![false; problems.len()];
    let mut named: Vec<(usize, &'static str)> = Vec::new();
    for (i, p) in problems.iter().enumerate() {
        for (check, dl) in buildkit::TWINS.iter().filter(|(c, _)| *c == p.rule.code) {
            if let Some(&j) = at.get(&(*dl, p.line)) {
                dropped[i] = true;
                named.push((j, check));
            }
        }
    }
    drop(at);
    for (j, check) in named {
        let note = format!(" (BuildKit: {check})");
        if !problems[j].message.contains(&note) {
            problems[j].message.push_str(&note);
        }
    }
    let mut i = 0;
    problems.retain(|_| {
        i += 1;
        !dropped[i - 1]
    });
}

/// The `# check=` configuration of one file: the directive at the top, and the `check=`
/// comments right before single instructions.
struct Checks {
    file: CheckConfig,
    /// By instruction line.
    local: HashMap<u32, CheckConfig>,
    /// An invalid directive: its line and what is wrong.
    invalid: Option<(u32, String)>,
}

impl Checks {
    fn new(df: &Dockerfile) -> Checks {
        let (file, invalid) = match df.directives.check.as_deref().map(CheckConfig::parse) {
            None => (CheckConfig::default(), None),
            Some(Ok(c)) => (c, None),
            Some(Err(e)) => {
                let line = df
                    .comments
                    .iter()
                    .find(|c| c.line <= df.directives.lines && c.text.starts_with("check"))
                    .map_or(1, |c| c.line);
                (
                    CheckConfig::default(),
                    Some((
                        line,
                        format!(
                            "the `# check=` directive is invalid: {e}; BuildKit refuses to build the file"
                        ),
                    )),
                )
            }
        };
        let mut local = HashMap::new();
        for (i, ins) in df.instructions.iter().enumerate() {
            if let Some(c) = buildkit::comments_before(df, i)
                .into_iter()
                .find_map(CheckConfig::from_comment)
            {
                local.insert(ins.line, c);
            }
        }
        Checks {
            file,
            local,
            invalid,
        }
    }

    /// The level a BuildKit check runs at in this file.
    fn level(&self, rule: &Rule, options: &Options) -> Level {
        let code = rule.code;
        let mut level = options.level(rule);
        let experimental = buildkit::EXPERIMENTAL.contains(&code);
        let overridden = options.overrides.contains_key(code);
        if experimental
            && level == Level::Ignore
            && !overridden
            && !options.ignored.contains(code)
            && (options.only.is_empty() || options.only.iter().any(|c| c == code))
            && (self.file.enables(code) || self.local.values().any(|c| c.enables(code)))
        {
            level = Level::Warning;
        }
        if self.file.skips(code) {
            return Level::Ignore;
        }
        if self.file.error && level != Level::Ignore {
            return Level::Error;
        }
        level
    }

    /// Whether a hit of check `code` on `line` survives the comments before its instruction.
    fn keeps(&self, code: &str, line: u32, options: &Options) -> bool {
        let local = self.local.get(&line);
        if buildkit::EXPERIMENTAL.contains(&code) {
            return options.overrides.contains_key(code)
                || self.file.enables(code)
                || local.is_some_and(|c| c.enables(code));
        }
        !local.is_some_and(|c| c.skips(code))
    }
}

/// Parses and lints bytes.
pub fn lint_bytes(
    bytes: &[u8],
    options: &Options,
    context: Option<&Path>,
    scanner: Option<&Scanner>,
) -> Vec<Problem> {
    lint(&parser::parse_bytes(bytes), options, context, scanner)
}

/// Parses and lints bytes, with notes on what could not be checked.
pub fn lint_bytes_checked(
    bytes: &[u8],
    options: &Options,
    context: Option<&Path>,
    scanner: Option<&Scanner>,
) -> Linted {
    lint_checked(&parser::parse_bytes(bytes), options, context, scanner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pragmas() {
        assert_eq!(
            pragma("hadolint ignore=DL3008,dl3015"),
            Some((false, vec!["DL3008".into(), "DL3015".into()]))
        );
        assert_eq!(
            pragma("hadolint global ignore=DL3059"),
            Some((true, vec!["DL3059".into()]))
        );
        assert_eq!(
            pragma("dockerfile-lint ignore=OPS-DF001"),
            Some((false, vec!["OPS-DF001".into()]))
        );
        assert_eq!(pragma("just a comment"), None);
        // hadolint 2.15's grammar: spaces around `=` and `,`, nothing after the list, a space
        // after the tool's name.
        assert_eq!(
            pragma("hadolint ignore = DL3008 , DL3015"),
            Some((false, vec!["DL3008".into(), "DL3015".into()]))
        );
        assert_eq!(
            pragma("hadolint ignore=DL3008 because we pin elsewhere"),
            None
        );
        assert_eq!(pragma("hadolintignore=DL3008"), None);
        assert_eq!(pragma("hadolint globalignore=DL3008"), None);
        assert_eq!(pragma("hadolint ignore="), None);
        assert_eq!(
            shell_pragma("hadolint shell=powershell"),
            Some("powershell")
        );
        assert_eq!(
            shell_pragma("hadolint shell = /bin/bash"),
            Some("/bin/bash")
        );
        assert_eq!(shell_pragma("hadolint ignore=DL3008"), None);
    }

    // See: issue 22. hadolint's `ignore=` covers the line right after it, nothing further.
    #[test]
    fn a_pragma_covers_the_next_line_only() {
        for (text, expected) in [
            (
                "FROM node:22\n# hadolint ignore=DL3016\nRUN npm install -g x\n",
                0,
            ),
            (
                "FROM node:22\n# hadolint ignore=DL3016\n# why: a global tool\nRUN npm install -g x\n",
                1,
            ),
            (
                "FROM node:22\n# hadolint ignore=DL3016\n\nRUN npm install -g x\n",
                1,
            ),
        ] {
            let p = lint_bytes(text.as_bytes(), &Options::for_rule("DL3016"), None, None);
            assert_eq!(p.len(), expected, "{text:?}");
        }
    }

    #[test]
    fn pragma_applies_to_the_next_instruction_only() {
        let text =
            "FROM node:22\n# hadolint ignore=DL3016\nRUN npm install -g x\nRUN npm install -g y\n";
        let p = lint_bytes(text.as_bytes(), &Options::for_rule("DL3016"), None, None);
        assert_eq!(p.iter().map(|p| p.line).collect::<Vec<_>>(), [4]);
        let off = Options {
            disable_ignore_pragma: true,
            ..Options::for_rule("DL3016")
        };
        assert_eq!(lint_bytes(text.as_bytes(), &off, None, None).len(), 2);
    }

    // See: issue 22. hadolint lints a Latin-1 file line by line; so do we, with one warning.
    #[test]
    fn a_latin1_file_is_linted_whole() {
        let text = b"FROM node:latest\nLABEL org.opencontainers.image.authors=\"Jos\xe9\"\nRUN apt-get install -y curl\n";
        let codes: Vec<_> = lint_bytes(text, &Options::default(), None, None)
            .iter()
            .map(|p| (p.rule.code, p.line))
            .collect();
        for expected in [("DL3007", 1), ("OPS-DF011", 2), ("DL3008", 3)] {
            assert!(codes.contains(&expected), "{expected:?} in {codes:?}");
        }
        assert!(!codes.iter().any(|(c, _)| *c == "DL1000"), "{codes:?}");
    }

    fn codes(text: &str, options: &Options) -> Vec<(&'static str, u32, Level)> {
        lint_bytes(text.as_bytes(), options, None, None)
            .iter()
            .map(|p| (p.rule.code, p.line, p.level))
            .collect()
    }

    // See: issue 22. BuildKit's `# check=` directive, at the top and before one instruction.
    #[test]
    fn check_directives_skip_and_raise() {
        let o = Options::default();
        let text = "FROM alpine:3.20.3 AS Base\nCMD echo hi\n";
        let all = codes(text, &o);
        assert!(
            all.contains(&("StageNameCasing", 1, Level::Warning)),
            "{all:?}"
        );
        assert!(all.iter().any(|c| c.0 == "DL3025"), "{all:?}");
        // skip= names checks; hadolint's twin of a skipped check stays.
        let skipped = codes(
            &format!("# check=skip=StageNameCasing,JSONArgsRecommended\n{text}"),
            &o,
        );
        assert!(
            !skipped.iter().any(|c| c.0 == "StageNameCasing"),
            "{skipped:?}"
        );
        assert!(skipped.iter().any(|c| c.0 == "DL3025"), "{skipped:?}");
        let none = codes(&format!("# check=skip=all\n{text}"), &o);
        assert!(!none.iter().any(|c| buildkit::is_check(c.0)), "{none:?}");
        // error=true: every check's finding is an error.
        let errors = codes(&format!("# check=error=true\n{text}"), &o);
        assert!(
            errors.contains(&("StageNameCasing", 2, Level::Error)),
            "{errors:?}"
        );
        // The same comment right before one instruction skips there only.
        let local = codes(
            "FROM alpine:3.20.3 AS Base\n# check=skip=StageNameCasing\nFROM alpine:3.20.3 AS Other\n",
            &o,
        );
        let casing: Vec<u32> = local
            .iter()
            .filter(|c| c.0 == "StageNameCasing")
            .map(|c| c.1)
            .collect();
        assert_eq!(casing, [1], "{local:?}");
        // An invalid directive is a parse error, as BuildKit refuses the file.
        let bad = lint_bytes(b"# check=skip\nFROM alpine:3.20.3\n", &o, None, None);
        assert!(
            bad.iter()
                .any(|p| p.rule.code == "DL1000" && p.message.contains("check")),
            "{bad:?}"
        );
    }

    #[test]
    fn twins_report_once_and_pragmas_take_check_names() {
        let o = Options::default();
        let found = lint_bytes(
            b"FROM alpine:3.20.3\nMAINTAINER ops@example.com\n",
            &o,
            None,
            None,
        );
        let at2: Vec<_> = found.iter().filter(|p| p.line == 2).collect();
        assert_eq!(at2.len(), 1, "{found:?}");
        assert_eq!(at2[0].rule.code, "DL4000");
        assert!(
            at2[0].message.ends_with("(BuildKit: MaintainerDeprecated)"),
            "{}",
            at2[0].message
        );
        // Ignoring hadolint's rule leaves Docker's check.
        let mut o2 = Options::default();
        o2.ignored.insert("DL4000".into());
        let found = codes("FROM alpine:3.20.3\nMAINTAINER ops@example.com\n", &o2);
        assert!(
            found.iter().any(|c| c.0 == "MaintainerDeprecated"),
            "{found:?}"
        );
        // Pragmas name checks in any case, and the old code of a renamed rule still works.
        for pragma in ["stagenamecasing", "StageNameCasing"] {
            let text = format!("# hadolint ignore={pragma}\nFROM alpine:3.20.3 AS Base\n");
            assert!(
                !codes(&text, &o).iter().any(|c| c.0 == "StageNameCasing"),
                "{pragma}"
            );
        }
        let text = "FROM alpine:3.20.3\n# hadolint ignore=OPS-DF010\nENV A 1\n";
        assert!(
            !codes(text, &o)
                .iter()
                .any(|c| c.0 == "LegacyKeyValueFormat")
        );
    }

    #[test]
    fn threshold_decides_severity() {
        let p = lint_bytes(
            b"FROM alpine:3\nRUN a\nRUN b\n",
            &Options::for_rule("DL3059"),
            None,
            None,
        );
        assert_eq!(p[0].finding("D", Level::Info).severity, Severity::Warning);
        assert_eq!(p[0].finding("D", Level::Warning).severity, Severity::Note);
        assert_eq!(p[0].finding("D", Level::Ignore).severity, Severity::Note);
    }
}
