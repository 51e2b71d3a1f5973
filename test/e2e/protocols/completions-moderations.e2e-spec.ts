import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { countTextTokens } from '@switchboard/protocols';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

type Row = Record<string, any>;

/**
 * Issue 14, legacy Completions, Moderations and one model (standalone): `client.completions.create` converted through
 * Chat to an OpenAI chat channel, an Anthropic and a Gemini channel, and relayed as it is to gpt-3.5-turbo-instruct;
 * `client.moderations.create`; `client.models.retrieve` in each caller's shape; logs, quota and RPM as for chat.
 */
const CONVERTED = [
  { type: 'openai', model: 'cm-chat', vendor: 'openai', path: '/v1/chat/completions', upstreamProtocol: 'openai-chat' },
  { type: 'anthropic', model: 'cm-claude', vendor: 'anthropic', path: '/v1/messages', upstreamProtocol: 'anthropic' },
  { type: 'gemini', model: 'cm-gemini', vendor: 'gemini', path: '/v1beta/models/cm-gemini:generateContent', upstreamProtocol: 'gemini' },
] as const;
const INSTRUCT = 'gpt-3.5-turbo-instruct';

let mock: MockUpstream;
let sys: System;
let admin: ReturnType<typeof adminClient>;
let key: string;
let openai: OpenAI;

const newKey = async (body: Row = {}): Promise<string> => {
  const r = await admin.post<Row>('/api/tokens', { name: `cm-${Math.random().toString(36).slice(2, 8)}`, ...body });
  expect(r.status).toBe(201);
  return String(r.body.key);
};
const clientOf = (k: string) => new OpenAI({ apiKey: k, baseURL: `${sys.url}/v1`, maxRetries: 0 });
const lastUpstream = () => mock.requests[mock.requests.length - 1];
const logOf = (requestId: string) =>
  eventually(
    async () => {
      const r = await admin.get<Row>(`/api/logs/${requestId}`);
      return r.status === 200 ? r.body : null;
    },
    10_000,
    `log ${requestId}`,
  );

beforeAll(async () => {
  mock = await startMockUpstream();
  sys = await startStandalone();
  admin = adminClient(sys.url, sys.adminKey);
  for (const c of CONVERTED) {
    expect(
      (await admin.post('/api/channels', { name: `cm-${c.type}`, type: c.type, baseUrl: mock.url, keys: [`k-${c.type}`], models: [c.model] })).status,
    ).toBe(201);
  }
  const openaiChannel = { type: 'openai', baseUrl: mock.url, keys: ['k-instruct'], models: [INSTRUCT, 'omni-moderation-latest', 'cm-priced', 'org/cm-slash'] };
  expect((await admin.post('/api/channels', { name: 'cm-openai-families', ...openaiChannel })).status).toBe(201);
  // An Anthropic channel listing a moderation model: no candidate can classify, a clear 400 rather than a failover.
  expect(
    (await admin.post('/api/channels', { name: 'cm-no-mod', type: 'anthropic', baseUrl: mock.url, keys: ['k-nm'], models: ['mod-on-claude'] })).status,
  ).toBe(201);
  expect((await admin.post('/api/aliases', { name: 'cm-alias', targets: [{ model: 'cm-chat' }] })).status).toBe(201);
  key = await newKey();
  openai = clientOf(key);
  await eventually(async () => (await openai.models.list()).data.some((m) => m.id === 'cm-chat'), 5_000, 'routable');
});

afterAll(async () => {
  await sys?.stop();
  await mock?.close();
});

describe.each(CONVERTED)('completions client → $type channel (converted through the IR)', ({ model, vendor, path, upstreamProtocol }) => {
  it('non-stream: a text_completion with the text, finish and usage; the upstream got a chat request', async () => {
    mock.reset();
    const { data: r, response } = await openai.completions
      .create({ model, prompt: 'Say this is a test', max_tokens: 30, temperature: 0.2, stop: ['END'] })
      .withResponse();
    expect(r.object).toBe('text_completion');
    expect(r.id).toMatch(/^cmpl-/);
    expect(r.model).toBe(model);
    expect(r.choices).toEqual([{ text: 'Echo: Say this is a test', index: 0, logprobs: null, finish_reason: 'stop' }]);
    expect(r.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(r.usage!.total_tokens).toBe(r.usage!.prompt_tokens + r.usage!.completion_tokens);
    const up = lastUpstream();
    expect([up.vendor, up.path]).toEqual([vendor, path]);
    expect(JSON.stringify(up.body)).toContain('Say this is a test');
    const log = await logOf(response.headers.get('x-request-id')!);
    expect(log).toMatchObject({ protocol: 'openai-completions', endpoint: 'completions', upstreamProtocol, status: 200, stream: false });
    expect(log.promptTokens).toBe(r.usage!.prompt_tokens);
  });

  it('stream with include_usage: text chunks, the finish, a usage chunk with choices: [], then the end', async () => {
    mock.reset();
    const stream = await openai.completions.create({
      model,
      prompt: 'stream me please [chunks:5]',
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Completion[] = [];
    for await (const c of stream) chunks.push(c);
    const text = chunks.map((c) => c.choices[0]?.text ?? '').join('');
    expect(text).toMatch(/^Echo: stream me please/);
    expect(chunks.filter((c) => (c.choices[0]?.text ?? '') !== '').length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.object === 'text_completion' && c.model === model)).toBe(true);
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBeGreaterThan(0);
    expect(chunks[chunks.length - 2].choices[0]).toEqual({ text: '', index: 0, logprobs: null, finish_reason: 'stop' });
    expect(lastUpstream().vendor).toBe(vendor);
  });

  it('several prompts cannot go through chat: 400 naming prompt, nothing relayed', async () => {
    mock.reset();
    const err = await openai.completions.create({ model, prompt: ['one', 'two'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err).toMatchObject({ status: 400, param: 'prompt' });
    expect((err as Error).message).toMatch(/2 prompts/);
    expect(mock.requests).toHaveLength(0);
  });
});

describe('completions client → OpenAI channel with gpt-3.5-turbo-instruct (pass-through)', () => {
  it('non-stream: the request bytes reach /v1/completions untouched, the answer comes back as sent (several prompts, echo, logprobs)', async () => {
    mock.reset();
    const raw = `{"model":"${INSTRUCT}","prompt":["a b","c"],"echo":true,"logprobs":1,"suffix":null,"max_tokens":5}`;
    const res = await fetch(`${sys.url}/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: raw,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Row;
    expect(mock.requests[0]).toMatchObject({ vendor: 'openai', path: '/v1/completions' });
    expect(mock.requests[0].rawBody).toBe(raw);
    expect(body.choices.map((c: Row) => c.text)).toEqual(['a bEcho: a b', 'cEcho: c']);
    expect(body.choices[0].logprobs.tokens.length).toBeGreaterThan(0);
    expect(body.id).toMatch(/^cmpl-/);
  });

  it('the SDK, stream and not, with include_usage; usage billed from the upstream', async () => {
    mock.reset();
    const { data: r, response } = await openai.completions.create({ model: INSTRUCT, prompt: 'Say this is a test', max_tokens: 3 }).withResponse();
    expect(r.choices[0]).toEqual({ text: 'Echo: Say this', index: 0, logprobs: null, finish_reason: 'length' });
    expect(r.usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
    const log = await logOf(response.headers.get('x-request-id')!);
    expect(log).toMatchObject({ protocol: 'openai-completions', upstreamProtocol: 'openai-completions', promptTokens: 5, completionTokens: 3 });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of await openai.completions.create({
      model: INSTRUCT,
      prompt: 'one two three',
      stream: true,
      stream_options: { include_usage: true },
    })) {
      text += c.choices[0]?.text ?? '';
      usage = c.usage ?? usage;
    }
    expect(text).toBe('Echo: one two three');
    expect(usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(mock.requests.map((q) => q.path)).toEqual(['/v1/completions', '/v1/completions']);
  });

  it('stream: the upstream SSE bytes reach the client untouched', async () => {
    const body = JSON.stringify({ model: INSTRUCT, prompt: 'bytes please', stream: true, stream_options: { include_usage: true } });
    const direct = await (
      await fetch(`${mock.url}/v1/completions`, { method: 'POST', headers: { authorization: 'Bearer k', 'content-type': 'application/json' }, body })
    ).text();
    const viaGateway = await (
      await fetch(`${sys.url}/v1/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body })
    ).text();
    // ids and timestamps differ per answer; everything else is the upstream's framing byte for byte
    const norm = (s: string) => s.replace(/"id":"cmpl-[A-Za-z0-9]+"/g, '"id":"X"').replace(/"created":\d+/g, '"created":0');
    expect(norm(viaGateway)).toBe(norm(direct));
    expect(viaGateway.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});

describe('chat clients → gpt-3.5-turbo-instruct (their conversation as a Completions prompt)', () => {
  it('openai chat, stream and not; anthropic messages: the upstream gets /v1/completions, the client its own shape', async () => {
    mock.reset();
    const r = await openai.chat.completions.create({ model: INSTRUCT, max_tokens: 20, messages: [{ role: 'user', content: 'Complete me' }] });
    expect(r.choices[0].message.content).toBe('Echo: Complete me');
    expect(mock.requests[0]).toMatchObject({ path: '/v1/completions', body: { model: INSTRUCT, prompt: 'Complete me', max_tokens: 20 } });
    const s = openai.chat.completions.stream({ model: INSTRUCT, messages: [{ role: 'user', content: 'stream it' }], stream_options: { include_usage: true } });
    const final = await s.finalChatCompletion();
    expect(final.choices[0].message.content).toBe('Echo: stream it');
    expect(final.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 3 });
    const anthropic = new Anthropic({ apiKey: key, baseURL: sys.url, maxRetries: 0 });
    const msg = await anthropic.messages.create({ model: INSTRUCT, max_tokens: 30, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });
    expect(msg.content).toEqual([{ type: 'text', text: expect.stringContaining('Echo: Be brief.') }]);
    expect((mock.requests[2].body as Row).prompt).toBe('Be brief.\n\nUser: Hi\n\nAssistant:');
    expect(mock.requests.map((q) => q.path)).toEqual(['/v1/completions', '/v1/completions', '/v1/completions']);
  });
});

describe('completions: limits and quota as chat', () => {
  it('RPM refuses the second completion with 429 in OpenAI shape', async () => {
    const limited = clientOf(await newKey({ rpm: 1 }));
    await limited.completions.create({ model: 'cm-chat', prompt: 'first' });
    const err = await limited.completions.create({ model: 'cm-chat', prompt: 'second' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toMatch(/^\d+$/);
    expect((err as Error).message).toMatch(/requests per minute/);
  });

  it("quota: the reservation is the completion's budget (OpenAI's default of 16 tokens when none is named); one it cannot cover is insufficient_quota, nothing relayed", async () => {
    // $0.001 per output token: 16 tokens reserve $0.016, 4096 reserve $4.10; the key has $0.05
    expect((await admin.put('/api/prices/cm-priced', { input: 0, output: 1000 })).status).toBe(200);
    const poor = clientOf(await newKey({ quota: 0.05 }));
    mock.reset();
    const err = await eventually(
      async () => {
        const e = await poor.completions.create({ model: 'cm-priced', prompt: 'x', max_tokens: 4096 }).catch((x: unknown) => x);
        return e instanceof OpenAI.RateLimitError ? e : null;
      },
      5_000,
      'price applied',
    );
    expect(err.code).toBe('insufficient_quota');
    expect(mock.requests).toHaveLength(0);
    const ok = await poor.completions.create({ model: 'cm-priced', prompt: 'short one' });
    expect(ok.choices[0].text).toBe('Echo: short one');
    expect(mock.requests.map((q) => [q.path, (q.body as Row).max_tokens])).toEqual([['/v1/chat/completions', 16]]);
  });
});

describe('moderations', () => {
  it('string input: flagged by the upstream, relayed as it is, logged with the counted input tokens', async () => {
    mock.reset();
    const { data: r, response } = await openai.moderations.create({ model: 'omni-moderation-latest', input: 'I will hurt you' }).withResponse();
    expect(r.id).toMatch(/^modr-/);
    expect(r.results).toHaveLength(1);
    expect(r.results[0].flagged).toBe(true);
    expect(r.results[0].categories.violence).toBe(true);
    expect(Object.keys(r.results[0].category_scores)).toHaveLength(13);
    expect(mock.requests[0]).toMatchObject({ vendor: 'openai', path: '/v1/moderations' });
    const log = await logOf(response.headers.get('x-request-id')!);
    expect(log).toMatchObject({
      protocol: 'openai-moderations',
      endpoint: 'moderations',
      upstreamProtocol: 'openai-moderations',
      status: 200,
      completionTokens: 0,
      cost: 0,
    });
    // OpenAI reports no tokens: the input alone is counted (not the whole body)
    expect(log.promptTokens).toBe(countTextTokens('I will hurt you'));
  });

  it('array input: a result per string; no model is OpenAI default', async () => {
    const r = await openai.moderations.create({ input: ['a sunny day', 'so much hate'] });
    expect(r.results.map((x) => x.flagged)).toEqual([false, true]);
    expect(r.model).toBe('omni-moderation-latest');
  });

  it('no input: 400 naming it; a model no channel can classify: 400, nothing relayed', async () => {
    mock.reset();
    await expect(openai.moderations.create({ model: 'omni-moderation-latest' } as never)).rejects.toMatchObject({ status: 400, param: 'input' });
    const err = await openai.moderations.create({ model: 'mod-on-claude', input: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400 });
    expect((err as Error).message).toMatch(/does not support moderations/);
    expect(mock.requests).toHaveLength(0);
  });
});

describe('GET /v1/models/{id}', () => {
  it('found: the model in OpenAI shape (a channel model, an alias)', async () => {
    expect(await openai.models.retrieve('cm-chat')).toEqual({ id: 'cm-chat', object: 'model', created: 0, owned_by: 'switchboard' });
    expect((await openai.models.retrieve('cm-alias')).id).toBe('cm-alias');
    // the SDK sends `org%2Fcm-slash`: ids with a slash (Hugging Face style) are found too
    expect((await openai.models.retrieve('org/cm-slash')).id).toBe('org/cm-slash');
  });

  it('unknown or not allowed for this key: 404 model_not_found', async () => {
    const unknown = await openai.models.retrieve('no-such-model').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown).toMatchObject({ code: 'model_not_found' });
    const restricted = clientOf(await newKey({ models: ['cm-claude'] }));
    expect((await restricted.models.retrieve('cm-claude')).id).toBe('cm-claude');
    await expect(restricted.models.retrieve('cm-chat')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it("Anthropic callers get Anthropic's shape and error; Gemini callers Gemini's, under /v1beta and /v1", async () => {
    const anthropic = new Anthropic({ apiKey: key, baseURL: sys.url, maxRetries: 0 });
    expect(await anthropic.models.retrieve('cm-claude')).toEqual({
      type: 'model',
      id: 'cm-claude',
      display_name: 'cm-claude',
      created_at: '2025-01-01T00:00:00Z',
    });
    await expect(anthropic.models.retrieve('nope')).rejects.toMatchObject({ status: 404, error: { type: 'error', error: { type: 'not_found_error' } } });
    for (const base of ['v1beta', 'v1']) {
      const g = await fetch(`${sys.url}/${base}/models/cm-gemini`, { headers: { 'x-goog-api-key': key } });
      expect([g.status, await g.json()]).toEqual([
        200,
        { name: 'models/cm-gemini', displayName: 'cm-gemini', supportedGenerationMethods: ['generateContent', 'countTokens'] },
      ]);
    }
    const genai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: sys.url, apiVersion: 'v1beta' } });
    expect(await genai.models.get({ model: 'cm-gemini' })).toMatchObject({ name: 'models/cm-gemini', displayName: 'cm-gemini' });
    const missing = await fetch(`${sys.url}/v1beta/models/nope`, { headers: { 'x-goog-api-key': key } });
    expect([missing.status, ((await missing.json()) as Row).error.status]).toEqual([404, 'NOT_FOUND']);
  });

  it('a missing key is 401; the Gemini POST actions under /v1/models still work', async () => {
    expect((await fetch(`${sys.url}/v1/models/cm-chat`)).status).toBe(401);
    const gen = await fetch(`${sys.url}/v1/models/cm-gemini:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hello' }] }] }),
    });
    expect(gen.status).toBe(200);
    expect(JSON.stringify(await gen.json())).toContain('hello');
  });
});
