//! Private keys: PEM (RSA, EC, DSA, PKCS#8, encrypted), OpenSSH, PGP. Public keys and
//! certificates are not secrets and never match.

use super::{BASE, Candidate, Rule};

/// A PEM key inside a Google service-account file is reported as the service-account key.
fn not_service_account_json(c: &Candidate<'_>) -> bool {
    !(c.line.contains("\"private_key\"")
        && memchr::memmem::find(c.file, b"service_account").is_some())
}

pub(super) const RULES: &[&Rule] = &[
    &Rule {
        code: "SEC066",
        id: "private-key",
        title: "Private key (PEM)",
        impact: "Decrypts the traffic or signs as the server, user or service the key belongs to.",
        keywords: &["private key-----"],
        patterns: &[
            r"-----BEGIN (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----(?P<s>(?:\s|\\n|\\r)*[A-Za-z0-9+/=][A-Za-z0-9+/=\s\\]{62,}?)-----END (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----",
        ],
        scope: super::Scope::File,
        validate: Some(not_service_account_json),
        rotate: "generate a new key pair, replace the certificate or authorized key, and revoke the old one",
        examples: &[
            "{pem:RSA PRIVATE KEY}",
            "const key = \"{pemjson:PRIVATE KEY}\";",
        ],
        counter_examples: &[
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
            "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
            "if (pem.startsWith('-----BEGIN RSA PRIVATE KEY-----')) {",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC067",
        id: "openssh-private-key",
        title: "OpenSSH private key",
        impact: "Logs in over SSH wherever the matching public key is authorised.",
        keywords: &["begin openssh private key"],
        patterns: &[
            r"-----BEGIN OPENSSH PRIVATE KEY-----(?P<s>(?:\s|\\n)*[A-Za-z0-9+/=][A-Za-z0-9+/=\s\\]{62,}?)-----END OPENSSH PRIVATE KEY-----",
        ],
        scope: super::Scope::File,
        rotate: "generate a new key (ssh-keygen -t ed25519), replace it in authorized_keys and deploy keys, remove the old one",
        examples: &["{pem:OPENSSH PRIVATE KEY}"],
        counter_examples: &[
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxvbmdfcHVibGljX2tleV9ub3RfYV9zZWNyZXQ deploy@ci",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC068",
        id: "pgp-private-key",
        title: "PGP private key block",
        impact: "Signs and decrypts as the key's owner (release signatures, encrypted mail).",
        keywords: &["pgp private key block"],
        patterns: &[
            r"-----BEGIN PGP PRIVATE KEY BLOCK-----(?P<s>(?:[^\n]*\n){0,5}?\s*[A-Za-z0-9+/=]{40,}[A-Za-z0-9+/=\s]{40,}?)-----END PGP PRIVATE KEY BLOCK-----",
        ],
        scope: super::Scope::File,
        rotate: "revoke the key (publish the revocation certificate) and create a new one",
        examples: &["{pem:PGP PRIVATE KEY BLOCK}"],
        counter_examples: &[
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBGPublicKeyBlockIsNotASecretAtAllReally0123456789abcdefABCDEF\n-----END PGP PUBLIC KEY BLOCK-----",
        ],
        ..BASE
    },
];
