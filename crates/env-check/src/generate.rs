//! `env-check generate NAME`: a fresh value for a secret, from the operating system's random
//! generator, that satisfies the schema (length, charset) and passes the strength check.
//!
//! A key is a number of random bytes written in an encoding: the schema's `bytes = 32` and
//! `encoding = "hex" | "base64" | "base64url"`, or `--bytes 32 --charset hex`. A variable named
//! like an encryption key (`ENCRYPTION_KEY`, `DATA_ENCRYPTION_SECRET`, `AES_KEY`…) whose schema
//! asks for no length gets 32 random bytes (what AES-256 needs) in hex, which the app decodes
//! with `Buffer.from(value, "hex")`; 32 characters of text would be only 24 bytes once base64
//! is decoded, and break such an app.

use opskit::env::schema::{Charset, Encoding, Var, check_var};

use crate::Error;

/// The shortest secret `generate` makes when neither the schema nor `--length` asks for more:
/// 32 characters (at least 128 bits in every charset).
pub const DEFAULT_LENGTH: usize = 32;

/// `n` bytes from the operating system's random generator.
pub fn random_bytes(n: usize) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; n];
    opskit::random::fill(&mut buf).map_err(Error::Random)?;
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

/// Whether a name says it is an encryption key (32 random bytes by default).
pub fn is_encryption_key(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(['_', '-']).collect();
    let has = |w: &str| words.contains(&w);
    (has("ENCRYPTION") || has("AES") || has("CIPHER") || has("ENC"))
        && (has("KEY") || has("SECRET"))
}

/// How a key's bytes are written, and how the app reads them back.
pub fn decode_hint(encoding: Encoding) -> String {
    format!("decode with Buffer.from(value, \"{}\")", encoding.as_str())
}

/// A key of `bytes` random bytes for `name`, in the schema's encoding (or `charset`, or hex),
/// checked against the schema. Returns the value and its encoding.
pub fn generate_key(
    name: &str,
    var: Option<&Var>,
    bytes: usize,
    charset: Option<Charset>,
) -> Result<(String, Encoding), Error> {
    let default = Var::default();
    let var = var.unwrap_or(&default);
    let encoding = match charset {
        Some(Charset::Hex) => Encoding::Hex,
        Some(Charset::Base64) => Encoding::Base64,
        Some(Charset::Base64url) => Encoding::Base64url,
        Some(Charset::Alphanumeric) => {
            return Err(Error::Usage(format!(
                "{name}: a key of {bytes} bytes is written in hex, base64 or base64url, not alphanumeric"
            )));
        }
        None => var.encoding.unwrap_or(Encoding::Hex),
    };
    if bytes == 0 || bytes > 4096 {
        return Err(Error::Usage(format!(
            "{name}: {bytes} bytes: a key has 1 to 4096"
        )));
    }
    let strict = Var {
        secret: true,
        required: opskit::env::schema::Required::Always(true),
        bytes: Some(bytes),
        encoding: Some(encoding),
        ..var.clone()
    };
    let mut last = String::new();
    for _ in 0..32 {
        let raw = random_bytes(bytes)?;
        let candidate = match encoding {
            Encoding::Hex => opskit::redact::hex(&raw),
            Encoding::Base64 => opskit::encoding::encode_base64(&raw),
            Encoding::Base64url => opskit::encoding::encode_base64url(&raw),
        };
        match check_var(name, &strict, Some(&candidate), "production").first() {
            None => return Ok((candidate, encoding)),
            Some(p) => last.clone_from(&p.message),
        }
    }
    Err(Error::Usage(format!(
        "{name}: a key of {bytes} bytes in {} does not satisfy the schema: {last}",
        encoding.as_str()
    )))
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
    fn encryption_keys_are_32_bytes() {
        // See: issue 17. 32 base64 characters are 24 bytes and break AES-256.
        assert!(is_encryption_key("ENCRYPTION_KEY"));
        assert!(is_encryption_key("NEXT_PRIVATE_ENCRYPTION_SECONDARY_KEY"));
        assert!(is_encryption_key("DATA_AES_KEY"));
        assert!(!is_encryption_key("OPENAI_API_KEY"));
        for (charset, len) in [
            (None, 64),
            (Some(Charset::Base64), 44),
            (Some(Charset::Base64url), 43),
        ] {
            let (v, encoding) = generate_key("ENCRYPTION_KEY", None, 32, charset).unwrap();
            assert_eq!(v.len(), len, "{v}");
            assert_eq!(encoding.decode(&v).unwrap().len(), 32);
        }
        let var: Var = toml::from_str("bytes = 32\nencoding = \"base64\"").unwrap();
        let (v, _) = generate_key("K", Some(&var), 32, None).unwrap();
        assert_eq!(opskit::encoding::decode_base64(&v).unwrap().len(), 32);
        // A schema that asks for fewer characters than the key has cannot be met.
        let short: Var = toml::from_str("max_length = 32").unwrap();
        assert!(generate_key("K", Some(&short), 32, None).is_err());
        assert!(generate_key("K", None, 32, Some(Charset::Alphanumeric)).is_err());
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
