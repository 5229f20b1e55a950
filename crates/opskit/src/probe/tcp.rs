//! A plain TCP connect probe: resolve, connect, close, timed.

use std::time::{Duration, Instant};

/// How long resolving and connecting took.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Connected {
    /// Name resolution.
    pub dns: Duration,
    /// The TCP handshake.
    pub connect: Duration,
}

/// Which phase of a TCP probe failed.
#[derive(Debug, thiserror::Error)]
pub enum TcpError {
    /// The name does not resolve (or resolves to nothing).
    #[error("cannot resolve {host}: {reason}")]
    Resolve {
        /// The name.
        host: String,
        /// Why.
        reason: String,
    },
    /// The connection was refused or failed.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// Where.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The handshake did not finish in time.
    #[error("connecting to {addr} took longer than {:.1} s", limit.as_secs_f64())]
    Timeout {
        /// Where.
        addr: std::net::SocketAddr,
        /// The limit.
        limit: Duration,
    },
}

/// Connects to `host:port` within `timeout` (name resolution included, under the same
/// [`Deadline`](crate::deadline::Deadline)); the error says which phase failed.
pub fn connect(host: &str, port: u16, timeout: Duration) -> Result<Connected, TcpError> {
    let deadline = crate::deadline::Deadline::after(timeout);
    let t = Instant::now();
    let resolve = |reason: String| TcpError::Resolve {
        host: host.to_owned(),
        reason,
    };
    let addr = *deadline
        .resolve(host, port)
        .map_err(|e| resolve(e.to_string()))?
        .first()
        .ok_or_else(|| resolve("it has no address".to_owned()))?;
    let dns = t.elapsed();
    let t = Instant::now();
    deadline.connect(&[addr]).map_err(|source| {
        if crate::deadline::is_timeout(&source) {
            TcpError::Timeout {
                addr,
                limit: timeout,
            }
        } else {
            TcpError::Connect { addr, source }
        }
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
                .to_string()
                .contains("cannot connect")
        );
        assert!(
            connect("no-such-host.invalid", 80, Duration::from_secs(1))
                .unwrap_err()
                .to_string()
                .contains("resolve")
        );
    }
}
