//! Reading package scripts and deploy commands the way a shell would split them, to see which
//! tools they run with which flags (`eslint . --max-warnings 0`, `tsc -p tsconfig.x.json`)
//! and which package scripts they call (`pnpm --filter api build`, `turbo run build`).
//!
//! This is not a shell: it splits on `&&`, `||`, `;` and `|`, honours single and double
//! quotes and backslashes, and drops what only sets up the environment (`FOO=1`,
//! `cross-env`, `dotenv -e .env --`, `env`, `npx`, `pnpm exec`, `yarn exec`, `bunx`).

/// The words of a command line, quotes removed.
pub fn words(line: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if c == '\\' && q == '"' {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            } else {
                word.push(c);
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                in_word = true;
            }
            '\\' => {
                if let Some(n) = chars.next() {
                    word.push(n);
                    in_word = true;
                }
            }
            ' ' | '\t' | '\n' => {
                if in_word {
                    current.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '&' | '|' | ';' => {
                if chars.peek() == Some(&c) {
                    chars.next();
                }
                if in_word {
                    current.push(std::mem::take(&mut word));
                    in_word = false;
                }
                if !current.is_empty() {
                    commands.push(std::mem::take(&mut current));
                }
            }
            _ => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        current.push(word);
    }
    if !current.is_empty() {
        commands.push(current);
    }
    commands
}

/// `words` with each command's environment set-up dropped, so the first word is the program.
pub fn commands(line: &str) -> Vec<Vec<String>> {
    words(line)
        .into_iter()
        .map(strip_wrappers)
        .filter(|c| !c.is_empty())
        .collect()
}

fn is_assignment(w: &str) -> bool {
    w.split_once('=').is_some_and(|(k, _)| {
        !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn strip_wrappers(mut c: Vec<String>) -> Vec<String> {
    loop {
        let Some(first) = c.first().map(String::as_str) else {
            return c;
        };
        let skip = match first {
            w if is_assignment(w) => 1,
            "cross-env" | "env" | "npx" | "bunx" | "nice" | "time" | "exec" => {
                // `npx --yes eslint`, `cross-env NODE_OPTIONS=… tsc`: options too.
                1 + c[1..].iter().take_while(|w| w.starts_with('-')).count()
            }
            "dotenv" | "dotenv-cli" => c.iter().position(|w| w == "--").map_or(c.len(), |i| i + 1),
            "pnpm" | "yarn" if c.get(1).is_some_and(|w| w == "exec" || w == "dlx") => 2,
            "npm" if c.get(1).is_some_and(|w| w == "exec") => {
                c.iter().position(|w| w == "--").map_or(2, |i| i + 1)
            }
            _ => 0,
        };
        if skip == 0 {
            return c;
        }
        c.drain(..skip.min(c.len()));
    }
}

/// The value of `--flag V` or `--flag=V` (any of `names`).
pub fn flag<'a>(command: &'a [String], names: &[&str]) -> Option<&'a str> {
    let mut it = command.iter();
    while let Some(w) = it.next() {
        for n in names {
            if w == n {
                return it.next().map(String::as_str);
            }
            if let Some(v) = w.strip_prefix(n).and_then(|r| r.strip_prefix('=')) {
                return Some(v);
            }
        }
    }
    None
}

/// Whether `command` has the switch `name`.
pub fn has(command: &[String], name: &str) -> bool {
    command.iter().any(|w| w == name)
}

/// The words that are not flags or flag values, after the program (and its subcommand when
/// `sub` is set). `valued` lists the flags that take a value.
pub fn positional<'a>(command: &'a [String], skip: usize, valued: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut it = command.iter().skip(skip);
    while let Some(w) = it.next() {
        if w.starts_with('-') {
            if !w.contains('=') && valued.contains(&w.as_str()) {
                it.next();
            }
            continue;
        }
        out.push(w.as_str());
    }
    out
}

/// A package script that a command runs: `npm run build`, `pnpm build`, `pnpm --filter api
/// build`, `yarn workspace api build`, `turbo run build --filter=api`, `bun run build`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptCall {
    /// The script (or turbo task).
    pub script: String,
    /// The package it names (`--filter`, `-w`, `workspace NAME`), when it names one.
    pub package: Option<String>,
    /// It is a turbo/nx task (run in every package that has it, or the filtered ones).
    pub task: bool,
}

/// Built-in commands of the package managers, which are not scripts.
const BUILTINS: &[&str] = &[
    "install",
    "i",
    "ci",
    "add",
    "remove",
    "rm",
    "uninstall",
    "update",
    "up",
    "exec",
    "dlx",
    "create",
    "init",
    "publish",
    "pack",
    "link",
    "unlink",
    "prune",
    "rebuild",
    "audit",
    "outdated",
    "list",
    "ls",
    "why",
    "config",
    "store",
    "fetch",
    "import",
    "deploy",
    "env",
    "patch",
    "setup",
    "help",
    "version",
    "cache",
    "start-server",
];

/// The package script a command runs, when it runs one.
pub fn script_call(command: &[String]) -> Option<ScriptCall> {
    let program = command.first()?.as_str();
    let program = program.rsplit('/').next().unwrap_or(program);
    match program {
        "npm" | "pnpm" | "yarn" | "bun" => {
            let mut package =
                flag(command, &["--filter", "-F", "--workspace", "-w"]).map(str::to_owned);
            let valued = [
                "--filter",
                "-F",
                "--workspace",
                "-w",
                "--dir",
                "-C",
                "--cwd",
            ];
            let rest = positional(command, 1, &valued);
            let (first, after) = rest.split_first()?;
            let mut args: Vec<&str> = after.to_vec();
            let mut word = *first;
            if program == "yarn" && word == "workspace" {
                package = args.first().map(|s| (*s).to_owned());
                word = *args.get(1)?;
                args.drain(..2.min(args.len()));
            }
            let script = match word {
                "run" | "run-script" => *args.first()?,
                // npm's own shorthands for scripts.
                "start" | "test" | "t" | "stop" | "restart" => {
                    if word == "t" {
                        "test"
                    } else {
                        word
                    }
                }
                w if program == "npm" => {
                    // `npm build` is not a script call; anything else is an npm command.
                    let _ = w;
                    return None;
                }
                w if BUILTINS.contains(&w) => return None,
                w => w,
            };
            if program == "bun" && script.contains('.') {
                // `bun run src/index.ts`, `bun dist/main.js`: a file, not a script.
                return None;
            }
            Some(ScriptCall {
                script: script.to_owned(),
                package,
                task: false,
            })
        }
        "turbo" | "nx" => {
            let rest = positional(command, 1, &["--filter", "-F", "--concurrency", "--scope"]);
            let (first, after) = rest.split_first()?;
            let script = if matches!(*first, "run" | "run-many") {
                after.first().copied()?
            } else {
                first
            };
            // nx run PROJECT:TARGET
            let (package, script) = match script.split_once(':') {
                Some((p, t)) if program == "nx" => (Some(p.to_owned()), t),
                _ => (
                    flag(command, &["--filter", "-F", "--scope", "--projects", "-p"])
                        .map(str::to_owned),
                    script,
                ),
            };
            Some(ScriptCall {
                script: script.to_owned(),
                package,
                task: true,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            commands(
                "NODE_ENV=production cross-env A=1 tsc -p 'tsconfig x.json' && eslint . --max-warnings=0 || echo \"no\""
            ),
            [w("tsc -p"), w("eslint . --max-warnings=0"), w("echo no"),]
                .into_iter()
                .enumerate()
                .map(|(i, mut c)| {
                    if i == 0 {
                        c.push("tsconfig x.json".to_owned());
                    }
                    c
                })
                .collect::<Vec<_>>()
        );
        assert_eq!(
            commands("dotenv -e ../.env -- tsc --noEmit; pnpm exec next lint"),
            [w("tsc --noEmit"), w("next lint")]
        );
        assert_eq!(
            flag(&w("eslint . --max-warnings 0"), &["--max-warnings"]),
            Some("0")
        );
        assert_eq!(
            flag(&w("eslint --max-warnings=5"), &["--max-warnings"]),
            Some("5")
        );
        assert_eq!(
            positional(
                &w("eslint --ext .ts src --max-warnings 0 lib"),
                1,
                &["--max-warnings", "--ext"]
            ),
            ["src", "lib"]
        );
    }

    #[test]
    fn finds_script_calls() {
        let call = |s: &str| script_call(&commands(s)[0]);
        let plain = |script: &str, package: Option<&str>, task: bool| {
            Some(ScriptCall {
                script: script.to_owned(),
                package: package.map(str::to_owned),
                task,
            })
        };
        assert_eq!(call("npm run build:api"), plain("build:api", None, false));
        assert_eq!(
            call("npm run build -w api"),
            plain("build", Some("api"), false)
        );
        assert_eq!(call("npm start"), plain("start", None, false));
        assert_eq!(call("npm ci"), None);
        assert_eq!(call("pnpm build:api"), plain("build:api", None, false));
        assert_eq!(
            call("pnpm --filter @x/api build"),
            plain("build", Some("@x/api"), false)
        );
        assert_eq!(call("pnpm install --frozen-lockfile"), None);
        assert_eq!(
            call("yarn workspace api start"),
            plain("start", Some("api"), false)
        );
        assert_eq!(call("yarn build"), plain("build", None, false));
        assert_eq!(
            call("turbo run build --filter=web"),
            plain("build", Some("web"), true)
        );
        assert_eq!(call("turbo build"), plain("build", None, true));
        assert_eq!(call("nx run api:build"), plain("build", Some("api"), true));
        assert_eq!(call("bun run src/index.ts"), None);
        assert_eq!(call("node dist/index.js"), None);
    }
}
