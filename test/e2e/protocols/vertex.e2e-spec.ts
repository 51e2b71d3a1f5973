import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { shareUndiciDispatcherWithJest, startFakeVertex, type FakeVertex } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

interface Log {
  requestId: string;
  status: number;
  protocol: string;
  upstreamProtocol: string | null;
  channelId: number | null;
  promptTokens: number;
  completionTokens: number;
}
interface KeyView {
  status: string;
  lastError: string | null;
}

const PROJECT = 'test-project';
const CALL = 'What is the weather? [call:get_weather {"city":"Paris"}]';
const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

/**
 * Vertex AI channels through standalone with the official SDKs, against the fake Vertex (its own token endpoint, which
 * the service accounts' `token_uri` names): Gemini and Claude publishers, embeddings, and keys Google refuses.
 */
describe('vertex channels (standalone)', () => {
  let fake: FakeVertex;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let key: string;
  let openai: OpenAI;
  let account: string;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    shareUndiciDispatcherWithJest();
    fake = await startFakeVertex({ projects: [PROJECT], locations: ['us-central1', 'us-east5'] });
    // a key banned after a 401 is probed again soon (the probe mints its own token)
    sys = await startStandalone({ BAN_PROBE_INTERVAL_MS: '2000' });
    admin = adminClient(sys.url, sys.adminKey);
    const sa = fake.serviceAccount();
    account = (JSON.parse(sa) as { client_email: string }).client_email;
    const deleted = fake.serviceAccount();
    fake.deleteKey((JSON.parse(deleted) as { client_email: string }).client_email);
    const channels = [
      {
        name: 'vertex-gemini',
        keys: [sa],
        models: ['gemini-2.5-flash', 'text-embedding-005', 'gemini-embedding-2-preview', 'imagen-4.0-generate-001'],
        config: { project: PROJECT, location: 'us-central1' },
      },
      { name: 'vertex-claude', keys: [sa], models: ['claude-opus-4-6'], config: { project: PROJECT, location: 'us-east5' } },
      {
        name: 'vertex-deleted-key',
        keys: [deleted],
        models: ['gemini-deleted'],
        modelMapping: { 'gemini-deleted': 'gemini-2.5-flash' },
        config: { project: PROJECT, location: 'us-central1' },
      },
      {
        name: 'vertex-not-json',
        keys: ['AIzaSy-this-is-an-api-key-not-a-service-account'],
        models: ['claude-malformed'],
        modelMapping: { 'claude-malformed': 'claude-opus-4-6' },
        config: { project: PROJECT, location: 'us-east5' },
      },
    ];
    for (const c of channels) {
      const r = await admin.post<{ id: number }>('/api/channels', { type: 'vertex', baseUrl: fake.url, ...c });
      expect(r.status).toBe(201);
      ids[c.name] = r.body.id;
    }
    for (const m of [
      'imagen-4.0-generate-001',
      'gemini-2.5-flash',
      'text-embedding-005',
      'gemini-embedding-2-preview',
      'claude-opus-4-6',
      'gemini-deleted',
      'claude-malformed',
    ]) {
      expect((await admin.put(`/api/prices/${m}`, { input: 1, output: 2 })).status).toBe(200);
    }
    key = String((await admin.post('/api/tokens', { name: 'vertex' })).body.key);
    openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
    await eventually(
      async () => (await openai.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'warm' }] })).id,
      10_000,
      'routable',
    );
  });

  afterAll(async () => {
    await sys?.stop();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  const logOf = (id: string) =>
    eventually(
      async () => {
        const r = await admin.get<Log>(`/api/logs/${id}`);
        return r.status === 200 ? r.body : null;
      },
      10_000,
      `the log of ${id}`,
    );
  const resource = (location: string, publisher: string, model: string, verb: string) =>
    `/v1/projects/${PROJECT}/locations/${location}/publishers/${publisher}/models/${model}:${verb}`;

  it('admin API: project and location are required; the default base URL is Google host for the location', async () => {
    const missing = await admin.post<{ error: { message: string } }>('/api/channels', {
      name: 'v',
      type: 'vertex',
      keys: ['{}'],
      models: ['m'],
      config: { project: PROJECT },
    });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('location');
    const made = await admin.post<{ id: number; baseUrl: string }>('/api/channels', {
      name: 'v-default',
      type: 'vertex',
      keys: ['{}'],
      models: ['m-default'],
      config: { project: PROJECT, location: 'europe-west4' },
    });
    expect([made.status, made.body.baseUrl]).toEqual([201, 'https://aiplatform.googleapis.com']);
    expect((await admin.call('DELETE', `/api/channels/${made.body.id}`)).status).toBeLessThan(300);
  });

  it('OpenAI chat → Gemini on Vertex: the resource path, a bearer token minted once and reused, usage billed', async () => {
    const { data: r, response } = await openai.chat.completions
      .create({
        model: 'gemini-2.5-flash',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Say hello' },
        ],
      })
      .withResponse();
    expect(r.choices[0].message.content?.length).toBeGreaterThan(0);
    expect(fake.requests.map((q) => [q.path, q.account, q.status])).toEqual([
      [resource('us-central1', 'google', 'gemini-2.5-flash', 'generateContent'), account, 200],
    ]);
    expect(fake.requests[0].body).toMatchObject({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, contents: [{ role: 'user' }] });
    // the warm-up minted the token: this request and the next reuse it
    expect(fake.mints).toBe(0);
    const log = await logOf(response.headers.get('x-request-id')!);
    expect([log.status, log.protocol, log.upstreamProtocol, log.channelId, log.promptTokens]).toEqual([
      200,
      'openai-chat',
      'gemini',
      ids['vertex-gemini'],
      r.usage!.prompt_tokens,
    ]);
  });

  it('OpenAI chat streamed with tools → :streamGenerateContent?alt=sse, the tool call assembled by the SDK', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: CALL }],
      tools: [weatherTool],
      stream: true,
      stream_options: { include_usage: true },
    });
    let args = '';
    let name = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) {
      const d = c.choices[0]?.delta;
      name += d?.tool_calls?.[0]?.function?.name ?? '';
      args += d?.tool_calls?.[0]?.function?.arguments ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      usage = c.usage ?? usage;
    }
    expect([name, JSON.parse(args), finish]).toEqual(['get_weather', { city: 'Paris' }, 'tool_calls']);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(fake.requests.map((q) => q.path)).toEqual([resource('us-central1', 'google', 'gemini-2.5-flash', 'streamGenerateContent?alt=sse')]);
    expect(fake.requests[0].body).toMatchObject({ tools: [{ functionDeclarations: [{ name: 'get_weather' }] }] });
  });

  it('Anthropic SDK streamed → Claude on Vertex by :streamRawPredict (no model, vertex anthropic_version, beta header kept)', async () => {
    const anthropic = new Anthropic({ apiKey: key, baseURL: sys.url, maxRetries: 0 });
    const stream = anthropic.messages.stream(
      { model: 'claude-opus-4-6', max_tokens: 200, messages: [{ role: 'user', content: 'Say hello' }] },
      { headers: { 'anthropic-beta': 'context-1m-2025-08-07' } },
    );
    let text = '';
    stream.on('text', (t) => (text += t));
    const final = await stream.finalMessage();
    expect(text.length).toBeGreaterThan(0);
    expect([final.model, final.stop_reason]).toEqual(['claude-opus-4-6', 'end_turn']);
    expect(fake.requests.map((q) => [q.path, q.account, q.headers['anthropic-beta']])).toEqual([
      [resource('us-east5', 'anthropic', 'claude-opus-4-6', 'streamRawPredict'), account, 'context-1m-2025-08-07'],
    ]);
    const sent = fake.requests[0].body as Record<string, unknown>;
    expect([sent.model, sent.anthropic_version, sent.stream]).toEqual([undefined, 'vertex-2023-10-16', true]);
    // and the same model for an OpenAI client, not streamed
    const r = await openai.chat.completions.create({ model: 'claude-opus-4-6', messages: [{ role: 'user', content: 'Hi' }] });
    expect(r.choices[0].message.content?.length).toBeGreaterThan(0);
    expect(fake.requests[1].path).toBe(resource('us-east5', 'anthropic', 'claude-opus-4-6', 'rawPredict'));
  });

  it('@google/genai → Gemini on Vertex: generateContent and a stream, answered in the Gemini API shape', async () => {
    const genai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: sys.url, apiVersion: 'v1beta' } });
    const r = await genai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Say hello' });
    expect(r.text?.length).toBeGreaterThan(0);
    expect(r.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    let streamed = '';
    for await (const c of await genai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Say hello' })) streamed += c.text ?? '';
    expect(streamed.length).toBeGreaterThan(0);
    expect(fake.requests.map((q) => q.path)).toEqual([
      resource('us-central1', 'google', 'gemini-2.5-flash', 'generateContent'),
      resource('us-central1', 'google', 'gemini-2.5-flash', 'streamGenerateContent?alt=sse'),
    ]);
  });

  it('embeddings: OpenAI (float and base64) and Gemini clients → :predict instances; newer Gemini models → :embedContent', async () => {
    const f = await openai.embeddings.create({ model: 'text-embedding-005', input: ['hello world', 'good bye now'], dimensions: 16, encoding_format: 'float' });
    expect(f.data.map((d) => d.embedding.length)).toEqual([16, 16]);
    // the token counts Vertex reports (2 + 3 words in the fake)
    expect(f.usage.prompt_tokens).toBe(5);
    const b = await openai.embeddings.create({ model: 'text-embedding-005', input: 'hello world', dimensions: 16 });
    expect(b.data[0].embedding).toEqual(f.data[0].embedding);
    expect(fake.requests[0]).toMatchObject({
      path: resource('us-central1', 'google', 'text-embedding-005', 'predict'),
      body: { instances: [{ content: 'hello world' }, { content: 'good bye now' }], parameters: { outputDimensionality: 16 } },
    });
    const genai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: sys.url, apiVersion: 'v1beta' } });
    const g = await genai.models.embedContent({ model: 'text-embedding-005', contents: ['hello world'], config: { outputDimensionality: 16 } });
    expect(g.embeddings?.[0].values).toEqual(f.data[0].embedding);
    const one = await openai.embeddings.create({ model: 'gemini-embedding-2-preview', input: 'hello world', dimensions: 8, encoding_format: 'float' });
    expect(one.data[0].embedding).toHaveLength(8);
    expect(fake.requests.slice(2).map((q) => q.path)).toEqual([
      resource('us-central1', 'google', 'text-embedding-005', 'predict'),
      resource('us-central1', 'google', 'gemini-embedding-2-preview', 'embedContent'),
    ]);
    const many = await openai.embeddings.create({ model: 'gemini-embedding-2-preview', input: ['a', 'b'] }).catch((e: unknown) => e);
    expect(many).toBeInstanceOf(OpenAI.BadRequestError);
    expect((many as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('one input per request');
  });

  it('OpenAI image generations → Imagen on Vertex by :predict', async () => {
    const r = await openai.images.generate({ model: 'imagen-4.0-generate-001', prompt: 'a red fox', n: 2, response_format: 'b64_json' });
    expect(
      r.data?.map((d) =>
        Buffer.from(d.b64_json ?? '', 'base64')
          .subarray(1, 4)
          .toString('latin1'),
      ),
    ).toEqual(['PNG', 'PNG']);
    expect(fake.requests.map((q) => [q.path, q.body])).toEqual([
      [resource('us-central1', 'google', 'imagen-4.0-generate-001', 'predict'), { instances: [{ prompt: 'a red fox' }], parameters: { sampleCount: 2 } }],
    ]);
  });

  it('the admin channel test probes through the same credentials: ok for a good key, the token error for a refused one', async () => {
    const good = await admin.post<{ ok: boolean; status: number | null }>(`/api/channels/${ids['vertex-claude']}/test`, {});
    expect([good.status, good.body.ok, good.body.status]).toEqual([200, true, 200]);
    expect(fake.requests.map((q) => q.path)).toEqual([resource('us-east5', 'anthropic', 'claude-opus-4-6', 'rawPredict')]);
    const bad = await admin.post<{ ok: boolean; status: number | null; error: string }>(`/api/channels/${ids['vertex-deleted-key']}/test`, {});
    expect([bad.body.ok, bad.body.status, bad.body.error]).toEqual([false, 401, expect.stringContaining('invalid_grant')]);
  });

  it('429 RESOURCE_EXHAUSTED is a rate limit in the client protocol; the token stays cached', async () => {
    fake.setFault({ status: 429, path: 'gemini-2.5-flash', times: 5 });
    const err = await openai.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(fake.mints).toBe(0);
    fake.reset();
    // wait out the back-off the 429 set, then the channel serves again with the same token
    await eventually(
      async () => (await openai.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }] }).catch(() => null))?.id,
      70_000,
      'back-off over',
    );
    expect(fake.mints).toBe(0);
  });

  it('a service account Google refuses: an auth error in the client protocol, the key marked auth_failed', async () => {
    const err = await openai.chat.completions.create({ model: 'gemini-deleted', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    // the upstream key's fault is not the client's: 503 in OpenAI's shape, naming why
    expect(err).toMatchObject({ status: 503, code: 'no_available_channel', message: expect.stringContaining('invalid_grant: Invalid JWT Signature.') });
    expect(fake.tokenRequests.map((t) => [t.status, t.error])).toEqual([[400, 'invalid_grant']]);
    expect(fake.requests).toHaveLength(0);
    const keys = await eventually(async () => {
      const r = await admin.get<{ data?: KeyView[] } | KeyView[]>(`/api/channels/${ids['vertex-deleted-key']}/keys`);
      const list = Array.isArray(r.body) ? r.body : (r.body.data ?? []);
      return list[0]?.status === 'auth_failed' ? list : null;
    });
    expect(keys[0].lastError).toContain('invalid_grant');

    const anthropic = new Anthropic({ apiKey: key, baseURL: sys.url, maxRetries: 0 });
    const bad = await anthropic.messages
      .create({ model: 'claude-malformed', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.APIError);
    expect((bad as InstanceType<typeof Anthropic.APIError>).status).toBe(503);
    expect(JSON.stringify((bad as InstanceType<typeof Anthropic.APIError>).error)).not.toContain('AIzaSy');
    expect((bad as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error', message: expect.stringContaining('not a usable service-account JSON: it is not JSON') },
    });
    const malformed = await eventually(async () => {
      const r = await admin.get<{ data?: KeyView[] } | KeyView[]>(`/api/channels/${ids['vertex-not-json']}/keys`);
      const list = Array.isArray(r.body) ? r.body : (r.body.data ?? []);
      return list[0]?.status === 'auth_failed' ? list : null;
    });
    expect(malformed[0].lastError).toContain('not JSON');
    expect(malformed[0].lastError).not.toContain('AIzaSy');
  });

  it('a token Vertex stops accepting (401): dropped and minted anew at once, the request served on the same key', async () => {
    fake.revokeTokens();
    const reply = await openai.chat.completions.create({ model: 'claude-opus-4-6', messages: [{ role: 'user', content: 'Hi' }] });
    expect(reply.choices[0].message.content?.length).toBeGreaterThan(0);
    // one refused call with the revoked token, then one with a fresh token on the same service account
    expect(fake.requests.map((q) => q.status)).toEqual([401, 200]);
    const [refused, served] = fake.requests;
    expect(served.token).not.toBe(refused.token);
    expect(served.account).toBe(account);
  });
});
