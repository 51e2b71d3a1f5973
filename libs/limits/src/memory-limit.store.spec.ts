import { MemoryLimitStore } from './memory-limit.store';
import { describeLimitStoreBehaviour, runOverdrawScenario } from './testing/limit-store.behaviour';

describeLimitStoreBehaviour('MemoryLimitStore', () => ({
  create: async (now) => new MemoryLimitStore({ now }),
  destroy: async () => undefined,
}));

describe('MemoryLimitStore', () => {
  it('200 concurrent acquires against a quota for 10: exactly 10 succeed, settlement adds up', async () => {
    const store = new MemoryLimitStore();
    await runOverdrawScenario([store], { attempts: 200, fits: 10, reserveMicros: 25_000, account: 'token:overdraw' });
    await store.close();
  });

  it('forgets an unsettled lease (crashed gateway) after the lease record TTL', async () => {
    let now = 1_700_000_000_000;
    const store = new MemoryLimitStore({ now: () => now });
    const req = { requestId: 'a', scopes: [{ key: 'token:1', maxConcurrency: 1 }], estimatedTokens: 0, quota: [], reserveMicros: 0 };
    expect((await store.acquire(req)).ok).toBe(true);
    now += 60 * 60_000;
    await expect(store.acquire(req)).rejects.toThrow(/already held/);
    now += 24 * 60 * 60_000;
    expect((await store.acquire(req)).ok).toBe(true);
    await store.close();
  });
});
