//! `typescript`: `tsc --noEmit` for every TypeScript project, with the project's own compiler
//! (TypeScript 5, or the native TypeScript 7), output parsed into findings.

use std::path::Path;
use std::time::{Duration, Instant};

use opskit::Status;
use opskit::report::{Check, Finding, Location, Severity};

use crate::exec;
use crate::project::{Project, display, local_bin};

/// One diagnostic line of `tsc --pretty false`:
/// `path(line,col): error TS2322: message` or `error TS5058: message`.
pub fn parse(output: &str) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    for line in output.lines() {
        if line.starts_with("  ") || line.starts_with('\t') {
            // A continuation of the previous message (elaborations, related information).
            if let Some(last) = findings.last_mut() {
                last.message.push(' ');
                last.message.push_str(line.trim());
            }
            continue;
        }
        if let Some(f) = parse_line(line) {
            findings.push(f);
        }
    }
    findings
}

fn parse_line(line: &str) -> Option<Finding> {
    let (place, rest) = match line.find("): ") {
        Some(i) if line[..i].contains('(') => (Some(&line[..=i]), &line[i + 3..]),
        _ => (None, line),
    };
    let (severity, rest) = if let Some(r) = rest.strip_prefix("error ") {
        (Severity::Error, r)
    } else if let Some(r) = rest.strip_prefix("warning ") {
        (Severity::Warning, r)
    } else {
        return None;
    };
    let (code, message) = rest.split_once(": ")?;
    if !code.starts_with("TS") || !code[2..].chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut finding = Finding::new(code, severity, message.trim()).help(format!(
        "https://typescript.tv/errors/#{}",
        code.to_lowercase()
    ));
    if let Some(place) = place {
        let open = place.rfind('(')?;
        let path = &place[..open];
        let nums = place[open + 1..place.len() - 1]
            .split(',')
            .map(str::parse::<u32>)
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        let mut loc = Location::new(path.replace('\\', "/"));
        if let Some(&l) = nums.first() {
            loc = loc.line(l);
        }
        if let Some(&c) = nums.get(1) {
            loc = loc.column(c);
        }
        finding = finding.at(loc);
    }
    Some(finding)
}

/// A project directory for messages: `.` for the root itself.
fn shown(root: &Path, dir: &Path) -> String {
    let rel = display(root, dir);
    if rel.is_empty() { ".".to_owned() } else { rel }
}

/// Runs the check.
pub fn check(project: &Project, projects: &[std::path::PathBuf], timeout: Duration) -> Check {
    let started = Instant::now();
    let root = &project.root;
    let configs: Vec<std::path::PathBuf> = if projects.is_empty() {
        project
            .tsconfigs
            .iter()
            .filter_map(|t| t.parent().map(Path::to_owned))
            .collect()
    } else {
        projects.to_vec()
    };
    if configs.is_empty() {
        return Check::new(
            "typescript",
            Status::Ok,
            "no tsconfig.json found: nothing to type-check",
        )
        .took(started.elapsed());
    }
    let mut findings = Vec::new();
    let mut version = String::new();
    for dir in &configs {
        let abs = root.join(dir);
        let Some(tsc) = local_bin(root, &abs, "tsc") else {
            return Check::unknown(
                "typescript",
                format!("TypeScript is not installed for {}: add it with `npm install --save-dev typescript`, then install", shown(root, &abs)),
            )
            .took(started.elapsed());
        };
        if version.is_empty()
            && let Ok(out) = exec::run(&tsc, &["--version"], root, &[], Duration::from_secs(30))
        {
            out.stdout
                .trim()
                .trim_start_matches("Version ")
                .clone_into(&mut version);
        }
        let project_arg = display(root, &abs);
        let project_arg = if project_arg.is_empty() {
            ".".to_owned()
        } else {
            project_arg
        };
        let out = match exec::run(
            &tsc,
            &["--noEmit", "--pretty", "false", "-p", &project_arg],
            root,
            &[],
            timeout,
        ) {
            Ok(out) => out,
            Err(e) => return Check::unknown("typescript", e.to_string()).took(started.elapsed()),
        };
        let text = format!("{}{}", out.stdout, out.stderr);
        let found = parse(&text);
        match out.code {
            Some(0) => {}
            Some(1 | 2) if !found.is_empty() => {}
            code => {
                let first = text
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("no output");
                return Check::unknown(
                    "typescript",
                    format!("tsc -p {project_arg} failed (exit {code:?}): {first}"),
                )
                .took(started.elapsed());
            }
        }
        findings.extend(found);
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let mut check = Check::from_findings("typescript", findings);
    let projects_word = if configs.len() == 1 {
        "project"
    } else {
        "projects"
    };
    check.summary = if errors == 0 {
        format!(
            "{} {projects_word} type-check (TypeScript {version})",
            configs.len()
        )
    } else {
        let plural = if errors == 1 { "" } else { "s" };
        format!(
            "{errors} type error{plural} in {} {projects_word} (TypeScript {version})",
            configs.len()
        )
    };
    check.took(started.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_located_and_global_diagnostics() {
        let out = "apps/worker/src/index.ts(12,7): error TS2322: Type 'string' is not assignable to type 'number'.\n\
                   \x20\x20The expected type comes from property 'n'.\n\
                   error TS5058: The specified path does not exist: 'nope'.\n\
                   Found 2 errors.\n";
        let f = parse(out);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].rule, "TS2322");
        assert_eq!(
            f[0].location.as_ref().unwrap().to_string(),
            "apps/worker/src/index.ts:12:7"
        );
        assert!(
            f[0].message
                .ends_with("The expected type comes from property 'n'."),
            "{}",
            f[0].message
        );
        assert_eq!(f[1].rule, "TS5058");
        assert!(f[1].location.is_none());
        assert!(
            parse("src/a (copy).ts(1,2): error TS1005: ';' expected.")[0]
                .location
                .as_ref()
                .unwrap()
                .path
                == "src/a (copy).ts"
        );
        assert!(parse("nothing here\n").is_empty());
    }
}
