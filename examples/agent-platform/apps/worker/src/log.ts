import type { Job } from 'bullmq';
import { pino } from 'pino';

// One JSON line per event on stdout. Railway keeps them; `railway logs --json > worker.ndjson`
// hands them to `job-trace --logs worker.ndjson`.
export const logger = pino({ base: { service: 'worker' } });

export interface Traced {
  // Set by the frontend route that enqueued the job; the same id is in its own log lines.
  requestId?: string;
}

// A child logger per job: every line it writes carries the ids job-trace follows.
export function jobLogger(job: Job<Traced>) {
  return logger.child({ jobId: job.id, queue: job.queueName, requestId: job.data.requestId });
}
