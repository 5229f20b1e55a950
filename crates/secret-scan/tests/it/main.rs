#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod corpus;
mod rules;
