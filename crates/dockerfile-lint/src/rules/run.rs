//! hadolint's rules on RUN commands that are not about a package manager: `cd`, `sudo`,
//! pointless commands, `useradd`, `wget` and `curl`, pipes, consecutive RUNs.

use super::{Hit, Level, Rule};
use crate::parser::{Instruction, Kind};
use crate::shell::Script;

const POINTLESS: &[&str] = &[
    "free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim",
];

pub static DL3001: Rule = Rule {
    code: "DL3001",
    name: "pointless-command",
    level: Level::Info,
    summary: "A command that makes no sense in a container build (ssh, vim, service, ps, top, kill, mount, shutdown, free).",
    why: "An image build has no interactive session and no init system; these commands do nothing useful there.",
    check: |cx, out| {
        for (_, ins, script) in cx.runs() {
            if let Some(p) = script
                .commands
                .iter()
                .filter_map(|c| c.program())
                .find(|p| POINTLESS.contains(p))
            {
                out.push(Hit::at(ins, format!("For some bash commands it makes no sense running them in a Docker container like `{p}`")));
            }
        }
    },
};

pub static DL3003: Rule = Rule {
    code: "DL3003",
    name: "cd-in-run",
    level: Level::Warning,
    summary: "`cd` in RUN instead of WORKDIR.",
    why: "WORKDIR makes the directory explicit for every later instruction; a `cd` lasts one RUN and is easy to misread.",
    check: |cx, out| {
        for (_, ins, script) in cx.runs() {
            if script.calls("cd").next().is_some() {
                out.push(Hit::at(ins, "Use WORKDIR to switch to a directory"));
            }
        }
    },
};

pub static DL3004: Rule = Rule {
    code: "DL3004",
    name: "sudo",
    level: Level::Error,
    summary: "`sudo` in RUN.",
    why: "Builds run as root already, or as a user who should not have sudo; sudo also has unpredictable TTY and signal behaviour. Use USER, or gosu at runtime.",
    check: |cx, out| {
        for (_, ins, script) in cx.runs() {
            if script.commands.iter().any(|c| c.starts_with("sudo")) {
                out.push(Hit::at(ins, "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root"));
            }
        }
    },
};

pub static DL3046: Rule = Rule {
    code: "DL3046",
    name: "useradd-high-uid",
    level: Level::Warning,
    summary: "`useradd` with a high UID and without `-l`.",
    why: "Without `-l` useradd writes a lastlog entry sized by the UID: a high UID makes a huge sparse file in the layer.",
    check: |cx, out| {
        for (_, ins, script) in cx.runs() {
            for c in script.calls("useradd") {
                let args = c.args();
                let uid = args.iter().enumerate().find_map(|(k, a)| {
                    if a == "-u" || a == "--uid" {
                        args.get(k + 1).map(String::as_str)
                    } else {
                        a.strip_prefix("--uid=")
                            .or_else(|| a.strip_prefix("-u").filter(|v| !v.is_empty()))
                    }
                });
                let high =
                    uid.is_some_and(|u| u.len() > 5 && u.chars().all(|c| c.is_ascii_digit()));
                if high && !c.has_flag(Some('l'), &["no-log-init"]) {
                    out.push(Hit::at(ins, "`useradd` without flag `-l` and high UID will result in excessively large Image."));
                }
            }
        }
    },
};

pub static DL3047: Rule = Rule {
    code: "DL3047",
    name: "wget-without-progress",
    level: Level::Info,
    summary: "`wget` without `--progress` (or quiet).",
    why: "wget's default progress bar floods build logs with thousands of lines for a large download.",
    check: |cx, out| {
        for (_, ins, script) in cx.runs() {
            let noisy = script.calls("wget").any(|c| {
                !c.has_flag(
                    Some('q'),
                    &[
                        "quiet",
                        "progress",
                        "no-verbose",
                        "output-file",
                        "append-output",
                    ],
                ) && !c
                    .args()
                    .iter()
                    .any(|a| a == "-nv" || a.starts_with("-o") || a.starts_with("-a"))
            });
            if noisy {
                out.push(Hit::at(ins, "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`)."));
            }
        }
    },
};

pub static DL3059: Rule = Rule {
    code: "DL3059",
    name: "consecutive-runs",
    level: Level::Info,
    summary: "Consecutive single-command RUN instructions.",
    why: "Each RUN is a layer; two one-line RUNs in a row are usually one `&&` chain.",
    check: |cx, out| {
        let mut previous: Option<(usize, usize)> = None;
        for (i, ins) in cx.df.instructions.iter().enumerate() {
            if ins.kind != Kind::Run {
                previous = None;
                continue;
            }
            let count = cx.scripts[i].as_ref().map_or(0, |s| s.commands.len());
            if let Some((p, pcount)) = previous
                && cx.df.instructions[p].flags == ins.flags
                && pcount + count <= 2
                && ins.heredocs.is_empty()
            {
                out.push(Hit::at(
                    ins,
                    "Multiple consecutive `RUN` instructions. Consider consolidation.",
                ));
            }
            previous = Some((i, count));
        }
    },
};

pub static DL4001: Rule = Rule {
    code: "DL4001",
    name: "wget-and-curl",
    level: Level::Warning,
    summary: "Both wget and curl are used.",
    why: "Two download tools where one does: pick one and install only that.",
    check: |cx, out| {
        let (mut wget, mut curl) = (false, false);
        for (_, ins, script) in cx.runs() {
            let uses_wget = script.calls("wget").next().is_some();
            let uses_curl = script.calls("curl").next().is_some();
            wget |= uses_wget;
            curl |= uses_curl;
            if (uses_wget || uses_curl) && wget && curl {
                out.push(Hit::at(ins, "Either use Wget or Curl but not both"));
            }
        }
    },
};

pub static DL4005: Rule = Rule {
    code: "DL4005",
    name: "ln-bin-sh",
    level: Level::Warning,
    summary: "Replacing /bin/sh with `ln` instead of using SHELL.",
    why: "SHELL changes the shell for RUN without rewriting a system file of the image.",
    check: |cx, out| {
        for (_, ins, script) in cx.runs() {
            if script
                .calls("ln")
                .any(|c| c.args().iter().any(|a| a == "/bin/sh"))
            {
                out.push(Hit::at(ins, "Use SHELL to change the default shell"));
            }
        }
    },
};

/// What a SHELL instruction means for pipes: `Some(true)` when pipefail is on (or the shell
/// is not a POSIX-style shell, where the rule does not apply), `Some(false)` when it is off,
/// `None` when the instruction is not in exec form. `sh` and `dash` do not count even with
/// `-o pipefail`: POSIX sh had no pipefail until 2024 and dash has none, so hadolint keeps
/// warning there.
fn pipefail_shell(ins: &Instruction) -> Option<bool> {
    let argv = ins.exec_form()?;
    let shell = argv.first()?.rsplit('/').next()?.to_owned();
    if !["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"].contains(&shell.as_str()) {
        // PowerShell, cmd: pipes work differently; the rule does not apply.
        return Some(true);
    }
    if matches!(shell.as_str(), "sh" | "dash") {
        return Some(false);
    }
    // `-o pipefail`, `-eo pipefail`, `-euxo pipefail` (short options combined, `o` last).
    Some(
        argv.windows(2).any(|w| {
            w[1] == "pipefail"
                && w[0].strip_prefix('-').is_some_and(|g| {
                    !g.starts_with('-')
                        && g.ends_with('o')
                        && g.chars().all(|c| c.is_ascii_alphabetic())
                })
        }) || argv.iter().any(|a| a == "-opipefail"),
    )
}

/// Whether a stage's SHELL (the last one before instruction `i`) is a shell whose `set -o
/// pipefail` works: bash, zsh, ksh (not the default `/bin/sh`).
fn shell_knows_pipefail(shell: Option<&Instruction>) -> bool {
    shell
        .and_then(Instruction::exec_form)
        .and_then(|argv| {
            argv.first()
                .and_then(|s| s.rsplit('/').next())
                .map(str::to_owned)
        })
        .is_some_and(|s| matches!(s.as_str(), "bash" | "zsh" | "ksh" | "mksh" | "ash"))
}

pub static DL4006: Rule = Rule {
    code: "DL4006",
    name: "pipe-without-pipefail",
    level: Level::Warning,
    summary: "RUN with a pipe and no `SHELL [..., \"-o\", \"pipefail\", ...]` before it.",
    why: "Without pipefail `curl ... | tar x` succeeds when curl fails, and the build goes on with a broken layer.",
    check: |cx, out| {
        for stage in &cx.df.stages {
            let mut safe = false;
            let mut shell: Option<&Instruction> = None;
            for i in stage.body() {
                let ins = &cx.df.instructions[i];
                match ins.kind {
                    Kind::Shell => {
                        safe = pipefail_shell(ins).unwrap_or(false);
                        shell = Some(ins);
                    }
                    // `set -o pipefail` inside the RUN works in bash, not in the default sh
                    // (dash refuses the option and fails the build).
                    Kind::Run
                        if !safe
                            && cx.scripts[i].as_ref().is_some_and(Script::has_pipe)
                            && !(shell_knows_pipefail(shell)
                                && cx.scripts[i].as_ref().is_some_and(|s| {
                                    s.commands.iter().any(|c| {
                                        c.starts_with("set")
                                            && c.args().iter().any(|a| a == "pipefail")
                                    })
                                })) =>
                    {
                        out.push(Hit::at(ins, "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to /bin/ash, or disable this check"));
                    }
                    _ => {}
                }
            }
        }
    },
};
