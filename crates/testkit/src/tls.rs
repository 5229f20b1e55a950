//! A real HTTPS server for probe tests: `openssl s_server -www` on a free loopback port, with
//! a throwaway CA and a certificate for `localhost` and `127.0.0.1` valid for two days.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An HTTPS server answering every request with openssl's status page (HTTP/1.0 200).
#[derive(Debug)]
pub struct TlsServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

/// Runs openssl in `dir`; panics with its error.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run openssl ({e}); install it with `apt-get install openssl`")
        });
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TlsServer {
    /// Starts the server. Panics with the reason (and an install hint) if it cannot.
    pub fn start() -> TlsServer {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        crate::redis::make_certificates(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        TlsServer::serve(dir)
    }

    /// Starts a server whose certificate (signed by its CA) expired on 2024-01-02.
    pub fn start_expired() -> TlsServer {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let d = dir.path();
        crate::redis::make_certificates(d).unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(d.join("db")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(d.join("db/index.txt"), "").unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(d.join("db/serial"), "1000\n").unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            d.join("ca.cnf"),
            "[ca]\ndefault_ca=x\n[x]\ndatabase=db/index.txt\nnew_certs_dir=db\nserial=db/serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        openssl(
            d,
            &[
                "ca",
                "-batch",
                "-config",
                "ca.cnf",
                "-cert",
                "ca.crt",
                "-keyfile",
                "ca.key",
                "-in",
                "server.csr",
                "-out",
                "server.crt",
                "-extfile",
                "ext.cnf",
                "-startdate",
                "20240101000000Z",
                "-enddate",
                "20240102000000Z",
            ],
        );
        TlsServer::serve(dir)
    }

    fn serve(dir: tempfile::TempDir) -> TlsServer {
        let port = crate::free_port();
        let child = Command::new("openssl")
            .args(["s_server", "-quiet", "-www", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-cert", "server.crt", "-key", "server.key"])
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run openssl s_server ({e}); install it with `apt-get install openssl`"
                )
            });
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "openssl s_server did not listen on {port} within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        TlsServer { child, port, dir }
    }

    /// `https://localhost:PORT/`.
    pub fn url(&self) -> String {
        format!("https://localhost:{}/", self.port)
    }

    /// The CA that signed the server's certificate (PEM).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
