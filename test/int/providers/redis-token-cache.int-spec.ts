import { SecretBox } from '@switchboard/common';
import { credentialKeys, CredentialError, providerFor, RedisTokenCache, type CredentialContext, type PreparedRequest } from '@switchboard/providers';
import { startFakeKiro, type FakeKiro } from '@switchboard/testing';
import { Redis } from 'ioredis';
import { INFRA, requireInfra } from '../../support/infra';

const box = new SecretBox('1ebce5744847a8d198c1ddfa48cc6cbb6b019b11324f0c240dac6c7752849bd4');
const kiro = providerFor('kiro')!;

/** Two gateway replicas (each its own Redis connection and token cache) and one Kiro account. */
describe('RedisTokenCache across replicas', () => {
  let run = true;
  let fake: FakeKiro;
  const clients: Redis[] = [];
  let replicas: RedisTokenCache[] = [];
  let n = 0;

  beforeAll(async () => {
    run = await requireInfra('redis');
    if (!run) return;
    fake = await startFakeKiro();
    fake.refreshDelayMs = 150;
    for (let i = 0; i < 3; i++) clients.push(new Redis(INFRA.redis.url));
    replicas = [new RedisTokenCache(clients[0], box), new RedisTokenCache(clients[1], box)];
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    await fake?.close();
  });

  const maybe = (name: string, fn: () => Promise<void>) => it(name, async () => (run ? fn() : undefined));
  const newAccount = () => {
    const rt = `rt-int-${process.pid}-${Date.now()}-${++n}`;
    fake.addAccount({ refreshToken: rt, profileArn: 'arn:aws:codewhisperer:us-east-1:1:profile/P' });
    return { rt, key: JSON.stringify({ refreshToken: rt, authMethod: 'social' }) };
  };
  const cred = (key: string, cache: RedisTokenCache): CredentialContext => ({
    channelId: 1,
    keyIndex: 0,
    apiKey: key,
    baseUrl: fake.url,
    config: { refreshUrl: fake.socialRefreshUrl },
    services: { fetch, tokens: cache, state: cache },
  });
  const req = (): PreparedRequest => ({ url: `${fake.url}/generateAssistantResponse`, headers: {}, body: '{}' });
  const prepareOn = (key: string) =>
    Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const r = req();
        return kiro.prepare!(r, cred(key, replicas[i % 2]), 'kiro').then(() => r.headers.authorization);
      }),
    );

  maybe('20 concurrent requests on each of two replicas: exactly one refresh, one token, stored sealed', async () => {
    const { rt, key } = newAccount();
    const tokens = await prepareOn(key);
    expect(fake.refreshes(rt)).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    const stored = await clients[2].keys('sb:cred:token:kiro:*');
    const values = await Promise.all(stored.map((k) => clients[2].get(k)));
    // sealed: the access token is not readable in Redis
    for (const v of values) expect(v).not.toContain(tokens[0].slice('Bearer '.length));
    expect(
      values.some((v) => {
        try {
          return box.decrypt(v!).includes(tokens[0].slice('Bearer '.length));
        } catch {
          return false;
        }
      }),
    ).toBe(true);
  });

  maybe('the rotated refresh token is in Redis (sealed): a replica started later refreshes with it', async () => {
    const { rt, key } = newAccount();
    await prepareOn(key);
    const rotated = fake.currentRefreshToken(rt)!;
    expect(rotated).not.toBe(rt);
    const states = await clients[2].keys('sb:cred:state:kiro:*');
    const sealed = await Promise.all(states.map((k) => clients[2].get(k)));
    expect(sealed.some((v) => v!.includes(rotated))).toBe(false);
    expect(sealed.map((v) => box.decrypt(v!))).toContain(rotated);
    // the token expired everywhere (a day later): a brand-new replica refreshes, with the rotated token
    const accountKeys = (await clients[2].keys('sb:cred:token:kiro:*')).filter(Boolean);
    await clients[2].del(...accountKeys);
    const late = new RedisTokenCache(clients[2], box);
    await kiro.prepare!(req(), cred(key, late), 'kiro');
    expect(fake.refreshes(rt)).toBe(2);
  });

  maybe('a refused token is dropped once and refreshed by one replica; the other reuses the new one', async () => {
    const { rt, key } = newAccount();
    await prepareOn(key);
    fake.expireAccessTokens();
    kiro.credentialRejected!(cred(key, replicas[0]));
    kiro.credentialRejected!(cred(key, replicas[1]));
    const after = await prepareOn(key);
    expect(fake.refreshes(rt)).toBe(2);
    expect(new Set(after).size).toBe(1);
  });

  maybe('a dead refresh token: one refresh for all waiters, each gets the 401', async () => {
    const { rt, key } = newAccount();
    fake.killRefreshToken(rt);
    const refusedBefore = fake.refusedRefreshes;
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => kiro.prepare!(req(), cred(key, replicas[i % 2]), 'kiro')));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof CredentialError && r.reason.status === 401)).toBe(true);
    // the refresh endpoint was asked once: the failure is answered to the waiters from Redis for a few seconds
    expect(fake.refusedRefreshes - refusedBefore).toBe(1);
    expect((await clients[2].keys(credentialKeys('kiro:*').failure)).length).toBeGreaterThan(0);
  });
});
