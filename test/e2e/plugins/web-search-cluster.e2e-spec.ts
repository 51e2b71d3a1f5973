import OpenAI from 'openai';
import { startFakeSearch, startMockUpstream, type FakeSearch, type MockUpstream } from '@switchboard/testing';
import { requireInfra } from '../../support/infra';
import { adminClient, eventually, startCluster, type System } from '../../support/harness';

jest.setTimeout(180_000);

/**
 * web-search through the five services: the router delivers the plugin's settings (its sealed engine key opened) to the
 * gateway, which searches, injects and cites; the log-writer records the search unit and its price.
 */
describe('web-search plugin (cluster)', () => {
  let run = true;
  let mock: MockUpstream;
  let search: FakeSearch;
  let sys: (System & { dropDatabase(): Promise<void> }) | undefined;

  beforeAll(async () => {
    run = await requireInfra('postgres', 'redis', 'nats');
    if (!run) return;
    [mock, search] = await Promise.all([startMockUpstream(), startFakeSearch()]);
    sys = await startCluster({ env: { UNPRICED_MODEL_POLICY: 'free' } });
  });
  afterAll(async () => {
    await sys?.stop();
    await sys?.dropDatabase();
    await Promise.all([mock?.close(), search?.close()]);
  });

  it('a Brave-engine search with its key: results injected upstream, url_citation annotations, the search billed', async () => {
    if (!run) return;
    const admin = adminClient(sys!.url, sys!.adminKey);
    expect((await admin.post('/api/channels', { name: 'oa', type: 'openai', baseUrl: mock.url, keys: ['sk-up'], models: ['ws-gpt'] })).status).toBe(201);
    const put = await admin.put<{ apiKey: string }>('/api/plugins/web-search', {
      enabled: true,
      engine: 'brave',
      url: `${search.url}/res/v1/web/search`,
      apiKey: 'brave-secret-token-1234',
      maxResults: 3,
      pricePerSearch: 0.005,
    });
    expect(put.status).toBe(200);
    expect(put.body.apiKey).not.toContain('brave-secret-token-1234');
    const key = String((await admin.post('/api/tokens', { name: 'ws' })).body.key);
    const openai = new OpenAI({ apiKey: key, baseURL: `${sys!.url}/v1`, maxRetries: 0 });

    const { data, response } = await eventually(
      async () => {
        const r = await openai.chat.completions
          .create({ model: 'ws-gpt', messages: [{ role: 'user', content: 'Who won? [1]' }], web_search_options: {} })
          .withResponse()
          .catch(() => null);
        return r?.data.choices[0].message.annotations?.length ? r : null;
      },
      15_000,
      'web-search active on the gateway',
    );
    expect(search.requests.at(-1)!.headers['x-subscription-token']).toBe('brave-secret-token-1234');
    const up = mock.requests.at(-1)!.body as { messages: { role: string; content: string }[]; web_search_options?: unknown };
    expect(up.web_search_options).toBeUndefined();
    expect(up.messages[0].content).toContain('URL: https://example.com/brave/1');
    expect(data.choices[0].message.annotations![0]).toMatchObject({ type: 'url_citation', url_citation: { url: 'https://example.com/brave/1' } });

    const log = await eventually(
      async () => {
        const r = await admin.get<{ units: Record<string, number> | null; cost: number }>(`/api/logs/${response.headers.get('x-request-id')}`);
        return r.status === 200 ? r.body : null;
      },
      10_000,
      'the log',
    );
    expect(log.units).toEqual({ searchUnits: 1 });
    expect(log.cost).toBeCloseTo(0.005, 9);
  });
});
