import { startProviderAccountsFake, type ProviderAccountsFake } from '@switchboard/testing';
import { MemoryTokenCache } from '../credentials/token-cache';
import type { CredentialContext } from '../provider.types';
import { providerFor, reportsBalance, reportsKeyAllowance } from '../registry';
import { accountOrigin, nextLimitReset } from './account-readers';

describe('provider account readers (against the fake of their documented answers)', () => {
  let fake: ProviderAccountsFake;
  beforeAll(async () => {
    fake = await startProviderAccountsFake({
      deepseek: {
        'sk-ds-cny': [{ currency: 'CNY', total_balance: '110.00', granted_balance: '10.00', topped_up_balance: '100.00' }],
        'sk-ds-both': [
          { currency: 'CNY', total_balance: '7.00', granted_balance: '0.00', topped_up_balance: '7.00' },
          { currency: 'USD', total_balance: '2.50', granted_balance: '0.00', topped_up_balance: '2.50' },
        ],
      },
      moonshot: { 'sk-moon': { available_balance: 49.58894, voucher_balance: 46.58893, cash_balance: 3.00001 } },
      openrouterCredits: { 'sk-or-mgmt': { total_credits: 100.5, total_usage: 25.75 } },
      openrouterKeys: {
        'sk-or-capped': { limit: 20, limit_remaining: 15.25, limit_reset: 'weekly', usage: 4.75 },
        'sk-or-open': { limit: null, limit_remaining: null, limit_reset: null, usage: 3 },
      },
      dashboard: { 'sk-relay': { hardLimitUsd: 50, usedUsd: 12.34 } },
    });
  });
  afterAll(() => fake.close());

  const cred = (apiKey: string, baseUrl = fake.url, fetchFn: typeof fetch = fetch): CredentialContext => ({
    channelId: 1,
    keyIndex: 0,
    apiKey,
    baseUrl,
    config: {},
    services: { fetch: fetchFn, tokens: new MemoryTokenCache() },
  });
  const balance = (type: string, c: CredentialContext) => providerFor(type)!.balance!(c);

  it('DeepSeek: total_balance of USD when the account has it, else CNY; the key goes as Bearer', async () => {
    await expect(balance('deepseek', cred('sk-ds-cny'))).resolves.toEqual({ balance: 110, currency: 'CNY' });
    await expect(balance('deepseek', cred('sk-ds-both', `${fake.url}/v1/`))).resolves.toEqual({ balance: 2.5, currency: 'USD' });
    expect(fake.requests.filter((r) => r.path === '/user/balance').map((r) => r.key)).toEqual(['sk-ds-cny', 'sk-ds-both']);
    await expect(balance('deepseek', cred('sk-unknown'))).rejects.toThrow(/^401: Authentication Fails.*\(GET \/user\/balance\)$/);
  });

  it('Moonshot: available_balance, CNY on api.moonshot.cn and USD on api.moonshot.ai', async () => {
    const via =
      (origin: string): typeof fetch =>
      (url, init) =>
        fetch(String(url).replace(origin, fake.url), init);
    await expect(balance('moonshot', cred('sk-moon', 'https://api.moonshot.cn', via('https://api.moonshot.cn')))).resolves.toEqual({
      balance: 49.58894,
      currency: 'CNY',
    });
    await expect(balance('moonshot', cred('sk-moon', 'https://api.moonshot.ai/v1', via('https://api.moonshot.ai')))).resolves.toEqual({
      balance: 49.58894,
      currency: 'USD',
    });
  });

  it('OpenRouter: credits − usage with a management key; an inference key is told why not', async () => {
    await expect(balance('openrouter', cred('sk-or-mgmt', `${fake.url}/api/v1`))).resolves.toEqual({ balance: 74.75, currency: 'USD' });
    await expect(balance('openrouter', cred('sk-or-capped'))).rejects.toThrow(/^403: Only management keys/);
  });

  it('OpenRouter key allowance: used = limit − remaining with the next reset; none for a key without a limit', async () => {
    const allowance = (c: CredentialContext) => providerFor('openrouter')!.keyAllowance!(c);
    const read = await allowance(cred('sk-or-capped'));
    expect(read).toEqual({ used: 4.75, limit: 20, resetAt: nextLimitReset('weekly', new Date()) });
    expect(new Date(read!.resetAt!).getUTCDay()).toBe(1); // weeks start on Monday
    await expect(allowance(cred('sk-or-open'))).resolves.toBeNull();
  });

  it('new-api style dashboards (openai-compatible): credit − usage/100 over a dated range; 200 error bodies fail', async () => {
    await expect(balance('openai-compatible', cred('sk-relay'))).resolves.toEqual({ balance: 37.66, currency: 'USD' });
    await expect(balance('openai-compatible', cred('sk-relay', `${fake.url}/v1`))).resolves.toEqual({ balance: 37.66, currency: 'USD' });
    await expect(balance('openai-compatible', cred('sk-nope'))).rejects.toThrow('无效的令牌 (GET /v1/dashboard/billing/subscription)');
  });

  it('only types whose provider reports a balance have the hook (AiHubMix: no key-authenticated endpoint documented)', () => {
    expect(['openai-compatible', 'deepseek', 'moonshot', 'openrouter'].filter(reportsBalance)).toHaveLength(4);
    // OpenAI's own API answers the billing dashboard to session keys only
    expect(['openai', 'anthropic', 'gemini', 'aihubmix', 'azure', 'qwen', 'cohere'].filter(reportsBalance)).toEqual([]);
    expect(['openrouter', 'deepseek', 'openai'].filter(reportsKeyAllowance)).toEqual(['openrouter']);
  });

  it('origins and resets', () => {
    expect(accountOrigin('https://openrouter.ai/api/v1/', '/api/v1')).toBe('https://openrouter.ai');
    expect(accountOrigin('https://api.deepseek.com/v1')).toBe('https://api.deepseek.com');
    const now = new Date('2026-12-06T15:30:00Z'); // a Sunday
    expect(nextLimitReset('daily', now)).toBe('2026-12-07T00:00:00.000Z');
    expect(nextLimitReset('weekly', now)).toBe('2026-12-07T00:00:00.000Z');
    expect(nextLimitReset('weekly', new Date('2026-12-07T00:00:01Z'))).toBe('2026-12-14T00:00:00.000Z');
    expect(nextLimitReset('monthly', new Date('2026-12-31T23:00:00Z'))).toBe('2027-01-01T00:00:00.000Z');
    expect(nextLimitReset(null, now)).toBeNull();
  });
});
