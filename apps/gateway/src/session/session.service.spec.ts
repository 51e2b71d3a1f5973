import { MemorySessionStore } from './memory-session.store';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, SessionService, csrfTokenMatches } from './session.service';

describe('SessionService', () => {
  let now = 1_000_000;
  const clock = () => now;
  const make = () => {
    const store = new MemorySessionStore(clock);
    return { store, sessions: new SessionService(store, clock) };
  };
  beforeEach(() => (now = 1_000_000));

  it('makes a random 256-bit id and stores only its hash', async () => {
    const { store, sessions } = make();
    const a = await sessions.create();
    const b = await sessions.create();
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.csrfToken).not.toBe(b.csrfToken);
    expect(store.keys()).toHaveLength(2);
    for (const k of store.keys()) {
      expect(k).toMatch(/^[0-9a-f]{64}$/);
      expect([a.id, b.id]).not.toContain(k);
    }
    expect(await sessions.resolve(a.id)).toEqual({ csrfToken: a.csrfToken, expiresAt: new Date(now + SESSION_IDLE_MS), signedInAt: new Date(now) });
  });

  it('keeps when its sign-in happened while requests push the idle end back', async () => {
    const { sessions } = make();
    const t0 = now;
    const s = await sessions.create({ id: 3, sessionEpoch: 2 });
    now += SESSION_IDLE_MS - 1;
    expect(await sessions.resolve(s.id)).toMatchObject({ userId: 3, epoch: 2, signedInAt: new Date(t0) });
    now += SESSION_IDLE_MS - 1;
    expect((await sessions.resolve(s.id))?.signedInAt).toEqual(new Date(t0));
  });

  it('ends after the idle time without requests', async () => {
    const { sessions } = make();
    const s = await sessions.create();
    now += SESSION_IDLE_MS - 1;
    expect(await sessions.resolve(s.id)).not.toBeNull();
    now += SESSION_IDLE_MS - 1;
    expect(await sessions.resolve(s.id)).not.toBeNull();
    now += SESSION_IDLE_MS;
    expect(await sessions.resolve(s.id)).toBeNull();
  });

  it('ends at its absolute lifetime however busy', async () => {
    const { sessions } = make();
    const s = await sessions.create();
    const start = now;
    while (now + 30 * 60_000 < start + SESSION_ABSOLUTE_MS) {
      now += 30 * 60_000;
      expect(await sessions.resolve(s.id)).not.toBeNull();
    }
    now = start + SESSION_ABSOLUTE_MS;
    expect(await sessions.resolve(s.id)).toBeNull();
  });

  it('revoke ends it at once; unknown or malformed ids resolve to null', async () => {
    const { sessions } = make();
    const s = await sessions.create();
    await sessions.revoke(s.id);
    expect(await sessions.resolve(s.id)).toBeNull();
    expect(await sessions.resolve('short')).toBeNull();
    expect(await sessions.resolve('A'.repeat(43))).toBeNull();
  });

  it('answers 503 (not 401) while the store cannot be asked', async () => {
    const down = {
      put: () => Promise.reject(new Error('ECONNREFUSED')),
      get: () => Promise.reject(new Error('ECONNREFUSED')),
      delete: () => Promise.reject(new Error('x')),
    };
    const sessions = new SessionService(down, clock);
    await expect(sessions.create()).rejects.toMatchObject({ status: 503 });
    await expect(sessions.resolve('A'.repeat(43))).rejects.toMatchObject({ status: 503 });
    await expect(sessions.revoke('A'.repeat(43))).rejects.toMatchObject({ status: 503 });
  });

  it('compares CSRF tokens', () => {
    expect(csrfTokenMatches('abc', 'abc')).toBe(true);
    expect(csrfTokenMatches('abd', 'abc')).toBe(false);
    expect(csrfTokenMatches(undefined, 'abc')).toBe(false);
    expect(csrfTokenMatches(['abc'], 'abc')).toBe(false);
  });
});
