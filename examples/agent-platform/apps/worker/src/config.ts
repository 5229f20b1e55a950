export interface WorkerConfig {
  redisUrl: string;
  port: number;
  concurrency: number;
  queueName: string;
  sentryDsn: string | undefined;
}

function required(name: string, value: string | undefined): string {
  if (!value) throw new Error(`${name} is not set; see .env.example`);
  return value;
}

export function loadConfig(): WorkerConfig {
  return {
    redisUrl: required('REDIS_URL', process.env.REDIS_URL),
    port: Number(process.env.PORT ?? '8080'),
    concurrency: Number(process.env.WORKER_CONCURRENCY ?? '4'),
    queueName: process.env.QUEUE_NAME ?? 'agent-tasks',
    sentryDsn: process.env.SENTRY_DSN || undefined,
  };
}
