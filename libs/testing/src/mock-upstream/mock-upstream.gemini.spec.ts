import { ApiError, GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { shareUndiciDispatcherWithJest, startMockUpstream, type MockUpstream } from '../index';

describe('mock upstream: Gemini wire, driven by the official @google/genai SDK', () => {
  let mock: MockUpstream;
  let ai: GoogleGenAI;

  beforeAll(async () => {
    for (const k of ['GOOGLE_GEMINI_BASE_URL', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_GENAI_API_VERSION', 'GEMINI_API_KEY', 'GOOGLE_API_KEY'])
      delete process.env[k];
    shareUndiciDispatcherWithJest();
    mock = await startMockUpstream();
    ai = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: mock.url, apiVersion: 'v1beta' } });
  });
  afterEach(() => mock.reset());
  afterAll(() => mock.close());

  const weatherDecl = {
    functionDeclarations: [
      { name: 'get_weather', parameters: { type: 'OBJECT' as never, properties: { city: { type: 'STRING' as never } } } },
      { name: 'get_time' },
    ],
  };

  async function raw(path: string, body: unknown): Promise<Response> {
    return fetch(`${mock.url}${path}`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'g-test', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  it('answers generateContent with text, usageMetadata, modelVersion and responseId', async () => {
    const r = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'hello gemini',
      config: { systemInstruction: 'Be brief.' },
    });
    expect(r.text).toBe('Echo: hello gemini');
    expect(r.candidates?.[0].finishReason).toBe('STOP');
    expect(r.usageMetadata).toMatchObject({ promptTokenCount: 4, candidatesTokenCount: 3, totalTokenCount: 7 });
    expect(r.modelVersion).toBe('gemini-2.5-flash');
    expect(r.responseId).toBeTruthy();
    expect(mock.requests[0]).toMatchObject({ path: '/v1beta/models/gemini-2.5-flash:generateContent', key: 'g-test', model: 'gemini-2.5-flash' });
  });

  it('also answers under /v1 (SDK without apiVersion) and with ?key=', async () => {
    const v1 = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: mock.url, apiVersion: 'v1' } });
    const r = await v1.models.generateContent({ model: 'gemini-2.5-pro', contents: 'on v1' });
    expect(r.text).toBe('Echo: on v1');
    const dflt = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: mock.url } });
    expect((await dflt.models.generateContent({ model: 'gemini-2.5-pro', contents: 'default' })).text).toBe('Echo: default');
    const res = await fetch(`${mock.url}/v1/models/gemini-2.5-pro:generateContent?key=g-test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'by query' }] }] }),
    });
    expect(res.status).toBe(200);
    expect(mock.requests.map((q) => q.path)).toEqual([
      '/v1/models/gemini-2.5-pro:generateContent',
      expect.stringMatching(/^\/v1(beta)?\/models\/gemini-2\.5-pro:generateContent$/),
      '/v1/models/gemini-2.5-pro:generateContent?key=g-test',
    ]);
  });

  it('streams with alt=sse: data-only events, \\r\\n\\r\\n, cumulative usage, finishReason only last', async () => {
    const res = await raw('/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse', {
      contents: [{ role: 'user', parts: [{ text: 'one two three four five' }] }],
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text();
    expect(text).not.toMatch(/^event:/m);
    expect(text).not.toContain('[DONE]');
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    const chunks = text
      .split('\r\n\r\n')
      .filter((e) => e)
      .map((e) => {
        expect(e.startsWith('data: ')).toBe(true);
        expect(e).not.toContain('\n');
        return JSON.parse(e.slice(6)) as GenerateContentResponse;
      });
    expect(chunks.length).toBeGreaterThan(2);
    let prev = 0;
    chunks.forEach((c, i) => {
      expect(c.modelVersion).toBe('gemini-3-pro-preview');
      expect(c.responseId).toBe(chunks[0].responseId);
      const u = c.usageMetadata!;
      expect(u.promptTokenCount).toBe(5);
      expect(u.candidatesTokenCount).toBeGreaterThanOrEqual(prev);
      prev = u.candidatesTokenCount ?? 0;
      expect(c.candidates![0].finishReason).toBe(i === chunks.length - 1 ? 'STOP' : undefined);
    });
    expect(chunks[chunks.length - 1].usageMetadata).toMatchObject({ candidatesTokenCount: 6, totalTokenCount: 11 });
    expect(chunks[chunks.length - 1].candidates![0].content!.parts).toEqual([{ text: '', thoughtSignature: expect.any(String) }]);
  });

  it('is accepted by generateContentStream', async () => {
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'stream this text please' });
    let text = '';
    let n = 0;
    let last: GenerateContentResponse | undefined;
    for await (const c of stream) {
      text += c.text ?? '';
      n++;
      last = c;
    }
    expect(n).toBeGreaterThan(2);
    expect(text).toBe('Echo: stream this text please');
    expect(last?.usageMetadata?.candidatesTokenCount).toBe(5);
  });

  it('streams a JSON array without alt=sse', async () => {
    const res = await raw('/v1beta/models/gemini-2.5-flash:streamGenerateContent', { contents: [{ parts: [{ text: 'arr' }] }] });
    expect(res.headers.get('content-type')).toContain('application/json');
    const arr = (await res.json()) as GenerateContentResponse[];
    expect(Array.isArray(arr)).toBe(true);
    expect(arr.map((c) => c.candidates![0].content!.parts![0].text ?? '').join('')).toBe('Echo: arr');
  });

  it('answers call directives with whole functionCall parts (signature on the first) ending with STOP', async () => {
    const contents = 'x [call:get_weather {"city":"Paris"}] [call:get_time]';
    const r = await ai.models.generateContent({ model: 'gemini-3-pro-preview', contents, config: { tools: [weatherDecl] } });
    expect(r.functionCalls?.map((c) => [c.name, c.args])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_time', {}],
    ]);
    expect(r.candidates![0].finishReason).toBe('STOP');
    const parts = r.candidates![0].content!.parts!;
    expect(parts[0].thoughtSignature).toBeTruthy();
    expect(parts[1].thoughtSignature).toBeUndefined();

    const stream = await ai.models.generateContentStream({ model: 'gemini-3-pro-preview', contents, config: { tools: [weatherDecl] } });
    const calls: unknown[] = [];
    for await (const c of stream) for (const fc of c.functionCalls ?? []) calls.push([fc.name, fc.args]);
    expect(calls).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_time', {}],
    ]);

    // Replaying the model turn with its parts (signatures included) and the responses gives text.
    const history = [
      { role: 'user', parts: [{ text: contents }] },
      { role: 'model', parts },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { content: 'sunny' } } },
          { functionResponse: { name: 'get_time', response: { hour: 10 } } },
        ],
      },
    ];
    const follow = await ai.models.generateContent({ model: 'gemini-3-pro-preview', contents: history, config: { tools: [weatherDecl] } });
    expect(follow.text).toBe('The tool get_weather returned sunny. The tool get_time returned {"hour":10}.');

    // Gemini 3 rejects a replayed functionCall without its thought signature.
    const stripped = [history[0], { role: 'model', parts: parts.map(({ thoughtSignature: _s, ...p }) => p) }, history[2]];
    const err = await ai.models
      .generateContent({ model: 'gemini-3-pro-preview', contents: stripped, config: { tools: [weatherDecl] } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toContain('missing a thought_signature');
  });

  it('shows thoughts with includeThoughts and counts them in thoughtsTokenCount', async () => {
    const r = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'ponder',
      config: { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } },
    });
    const parts = r.candidates![0].content!.parts!;
    expect(parts[0].thought).toBe(true);
    expect(r.text).toBe('Echo: ponder');
    const u = r.usageMetadata!;
    expect(u.thoughtsTokenCount).toBeGreaterThan(0);
    expect(u.totalTokenCount).toBe((u.promptTokenCount ?? 0) + (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0));
  });

  it('reports cached tokens from the [cache] directive', async () => {
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: '[cache:300] hi' });
    expect(r.usageMetadata).toMatchObject({ promptTokenCount: 302, cachedContentTokenCount: 300 });
  });

  it('counts tokens, embeds (embedContent → batchEmbedContents) and lists models', async () => {
    const c = await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'one two three' });
    expect(c.totalTokens).toBe(3);

    const e = await ai.models.embedContent({ model: 'text-embedding-004', contents: ['alpha', 'beta'], config: { outputDimensionality: 16 } });
    expect(e.embeddings).toHaveLength(2);
    expect(e.embeddings![0].values).toHaveLength(16);
    expect(e.embeddings![0].values).not.toEqual(e.embeddings![1].values);

    const single = await raw('/v1beta/models/text-embedding-004:embedContent', { content: { parts: [{ text: 'alpha' }] }, outputDimensionality: 16 });
    const sj = (await single.json()) as { embedding: { values: number[] } };
    expect(sj.embedding.values).toEqual(e.embeddings![0].values);

    const names: string[] = [];
    for await (const m of await ai.models.list({ config: { pageSize: 4 } })) names.push(m.name ?? '');
    expect(names).toContain('models/gemini-2.5-flash');
    expect(names.length).toBeGreaterThan(4);
    const one = await ai.models.get({ model: 'gemini-2.5-pro' });
    expect(one.name).toBe('models/gemini-2.5-pro');
  });

  it('rejects a bad key with 400 INVALID_ARGUMENT + API_KEY_INVALID', async () => {
    const strict = await startMockUpstream({ keys: ['good'] });
    try {
      const bad = new GoogleGenAI({ apiKey: 'bad', httpOptions: { baseUrl: strict.url, apiVersion: 'v1beta' } });
      const err = await bad.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
      const body = JSON.parse((err as ApiError).message) as { error: { status: string; details: { reason: string }[] } };
      expect(body.error.status).toBe('INVALID_ARGUMENT');
      expect(body.error.details[0].reason).toBe('API_KEY_INVALID');
    } finally {
      await strict.close();
    }
  });

  it('rejects empty parts and unbalanced function turns with the real messages', async () => {
    let res = await raw('/v1beta/models/gemini-2.5-flash:generateContent', { contents: [{ role: 'user', parts: [] }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringContaining('contents.parts must not be empty') },
    });
    res = await raw('/v1beta/models/gemini-2.5-flash:generateContent', {
      contents: [
        { role: 'user', parts: [{ text: 'q' }] },
        { role: 'model', parts: [{ functionCall: { name: 'a', args: {} } }, { functionCall: { name: 'b', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'a', response: {} } }] },
      ],
      tools: [{ functionDeclarations: [{ name: 'a' }, { name: 'b' }] }],
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('number of function response parts is equal to the number of function call parts');
  });
});
