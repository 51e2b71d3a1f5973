import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, startStandalone, type System } from '../../support/harness';

jest.setTimeout(180_000);

const RANDOM_MODELS = 1000;
const CONCURRENCY = 16;

/** The values the `model` label takes in /metrics, per metric family. */
function modelLabels(metrics: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of metrics.split('\n')) {
    const m = /^(switchboard_[a-z_]+?)(?:_bucket|_sum|_count)?\{([^}]*)\}/.exec(line);
    const model = m && /(?:^|,)model="([^"]*)"/.exec(m[2]);
    if (!m || !model) continue;
    let set = out.get(m[1]);
    if (!set) out.set(m[1], (set = new Set()));
    set.add(model[1]);
  }
  return out;
}

describe('metric labels stay bounded whatever model names clients send', () => {
  let mock: MockUpstream;
  let sys: System;
  let key: string;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone({ UNPRICED_MODEL_POLICY: 'free' });
    const admin = adminClient(sys.url, sys.adminKey);
    const ch = await admin.post('/api/channels', { name: 'wild', type: 'openai', baseUrl: mock.url, keys: ['sk-up'], models: ['wild-*', 'wild-known'] });
    expect(ch.status).toBe(201);
    expect((await admin.post('/api/aliases', { name: 'wild-alias', targets: [{ model: 'wild-known', weight: 1 }] })).status).toBe(201);
    const tok = await admin.post('/api/tokens', { name: 'labels' });
    expect(tok.status).toBe(201);
    key = String(tok.body.key);
  });

  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  const chat = async (model: string, stream: boolean): Promise<number> => {
    const r = await fetch(`${sys.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await r.arrayBuffer();
    return r.status;
  };

  it(`${RANDOM_MODELS} made-up names through a wildcard channel add only the "other" series`, async () => {
    const names = Array.from({ length: RANDOM_MODELS }, (_, i) => `wild-${i}-${Math.random().toString(36).slice(2, 10)}`);
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < names.length) {
          const i = next++;
          // Every fourth one streams, so the time-to-first-token histogram is exercised too.
          statuses.push(await chat(names[i], i % 4 === 0));
        }
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(await chat('wild-known', true)).toBe(200);
    expect(await chat('wild-alias', false)).toBe(200);

    const metrics = await (await fetch(`${sys.url}/metrics`)).text();
    const labels = modelLabels(metrics);
    for (const family of ['switchboard_requests_total', 'switchboard_time_to_first_token_seconds', 'switchboard_tokens_total']) {
      expect([family, [...(labels.get(family) ?? [])].sort()]).toEqual([family, expect.arrayContaining(['other', 'wild-known'])]);
    }
    const all = new Set([...labels.values()].flatMap((s) => [...s]));
    expect([...all].sort()).toEqual(['other', 'wild-alias', 'wild-known']);
    // The whole exposition stays small: each made-up name would otherwise add ~30 lines (histogram buckets).
    expect(metrics.split('\n').length).toBeLessThan(2_000);
  });
});
