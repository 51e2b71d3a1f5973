import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '../index';

describe('mock upstream: OpenAI wire, driven by the official openai SDK', () => {
  let mock: MockUpstream;
  let client: OpenAI;

  beforeAll(async () => {
    for (const k of ['OPENAI_BASE_URL', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID']) delete process.env[k];
    mock = await startMockUpstream();
    client = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0 });
  });
  afterEach(() => mock.reset());
  afterAll(() => mock.close());

  const weatherTools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
    {
      type: 'function',
      function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    },
    { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
  ];

  async function rawSse(body: unknown, path = '/v1/chat/completions'): Promise<string> {
    const res = await fetch(`${mock.url}${path}`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    return res.text();
  }

  describe('chat completions', () => {
    it('answers non-stream with the echo text, usage and x-request-id', async () => {
      const { data, response } = await client.chat.completions
        .create({
          model: 'gpt-4o-mini',
          messages: [
            { role: 'system', content: 'You are terse.' },
            { role: 'user', content: 'hello there' },
          ],
        })
        .withResponse();
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('x-request-id')).toMatch(/^req_/);
      expect(data.object).toBe('chat.completion');
      expect(data.model).toBe('gpt-4o-mini');
      expect(data.choices[0].message.content).toBe('Echo: hello there');
      expect(data.choices[0].finish_reason).toBe('stop');
      expect(data.usage).toMatchObject({
        prompt_tokens: 5,
        completion_tokens: 3,
        total_tokens: 8,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      });
      expect(mock.requests).toHaveLength(1);
      expect(mock.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', key: 'sk-test', model: 'gpt-4o-mini' });
    });

    it('streams exactly as OpenAI does: role chunk, usage:null everywhere, choices:[] usage chunk, [DONE]', async () => {
      const text = await rawSse({
        model: 'gpt-4o',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'one two three four' }],
      });
      expect(text).not.toMatch(/^event:/m);
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
      const payloads = text
        .split('\n\n')
        .filter((e) => e.startsWith('data: ') && e !== 'data: [DONE]')
        .map((e) => JSON.parse(e.slice(6)) as OpenAI.Chat.Completions.ChatCompletionChunk);
      expect(payloads[0].choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
      const last = payloads[payloads.length - 1];
      expect(last.choices).toEqual([]);
      expect(last.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 });
      for (const p of payloads.slice(0, -1)) {
        expect(p.usage).toBeNull();
        expect(p.object).toBe('chat.completion.chunk');
      }
      const finish = payloads[payloads.length - 2];
      expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
      const content = payloads.map((p) => p.choices[0]?.delta.content ?? '').join('');
      expect(content).toBe('Echo: one two three four');
      expect(payloads.filter((p) => p.choices[0]?.delta.content).length).toBeGreaterThan(1);
    });

    it('omits the usage key entirely without include_usage', async () => {
      const text = await rawSse({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      expect(text).not.toContain('"usage"');
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    });

    it('is accepted by the stream helper (finalChatCompletion)', async () => {
      const stream = client.chat.completions.stream({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'stream me please' }],
        stream_options: { include_usage: true },
      });
      const final = await stream.finalChatCompletion();
      expect(final.choices[0].message.content).toBe('Echo: stream me please');
      expect(final.choices[0].finish_reason).toBe('stop');
      expect(final.usage?.completion_tokens).toBe(4);
    });

    it('answers parallel tool-call directives with awkwardly fragmented arguments', async () => {
      const tricky = { path: 'C:\\dir\\file "x".txt', n: 1, nested: { ok: true } };
      const prompt = `Do it [call:get_weather {"city":"Paris"}] [call:lookup ${JSON.stringify(tricky)}] [call:get_time]`;
      const raw = await rawSse({
        model: 'gpt-4o',
        stream: true,
        tools: weatherTools,
        messages: [{ role: 'user', content: prompt }],
      });
      const frags = raw
        .split('\n\n')
        .filter((e) => e.startsWith('data: {'))
        .map((e) => JSON.parse(e.slice(6)) as OpenAI.Chat.Completions.ChatCompletionChunk)
        .flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
        .filter((t) => t.index === 1)
        .map((t) => t.function?.arguments ?? '');
      expect(frags[0]).toBe('');
      expect(frags.join('')).toBe(JSON.stringify(tricky));
      expect(frags.some((f) => f.endsWith('\\'))).toBe(true);

      const final = await client.chat.completions
        .stream({ model: 'gpt-4o', tools: weatherTools, messages: [{ role: 'user', content: prompt }] })
        .finalChatCompletion();
      const calls = final.choices[0].message.tool_calls ?? [];
      expect(final.choices[0].finish_reason).toBe('tool_calls');
      expect(final.choices[0].message.content).toBeNull();
      expect(calls.map((c) => (c.type === 'function' ? c.function.name : ''))).toEqual(['get_weather', 'lookup', 'get_time']);
      const args = calls.map((c) => (c.type === 'function' ? JSON.parse(c.function.arguments) : null));
      expect(args).toEqual([{ city: 'Paris' }, tricky, {}]);
      expect(new Set(calls.map((c) => c.id)).size).toBe(3);
      for (const c of calls) expect(c.id).toMatch(/^call_/);

      const nonStream = await client.chat.completions.create({
        model: 'gpt-4o',
        tools: weatherTools,
        messages: [{ role: 'user', content: prompt }],
      });
      const ns = nonStream.choices[0].message.tool_calls ?? [];
      expect(ns.map((c) => (c.type === 'function' ? JSON.parse(c.function.arguments) : null))).toEqual(args);
    });

    it('ignores call directives when no tools are offered', async () => {
      const r = await client.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'x [call:get_time]' }],
      });
      expect(r.choices[0].message.content).toBe('Echo: x');
    });

    it('answers a tool result with text that quotes it', async () => {
      const r = await client.chat.completions.create({
        model: 'gpt-4o',
        tools: weatherTools,
        messages: [
          { role: 'user', content: 'weather? [call:get_weather {"city":"Paris"}]' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
        ],
      });
      expect(r.choices[0].message.content).toBe('The tool get_weather returned {"temp":21}.');
      expect(r.choices[0].finish_reason).toBe('stop');
    });

    it('reports reasoning, cache and length usage from directives and max tokens', async () => {
      const r = await client.chat.completions.create({
        model: 'o3',
        messages: [{ role: 'user', content: '[think] [cache:100/20] alpha beta gamma delta' }],
        max_completion_tokens: 3,
      });
      expect(r.choices[0].finish_reason).toBe('length');
      expect(r.choices[0].message.content).toBe('Echo: alpha beta');
      const msg = r.choices[0].message as unknown as { reasoning_content?: string };
      expect(msg.reasoning_content).toContain('think');
      const u = r.usage!;
      expect(u.prompt_tokens_details?.cached_tokens).toBe(100);
      expect(u.prompt_tokens).toBe(6 + 120);
      expect(u.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
      expect(u.completion_tokens).toBe(3 + (u.completion_tokens_details?.reasoning_tokens ?? 0));
    });

    it('rejects what the real API rejects, with the real bodies', async () => {
      const bad = async (body: Record<string, unknown>): Promise<InstanceType<typeof OpenAI.APIError>> => {
        try {
          await client.chat.completions.create(body as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming);
        } catch (e) {
          expect(e).toBeInstanceOf(OpenAI.BadRequestError);
          return e as InstanceType<typeof OpenAI.APIError>;
        }
        throw new Error('expected a 400');
      };
      const msgs = [{ role: 'user', content: 'hi' }];
      let e = await bad({ model: 'gpt-4o', messages: msgs, tools: [] });
      expect(e.message).toContain("[] is too short - 'tools'");
      expect(e.param).toBe('tools');
      expect(e.requestID).toMatch(/^req_/);
      e = await bad({ model: 'gpt-4o', messages: msgs, tool_choice: 'auto' });
      expect(e.message).toContain("'tool_choice' is only allowed when 'tools' are specified");
      expect(e.type).toBe('invalid_request_error');
      e = await bad({ model: 'gpt-4o', messages: msgs, stream_options: { include_usage: true } });
      expect(e.param).toBe('stream_options');
      e = await bad({ model: 'gpt-4o', messages: [] });
      expect(e.message).toContain("[] is too short - 'messages'");
      e = await bad({ model: 'gpt-4o', messages: [{ role: 'tool', tool_call_id: 'x', content: 'r' }] });
      expect(e.message).toContain("must be a response to a preceeding message with 'tool_calls'");
    });

    it('rejects a bad key when keys are configured', async () => {
      const strict = await startMockUpstream({ keys: ['sk-good'] });
      try {
        const c = new OpenAI({ apiKey: 'sk-wrong-key-1234', baseURL: `${strict.url}/v1`, maxRetries: 0 });
        await expect(c.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
        const ok = new OpenAI({ apiKey: 'sk-good', baseURL: `${strict.url}/v1`, maxRetries: 0 });
        const page = await ok.models.list();
        expect(page.data.map((m) => m.id)).toContain('gpt-4o');
      } finally {
        await strict.close();
      }
    });
  });

  describe('responses', () => {
    it('answers non-stream and stream (finalResponse) with the same text and usage', async () => {
      const r = await client.responses.create({ model: 'gpt-4.1', input: 'say something', instructions: 'Be brief.' });
      expect(r.object).toBe('response');
      expect(r.status).toBe('completed');
      expect(r.output_text).toBe('Echo: say something');
      expect(r.usage).toMatchObject({ input_tokens: 4, output_tokens: 3, total_tokens: 7 });

      const final = await client.responses.stream({ model: 'gpt-4.1', input: 'say something', instructions: 'Be brief.' }).finalResponse();
      expect(final.output_text).toBe('Echo: say something');
      expect(final.usage?.total_tokens).toBe(7);
    });

    it('sends event: lines matching data.type, increasing sequence numbers and no [DONE]', async () => {
      const raw = await rawSse({ model: 'gpt-4.1', stream: true, input: 'hello world' }, '/v1/responses');
      expect(raw).not.toContain('[DONE]');
      const events = raw.trim().split('\n\n');
      const types: string[] = [];
      events.forEach((e, i) => {
        const [ev, data] = e.split('\n');
        const payload = JSON.parse(data.slice(6)) as { type: string; sequence_number: number };
        expect(ev).toBe(`event: ${payload.type}`);
        expect(payload.sequence_number).toBe(i);
        types.push(payload.type);
      });
      expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
      expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    });

    it('streams reasoning summaries and parallel function calls', async () => {
      const stream = client.responses.stream({
        model: 'o4-mini',
        reasoning: { effort: 'low', summary: 'auto' },
        tools: [
          { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} }, strict: false },
          { type: 'function', name: 'get_time', parameters: { type: 'object', properties: {} }, strict: false },
        ],
        input: [{ role: 'user', content: '[call:get_weather {"city":"Paris \\"centre\\""}][call:get_time {"tz":"CET"}]' }],
      });
      const final = await stream.finalResponse();
      const reasoning = final.output.find((o) => o.type === 'reasoning');
      expect(reasoning && reasoning.type === 'reasoning' ? reasoning.summary[0]?.text : '').toContain('think');
      const calls = final.output.filter((o) => o.type === 'function_call');
      expect(calls.map((c) => (c.type === 'function_call' ? [c.name, JSON.parse(c.arguments)] : null))).toEqual([
        ['get_weather', { city: 'Paris "centre"' }],
        ['get_time', { tz: 'CET' }],
      ]);
      expect(final.usage?.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);

      // Follow-up with the outputs: text quoting the result.
      const call = calls[0];
      const follow = await client.responses.create({
        model: 'o4-mini',
        tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} }, strict: false }],
        input: [
          { role: 'user', content: 'weather?' },
          call.type === 'function_call'
            ? { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments }
            : { role: 'user', content: '' },
          { type: 'function_call_output', call_id: call.type === 'function_call' ? call.call_id : '', output: 'sunny' },
        ],
      });
      expect(follow.output_text).toBe('The tool get_weather returned sunny.');
    });

    it('rejects an orphan function_call_output', async () => {
      await expect(
        client.responses.create({
          model: 'gpt-4.1',
          input: [{ type: 'function_call_output', call_id: 'call_nope', output: 'x' }],
        }),
      ).rejects.toMatchObject({ status: 400, message: expect.stringContaining('No tool call found') });
    });
  });

  describe('embeddings and models', () => {
    it('returns base64 little-endian float32 by default (SDK decodes it) equal to the float encoding', async () => {
      const b64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta gamma'], dimensions: 8 });
      const floats = await client.embeddings.create({
        model: 'text-embedding-3-small',
        input: ['alpha', 'beta gamma'],
        dimensions: 8,
        encoding_format: 'float',
      });
      expect((mock.requests[0].body as { encoding_format: string }).encoding_format).toBe('base64');
      expect(b64.data).toHaveLength(2);
      expect(b64.data[1].embedding).toHaveLength(8);
      expect(b64.data.map((d) => Array.from(d.embedding))).toEqual(floats.data.map((d) => d.embedding));
      expect(b64.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
      const norm = Math.sqrt(floats.data[0].embedding.reduce((s, v) => s + v * v, 0));
      expect(norm).toBeCloseTo(1, 5);
      const dflt = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
      expect(dflt.data[0].embedding).toHaveLength(1536);
    });

    it('answers a hostile encoding_format (an object whose toString is no function) with the 400 OpenAI sends', async () => {
      const res = await fetch(`${mock.url}/v1/embeddings`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'text-embedding-3-small', input: 'x', encoding_format: { toString: {}, type: '-1' } }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { param: 'encoding_format', code: 'invalid_value', type: 'invalid_request_error' } });
    });

    it('lists and retrieves models', async () => {
      const page = await client.models.list();
      expect(page.data.length).toBeGreaterThan(3);
      expect(page.data[0]).toMatchObject({ object: 'model', owned_by: 'system' });
      const m = await client.models.retrieve('gpt-4o');
      expect(m.id).toBe('gpt-4o');
    });
  });
});
