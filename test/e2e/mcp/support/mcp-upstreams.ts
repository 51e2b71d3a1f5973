import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export const UPSTREAM_SECRET = 'upstream-bearer-secret-0123456789';
export const PETS_API_KEY = 'pets-api-key-0123456789';

const listen = (server: http.Server) =>
  new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
const close = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    req.on('error', reject);
  });
}

/** The SDK's own McpServer with two tools and a resource; every connection must carry the upstream secret. */
function calculator(): McpServer {
  const server = new McpServer({ name: 'calculator', version: '1.0.0' });
  server.registerTool('add', { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({
    content: [{ type: 'text', text: String(a + b) }],
  }));
  server.registerTool('fail', { description: 'Always answers an error', inputSchema: {} }, () => ({
    isError: true,
    content: [{ type: 'text', text: 'it failed on purpose' }],
  }));
  server.registerResource('motd', 'memo://motd', { mimeType: 'text/plain' }, (uri) => ({ contents: [{ uri: uri.href, text: 'hello from upstream' }] }));
  return server;
}

/**
 * A local MCP server over streamable HTTP (`/mcp`, stateful sessions) and the old HTTP+SSE transport (`/sse` +
 * `/messages`), refusing requests without `Authorization: Bearer UPSTREAM_SECRET` (so the gateway's stored headers
 * are what gets it through). Counts the requests it refused.
 */
export async function startMcpUpstream() {
  const streams = new Map<string, StreamableHTTPServerTransport>();
  const sse = new Map<string, SSEServerTransport>();
  let refused = 0;
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.headers.authorization !== `Bearer ${UPSTREAM_SECRET}`) {
        refused++;
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad upstream credentials"}');
        return;
      }
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/mcp') {
        const id = req.headers['mcp-session-id'];
        let transport = typeof id === 'string' ? streams.get(id) : undefined;
        const body = req.method === 'POST' ? await readJson(req) : undefined;
        if (!transport) {
          transport = new StreamableHTTPServerTransport({
            sessionIdGenerator: () => randomUUID(),
            onsessioninitialized: (sid) => {
              streams.set(sid, transport!);
            },
          });
          await calculator().connect(transport);
        }
        await transport.handleRequest(req, res, body);
        return;
      }
      if (url.pathname === '/sse' && req.method === 'GET') {
        const transport = new SSEServerTransport('/messages', res);
        sse.set(transport.sessionId, transport);
        res.on('close', () => sse.delete(transport.sessionId));
        await calculator().connect(transport);
        return;
      }
      if (url.pathname === '/messages' && req.method === 'POST') {
        const transport = sse.get(url.searchParams.get('sessionId') ?? '');
        if (!transport) return void res.writeHead(404).end();
        await transport.handlePostMessage(req, res, await readJson(req));
        return;
      }
      res.writeHead(404).end();
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(e));
    });
  });
  const url = await listen(server);
  return { url, refused: () => refused, stop: () => close(server) };
}

interface Pet {
  id: number;
  name: string;
  tag?: string;
}

/** The OpenAPI 3 document of the pets API, with its server at `base`. */
export const petsDocument = (base: string) => ({
  openapi: '3.0.3',
  info: { title: 'Pets', version: '1.0.0' },
  servers: [{ url: `${base}/v1` }],
  paths: {
    '/pets': {
      get: {
        operationId: 'listPets',
        summary: 'List pets',
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }],
        responses: { '200': { description: 'pets' } },
      },
      post: {
        operationId: 'createPet',
        summary: 'Add a pet',
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPet' } } } },
        responses: { '201': { description: 'created' } },
      },
    },
    '/pets/{petId}': {
      get: {
        summary: 'One pet',
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { '200': { description: 'a pet' }, '404': { description: 'none' } },
      },
    },
  },
  components: {
    schemas: { NewPet: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, tag: { type: 'string' } } } },
  },
});

/** A small JSON HTTP API described by petsDocument (served at /openapi.json too); every call needs x-api-key. */
export async function startPetsApi() {
  const pets: Pet[] = [
    { id: 1, name: 'Rex', tag: 'dog' },
    { id: 2, name: 'Tom', tag: 'cat' },
  ];
  const calls: { method: string; path: string }[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/openapi.json') return json(200, petsDocument(base));
      if (req.headers['x-api-key'] !== PETS_API_KEY) return json(401, { error: 'missing or wrong x-api-key' });
      calls.push({ method: req.method ?? '', path: url.pathname + url.search });
      if (url.pathname === '/v1/pets' && req.method === 'GET') return json(200, pets.slice(0, Number(url.searchParams.get('limit') ?? pets.length)));
      if (url.pathname === '/v1/pets' && req.method === 'POST') {
        const body = (await readJson(req)) as { name?: string; tag?: string };
        if (!body?.name) return json(400, { error: 'name is required' });
        const pet = { id: pets.length + 1, name: body.name, ...(body.tag ? { tag: body.tag } : {}) };
        pets.push(pet);
        return json(201, pet);
      }
      const one = /^\/v1\/pets\/(\d+)$/.exec(url.pathname);
      if (one && req.method === 'GET') {
        const pet = pets.find((p) => p.id === Number(one[1]));
        return pet ? json(200, pet) : json(404, { error: `no pet ${one[1]}` });
      }
      json(404, { error: 'no such route' });
    })();
  });
  base = await listen(server);
  return { url: base, calls, stop: () => close(server) };
}
