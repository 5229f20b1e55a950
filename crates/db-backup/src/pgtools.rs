//! The PostgreSQL client programs (`pg_dump`, `pg_restore`, `pg_dumpall`, `psql`): finding a
//! version that can talk to the server, and handing them a connection without ever putting the
//! password on a command line.
//!
//! The connection goes to the programs as a libpq keyword/value string without a password
//! (`host=... port=... user=... dbname=... sslmode=...`), and the password in a password file
//! (`PGPASSFILE`) that only this user can read and that is removed when the run ends. `ps`,
//! `/proc/PID/cmdline` and shell history never see it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cleanup::PrivateDir;
use opskit::probe::postgres::PgUrl;

/// One client program, found and versioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// Where it is.
    pub path: PathBuf,
    /// `15.14`.
    pub version: String,
    /// `15`.
    pub major: u32,
}

/// Why a client program cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    /// Not installed anywhere we look.
    #[error(
        "{name} was not found (looked in {looked}); install the PostgreSQL client of your server's major version or newer, for example `apt-get install postgresql-client-16`, or point --pg-bin (pg_bin in [db-backup]) at its directory"
    )]
    Missing {
        /// The program.
        name: String,
        /// The places searched.
        looked: String,
    },
    /// Every installed version is older than the server: pg_dump refuses to dump a newer server.
    #[error(
        "{name} {found} is older than the server (PostgreSQL {server}): pg_dump cannot dump a newer server; install postgresql-client-{server_major} (Debian/Ubuntu: apt-get install postgresql-client-{server_major} from apt.postgresql.org) or point --pg-bin at a {server_major}+ bin directory"
    )]
    TooOld {
        /// The program.
        name: String,
        /// The versions found.
        found: String,
        /// The server's version.
        server: String,
        /// The server's major version.
        server_major: u32,
    },
}

/// The major version of a `server_version` (`15.8`, `16.4 (Debian ...)`): its first number.
/// Versions before 10 (`9.6.24`) give 9, which is all the comparison with a supported server
/// needs: older than any of them.
pub fn major_of(version: &str) -> Option<u32> {
    version
        .trim()
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// `--version` of a program: `pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)` -> `15.14`.
fn version_of(path: &Path) -> Option<String> {
    let out = Command::new(path).arg("--version").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(str::to_owned)
}

/// The directories searched, in order: `explicit` alone when given; otherwise PATH, then
/// Debian's `/usr/lib/postgresql/<major>/bin`, newest first.
fn search_dirs(explicit: Option<&Path>) -> Vec<PathBuf> {
    if let Some(dir) = explicit {
        return vec![dir.to_owned()];
    }
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    let mut majors: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
                .collect()
        })
        .unwrap_or_default();
    majors.sort_by_key(|m| std::cmp::Reverse(m.0));
    dirs.extend(majors.into_iter().map(|(_, d)| d));
    dirs
}

/// Finds `name` in a version that can work with a server of `server_version` (any version when
/// the server's is unknown): the first one on the search path that is new enough.
pub fn find(
    name: &str,
    explicit: Option<&Path>,
    server_version: Option<&str>,
) -> Result<Program, ToolError> {
    let dirs = search_dirs(explicit);
    let server_major = server_version.and_then(major_of);
    let mut found = Vec::new();
    for dir in &dirs {
        let path = dir.join(name);
        if !path.is_file() || found.iter().any(|p: &Program| p.path == path) {
            continue;
        }
        let Some(version) = version_of(&path) else {
            continue;
        };
        let Some(major) = major_of(&version) else {
            continue;
        };
        let program = Program {
            path,
            version,
            major,
        };
        if server_major.is_none_or(|s| major >= s) {
            return Ok(program);
        }
        found.push(program);
    }
    if found.is_empty() {
        let looked = if dirs.is_empty() {
            "nowhere: PATH is empty".to_owned()
        } else {
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(ToolError::Missing {
            name: name.to_owned(),
            looked,
        });
    }
    Err(ToolError::TooOld {
        name: name.to_owned(),
        found: found
            .iter()
            .map(|p| format!("{} ({})", p.version, p.path.display()))
            .collect::<Vec<_>>()
            .join(", "),
        server: server_version.unwrap_or("?").to_owned(),
        server_major: server_major.unwrap_or(0),
    })
}

/// A libpq keyword/value connection string for `url`, without the password.
pub fn conninfo(url: &PgUrl, database: &str) -> String {
    fn quoted(v: &str) -> String {
        format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
    }
    format!(
        "host={} port={} user={} dbname={} sslmode={} application_name=opskit-db-backup connect_timeout=10",
        quoted(&url.host),
        url.port,
        quoted(&url.user),
        quoted(database),
        url.sslmode
    )
}

/// A `.pgpass` file holding one password, in a [`PrivateDir`] (mode 0700; the file 0600),
/// removed on drop, on SIGTERM/SIGINT/SIGHUP, and by the next run's sweep after a SIGKILL.
#[derive(Debug)]
pub struct PassFile {
    dir: PrivateDir,
    path: PathBuf,
}

impl PassFile {
    /// Writes `host:port:*:user:password` (the database is a wildcard, so the same file serves
    /// a scratch database) to a new private directory.
    pub fn new(url: &PgUrl) -> std::io::Result<PassFile> {
        use std::os::unix::fs::OpenOptionsExt;
        fn field(v: &str) -> String {
            v.replace('\\', "\\\\").replace(':', "\\:")
        }
        let line = format!(
            "{}:{}:*:{}:{}\n",
            field(&url.host),
            url.port,
            field(&url.user),
            field(url.password.as_deref().unwrap_or_default())
        );
        let dir = PrivateDir::new()?;
        let path = dir.path().join("pgpass");
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        f.write_all(line.as_bytes())?;
        Ok(PassFile { dir, path })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The private directory it is in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// A command for a client program with the connection's environment: the password file, no
/// `PGPASSWORD` (it would win over the file) and no other libpq variable that could redirect the
/// connection.
pub fn command(program: &Program, pass: &PassFile) -> Command {
    let mut cmd = Command::new(&program.path);
    for var in [
        "PGPASSWORD",
        "PGHOST",
        "PGHOSTADDR",
        "PGPORT",
        "PGUSER",
        "PGDATABASE",
        "PGSERVICE",
        "PGSERVICEFILE",
        "PGOPTIONS",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("PGPASSFILE", pass.path());
    cmd.env("PGCONNECT_TIMEOUT", "10");
    cmd
}

/// What a client program's error output means, as a message that says what to do.
pub fn explain(stderr: &str, who: &str) -> String {
    let text = stderr.trim();
    let lower = text.to_ascii_lowercase();
    let reason = if lower.contains("password authentication failed")
        || lower.contains("no password supplied")
        || lower.contains("28p01")
    {
        format!(
            "authentication failed for {who}: check the password in the connection URL (Supabase: Project Settings > Database; reset it there if unsure)"
        )
    } else if lower.contains("server version mismatch") {
        format!(
            "pg_dump is older than the server at {who}: install the server's major version of postgresql-client or point --pg-bin at it"
        )
    } else if lower.contains("connection refused")
        || lower.contains("could not connect")
        || lower.contains("could not translate host name")
        || lower.contains("timeout expired")
    {
        format!("cannot connect to {who}: is the server up and the host and port right?")
    } else if lower.contains("no space left on device") {
        format!("the disk is full while working on {who}")
    } else if lower.contains("permission denied") {
        format!(
            "{who} lacks a privilege pg_dump needs (see the message below); dump as the database owner or the postgres user"
        )
    } else {
        format!("{who}: the PostgreSQL client failed")
    };
    let detail: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = detail
        .iter()
        .rev()
        .take(6)
        .rev()
        .copied()
        .collect::<Vec<_>>()
        .join("\n  ");
    if tail.is_empty() {
        reason
    } else {
        format!("{reason}\n  {tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majors() {
        assert_eq!(major_of("15.8"), Some(15));
        assert_eq!(major_of("16.4 (Debian 16.4-1.pgdg120+1)"), Some(16));
        assert_eq!(major_of("9.6.24"), Some(9));
        assert_eq!(major_of("17beta1"), Some(17));
        assert_eq!(major_of("x"), None);
    }

    #[test]
    fn conninfo_has_no_password_and_quotes_values() {
        let url: PgUrl = "postgres://o'brien:s3cr%3At@db.example.com:6543/app?sslmode=require"
            .parse()
            .unwrap();
        let c = conninfo(&url, "app");
        assert!(!c.contains("s3cr"));
        assert!(c.contains("user='o\\'brien'"), "{c}");
        assert!(c.contains("port=6543") && c.contains("sslmode=require"));
    }

    #[test]
    fn passfile_is_private_escaped_and_removed() {
        use std::os::unix::fs::PermissionsExt;
        let url: PgUrl = "postgres://app:a%3Ab%5Cc@h:5/db".parse().unwrap();
        let pass = PassFile::new(&url).unwrap();
        let path = pass.path().to_owned();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "h:5:*:app:a\\:b\\\\c\n"
        );
        let dir = pass.dir().to_owned();
        drop(pass);
        assert!(!path.exists() && !dir.exists());
    }

    #[test]
    fn errors_are_explained() {
        let e = explain(
            "pg_dump: error: connection to server at \"127.0.0.1\", port 5 failed: FATAL:  password authentication failed for user \"postgres\"",
            "postgres@127.0.0.1/app",
        );
        assert!(e.starts_with("authentication failed"), "{e}");
        let e = explain(
            "pg_dump: error: aborting because of server version mismatch",
            "x",
        );
        assert!(e.contains("older than the server"));
        assert!(
            explain("could not connect to server: Connection refused", "x")
                .contains("cannot connect")
        );
    }
}
