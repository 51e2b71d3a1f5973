import OpenAI from 'openai';
import { startProviderAccountsFake, type ProviderAccountsFake } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

interface KeyView {
  id: number;
  masked: string;
  status: string;
  lastError: string | null;
  usage?: { used: number; limit: number | null; resetAt: string | null };
  counters: { requests: number; errors: number; inputTokens: number; outputTokens: number; lastUsedAt: string | null };
}

/**
 * Issue 15 through the real HTTP API of standalone, against a fake of the providers' account endpoints in their
 * documented shapes: per-key counters from the usage pipeline, OpenRouter key allowances read on demand and a used-up
 * key skipped by routing, and channel balances of every provider that reports one, with the gauge.
 */
describe('key pool counters, allowances and channel balances (standalone)', () => {
  let fake: ProviderAccountsFake;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let openai: OpenAI;

  beforeAll(async () => {
    fake = await startProviderAccountsFake();
    // periodic reads off: each read below is asked for, so what the fake saw is exactly what the test did
    sys = await startStandalone({
      KEY_ALLOWANCE_REFRESH_INTERVAL_MS: '0',
      CHANNEL_BALANCE_REFRESH_INTERVAL_MS: '0',
      CHANNEL_CHECK_INTERVAL_MS: '0',
      UNPRICED_MODEL_POLICY: 'free',
    });
    admin = adminClient(sys.url, sys.adminKey);
    const tok = await admin.post('/api/tokens', { name: 'accounts' });
    openai = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await sys?.stop();
    await fake?.close();
  });

  const channel = async (body: Record<string, unknown>) => {
    const r = await admin.post('/api/channels', { baseUrl: fake.url, ...body });
    expect(r.status).toBe(201);
    return Number(r.body.id);
  };
  const keys = async (id: number, query = '') => (await admin.get<{ data: KeyView[] }>(`/api/channels/${id}/keys${query}`)).body.data;
  const chat = (model: string) => openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

  it('counts each key’s attempts, failures, tokens and last use from the usage records', async () => {
    fake.state.chatKeys = ['sk-count-good-0001'];
    const id = await channel({
      name: 'counted',
      type: 'openai-compatible',
      keys: ['sk-count-good-0001', 'sk-count-bad-0002'],
      models: ['count-model'],
      keyMode: 'round_robin',
    });
    await eventually(
      async () =>
        (await chat('count-model').then(
          () => true,
          () => false,
        )) || undefined,
      5_000,
      'count-model routable',
    );
    for (let i = 0; i < 5; i++) await chat('count-model');
    // 6 answers, every one from the good key; the bad key was tried (401) until its auth ban kept it out
    const [good, bad] = await eventually(
      async () => {
        const ks = await keys(id);
        return ks[0].counters.requests === 6 ? ks : undefined;
      },
      10_000,
      'counters of 6 requests',
    );
    expect(good.counters).toMatchObject({ requests: 6, errors: 0, inputTokens: 30, outputTokens: 42 });
    expect(Date.parse(good.counters.lastUsedAt!)).toBeGreaterThan(Date.now() - 60_000);
    const badTries = fake.requests.filter((r) => r.key === 'sk-count-bad-0002' && r.path.endsWith('/chat/completions')).length;
    expect(badTries).toBeGreaterThanOrEqual(1);
    expect(bad.counters).toMatchObject({ requests: badTries, errors: badTries, inputTokens: 0, outputTokens: 0 });
    expect(bad.status).toBe('auth_failed');
  });

  it('reads OpenRouter key allowances on demand; a used-up key is exhausted and routing skips it', async () => {
    fake.state.chatKeys = [];
    fake.state.openrouterKeys['sk-or-v1-roomy-0001'] = { limit: 10, limit_remaining: 9.5, limit_reset: 'monthly', usage: 0.5 };
    fake.state.openrouterKeys['sk-or-v1-spent-0002'] = { limit: 5, limit_remaining: 0, limit_reset: 'daily', usage: 5 };
    const id = await channel({ name: 'openrouter-pool', type: 'openrouter', keys: ['sk-or-v1-roomy-0001', 'sk-or-v1-spent-0002'], models: ['or-model'] });
    expect((await keys(id)).map((k) => [k.status, k.usage])).toEqual([
      ['ok', undefined],
      ['ok', undefined],
    ]);
    const [roomy, spent] = await keys(id, '?refresh=1');
    expect(roomy).toMatchObject({ status: 'ok', usage: { used: 0.5, limit: 10 } });
    expect(Date.parse(roomy.usage!.resetAt!)).toBeGreaterThan(Date.now());
    expect(spent).toMatchObject({ status: 'exhausted', usage: { used: 5, limit: 5 } });
    expect(spent.lastError).toMatch(/allowance used up \(5 of 5\) until /);
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(spent.usage!.resetAt).toBe(midnight.toISOString());

    await eventually(
      async () =>
        (await chat('or-model').then(
          () => true,
          () => false,
        )) || undefined,
      5_000,
      'or-model routable',
    );
    const before = fake.requests.length;
    for (let i = 0; i < 8; i++) await chat('or-model');
    const used = new Set(
      fake.requests
        .slice(before)
        .filter((r) => r.path === '/api/v1/chat/completions')
        .map((r) => r.key),
    );
    expect([...used]).toEqual(['sk-or-v1-roomy-0001']);
  });

  it('answers each provider’s balance, refreshes it on demand, exposes the gauge and refuses what cannot be read', async () => {
    fake.state.deepseek['sk-deepseek-0001'] = [{ currency: 'CNY', total_balance: '110.00', granted_balance: '10.00', topped_up_balance: '100.00' }];
    fake.state.moonshot['sk-moonshot-0001'] = { available_balance: 49.58894, voucher_balance: 46.58893, cash_balance: 3.00001 };
    fake.state.openrouterCredits['sk-or-v1-mgmt-0001'] = { total_credits: 100.5, total_usage: 25.75 };
    fake.state.dashboard['sk-relay-0001'] = { hardLimitUsd: 50, usedUsd: 12.34 };
    const deepseek = await channel({ name: 'bal-deepseek', type: 'deepseek', keys: ['sk-deepseek-0001'], models: ['deepseek-chat'] });
    const moonshot = await channel({ name: 'bal-moonshot', type: 'moonshot', keys: ['sk-moonshot-0001'], models: ['kimi-k2'] });
    const openrouter = await channel({ name: 'bal-openrouter', type: 'openrouter', keys: ['sk-or-v1-mgmt-0001'], models: ['x'] });
    const relay = await channel({ name: 'bal-relay', type: 'openai-compatible', keys: ['sk-relay-0001'], models: ['y'] });
    const balance = (id: number, q = '') =>
      admin.get<{ balance: number; currency: string; updatedAt: string; error: string | null }>(`/api/channels/${id}/balance${q}`);

    for (const [id, amount, currency] of [
      [deepseek, 110, 'CNY'],
      [moonshot, 49.58894, 'CNY'],
      [openrouter, 74.75, 'USD'],
      [relay, 37.66, 'USD'],
    ] as const) {
      const r = await balance(id);
      expect([r.status, r.body.balance, r.body.currency, r.body.error]).toEqual([200, amount, currency, null]);
      expect(Date.parse(r.body.updatedAt)).toBeGreaterThan(Date.now() - 60_000);
    }
    // channel reads carry the stored balance (nothing asked of the provider)
    expect((await admin.get(`/api/channels/${openrouter}`)).body.balance).toEqual({
      balance: 74.75,
      currency: 'USD',
      updatedAt: expect.any(String),
      error: null,
    });
    const listed = (await admin.get<{ data: { id: number; name: string; balance: unknown }[] }>('/api/channels')).body.data;
    expect(listed.find((c) => c.id === moonshot)?.balance).toMatchObject({ balance: 49.58894, currency: 'CNY' });
    expect(listed.find((c) => c.name === 'counted')?.balance).toBeNull();
    // the usage query of the relay's dashboard names a date range, as OpenAI's did
    expect(fake.requests.some((r) => /^\/v1\/dashboard\/billing\/usage\?start_date=\d{4}-\d\d-\d\d&end_date=\d{4}-\d\d-\d\d$/.test(r.path))).toBe(true);

    // stored until asked again
    fake.state.deepseek['sk-deepseek-0001'][0].total_balance = '0.42';
    expect((await balance(deepseek)).body.balance).toBe(110);
    expect((await balance(deepseek, '?refresh=1')).body.balance).toBe(0.42);

    const metrics = await fetch(`${sys.url}/metrics`).then((r) => r.text());
    expect(metrics).toContain(`switchboard_channel_balance{channel="${deepseek}",currency="CNY"} 0.42`);
    expect(metrics).toContain(`switchboard_channel_balance{channel="${openrouter}",currency="USD"} 74.75`);

    // a failed read: 502 naming the provider's answer; the last balance stays, with the error beside it
    delete fake.state.deepseek['sk-deepseek-0001'];
    const failed = await balance(deepseek, '?refresh=1');
    expect([failed.status, failed.body]).toEqual([
      502,
      { error: expect.objectContaining({ code: 'upstream_error', message: expect.stringMatching(/^balance: 401: Authentication Fails/) }) },
    ]);
    expect((await balance(deepseek)).body).toMatchObject({ balance: 0.42, error: expect.stringMatching(/^401/) });
    // a new-api relay's failure comes as 200 with an error body
    delete fake.state.dashboard['sk-relay-0001'];
    expect((await balance(relay, '?refresh=1')).body.error).toMatchObject({ message: expect.stringMatching(/^balance: 无效的令牌/) });

    const anthropic = await channel({ name: 'bal-anthropic', type: 'anthropic', keys: ['sk-ant-1'], models: ['claude-x'] });
    const unsupported = await balance(anthropic);
    expect([unsupported.status, unsupported.body.error]).toEqual([
      409,
      expect.objectContaining({ code: 'balance_unsupported', message: 'channels of type anthropic do not report a balance' }),
    ]);
    expect((await balance(999_999)).status).toBe(404);
  });
});
