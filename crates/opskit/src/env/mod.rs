//! Environment files: reading `.env` files the way the apps that load them do.
//!
//! [`dotenv`] parses with the npm `dotenv` package's rules; [`schema`] holds what each service
//! expects of its environment and checks values against it.

pub mod dotenv;
pub mod schema;
