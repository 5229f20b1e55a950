//! Running a side: wall time and peak memory of a child process, `--runs` times.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;

use super::Side;

/// One run's measurements.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Wall time.
    pub wall: Duration,
    /// Peak resident set size in bytes.
    pub max_rss: u64,
    /// CPU time (user + system) of the process and the children it waited for.
    pub cpu: Duration,
}

pub(super) fn measure(side: &Side, runs: usize) -> Result<Vec<Sample>> {
    let (program, args) = side
        .command
        .split_first()
        .ok_or("a side without a command")?;
    // One warm-up run, not recorded, so the page cache is the same for every recorded run.
    run_once(program, args)?;
    (0..runs).map(|_| run_once(program, args)).collect()
}

#[expect(
    unsafe_code,
    reason = "wait4 is the only way to read one child's peak memory"
)]
pub(super) fn run_once(program: &str, args: &[String]) -> Result<Sample> {
    let started = Instant::now();
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let pid = libc::pid_t::try_from(child.id())?;
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in; zeroed is a valid value for it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child; status and usage point to live locals.
    let waited = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
    let wall = started.elapsed();
    if waited != pid {
        return Err(format!("wait4 on {program}: {}", std::io::Error::last_os_error()).into());
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr {
            let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
        }
        return Err(format!(
            "{program} {} failed (wait status {status}): {stderr}",
            args.join(" ")
        )
        .into());
    }
    // ru_maxrss is in kilobytes on Linux.
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    Ok(Sample {
        wall,
        max_rss: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
    })
}
