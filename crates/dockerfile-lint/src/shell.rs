//! Just enough of the POSIX shell to read a RUN line: split it into simple commands at `&&`,
//! `||`, `;`, `&`, `|`, newlines and subshell or group brackets; drop redirections and
//! comments; and recognise the package managers, so the package rules look at the right words.
//!
//! ```
//! use opskit_dockerfile_lint::shell::{Script, Manager};
//! let s = Script::parse("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y curl > /dev/null");
//! assert_eq!(s.commands.len(), 2);
//! let pm = s.commands[1].package_manager().unwrap();
//! assert_eq!((pm.manager, pm.subcommand.as_str()), (Manager::AptGet, "install"));
//! assert_eq!(pm.packages(), ["curl"]);
//! ```

/// How a command was joined to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joint {
    /// The first command, or after `;`, `&` or a newline.
    Sequence,
    /// After `&&`.
    And,
    /// After `||`.
    Or,
    /// After `|`.
    Pipe,
}

/// One simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The words, quotes removed, redirections dropped. Leading `NAME=value` assignments stay.
    pub words: Vec<String>,
    /// How it follows the previous command.
    pub joint: Joint,
}

/// A RUN line, split.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// The simple commands, in order.
    pub commands: Vec<Command>,
}

impl Script {
    /// Splits `text`. Never fails: unbalanced quotes run to the end of the text.
    #[expect(
        clippy::too_many_lines,
        reason = "one character state machine reads best in one place"
    )]
    pub fn parse(text: &str) -> Script {
        let mut p = Splitter::default();
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '\'' => {
                    p.in_word = true;
                    i += 1;
                    while i < chars.len() && chars[i] != '\'' {
                        p.word.push(chars[i]);
                        i += 1;
                    }
                }
                '"' => {
                    p.in_word = true;
                    i += 1;
                    while i < chars.len() && chars[i] != '"' {
                        if chars[i] == '\\' && i + 1 < chars.len() {
                            i += 1;
                        }
                        p.word.push(chars[i]);
                        i += 1;
                    }
                }
                '\\' => {
                    if chars.get(i + 1) == Some(&'\n') {
                        i += 1;
                    } else if let Some(&n) = chars.get(i + 1) {
                        p.in_word = true;
                        p.word.push(n);
                        i += 1;
                    }
                }
                '$' if matches!(chars.get(i + 1), Some('(' | '{')) => {
                    // $(...) and ${...} stay inside the word, brackets balanced.
                    let (open, close) = if chars[i + 1] == '(' {
                        ('(', ')')
                    } else {
                        ('{', '}')
                    };
                    p.in_word = true;
                    p.word.push('$');
                    let mut depth = 0usize;
                    i += 1;
                    while i < chars.len() {
                        let ch = chars[i];
                        p.word.push(ch);
                        if ch == open {
                            depth += 1;
                        } else if ch == close {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        i += 1;
                    }
                }
                '`' => {
                    p.in_word = true;
                    p.word.push('`');
                    i += 1;
                    while i < chars.len() && chars[i] != '`' {
                        p.word.push(chars[i]);
                        i += 1;
                    }
                    p.word.push('`');
                }
                '#' if !p.in_word => {
                    while i < chars.len() && chars[i] != '\n' {
                        i += 1;
                    }
                    continue;
                }
                '&' | '|' | ';' | '\n' | '(' | ')' => {
                    let next = chars.get(i + 1).copied();
                    // `>&2`, `&>`, `|&` and friends are redirections or pipes.
                    if c == '&' && next == Some('>') {
                        p.end_word();
                        p.redirect = true;
                        i += 2;
                        if chars.get(i) == Some(&'>') {
                            i += 1;
                        }
                        continue;
                    }
                    p.end_word();
                    let joint = match (c, next) {
                        ('&', Some('&')) => {
                            i += 1;
                            Joint::And
                        }
                        ('|', Some('|')) => {
                            i += 1;
                            Joint::Or
                        }
                        ('|', Some('&')) => {
                            i += 1;
                            Joint::Pipe
                        }
                        ('|', _) => Joint::Pipe,
                        (';', Some(';')) => {
                            i += 1;
                            Joint::Sequence
                        }
                        _ => Joint::Sequence,
                    };
                    p.end_command(joint);
                }
                '>' | '<' => {
                    // A redirection: the operator, an fd number before it, and its target.
                    if p.in_word && p.word.chars().all(|d| d.is_ascii_digit()) {
                        p.word.clear();
                        p.in_word = false;
                    } else {
                        p.end_word();
                    }
                    i += 1;
                    while i < chars.len() && matches!(chars[i], '>' | '<' | '&' | '|') {
                        i += 1;
                    }
                    p.redirect = true;
                    continue;
                }
                c if c.is_whitespace() => p.end_word(),
                c => {
                    p.in_word = true;
                    p.word.push(c);
                }
            }
            i += 1;
        }
        p.end_word();
        p.end_command(Joint::Sequence);
        Script {
            commands: p.commands,
        }
    }

    /// Whether any command reads from a pipe, inside command substitutions too
    /// (`x="$(find … | head -n 1)"`: pipefail decides whether a failing `find` fails the RUN
    /// there as well).
    pub fn has_pipe(&self) -> bool {
        self.has_pipe_within(0)
    }

    fn has_pipe_within(&self, depth: usize) -> bool {
        self.commands.iter().any(|c| {
            c.joint == Joint::Pipe
                || (depth < 4
                    && c.words.iter().any(|w| {
                        substitutions(w).any(|s| Script::parse(s).has_pipe_within(depth + 1))
                    }))
        })
    }

    /// The commands whose program is `name` (after wrappers such as `sudo`).
    pub fn calls<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Command> + 'a {
        self.commands
            .iter()
            .filter(move |c| c.program() == Some(name))
    }

    /// The package-manager commands.
    pub fn package_commands(&self) -> impl Iterator<Item = PackageCommand<'_>> {
        self.commands.iter().filter_map(Command::package_manager)
    }
}

/// The texts inside `$( … )` and `` ` … ` `` in a word (the outermost ones).
fn substitutions(word: &str) -> impl Iterator<Item = &str> {
    let mut out = Vec::new();
    let bytes = word.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'(') {
            let start = i + 2;
            let mut depth = 1usize;
            let mut j = start;
            while j < bytes.len() && depth > 0 {
                match bytes[j] {
                    b'(' => depth += 1,
                    b')' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            let end = if depth == 0 { j - 1 } else { j };
            out.push(&word[start..end]);
            i = j;
        } else if bytes[i] == b'`' {
            let start = i + 1;
            let end = word[start..].find('`').map_or(word.len(), |k| start + k);
            out.push(&word[start..end]);
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out.into_iter()
}

#[derive(Default)]
struct Splitter {
    commands: Vec<Command>,
    words: Vec<String>,
    word: String,
    in_word: bool,
    redirect: bool,
    pending: Option<Joint>,
}

impl Splitter {
    fn end_word(&mut self) {
        if !self.in_word {
            return;
        }
        self.in_word = false;
        let word = std::mem::take(&mut self.word);
        if self.redirect {
            self.redirect = false;
            return;
        }
        self.words.push(word);
    }

    fn end_command(&mut self, next: Joint) {
        self.redirect = false;
        // Shell keywords and braces only shape control flow.
        while self.words.first().is_some_and(|w| {
            matches!(
                w.as_str(),
                "{" | "}"
                    | "!"
                    | "if"
                    | "then"
                    | "else"
                    | "elif"
                    | "fi"
                    | "do"
                    | "done"
                    | "while"
                    | "until"
                    | "time"
            )
        }) {
            self.words.remove(0);
        }
        while self.words.last().is_some_and(|w| w == "}") {
            self.words.pop();
        }
        let joint = self.pending.replace(next).unwrap_or(Joint::Sequence);
        if !self.words.is_empty() {
            let words = std::mem::take(&mut self.words);
            self.commands.push(Command { words, joint });
        }
    }
}

/// Wrappers that run the rest of the line as the command.
const WRAPPERS: &[&str] = &[
    "sudo", "env", "exec", "nohup", "command", "nice", "xargs", "gosu", "su-exec",
];

impl Command {
    /// The index of the program word: past `NAME=value` assignments and wrappers like `sudo`.
    fn program_index(&self) -> Option<usize> {
        let mut i = 0;
        while let Some(w) = self.words.get(i) {
            if is_assignment(w) {
                i += 1;
                continue;
            }
            if WRAPPERS.contains(&w.as_str()) {
                i += 1;
                // The wrapper's own options (`sudo -E`, `env -i`, `gosu user`).
                while self.words.get(i).is_some_and(|o| o.starts_with('-')) {
                    i += 1;
                }
                if matches!(w.as_str(), "gosu" | "su-exec") {
                    i += 1;
                }
                continue;
            }
            return Some(i);
        }
        None
    }

    /// The program name, path stripped (`/usr/bin/apt-get` is `apt-get`).
    pub fn program(&self) -> Option<&str> {
        let w = self.words.get(self.program_index()?)?;
        Some(w.rsplit('/').next().unwrap_or(w))
    }

    /// The program's arguments.
    pub fn args(&self) -> &[String] {
        self.program_index()
            .map_or(&[], |i| self.words.get(i + 1..).unwrap_or_default())
    }

    /// Whether the raw first word is `name` (no wrapper).
    pub fn starts_with(&self, name: &str) -> bool {
        self.words
            .iter()
            .find(|w| !is_assignment(w))
            .map(String::as_str)
            == Some(name)
    }

    /// Whether an argument is the flag `long` or the short letter `short` (also inside
    /// grouped short flags such as `-yq`).
    pub fn has_flag(&self, short: Option<char>, long: &[&str]) -> bool {
        self.args().iter().any(|a| has_flag(a, short, long))
    }

    /// The command as a package-manager call, if it is one.
    pub fn package_manager(&self) -> Option<PackageCommand<'_>> {
        let program = self.program()?;
        let args = self.args();
        let (manager, rest): (Manager, &[String]) = match program {
            "apt-get" => (Manager::AptGet, args),
            "apt" => (Manager::Apt, args),
            "apk" => (Manager::Apk, args),
            "yum" => (Manager::Yum, args),
            "dnf" | "microdnf" => (Manager::Dnf, args),
            "zypper" => (Manager::Zypper, args),
            "npm" => (Manager::Npm, args),
            "yarn" => (Manager::Yarn, args),
            "pnpm" => (Manager::Pnpm, args),
            "gem" => (Manager::Gem, args),
            "go" => (Manager::Go, args),
            p if is_pip(p) => (Manager::Pip, args),
            p if p.starts_with("python")
                && args.len() >= 2
                && args[0] == "-m"
                && is_pip(&args[1]) =>
            {
                (Manager::Pip, &args[2..])
            }
            _ => return None,
        };
        let value_flags = manager.value_flags();
        let mut i = 0;
        while i < rest.len() {
            let a = &rest[i];
            if a.starts_with('-') {
                if value_flags.contains(&a.as_str()) {
                    i += 1;
                }
                i += 1;
                continue;
            }
            return Some(PackageCommand {
                manager,
                subcommand: a.clone(),
                args: &rest[i + 1..],
                before: &rest[..i],
            });
        }
        None
    }
}

fn is_pip(p: &str) -> bool {
    p == "pip"
        || p.strip_prefix("pip")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Whether one argument is the given flag.
pub fn has_flag(arg: &str, short: Option<char>, long: &[&str]) -> bool {
    if let Some(name) = arg.strip_prefix("--") {
        let name = name.split('=').next().unwrap_or(name);
        return long.contains(&name);
    }
    // Short options combine, and the last may take its value attached: `-qO-`, `-fsSL`,
    // `-xvf`. The letters up to the first other character are the options.
    match (short, arg.strip_prefix('-')) {
        (Some(s), Some(group)) => {
            !group.is_empty()
                && !group.starts_with('-')
                && group
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .any(|c| c == s)
        }
        _ => false,
    }
}

/// A package manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    /// `apt-get`
    AptGet,
    /// `apt`
    Apt,
    /// `apk`
    Apk,
    /// `yum`
    Yum,
    /// `dnf`, `microdnf`
    Dnf,
    /// `zypper`
    Zypper,
    /// `pip`, `pip3`, `python -m pip`
    Pip,
    /// `npm`
    Npm,
    /// `yarn`
    Yarn,
    /// `pnpm`
    Pnpm,
    /// `gem`
    Gem,
    /// `go`
    Go,
}

impl Manager {
    /// Options that take the next word as their value.
    #[expect(
        clippy::too_many_lines,
        reason = "one table of option names per manager"
    )]
    fn value_flags(self) -> &'static [&'static str] {
        match self {
            Manager::AptGet | Manager::Apt => &[
                "-o",
                "-t",
                "-c",
                "--target-release",
                "--option",
                "--config-file",
            ],
            Manager::Apk => &[
                "-X",
                "--repository",
                "-p",
                "--root",
                "--arch",
                "--virtual",
                "-t",
                "--repositories-file",
            ],
            Manager::Yum | Manager::Dnf => &[
                "-c",
                "--config",
                "--installroot",
                "--releasever",
                "--enablerepo",
                "--disablerepo",
                "--setopt",
                "-x",
                "--exclude",
                "--repo",
            ],
            Manager::Zypper => &["-r", "--repo", "--root", "-R", "--config", "-c"],
            Manager::Pip => &[
                "-r",
                "--requirement",
                "-c",
                "--constraint",
                "-i",
                "--index-url",
                "--extra-index-url",
                "-t",
                "--target",
                "--prefix",
                "--root",
                "-f",
                "--find-links",
                "--trusted-host",
                "--cache-dir",
                "--src",
                "--platform",
                "--python-version",
                "--implementation",
                "--abi",
                "-e",
                "--editable",
                "--log",
                "--proxy",
                "--timeout",
                "--retries",
            ],
            Manager::Npm | Manager::Pnpm => &[
                "--prefix",
                "-C",
                "--registry",
                "--cache",
                "--loglevel",
                "-w",
                "--workspace",
                "--filter",
                "--dir",
            ],
            Manager::Yarn => &[
                "--cwd",
                "--registry",
                "--cache-folder",
                "--modules-folder",
                "--network-timeout",
            ],
            Manager::Gem => &[
                "-v",
                "--version",
                "-i",
                "--install-dir",
                "-n",
                "--bindir",
                "--source",
                "-s",
                "-P",
                "--trust-policy",
                "--platform",
            ],
            Manager::Go => &[
                "-C",
                "-o",
                "-p",
                "-tags",
                "-ldflags",
                "-gcflags",
                "-mod",
                "-modfile",
                "-pkgdir",
                "-exec",
                "-asmflags",
                "-buildmode",
                "-compiler",
                "-overlay",
                "-toolexec",
            ],
        }
    }
}

/// A package-manager call: `apt-get -y install curl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageCommand<'a> {
    /// Which manager.
    pub manager: Manager,
    /// The first non-option word (`install`, `add`, `update`).
    pub subcommand: String,
    /// Everything after the subcommand.
    pub args: &'a [String],
    /// Options before the subcommand.
    pub before: &'a [String],
}

impl PackageCommand<'_> {
    /// Whether the subcommand is one of `names`.
    pub fn is(&self, names: &[&str]) -> bool {
        names.contains(&self.subcommand.as_str())
    }

    /// Whether the flag appears anywhere (before or after the subcommand).
    pub fn has_flag(&self, short: Option<char>, long: &[&str]) -> bool {
        self.before
            .iter()
            .chain(self.args)
            .any(|a| has_flag(a, short, long))
    }

    /// The arguments after the subcommand that are not options or option values: package
    /// names, paths, requirement specs.
    pub fn packages(&self) -> Vec<&str> {
        let value_flags = self.manager.value_flags();
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.args.len() {
            let a = &self.args[i];
            if a.starts_with('-') {
                if value_flags.contains(&a.as_str()) {
                    i += 1;
                }
            } else {
                out.push(a.as_str());
            }
            i += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programs(text: &str) -> Vec<(String, Joint)> {
        Script::parse(text)
            .commands
            .iter()
            .map(|c| (c.program().unwrap_or("").to_owned(), c.joint))
            .collect()
    }

    #[test]
    fn splits_on_every_operator() {
        let p = programs("a && b || c; d | e & f\n(g; h) { i; }");
        let names: Vec<&str> = p.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d", "e", "f", "g", "h", "i"]);
        assert_eq!(p[1].1, Joint::And);
        assert_eq!(p[2].1, Joint::Or);
        assert_eq!(p[4].1, Joint::Pipe);
    }

    #[test]
    fn quotes_substitutions_and_redirections() {
        let s = Script::parse("echo 'a && b' \"c; d\" $(e && f) 2>&1 >/dev/null && g");
        assert_eq!(s.commands.len(), 2);
        assert_eq!(s.commands[0].words, ["echo", "a && b", "c; d", "$(e && f)"]);
        assert!(!s.has_pipe());
        assert!(Script::parse("curl x | sh").has_pipe());
        assert!(!Script::parse("a || b").has_pipe());
        // See: issue 22. A pipe inside a command substitution counts, as hadolint counts it.
        assert!(
            Script::parse("dir=\"$(find /app -type d | head -n 1)\" && echo \"$dir\"").has_pipe()
        );
        assert!(Script::parse("v=`ls | wc -l`").has_pipe());
        assert!(!Script::parse("v=$(date) && echo \"$(uname -a)\"").has_pipe());
    }

    #[test]
    fn wrappers_assignments_and_control_flow() {
        let s = Script::parse("if sudo -E DEBIAN_FRONTEND=x apt-get update; then echo ok; fi # c");
        assert_eq!(s.commands[0].program(), Some("apt-get"));
        assert_eq!(s.commands.len(), 2);
        assert!(
            Script::parse("X=1 /usr/bin/pip3 install a").commands[0]
                .package_manager()
                .is_some()
        );
    }

    #[test]
    fn package_commands() {
        let s = Script::parse(
            "apt-get -o Dpkg::Options::=--force-confnew -qy install --no-install-recommends curl=7.1 git",
        );
        let pm = s.commands[0].package_manager().unwrap();
        assert_eq!(pm.subcommand, "install");
        assert!(pm.has_flag(Some('y'), &["yes", "assume-yes"]));
        assert_eq!(pm.packages(), ["curl=7.1", "git"]);
        let pip = Script::parse("python3 -m pip install -r req.txt flask==3.0");
        let pm = pip.commands[0].package_manager().unwrap();
        assert_eq!(
            (pm.manager, pm.packages()),
            (Manager::Pip, vec!["flask==3.0"])
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        for t in [
            "'", "\"", "$(", "${", "`", "\\", ">", "a >", "&", "|||", "))", "$((1+2))", "é > ö",
        ] {
            let _ = Script::parse(t);
        }
    }
}
