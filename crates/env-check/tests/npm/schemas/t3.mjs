// A t3-env schema in the shape create-t3-app generates (env-nextjs, zod 4). env-check reads it
// without running it; tests/code.rs runs it under Node and compares.
import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

const port = z.coerce.number().int().min(1).max(65535);

export const env = createEnv({
  server: {
    FX_DATABASE_URL: z.string().url(),
    FX_AUTH_SECRET:
      process.env.NODE_ENV === "production"
        ? z.string().min(32)
        : z.string().min(32).optional(),
    FX_PORT: port.default(3000),
    FX_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
    FX_REDIS_TLS: z.coerce.boolean().optional(),
    FX_API_KEY: z.string().startsWith("sk_").optional(),
    FX_REGION: z.literal("eu").optional(),
    FX_WORKERS: z.coerce.number().int().positive().max(64).optional(),
    FX_ADMIN_EMAIL: z.string().email().optional(),
    FX_CODE: z.string().regex(/^[A-Z]{3}-\d{2}$/).optional(),
    FX_NAME: z.string().trim().min(2).max(10).optional(),
    FX_KEY: z.string().length(8).optional(),
  },
  client: {
    NEXT_PUBLIC_FX_APP_URL: z.url(),
  },
  runtimeEnv: {
    FX_DATABASE_URL: process.env.FX_DATABASE_URL,
    FX_AUTH_SECRET: process.env.FX_AUTH_SECRET,
    FX_PORT: process.env.FX_PORT,
    FX_LOG_LEVEL: process.env.FX_LOG_LEVEL,
    FX_REDIS_TLS: process.env.FX_REDIS_TLS,
    FX_API_KEY: process.env.FX_API_KEY,
    FX_REGION: process.env.FX_REGION,
    FX_WORKERS: process.env.FX_WORKERS,
    FX_ADMIN_EMAIL: process.env.FX_ADMIN_EMAIL,
    FX_CODE: process.env.FX_CODE,
    FX_NAME: process.env.FX_NAME,
    FX_KEY: process.env.FX_KEY,
    NEXT_PUBLIC_FX_APP_URL: process.env.NEXT_PUBLIC_FX_APP_URL,
  },
  emptyStringAsUndefined: true,
});
