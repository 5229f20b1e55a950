//! The report every renderer test uses: every kind of check, finding and metric, and text that
//! needs escaping in every format.

#![expect(
    clippy::unwrap_used,
    reason = "test fixtures fail the test on unexpected errors"
)]

use std::time::Duration;

use opskit::Status;
use opskit::redact::redact;
use opskit::report::{Check, Finding, Location, Metric, Report, RuleInfo, Severity, Unit};
use opskit::threshold::Thresholds;

/// Secrets given to the report as evidence; no output may contain them.
pub const SECRETS: [&str; 2] = [
    "sk-proj-Zx8Qm2LrT5vN9wK4jH7gF3dS1aP6oI0uYbC",
    "AXk4ASQgNzQ1YjE2LWFiY2QtNDM5Zi1iZWJhLTA",
];

pub fn sample() -> Report {
    let limits = Thresholds::parse(Some("500"), Some("1000")).unwrap();
    let latency = Thresholds::parse(Some("200"), Some("~:1000")).unwrap();
    let mut report = Report::new("demo", "1.2.3")
        .with_check(
            Check::from_findings(
                "secrets",
                vec![
                    Finding::new("SEC001", Severity::Error, "OpenAI project key in source code")
                        .at(Location::new("src/config.ts").line(12).column(18))
                        .evidence(redact(SECRETS[0]))
                        .help("https://github.com/opskit/opskit/blob/main/docs/secret-scan/rules.md#sec001"),
                    Finding::new("SEC020", Severity::Warning, "Upstash REST token in a committed .env file")
                        .at(Location::new(".env.production").line(3).column(1))
                        .evidence(redact(SECRETS[1])),
                ],
            )
            .took(Duration::from_millis(84)),
        )
        .with_check(
            Check::from_findings(
                "dockerfile",
                vec![
                    Finding::new("DL3007", Severity::Warning, "Using latest is prone to errors; pin the version")
                        .at(Location::new("docker files/Dockerfile.worker").line(1).column(1)),
                    Finding::new("OPS-DF002", Severity::Note, "No .dockerignore next to the Dockerfiles"),
                ],
            )
            .took(Duration::from_millis(3)),
        )
        .with_check(
            Check::new("queue:emails", limits.evaluate(1204.0), "1204 jobs waiting (critical above 1000)")
                .with_metric(Metric::new("depth", 1204.0).thresholds(&limits).min(0.0).help("Jobs waiting to be processed."))
                .with_metric(Metric::new("latency", 12.5).unit(Unit::Milliseconds).thresholds(&latency).min(0.0))
                .took(Duration::from_micros(1500)),
        )
        .with_check(Check::unknown("health", "GET http://127.0.0.1:9/health: connection refused (after 3 tries)").took(Duration::from_secs(3)))
        .with_check(Check::new("tsc", Status::Ok, "no errors in 2 projects").took(Duration::from_millis(1520)))
        .with_check(
            Check::from_findings(
                "lint \"strict\"",
                vec![Finding::new("no-unused-vars", Severity::Warning, "'x' is <unused> & \"dead\" | 100% sure: a, b\nsecond line")
                    .at(Location::new("src/a,b:c.ts").line(7).column(3))],
            )
            .took(Duration::from_millis(410)),
        );
    report.rules.push(RuleInfo {
        code: "SEC001".into(),
        name: "openai-api-key".into(),
        summary: "An OpenAI API key in a file.".into(),
        severity: Severity::Error,
        help: Some(
            "https://github.com/opskit/opskit/blob/main/docs/secret-scan/rules.md#sec001".into(),
        ),
    });
    report.rules.push(RuleInfo {
        code: "DL3007".into(),
        name: "latest-tag".into(),
        summary: "Using latest is prone to errors if the image will ever update.".into(),
        severity: Severity::Warning,
        help: Some("https://github.com/hadolint/hadolint/wiki/DL3007".into()),
    });
    report.sort();
    report
}

/// A report with `n` located findings spread over a few rules and files.
pub fn large(n: usize) -> Report {
    let severities = [Severity::Error, Severity::Warning, Severity::Note];
    let findings = (0..n)
        .map(|i| {
            Finding::new(
                format!("R{:03}", i % 50),
                severities[i % 3],
                format!("finding number {i}"),
            )
            .at(
                Location::new(format!("src/module{}/file{}.ts", i % 97, i % 1013))
                    .line(u32::try_from(i % 5000).unwrap() + 1)
                    .column(5),
            )
        })
        .collect();
    Report::new("bulk", "0.0.1").with_check(Check::from_findings("scan", findings))
}

pub fn render(report: &Report, format: opskit::render::Format) -> String {
    let mut out = Vec::new();
    opskit::render::render(
        report,
        format,
        &opskit::render::RenderOptions::default(),
        &mut out,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}
