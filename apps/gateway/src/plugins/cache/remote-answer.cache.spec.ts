import { IpcLink, ipcEndpointPair } from '@switchboard/messaging';
import type { CachedAnswer } from './answer-cache';
import { MemoryAnswerCache } from './memory-answer.cache';
import { RemoteAnswerCache, serveAnswerCacheCall } from './remote-answer.cache';

const answer: CachedAnswer = {
  status: 200,
  contentType: 'application/json',
  body: '{"id":"x"}',
  usage: { promptTokens: 1, completionTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
  units: null,
};

describe('RemoteAnswerCache (relay workers share the primary’s answers)', () => {
  it('an answer stored through one worker is a hit through another; a call that fails is a miss', async () => {
    const store = new MemoryAnswerCache();
    const [a, b] = [0, 1].map(() => {
      const [w, p] = ipcEndpointPair();
      new IpcLink(p).serve('answers', (method, args) => serveAnswerCacheCall(store, method, args));
      const link = new IpcLink(w);
      return new RemoteAnswerCache((method, args) => link.call('answers', method, args));
    });
    expect(await b.get('k')).toBeNull();
    await a.set('k', answer, { ttlSeconds: 60, maxEntries: 10, maxEntryBytes: 1024 });
    expect(await b.get('k')).toEqual(answer);
    expect(store.size).toBe(1);

    const broken = new RemoteAnswerCache(() => Promise.reject(new Error('primary gone')));
    expect(await broken.get('k')).toBeNull();
    await expect(broken.set('k', answer, { ttlSeconds: 60, maxEntries: 10, maxEntryBytes: 1024 })).resolves.toBeUndefined();
  });
});
