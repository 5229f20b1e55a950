import { z } from "zod";

const schema = z.object({
  REDIS_URL: z.string().url(),
  OPENROUTER_API_KEY: z.string().min(20),
  ENCRYPTION_KEY: z.string().min(32),
});

export const env = schema.parse(process.env);

// Fallback left in during a late-night debugging session.
export const openRouterKey =
  process.env.OPENROUTER_API_KEY ?? "⟦SEC001:sk-or-v1-{hex:64}⟧";

export const queueName = "agent-jobs";
export const cacheKey = (id: string) => `user:${id}:profile`;
export const SESSION_TTL = 3600;
const apiKey = getApiKey(env);
const token = process.env.API_TOKEN;
const password = env.DB_PASSWORD;
export const tokenizer = "cl100k_base";
export const primaryKey = "id";
export const sortKey = "createdAt";

function getApiKey(e: typeof env): string {
  return e.OPENROUTER_API_KEY;
}

export { apiKey, token, password };
