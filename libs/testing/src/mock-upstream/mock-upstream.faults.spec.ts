import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { shareUndiciDispatcherWithJest, startMockUpstream, type FaultRule, type MockUpstream } from '../index';

describe('mock upstream: fault injection and stream shaping', () => {
  let mock: MockUpstream;
  let oa: OpenAI;
  let an: Anthropic;
  let ai: GoogleGenAI;
  const chat = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'hi there' }] };
  const msg = { model: 'claude-sonnet-5-5', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi there' }] };

  beforeAll(async () => {
    shareUndiciDispatcherWithJest();
    mock = await startMockUpstream();
    oa = new OpenAI({ apiKey: 'sk-a', baseURL: `${mock.url}/v1`, maxRetries: 0 });
    an = new Anthropic({ apiKey: 'sk-ant', baseURL: mock.url, maxRetries: 0 });
    ai = new GoogleGenAI({ apiKey: 'g-key', httpOptions: { baseUrl: mock.url, apiVersion: 'v1beta' } });
  });
  afterEach(() => mock.reset());
  afterAll(() => mock.close());

  async function control(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${mock.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  it('a fault can match stream or non-stream requests only', async () => {
    mock.setFault({ match: { stream: false }, status: 503 });
    const streamed = await oa.chat.completions.create({ ...chat, stream: true });
    for await (const _ of streamed) void _;
    await expect(oa.chat.completions.create(chat)).rejects.toMatchObject({ status: 503 });
    expect(mock.requests.map((r) => r.stream)).toEqual([true, false]);
  });

  describe('status faults give each SDK its own error class and body', () => {
    it('OpenAI 429 with retry-after', async () => {
      mock.setFault({ status: 429, headers: { 'retry-after': '3' } });
      const err = await oa.chat.completions.create(chat).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      const e = err as InstanceType<typeof OpenAI.RateLimitError>;
      expect(e.code).toBe('rate_limit_exceeded');
      expect(e.headers.get('retry-after')).toBe('3');
      expect(e.requestID).toMatch(/^req_/);
    });

    it('Anthropic 529 overloaded_error, 401 authentication_error', async () => {
      mock.setFault({ status: 529, times: 1 });
      const err = await an.messages.create(msg).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Anthropic.InternalServerError);
      expect(err).toMatchObject({ status: 529, type: 'overloaded_error' });
      expect((err as InstanceType<typeof Anthropic.APIError>).headers?.get('request-id')).toMatch(/^req_/);
      mock.setFault({ status: 401, times: 1 });
      const e401 = await an.messages.create(msg).catch((e: unknown) => e);
      expect(e401).toBeInstanceOf(Anthropic.AuthenticationError);
      expect((e401 as InstanceType<typeof Anthropic.APIError>).headers?.get('x-should-retry')).toBe('false');
    });

    it('Gemini 503 UNAVAILABLE and 429 with RetryInfo', async () => {
      mock.setFault({ status: 503, times: 1 });
      const err = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(503);
      expect((err as ApiError).message).toContain('UNAVAILABLE');
      mock.setFault({ status: 429, times: 1 });
      const e429 = (await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }).catch((e: unknown) => e)) as ApiError;
      expect(e429.status).toBe(429);
      expect(e429.message).toContain('RetryInfo');
    });

    it('sends a custom body when given', async () => {
      mock.setFault({ status: 400, body: { error: { message: 'custom!', type: 'invalid_request_error', param: null, code: 'x' } } });
      await expect(oa.chat.completions.create(chat)).rejects.toMatchObject({ status: 400, code: 'x', message: expect.stringContaining('custom!') });
    });

    it('the [error:NNN] directive fails the request without any fault rule', async () => {
      await expect(oa.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'boom [error:503]' }] })).rejects.toBeInstanceOf(
        OpenAI.InternalServerError,
      );
    });
  });

  it('honours times and match (model, key, path)', async () => {
    mock.setFault({ status: 500, times: 2, match: { model: 'gpt-4o' } });
    await expect(oa.chat.completions.create({ ...chat, model: 'gpt-4o-mini' })).resolves.toBeDefined();
    await expect(oa.chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(oa.chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(oa.chat.completions.create(chat)).resolves.toBeDefined();
    expect(mock.requests).toHaveLength(4);

    mock.setFault({ status: 403, match: { key: 'sk-blocked' } });
    mock.setFault({ status: 404, match: { path: ':generateContent' } });
    const blocked = new OpenAI({ apiKey: 'sk-blocked', baseURL: `${mock.url}/v1`, maxRetries: 0 });
    await expect(blocked.chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    await expect(oa.chat.completions.create(chat)).resolves.toBeDefined();
    await expect(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })).rejects.toMatchObject({ status: 404 });
    await expect(ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'x' })).resolves.toBeDefined();
  });

  it('hang: the client times out', async () => {
    mock.setFault({ hang: true, times: 1 });
    const started = Date.now();
    // In plain Node this is APIConnectionTimeoutError (a subclass); under Jest the abort DOMException
    // comes from another realm and the SDK can only tell it is a connection error.
    await expect(oa.chat.completions.create(chat, { timeout: 300 })).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('delayMs delays the response headers', async () => {
    mock.setFault({ delayMs: 200, times: 1 });
    const started = Date.now();
    await oa.chat.completions.create(chat);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('resetConnection: the SDK sees a connection error', async () => {
    mock.setFault({ resetConnection: true, times: 1 });
    await expect(oa.chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    await expect(oa.chat.completions.create(chat)).resolves.toBeDefined();
  });

  it('garbage: a 200 whose body is not JSON makes the SDK throw', async () => {
    mock.setFault({ garbage: true });
    await expect(oa.chat.completions.create(chat)).rejects.toThrow();
    await expect(an.messages.create(msg)).rejects.toThrow();
    await expect(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })).rejects.toThrow();
  });

  describe('dropAfterChunks destroys the socket mid-stream and each SDK stream throws', () => {
    beforeEach(() => mock.setFault({ dropAfterChunks: 3 }));

    it('OpenAI chat and responses', async () => {
      const seen: string[] = [];
      const iterate = async (): Promise<void> => {
        const s = await oa.chat.completions.create({ ...chat, stream: true });
        for await (const c of s) seen.push(c.choices[0]?.delta.content ?? '');
      };
      await expect(iterate()).rejects.toThrow();
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.length).toBeLessThanOrEqual(3);
      await expect(oa.responses.stream({ model: 'gpt-4.1', input: 'hi' }).finalResponse()).rejects.toThrow();
    });

    it('Anthropic', async () => {
      await expect(an.messages.stream(msg).finalMessage()).rejects.toThrow();
    });

    it('Gemini', async () => {
      const iterate = async (): Promise<number> => {
        let n = 0;
        for await (const _c of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'a b c d e f g h' })) n++;
        return n;
      };
      await expect(iterate()).rejects.toThrow();
    });

    it('non-stream: half a body then a reset', async () => {
      await expect(oa.chat.completions.create(chat)).rejects.toThrow();
    });
  });

  describe('streamErrorAfterChunks sends the vendor in-stream error', () => {
    beforeEach(() => mock.setFault({ streamErrorAfterChunks: 2 }));

    it('OpenAI chat: data: {"error"} → APIError', async () => {
      const iterate = async (): Promise<void> => {
        for await (const _c of await oa.chat.completions.create({ ...chat, stream: true })) {
          // drain
        }
      };
      await expect(iterate()).rejects.toBeInstanceOf(OpenAI.APIError);
    });

    it('OpenAI responses: event: error → APIError', async () => {
      await expect(oa.responses.stream({ model: 'gpt-4.1', input: 'hi' }).finalResponse()).rejects.toBeInstanceOf(OpenAI.APIError);
    });

    it('Anthropic: event: error overloaded_error', async () => {
      await expect(an.messages.stream(msg).finalMessage()).rejects.toMatchObject({ type: 'overloaded_error' });
    });

    it('Gemini: {"error":{"code":500}} → ApiError 500', async () => {
      const iterate = async (): Promise<void> => {
        for await (const _c of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'a b c d e f' })) {
          // drain
        }
      };
      const err = await iterate().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(500);
    });
  });

  describe('control API (out-of-process use)', () => {
    it('adds, lists and clears faults; lists and clears requests', async () => {
      const rule: FaultRule = { status: 502, times: 1, match: { path: '/v1/chat/completions' } };
      expect((await control('POST', '/__mock/faults', rule)).status).toBe(201);
      expect(await (await control('GET', '/__mock/faults')).json()).toEqual([{ ...rule, remaining: 1 }]);
      await expect(oa.chat.completions.create(chat)).rejects.toMatchObject({ status: 502 });
      await expect(oa.chat.completions.create(chat)).resolves.toBeDefined();

      await control('POST', '/__mock/faults', { status: 500 });
      expect((await control('DELETE', '/__mock/faults')).status).toBe(200);
      await expect(oa.chat.completions.create(chat)).resolves.toBeDefined();

      const reqs = (await (await control('GET', '/__mock/requests')).json()) as { path: string; body: { model: string } }[];
      expect(reqs).toHaveLength(3);
      expect(reqs[0]).toMatchObject({ path: '/v1/chat/completions', body: { model: 'gpt-4o' } });
      await control('DELETE', '/__mock/requests');
      expect(mock.requests).toHaveLength(0);
    });

    it('sets a paced stream shape: 64 chunks with a pause between content chunks', async () => {
      await control('POST', '/__mock/stream-shape', { chunks: 64, delayMs: 3 });
      const started = Date.now();
      const deltas: string[] = [];
      for await (const c of await oa.chat.completions.create({ ...chat, stream: true })) {
        const d = c.choices[0]?.delta.content;
        if (d) deltas.push(d);
      }
      expect(deltas).toHaveLength(64);
      expect(Date.now() - started).toBeGreaterThanOrEqual(63 * 3 - 5);
      expect(deltas.join('').startsWith('Echo: hi there lorem')).toBe(true);
      await control('DELETE', '/__mock/stream-shape');
    });
  });

  it('x-mock-chunks / x-mock-chunk-delay-ms headers and the [chunks:N] directive shape one request', async () => {
    const started = Date.now();
    const msgStream = an.messages.stream(msg, { headers: { 'x-mock-chunks': '5', 'x-mock-chunk-delay-ms': '40' } });
    const texts: string[] = [];
    msgStream.on('text', (t) => texts.push(t));
    await msgStream.finalMessage();
    expect(texts).toHaveLength(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 40 - 5);

    const parts: string[] = [];
    const s = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hello [chunks:12]' });
    for await (const c of s) if (c.text) parts.push(c.text);
    expect(parts).toHaveLength(12);
  });

  it('close() returns promptly with a hanging request open', async () => {
    const m = await startMockUpstream();
    m.setFault({ hang: true });
    const c = new OpenAI({ apiKey: 'k', baseURL: `${m.url}/v1`, maxRetries: 0 });
    const pending = c.chat.completions.create(chat).catch((e: unknown) => e);
    while (m.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await m.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
  });
});
