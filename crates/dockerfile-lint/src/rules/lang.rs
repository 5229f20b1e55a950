//! Language package managers: pip, npm, yarn, gem and go.
#![expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "package and file names on Linux are case-sensitive; so are these suffixes"
)]

use super::apt::package_runs;
use super::{Hit, Level, Rule};
use crate::parser::Kind;
use crate::shell::Manager;

fn pip_pinned(spec: &str) -> bool {
    spec.contains(['=', '<', '>', '~', '@', '/', '$'])
        || spec.ends_with(".whl")
        || spec.ends_with(".tar.gz")
        || spec.ends_with(".zip")
        || spec == "."
}

pub static DL3013: Rule = Rule {
    code: "DL3013",
    name: "pip-unpinned",
    level: Level::Warning,
    summary: "`pip install` without pinned versions.",
    why: "Unpinned packages make the same Dockerfile build different images; pin with `package==version` or install from a requirements or lock file.",
    check: |cx, out| {
        for (ins, _, p) in package_runs(cx, &[Manager::Pip], &["install"]) {
            if p.has_flag(None, &["upgrade"])
                && p.packages()
                    .iter()
                    .all(|pkg| ["pip", "setuptools", "wheel"].contains(pkg))
            {
                continue;
            }
            if let Some(pkg) = p.packages().into_iter().find(|s| !pip_pinned(s)) {
                out.push(Hit::at(ins, format!("Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` or `pip install --requirement <requirements file>`: `{pkg}`")));
            }
        }
    },
};

pub static DL3042: Rule = Rule {
    code: "DL3042",
    name: "pip-cache",
    level: Level::Warning,
    summary: "`pip install` without `--no-cache-dir`.",
    why: "pip's download cache stays in the layer.",
    check: |cx, out| {
        let env_off = cx.df.instructions.iter().any(|i| {
            matches!(i.kind, Kind::Env | Kind::Arg)
                && i.pairs().iter().any(|(k, _)| k == "PIP_NO_CACHE_DIR")
        });
        if env_off {
            return;
        }
        for (ins, _, p) in package_runs(cx, &[Manager::Pip], &["install"]) {
            let cached = ins.has_cache_mount();
            if !p.has_flag(None, &["no-cache-dir"]) && !cached {
                out.push(Hit::at(ins, "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`"));
            }
        }
    },
};

fn npm_pinned(spec: &str) -> bool {
    // A git dependency follows its branch unless a `#tag` or `#commit` pins it (hadolint says
    // so too).
    if ["git+", "git://", "github:", "gitlab:", "bitbucket:"]
        .iter()
        .any(|p| spec.starts_with(p))
    {
        return spec.contains('#');
    }
    let local_or_remote = spec.starts_with(['.', '/', '~', '$'])
        || spec.contains(':')
        || spec.ends_with(".tgz")
        || (!spec.starts_with('@') && spec.contains('/'));
    // `@scope/name@1.2.3` and `name@1.2.3`: a version after the name.
    let name_len = usize::from(spec.starts_with('@'));
    local_or_remote || spec[name_len..].contains('@')
}

pub static DL3016: Rule = Rule {
    code: "DL3016",
    name: "npm-unpinned",
    level: Level::Warning,
    summary: "`npm install <package>` without a version.",
    why: "An unpinned package resolves to whatever is newest at build time; pin `package@version`.",
    check: |cx, out| {
        for (ins, _, p) in package_runs(cx, &[Manager::Npm], &["install", "i", "add"]) {
            if let Some(pkg) = p.packages().into_iter().find(|s| !npm_pinned(s)) {
                out.push(Hit::at(ins, format!("Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`: `{pkg}`")));
            }
        }
    },
};

pub static DL3028: Rule = Rule {
    code: "DL3028",
    name: "gem-unpinned",
    level: Level::Warning,
    summary: "`gem install` without a version.",
    why: "Pin `gem:version` or `-v version` so the image is reproducible.",
    check: |cx, out| {
        for (ins, _, p) in package_runs(cx, &[Manager::Gem], &["install", "i"]) {
            if p.has_flag(Some('v'), &["version"]) {
                continue;
            }
            if p.packages()
                .into_iter()
                .any(|g| !g.contains([':', '$', '/']) && !g.ends_with(".gem"))
            {
                out.push(Hit::at(ins, "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`"));
            }
        }
    },
};

pub static DL3060: Rule = Rule {
    code: "DL3060",
    name: "yarn-cache",
    level: Level::Info,
    summary: "`yarn install` without `yarn cache clean`.",
    why: "yarn's cache stays in the layer unless the same RUN cleans it. As hadolint reads it: the final stage and the stages it builds on, the layers that ship (a builder stage's cache stays in the builder).",
    check: |cx, out| {
        let Some(last) = cx.df.stages.last() else {
            return;
        };
        for (i, ins) in cx.lineage_instructions(last) {
            let Some(script) = &cx.scripts[i] else {
                continue;
            };
            let installs = script
                .package_commands()
                .any(|p| p.manager == Manager::Yarn && (p.is(&["install", "add"])));
            let cleans = script.package_commands().any(|p| {
                p.manager == Manager::Yarn
                    && p.is(&["cache"])
                    && p.args.first().is_some_and(|a| a == "clean")
            });
            let cached = ins.has_cache_mount();
            if installs && !cleans && !cached {
                out.push(Hit::at(
                    ins,
                    "`yarn cache clean` missing after `yarn install` was run.",
                ));
            }
        }
    },
};

pub static DL3062: Rule = Rule {
    code: "DL3062",
    name: "go-unpinned",
    level: Level::Warning,
    summary: "`go install` without a version (or `@latest`).",
    why: "`@latest` resolves at build time; pin `module@vX.Y.Z`.",
    check: |cx, out| {
        for (ins, _, p) in package_runs(cx, &[Manager::Go], &["install", "get", "run"]) {
            let bad = p.packages().into_iter().any(|m| {
                !m.starts_with('.')
                    && !m.contains('$')
                    && m.split_once('@').is_none_or(|(_, v)| v == "latest")
            });
            if bad {
                out.push(Hit::at(ins, "Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`"));
            }
        }
    },
};
