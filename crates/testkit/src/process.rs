//! Processes: free ports, privilege drop, signals, and cleanup that leaves nothing behind.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A TCP port on 127.0.0.1 that was free a moment ago. The caller binds it right away and
/// retries with another port if a parallel test got there first.
pub fn free_port() -> u16 {
    match TcpListener::bind(("127.0.0.1", 0)).and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(e) => panic!("cannot find a free loopback port: {e}"),
    }
}

/// Whether this process runs as root.
#[expect(unsafe_code, reason = "geteuid has no preconditions")]
pub fn is_root() -> bool {
    // SAFETY: geteuid cannot fail and touches no memory.
    unsafe { libc::geteuid() == 0 }
}

/// Whether a process with this pid exists (and is not a zombie we already reaped).
pub fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // Field 3 is the state; Z is a zombie, X dead.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !matches!(rest.trim_start().chars().next(), Some('Z' | 'X'))),
        Err(_) => false,
    }
}

/// Asks the kernel to send `signal` to the child when the test thread that started it dies, so
/// a test binary killed mid-run does not leave servers behind.
#[expect(unsafe_code, reason = "pre_exec and prctl: see the SAFETY note")]
pub(crate) fn die_with_parent(cmd: &mut Command, signal: libc::c_int) {
    // SAFETY: the closure runs between fork and exec and calls only prctl, which is
    // async-signal-safe and allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, signal) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Sends `signal` to `pid`.
#[expect(unsafe_code, reason = "kill with a pid we own")]
pub(crate) fn signal(pid: u32, signal: libc::c_int) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: kill takes plain integers; the worst outcome is ESRCH.
    unsafe {
        libc::kill(pid, signal);
    }
}

/// Stops a child: `first` signal, up to `grace` to exit, then SIGKILL. Always reaps it.
pub(crate) fn stop(child: &mut Child, first: libc::c_int, grace: Duration) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    signal(child.id(), first);
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The uid and gid of a user, from /etc/passwd.
pub(crate) fn user_ids(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != name {
            return None;
        }
        let _password = fields.next()?;
        let uid = fields.next()?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some((uid, gid))
    })
}

/// Runs `cmd` as `ids` when given.
pub(crate) fn run_as(cmd: &mut Command, ids: Option<(u32, u32)>) {
    if let Some((uid, gid)) = ids {
        cmd.uid(uid).gid(gid);
    }
}

/// Reads a log file for an error message, at most its last 40 lines.
pub(crate) fn tail(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Blocks until standard input closes: how a helper process (a benchmark's servers) knows that
/// the harness that started it is done.
pub fn wait_for_stdin_eof() {
    use std::io::BufRead;
    let mut sink = String::new();
    while std::io::stdin()
        .lock()
        .read_line(&mut sink)
        .is_ok_and(|n| n > 0)
    {
        sink.clear();
    }
}

/// Everything a finished command printed: standard output, then standard error (for a test's
/// assertion messages).
pub fn output_text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
