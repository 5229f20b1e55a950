//! End-of-life dates of the base images' releases: the one place to update when a release
//! reaches its end of life or a new one ships (OPS-DF009 reads it).
//!
//! Dates are the upstream projects' published end of security support:
//! - Node.js: <https://github.com/nodejs/release#release-schedule> (odd releases end two
//!   months after the next even one starts; even ones at the end of their maintenance LTS);
//! - Python: <https://devguide.python.org/versions/> (end of security fixes);
//! - Debian: <https://wiki.debian.org/LTS> (end of LTS; the Docker images' codenames);
//! - Alpine: <https://alpinelinux.org/releases/> (end of support of each branch).

/// A release and the day it stopped getting security fixes (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    /// The version as image tags write it: `18`, `3.9`, `bullseye`, `3.16`.
    pub version: &'static str,
    /// The last day of support.
    pub eol: &'static str,
}

const fn r(version: &'static str, eol: &'static str) -> Release {
    Release { version, eol }
}

/// Node.js majors.
pub const NODE: &[Release] = &[
    r("10", "2021-04-30"),
    r("11", "2019-06-01"),
    r("12", "2022-04-30"),
    r("13", "2020-06-01"),
    r("14", "2023-04-30"),
    r("15", "2021-06-01"),
    r("16", "2023-09-11"),
    r("17", "2022-06-01"),
    r("18", "2025-04-30"),
    r("19", "2023-06-01"),
    r("20", "2026-04-30"),
    r("21", "2024-06-01"),
    r("22", "2027-04-30"),
    r("23", "2025-06-01"),
    r("24", "2028-04-30"),
    r("25", "2026-06-01"),
    r("26", "2029-04-30"),
];

/// Python minor versions.
pub const PYTHON: &[Release] = &[
    r("2.7", "2020-01-01"),
    r("3.5", "2020-09-13"),
    r("3.6", "2021-12-23"),
    r("3.7", "2023-06-27"),
    r("3.8", "2024-10-07"),
    r("3.9", "2025-10-31"),
    r("3.10", "2026-10-31"),
    r("3.11", "2027-10-31"),
    r("3.12", "2028-10-31"),
    r("3.13", "2029-10-31"),
    r("3.14", "2030-10-31"),
];

/// Debian releases by codename (and number, as `debian:11` tags them).
pub const DEBIAN: &[(&str, &str, &str)] = &[
    ("jessie", "8", "2020-06-30"),
    ("stretch", "9", "2022-06-30"),
    ("buster", "10", "2024-06-30"),
    ("bullseye", "11", "2026-08-31"),
    ("bookworm", "12", "2028-06-30"),
    ("trixie", "13", "2030-06-30"),
];

/// Alpine branches.
pub const ALPINE: &[Release] = &[
    r("3.12", "2022-05-01"),
    r("3.13", "2022-11-01"),
    r("3.14", "2023-05-01"),
    r("3.15", "2023-11-01"),
    r("3.16", "2024-05-23"),
    r("3.17", "2024-11-22"),
    r("3.18", "2025-05-09"),
    r("3.19", "2025-11-01"),
    r("3.20", "2026-04-01"),
    r("3.21", "2026-11-01"),
    r("3.22", "2027-05-01"),
    r("3.23", "2027-11-01"),
];

/// What a base image runs that has an end of life: `("Node.js", "18", "2025-04-30")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    /// The product: Node.js, Python, Debian or Alpine.
    pub product: &'static str,
    /// The release.
    pub version: String,
    /// Its end of life.
    pub eol: &'static str,
    /// The oldest release still supported on `today`, to move to.
    pub instead: Option<&'static str>,
}

fn leading_version(tag: &str, parts: usize) -> Option<String> {
    let mut out = String::new();
    for (i, part) in tag.split('.').take(parts).enumerate() {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return if i == 0 { None } else { Some(out) };
        }
        if i > 0 {
            out.push('.');
        }
        out.push_str(&digits);
        if digits.len() < part.len() {
            break;
        }
    }
    (!out.is_empty()).then_some(out)
}

fn past(eol: &str, today: i64) -> bool {
    opskit::time::parse_date(eol).is_some_and(|d| d < today)
}

/// The supported release a team moves to: the oldest one not past its end of life, among
/// the long-term ones (even Node.js majors).
fn instead(table: &[Release], today: i64, lts: fn(&str) -> bool) -> Option<&'static str> {
    table
        .iter()
        .filter(|r| lts(r.version) && !past(r.eol, today))
        .map(|r| r.version)
        .next()
}

/// The releases past their end of life on `today` (days since 1970-01-01) that an image
/// reference (`node:18-bullseye-slim`, `python:3.8`, `alpine:3.16`) runs.
pub fn expired(image: &str, today: i64) -> Vec<Expired> {
    let r = super::ImageRef::parse(image);
    let Some(tag) = r.tag else { return Vec::new() };
    // Official images only (`node`, `library/node`, `docker.io/node`): another
    // publisher's `myorg/node:18` may mean anything.
    let hub = r
        .registry
        .is_none_or(|g| g == "docker.io" || g == "index.docker.io");
    let name = r
        .repository
        .strip_prefix("library/")
        .unwrap_or(r.repository);
    if !hub || name.contains('/') {
        return Vec::new();
    }
    let mut out = Vec::new();
    let lookup = |product, table: &[Release], version: Option<String>, lts: fn(&str) -> bool| {
        let v = version?;
        let rel = table.iter().find(|rel| rel.version == v)?;
        past(rel.eol, today).then(|| Expired {
            product,
            version: v,
            eol: rel.eol,
            instead: instead(table, today, lts),
        })
    };
    let even: fn(&str) -> bool = |v: &str| v.parse::<u32>().is_ok_and(|n| n % 2 == 0);
    let any: fn(&str) -> bool = |_: &str| true;
    out.extend(match name {
        "node" => lookup("Node.js", NODE, leading_version(tag, 1), even),
        "python" => lookup("Python", PYTHON, leading_version(tag, 2), any),
        "alpine" => lookup("Alpine", ALPINE, leading_version(tag, 2), any),
        _ => None,
    });
    // Debian and Alpine underneath, as the official images' tags name them.
    let lower = tag.to_ascii_lowercase();
    for (codename, number, eol) in DEBIAN {
        let named = lower.split(['-', '.']).any(|w| w == *codename)
            || (name == "debian" && leading_version(tag, 1).as_deref() == Some(*number));
        if named && past(eol, today) {
            let instead = DEBIAN
                .iter()
                .find(|(_, _, e)| !past(e, today))
                .map(|(c, _, _)| *c);
            out.push(Expired {
                product: "Debian",
                version: (*codename).to_owned(),
                eol,
                instead,
            });
        }
    }
    if name != "alpine"
        && let Some(rest) = lower.split('-').find_map(|w| w.strip_prefix("alpine"))
        && !rest.is_empty()
    {
        out.extend(lookup("Alpine", ALPINE, leading_version(rest, 2), any));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> i64 {
        opskit::time::parse_date(s).unwrap()
    }

    #[test]
    fn dates_decide() {
        let today = day("2026-12-01");
        let e = expired("node:18-alpine", today);
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].product, e[0].version.as_str(), e[0].eol),
            ("Node.js", "18", "2025-04-30")
        );
        assert_eq!(e[0].instead, Some("22"));
        assert_eq!(expired("node:20.19-bookworm-slim", today)[0].version, "20");
        assert!(
            expired("node:20.19-bookworm-slim", day("2026-04-30")).is_empty(),
            "the last day still counts"
        );
        assert!(expired("node:22-slim", today).is_empty());
        assert!(expired("node:lts", today).is_empty());
        assert!(expired("node", today).is_empty());
        assert!(expired("myorg/node-base:18", today).is_empty());
        assert!(expired("myorg/node:18", today).is_empty());
        assert_eq!(expired("docker.io/library/node:16", today)[0].version, "16");
        let both = expired("node:22-buster", today);
        assert_eq!(
            (both[0].product, both[0].instead),
            ("Debian", Some("bookworm"))
        );
        assert_eq!(expired("python:3.9-slim", today)[0].version, "3.9");
        assert!(expired("python:3.12-slim", today).is_empty());
        assert_eq!(expired("debian:10", today)[0].version, "buster");
        assert_eq!(expired("alpine:3.16", today)[0].version, "3.16");
        assert_eq!(expired("node:22-alpine3.18", today)[0].product, "Alpine");
        assert!(expired("node:22-alpine", today).is_empty());
    }

    #[test]
    fn tables_are_sorted_and_dated() {
        for t in [NODE, PYTHON, ALPINE] {
            for r in t {
                assert!(opskit::time::parse_date(r.eol).is_some(), "{r:?}");
            }
        }
        for (_, _, eol) in DEBIAN {
            assert!(opskit::time::parse_date(eol).is_some());
        }
    }
}
