import { startMockUpstream, type MockUpstream } from '../index';

/** The mock's Cohere Chat v2: the answer, the SSE framing Cohere's SDK reads, its validation and error bodies. */
describe('mock upstream: Cohere Chat v2 (/v2/chat)', () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startMockUpstream();
  });
  afterAll(() => mock.close());

  const post = (body: unknown, key: string | null = 'co-key') =>
    fetch(`${mock.url}/v2/chat`, {
      method: 'POST',
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const TOOLS = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

  it('answers with content, or a tool plan and calls, and usage in billed units and tokens', async () => {
    const text = (await (await post({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Hi there' }] })).json()) as Record<string, any>;
    expect(text).toEqual({
      id: expect.any(String) as string,
      message: { role: 'assistant', content: [{ type: 'text', text: 'Echo: Hi there' }] },
      finish_reason: 'COMPLETE',
      usage: { billed_units: { input_tokens: 2, output_tokens: 3 }, tokens: { input_tokens: 66, output_tokens: 3 } },
    });
    const tools = (await (
      await post({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'x [call:get_weather {"city":"Oslo"}]' }], tools: TOOLS })
    ).json()) as Record<string, any>;
    expect(tools.finish_reason).toBe('TOOL_CALL');
    expect(tools.message.tool_plan).toBe('I will use get_weather.');
    expect(tools.message.tool_calls).toEqual([
      { id: expect.stringMatching(/^get_weather_/) as string, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
    ]);
  });

  it('streams named events whose name is their type, ending in message-end and [DONE]', async () => {
    const res = await post({ model: 'command-a-03-2025', stream: true, messages: [{ role: 'user', content: 'one two three four' }] });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const raw = await res.text();
    const frames = raw.split('\n\n').filter(Boolean);
    expect(frames[frames.length - 1]).toBe('data: [DONE]');
    const events = frames.slice(0, -1).map((f) => {
      const [ev, data] = f.split('\n');
      const json = JSON.parse(data.slice('data: '.length)) as Record<string, any>;
      expect(ev).toBe(`event: ${json.type}`);
      return json;
    });
    expect(events.map((e) => e.type)).toEqual([
      'message-start',
      'content-start',
      ...Array(events.length - 4).fill('content-delta'),
      'content-end',
      'message-end',
    ]);
    expect(
      events
        .filter((e) => e.type === 'content-delta')
        .map((e) => e.delta.message.content.text)
        .join(''),
    ).toBe('Echo: one two three four');
    expect(events[events.length - 1].delta).toEqual({
      finish_reason: 'COMPLETE',
      usage: { billed_units: { input_tokens: 4, output_tokens: 5 }, tokens: { input_tokens: 68, output_tokens: 5 } },
    });
  });

  it('refuses as Cohere does: no key, p out of range, a tool message without its call, [error:NNN]', async () => {
    const noKey = await post({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, null);
    expect([noKey.status, ((await noKey.json()) as Record<string, unknown>).message]).toEqual([401, 'no api key supplied']);
    const p = await post({ model: 'm', p: 1, messages: [{ role: 'user', content: 'x' }] });
    expect([p.status, ((await p.json()) as Record<string, unknown>).message]).toEqual([400, 'invalid request: p must be between 0.01 and 0.99, received 1']);
    const orphan = await post({ model: 'm', messages: [{ role: 'tool', tool_call_id: 'c1', content: 'r' }] });
    expect(orphan.status).toBe(400);
    const limited = await post({ model: 'm', messages: [{ role: 'user', content: 'x [error:429]' }] });
    const body = (await limited.json()) as Record<string, unknown>;
    expect([limited.status, Object.keys(body).sort()]).toEqual([429, ['id', 'message']]);
  });
});
