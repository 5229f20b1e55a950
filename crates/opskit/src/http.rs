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

/// The configuration every opskit agent starts from, for a caller that adds to it (the Sentry
/// transport adds a middleware): the options' timeouts, our user agent, TLS verification on,
/// no redirects, and HTTP error statuses returned as responses, not errors, so callers can read
/// the body of a 401 or a 429.
pub fn agent_builder(
    options: &HttpOptions,
) -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope> {
    ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .timeout_connect(Some(options.connect_timeout))
        .http_status_as_error(false)
        .user_agent(USER_AGENT)
        .max_redirects(0)
}

/// `request` bounded by `deadline`: the call (connect, send, the whole response) gets what is
/// left of it, connecting at most the deadline's connect limit. ureq re-arms the socket timeout
/// from that limit before every read and write, so a dripping server is cut off at the
/// deadline. An expired deadline leaves a millisecond, so the call fails at once as a timeout.
pub fn bounded<B>(
    request: ureq::RequestBuilder<B>,
    deadline: &crate::deadline::Deadline,
) -> ureq::RequestBuilder<B> {
    let floor = Duration::from_millis(1);
    let left = deadline.remaining().max(floor);
    let connect = deadline.connect_limit().unwrap_or(floor).max(floor);
    request
        .config()
        .timeout_global(Some(left))
        .timeout_connect(Some(connect))
        .build()
}

/// An agent with the options applied (see [`agent_builder`]).
pub fn agent(options: &HttpOptions) -> ureq::Agent {
    agent_builder(options).build().into()
}

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// Longer than `max_body`.
    #[error("the answer is larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// The connection failed, timed out, or the body is not UTF-8.
    #[error("the answer could not be read: {0}")]
    Read(String),
}

/// A response's body as text, at most `options.max_body` bytes: a longer body is
/// [`BodyError::TooLarge`], never a silent truncation.
pub fn read_body(
    response: &mut ureq::http::Response<ureq::Body>,
    options: &HttpOptions,
) -> Result<String, BodyError> {
    match response
        .body_mut()
        .with_config()
        .limit(options.max_body)
        .read_to_string()
    {
        Ok(text) => Ok(text),
        Err(ureq::Error::BodyExceedsLimit(_)) => Err(BodyError::TooLarge {
            limit: options.max_body,
        }),
        Err(e) => Err(BodyError::Read(e.to_string())),
    }
}
