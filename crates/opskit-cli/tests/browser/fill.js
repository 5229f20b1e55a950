// Fills the queue `emails` with real BullMQ jobs for the `opskit serve` tests: 7 waiting,
// 2 delayed, and 5 failed with two causes, one of them a failedReason holding markup and the
// Redis password (the page must show the markup as text and never the password). Prints one
// JSON line: BullMQ's own getJobCounts().
//
//   node fill.js REDIS_URL
'use strict';

const { Queue, Worker } = require('bullmq');

const url = new URL(process.argv[2]);
const connection = {
  host: url.hostname,
  port: Number(url.port),
  password: decodeURIComponent(url.password) || undefined,
  maxRetriesPerRequest: null,
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const queue = new Queue('emails', { connection });
  for (let i = 0; i < 3; i++) await queue.add('welcome', { to: `user${i}@example.com` });
  for (let i = 0; i < 2; i++) await queue.add('digest', { week: i });
  const worker = new Worker('emails', async (job) => {
    if (job.name === 'welcome') {
      throw new Error(`<script>window.__xss=1</script> bad template ${job.id} (redis://default:${connection.password}@cache:6379)`);
    }
    throw new Error(`smtp timeout after ${3000 + Number(job.id)}ms`);
  }, { connection, concurrency: 5 });
  for (;;) {
    const c = await queue.getJobCounts('failed');
    if (c.failed === 5) break;
    await sleep(25);
  }
  await worker.close();
  for (let i = 0; i < 7; i++) await queue.add('send', { i });
  for (let i = 0; i < 2; i++) await queue.add('reminder', { i }, { delay: 3600 * 1000 });
  const counts = await queue.getJobCounts('waiting', 'delayed', 'failed', 'active');
  process.stdout.write(JSON.stringify(counts) + '\n');
  await queue.close();
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

main().catch((e) => {
  process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
