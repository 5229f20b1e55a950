//! Files that must not outlive the run: the private password file and a backup being written.
//!
//! A [`PrivateDir`] is a directory only this user can enter (mode 0700), named
//! `opskit-db-backup-PID-…` in the temporary directory. It is removed when dropped, when the
//! process gets SIGTERM, SIGINT or SIGHUP (a handler thread removes every registered path, then
//! lets the signal end the process as it would have), and, should a SIGKILL leave one behind,
//! at the next start: [`sweep`] removes those whose process is gone.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

/// Paths to remove if a signal ends the run.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static HANDLERS: Once = Once::new();

/// The prefix of every private directory's name.
pub const PREFIX: &str = "opskit-db-backup-";
/// The prefix of the password files of earlier versions, which lived in the temporary
/// directory itself.
const LEGACY_PREFIX: &str = "opskit-pgpass-";

/// Registers `path` for removal if a signal ends the run.
pub fn register(path: &Path) {
    install_handlers();
    if let Ok(mut live) = LIVE.lock() {
        live.push(path.to_owned());
    }
}

/// Forgets `path` (removed, or committed under its final name).
pub fn unregister(path: &Path) {
    if let Ok(mut live) = LIVE.lock() {
        live.retain(|p| p != path);
    }
}

fn remove(path: &Path) {
    if path.is_dir() {
        let _ = std::fs::remove_dir_all(path);
    } else {
        let _ = std::fs::remove_file(path);
    }
}

fn install_handlers() {
    HANDLERS.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                if let Ok(live) = LIVE.lock() {
                    for path in live.iter() {
                        remove(path);
                    }
                }
                // End as the signal would have: the exit status still says which signal.
                let _ = signal_hook::low_level::emulate_default_handler(signal);
            }
        });
    });
}

/// A private directory, removed with everything in it on drop and on SIGTERM/SIGINT/SIGHUP.
#[derive(Debug)]
pub struct PrivateDir {
    path: PathBuf,
}

impl PrivateDir {
    /// Creates one in the temporary directory, after sweeping those dead runs left.
    pub fn new() -> io::Result<PrivateDir> {
        use std::os::unix::fs::DirBuilderExt;
        let tmp = std::env::temp_dir();
        let mut last = None;
        for attempt in 0..16u32 {
            let path = tmp.join(format!(
                "{PREFIX}{}-{}-{attempt}",
                std::process::id(),
                opskit::time::since_epoch().as_nanos()
            ));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => {
                    register(&path);
                    let dir = PrivateDir { path };
                    sweep(&tmp, &dir.path);
                    return Ok(dir);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
        unregister(&self.path);
    }
}

/// Whether process `pid` is running (Linux's /proc). The partial backups and the private
/// directories of processes that are not are leftovers of a killed run.
pub fn process_running(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// The process id in a private directory's (or a legacy password file's) name.
fn owner_pid(name: &str) -> Option<u32> {
    let rest = name
        .strip_prefix(PREFIX)
        .or_else(|| name.strip_prefix(LEGACY_PREFIX))?;
    rest.split('-').next()?.parse().ok()
}

/// Removes, from `tmp`, the private directories and legacy password files of processes that
/// are gone, owned by the same user as `ours` (a directory just made by this process).
pub fn sweep(tmp: &Path, ours: &Path) {
    use std::os::unix::fs::MetadataExt;
    // Without /proc, whether a process is alive cannot be told: nothing is removed.
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(me) = std::fs::metadata(ours).map(|m| m.uid()) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = owner_pid(&name) else {
            continue;
        };
        let path = entry.path();
        let ours_by_uid = std::fs::symlink_metadata(&path).is_ok_and(|m| m.uid() == me);
        if ours_by_uid && pid != std::process::id() && !process_running(pid) {
            remove(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_dirs_are_private_and_removed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = PrivateDir::new().unwrap();
        let path = dir.path().to_owned();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o700
        );
        std::fs::write(path.join("pgpass"), "x").unwrap();
        drop(dir);
        assert!(!path.exists());
    }

    #[test]
    fn the_leftovers_of_dead_processes_are_swept() {
        let tmp = tempfile::tempdir().unwrap();
        let ours = tmp
            .path()
            .join(format!("{PREFIX}{}-1-0", std::process::id()));
        std::fs::create_dir(&ours).unwrap();
        // A pid that cannot be running (above the kernel's maximum).
        let dead = tmp.path().join(format!("{PREFIX}4294967-1-0"));
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join("pgpass"), "h:1:*:u:pw").unwrap();
        let legacy = tmp.path().join(format!("{LEGACY_PREFIX}4294967-5-0"));
        std::fs::write(&legacy, "h:1:*:u:pw").unwrap();
        let alive = tmp.path().join(format!("{PREFIX}1-1-0"));
        std::fs::create_dir(&alive).unwrap();
        sweep(tmp.path(), &ours);
        assert!(!dead.exists() && !legacy.exists());
        assert!(ours.exists(), "our own directory is kept");
        assert!(alive.exists(), "pid 1 is alive: its directory is kept");
    }
}
