//! The documents and deployment examples cannot rot: every db-backup command they show parses
//! with the binary's own flags, the Kubernetes manifest is valid YAML of the right kinds, and
//! the seed's script name still works.

use clap::Parser;
use opskit_db_backup::Args;

use super::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The db-backup invocations in a text: each `db-backup ...` up to `&&`, `;`, `|`, `>` or the
/// end of the line, with `"$(...)"` standing for a file and quotes removed; comment lines are
/// prose.
fn invocations(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let mut line = line.to_owned();
        while let Some(start) = line.find("\"$(") {
            let end = line[start..]
                .find(")\"")
                .map_or(line.len(), |e| start + e + 2);
            line.replace_range(start..end, "FILE");
        }
        for segment in line.split(['&', ';', '|', '>', '`']) {
            let words: Vec<String> = segment
                .split_whitespace()
                .map(|w| w.trim_matches(['"', '\'', ',', '[', ']']).to_owned())
                .collect();
            let Some(at) = words
                .iter()
                .position(|w| w == "db-backup" || w.ends_with("/db-backup"))
            else {
                continue;
            };
            let args: Vec<String> = words[at..]
                .iter()
                .take_while(|w| !w.starts_with('#'))
                .cloned()
                .collect();
            // Prose mentions ("db-backup run") have at least a subcommand after the name.
            if args.len() > 1
                && !args[1].is_empty()
                && args[1].chars().all(|c| c.is_ascii_lowercase())
            {
                out.push(args);
            }
        }
    }
    out
}

/// The code blocks of a Markdown text (inline spans often name a command without its
/// arguments, in prose).
fn code(markdown: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn every_documented_command_parses() {
    let files = [
        "docs/db-backup.md",
        "docs/DISASTER_RECOVERY_PLAN.md",
        "examples/deploy/db-backup/crontab",
        "examples/deploy/db-backup/db-backup.service",
        "examples/deploy/db-backup/db-backup-check.service",
    ];
    let mut total = 0;
    for file in files {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let text = if Path::new(file).extension().is_some_and(|e| e == "md") {
            code(&text)
        } else {
            text
        };
        for args in invocations(&text) {
            if let Err(e) = Args::try_parse_from(&args)
                && e.kind() != clap::error::ErrorKind::DisplayHelp
            {
                panic!("{file}: `{}` does not parse: {e}", args.join(" "));
            }
            total += 1;
        }
    }
    assert!(total >= 25, "only {total} commands found");
}

#[test]
fn the_kubernetes_and_systemd_examples_are_well_formed() {
    let text =
        std::fs::read_to_string(root().join("examples/deploy/db-backup/cronjob.yaml")).unwrap();
    let mut kinds = Vec::new();
    let mut commands = 0;
    for doc in serde_yaml_ng::Deserializer::from_str(&text) {
        let value = <serde_yaml_ng::Value as serde::Deserialize>::deserialize(doc).unwrap();
        kinds.push(value["kind"].as_str().unwrap().to_owned());
        if value["kind"] == "CronJob" {
            let schedule = value["spec"]["schedule"].as_str().unwrap();
            assert_eq!(schedule.split_whitespace().count(), 5, "{schedule}");
            assert_eq!(value["spec"]["concurrencyPolicy"], "Forbid");
            let container =
                &value["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
            let mut words: Vec<String> = container["command"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect();
            if let Some(args) = container["args"].as_sequence() {
                words.extend(args.iter().map(|v| v.as_str().unwrap().to_owned()));
            }
            let joined = words.join(" ");
            let found = if words[0] == "db-backup" {
                vec![words]
            } else {
                invocations(&joined)
            };
            for args in found {
                Args::try_parse_from(&args).unwrap_or_else(|e| panic!("`{}`: {e}", args.join(" ")));
                commands += 1;
            }
        }
    }
    assert_eq!(kinds, ["PersistentVolumeClaim", "CronJob", "CronJob"]);
    assert_eq!(commands, 3);
    for (unit, sections) in [
        ("db-backup.service", &["[Unit]", "[Service]"][..]),
        ("db-backup.timer", &["[Unit]", "[Timer]", "[Install]"][..]),
        ("db-backup-check.service", &["[Unit]", "[Service]"][..]),
        (
            "db-backup-check.timer",
            &["[Unit]", "[Timer]", "[Install]"][..],
        ),
    ] {
        let text =
            std::fs::read_to_string(root().join("examples/deploy/db-backup").join(unit)).unwrap();
        for s in sections {
            assert!(text.lines().any(|l| l == *s), "{unit} lacks {s}");
        }
    }
}

#[test]
fn the_seed_script_backs_up_and_prunes() {
    let pg = PostgresServer::start();
    pg.psql("CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g")
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    let url = pg.url("postgres");
    let out = Command::new(root().join("scripts/backup-supabase.sh"))
        .current_dir(work.path())
        .args(["--dir", "nightly"])
        .env("DB_BACKUP_BIN", env!("CARGO_BIN_EXE_db-backup"))
        .env("SUPABASE_DB_URL", &url)
        .env("BACKUP_KEEP_LAST", "3")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("1 tables, 100 rows") && t.contains("deleted 0 of 1"),
        "{t}"
    );
    assert_eq!(archives(&work.path().join("nightly")).len(), 1);
}

/// One command line of a deployment example, parsed with its tool's own flags.
fn parse_monitor(words: &[String]) -> Result<(), String> {
    let name = words[0].rsplit('/').next().unwrap_or_default();
    let result = match name {
        "db-backup" => Args::try_parse_from(words).map(|_| ()),
        "queue-depth" => opskit_queue_depth::Args::try_parse_from(words).map(|_| ()),
        "health-probe" => opskit_health_probe::Args::try_parse_from(words).map(|_| ()),
        other => return Err(format!("{other} is not a monitor")),
    };
    result.map_err(|e| format!("`{}`: {e}", words.join(" ")))
}

/// Words as a POSIX shell splits them: whitespace outside quotes, `'…'` and `"…"` kept whole
/// (`--cron-schedule '*/15 * * * *'` is one argument).
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            (_, c) => word.push(c),
        }
    }
    if started || !word.is_empty() {
        words.push(word);
    }
    words
}

/// The monitor invocations of a text (as [`invocations`], for every monitor tool).
fn monitor_invocations(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        for segment in line.split(['&', ';', '|', '>']) {
            let words = shell_words(segment);
            if let Some(at) = words.iter().position(|w| {
                ["queue-depth", "health-probe", "db-backup"]
                    .iter()
                    .any(|t| w == t || w.ends_with(&format!("/{t}")))
            }) && words.len() > at + 1
            {
                out.push(words[at..].to_vec());
            }
        }
    }
    out
}

#[test]
fn the_monitor_examples_parse_and_the_alert_rules_pass_promtool() {
    let dir = root().join("examples/deploy/monitors");
    let mut total = 0;
    for file in [
        "crontab",
        "opskit-queue-depth.service",
        "opskit-health-probe.service",
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        for words in monitor_invocations(&text) {
            parse_monitor(&words).unwrap_or_else(|e| panic!("{file}: {e}"));
            total += 1;
        }
    }
    // Kubernetes: commands are arrays.
    let text = std::fs::read_to_string(dir.join("cronjob.yaml")).unwrap();
    for doc in serde_yaml_ng::Deserializer::from_str(&text) {
        let value = <serde_yaml_ng::Value as serde::Deserialize>::deserialize(doc).unwrap();
        if value["kind"] == "CronJob" {
            let c = &value["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
            let words: Vec<String> = c["command"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect();
            parse_monitor(&words).unwrap();
            total += 1;
        }
    }
    // GitHub Actions: the `run:` steps.
    let text = std::fs::read_to_string(dir.join("github/monitors.yml")).unwrap();
    let workflow: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    assert!(workflow["on"]["schedule"][0]["cron"].is_string());
    for step in workflow["jobs"]["monitors"]["steps"].as_sequence().unwrap() {
        if let Some(run) = step["run"].as_str() {
            for words in monitor_invocations(run) {
                parse_monitor(&words).unwrap();
                total += 1;
            }
        }
    }
    assert!(total >= 10, "only {total} monitor commands");
    // The alert rules: valid for Prometheus, and their unit tests pass.
    let promtool = testkit::promtool();
    for args in [
        vec!["check", "rules", "prometheus-rules.yml"],
        vec!["test", "rules", "prometheus-rules.test.yml"],
    ] {
        let out = Command::new(&promtool)
            .current_dir(&dir)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "promtool {}: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
