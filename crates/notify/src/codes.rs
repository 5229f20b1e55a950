//! notify's finding codes, each written once: `--explain`, `--list-rules`, the SARIF rule
//! descriptors and the table of docs/notify.md are made from this list.

use opskit::codes::{Code, Registry};
use opskit::report::Severity;

/// NT001: not delivered.
pub const NT001: Code = Code {
    code: "NT001",
    title: "not delivered",
    severity: Severity::Error,
    explanation: "A target of `notify send` or `notify test` was not reached: the server refused or did not answer in time, answered with an error status, or the target's configuration is incomplete. The message names the target and the cause, with credentials scrubbed.",
    fix: "`notify test NAME` sends a test message to one target; check its URL, token or routing key in [notify.targets.NAME].",
};

/// Every code, in order.
pub const CODES: &[Code] = &[NT001];

/// notify's registry.
pub const REGISTRY: Registry = Registry {
    page: "notify",
    codes: CODES,
};

#[cfg(test)]
mod tests {
    #[test]
    fn the_registry_is_complete() {
        assert_eq!(opskit::codes::validate(super::CODES, &["NT"]), Ok(()));
        assert_eq!(super::CODES.len(), 1);
    }
}
