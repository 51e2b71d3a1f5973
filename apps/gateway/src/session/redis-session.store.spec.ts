import { RedisSessionStore, sessionKey, type SessionRedisClient } from './redis-session.store';

/** A Redis stand-in recording what was written (TTL included). */
function fakeRedis() {
  const data = new Map<string, { value: string; px: number }>();
  const client: SessionRedisClient = {
    set: (k, v, _px, ttl) => Promise.resolve(data.set(k, { value: v, px: ttl })),
    get: (k) => Promise.resolve(data.get(k)?.value ?? null),
    del: (k) => Promise.resolve(data.delete(k)),
    quit: () => Promise.resolve('OK'),
  };
  return { data, client };
}

describe('RedisSessionStore', () => {
  it('keeps a record under sb:session:<hash> with a TTL, reads it back and deletes it', async () => {
    const { data, client } = fakeRedis();
    const store = new RedisSessionStore(client);
    const record = { csrfToken: 't', createdAt: 1, lastSeenAt: 2 };
    await store.put('h'.repeat(64), record, 1234.5);
    expect([...data.keys()]).toEqual([sessionKey('h'.repeat(64))]);
    expect(sessionKey('abc')).toBe('sb:session:abc');
    expect(data.get(sessionKey('h'.repeat(64)))!.px).toBe(1235);
    expect(await store.get('h'.repeat(64))).toEqual(record);
    await store.delete('h'.repeat(64));
    expect(await store.get('h'.repeat(64))).toBeNull();
  });

  it("keeps a password session's user id; a record with a malformed one is no session", async () => {
    const { data, client } = fakeRedis();
    const store = new RedisSessionStore(client);
    await store.put('u', { csrfToken: 't', userId: 7, epoch: 2, createdAt: 1, lastSeenAt: 2 }, 1000);
    expect(await store.get('u')).toEqual({ csrfToken: 't', userId: 7, epoch: 2, createdAt: 1, lastSeenAt: 2 });
    data.set(sessionKey('v'), { value: '{"csrfToken":"t","userId":"7","createdAt":1,"lastSeenAt":2}', px: 1 });
    expect(await store.get('v')).toBeNull();
  });

  it('reads a damaged record as no session', async () => {
    const { data, client } = fakeRedis();
    const store = new RedisSessionStore(client);
    data.set(sessionKey('x'), { value: '{not json', px: 1 });
    data.set(sessionKey('y'), { value: '{"csrfToken":1}', px: 1 });
    expect(await store.get('x')).toBeNull();
    expect(await store.get('y')).toBeNull();
  });
});
