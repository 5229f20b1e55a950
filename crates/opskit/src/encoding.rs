//! Small decoders shared by tools: base64 in both alphabets.
//!
//! ```
//! use opskit::encoding::{decode_base64, decode_base64url};
//! assert_eq!(decode_base64("Zm9v").unwrap(), b"foo");
//! assert_eq!(decode_base64url("-_8").unwrap(), [0xfb, 0xff]);
//! assert!(decode_base64("-_8").is_none());
//! ```

/// Decodes standard base64 (`+` and `/`, with or without padding). `None` for anything else.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    decode(text, b'+', b'/')
}

/// Decodes URL-safe base64 (`-` and `_`, with or without padding), as JWTs use it.
pub fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    decode(text, b'-', b'_')
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
