//! health-probe's finding codes, each written once: `--explain`, `--list-rules`, the SARIF rule
//! descriptors and the table of docs/health-probe.md are made from this list.

use opskit::codes::{Code, Registry};
use opskit::report::Severity;

/// HP001: down.
pub const HP001: Code = Code {
    code: "HP001",
    title: "down",
    severity: Severity::Error,
    explanation: "The target did not answer: its name does not resolve, the connection is refused or times out, TLS cannot be completed, a phase ran past the timeout, Redis did not answer PONG, or PostgreSQL refused the login (with its SQLSTATE, e.g. `28P01`).",
    fix: "Check that the service runs and listens where the target points (`railway logs`, `systemctl status`); the message names the phase that failed.",
};

/// HP002: unexpected status.
pub const HP002: Code = Code {
    code: "HP002",
    title: "unexpected status",
    severity: Severity::Error,
    explanation: "The HTTP status is outside the target's accepted set (200-399 unless `expect_status` says otherwise).",
    fix: "A 502/503 means the service behind the proxy is down or starting; read its logs. Set `expect_status` when another status is right.",
};

/// HP003: slow.
pub const HP003: Code = Code {
    code: "HP003",
    title: "slow",
    severity: Severity::Warning,
    explanation: "The answer took longer than `latency_warning` (a warning) or `latency_critical` (an error; `--latency-warning`/`--latency-critical` for a URL given on the command line). The service is up, only slow.",
    fix: "Look at the service's load and its dependencies (database, queue); raise the limits if the latency is expected.",
};

/// HP004: body condition failed.
pub const HP004: Code = Code {
    code: "HP004",
    title: "body condition failed",
    severity: Severity::Error,
    explanation: "The body fails a condition (`contains`, `matches`, a JSON path), is not JSON where JSON is expected, or a PostgreSQL query's value fails `expect`.",
    fix: "The message says what was found; a health endpoint that reports a dependency as down points at that dependency.",
};

/// HP005: certificate expires soon.
pub const HP005: Code = Code {
    code: "HP005",
    title: "certificate expires soon",
    severity: Severity::Warning,
    explanation: "The TLS certificate expires within `cert_warning_days` (14, a warning) or `cert_critical_days` (7, an error).",
    fix: "Renew it, or find out why automatic renewal (Let's Encrypt, the platform's) stopped.",
};

/// HP006: metrics condition failed.
pub const HP006: Code = Code {
    code: "HP006",
    title: "metrics condition failed",
    severity: Severity::Error,
    explanation: "A condition on a Prometheus or OpenMetrics endpoint fails (a selector, `quantile(...)` or `rate(...)` against its limit), or, as a warning, lines of the exposition cannot be read.",
    fix: "The message gives the value found; look at what the metric measures.",
};

/// HP007: credit running out.
pub const HP007: Code = Code {
    code: "HP007",
    title: "credit running out",
    severity: Severity::Warning,
    explanation: "An OpenRouter key has less credit left than `credit_warning` (a warning) or `credit_critical` (an error), or is on the free tier (a warning: low rate limits). Requests fail with 402 when the credit runs out.",
    fix: "Add credit to the key, or raise its limit on openrouter.ai.",
};

/// HP008: the target's configuration refers to an unset variable.
pub const HP008: Code = Code {
    code: "HP008",
    title: "target not resolved",
    severity: Severity::Warning,
    explanation: "A target of `[[health-probe.targets]]` refers to a variable (`${DATABASE_URL}`) that is not set in this environment, so it cannot be probed and is UNKNOWN; the other targets are probed as usual.",
    fix: "Export the variable (for cron and systemd, in the environment file the job loads), or write `${VAR:-default}` to fall back to a default.",
};

/// HP100: not confirmed yet.
pub const HP100: Code = Code {
    code: "HP100",
    title: "state change not confirmed yet",
    severity: Severity::Warning,
    explanation: "In `--watch`, a target failed fewer probes in a row than `--down-after` (a warning), or a down target answered fewer good probes than `--up-after` (an error): the flap damping has not confirmed the change yet.",
    fix: "Nothing yet; the next rounds confirm or clear it.",
};

/// Every code, in order.
pub const CODES: &[Code] = &[
    HP001, HP002, HP003, HP004, HP005, HP006, HP007, HP008, HP100,
];

/// health-probe's registry.
pub const REGISTRY: Registry = Registry {
    page: "health-probe",
    codes: CODES,
};

#[cfg(test)]
mod tests {
    #[test]
    fn the_registry_is_complete() {
        assert_eq!(opskit::codes::validate(super::CODES, &["HP"]), Ok(()));
        assert_eq!(super::CODES.len(), 9);
    }
}
