import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { startMockUpstream, thinkTagsReasoning, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, logOf, metricValue, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

const PROMPT = '[think-tags] hello there';
const REASONING = thinkTagsReasoning('hello there');
const ANSWER = 'Echo: hello there';

/** What OpenAI-compatible servers add to a chat message or delta for reasoning (not in the SDK's types). */
type WithReasoning = { content?: string | null; reasoning_content?: string };

/**
 * think-split (SPEC §8): a model answering with `<think>…</think>` in its text (the mock's `[think-tags]`, cut into
 * 5-character pieces upstream) reaches each SDK with that reasoning in its protocol's place, streamed or not; a model
 * outside the plugin's scope keeps its text as it is.
 */
describe('think-split plugin (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let openai: OpenAI;
  let anthropic: Anthropic;
  let gemini: GoogleGenAI;

  const chat = (model: string) => openai.chat.completions.create({ model, messages: [{ role: 'user', content: PROMPT }] });
  const pluginCount = (outcome: string) => metricValue(sys.url, `switchboard_plugin_requests_total{plugin="think-split",outcome="${outcome}"}`);

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone({ CHANNEL_CHECK_INTERVAL_MS: '0' });
    admin = adminClient(sys.url, sys.adminKey);
    const ch = await admin.post('/api/channels', { name: 'r1-like', type: 'openai', baseUrl: mock.url, keys: ['sk-r1'], models: ['ts-r1', 'ts-plain'] });
    expect(ch.status).toBe(201);
    const key = String((await admin.post('/api/tokens', { name: 'think-split' })).body.key);
    openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0, timeout: 20_000 });
    anthropic = new Anthropic({ apiKey: key, baseURL: sys.url, maxRetries: 0, timeout: 20_000 });
    gemini = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: sys.url } });
    await eventually(async () => (await openai.models.list()).data.some((m) => m.id === 'ts-r1'), 5_000, 'routable');

    // Off: the tags reach the client as text.
    expect((await chat('ts-r1')).choices[0].message.content).toBe(`<think>\n${REASONING}\n</think>\n\n${ANSWER}`);

    expect((await admin.put('/api/plugins/think-split', { enabled: true, models: ['ts-r1'] })).status).toBe(200);
    // The routing table reaches the gateway through an event.
    await eventually(async () => (await chat('ts-r1')).choices[0].message.content === ANSWER, 10_000, 'think-split active');
  });
  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  it('OpenAI chat: reasoning_content and the answer, whole and streamed, billed as the upstream counted', async () => {
    const applied = await pluginCount('applied');
    const { data, response } = await chat('ts-r1').withResponse();
    const message = data.choices[0].message as (typeof data.choices)[0]['message'] & WithReasoning;
    expect(message).toMatchObject({ content: ANSWER, reasoning_content: REASONING });
    const log = await logOf(admin, response.headers.get('x-request-id')!);
    expect(log).toMatchObject({ status: 200, completionTokens: data.usage!.completion_tokens });

    const stream = await openai.chat.completions.create({
      model: 'ts-r1',
      messages: [{ role: 'user', content: PROMPT }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    let reasoning = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      const delta = (chunk.choices[0]?.delta ?? {}) as WithReasoning;
      content += delta.content ?? '';
      reasoning += delta.reasoning_content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect({ content, reasoning }).toEqual({ content: ANSWER, reasoning: REASONING });
    expect(usage!.completion_tokens).toBe(data.usage!.completion_tokens);
    await eventually(async () => (await pluginCount('applied')) === applied + 2, 5_000, 'two applied');
  });

  it('Anthropic: a thinking block before the text block, whole and streamed', async () => {
    const params = { model: 'ts-r1', max_tokens: 200, messages: [{ role: 'user' as const, content: PROMPT }] };
    const whole = await anthropic.messages.create(params);
    expect(whole.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(whole.content).toMatchObject([{ thinking: REASONING }, { text: ANSWER }]);

    const stream = anthropic.messages.stream(params);
    const thinkingDeltas: string[] = [];
    stream.on('thinking', (delta) => thinkingDeltas.push(delta));
    const final = await stream.finalMessage();
    expect(final.content).toMatchObject([
      { type: 'thinking', thinking: REASONING },
      { type: 'text', text: ANSWER },
    ]);
    expect(thinkingDeltas.join('')).toBe(REASONING);
    expect(final.usage.output_tokens).toBe(whole.usage.output_tokens);
  });

  it('Responses and Gemini: a reasoning item and thought parts', async () => {
    const r = await openai.responses.create({ model: 'ts-r1', input: PROMPT });
    expect(r.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
    expect(r.output[0]).toMatchObject({ summary: [{ text: REASONING }] });
    expect(r.output_text).toBe(ANSWER);

    let thought = '';
    let text = '';
    for await (const chunk of await gemini.models.generateContentStream({ model: 'ts-r1', contents: PROMPT })) {
      for (const p of chunk.candidates?.[0]?.content?.parts ?? []) {
        if (p.thought) thought += p.text ?? '';
        else text += p.text ?? '';
      }
    }
    expect({ thought, text }).toEqual({ thought: REASONING, text: ANSWER });
  });

  it('a model outside the scope keeps the tags; with stream-fake too, an aggregated stream is split as well', async () => {
    expect((await chat('ts-plain')).choices[0].message.content).toBe(`<think>\n${REASONING}\n</think>\n\n${ANSWER}`);

    expect((await admin.put('/api/plugins/stream-fake', { enabled: true, models: ['ts-r1'] })).status).toBe(200);
    mock.reset();
    await eventually(async () => (await chat('ts-r1')) && mock.requests.at(-1)?.stream === true, 10_000, 'stream-fake active');
    const message = (await chat('ts-r1')).choices[0].message as WithReasoning;
    expect(mock.requests.at(-1)).toMatchObject({ model: 'ts-r1', stream: true });
    expect(message).toMatchObject({ content: ANSWER, reasoning_content: REASONING });
    expect((await admin.put('/api/plugins/stream-fake', { enabled: false })).status).toBe(200);
  });
});
