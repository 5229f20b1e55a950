//! [`Status`]: the four outcomes of every check, and the only place exit codes are chosen.
//!
//! opskit follows the [Nagios plugin convention] everywhere: `0` OK, `1` WARNING, `2` CRITICAL,
//! `3` UNKNOWN. Tools never pick numbers; they return a [`Report`](crate::Report) whose worst
//! status becomes the process exit code through `impl From<Status> for ExitCode`.
//!
//! [Nagios plugin convention]: https://www.monitoring-plugins.org/doc/guidelines.html#AEN78

use std::fmt;
use std::process::ExitCode;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The outcome of a check.
///
/// # Worst-of
///
/// Statuses combine with [`Status::worst`], which ranks them the way the monitoring-plugins
/// `max_state_alt` helper does: `CRITICAL > WARNING > UNKNOWN > OK`. A check that could not
/// tell (UNKNOWN) therefore never hides behind an OK, and a real problem found by one check is
/// never hidden behind another check's inability to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Everything within thresholds. Exit code 0.
    #[default]
    Ok,
    /// Past the warning threshold. Exit code 1.
    Warning,
    /// Past the critical threshold. Exit code 2.
    Critical,
    /// The tool could not tell: unreachable service, bad config, bad flags. Exit code 3.
    Unknown,
}

impl Status {
    /// Every status, in exit-code order.
    pub const ALL: [Status; 4] = [
        Status::Ok,
        Status::Warning,
        Status::Critical,
        Status::Unknown,
    ];

    /// The Nagios exit code: 0, 1, 2 or 3.
    pub const fn code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Warning => 1,
            Status::Critical => 2,
            Status::Unknown => 3,
        }
    }

    /// The status for a Nagios exit code, if it is one of 0..=3.
    pub const fn from_code(code: u8) -> Option<Status> {
        match code {
            0 => Some(Status::Ok),
            1 => Some(Status::Warning),
            2 => Some(Status::Critical),
            3 => Some(Status::Unknown),
            _ => None,
        }
    }

    /// The upper-case name the monitoring world prints: `OK`, `WARNING`, `CRITICAL`, `UNKNOWN`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Critical => "CRITICAL",
            Status::Unknown => "UNKNOWN",
        }
    }

    /// How bad a status is, for [`Status::worst`]: OK 0, UNKNOWN 1, WARNING 2, CRITICAL 3.
    pub const fn rank(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Unknown => 1,
            Status::Warning => 2,
            Status::Critical => 3,
        }
    }

    /// The worse of two statuses (see the type's docs for the order).
    #[must_use]
    pub const fn worst(self, other: Status) -> Status {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    /// The worst of any number of statuses; OK for none.
    pub fn worst_of<I: IntoIterator<Item = Status>>(statuses: I) -> Status {
        statuses.into_iter().fold(Status::Ok, Status::worst)
    }

    /// True for anything but OK.
    pub const fn is_problem(self) -> bool {
        !matches!(self, Status::Ok)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status.code())
    }
}

/// The error of parsing a [`Status`] from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a status; use ok, warning, critical or unknown (or 0, 1, 2, 3)")]
pub struct ParseStatusError(String);

impl FromStr for Status {
    type Err = ParseStatusError;

    /// Accepts the names in any case (`ok`, `WARNING`, `crit`, `warn`) and the exit codes.
    fn from_str(s: &str) -> Result<Status, ParseStatusError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ok" | "0" => Ok(Status::Ok),
            "warning" | "warn" | "1" => Ok(Status::Warning),
            "critical" | "crit" | "2" => Ok(Status::Critical),
            "unknown" | "3" => Ok(Status::Unknown),
            _ => Err(ParseStatusError(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_nagios() {
        let codes: Vec<u8> = Status::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, [0, 1, 2, 3]);
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
        }
        assert_eq!(Status::from_code(4), None);
        assert_eq!(
            format!("{:?}", ExitCode::from(Status::Critical)),
            format!("{:?}", ExitCode::from(2))
        );
    }

    #[test]
    fn worst_of_ranks_critical_warning_unknown_ok() {
        use Status::*;
        assert_eq!(Ok.worst(Warning), Warning);
        assert_eq!(Warning.worst(Ok), Warning);
        assert_eq!(Unknown.worst(Ok), Unknown);
        assert_eq!(Ok.worst(Unknown), Unknown);
        assert_eq!(Unknown.worst(Warning), Warning);
        assert_eq!(Warning.worst(Unknown), Warning);
        assert_eq!(Warning.worst(Critical), Critical);
        assert_eq!(Critical.worst(Unknown), Critical);
        assert_eq!(Status::worst_of([]), Ok);
        assert_eq!(Status::worst_of([Ok, Unknown, Ok]), Unknown);
        assert_eq!(
            Status::worst_of([Ok, Warning, Unknown, Critical, Ok]),
            Critical
        );
    }

    #[test]
    fn worst_is_commutative_and_associative() {
        for a in Status::ALL {
            for b in Status::ALL {
                assert_eq!(a.worst(b), b.worst(a));
                for c in Status::ALL {
                    assert_eq!(a.worst(b).worst(c), a.worst(b.worst(c)));
                }
            }
        }
    }

    #[test]
    fn parses_names_and_codes() {
        assert_eq!("ok".parse(), Ok(Status::Ok));
        assert_eq!(" WARNING ".parse(), Ok(Status::Warning));
        assert_eq!("crit".parse(), Ok(Status::Critical));
        assert_eq!("3".parse(), Ok(Status::Unknown));
        let err = "fatal".parse::<Status>().unwrap_err();
        assert!(err.to_string().contains("`fatal` is not a status"));
    }

    #[test]
    fn displays_upper_case_and_pads() {
        assert_eq!(Status::Warning.to_string(), "WARNING");
        assert_eq!(format!("{:<8}|", Status::Ok), "OK      |");
        assert_eq!(
            serde_json::to_string(&Status::Critical).unwrap(),
            "\"CRITICAL\""
        );
    }
}
