//! Thresholds in the Nagios range syntax, evaluated to a [`Status`].
//!
//! Every opskit tool that compares a number with a limit takes it in the syntax of the
//! [monitoring-plugins guidelines], so a team's existing Nagios/Icinga/Sensu thresholds carry
//! over unchanged:
//!
//! | range     | alerts when the value is…           |
//! |-----------|--------------------------------------|
//! | `10`      | `< 0` or `> 10` (a plain number)     |
//! | `10:`     | `< 10`                               |
//! | `~:10`    | `> 10`                               |
//! | `:10`     | `< 0` or `> 10` (same as `10`)       |
//! | `10:20`   | `< 10` or `> 20`                     |
//! | `@10:20`  | `>= 10` and `<= 20` (inside)         |
//!
//! Bounds are inclusive: with `500`, a value of exactly 500 is fine and 501 alerts, which is the
//! seed's "warning when the queue depth is greater than 500".
//!
//! ```
//! use opskit::threshold::{Range, Thresholds};
//! use opskit::Status;
//!
//! let t = Thresholds::new(Some("500".parse()?), Some("1000".parse()?));
//! assert_eq!(t.evaluate(499.0), Status::Ok);
//! assert_eq!(t.evaluate(500.0), Status::Ok);
//! assert_eq!(t.evaluate(501.0), Status::Warning);
//! assert_eq!(t.evaluate(1001.0), Status::Critical);
//! let inside: Range = "@10:20".parse()?;
//! assert!(inside.alerts(15.0));
//! # Ok::<(), opskit::threshold::ThresholdError>(())
//! ```
//!
//! [monitoring-plugins guidelines]: https://www.monitoring-plugins.org/doc/guidelines.html#THRESHOLDFORMAT

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Status;

/// Why a threshold could not be parsed. The message quotes the input and shows the valid forms.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThresholdError {
    /// Nothing was given.
    #[error("empty threshold; use a number such as `500` or a range such as `10:20`")]
    Empty,
    /// A bound is not a number.
    #[error(
        "`{input}`: `{bound}` is not a number; valid forms are `10`, `10:`, `~:10`, `10:20` and `@10:20`"
    )]
    NotANumber {
        /// The whole threshold as given.
        input: String,
        /// The part that failed to parse.
        bound: String,
    },
    /// More than one `:`.
    #[error(
        "`{input}` has more than one `:`; valid forms are `10`, `10:`, `~:10`, `10:20` and `@10:20`"
    )]
    TooManyColons {
        /// The whole threshold as given.
        input: String,
    },
    /// Start greater than end.
    #[error(
        "`{input}`: the start {start} is greater than the end {end}; write the smaller bound first"
    )]
    Inverted {
        /// The whole threshold as given.
        input: String,
        /// The parsed start.
        start: f64,
        /// The parsed end.
        end: f64,
    },
    /// A bound that is neither a number nor a duration.
    #[error("`{input}`: {error}")]
    Duration {
        /// The whole threshold as given.
        input: String,
        /// Why the bound is not a duration.
        error: crate::duration::DurationError,
    },
    /// A warning range that can never fire, because the critical range always fires first.
    #[error(
        "{warning_flag} {warning} is beyond {critical_flag} {critical}: every value past {critical} is CRITICAL first, so the warning could never fire; swap them ({warning_flag} {critical} {critical_flag} {warning})"
    )]
    Order {
        /// The warning flag or key.
        warning_flag: String,
        /// The warning range.
        warning: String,
        /// The critical flag or key.
        critical_flag: String,
        /// The critical range.
        critical: String,
    },
}

/// A range whose bounds are durations or seconds (`5m`, `300`, `10m:1h`), for thresholds on
/// ages and latencies: a bound with a unit is converted to seconds.
pub fn parse_time_range(input: &str) -> Result<Range, ThresholdError> {
    let text = input.trim();
    let (at, body) = match text.strip_prefix('@') {
        Some(rest) => ("@", rest),
        None => ("", text),
    };
    let mut bounds = Vec::new();
    for bound in body.split(':') {
        let b = bound.trim();
        if b.is_empty() || b == "~" || b.parse::<f64>().is_ok() {
            bounds.push(b.to_owned());
        } else {
            let span: crate::duration::Span = b.parse().map_err(|e| ThresholdError::Duration {
                input: input.to_owned(),
                error: e,
            })?;
            bounds.push(span.as_secs_f64().to_string());
        }
    }
    format!("{at}{}", bounds.join(":"))
        .parse::<Range>()
        .map_err(|e| match e {
            ThresholdError::Empty => ThresholdError::Empty,
            _ => e.with_input(input),
        })
}

/// Deserializes a [`parse_time_range`] range (a string such as `"15m"`, or a number of
/// seconds), for `#[serde(deserialize_with)]` on `Option<Range>` keys.
pub fn time_range<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Range>, D::Error> {
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = Option<Range>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a duration such as \"15m\", seconds, or a range such as \"5m:1h\"")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Option<Range>, E> {
            parse_time_range(v).map(Some).map_err(E::custom)
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Option<Range>, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Option<Range>, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Option<Range>, E> {
            self.visit_str(&v.to_string())
        }
    }
    deserializer.deserialize_any(Visitor)
}

impl ThresholdError {
    /// The same error about the input as the user wrote it.
    fn with_input(self, original: &str) -> ThresholdError {
        let input = original.to_owned();
        match self {
            ThresholdError::NotANumber { bound, .. } => ThresholdError::NotANumber { input, bound },
            ThresholdError::TooManyColons { .. } => ThresholdError::TooManyColons { input },
            ThresholdError::Inverted { start, end, .. } => {
                ThresholdError::Inverted { input, start, end }
            }
            other => other,
        }
    }
}

/// One Nagios range. A value *alerts* when it falls outside `[start, end]`, or inside it when the
/// range was written with a leading `@`. Both bounds are inclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    start: f64,
    end: f64,
    inside: bool,
}

impl Range {
    /// `0:max`, the range a plain number means: alert above `max` (or below zero).
    pub const fn upper(max: f64) -> Range {
        Range {
            start: 0.0,
            end: max,
            inside: false,
        }
    }

    /// `min:`, alert below `min`.
    pub const fn lower(min: f64) -> Range {
        Range {
            start: min,
            end: f64::INFINITY,
            inside: false,
        }
    }

    /// The lower bound (`-inf` for `~`).
    pub const fn start(&self) -> f64 {
        self.start
    }

    /// The upper bound (`+inf` when left open).
    pub const fn end(&self) -> f64 {
        self.end
    }

    /// True for `@` ranges, which alert inside the bounds.
    pub const fn alerts_inside(&self) -> bool {
        self.inside
    }

    /// Whether `value` triggers this range. NaN always alerts: a value that is not a number is
    /// never "within limits".
    pub fn alerts(&self, value: f64) -> bool {
        if value.is_nan() {
            return true;
        }
        let within = self.start <= value && value <= self.end;
        within == self.inside
    }
}

impl FromStr for Range {
    type Err = ThresholdError;

    fn from_str(input: &str) -> Result<Range, ThresholdError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(ThresholdError::Empty);
        }
        let (inside, body) = match text.strip_prefix('@') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, text),
        };
        if body.is_empty() {
            return Err(ThresholdError::Empty);
        }
        let number = |bound: &str| -> Result<f64, ThresholdError> {
            let bound = bound.trim();
            match bound.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(ThresholdError::NotANumber {
                    input: input.to_owned(),
                    bound: bound.to_owned(),
                }),
            }
        };
        let mut parts = body.split(':');
        let first = parts.next().unwrap_or_default();
        let (start, end) = match (parts.next(), parts.next()) {
            (None, _) => (0.0, number(first)?),
            (Some(second), None) => {
                let start = match first.trim() {
                    "~" => f64::NEG_INFINITY,
                    "" => 0.0,
                    s => number(s)?,
                };
                let end = if second.trim().is_empty() {
                    f64::INFINITY
                } else {
                    number(second)?
                };
                (start, end)
            }
            (Some(_), Some(_)) => {
                return Err(ThresholdError::TooManyColons {
                    input: input.to_owned(),
                });
            }
        };
        if start > end {
            return Err(ThresholdError::Inverted {
                input: input.to_owned(),
                start,
                end,
            });
        }
        Ok(Range { start, end, inside })
    }
}

impl fmt::Display for Range {
    /// The canonical Nagios form, as used in performance data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.inside {
            f.write_str("@")?;
        }
        let end_open = self.end == f64::INFINITY;
        if self.start == 0.0 && !end_open {
            return write!(f, "{}", self.end);
        }
        if self.start == f64::NEG_INFINITY {
            f.write_str("~")?;
        } else {
            write!(f, "{}", self.start)?;
        }
        f.write_str(":")?;
        if !end_open {
            write!(f, "{}", self.end)?;
        }
        Ok(())
    }
}

impl Serialize for Range {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Range {
    /// Accepts a string in range syntax or a bare number (`warning = 500` in opskit.toml).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Range, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Range;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a Nagios range such as \"10:20\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Range, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Range, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Range, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Range, E> {
                self.visit_str(&v.to_string())
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A warning and a critical range. Either may be absent.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Thresholds {
    /// Alerts as WARNING.
    pub warning: Option<Range>,
    /// Alerts as CRITICAL; checked first.
    pub critical: Option<Range>,
}

impl Thresholds {
    /// Both ranges.
    pub const fn new(warning: Option<Range>, critical: Option<Range>) -> Thresholds {
        Thresholds { warning, critical }
    }

    /// Parses both from text, as flags give them.
    pub fn parse(
        warning: Option<&str>,
        critical: Option<&str>,
    ) -> Result<Thresholds, ThresholdError> {
        Ok(Thresholds {
            warning: warning.map(str::parse).transpose()?,
            critical: critical.map(str::parse).transpose()?,
        })
    }

    /// Checks that the warning can fire: where both ranges are upper bounds (`500`, `~:500`),
    /// the warning's must not be above the critical's; where both are lower bounds (`10:`),
    /// not below it. `-w 2000 -c 1000` is a mistake a monitor should not accept silently.
    pub fn check_order(
        &self,
        warning_flag: &str,
        critical_flag: &str,
    ) -> Result<(), ThresholdError> {
        let (Some(w), Some(c)) = (self.warning, self.critical) else {
            return Ok(());
        };
        if w.inside || c.inside {
            return Ok(());
        }
        let upper =
            |r: &Range| r.end.is_finite() && (r.start == 0.0 || r.start == f64::NEG_INFINITY);
        let lower = |r: &Range| r.end == f64::INFINITY && r.start.is_finite();
        let wrong = (upper(&w) && upper(&c) && w.end > c.end)
            || (lower(&w) && lower(&c) && w.start < c.start);
        if wrong {
            return Err(ThresholdError::Order {
                warning_flag: warning_flag.to_owned(),
                warning: w.to_string(),
                critical_flag: critical_flag.to_owned(),
                critical: c.to_string(),
            });
        }
        Ok(())
    }

    /// CRITICAL if the critical range alerts, else WARNING if the warning range alerts, else OK.
    /// A NaN value is UNKNOWN: it cannot be compared with anything.
    pub fn evaluate(&self, value: f64) -> Status {
        if value.is_nan() {
            Status::Unknown
        } else if self.critical.is_some_and(|r| r.alerts(value)) {
            Status::Critical
        } else if self.warning.is_some_and(|r| r.alerts(value)) {
            Status::Warning
        } else {
            Status::Ok
        }
    }
}

/// A warning/critical pair with where each came from (a flag, a key of opskit.toml, or the
/// default), so a breach can name what to change.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Set {
    /// The ranges.
    pub thresholds: Thresholds,
    /// Who set the warning: `--stalled-warning`, `stalled_warning in [queue-depth]`,
    /// `default of --stalled-warning`.
    pub warning_by: Option<String>,
    /// Who set the critical.
    pub critical_by: Option<String>,
}

/// Where to look for one threshold pair: the flags' names and values, the config keys' names
/// and values, and the defaults.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// The flags (`--stalled-warning`, `--stalled-critical`).
    pub flags: [&'a str; 2],
    /// Their values.
    pub flag_values: [Option<Range>; 2],
    /// The keys (`stalled_warning`, `stalled_critical`).
    pub keys: [&'a str; 2],
    /// Their values.
    pub key_values: [Option<Range>; 2],
    /// The config section, for naming a key (`queue-depth`).
    pub section: &'a str,
    /// Defaults.
    pub defaults: [Option<Range>; 2],
}

impl Set {
    /// Each side from the flag, else the key, else the default, remembering which; then the
    /// order of the two is checked ([`Thresholds::check_order`]) under the names that set them.
    pub fn resolve(s: &Sources<'_>) -> Result<Set, ThresholdError> {
        let side = |i: usize| -> (Option<Range>, Option<String>) {
            if let Some(r) = s.flag_values[i] {
                (Some(r), Some(s.flags[i].to_owned()))
            } else if let Some(r) = s.key_values[i] {
                (Some(r), Some(format!("{} in [{}]", s.keys[i], s.section)))
            } else if let Some(r) = s.defaults[i] {
                (Some(r), Some(format!("default of {}", s.flags[i])))
            } else {
                (None, None)
            }
        };
        let (mut warning, mut warning_by) = side(0);
        let (mut critical, mut critical_by) = side(1);
        // A default that contradicts what the user set gives way: `--age-critical 2m` alone
        // drops the default 5m warning instead of being refused.
        if Thresholds::new(warning, critical)
            .check_order("w", "c")
            .is_err()
        {
            let is_default =
                |by: &Option<String>| by.as_deref().is_some_and(|b| b.starts_with("default of "));
            if is_default(&warning_by) && !is_default(&critical_by) {
                (warning, warning_by) = (None, None);
            } else if is_default(&critical_by) && !is_default(&warning_by) {
                (critical, critical_by) = (None, None);
            }
        }
        let thresholds = Thresholds::new(warning, critical);
        let name = |by: &Option<String>, i: usize| match by {
            Some(b) if b.starts_with("--") => b.clone(),
            Some(b) if b.starts_with("default of ") => format!("{} (default)", s.flags[i]),
            Some(b) => b.clone(),
            None => s.flags[i].to_owned(),
        };
        thresholds.check_order(&name(&warning_by, 0), &name(&critical_by, 1))?;
        Ok(Set {
            thresholds,
            warning_by,
            critical_by,
        })
    }

    /// No thresholds.
    pub fn none() -> Set {
        Set::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_gives_way_to_what_the_user_set() {
        let src = |flags: [Option<Range>; 2]| Sources {
            flags: ["--age-warning", "--age-critical"],
            flag_values: flags,
            keys: ["age_warning", "age_critical"],
            key_values: [None, None],
            section: "queue-depth",
            defaults: [Some(Range::upper(300.0)), Some(Range::upper(900.0))],
        };
        let set = Set::resolve(&src([None, Some(Range::upper(120.0))])).unwrap();
        assert_eq!(set.thresholds.warning, None);
        assert_eq!(set.critical_by.as_deref(), Some("--age-critical"));
        let set = Set::resolve(&src([Some(Range::upper(1200.0)), None])).unwrap();
        assert_eq!(set.thresholds.critical, None);
        let e = Set::resolve(&src([
            Some(Range::upper(1200.0)),
            Some(Range::upper(600.0)),
        ]));
        assert!(
            e.unwrap_err()
                .to_string()
                .contains("--age-warning 1200 is beyond --age-critical 600")
        );
        let set = Set::resolve(&src([None, None])).unwrap();
        assert_eq!(set.warning_by.as_deref(), Some("default of --age-warning"));
    }

    #[test]
    fn time_ranges_take_durations_or_seconds() {
        assert_eq!(parse_time_range("15m").unwrap(), Range::upper(900.0));
        assert_eq!(parse_time_range("900").unwrap(), Range::upper(900.0));
        assert_eq!(
            parse_time_range("5m:1h").unwrap(),
            "300:3600".parse().unwrap()
        );
        assert_eq!(
            parse_time_range("@1m:2m").unwrap(),
            "@60:120".parse().unwrap()
        );
        let e = parse_time_range("15 minutes").unwrap_err().to_string();
        assert!(e.contains("unknown unit `minutes`"), "{e}");
        let e = parse_time_range("1h:5m").unwrap_err().to_string();
        assert!(e.starts_with("`1h:5m`"), "{e}");
    }

    #[test]
    fn a_warning_that_could_never_fire_is_refused() {
        let t = |w: &str, c: &str| {
            Thresholds::parse(Some(w), Some(c))
                .unwrap()
                .check_order("-w", "-c")
        };
        let e = t("2000", "1000").unwrap_err().to_string();
        assert!(e.contains("-w 2000 is beyond -c 1000"), "{e}");
        assert!(e.contains("swap them (-w 1000 -c 2000)"), "{e}");
        assert!(t("1000", "2000").is_ok());
        assert!(t("1000", "1000").is_ok());
        assert!(t("~:2000", "~:1000").is_err());
        // Lower bounds: warn below 10, critical below 20 would never warn.
        assert!(t("10:", "20:").is_err());
        assert!(t("20:", "10:").is_ok());
        // Mixed shapes and inside ranges are the user's to mean.
        assert!(t("10:20", "5").is_ok());
        assert!(t("@10:20", "5").is_ok());
        assert!(
            Thresholds::parse(Some("5"), None)
                .unwrap()
                .check_order("-w", "-c")
                .is_ok()
        );
    }

    fn r(s: &str) -> Range {
        s.parse().unwrap()
    }

    #[test]
    fn plain_number_is_zero_to_n() {
        let t = r("10");
        assert!(!t.alerts(0.0));
        assert!(!t.alerts(10.0), "the end is inclusive");
        assert!(t.alerts(10.000_001));
        assert!(t.alerts(-0.5), "below zero alerts");
        assert_eq!((t.start(), t.end(), t.alerts_inside()), (0.0, 10.0, false));
    }

    #[test]
    fn open_end() {
        let t = r("10:");
        assert!(t.alerts(9.99));
        assert!(!t.alerts(10.0));
        assert!(!t.alerts(1e300));
    }

    #[test]
    fn negative_infinity_start() {
        let t = r("~:10");
        assert!(!t.alerts(-1e300));
        assert!(!t.alerts(10.0));
        assert!(t.alerts(11.0));
    }

    #[test]
    fn empty_start_means_zero() {
        assert_eq!(r(":10"), r("10"));
    }

    #[test]
    fn closed_range() {
        let t = r("10:20");
        assert!(t.alerts(9.0));
        assert!(!t.alerts(10.0));
        assert!(!t.alerts(20.0));
        assert!(t.alerts(20.5));
    }

    #[test]
    fn inside_range() {
        let t = r("@10:20");
        assert!(!t.alerts(9.999));
        assert!(t.alerts(10.0));
        assert!(t.alerts(20.0));
        assert!(!t.alerts(21.0));
        let t = r("@5");
        assert!(t.alerts(0.0));
        assert!(!t.alerts(-1.0));
    }

    #[test]
    fn negative_numbers_and_floats() {
        let t = r("-10:-5");
        assert!(t.alerts(-11.0));
        assert!(!t.alerts(-7.5));
        assert!(t.alerts(-4.9));
        let t = r("0.5:1.5");
        assert!(t.alerts(0.49));
        assert!(!t.alerts(1.5));
        let t = r("-1e3:2.5E2");
        assert_eq!((t.start(), t.end()), (-1000.0, 250.0));
    }

    #[test]
    fn equal_bounds_are_a_point() {
        let t = r("5:5");
        assert!(!t.alerts(5.0));
        assert!(t.alerts(5.1));
        assert!(r("@5:5").alerts(5.0));
    }

    #[test]
    fn whitespace_is_trimmed() {
        assert_eq!(r(" 10 : 20 "), r("10:20"));
        assert_eq!(r(" @ 1:2"), r("@1:2"));
    }

    #[test]
    fn nan_always_alerts_and_evaluates_unknown() {
        assert!(r("10").alerts(f64::NAN));
        assert!(r("@10:20").alerts(f64::NAN));
        let t = Thresholds::parse(Some("1"), Some("2")).unwrap();
        assert_eq!(t.evaluate(f64::NAN), Status::Unknown);
    }

    #[test]
    fn infinities_compare() {
        assert!(r("10").alerts(f64::INFINITY));
        assert!(r("10:").alerts(f64::NEG_INFINITY));
        assert!(!r("~:").alerts(f64::INFINITY));
    }

    #[test]
    fn inverted_ranges_are_rejected() {
        let err = "20:10".parse::<Range>().unwrap_err();
        assert!(
            matches!(err, ThresholdError::Inverted { start, end, .. } if start.to_bits() == 20f64.to_bits() && end.to_bits() == 10f64.to_bits())
        );
        assert!(
            err.to_string()
                .contains("the start 20 is greater than the end 10")
        );
        // `-5` is 0:-5: start 0 > end -5.
        assert!(matches!(
            "-5".parse::<Range>(),
            Err(ThresholdError::Inverted { .. })
        ));
    }

    #[test]
    fn garbage_is_rejected_with_the_bad_part() {
        for (input, bad) in [
            ("abc", "abc"),
            ("10:x", "x"),
            ("y:10", "y"),
            ("1,5", "1,5"),
            ("nan", "nan"),
            ("inf", "inf"),
            ("10:NaN", "NaN"),
        ] {
            match input.parse::<Range>() {
                Err(ThresholdError::NotANumber { bound, .. }) => assert_eq!(bound, bad, "{input}"),
                other => panic!("{input}: {other:?}"),
            }
        }
        assert_eq!("".parse::<Range>(), Err(ThresholdError::Empty));
        assert_eq!("  ".parse::<Range>(), Err(ThresholdError::Empty));
        assert_eq!("@".parse::<Range>(), Err(ThresholdError::Empty));
        assert!(matches!(
            "1:2:3".parse::<Range>(),
            Err(ThresholdError::TooManyColons { .. })
        ));
        assert!(matches!(
            "~".parse::<Range>(),
            Err(ThresholdError::NotANumber { .. })
        ));
        assert!(matches!(
            "@@1".parse::<Range>(),
            Err(ThresholdError::NotANumber { .. })
        ));
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "10", "10:", "~:10", "10:20", "@10:20", "-3:0.5", "~:", "@~:0", "0.25",
        ] {
            let range = r(s);
            assert_eq!(range.to_string(), s, "canonical form of {s}");
            assert_eq!(r(&range.to_string()), range);
        }
        assert_eq!(r(":10").to_string(), "10");
        assert_eq!(r("0:10").to_string(), "10");
        assert_eq!(r("0:").to_string(), "0:");
    }

    #[test]
    fn thresholds_check_critical_first() {
        let t = Thresholds::parse(Some("500"), Some("1000")).unwrap();
        assert_eq!(t.evaluate(0.0), Status::Ok);
        assert_eq!(t.evaluate(500.0), Status::Ok);
        assert_eq!(t.evaluate(500.5), Status::Warning);
        assert_eq!(t.evaluate(1000.0), Status::Warning);
        assert_eq!(t.evaluate(1000.1), Status::Critical);
        // A warning range wider than the critical one: critical still wins.
        let t = Thresholds::parse(Some("10"), Some("5")).unwrap();
        assert_eq!(t.evaluate(7.0), Status::Critical);
        assert_eq!(Thresholds::default().evaluate(1e9), Status::Ok);
        let only_crit = Thresholds::parse(None, Some("@0:0")).unwrap();
        assert_eq!(only_crit.evaluate(0.0), Status::Critical);
        assert_eq!(only_crit.evaluate(1.0), Status::Ok);
        assert!(Thresholds::parse(Some("x"), None).is_err());
    }

    #[test]
    fn serde_accepts_numbers_and_strings() {
        #[derive(Debug, Deserialize)]
        struct C {
            a: Range,
            b: Range,
            d: Range,
        }
        let c: C = toml::from_str("a = 500\nb = \"10:\"\nd = 2.5").unwrap();
        assert_eq!((c.a, c.b, c.d), (r("500"), r("10:"), r("2.5")));
        let err = toml::from_str::<C>("a = \"20:10\"\nb = 1\nd = 1").unwrap_err();
        assert!(err.to_string().contains("greater than the end"), "{err}");
        assert_eq!(serde_json::to_string(&r("@1:2")).unwrap(), "\"@1:2\"");
    }
}
