//! base64 in both alphabets, shared by tools: decoding (Upstash replies, JWT claims, `Basic`
//! credentials) and encoding (secret-scan's fake secrets). testkit keeps its own encoder on
//! purpose: the Upstash stand-in must not share code with the client it tests.
//!
//! ```
//! use opskit::encoding::{decode_base64, decode_base64url, encode_base64, encode_base64url};
//! assert_eq!(decode_base64("Zm9v").unwrap(), b"foo");
//! assert_eq!(decode_base64url("-_8").unwrap(), [0xfb, 0xff]);
//! assert!(decode_base64("-_8").is_none());
//! assert_eq!(encode_base64(b"PONG"), "UE9ORw==");
//! assert_eq!(encode_base64url(&[0xfb, 0xff]), "-_8");
//! ```

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Decodes standard base64 (`+` and `/`, with or without padding). `None` for anything else.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    decode(text, b'+', b'/')
}

/// Decodes URL-safe base64 (`-` and `_`, with or without padding), as JWTs use it.
pub fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    decode(text, b'-', b'_')
}

/// Encodes standard base64 with `=` padding.
pub fn encode_base64(bytes: &[u8]) -> String {
    encode(bytes, STANDARD, true)
}

/// Encodes URL-safe base64 without padding, as in JWTs.
pub fn encode_base64url(bytes: &[u8]) -> String {
    encode(bytes, URL_SAFE, false)
}

fn decode(text: &str, c62: u8, c63: u8) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            _ if c == c62 => Some(62),
            _ if c == c63 => Some(63),
            _ => None,
        }
    };
    let trimmed = text.trim_end_matches('=');
    if text.len() - trimmed.len() > 2 || trimmed.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    for chunk in trimmed.as_bytes().chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

fn encode(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// `%XX` escapes decoded (a malformed one is kept as it is); with `plus_is_space`, `+` is a
/// space, as in a query string. Invalid UTF-8 becomes U+FFFD.
///
/// ```
/// assert_eq!(opskit::encoding::percent_decode("p%40ss%2Fx+y", false), "p@ss/x+y");
/// assert_eq!(opskit::encoding::percent_decode("a+b%zz", true), "a b%zz");
/// ```
pub fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                if let Some(v) = text
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    out.push(v);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_the_standard_vectors() {
        assert_eq!(encode_base64(b""), "");
        assert_eq!(encode_base64(b"f"), "Zg==");
        assert_eq!(encode_base64(b"fo"), "Zm8=");
        assert_eq!(encode_base64(b"foo"), "Zm9v");
        assert_eq!(encode_base64(b"PONG"), "UE9ORw==");
        assert_eq!(encode_base64url(b"f"), "Zg");
    }

    #[test]
    fn round_trips_in_both_alphabets() {
        for s in [
            "",
            "f",
            "fo",
            "foo",
            "foob",
            "fooba",
            "foobar",
            "\u{fb}\u{ff}?>",
        ] {
            assert_eq!(
                decode_base64(&encode_base64(s.as_bytes())).unwrap(),
                s.as_bytes()
            );
            assert_eq!(
                decode_base64url(&encode_base64url(s.as_bytes())).unwrap(),
                s.as_bytes()
            );
        }
    }
}
