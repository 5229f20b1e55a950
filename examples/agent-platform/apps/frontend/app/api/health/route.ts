import { NextResponse } from 'next/server';

export const dynamic = 'force-dynamic';

type Check = 'up' | 'down' | 'unconfigured';

async function checkRedis(): Promise<Check> {
  const url = process.env.UPSTASH_REDIS_REST_URL;
  const token = process.env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) return 'unconfigured';
  try {
    const res = await fetch(`${url}/ping`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2000),
      cache: 'no-store',
    });
    return res.ok ? 'up' : 'down';
  } catch {
    return 'down';
  }
}

export async function GET() {
  const redis = await checkRedis();
  const status = redis === 'down' ? 'degraded' : 'ok';
  return NextResponse.json(
    { status, uptime: Math.round(process.uptime()), checks: { redis } },
    { status: status === 'ok' ? 200 : 503 },
  );
}
