//! Just enough DER to read a certificate's expiry (`notAfter`), for the TLS expiry condition.

/// One DER element at the start of `data`: (tag, content, rest).
fn element(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = data.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime (`YYYYMMDDHHMMSSZ`) as Unix seconds.
fn time(tag: u8, content: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(content).ok()?.strip_suffix('Z')?;
    let num = |s: &str| s.parse::<i64>().ok();
    let (year, rest) = match tag {
        0x17 => {
            let yy = num(text.get(..2)?)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, text.get(2..)?)
        }
        0x18 => (num(text.get(..4)?)?, text.get(4..)?),
        _ => return None,
    };
    let field = |i: usize| rest.get(i..i + 2).and_then(num);
    let (mo, d, h, mi, s) = (
        field(0)?,
        field(2)?,
        field(4)?,
        field(6)?,
        field(8).unwrap_or(0),
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    // The ranges above make both conversions exact.
    let (month, day) = (u32::try_from(mo).ok()?, u32::try_from(d).ok()?);
    Some(crate::time::days_from_civil(year, month, day) * 86_400 + h * 3600 + mi * 60 + s)
}

/// A DER certificate's notAfter, in seconds since the Unix epoch.
pub fn not_after(der: &[u8]) -> Option<i64> {
    let (_, cert, _) = element(der)?;
    let (_, tbs, _) = element(cert)?;
    let mut rest = tbs;
    let (tag, _, after) = element(rest)?;
    if tag == 0xa0 {
        rest = after; // [0] version
    }
    for _ in 0..3 {
        rest = element(rest)?.2; // serialNumber, signature, issuer
    }
    let (_, validity, _) = element(rest)?;
    let (_, _, after_not_before) = element(validity)?;
    let (tag, content, _) = element(after_not_before)?;
    time(tag, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_garbage() {
        assert_eq!(time(0x17, b"700101000000Z"), Some(0));
        assert_eq!(
            time(0x18, b"20261127060000Z"),
            Some(crate::time::days_from_civil(2026, 11, 27) * 86_400 + 6 * 3600)
        );
        assert_eq!(crate::time::days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(time(0x17, b"991399000000Z"), None);
        assert_eq!(not_after(b""), None);
        assert_eq!(not_after(&[0x30, 0x82, 0xff]), None);
        for n in 0..64u8 {
            let junk: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37) ^ n).collect();
            let _ = not_after(&junk);
        }
    }
}
