// Container health probe without curl/wget (the slim image has neither):
//   node deploy/healthcheck.js [http://127.0.0.1:3001/health/ready | /health/ready | /health/live]
// Given a path, the port is PORT, else the default of the service PID 1 runs (from /proc/1/cmdline), else 3000.
'use strict';
const fs = require('node:fs');

const DEFAULT_PORTS = { gateway: 3000, standalone: 3000, auth: 3001, router: 3002, billing: 3003, 'log-writer': 3004 };

function defaultPort() {
  if (process.env.PORT) return Number(process.env.PORT);
  try {
    const m = /dist\/apps\/([a-z-]+)\/src\/main\.js/.exec(fs.readFileSync('/proc/1/cmdline', 'utf8'));
    if (m && DEFAULT_PORTS[m[1]]) return DEFAULT_PORTS[m[1]];
  } catch {
    /* no /proc (not Linux): fall through */
  }
  return 3000;
}

const arg = process.argv[2] || '/health/ready';
const url = /^https?:\/\//.test(arg) ? arg : `http://127.0.0.1:${defaultPort()}${arg}`;
fetch(url, { signal: AbortSignal.timeout(2500) }).then(
  (r) => process.exit(r.ok ? 0 : 1),
  () => process.exit(1),
);
