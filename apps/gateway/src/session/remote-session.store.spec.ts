import { IpcLink, ipcEndpointPair } from '@switchboard/messaging';
import { MemorySessionStore } from './memory-session.store';
import { RemoteSessionStore, serveSessionStoreCall } from './remote-session.store';

describe('RemoteSessionStore (relay workers share the primary’s sessions)', () => {
  it('a session made through one worker is valid through another, and a sign-out anywhere ends it everywhere', async () => {
    const store = new MemorySessionStore();
    const [a, b] = [0, 1].map(() => {
      const [w, p] = ipcEndpointPair();
      new IpcLink(p).serve('sessions', (method, args) => serveSessionStoreCall(store, method, args));
      const link = new IpcLink(w);
      return new RemoteSessionStore((method, args) => link.call('sessions', method, args));
    });
    const record = { csrfToken: 'c', createdAt: 1, lastSeenAt: 2 };
    await a.put('h1', record, 60_000);
    expect(await b.get('h1')).toEqual(record);
    await b.delete('h1');
    expect(await a.get('h1')).toBeNull();
    expect(store.keys()).toEqual([]);
  });
});
