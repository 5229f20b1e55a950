import Redis from "ioredis";
import { createClient } from "redis";

export const queueRedis = new Redis("⟦SEC013:rediss://default:A{b64u:59}@eu2-quiet-lynx-40211.upstash.io:6379⟧");

export const sessions = createClient({ url: "⟦SEC013:redis://:{a62:24}@10.0.4.17:6379/1⟧" });

export const dev = createClient({ url: "redis://localhost:6379" });
