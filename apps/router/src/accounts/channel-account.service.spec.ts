import { SecretBox } from '@switchboard/common';
import type { AppConfig } from '@switchboard/config';
import { Subjects } from '@switchboard/contracts';
import type { ChannelBalance } from '@switchboard/db';
import type { Bus } from '@switchboard/messaging';
import { processMetrics } from '@switchboard/observability';
import { startProviderAccountsFake, type ProviderAccountsFake } from '@switchboard/testing';
import { Logger } from '@nestjs/common';
import { KEY_COUNTERS_NONE } from '../channels/channel-key.fixture';
import type { ChannelWithKeys } from '../channels/channel.repository';
import type { AllowanceRead, ChannelAccounts } from './channel-account.repository';
import { ChannelAccountService } from './channel-account.service';

const SECRET = 'ab'.repeat(32).replace(/^ab/, 'cd');
const T0 = new Date('2026-12-01T00:00:00Z');

/** The repository in memory: allowances written onto the channels' key rows, balances by channel. */
class MemoryAccounts implements ChannelAccounts {
  readonly rows = new Map<number, ChannelBalance>();
  constructor(private readonly channels: ChannelWithKeys[]) {}
  storeAllowance(keyId: number, read: AllowanceRead | null | { error: string }, at: Date): Promise<void> {
    for (const k of this.channels.flatMap((c) => c.keys)) {
      if (k.id !== keyId) continue;
      if (read && 'error' in read) Object.assign(k, { allowanceError: read.error, allowanceCheckedAt: at });
      else
        Object.assign(k, {
          allowanceUsed: read?.used ?? null,
          allowanceLimit: read?.limit ?? null,
          allowanceResetAt: read?.resetAt ?? null,
          allowanceError: null,
        });
    }
    return Promise.resolve();
  }
  balanceOf(channelId: number) {
    return Promise.resolve(this.rows.get(channelId) ?? null);
  }
  balances() {
    return Promise.resolve([...this.rows.values()].filter((r) => r.balance !== null));
  }
  storeBalance(channelId: number, read: { balance: number; currency: string } | { error: string }, at: Date) {
    const prev = this.rows.get(channelId);
    const row: ChannelBalance =
      'error' in read
        ? { channelId, balance: prev?.balance ?? null, currency: prev?.currency ?? null, updatedAt: prev?.updatedAt ?? null, checkedAt: at, error: read.error }
        : { channelId, ...read, updatedAt: at, checkedAt: at, error: null };
    this.rows.set(channelId, row);
    return Promise.resolve(row);
  }
}

describe('ChannelAccountService', () => {
  let fake: ProviderAccountsFake;
  const box = new SecretBox(SECRET);
  beforeAll(async () => {
    Logger.overrideLogger(['fatal']);
    fake = await startProviderAccountsFake();
  });
  afterAll(() => fake.close());

  const channel = (id: number, type: string, keys: string[], enabled = true): ChannelWithKeys =>
    ({
      id,
      name: `c${id}`,
      type,
      baseUrl: fake.url,
      enabled,
      config: {},
      keys: keys.map((k, position) => ({
        id: id * 10 + position,
        channelId: id,
        position,
        keyCiphertext: box.encrypt(k),
        keyHint: k.slice(-4),
        label: '',
        status: 'enabled',
        disabledReason: null,
        ...KEY_COUNTERS_NONE,
        createdAt: T0,
        updatedAt: T0,
      })),
    }) as unknown as ChannelWithKeys;

  const setup = (channels: ChannelWithKeys[]) => {
    const emitted: unknown[] = [];
    const accounts = new MemoryAccounts(channels);
    const repo = {
      enabledWithKeys: () => Promise.resolve(channels.filter((c) => c.enabled)),
      withKeys: (id: number) => Promise.resolve(channels.find((c) => c.id === id) ?? null),
    };
    const bus = { emit: (subject: string, payload: unknown) => emitted.push([subject, payload]) } as unknown as Bus;
    const service = new ChannelAccountService(repo, accounts, bus, {
      SECRET_KEY: SECRET,
      KEY_ALLOWANCE_REFRESH_INTERVAL_MS: 0,
      CHANNEL_BALANCE_REFRESH_INTERVAL_MS: 0,
    } as AppConfig);
    return { service, accounts, emitted };
  };

  it('reads every key allowance of channels that report them; announces the table only when what routing uses changed', async () => {
    fake.state.openrouterKeys['sk-or-a'] = { limit: 10, limit_remaining: 4, limit_reset: null, usage: 6 };
    const or = channel(1, 'openrouter', ['sk-or-a', 'sk-or-gone']);
    const ds = channel(2, 'deepseek', ['sk-ds']);
    const { service, emitted } = setup([or, ds]);
    await service.refreshAllowances();
    expect(or.keys[0]).toMatchObject({ allowanceUsed: 6, allowanceLimit: 10, allowanceResetAt: null, allowanceError: null });
    expect(or.keys[1]).toMatchObject({ allowanceUsed: null, allowanceError: expect.stringMatching(/^401: No auth credentials found/) });
    expect(
      fake.requests
        .filter((r) => r.path === '/api/v1/key')
        .map((r) => r.key)
        .sort(),
    ).toEqual(['sk-or-a', 'sk-or-gone']);
    expect(emitted).toEqual([[Subjects.RouterTableChanged, { version: expect.any(Number) }]]);
    await service.refreshAllowances();
    expect(emitted).toHaveLength(1); // nothing changed
    fake.state.openrouterKeys['sk-or-a'].limit_remaining = 0;
    await service.refreshAllowances();
    expect(or.keys[0]).toMatchObject({ allowanceUsed: 10, allowanceLimit: 10 });
    expect(emitted).toHaveLength(2);
  });

  it('reads balances periodically into the store and the gauge (enabled channels only); 404/409 on demand', async () => {
    fake.state.deepseek['sk-ds-1'] = [{ currency: 'CNY', total_balance: '12.50', granted_balance: '0.00', topped_up_balance: '12.50' }];
    fake.state.deepseek['sk-ds-off'] = [{ currency: 'CNY', total_balance: '1.00', granted_balance: '0.00', topped_up_balance: '1.00' }];
    const on = channel(11, 'deepseek', ['sk-ds-1']);
    const off = channel(12, 'deepseek', ['sk-ds-off'], false);
    const anthropic = channel(13, 'anthropic', ['sk-ant']);
    const { service, accounts } = setup([on, off, anthropic]);
    await service.refreshBalances();
    expect(accounts.rows.get(11)).toMatchObject({ balance: 12.5, currency: 'CNY', error: null });
    expect(accounts.rows.has(12)).toBe(false);
    const text = await processMetrics().registry.getSingleMetricAsString('switchboard_channel_balance');
    expect(text).toContain('switchboard_channel_balance{channel="11",currency="CNY"} 12.5');
    expect(text).not.toContain('channel="12"');
    // the disabled channel answers on demand all the same (an admin may look before enabling it)
    await expect(service.balance('12', false)).resolves.toMatchObject({ balance: 1, currency: 'CNY' });
    await expect(service.balance('13', false)).rejects.toMatchObject({ status: 409, code: 'balance_unsupported' });
    await expect(service.balance('99', false)).rejects.toMatchObject({ status: 404 });
    await expect(service.balance('abc', true)).rejects.toMatchObject({ status: 404 });
  });
});
