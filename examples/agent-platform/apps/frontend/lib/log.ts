import { pino } from 'pino';

// JSON lines on stdout: Vercel keeps them, and `vercel logs --json` or a log drain hands them
// to `job-trace --logs`.
export const logger = pino({ base: { service: 'frontend' } });
