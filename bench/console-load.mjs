// The admin console's first load: Debian's chromium opens /dashboard signed in, with an empty cache (first visit) and
// again with a warm one, on the loopback and through a throttled network (CDP: 40 ms RTT, 10 Mbit/s down, 5 up).
// Reported: median ms to DOMContentLoaded, to the dashboard's data on screen (the latest-requests card), and bytes
// fetched. Usage: npm run build && node bench/console-load.mjs [--runs 5]
import { chromium } from 'playwright-core';
import { stopAll } from './lib/procs.mjs';
import { ADMIN_KEY, startMock, startStandalone } from './lib/systems.mjs';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 5) || 5;
const CHROMIUM = process.env.SB_CHROMIUM ?? '/usr/bin/chromium';
const PROFILES = {
  loopback: null,
  'throttled (40 ms, 10/5 Mbit/s)': { offline: false, latency: 40, downloadThroughput: (10e6 / 8) | 0, uploadThroughput: (5e6 / 8) | 0 },
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function session(url) {
  const r = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ adminKey: ADMIN_KEY }),
  });
  return (r.headers.get('set-cookie') ?? '').split(';')[0].split('=')[1];
}

/** One visit: ms to DOMContentLoaded, ms until the dashboard shows its data, and the bytes the page fetched. */
async function visit(page) {
  const t0 = Date.now();
  await page.goto('/dashboard', { waitUntil: 'domcontentloaded' });
  const dcl = Date.now() - t0;
  await page.getByTestId('latest-requests').waitFor();
  const ready = Date.now() - t0;
  const bytes = await page.evaluate(() =>
    performance
      .getEntriesByType('navigation')
      .concat(performance.getEntriesByType('resource'))
      .reduce((n, e) => n + (e.transferSize ?? 0), 0),
  );
  return { dcl, ready, bytes };
}

const mock = await startMock();
const sys = await startStandalone(mock.url);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const rows = [];
try {
  for (const [profile, conditions] of Object.entries(PROFILES)) {
    const cold = [];
    const warm = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ baseURL: sys.url, viewport: { width: 1280, height: 900 } });
      await context.addCookies([{ name: 'sb_session', value: await session(sys.url), url: sys.url }]);
      const page = await context.newPage();
      if (conditions) {
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', conditions);
      }
      cold.push(await visit(page));
      warm.push(await visit(page));
      await context.close();
    }
    for (const [cache, xs] of [
      ['empty cache', cold],
      ['warm cache', warm],
    ])
      rows.push({
        profile,
        cache,
        dcl: median(xs.map((x) => x.dcl)),
        ready: median(xs.map((x) => x.ready)),
        kb: Math.round(median(xs.map((x) => x.bytes)) / 1024),
      });
  }
} finally {
  await browser.close();
  await stopAll();
}
console.log(`\nconsole first load, /dashboard, median of ${runs}\n`);
console.log('| network | cache | DOMContentLoaded | dashboard data shown | transferred |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.profile} | ${r.cache} | ${r.dcl} ms | ${r.ready} ms | ${r.kb} kB |`);
