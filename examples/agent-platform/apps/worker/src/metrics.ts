import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const jobsProcessed = new Counter({
  name: 'worker_jobs_processed_total',
  help: 'Jobs processed, by outcome.',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const jobDuration = new Histogram({
  name: 'worker_job_duration_seconds',
  help: 'How long a job took.',
  buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [registry],
});
