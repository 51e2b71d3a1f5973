import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

interface Log {
  requestId: string;
  status: number;
  model: string;
  promptTokens: number;
  completionTokens: number;
  cacheReadTokens: number;
  cost: number;
}
interface DeadLetterRow {
  id: number;
  consumer: string;
  requestId: string | null;
  record: { model?: string; requestId?: string };
  error: string;
  createdAt: string;
}

/** request_logs' int4 maximum: the documented largest token count a usage record holds */
const MAX_TOKENS = 2_147_483_647;

/** An OpenAI chat completion whose usage numbers are whatever a broken upstream sends. */
const completion = (usage: Record<string, unknown>) => ({
  id: 'chatcmpl-hostile',
  object: 'chat.completion',
  created: 1,
  model: 'sb-hostile',
  choices: [{ index: 0, message: { role: 'assistant', content: 'still an answer' }, finish_reason: 'stop' }],
  usage,
});

/**
 * Upstreams that report absurd usage (1e30, -5, 2.5, "12") and a record Postgres cannot store (a NUL in the model
 * name): every client still gets its answer, each record is billed from sanitised counts or kept in the dead letters,
 * and the usage pipeline keeps flowing behind them (standalone: the spool used to stall on such a record for good).
 */
describe('hostile usage numbers and a poison record (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let openai: OpenAI;
  let key: string;

  const logOf = (id: string) =>
    eventually(
      async () => {
        const r = await admin.get<Log>(`/api/logs/${id}`);
        return r.status === 200 ? r.body : null;
      },
      15_000,
      `the log of ${id}`,
    );

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/channels', { name: 'hostile', type: 'openai', baseUrl: mock.url, keys: ['sk-up'], models: ['sb-hostile'] })).status).toBe(
      201,
    );
    expect((await admin.put(`/api/prices/sb-hostile`, { input: 1, output: 2, cacheRead: 0.5, cacheWrite: 1 })).status).toBe(200);
    const user = await admin.post<{ id: number }>('/api/users', { name: 'hostile-payer', balance: null });
    key = (await admin.post<{ key: string }>('/api/tokens', { name: 'hostile-key', userId: user.body.id })).body.key;
    openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  it('answers every client, bills sanitised counts, dead-letters the poison record, and later requests keep flowing', async () => {
    const cases: { usage: Record<string, unknown>; want: Pick<Log, 'promptTokens' | 'completionTokens' | 'cacheReadTokens'>; costMicros: number }[] = [
      // 1e30 prompt tokens: clamped to the maximum, billed at $1/M: MAX µ$ + 5 × 2 µ$
      {
        usage: { prompt_tokens: 1e30, completion_tokens: 5, total_tokens: 1e30 },
        want: { promptTokens: MAX_TOKENS, completionTokens: 5, cacheReadTokens: 0 },
        costMicros: MAX_TOKENS + 10,
      },
      // negative → 0, a fraction rounds: 3 × 2 µ$
      {
        usage: { prompt_tokens: -5, completion_tokens: 2.5, total_tokens: -2.5 },
        want: { promptTokens: 0, completionTokens: 3, cacheReadTokens: 0 },
        costMicros: 6,
      },
      // a numeric string is read, a fractional cache count rounds: 9 uncached × 1 + 3 cached × 0.5 + 4 × 2 = 18.5 µ$, half up 19
      {
        usage: { prompt_tokens: '12', completion_tokens: 4, prompt_tokens_details: { cached_tokens: 2.6 } },
        want: { promptTokens: 12, completionTokens: 4, cacheReadTokens: 3 },
        costMicros: 19,
      },
    ];
    const ids: string[] = [];
    for (const c of cases) {
      mock.setFault({ match: { model: 'sb-hostile' }, times: 1, status: 200, body: completion(c.usage) });
      const { data, response } = await openai.chat.completions.create({ model: 'sb-hostile', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      expect(response.status).toBe(200);
      expect(data.choices[0].message.content).toBe('still an answer');
      ids.push(response.headers.get('x-request-id')!);
    }
    for (const [i, c] of cases.entries()) {
      const log = await logOf(ids[i]);
      expect(log).toMatchObject({ status: 200, ...c.want });
      expect(Math.round(log.cost * 1e6)).toBe(c.costMicros);
    }

    // A record the log store cannot hold: Postgres text refuses NUL. The client gets its 404; the record is kept aside.
    const poison = await fetch(`${sys.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sb-\u0000hostile', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(poison.status).toBeLessThan(500);
    const poisonId = poison.headers.get('x-request-id')!;
    const letter = await eventually(
      async () => {
        const r = await admin.get<{ data: DeadLetterRow[]; total: number }>(`/api/usage/dead-letters?requestId=${poisonId}`);
        return r.status === 200 && r.body.total > 0 ? r.body.data[0] : null;
      },
      20_000,
      'the poison record in the dead letters',
    );
    expect(letter).toMatchObject({ consumer: 'log-writer-usage', requestId: poisonId, record: { model: 'sb-\u0000hostile', requestId: poisonId } });
    expect(letter.error.length).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(letter.createdAt))).toBe(false);
    const listed = await admin.get<{ data: DeadLetterRow[]; total: number }>('/api/usage/dead-letters?limit=10&offset=0');
    expect(listed.body.total).toBeGreaterThanOrEqual(1);
    expect(listed.body.data.some((d) => d.requestId === poisonId)).toBe(true);
    expect((await fetch(`${sys.url}/api/usage/dead-letters`)).status).toBe(401); // admin only

    // Behind it, the pipeline flows: a later request is logged as usual.
    const later = await openai.chat.completions.create({ model: 'sb-hostile', messages: [{ role: 'user', content: 'after the poison' }] }).withResponse();
    const laterId = later.response.headers.get('x-request-id')!;
    await eventually(
      async () => {
        const r = await admin.get<{ data: Log[] }>('/api/logs?model=sb-hostile&limit=10');
        return r.body.data.some((l) => l.requestId === laterId);
      },
      15_000,
      'the later request in GET /api/logs',
    );
  });
});
