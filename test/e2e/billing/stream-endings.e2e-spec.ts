import { countTokens } from 'gpt-tokenizer';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(90_000);

interface Log {
  requestId: string;
  status: number;
  stream: boolean;
  promptTokens: number;
  completionTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cost: number;
  ttftMs: number | null;
  error: string | null;
}

const PRICE = { input: 1.5, output: 4.25 }; // USD per million tokens, ratio 1, no per-request price
const micros = (usd: number) => BigInt(Math.round(usd * 1e6));
const costMicros = (l: Log) => {
  const scaled = BigInt(l.promptTokens - l.cacheReadTokens - l.cacheWriteTokens) * micros(PRICE.input) + BigInt(l.completionTokens) * micros(PRICE.output);
  return (scaled + 500_000n) / 1_000_000n;
};

/** What a streaming client received: the text deltas and whether the stream carried an in-stream error. */
interface Received {
  requestId: string;
  status: number;
  text: string;
  events: unknown[];
  errored: boolean;
}

/**
 * Reads an SSE response the way a client would. `stopAfterDeltas` aborts the request (closes the socket) after that
 * many text deltas: the client going away mid-stream.
 */
async function streamRequest(url: string, init: RequestInit, textOf: (ev: Record<string, unknown>) => string, stopAfterDeltas?: number): Promise<Received> {
  const ac = new AbortController();
  const res = await fetch(url, { ...init, signal: ac.signal });
  const out: Received = { requestId: res.headers.get('x-request-id')!, status: res.status, text: '', events: [], errored: false };
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let deltas = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = frame
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n');
        if (!data || data === '[DONE]') continue;
        const ev = JSON.parse(data) as Record<string, unknown>;
        out.events.push(ev);
        if ('error' in ev || ev.type === 'error') out.errored = true;
        const t = textOf(ev);
        if (t) {
          out.text += t;
          if (stopAfterDeltas !== undefined && ++deltas >= stopAfterDeltas) {
            ac.abort();
            return out;
          }
        }
      }
    }
  } catch (e) {
    if ((e as Error).name !== 'AbortError') throw e;
  }
  return out;
}

const openaiText = (ev: Record<string, unknown>) => {
  const choices = ev.choices as { delta?: { content?: string } }[] | undefined;
  return choices?.[0]?.delta?.content ?? '';
};
const anthropicText = (ev: Record<string, unknown>) => {
  const d = ev.delta as { type?: string; text?: string } | undefined;
  return ev.type === 'content_block_delta' && d?.type === 'text_delta' ? (d.text ?? '') : '';
};

/**
 * Each way a stream can end, through the real gateway (standalone), with its billing policy:
 * - completed: the upstream's own usage;
 * - client aborted: status 499, billed for the output relayed before the client left (tokenizer count);
 * - upstream dropped / sent an in-stream error: the client gets the protocol's in-stream error, the record keeps
 *   status 200 (the HTTP status the client saw) with `error` set, billed for what was delivered;
 * - no usage from the upstream (no stream_options.include_usage): counted with the tokenizer, never 0.
 * Every ending has exactly one record, and its ledger debit equals its cost.
 */
describe('stream endings are logged and billed (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let key: string;

  const chat = (content: string, extra: Record<string, unknown> = {}): RequestInit => ({
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'sb-stream', messages: [{ role: 'user', content }], stream: true, ...extra }),
  });
  const messages = (content: string): RequestInit => ({
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'sb-stream-claude', max_tokens: 200, messages: [{ role: 'user', content }], stream: true }),
  });

  /** The request's one log record, its one ledger debit equal to its cost, and the cost by the formula. */
  async function billedRecord(requestId: string): Promise<Log> {
    const log = await eventually(
      async () => {
        const r = await admin.get<Log>(`/api/logs/${requestId}`);
        return r.status === 200 ? r.body : null;
      },
      5_000,
      `the log of ${requestId}`,
    );
    expect(log.stream).toBe(true);
    expect(micros(log.cost)).toBe(costMicros(log));
    if (log.cost > 0) {
      const ledger = await eventually(
        async () => {
          const r = await admin.get<{ data: { amount: number }[]; total: number }>(`/api/ledger?requestId=${requestId}`);
          return r.body.total > 0 ? r.body : null;
        },
        5_000,
        `the ledger entry of ${requestId}`,
      );
      expect(ledger.total).toBe(1);
      expect(micros(-ledger.data[0].amount)).toBe(micros(log.cost));
    }
    return log;
  }

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/channels', { name: 'oa', type: 'openai', baseUrl: mock.url, keys: ['sk-up'], models: ['sb-stream'] })).status).toBe(201);
    expect(
      (await admin.post('/api/channels', { name: 'an', type: 'anthropic', baseUrl: mock.url, keys: ['sk-up'], models: ['sb-stream-claude'] })).status,
    ).toBe(201);
    for (const m of ['sb-stream', 'sb-stream-claude']) expect((await admin.put(`/api/prices/${m}`, PRICE)).status).toBe(200);
    const user = await admin.post<{ id: number }>('/api/users', { name: 'streamer', balance: 50 });
    key = (await admin.post<{ key: string }>('/api/tokens', { name: 'streamer-key', userId: user.body.id })).body.key;
  });

  afterEach(() => mock.clearFaults());

  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  it('completed: billed from the upstream usage', async () => {
    const r = await streamRequest(
      `${sys.url}/v1/chat/completions`,
      chat('[chunks:8] the whole story', { stream_options: { include_usage: true } }),
      openaiText,
    );
    expect(r.status).toBe(200);
    expect(r.errored).toBe(false);
    const usage = (r.events.find((e) => (e as { usage?: unknown }).usage) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
    const log = await billedRecord(r.requestId);
    expect(log).toMatchObject({ status: 200, error: null, promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens });
    expect(log.ttftMs).not.toBeNull();
    expect(log.cost).toBeGreaterThan(0);
  });

  it('client aborted mid-stream: status 499, billed for what was relayed before it left', async () => {
    const full = 40;
    const r = await streamRequest(
      `${sys.url}/v1/chat/completions`,
      chat(`[chunks:${full}] [delay:60] a long answer`, { stream_options: { include_usage: true } }),
      openaiText,
      3,
    );
    expect(r.status).toBe(200);
    const log = await billedRecord(r.requestId);
    expect(log.status).toBe(499);
    expect(log.error).toMatch(/client/i);
    // at least what the client read, far less than the whole answer (one word per chunk, ~1-2 tokens each)
    expect(log.completionTokens).toBeGreaterThanOrEqual(countTokens(r.text));
    expect(log.completionTokens).toBeLessThan(full);
    expect(log.promptTokens).toBeGreaterThan(0);
    expect(log.cost).toBeGreaterThan(0);
  });

  it('upstream dropped the connection mid-stream: in-stream error, billed for what was delivered', async () => {
    mock.setFault({ match: { model: 'sb-stream' }, dropAfterChunks: 5, times: 1 });
    const r = await streamRequest(`${sys.url}/v1/chat/completions`, chat('[chunks:12] cut short', { stream_options: { include_usage: true } }), openaiText);
    expect(r.status).toBe(200);
    expect(r.errored).toBe(true);
    expect(r.text.length).toBeGreaterThan(0);
    const log = await billedRecord(r.requestId);
    expect(log).toMatchObject({ status: 200, completionTokens: countTokens(r.text) });
    expect(log.error).toMatch(/upstream/i);
    expect(log.cost).toBeGreaterThan(0);
  });

  it('upstream sent no usage (no stream_options.include_usage): counted with the tokenizer, never 0', async () => {
    const r = await streamRequest(`${sys.url}/v1/chat/completions`, chat('[chunks:6] count me please'), openaiText);
    expect(r.status).toBe(200);
    expect(r.errored).toBe(false);
    expect(r.events.some((e) => (e as { usage?: unknown }).usage)).toBe(false);
    const log = await billedRecord(r.requestId);
    expect(log).toMatchObject({ status: 200, error: null, completionTokens: countTokens(r.text) });
    expect(log.completionTokens).toBeGreaterThan(0);
    expect(log.promptTokens).toBeGreaterThan(0);
  });

  // RELAY BUG (issue #6, for the lead; relay code not edited here): an upstream's in-stream error event (OpenAI
  // `data: {"error":…}`) is relayed to the client but the record says status 200 with error null, so the failure is
  // invisible in /api/logs and in the stats' errorRate. Billing is right (tokenizer count of what was delivered).
  it('an upstream in-stream error mid-stream is recorded with an error (billing already right)', async () => {
    mock.setFault({ match: { model: 'sb-stream' }, streamErrorAfterChunks: 4, times: 1 });
    const r = await streamRequest(`${sys.url}/v1/chat/completions`, chat('[chunks:10] error soon', { stream_options: { include_usage: true } }), openaiText);
    expect(r.status).toBe(200);
    expect(r.errored).toBe(true);
    const log = await billedRecord(r.requestId);
    expect(log.completionTokens).toBe(countTokens(r.text));
    expect(log.completionTokens).toBeGreaterThan(0);
    expect(log.error).not.toBeNull();
  });

  it('upstream in-stream error mid-stream: billed for what was delivered', async () => {
    mock.setFault({ match: { model: 'sb-stream' }, streamErrorAfterChunks: 4, times: 1 });
    const r = await streamRequest(`${sys.url}/v1/chat/completions`, chat('[chunks:10] error soon', { stream_options: { include_usage: true } }), openaiText);
    expect(r.errored).toBe(true);
    const log = await billedRecord(r.requestId);
    expect(log.completionTokens).toBe(countTokens(r.text));
    expect(log.completionTokens).toBeGreaterThan(0);
  });

  // Anthropic's message_start carries a partial usage (output_tokens: 1): a stream cut after some text must be billed
  // for the delivered text, not for that 1 token.
  it("upstream dropped mid-stream (Anthropic): billed for the delivered text, not message_start's partial usage", async () => {
    mock.setFault({ match: { model: 'sb-stream-claude' }, dropAfterChunks: 8, times: 1 });
    const r = await streamRequest(`${sys.url}/v1/messages`, messages('[chunks:12] anthropic cut short'), anthropicText);
    expect(r.status).toBe(200);
    expect(r.errored).toBe(true);
    expect(countTokens(r.text)).toBeGreaterThan(2);
    const log = await billedRecord(r.requestId);
    expect(log.completionTokens).toBeGreaterThanOrEqual(countTokens(r.text));
  });
});
