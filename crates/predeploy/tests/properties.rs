//! The parsers of what the project's own tools print (tsc's diagnostics, ESLint's and Biome's
//! JSON reports) on generated hostile input: 10,000 cases each that must not panic, must finish
//! within a deadline and must hold heap in proportion to their size.

use testkit::PeakAlloc;
use testkit::property::check;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc::new();

#[test]
fn the_tool_output_parsers_are_bounded_on_hostile_input() {
    let root = std::path::Path::new("/repo");
    let mut cases = 0;
    cases += check(
        &ALLOC,
        "tsc output",
        10_000,
        &[
            "src/a.ts(",
            "1,",
            "2)",
            ": error TS2322: ",
            "Type 'x'",
            "\n",
            "  ",
            "error TS5058: ",
            "(",
            ")",
        ],
        |text| {
            let _ = opskit_predeploy::checks::typescript::parse(text);
        },
    )
    .cases;
    cases += check(
        &ALLOC,
        "ESLint JSON",
        10_000,
        &[
            "[",
            "]",
            "{",
            "}",
            "\"filePath\":",
            "\"/repo/a.ts\"",
            "\"messages\":",
            "\"ruleId\":",
            "\"line\":",
            "1",
            ",",
            "\"severity\":2",
            "\"message\":\"x\"",
            "null",
        ],
        |text| {
            let _ = opskit_predeploy::checks::lint::parse(text, root);
        },
    )
    .cases;
    cases += check(
        &ALLOC,
        "Biome JSON",
        10_000,
        &[
            "{",
            "}",
            "[",
            "]",
            "\"diagnostics\":",
            "\"category\":",
            "\"lint/x\"",
            "\"location\":",
            "\"path\":",
            "{\"file\":\"a.ts\"}",
            "\"span\":",
            "[1,2]",
            ",",
            "\"severity\":\"error\"",
        ],
        |text| {
            let _ = opskit_predeploy::checks::lint::parse_biome(text);
        },
    )
    .cases;
    assert_eq!(cases, 30_000);
}
