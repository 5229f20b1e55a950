//! The Dockerfile parser and every rule on generated hostile input: 10,000 cases that must
//! not panic, must finish within a deadline and must hold heap in proportion to their size.

use testkit::PeakAlloc;
use testkit::property::check;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc::new();

#[test]
fn the_parser_and_the_rules_are_bounded_on_hostile_input() {
    let options = opskit_dockerfile_lint::lint::Options::default();
    let stats = check(
        &ALLOC,
        "Dockerfile",
        10_000,
        &[
            "FROM node:20-alpine AS build\n",
            "RUN apt-get install -y curl && ",
            "\\\n",
            "COPY --from=build . .\n",
            "ENV A=${B:-c} \n",
            "ARG X\n",
            "# syntax=docker/dockerfile:1\n",
            "# hadolint ignore=DL3008\n",
            "HEALTHCHECK CMD curl -f http://x/ || exit 1\n",
            "CMD [\"node\", \"x\"]\n",
            "RUN <<EOF\n",
            "EOF\n",
            "USER root\n",
            "'",
            "\"",
            "$(",
            "`",
            "|",
            ";",
            "&&",
        ],
        |text| {
            let _ = opskit_dockerfile_lint::lint::lint_bytes(text.as_bytes(), &options, None, None);
        },
    );
    assert_eq!(stats.cases, 10_000);
}
