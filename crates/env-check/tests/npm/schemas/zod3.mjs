// Plain zod 3 on process.env, as many workers validate their environment (empty values are
// values here: no emptyStringAsUndefined).
import { z } from "zod3";

const EnvSchema = z.object({
  FX_REDIS_URL: z.string().url(),
  FX_CONCURRENCY: z.coerce.number().int().nonnegative().default(5),
  FX_QUEUE: z.string().nonempty().default("jobs"),
  FX_SENTRY_DSN:
    process.env.NODE_ENV !== "production" ? z.string().url().optional() : z.string().url(),
  FX_TIMEOUT_MS: z.coerce.number().gte(100).lt(60000).optional(),
  FX_MODE: z.enum(["fast", "safe"]).optional(),
  FX_TOKEN: z.string().min(10).max(20).optional(),
});

const blankToUndefined = (value) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const Extra = z.object({
  FX_HOST: z.preprocess((v) => (v === "" ? undefined : v), z.string().min(3).optional()),
  FX_LABEL: z.preprocess(blankToUndefined, z.string().trim().min(2).optional()),
  FX_REGION: z.string().optional(),
});

export const env = EnvSchema.merge(Extra).parse(process.env);
