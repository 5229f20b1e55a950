//! A real PostgreSQL on a free loopback port, in its own data directory.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::INSTALL_HINT;
use crate::process::{die_with_parent, free_port, is_root, run_as, stop, tail, user_ids};

/// The unprivileged user PostgreSQL runs as when the tests run as root.
pub const UNPRIVILEGED_USER: &str = "nobody";

/// A running PostgreSQL server (superuser `postgres`, password authentication over TCP),
/// stopped with a fast shutdown (SIGINT, then SIGKILL) and removed on drop.
#[derive(Debug)]
pub struct PostgresServer {
    child: Child,
    port: u16,
    password: String,
    bin: PathBuf,
    dir: tempfile::TempDir,
}

/// The directory holding `initdb` and `postgres`: PATH first, then the newest
/// `/usr/lib/postgresql/<major>/bin` (where Debian puts them, off PATH).
fn bin_dir() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|d| d.join("initdb").is_file() && d.join("postgres").is_file());
    if let Some(dir) = on_path {
        // Debian's images may link initdb into /usr/local/bin; the real directory also holds
        // pg_dump and pg_restore of the same major version.
        return std::fs::canonicalize(dir.join("initdb"))
            .ok()
            .and_then(|p| p.parent().map(Path::to_owned))
            .unwrap_or(dir);
    }
    let mut majors: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
                .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").is_file())
                .collect()
        })
        .unwrap_or_default();
    majors.sort();
    match majors.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL server binaries (initdb, postgres) were not found on PATH or in /usr/lib/postgresql/*/bin; \
             install them with `apt-get install postgresql` {INSTALL_HINT}"
        ),
    }
}

fn psql_binary(bin: &Path) -> PathBuf {
    let local = bin.join("psql");
    if local.is_file() {
        local
    } else {
        PathBuf::from("psql")
    }
}

fn random_password() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    format!("pw{:016x}", h.finish())
}

impl PostgresServer {
    /// Starts a fresh cluster. Panics with the reason (and an install hint when the binaries
    /// are missing) if it cannot.
    pub fn start() -> PostgresServer {
        let bin = bin_dir();
        let owner = if is_root() {
            match user_ids(UNPRIVILEGED_USER) {
                Some(ids) => Some(ids),
                None => panic!(
                    "running as root, PostgreSQL needs an unprivileged user; `{UNPRIVILEGED_USER}` is not in /etc/passwd"
                ),
            }
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("opskit-pg-")
            .tempdir_in("/tmp")
            .unwrap_or_else(|e| panic!("cannot create a temporary directory in /tmp: {e}"));
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap_or_else(|e| {
                panic!(
                    "cannot hand {} to {UNPRIVILEGED_USER}: {e}",
                    dir.path().display()
                )
            });
        }
        let password = random_password();
        let pwfile = dir.path().join("pwfile");
        std::fs::write(&pwfile, format!("{password}\n"))
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", pwfile.display()));
        if let Some((uid, gid)) = owner {
            let _ = std::os::unix::fs::chown(&pwfile, Some(uid), Some(gid));
        }
        let data = dir.path().join("data");
        let init_log = dir.path().join("initdb.log");
        let log_file = std::fs::File::create(&init_log)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", init_log.display()));
        if let Some((uid, gid)) = owner {
            let _ = std::os::unix::fs::chown(&init_log, Some(uid), Some(gid));
        }
        let mut initdb = Command::new(bin.join("initdb"));
        initdb
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap_or_else(|e| panic!("{e}")))
            .stderr(log_file);
        run_as(&mut initdb, owner);
        let status = initdb
            .status()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.join("initdb").display()));
        assert!(
            status.success(),
            "initdb failed ({status}):\n{}",
            tail(&init_log)
        );
        let _ = std::fs::remove_file(&pwfile);

        let mut last_error = String::new();
        for _ in 0..5 {
            match PostgresServer::launch(&bin, &data, dir.path(), owner) {
                Ok((mut child, port)) => {
                    match wait_ready(&mut child, &bin, port, &password, dir.path()) {
                        Ok(()) => {
                            return PostgresServer {
                                child,
                                port,
                                password,
                                bin,
                                dir,
                            };
                        }
                        Err(e) => {
                            stop(&mut child, libc::SIGINT, Duration::from_secs(10));
                            last_error = e;
                        }
                    }
                }
                Err(e) => last_error = e,
            }
        }
        panic!("PostgreSQL did not start after 5 tries: {last_error}");
    }

    fn launch(
        bin: &Path,
        data: &Path,
        dir: &Path,
        owner: Option<(u32, u32)>,
    ) -> Result<(Child, u16), String> {
        let port = free_port();
        let log = dir.join("postgres.log");
        let file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        if let Some((uid, gid)) = owner {
            let _ = std::os::unix::fs::chown(&log, Some(uid), Some(gid));
        }
        let mut cmd = Command::new(bin.join("postgres"));
        cmd.arg("-D")
            .arg(data)
            .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"])
            .arg("-c")
            .arg(format!("unix_socket_directories={}", dir.display()))
            .args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ])
            .args(["-c", "shared_buffers=16MB", "-c", "max_connections=30"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(file.try_clone().map_err(|e| e.to_string())?)
            .stderr(file);
        run_as(&mut cmd, owner);
        die_with_parent(&mut cmd, libc::SIGINT);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot run postgres: {e}"))?;
        Ok((child, port))
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The postmaster's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The superuser's password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The directory holding the data directory and logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The directory of the server binaries (pg_dump, pg_restore live there too).
    pub fn bin_dir(&self) -> &Path {
        &self.bin
    }

    /// `postgres://postgres:PASSWORD@127.0.0.1:PORT/DB`.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://postgres:{}@127.0.0.1:{}/{db}",
            self.password, self.port
        )
    }

    /// Runs SQL through `psql` over TCP (the password goes in `PGPASSWORD`, never on the
    /// command line) and returns the unaligned, tuples-only output, trimmed.
    pub fn psql(&self, sql: &str) -> Result<String, String> {
        self.psql_in("postgres", sql)
    }

    /// [`PostgresServer::psql`] in database `db`.
    pub fn psql_in(&self, db: &str, sql: &str) -> Result<String, String> {
        run_psql(&self.bin, self.port, &self.password, db, sql)
    }
}

fn run_psql(bin: &Path, port: u16, password: &str, db: &str, sql: &str) -> Result<String, String> {
    let out = Command::new(psql_binary(bin))
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres"])
        .args(["-p", &port.to_string(), "-d", db, "-c", sql])
        .env("PGPASSWORD", password)
        .env("PGCONNECT_TIMEOUT", "5")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run psql: {e}; install it with `apt-get install postgresql-client` {INSTALL_HINT}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

fn wait_ready(
    child: &mut Child,
    bin: &Path,
    port: u16,
    password: &str,
    dir: &Path,
) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let log = dir.join("postgres.log");
    loop {
        if run_psql(bin, port, password, "postgres", "SELECT 1").is_ok_and(|out| out == "1") {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "postgres exited with {status} on port {port}:\n{}",
                tail(&log)
            ));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "postgres on port {port} did not accept queries within 30 s:\n{}",
                tail(&log)
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        // SIGINT is PostgreSQL's fast shutdown: it ends sessions and checkpoints.
        stop(&mut self.child, libc::SIGINT, Duration::from_secs(10));
    }
}
