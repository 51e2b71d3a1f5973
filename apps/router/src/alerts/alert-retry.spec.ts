import { DeliveryError, deliverWithRetries } from './alert-retry';

describe('deliverWithRetries', () => {
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
  };
  beforeEach(() => (waits.length = 0));

  it('retries transient failures with growing waits until one succeeds', async () => {
    let calls = 0;
    const r = await deliverWithRetries(
      async () => {
        if (++calls < 3) throw new DeliveryError('503', true);
      },
      { retries: 3, baseDelayMs: 100, sleep },
    );
    expect(r).toEqual({ delivered: true, attempts: 3, error: null });
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(50);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeGreaterThanOrEqual(100);
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it('gives up after its retries, and at once on a permanent failure', async () => {
    expect(await deliverWithRetries(() => Promise.reject(new DeliveryError('timeout', true)), { retries: 2, baseDelayMs: 10, sleep })).toEqual({
      delivered: false,
      attempts: 3,
      error: 'timeout',
    });
    expect(await deliverWithRetries(() => Promise.reject(new DeliveryError('404', false)), { retries: 5, baseDelayMs: 10, sleep })).toEqual({
      delivered: false,
      attempts: 1,
      error: '404',
    });
  });
});
