// Looks at `opskit serve` in headless Chromium (Debian's package through playwright-core) the
// way a person does during an incident, asserts what each view shows, and writes a screenshot
// of each view into OUT. Prints one JSON line {"ok": true, "seen": [...]} or exits 1 with
// what was wrong.
//
//   node check.js BASE OUT PHASE [USER PASSWORD]
//   PHASE: down   the target `web` is down: the overview shows it red
//          final  every view after the target came back (and the page without JavaScript)
//          auth   401 without credentials, the overview with them
'use strict';

const path = require('path');
const { chromium } = require('playwright-core');

const [base, out, phase, user, password] = process.argv.slice(2);
const WAIT = 20000;
const seen = [];

function fail(what) {
  throw new Error(what);
}

async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

// A page that fails the run on any CSP violation or script error.
async function open(ctx) {
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('dialog', (d) => problems.push(`a dialog opened: ${d.message()}`));
  return { page, problems };
}

function clean(problems, where) {
  if (problems.length) fail(`${where}: the browser reported: ${problems.join(' | ')}`);
}

// Reloads until `test` (run in the page) holds, within WAIT.
async function until(page, url, what, test, arg) {
  const start = Date.now();
  for (;;) {
    await page.goto(url, { waitUntil: 'load' });
    if (await page.evaluate(test, arg)) return;
    if (Date.now() - start > WAIT) fail(`${url}: ${what} did not show within ${WAIT / 1000}s`);
    await page.waitForTimeout(300);
  }
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(out, name), fullPage: true });
  seen.push(name);
}

const serviceIs = ([name, colour]) => {
  const li = [...document.querySelectorAll('li.service')].find((l) => l.querySelector('h2').textContent === name);
  return !!li && li.classList.contains(colour);
};

async function down() {
  const b = await browser();
  const ctx = await b.newContext({ viewport: { width: 1200, height: 800 } });
  const { page, problems } = await open(ctx);
  await until(page, `${base}/`, 'web in red', serviceIs, ['web', 'red']);
  const reason = await page.$eval('li.service.red .reason', (e) => e.textContent);
  if (!/503/.test(reason)) fail(`the red service's reason does not say 503: ${reason}`);
  // The dot really is red: the colour comes from the stylesheet the CSP let through.
  const colour = await page.$eval('li.service.red .dot', (e) => getComputedStyle(e).backgroundColor);
  if (colour === 'rgba(0, 0, 0, 0)' || colour === 'rgb(122, 127, 135)') fail(`the dot is not coloured: ${colour}`);
  await shot(page, 'overview-down.png');
  clean(problems, 'overview while down');
  await b.close();
}

async function overview(ctx) {
  const { page, problems } = await open(ctx);
  await until(page, `${base}/`, 'web green again', serviceIs, ['web', 'green']);
  for (const [name, colour] of [['queue:emails', 'amber'], ['Redis', 'green'], ['Backups', 'green']]) {
    if (!(await page.evaluate(serviceIs, [name, colour]))) {
      const all = await page.$$eval('li.service', (ls) => ls.map((l) => `${l.querySelector('h2').textContent}=${l.className}`));
      fail(`overview: ${name} is not ${colour}: ${all.join(', ')}`);
    }
  }
  const since = await page.$eval('li.service.green .since', (e) => e.textContent);
  if (!/since .* ago/.test(since)) fail(`overview: no time of the last change: ${since}`);
  await shot(page, 'overview.png');
  clean(problems, 'overview');
  await page.close();
}

async function targets(ctx) {
  const { page, problems } = await open(ctx);
  await page.goto(`${base}/targets`);
  const t = await page.evaluate(() => {
    const s = document.querySelector('section.target[data-target="web"]');
    if (!s) return null;
    return {
      colour: s.className,
      uptime: s.querySelector('.stats dd').textContent,
      incidents: [...s.querySelectorAll('table.incidents tbody tr')].map((r) => [...r.cells].map((c) => c.textContent)),
      drawn: !!s.querySelector('figure.chart.drawn svg path'),
      tableOpen: s.querySelector('details.data').open,
    };
  });
  if (!t) fail('targets: no section for web');
  if (!t.colour.includes('green')) fail(`targets: web is not green: ${t.colour}`);
  const up = parseFloat(t.uptime);
  if (!(up > 0 && up < 100)) fail(`targets: web's 24h uptime should be between 0 and 100% after an incident: ${t.uptime}`);
  if (t.incidents.length < 1) fail('targets: no incident listed');
  const [downAt, recovered, duration, reason] = t.incidents[0];
  if (recovered === 'ongoing' || !/^\d+s$|^\d+m$/.test(duration) || !/503/.test(reason)) {
    fail(`targets: the incident is not a closed one with a duration and its reason: ${t.incidents[0]}`);
  }
  if (!t.drawn) fail('targets: the latency chart was not drawn');
  if (t.tableOpen) fail('targets: with JavaScript the table should fold under the chart');
  seen.push(`incident: down ${downAt}, recovered ${recovered}, ${duration}, ${reason}`);
  await shot(page, 'targets.png');
  clean(problems, 'targets');
  await page.close();
}

async function queues(ctx) {
  const { page, problems } = await open(ctx);
  await page.goto(`${base}/queues`);
  const q = await page.evaluate(() => {
    const s = document.querySelector('section.queue[data-queue="queue:emails"]');
    if (!s) return null;
    const stat = (k) => s.querySelector(`dd[data-k="${k}"]`).textContent;
    return {
      depth: stat('depth'), failed: stat('failed'), delayed: stat('delayed'), active: stat('active'),
      causes: [...s.querySelectorAll('table.causes tbody tr')].map((r) => [r.cells[0].textContent, r.cells[1].textContent]),
      scriptsInCauses: s.querySelectorAll('td.cause script, td.cause *').length,
      xss: window.__xss,
      drawn: !!s.querySelector('figure.chart.drawn svg'),
      body: document.body.innerText,
    };
  });
  if (!q) fail('queues: no section for queue:emails');
  const want = { depth: '7', failed: '5', delayed: '2', active: '0' };
  for (const k of Object.keys(want)) if (q[k] !== want[k]) fail(`queues: ${k} is ${q[k]}, BullMQ says ${want[k]}`);
  const markup = q.causes.find(([, text]) => text.includes('<script>window.__xss=1</script>'));
  if (!markup || markup[0] !== '3') fail(`queues: the failedReason with markup is not shown as text with its 3 jobs: ${JSON.stringify(q.causes)}`);
  const timeout = q.causes.find(([, text]) => text.startsWith('smtp timeout'));
  if (!timeout || timeout[0] !== '2') fail(`queues: the timeouts are not one cause of 2 jobs: ${JSON.stringify(q.causes)}`);
  if (q.scriptsInCauses !== 0 || q.xss !== undefined) fail('queues: the failedReason became markup');
  if (!q.drawn) fail('queues: the chart was not drawn');
  if (password && q.body.includes(password)) fail('queues: the Redis password is on the page');
  if (q.body.includes('user0@example.com')) fail('queues: job data is on the page');
  await shot(page, 'queues.png');
  clean(problems, 'queues');
  await page.close();
}

async function backups(ctx) {
  const { page, problems } = await open(ctx);
  await page.goto(`${base}/backups`);
  const b = await page.evaluate(() => ({
    newest: document.querySelector('dd[data-k="newest"]').textContent,
    verify: document.querySelector('dd[data-k="verify"]').textContent,
    rows: document.querySelectorAll('section.backups tbody tr').length,
    drawn: !!document.querySelector('figure.chart.drawn svg rect'),
  }));
  if (!/ago · /.test(b.newest)) fail(`backups: no newest verified backup: ${b.newest}`);
  if (!/^passed/.test(b.verify)) fail(`backups: the last verification is not shown as passed: ${b.verify}`);
  if (b.rows !== 2) fail(`backups: ${b.rows} backups listed, 2 were taken`);
  if (!b.drawn) fail('backups: the size chart was not drawn');
  await shot(page, 'backups.png');
  clean(problems, 'backups');
  await page.close();
}

async function final() {
  const b = await browser();
  const ctx = await b.newContext({ viewport: { width: 1200, height: 800 } });
  await overview(ctx);
  await targets(ctx);
  await queues(ctx);
  await backups(ctx);
  // A phone in dark mode.
  const phone = await b.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, colorScheme: 'dark', isMobile: true });
  const { page: p, problems } = await open(phone);
  await p.goto(`${base}/`);
  const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
  if (bg !== 'rgb(17, 19, 22)') fail(`dark mode: the background is ${bg}`);
  const wide = await p.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 390) fail(`phone: the overview is ${wide}px wide on a 390px screen`);
  await shot(p, 'overview-phone-dark.png');
  await p.goto(`${base}/queues`);
  await shot(p, 'queues-phone-dark.png');
  clean(problems, 'phone');
  // Without JavaScript: the tables, open, and no chart.
  const nojs = await b.newContext({ viewport: { width: 1200, height: 800 }, javaScriptEnabled: false });
  const { page: n } = await open(nojs);
  await n.goto(`${base}/queues`);
  const plain = await n.evaluate(() => ({
    open: [...document.querySelectorAll('details.data')].every((d) => d.open),
    rows: document.querySelectorAll('details.data tbody tr').length,
    svg: document.querySelectorAll('svg').length,
    depth: document.querySelector('dd[data-k="depth"]').textContent,
  }));
  if (!plain.open || plain.rows < 1 || plain.svg !== 0 || plain.depth !== '7') fail(`without JavaScript: ${JSON.stringify(plain)}`);
  await shot(n, 'queues-nojs.png');
  await n.goto(`${base}/targets`);
  const incidents = await n.$$eval('table.incidents tbody tr', (r) => r.length);
  if (incidents < 1) fail('without JavaScript: no incident table');
  await shot(n, 'targets-nojs.png');
  await b.close();
}

async function auth() {
  const b = await browser();
  const anon = await b.newContext();
  const p = await anon.newPage();
  // Headless Chromium answers a Basic challenge it has no credentials for by failing the
  // navigation; the response it got is the 401.
  let status = 0;
  p.on('response', (r) => { if (r.url() === `${base}/`) status = r.status(); });
  try {
    const r = await p.goto(`${base}/`);
    status = r.status();
  } catch (e) {
    if (!/ERR_INVALID_AUTH_CREDENTIALS/.test(e.message)) throw e;
  }
  if (status !== 401) fail(`without credentials: ${status}, not 401`);
  seen.push('401 without credentials');
  const ctx = await b.newContext({ httpCredentials: { username: user, password } });
  const { page, problems } = await open(ctx);
  const ok = await page.goto(`${base}/queues`);
  if (ok.status() !== 200) fail(`with credentials: ${ok.status()}`);
  if ((await page.content()).includes(password)) fail('the password is on the page');
  seen.push('200 with credentials');
  clean(problems, 'authenticated page');
  await b.close();
}

({ down, final, auth })[phase]()
  .then(() => process.stdout.write(JSON.stringify({ ok: true, seen }) + '\n'))
  .catch((e) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
