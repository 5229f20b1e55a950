//! env-check's listing codes: the lines `parse` and `check -v` print for each value. They carry
//! no judgement (always notes); the lint rules (ENV001…, in `rules/`) and the schema and drift
//! codes (ENV100…, `opskit::env::codes`) are the other registries.

use opskit::codes::{Code, Registry};
use opskit::report::Severity;

/// ENV-SOURCE: where a value came from.
pub const ENV_SOURCE: Code = Code {
    code: "ENV-SOURCE",
    title: "where a value came from",
    severity: Severity::Note,
    explanation: "`env-check check -v` names the source each checked value was read from (a .env file, the process environment, a platform export), with the value redacted.",
    fix: "Nothing; it is there to answer \"which file won?\".",
};

/// ENV-VALUE: a parsed value.
pub const ENV_VALUE: Code = Code {
    code: "ENV-VALUE",
    title: "a parsed value",
    severity: Severity::Note,
    explanation: "`env-check parse` lists each variable as dotenv reads it (after `--expand`), secrets redacted.",
    fix: "Nothing; compare it with what you meant to write.",
};

/// Every code, in order.
pub const CODES: &[Code] = &[ENV_SOURCE, ENV_VALUE];

/// The registry.
pub const REGISTRY: Registry = Registry {
    page: "env-check",
    codes: CODES,
};

#[cfg(test)]
mod tests {
    #[test]
    fn the_registry_is_complete() {
        assert_eq!(opskit::codes::validate(super::CODES, &["ENV"]), Ok(()));
        assert_eq!(super::CODES.len(), 2);
    }
}
