import OpenAI from 'openai';
import { convertRequest } from '../conversion/convert-request';
import { convertResponse } from '../conversion/convert-response';
import { createStreamTranslator } from '../conversion/stream-translator';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { fixtureJson, fixtureText } from '../testing/fixtures.loader';

type Obj = Record<string, any>; // test-only deep access

const ctx = (over: Partial<ConvertContext> = {}): ConvertContext => ({
  upstreamModel: 'up-model',
  requestedModel: 'client-model',
  stream: false,
  requestId: 'req-cmpl-1',
  createdAt: 1700000000,
  ...over,
});

describe('completions client → chat upstreams (request)', () => {
  const body = fixtureJson('openai-completions/request.json');

  it('→ openai-chat: the prompt is one user turn, every sampling field carried', () => {
    const out = convertRequest('openai-completions', 'openai-chat', body, ctx({ upstreamModel: 'gpt-4o-mini', stream: true })) as Obj;
    expect(out).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say this is a test' }],
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 7,
      temperature: 0,
      top_p: 1,
      stop: ['\n'],
      seed: 42,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      user: 'user-1234',
    });
  });

  it('→ anthropic: max_tokens, stop sequences (whitespace-only ones dropped: Anthropic refuses them), the prompt as the user message', () => {
    const out = convertRequest(
      'openai-completions',
      'anthropic',
      { ...body, stop: ['END', '\n'] },
      ctx({ upstreamModel: 'claude-sonnet-4-5', stream: true }),
    ) as Obj;
    expect(out.model).toBe('claude-sonnet-4-5');
    expect(out.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Say this is a test' }] }]);
    expect(out.max_tokens).toBe(7);
    expect(out.stop_sequences).toEqual(['END']);
    expect(out.stream).toBe(true);
  });

  it('→ gemini: generationConfig carries the budget and sampling', () => {
    const out = convertRequest('openai-completions', 'gemini', body, ctx({ upstreamModel: 'gemini-2.5-flash' })) as Obj;
    expect(out.contents).toEqual([{ role: 'user', parts: [{ text: 'Say this is a test' }] }]);
    expect(out.generationConfig).toEqual(expect.objectContaining({ maxOutputTokens: 7, temperature: 0, topP: 1, stopSequences: ['\n'], seed: 42 }));
  });

  it("without max_tokens, OpenAI's Completions default of 16 is what the chat upstream gets", () => {
    const out = convertRequest('openai-completions', 'anthropic', { model: 'm', prompt: 'Once upon' }, ctx()) as Obj;
    expect(out.max_tokens).toBe(16);
  });

  it('an array of one prompt is that prompt', () => {
    const out = convertRequest('openai-completions', 'openai-chat', { model: 'm', prompt: ['only one'] }, ctx()) as Obj;
    expect(out.messages).toEqual([{ role: 'user', content: 'only one' }]);
  });

  it.each([
    ['several prompts', { prompt: ['a', 'b'] }, 'prompt', /2 prompts/],
    ['token ids', { prompt: [1, 2, 3] }, 'prompt', /token ids/],
    ['token id arrays', { prompt: [[1, 2]] }, 'prompt', /token ids/],
    ['a missing prompt', {}, 'prompt', /Missing required parameter: 'prompt'/],
    ['a prompt of the wrong type', { prompt: { text: 'x' } }, 'prompt', /expected a string/],
    ['suffix', { prompt: 'a', suffix: 'b' }, 'suffix', /insertion/],
    ['logprobs', { prompt: 'a', logprobs: 2 }, 'logprobs', /log probabilities/],
    ['n > 1', { prompt: 'a', n: 2 }, 'n', /2 choices/],
    ['best_of > 1', { prompt: 'a', best_of: 3 }, 'best_of', /candidates/],
    ['logit_bias', { prompt: 'a', logit_bias: { '50256': -100 } }, 'logit_bias', /biases/],
  ])('%s cannot be honoured by a chat upstream: 400 naming the field', (_what, extra, param, message) => {
    let caught: unknown;
    try {
      convertRequest('openai-completions', 'anthropic', { model: 'm', ...extra }, ctx());
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ status: 400, param, message: expect.stringMatching(message) });
  });

  it('harmless defaults are dropped: best_of 1, n 1, logprobs null, empty suffix and logit_bias', () => {
    const out = convertRequest(
      'openai-completions',
      'openai-chat',
      { model: 'm', prompt: 'p', best_of: 1, n: 1, logprobs: null, suffix: '', logit_bias: {}, echo: false },
      ctx(),
    ) as Obj;
    expect(Object.keys(out).sort()).toEqual(['max_tokens', 'messages', 'model']);
  });

  it('→ openai-completions (identity): every field passes, suffix/logprobs/best_of included', () => {
    const b = { ...body, suffix: 'END', logprobs: 3, best_of: 2, echo: true };
    expect(convertRequest('openai-completions', 'openai-completions', b, ctx({ upstreamModel: 'gpt-3.5-turbo-instruct-0914', stream: true }))).toEqual({
      ...b,
      model: 'gpt-3.5-turbo-instruct-0914',
    });
    const plain = convertRequest('openai-completions', 'openai-completions', b, ctx({ stream: false }));
    expect(plain['stream']).toBeUndefined();
    expect(plain['stream_options']).toBeUndefined();
  });
});

describe('chat clients → a Completions upstream (request)', () => {
  it('one user text turn is the prompt as it is', () => {
    const out = convertRequest(
      'openai-chat',
      'openai-completions',
      { model: 'm', max_tokens: 9, messages: [{ role: 'user', content: 'Complete: 1, 2,' }] },
      ctx(),
    );
    expect(out).toEqual({ model: 'up-model', prompt: 'Complete: 1, 2,', max_tokens: 9 });
  });

  it('a conversation becomes a transcript ending with the assistant cue; stream asks for usage', () => {
    const out = convertRequest(
      'anthropic',
      'openai-completions',
      {
        model: 'm',
        max_tokens: 20,
        system: 'Be brief.',
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello.' },
          { role: 'user', content: 'Bye' },
        ],
      },
      ctx({ stream: true }),
    );
    expect(out).toEqual({
      model: 'up-model',
      prompt: 'Be brief.\n\nUser: Hi\n\nAssistant: Hello.\n\nUser: Bye\n\nAssistant:',
      max_tokens: 20,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('tools and images have no place in a prompt: 400', () => {
    const tools = { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f' } }] };
    expect(() => convertRequest('openai-chat', 'openai-completions', tools, ctx())).toThrow(/Tools cannot/);
    const image = { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] };
    expect(() => convertRequest('openai-chat', 'openai-completions', image, ctx())).toThrow(/image cannot be sent/);
  });
});

describe('answers (non-stream)', () => {
  it('a Completions answer → chat clients keeps text, finish and usage', () => {
    const upstream = fixtureJson('openai-completions/response.json');
    const chat = convertResponse('openai-completions', 'openai-chat', upstream, ctx()) as Obj;
    expect(chat.choices[0]).toEqual(
      expect.objectContaining({ message: expect.objectContaining({ content: '\n\nThis is indeed a test' }), finish_reason: 'length' }),
    );
    expect(chat.usage).toEqual(expect.objectContaining({ prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }));
    const anthropic = convertResponse('openai-completions', 'anthropic', upstream, ctx()) as Obj;
    expect(anthropic.content).toEqual([{ type: 'text', text: '\n\nThis is indeed a test' }]);
    expect(anthropic.stop_reason).toBe('max_tokens');
  });

  it.each([
    ['openai-chat', 'openai-chat/response-text.json'],
    ['anthropic', 'anthropic/response-text.json'],
    ['gemini', 'gemini/response-text.json'],
  ] as [WireProtocol, string][])('a %s answer → a text_completion the SDK reads', async (from, file) => {
    const out = convertResponse(from, 'openai-completions', fixtureJson(file), ctx()) as Obj;
    expect(Object.keys(out)).toEqual(['id', 'object', 'created', 'model', 'choices', 'usage']);
    expect(out).toMatchObject({ id: 'cmpl-reqcmpl1', object: 'text_completion', created: 1700000000, model: 'client-model' });
    expect(out.choices).toEqual([{ text: expect.any(String), index: 0, logprobs: null, finish_reason: 'stop' }]);
    expect(out.choices[0].text.length).toBeGreaterThan(0);
    expect(out.usage.total_tokens).toBe(out.usage.prompt_tokens + out.usage.completion_tokens);
    const client = new OpenAI({ apiKey: 'k', baseURL: 'http://gw.test/v1', maxRetries: 0, fetch: async () => Response.json(out) });
    const res = await client.completions.create({ model: 'client-model', prompt: 'hi' });
    expect(res.choices[0].text).toBe(out.choices[0].text);
  });

  it('a tool call or reasoning never shows as text; the finish is still one Completions knows', () => {
    const out = convertResponse('openai-chat', 'openai-completions', fixtureJson('openai-chat/response-tool-calls.json'), ctx()) as Obj;
    expect(out.choices[0].finish_reason).toBe('stop');
    const thoughts = {
      ...fixtureJson('anthropic/response-text.json'),
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 's' },
        { type: 'text', text: 'Yes.' },
      ],
    };
    expect((convertResponse('anthropic', 'openai-completions', thoughts, ctx()) as Obj).choices[0].text).toBe('Yes.');
  });

  it('echo: the prompt is prepended to the text', () => {
    const out = convertResponse(
      'anthropic',
      'openai-completions',
      fixtureJson('anthropic/response-text.json'),
      ctx({ clientBody: { prompt: 'Q: hi\nA:', echo: true } }),
    ) as Obj;
    expect(out.choices[0].text).toBe('Q: hi\nA:Hello! How can I help?');
  });
});

/** The client's view of a Completions stream through the official SDK. */
async function readWithSdk(sse: string): Promise<{ text: string; finish: string | null; usage: OpenAI.CompletionUsage | undefined; chunks: number }> {
  const client = new OpenAI({
    apiKey: 'k',
    baseURL: 'http://gw.test/v1',
    maxRetries: 0,
    fetch: async () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }),
  });
  let text = '';
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | undefined;
  let chunks = 0;
  for await (const c of await client.completions.create({ model: 'client-model', prompt: 'hi', stream: true, stream_options: { include_usage: true } })) {
    chunks++;
    expect(c.object).toBe('text_completion');
    for (const ch of c.choices) {
      text += ch.text;
      finish = ch.finish_reason ?? finish;
    }
    if (c.usage) usage = c.usage;
  }
  return { text, finish, usage, chunks };
}

describe('streams', () => {
  const withUsage = ctx({ stream: true, clientBody: { prompt: 'hi', stream: true, stream_options: { include_usage: true } } });

  const translateAt = (from: WireProtocol, to: WireProtocol, text: string, at: number, c: ConvertContext) => {
    const t = createStreamTranslator(from, to, c);
    return { out: t.push(text.slice(0, at)) + t.push(text.slice(at)) + t.end(), t };
  };

  it.each([
    ['anthropic', 'anthropic/stream-text.sse', 'Hello! How are you doing today?', 'stop', 12, 30],
    ['openai-chat', 'openai-chat/stream-text.sse', 'Hello world', 'stop', 16, 300],
    ['gemini', 'gemini/stream-text.sse', null, 'stop', null, null],
  ] as const)(
    '%s → completions client, split at every position: the same bytes each time, read by the SDK',
    async (from, file, text, finish, prompt, completion) => {
      const upstream = fixtureText(file);
      const whole = translateAt(from, 'openai-completions', upstream, upstream.length, withUsage).out;
      for (let at = 0; at <= upstream.length; at++) expect(translateAt(from, 'openai-completions', upstream, at, withUsage).out).toBe(whole);
      const frames = whole.split('\n\n').filter(Boolean);
      expect(frames[frames.length - 1]).toBe('data: [DONE]');
      const last = JSON.parse(frames[frames.length - 2].slice(6)) as Obj;
      expect(last).toMatchObject({ object: 'text_completion', choices: [], usage: { total_tokens: expect.any(Number) } });
      for (const f of frames.slice(0, -2))
        expect(JSON.parse(f.slice(6))).toMatchObject({ id: 'cmpl-reqcmpl1', object: 'text_completion', model: 'client-model', usage: null });
      const got = await readWithSdk(whole);
      if (text !== null) expect(got.text).toBe(text);
      expect(got.text.length).toBeGreaterThan(0);
      expect(got.finish).toBe(finish);
      if (prompt !== null) expect(got.usage).toMatchObject({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
    },
  );

  it('without include_usage: no usage field and no usage chunk, the finish in a chunk of empty text', () => {
    const upstream = fixtureText('anthropic/stream-text.sse');
    const out = translateAt('anthropic', 'openai-completions', upstream, 10, ctx({ stream: true, clientBody: { prompt: 'hi', stream: true } })).out;
    const frames = out.split('\n\n').filter(Boolean);
    expect(out).not.toContain('usage');
    expect(JSON.parse(frames[frames.length - 2].slice(6))).toEqual({
      id: 'cmpl-reqcmpl1',
      object: 'text_completion',
      created: 1700000000,
      model: 'client-model',
      choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }],
    });
  });

  it('echo: the prompt goes out as the first chunk', async () => {
    const upstream = fixtureText('openai-chat/stream-text.sse');
    const c = ctx({ stream: true, clientBody: { prompt: 'Say:', echo: true, stream: true } });
    const got = await readWithSdk(translateAt('openai-chat', 'openai-completions', upstream, 0, c).out);
    expect(got.text).toBe('Say:Hello world');
  });

  it('pass-through (Completions upstream and client): bytes untouched, usage and finish observed, at every split', () => {
    const upstream = fixtureText('openai-completions/stream-text.sse');
    for (let at = 0; at <= upstream.length; at++) {
      const { out, t } = translateAt('openai-completions', 'openai-completions', upstream, at, withUsage);
      expect(out).toBe(upstream);
      expect(t.usage).toEqual({ promptTokens: 5, completionTokens: 7, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
      expect(t.finishReason).toBe('length');
      expect(t.outputText).toBe('\n\nThis is indeed a tést ✓');
    }
  });

  it("an upstream's in-stream error reaches the completions client as OpenAI's error frame, which the SDK throws", async () => {
    const upstream = fixtureText('anthropic/stream-error.sse');
    const out = translateAt('anthropic', 'openai-completions', upstream, 5, withUsage).out;
    expect(out).toMatch(/data: \{"error":\{"message":"[^"]+","type":"[a-z_]+","param":null,"code":/);
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true);
    await expect(readWithSdk(out)).rejects.toThrow();
  });
});
