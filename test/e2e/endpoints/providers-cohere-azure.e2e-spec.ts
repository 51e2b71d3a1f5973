import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startAzureFake, startMockUpstream, type AzureFake, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

type Row = Record<string, any>;

/**
 * Issue 15 (standalone): a cohere channel answers chat through Cohere's Chat v2 (converted both ways, streams and
 * tools), and azure channels in both URL styles (dated deployments, v1) with an api-key or an Entra ID app credential,
 * against faithful fakes, driven by the official OpenAI and Anthropic SDKs; Azure's prompt filter is a content-policy
 * refusal in the client's shape.
 */
const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const APP = { tenantId: 'contoso', clientId: 'switchboard-app', clientSecret: 'Q~s3cr3t.value' };

let mock: MockUpstream;
let azure: AzureFake;
let sys: System;
let admin: ReturnType<typeof adminClient>;
let openai: OpenAI;
let anthropic: Anthropic;

const logOf = (requestId: string) =>
  eventually(
    async () => {
      const r = await admin.get<Row>(`/api/logs/${requestId}`);
      return r.status === 200 ? r.body : null;
    },
    10_000,
    `log ${requestId}`,
  );
const cohereCalls = () => mock.requests.filter((r) => r.path === '/v2/chat');
const azureCalls = () => azure.requests.filter((r) => r.style !== 'token');
const tokenCalls = () => azure.requests.filter((r) => r.style === 'token');

beforeAll(async () => {
  mock = await startMockUpstream();
  azure = await startAzureFake({ apiKeys: ['az-key-1'], apps: [APP] });
  sys = await startStandalone();
  admin = adminClient(sys.url, sys.adminKey);
  const channels = [
    {
      name: 'cohere',
      type: 'cohere',
      baseUrl: mock.url,
      keys: ['co-key'],
      models: ['command-a', 'embed-v4'],
      modelMapping: { 'command-a': 'command-a-03-2025', 'embed-v4': 'embed-v4.0' },
    },
    { name: 'az-dated', type: 'azure', baseUrl: `${azure.url}/openai`, keys: ['az-key-1'], models: ['az-dated'], modelMapping: { 'az-dated': 'dep-dated' } },
    {
      name: 'az-v1-entra',
      type: 'azure',
      baseUrl: azure.url,
      keys: [JSON.stringify(APP)],
      models: ['az-v1'],
      modelMapping: { 'az-v1': 'dep-v1' },
      config: { apiVersion: 'v1', authorityHost: azure.url },
    },
    {
      name: 'az-preview-entra',
      type: 'azure',
      baseUrl: azure.url,
      keys: [JSON.stringify(APP)],
      models: ['az-preview'],
      modelMapping: { 'az-preview': 'dep-preview' },
      config: { apiVersion: '2025-04-01-preview', authorityHost: azure.url },
    },
  ];
  for (const c of channels) expect([c.name, (await admin.post('/api/channels', c)).status]).toEqual([c.name, 201]);
  const key = String((await admin.post<Row>('/api/tokens', { name: 'cohere-azure' })).body.key);
  openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: key, baseURL: sys.url, maxRetries: 0 });
  await eventually(
    async () => (await openai.chat.completions.create({ model: 'command-a', messages: [{ role: 'user', content: 'ping' }] }).catch(() => null)) !== null,
    10_000,
    'routable',
  );
});

afterAll(async () => {
  await sys?.stop();
  await mock?.close();
  await azure?.close();
});

beforeEach(() => {
  mock.reset();
  azure.reset();
});

describe('cohere channel: chat through Cohere Chat v2', () => {
  it('OpenAI SDK, non-stream with tools: Cohere’s request shape, its tool calls and billed units back as OpenAI’s', async () => {
    const r = await openai.chat.completions
      .create({
        model: 'command-a',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Weather? [call:get_weather {"city":"Paris"}]' },
        ],
        tools: [WEATHER_TOOL],
        tool_choice: 'required',
        top_p: 1,
        max_tokens: 50,
      })
      .withResponse();
    const msg = r.data.choices[0];
    expect(msg.finish_reason).toBe('tool_calls');
    expect(msg.message.content).toBe('I will use get_weather.');
    expect(msg.message.tool_calls?.map((c) => [c.type === 'function' && c.function.name, c.type === 'function' && JSON.parse(c.function.arguments)])).toEqual([
      ['get_weather', { city: 'Paris' }],
    ]);
    expect(msg.message.tool_calls?.[0].id).toMatch(/^get_weather_/);
    expect(cohereCalls()).toHaveLength(1);
    const sent = cohereCalls()[0];
    expect([sent.key, sent.headers.authorization]).toEqual(['co-key', 'Bearer co-key']);
    expect(sent.body).toEqual({
      model: 'command-a-03-2025',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather? [call:get_weather {"city":"Paris"}]' },
      ],
      tools: [{ type: 'function', function: WEATHER_TOOL.function }],
      tool_choice: 'REQUIRED',
      max_tokens: 50,
      p: 0.99,
    });
    const log = await logOf(r.response.headers.get('x-request-id')!);
    expect([log.upstreamProtocol, log.promptTokens, log.completionTokens]).toEqual([
      'cohere-chat',
      r.data.usage!.prompt_tokens,
      r.data.usage!.completion_tokens,
    ]);
    // billed units (what Cohere invoices: the 5 words of the prompt), not `tokens` with Cohere's own preamble
    expect(r.data.usage!.prompt_tokens).toBe(5);
  });

  it('OpenAI SDK, stream with tools: the plan as content, arguments assembled, usage chunk; then the tool result round trip', async () => {
    const stream = await openai.chat.completions.create({
      model: 'command-a',
      messages: [{ role: 'user', content: 'Weather? [call:get_weather {"city":"Paris é\\""}]' }],
      tools: [WEATHER_TOOL],
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    const args: string[] = [];
    let id = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      const c = chunk.choices[0];
      content += c?.delta.content ?? '';
      for (const t of c?.delta.tool_calls ?? []) {
        if (t.id) id = t.id;
        args[t.index] = (args[t.index] ?? '') + (t.function?.arguments ?? '');
      }
      finish = c?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(content).toBe('I will use get_weather.');
    expect(args.map((a) => JSON.parse(a))).toEqual([{ city: 'Paris é"' }]);
    expect(finish).toBe('tool_calls');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(cohereCalls()[0].body).toMatchObject({ stream: true });

    const answer = await openai.chat.completions.create({
      model: 'command-a',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: args[0] } }] },
        { role: 'tool', tool_call_id: id, content: '18°C' },
      ],
      tools: [WEATHER_TOOL],
    });
    expect(answer.choices[0].message.content).toBe('The tool get_weather returned 18°C.');
    expect((cohereCalls()[1].body as Row).messages.slice(1)).toEqual([
      { role: 'assistant', tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: args[0] } }] },
      { role: 'tool', tool_call_id: id, content: '18°C' },
    ]);
  });

  it('Anthropic SDK, stream: Cohere’s SSE becomes Messages events, billed units as usage', async () => {
    const stream = anthropic.messages.stream({ model: 'command-a', max_tokens: 64, system: 'terse', messages: [{ role: 'user', content: 'Bonjour à tous' }] });
    const text: string[] = [];
    stream.on('text', (t) => text.push(t));
    const final = await stream.finalMessage();
    expect(text.join('')).toBe('Echo: Bonjour à tous');
    expect(text.length).toBeGreaterThan(1);
    expect([final.stop_reason, final.usage.input_tokens, final.usage.output_tokens]).toEqual(['end_turn', 4, 4]);
    expect(cohereCalls()[0].body).toMatchObject({
      stream: true,
      max_tokens: 64,
      messages: [
        { role: 'system', content: 'terse' },
        { role: 'user', content: 'Bonjour à tous' },
      ],
    });
  });

  it('OpenAI SDK embeddings (its default base64 and float): Cohere’s /v2/embed, vectors decoded alike, billed input tokens', async () => {
    const packed = await openai.embeddings.create({ model: 'embed-v4', input: ['hello world', 'bonjour'] }).withResponse();
    const floats = await openai.embeddings.create({ model: 'embed-v4', input: ['hello world', 'bonjour'], encoding_format: 'float' });
    const small = await openai.embeddings.create({ model: 'embed-v4', input: 'hi', encoding_format: 'float', dimensions: 256 });
    expect(packed.data.data.map((d) => d.embedding.length)).toEqual([1024, 1024]);
    // the mock's vectors are float32-exact: packed by the gateway and decoded by the SDK, they are the floats
    expect(packed.data.data.map((d) => d.embedding)).toEqual(floats.data.map((d) => d.embedding));
    expect(small.data[0].embedding).toHaveLength(256);
    expect(packed.data.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const doc = { model: 'embed-v4.0', texts: ['hello world', 'bonjour'], input_type: 'search_document', embedding_types: ['float'] };
    expect(mock.requests.filter((r) => r.path === '/v2/embed').map((r) => r.body)).toEqual([doc, doc, { ...doc, texts: ['hi'], output_dimension: 256 }]);
    const log = await logOf(packed.response.headers.get('x-request-id')!);
    expect([log.upstreamProtocol, log.promptTokens]).toEqual(['cohere-embed', 3]);
  });

  it('Cohere’s error body reaches the client with its message and status', async () => {
    const err = await openai.chat.completions.create({ model: 'command-a', messages: [{ role: 'user', content: 'x [error:400]' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/invalid request: message must be at least 1 token long/);
    const aerr = await anthropic.messages
      .create({ model: 'command-a', max_tokens: 10, messages: [{ role: 'user', content: 'x [error:400]' }] })
      .catch((e: unknown) => e);
    expect(aerr).toBeInstanceOf(Anthropic.BadRequestError);
    expect(((aerr as InstanceType<typeof Anthropic.BadRequestError>).error as Row).error.type).toBe('invalid_request_error');
  });
});

describe('azure channels: both URL styles, api-key and Entra ID', () => {
  it('dated (no apiVersion): the deployments path at 2024-10-21 with the api-key; Azure’s answer passes through', async () => {
    const r = await openai.chat.completions.create({ model: 'az-dated', messages: [{ role: 'user', content: 'Hello Azure' }] });
    expect(r.choices[0].message.content).toBe('Echo: Hello Azure');
    expect(azureCalls().map((c) => [c.path, c.auth, c.deployment])).toEqual([
      ['/openai/deployments/dep-dated/chat/completions?api-version=2024-10-21', { kind: 'api-key', value: 'az-key-1' }, 'dep-dated'],
    ]);
    expect(tokenCalls()).toHaveLength(0);
  });

  it('v1 + Entra: /openai/v1 with the deployment in the body, a Bearer token minted once; a stream opening with choices: [] is read by the SDK', async () => {
    for (let i = 0; i < 2; i++) {
      const stream = await openai.chat.completions.create({
        model: 'az-v1',
        messages: [{ role: 'user', content: 'Weather? [call:get_weather {"city":"Oslo"}]' }],
        tools: [WEATHER_TOOL],
        stream: true,
      });
      const args: string[] = [];
      let finish: string | null = null;
      let sawEmptyChoices = false;
      for await (const chunk of stream) {
        if (chunk.choices.length === 0) sawEmptyChoices = true;
        for (const t of chunk.choices[0]?.delta.tool_calls ?? []) args[t.index] = (args[t.index] ?? '') + (t.function?.arguments ?? '');
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect([sawEmptyChoices, finish, args.map((a) => JSON.parse(a))]).toEqual([true, 'tool_calls', [{ city: 'Oslo' }]]);
    }
    const calls = azureCalls();
    expect(calls.map((c) => [c.path, c.style, c.deployment, c.auth?.kind])).toEqual([
      ['/openai/v1/chat/completions', 'v1', 'dep-v1', 'bearer'],
      ['/openai/v1/chat/completions', 'v1', 'dep-v1', 'bearer'],
    ]);
    expect(calls[0].auth?.value).toMatch(/^eyJ/);
    expect(calls[1].auth?.value).toBe(calls[0].auth?.value);
    // the token was minted before (the readiness probe or an earlier test) or here, never again per request
    expect(tokenCalls().length).toBeLessThanOrEqual(1);
  });

  it('dated preview + Entra, Anthropic SDK: converted to Chat on the deployments path with the Bearer token', async () => {
    const msg = await anthropic.messages.create({ model: 'az-preview', max_tokens: 32, messages: [{ role: 'user', content: 'Hej' }] });
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'Echo: Hej' });
    const stream = anthropic.messages.stream({ model: 'az-preview', max_tokens: 32, messages: [{ role: 'user', content: 'Hej igen' }] });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Echo: Hej igen' });
    expect(azureCalls().map((c) => [c.path, c.auth?.kind])).toEqual([
      ['/openai/deployments/dep-preview/chat/completions?api-version=2025-04-01-preview', 'bearer'],
      ['/openai/deployments/dep-preview/chat/completions?api-version=2025-04-01-preview', 'bearer'],
    ]);
  });

  it('a prompt-filter refusal is a content-policy error in the client’s shape, final (no failover), the channel still serves', async () => {
    const err = await openai.chat.completions
      .create({ model: 'az-dated', messages: [{ role: 'user', content: 'mock:content_filter bad words' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect([e.status, e.code, e.param, e.type]).toEqual([400, 'content_policy_violation', 'prompt', 'invalid_request_error']);
    expect(e.message).toMatch(/content management policy.*filtered: hate \(high\)/);
    const aerr = await anthropic.messages
      .create({ model: 'az-preview', max_tokens: 10, messages: [{ role: 'user', content: 'mock:content_filter' }] })
      .catch((x: unknown) => x);
    expect(aerr).toBeInstanceOf(Anthropic.BadRequestError);
    expect(((aerr as InstanceType<typeof Anthropic.BadRequestError>).error as Row).error.message).toMatch(/content management policy/);
    expect(azureCalls()).toHaveLength(2);
    const after = await openai.chat.completions.create({ model: 'az-dated', messages: [{ role: 'user', content: 'fine' }] });
    expect(after.choices[0].message.content).toBe('Echo: fine');
  });

  it('the admin API refuses an apiVersion that is neither v1 nor dated', async () => {
    const r = await admin.post<Row>('/api/channels', {
      name: 'az-bad',
      type: 'azure',
      baseUrl: azure.url,
      keys: ['k'],
      models: ['x'],
      config: { apiVersion: '2024' },
    });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/apiVersion/);
  });
});
