import { IpcLink, ipcEndpointPair } from '@switchboard/messaging';
import { MemoryHealthStore } from './memory-health.store';
import { RemoteHealthStore, serveHealthStoreCall } from './remote-health.store';

/** Two relay workers' views of one primary's store, each over its own IPC link. */
function workers(store: MemoryHealthStore, n: number): RemoteHealthStore[] {
  return Array.from({ length: n }, () => {
    const [w, p] = ipcEndpointPair();
    new IpcLink(p).serve('health', (method, args) => serveHealthStoreCall(store, method, args));
    const link = new IpcLink(w);
    return new RemoteHealthStore((method, args) => link.call('health', method, args));
  });
}

describe('RemoteHealthStore (relay workers on the primary’s store)', () => {
  it('counts the attempts of all workers in one window: the ban is set once, and every worker sees it', async () => {
    const store = new MemoryHealthStore({ errorRate: 0.5, minRequests: 10, windowMs: 60_000, banMs: 60_000, probeIntervalMs: 15_000 });
    const [a, b] = workers(store, 2);
    const outcome = { channelId: 7, model: 'm', keyIndex: 0, multiKey: false, ok: false };
    // 5 failures through each worker: neither alone reaches 10 attempts, together they do.
    const sets = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).record(outcome)));
    expect(sets.flat()).toHaveLength(1);
    expect(await a.bans()).toEqual([expect.objectContaining({ channelId: 7, model: 'm', reason: 'error_rate' })]);
    expect(await b.channelWindow(7)).toEqual({ requests: 10, errors: 10 });
    await b.recordSuccesses([{ channelId: 7, model: 'm', keyIndex: 0, multiKey: false, count: 5 }]);
    expect(await a.channelWindow(7)).toEqual({ requests: 15, errors: 10 });
    expect(await a.liftBan({ channelId: 7, model: 'm' })).toBe(true);
    expect(await b.bans()).toEqual([]);
    expect(await store.bans()).toEqual([]);
  });
});
