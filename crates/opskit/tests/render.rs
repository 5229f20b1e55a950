//! One snapshot per output format, from the same report; and no format prints a secret.

mod common;

use opskit::render::{Format, RenderOptions};

#[test]
fn human() {
    insta::assert_snapshot!(common::render(&common::sample(), Format::Human));
}

#[test]
fn human_verbose_in_colour() {
    let mut out = Vec::new();
    opskit::render::render(
        &common::sample(),
        Format::Human,
        &RenderOptions {
            color: true,
            verbose: 1,
        },
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("\x1b[1;31mCRITICAL"), "critical is bold red");
    insta::assert_snapshot!(text.replace('\x1b', "<ESC>"));
}

#[test]
fn json() {
    insta::assert_snapshot!(common::render(&common::sample(), Format::Json));
}

#[test]
fn nagios() {
    insta::assert_snapshot!(common::render(&common::sample(), Format::Nagios));
}

#[test]
fn prometheus() {
    insta::assert_snapshot!(common::render(&common::sample(), Format::Prometheus));
}

#[test]
fn sarif() {
    insta::assert_snapshot!(common::render(&common::sample(), Format::Sarif));
}

#[test]
fn junit() {
    insta::assert_snapshot!(common::render(&common::sample(), Format::Junit));
}

#[test]
fn github() {
    insta::assert_snapshot!(common::render(&common::sample(), Format::Github));
}

#[test]
fn github_step_summary() {
    let mut out = Vec::new();
    opskit::render::github::render_summary(&common::sample(), &mut out).unwrap();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}

#[test]
fn empty_report_renders_in_every_format() {
    let empty = opskit::Report::new("demo", "1.2.3");
    for format in Format::ALL {
        let text = common::render(&empty, format);
        assert!(!text.is_empty(), "{format} wrote nothing");
    }
    assert_eq!(common::render(&empty, Format::Human), "OK: no checks ran\n");
    assert_eq!(
        common::render(&empty, Format::Nagios),
        "DEMO OK - no checks ran\n"
    );
}

#[test]
fn no_format_prints_a_secret_given_as_evidence() {
    let report = common::sample();
    let mut outputs: Vec<(String, String)> = Format::ALL
        .iter()
        .map(|f| (f.to_string(), common::render(&report, *f)))
        .collect();
    let mut verbose = Vec::new();
    opskit::render::render(
        &report,
        Format::Human,
        &RenderOptions {
            color: true,
            verbose: 3,
        },
        &mut verbose,
    )
    .unwrap();
    outputs.push(("human -vvv".into(), String::from_utf8(verbose).unwrap()));
    let mut summary = Vec::new();
    opskit::render::github::render_summary(&report, &mut summary).unwrap();
    outputs.push(("github summary".into(), String::from_utf8(summary).unwrap()));
    for (name, text) in &outputs {
        for secret in common::SECRETS {
            // Not the secret, and no run of more than its 4 prefix characters.
            for window in secret.as_bytes().windows(6) {
                let piece = std::str::from_utf8(window).unwrap();
                assert!(
                    !text.contains(piece),
                    "{name} output holds `{piece}` of a secret:\n{text}"
                );
            }
        }
    }
    // The evidence is there, redacted, where the format shows evidence.
    for name in ["human", "json", "sarif", "junit", "github"] {
        let text = &outputs.iter().find(|(n, _)| n == name).unwrap().1;
        assert!(
            text.contains("sk-p"),
            "{name} does not show the redacted evidence"
        );
    }
}

#[test]
fn renderers_stream_large_reports() {
    // 20,000 findings: every format finishes, within the limits of its consumer.
    let report = common::large(20_000);
    let github = common::render(&report, Format::Github);
    // Ten of each kind (GitHub shows no more per step), then one notice counting the rest.
    assert_eq!(
        github.lines().filter(|l| l.starts_with("::error ")).count(),
        10
    );
    assert_eq!(
        github
            .lines()
            .filter(|l| l.starts_with("::warning "))
            .count(),
        10
    );
    assert!(
        github.contains("19970 more findings are not annotated"),
        "{}",
        &github[..2000]
    );
    let mut summary = Vec::new();
    opskit::render::github::render_summary(&report, &mut summary).unwrap();
    let summary = String::from_utf8(summary).unwrap();
    assert!(
        summary.len() < 1024 * 1024,
        "the job summary stays under GitHub's 1 MiB"
    );
    assert!(summary.contains("| error | R000 |"));
    let nagios = common::render(&report, Format::Nagios);
    assert!(
        nagios.contains("… and 19900 more findings"),
        "nagios long output is capped"
    );
    let json: serde_json::Value =
        serde_json::from_str(&common::render(&report, Format::Json)).unwrap();
    assert_eq!(
        json["checks"][0]["findings"].as_array().unwrap().len(),
        20_000
    );
}

#[test]
fn every_snapshot_belongs_to_a_test() {
    // `cargo insta test --unreferenced reject` without cargo-insta: a snapshot whose test was
    // renamed or removed would otherwise linger and mislead.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let source = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/render.rs"),
    )
    .unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(test) = name
            .strip_prefix("render__")
            .and_then(|n| n.strip_suffix(".snap"))
        else {
            panic!("unexpected file in {}: {name}", dir.display());
        };
        assert!(
            source.contains(&format!("fn {test}()")),
            "snapshot {name} has no test `{test}`; delete it"
        );
    }
}
