import { sign } from 'node:crypto';
import { ApiError, GoogleGenAI } from '@google/genai';
import { shareUndiciDispatcherWithJest } from '../index';
import { FAKE_VERTEX_SCOPE, startFakeVertex, type FakeVertex } from './fake-vertex.server';

/** The fake is checked against Google's own client (@google/genai in Vertex mode) and the reference's token grant. */
describe('fake Vertex AI', () => {
  let fake: FakeVertex;
  let sa: { client_email: string; private_key: string; private_key_id: string; token_uri: string };

  beforeAll(async () => {
    shareUndiciDispatcherWithJest();
    fake = await startFakeVertex();
    sa = JSON.parse(fake.serviceAccount()) as typeof sa;
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const assertion = (claims: Record<string, unknown> = {}, key = sa.private_key) => {
    const iat = Math.floor(Date.now() / 1000);
    const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: sa.private_key_id })}.${b64({
      iss: sa.client_email,
      scope: FAKE_VERTEX_SCOPE,
      aud: sa.token_uri,
      iat,
      exp: iat + 3600,
      ...claims,
    })}`;
    return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
  };
  const grant = async (jwt: string) => {
    const res = await fetch(sa.token_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const genai = (token: string, location = 'us-central1') =>
    new GoogleGenAI({
      vertexai: true,
      project: 'test-project',
      location,
      googleAuthOptions: { authClient: { getRequestHeaders: async () => new Headers({ authorization: `Bearer ${token}` }) } as never },
      httpOptions: { baseUrl: fake.url, apiVersion: 'v1' },
    });

  it('mints a token for a correctly signed grant, as Google answers', async () => {
    const r = await grant(assertion());
    expect(r).toEqual({ status: 200, body: { access_token: expect.stringMatching(/^ya29\.c\./), expires_in: 3599, token_type: 'Bearer' } });
    expect(fake.mints).toBe(1);
  });

  it('refuses bad grants with OAuth errors: signature, audience, scope, lifetime, unknown account', async () => {
    const other = JSON.parse(fake.serviceAccount()) as typeof sa;
    const cases: [string, string, string][] = [
      [assertion({}, other.private_key), 'invalid_grant', 'Invalid JWT Signature.'],
      [assertion({ aud: 'https://oauth2.googleapis.com/token' }), 'invalid_grant', 'Failed audience check'],
      [assertion({ scope: 'https://www.googleapis.com/auth/userinfo.email' }), 'invalid_scope', 'Invalid OAuth scope'],
      [assertion({ exp: Math.floor(Date.now() / 1000) + 7200 }), 'invalid_grant', 'short-lived token'],
      [assertion({ iss: 'nobody@x.iam.gserviceaccount.com' }), 'invalid_grant', 'account not found'],
    ];
    for (const [jwt, error, description] of cases) {
      expect(await grant(jwt)).toEqual({ status: 400, body: { error, error_description: expect.stringContaining(description) } });
    }
    expect(fake.mints).toBe(0);
  });

  it('serves @google/genai in Vertex mode: generateContent, SSE streams and embeddings on their resource paths', async () => {
    const token = String((await grant(assertion())).body.access_token);
    const client = genai(token);
    const r = await client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Say hello' });
    expect(r.text?.length).toBeGreaterThan(0);
    let streamed = '';
    for await (const c of await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Say hello' })) streamed += c.text ?? '';
    expect(streamed.length).toBeGreaterThan(0);
    const e = await client.models.embedContent({ model: 'text-embedding-005', contents: ['one', 'two'], config: { outputDimensionality: 8 } });
    expect(e.embeddings?.map((x) => x.values?.length)).toEqual([8, 8]);
    expect(fake.requests.map((q) => [q.path, q.account, q.status])).toEqual([
      ['/v1/projects/test-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent', sa.client_email, 200],
      ['/v1/projects/test-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse', sa.client_email, 200],
      ['/v1/projects/test-project/locations/us-central1/publishers/google/models/text-embedding-005:predict', sa.client_email, 200],
    ]);
  });

  it('answers 401 UNAUTHENTICATED to a token it did not mint or revoked, 403 to another project', async () => {
    const err = await genai('ya29.forged')
      .models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect((err as ApiError).message).toContain('UNAUTHENTICATED');
    const token = String((await grant(assertion())).body.access_token);
    const denied = await fetch(`${fake.url}/v1/projects/other/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] }),
    });
    expect([denied.status, ((await denied.json()) as { error: { status: string } }).error.status]).toEqual([403, 'PERMISSION_DENIED']);
    fake.revokeTokens();
    expect(
      (await genai(token)
        .models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })
        .catch((e: ApiError) => e)) as ApiError,
    ).toMatchObject({
      status: 401,
    });
  });

  it('Claude by rawPredict: the Messages body without model, with the Vertex anthropic_version; SSE by streamRawPredict', async () => {
    const token = String((await grant(assertion())).body.access_token);
    const call = (verb: string, body: Record<string, unknown>) =>
      fetch(`${fake.url}/v1/projects/test-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5:${verb}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const messages = [{ role: 'user', content: 'Hi' }];
    const ok = await call('rawPredict', { anthropic_version: 'vertex-2023-10-16', max_tokens: 50, messages });
    expect([ok.status, ((await ok.json()) as { type: string; model: string }).model]).toEqual([200, 'claude-sonnet-4-5']);
    const sse = await call('streamRawPredict', { anthropic_version: 'vertex-2023-10-16', max_tokens: 50, messages, stream: true });
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    expect(await sse.text()).toContain('event: message_stop');
    const withModel = await call('rawPredict', { anthropic_version: 'vertex-2023-10-16', model: 'claude-sonnet-4-5', max_tokens: 5, messages });
    expect([withModel.status, ((await withModel.json()) as { error: { message: string } }).error.message]).toEqual([
      400,
      'model: Extra inputs are not permitted',
    ]);
    expect((await call('rawPredict', { anthropic_version: '2023-06-01', max_tokens: 5, messages })).status).toBe(404);
  });
});
