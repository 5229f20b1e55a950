//! The failures users meet: nothing is ever left under a final name.

use std::time::{Duration, Instant};

use super::*;

/// Files of a directory that are not hidden (partial files start with a dot).
fn visible(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            let mut v: Vec<String> = entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect();
            v.sort();
            v
        }
        Err(_) => Vec::new(),
    }
}

fn all_files(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Client programs whose pg_dump writes 200 KB of a custom-format dump, then stalls for 20 s:
/// a run caught in the middle of a dump.
fn slow_dump(pg: &testkit::PostgresServer) -> tempfile::TempDir {
    wrappers(
        pg.bin_dir(),
        &format!(
            "case \"$*\" in *--format=custom*) {} \"$@\" | {{ head -c 200000; sleep 20; cat; }}; exit $?;; esac",
            pg.bin_dir().join("pg_dump").display()
        ),
    )
}

/// Runs the binary with a file size limit, as a full disk would stop it (EFBIG instead of
/// ENOSPC; the same path through the code, and no mount needed).
#[expect(unsafe_code, reason = "setrlimit and signal in the child before exec")]
fn run_with_file_limit(dir: &Path, args: &[&str], env: &[(&str, &str)], bytes: u64) -> Output {
    use std::os::unix::process::CommandExt;
    let mut c = cmd(dir, args);
    for (k, v) in env {
        c.env(k, v);
    }
    // SAFETY: only async-signal-safe libc calls between fork and exec.
    unsafe {
        c.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &raw const limit);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    c.output().unwrap()
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one server for the whole story: each step builds on the one before"
)]
fn failures_are_clear_and_leave_nothing_under_a_final_name() {
    let pg = server_with_app();
    let work = tempfile::tempdir().unwrap();
    let good = pg.url("app");
    let backups = work.path().join("b");
    // `db-backup run --url DB --dir b EXTRA` with DB set to `url`.
    let backup = |extra: &[&str], url: &str| {
        let mut args = vec!["run", "--url", "DB", "--dir", "b"];
        args.extend_from_slice(extra);
        run(work.path(), &args, &[("DB", url)])
    };

    // Wrong password: DB103, exit 2, and neither password is printed.
    let wrong = good.replace(pg.password(), "not-the-password");
    let out = backup(&[], wrong.as_str());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("DB103") && t.contains("authentication failed"),
        "{t}"
    );
    assert!(
        !t.contains("not-the-password") && !t.contains(pg.password()),
        "{t}"
    );
    assert!(visible(&backups).is_empty());

    // Server down: DB104.
    let down = format!(
        "postgres://postgres:pw@127.0.0.1:{}/app",
        testkit::free_port()
    );
    let out = backup(&["--timeout", "3"], down.as_str());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("DB104"), "{}", text(&out));

    // No pg_dump where we are told to look: DB101, with the install command.
    let empty = tempfile::tempdir().unwrap();
    let out = backup(&["--pg-bin", empty.path().to_str().unwrap()], good.as_str());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("DB101") && text(&out).contains("apt-get install postgresql-client"),
        "{}",
        text(&out)
    );

    // A pg_dump older than the server: DB102, before anything is written.
    let old = wrappers(
        pg.bin_dir(),
        "if [ \"$1\" = --version ]; then echo 'pg_dump (PostgreSQL) 9.6.24'; exit 0; fi",
    );
    let out = backup(&["--pg-bin", old.path().to_str().unwrap()], good.as_str());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("DB102") && text(&out).contains("older than the server"),
        "{}",
        text(&out)
    );
    assert!(visible(&backups).is_empty());

    // A full disk: DB105, and the partial file is gone.
    std::fs::create_dir_all(&backups).unwrap();
    let out = run_with_file_limit(
        work.path(),
        &["run", "--url", "DB", "--dir", "b"],
        &[("DB", good.as_str())],
        64 * 1024,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("DB105") && text(&out).contains("no room"),
        "{}",
        text(&out)
    );
    assert!(all_files(&backups).is_empty(), "{:?}", all_files(&backups));

    // Killed in the middle of a dump: a partial file, never a final name; the next run
    // removes the partial file and succeeds.
    let slow = slow_dump(&pg);
    let mut child = cmd(
        work.path(),
        &[
            "run",
            "--url",
            "DB",
            "--dir",
            "b",
            "--pg-bin",
            slow.path().to_str().unwrap(),
        ],
    )
    .env("DB", &good)
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let partial = std::fs::read_dir(&backups)
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().contains(".partial-"));
        if partial {
            break;
        }
        assert!(Instant::now() < deadline, "no partial file appeared");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(visible(&backups).is_empty(), "{:?}", visible(&backups));
    assert_eq!(
        all_files(&backups).len(),
        1,
        "the killed run's partial file"
    );
    let listed = run(work.path(), &["list", "--dir", "b"], &[]);
    assert!(
        text(&listed).contains("partial file of a run that was killed"),
        "{}",
        text(&listed)
    );
    let out = backup(&[], good.as_str());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("removed 1 partial file"),
        "{}",
        text(&out)
    );
    assert_eq!(all_files(&backups).len(), 2, "{:?}", all_files(&backups));

    // A flipped byte: verify fails (and records it), restore refuses, check goes critical.
    let archive = archives(&backups).remove(0);
    let a = archive.to_str().unwrap();
    let ok = run(work.path(), &["verify", a], &[]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    let mut bytes = std::fs::read(&archive).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&archive, &bytes).unwrap();
    let out = run(work.path(), &["verify", a], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("DB201") && text(&out).contains("damaged"),
        "{}",
        text(&out)
    );
    assert_eq!(manifest(&archive)["verification"]["ok"], false);
    pg.psql("CREATE DATABASE target").unwrap();
    let target = pg.url("target");
    let out = run(
        work.path(),
        &["restore", a, "--into", "T"],
        &[("T", target.as_str())],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(
        pg.psql_in(
            "target",
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        )
        .unwrap(),
        "0"
    );
    let out = run(work.path(), &["check", "--dir", "b"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("DB505"), "{}", text(&out));
    // A missing manifest: DB202.
    std::fs::remove_file(format!("{a}.manifest.json")).unwrap();
    let out = run(work.path(), &["verify", a], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("DB202"), "{}", text(&out));
}

/// The private password directories (and legacy password files) in `tmp`.
fn password_dirs(tmp: &Path) -> Vec<String> {
    all_files(tmp)
        .into_iter()
        .filter(|n| n.starts_with("opskit-db-backup-") || n.starts_with("opskit-pgpass-"))
        .collect()
}

#[expect(unsafe_code, reason = "kill(2) of a child we spawned")]
fn signal(child: &std::process::Child, sig: libc::c_int) {
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: plain integers; the pid is our own child, not yet reaped.
    unsafe {
        libc::kill(pid, sig);
    }
}

#[test]
fn signals_leave_no_password_file_and_a_killed_run_is_swept() {
    use std::os::unix::process::ExitStatusExt;
    let pg = server_with_app();
    let work = tempfile::tempdir().unwrap();
    let tmp = work.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let backups = work.path().join("b");
    let good = pg.url("app");
    let slow = slow_dump(&pg);
    let start = || {
        cmd(
            work.path(),
            &[
                "run",
                "--url",
                "DB",
                "--dir",
                "b",
                "--pg-bin",
                slow.path().to_str().unwrap(),
            ],
        )
        .env("DB", &good)
        .env("TMPDIR", &tmp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
    };
    // Waits until the dump is under way: its partial file and its password file exist.
    let under_way = || {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let partial = all_files(&backups).iter().any(|n| n.contains(".partial-"));
            if partial && !password_dirs(&tmp).is_empty() {
                return;
            }
            assert!(Instant::now() < deadline, "the dump never got under way");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        let mut child = start();
        under_way();
        signal(&child, sig);
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(sig), "{status:?}");
        assert!(
            password_dirs(&tmp).is_empty(),
            "signal {sig}: {:?}",
            password_dirs(&tmp)
        );
        assert!(
            all_files(&backups).is_empty(),
            "signal {sig}: {:?}",
            all_files(&backups)
        );
    }
    // SIGKILL cannot be caught: the password file stays until the next run sweeps it.
    let mut child = start();
    under_way();
    child.kill().unwrap();
    child.wait().unwrap();
    let left = password_dirs(&tmp);
    assert_eq!(left.len(), 1, "{left:?}");
    let out = cmd(work.path(), &["run", "--url", "DB", "--dir", "b"])
        .env("DB", &good)
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(password_dirs(&tmp).is_empty(), "{:?}", password_dirs(&tmp));
}
