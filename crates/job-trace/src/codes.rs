//! job-trace's finding codes, each written once: `--explain`, `--list-rules`, the SARIF rule
//! descriptors and the table of docs/job-trace.md are made from this list.

use opskit::codes::{Code, Registry};
use opskit::report::Severity;

/// JT001: the job failed.
pub const JT001: Code = Code {
    code: "JT001",
    title: "job failed",
    severity: Severity::Error,
    explanation: "The job is in the queue's failed set: its last attempt threw and no attempt is left (or the error was unrecoverable). BullMQ keeps the first line of the error as failedReason and each attempt's stack in stacktrace.",
    fix: "Read the reason and the first frames of the stack, then the worker's log lines of the same job in the timeline (`--logs`); once fixed, retry it (`await job.retry()` or the failed set's retry in your admin UI).",
};

/// JT002: the job stalled.
pub const JT002: Code = Code {
    code: "JT002",
    title: "job stalled",
    severity: Severity::Warning,
    explanation: "The job is active but its lock (`QUEUE:ID:lock`) is gone: the worker that took it died or blocked its event loop past lockDuration. queue-depth counts such jobs as stalled by the same rule.",
    fix: "Check that the worker runs (RUNBOOK incident 1); a live worker's stalled-job check moves the job back to wait (or fails it after maxStalledCount). CPU-heavy processors need a sandboxed processor or a longer lockDuration.",
};

/// JT003: the job waits too long.
pub const JT003: Code = Code {
    code: "JT003",
    title: "job waiting past threshold",
    severity: Severity::Warning,
    explanation: "The job is waiting (or delayed past the time it was due) for longer than `--wait-warning` (5m by default): no worker takes jobs from this queue, or the workers are saturated.",
    fix: "Check that a worker is connected to this queue and prefix (`queue-depth --queue QUEUE` shows depth and the oldest waiting age); scale the workers or find what blocks them.",
};

/// JT004: no such job.
pub const JT004: Code = Code {
    code: "JT004",
    title: "job not found",
    severity: Severity::Error,
    explanation: "No hash `PREFIX:QUEUE:ID` exists: the id is wrong, the queue or prefix is another, or the job was removed (removeOnComplete / removeOnFail, a clean, or the queue's retention).",
    fix: "Check the queue's name and `--prefix`; `job-trace QUEUE --failed` lists failed jobs that are still kept. Keep finished jobs longer (`removeOnFail: { age: 7 * 24 * 3600 }`) to trace them later; the log lines in the timeline still show what happened.",
};

/// JT005: the job is in no state.
pub const JT005: Code = Code {
    code: "JT005",
    title: "job in no state",
    severity: Severity::Warning,
    explanation: "The job's hash exists but its id is in none of the queue's lists and sets, which is what BullMQ's getState() calls `unknown`: it was being moved between states while read, or its queue's keys were edited by hand.",
    fix: "Run job-trace again; if it stays, the hash is an orphan that no worker will ever process (remove it or add the job again).",
};

/// JT010: the job.
pub const JT010: Code = Code {
    code: "JT010",
    title: "job",
    severity: Severity::Note,
    explanation: "What BullMQ holds about the job: name, state, when it was created, started and finished, attempts, delay, backoff, priority, the worker that processed it, and its repeat or scheduler key.",
    fix: "Nothing to fix; it is the job's record.",
};

/// JT011: a stack trace.
pub const JT011: Code = Code {
    code: "JT011",
    title: "stack trace",
    severity: Severity::Note,
    explanation: "One entry of the job's stacktrace (BullMQ keeps one per failed attempt, up to the job's stackTraceLimit): the error's first line and its first frames.",
    fix: "The first frame in your own code is where to look.",
};

/// JT012: a job log line.
pub const JT012: Code = Code {
    code: "JT012",
    title: "job log line",
    severity: Severity::Note,
    explanation: "A line the processor wrote with `job.log()`, kept in `PREFIX:QUEUE:ID:logs` (BullMQ does not time them; they are in the order written).",
    fix: "Nothing to fix.",
};

/// JT013: the job's data.
pub const JT013: Code = Code {
    code: "JT013",
    title: "job data",
    severity: Severity::Note,
    explanation: "The job's data (`--data` only), after redaction: values of keys that name a secret, and values that look like tokens, show as a prefix and a fingerprint; URL passwords are hidden; long strings and big arrays are cut.",
    fix: "Nothing to fix.",
};

/// JT014: the job's return value.
pub const JT014: Code = Code {
    code: "JT014",
    title: "return value",
    severity: Severity::Note,
    explanation: "What the processor returned (`--data` only), redacted and bounded like the data.",
    fix: "Nothing to fix.",
};

/// JT020: the job's parent.
pub const JT020: Code = Code {
    code: "JT020",
    title: "parent job",
    severity: Severity::Note,
    explanation: "The job is a child in a flow (FlowProducer or `parent` in the job's options): its parent waits in waiting-children until every child completes.",
    fix: "Trace the parent with `job-trace PARENT_QUEUE PARENT_ID`.",
};

/// JT021: a child job.
pub const JT021: Code = Code {
    code: "JT021",
    title: "child job",
    severity: Severity::Note,
    explanation: "A child of this job in a flow, with its state: pending (in the parent's dependencies), processed (completed), failed or ignored.",
    fix: "A failed child keeps its parent in waiting-children unless it was added with failParentOnFailure, ignoreDependencyOnFailure or continueParentOnFailure; trace the child.",
};

/// JT030: a queue event.
pub const JT030: Code = Code {
    code: "JT030",
    title: "queue event",
    severity: Severity::Note,
    explanation: "An event of the job in the queue's event stream (`PREFIX:QUEUE:events`: added, waiting, active, progress, delayed, completed, failed, retries-exhausted, stalled, removed), or a time from the job's hash (created, processed, finished) when the stream no longer holds it (it keeps the last 10 000 events by default).",
    fix: "Nothing to fix.",
};

/// JT031: a log line.
pub const JT031: Code = Code {
    code: "JT031",
    title: "log line",
    severity: Severity::Note,
    explanation: "A line of a `--logs` source that names the job by one of the id fields (jobId, job.id, job_id, bullmqJobId, requestId, traceId, trace_id, and `id_fields` of [job-trace]), with its service, level and time as the log shape (pino, winston, bunyan, Railway, Vercel, key=value) says.",
    fix: "Nothing to fix.",
};

/// JT032: a Sentry event.
pub const JT032: Code = Code {
    code: "JT032",
    title: "Sentry event",
    severity: Severity::Note,
    explanation: "An error event in Sentry tagged with the job's id (or one of its trace ids), found through Sentry's API (`--sentry-org`, `--sentry-project`, SENTRY_AUTH_TOKEN).",
    fix: "Open the issue's link for the whole event.",
};

/// JT033: a log source could not be read whole.
pub const JT033: Code = Code {
    code: "JT033",
    title: "log source incomplete",
    severity: Severity::Warning,
    explanation: "Part of a log source was not read as lines: a line longer than the line limit (skipped), bytes that are not UTF-8 (replaced), or more matching lines than the timeline keeps (the first ones are kept).",
    fix: "The message says which and how many; narrow the logs to the job's time range, or raise the limit with `--max-lines`.",
};

/// JT040: a failure cause.
pub const JT040: Code = Code {
    code: "JT040",
    title: "failure cause",
    severity: Severity::Error,
    explanation: "Failed jobs grouped by the first line of their failedReason (numbers, ids and hex strings in it are compared as placeholders, so `timeout after 3012ms` and `timeout after 2988ms` are one cause): how many, first and last seen, the job names and one example id.",
    fix: "One cause for many jobs is usually a dependency or a deploy: trace the example (`job-trace QUEUE ID`), fix the cause, then retry the failed jobs.",
};

/// Every job-trace code, in order.
pub const CODES: &[Code] = &[
    JT001, JT002, JT003, JT004, JT005, JT010, JT011, JT012, JT013, JT014, JT020, JT021, JT030,
    JT031, JT032, JT033, JT040,
];

/// job-trace's registry.
pub const REGISTRY: Registry = Registry {
    page: "job-trace",
    codes: CODES,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_valid() {
        opskit::codes::validate(CODES, &["JT"]).unwrap();
    }
}
