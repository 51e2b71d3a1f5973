import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import { startFakeSearch, startMockUpstream, type FakeSearch, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, logOf, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

interface Log {
  status: number;
  units: Record<string, number> | null;
  cost: number;
}

const PRICE_PER_SEARCH = 0.01;
const QUESTION = 'What are quantum dots? See [2]';

/**
 * web-search (SPEC §8), standalone, with the official SDKs: a request that asks for search in its protocol's way is
 * searched on a fake SearXNG, the upstream gets the results as system text and no search tool, the client gets the
 * sources as its protocol's citations, and the search is billed (log units, cost, balance).
 */
describe('web-search plugin (standalone)', () => {
  let mock: MockUpstream;
  let search: FakeSearch;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let userId: number;
  let key: string;
  let openai: OpenAI;

  const balance = async () => (await admin.get<{ balance: number }>(`/api/users/${userId}`)).body.balance;
  const settledBalance = (expected: number) =>
    eventually(async () => (Math.abs((await balance()) - expected) < 1e-9 ? true : null), 10_000, `balance ${expected}`);
  /** The last upstream request for a model, as text (where the injected results must be and the search tool must not). */
  const upstreamOf = (model: string) => {
    const r = mock.requests.filter((x) => x.rawBody.includes(model) || x.path.includes(model)).at(-1);
    expect(r).toBeDefined();
    return r!;
  };

  beforeAll(async () => {
    [mock, search] = await Promise.all([startMockUpstream(), startFakeSearch()]);
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    const channels = [
      { name: 'ws-openai', type: 'openai', keys: ['sk-up'], models: ['ws-gpt', 'plain-gpt', 'ws-rewriter', 'ws-claude-on-gpt'] },
      { name: 'ws-anthropic', type: 'anthropic', keys: ['sk-ant-up'], models: ['ws-claude'] },
      { name: 'ws-gemini', type: 'gemini', keys: ['g-up'], models: ['ws-gemini'] },
    ];
    for (const c of channels) expect((await admin.post('/api/channels', { baseUrl: mock.url, ...c })).status).toBe(201);
    for (const m of ['ws-gpt', 'plain-gpt', 'ws-claude', 'ws-gemini', 'ws-rewriter', 'ws-claude-on-gpt'])
      expect((await admin.put(`/api/prices/${m}`, { input: 0, output: 0 })).status).toBe(200);
    const put = await admin.put('/api/plugins/web-search', {
      enabled: true,
      models: ['ws-*'],
      engine: 'searxng',
      url: search.url,
      maxResults: 2,
      pricePerSearch: PRICE_PER_SEARCH,
    });
    expect(put.status).toBe(200);
    userId = (await admin.post<{ id: number }>('/api/users', { name: 'searcher', balance: 10 })).body.id;
    key = String((await admin.post<{ key: string }>('/api/tokens', { name: 'ws', userId })).body.key);
    openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
    // the plugin reaches the gateway with the routing table: wait until a searched call shows it
    await eventually(
      async () => {
        const r = await openai.chat.completions.create({ model: 'ws-gpt', messages: [{ role: 'user', content: 'warm-up' }], web_search_options: {} });
        return r.choices[0].message.annotations?.length ? r : null;
      },
      10_000,
      'web-search active',
    );
    await settledBalance(10 - PRICE_PER_SEARCH);
  });
  afterAll(async () => {
    await sys?.stop();
    await Promise.all([mock?.close(), search?.close()]);
  });
  beforeEach(() => {
    mock.reset();
    search.reset();
  });

  it('openai chat with web_search_options: results injected upstream without the option; url_citation annotations; one search billed', async () => {
    const before = await balance();
    const { data, response } = await openai.chat.completions
      .create({ model: 'ws-gpt', messages: [{ role: 'user', content: QUESTION }], web_search_options: { search_context_size: 'low' } })
      .withResponse();

    expect(search.requests).toHaveLength(1);
    expect(search.requests[0].query).toMatchObject({ q: QUESTION, format: 'json' });
    const up = upstreamOf('ws-gpt').body as { messages: { role: string; content: string }[]; web_search_options?: unknown };
    expect(up.web_search_options).toBeUndefined();
    expect(up.messages[0].role).toBe('system');
    expect(up.messages[0].content).toContain(`[1] ${QUESTION} result 1\nURL: https://example.com/searxng/1`);
    expect(up.messages[0].content).toContain('[2]');
    expect(up.messages.at(-1)).toEqual({ role: 'user', content: QUESTION });

    const message = data.choices[0].message;
    const marker = message.content!.indexOf('[2]');
    expect(marker).toBeGreaterThanOrEqual(0);
    expect(message.annotations).toEqual([
      {
        type: 'url_citation',
        url_citation: { url: 'https://example.com/searxng/2', title: `${QUESTION} result 2`, start_index: marker, end_index: marker + 3 },
      },
    ]);
    expect(response.headers.get('x-switchboard-web-search')).toBe('2 results');

    const log = await logOf<Log>(admin, response.headers.get('x-request-id')!);
    expect(log).toMatchObject({ status: 200, units: { searchUnits: 1 } });
    expect(log.cost).toBeCloseTo(PRICE_PER_SEARCH, 9);
    await settledBalance(before - PRICE_PER_SEARCH);
  });

  it('openai chat stream: the annotations arrive in a delta', async () => {
    const stream = await openai.chat.completions.create({
      model: 'ws-gpt',
      messages: [{ role: 'user', content: QUESTION }],
      web_search_options: {},
      stream: true,
    });
    let text = '';
    const annotations: unknown[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; annotations?: unknown[] } | undefined;
      text += delta?.content ?? '';
      annotations.push(...(delta?.annotations ?? []));
    }
    expect(text).toContain('[2]');
    expect(annotations).toEqual([
      { type: 'url_citation', url_citation: expect.objectContaining({ url: 'https://example.com/searxng/2', start_index: text.indexOf('[2]') }) },
    ]);
    expect((upstreamOf('ws-gpt').body as Record<string, unknown>).web_search_options).toBeUndefined();
  });

  it('responses with the web_search tool: a web_search_call item and url_citation annotations on output_text (JSON and stream)', async () => {
    const tools = [{ type: 'web_search_preview' as const }];
    const r = await openai.responses.create({ model: 'ws-gpt', input: QUESTION, tools });
    const up = upstreamOf('ws-gpt').body as { tools?: unknown; instructions?: string };
    expect(up.tools).toBeUndefined();
    expect(up.instructions).toContain('https://example.com/searxng/2');
    expect(r.output[0]).toMatchObject({ type: 'web_search_call', status: 'completed', action: { type: 'search', query: QUESTION } });
    const message = r.output.find((o) => o.type === 'message') as OpenAI.Responses.ResponseOutputMessage;
    const text = message.content[0] as OpenAI.Responses.ResponseOutputText;
    expect(text.annotations).toEqual([
      {
        type: 'url_citation',
        url: 'https://example.com/searxng/2',
        title: `${QUESTION} result 2`,
        start_index: text.text.indexOf('[2]'),
        end_index: text.text.indexOf('[2]') + 3,
      },
    ]);

    const final = await openai.responses.stream({ model: 'ws-gpt', input: QUESTION, tools }).finalResponse();
    expect(final.output.map((o) => o.type)).toEqual(['web_search_call', 'message']);
    const streamed = (final.output[1] as OpenAI.Responses.ResponseOutputMessage).content[0] as OpenAI.Responses.ResponseOutputText;
    expect(streamed.annotations).toEqual([expect.objectContaining({ type: 'url_citation', url: 'https://example.com/searxng/2' })]);
  });

  it('anthropic with the web_search server tool: server_tool_use and web_search_tool_result blocks, text citations; the tool not sent upstream', async () => {
    const anthropic = new Anthropic({ apiKey: key, baseURL: sys.url, maxRetries: 0 });
    const tools = [{ type: 'web_search_20250305' as const, name: 'web_search' as const, max_uses: 3 }];
    const msg = await anthropic.messages.create({ model: 'ws-claude', max_tokens: 256, messages: [{ role: 'user', content: QUESTION }], tools });

    const up = upstreamOf('ws-claude').body as { tools?: unknown; system?: unknown };
    expect(up.tools).toBeUndefined();
    expect(JSON.stringify(up.system)).toContain('https://example.com/searxng/1');
    expect(msg.content.slice(0, 2)).toEqual([
      expect.objectContaining({ type: 'server_tool_use', name: 'web_search', input: { query: QUESTION } }),
      expect.objectContaining({
        type: 'web_search_tool_result',
        content: [
          expect.objectContaining({ type: 'web_search_result', url: 'https://example.com/searxng/1' }),
          expect.objectContaining({ type: 'web_search_result', url: 'https://example.com/searxng/2' }),
        ],
      }),
    ]);
    expect((msg.content[1] as { tool_use_id: string }).tool_use_id).toBe((msg.content[0] as { id: string }).id);
    const text = msg.content[2] as Anthropic.TextBlock;
    expect(text.type).toBe('text');
    expect(text.citations).toEqual([expect.objectContaining({ type: 'web_search_result_location', url: 'https://example.com/searxng/2' })]);
    expect(msg.usage.server_tool_use).toEqual({ web_search_requests: 1 });

    // streamed, the SDK's accumulated message has the same blocks
    const streamed = await anthropic.messages
      .stream({ model: 'ws-claude', max_tokens: 256, messages: [{ role: 'user', content: QUESTION }], tools })
      .finalMessage();
    expect(streamed.content.map((b) => b.type)).toEqual(['server_tool_use', 'web_search_tool_result', 'text']);
    expect((streamed.content[0] as { input: unknown }).input).toEqual({ query: QUESTION });
    expect((streamed.content[2] as Anthropic.TextBlock).citations).toEqual([expect.objectContaining({ url: 'https://example.com/searxng/2' })]);
  });

  it('anthropic client, OpenAI upstream: the results reach the converted request as a system message, the blocks come back', async () => {
    const anthropic = new Anthropic({ apiKey: key, baseURL: sys.url, maxRetries: 0 });
    const msg = await anthropic.messages.create({
      model: 'ws-claude-on-gpt',
      max_tokens: 256,
      system: 'Be brief.',
      messages: [{ role: 'user', content: QUESTION }],
      tools: [{ type: 'web_search_20250305', name: 'web_search' }],
    });
    const up = upstreamOf('ws-claude-on-gpt').body as { messages: { role: string; content: unknown }[]; tools?: unknown };
    expect(up.tools).toBeUndefined();
    expect(up.messages[0].role).toBe('system');
    expect(JSON.stringify(up.messages[0].content)).toContain('Be brief.');
    expect(JSON.stringify(up.messages[0].content)).toContain('https://example.com/searxng/2');
    expect(msg.content.map((b) => b.type)).toEqual(['server_tool_use', 'web_search_tool_result', 'text']);
  });

  it('gemini with googleSearch: groundingMetadata with the sources and the supported segment; the tool not sent upstream', async () => {
    const genai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: sys.url, apiVersion: 'v1beta' } });
    const r = await genai.models.generateContent({ model: 'ws-gemini', contents: QUESTION, config: { tools: [{ googleSearch: {} }] } });

    const up = upstreamOf('ws-gemini').body as { tools?: unknown; systemInstruction?: unknown };
    expect(up.tools).toBeUndefined();
    expect(JSON.stringify(up.systemInstruction)).toContain('https://example.com/searxng/2');
    const grounding = r.candidates![0].groundingMetadata!;
    expect(grounding.webSearchQueries).toEqual([QUESTION]);
    expect(grounding.groundingChunks).toEqual([
      { web: { uri: 'https://example.com/searxng/1', title: `${QUESTION} result 1` } },
      { web: { uri: 'https://example.com/searxng/2', title: `${QUESTION} result 2` } },
    ]);
    expect(grounding.groundingSupports).toEqual([{ segment: expect.objectContaining({ text: '[2]' }), groundingChunkIndices: [1] }]);

    let last: typeof r | undefined;
    for await (const chunk of await genai.models.generateContentStream({ model: 'ws-gemini', contents: QUESTION, config: { tools: [{ googleSearch: {} }] } }))
      last = chunk;
    expect(last!.candidates![0].groundingMetadata!.groundingChunks).toHaveLength(2);
  });

  it('an engine that fails: the request goes on without results, the option still stripped, no citations, not billed', async () => {
    search.fail = 500;
    const { data, response } = await openai.chat.completions
      .create({ model: 'ws-gpt', messages: [{ role: 'user', content: QUESTION }], web_search_options: {} })
      .withResponse();
    expect(search.requests).toHaveLength(1);
    expect(response.headers.get('x-switchboard-web-search')).toBe('failed');
    // the mock's own (empty) annotations pass through untouched
    expect(data.choices[0].message.annotations ?? []).toEqual([]);
    const up = upstreamOf('ws-gpt').body as { messages: { role: string }[]; web_search_options?: unknown };
    expect(up.web_search_options).toBeUndefined();
    expect(up.messages.map((m) => m.role)).toEqual(['user']);
    const log = await logOf<Log>(admin, response.headers.get('x-request-id')!);
    expect(log).toMatchObject({ status: 200, units: null, cost: 0 });
  });

  it('no search asked, or a model out of scope: nothing searched, the body relayed as sent', async () => {
    await openai.chat.completions.create({ model: 'ws-gpt', messages: [{ role: 'user', content: QUESTION }] });
    const out = await openai.chat.completions
      .create({ model: 'plain-gpt', messages: [{ role: 'user', content: QUESTION }], web_search_options: {} })
      .catch((e: unknown) => e);
    expect(search.requests).toHaveLength(0);
    expect(out).toBeDefined();
    // out of scope, the option reaches the upstream as the client sent it (the plugin does not apply)
    expect((upstreamOf('plain-gpt').body as Record<string, unknown>).web_search_options).toEqual({});
  });

  it('rewriteModel and always: the question rewritten by an ordinary call of that model (not itself searched), searched without asking', async () => {
    expect((await admin.put('/api/plugins/web-search', { rewriteModel: 'ws-rewriter', always: true })).status).toBe(200);
    // a key allowed from one address only: the rewrite call is the client's own, from that address
    const fenced = await admin.post<{ key: string }>('/api/tokens', { name: 'ws-fenced', userId, allowIps: ['127.0.0.2'] });
    const agent = new Agent({ localAddress: '127.0.0.2' });
    const from2 = new OpenAI({
      apiKey: fenced.body.key,
      baseURL: `${sys.url}/v1`,
      maxRetries: 0,
      fetch: ((url: string, init: object) => undiciFetch(url, { ...init, dispatcher: agent })) as unknown as typeof fetch,
    });
    const { data, response } = await eventually(
      async () => {
        search.reset();
        const r = await from2.chat.completions.create({ model: 'ws-gpt', messages: [{ role: 'user', content: QUESTION }] }).withResponse();
        return search.requests.length === 1 && search.requests[0].query.q.startsWith('Echo:') ? r : null;
      },
      10_000,
      'the rewrite settings on the gateway',
    );
    // the mock rewriter echoes the question: that echo is the query searched
    expect(search.requests[0].query.q).toBe(`Echo: ${QUESTION}`);
    const rewrite = mock.requests.find((r) => (r.body as { model?: string }).model === 'ws-rewriter')!;
    expect((rewrite.body as { messages: { role: string; content: string }[] }).messages).toEqual([
      { role: 'system', content: expect.stringContaining('web search query') },
      { role: 'user', content: QUESTION },
    ]);
    expect(data.choices[0].message.annotations).toHaveLength(1);
    expect(await logOf<Log>(admin, response.headers.get('x-request-id')!)).toMatchObject({ status: 200, units: { searchUnits: 1 } });
    expect((await admin.put('/api/plugins/web-search', { rewriteModel: null, always: false })).status).toBe(200);
    await agent.close();
  });
});
