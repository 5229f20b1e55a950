//! One module per subcommand; `lib.rs` holds the flags and dispatches.

pub mod check;
pub mod explain;
pub mod generate;
pub mod lint;
pub mod parse;
pub mod schema;
