import { fastify, type FastifyReply, type FastifyRequest } from 'fastify';
import type { DomainError } from '@switchboard/contracts';
import type { KeyAuthenticator } from '../auth/key-authenticator';
import { installJsonBodyParser } from '../edge/json-body.parser';
import type { InboundCall, RawJsonBody } from './inbound';
import type { RelayService } from './relay.service';
import { HOT_RELAY_URLS, registerRelayRoutes } from './relay.routes';
import type { TokenCountService } from './token-count.service';

const RULES = { limit: 1024 * 1024, maxDepth: 32 };

/** The relay routes on a bare fastify, with a relay, key check and token counter that answer what they were given. */
async function app() {
  const f = fastify();
  installJsonBodyParser(f, RULES);
  // Fastify's own body-parsing stage (an AsyncResource per request on Node 20): the relay routes must never reach it.
  const parsedByFastify: string[] = [];
  f.addHook('preParsing', (req, _reply, payload, done) => {
    parsedByFastify.push(req.url);
    done(null, payload);
  });
  const identified: string[] = [];
  const auth = { identify: (req: FastifyRequest) => Promise.resolve(void identified.push(req.url)) } as unknown as KeyAuthenticator;
  const relay = {
    relay: (call: InboundCall, _req: FastifyRequest, reply: FastifyReply) =>
      Promise.resolve(
        void reply.send({ relayed: { protocol: call.protocol, model: call.model, stream: call.stream, endpoint: call.endpoint, body: call.body } }),
      ),
    sendError: (reply: FastifyReply, protocol: string, _id: string, e: DomainError) => void reply.status(e.status).send({ protocol, error: e.message }),
  } as unknown as RelayService;
  const counter = {
    count: (protocol: string, _req: FastifyRequest, reply: FastifyReply, body: RawJsonBody | undefined, model?: string) =>
      Promise.resolve(void reply.send({ counted: { protocol, model, body: body?.json } })),
  } as unknown as TokenCountService;
  registerRelayRoutes(f, relay, auth, counter, RULES, { maxBytes: RULES.limit, memoryBytes: RULES.limit });
  f.post('/ordinary', (_req, reply) => void reply.send({})); // a route that does go through fastify's parsing
  await f.ready();
  return { f, parsedByFastify, identified };
}

describe("registerRelayRoutes: Gemini's path-model routes and the token counts are served on the hot path", () => {
  let t: Awaited<ReturnType<typeof app>>;
  beforeAll(async () => {
    t = await app();
  });
  afterAll(() => t.f.close());
  const post = (url: string, payload: unknown) =>
    t.f.inject({ method: 'POST', url, payload: payload as object, headers: { 'content-type': 'application/json' } });
  const contents = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

  it('are hot routes: the key check before the body skips them (they identify the key themselves)', () => {
    expect(HOT_RELAY_URLS.has('/v1beta/models/*')).toBe(true);
    expect(HOT_RELAY_URLS.has('/v1/models/*')).toBe(true);
    expect(HOT_RELAY_URLS.has('/v1/messages/count_tokens')).toBe(true);
  });

  it('(the check of fastify’s parsing sees an ordinary route’s)', async () => {
    const before = t.parsedByFastify.length;
    expect((await post('/ordinary', contents)).statusCode).toBe(200);
    expect(t.parsedByFastify.length).toBe(before + 1);
  });

  it.each([
    ['/v1beta/models/gemini-2.5-flash:generateContent', false, 'generateContent'],
    ['/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', true, 'streamGenerateContent'],
    ['/v1/models/gemini-2.5-flash:generateContent', false, 'generateContent'],
  ])('%s → the relay, with the model and the stream from the path, the key identified, fastify’s parser never run', async (url, stream, endpoint) => {
    const before = [t.parsedByFastify.length, t.identified.length];
    const res = await post(url, contents);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ relayed: { protocol: 'gemini', model: 'gemini-2.5-flash', stream, endpoint, body: contents } });
    expect(t.identified.length).toBe(before[1] + 1);
    expect(t.parsedByFastify.length).toBe(before[0]);
  });

  it(':countTokens → the counter, with the body and the model from the path', async () => {
    const res = await post('/v1beta/models/gemini-2.5-pro:countTokens', contents);
    expect(res.json()).toEqual({ counted: { protocol: 'gemini', model: 'gemini-2.5-pro', body: contents } });
  });

  it("Anthropic's count_tokens → the counter, the key identified, fastify's parser never run", async () => {
    const before = [t.parsedByFastify.length, t.identified.length];
    const body = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] };
    const res = await post('/v1/messages/count_tokens', body);
    expect(res.json()).toEqual({ counted: { protocol: 'anthropic', body } });
    expect(t.identified.length).toBe(before[1] + 1);
    expect(t.parsedByFastify.length).toBe(before[0]);
  });

  it('an action it does not serve, or no action, is a Gemini 404; a body that is not a JSON object a Gemini 400', async () => {
    for (const url of ['/v1beta/models/gemini-2.5-flash:fineTune', '/v1beta/models/gemini-2.5-flash']) {
      const res = await post(url, contents);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ protocol: 'gemini', error: expect.stringContaining('Unsupported method') });
    }
    const bad = await post('/v1beta/models/gemini-2.5-flash:generateContent', [1, 2]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().protocol).toBe('gemini');
  });
});
