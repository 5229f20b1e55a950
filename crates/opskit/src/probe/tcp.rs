//! A plain TCP connect probe: resolve, connect, close, timed.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// How long resolving and connecting took.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Connected {
    /// Name resolution.
    pub dns: Duration,
    /// The TCP handshake.
    pub connect: Duration,
}

/// Connects to `host:port` within `timeout`; the error says which phase failed.
pub fn connect(host: &str, port: u16, timeout: Duration) -> Result<Connected, String> {
    let t = Instant::now();
    let addr = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host} has no address"))?;
    let dns = t.elapsed();
    let t = Instant::now();
    TcpStream::connect_timeout(&addr, timeout).map_err(|e| match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => format!(
            "connecting to {addr} took longer than {:.1} s",
            timeout.as_secs_f64()
        ),
        _ => format!("cannot connect to {addr}: {e}"),
    })?;
    Ok(Connected {
        dns,
        connect: t.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_and_closed_ports() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        assert!(connect("127.0.0.1", port, Duration::from_secs(1)).is_ok());
        drop(listener);
        assert!(
            connect("127.0.0.1", port, Duration::from_secs(1))
                .unwrap_err()
                .contains("cannot connect")
        );
        assert!(
            connect("no-such-host.invalid", 80, Duration::from_secs(1))
                .unwrap_err()
                .contains("resolve")
        );
    }
}
