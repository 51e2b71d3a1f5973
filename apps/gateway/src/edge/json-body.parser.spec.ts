import { fastify, type FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import type { RawJsonBody } from '../relay/inbound';
import { installJsonBodyParser, jsonDeeperThan, parseJsonBody, readJsonBody } from './json-body.parser';

const LIMIT = 64;

/** One app, two routes: the body as fastify's parser hands it over, and as readJsonBody reads it in an onRequest hook. */
async function app(): Promise<FastifyInstance> {
  const f = fastify({ bodyLimit: LIMIT });
  installJsonBodyParser(f, { limit: LIMIT, maxDepth: 8 });
  const show = (body: RawJsonBody | undefined) =>
    body ? { raw: body.raw.toString('base64'), json: body.json ?? null, parseError: body.parseError ?? null } : { none: true };
  f.setErrorHandler((e: Error & { code?: string; statusCode?: number }, _req, reply) => void reply.status(e.statusCode ?? 500).send({ code: e.code ?? null }));
  f.post('/parsed', (req, reply) => void reply.send(show(req.body as RawJsonBody | undefined)));
  f.route({
    method: 'POST',
    url: '/read',
    onRequest: (req, reply, done) =>
      readJsonBody(req, { limit: LIMIT, maxDepth: 8 }, (err, body) => {
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
    'over the limit, no length': {
      headers: { 'content-type': 'application/json' },
      payload: Readable.from([Buffer.from('{"x":"'), Buffer.from('y'.repeat(LIMIT)), Buffer.from('"}')]),
    },
    'declared over the limit': { headers: { 'content-type': 'application/json', 'content-length': String(LIMIT + 1) }, payload: '{}' },
    'shorter than declared': { headers: { 'content-type': 'application/json', 'content-length': '10' }, payload: '{}' },
  };

  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => {
      const stream = c.payload instanceof Readable;
      const again = () => (stream ? Readable.from([Buffer.from('{"x":"'), Buffer.from('y'.repeat(LIMIT)), Buffer.from('"}')]) : c.payload);
      const a = await f.inject({ method: 'POST', url: '/parsed', headers: c.headers, payload: again() as string });
      const b = await f.inject({ method: 'POST', url: '/read', headers: c.headers, payload: again() as string });
      expect({ status: b.statusCode, body: b.json(), connection: b.headers.connection }).toEqual({
        status: a.statusCode,
        body: a.json(),
        connection: a.headers.connection,
      });
    });
  }
});

describe('parseJsonBody: what a body may not be', () => {
  const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

  it('invalid UTF-8 is a parse error (never relayed as text)', () => {
    const bad = Buffer.concat([Buffer.from('{"model":"m","messages":[{"role":"user","content":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}]}')]);
    expect(parseJsonBody(bad, 128)).toMatchObject({ json: undefined, parseError: 'The request body is not valid UTF-8.' });
    expect(parseJsonBody(Buffer.from('{"t":"héllo ✓ 😀"}'), 128)).toEqual({ raw: expect.any(Buffer), json: { t: 'héllo ✓ 😀' } });
  });

  it('nesting deeper than the limit is a parse error; at the limit it parses', () => {
    expect(parseJsonBody(Buffer.from(`{"a":${nested(7)}}`), 8).json).toEqual({ a: JSON.parse(nested(7)) });
    expect(parseJsonBody(Buffer.from(`{"a":${nested(8)}}`), 8).parseError).toBe('The request body nests JSON deeper than 8 levels.');
    expect(parseJsonBody(Buffer.from(`{"a":${nested(100_000, '{"x":', '}')}}`), 128).parseError).toContain('deeper than 128');
  });

  it('brackets inside strings (escaped quotes and backslashes too) are not nesting', () => {
    expect(jsonDeeperThan(Buffer.from(JSON.stringify({ t: '[[[[[[[[[[{{{{{{{{' })), 3)).toBe(false);
    expect(jsonDeeperThan(Buffer.from(JSON.stringify({ t: 'a "quoted" [[[[[[[ \\', u: '\\"[[[[[[[[' })), 3)).toBe(false);
    expect(jsonDeeperThan(Buffer.from(JSON.stringify({ t: 'x\\' }) + '[[[[[['), 3)).toBe(true);
    expect(jsonDeeperThan(Buffer.from('[[["a"],["b"]],[[{"c":[1]}]]]'), 5)).toBe(false);
    expect(jsonDeeperThan(Buffer.from('[[["a"],["b"]],[[{"c":[1]}]]]'), 4)).toBe(true);
  });

  it('__proto__ and constructor.prototype keys are refused, escaped spellings too; an ordinary "constructor" is fine', () => {
    for (const text of ['{"a":{"__proto__":{"admin":true}}}', '{"\\u005f_proto__":{"x":1}}', '{"constructor":{"prototype":{"polluted":1}}}']) {
      const out = parseJsonBody(Buffer.from(text), 128);
      expect(out.parseError).toBe('The request body contains a forbidden key ("__proto__" or "constructor.prototype").');
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    }
    expect(parseJsonBody(Buffer.from('{"tools":[{"name":"constructor","parameters":{"constructor":"x"}}]}'), 128).json).toEqual({
      tools: [{ name: 'constructor', parameters: { constructor: 'x' } }],
    });
  });

  it('costs little next to JSON.parse on a large ordinary body', () => {
    const body = Buffer.from(
      JSON.stringify({
        model: 'm',
        messages: Array.from({ length: 2000 }, (_, i) => ({ role: 'user', content: `message ${i} ` + 'lorem ipsum '.repeat(40) })),
      }),
    );
    const time = (f: () => unknown) => {
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) f();
      return performance.now() - t0;
    };
    time(() => parseJsonBody(body, 128));
    // The fastest of interleaved rounds: a busy machine slows some rounds, not the best of each.
    let plain = Infinity;
    let checked = Infinity;
    for (let round = 0; round < 7; round++) {
      plain = Math.min(
        plain,
        time(() => JSON.parse(body.toString('utf8'))),
      );
      checked = Math.min(
        checked,
        time(() => parseJsonBody(body, 128)),
      );
    }
    // UTF-8 check + depth scan + the prototype-key test: well under the parse itself (measured ≈ +15–30 %).
    expect(checked).toBeLessThan(plain * 2);
  });
});
