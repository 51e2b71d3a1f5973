import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(90_000);

type Admin = ReturnType<typeof adminClient>;
interface Log {
  requestId: string;
  status: number;
  userId: number;
  model: string;
  channelId: number | null;
  promptTokens: number;
  completionTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cost: number;
  error: string | null;
}
interface StatsEntry {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  errorRate: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

// USD per million tokens, chosen so that every class and the ratio produce fractions of a micro-dollar.
const PRICE = { input: 3.17, output: 15.43, cacheRead: 0.311, cacheWrite: 3.967, perRequest: 0.000123 };
const RATIO = 1.37;
const micros = (usd: number) => BigInt(Math.round(usd * 1e6));

/**
 * SPEC §6, written out independently of libs/pricing: (uncached input × input + cache reads × cacheRead + cache
 * writes × cacheWrite + output × output) / 1e6 × priceRatio + perRequest, in integer micro-USD, the token part
 * rounded half up once.
 */
function expectedCostMicros(l: Pick<Log, 'promptTokens' | 'completionTokens' | 'cacheReadTokens' | 'cacheWriteTokens'>): bigint {
  const uncached = BigInt(l.promptTokens - l.cacheReadTokens - l.cacheWriteTokens);
  const tokenPart =
    uncached * micros(PRICE.input) +
    BigInt(l.cacheReadTokens) * micros(PRICE.cacheRead) +
    BigInt(l.cacheWriteTokens) * micros(PRICE.cacheWrite) +
    BigInt(l.completionTokens) * micros(PRICE.output);
  const scaled = tokenPart * micros(RATIO); // µ$·tokens/M × ratio×1e6
  const denom = 1_000_000n * 1_000_000n;
  return (scaled + denom / 2n) / denom + micros(PRICE.perRequest);
}

/** Cost formula, ledger and stats through the real gateway (standalone): log cost = ledger debit = formula, to the micro-dollar. */
describe('cost, ledger and stats (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: Admin;
  let userId: number;
  let key: string;
  let openai: OpenAI;
  const requestIds: string[] = [];

  const logOf = (id: string) =>
    eventually(
      async () => {
        const r = await admin.get<Log>(`/api/logs/${id}`);
        return r.status === 200 ? r.body : null;
      },
      5_000,
      `the log of ${id}`,
    );
  const ledgerOf = (id: string) =>
    eventually(
      async () => {
        const r = await admin.get<{ data: { amount: number; kind: string; userId: number }[]; total: number }>(`/api/ledger?requestId=${id}`);
        return r.body.total > 0 ? r.body : null;
      },
      5_000,
      `the ledger entry of ${id}`,
    );

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/channels', { name: 'mock-openai', type: 'openai', baseUrl: mock.url, keys: ['sk-up'], models: ['sb-priced'] })).status).toBe(
      201,
    );
    expect(
      (await admin.post('/api/channels', { name: 'mock-anthropic', type: 'anthropic', baseUrl: mock.url, keys: ['sk-up'], models: ['sb-priced-claude'] }))
        .status,
    ).toBe(201);
    for (const model of ['sb-priced', 'sb-priced-claude']) {
      const put = await admin.put<Record<string, unknown>>(`/api/prices/${model}`, PRICE);
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ model, ...PRICE, builtin: false });
    }
    expect((await admin.patch('/api/groups/default', { priceRatio: RATIO })).status).toBe(200);
    const user = await admin.post<{ id: number }>('/api/users', { name: 'payer', balance: 100 });
    userId = user.body.id;
    key = (await admin.post<{ key: string }>('/api/tokens', { name: 'payer-key', userId })).body.key;
    openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  async function checkBilled(requestId: string, upstream: Pick<Log, 'promptTokens' | 'completionTokens' | 'cacheReadTokens' | 'cacheWriteTokens'>) {
    requestIds.push(requestId);
    const log = await logOf(requestId);
    expect(log).toMatchObject({ status: 200, userId, ...upstream });
    const expected = expectedCostMicros(log);
    expect(micros(log.cost)).toBe(expected);
    const ledger = await ledgerOf(requestId);
    expect(ledger.total).toBe(1);
    expect(ledger.data[0]).toMatchObject({ kind: 'usage', userId });
    expect(micros(-ledger.data[0].amount)).toBe(expected);
    return log;
  }

  it('prices every token class with the group ratio and the per-request price (OpenAI, non-stream)', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'sb-priced', messages: [{ role: 'user', content: '[cache:1000/200] alpha beta gamma delta' }] })
      .withResponse();
    const u = data.usage!;
    const details = u.prompt_tokens_details as { cached_tokens: number; cache_write_tokens?: number };
    expect(details.cached_tokens).toBe(1000);
    expect(details.cache_write_tokens).toBe(200);
    const log = await checkBilled(response.headers.get('x-request-id')!, {
      promptTokens: u.prompt_tokens,
      completionTokens: u.completion_tokens,
      cacheReadTokens: 1000,
      cacheWriteTokens: 200,
    });
    expect(log.promptTokens - log.cacheReadTokens - log.cacheWriteTokens).toBeGreaterThan(0);
    // the answer tells its cost, the same the log and the ledger hold
    expect(micros(Number(response.headers.get('x-switchboard-cost')))).toBe(micros(log.cost));
    expect(micros(log.cost)).toBeGreaterThan(0n);
  });

  it('bills a stream from the usage the upstream reports (OpenAI, include_usage)', async () => {
    const { data: stream, response } = await openai.chat.completions
      .create({
        model: 'sb-priced',
        messages: [{ role: 'user', content: '[cache:300] [chunks:6] stream me' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) if (c.usage) usage = c.usage;
    // a stream's cost is known only at its end: no header
    expect(response.headers.get('x-switchboard-cost')).toBeNull();
    await checkBilled(response.headers.get('x-request-id')!, {
      promptTokens: usage!.prompt_tokens,
      completionTokens: usage!.completion_tokens,
      cacheReadTokens: 300,
      cacheWriteTokens: 0,
    });
  });

  it('counts Anthropic cache tokens on top of input_tokens (Anthropic in, Anthropic upstream)', async () => {
    const anthropic = new Anthropic({ apiKey: key, baseURL: sys.url, maxRetries: 0 });
    const { data, response } = await anthropic.messages
      .create({ model: 'sb-priced-claude', max_tokens: 64, messages: [{ role: 'user', content: '[cache:500/70] bonjour tout le monde' }] })
      .withResponse();
    const u = data.usage;
    expect(u.cache_read_input_tokens).toBe(500);
    expect(u.cache_creation_input_tokens).toBe(70);
    await checkBilled(response.headers.get('x-request-id')!, {
      promptTokens: u.input_tokens + 500 + 70,
      completionTokens: u.output_tokens,
      cacheReadTokens: 500,
      cacheWriteTokens: 70,
    });
  });

  it('moves the balance by exactly the ledger debits, and the ledger reconciles', async () => {
    const ledger = await admin.get<{ sum: number; total: number }>(`/api/ledger?userId=${userId}&kind=usage`);
    expect(ledger.body.total).toBe(requestIds.length);
    const user = await admin.get<{ balance: number }>(`/api/users/${userId}`);
    expect(micros(user.body.balance)).toBe(micros(100) + micros(ledger.body.sum));
    const rec = await admin.get<{ consistent: boolean; quotaCounters: { ran: boolean; checked: number; drifted: number } }>('/api/ledger/reconciliation');
    expect(rec.body.consistent).toBe(true);
    // The gateway's in-memory quota counter (the user's balance) agrees with the ledger too.
    expect(rec.body.quotaCounters).toMatchObject({ ran: true, drifted: 0 });
    expect(rec.body.quotaCounters.checked).toBeGreaterThanOrEqual(1);
  });

  it('GET /api/stats agrees with the logs and the ledger to the micro-dollar', async () => {
    // one failed request (the upstream answers 500 and there is no other channel): logged, not billed
    await expect(openai.chat.completions.create({ model: 'sb-priced', messages: [{ role: 'user', content: '[error:500] fail' }] })).rejects.toMatchObject({
      status: 503,
    });
    const logs = await eventually(
      async () => {
        const r = await admin.get<{ data: Log[] }>(`/api/logs?userId=${userId}&limit=500`);
        return r.body.data.length === requestIds.length + 1 ? r.body.data : null;
      },
      5_000,
      'every log',
    );
    const failed = logs.find((l) => !requestIds.includes(l.requestId))!;
    expect(failed).toMatchObject({ status: 503, cost: 0 });
    expect((await admin.get<{ total: number }>(`/api/ledger?requestId=${failed.requestId}`)).body.total).toBe(0);

    const logCost = logs.reduce((s, l) => s + micros(l.cost), 0n);
    const ledger = await admin.get<{ sum: number }>(`/api/ledger?kind=usage`);
    expect(micros(-ledger.body.sum)).toBe(logCost);

    const res = await admin.get<{
      totals: StatsEntry;
      byDay: (StatsEntry & { date: string })[];
      byModel: (StatsEntry & { model: string })[];
      byChannel: (StatsEntry & { channelId: number })[];
      topUsers: (StatsEntry & { userId: number })[];
    }>('/api/stats?days=7');
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s.totals.requests).toBe(logs.length);
    expect(micros(s.totals.cost)).toBe(logCost);
    expect(s.totals.promptTokens).toBe(logs.reduce((a, l) => a + l.promptTokens, 0));
    expect(s.totals.completionTokens).toBe(logs.reduce((a, l) => a + l.completionTokens, 0));
    expect(s.totals.errorRate).toBeCloseTo(1 / logs.length, 10);
    expect(s.totals.latencyP50Ms).not.toBeNull();
    expect(s.totals.latencyP95Ms!).toBeGreaterThanOrEqual(s.totals.latencyP50Ms!);

    expect(s.byDay).toHaveLength(7);
    expect(s.byDay[6].date).toBe(new Date().toISOString().slice(0, 10));
    expect(s.byDay[6]).toMatchObject({ requests: logs.length, cost: s.totals.cost });
    expect(s.byDay.slice(0, 6).every((d) => d.requests === 0 && d.cost === 0)).toBe(true);

    const sumOf = (xs: StatsEntry[]) => xs.reduce((a, x) => a + micros(x.cost), 0n);
    expect(sumOf(s.byModel)).toBe(logCost);
    expect(sumOf(s.byChannel)).toBe(logCost);
    const claude = s.byModel.find((m) => m.model === 'sb-priced-claude')!;
    expect(claude.requests).toBe(1);
    expect(micros(claude.cost)).toBe(micros(logs.find((l) => l.model === 'sb-priced-claude')!.cost));
    expect(s.byModel.find((m) => m.model === 'sb-priced')).toMatchObject({ requests: logs.length - 1, errorRate: 1 / (logs.length - 1) });
    expect(s.topUsers[0]).toMatchObject({ userId, requests: logs.length });
    expect(micros(s.topUsers[0].cost)).toBe(logCost);

    expect((await admin.get('/api/stats?days=0')).status).toBe(400);
  });

  it('audits the price and ratio changes', async () => {
    const prices = await admin.get<{ data: { entityId: string; after: { input: number } }[] }>('/api/audit?entity=price&action=update');
    expect(prices.status).toBe(200);
    const created = await admin.get<{ data: { entityId: string; after: { input: number } }[] }>('/api/audit?entity=price&action=create');
    expect([...prices.body.data, ...created.body.data].filter((a) => a.entityId.startsWith('sb-priced'))).toHaveLength(2);
    const groups = await admin.get<{ data: { after: { priceRatio: number } }[] }>('/api/audit?entity=group&entityId=default');
    expect(groups.body.data[0].after.priceRatio).toBe(RATIO);
  });
});
