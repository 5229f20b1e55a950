//! The checks, one module each. A check takes the scanned project and returns one
//! [`opskit::report::Check`]; it never fails: a tool that cannot run is an UNKNOWN check.

mod config_file;
pub mod dockerfile;
pub mod env;
pub mod files;
pub mod health;
pub mod lint;
pub mod railway;
pub mod secrets;
pub mod typescript;
pub mod vercel;
