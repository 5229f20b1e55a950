//! A Dockerfile parser for everything BuildKit builds.
//!
//! [`parse`] never fails and never panics: what is not valid Dockerfile syntax becomes a
//! [`ParseError`] beside the instructions that could be read, so one typo does not hide every
//! other finding. Every instruction keeps its line and column.
//!
//! ```
//! use opskit_dockerfile_lint::parser::{parse, Kind};
//! let df = parse("# syntax=docker/dockerfile:1\nFROM node:22-slim AS app\nCOPY <<EOF /app/x\nhi\nEOF\nRUN npm ci\n");
//! assert_eq!(df.directives.syntax.as_deref(), Some("docker/dockerfile:1"));
//! assert_eq!(df.instructions[1].kind, Kind::Copy);
//! assert_eq!(df.instructions[1].heredocs[0].body, "hi\n");
//! assert_eq!(df.instructions[2].line, 6);
//! assert_eq!(df.stages[0].name.as_deref(), Some("app"));
//! ```

pub mod heredoc;
mod lexer;

/// The parser directives at the top of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directives {
    /// `# syntax=`: the frontend image.
    pub syntax: Option<String>,
    /// `# escape=`: `\` (the default) or `` ` ``.
    pub escape: char,
    /// `# check=`: BuildKit's build-check configuration.
    pub check: Option<String>,
    /// How many lines at the top are directives (they are comments to nothing else).
    pub lines: u32,
    escape_set: bool,
}

impl Default for Directives {
    fn default() -> Directives {
        Directives {
            syntax: None,
            escape: '\\',
            check: None,
            lines: 0,
            escape_set: false,
        }
    }
}

/// What an instruction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `FROM`
    From,
    /// `RUN`
    Run,
    /// `CMD`
    Cmd,
    /// `LABEL`
    Label,
    /// `MAINTAINER` (deprecated)
    Maintainer,
    /// `EXPOSE`
    Expose,
    /// `ENV`
    Env,
    /// `ADD`
    Add,
    /// `COPY`
    Copy,
    /// `ENTRYPOINT`
    Entrypoint,
    /// `VOLUME`
    Volume,
    /// `USER`
    User,
    /// `WORKDIR`
    Workdir,
    /// `ARG`
    Arg,
    /// `ONBUILD`
    Onbuild,
    /// `STOPSIGNAL`
    Stopsignal,
    /// `HEALTHCHECK`
    Healthcheck,
    /// `SHELL`
    Shell,
    /// Anything else (a parse error is recorded too).
    Unknown,
}

impl Kind {
    /// The kind of a keyword, case-insensitively.
    pub fn of(keyword: &str) -> Kind {
        const ALL: [(&str, Kind); 18] = [
            ("FROM", Kind::From),
            ("RUN", Kind::Run),
            ("CMD", Kind::Cmd),
            ("LABEL", Kind::Label),
            ("MAINTAINER", Kind::Maintainer),
            ("EXPOSE", Kind::Expose),
            ("ENV", Kind::Env),
            ("ADD", Kind::Add),
            ("COPY", Kind::Copy),
            ("ENTRYPOINT", Kind::Entrypoint),
            ("VOLUME", Kind::Volume),
            ("USER", Kind::User),
            ("WORKDIR", Kind::Workdir),
            ("ARG", Kind::Arg),
            ("ONBUILD", Kind::Onbuild),
            ("STOPSIGNAL", Kind::Stopsignal),
            ("HEALTHCHECK", Kind::Healthcheck),
            ("SHELL", Kind::Shell),
        ];
        ALL.iter()
            .find(|(k, _)| keyword.eq_ignore_ascii_case(k))
            .map_or(Kind::Unknown, |(_, kind)| *kind)
    }

    /// Whether the instruction takes `--flag` options.
    fn takes_flags(self) -> bool {
        matches!(
            self,
            Kind::From | Kind::Run | Kind::Copy | Kind::Add | Kind::Healthcheck
        )
    }
}

/// `--name=value` or `--name` before an instruction's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Without the dashes, lower case.
    pub name: String,
    /// After `=`.
    pub value: Option<String>,
}

/// A heredoc's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The terminator word.
    pub delimiter: String,
    /// `<<-`.
    pub chomp: bool,
    /// Quoted delimiter: no expansion.
    pub quoted: bool,
    /// The body, each line ending in `\n`.
    pub body: String,
    /// The body's first line.
    pub line: u32,
}

/// A comment line (the text after `#`, trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// 1-based line.
    pub line: u32,
    /// Without the `#`.
    pub text: String,
}

/// Something that is not valid Dockerfile syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong, for people.
    pub message: String,
}

/// The arguments of CMD, ENTRYPOINT, RUN, SHELL or HEALTHCHECK CMD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandForm {
    /// `["executable", "arg"]`
    Exec(Vec<String>),
    /// `executable arg`, run by the shell.
    Shell(String),
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// What it is.
    pub kind: Kind,
    /// The keyword as written.
    pub keyword: String,
    /// 1-based line of the keyword.
    pub line: u32,
    /// 1-based column of the keyword.
    pub column: u32,
    /// The last line the instruction spans.
    pub end_line: u32,
    /// `--flags` (FROM, RUN, COPY, ADD, HEALTHCHECK).
    pub flags: Vec<Flag>,
    /// The arguments after the keyword and flags, continuations joined, trimmed.
    pub args: String,
    /// Heredoc bodies (RUN, COPY, ADD).
    pub heredocs: Vec<Heredoc>,
    /// ONBUILD's trigger instruction.
    pub onbuild: Option<Box<Instruction>>,
    /// A blank line inside its continuation lines (BuildKit warns: NoEmptyContinuation).
    pub empty_continuation: bool,
}

/// A stage: a FROM and the instructions up to the next FROM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// 0-based position.
    pub index: usize,
    /// `AS name`, lower case (BuildKit compares stage names case-insensitively).
    pub name: Option<String>,
    /// The image or stage it builds on, as written.
    pub base: String,
    /// The FROM instruction's index in [`Dockerfile::instructions`].
    pub from: usize,
    /// One past the stage's last instruction.
    pub end: usize,
}

impl Stage {
    /// The indices of the stage's instructions after FROM.
    pub fn body(&self) -> std::ops::Range<usize> {
        self.from + 1..self.end
    }
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    /// Parser directives.
    pub directives: Directives,
    /// Every instruction, in order.
    pub instructions: Vec<Instruction>,
    /// Every comment line (pragmas live here).
    pub comments: Vec<Comment>,
    /// What could not be read.
    pub errors: Vec<ParseError>,
    /// The stages, in order.
    pub stages: Vec<Stage>,
    /// When the file is not UTF-8: the first line with a byte that is not, and the file was
    /// read as Latin-1 (every byte one character, so every line is still linted).
    pub not_utf8: Option<u32>,
    /// The first stage of each name, so a look-up by name is not a scan of every stage
    /// (rules resolve `FROM stage` chains for every stage).
    first_named: std::collections::HashMap<String, usize>,
}

impl Dockerfile {
    /// The stage an instruction belongs to (`None` for ARGs before the first FROM). Stages are
    /// in order, so this is a binary search: rules ask it for every instruction.
    pub fn stage_of(&self, instruction: usize) -> Option<&Stage> {
        let after = self.stages.partition_point(|s| s.from <= instruction);
        after
            .checked_sub(1)
            .map(|i| &self.stages[i])
            .filter(|s| instruction < s.end)
    }

    /// The stage called `name` (case-insensitive) or numbered `name`, defined before
    /// instruction `before`: the first such stage, as BuildKit resolves it.
    pub fn stage_named(&self, name: &str, before: usize) -> Option<&Stage> {
        let defined = &self.stages[..self.stages.partition_point(|s| s.from < before)];
        let by_number = name.parse::<usize>().ok().and_then(|n| defined.get(n));
        let by_name = self
            .first_named
            .get(&name.to_ascii_lowercase())
            .and_then(|&i| defined.get(i));
        match (by_name, by_number) {
            (Some(a), Some(b)) => Some(if a.index <= b.index { a } else { b }),
            (a, b) => a.or(b),
        }
    }
}

/// Parses a Dockerfile. Never fails: see [`Dockerfile::errors`].
pub fn parse(text: &str) -> Dockerfile {
    let lexed = lexer::lex(text);
    let mut errors = lexed.errors;
    let mut instructions = Vec::with_capacity(lexed.logical.len());
    for logical in lexed.logical {
        let mut instruction = instruction(
            &logical.text,
            logical.line,
            logical.column,
            logical.end_line,
            logical.heredocs,
            &mut errors,
        );
        instruction.empty_continuation = logical.empty_continuation;
        instructions.push(instruction);
    }
    let stages = stages(&instructions);
    let mut first_named = std::collections::HashMap::new();
    for s in &stages {
        if let Some(n) = &s.name {
            first_named.entry(n.clone()).or_insert(s.index);
        }
    }
    errors.sort_by_key(|e| (e.line, e.column));
    Dockerfile {
        directives: lexed.directives,
        instructions,
        comments: lexed.comments,
        errors,
        stages,
        not_utf8: None,
        first_named,
    }
}

/// Parses bytes. Text that is not UTF-8 (a Latin-1 file from an old editor) is still read, as
/// hadolint lints such a file line by line: valid UTF-8 as it is and each other byte as the
/// Latin-1 character it would be, and [`Dockerfile::not_utf8`] says where the first such byte
/// is. NUL bytes (a binary file) make one error and no instructions.
pub fn parse_bytes(bytes: &[u8]) -> Dockerfile {
    if bytes.contains(&0) {
        return Dockerfile {
            errors: vec![ParseError {
                line: 1,
                column: 1,
                message: "not a Dockerfile: the file holds NUL bytes (binary data)".to_owned(),
            }],
            ..Dockerfile::default()
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        Err(e) => {
            let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
            for chunk in bytes.utf8_chunks() {
                text.push_str(chunk.valid());
                text.extend(chunk.invalid().iter().map(|&b| char::from(b)));
            }
            // Lines are the pieces between newlines, so their count is the line number.
            let line = bytes[..e.valid_up_to()].split(|&b| b == b'\n').count();
            let mut df = parse(&text);
            df.not_utf8 = Some(u32::try_from(line).unwrap_or(u32::MAX));
            df
        }
    }
}

fn instruction(
    text: &str,
    line: u32,
    column: u32,
    end_line: u32,
    heredocs: Vec<Heredoc>,
    errors: &mut Vec<ParseError>,
) -> Instruction {
    let (keyword, rest) = split_word(text);
    let kind = Kind::of(keyword);
    let mut rest = rest;
    let mut flags = Vec::new();
    if kind.takes_flags() {
        loop {
            let (word, after) = split_word(rest);
            let Some(flag) = word.strip_prefix("--") else {
                break;
            };
            if flag.is_empty() {
                break;
            }
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(unquote(v))),
                None => (flag, None),
            };
            flags.push(Flag {
                name: name.to_ascii_lowercase(),
                value,
            });
            rest = after;
        }
    }
    let args = rest.trim().to_owned();
    let mut onbuild = None;
    match kind {
        Kind::Unknown => errors.push(ParseError {
            line,
            column,
            message: if keyword.chars().all(|c| c.is_ascii_alphabetic()) {
                format!("unknown instruction `{keyword}`")
            } else {
                let shown: String = keyword.chars().take(20).collect();
                format!("not a Dockerfile instruction: `{shown}`")
            },
        }),
        Kind::Onbuild if !args.is_empty() => {
            let inner = instruction(&args, line, column, end_line, heredocs.clone(), errors);
            onbuild = Some(Box::new(inner));
        }
        _ => {}
    }
    if kind != Kind::Unknown && args.is_empty() && heredocs.is_empty() {
        errors.push(ParseError {
            line,
            column,
            message: format!("{} needs arguments", keyword.to_ascii_uppercase()),
        });
    }
    Instruction {
        kind,
        keyword: keyword.to_owned(),
        line,
        column,
        end_line,
        flags,
        args,
        heredocs,
        onbuild,
        empty_continuation: false,
    }
}

fn split_word(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    (&text[..end], &text[end..])
}

fn unquote(value: &str) -> String {
    let v = value.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return v[1..v.len() - 1].to_owned();
        }
    }
    v.to_owned()
}

fn stages(instructions: &[Instruction]) -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    for (i, ins) in instructions.iter().enumerate() {
        if ins.kind != Kind::From {
            continue;
        }
        if let Some(last) = stages.last_mut() {
            last.end = i;
        }
        let words = ins.words();
        let base = words.first().cloned().unwrap_or_default();
        let name = match words.as_slice() {
            [_, as_, name, ..] if as_.eq_ignore_ascii_case("as") => Some(name.to_ascii_lowercase()),
            _ => None,
        };
        stages.push(Stage {
            index: stages.len(),
            name,
            base,
            from: i,
            end: instructions.len(),
        });
    }
    stages
}

impl Instruction {
    /// The flag called `name` (without dashes).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// Whether a flag mounts a build cache (`--mount=type=cache,...`): package caches then live
    /// outside the layer.
    pub fn has_cache_mount(&self) -> bool {
        self.flags
            .iter()
            .any(|f| f.value.as_deref().is_some_and(|v| v.contains("type=cache")))
    }

    /// The arguments split into words the way the shell would, quotes removed. Variables are
    /// left as written.
    pub fn words(&self) -> Vec<String> {
        words(&self.args)
    }

    /// The exec (JSON) form, when the arguments are a JSON array of strings.
    pub fn exec_form(&self) -> Option<Vec<String>> {
        let a = self.args.trim();
        if a.starts_with('[') {
            serde_json::from_str(a).ok()
        } else {
            None
        }
    }

    /// CMD, ENTRYPOINT, RUN, SHELL: exec or shell form.
    pub fn command_form(&self) -> CommandForm {
        match self.exec_form() {
            Some(v) => CommandForm::Exec(v),
            None => CommandForm::Shell(self.args.clone()),
        }
    }

    /// The shell script a RUN executes: its arguments, plus the bodies of heredocs that feed
    /// a shell (`RUN <<EOF`, `RUN bash <<EOF`).
    pub fn script(&self) -> String {
        if self.kind != Kind::Run || self.exec_form().is_some() {
            return String::new();
        }
        let mut script = self.args.clone();
        let first = self
            .args
            .split_ascii_whitespace()
            .next()
            .unwrap_or_default();
        let feeds_shell = first.starts_with("<<")
            || ["sh", "bash", "/bin/sh", "/bin/bash", "ash", "dash", "zsh"].contains(&first);
        if feeds_shell {
            for h in &self.heredocs {
                script.push('\n');
                script.push_str(&h.body);
            }
        }
        script
    }

    /// ENV, LABEL and ARG pairs. `ENV key value` (the legacy form) is one pair; an ARG
    /// without a default has `None`.
    pub fn pairs(&self) -> Vec<(String, Option<String>)> {
        let words = words(&self.args);
        let legacy = matches!(self.kind, Kind::Env | Kind::Label)
            && words.first().is_some_and(|w| !w.contains('='));
        if legacy {
            let (key, value) = split_word(&self.args);
            return vec![(unquote(key), Some(unquote(value)))];
        }
        words
            .into_iter()
            .map(|w| match w.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (w, None),
            })
            .collect()
    }
}

/// Splits text into words as the shell would (quotes removed, backslash escapes honoured,
/// variables left as written).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    cur.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                if !matches!(n, '"' | '\\' | '$' | '`') {
                                    cur.push('\\');
                                }
                                cur.push(n);
                            }
                        }
                        _ => cur.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_args_and_stages() {
        let df = parse(
            "ARG V=1\nFROM --platform=$BUILDPLATFORM golang:1.23 AS Build\nRUN --mount=type=cache,target=/root/.cache go build\nFROM scratch\nCOPY --from=build --chmod=755 /out /app\n",
        );
        assert!(df.errors.is_empty(), "{:?}", df.errors);
        assert_eq!(
            df.instructions[1]
                .flag("platform")
                .unwrap()
                .value
                .as_deref(),
            Some("$BUILDPLATFORM")
        );
        assert_eq!(df.instructions[2].args, "go build");
        assert_eq!(df.stages.len(), 2);
        assert_eq!(df.stages[0].name.as_deref(), Some("build"));
        assert_eq!(df.stages[0].body(), 2..3);
        assert_eq!(df.stage_named("BUILD", 4).unwrap().index, 0);
        assert_eq!(df.stage_named("0", 4).unwrap().index, 0);
        assert!(df.stage_of(0).is_none());
    }

    #[test]
    fn case_insensitive_onbuild_and_forms() {
        let df =
            parse("from a\nonbuild run echo hi\ncmd [\"node\", \"x.js\"]\nentrypoint node x\n");
        assert_eq!(df.instructions[1].onbuild.as_ref().unwrap().kind, Kind::Run);
        assert_eq!(
            df.instructions[2].command_form(),
            CommandForm::Exec(vec!["node".into(), "x.js".into()])
        );
        assert_eq!(
            df.instructions[3].command_form(),
            CommandForm::Shell("node x".into())
        );
    }

    #[test]
    fn pairs_in_both_forms() {
        let df =
            parse("FROM a\nENV A=1 B=\"two words\"\nENV C three words\nARG D\nLABEL \"x y\"=z\n");
        assert_eq!(
            df.instructions[1].pairs(),
            [
                ("A".into(), Some("1".into())),
                ("B".into(), Some("two words".into()))
            ]
        );
        assert_eq!(
            df.instructions[2].pairs(),
            [("C".into(), Some("three words".into()))]
        );
        assert_eq!(df.instructions[3].pairs(), [("D".into(), None)]);
        assert_eq!(
            df.instructions[4].pairs(),
            [("x y".into(), Some("z".into()))]
        );
    }

    #[test]
    fn errors_do_not_stop_the_parse() {
        let df = parse("FROM a\nFOO bar\nRUN\nRUN ok\n{\"json\": 1}\n");
        assert_eq!(df.instructions.len(), 5);
        assert_eq!(df.errors.len(), 3, "{:?}", df.errors);
        assert!(parse_bytes(b"\0\x01").errors[0].message.contains("binary"));
    }

    #[test]
    fn heredoc_scripts() {
        let df =
            parse("FROM a\nRUN <<EOF\napt-get update\nEOF\nRUN python3 <<EOF\nimport os\nEOF\n");
        assert!(df.instructions[1].script().contains("apt-get update"));
        assert!(!df.instructions[2].script().contains("import"));
    }
}
