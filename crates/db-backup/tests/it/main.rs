//! db-backup end to end: a real PostgreSQL from testkit holding a Supabase-shaped database, the
//! real pg_dump/pg_restore/pg_dumpall, and the binary as users run it.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

mod docs;
mod faults;
mod retention;
mod roundtrip;
mod transcripts;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use testkit::PostgresServer;
pub use testkit::output_text as text;

/// The Supabase-shaped fixture.
pub const FIXTURE: &str = include_str!("supabase-like.sql");

/// A command for the binary with a clean environment (no database URL inherited).
pub fn cmd(dir: &Path, args: &[&str]) -> Command {
    testkit::cli(env!("CARGO_BIN_EXE_db-backup"))
        .dir(dir)
        .args(args)
        .into_command()
}

/// Runs the binary with extra environment variables.
pub fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = cmd(dir, args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// A server with database `app` holding the fixture.
pub fn server_with_app() -> PostgresServer {
    let pg = PostgresServer::start();
    pg.psql("CREATE DATABASE app").unwrap();
    pg.psql_in("app", FIXTURE).unwrap();
    pg
}

/// The backups (archives, not manifests) of a directory, sorted.
pub fn archives(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            !name.starts_with('.') && !name.ends_with(".manifest.json")
        })
        .collect();
    out.sort();
    out
}

/// The manifest of an archive, as JSON.
pub fn manifest(archive: &Path) -> serde_json::Value {
    let path = format!("{}.manifest.json", archive.display());
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A directory of shell scripts standing in front of the real client programs: each logs its
/// arguments and the password file's mode to `$RECORD`, then runs the real program. `extra` is
/// shell run first (it may exit).
pub fn wrappers(real: &Path, extra: &str) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    for name in ["pg_dump", "pg_restore", "pg_dumpall", "psql"] {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\n{extra}\nif [ -n \"$RECORD\" ]; then printf '%s ' {name} \"$@\" >> \"$RECORD\"; printf '\\nPGPASSFILE mode %s PGPASSWORD=%s\\n' \"$(stat -c %a \"$PGPASSFILE\" 2>/dev/null)\" \"${{PGPASSWORD:-unset}}\" >> \"$RECORD\"; fi\nexec {} \"$@\"\n",
                real.join(name).display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

/// `pg_restore --list` of an archive, decompressed by the library.
pub fn toc(pg: &PostgresServer, archive: &Path) -> String {
    let mut child = Command::new(pg.bin_dir().join("pg_restore"))
        .arg("--list")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    opskit_db_backup::archive::feed(archive, stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The decompressed archive as text (SQL archives).
pub fn decompressed(archive: &Path) -> String {
    let mut out = Vec::new();
    opskit_db_backup::archive::feed(archive, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}
