import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { startProviderAccountsFake, type ProviderAccountsFake } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { openConsole, type ConsoleBrowser } from './console-browser';

jest.setTimeout(240_000);

interface KeyView {
  id: number;
  masked: string;
  counters: { requests: number };
}

/**
 * The key pool's counters and provider-reported usage, and the channel's balance, in the channel drawer (issue 15):
 * an OpenRouter channel on the fake of OpenRouter's account endpoints, driven as an admin would.
 */
describe('console: key counters, usage and channel balance (standalone)', () => {
  let fake: ProviderAccountsFake;
  let sys: System;
  let cb: ConsoleBrowser;
  let page: Page;
  let admin: ReturnType<typeof adminClient>;
  let id: number;

  beforeAll(async () => {
    fake = await startProviderAccountsFake({
      openrouterCredits: { 'sk-or-v1-console-0001': { total_credits: 100.5, total_usage: 25.75 } },
      openrouterKeys: {
        'sk-or-v1-console-0001': { limit: 10, limit_remaining: 9, limit_reset: 'monthly', usage: 1 },
        'sk-or-v1-console-0002': { limit: 5, limit_remaining: 0, limit_reset: 'daily', usage: 5 },
      },
    });
    sys = await startStandalone({
      KEY_ALLOWANCE_REFRESH_INTERVAL_MS: '0',
      CHANNEL_BALANCE_REFRESH_INTERVAL_MS: '0',
      CHANNEL_CHECK_INTERVAL_MS: '0',
      UNPRICED_MODEL_POLICY: 'free',
    });
    admin = adminClient(sys.url, sys.adminKey);
    const r = await admin.post('/api/channels', {
      name: 'ch-openrouter',
      type: 'openrouter',
      baseUrl: fake.url,
      keys: ['sk-or-v1-console-0001', 'sk-or-v1-console-0002'],
      models: ['or-console'],
      keyMode: 'round_robin',
    });
    expect(r.status).toBe(201);
    id = Number(r.body.id);
    const tok = await admin.post('/api/tokens', { name: 'console-accounts' });
    const openai = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
    await eventually(
      async () =>
        (await openai.chat.completions.create({ model: 'or-console', messages: [{ role: 'user', content: 'hi' }] }).then(
          () => true,
          () => false,
        )) || undefined,
      5_000,
      'routable',
    );
    for (let i = 0; i < 3; i++) await openai.chat.completions.create({ model: 'or-console', messages: [{ role: 'user', content: 'hi' }] });
    await eventually(
      async () => {
        const ks = (await admin.get<{ data: KeyView[] }>(`/api/channels/${id}/keys`)).body.data;
        return ks.reduce((n, k) => n + k.counters.requests, 0) === 4 || undefined;
      },
      10_000,
      'four requests counted',
    );
    cb = await openConsole(sys);
    page = cb.page;
    page.setDefaultTimeout(10_000);
    await page.goto('/channels');
    await page.getByTestId('channel-ch-openrouter').waitFor();
  });

  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await fake?.close();
  });

  it('shows the stored balance in the drawer and the list, and reads it from the provider on "Refresh balance"', async () => {
    await page.getByTestId('channel-ch-openrouter').getByRole('button', { name: 'Edit' }).click();
    const drawer = page.getByRole('dialog', { name: /^Channel / });
    const amount = drawer.getByTestId('channel-balance-amount');
    await amount.waitFor();
    // opening the drawer asks the provider nothing: no read yet, nothing to show
    expect(await amount.textContent()).toBe('—');
    expect(fake.requests.some((r) => r.path === '/api/v1/credits')).toBe(false);
    await drawer.getByRole('button', { name: 'Refresh balance' }).click();
    await eventually(async () => (await amount.textContent()) === '$74.75' || undefined, 5_000, 'the balance');
    fake.state.openrouterCredits['sk-or-v1-console-0001'].total_usage = 90.5;
    await drawer.getByRole('button', { name: 'Refresh balance' }).click();
    await eventually(async () => (await amount.textContent()) === '$10.00' || undefined, 5_000, 'the new balance');
    // the list shows it once its own query has been refetched, a moment after the drawer
    const listed = page.getByTestId('balance-ch-openrouter');
    await eventually(async () => (await listed.textContent()) === '$10.00' || undefined, 5_000, 'the list showing the new balance');
    await cb.shot('channels-balance-light');
  });

  it('shows each key’s requests, tokens and last use, and the provider’s usage after "Refresh usage"', async () => {
    const drawer = page.getByRole('dialog', { name: /^Channel / });
    await drawer.getByRole('tab', { name: 'Keys (2)' }).click();
    const [roomy, spent] = (await admin.get<{ data: KeyView[] }>(`/api/channels/${id}/keys`)).body.data;
    const requests = (k: KeyView) => `${k.counters.requests} · 0 failed`;
    await drawer.getByTestId(`key-requests-${roomy.id}`).getByText(requests(roomy)).waitFor();
    expect(await drawer.getByTestId(`key-requests-${spent.id}`).textContent()).toBe(requests(spent));
    expect(await drawer.getByTestId(`key-tokens-${roomy.id}`).textContent()).toBe(`${roomy.counters.requests * 5} / ${roomy.counters.requests * 7}`);
    expect(await drawer.getByTestId(`key-usage-${spent.id}`).textContent()).toBe('—');

    await drawer.getByRole('button', { name: 'Refresh usage' }).click();
    await drawer.getByTestId(`key-usage-${spent.id}`).getByText('5 of 5').waitFor();
    expect(await drawer.getByTestId(`key-usage-${roomy.id}`).textContent()).toMatch(/^1 of 10resets /);
    await drawer.getByTestId(`key-${spent.id}`).getByText('exhausted').waitFor();
    await cb.shot('channels-key-usage-light');
  });

  it('raised no page error', () => {
    expect(cb.pageErrors).toEqual([]);
  });
});
