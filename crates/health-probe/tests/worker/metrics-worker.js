// A small Node worker for health-probe's tests: the seed worker's /health and a prom-client
// /metrics (default Node metrics, a job counter and a job-duration histogram), on PORT.
// prom-client comes from scripts/test-tools (TEST_TOOLS points there). /metrics/openmetrics
// serves the same metrics in the OpenMetrics format.
'use strict';
const http = require('node:http');
const path = require('node:path');
const client = require(path.join(process.env.TEST_TOOLS, 'node_modules', 'prom-client'));

// One registry per format, each with its own metric objects: prom-client renames a counter
// registered in an OpenMetrics registry (it drops `_total`), and switching one registry's
// content type per request would race when both endpoints are scraped at once.
function registryOf(contentType) {
  const registry = new client.Registry(contentType);
  client.collectDefaultMetrics({ register: registry });
  const jobs = new client.Counter({
    name: 'worker_jobs_processed_total',
    help: 'Jobs processed, by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'worker_job_duration_seconds',
    help: 'How long a job took.',
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  // 100 jobs: 90 quick ones (0.3 s), 10 slow ones (7 s); 4 of them failed.
  for (let i = 0; i < 100; i += 1) {
    duration.observe(i < 90 ? 0.3 : 7);
    jobs.inc({ outcome: i < 96 ? 'completed' : 'failed' });
  }
  return registry;
}
const prometheus = registryOf(client.Registry.PROMETHEUS_CONTENT_TYPE);
const openMetrics = registryOf(client.Registry.OPENMETRICS_CONTENT_TYPE);
const started = Date.now();

http
  .createServer(async (req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', uptime: (Date.now() - started) / 1000, checks: { redis: 'up' } }));
    } else if (req.url === '/metrics' || req.url === '/metrics/openmetrics') {
      const registry = req.url === '/metrics' ? prometheus : openMetrics;
      res.writeHead(200, { 'Content-Type': registry.contentType });
      res.end(await registry.metrics());
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  })
  .listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
