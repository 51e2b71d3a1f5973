import { fastify, type FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import type { RawJsonBody } from '../relay/inbound';
import { installJsonBodyParser, readJsonBody } from './json-body.parser';

const LIMIT = 64;

/** One app, two routes: the body as fastify's parser hands it over, and as readJsonBody reads it in an onRequest hook. */
async function app(): Promise<FastifyInstance> {
  const f = fastify({ bodyLimit: LIMIT });
  installJsonBodyParser(f, LIMIT);
  const show = (body: RawJsonBody | undefined) => (body ? { raw: body.raw.toString('base64'), json: body.json ?? null, parseError: body.parseError ?? null } : { none: true });
  f.setErrorHandler((e: Error & { code?: string; statusCode?: number }, _req, reply) => void reply.status(e.statusCode ?? 500).send({ code: e.code ?? null }));
  f.post('/parsed', (req, reply) => void reply.send(show(req.body as RawJsonBody | undefined)));
  f.route({
    method: 'POST',
    url: '/read',
    onRequest: (req, reply, done) =>
      readJsonBody(req, LIMIT, (err, body) => {
        if (err) {
          reply.header('connection', 'close');
          done(err);
          return;
        }
        void reply.send(show(body));
      }),
    handler: () => undefined,
  });
  await f.ready();
  return f;
}

describe('readJsonBody (the hot relay routes read their body as fastify parses it)', () => {
  let f: FastifyInstance;
  beforeAll(async () => {
    f = await app();
  });
  afterAll(async () => {
    await f.close();
  });

  const cases: Record<string, { headers?: Record<string, string>; payload?: string | Buffer | Readable }> = {
    json: { headers: { 'content-type': 'application/json' }, payload: '{"model":"m","stream":true}' },
    'text/plain': { headers: { 'content-type': 'text/plain' }, payload: '{"a":1}' },
    'other type': { headers: { 'content-type': 'application/x-other' }, payload: '{"a":1}' },
    'no type': { payload: '{"a":1}' },
    invalid: { headers: { 'content-type': 'application/json' }, payload: '{"model":' },
    empty: { headers: { 'content-type': 'application/json' }, payload: '' },
    'no body at all': {},
    'utf-8': { headers: { 'content-type': 'application/json' }, payload: Buffer.from('{"t":"héllo ✓"}') },
    'over the limit': { headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ x: 'y'.repeat(LIMIT) }) },
    'over the limit, no length': { headers: { 'content-type': 'application/json' }, payload: Readable.from([Buffer.from('{"x":"'), Buffer.from('y'.repeat(LIMIT)), Buffer.from('"}')]) },
    'declared over the limit': { headers: { 'content-type': 'application/json', 'content-length': String(LIMIT + 1) }, payload: '{}' },
    'shorter than declared': { headers: { 'content-type': 'application/json', 'content-length': '10' }, payload: '{}' },
  };

  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => {
      const stream = c.payload instanceof Readable;
      const again = () => (stream ? Readable.from([Buffer.from('{"x":"'), Buffer.from('y'.repeat(LIMIT)), Buffer.from('"}')]) : c.payload);
      const a = await f.inject({ method: 'POST', url: '/parsed', headers: c.headers, payload: again() as string });
      const b = await f.inject({ method: 'POST', url: '/read', headers: c.headers, payload: again() as string });
      expect({ status: b.statusCode, body: b.json(), connection: b.headers.connection }).toEqual({ status: a.statusCode, body: a.json(), connection: a.headers.connection });
    });
  }
});
