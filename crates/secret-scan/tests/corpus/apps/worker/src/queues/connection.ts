import { Queue, Worker } from "bullmq";
import IORedis from "ioredis";
import { Redis } from "@upstash/redis";
import postgres from "postgres";
import { createClient } from "@libsql/client";

// Hard-coded while the managed Redis was being migrated.
export const connection = {
  host: "redis-14022.c250.eu-central-1-1.ec2.redns.redis-cloud.com",
  port: 14022,
  password: "⟦SEC072:{a62:16}⟧",
  maxRetriesPerRequest: null,
};

export const queue = new Queue("agent-jobs", { connection });

export const io = new IORedis({ host: "cache.internal", port: 6379, password: "⟦SEC072:{a62:14}⟧" });

export const cache = new Redis({
  url: "https://eu1-brave-gecko-30441.upstash.io",
  token: "⟦SEC019:A{b64u:59}⟧",
});

export const sql = postgres({
  host: "db.acme.internal",
  username: "worker",
  password: "⟦SEC072:{a62:18}⟧",
});

export const turso = createClient("libsql://acme-prod.turso.io", "⟦SEC077:{b64u:60}⟧");

// None of these is a credential: code, references and a form's state.
export const fromEnv = new IORedis({ host: process.env.REDIS_HOST, password: process.env.REDIS_PASSWORD });
export const worker = new Worker("agent-jobs", async (job) => job.data, {
  connection: { host: "localhost", port: 6379, password: env.REDIS_PASSWORD },
});
const _token: CancellationToken = source.token;
export const loginForm = { title: "Sign in", password: "" };
export function authorize(token: string, secret = defaults.secret) {
  return verify(token, secret);
}
