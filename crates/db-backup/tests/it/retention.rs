//! prune, list and check against directories of backups with crafted dates (no server needed:
//! they read manifests only).

use std::time::{SystemTime, UNIX_EPOCH};

use opskit_db_backup::archive::Compression;
use opskit_db_backup::manifest::{Manifest, Mode, Verification};

use super::*;

/// `2026-11-27T03:00:00Z` and friends as Unix seconds.
fn unix(stamp: &str) -> u64 {
    let (date, time) = stamp.split_once('T').unwrap();
    let d: Vec<i64> = date.split('-').map(|p| p.parse().unwrap()).collect();
    let t: Vec<i64> = time
        .trim_end_matches('Z')
        .split(':')
        .map(|p| p.parse().unwrap())
        .collect();
    // Days from civil (Howard Hinnant), independent of the code under test.
    let (y, m) = if d[1] <= 2 {
        (d[0] - 1, d[1] + 9)
    } else {
        (d[0], d[1] - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d[2] - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + t[0] * 3600 + t[1] * 60 + t[2]).unwrap()
}

/// A backup as `run` would leave it, with a crafted start time.
fn craft(dir: &Path, started_unix: u64, bytes: u64, verified: Option<bool>) -> String {
    let file =
        opskit_db_backup::manifest::file_name("app", started_unix, Mode::Full, Compression::Zstd);
    std::fs::write(dir.join(&file), vec![b'x'; usize::try_from(bytes).unwrap()]).unwrap();
    let m = Manifest {
        tool: "opskit db-backup".into(),
        format: 1,
        file: file.clone(),
        database: "app".into(),
        server: "127.0.0.1:5432".into(),
        server_version: "15.8".into(),
        dumper: "pg_dump 15.14".into(),
        preset: "full".into(),
        mode: Mode::Full,
        excluded_schemas: vec![],
        compression: Compression::Zstd,
        level: 3,
        started: opskit::time::utc_timestamp(started_unix),
        started_unix,
        duration_seconds: 1.0,
        bytes,
        raw_bytes: bytes * 4,
        sha256: "0".repeat(64),
        consistent_counts: true,
        tables: vec![],
        warnings: vec![],
        verification: verified.map(|ok| Verification {
            at: opskit::time::utc_timestamp(started_unix + 60),
            level: "list".into(),
            ok,
            error: (!ok).then(|| "damaged".to_owned()),
        }),
    };
    m.write(&dir.join(format!("{file}.manifest.json"))).unwrap();
    file
}

/// B1..B8 newest first; only B4 is verified.
fn scenario(dir: &Path) -> Vec<String> {
    [
        ("2026-11-27T03:00:00Z", None),
        ("2026-11-27T01:00:00Z", None),
        ("2026-11-26T03:00:00Z", None),
        ("2026-11-25T03:00:00Z", Some(true)),
        ("2026-11-20T03:00:00Z", None),
        ("2026-11-10T03:00:00Z", None),
        ("2026-10-31T03:00:00Z", None),
        ("2026-09-15T03:00:00Z", None),
    ]
    .iter()
    .map(|(stamp, v)| craft(dir, unix(stamp), 1000, *v))
    .collect()
}

fn present(dir: &Path, names: &[String]) -> Vec<usize> {
    names
        .iter()
        .enumerate()
        .filter(|(_, n)| dir.join(n).exists())
        .map(|(i, _)| i + 1)
        .collect()
}

#[test]
fn prune_keeps_by_policy_and_never_the_newest_verified_or_foreign_files() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("b");
    std::fs::create_dir(&dir).unwrap();
    let b = scenario(&dir);
    // Files prune did not write: never touched.
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    std::fs::write(dir.join("app-20200101T000000Z.dump.zst"), "no manifest").unwrap();
    std::fs::write(
        dir.join("other.dump.manifest.json"),
        r#"{"tool":"pgbackrest"}"#,
    )
    .unwrap();
    std::fs::write(dir.join("other.dump"), "someone else's").unwrap();

    let args = |extra: &[&str]| -> Vec<String> {
        let mut v = vec!["prune".to_owned(), "--dir".to_owned(), "b".to_owned()];
        v.extend(extra.iter().map(|s| (*s).to_owned()));
        v
    };
    let go = |extra: &[&str]| {
        let a = args(extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        run(work.path(), &a, &[])
    };

    // Dry runs delete nothing, and say what they would.
    let out = go(&["--keep-weekly", "3", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(present(&dir, &b), vec![1, 2, 3, 4, 5, 6, 7, 8]);
    let t = text(&out);
    assert!(t.contains("would delete 4 of 8"), "{t}");
    for (i, name) in b.iter().enumerate() {
        let line = t.lines().find(|l| l.contains(name.as_str())).unwrap();
        // Weeks: B1 (of Nov 23), B5 (Nov 16), B6 (Nov 9); B4 as the newest verified.
        let kept = [0, 3, 4, 5].contains(&i);
        assert_eq!(line.contains("keep"), kept, "B{} {line}", i + 1);
    }
    let out = go(&["--keep-monthly", "3", "--dry-run", "-f", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kept: Vec<String> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["summary"].as_str().unwrap().starts_with("keep"))
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kept,
        vec![b[0].clone(), b[3].clone(), b[6].clone(), b[7].clone()]
    );

    // The real thing: last 1 + 2 days, and B4 because it is the newest verified backup.
    let out = go(&["--keep-last", "1", "--keep-daily", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(present(&dir, &b), vec![1, 3, 4]);
    for (i, name) in b.iter().enumerate() {
        let manifest = dir.join(format!("{name}.manifest.json"));
        assert_eq!(manifest.exists(), [0, 2, 3].contains(&i), "B{}", i + 1);
    }
    for foreign in [
        "notes.txt",
        "app-20200101T000000Z.dump.zst",
        "other.dump.manifest.json",
        "other.dump",
    ] {
        assert!(dir.join(foreign).exists(), "{foreign} was touched");
    }
    // Even keep-last 1 keeps the newest verified backup.
    let out = go(&["--keep-last", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(present(&dir, &b), vec![1, 4]);
    assert!(
        text(&out).contains("the newest verified backup"),
        "{}",
        text(&out)
    );

    // No policy: refused, exit 3, nothing deleted.
    let out = go(&[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("never deletes everything"),
        "{}",
        text(&out)
    );
    assert_eq!(present(&dir, &b), vec![1, 4]);
    // The list shows what remains and flags the unreadable manifest.
    let out = run(work.path(), &["list", "--dir", "b"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("pgbackrest") || text(&out).contains("not a db-backup manifest"),
        "{}",
        text(&out)
    );
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn check_reports_age_size_change_and_verification_in_every_format() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("b");
    // No backups at all: critical.
    let out = run(work.path(), &["check", "--dir", "b", "-f", "nagios"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("no backup"), "{}", text(&out));

    std::fs::create_dir(&dir).unwrap();
    craft(&dir, now() - 26 * 3600 - 7200, 10_000, Some(true));
    craft(&dir, now() - 3600, 10_200, Some(true));
    let out = run(work.path(), &["check", "--dir", "b", "-f", "nagios"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.starts_with("DB-BACKUP OK") && t.contains("age=") && t.contains("size_change="),
        "{t}"
    );

    // Too old.
    let out = run(
        work.path(),
        &["check", "--dir", "b", "--max-age", "30m"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("DB502"), "{}", text(&out));
    // See: issue 19. The finding says which limit the age broke, and who set it.
    assert!(
        text(&out).contains("is above the critical threshold 30m (--max-age)"),
        "{}",
        text(&out)
    );
    // A bare number is seconds, and says so.
    let out = run(
        work.path(),
        &["check", "--dir", "b", "--max-age", "26"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("note: --max-age 26 is read as 26s")
            && text(&out).contains("--max-age 26h"),
        "{}",
        text(&out)
    );
    let out = run(
        work.path(),
        &["check", "--dir", "b", "--warn-age", "30m"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    // Much smaller than the one before, and not verified.
    craft(&dir, now() - 60, 1_000, None);
    let out = run(work.path(), &["check", "--dir", "b", "-f", "json"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("DB503") && t.contains("-90.2%") && t.contains("DB504"),
        "{t}"
    );
    let out = run(
        work.path(),
        &["check", "--dir", "b", "--require-verified"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    // Every core format renders, with the metrics' names.
    let out = run(
        work.path(),
        &["check", "--dir", "b", "-f", "prometheus"],
        &[],
    );
    let t = text(&out);
    assert!(
        t.contains("opskit_db_backup_age_seconds{database=\"app\"}"),
        "{t}"
    );
    let (valid, problems) = testkit::promtool_check(&String::from_utf8_lossy(&out.stdout));
    assert!(valid, "{problems}");
    for format in ["human", "json", "sarif", "junit", "github"] {
        let out = run(work.path(), &["check", "--dir", "b", "-f", format], &[]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", text(&out));
        assert!(!out.stdout.is_empty(), "{format}");
    }
    // A bad age is a usage error.
    let out = run(
        work.path(),
        &["check", "--dir", "b", "--max-age", "soon"],
        &[],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
}

#[test]
fn prune_keeps_the_newest_restore_verified_backup_behind_a_newer_listed_one() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("b");
    std::fs::create_dir(&dir).unwrap();
    let b: Vec<String> = [
        ("2026-11-27T03:00:00Z", Some(true)),
        ("2026-11-26T03:00:00Z", Some(true)),
        ("2026-11-25T03:00:00Z", None),
    ]
    .iter()
    .map(|(stamp, v)| craft(&dir, unix(stamp), 1000, *v))
    .collect();
    // B2 passed a real restore; B1 was only listed by pg_restore.
    let path = dir.join(format!("{}.manifest.json", b[1]));
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    m["verification"]["level"] = "restore".into();
    std::fs::write(&path, m.to_string()).unwrap();
    let out = run(
        work.path(),
        &["prune", "--dir", "b", "--keep-last", "1"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(present(&dir, &b), vec![1, 2], "{}", text(&out));
    assert!(
        text(&out).contains("the newest restore-verified backup"),
        "{}",
        text(&out)
    );
}
