//! queue-depth's finding codes, each written once: `--explain`, `--list-rules`, the SARIF rule
//! descriptors and the table of docs/queue-depth.md are made from this list.

use opskit::codes::{Code, Registry};
use opskit::report::Severity;

/// QD001: no such queue.
pub const QD001: Code = Code {
    code: "QD001",
    title: "no such queue",
    severity: Severity::Warning,
    explanation: "No key exists under `PREFIX:QUEUE:`: no producer has used this queue name, so every count is 0 because there is nothing to count, not because the queue is empty.",
    fix: "Check the queue's name and `--prefix` (BullMQ's `prefix` option, `bull` by default); `queue-depth` without `--queue` lists the queues the server holds.",
};

/// QD002: previous state unreadable.
pub const QD002: Code = Code {
    code: "QD002",
    title: "previous state unreadable",
    severity: Severity::Warning,
    explanation: "The state file that remembers the failed counts of the last run cannot be read, so the growth of failed jobs is counted from this run on.",
    fix: "The message says why; the next run writes a fresh state file.",
};

/// QD003: state not saved.
pub const QD003: Code = Code {
    code: "QD003",
    title: "state not saved",
    severity: Severity::Warning,
    explanation: "The state file cannot be written, so the next run cannot tell how many jobs failed since this one.",
    fix: "Give the process a writable `--state` path (or `state_file` in opskit.toml).",
};

/// QD010: a failed job.
pub const QD010: Code = Code {
    code: "QD010",
    title: "failed job",
    severity: Severity::Note,
    explanation: "`queue-depth failed QUEUE` lists the most recent failed jobs: id, name, attempts, when it was created and failed, and BullMQ's failedReason.",
    fix: "Group the reasons: one cause for many jobs is usually a dependency or a deploy; retry them once it is fixed.",
};

/// Every code, in order.
pub const CODES: &[Code] = &[QD001, QD002, QD003, QD010];

/// queue-depth's registry.
pub const REGISTRY: Registry = Registry {
    page: "queue-depth",
    codes: CODES,
};

#[cfg(test)]
mod tests {
    #[test]
    fn the_registry_is_complete() {
        assert_eq!(opskit::codes::validate(super::CODES, &["QD"]), Ok(()));
        assert_eq!(super::CODES.len(), 4);
    }
}
