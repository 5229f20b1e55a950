//! hadolint's rules on COPY and ADD: sources, destinations, `--from` stages, archives.

use super::shared::is_absolute;
use super::{Hit, Level, Rule};
use crate::parser::Kind;

fn base_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

pub static DL3010: Rule = Rule {
    code: "DL3010",
    name: "copy-then-extract",
    level: Level::Info,
    summary: "COPY of a tar archive that a later RUN extracts.",
    why: "ADD extracts a local tar archive in one layer; COPY plus `tar -x` keeps the archive in a layer as well.",
    check: |cx, out| {
        for stage in &cx.df.stages {
            for i in stage.body() {
                let ins = &cx.df.instructions[i];
                if ins.kind != Kind::Copy || ins.flag("from").is_some() {
                    continue;
                }
                let words = ins.exec_form().unwrap_or_else(|| ins.words());
                let Some((dest, sources)) = words.split_last() else {
                    continue;
                };
                let mut names: Vec<&str> = sources
                    .iter()
                    .filter(|s| is_archive(s))
                    .map(|s| base_name(s))
                    .collect();
                if names.is_empty() {
                    continue;
                }
                if !dest.ends_with('/') {
                    names.push(base_name(dest));
                }
                let extracted = (i + 1..stage.end)
                    .filter_map(|j| cx.scripts[j].as_ref())
                    .any(|script| {
                        script.calls("tar").any(|c| {
                            let args = c.args();
                            let extracting = args.iter().any(|a| {
                                a == "--extract"
                                    || (a.starts_with('-')
                                        && !a.starts_with("--")
                                        && a.contains('x'))
                            });
                            extracting && args.iter().any(|a| names.contains(&base_name(a)))
                        })
                    });
                if extracted {
                    out.push(Hit::at(
                        ins,
                        "Use `ADD` for extracting archives into an image",
                    ));
                }
            }
        }
    },
};

const ARCHIVES: &[&str] = &[
    ".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz",
    ".tpz", ".txz", ".xz", ".zst",
];

fn is_archive(path: &str) -> bool {
    ARCHIVES.iter().any(|e| path.ends_with(e))
}

fn is_url(path: &str) -> bool {
    path.contains("://") || path.starts_with("git@")
}

pub static DL3020: Rule = Rule {
    code: "DL3020",
    name: "add-for-files",
    level: Level::Error,
    summary: "ADD for a local file or directory.",
    why: "ADD also fetches URLs and unpacks archives; COPY does only what it says, so use it for plain files.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Add) {
            let words = ins.exec_form().unwrap_or_else(|| ins.words());
            if words.len() < 2 {
                continue;
            }
            let sources = &words[..words.len() - 1];
            if sources
                .iter()
                .any(|s| !s.starts_with("<<") && !is_url(s) && !is_archive(s))
            {
                out.push(Hit::at(
                    ins,
                    "Use COPY instead of ADD for files and folders",
                ));
            }
        }
    },
};

pub static DL3021: Rule = Rule {
    code: "DL3021",
    name: "copy-many-to-file",
    level: Level::Error,
    summary: "COPY of several sources to a destination that does not end in `/`.",
    why: "With more than one source the destination must be a directory, written with a trailing slash; otherwise the build fails.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Copy) {
            let words = ins.exec_form().unwrap_or_else(|| ins.words());
            if words.len() > 2
                && words
                    .last()
                    .is_some_and(|d| !d.ends_with('/') && !d.contains('$'))
            {
                out.push(Hit::at(
                    ins,
                    "COPY with more than 2 arguments requires the last argument to end with /",
                ));
            }
        }
    },
};

pub static DL3022: Rule = Rule {
    code: "DL3022",
    name: "copy-from-unknown-stage",
    level: Level::Warning,
    summary: "COPY --from names a stage that is not defined before it.",
    why: "A typo in a stage name silently pulls an image of that name from a registry instead.",
    check: |cx, out| {
        for (i, ins) in cx.each(Kind::Copy) {
            let Some(from) = ins.flag("from").and_then(|f| f.value.as_deref()) else {
                continue;
            };
            if from.contains([':', '/', '$', '@']) {
                continue;
            }
            if cx.df.stage_named(from, i).is_none() {
                out.push(Hit::at(
                    ins,
                    format!(
                        "`COPY --from={from}` should reference a previously defined `FROM` alias"
                    ),
                ));
            }
        }
    },
};

pub static DL3023: Rule = Rule {
    code: "DL3023",
    name: "copy-from-own-stage",
    level: Level::Error,
    summary: "COPY --from names the stage it is in.",
    why: "A stage cannot copy from itself; the build fails.",
    check: |cx, out| {
        for (i, ins) in cx.each(Kind::Copy) {
            let Some(from) = ins.flag("from").and_then(|f| f.value.as_deref()) else {
                continue;
            };
            let Some(stage) = cx.df.stage_of(i) else {
                continue;
            };
            if stage.name.as_deref() == Some(from.to_ascii_lowercase().as_str()) {
                out.push(Hit::at(
                    ins,
                    "`COPY --from` cannot reference its own `FROM` alias",
                ));
            }
        }
    },
};

pub static DL3045: Rule = Rule {
    code: "DL3045",
    name: "copy-relative-without-workdir",
    level: Level::Warning,
    summary: "COPY to a relative destination before any WORKDIR.",
    why: "The destination then depends on the base image's WORKDIR, which you do not control.",
    check: |cx, out| {
        // Whether a WORKDIR is set by the end of each stage (a stage inherits its parent's):
        // one pass, where asking each stage's lineage would be quadratic in a long chain.
        let mut set_at_end = vec![false; cx.df.stages.len()];
        for stage in &cx.df.stages {
            let mut workdir = cx
                .df
                .stage_named(&stage.base, stage.from)
                .is_some_and(|p| set_at_end[p.index]);
            for i in stage.body() {
                let ins = &cx.df.instructions[i];
                match ins.kind {
                    Kind::Workdir => workdir = true,
                    Kind::Copy if !workdir => {
                        let words = ins.exec_form().unwrap_or_else(|| ins.words());
                        if words.len() >= 2
                            && let Some(dest) = words.last()
                            && !is_absolute(dest)
                        {
                            out.push(Hit::at(
                                ins,
                                "`COPY` to a relative destination without `WORKDIR` set.",
                            ));
                        }
                    }
                    _ => {}
                }
            }
            set_at_end[stage.index] = workdir;
        }
    },
};

pub static DL3067: Rule = Rule {
    code: "DL3067",
    name: "copy-whole-filesystem",
    level: Level::Warning,
    summary: "COPY --from=stage / /: the entire filesystem of another stage.",
    why: "It drags every build tool and cache of that stage into the image; copy what the image needs.",
    check: |cx, out| {
        for (_, ins) in cx.each(Kind::Copy) {
            if ins.flag("from").is_none() {
                continue;
            }
            let words = ins.exec_form().unwrap_or_else(|| ins.words());
            if words.len() == 2 && words[0] == "/" && words[1] == "/" {
                out.push(Hit::at(
                    ins,
                    "Do not copy an entire filesystem from another stage",
                ));
            }
        }
    },
};
