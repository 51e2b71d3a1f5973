// Container health probe without curl/wget (the slim image has neither):
//   node deploy/healthcheck.js [http://127.0.0.1:3001/health/ready | /health/ready | /health/live]
// Given a path, the port is PORT, else the default of the service PID 1 runs (from /proc/1/cmdline), else 3000.
'use strict';
const fs = require('node:fs');

const DEFAULT_PORTS = { gateway: 3000, standalone: 3000, auth: 3001, router: 3002, billing: 3003, 'log-writer': 3004 };

/** The port to probe, from PORT or from the command line of the container's main process. */
function portFor(env, cmdline) {
  if (env.PORT) return Number(env.PORT);
  const m = /dist\/apps\/([a-z-]+)\/src\/main\.js/.exec(cmdline || '');
  return (m && DEFAULT_PORTS[m[1]]) || 3000;
}

function pid1Cmdline() {
  try {
    return fs.readFileSync('/proc/1/cmdline', 'utf8');
  } catch {
    return ''; // no /proc (not Linux)
  }
}

function main() {
  const arg = process.argv[2] || '/health/ready';
  const url = /^https?:\/\//.test(arg) ? arg : `http://127.0.0.1:${portFor(process.env, pid1Cmdline())}${arg}`;
  fetch(url, { signal: AbortSignal.timeout(2500) }).then(
    (r) => process.exit(r.ok ? 0 : 1),
    () => process.exit(1),
  );
}

if (require.main === module) main();
module.exports = { portFor, DEFAULT_PORTS };
