//! The machine formats checked by the real validators of their ecosystems: SARIF against the
//! official 2.1.0 JSON schema and Microsoft's SARIF Multitool, Prometheus text with `promtool`,
//! JUnit XML with a real XML parser. A missing validator fails the test with an install hint.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use opskit::render::Format;

fn sarif_validator() -> jsonschema::Validator {
    let path = testkit::sarif_schema();
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn assert_schema_valid(validator: &jsonschema::Validator, doc: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_matches_the_official_schema() {
    let validator = sarif_validator();
    let doc: serde_json::Value =
        serde_json::from_str(&common::render(&common::sample(), Format::Sarif)).unwrap();
    assert_schema_valid(&validator, &doc);
    // The schema check is not vacuous: a wrong level is rejected.
    let mut broken = doc.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(
        !validator.is_valid(&broken),
        "the schema accepted level \"fatal\""
    );
}

#[test]
fn sarif_stays_within_github_limits() {
    let report = common::large(30_000);
    let doc: serde_json::Value =
        serde_json::from_str(&common::render(&report, Format::Sarif)).unwrap();
    assert_schema_valid(&sarif_validator(), &doc);
    let runs = doc["runs"].as_array().unwrap();
    assert!(runs.len() <= 20);
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 25_000);
    // Errors and warnings are kept before notes: 10,000 of each exist, so 5,000 notes remain.
    let notes = results.iter().filter(|r| r["level"] == "note").count();
    assert_eq!(notes, 5_000);
    assert_eq!(runs[0]["properties"]["resultsOmitted"], 5_000);
    let notes = runs[0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(notes.iter().any(|n| {
        n["message"]["text"]
            .as_str()
            .unwrap()
            .contains("5000 results were left out")
    }));
    // Every result's ruleIndex points at its rule.
    let rules = runs[0]["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let index = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
}

#[test]
fn sarif_passes_the_sarif_multitool() {
    let multitool = testkit::sarif_multitool();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("opskit.sarif");
    let output = dir.path().join("validation.sarif");
    std::fs::write(&input, common::render(&common::sample(), Format::Sarif)).unwrap();
    let out = Command::new(&multitool)
        .arg("validate")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", multitool.display()));
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "Sarif.Multitool validate failed ({}):\n{console}",
        out.status
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    // A result's level defaults to its rule's default level, and that to "warning".
    let rules = report["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let level_of = |r: &serde_json::Value| -> String {
        let default = || {
            let index = r["ruleIndex"]
                .as_u64()
                .and_then(|i| usize::try_from(i).ok());
            index
                .and_then(|i| rules.get(i))
                .and_then(|rule| rule["defaultConfiguration"]["level"].as_str())
                .unwrap_or("warning")
                .to_owned()
        };
        r["level"].as_str().map_or_else(default, str::to_owned)
    };
    let errors: Vec<String> = report["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| level_of(r) == "error")
        .map(|r| format!("{}: {}", r["ruleId"], r["message"]))
        .collect();
    assert!(
        errors.is_empty(),
        "the SARIF Multitool reports errors:\n{}\n{console}",
        errors.join("\n")
    );
    let notifications = &report["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert!(
        notifications.as_array().is_none_or(Vec::is_empty),
        "the Multitool could not read the log: {notifications}"
    );
}

fn promtool_check(text: &str) -> (bool, String) {
    testkit::promtool_check(text)
}

#[test]
fn prometheus_passes_promtool() {
    let text = common::render(&common::sample(), Format::Prometheus);
    let (ok, said) = promtool_check(&text);
    assert!(
        ok && said.trim().is_empty(),
        "promtool check metrics:\n{said}\n---\n{text}"
    );
    // And promtool does catch a broken exposition, so the check above means something.
    let (ok, said) = promtool_check(&format!("{text}opskit_broken{{tool=\"x\"}} not-a-number\n"));
    assert!(!ok, "promtool accepted a broken line: {said}");
}

#[test]
fn prometheus_handles_hostile_names_and_values() {
    use opskit::report::{Check, Metric, Report, Unit};
    let report = Report::new("weird tool!", "0").with_check(
        Check::new("a\"b\\c\nd", opskit::Status::Ok, "x")
            .with_metric(Metric::new("9 lives", f64::NAN))
            .with_metric(Metric::new("big", f64::INFINITY).unit(Unit::Bytes))
            .with_metric(Metric::new("jobs", 5.0).unit(Unit::Counter))
            .with_metric(Metric::new("pct", 42.0).unit(Unit::Percent))
            .with_metric(Metric::new("pct", 43.0).unit(Unit::Percent)),
    );
    let text = common::render(&report, Format::Prometheus);
    let (ok, said) = promtool_check(&text);
    assert!(
        ok && said.trim().is_empty(),
        "promtool check metrics:\n{said}\n---\n{text}"
    );
}

#[test]
fn junit_is_well_formed_xml() {
    let xml = common::render(&common::sample(), Format::Junit);
    let script = "import sys, xml.etree.ElementTree as ET\n\
                  root = ET.fromstring(sys.stdin.buffer.read())\n\
                  cases = root.findall('./testsuite/testcase')\n\
                  print(len(cases), len(root.findall('.//failure')), len(root.findall('.//error')))";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("python3 is needed to parse the JUnit XML: {e}; install it with `apt-get install python3`"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "not well-formed XML: {}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "6 4 1");
}

#[test]
fn sarif_has_one_run_per_check_and_at_most_twenty() {
    use opskit::report::{Check, Finding, Location, Report, Severity};
    let mut report = Report::new("predeploy", "0.1.0");
    for i in 0..25 {
        report.push(Check::from_findings(
            format!("check{i:02}"),
            vec![
                Finding::new(format!("R{i}"), Severity::Warning, "m")
                    .at(Location::new(format!("f{i}.ts")).line(1)),
            ],
        ));
    }
    report.push(Check::unknown("health", "unreachable"));
    let doc: serde_json::Value =
        serde_json::from_str(&common::render(&report, Format::Sarif)).unwrap();
    assert_schema_valid(&sarif_validator(), &doc);
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 20);
    assert_eq!(
        runs[0]["tool"]["driver"]["name"],
        "opskit predeploy check00"
    );
    assert_eq!(
        runs[0]["automationDetails"]["id"],
        "opskit/predeploy/check00/"
    );
    assert!(
        runs[0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("health: unreachable")
    );
    assert_eq!(
        runs[19]["results"].as_array().unwrap().len(),
        6,
        "checks 19 to 24 share the last run"
    );
    assert_eq!(
        runs[19]["automationDetails"]["id"],
        "opskit/predeploy/more/"
    );
    let categories: std::collections::HashSet<&str> = runs
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        categories.len(),
        20,
        "GitHub rejects two runs of one tool and category"
    );
}
