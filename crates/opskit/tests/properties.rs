//! A property test per parser of the core: generated hostile inputs (10,000 per parser, and
//! more for the cheap ones) must never panic, never take longer than a deadline and never
//! hold more heap than a small multiple of their size.
//!
//! One `#[test]`, so no other test's allocations are counted against a parser.

use opskit::config::Config;
use testkit::PeakAlloc;
use testkit::property::check;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc::new();

const CASES: usize = 10_000;

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one test, so no other test allocates while a parser is measured"
)]
fn every_core_parser_is_bounded_on_hostile_input() {
    let mut total = 0;
    total += check(
        &ALLOC,
        "dotenv",
        CASES,
        &[
            "KEY", "=", "export ", "\"", "'", "\\n", "#", "\n", "${A}", "A_B", " ",
        ],
        |t| {
            let parsed = opskit::env::dotenv::parse(t);
            assert!(parsed.entries.len() <= t.len() + 1);
        },
    )
    .cases;
    total += check(
        &ALLOC,
        "expansion",
        CASES,
        &[
            "A=", "B=", "${A}", "${B}", "$A", "${A:-x}", "${B:+y}", "$&", "$'", "\\$", "\n", "null",
        ],
        |t| {
            let parsed = opskit::env::dotenv::parse(t);
            let pairs: Vec<(String, String)> = parsed
                .entries
                .iter()
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect();
            if let Ok(out) = opskit::env::expand::expand(&pairs, &|_| None) {
                let total: usize = out.iter().map(|(_, v)| v.len()).sum();
                assert!(total <= opskit::env::expand::MAX_TOTAL);
            }
        },
    )
    .cases;
    total += check(
        &ALLOC,
        "prometheus text",
        CASES,
        &[
            "# HELP m x\n",
            "# TYPE m counter\n",
            "m",
            "{",
            "}",
            "le=\"0.5\"",
            ",",
            " 1",
            " NaN",
            " +Inf",
            "\n",
            "_bucket",
            "_sum",
            "quantile=\"0.9\"",
        ],
        |t| {
            let _ = opskit::probe::prometheus::parse(t);
            let _ = opskit::probe::prometheus::Selector::parse(t);
        },
    )
    .cases;
    total += check(
        &ALLOC,
        "RESP",
        CASES,
        &[
            "*",
            "$",
            ":",
            "+",
            "-",
            "2",
            "-1",
            "\r\n",
            "OK",
            "999999999999",
            "*3\r\n",
            "$5\r\nhello\r\n",
        ],
        |t| {
            let _ = opskit::redis::parse_reply(t.as_bytes(), 1 << 20);
        },
    )
    .cases;
    total += check(
        &ALLOC,
        "TOML config",
        CASES,
        &[
            "[queue-depth]\n",
            "warning = ",
            "\"${X}\"",
            "\"${X:-1}\"",
            "[[health-probe.targets]]\n",
            "url = \"",
            "\"\n",
            "{ a = 1 }",
            "[",
            "]",
            "'''",
            "\"\"\"",
            "= ",
            "\n",
        ],
        |t| {
            if let Ok(config) = Config::parse("opskit.toml", t) {
                for section in ["queue-depth", "health-probe", "x"] {
                    let _ = config.section::<serde_json::Value>(section, &|_| Some("v".to_owned()));
                }
            }
        },
    )
    .cases;
    total += check(
        &ALLOC,
        "thresholds",
        CASES,
        &["10", ":", "~", "@", "-", ".5", "1e9", "inf"],
        |t| {
            let _ = t.parse::<opskit::threshold::Range>();
        },
    )
    .cases;
    total += check(
        &ALLOC,
        "URL scrubber",
        CASES,
        &[
            "redis://",
            "postgres://",
            "https://",
            ":",
            "@",
            "/",
            "?",
            "#",
            "pw",
            "user",
        ],
        |t| {
            let shown = opskit::redact::url(t);
            assert!(shown.len() <= t.len() * 4 + 64);
        },
    )
    .cases;
    assert_eq!(total, 7 * CASES);
}
