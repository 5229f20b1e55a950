//! The one duration syntax of every flag and config key that takes time: timeouts, intervals,
//! ages, cache lifetimes and `--watch`.
//!
//! A duration is one or more `NUMBER UNIT` parts: `500ms`, `30s`, `5m`, `26h`, `1d12h`,
//! `1h 30m`, `1.5s`, `2w`. Units are `ms`, `s`, `m` (minutes), `h`, `d` and `w`.
//!
//! A bare number (`--timeout 5000`) is what older releases took. It still works for one
//! release and keeps each flag's documented unit ([`Unit`]), with a deprecation note when that
//! unit is not seconds; after that it means seconds everywhere. A flag or key whose unit was
//! always seconds reads a bare number as seconds, now and later.
//!
//! ```
//! use opskit::duration::{Span, SpanArg, Unit};
//! let span: Span = "1d12h".parse()?;
//! assert_eq!(span.as_secs_f64(), 129_600.0);
//! assert_eq!(span.to_string(), "1d12h");
//! // A bare number keeps the flag's documented unit, here milliseconds, and says so.
//! let given: SpanArg = "5000".parse()?;
//! let (span, note) = given.resolve(Unit::Millis, "--timeout");
//! assert_eq!(span.as_secs_f64(), 5.0);
//! assert!(note.unwrap().contains("--timeout 5s"));
//! # Ok::<(), opskit::duration::DurationError>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest duration accepted: ten years. Anything longer is a typo.
const MAX_SECS: f64 = 10.0 * 365.0 * 86_400.0;

const FORMS: &str = "write a number and a unit: 500ms, 30s, 5m, 26h, 1d12h";

/// Why a duration could not be read. The message quotes the input and shows the valid forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Nothing was given.
    #[error("empty duration; {FORMS}")]
    Empty,
    /// A number without a unit where one is required.
    #[error("`{0}` has no unit; {FORMS}")]
    NoUnit(String),
    /// A unit that is not one of ours.
    #[error("`{input}`: unknown unit `{unit}`; units are ms, s, m, h, d and w ({FORMS})")]
    UnknownUnit {
        /// The whole input.
        input: String,
        /// The unit as written.
        unit: String,
    },
    /// A part that is not a number, or a negative one.
    #[error("`{0}` is not a duration; {FORMS}")]
    Malformed(String),
    /// Longer than ten years.
    #[error("`{0}` is longer than ten years; {FORMS}")]
    TooLong(String),
}

/// A length of time written the opskit way. Displayed in the same syntax (`1d12h`, `500ms`),
/// so what an error or `-v` prints can be pasted back into a flag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span(Duration);

impl Span {
    /// From a [`Duration`].
    pub const fn new(duration: Duration) -> Span {
        Span(duration)
    }

    /// Whole seconds.
    pub const fn from_secs(secs: u64) -> Span {
        Span(Duration::from_secs(secs))
    }

    /// Milliseconds.
    pub const fn from_millis(ms: u64) -> Span {
        Span(Duration::from_millis(ms))
    }

    /// The [`Duration`].
    pub const fn duration(self) -> Duration {
        self.0
    }

    /// Seconds, with the fraction.
    pub fn as_secs_f64(self) -> f64 {
        self.0.as_secs_f64()
    }

    /// True for zero.
    pub const fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

impl From<Span> for Duration {
    fn from(span: Span) -> Duration {
        span.0
    }
}

impl From<Duration> for Span {
    fn from(duration: Duration) -> Span {
        Span(duration)
    }
}

/// A unit's length in seconds.
fn unit_secs(unit: &str) -> Option<f64> {
    Some(match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        "w" => 604_800.0,
        _ => return None,
    })
}

/// Parses `NUMBER UNIT` parts; `Ok(None)` for a bare number (given back as `Err(number)`).
fn parse_parts(input: &str) -> Result<Result<Span, f64>, DurationError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    let malformed = || DurationError::Malformed(input.to_owned());
    if let Ok(bare) = text.parse::<f64>() {
        if !bare.is_finite() || bare < 0.0 || text.starts_with(['+', '-']) {
            return Err(malformed());
        }
        if bare > MAX_SECS * 1000.0 {
            return Err(DurationError::TooLong(input.to_owned()));
        }
        return Ok(Err(bare));
    }
    let mut total = 0.0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(number_end);
        let tail = tail.trim_start();
        let unit_end = tail
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_end);
        if number.is_empty() {
            return Err(malformed());
        }
        let value: f64 = number.parse().map_err(|_| malformed())?;
        if unit.is_empty() {
            return Err(DurationError::NoUnit(input.to_owned()));
        }
        let secs = unit_secs(unit).ok_or_else(|| DurationError::UnknownUnit {
            input: input.to_owned(),
            unit: unit.to_owned(),
        })?;
        total += value * secs;
        rest = tail.trim_start();
    }
    if total > MAX_SECS {
        return Err(DurationError::TooLong(input.to_owned()));
    }
    Ok(Ok(Span(Duration::from_secs_f64(total))))
}

impl FromStr for Span {
    type Err = DurationError;

    /// A duration with units; a bare number is an error (use [`SpanArg`] where one is allowed).
    fn from_str(input: &str) -> Result<Span, DurationError> {
        match parse_parts(input)? {
            Ok(span) => Ok(span),
            Err(_) => Err(DurationError::NoUnit(input.to_owned())),
        }
    }
}

impl fmt::Display for Span {
    /// `1d12h`, `5m`, `2m30s`, `1.5s`, `500ms`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total_ms = self.0.as_millis();
        if total_ms == 0 {
            return f.write_str(if self.0.is_zero() { "0s" } else { "1ms" });
        }
        if total_ms < 1000 {
            return write!(f, "{total_ms}ms");
        }
        let secs = self.0.as_secs();
        let ms = self.0.subsec_millis();
        if secs < 60 && ms != 0 {
            let text = format!("{:.3}", self.0.as_secs_f64());
            return write!(f, "{}s", text.trim_end_matches('0').trim_end_matches('.'));
        }
        let parts = [
            (secs / 86_400, "d"),
            (secs % 86_400 / 3600, "h"),
            (secs % 3600 / 60, "m"),
            (secs % 60, "s"),
        ];
        for (n, unit) in parts {
            if n > 0 {
                write!(f, "{n}{unit}")?;
            }
        }
        if ms > 0 {
            write!(f, "{ms}ms")?;
        }
        Ok(())
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The unit a bare number had in a flag's or key's documentation before durations took units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Milliseconds (health-probe's `--timeout`, `--latency-*`, `timeout_ms` keys).
    Millis,
    /// Seconds (everything else).
    Seconds,
    /// Minutes (Sentry Crons' `checkin_margin` and `max_runtime`, as Sentry counts them).
    Minutes,
}

/// A duration as a flag or key gives it: with units, or a bare number from older releases.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SpanArg {
    /// With units.
    Span(Span),
    /// A bare number, read in the flag's documented [`Unit`].
    Bare(f64),
}

impl SpanArg {
    /// The duration, and for a bare number in another unit than seconds the deprecation note
    /// to show (naming `flag`, the flag or key as the user wrote it).
    pub fn resolve(self, unit: Unit, flag: &str) -> (Span, Option<String>) {
        match (self, unit) {
            (SpanArg::Span(span), _) => (span, None),
            (SpanArg::Bare(n), Unit::Seconds) => (Span(Duration::from_secs_f64(n)), None),
            (SpanArg::Bare(n), unit) => {
                let (span, name) = match unit {
                    Unit::Minutes => (Span(Duration::from_secs_f64(n * 60.0)), "minutes"),
                    _ => (Span(Duration::from_secs_f64(n / 1000.0)), "milliseconds"),
                };
                let note = format!(
                    "{flag} {n}: a bare number is read as {name} for this release only, and will mean seconds after it; write {flag} {span}"
                );
                (span, Some(note))
            }
        }
    }

    /// The duration in `unit`, dropping the note (for callers that report it otherwise).
    pub fn span(self, unit: Unit) -> Span {
        self.resolve(unit, "").0
    }
}

impl FromStr for SpanArg {
    type Err = DurationError;

    fn from_str(input: &str) -> Result<SpanArg, DurationError> {
        Ok(match parse_parts(input)? {
            Ok(span) => SpanArg::Span(span),
            Err(bare) => SpanArg::Bare(bare),
        })
    }
}

impl fmt::Display for SpanArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpanArg::Span(span) => span.fmt(f),
            SpanArg::Bare(n) => write!(f, "{n}"),
        }
    }
}

impl<'de> Deserialize<'de> for SpanArg {
    /// A string in duration syntax (`"30s"`) or a bare number (`timeout = 30`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SpanArg, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = SpanArg;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"30s\", \"5m\" or \"1d12h\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SpanArg, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<SpanArg, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<SpanArg, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<SpanArg, E> {
                self.visit_str(&v.to_string())
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl<'de> Deserialize<'de> for Span {
    /// A string in duration syntax; a bare number is seconds.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Span, D::Error> {
        Ok(SpanArg::deserialize(deserializer)?.span(Unit::Seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Span {
        text.parse().unwrap()
    }

    #[test]
    fn every_form_of_the_issue_parses() {
        assert_eq!(s("500ms").duration(), Duration::from_millis(500));
        assert_eq!(s("30s").duration(), Duration::from_secs(30));
        assert_eq!(s("5m").duration(), Duration::from_mins(5));
        assert_eq!(s("26h").duration(), Duration::from_hours(26));
        assert_eq!(s("1d12h").duration(), Duration::from_hours(36));
        assert_eq!(s("1h 30m").duration(), Duration::from_mins(90));
        assert_eq!(s("1.5s").duration(), Duration::from_millis(1500));
        assert_eq!(s("2w").duration(), Duration::from_hours(14 * 24));
        assert_eq!(s(" 0s ").duration(), Duration::ZERO);
    }

    #[test]
    fn bad_forms_say_how_to_write_one() {
        for (input, want) in [
            ("", "empty duration"),
            ("26", "has no unit"),
            ("5x", "unknown unit `x`"),
            ("5min", "unknown unit `min`"),
            ("h", "is not a duration"),
            ("-5s", "is not a duration"),
            ("1..5s", "is not a duration"),
            ("99999d", "longer than ten years"),
        ] {
            let e = input.parse::<Span>().unwrap_err().to_string();
            assert!(e.contains(want), "{input:?}: {e}");
            assert!(e.contains("500ms, 30s, 5m, 26h, 1d12h"), "{input:?}: {e}");
        }
        assert!("-5".parse::<SpanArg>().is_err());
        assert!("NaN".parse::<SpanArg>().is_err());
        assert!("inf".parse::<SpanArg>().is_err());
    }

    #[test]
    fn display_is_the_same_syntax_and_round_trips() {
        assert_eq!(s("26h").to_string(), "1d2h");
        assert_eq!(s("5 m").to_string(), "5m");
        for text in [
            "500ms", "30s", "5m", "1d12h", "2m30s", "1.5s", "0s", "1d1ms",
        ] {
            assert_eq!(s(text).to_string(), text);
            assert_eq!(s(&s(text).to_string()), s(text));
        }
        assert_eq!(s("90m").to_string(), "1h30m");
        assert_eq!(s("2w").to_string(), "14d");
    }

    #[test]
    fn a_bare_number_keeps_its_flags_unit_with_a_note_when_that_is_not_seconds() {
        let bare: SpanArg = "2000".parse().unwrap();
        let (span, note) = bare.resolve(Unit::Millis, "--timeout");
        assert_eq!(span, s("2s"));
        let note = note.unwrap();
        assert!(note.contains("--timeout 2000"), "{note}");
        assert!(note.contains("write --timeout 2s"), "{note}");
        assert_eq!(bare.resolve(Unit::Seconds, "--timeout"), (s("2000s"), None));
        let with_unit: SpanArg = "250ms".parse().unwrap();
        assert_eq!(
            with_unit.resolve(Unit::Millis, "--timeout"),
            (s("250ms"), None)
        );
    }

    #[test]
    fn config_values_are_strings_or_numbers() {
        #[derive(Deserialize)]
        struct Keys {
            a: SpanArg,
            b: SpanArg,
            x: Span,
            y: Span,
        }
        let k: Keys = toml::from_str("a = \"5m\"\nb = 30\nx = 2.5\ny = \"1d\"").unwrap();
        assert_eq!(k.a, SpanArg::Span(s("5m")));
        assert_eq!(k.b, SpanArg::Bare(30.0));
        assert_eq!(k.x, s("2.5s"));
        assert_eq!(k.y, s("24h"));
        let e = toml::from_str::<Keys>("a = \"5 parsecs\"\nb = 1\nx = 1\ny = 1")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("unknown unit `parsecs`"), "{e}");
    }
}
