// The floor with one more thing a gateway must do at each layer, and nothing of Switchboard's logic: what the layers
// underneath Switchboard cost on their own (bench/floor-layers.mjs runs them side by side).
//
//   node bench/floor-layers-server.mjs --port 4700 --upstream http://127.0.0.1:4600 --layer http|fastify|json|spool|store
// http:    node:http + undici pass-through (bench/floor-proxy.mjs)
// fastify: the same on Fastify (the server the gateway runs on), the body as bytes
// json:    + the request parsed (model, stream) and the answer parsed (usage), as a gateway that bills tokens must
// spool:   + one usage record per request appended to a file with write(2) before the next request (standalone's
//          durable spool)
// store:   + the records stored and billed in embedded Postgres (PGlite in a worker thread) every 250 ms, with
//          Switchboard's own log and ledger statements (its dist/), as standalone's log-writer and billing do
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Agent } from 'undici';

const arg = (name, def) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : def);
const LAYERS = ['http', 'fastify', 'json', 'spool', 'store'];
const layer = LAYERS.indexOf(arg('layer', 'http'));
if (layer < 0) throw new Error(`--layer: one of ${LAYERS.join(', ')}`);
const port = Number(arg('port', '4700'));
const origin = new URL(arg('upstream', 'http://127.0.0.1:4600')).origin;
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256, pipelining: 1 });
const PASS = ['content-type', 'authorization', 'x-api-key', 'anthropic-version', 'accept'];
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);

const forwardHeaders = (h) => {
  const out = {};
  for (const k of PASS) if (h[k] !== undefined) out[k] = h[k];
  return out;
};

async function readAll(body) {
  const chunks = [];
  for await (const c of body) chunks.push(c);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

// ---------------------------------------------------------------- the usage pipeline (spool, store)
const dataDir = layer >= LAYERS.indexOf('spool') ? fs.mkdtempSync(path.join(os.tmpdir(), 'sb-floor-layers-')) : null;
const spoolFd = dataDir ? fs.openSync(path.join(dataDir, 'usage.jsonl'), 'a') : null;
let store = null;
if (layer >= LAYERS.indexOf('store')) {
  const { openDatabase, seed } = require(path.join(ROOT, 'dist/libs/db/src'));
  const { RequestLogRepository } = require(path.join(ROOT, 'dist/apps/log-writer/src/logs/request-log.repository.js'));
  const { UsageLedgerRepository } = require(path.join(ROOT, 'dist/apps/billing/src/ledger/usage-ledger.repository.js'));
  const db = await openDatabase({ dataDir, migrate: true, embeddedHost: 'worker-thread' });
  await seed(db.prisma);
  const user = await db.prisma.user.create({ data: { name: 'floor', balanceMicros: 10n ** 15n } });
  const token = await db.prisma.token.create({
    data: { name: 'floor', userId: user.id, keyHash: crypto.randomBytes(32).toString('hex'), keyPrefix: 'sk-floor' },
  });
  store = { db, user, token, logs: new RequestLogRepository(db.prisma), ledger: new UsageLedgerRepository(db.prisma), queue: [], running: false };
}

/** Standalone's batching (SpoolUsageQueue): what arrived in 250 ms, up to 1000, one log statement and one debit for the lot. */
function queueForStore(record) {
  store.queue.push(record);
  if (store.running) return;
  store.running = true;
  setTimeout(async function drain() {
    const batch = store.queue.splice(0, 1000);
    try {
      await store.logs.insertNew(batch);
      await store.ledger.debit(batch.map((r) => ({ requestId: r.requestId, userId: r.userId, tokenId: r.tokenId, costMicros: r.costMicros })));
    } catch (e) {
      process.stderr.write(`store: ${e.message}\n`);
    }
    // as the spool does: a full batch waiting goes at once, a partial one gathers for another 250 ms
    if (store.queue.length >= 1000) setImmediate(drain);
    else if (store.queue.length) setTimeout(drain, 250);
    else store.running = false;
  }, 250);
}

/** A record with the fields Switchboard's has (libs/contracts UsageRecord), filled from the exchange. */
function record(model, stream, usage, status, startedAt) {
  return {
    requestId: crypto.randomUUID(),
    createdAt: Date.now(),
    tokenId: store?.token.id ?? 1,
    userId: store?.user.id ?? 1,
    group: 'default',
    model,
    upstreamModel: model,
    channelId: null,
    protocol: 'openai-chat',
    upstreamProtocol: 'openai-chat',
    stream,
    status,
    promptTokens: usage?.prompt_tokens ?? 0,
    completionTokens: usage?.completion_tokens ?? 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costMicros: 42,
    latencyMs: Math.round(performance.now() - startedAt),
    ttftMs: null,
    attempts: 1,
    error: null,
    endpoint: 'chat',
    units: null,
    plugins: null,
    keyAttempts: [],
  };
}

/** After the answer went out: what the layers above `json` do with its usage. */
function account(model, stream, usage, status, startedAt) {
  const r = record(model, stream, usage, status, startedAt);
  fs.writeSync(spoolFd, JSON.stringify(r) + '\n');
  if (store) queueForStore(r);
}

// ---------------------------------------------------------------- the servers
async function relay(url, headers, body) {
  const up = await agent.request({ origin, path: url, method: 'POST', headers: forwardHeaders(headers), body });
  return { status: up.statusCode, type: up.headers['content-type'] ?? 'application/octet-stream', body: await readAll(up.body) };
}

if (layer === 0) {
  const http = await import('node:http');
  const server = http.createServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      try {
        const up = await relay(req.url, req.headers, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
        res.writeHead(up.status, { 'content-type': up.type });
        res.end(up.body);
      } catch (e) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(e?.message ?? e) } }));
      }
    });
  });
  server.keepAliveTimeout = 65_000;
  server.on('connection', (s) => s.setNoDelay(true));
  server.listen(port, '127.0.0.1');
} else {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024, keepAliveTimeout: 65_000, requestTimeout: 0 });
  const parse = layer >= LAYERS.indexOf('json');
  // Answered from the route's onRequest hook with the body read off the raw request, as the gateway's hot relay routes
  // do (apps/gateway/src/relay/relay.routes.ts): fastify's body-parsing stage costs an AsyncResource per request.
  const answer = async (req, reply, raw) => {
    const startedAt = performance.now();
    const request = parse ? JSON.parse(raw.toString('utf8')) : null;
    const up = await relay(req.url, req.headers, raw);
    const usage = parse && up.status === 200 ? JSON.parse(up.body.toString('utf8')).usage : null;
    reply.status(up.status).header('content-type', up.type).send(up.body);
    if (spoolFd !== null) account(request.model, request.stream === true, usage, up.status, startedAt);
  };
  app.route({
    method: 'POST',
    url: '/v1/chat/completions',
    onRequest: (req, reply) => {
      const chunks = [];
      req.raw.on('data', (c) => chunks.push(c));
      req.raw.on('end', () =>
        answer(req, reply, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).catch((e) => {
          if (!reply.sent) reply.status(502).send({ error: { message: String(e?.message ?? e) } });
        }),
      );
    },
    handler: () => undefined, // never reached: the hook answers
  });
  app.server.on('connection', (s) => s.setNoDelay(true));
  await app.listen({ port, host: '127.0.0.1' });
}
process.stdout.write(`floor (${LAYERS[layer]}) listening on http://127.0.0.1:${port}\n`);

const stop = async () => {
  if (store) await store.db.close().catch(() => undefined);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
