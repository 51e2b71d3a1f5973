import { IpcLink, ipcEndpointPair } from '@switchboard/messaging';
import { LimitStoreUnavailableError } from './limit-store-unavailable.error';
import type { LimitStore } from './limit-store.types';
import { MemoryLimitStore } from './memory-limit.store';
import { RemoteLimitStore, serveLimitStoreCall } from './remote-limit.store';
import { describeLimitStoreBehaviour, runOverdrawScenario } from './testing/limit-store.behaviour';

/** `workers` RemoteLimitStores, each over its own IPC link (JSON, later turns) to one store served as a primary does. */
function overIpc(store: LimitStore, workers: number): { remotes: RemoteLimitStore[]; links: IpcLink[] } {
  const links: IpcLink[] = [];
  const remotes = Array.from({ length: workers }, () => {
    const [w, p] = ipcEndpointPair();
    new IpcLink(p).serve('limits', (method, args) => serveLimitStoreCall(store, method, args));
    const link = new IpcLink(w);
    links.push(link);
    return new RemoteLimitStore((method, args) => link.call('limits', method, args));
  });
  return { remotes, links };
}

// Every behaviour of a LimitStore, through the IPC hop of a standalone relay worker.
describeLimitStoreBehaviour('RemoteLimitStore (over IPC)', () => ({
  create: async (now) => overIpc(new MemoryLimitStore({ now }), 1).remotes[0],
  destroy: async () => undefined,
}));

describe('RemoteLimitStore', () => {
  it('four workers, 400 concurrent acquires against a quota for 10: exactly 10 succeed, never overdrawn', async () => {
    const store = new MemoryLimitStore();
    const { remotes } = overIpc(store, 4);
    await runOverdrawScenario(remotes, { attempts: 400, fits: 10, reserveMicros: 25_000, account: 'token:overdraw' });
  });

  it('a primary that is gone is an unavailable store (503), not an internal error', async () => {
    const { remotes, links } = overIpc(new MemoryLimitStore(), 1);
    links[0].close();
    const req = { requestId: 'r', scopes: [], estimatedTokens: 0, quota: [], reserveMicros: 0 };
    await expect(remotes[0].acquire(req)).rejects.toBeInstanceOf(LimitStoreUnavailableError);
  });
});
