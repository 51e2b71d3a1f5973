import { computeCostMicros } from '@switchboard/pricing';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { DOCS, logOf, QUERY, rerank, type Admin } from './support/rerank';

jest.setTimeout(120_000);

/**
 * Rerank through the real gateway (standalone) to each channel type that serves it: Cohere (as it is), Jina (as it
 * is), Voyage (converted), an OpenAI-compatible server that declares it; refused for a plain OpenAI channel.
 */
describe('POST /v1/rerank (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: Admin;
  let key: string;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    const channels = [
      { name: 'cohere', type: 'cohere', baseUrl: mock.url, keys: ['co-key'], models: ['rerank-v3.5'] },
      { name: 'jina', type: 'jina', baseUrl: mock.url, keys: ['jina_key'], models: ['jina-reranker-v2'] },
      {
        name: 'voyage',
        type: 'voyage',
        baseUrl: `${mock.url}/v1`,
        keys: ['pa-key'],
        models: ['rerank-2.5'],
        modelMapping: { 'rerank-2.5': 'rerank-2.5-lite' },
      },
      {
        name: 'cohere-gone',
        type: 'cohere',
        baseUrl: mock.url,
        keys: ['co-key-2'],
        models: ['rerank-gone'],
        modelMapping: { 'rerank-gone': 'unknown-rerank' },
      },
      {
        name: 'voyage-gone',
        type: 'voyage',
        baseUrl: mock.url,
        keys: ['pa-key-2'],
        models: ['voyage-gone'],
        modelMapping: { 'voyage-gone': 'unknown-voyage' },
      },
      { name: 'plain', type: 'openai', baseUrl: mock.url, keys: ['sk-plain'], models: ['bge-reranker'] },
      { name: 'vllm', type: 'openai-compatible', baseUrl: `${mock.url}/v1`, keys: ['sk-vllm'], models: ['bge-declared'], endpoints: ['rerank'] },
    ];
    for (const c of channels) expect((await admin.post('/api/channels', c)).status).toBe(201);
    for (const m of ['rerank-v3.5', 'jina-reranker-v2', 'rerank-2.5', 'bge-reranker', 'bge-declared', 'rerank-gone', 'voyage-gone']) {
      // Jina is token-priced (USD per million input tokens); the others wait for perSearchUnit prices
      expect((await admin.put(`/api/prices/${m}`, { input: m.startsWith('jina') ? 3.17 : 0.02, output: 0 })).status).toBe(200);
    }
    const user = await admin.post('/api/users', { name: 'rerank-user', balance: 100 });
    key = String((await admin.post('/api/tokens', { name: 'rerank', userId: user.body.id })).body.key);
    await eventually(async () => (await rerank(sys.url, key, { model: 'rerank-v3.5', query: 'q', documents: ['q'] })).status === 200, 5_000, 'routable');
  });

  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });
  beforeEach(() => mock.reset());

  it('Cohere: /v2/rerank in its v2 dialect, documents back-filled, billed in the search units Cohere reports', async () => {
    const r = await rerank(sys.url, key, { model: 'rerank-v3.5', query: QUERY, documents: DOCS, top_n: 2, return_documents: true });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x) => [x.index, x.document?.text])).toEqual([
      [1, 'Paris is the capital of France.'],
      [2, 'France is a country in Europe.'],
    ]);
    expect(r.body.meta?.billed_units?.search_units).toBe(1);
    expect(mock.requests.map((q) => [q.path, q.key, q.body])).toEqual([
      [
        '/v2/rerank',
        'co-key',
        {
          model: 'rerank-v3.5',
          query: QUERY,
          documents: ['The cat sat on the mat.', 'Paris is the capital of France.', 'France is a country in Europe.'],
          top_n: 2,
        },
      ],
    ]);
    const log = await logOf(admin, r.requestId);
    expect([log.endpoint, log.protocol, log.upstreamProtocol, log.units]).toEqual(['rerank', 'rerank', 'cohere-rerank', { searchUnits: 1 }]);
    // Until prices carry perSearchUnit (another branch), the unit price is checked at the formula on the record's units.
    const price = {
      model: 'rerank-v3.5',
      inputMicros: 0,
      outputMicros: 0,
      cacheReadMicros: 0,
      cacheWriteMicros: 0,
      perRequestMicros: 0,
      perSearchUnitMicros: 2_000,
    };
    expect(computeCostMicros({ promptTokens: 0, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, price, 1, log.units)).toBe(2_000);
  });

  it('Jina: /v1/rerank as sent, documents returned, its total_tokens billed as input tokens', async () => {
    const r = await rerank(sys.url, key, { model: 'jina-reranker-v2', query: QUERY, documents: DOCS, return_documents: true });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x) => [x.index, x.document?.text])).toEqual([
      [1, 'Paris is the capital of France.'],
      [2, 'France is a country in Europe.'],
      [0, 'The cat sat on the mat.'],
    ]);
    expect(mock.requests.map((q) => [q.path, q.key])).toEqual([['/v1/rerank', 'jina_key']]);
    const log = await logOf(admin, r.requestId);
    expect([log.endpoint, log.units, log.promptTokens]).toEqual(['rerank', { searchUnits: 1 }, r.body.usage?.total_tokens]);
    expect(log.promptTokens).toBeGreaterThan(0);
    expect(log.cost).toBeCloseTo(Math.round(log.promptTokens * 3.17) / 1e6, 9);
  });

  it('Voyage: converted to top_k and string documents, its data answered as results', async () => {
    const r = await rerank(sys.url, key, { model: 'rerank-2.5', query: QUERY, documents: DOCS, top_n: 1, return_documents: true });
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([{ index: 1, relevance_score: expect.any(Number) as number, document: { text: 'Paris is the capital of France.' } }]);
    expect(r.body.usage?.total_tokens).toBeGreaterThan(0);
    expect(mock.requests).toHaveLength(1);
    expect([mock.requests[0].path, mock.requests[0].body]).toEqual([
      '/v1/rerank',
      {
        model: 'rerank-2.5-lite',
        query: QUERY,
        documents: ['The cat sat on the mat.', 'Paris is the capital of France.', 'France is a country in Europe.'],
        top_k: 1,
        return_documents: true,
      },
    ]);
    const log = await logOf(admin, r.requestId);
    expect([log.upstreamProtocol, log.units, log.promptTokens]).toEqual(['voyage-rerank', { searchUnits: 1 }, r.body.usage?.total_tokens]);
  });

  it('an OpenAI channel serves rerank only when it declares it: 400 naming rerank, else served', async () => {
    const refused = await rerank(sys.url, key, { model: 'bge-reranker', query: QUERY, documents: DOCS });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.message).toMatch(/does not support rerank/);
    const served = await rerank(sys.url, key, { model: 'bge-declared', query: QUERY, documents: DOCS });
    expect(served.status).toBe(200);
    expect(served.body.results[0].index).toBe(1);
    expect(mock.requests.map((q) => [q.path, q.key])).toEqual([['/v1/rerank', 'sk-vllm']]);
  });

  it('an upstream’s own error body (Cohere’s message, Voyage’s detail) reaches the client in OpenAI’s shape', async () => {
    // Cohere's 404 means this channel cannot serve: with no other channel, a 503 carrying Cohere's words
    const cohere = await rerank(sys.url, key, { model: 'rerank-gone', query: QUERY, documents: DOCS });
    expect([cohere.status, cohere.body.error?.message]).toEqual([503, expect.stringContaining("model 'unknown-rerank' not found") as string]);
    const voyage = await rerank(sys.url, key, { model: 'voyage-gone', query: QUERY, documents: DOCS });
    expect([voyage.status, voyage.body.error?.type, voyage.body.error?.message]).toEqual([
      400,
      'invalid_request_error',
      expect.stringContaining('Model unknown-voyage is not supported') as string,
    ]);
    expect(mock.requests.map((q) => q.path)).toEqual(['/v2/rerank', '/v1/rerank']);
  });

  it('a bad body is a 400 in OpenAI’s shape naming the param, before any upstream is called', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ model: 'rerank-v3.5', documents: DOCS }, 'query'],
      [{ model: 'rerank-v3.5', query: QUERY, documents: [] }, 'documents'],
      [{ model: 'rerank-v3.5', query: QUERY, documents: ['ok', 42] }, 'documents[1]'],
      [{ model: 'rerank-v3.5', query: QUERY, documents: DOCS, top_n: 0 }, 'top_n'],
    ];
    for (const [body, param] of cases) {
      const r = await rerank(sys.url, key, body);
      expect([r.status, r.body.error?.type, r.body.error?.param]).toEqual([400, 'invalid_request_error', param]);
    }
    expect(mock.requests).toHaveLength(0);
  });

  it('more than 100 documents bill more search units by Cohere’s rule where the upstream reports none', async () => {
    const docs = Array.from({ length: 150 }, (_, i) => `document ${i} about France`);
    const r = await rerank(sys.url, key, { model: 'jina-reranker-v2', query: QUERY, documents: docs, top_n: 3 });
    expect(r.status).toBe(200);
    expect((await logOf(admin, r.requestId)).units).toEqual({ searchUnits: 2 });
  });

  it('a balance too small for the reservation is a 429 insufficient_quota before the upstream is called', async () => {
    const poor = await admin.post('/api/users', { name: 'rerank-poor', balance: 0.000_1 });
    const poorKey = String((await admin.post('/api/tokens', { name: 'rerank-poor', userId: poor.body.id })).body.key);
    // ≈ 500 documents × (query + document) tokens at $3.17/M would cost more than $0.0001
    const docs = Array.from({ length: 500 }, (_, i) => `${'lorem ipsum dolor sit amet '.repeat(4)} ${i}`);
    const r = await rerank(sys.url, poorKey, { model: 'jina-reranker-v2', query: QUERY, documents: docs });
    expect([r.status, r.body.error?.code]).toEqual([429, 'insufficient_quota']);
    expect(mock.requests).toHaveLength(0);
  });
});
