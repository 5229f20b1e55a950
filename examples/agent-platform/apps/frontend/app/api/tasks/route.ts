import { randomUUID } from 'node:crypto';
import * as Sentry from '@sentry/nextjs';
import { NextResponse, type NextRequest } from 'next/server';

import { logger } from '../../../lib/log';
import { taskQueue } from '../../../lib/queue';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

interface TaskRequest {
  agentId?: unknown;
  prompt?: unknown;
}

// POST {"agentId": "...", "prompt": "..."}: enqueues one task. The request's id goes into the
// job's data (the worker logs it and tags its Sentry events with it) and into this route's log
// line next to the job's id, so `job-trace agent-tasks ID --logs frontend.ndjson` joins both.
// Sentry gives each request its own scope: the tags below mark only this request's errors.
export async function POST(req: NextRequest) {
  const requestId = req.headers.get('x-request-id') ?? randomUUID();
  Sentry.setTag('request_id', requestId);
  const log = logger.child({ requestId });
  const body = (await req.json().catch(() => null)) as TaskRequest | null;
  if (typeof body?.agentId !== 'string' || typeof body.prompt !== 'string') {
    log.warn('task rejected: agentId and prompt must be strings');
    return NextResponse.json({ error: 'agentId and prompt must be strings' }, { status: 400 });
  }
  const job = await taskQueue().add(
    'agent-task',
    { agentId: body.agentId, prompt: body.prompt, requestId },
    { attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
  );
  Sentry.setTag('job_id', job.id ?? 'unknown');
  log.info({ jobId: job.id, queue: job.queueName }, 'task enqueued');
  return NextResponse.json({ jobId: job.id, requestId }, { status: 202, headers: { 'x-request-id': requestId } });
}
