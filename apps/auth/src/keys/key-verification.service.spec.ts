import type { Group, Token, User } from '@switchboard/db';
import type { Bus } from '@switchboard/messaging';
import { Budgets } from '../budgets/budget';
import { KeyVerificationService } from './key-verification.service';
import type { Keys } from './key.repository';

const T0 = new Date('2026-01-01T00:00:00Z');
/** No ledger: every budget's period is unspent. */
const noBudgets = new Budgets({ spentMicros: () => Promise.resolve(0) }, { BUDGET_CLOCK_OFFSET_MS: 0 });

const user = (over: Partial<User> = {}): User => ({
  id: 1,
  name: 'ann',
  group: 'default',
  balanceMicros: 5_000_000n,
  adjustmentsMicros: 0n,
  status: 'active',
  rpm: null,
  tpm: null,
  maxConcurrency: null,
  budget: null,
  builtin: false,
  role: 'user',
  passwordHash: null,
  totpSecret: null,
  totpEnabled: false,
  totpLastStep: null,
  backupCodes: [],
  maxTokens: null,
  sessionEpoch: 0,
  orgId: null,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

const token = (over: Partial<Token> = {}): Token => ({
  id: 7,
  name: 'key',
  userId: 1,
  keyHash: 'h7',
  keyPrefix: 'sk-x',
  group: null,
  expiresAt: null,
  quotaMicros: 2_000_000n,
  usedQuotaMicros: 500n,
  models: [],
  allowIps: [],
  rpm: 60,
  tpm: null,
  maxConcurrency: null,
  crossGroupRetry: false,
  budget: null,
  logBodies: false,
  status: 'active',
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

/** Tokens and groups in memory; an expiry flip turns an active token expired, once. */
class InMemoryKeys implements Keys {
  readonly tokens = new Map<string, Token & { user: User }>();
  readonly groups = new Map<string, Group>();
  tokenByKeyHash(keyHash: string) {
    return Promise.resolve(this.tokens.get(keyHash) ?? null);
  }
  tokenById(id: number) {
    return Promise.resolve([...this.tokens.values()].find((t) => t.id === id) ?? null);
  }
  group(name: string) {
    return Promise.resolve(this.groups.get(name) ?? null);
  }
  expireIfActive(tokenId: number) {
    const t = [...this.tokens.values()].find((x) => x.id === tokenId && x.status === 'active');
    if (t) t.status = 'expired';
    return Promise.resolve(t !== undefined);
  }
  expireDue(): Promise<string[]> {
    return Promise.resolve([]);
  }
}

describe('KeyVerificationService', () => {
  let keys: InMemoryKeys;
  let emitted: unknown[];
  let service: KeyVerificationService;

  beforeEach(() => {
    keys = new InMemoryKeys();
    emitted = [];
    service = new KeyVerificationService(keys, { emit: (_: string, p: unknown) => void emitted.push(p) } as unknown as Bus, noBudgets);
  });

  it('answers null for an unknown key', async () => {
    expect(await service.verify('nope')).toEqual({ token: null });
  });

  it("answers the token with its user's group when it has none, the group's ratio and limits, and every limit in numbers", async () => {
    keys.tokens.set('h7', { ...token(), user: user({ group: 'vip', tpm: 1000 }) });
    keys.groups.set('vip', {
      name: 'vip',
      priceRatio: { toString: () => '0.5' } as Group['priceRatio'],
      rpm: 10,
      tpm: null,
      maxConcurrency: 2,
      budget: null,
      logBodies: true,
      orgId: null,
      createdAt: T0,
      updatedAt: T0,
    });
    const { token: t } = await service.verify('h7');
    expect(t).toMatchObject({
      // the group opts in to logging bodies, so its tokens do
      logBodies: true,
      tokenId: 7,
      status: 'active',
      quotaMicros: 2_000_000,
      usedQuotaMicros: 500,
      models: null,
      limits: { rpm: 60, tpm: null, maxConcurrency: null },
      user: { id: 1, status: 'active', balanceMicros: 5_000_000, limits: { rpm: null, tpm: 1000, maxConcurrency: null } },
      group: { name: 'vip', priceRatio: 0.5, limits: { rpm: 10, tpm: null, maxConcurrency: 2 } },
    });
  });

  it('answers the same token by its id (the console playground) and null for an unknown id', async () => {
    keys.tokens.set('h7', { ...token(), user: user() });
    expect(await service.verify({ tokenId: 7 })).toEqual(await service.verify({ keyHash: 'h7' }));
    expect(await service.verify({ tokenId: 8 })).toEqual({ token: null });
  });

  it('prefers the token group, and a missing group row means ratio 1 without limits', async () => {
    keys.tokens.set('h7', { ...token({ group: 'gone' }), user: user() });
    expect((await service.verify('h7')).token?.group).toEqual({
      name: 'gone',
      priceRatio: 1,
      limits: { rpm: null, tpm: null, maxConcurrency: null },
      budget: null,
    });
  });

  it("carries each budget in micro-USD with its current period's start and what the ledger holds spent in it", async () => {
    const asked: unknown[] = [];
    const spends = {
      spentMicros: (scope: string, id: number | string, since: Date) => {
        asked.push([scope, id, since.toISOString()]);
        return Promise.resolve(1_250_000);
      },
    };
    // 2026-12-09 (a Wednesday) 15:00 UTC
    const clock = { BUDGET_CLOCK_OFFSET_MS: Date.parse('2026-12-09T15:00:00Z') - Date.now() };
    service = new KeyVerificationService(keys, { emit: () => undefined } as unknown as Bus, new Budgets(spends, clock));
    keys.tokens.set('h7', {
      ...token({ budget: { amount: 2.5, period: 'day', softLimit: 2 } }),
      user: user({ budget: { amount: 10, period: 'week', softLimit: null } }),
    });
    const { token: t } = await service.verify('h7');
    expect(t?.budget).toEqual({
      amountMicros: 2_500_000,
      period: 'day',
      softLimitMicros: 2_000_000,
      periodStartMs: Date.parse('2026-12-09T00:00:00Z'),
      spentMicros: 1_250_000,
    });
    expect(t?.user.budget).toMatchObject({
      amountMicros: 10_000_000,
      period: 'week',
      softLimitMicros: null,
      periodStartMs: Date.parse('2026-12-07T00:00:00Z'),
    });
    expect(t?.group.budget).toBeNull();
    expect(asked).toEqual(
      expect.arrayContaining([
        ['token', 7, '2026-12-09T00:00:00.000Z'],
        ['user', 1, '2026-12-07T00:00:00.000Z'],
      ]),
    );
    expect(asked).toHaveLength(2);
  });

  it('flips an active token past its expiry once and tells the gateways only when it flipped it', async () => {
    keys.tokens.set('h7', { ...token({ expiresAt: new Date(Date.now() - 1_000) }), user: user() });
    expect((await service.verify('h7')).token?.status).toBe('expired');
    expect((await service.verify('h7')).token?.status).toBe('expired');
    expect(emitted).toEqual([{ keyHashes: ['h7'], all: false }]);
  });

  it('leaves a disabled token past its expiry disabled', async () => {
    keys.tokens.set('h7', { ...token({ status: 'disabled', expiresAt: new Date(Date.now() - 1_000) }), user: user({ status: 'disabled' }) });
    const { token: t } = await service.verify('h7');
    expect([t?.status, t?.user.status]).toEqual(['disabled', 'disabled']);
    expect(emitted).toEqual([]);
  });
});
