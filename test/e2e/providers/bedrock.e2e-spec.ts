import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { BEDROCK_ERRORS, FAKE_BEDROCK_USAGE, startFakeBedrock, type FakeBedrock } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

const CLAUDE = 'us.anthropic.claude-sonnet-4-20250514-v1:0';
const LLAMA = 'us.meta.llama3-3-70b-instruct-v1:0';
const GOOD = { accessKeyId: 'AKIAFAKEBEDROCK00001', secretAccessKey: 'fakeSecretKey/0001+abcdefghijklmnopqrstuv' };
const STS = {
  accessKeyId: 'ASIAFAKEBEDROCK00002',
  secretAccessKey: 'fakeSecretKey/0002+abcdefghijklmnopqrstuv',
  sessionToken: 'IQoJb3JpZ2luX2VjEFake//token==',
};
const SPARE = { accessKeyId: 'AKIAFAKEBEDROCK00003', secretAccessKey: 'fakeSecretKey/0003+abcdefghijklmnopqrstuv' };
const API_KEY = 'ABSKQmVkcm9ja0FQSUtleS1mYWtlLWtleQ==';
const key = (c: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
  [c.accessKeyId, c.secretAccessKey, c.sessionToken].filter(Boolean).join(':');
const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
/** No periodic probes: they would reach the fake between a scripted fault and the request it is meant for. */
const ENV = { CHANNEL_CHECK_INTERVAL_MS: '0', RETRY_BUDGET: '3' };

/**
 * Bedrock channels through the real gateway (standalone) to a fake Bedrock that verifies SigV4 like AWS and answers
 * with AWS's wire formats (event-stream frames split across TCP writes), driven by the official SDKs.
 */
describe('bedrock channels (standalone)', () => {
  let fake: FakeBedrock;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let openai: OpenAI;
  let anthropic: Anthropic;
  let genai: GoogleGenAI;
  const ids: Record<string, number> = {};

  const channel = async (name: string, body: Record<string, unknown>) => {
    const r = await admin.post('/api/channels', { name, type: 'bedrock', baseUrl: fake.url, config: { region: 'us-east-1' }, ...body });
    expect([name, r.status]).toEqual([name, 201]);
    ids[name] = r.body.id as number;
  };

  beforeAll(async () => {
    fake = await startFakeBedrock({ region: 'us-east-1', credentials: [GOOD, STS, SPARE], apiKeys: [API_KEY] });
    sys = await startStandalone(ENV);
    admin = adminClient(sys.url, sys.adminKey);
    await channel('bedrock-sigv4', { keys: [key(GOOD)], models: ['claude-sonnet', 'llama'], modelMapping: { 'claude-sonnet': CLAUDE, llama: LLAMA } });
    await channel('bedrock-sts', { keys: [key(STS)], models: ['claude-sts'], modelMapping: { 'claude-sts': CLAUDE } });
    await channel('bedrock-apikey', { keys: [API_KEY], models: ['claude-apikey'], modelMapping: { 'claude-apikey': CLAUDE } });
    // failover pairs: the first (priority 10) fails in a scripted way, the second serves
    for (const model of ['fo-throttle', 'fo-ondemand', 'fo-badkey', 'fo-stream']) {
      const bad = model === 'fo-badkey' ? `${GOOD.accessKeyId}:wrong-secret-for-this-key` : key(GOOD);
      await channel(`${model}-first`, { keys: [bad], models: [model], modelMapping: { [model]: `anthropic.claude-3-7-sonnet-20250219-v1:0` }, priority: 10 });
      await channel(`${model}-second`, { keys: [key(SPARE)], models: [model], modelMapping: { [model]: CLAUDE }, priority: 0 });
    }
    const tok = await admin.post('/api/tokens', { name: 'bedrock' });
    const sk = String(tok.body.key);
    openai = new OpenAI({ apiKey: sk, baseURL: `${sys.url}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: sk, baseURL: sys.url, maxRetries: 0 });
    genai = new GoogleGenAI({ apiKey: sk, httpOptions: { baseUrl: sys.url, apiVersion: 'v1beta' } });
    await eventually(
      async () => (await openai.chat.completions.create({ model: 'llama', messages: [{ role: 'user', content: 'hi' }] }).catch(() => null)) !== null,
      10_000,
      'routable',
    );
  });

  afterAll(async () => {
    await sys?.stop();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it("the admin API checks config.region and defaults the host to the region's", async () => {
    const missing = await admin.post('/api/channels', { name: 'no-region', type: 'bedrock', keys: [key(GOOD)], models: ['x'] });
    expect([missing.status, (missing.body.error as { field: string }).field]).toEqual([400, 'config.region']);
    const made = await admin.post('/api/channels', {
      name: 'defaulted',
      type: 'bedrock',
      keys: [key(GOOD)],
      models: ['x-default'],
      config: { region: 'eu-central-1' },
    });
    expect([made.status, made.body.baseUrl, made.body.config]).toEqual([201, 'https://bedrock-runtime.eu-central-1.amazonaws.com', { region: 'eu-central-1' }]);
    await admin.del(`/api/channels/${made.body.id as number}`);
  });

  it('the channel test (router probe) signs its request too', async () => {
    const r = await admin.post(`/api/channels/${ids['bedrock-sigv4']}/test`, {});
    expect([r.status, r.body.ok, r.body.status]).toEqual([200, true, 200]);
    expect(fake.requests.map((q) => [q.action, q.auth, q.key])).toEqual([['converse', 'sigv4', GOOD.accessKeyId]]);
  });

  it('OpenAI chat, non-stream, with tools: Converse signed with SigV4 over the `%3A` path; a tool call, then the answer; usage with cache', async () => {
    const first = await openai.chat.completions.create({
      model: 'claude-sonnet',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER],
    });
    const call = first.choices[0].message.tool_calls![0];
    expect([
      first.choices[0].finish_reason,
      call.type === 'function' && call.function.name,
      call.type === 'function' && JSON.parse(call.function.arguments),
    ]).toEqual(['tool_calls', 'get_weather', { city: 'Paris' }]);
    const req = fake.requests[0];
    expect([req.action, req.auth, req.key, req.rawPath]).toEqual([
      'converse',
      'sigv4',
      GOOD.accessKeyId,
      '/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse',
    ]);
    expect(req.body['toolConfig']).toEqual({
      tools: [{ toolSpec: { name: 'get_weather', description: 'Weather for a city', inputSchema: { json: WEATHER.function.parameters } } }],
    });
    const second = await openai.chat.completions.create({
      model: 'claude-sonnet',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '{"temp_c":21}' },
      ],
      tools: [WEATHER],
      tool_choice: 'auto',
      temperature: 1.7,
    });
    expect(second.choices[0].message.content).toBe('Sunny, 21°C in Paris.');
    const u = FAKE_BEDROCK_USAGE;
    expect([second.usage?.prompt_tokens, second.usage?.completion_tokens, second.usage?.prompt_tokens_details?.cached_tokens]).toEqual([
      u.input + u.cacheRead + u.cacheWrite,
      u.output,
      u.cacheRead,
    ]);
    const sent = fake.requests[1].body as {
      inferenceConfig: { temperature: number };
      toolConfig: { toolChoice: unknown };
      messages: { content: Record<string, unknown>[] }[];
    };
    expect([sent.inferenceConfig.temperature, sent.toolConfig.toolChoice]).toEqual([1, { auto: {} }]);
    expect(sent.messages[2].content[0]).toEqual({ toolResult: { toolUseId: call.id, content: [{ text: '{"temp_c":21}' }], status: 'success' } });
  });

  it('OpenAI chat stream with tools: ConverseStream frames split across TCP writes become chunks; usage chunk last', async () => {
    const stream = await openai.chat.completions.create({
      model: 'claude-sonnet',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [WEATHER],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let args = '';
    let name = '';
    let finish = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      const c = chunk.choices[0];
      text += c?.delta.content ?? '';
      for (const t of c?.delta.tool_calls ?? []) {
        name ||= t.function?.name ?? '';
        args += t.function?.arguments ?? '';
      }
      finish ||= c?.finish_reason ?? '';
      usage ??= chunk.usage ?? undefined;
    }
    expect([text, name, JSON.parse(args), finish]).toEqual(['Checking.', 'get_weather', { city: 'Paris' }, 'tool_calls']);
    expect(usage?.prompt_tokens).toBe(FAKE_BEDROCK_USAGE.input + FAKE_BEDROCK_USAGE.cacheRead + FAKE_BEDROCK_USAGE.cacheWrite);
    expect([fake.requests[0].action, fake.requests[0].headers['accept']]).toEqual(['converse-stream', 'application/vnd.amazon.eventstream']);
  });

  it('Anthropic SDK stream to Claude: InvokeModel with the Anthropic body (version, betas, cache_control, thinking untouched)', async () => {
    const stream = anthropic.messages.stream(
      {
        model: 'claude-sonnet',
        max_tokens: 4096,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: 'Hello' }],
      },
      { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } },
    );
    const message = await stream.finalMessage();
    expect(message.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(message.content[0]).toMatchObject({ thinking: 'The user wants the weather.', signature: 'EqoBCkgIARABGAIiQ-bedrock-signature' });
    expect(message.content[1]).toMatchObject({ text: 'Hello from Bedrock.' });
    expect([message.usage.input_tokens, message.usage.output_tokens, message.usage.cache_read_input_tokens]).toEqual([
      FAKE_BEDROCK_USAGE.input,
      FAKE_BEDROCK_USAGE.output,
      FAKE_BEDROCK_USAGE.cacheRead,
    ]);
    const req = fake.requests[0];
    expect([req.action, req.rawPath]).toEqual([
      'invoke-with-response-stream',
      '/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/invoke-with-response-stream',
    ]);
    expect(req.body).toEqual({
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'Hello' }],
      anthropic_version: 'bedrock-2023-05-31',
      anthropic_beta: ['interleaved-thinking-2025-05-14'],
    });
  });

  it('Anthropic SDK non-stream to a non-Claude model goes through Converse', async () => {
    const message = await anthropic.messages.create({ model: 'llama', max_tokens: 100, messages: [{ role: 'user', content: 'Hello' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from Bedrock.' }]);
    expect([fake.requests[0].action, fake.requests[0].rawPath]).toEqual(['converse', '/model/us.meta.llama3-3-70b-instruct-v1%3A0/converse']);
  });

  it('Gemini via @google/genai: generateContent and streamGenerateContent through Converse', async () => {
    const r = await genai.models.generateContent({ model: 'claude-sonnet', contents: 'Hello' });
    expect([r.text, r.usageMetadata?.promptTokenCount]).toEqual([
      'Hello from Bedrock.',
      FAKE_BEDROCK_USAGE.input + FAKE_BEDROCK_USAGE.cacheRead + FAKE_BEDROCK_USAGE.cacheWrite,
    ]);
    let streamed = '';
    for await (const c of await genai.models.generateContentStream({ model: 'claude-sonnet', contents: 'Hello' })) streamed += c.text ?? '';
    expect(streamed).toBe('Hello from Bedrock.');
    expect(fake.requests.map((q) => q.action)).toEqual(['converse', 'converse-stream']);
  });

  it('OpenAI Responses through Converse', async () => {
    const r = await openai.responses.create({ model: 'llama', input: 'Hello', max_output_tokens: 50 });
    expect([r.output_text, r.usage?.input_tokens]).toEqual([
      'Hello from Bedrock.',
      FAKE_BEDROCK_USAGE.input + FAKE_BEDROCK_USAGE.cacheRead + FAKE_BEDROCK_USAGE.cacheWrite,
    ]);
    expect((fake.requests[0].body as { inferenceConfig: unknown }).inferenceConfig).toEqual({ maxTokens: 50 });
  });

  it('STS session tokens are signed; Bedrock API keys go as Bearer', async () => {
    await openai.chat.completions.create({ model: 'claude-sts', messages: [{ role: 'user', content: 'hi' }] });
    await openai.chat.completions.create({ model: 'claude-apikey', messages: [{ role: 'user', content: 'hi' }] });
    expect(fake.requests.map((q) => [q.auth, q.key, q.headers['x-amz-security-token'] ?? null])).toEqual([
      ['sigv4', STS.accessKeyId, STS.sessionToken],
      ['bearer', API_KEY, null],
    ]);
  });

  it('throttling (429 ThrottlingException) fails over to the next channel, which answers', async () => {
    fake.fail({ error: BEDROCK_ERRORS.throttling });
    const r = await openai.chat.completions.create({ model: 'fo-throttle', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0].message.content).toBe('Hello from Bedrock.');
    expect(fake.requests.map((q) => q.key)).toEqual([GOOD.accessKeyId, SPARE.accessKeyId]);
    const bans = (await admin.get(`/api/channels/${ids['fo-throttle-first']}`)).body.bans as { reason: string }[];
    expect(bans.map((b) => b.reason)).toContain('backoff');
  });

  it('"on-demand throughput isn\'t supported" means this channel cannot serve the model: the next one does', async () => {
    fake.fail({ error: BEDROCK_ERRORS.onDemandUnsupported });
    const r = await openai.chat.completions.create({ model: 'fo-ondemand', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0].message.content).toBe('Hello from Bedrock.');
    expect(fake.requests.map((q) => q.modelId)).toEqual(['anthropic.claude-3-7-sonnet-20250219-v1:0', CLAUDE]);
  });

  it("a malformed request (ValidationException) is the client's 400 in its own shape, not retried elsewhere", async () => {
    fake.fail({ error: BEDROCK_ERRORS.validation });
    const err = (await openai.chat.completions
      .create({ model: 'fo-throttle', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect([err.status, err.message]).toEqual([400, expect.stringContaining('text content blocks must be non-empty')]);
    expect(fake.requests).toHaveLength(1);
  });

  it('a wrong secret (AWS 403 InvalidSignatureException) marks the key auth-failed and the request fails over', async () => {
    const r = await openai.chat.completions.create({ model: 'fo-badkey', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0].message.content).toBe('Hello from Bedrock.');
    // the bad key reached the fake and was refused; only the spare's request was recorded as authenticated
    expect(fake.requests.map((q) => q.key)).toEqual([SPARE.accessKeyId]);
    const keys = await eventually(
      async () => {
        const list = (await admin.get<{ data: { status: string; lastError: string | null }[] }>(`/api/channels/${ids['fo-badkey-first']}/keys`)).body.data;
        return list.some((x) => x.status === 'auth_failed') && list;
      },
      5_000,
      'key marked auth_failed',
    );
    expect(keys[0].lastError).toMatch(/signature we calculated does not match/);
  });

  it('a stream exception before any frame fails over; after content it is an in-stream error the SDK raises', async () => {
    fake.fail({ streamException: 'throttlingException', message: 'Too many tokens, please wait before trying again.', afterFrames: 0 });
    const ok = await openai.chat.completions.create({ model: 'fo-stream', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    for await (const c of ok) text += c.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello from Bedrock.');
    expect(fake.requests.map((q) => q.key)).toEqual([GOOD.accessKeyId, SPARE.accessKeyId]);

    fake.reset();
    fake.fail({ streamException: 'modelStreamErrorException', message: 'The model stopped unexpectedly.', afterFrames: 3 });
    const broken = await openai.chat.completions.create({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let partial = '';
    const failure = await (async () => {
      for await (const c of broken) partial += c.choices[0]?.delta.content ?? '';
    })().catch((e: Error) => e);
    expect(partial.length).toBeGreaterThan(0);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain('The model stopped unexpectedly.');
  });
});
