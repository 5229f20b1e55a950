//! Builds a report of N findings and renders it: the workload of `cargo xtask bench render`.
//!
//! ```text
//! cargo run --release -p opskit --example render_bench -- --format sarif --findings 100000 > /dev/null
//! ```
//!
//! `--format none` builds the report without rendering it, the baseline that tells the
//! renderer's own cost apart from the report's.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::ValueEnum;
use opskit::redact::redact;
use opskit::render::{Format, RenderOptions, render};
use opskit::report::{Check, Finding, Location, Metric, Report, Severity};

fn report(n: usize) -> Report {
    let severities = [Severity::Error, Severity::Warning, Severity::Note];
    let mut checks = Vec::new();
    for chunk in 0..10 {
        let findings = (chunk * n / 10..(chunk + 1) * n / 10)
            .map(|i| {
                let line = u32::try_from(i % 4000).unwrap_or(0) + 1;
                let mut f = Finding::new(
                    format!("SEC{:03}", i % 64),
                    severities[i % 3],
                    format!("possible secret #{i} in an assignment"),
                )
                .at(Location::new(format!(
                    "packages/app{}/src/module{}/file{}.ts",
                    i % 7,
                    i % 97,
                    i % 1013
                ))
                .line(line)
                .column(9));
                if i % 10 == 0 {
                    f = f.evidence(redact(&format!("sk-proj-{i:040}")));
                }
                f
            })
            .collect();
        #[expect(clippy::cast_precision_loss, reason = "a benchmark metric")]
        let check = Check::from_findings(format!("scan:{chunk}"), findings)
            .with_metric(Metric::new("files", (n / 10) as f64));
        checks.push(check);
    }
    let mut report = Report::new("render-bench", env!("CARGO_PKG_VERSION"));
    report.checks = checks;
    report.sort();
    report
}

fn main() -> ExitCode {
    let mut format = None;
    let mut findings = 100_000;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--format", Some(v)) if v == "none" => format = None,
            ("--format", Some(v)) => match Format::from_str(&v, true) {
                Ok(f) => format = Some(f),
                Err(e) => return usage(&e),
            },
            ("--findings", Some(v)) => match v.parse::<usize>() {
                Ok(n) => findings = n,
                Err(e) => return usage(&e.to_string()),
            },
            _ => return usage(&format!("unexpected argument {arg}")),
        }
    }
    let report = report(findings);
    let Some(format) = format else {
        return if report.finding_count() == findings {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    match render(&report, format, &RenderOptions::default(), &mut out).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn usage(problem: &str) -> ExitCode {
    let _ = writeln!(
        io::stderr(),
        "render_bench: {problem}\nusage: render_bench [--format FORMAT|none] [--findings N]"
    );
    ExitCode::from(3)
}
