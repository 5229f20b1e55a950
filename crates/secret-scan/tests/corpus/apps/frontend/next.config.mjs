import { withSentryConfig } from "@sentry/nextjs";

/** @type {import('next').NextConfig} */
const nextConfig = {
  output: "standalone",
  env: { NEXT_PUBLIC_BUILD: "{hex:40}" },
};

export default withSentryConfig(nextConfig, {
  org: "acme",
  project: "frontend",
  authToken: process.env.SENTRY_AUTH_TOKEN,
  dsn: "https://{hex:32}@o450000.ingest.sentry.io/5500000",
  release: { name: "{hex:40}" },
});
