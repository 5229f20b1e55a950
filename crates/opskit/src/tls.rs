//! The one TLS client configuration every opskit connection uses (Redis over `rediss://`,
//! HTTPS probes): rustls with the ring provider, certificates and host names always verified.

use std::sync::Arc;

/// Why no TLS client configuration could be made.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The CA file could not be read.
    #[error("cannot read the CA file {}: {source}", path.display())]
    CaFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The CA file is not a usable PEM certificate file.
    #[error("{} {reason}", path.display())]
    BadCaFile {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// rustls refused the configuration.
    #[error("{0}")]
    Rustls(#[from] rustls::Error),
}

/// The client TLS configuration: the Mozilla roots (webpki-roots), or only the CAs of
/// `ca_file`. Certificates and host names are always verified.
pub fn client_config(
    ca_file: Option<&std::path::Path>,
) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            let pem = std::fs::read(path).map_err(|source| TlsError::CaFile {
                path: path.to_owned(),
                source,
            })?;
            let mut added = 0;
            for cert in CertificateDer::pem_slice_iter(&pem) {
                let bad = |reason: String| TlsError::BadCaFile {
                    path: path.to_owned(),
                    reason,
                };
                let cert = cert.map_err(|e| bad(format!("is not a PEM certificate file: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| bad(format!("holds a certificate rustls cannot use: {e}")))?;
                added += 1;
            }
            if added == 0 {
                return Err(TlsError::BadCaFile {
                    path: path.to_owned(),
                    reason: "holds no PEM certificate".to_owned(),
                });
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Rustls)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
