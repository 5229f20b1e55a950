// Creates jobs in every state with the real BullMQ, while a worker logs through the real pino
// the way docs/job-trace.md tells teams to (a child logger per job with jobId, queue and the
// requestId of the frontend request that enqueued it). Keeps the live workers running until
// stdin closes. Prints one JSON line: for each job, what BullMQ's own Job.fromId(),
// getState() and Queue.getJobLogs() return.
//
//   node scenario.js LIB PORT LOGFILE      LIB: bullmq5 | bullmq6
'use strict';

const [lib, portText, logFile] = process.argv.slice(2);
const { Queue, Worker, FlowProducer, Job } = require(lib);
const pino = require('pino');

const connection = { host: '127.0.0.1', port: Number(portText), maxRetriesPerRequest: null };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const never = () => new Promise(() => {});
const HOUR = 3600 * 1000;
// Two services write to one file, as `railway logs --json` and `vercel logs --json` would be
// concatenated by a person; pino's own format, synchronously so nothing is lost at exit.
const dest = pino.destination({ dest: logFile, sync: true });
const web = pino({ name: 'web' }, dest);
const workerLog = pino({ name: 'worker' }, dest);

async function until(what, test, timeout = 20000) {
  const start = Date.now();
  for (;;) {
    if (await test()) return;
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

// The frontend's side: a request that enqueues a job logs its requestId, and the job carries it.
async function enqueue(queue, name, data, opts, requestId) {
  const log = web.child({ requestId });
  log.info({ path: '/api/jobs' }, 'POST /api/jobs');
  const job = await queue.add(name, { ...data, requestId }, opts);
  log.info({ jobId: job.id, queue: queue.name }, 'enqueued');
  return job;
}

async function main() {
  const q = `jt-${lib}`;
  const queue = new Queue(q, { connection });
  const ok = await enqueue(queue, 'send-welcome', { to: 'a@example.com', apiKey: 'sk-live-0123456789abcdefABCDEF' }, {}, 'req-ok-1111');
  const boom = await enqueue(queue, 'charge', { amount: 5 }, { attempts: 3, backoff: { type: 'exponential', delay: 50 } }, 'req-boom-2222');
  const boom2 = await enqueue(queue, 'charge', { amount: 6 }, { attempts: 1 }, 'req-boom-3333');
  const retry = await enqueue(queue, 'retry-later', {}, { attempts: 3, backoff: { type: 'fixed', delay: HOUR } }, 'req-retry-4444');
  const processor = async (job) => {
    const log = workerLog.child({ jobId: job.id, queue: job.queueName, requestId: job.data.requestId });
    log.info({ attempt: job.attemptsMade + 1 }, 'processing');
    await job.log(`attempt ${job.attemptsMade + 1} of ${job.name}`);
    if (job.name === 'charge') {
      const err = new Error(`card declined for amount ${job.data.amount}`);
      log.error({ err }, 'charge failed');
      throw err;
    }
    if (job.name === 'retry-later') throw new Error('upstream 503, retry in an hour');
    await job.log('sent');
    log.info('done');
    return { delivered: true };
  };
  const worker = new Worker(q, processor, { connection, concurrency: 4 });
  await until('jobs to settle', async () => {
    const c = await queue.getJobCounts('completed', 'failed', 'delayed');
    return c.completed === 1 && c.failed === 2 && c.delayed === 1;
  });
  await worker.close();
  // Waiting, prioritized, delayed, a job scheduler's next job, a flow.
  const waiting = await enqueue(queue, 'waiting', {}, {}, 'req-wait-5555');
  const prio = await queue.add('prio', {}, { priority: 3 });
  const later = await queue.add('later', {}, { delay: HOUR });
  await queue.upsertJobScheduler('hourly-report', { every: HOUR }, { name: 'report', data: {} });
  const flows = new FlowProducer({ connection });
  const tree = await flows.add({
    name: 'build', queueName: `${q}-parent`, data: {},
    children: [
      { name: 'step-ok', queueName: `${q}-children`, data: {} },
      { name: 'step-pending', queueName: `${q}-children`, data: {} },
    ],
  });
  const childQueue = new Queue(`${q}-children`, { connection });
  const childWorker = new Worker(`${q}-children`, async () => 'fine', { connection, autorun: false });
  // Process exactly one child: the other stays pending.
  const token = 'test-token';
  const next = await childWorker.getNextJob(token);
  await next.moveToCompleted('fine', token, false);
  // One active job held by a live worker, one held by a worker that died (its lock expires).
  const activeQ = new Queue(`${q}-active`, { connection });
  const live = await activeQ.add('hold', {});
  const alive = new Worker(`${q}-active`, never, { connection, concurrency: 1, stalledInterval: HOUR });
  await until('the live worker to take a job', async () => (await activeQ.getActiveCount()) === 1);
  const dead = await activeQ.add('doomed', {});
  const dying = new Worker(`${q}-active`, never, { connection, concurrency: 1, lockDuration: 1000, stalledInterval: HOUR });
  await until('the doomed worker to take a job', async () => (await activeQ.getActiveCount()) === 2);
  await dying.close(true);
  await sleep(1600);
  const schedulerJobs = await queue.getJobs(['delayed', 'waiting', 'prioritized']);
  const scheduled = schedulerJobs.find((j) => j.name === 'report');

  const jobs = {
    completed: [queue, ok.id], failed: [queue, boom.id], failed_once: [queue, boom2.id],
    delayed_retry: [queue, retry.id], waiting: [queue, waiting.id], prioritized: [queue, prio.id],
    delayed: [queue, later.id], scheduled: [queue, scheduled.id],
    parent: [new Queue(`${q}-parent`, { connection }), tree.job.id],
    child_done: [childQueue, next.id],
    child_pending: [childQueue, tree.children.map((c) => c.job.id).find((id) => id !== next.id)],
    active: [activeQ, live.id], stalled: [activeQ, dead.id],
  };
  const out = {};
  for (const [key, [qq, id]] of Object.entries(jobs)) {
    const job = await Job.fromId(qq, id);
    const logs = await qq.getJobLogs(id);
    out[key] = {
      queue: qq.name, id, state: await job.getState(), name: job.name,
      attemptsMade: job.attemptsMade, timestamp: job.timestamp,
      processedOn: job.processedOn ?? null, finishedOn: job.finishedOn ?? null,
      failedReason: job.failedReason ?? null, stacktrace: job.stacktrace ?? [],
      parent: job.parent ?? null, repeatJobKey: job.repeatJobKey ?? null,
      logs: logs.logs, logCount: logs.count,
      dependencies: key === 'parent' ? await job.getDependencies() : null,
    };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await alive.close(true);
    process.exit(0);
  });
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
