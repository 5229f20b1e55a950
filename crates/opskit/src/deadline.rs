//! One deadline for a whole network operation, enforced on every read and write.
//!
//! A timeout set once on a socket bounds each read, not the operation: a server that sends one
//! byte a second never lets a read time out and can hold a client for as long as it likes.
//! [`Deadline`] is a point in time fixed when the operation starts (a probe, a Redis session, a
//! PostgreSQL handshake, a webhook delivery, a child process). [`DeadlineStream`] wraps a
//! `TcpStream` and, before every read and write, sets the socket's timeout to the time that is
//! left, so no read can outlive the deadline by more than the scheduler's margin, whatever the
//! server does. TLS runs on top of a [`DeadlineStream`], so the handshake is bounded too.
//!
//! ```
//! use std::time::Duration;
//! use opskit::deadline::Deadline;
//!
//! let deadline = Deadline::new(Duration::from_secs(2), Duration::from_millis(500));
//! assert!(deadline.connect_limit().unwrap() <= Duration::from_millis(500));
//! assert!(!deadline.expired());
//! ```

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// The shortest socket timeout set: a zero timeout means "none" to the OS.
const MIN_WAIT: Duration = Duration::from_millis(1);

/// When an operation must be over, and how long its connect phase may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    started: Instant,
    total: Duration,
    connect: Duration,
}

impl Deadline {
    /// A deadline `total` from now, whose connect phase (DNS, TCP) may take at most `connect`
    /// (and never more than what is left of `total`).
    pub fn new(total: Duration, connect: Duration) -> Deadline {
        Deadline {
            started: Instant::now(),
            total,
            connect,
        }
    }

    /// A deadline `total` from now, with the whole of it for connecting.
    pub fn after(total: Duration) -> Deadline {
        Deadline::new(total, total)
    }

    /// The whole budget, as given.
    pub fn total(&self) -> Duration {
        self.total
    }

    /// When the operation started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// The time left; zero once the deadline has passed.
    pub fn remaining(&self) -> Duration {
        self.total.saturating_sub(self.started.elapsed())
    }

    /// Whether the deadline has passed.
    pub fn expired(&self) -> bool {
        self.remaining().is_zero()
    }

    /// How long past the deadline it is now (zero before it).
    pub fn overrun(&self) -> Duration {
        self.started.elapsed().saturating_sub(self.total)
    }

    /// The time left, or a `TimedOut` error once there is none.
    pub fn left(&self) -> io::Result<Duration> {
        match self.remaining() {
            left if left.is_zero() => Err(self.timed_out()),
            left => Ok(left),
        }
    }

    /// The limit for the connect phase: its own limit, capped by the time left.
    pub fn connect_limit(&self) -> io::Result<Duration> {
        self.left().map(|left| left.min(self.connect))
    }

    /// The error every deadline-bound operation returns when the time is up.
    pub fn timed_out(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!("the deadline of {} s passed", self.total.as_secs_f64()),
        )
    }

    /// Resolves `host:port` within the connect limit. The system resolver cannot be
    /// interrupted, so it runs on a thread that is abandoned if it is late.
    pub fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let limit = self.connect_limit()?;
        let (send, receive) = std::sync::mpsc::channel();
        let name = host.to_owned();
        std::thread::spawn(move || {
            let _ = send.send((name.as_str(), port).to_socket_addrs().map(Vec::from_iter));
        });
        match receive.recv_timeout(limit) {
            Ok(result) => result,
            Err(_) => Err(self.timed_out()),
        }
    }

    /// Connects to the first address that answers, within the connect limit.
    pub fn connect(&self, addrs: &[SocketAddr]) -> io::Result<TcpStream> {
        let mut last = io::Error::new(io::ErrorKind::NotFound, "the name has no address");
        for addr in addrs {
            let limit = self.connect_limit()?;
            match TcpStream::connect_timeout(addr, limit) {
                Ok(tcp) => return Ok(tcp),
                Err(e) if is_timeout(&e) => return Err(self.timed_out()),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Waits for a child process until the deadline; past it, kills the child and every
    /// process it started (an `npx` runs its tool as a grandchild, which would otherwise keep
    /// running and keep the pipes open) and returns `Ok(None)`.
    pub fn wait(&self, child: &mut Child) -> io::Result<Option<ExitStatus>> {
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(Some(status));
            }
            if self.expired() {
                kill_tree(child.id());
                let _ = child.kill();
                let _ = child.wait();
                return Ok(None);
            }
            std::thread::sleep(
                self.remaining()
                    .min(Duration::from_millis(20))
                    .max(MIN_WAIT),
            );
        }
    }
}

/// The processes `pid` started, and theirs, from Linux's `/proc/PID/task/TID/children`.
fn descendants(pid: u32, out: &mut Vec<u32>) {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return;
    };
    for task in tasks.flatten() {
        let Ok(children) = std::fs::read_to_string(task.path().join("children")) else {
            continue;
        };
        for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
            if !out.contains(&child) && out.len() < 4096 {
                out.push(child);
                descendants(child, out);
            }
        }
    }
}

/// Sends SIGKILL to the descendants of `root` (the root itself is killed through its
/// `Child`). The parents go first, so none is left to start another.
#[cfg(unix)]
#[expect(
    unsafe_code,
    reason = "kill(2) has no memory preconditions; the pids are our own descendants"
)]
fn kill_tree(root: u32) {
    let mut pids = Vec::new();
    descendants(root, &mut pids);
    for pid in pids {
        if let Ok(pid) = libc::pid_t::try_from(pid)
            && pid > 1
        {
            // SAFETY: kill(2) takes plain integers and touches no memory of ours.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

#[cfg(not(unix))]
fn kill_tree(_root: u32) {}

/// Whether an I/O error is a socket timeout (`WouldBlock` on Unix, `TimedOut` elsewhere).
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A TCP stream whose every read and write ends by the deadline.
#[derive(Debug)]
pub struct DeadlineStream {
    tcp: TcpStream,
    deadline: Deadline,
}

impl DeadlineStream {
    /// Wraps a connected stream.
    pub fn new(tcp: TcpStream, deadline: Deadline) -> DeadlineStream {
        let _ = tcp.set_nodelay(true);
        DeadlineStream { tcp, deadline }
    }

    /// Resolves, connects and wraps, all within the deadline.
    pub fn connect(host: &str, port: u16, deadline: Deadline) -> io::Result<DeadlineStream> {
        let addrs = deadline.resolve(host, port)?;
        let tcp = deadline.connect(&addrs)?;
        Ok(DeadlineStream::new(tcp, deadline))
    }

    /// The deadline in force.
    pub fn deadline(&self) -> Deadline {
        self.deadline
    }

    /// Replaces the deadline (a session that starts a new operation).
    pub fn set_deadline(&mut self, deadline: Deadline) {
        self.deadline = deadline;
    }

    /// The socket.
    pub fn tcp(&self) -> &TcpStream {
        &self.tcp
    }

    fn arm(&self, read: bool) -> io::Result<()> {
        let left = self.deadline.left()?.max(MIN_WAIT);
        if read {
            self.tcp.set_read_timeout(Some(left))
        } else {
            self.tcp.set_write_timeout(Some(left))
        }
    }

    fn late(&self, e: io::Error) -> io::Error {
        if is_timeout(&e) {
            self.deadline.timed_out()
        } else {
            e
        }
    }
}

impl Read for DeadlineStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.arm(true)?;
        self.tcp.read(buf).map_err(|e| self.late(e))
    }
}

impl Write for DeadlineStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.arm(false)?;
        self.tcp.write(buf).map_err(|e| self.late(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn a_dripping_peer_cannot_hold_a_read_past_the_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            for _ in 0..50 {
                if s.write_all(b"x").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let deadline = Deadline::after(Duration::from_millis(400));
        let mut stream = DeadlineStream::connect("127.0.0.1", port, deadline).unwrap();
        let mut sink = Vec::new();
        let e = stream.read_to_end(&mut sink).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(!sink.is_empty(), "some bytes came before the deadline");
        assert!(
            deadline.overrun() < Duration::from_millis(150),
            "{:?}",
            deadline.overrun()
        );
    }

    #[test]
    fn a_late_child_is_killed() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let deadline = Deadline::after(Duration::from_millis(200));
        assert_eq!(deadline.wait(&mut child).unwrap(), None);
        assert!(deadline.overrun() < Duration::from_secs(1));
    }

    #[test]
    fn a_late_childs_children_are_killed_too() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("grandchild.pid");
        let mut child = std::process::Command::new("sh")
            .args([
                "-c",
                &format!("sleep 30 & echo $! > {}; wait", marker.display()),
            ])
            .spawn()
            .unwrap();
        let deadline = Deadline::after(Duration::from_millis(300));
        assert_eq!(deadline.wait(&mut child).unwrap(), None);
        let pid = std::fs::read_to_string(&marker).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()));
        // Gone, or a zombie waiting for init to reap it.
        assert!(
            stat.is_err() || stat.unwrap().split(' ').nth(2) == Some("Z"),
            "the grandchild outlived its parent"
        );
    }

    #[test]
    fn connect_limit_is_capped_by_what_is_left() {
        let d = Deadline::new(Duration::from_millis(50), Duration::from_secs(5));
        assert!(d.connect_limit().unwrap() <= Duration::from_millis(50));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(d.left().unwrap_err().kind(), io::ErrorKind::TimedOut);
    }
}
