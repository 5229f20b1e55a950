//! The one place HTTP clients are made: timeouts on every phase, a user agent, TLS
//! verification on, and bounded bodies.

use std::time::Duration;

/// Settings for an HTTP client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpOptions {
    /// The whole request, from connect to the last byte of the body.
    pub timeout: Duration,
    /// Connecting (DNS, TCP and TLS).
    pub connect_timeout: Duration,
    /// The largest response body read; a larger one is an error, not a truncation.
    pub max_body: u64,
}

impl Default for HttpOptions {
    fn default() -> HttpOptions {
        HttpOptions {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_body: 16 * 1024 * 1024,
        }
    }
}

/// The user agent every opskit request sends.
pub const USER_AGENT: &str = concat!("opskit/", env!("CARGO_PKG_VERSION"));

/// An agent with the options applied. HTTP error statuses are returned as responses, not
/// errors, so callers can read the body of a 401 or a 429.
pub fn agent(options: &HttpOptions) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .timeout_connect(Some(options.connect_timeout))
        .http_status_as_error(false)
        .user_agent(USER_AGENT)
        .max_redirects(0)
        .build()
        .into()
}
