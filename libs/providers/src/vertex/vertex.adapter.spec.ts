import { createPublicKey, verify } from 'node:crypto';
import { startFakeVertex, type FakeVertex } from '@switchboard/testing';
import { MemoryTokenCache, TOKEN_RENEW_BEFORE_MS } from '../credentials/token-cache';
import type { ProviderServices } from '../credentials/provider-services';
import { CredentialError, type CredentialContext, type PreparedRequest, type TargetArgs } from '../provider.types';
import { channelConfigProblem, defaultBaseUrl, providerFor } from '../registry';
import { buildUpstreamCall } from '../upstream-call.builder';
import type { InboundRequest, UpstreamCall, UpstreamChannel } from '../upstream-call.types';
import { mintAccessToken, parseServiceAccount, signAssertion } from './service-account';
import { VertexAdapter } from './vertex.adapter';

const config = { project: 'test-project', location: 'us-east5' };
const args = (over: Partial<TargetArgs> = {}): TargetArgs => ({
  baseUrl: defaultBaseUrl('vertex')!,
  apiKey: '{}',
  model: 'gemini-2.5-flash',
  protocol: 'gemini',
  stream: false,
  operation: 'generate',
  config,
  ...over,
});

describe('vertex: where requests go', () => {
  const vertex = providerFor('vertex')!;
  const resource = 'v1/projects/test-project/locations/us-east5/publishers';

  it('the default base URL is Google host of the channel location: regional, global, multi-region', () => {
    expect(vertex.target(args()).url).toBe(`https://us-east5-aiplatform.googleapis.com/${resource}/google/models/gemini-2.5-flash:generateContent`);
    expect(vertex.target(args({ config: { project: 'p1', location: 'global' } })).url).toBe(
      'https://aiplatform.googleapis.com/v1/projects/p1/locations/global/publishers/google/models/gemini-2.5-flash:generateContent',
    );
    expect(vertex.target(args({ config: { project: 'p1', location: 'eu' } })).url).toMatch(
      /^https:\/\/aiplatform\.eu\.rep\.googleapis\.com\/v1\/projects\/p1\/locations\/eu\//,
    );
    // a regional Google host typed by the admin follows the location too (a host that disagrees with the path fails)
    expect(vertex.target(args({ baseUrl: 'https://us-central1-aiplatform.googleapis.com/v1/' })).url).toMatch(/^https:\/\/us-east5-aiplatform/);
  });

  it('any other base URL replaces the host as it is (a private endpoint, a proxy, a fake)', () => {
    expect(vertex.target(args({ baseUrl: 'http://127.0.0.1:9999/v1' })).url).toBe(
      `http://127.0.0.1:9999/${resource}/google/models/gemini-2.5-flash:generateContent`,
    );
  });

  it('verbs per publisher and protocol: Gemini streams with alt=sse, Claude by rawPredict, embeddings by model', () => {
    const url = (over: Partial<TargetArgs>) => vertex.target(args(over)).url.replace(/^.*\/publishers\//, '');
    expect(url({ stream: true })).toBe('google/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(url({ geminiAction: 'countTokens' })).toBe('google/models/gemini-2.5-flash:countTokens');
    expect(url({ protocol: 'anthropic', model: 'claude-sonnet-4@20250514' })).toBe('anthropic/models/claude-sonnet-4@20250514:rawPredict');
    expect(url({ protocol: 'anthropic', model: 'claude-opus-4-6', stream: true })).toBe('anthropic/models/claude-opus-4-6:streamRawPredict');
    expect(url({ protocol: 'vertex-embeddings', model: 'text-embedding-005', operation: 'embed' })).toBe('google/models/text-embedding-005:predict');
    expect(url({ protocol: 'vertex-embeddings', model: 'gemini-embedding-001', operation: 'embed' })).toBe('google/models/gemini-embedding-001:predict');
    expect(url({ protocol: 'vertex-embeddings', model: 'gemini-embedding-2-preview', operation: 'embed' })).toBe(
      'google/models/gemini-embedding-2-preview:embedContent',
    );
    expect(vertex.target(args()).headers).toEqual({});
  });

  it('chooses the protocol by model: claude-* Anthropic Messages, the rest Gemini; Claude has no embeddings or images', () => {
    expect(vertex.protocolFor('claude-sonnet-4-5', 'generate', 'openai-chat')).toBe('anthropic');
    expect(vertex.protocolFor('gemini-2.5-pro', 'generate', 'anthropic')).toBe('gemini');
    expect(vertex.protocolFor('text-embedding-005', 'embed', 'openai-embeddings')).toBe('vertex-embeddings');
    expect(vertex.protocolFor('imagen-4.0-generate-001', 'image.generate', 'openai-images')).toBe('gemini');
    expect(vertex.protocolFor('claude-sonnet-4-5', 'embed', 'openai-embeddings')).toBeNull();
    expect(vertex.protocolFor('gemini-2.5-pro', 'audio.speech', 'openai-audio')).toBeNull();
  });

  it('Imagen through :predict as the gemini type builds it', () => {
    const body = { model: 'imagen-4.0-generate-001', prompt: 'a fox', n: 2 };
    const call: InboundRequest = {
      protocol: 'openai-images',
      operation: 'image.generate',
      endpoint: 'images.generations',
      model: body.model,
      stream: false,
      body,
      raw: Buffer.from(JSON.stringify(body)),
    };
    const channel: UpstreamChannel = {
      id: 1,
      type: 'vertex',
      baseUrl: 'https://aiplatform.googleapis.com',
      modelMapping: {},
      paramOverride: {},
      headers: {},
      statusCodeMapping: {},
      config,
    };
    const built = buildUpstreamCall(channel, '{}', call, body.model, 'r') as UpstreamCall;
    expect(built.url).toBe(`https://us-east5-aiplatform.googleapis.com/${resource}/google/models/imagen-4.0-generate-001:predict`);
    expect(JSON.parse(built.body as string)).toEqual({ instances: [{ prompt: 'a fox' }], parameters: { sampleCount: 2 } });
  });

  it('config: project and location are required and checked', () => {
    expect(channelConfigProblem('vertex', config)).toBeNull();
    expect(channelConfigProblem('vertex', { location: 'us-east5' })).toMatchObject({ field: 'project' });
    expect(channelConfigProblem('vertex', { project: 'p' })).toMatchObject({ field: 'location' });
    expect(channelConfigProblem('vertex', { project: 'p', location: 'evil.example.com/x' })).toMatchObject({ field: 'location' });
    expect(channelConfigProblem('vertex', { project: 'a/b', location: 'global' })).toMatchObject({ field: 'project' });
    expect(channelConfigProblem('vertex', { ...config, region: 'x' })).toMatchObject({ field: 'region' });
  });
});

describe('vertex: service-account credentials', () => {
  let fake: FakeVertex;
  let sa: string;

  beforeAll(async () => {
    fake = await startFakeVertex({ projects: ['test-project'], tokenLifetimeSeconds: 400 });
    sa = fake.serviceAccount();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  const services = (now?: () => number): ProviderServices => ({ fetch: (i, init) => fetch(i, init), tokens: new MemoryTokenCache(now) });
  const cred = (s: ProviderServices, apiKey = sa): CredentialContext => ({ channelId: 1, keyIndex: 0, apiKey, baseUrl: fake.url, config, services: s });
  const request = (body: unknown = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }): PreparedRequest => ({
    url: `${fake.url}/v1/x:generateContent`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  it('signs an RS256 JWT bearer assertion for the account: iss, aud = its token_uri, cloud-platform scope, one hour', () => {
    const account = parseServiceAccount(sa);
    const jwt = signAssertion(account, Date.UTC(2026, 0, 1));
    const [h, c, s] = jwt.split('.');
    const key = JSON.parse(sa) as { private_key: string; private_key_id: string; client_email: string };
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', kid: key.private_key_id });
    const iat = Date.UTC(2026, 0, 1) / 1000;
    expect(JSON.parse(Buffer.from(c, 'base64url').toString())).toEqual({
      iss: key.client_email,
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      aud: fake.tokenUri,
      iat,
      exp: iat + 3600,
    });
    expect(verify('sha256', Buffer.from(`${h}.${c}`), createPublicKey(key.private_key), Buffer.from(s, 'base64url'))).toBe(true);
  });

  it('the token endpoint accepts the grant: a form post, the token and its lifetime back', async () => {
    const now = Date.now();
    const minted = await mintAccessToken(parseServiceAccount(sa), fetch, now);
    expect(minted.value).toMatch(/^ya29\./);
    expect(minted.expiresAt).toBe(now + 400_000);
    expect(fake.tokenRequests).toMatchObject([
      { status: 200, contentType: 'application/x-www-form-urlencoded', grantType: 'urn:ietf:params:oauth:grant-type:jwt-bearer' },
    ]);
  });

  it('mints once for 20 concurrent requests and puts the same bearer token on each', async () => {
    const s = services();
    const adapter = new VertexAdapter();
    const reqs = Array.from({ length: 20 }, () => request());
    await Promise.all(reqs.map((r) => adapter.prepare(r, cred(s), 'gemini')));
    expect(fake.mints).toBe(1);
    expect(fake.tokenRequests).toHaveLength(1);
    expect(new Set(reqs.map((r) => r.headers.authorization)).size).toBe(1);
    expect(reqs[0].headers.authorization).toMatch(/^Bearer ya29\./);
  });

  it('renews the token shortly before it expires (controlled clock), not before', async () => {
    let now = Date.now();
    const s = services(() => now);
    const adapter = new VertexAdapter(() => now);
    const a = request();
    await adapter.prepare(a, cred(s), 'gemini');
    now += 400_000 - TOKEN_RENEW_BEFORE_MS - 1_000;
    const b = request();
    await adapter.prepare(b, cred(s), 'gemini');
    expect([fake.mints, b.headers.authorization]).toEqual([1, a.headers.authorization]);
    now += 2_000;
    const c = request();
    await adapter.prepare(c, cred(s), 'gemini');
    expect(fake.mints).toBe(2);
    expect(c.headers.authorization).not.toBe(a.headers.authorization);
  });

  it('mints again after the upstream refused the token (credentialRejected)', async () => {
    const s = services();
    const adapter = new VertexAdapter();
    const a = request();
    await adapter.prepare(a, cred(s), 'gemini');
    adapter.credentialRejected(cred(s));
    const b = request();
    await adapter.prepare(b, cred(s), 'gemini');
    expect(fake.mints).toBe(2);
    expect(b.headers.authorization).not.toBe(a.headers.authorization);
  });

  it('a malformed key is the key fault (401) naming what is wrong, never echoing the private key', async () => {
    const key = JSON.parse(sa) as Record<string, string>;
    const secret = key.private_key.split('\n')[1];
    const cases: [string, RegExp][] = [
      ['sk-not-json', /not JSON/],
      [JSON.stringify({ ...key, client_email: undefined }), /client_email is missing/],
      [JSON.stringify({ ...key, private_key: undefined }), /private_key is missing/],
      [JSON.stringify({ ...key, private_key: key.private_key.replace(secret, secret.slice(0, 20)) }), /private_key is not a PEM private key/],
      [JSON.stringify({ ...key, type: 'authorized_user' }), /expected "service_account"/],
    ];
    for (const [apiKey, why] of cases) {
      const err = await new VertexAdapter().prepare(request(), cred(services(), apiKey), 'gemini').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CredentialError);
      expect([(err as CredentialError).status, (err as Error).message]).toEqual([401, expect.stringMatching(why)]);
      expect((err as Error).message).not.toContain(secret.slice(0, 20));
    }
    expect(fake.tokenRequests).toHaveLength(0);
  });

  it('token endpoint errors: invalid_grant blames the key (401); a 5xx or an unreachable endpoint the upstream', async () => {
    const deleted = fake.serviceAccount();
    fake.deleteKey((JSON.parse(deleted) as { client_email: string }).client_email);
    const e1 = (await new VertexAdapter().prepare(request(), cred(services(), deleted), 'gemini').catch((e: unknown) => e)) as CredentialError;
    expect([e1.status, e1.message]).toEqual([401, expect.stringContaining('invalid_grant: Invalid JWT Signature.')]);

    fake.setTokenFault({ status: 503, times: 1 });
    const e2 = (await new VertexAdapter().prepare(request(), cred(services()), 'gemini').catch((e: unknown) => e)) as CredentialError;
    expect([e2.status, e2.message]).toEqual([502, expect.stringContaining('answered 503')]);

    const gone = JSON.stringify({ ...JSON.parse(sa), token_uri: 'http://127.0.0.1:1/token' });
    const e3 = (await new VertexAdapter().prepare(request(), cred(services(), gone), 'gemini').catch((e: unknown) => e)) as CredentialError;
    expect([e3.status, e3.message]).toEqual([502, expect.stringContaining('unreachable')]);
  });

  it('Claude bodies: model out, the Vertex anthropic_version in, stream kept; anthropic-beta stays a header', async () => {
    const req: PreparedRequest = {
      url: `${fake.url}/v1/x:streamRawPredict`,
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'context-1m-2025-08-07' },
      body: Buffer.from(JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] })),
    };
    await new VertexAdapter().prepare(req, cred(services()), 'anthropic');
    expect(JSON.parse(req.body as string)).toEqual({
      max_tokens: 10,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
      anthropic_version: 'vertex-2023-10-16',
    });
    expect(req.headers).toEqual({
      'content-type': 'application/json',
      'anthropic-beta': 'context-1m-2025-08-07',
      authorization: expect.stringMatching(/^Bearer ya29\./),
    });
  });

  it('Gemini contents without a role get "user" (Vertex requires one); bodies that have roles go as they are', async () => {
    const req = request({ contents: [{ parts: [{ text: 'hi' }] }] });
    await new VertexAdapter().prepare(req, cred(services()), 'gemini');
    expect(JSON.parse(req.body as string)).toEqual({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    const untouched = Buffer.from(JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] }));
    const req2: PreparedRequest = { url: 'u', headers: {}, body: untouched };
    await new VertexAdapter().prepare(req2, cred(services()), 'gemini');
    expect(req2.body).toBe(untouched);
  });
});
