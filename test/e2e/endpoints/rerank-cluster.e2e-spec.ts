import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { requireInfra } from '../../support/infra';
import { adminClient, eventually, startCluster, type System } from '../../support/harness';
import { DOCS, logOf, QUERY, rerank } from './support/rerank';

jest.setTimeout(180_000);

/** Rerank through the five services on NATS, Redis and Postgres: the declared endpoints reach the gateway's table. */
describe('POST /v1/rerank (cluster)', () => {
  let run = true;
  let mock: MockUpstream;
  let sys: (System & { dropDatabase(): Promise<void> }) | undefined;

  beforeAll(async () => {
    run = await requireInfra('postgres', 'redis', 'nats');
    if (!run) return;
    mock = await startMockUpstream();
    sys = await startCluster({ env: { UNPRICED_MODEL_POLICY: 'free' } });
  });

  afterAll(async () => {
    await sys?.stop();
    await sys?.dropDatabase();
    await mock?.close();
  });

  it('Voyage converted, an OpenAI-compatible channel only once it declares rerank; the log shows endpoint and units', async () => {
    if (!run) return;
    const admin = adminClient(sys!.url, sys!.adminKey);
    expect((await admin.post('/api/channels', { name: 'voyage', type: 'voyage', baseUrl: mock.url, keys: ['pa-key'], models: ['rerank-2.5'] })).status).toBe(
      201,
    );
    const vllm = await admin.post<{ id: number; endpoints: string[] | null }>('/api/channels', {
      name: 'vllm',
      type: 'openai-compatible',
      baseUrl: mock.url,
      keys: ['sk-vllm'],
      models: ['bge-reranker'],
    });
    expect([vllm.status, vllm.body.endpoints]).toEqual([201, null]);
    const key = String((await admin.post('/api/tokens', { name: 'rerank' })).body.key);

    const r = await eventually(
      async () => {
        const a = await rerank(sys!.url, key, { model: 'rerank-2.5', query: QUERY, documents: DOCS, top_n: 2 });
        return a.status === 200 ? a : null;
      },
      10_000,
      'voyage routable',
    );
    expect(r.body.results.map((x) => x.index)).toEqual([1, 2]);
    expect((mock.requests.at(-1)?.body as { top_k?: number }).top_k).toBe(2);
    const log = await logOf(admin, r.requestId);
    expect([log.endpoint, log.upstreamProtocol, log.units]).toEqual(['rerank', 'voyage-rerank', { searchUnits: 1 }]);
    expect(log.promptTokens).toBe(r.body.usage?.total_tokens);

    expect((await rerank(sys!.url, key, { model: 'bge-reranker', query: QUERY, documents: DOCS })).status).toBe(400);
    const patched = await admin.patch<{ endpoints: string[] | null }>(`/api/channels/${vllm.body.id}`, { endpoints: ['rerank'] });
    expect([patched.status, patched.body.endpoints]).toEqual([200, ['rerank']]);
    const served = await eventually(
      async () => {
        const a = await rerank(sys!.url, key, { model: 'bge-reranker', query: QUERY, documents: DOCS });
        return a.status === 200 ? a : null;
      },
      10_000,
      'the declared endpoint in the gateway’s table',
    );
    expect(served.body.results[0].index).toBe(1);
  });
});
