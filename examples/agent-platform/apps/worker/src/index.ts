import { createServer } from 'node:http';
import * as Sentry from '@sentry/node';
import { Worker, type Job } from 'bullmq';

import { loadConfig } from './config.js';
import { jobLogger, logger, type Traced } from './log.js';
import { jobDuration, jobsProcessed, registry } from './metrics.js';

interface AgentTask extends Traced {
  agentId: string;
  prompt: string;
}

async function runTask(job: Job<AgentTask>): Promise<string> {
  const { agentId, prompt } = job.data;
  await job.updateProgress(50);
  return `agent ${agentId} answered ${prompt.length} characters`;
}

const config = loadConfig();
const startedAt = Date.now();
if (config.sentryDsn) Sentry.init({ dsn: config.sentryDsn });

// Each job runs in its own Sentry scope tagged with its id, so `job-trace QUEUE ID
// --sentry-org ORG --sentry-project PROJECT` finds the errors it raised.
function processJob(job: Job<AgentTask>): Promise<string> {
  return Sentry.withIsolationScope(async (scope) => {
    scope.setTag('job_id', job.id ?? 'unknown');
    scope.setTag('queue', job.queueName);
    if (job.data.requestId) scope.setTag('request_id', job.data.requestId);
    const log = jobLogger(job);
    log.info({ attempt: job.attemptsMade + 1 }, 'job started');
    const stop = jobDuration.startTimer();
    try {
      const result = await runTask(job);
      jobsProcessed.inc({ outcome: 'completed' });
      log.info('job completed');
      return result;
    } catch (error) {
      jobsProcessed.inc({ outcome: 'failed' });
      log.error({ err: error }, 'job failed');
      Sentry.captureException(error);
      throw error;
    } finally {
      stop();
    }
  });
}

const worker = new Worker<AgentTask, string>(config.queueName, processJob, {
  connection: { url: config.redisUrl, maxRetriesPerRequest: null },
  concurrency: config.concurrency,
});
worker.on('ready', () => logger.info({ queue: config.queueName }, 'worker ready'));

const server = createServer((req, res) => {
  if (req.url === '/health') {
    const running = worker.isRunning();
    res.writeHead(running ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: running ? 'ok' : 'down', uptime: Math.round((Date.now() - startedAt) / 1000) }));
    return;
  }
  if (req.url === '/metrics') {
    registry
      .metrics()
      .then((body) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(body);
      })
      .catch(() => {
        res.writeHead(500);
        res.end();
      });
    return;
  }
  res.writeHead(404);
  res.end();
});

server.listen(config.port);

async function shutdown(): Promise<void> {
  server.close();
  await worker.close();
  await Sentry.close(2000);
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
