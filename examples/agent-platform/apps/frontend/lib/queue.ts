import { Queue } from 'bullmq';

let tasks: Queue | undefined;

// One connection per server instance, opened on first use. BullMQ speaks Redis' own protocol:
// QUEUE_REDIS_URL is Upstash's rediss:// address (the worker's REDIS_URL), not its REST URL.
export function taskQueue(): Queue {
  const url = process.env.QUEUE_REDIS_URL;
  if (!url) throw new Error('QUEUE_REDIS_URL is not set; see .env.example');
  tasks ??= new Queue(process.env.QUEUE_NAME ?? 'agent-tasks', { connection: { url } });
  return tasks;
}
