// The floor: a bare pass-through HTTP proxy (node:http server + pooled undici client), no logic at all: no auth,
// no routing, no parsing, no conversion, no metrics, no logs. Whatever a Node gateway does costs at least this.
// It buffers the (small) request body like the gateway does, forwards it to one fixed upstream with the client's
// path and relays the response body chunk by chunk (streams are not buffered).
//
//   node bench/floor-proxy.mjs --port 4700 --upstream http://127.0.0.1:4600
import { once } from 'node:events';
import http from 'node:http';
import { Agent } from 'undici';

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

const port = Number(arg('port', '4700'));
const upstream = new URL(arg('upstream', 'http://127.0.0.1:4600'));
const origin = upstream.origin;
// Same pool shape as the gateway's UpstreamClient, so the floor is the gateway minus its logic.
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256, pipelining: 1 });
const PASS = ['content-type', 'authorization', 'x-api-key', 'anthropic-version', 'accept'];

const server = http.createServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const headers = {};
    for (const h of PASS) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
    try {
      const up = await agent.request({ origin, path: req.url, method: req.method, headers, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) });
      const out = { 'content-type': up.headers['content-type'] ?? 'application/octet-stream' };
      res.writeHead(up.statusCode, out);
      for await (const c of up.body) if (!res.write(c)) await once(res, 'drain');
      res.end();
    } catch (e) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(e?.message ?? e) } }));
    }
  });
});
server.keepAliveTimeout = 65_000;
server.on('connection', (s) => s.setNoDelay(true));
server.listen(port, '127.0.0.1', () => process.stdout.write(`floor listening on http://127.0.0.1:${port}\n`));
const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
