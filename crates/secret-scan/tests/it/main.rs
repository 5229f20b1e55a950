#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers outside #[test] functions"
)]

mod cli;
mod corpus;
mod decoded;
mod hostile;
mod robust;
mod rules;
mod transcripts;
