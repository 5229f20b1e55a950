//! Environment files: reading `.env` files the way the apps that load them do.
//!
//! [`dotenv`] parses with the npm `dotenv` package's rules. The env schema and its validation
//! (env-check) build on it.

pub mod dotenv;
