// Fills queues with the real library, in every job state, and keeps workers alive until stdin
// closes. Prints one JSON line: the library's own getJobCounts() for each queue.
//
//   node fill.js LIB PORT      LIB: bullmq5 | bullmq6 | bull
'use strict';

const [lib, portText] = process.argv.slice(2);
const port = Number(portText);
const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const never = () => new Promise(() => {});
const HOUR = 3600 * 1000;

async function until(what, test, timeout = 20000) {
  const start = Date.now();
  for (;;) {
    if (await test()) return;
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

async function bullmq(pkg) {
  const { Queue, Worker, FlowProducer } = require(pkg);
  const name = `main-${pkg}`;
  const queue = new Queue(name, { connection });
  // Completed and failed jobs, processed by a worker that then goes away.
  await queue.add('ok', { n: 1 });
  await queue.add('ok', { n: 2 });
  await queue.add('boom', { n: 3 }, { attempts: 2, backoff: 0 });
  await queue.add('boom', { n: 4 }, { attempts: 2, backoff: 0 });
  const finisher = new Worker(name, async (job) => {
    if (job.name === 'boom') throw new Error(`boom ${job.data.n}\nsecond line of the reason`);
    return 'done';
  }, { connection, concurrency: 4 });
  await until('2 completed and 2 failed', async () => {
    const c = await queue.getJobCounts('completed', 'failed');
    return c.completed === 2 && c.failed === 2;
  });
  await finisher.close();
  // Waiting, prioritized, delayed, and a flow whose parent waits for its children.
  for (let i = 0; i < 5; i++) await queue.add('wait', { i });
  await queue.add('prio', {}, { priority: 5 });
  await queue.add('prio', {}, { priority: 10 });
  await queue.add('later', {}, { delay: HOUR });
  await queue.add('later', {}, { delay: 2 * HOUR });
  const flows = new FlowProducer({ connection });
  await flows.add({ name: 'parent', queueName: name, children: [{ name: 'child', queueName: `children-${pkg}`, data: {} }] });
  // One active job held by a live worker, one held by a worker that died (its lock expires).
  const alive = new Worker(name, never, { connection, concurrency: 1, stalledInterval: HOUR });
  await until('the live worker to take a job', async () => (await queue.getActiveCount()) === 1);
  const dead = new Worker(name, never, { connection, concurrency: 1, lockDuration: 1000, stalledInterval: HOUR });
  await until('the doomed worker to take a job', async () => (await queue.getActiveCount()) === 2);
  await dead.close(true);
  await sleep(1600);
  // A paused queue, and a queue under a custom prefix.
  const paused = new Queue(`paused-${pkg}`, { connection });
  await paused.add('p', {});
  await paused.add('p', {});
  await paused.pause();
  const custom = new Queue(`custom-${pkg}`, { connection, prefix: 'myapp' });
  await custom.add('c', {});
  const out = {};
  for (const [prefix, q] of [['bull', queue], ['bull', paused], ['myapp', custom], ['bull', new Queue(`children-${pkg}`, { connection })]]) {
    out[`${prefix}:${q.name}`] = { counts: await q.getJobCounts(), paused: await q.isPaused() };
  }
  return { out, keep: [alive, flows] };
}

async function bull() {
  const Queue = require('bull');
  const redis = { host: '127.0.0.1', port };
  const name = 'main-bull';
  const queue = new Queue(name, { redis });
  await queue.add('ok', { n: 1 });
  await queue.add('ok', { n: 2 });
  await queue.add('boom', { n: 3 }, { attempts: 2, backoff: 0 });
  await queue.add('boom', { n: 4 }, { attempts: 2, backoff: 0 });
  const finisher = new Queue(name, { redis });
  finisher.process('*', 4, async (job) => {
    if (job.name === 'boom') throw new Error(`boom ${job.data.n}`);
    return 'done';
  });
  await until('2 completed and 2 failed', async () => {
    const c = await queue.getJobCounts();
    return c.completed === 2 && c.failed === 2;
  });
  await finisher.close();
  for (let i = 0; i < 5; i++) await queue.add('wait', { i });
  await queue.add('prio', {}, { priority: 5 });
  await queue.add('later', {}, { delay: HOUR });
  const alive = new Queue(name, { redis, settings: { stalledInterval: HOUR } });
  alive.process('*', 1, never);
  await until('the live worker to take a job', async () => (await queue.getActiveCount()) === 1);
  const dead = new Queue(name, { redis, settings: { lockDuration: 1000, stalledInterval: HOUR } });
  dead.process('*', 1, never);
  await until('the doomed worker to take a job', async () => (await queue.getActiveCount()) === 2);
  await dead.close(true);
  await sleep(1600);
  const paused = new Queue('paused-bull', { redis });
  await paused.add('p', {});
  await paused.add('p', {});
  await paused.pause();
  const custom = new Queue('custom-bull', { redis, prefix: 'myapp' });
  await custom.add('c', {});
  const out = {};
  for (const [prefix, q] of [['bull', queue], ['bull', paused], ['myapp', custom]]) {
    out[`${prefix}:${q.name}`] = { counts: await q.getJobCounts(), paused: await q.isPaused() };
  }
  return { out, keep: [alive] };
}

(async () => {
  const { out } = lib === 'bull' ? await bull() : await bullmq(lib);
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
})().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
