import { Queue } from 'bullmq';

let tasks: Queue | undefined;

// One connection per server instance, opened on first use. BullMQ speaks Redis' own protocol:
// REDIS_URL is Upstash's rediss:// address, not its REST URL.
export function taskQueue(): Queue {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set; see .env.example');
  tasks ??= new Queue(process.env.QUEUE_NAME ?? 'agent-tasks', { connection: { url } });
  return tasks;
}
