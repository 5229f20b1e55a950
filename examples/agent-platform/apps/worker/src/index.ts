import { createServer } from 'node:http';
import { Worker, type Job } from 'bullmq';

import { loadConfig } from './config.js';
import { jobDuration, jobsProcessed, registry } from './metrics.js';

interface AgentTask {
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

const worker = new Worker<AgentTask, string>(
  config.queueName,
  async (job) => {
    const stop = jobDuration.startTimer();
    try {
      const result = await runTask(job);
      jobsProcessed.inc({ outcome: 'completed' });
      return result;
    } catch (error) {
      jobsProcessed.inc({ outcome: 'failed' });
      throw error;
    } finally {
      stop();
    }
  },
  { connection: { url: config.redisUrl, maxRetriesPerRequest: null }, concurrency: config.concurrency },
);

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
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
