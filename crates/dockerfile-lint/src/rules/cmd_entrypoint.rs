//! hadolint's rules on CMD, ENTRYPOINT and HEALTHCHECK: their form, and one of each per stage.

use super::{Cx, Hit, Level, Rule};
use crate::parser::{CommandForm, Kind};

/// Fires on the second and later instruction of `kind` within one stage.
fn repeated_in_stage(cx: &Cx<'_>, kind: Kind, message: &str, out: &mut Vec<Hit>) {
    for stage in &cx.df.stages {
        let mut seen = false;
        for i in stage.body() {
            let ins = &cx.df.instructions[i];
            if ins.kind == kind {
                if seen {
                    out.push(Hit::at(ins, message));
                }
                seen = true;
            }
        }
    }
}

pub static DL3012: Rule = Rule {
    code: "DL3012",
    name: "multiple-healthchecks",
    level: Level::Error,
    summary: "More than one HEALTHCHECK in a stage.",
    why: "Only the last one counts; the others mislead readers.",
    check: |cx, out| {
        repeated_in_stage(
            cx,
            Kind::Healthcheck,
            "Multiple `HEALTHCHECK` instructions",
            out,
        );
    },
};

pub static DL3025: Rule = Rule {
    code: "DL3025",
    name: "shell-form-cmd",
    level: Level::Warning,
    summary: "CMD or ENTRYPOINT in shell form.",
    why: "In shell form the program runs under `/bin/sh -c` as a child: it never receives SIGTERM, so `docker stop` waits and kills it. Use the JSON form.",
    check: |cx, out| {
        for ins in &cx.df.instructions {
            if matches!(ins.kind, Kind::Cmd | Kind::Entrypoint)
                && matches!(ins.command_form(), CommandForm::Shell(_))
            {
                out.push(Hit::at(
                    ins,
                    "Use arguments JSON notation for CMD and ENTRYPOINT arguments",
                ));
            }
        }
    },
};

pub static DL4003: Rule = Rule {
    code: "DL4003",
    name: "multiple-cmd",
    level: Level::Warning,
    summary: "More than one CMD in a stage.",
    why: "Only the last CMD takes effect.",
    check: |cx, out| {
        repeated_in_stage(
            cx,
            Kind::Cmd,
            "Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect",
            out,
        );
    },
};

pub static DL4004: Rule = Rule {
    code: "DL4004",
    name: "multiple-entrypoint",
    level: Level::Error,
    summary: "More than one ENTRYPOINT in a stage.",
    why: "Only the last ENTRYPOINT takes effect.",
    check: |cx, out| {
        repeated_in_stage(
            cx,
            Kind::Entrypoint,
            "Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last `ENTRYPOINT` will take effect",
            out,
        );
    },
};
