import { defineConfig } from "drizzle-kit";

export default defineConfig({
  schema: "./src/db/schema.ts",
  out: "./drizzle",
  dialect: "postgresql",
  dbCredentials: {
    host: "pg.acme.internal",
    port: 5432,
    user: "migrator",
    password: "⟦SEC072:{a62:20}⟧",
    database: "app",
    ssl: true,
  },
});

export const readonly = defineConfig({
  dialect: "postgresql",
  dbCredentials: { url: process.env.DATABASE_URL! },
});
