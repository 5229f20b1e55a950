//! Environment files: reading `.env` files the way the apps that load them do.
//!
//! [`dotenv`] parses with the npm `dotenv` package's rules; [`expand`] applies `${VAR}`
//! expansion with npm `dotenv-expand`'s (as Next.js does); [`schema`] holds what each service
//! expects of its environment and checks values against it.

pub mod codes;
pub mod dotenv;
pub mod expand;
pub mod schema;
