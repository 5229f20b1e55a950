//! `env-check generate NAME`: a fresh value for a secret, from the operating system's random
//! generator, that satisfies the schema (length, charset) and passes the strength check.

use opskit::env::schema::{Charset, Var, check_var};

use crate::Error;

/// The shortest secret `generate` makes when neither the schema nor `--length` asks for more:
/// 32 characters (at least 128 bits in every charset).
pub const DEFAULT_LENGTH: usize = 32;

/// `n` bytes from the operating system's random generator.
pub fn random_bytes(n: usize) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; n];
    opskit::random::fill(&mut buf).map_err(|e| Error::File {
        path: "/dev/urandom".into(),
        reason: format!("no random generator: {e}"),
    })?;
    Ok(buf)
}

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A value of `length` characters in `charset`; base64 encodes whole random bytes, so it may
/// be a character or two longer (and always decodes).
pub fn value(charset: Charset, length: usize) -> Result<String, Error> {
    let length = length.max(1);
    Ok(match charset {
        Charset::Hex => {
            let mut hex = opskit::redact::hex(&random_bytes(length.div_ceil(2))?);
            hex.truncate(length);
            hex
        }
        Charset::Base64 => {
            opskit::encoding::encode_base64(&random_bytes((length * 3).div_ceil(4))?)
        }
        Charset::Base64url => {
            opskit::encoding::encode_base64url(&random_bytes((length * 3).div_ceil(4))?)
        }
        Charset::Alphanumeric => {
            // Rejection sampling: 248 = 4 x 62, so every character is equally likely.
            let mut out = String::with_capacity(length);
            while out.len() < length {
                for b in random_bytes(length * 2)? {
                    if b < 248 && out.len() < length {
                        out.push(char::from(ALPHANUMERIC[usize::from(b % 62)]));
                    }
                }
            }
            out
        }
    })
}

/// A new value for `name`: the schema's charset and lengths unless overridden; checked
/// against the schema before it is returned.
pub fn generate(
    name: &str,
    var: Option<&Var>,
    length: Option<usize>,
    charset: Option<Charset>,
) -> Result<String, Error> {
    let default = Var::default();
    let var = var.unwrap_or(&default);
    let charset = charset.or(var.charset).unwrap_or_default();
    let length = length.unwrap_or_else(|| var.min_length.unwrap_or(0).max(DEFAULT_LENGTH));
    if let Some(max) = var.max_length
        && length > max
    {
        return Err(Error::Usage(format!(
            "{name}: {length} characters are more than the schema's max_length {max}"
        )));
    }
    let strict = Var {
        secret: true,
        required: opskit::env::schema::Required::Always(true),
        ..var.clone()
    };
    // The strength check estimates entropy from the characters drawn: a short random value
    // can look weak by chance (15 hex characters with repeats), so a value that fails is
    // drawn again; one that fails every time fails for a reason the schema gives.
    let mut last = String::new();
    for _ in 0..32 {
        let mut candidate = value(charset, length)?;
        if let Some(max) = var.max_length.filter(|m| candidate.len() > *m) {
            // Encodings round up to whole bytes: hex and alphanumeric stay valid when
            // trimmed, base64 would not.
            if matches!(charset, Charset::Base64 | Charset::Base64url) {
                return Err(Error::Usage(format!(
                    "{name}: base64 of {length} characters rounds up past the schema's max_length {max}; ask for --length {}",
                    max / 4 * 4
                )));
            }
            candidate.truncate(max);
        }
        match check_var(name, &strict, Some(&candidate), "production").first() {
            None => return Ok(candidate),
            Some(p) => last.clone_from(&p.message),
        }
    }
    Err(Error::Usage(format!(
        "{name}: a generated value does not satisfy the schema: {last}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_charsets() {
        assert_eq!(value(Charset::Hex, 64).unwrap().len(), 64);
        assert!(
            value(Charset::Hex, 64)
                .unwrap()
                .chars()
                .all(|c| c.is_ascii_hexdigit())
        );
        let b = value(Charset::Base64, 44).unwrap();
        assert_eq!(b.len(), 44);
        assert_eq!(opskit::encoding::decode_base64(&b).unwrap().len(), 33);
        assert!(
            !value(Charset::Base64url, 43)
                .unwrap()
                .contains(['+', '/', '='])
        );
        let a = value(Charset::Alphanumeric, 40).unwrap();
        assert_eq!(a.len(), 40);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(
            value(Charset::Alphanumeric, 32).unwrap(),
            value(Charset::Alphanumeric, 32).unwrap()
        );
    }

    #[test]
    fn follows_the_schema() {
        let var: Var = toml::from_str("secret = true\nmin_length = 48\ncharset = \"hex\"").unwrap();
        let v = generate("ENCRYPTION_KEY", Some(&var), None, None).unwrap();
        assert_eq!(v.len(), 48);
        assert!(v.chars().all(|c| c.is_ascii_hexdigit()));
        let capped: Var = toml::from_str("max_length = 16").unwrap();
        assert!(generate("X", Some(&capped), Some(20), None).is_err());
        assert_eq!(
            generate("X", Some(&capped), Some(15), Some(Charset::Hex))
                .unwrap()
                .len(),
            15
        );
        assert_eq!(
            generate("X", None, None, None).unwrap().len(),
            DEFAULT_LENGTH
        );
        // Short values that look weak by chance are drawn again, never refused.
        for _ in 0..2000 {
            generate("X", Some(&capped), Some(15), Some(Charset::Hex)).unwrap();
        }
    }
}
