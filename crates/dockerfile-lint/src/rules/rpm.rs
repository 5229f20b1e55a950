//! RPM package rules: yum, dnf (and microdnf) and zypper.

use super::apt::{is_file_or_var, package_runs};
use super::{Cx, Hit, Level, Rule};
use crate::shell::{Manager, Script};

/// `-y` or `--assumeyes` (yum, dnf), `-y`/`-n`/`--no-confirm`/`--non-interactive` (zypper).
fn assumes_yes(cx: &Cx<'_>, manager: Manager, install: &[&str], message: &str, out: &mut Vec<Hit>) {
    for (ins, _, p) in package_runs(cx, &[manager], install) {
        let yes = match manager {
            Manager::Zypper => {
                p.has_flag(Some('y'), &["no-confirm", "non-interactive"])
                    || p.before.iter().any(|a| a == "-n")
            }
            _ => p.has_flag(Some('y'), &["assumeyes"]),
        };
        if !yes {
            out.push(Hit::at(ins, message));
        }
    }
}

/// A RUN that installs with `manager` but never cleans its cache.
fn missing_clean(
    cx: &Cx<'_>,
    manager: Manager,
    cleaned: fn(&Script) -> bool,
    message: &str,
    out: &mut Vec<Hit>,
) {
    for (_, ins, script) in cx.runs() {
        let installs = script.package_commands().any(|p| {
            p.manager == manager
                && p.is(&[
                    "install",
                    "in",
                    "groupinstall",
                    "localinstall",
                    "module",
                    "upgrade",
                    "update",
                ])
        });
        let cached = ins.has_cache_mount();
        if installs && !cleaned(script) && !cached {
            out.push(Hit::at(ins, message));
        }
    }
}

fn cleans_all(script: &Script, manager: Manager, dir: &str) -> bool {
    script
        .package_commands()
        .any(|p| p.manager == manager && p.is(&["clean"]) && p.args.iter().any(|a| a == "all"))
        || script
            .calls("rm")
            .any(|c| c.args().iter().any(|a| a.starts_with(dir)))
}

/// Packages without a `-version` (yum, dnf) or `=version` (zypper) part.
fn unpinned(
    cx: &Cx<'_>,
    manager: Manager,
    pinned: fn(&str) -> bool,
    message: &str,
    out: &mut Vec<Hit>,
) {
    for (ins, _, p) in package_runs(cx, &[manager], &["install", "in"]) {
        if p.packages()
            .into_iter()
            .any(|pkg| !pinned(pkg) && !is_file_or_var(pkg) && !pkg.starts_with('@'))
        {
            out.push(Hit::at(ins, message));
        }
    }
}

fn dash_version(pkg: &str) -> bool {
    pkg.split('-')
        .skip(1)
        .any(|part| part.starts_with(|c: char| c.is_ascii_digit()))
}

pub static DL3030: Rule = Rule {
    code: "DL3030",
    name: "yum-without-yes",
    level: Level::Warning,
    summary: "`yum install` without `-y`.",
    why: "yum asks for confirmation, which a build cannot give.",
    check: |cx, out| {
        assumes_yes(
            cx,
            Manager::Yum,
            &["install", "groupinstall", "localinstall"],
            "Use the -y switch to avoid manual input `yum install -y <package>`",
            out,
        );
    },
};

pub static DL3032: Rule = Rule {
    code: "DL3032",
    name: "yum-clean",
    level: Level::Warning,
    summary: "`yum clean all` missing after yum.",
    why: "yum's cache stays in the layer unless the same RUN cleans it.",
    check: |cx, out| {
        missing_clean(
            cx,
            Manager::Yum,
            |s| cleans_all(s, Manager::Yum, "/var/cache/yum"),
            "`yum clean all` missing after yum command.",
            out,
        );
    },
};

pub static DL3033: Rule = Rule {
    code: "DL3033",
    name: "yum-unpinned",
    level: Level::Warning,
    summary: "`yum install` without versions.",
    why: "Pin `package-version` so the image is reproducible.",
    check: |cx, out| {
        unpinned(
            cx,
            Manager::Yum,
            dash_version,
            "Specify version with `yum install -y <package>-<version>`.",
            out,
        );
    },
};

pub static DL3034: Rule = Rule {
    code: "DL3034",
    name: "zypper-without-yes",
    level: Level::Warning,
    summary: "zypper without a non-interactive switch.",
    why: "zypper asks for confirmation, which a build cannot give.",
    check: |cx, out| {
        assumes_yes(
            cx,
            Manager::Zypper,
            &[
                "install",
                "in",
                "remove",
                "rm",
                "source-install",
                "si",
                "patch",
            ],
            "Non-interactive switch missing from `zypper` command: `zypper install -y`",
            out,
        );
    },
};

pub static DL3035: Rule = Rule {
    code: "DL3035",
    name: "zypper-dist-upgrade",
    level: Level::Warning,
    summary: "`zypper dist-upgrade` in a build.",
    why: "Upgrading the whole distribution belongs in the base image, not in every build.",
    check: |cx, out| {
        for (ins, _, _) in package_runs(cx, &[Manager::Zypper], &["dist-upgrade", "dup"]) {
            out.push(Hit::at(ins, "Do not use `zypper dist-upgrade`."));
        }
    },
};

pub static DL3036: Rule = Rule {
    code: "DL3036",
    name: "zypper-clean",
    level: Level::Warning,
    summary: "`zypper clean` missing after zypper.",
    why: "zypper's cache stays in the layer unless the same RUN cleans it.",
    check: |cx, out| {
        missing_clean(
            cx,
            Manager::Zypper,
            |s| {
                s.package_commands()
                    .any(|p| p.manager == Manager::Zypper && p.is(&["clean", "cc"]))
                    || s.calls("rm")
                        .any(|c| c.args().iter().any(|a| a.starts_with("/var/cache/zypp")))
            },
            "`zypper clean` missing after zypper use.",
            out,
        );
    },
};

pub static DL3037: Rule = Rule {
    code: "DL3037",
    name: "zypper-unpinned",
    level: Level::Warning,
    summary: "`zypper install` without versions.",
    why: "Pin `package=version` so the image is reproducible.",
    check: |cx, out| {
        unpinned(
            cx,
            Manager::Zypper,
            |p| p.contains(['=', '<', '>']),
            "Specify version with `zypper install -y <package>=<version>`.",
            out,
        );
    },
};

pub static DL3038: Rule = Rule {
    code: "DL3038",
    name: "dnf-without-yes",
    level: Level::Warning,
    summary: "`dnf install` without `-y`.",
    why: "dnf asks for confirmation, which a build cannot give.",
    check: |cx, out| {
        assumes_yes(
            cx,
            Manager::Dnf,
            &["install", "groupinstall", "localinstall"],
            "Use the -y switch to avoid manual input `dnf install -y <package>`",
            out,
        );
    },
};

pub static DL3040: Rule = Rule {
    code: "DL3040",
    name: "dnf-clean",
    level: Level::Warning,
    summary: "`dnf clean all` missing after dnf.",
    why: "dnf's cache stays in the layer unless the same RUN cleans it.",
    check: |cx, out| {
        missing_clean(
            cx,
            Manager::Dnf,
            |s| {
                cleans_all(s, Manager::Dnf, "/var/cache/dnf")
                    || cleans_all(s, Manager::Dnf, "/var/cache/yum")
            },
            "`dnf clean all` missing after dnf command.",
            out,
        );
    },
};

pub static DL3041: Rule = Rule {
    code: "DL3041",
    name: "dnf-unpinned",
    level: Level::Warning,
    summary: "`dnf install` without versions.",
    why: "Pin `package-version` so the image is reproducible.",
    check: |cx, out| {
        unpinned(
            cx,
            Manager::Dnf,
            dash_version,
            "Specify version with `dnf install -y <package>-<version>`.",
            out,
        );
    },
};
