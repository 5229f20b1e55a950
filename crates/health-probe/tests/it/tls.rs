//! TLS: certificate expiry thresholds, trust, and an expired certificate.

use super::run;
use testkit::TlsServer;
use testkit::output_text as text;

#[test]
fn tls_expiry_and_trust() {
    let server = TlsServer::start();
    let dir = tempfile::tempdir().unwrap();
    let ca = server.ca_file().display().to_string();
    // The test certificate lives two days: under the default 7-day critical threshold.
    let out = run(dir.path(), &[&server.url(), "--cacert", &ca]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("HP005") && text(&out).contains("critical under 7"),
        "{}",
        text(&out)
    );
    std::fs::write(dir.path().join("opskit.toml"), format!("[[health-probe.targets]]\nname = \"site\"\nurl = \"{}\"\nca_file = \"{ca}\"\ncert_warning_days = 3\ncert_critical_days = 1\n", server.url())).unwrap();
    let out = run(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let untrusted = run(dir.path(), &[&server.url()]);
    assert_eq!(untrusted.status.code(), Some(2));
    assert!(text(&untrusted).contains("TLS"), "{}", text(&untrusted));
}

#[test]
fn an_expired_certificate_is_down_and_says_so() {
    let server = TlsServer::start_expired();
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            &server.url(),
            "--cacert",
            &server.ca_file().display().to_string(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("HP001") && text(&out).to_lowercase().contains("expired"),
        "{}",
        text(&out)
    );
}
