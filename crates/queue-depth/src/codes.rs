//! queue-depth's finding codes, each written once: `--explain`, `--list-rules`, the SARIF rule
//! descriptors and the table of docs/queue-depth.md are made from this list.

use opskit::codes::{Code, Registry};
use opskit::report::Severity;

/// QD001: no such queue.
pub const QD001: Code = Code {
    code: "QD001",
    title: "no such queue",
    severity: Severity::Warning,
    explanation: "No key exists under `PREFIX:QUEUE:`: no producer has used this queue name, so every count is 0 because there is nothing to count, not because the queue is empty. A queue named with `--queue` (or `queues` in opskit.toml) that does not exist is UNKNOWN: the monitor cannot tell how that queue is doing.",
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

/// QD020: depth over its threshold.
pub const QD020: Code = Code {
    code: "QD020",
    title: "depth over threshold",
    severity: Severity::Warning,
    explanation: "More jobs wait (waiting + paused + prioritized) than the depth threshold allows: producers add jobs faster than the workers finish them, or the workers stopped.",
    fix: "Check that the worker runs and takes jobs (`queue-depth --watch 30s` shows whether the depth still grows; RUNBOOK incident 2); scale the workers or find the slow dependency. The threshold is `-w`/`-c` (`warning`/`critical` in [queue-depth]).",
};

/// QD021: failed jobs over their threshold.
pub const QD021: Code = Code {
    code: "QD021",
    title: "failed over threshold",
    severity: Severity::Warning,
    explanation: "The failed set holds more jobs than the threshold allows.",
    fix: "`queue-depth failed QUEUE` lists the most recent failures and their reasons; fix the cause, then retry or clean them. The threshold is `--failed-warning/--failed-critical`.",
};

/// QD022: failed jobs grew too much since the previous run.
pub const QD022: Code = Code {
    code: "QD022",
    title: "failed growth over threshold",
    severity: Severity::Warning,
    explanation: "More jobs failed since the previous run (`--state`) than the growth threshold allows: something started failing now, whatever the backlog of old failures.",
    fix: "`queue-depth failed QUEUE --limit 20` shows the new failures; a single reason for many jobs is usually a dependency or the last deploy. The threshold is `--failed-growth-warning/--failed-growth-critical`.",
};

/// QD023: active jobs over their threshold.
pub const QD023: Code = Code {
    code: "QD023",
    title: "active over threshold",
    severity: Severity::Warning,
    explanation: "More jobs are being processed at once than the threshold allows: jobs hang, or the concurrency is higher than intended.",
    fix: "Look for jobs that never finish (their `processedOn` is old) and for a missing timeout in the job code. The threshold is `--active-warning/--active-critical`.",
};

/// QD024: stalled jobs.
pub const QD024: Code = Code {
    code: "QD024",
    title: "stalled jobs",
    severity: Severity::Error,
    explanation: "Active jobs whose lock expired: the worker that took them stopped renewing the lock, so it crashed, was killed (out of memory, a deploy) or blocks its event loop. By default any stalled job is CRITICAL.",
    fix: "Check that the worker process runs and look at its last logs (RUNBOOK incident 1); BullMQ moves stalled jobs back to waiting once a worker runs its stalled check. `--stalled-critical N` tolerates N.",
};

/// QD025: the oldest waiting job is too old.
pub const QD025: Code = Code {
    code: "QD025",
    title: "oldest waiting job too old",
    severity: Severity::Warning,
    explanation: "The oldest job that waits to be processed was created longer ago than the threshold (by default 5m is a WARNING and 15m CRITICAL): nothing takes jobs, or not fast enough, even when the depth looks small.",
    fix: "Check that a worker runs and listens on this queue name and prefix (RUNBOOK incident 1). A queue that is meant to be slow takes `--age-warning 1h --age-critical 3h`.",
};

/// QD026: the queue is paused.
pub const QD026: Code = Code {
    code: "QD026",
    title: "queue paused",
    severity: Severity::Warning,
    explanation: "The queue is paused (`queue.pause()`): workers take none of its jobs until it is resumed, so every job waits however healthy the workers are.",
    fix: "Resume it (`await queue.resume()`) if the pause was not meant to last; pass `--paused-ok` (or `paused_ok = true` in [queue-depth]) for a queue that is paused on purpose.",
};

/// Every code, in order.
pub const CODES: &[Code] = &[
    QD001, QD002, QD003, QD010, QD020, QD021, QD022, QD023, QD024, QD025, QD026,
];

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
        assert_eq!(super::CODES.len(), 11);
    }
}
