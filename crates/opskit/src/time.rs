//! The one clock and calendar: the wall clock ([`since_epoch`], [`now_unix`]), timestamps
//! ([`utc_timestamp`]), and calendar dates in UTC without a date library: days since the Unix
//! epoch to a civil date and back (Howard Hinnant's algorithms, exact over the whole proleptic
//! Gregorian calendar).

/// `(year, month 1-12, day 1-31)` of a day number (days since 1970-01-01).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// The day number (days since 1970-01-01) of a civil date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The day number of `YYYY-MM-DD`; `None` when it is not a real date.
pub fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    (civil_from_days(days) == (year, month, day)).then_some(days)
}

/// `2026-11-27T03:00:00Z` for Unix seconds.
pub fn utc_timestamp(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rest = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Since the Unix epoch, now (zero if the clock is before 1970): the one place the wall clock
/// is read, so every tool tells the same time the same way.
pub fn since_epoch() -> std::time::Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
}

/// Milliseconds since the Unix epoch, now.
pub fn now_unix_ms() -> i64 {
    i64::try_from(since_epoch().as_millis()).unwrap_or(i64::MAX)
}

/// Seconds since the Unix epoch, now (0 if the clock is before 1970).
pub fn now_unix() -> u64 {
    since_epoch().as_secs()
}

/// Today's day number (UTC).
pub fn today() -> i64 {
    i64::try_from(now_unix() / 86_400).unwrap_or(0)
}

/// `2026-11-27T03:00:00.123Z` for Unix milliseconds (times before 1970 show as 1970).
pub fn utc_timestamp_ms(ms: i64) -> String {
    let ms = u64::try_from(ms).unwrap_or(0);
    let base = utc_timestamp(ms / 1000);
    format!("{}.{:03}Z", base.trim_end_matches('Z'), ms % 1000)
}

/// Unix milliseconds of an RFC 3339 / ISO 8601 date-time as logs write it:
/// `2026-11-27T03:00:00Z`, `2026-11-27 03:00:00.123+02:00`, fractions of any length, `z` or
/// an offset; a date-time without a zone is read as UTC. `None` when it is not one.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let t = text.trim();
    let (date, rest) = (t.get(..10)?, t.get(10..)?);
    let days = parse_date(date)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let num = |s: &str| -> Option<i64> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    let (h, m, sec) = (
        num(rest.get(..2)?)?,
        num(rest.get(3..5)?)?,
        num(rest.get(6..8)?)?,
    );
    if rest.get(2..3)? != ":" || rest.get(5..6)? != ":" || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut tail = &rest[8..];
    let mut millis = 0;
    if let Some(frac) = tail.strip_prefix(['.', ',']) {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let first3: String = frac[..digits]
            .chars()
            .chain("000".chars())
            .take(3)
            .collect();
        millis = first3.parse::<i64>().ok()?;
        tail = &frac[digits..];
    }
    let offset_min = match tail {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match tail.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let zone = tail[1..].replace(':', "");
            if zone.len() != 4 {
                return None;
            }
            let (oh, om) = (num(&zone[..2])?, num(&zone[2..])?);
            sign * (oh * 60 + om)
        }
    };
    let secs = days * 86_400 + h * 3600 + m * 60 + sec - offset_min * 60;
    Some(secs * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_iso8601() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_timestamp(1_795_748_399), "2026-11-27T02:59:59Z");
        assert_eq!(utc_timestamp(4_102_444_800), "2100-01-01T00:00:00Z");
    }

    #[test]
    fn round_trips_and_known_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2026, 11, 27), 20_784);
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        for d in (-800_000..800_000).step_by(997) {
            let (y, m, day) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, day), d);
        }
        assert_eq!(parse_date("2026-11-27"), Some(20_784));
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(utc_timestamp(1_795_748_400), "2026-11-27T03:00:00Z");
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn log_times_parse() {
        assert_eq!(
            utc_timestamp_ms(1_795_748_400_123),
            "2026-11-27T03:00:00.123Z"
        );
        assert_eq!(
            parse_rfc3339_ms("2026-11-27T03:00:00Z"),
            Some(1_795_748_400_000)
        );
        assert_eq!(
            parse_rfc3339_ms("2026-11-27T03:00:00.123456Z"),
            Some(1_795_748_400_123)
        );
        assert_eq!(
            parse_rfc3339_ms("2026-11-27 05:00:00.5+02:00"),
            Some(1_795_748_400_500)
        );
        assert_eq!(
            parse_rfc3339_ms("2026-11-27T02:30:00-00:30"),
            Some(1_795_748_400_000)
        );
        assert_eq!(
            parse_rfc3339_ms("2026-11-27T03:00:00"),
            Some(1_795_748_400_000)
        );
        for bad in [
            "",
            "2026-11-27",
            "2026-11-27T3:00:00Z",
            "2026-11-27T03:00:00.Z",
            "2026-11-27T03:00:00+0",
            "2026-02-30T00:00:00Z",
            "2026-11-27T24:00:00Z",
            "2026-11-27T03:00:00Zjunk",
        ] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad}");
        }
        for ms in [0_i64, 1, 999, 1_795_748_400_123, 4_102_444_800_000] {
            assert_eq!(parse_rfc3339_ms(&utc_timestamp_ms(ms)), Some(ms));
        }
    }
}
