import Anthropic from '@anthropic-ai/sdk';
import { startMockUpstream, type MockUpstream } from '../index';

describe('mock upstream: Anthropic wire, driven by the official @anthropic-ai/sdk', () => {
  let mock: MockUpstream;
  let client: Anthropic;

  beforeAll(async () => {
    for (const k of ['ANTHROPIC_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN']) delete process.env[k];
    mock = await startMockUpstream();
    client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: mock.url, maxRetries: 0 });
  });
  afterEach(() => mock.reset());
  afterAll(() => mock.close());

  const tools: Anthropic.Messages.Tool[] = [
    { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
    { name: 'get_time', input_schema: { type: 'object', properties: {} } },
  ];

  async function rawEvents(body: unknown): Promise<{ event: string; data: Record<string, unknown> }[]> {
    const res = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const text = await res.text();
    expect(text).not.toContain('[DONE]');
    return text
      .trim()
      .split('\n\n')
      .map((e) => {
        const [ev, data] = e.split('\n');
        expect(ev.startsWith('event: ')).toBe(true);
        return { event: ev.slice(7), data: JSON.parse(data.slice(6)) as Record<string, unknown> };
      });
  }

  it('answers non-stream with text, stop_reason and usage', async () => {
    const { data, response } = await client.messages
      .create({ model: 'claude-sonnet-5-5', max_tokens: 256, system: 'Be kind.', messages: [{ role: 'user', content: 'hello claude' }] })
      .withResponse();
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(data.type).toBe('message');
    expect(data.content).toEqual([{ type: 'text', text: 'Echo: hello claude' }]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage).toMatchObject({
      input_tokens: 4,
      output_tokens: 3,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
      service_tier: 'standard',
    });
    expect(mock.requests[0].headers['anthropic-version']).toBeDefined();
  });

  it('streams in the exact event order with a ping and usage in message_start and message_delta', async () => {
    const events = await rawEvents({
      model: 'claude-sonnet-5-5',
      max_tokens: 100,
      stream: true,
      messages: [{ role: 'user', content: 'a b c d e f' }],
    });
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('message_start');
    expect(names[1]).toBe('content_block_start');
    expect(names[2]).toBe('ping');
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    for (const e of events) expect(e.data.type).toBe(e.event);
    const start = events[0].data.message as { usage: Record<string, number>; content: unknown[] };
    expect(start.content).toEqual([]);
    expect(start.usage).toMatchObject({ input_tokens: 6, output_tokens: 1 });
    const delta = events[events.length - 2].data as { usage: Record<string, number>; delta: Record<string, unknown> };
    expect(delta.delta).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
    expect(delta.usage).toMatchObject({ input_tokens: 6, output_tokens: 7, cache_read_input_tokens: 0 });
    const text = events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (e.data.delta as { text: string }).text)
      .join('');
    expect(text).toBe('Echo: a b c d e f');
  });

  it('is accepted by messages.stream().finalMessage()', async () => {
    const msg = await client.messages
      .stream({ model: 'claude-sonnet-5-5', max_tokens: 64, messages: [{ role: 'user', content: 'streaming works' }] })
      .finalMessage();
    expect(msg.content).toEqual([{ type: 'text', text: 'Echo: streaming works' }]);
    expect(msg.usage.output_tokens).toBe(3);
    expect(msg.stop_reason).toBe('end_turn');
  });

  it('streams thinking ending with one signature_delta, and verifies the signature on replay', async () => {
    const params = {
      model: 'claude-sonnet-5-5',
      max_tokens: 2048,
      thinking: { type: 'enabled' as const, budget_tokens: 1024 },
      messages: [{ role: 'user' as const, content: 'why is the sky blue' }],
    };
    const events = await rawEvents({ ...params, stream: true });
    const thinkingDeltas = events.filter((e) => e.event === 'content_block_delta' && e.data.index === 0);
    const sigs = thinkingDeltas.filter((e) => (e.data.delta as { type: string }).type === 'signature_delta');
    expect(sigs).toHaveLength(1);
    expect(thinkingDeltas[thinkingDeltas.length - 1]).toBe(sigs[0]);
    const md = events.find((e) => e.event === 'message_delta')!.data as { usage: { output_tokens_details: { thinking_tokens: number } } };
    expect(md.usage.output_tokens_details.thinking_tokens).toBeGreaterThan(0);

    const msg = await client.messages.stream(params).finalMessage();
    expect(msg.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    const thinking = msg.content[0];
    if (thinking.type !== 'thinking') throw new Error('expected thinking');
    expect(thinking.signature.length).toBeGreaterThan(10);
    expect(msg.content[1]).toMatchObject({ type: 'text', text: 'Echo: why is the sky blue' });

    const replay = (signature: string) =>
      client.messages.create({
        ...params,
        messages: [
          params.messages[0],
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: thinking.thinking, signature },
              { type: 'text', text: 'ok' },
            ],
          },
          { role: 'user', content: 'more' },
        ],
      });
    await expect(replay(thinking.signature)).resolves.toMatchObject({ stop_reason: 'end_turn' });
    await expect(replay('forged')).rejects.toMatchObject({ status: 400, message: expect.stringContaining('Invalid `signature`') });
  });

  it('streams parallel tool_use blocks (no-arg tool: one empty partial_json) and parses inputs', async () => {
    const content = 'go [call:get_weather {"city":"Paris"}] [call:get_time]';
    const events = await rawEvents({ model: 'claude-sonnet-5-5', max_tokens: 100, stream: true, tools, messages: [{ role: 'user', content }] });
    const starts = events.filter((e) => e.event === 'content_block_start').map((e) => e.data);
    expect(starts.map((s) => s.index)).toEqual([0, 1]);
    const noArg = events.filter((e) => e.event === 'content_block_delta' && e.data.index === 1);
    expect(noArg.map((e) => e.data.delta)).toEqual([{ type: 'input_json_delta', partial_json: '' }]);
    expect((events.find((e) => e.event === 'message_delta')!.data.delta as { stop_reason: string }).stop_reason).toBe('tool_use');

    const msg = await client.messages.stream({ model: 'claude-sonnet-5-5', max_tokens: 100, tools, messages: [{ role: 'user', content }] }).finalMessage();
    const uses = msg.content.filter((b): b is Anthropic.Messages.ToolUseBlock => b.type === 'tool_use');
    expect(uses.map((u) => [u.name, u.input])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_time', {}],
    ]);
    for (const u of uses) expect(u.id).toMatch(/^toolu_01/);

    const follow = await client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content },
        { role: 'assistant', content: msg.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: uses[0].id, content: '21C' },
            { type: 'tool_result', tool_use_id: uses[1].id, content: [{ type: 'text', text: '10:00' }] },
          ],
        },
      ],
    });
    expect(follow.content).toEqual([{ type: 'text', text: 'The tool get_weather returned 21C. The tool get_time returned 10:00.' }]);
  });

  it('enforces tool_use/tool_result adjacency and max_tokens like the real API', async () => {
    await expect(
      client.messages.create({
        model: 'claude-sonnet-5-5',
        messages: [{ role: 'user', content: 'x' }],
      } as unknown as Anthropic.Messages.MessageCreateParamsNonStreaming),
    ).rejects.toMatchObject({ status: 400, type: 'invalid_request_error', message: expect.stringContaining('max_tokens: Field required') });

    const err = await client.messages
      .create({
        model: 'claude-sonnet-5-5',
        max_tokens: 10,
        tools,
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_time', input: {} }] },
          { role: 'user', content: 'no result here' },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.APIError>).message).toContain(
      '`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1',
    );
    expect((err as InstanceType<typeof Anthropic.APIError>).headers?.get('x-should-retry')).toBe('false');

    await expect(
      client.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining('text content blocks must be non-empty') });
  });

  it('reports cache reads and writes from the [cache] directive', async () => {
    const r = await client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 50,
      messages: [{ role: 'user', content: '[cache:2048/512] cached prompt' }],
    });
    expect(r.usage).toMatchObject({
      input_tokens: 3, // directives are part of the prompt text and are counted
      cache_read_input_tokens: 2048,
      cache_creation_input_tokens: 512,
      cache_creation: { ephemeral_5m_input_tokens: 512, ephemeral_1h_input_tokens: 0 },
    });
  });

  it('counts tokens, lists models, accepts ?beta=true and Bearer auth', async () => {
    const count = await client.messages.countTokens({
      model: 'claude-sonnet-5-5',
      system: 'one two',
      messages: [{ role: 'user', content: 'three four five' }],
    });
    expect(count.input_tokens).toBe(5);

    const page = await client.models.list({ limit: 2 });
    expect(page.data).toHaveLength(2);
    expect(page.data[0]).toMatchObject({ type: 'model' });
    const all: string[] = [];
    for await (const m of client.models.list({ limit: 2 })) all.push(m.id);
    expect(all.length).toBeGreaterThanOrEqual(4);

    const beta = await client.beta.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 20,
      betas: ['interleaved-thinking-2025-05-14'],
      messages: [{ role: 'user', content: 'beta' }],
    });
    expect(beta.content[0]).toMatchObject({ type: 'text', text: 'Echo: beta' });
    expect(mock.requests[mock.requests.length - 1].headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    // Older SDKs call the beta resource as /v1/messages?beta=true.
    const res = await fetch(`${mock.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-5-5', max_tokens: 20, messages: [{ role: 'user', content: 'q' }] }),
    });
    expect(await res.json()).toMatchObject({ content: [{ type: 'text', text: 'Echo: q' }] });

    const bearer = new Anthropic({ authToken: 'tok-1', apiKey: null, baseURL: mock.url, maxRetries: 0 });
    const r = await bearer.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
    expect(r.content[0]).toMatchObject({ text: 'Echo: hi' });
    expect(mock.requests[mock.requests.length - 1].key).toBe('tok-1');
  });

  it('rejects a missing key with authentication_error', async () => {
    const res = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' }, request_id: expect.stringMatching(/^req_/) });
  });
});
