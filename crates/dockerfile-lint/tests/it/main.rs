//! dockerfile-lint's integration tests: one binary, themed modules.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod cli;
mod hadolint;
mod parser;
mod rules;
mod transcripts;
