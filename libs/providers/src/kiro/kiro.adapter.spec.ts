import { createStreamAggregator } from '@switchboard/protocols';
import { startFakeKiro, type FakeKiro } from '@switchboard/testing';
import { MemoryCredentialStateStore } from '../credentials/credential-state';
import { defaultProviderServices, type ProviderServices } from '../credentials/provider-services';
import { MemoryTokenCache } from '../credentials/token-cache';
import { CredentialError, type CredentialContext, type PreparedRequest } from '../provider.types';
import { providerFor } from '../registry';
import { parseKiroCredential } from './kiro-credential';
import { KiroEventStreamFramer } from './kiro-event-stream.framer';
import { kiroAllowanceOf } from './kiro-usage';

const adapter = providerFor('kiro')!;
const ARN = 'arn:aws:codewhisperer:us-east-1:123456789012:profile/ABCDEF';

describe('kiro credentials and settings', () => {
  it('refuses a key that is not a usable credential with a 401 that never echoes it', () => {
    const bad = [
      'sk-not-json-secret',
      '["x"]',
      '{"authMethod":"social"}',
      '{"refreshToken":"rt-SECRET","authMethod":"IdC"}',
      '{"refreshToken":"rt-SECRET","authMethod":"magic"}',
    ];
    for (const key of bad) {
      let err: unknown;
      try {
        parseKiroCredential(key);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CredentialError);
      expect((err as CredentialError).status).toBe(401);
      expect((err as Error).message).not.toMatch(/SECRET|sk-not/);
    }
    expect(parseKiroCredential('{"refreshToken":"rt","authMethod":"IdC","clientId":"c","clientSecret":"s","region":"eu-central-1"}')).toEqual({
      refreshToken: 'rt',
      authMethod: 'idc',
      region: 'eu-central-1',
      clientId: 'c',
      clientSecret: 's',
    });
    expect(parseKiroCredential('{"refreshToken":"rt","profileArn":null}').profileArn).toBeNull();
  });

  it('checks config: refreshUrl and usageUrl are optional http(s) URLs, nothing else is a setting', () => {
    expect(adapter.configProblem!({})).toBeNull();
    expect(adapter.configProblem!({ refreshUrl: 'http://127.0.0.1:9/refreshToken', usageUrl: '' })).toBeNull();
    expect(adapter.configProblem!({ refreshUrl: 'ftp://x' })).toEqual({ field: 'refreshUrl', message: 'must be an http(s) URL' });
    expect(adapter.configProblem!({ usageUrl: 42 })).toEqual({ field: 'usageUrl', message: 'must be an http(s) URL' });
    expect(adapter.configProblem!({ region: 'us-east-1' })?.field).toBe('region');
  });

  it('addresses the regional host of the credential unless the channel names another', () => {
    const args = {
      apiKey: '{"refreshToken":"rt","region":"eu-central-1"}',
      model: 'claude-sonnet-4.5',
      protocol: 'kiro' as const,
      stream: true,
      operation: 'generate' as const,
    };
    expect(adapter.target({ ...args, baseUrl: 'https://q.{region}.amazonaws.com' }).url).toBe('https://q.eu-central-1.amazonaws.com/generateAssistantResponse');
    const t = adapter.target({ ...args, baseUrl: 'http://127.0.0.1:1234/' });
    expect(t.url).toBe('http://127.0.0.1:1234/generateAssistantResponse');
    expect(t.headers['x-amz-user-agent']).toMatch(/^aws-sdk-js\/1\.0\.34 KiroIDE-[\d.]+-[0-9a-f]{64}$/);
    expect(adapter.protocolFor('claude-sonnet-4.5', 'embed', 'openai-chat')).toBeNull();
  });

  it('reads the allowance as main bucket + active free trial + bonuses', () => {
    expect(
      kiroAllowanceOf({
        nextDateReset: 1788220800,
        usageBreakdownList: [
          {
            resourceType: 'CREDIT',
            currentUsage: 5469,
            currentUsageWithPrecision: 5469.38,
            usageLimit: 10000,
            usageLimitWithPrecision: 10000,
            nextDateReset: 1788220800,
            freeTrialInfo: { currentUsage: 10, usageLimit: 500, freeTrialStatus: 'ACTIVE' },
            bonuses: [
              { currentUsage: 1, usageLimit: 50, status: 'ACTIVE' },
              { currentUsage: 0, usageLimit: 999, status: 'EXPIRED' },
            ],
          },
        ],
      }),
    ).toEqual({ used: 5480.38, limit: 10550, resetAt: '2026-09-01T00:00:00.000Z' });
    expect(kiroAllowanceOf({ usageBreakdownList: [] })).toBeNull();
  });
});

describe('kiro against the fake backend', () => {
  let fake: FakeKiro;
  let n = 0;
  beforeAll(async () => {
    fake = await startFakeKiro();
  });
  afterAll(() => fake.close());

  const account = (kind: 'social' | 'idc' = 'social') => {
    const rt = `rt-first-${kind}-${++n}`;
    fake.addAccount(
      kind === 'social' ? { refreshToken: rt, profileArn: ARN } : { refreshToken: rt, kind: 'idc', clientId: 'client-1', clientSecret: 'client-secret-1' },
    );
    const key = JSON.stringify(
      kind === 'social'
        ? { refreshToken: rt, authMethod: 'social' }
        : { refreshToken: rt, authMethod: 'IdC', clientId: 'client-1', clientSecret: 'client-secret-1' },
    );
    return { rt, key };
  };
  const cred = (key: string, services: ProviderServices, config: Record<string, unknown> = {}): CredentialContext => ({
    channelId: 1,
    keyIndex: 0,
    apiKey: key,
    baseUrl: fake.url,
    config: { refreshUrl: fake.socialRefreshUrl, usageUrl: fake.usageUrl, ...config },
    services,
  });
  const request = (): PreparedRequest => ({
    url: `${fake.url}/generateAssistantResponse`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      conversationState: {
        agentTaskType: 'vibe',
        chatTriggerType: 'MANUAL',
        conversationId: '00000000-0000-4000-8000-000000000000',
        currentMessage: { userInputMessage: { content: 'Hi', modelId: 'claude-sonnet-4.5', origin: 'AI_EDITOR' } },
      },
    }),
  });

  it('20 concurrent requests share one refresh; the token and the social profile ARN go on each', async () => {
    const { rt, key } = account();
    const services = defaultProviderServices();
    const reqs = Array.from({ length: 20 }, request);
    await Promise.all(reqs.map((r) => adapter.prepare!(r, cred(key, services), 'kiro')));
    expect(fake.refreshes(rt)).toBe(1);
    expect(new Set(reqs.map((r) => r.headers.authorization)).size).toBe(1);
    expect(reqs[0].headers.authorization).toMatch(/^Bearer kat-/);
    expect((JSON.parse(reqs[0].body as string) as { profileArn: string }).profileArn).toBe(ARN);
    const res = await fetch(reqs[0].url, { method: 'POST', headers: reqs[0].headers, body: reqs[0].body as string });
    expect(res.status).toBe(200);
  });

  it('keeps the rotated refresh token: a restart with the same store refreshes with it; without it the retired one is refused', async () => {
    const { rt, key } = account();
    const state = new MemoryCredentialStateStore();
    await adapter.prepare!(request(), cred(key, { fetch, tokens: new MemoryTokenCache(), state }), 'kiro');
    expect(fake.currentRefreshToken(rt)).not.toBe(rt);
    // a restarted gateway: new token cache, the same persisted state
    await adapter.prepare!(request(), cred(key, { fetch, tokens: new MemoryTokenCache(), state }), 'kiro');
    expect(fake.refreshes(rt)).toBe(2);
    // what a gateway that forgot the rotation would meet: the first refresh token is dead
    await expect(
      adapter.prepare!(request(), cred(key, { fetch, tokens: new MemoryTokenCache(), state: new MemoryCredentialStateStore() }), 'kiro'),
    ).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining('invalid_grant'),
    });
  });

  it('IdC credentials refresh at the OIDC endpoint with their client; a dead refresh token is the key’s 401', async () => {
    const { rt, key } = account('idc');
    const services = defaultProviderServices();
    const r = request();
    await adapter.prepare!(r, cred(key, services, { refreshUrl: fake.oidcRefreshUrl }), 'kiro');
    expect(fake.refreshes(rt)).toBe(1);
    // no profile ARN for IdC unless the key names one
    expect(JSON.parse(r.body as string)).not.toHaveProperty('profileArn');
    const dead = account('idc');
    fake.killRefreshToken(dead.rt);
    await expect(adapter.prepare!(request(), cred(dead.key, defaultProviderServices(), { refreshUrl: fake.oidcRefreshUrl }), 'kiro')).rejects.toMatchObject({
      status: 401,
      message: 'kiro token refresh refused (400): invalid_grant: Invalid refresh token provided',
    });
  });

  it('after credentialRejected the next request refreshes again', async () => {
    const { rt, key } = account();
    const services = defaultProviderServices();
    await adapter.prepare!(request(), cred(key, services), 'kiro');
    adapter.credentialRejected!(cred(key, services));
    await adapter.prepare!(request(), cred(key, services), 'kiro');
    expect(fake.refreshes(rt)).toBe(2);
  });

  it('keyAllowance reads getUsageLimits, refreshing once when the token was revoked', async () => {
    const rt = `rt-usage-${++n}`;
    fake.addAccount({
      refreshToken: rt,
      profileArn: ARN,
      usage: {
        nextDateReset: 1788220800,
        usageBreakdownList: [{ resourceType: 'CREDIT', currentUsageWithPrecision: 12.5, usageLimitWithPrecision: 50, nextDateReset: 1788220800 }],
      },
    });
    const key = JSON.stringify({ refreshToken: rt, authMethod: 'social' });
    const services = defaultProviderServices();
    expect(await adapter.keyAllowance!(cred(key, services))).toEqual({ used: 12.5, limit: 50, resetAt: '2026-09-01T00:00:00.000Z' });
    fake.expireAccessTokens();
    expect(await adapter.keyAllowance!(cred(key, services))).toMatchObject({ used: 12.5 });
    expect(fake.refreshes(rt)).toBe(2);
  });

  it('frames the binary event stream (split anywhere) into SSE the kiro decoder reads', async () => {
    const { key } = account();
    const r = request();
    const body = JSON.parse(r.body as string) as { conversationState: { currentMessage: { userInputMessage: Record<string, unknown> } } };
    body.conversationState.currentMessage.userInputMessage.userInputMessageContext = {
      tools: [
        { toolSpecification: { name: 'get_weather', description: 'w', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } },
      ],
    };
    r.body = JSON.stringify(body);
    await adapter.prepare!(r, cred(key, defaultProviderServices()), 'kiro');
    const bytes = Buffer.from(await (await fetch(r.url, { method: 'POST', headers: r.headers, body: r.body })).arrayBuffer());
    for (const step of [1, 5, 64, bytes.length]) {
      const framer = new KiroEventStreamFramer();
      const agg = createStreamAggregator('kiro', { upstreamModel: 'm', requestedModel: 'm', stream: false, requestId: 'r' });
      for (let i = 0; i < bytes.length; i += step) agg.push(framer.push(bytes.subarray(i, i + step)));
      agg.push(framer.end());
      const ir = agg.end()!;
      expect(ir.parts).toEqual([
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_call', id: expect.stringMatching(/^tooluse_/), name: 'get_weather', arguments: '{"city":"Paris"}' },
      ]);
      expect([ir.stopReason, ir.usage!.completionTokens > 0]).toEqual(['tool_calls', true]);
    }
    // a corrupt frame is an in-stream error, not garbage text
    const bad = Buffer.from(bytes);
    bad[20] ^= 0xff;
    const framer = new KiroEventStreamFramer();
    expect(framer.push(bad) + framer.end()).toMatch(/^event: exception\ndata: \{"code":"invalidFrame"/);
  });
});
