//! Debian and Alpine package rules: apt-get, apt and apk.
#![expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "package and file names on Linux are case-sensitive; so are these suffixes"
)]

use super::{Cx, Hit, Level, Rule};
use crate::parser::Instruction;
use crate::shell::{Manager, PackageCommand, Script};

/// The package commands of every RUN, with the instruction.
pub(super) fn package_runs<'c>(
    cx: &'c Cx<'_>,
    manager: &'c [Manager],
    subcommands: &'c [&'c str],
) -> impl Iterator<Item = (&'c Instruction, &'c Script, PackageCommand<'c>)> + 'c {
    cx.runs().flat_map(move |(_, ins, script)| {
        script
            .package_commands()
            .filter(move |p| {
                manager.contains(&p.manager) && (subcommands.is_empty() || p.is(subcommands))
            })
            .map(move |p| (ins, script, p))
    })
}

/// A package argument that is a file, URL or variable rather than a name to resolve.
pub(super) fn is_file_or_var(p: &str) -> bool {
    p.contains('/')
        || p.contains('$')
        || p.ends_with(".deb")
        || p.ends_with(".rpm")
        || p.ends_with(".apk")
}

pub static DL3008: Rule = Rule {
    code: "DL3008",
    name: "apt-unpinned",
    level: Level::Warning,
    summary: "`apt-get install` without pinned versions.",
    why: "Unpinned packages make the same Dockerfile build different images; pin with `package=version`.",
    check: |cx, out| {
        for (ins, _, p) in package_runs(cx, &[Manager::AptGet], &["install"]) {
            if let Some(pkg) = p
                .packages()
                .into_iter()
                .find(|p| !p.contains('=') && !is_file_or_var(p))
            {
                out.push(Hit::at(ins, format!("Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install <package>=<version>`: `{pkg}`")));
            }
        }
    },
};

fn cleans_apt_lists(script: &Script) -> bool {
    script
        .calls("rm")
        .any(|c| c.args().iter().any(|a| a.starts_with("/var/lib/apt/lists")))
}

fn caches_apt_lists(ins: &Instruction) -> bool {
    ins.flags.iter().any(|f| {
        f.name == "mount"
            && f.value.as_deref().is_some_and(|v| {
                (v.contains("type=cache") || v.contains("type=tmpfs")) && v.contains("/var/lib/apt")
            })
    })
}

pub static DL3009: Rule = Rule {
    code: "DL3009",
    name: "apt-lists-left",
    level: Level::Info,
    summary: "`apt-get update` without removing /var/lib/apt/lists afterwards.",
    why: "The package lists stay in the layer (tens of MB) unless the same RUN deletes them. As hadolint reads it: the final stage and the stages it builds on, the layers that ship.",
    check: |cx, out| {
        let Some(last) = cx.df.stages.last() else {
            return;
        };
        for (i, ins) in cx.lineage_instructions(last) {
            let Some(script) = &cx.scripts[i] else {
                continue;
            };
            let updates = script
                .package_commands()
                .any(|p| matches!(p.manager, Manager::AptGet | Manager::Apt) && p.is(&["update"]));
            if updates && !cleans_apt_lists(script) && !caches_apt_lists(ins) {
                out.push(Hit::at(
                    ins,
                    "Delete the apt-get lists after installing something",
                ));
            }
        }
    },
};

pub static DL3014: Rule = Rule {
    code: "DL3014",
    name: "apt-without-yes",
    level: Level::Warning,
    summary: "`apt-get install` without `-y`.",
    why: "Without `-y` apt asks for confirmation, which a build cannot give: it aborts.",
    check: |cx, out| {
        for (ins, _, p) in package_runs(cx, &[Manager::AptGet], &["install"]) {
            let yes = p.has_flag(Some('y'), &["yes", "assume-yes"])
                || p.before
                    .iter()
                    .chain(p.args)
                    .any(|a| a == "-qq" || a == "--quiet=2" || a.starts_with("-qq"));
            if !yes {
                out.push(Hit::at(
                    ins,
                    "Use the `-y` switch to avoid manual input `apt-get -y install <package>`",
                ));
            }
        }
    },
};

pub static DL3015: Rule = Rule {
    code: "DL3015",
    name: "apt-recommends",
    level: Level::Info,
    summary: "`apt-get install` without `--no-install-recommends`.",
    why: "Recommended packages are rarely needed in an image and often double its size.",
    check: |cx, out| {
        for (ins, _, p) in package_runs(cx, &[Manager::AptGet], &["install"]) {
            let off = p.has_flag(None, &["no-install-recommends"])
                || p.before.iter().chain(p.args).any(|a| {
                    a.contains("Install-Recommends=false") || a.contains("Install-Recommends=0")
                });
            if !off {
                out.push(Hit::at(
                    ins,
                    "Avoid additional packages by specifying `--no-install-recommends`",
                ));
            }
        }
    },
};

pub static DL3027: Rule = Rule {
    code: "DL3027",
    name: "apt-not-apt-get",
    level: Level::Warning,
    summary: "`apt` instead of `apt-get`.",
    why: "apt's interface is for people and not stable for scripts; use apt-get or apt-cache.",
    check: |cx, out| {
        for (_, ins, script) in cx.runs() {
            if script.calls("apt").next().is_some() {
                out.push(Hit::at(ins, "Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead"));
            }
        }
    },
};

pub static DL3018: Rule = Rule {
    code: "DL3018",
    name: "apk-unpinned",
    level: Level::Warning,
    summary: "`apk add` without pinned versions.",
    why: "Unpinned packages make the same Dockerfile build different images; pin with `package=version`.",
    check: |cx, out| {
        for (ins, _, p) in package_runs(cx, &[Manager::Apk], &["add"]) {
            if let Some(pkg) = p.packages().into_iter().find(|p| {
                !p.contains('=')
                    && !p.contains('~')
                    && !p.contains('<')
                    && !p.contains('>')
                    && !is_file_or_var(p)
            }) {
                out.push(Hit::at(ins, format!("Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`: `{pkg}`")));
            }
        }
    },
};

pub static DL3019: Rule = Rule {
    code: "DL3019",
    name: "apk-cache",
    level: Level::Info,
    summary: "`apk add` without `--no-cache`.",
    why: "The package index stays in the layer; `--no-cache` fetches it for the command only.",
    check: |cx, out| {
        for (ins, _, p) in package_runs(cx, &[Manager::Apk], &["add"]) {
            let cached = ins.flags.iter().any(|f| {
                f.value
                    .as_deref()
                    .is_some_and(|v| v.contains("/var/cache/apk"))
            });
            if !p.has_flag(None, &["no-cache"]) && !cached {
                out.push(Hit::at(ins, "Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages"));
            }
        }
    },
};
