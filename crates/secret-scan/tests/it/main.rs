#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod cli;
mod corpus;
mod robust;
mod rules;
