//! Fake secrets in each provider's real format, for tests, fixtures and demos.
//!
//! Rule examples are templates: literal text with `{kind:n}` holes that [`expand`] fills with
//! random characters, so the repository itself holds no string that looks like a live key
//! (and no provider's push protection trips on it), while every test still scans realistic
//! values.
//!
//! | hole | fills with |
//! |---|---|
//! | `{a62:n}` | `A-Z a-z 0-9` |
//! | `{alpha:n}` | `A-Z a-z` |
//! | `{hex:n}` | `0-9 a-f` |
//! | `{UP:n}` | `A-Z 0-9` |
//! | `{A32:n}` | `A-Z 2-7` (base32) |
//! | `{b64:n}` | `A-Z a-z 0-9 + /` |
//! | `{b64u:n}` | `A-Z a-z 0-9 - _` |
//! | `{d:n}` | `0-9`, not starting with 0 |
//! | `{uuid}` | a random UUID v4 |
//! | `{jwt:ROLE}` | a Supabase-style JWT (`iss` supabase) with that role |
//! | `{pem:LABEL}` | a PEM block with that label and a random body |
//! | `{pemjson:LABEL}` | the same, with `\n` escapes as in JSON |
//! | `{pemjson2048:LABEL}` | as `pemjson`, as long as a 2048-bit key (26 lines, about 1.7 KB) |
//! | `{basic}` | base64 of `user:` and a random password |
//!
//! ```
//! let mut rng = opskit_secret_scan::fake::Rng::new(7);
//! let token = opskit_secret_scan::fake::expand("ghp_{a62:36}", &mut rng);
//! assert_eq!(token.len(), 40);
//! assert!(token.starts_with("ghp_"));
//! ```

/// A small deterministic generator (SplitMix64): the same seed gives the same fakes.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        let n64 = u64::try_from(n.max(1)).unwrap_or(u64::MAX);
        usize::try_from(self.next_u64() % n64).unwrap_or(0)
    }

    fn pick(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.below(alphabet.len())]))
            .collect()
    }
}

const A62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &[u8] = b"0123456789abcdef";
const UP: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const A32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
use opskit::encoding::{encode_base64, encode_base64url};

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64U: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Fills every hole of `template` (see the module docs). Unknown holes stay as they are.
pub fn expand(template: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let hole = &after[..close];
        if let Some(text) = fill(hole, rng) {
            out.push_str(&text);
            rest = &after[close + 1..];
        } else {
            // Not a hole (a brace of the text itself): keep it and look further.
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn fill(hole: &str, rng: &mut Rng) -> Option<String> {
    let (kind, arg) = hole.split_once(':').unwrap_or((hole, ""));
    let n = || arg.parse::<usize>().ok().filter(|&n| n <= 4096);
    Some(match kind {
        "a62" => rng.pick(A62, n()?),
        "alpha" => rng.pick(ALPHA, n()?),
        "hex" => rng.pick(HEX, n()?),
        "UP" => rng.pick(UP, n()?),
        "A32" => rng.pick(A32, n()?),
        "b64" => rng.pick(B64, n()?),
        "b64u" => rng.pick(B64U, n()?),
        "d" => {
            let n = n()?;
            let mut s = rng.pick(b"123456789", 1);
            s.push_str(&rng.pick(b"0123456789", n.saturating_sub(1)));
            s
        }
        "uuid" => {
            let h = rng.pick(HEX, 32);
            let variant = rng.pick(b"89ab", 1);
            format!(
                "{}-{}-4{}-{variant}{}-{}",
                &h[..8],
                &h[8..12],
                &h[13..16],
                &h[17..20],
                &h[20..]
            )
        }
        "jwt" => jwt(arg, rng),
        "pem" => pem(arg, rng, "\n"),
        "pemjson" => pem(arg, rng, "\\n"),
        "pemjson2048" => pem_lines(arg, rng, "\\n", 26),
        "basic" => encode_base64(format!("deploy:{}", rng.pick(A62, 18)).as_bytes()),
        _ => return None,
    })
}

fn jwt(role: &str, rng: &mut Rng) -> String {
    let reference = rng.pick(b"abcdefghijklmnopqrstuvwxyz", 20);
    let header = encode_base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = encode_base64url(
        format!(
            r#"{{"iss":"supabase","ref":"{reference}","role":"{role}","iat":1735689600,"exp":2051222400}}"#
        )
        .as_bytes(),
    );
    format!("{header}.{payload}.{}", rng.pick(B64U, 43))
}

fn pem(label: &str, rng: &mut Rng, newline: &str) -> String {
    pem_lines(label, rng, newline, 12)
}

fn pem_lines(label: &str, rng: &mut Rng, newline: &str, lines: usize) -> String {
    let mut out = format!("-----BEGIN {label}-----{newline}");
    if label.starts_with("PGP") {
        out.push_str(newline);
    }
    for _ in 0..lines {
        out.push_str(&rng.pick(&B64[..64], 64));
        out.push_str(newline);
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_expand() {
        let mut rng = Rng::new(1);
        let s = expand("x={hex:8} y={uuid} z={nope} {", &mut rng);
        assert!(s.starts_with("x="));
        assert!(s.contains("{nope}"));
        assert!(s.ends_with('{'));
        let jwt = expand("{jwt:anon}", &mut rng);
        let claims = crate::rules::jwt_claims(&jwt).unwrap();
        assert_eq!(claims["role"], "anon");
    }
}
