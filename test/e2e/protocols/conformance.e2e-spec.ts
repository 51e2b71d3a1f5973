import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI, type Content } from '@google/genai';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

/**
 * Issue 3 conformance: the official clients (openai, @anthropic-ai/sdk, @google/genai) × upstream types
 * (openai, anthropic, gemini) through the gateway: text, stream (with the SDK helpers), a tool round trip, usage in
 * the client's own format, finish reasons; Responses to each upstream; embeddings; models; error classes.
 */
const UPSTREAMS = [
  { type: 'openai', model: 'oa-chat' },
  { type: 'anthropic', model: 'an-chat' },
  { type: 'gemini', model: 'ge-chat' },
] as const;

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const CALL = 'What is the weather? [call:get_weather {"city":"Paris"}]';

let mock: MockUpstream;
let sys: System;
let key: string;
let openai: OpenAI;
let anthropic: Anthropic;
let genai: GoogleGenAI;

beforeAll(async () => {
  mock = await startMockUpstream();
  sys = await startStandalone();
  const admin = adminClient(sys.url, sys.adminKey);
  for (const u of UPSTREAMS) {
    const r = await admin.post('/api/channels', { name: `conf-${u.type}`, type: u.type, baseUrl: mock.url, keys: [`key-${u.type}`], models: [u.model] });
    expect(r.status).toBe(201);
  }
  await admin.post('/api/channels', { name: 'conf-oa-embed', type: 'openai', baseUrl: mock.url, keys: ['key-oe'], models: ['oa-embed'] });
  await admin.post('/api/channels', { name: 'conf-ge-embed', type: 'gemini', baseUrl: mock.url, keys: ['key-ge'], models: ['ge-embed'] });
  const tok = await admin.post('/api/tokens', { name: 'conformance' });
  key = String(tok.body.key);
  openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: key, baseURL: sys.url, maxRetries: 0 });
  genai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: sys.url, apiVersion: 'v1beta' } });
});

afterAll(async () => {
  await sys?.stop();
  await mock?.close();
});

const lastUpstream = () => mock.requests[mock.requests.length - 1];

describe.each(UPSTREAMS)('openai client → $type upstream', ({ type, model }) => {
  it('text, usage and finish reason', async () => {
    const r = await openai.chat.completions.create({
      model,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello there' },
      ],
    });
    expect(r.choices[0].message.content).toContain('hello there');
    expect(r.choices[0].finish_reason).toBe('stop');
    expect(r.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(r.usage!.completion_tokens).toBeGreaterThan(0);
    expect(r.usage!.total_tokens).toBe(r.usage!.prompt_tokens + r.usage!.completion_tokens);
    expect(lastUpstream().vendor).toBe(type);
  });

  it('stream accepted by finalChatCompletion, with a usage chunk', async () => {
    const s = openai.chat.completions.stream({ model, messages: [{ role: 'user', content: 'stream me [chunks:5]' }], stream_options: { include_usage: true } });
    let deltas = 0;
    s.on('content', () => deltas++);
    const final = await s.finalChatCompletion();
    expect(deltas).toBeGreaterThan(1);
    expect(final.choices[0].message.content).toContain('stream me');
    expect(final.choices[0].finish_reason).toBe('stop');
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('tool round trip: call → result → answer', async () => {
    const tools = [{ type: 'function' as const, function: WEATHER_TOOL }];
    const first = await openai.chat.completions.create({ model, tools, messages: [{ role: 'user', content: CALL }] });
    const call = first.choices[0].message.tool_calls?.[0];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
    const streamed = await openai.chat.completions.stream({ model, tools, messages: [{ role: 'user', content: CALL }] }).finalChatCompletion();
    const sc = streamed.choices[0].message.tool_calls?.[0];
    expect(sc?.type === 'function' && JSON.parse(sc.function.arguments)).toEqual({ city: 'Paris' });
    const second = await openai.chat.completions.create({
      model,
      tools,
      messages: [{ role: 'user', content: CALL }, first.choices[0].message, { role: 'tool', tool_call_id: call!.id, content: '{"temp":21}' }],
    });
    expect(second.choices[0].message.content).toMatch(/get_weather returned/);
    expect(second.choices[0].finish_reason).toBe('stop');
  });

  it('Responses API, plain and streamed (finalResponse)', async () => {
    const r = await openai.responses.create({ model, input: 'respond please' });
    expect(r.output_text).toContain('respond please');
    expect(r.usage?.input_tokens).toBeGreaterThan(0);
    const final = await openai.responses.stream({ model, input: 'stream response [chunks:4]' }).finalResponse();
    expect(final.output_text).toContain('stream response');
    expect(final.status).toBe('completed');
  });
});

describe.each(UPSTREAMS)('anthropic client → $type upstream', ({ type, model }) => {
  it('text, usage and stop reason', async () => {
    const m = await anthropic.messages.create({ model, max_tokens: 200, system: 'Be brief.', messages: [{ role: 'user', content: 'hi anthropic' }] });
    const text = m.content.find((b) => b.type === 'text');
    expect(text?.type === 'text' && text.text).toContain('hi anthropic');
    expect(m.stop_reason).toBe('end_turn');
    expect(m.usage.input_tokens).toBeGreaterThan(0);
    expect(m.usage.output_tokens).toBeGreaterThan(0);
    expect(lastUpstream().vendor).toBe(type);
  });

  it('stream accepted by finalMessage', async () => {
    const s = anthropic.messages.stream({ model, max_tokens: 200, messages: [{ role: 'user', content: 'anthropic stream [chunks:5]' }] });
    let deltas = 0;
    s.on('text', () => deltas++);
    const final = await s.finalMessage();
    expect(deltas).toBeGreaterThan(1);
    const text = final.content.find((b) => b.type === 'text');
    expect(text?.type === 'text' && text.text).toContain('anthropic stream');
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it('tool round trip: tool_use → tool_result → answer', async () => {
    const tools = [{ name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, input_schema: WEATHER_TOOL.parameters as Anthropic.Tool['input_schema'] }];
    const first = await anthropic.messages.create({ model, max_tokens: 200, tools, messages: [{ role: 'user', content: CALL }] });
    const use = first.content.find((b) => b.type === 'tool_use');
    expect(first.stop_reason).toBe('tool_use');
    expect(use?.type === 'tool_use' && use.name).toBe('get_weather');
    expect(use?.type === 'tool_use' && use.input).toEqual({ city: 'Paris' });
    const streamed = await anthropic.messages.stream({ model, max_tokens: 200, tools, messages: [{ role: 'user', content: CALL }] }).finalMessage();
    const su = streamed.content.find((b) => b.type === 'tool_use');
    expect(su?.type === 'tool_use' && su.input).toEqual({ city: 'Paris' });
    const second = await anthropic.messages.create({
      model,
      max_tokens: 200,
      tools,
      messages: [
        { role: 'user', content: CALL },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use!.type === 'tool_use' ? use!.id : '', content: '{"temp":21}' }] },
      ],
    });
    const text = second.content.find((b) => b.type === 'text');
    expect(text?.type === 'text' && text.text).toMatch(/get_weather returned/);
  });
});

describe.each(UPSTREAMS)('gemini client → $type upstream', ({ type, model }) => {
  it('text, usage and finish reason', async () => {
    const r = await genai.models.generateContent({ model, contents: 'hi gemini', config: { systemInstruction: 'Be brief.' } });
    expect(r.text).toContain('hi gemini');
    expect(r.candidates?.[0]?.finishReason).toBe('STOP');
    expect(r.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    expect(r.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
    expect(lastUpstream().vendor).toBe(type);
  });

  it('generateContentStream', async () => {
    let text = '';
    let chunks = 0;
    let finish: string | undefined;
    for await (const c of await genai.models.generateContentStream({ model, contents: 'gemini stream [chunks:5]' })) {
      chunks++;
      text += c.text ?? '';
      finish = c.candidates?.[0]?.finishReason ?? finish;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(text).toContain('gemini stream');
    expect(finish).toBe('STOP');
  });

  it('tool round trip: functionCall → functionResponse → answer', async () => {
    const config = {
      tools: [{ functionDeclarations: [{ name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, parametersJsonSchema: WEATHER_TOOL.parameters }] }],
    };
    const first = await genai.models.generateContent({ model, contents: CALL, config });
    const fc = first.functionCalls?.[0];
    expect(fc?.name).toBe('get_weather');
    expect(fc?.args).toEqual({ city: 'Paris' });
    const modelTurn = first.candidates![0].content!;
    const history: Content[] = [
      { role: 'user', parts: [{ text: CALL }] },
      modelTurn,
      { role: 'user', parts: [{ functionResponse: { id: fc!.id, name: 'get_weather', response: { temp: 21 } } }] },
    ];
    const second = await genai.models.generateContent({ model, contents: history, config });
    expect(second.text).toMatch(/get_weather returned/);
  });
});

describe('embeddings, models and errors', () => {
  it('embeddings float and base64 from an openai upstream and a gemini upstream', async () => {
    for (const model of ['oa-embed', 'ge-embed']) {
      const b64 = await openai.embeddings.create({ model, input: ['one', 'two'] });
      expect(b64.data).toHaveLength(2);
      expect(b64.data[0].embedding.length).toBeGreaterThan(0);
      const float = await openai.embeddings.create({ model, input: 'one', encoding_format: 'float' });
      expect(float.data[0].embedding).toEqual(b64.data[0].embedding.map((x) => Math.fround(x)));
    }
    const g = await genai.models.embedContent({ model: 'oa-embed', contents: ['three'] });
    expect(g.embeddings?.[0]?.values?.length).toBeGreaterThan(0);
  });

  it('GET /v1/models in each client shape, filtered by the key allow-list', async () => {
    const admin = adminClient(sys.url, sys.adminKey);
    const limited = await admin.post('/api/tokens', { name: 'limited', models: ['oa-chat'] });
    const ids = (await openai.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['oa-chat', 'an-chat', 'ge-chat']));
    const only = new OpenAI({ apiKey: String(limited.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
    expect((await only.models.list()).data.map((m) => m.id)).toEqual(['oa-chat']);
    const an = await anthropic.models.list();
    expect(an.data.map((m) => m.id)).toEqual(expect.arrayContaining(['an-chat']));
    const gm = await genai.models.list();
    const names: string[] = [];
    for await (const m of gm) names.push(m.name ?? '');
    expect(names).toEqual(expect.arrayContaining(['models/ge-chat']));
    await expect(only.chat.completions.create({ model: 'an-chat', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.PermissionDeniedError,
    );
  });

  it('errors reach each SDK as its own error class', async () => {
    await expect(openai.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(anthropic.messages.create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      Anthropic.NotFoundError,
    );
    await expect(genai.models.generateContent({ model: 'nope', contents: 'x' })).rejects.toMatchObject({ status: 404 });
    const bad = new Anthropic({ apiKey: 'sk-bad', baseURL: sys.url, maxRetries: 0 });
    await expect(bad.messages.create({ model: 'an-chat', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      Anthropic.AuthenticationError,
    );
    // An upstream error after conversion keeps its class: the Anthropic upstream's 400 reaches the OpenAI client as a 400.
    mock.setFault({ match: { key: 'key-anthropic' }, status: 400, times: 1 });
    await expect(openai.chat.completions.create({ model: 'an-chat', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
    mock.clearFaults();
  });

  it('same protocol in and out: the request bytes reach the upstream untouched, and the response bytes the client', async () => {
    // Odd spacing, key order and escapes survive only if nothing re-serialised the body.
    const raw = '{ "messages":[{"content":"bytes \\u00e9 as sent",  "role":"user"}],\n  "model":"oa-chat" ,"temperature":0.50}';
    mock.reset();
    const res = await fetch(`${sys.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: raw,
    });
    expect(res.status).toBe(200);
    expect(mock.requests[0].rawBody).toBe(raw);
    const text = await res.text();
    expect(text).toContain('"object":"chat.completion"');
    // And a converted request is rebuilt (the Anthropic upstream gets its own shape).
    mock.reset();
    await fetch(`${sys.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: raw.replace('oa-chat', 'an-chat'),
    });
    expect(mock.requests[0].rawBody).not.toBe(raw.replace('oa-chat', 'an-chat'));
    expect(mock.requests[0].body).toMatchObject({ model: 'an-chat', max_tokens: expect.any(Number) });
  });

  it('count tokens endpoints answer at the edge', async () => {
    const n = await anthropic.messages.countTokens({ model: 'an-chat', messages: [{ role: 'user', content: 'count these words please' }] });
    expect(n.input_tokens).toBeGreaterThan(3);
    const g = await genai.models.countTokens({ model: 'ge-chat', contents: 'count these words please' });
    expect(g.totalTokens).toBeGreaterThan(3);
  });
});

describe('the aihubmix channel (seed integration rules)', () => {
  it('routes each model family to its protocol and path with APP-Code, and applies the seed fixes', async () => {
    const admin = adminClient(sys.url, sys.adminKey);
    const r = await admin.post('/api/channels', {
      name: 'aihubmix',
      type: 'aihubmix',
      baseUrl: mock.url,
      keys: ['key-ahm'],
      headers: { 'APP-Code': 'APP123' },
      models: ['claude-sonnet-4-5', 'gemini-2.5-flash', 'gemini-2.5-flash-nothink', 'gpt-4o-mini', 'deepseek-chat'],
    });
    expect(r.status).toBe(201);
    // A channel change reaches the gateway through an event (SPEC: within 1 s): wait until it routes the new channel.
    await eventually(
      async () => {
        try {
          await openai.chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'warm-up' }] });
          return true;
        } catch (e) {
          return (e as { status?: number }).status !== 404;
        }
      },
      3_000,
      'the aihubmix channel routable',
    );
    const expectations: [string, string, string][] = [
      ['claude-sonnet-4-5', 'anthropic', '/v1/messages'],
      ['gemini-2.5-flash', 'gemini', '/gemini/v1beta/models/gemini-2.5-flash:generateContent'],
      ['gemini-2.5-flash-nothink', 'openai', '/v1/chat/completions'],
      ['gpt-4o-mini', 'openai', '/v1/responses'],
      ['deepseek-chat', 'openai', '/v1/chat/completions'],
    ];
    for (const [model, vendor, path] of expectations) {
      mock.reset();
      const res = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: `hello ${model}` }] });
      expect(res.choices[0].message.content).toContain(`hello ${model}`);
      const seen = mock.requests[0];
      expect([model, seen.vendor, seen.path.split('?')[0]]).toEqual([model, vendor, path]);
      expect(seen.headers['app-code']).toBe('APP123');
    }
    // `tools: []` with tool_choice: the tool_choice is dropped (OpenAI would reject it).
    mock.reset();
    await openai.chat.completions.create({
      model: 'deepseek-chat',
      tools: [],
      tool_choice: 'auto',
      messages: [{ role: 'user', content: 'no tools' }],
    } as never);
    expect(mock.requests[0].body).not.toHaveProperty('tool_choice');
    // A <cache> marker becomes cache_control on that block for the Anthropic sub-protocol.
    mock.reset();
    await openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'long context <cache>' }] });
    const sent = JSON.stringify(mock.requests[0].body);
    expect(sent).not.toContain('<cache>');
    expect(sent).toContain('"cache_control":{"type":"ephemeral"}');
  });
});

describe('an aihubmix channel from the environment (AIHUBMIX_API_KEY)', () => {
  let env: System | undefined;
  afterAll(async () => env?.stop());

  it('is created at start, serves every model with the APP-Code header, and lists priced models for its wildcard', async () => {
    env = await startStandalone({ AIHUBMIX_API_KEY: 'ahm-env-key', AIHUBMIX_BASE_URL: mock.url, AIHUBMIX_APP_CODE: 'ENV42' });
    const admin = adminClient(env.url, env.adminKey);
    const list = await admin.get<{ data: { name: string; type: string; headers: Record<string, string>; models: string[]; keys: string[] }[] }>(
      '/api/channels',
    );
    const ch = list.body.data.find((c) => c.name === 'aihubmix');
    // header values are secrets: masked on read (the upstream still gets the real one, below)
    expect(ch).toMatchObject({ type: 'aihubmix', headers: { 'APP-Code': '****' }, models: ['*'] });
    expect(ch!.keys[0]).not.toContain('ahm-env-key');
    const tok = await admin.post('/api/tokens', { name: 'env' });
    const client = new Anthropic({ apiKey: String(tok.body.key), baseURL: env.url, maxRetries: 0 });
    mock.reset();
    await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'via env channel' }] });
    expect(mock.requests[0]).toMatchObject({ vendor: 'anthropic', key: 'ahm-env-key' });
    expect(mock.requests[0].headers['app-code']).toBe('ENV42');
    const oa = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${env.url}/v1`, maxRetries: 0 });
    const ids = (await oa.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o-mini', 'claude-sonnet-4-5', 'gemini-2.5-flash']));
  });
});
