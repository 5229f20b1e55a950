import * as Sentry from '@sentry/nextjs';

// Next.js calls register() once per server instance. Without a DSN Sentry stays off.
export function register(): void {
  const dsn = process.env.NEXT_PUBLIC_SENTRY_DSN;
  if (dsn) Sentry.init({ dsn });
}

// Errors thrown by route handlers and server components, with the request's scope (its tags).
export const onRequestError = Sentry.captureRequestError;
