//! Text that the rules cannot read as it stands: UTF-16 files (PowerShell's `Out-File` and
//! Windows editors write `.env` files that way) and the base64 values of a Kubernetes Secret's
//! `data:` map, where every credential of a deployment sits encoded.
//!
//! Both are decoded before the rules run, and what is found is reported where the encoded text
//! stands in the file.
//!
//! ```
//! use opskit_secret_scan::decode::{kubernetes_secret_values, utf16_text};
//! let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("A=1\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
//! assert_eq!(utf16_text(&utf16).unwrap(), b"A=1\n");
//! let manifest = b"apiVersion: v1\nkind: Secret\ndata:\n  PASSWORD: aHVudGVyMg==\n";
//! let values = kubernetes_secret_values("k8s/secret.yaml", manifest);
//! assert_eq!(values[0].text, b"hunter2");
//! ```

use std::ops::Range;

/// A file that starts with a UTF-16 byte order mark, as UTF-8 (unpaired surrogates become
/// U+FFFD). Lines and columns in characters are the same in both, so findings point at the
/// right place in the original file. `None` when there is no UTF-16 mark.
pub fn utf16_text(data: &[u8]) -> Option<Vec<u8>> {
    if !is_utf16(data) {
        return None;
    }
    let little = data[0] == 0xFF;
    let units = data[2..].chunks_exact(2).map(|pair| {
        let bytes = [pair[0], pair[1]];
        if little {
            u16::from_le_bytes(bytes)
        } else {
            u16::from_be_bytes(bytes)
        }
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    Some(text.into_bytes())
}

/// A UTF-16 byte order mark, with the NUL bytes that ASCII text in UTF-16 has in every other
/// byte: `FF FE` alone also starts Latin-1 text (`ÿþ`) and binary data.
pub fn is_utf16(data: &[u8]) -> bool {
    if !matches!(data, [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..]) {
        return false;
    }
    let head = &data[2..data.len().min(514)];
    head.len() >= 2 && memchr::memchr_iter(0, head).count() * 8 >= head.len()
}

/// One decoded value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// Where the encoded value stands in the file.
    pub range: Range<usize>,
    /// The key it is stored under (`DATABASE_URL`), so the rules see `KEY=value`.
    pub key: String,
    /// The decoded bytes.
    pub text: Vec<u8>,
}

impl Encoded {
    /// What the rules read: `KEY=value`, the shape of an environment file, so a value is
    /// judged with its name as it would be in `.env`.
    pub fn as_assignment(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.key.len() + 1 + self.text.len());
        out.extend_from_slice(self.key.as_bytes());
        out.push(b'=');
        out.extend_from_slice(&self.text);
        out
    }
}

/// At most this many values are decoded per file, and each at most this long, so a hostile
/// manifest cannot make the scan do unbounded work.
const MAX_VALUES: usize = 1000;
const MAX_VALUE: usize = 64 << 10;

/// The base64 values under `data:` in each Kubernetes `Secret` of a YAML file (documents split
/// by `---`), decoded. `stringData:` holds plain text, which the rules read as it stands.
/// Values that are not valid base64 are left alone.
pub fn kubernetes_secret_values(path: &str, data: &[u8]) -> Vec<Encoded> {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    if !matches!(ext, "yaml" | "yml") || memchr::memmem::find(data, b"kind: Secret").is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut doc_is_secret = false;
    // Values seen before the document said `kind: Secret` (the key order is free).
    let mut pending: Vec<Encoded> = Vec::new();
    let mut data_indent: Option<usize> = None;
    let mut offset = 0;
    for line in data.split_inclusive(|&b| b == b'\n') {
        let start = offset;
        offset += line.len();
        let text = trim_newline(line);
        if text.starts_with(b"---") {
            if doc_is_secret {
                out.append(&mut pending);
            }
            pending.clear();
            doc_is_secret = false;
            data_indent = None;
            continue;
        }
        let indent = text.iter().take_while(|&&b| b == b' ').count();
        let body = &text[indent..];
        if body.is_empty() || body.starts_with(b"#") {
            continue;
        }
        if indent == 0 && body.starts_with(b"kind:") {
            doc_is_secret = trim(&body[5..]) == b"Secret";
        }
        if let Some(at) = data_indent {
            if indent > at {
                if let Some(value) = entry(body, start + indent)
                    && out.len() + pending.len() < MAX_VALUES
                {
                    pending.push(value);
                }
                continue;
            }
            data_indent = None;
        }
        if trim(body) == b"data:" {
            data_indent = Some(indent);
        }
    }
    if doc_is_secret {
        out.append(&mut pending);
    }
    out
}

/// `KEY: base64` as one entry of a `data:` map, `body` starting at `at` in the file.
fn entry(body: &[u8], at: usize) -> Option<Encoded> {
    let colon = memchr::memchr(b':', body)?;
    let key = std::str::from_utf8(trim(&body[..colon])).ok()?;
    let key = key.trim_matches(|c| c == '"' || c == '\'');
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let rest = &body[colon + 1..];
    let lead = rest.iter().take_while(|&&b| b == b' ').count();
    let mut value = trim(&rest[lead..]);
    let mut value_at = at + colon + 1 + lead;
    if let [q @ (b'"' | b'\''), inner @ .., last] = value
        && last == q
    {
        value = inner;
        value_at += 1;
    }
    if value.len() < 8 || value.len() > MAX_VALUE {
        return None;
    }
    let text = opskit::encoding::decode_base64(std::str::from_utf8(value).ok()?)?;
    // A Secret holds text (passwords, URLs, JSON) far more often than binary keys; binary
    // values have nothing for the rules to read.
    std::str::from_utf8(&text).ok()?;
    Some(Encoded {
        range: value_at..value_at + value.len(),
        key: key.to_owned(),
        text,
    })
}

fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &s[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_both_orders_and_no_mark() {
        let text = "TOKEN=ab\u{e9}\n";
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(utf16_text(&le).unwrap(), text.as_bytes());
        assert_eq!(utf16_text(&be).unwrap(), text.as_bytes());
        assert!(utf16_text(b"TOKEN=1").is_none());
        // An odd trailing byte and a lone surrogate do not panic.
        assert!(utf16_text(&[0xFF, 0xFE, 0x00, 0xD8, 0x41]).is_some());
        // Latin-1 text that starts with `ÿþ` is not UTF-16.
        assert!(utf16_text(b"\xFF\xFE\nK=value\n").is_none());
    }

    #[test]
    fn secret_data_is_decoded_and_other_kinds_are_not() {
        let manifest = b"apiVersion: v1\ndata:\n  DB_PASSWORD: \"aHVudGVyMg==\"\n  EMPTY: ''\nkind: Secret\nmetadata:\n  name: app\n---\nkind: ConfigMap\ndata:\n  LOG_LEVEL: aW5mbw==\n";
        let values = kubernetes_secret_values("deploy/secret.yml", manifest);
        assert_eq!(values.len(), 1, "{values:?}");
        assert_eq!(values[0].key, "DB_PASSWORD");
        assert_eq!(values[0].text, b"hunter2");
        assert_eq!(&manifest[values[0].range.clone()], b"aHVudGVyMg==");
        assert!(kubernetes_secret_values("secret.json", manifest).is_empty());
    }
}
