import { startMockUpstream, type MockUpstream } from '../index';

/** The mock's rerank vendors: Cohere at /v2, Voyage (told by its `pa-` key) and Jina-shaped servers at /v1. */
describe('mock upstream: rerank as Cohere, Jina and Voyage answer it', () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startMockUpstream();
  });
  afterAll(() => mock.close());

  const post = async (path: string, key: string, body: unknown) => {
    const res = await fetch(`${mock.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const docs = ['the cat sat', 'capital of France is Paris', 'Paris'];
  const query = 'capital of France';

  it('Cohere: results by word overlap without documents, billed search units', async () => {
    const r = await post('/v2/rerank', 'co-key', { model: 'rerank-v3.5', query, documents: docs, top_n: 2 });
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([
      { index: 1, relevance_score: 1 },
      { index: 0, relevance_score: 0 },
    ]);
    expect(r.body.meta).toEqual({ api_version: { version: '2', is_experimental: false }, billed_units: { search_units: 1 } });
    const empty = await post('/v2/rerank', 'co-key', { model: 'rerank-v3.5', query, documents: [] });
    expect([empty.status, empty.body.message]).toEqual([400, 'invalid request: list of documents must not be empty']);
    expect(typeof empty.body.id).toBe('string');
  });

  it('Jina: results with documents and total_tokens; FastAPI 422 for a missing field', async () => {
    const r = await post('/v1/rerank', 'jina_key', { model: 'jina-reranker-v2', query, documents: docs });
    expect((r.body.results as { index: number }[]).map((x) => x.index)).toEqual([1, 0, 2]); // ties keep the documents' order
    expect(r.body.usage).toEqual({ total_tokens: 3 * 3 + 3 + 5 + 1, prompt_tokens: 3 * 3 + 3 + 5 + 1 });
    const bad = await post('/v1/rerank', 'jina_key', { model: 'jina-reranker-v2', documents: docs });
    expect([bad.status, bad.body.detail]).toEqual([422, [{ type: 'missing', loc: ['body', 'query'], msg: 'Field required', input: null }]]);
  });

  it('Voyage (a pa- key): top_k, answers under data; refuses top_n with its detail', async () => {
    const r = await post('/v1/rerank', 'pa-key', { model: 'rerank-2.5', query, documents: docs, top_k: 1, return_documents: true });
    expect(r.body).toEqual({ object: 'list', data: [{ relevance_score: 1, index: 1, document: docs[1] }], model: 'rerank-2.5', usage: { total_tokens: 18 } });
    const bad = await post('/v1/rerank', 'pa-key', { model: 'rerank-2.5', query, documents: docs, top_n: 1 });
    expect([bad.status, bad.body.detail]).toEqual([400, "Request body has an unexpected field 'top_n'."]);
  });
});
