import { startAzureFake, type AzureFake } from '@switchboard/testing';
import { defaultProviderServices, type ProviderServices } from '../credentials/provider-services';
import { CredentialError, type CredentialContext, type PreparedRequest, type TargetArgs } from '../provider.types';
import { AZURE_API_VERSION, AzureAdapter } from './azure.adapter';

const azure = new AzureAdapter();
const args = (over: Partial<TargetArgs>): TargetArgs => ({
  baseUrl: 'https://res.openai.azure.com',
  apiKey: 'az-key',
  model: 'gpt-4o-dep',
  protocol: 'openai-chat',
  stream: false,
  operation: 'generate',
  ...over,
});
const urlOf = (over: Partial<TargetArgs>) => azure.target(args(over)).url;

describe('azure: URLs per config.apiVersion', () => {
  it('no apiVersion: the dated deployments path at the default GA version, as azure channels always did', () => {
    expect(urlOf({})).toBe(`https://res.openai.azure.com/openai/deployments/gpt-4o-dep/chat/completions?api-version=${AZURE_API_VERSION}`);
    expect(AZURE_API_VERSION).toBe('2024-10-21');
    expect(urlOf({ baseUrl: 'https://res.openai.azure.com/openai/', protocol: 'openai-embeddings', operation: 'embed' })).toBe(
      'https://res.openai.azure.com/openai/deployments/gpt-4o-dep/embeddings?api-version=2024-10-21',
    );
  });

  it('a dated version: deployments path with it; Responses at /openai/responses (not deployment-scoped)', () => {
    const config = { apiVersion: '2025-04-01-preview' };
    expect(urlOf({ config, model: 'my dep' })).toBe('https://res.openai.azure.com/openai/deployments/my%20dep/chat/completions?api-version=2025-04-01-preview');
    expect(urlOf({ config, protocol: 'openai-responses' })).toBe('https://res.openai.azure.com/openai/responses?api-version=2025-04-01-preview');
    expect(urlOf({ config, protocol: 'openai-audio', operation: 'audio.transcribe' })).toBe(
      'https://res.openai.azure.com/openai/deployments/gpt-4o-dep/audio/transcriptions?api-version=2025-04-01-preview',
    );
  });

  it('v1: /openai/v1/{path}, the deployment in the body, no api-version; a base URL ending in /openai/v1 is not doubled', () => {
    const config = { apiVersion: 'v1' };
    for (const baseUrl of ['https://res.openai.azure.com', 'https://res.openai.azure.com/openai/v1/', 'https://res.openai.azure.com/openai']) {
      expect(urlOf({ baseUrl, config })).toBe('https://res.openai.azure.com/openai/v1/chat/completions');
    }
    expect(urlOf({ config, protocol: 'openai-responses' })).toBe('https://res.openai.azure.com/openai/v1/responses');
    expect(urlOf({ config, protocol: 'openai-embeddings', operation: 'embed' })).toBe('https://res.openai.azure.com/openai/v1/embeddings');
  });

  it('Realtime: v1 unless the channel is pinned to a dated (preview) version', () => {
    expect(urlOf({ protocol: 'openai-realtime', operation: 'realtime' })).toBe('wss://res.openai.azure.com/openai/v1/realtime?model=gpt-4o-dep');
    expect(urlOf({ protocol: 'openai-realtime', operation: 'realtime', config: { apiVersion: '2024-10-01-preview' } })).toBe(
      'wss://res.openai.azure.com/openai/realtime?api-version=2024-10-01-preview&deployment=gpt-4o-dep',
    );
  });

  it('a plain key is the api-key header; an Entra credential is never sent as one', () => {
    expect(azure.target(args({})).headers).toEqual({ 'api-key': 'az-key' });
    expect(azure.target(args({ apiKey: '{"tenantId":"t","clientId":"c","clientSecret":"s"}' })).headers).toEqual({});
  });

  it('config is checked: apiVersion v1 or dated, authorityHost an origin', () => {
    for (const ok of [
      {},
      { apiVersion: 'v1' },
      { apiVersion: '2024-10-21' },
      { apiVersion: '2025-04-01-preview' },
      { authorityHost: 'https://login.microsoftonline.us' },
    ])
      expect(azure.configProblem(ok)).toBeNull();
    expect(azure.configProblem({ apiVersion: '2024-10' })?.field).toBe('apiVersion');
    expect(azure.configProblem({ apiVersion: 'latest' })?.field).toBe('apiVersion');
    expect(azure.configProblem({ apiVersion: 20241021 })?.field).toBe('apiVersion');
    expect(azure.configProblem({ authorityHost: 'login.microsoftonline.com' })?.field).toBe('authorityHost');
    expect(azure.configProblem({ authorityHost: 'https://login.microsoftonline.com/tenant/path' })?.field).toBe('authorityHost');
    expect(azure.configProblem({ apiversion: 'v1' })).toEqual({ field: 'apiversion', message: expect.stringMatching(/not a setting/) as string });
  });
});

describe('azure: Entra ID client-credentials keys', () => {
  let fake: AzureFake;
  let services: ProviderServices;
  const app = { tenantId: 'contoso-tenant', clientId: 'app-123', clientSecret: 's3cr3t~value' };
  const cred = (key: unknown = app, over: Partial<CredentialContext> = {}): CredentialContext => ({
    channelId: 1,
    keyIndex: 0,
    apiKey: typeof key === 'string' ? key : JSON.stringify(key),
    baseUrl: fake.url,
    config: { apiVersion: 'v1', authorityHost: fake.url },
    services,
    ...over,
  });
  const request = (): PreparedRequest => ({ url: `${fake.url}/openai/v1/chat/completions`, headers: { 'content-type': 'application/json' }, body: '{}' });
  const tokenCalls = () => fake.requests.filter((r) => r.style === 'token');

  beforeAll(async () => {
    fake = await startAzureFake({ apps: [app] });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    services = defaultProviderServices();
  });

  it('mints once for concurrent attempts with the Cognitive Services scope, sends it as Bearer, reuses it', async () => {
    const reqs = [request(), request(), request()];
    await Promise.all(reqs.map((r) => azure.prepare(r, cred())));
    expect(tokenCalls()).toHaveLength(1);
    expect(tokenCalls()[0].path).toBe('/contoso-tenant/oauth2/v2.0/token');
    expect(tokenCalls()[0].form).toEqual({
      grant_type: 'client_credentials',
      client_id: 'app-123',
      client_secret: 's3cr3t~value',
      scope: 'https://cognitiveservices.azure.com/.default',
    });
    const auth = reqs.map((r) => r.headers.authorization);
    expect(new Set(auth).size).toBe(1);
    expect(auth[0]).toMatch(/^Bearer eyJ/);
    expect(reqs[0].headers['api-key']).toBeUndefined();
    await azure.prepare(request(), cred());
    expect(tokenCalls()).toHaveLength(1);
  });

  it('a rejected token is forgotten: the next attempt mints a new one', async () => {
    const first = request();
    await azure.prepare(first, cred());
    azure.credentialRejected(cred());
    const second = request();
    await azure.prepare(second, cred());
    expect(tokenCalls()).toHaveLength(2);
    expect(second.headers.authorization).not.toBe(first.headers.authorization);
  });

  it('a wrong secret, an unknown app or tenant blame the key (401) with Entra’s own words', async () => {
    const refused = async (key: unknown) =>
      azure.prepare(request(), cred(key)).then(
        () => null,
        (e: unknown) => e as CredentialError,
      );
    const wrongSecret = await refused({ ...app, clientSecret: 'nope' });
    expect(wrongSecret).toBeInstanceOf(CredentialError);
    expect([wrongSecret!.status, wrongSecret!.message]).toEqual([401, expect.stringMatching(/invalid_client.*AADSTS7000215: Invalid client secret provided/)]);
    expect((await refused({ ...app, clientId: 'other' }))?.message).toMatch(/unauthorized_client.*AADSTS700016/);
    expect((await refused({ ...app, tenantId: 'fabrikam' }))?.message).toMatch(/invalid_request.*AADSTS90002/);
    expect((await refused('{"tenantId":"t"'))?.status).toBe(401);
    expect((await refused({ tenantId: 't', clientId: 'c' }))?.message).toMatch(/lacks clientSecret/);
  });

  it('an unreachable authority blames the upstream (not the key); a plain key is left as it is', async () => {
    const down = await azure.prepare(request(), cred(app, { config: { authorityHost: 'http://127.0.0.1:9' } })).catch((e: unknown) => e as CredentialError);
    expect(down).toBeInstanceOf(CredentialError);
    expect((down as CredentialError).status).toBe(502);
    const plain = { ...request(), headers: { 'api-key': 'az-key' } };
    await azure.prepare(plain, cred('az-key'));
    expect(plain.headers).toEqual({ 'api-key': 'az-key' });
    expect(tokenCalls()).toHaveLength(0);
  });
});
