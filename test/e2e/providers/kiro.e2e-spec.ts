import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { startFakeKiro, type FakeKiro } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(180_000);

const ARN = 'arn:aws:codewhisperer:us-east-1:123456789012:profile/KIROE2E';
const ENV = { UNPRICED_MODEL_POLICY: 'free' };
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/**
 * A Kiro account pool behind the official SDKs (standalone): each client protocol reaches a `kiro` channel on the fake
 * backend, streamed and not (the upstream always streams: a non-stream answer is the stream aggregated), with tools;
 * one refresh per account whatever the concurrency; a stale token renewed; a dead one marks the key; a rotated refresh
 * token survives a restart.
 */
describe('kiro channels (standalone)', () => {
  let fake: FakeKiro;
  let sys: System | undefined;
  let admin: ReturnType<typeof adminClient>;
  let openai: OpenAI;
  let anthropic: Anthropic;
  let genai: GoogleGenAI;
  const accounts = { main: 'rt-e2e-main', burst: 'rt-e2e-burst', dead: 'rt-e2e-dead' };
  const keyOf = (rt: string) => JSON.stringify({ refreshToken: rt, authMethod: 'social', region: 'us-east-1' });
  let deadChannel = 0;

  const channel = async (name: string, rt: string, models: string[]) => {
    const r = await admin.post<{ id: number }>('/api/channels', {
      name,
      type: 'kiro',
      baseUrl: fake.url,
      keys: [keyOf(rt)],
      models,
      config: { refreshUrl: fake.socialRefreshUrl, usageUrl: fake.usageUrl },
    });
    expect(r.status).toBe(201);
    return r.body.id;
  };

  const clients = (key: string) => {
    openai = new OpenAI({ apiKey: key, baseURL: `${sys!.url}/v1`, maxRetries: 0, timeout: 30_000 });
    anthropic = new Anthropic({ apiKey: key, baseURL: sys!.url, maxRetries: 0, timeout: 30_000 });
    genai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: sys!.url, apiVersion: 'v1beta' } });
  };

  beforeAll(async () => {
    fake = await startFakeKiro();
    for (const rt of Object.values(accounts)) fake.addAccount({ refreshToken: rt, profileArn: ARN });
    fake.killRefreshToken(accounts.dead);
    sys = await startStandalone(ENV);
    admin = adminClient(sys.url, sys.adminKey);
    await channel('kiro-main', accounts.main, ['claude-sonnet-4-5']);
    await channel('kiro-burst', accounts.burst, ['claude-haiku-4.5']);
    deadChannel = await channel('kiro-dead', accounts.dead, ['claude-opus-4-6']);
    const key = String((await admin.post('/api/tokens', { name: 'kiro' })).body.key);
    clients(key);
    await eventually(async () => (await openai.models.retrieve('claude-sonnet-4-5').catch(() => null)) !== null, 15_000, 'routes on the gateway');
  });

  afterAll(async () => {
    await sys?.stop();
    await fake?.close();
  });

  it('OpenAI SDK, non-stream: the stream aggregated into one completion; system prompt in the first user turn; model id and profile ARN sent', async () => {
    const { data: r, response } = await openai.chat.completions
      .create({
        model: 'claude-sonnet-4-5',
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'user', content: 'Hi there' },
        ],
      })
      .withResponse();
    expect(r.choices[0].message.content).toBe('Hello from Kiro. You said: Be terse.\n\nHi there');
    expect(r.choices[0].finish_reason).toBe('stop');
    expect(r.usage!.prompt_tokens).toBeGreaterThan(0);
    // the fake reports its output as words (metadataEvent): the usage is the upstream's, not an estimate
    expect(r.usage!.completion_tokens).toBe(words(r.choices[0].message.content!));
    const sent = fake.requests.at(-1)!;
    expect(sent.body).toMatchObject({ profileArn: ARN, conversationState: { currentMessage: { userInputMessage: { modelId: 'claude-sonnet-4.5' } } } });
    expect(sent.headers['x-amz-user-agent']).toMatch(/KiroIDE-/);
    // the request log names the upstream protocol and bills the upstream's count
    const log = await eventually(
      async () => {
        const l = await admin.get<Record<string, unknown>>(`/api/logs/${response.headers.get('x-request-id')}`);
        return l.status === 200 ? l.body : null;
      },
      10_000,
      'the request log',
    );
    expect(log).toMatchObject({ status: 200, upstreamProtocol: 'kiro', upstreamModel: 'claude-sonnet-4-5', completionTokens: r.usage!.completion_tokens });
  });

  it('OpenAI SDK, stream with usage: text deltas in order, a usage chunk', async () => {
    const stream = await openai.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello from Kiro. You said: Stream please');
    expect(finish).toBe('stop');
    expect(usage!.completion_tokens).toBe(words(text));
  });

  it('OpenAI SDK with tools, non-stream then stream, and the tool result turn', async () => {
    const first = await openai.chat.completions.create({
      model: 'claude-sonnet-4-5',
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    const call = first.choices[0].message.tool_calls![0];
    expect([
      first.choices[0].finish_reason,
      call.type === 'function' && call.function.name,
      call.type === 'function' && JSON.parse(call.function.arguments),
    ]).toEqual(['tool_calls', 'get_weather', { city: 'Paris' }]);
    const stream = await openai.chat.completions.create({
      model: 'claude-sonnet-4-5',
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather?' }],
      stream: true,
    });
    let args = '';
    let name = '';
    for await (const chunk of stream) {
      for (const tc of chunk.choices[0]?.delta?.tool_calls ?? []) {
        name ||= tc.function?.name ?? '';
        args += tc.function?.arguments ?? '';
      }
    }
    expect([name, JSON.parse(args)]).toEqual(['get_weather', { city: 'Paris' }]);
    const second = await openai.chat.completions.create({
      model: 'claude-sonnet-4-5',
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather in Paris?' }, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '21°C and sunny' }],
    });
    expect(second.choices[0].message.content).toBe('The tool said: 21°C and sunny');
  });

  it('Anthropic SDK, stream with tools: tool_use block with the streamed input, then the tool_result turn', async () => {
    const tools: Anthropic.Tool[] = [
      { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
    ];
    const msg = await anthropic.messages
      .stream({ model: 'claude-sonnet-4-5', max_tokens: 256, system: 'You are helpful.', tools, messages: [{ role: 'user', content: 'Weather in Paris?' }] })
      .finalMessage();
    expect(msg.stop_reason).toBe('tool_use');
    const use = msg.content.find((b) => b.type === 'tool_use')!;
    expect(use).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    const next = await anthropic.messages
      .stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        tools,
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: msg.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'rainy' }] },
        ],
      })
      .finalMessage();
    expect([next.stop_reason, next.content[0]]).toEqual(['end_turn', expect.objectContaining({ type: 'text', text: 'The tool said: rainy' })]);
    expect(next.usage.output_tokens).toBe(words('The tool said: rainy'));
  });

  it('@google/genai, generateContent and the stream', async () => {
    const r = await genai.models.generateContent({ model: 'claude-sonnet-4-5', contents: 'Bonjour', config: { systemInstruction: 'Sys' } });
    expect(r.text).toBe('Hello from Kiro. You said: Sys\n\nBonjour');
    expect(r.usageMetadata?.candidatesTokenCount).toBe(words(r.text!));
    let text = '';
    for await (const c of await genai.models.generateContentStream({ model: 'claude-sonnet-4-5', contents: 'Again' })) text += c.text ?? '';
    expect(text).toBe('Hello from Kiro. You said: Again');
  });

  it('every request so far used one refresh of the account; none of the bodies was malformed', () => {
    expect(fake.refreshes(accounts.main)).toBe(1);
    expect(fake.rejections).toEqual([]);
  });

  it('20 concurrent requests on a fresh account: exactly one refresh', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => openai.chat.completions.create({ model: 'claude-haiku-4.5', messages: [{ role: 'user', content: `n${i}` }] })),
    );
    expect(answers.every((a) => a.choices[0].message.content!.startsWith('Hello from Kiro.'))).toBe(true);
    expect(fake.refreshes(accounts.burst)).toBe(1);
  });

  it('a token Kiro stopped accepting (403) is renewed and the request served; the key stays healthy', async () => {
    fake.expireAccessTokens();
    const r = await openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'still there?' }] });
    expect(r.choices[0].message.content).toContain('still there?');
    expect(fake.refreshes(accounts.main)).toBe(2);
  });

  it('an in-stream exception: the stream ends with the error; a non-stream call fails over to the client as 429', async () => {
    fake.reply = { exception: { type: 'throttlingException', message: 'Too many requests, please wait' } };
    try {
      const stream = await openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }], stream: true });
      let text = '';
      await expect(
        (async () => {
          for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
        })(),
      ).rejects.toThrow(/Too many requests, please wait/);
      expect(text).toBe('Hello from K');
      await expect(openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
        status: 429,
      });
    } finally {
      fake.reply = {};
    }
  });

  it('a dead refresh token (invalid_grant): the key is marked auth failed, the client gets 503', async () => {
    await expect(anthropic.messages.create({ model: 'claude-opus-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 503,
    });
    const keys = await eventually(
      async () => {
        const r = await admin.get<{ data: { status: string; lastError: string | null }[] }>(`/api/channels/${deadChannel}/keys`);
        return r.body.data[0]?.status === 'auth_failed' ? r.body.data : null;
      },
      10_000,
      'the key marked auth failed',
    );
    expect(keys[0].lastError).toMatch(/invalid_grant/);
    expect(JSON.stringify(keys)).not.toContain(accounts.dead);
  });

  it('the rotated refresh token survives a restart (kept sealed in DATA_DIR): the first refresh after it succeeds', async () => {
    const rotated = fake.currentRefreshToken(accounts.main)!;
    expect(rotated).not.toBe(accounts.main);
    const dataDir = sys!.dataDir;
    await sys!.stop();
    sys = await startStandalone(ENV, dataDir);
    admin = adminClient(sys.url, sys.adminKey);
    clients(String(openai.apiKey));
    const before = fake.refreshes(accounts.main);
    const r = await eventually(
      async () => openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'after restart' }] }).catch(() => null),
      15_000,
      'served after the restart',
    );
    expect(r.choices[0].message.content).toContain('after restart');
    expect(fake.refreshes(accounts.main)).toBe(before + 1);
  });
});
