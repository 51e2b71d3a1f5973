import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { requireInfra } from '../support/infra';
import { adminClient, eventually, startCluster, startStandalone, type System } from '../support/harness';

jest.setTimeout(120_000);

type Topology = 'standalone' | 'cluster';

describe.each<Topology>(['standalone', 'cluster'])('walking skeleton (%s)', (topology) => {
  let mock: MockUpstream;
  let sys: System & { dropDatabase?: () => Promise<void> };
  let key: string;
  let openai: OpenAI;
  let run = true;

  beforeAll(async () => {
    if (topology === 'cluster') run = await requireInfra('postgres', 'redis', 'nats');
    if (!run) return;
    mock = await startMockUpstream();
    sys = topology === 'standalone' ? await startStandalone() : await startCluster();
    const admin = adminClient(sys.url, sys.adminKey);
    const ch = await admin.post('/api/channels', { name: 'mock-openai', type: 'openai', baseUrl: mock.url, keys: ['sk-upstream-1'], models: ['gpt-4o-mini'] });
    expect(ch.status).toBe(201);
    expect(ch.body.keys).toEqual(['sk-…am-1']);
    const tok = await admin.post('/api/tokens', { name: 'e2e' });
    expect(tok.status).toBe(201);
    key = String(tok.body.key);
    expect(key).toMatch(/^sk-[A-Za-z0-9]{48}$/);
    openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await sys?.stop();
    await sys?.dropDatabase?.();
    await mock?.close();
  });

  const maybe = (name: string, fn: () => Promise<void>) => it(name, async () => (run ? fn() : undefined));

  maybe('relays a non-stream chat completion and logs it', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] })
      .withResponse();
    expect(data.choices[0].message.content).toContain('hello');
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^req_/);
    const upstreamCall = mock.requests.find((r) => r.path.startsWith('/v1/chat/completions'));
    expect(upstreamCall?.headers.authorization).toBe('Bearer sk-upstream-1');

    const admin = adminClient(sys.url, sys.adminKey);
    const log = await eventually(
      async () => {
        const r = await admin.get(`/api/logs/${requestId}`);
        return r.status === 200 ? r.body : null;
      },
      5_000,
      'the log record',
    );
    expect(log).toMatchObject({
      requestId,
      model: 'gpt-4o-mini',
      protocol: 'openai-chat',
      upstreamProtocol: 'openai-chat',
      stream: false,
      status: 200,
      attempts: 1,
      error: null,
    });
    expect(log.promptTokens).toBe(data.usage!.prompt_tokens);
    expect(log.completionTokens).toBe(data.usage!.completion_tokens);
    expect(log.cost as number).toBeGreaterThan(0);
  });

  maybe('relays a stream chunk by chunk and logs it with a time to first token', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Tell me a story' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) {
      chunks++;
      text += c.choices[0]?.delta?.content ?? '';
      if (c.usage) usage = c.usage;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text.length).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    const final = await openai.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again' }] }).finalChatCompletion();
    expect(final.choices[0].finish_reason).toBe('stop');

    const admin = adminClient(sys.url, sys.adminKey);
    const logs = await eventually(
      async () => {
        const r = await admin.get<{ data: Record<string, unknown>[] }>('/api/logs?limit=10');
        const streamed = r.body.data.filter((l) => l.stream === true);
        return streamed.length >= 2 ? streamed : null;
      },
      5_000,
      'two stream logs',
    );
    const withUsage = logs.find((l) => l.completionTokens === usage!.completion_tokens);
    expect(withUsage).toBeDefined();
    expect(withUsage!.ttftMs).not.toBeNull();
  });

  maybe('answers bad input in OpenAI shape without crashing', async () => {
    const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL: `${sys.url}/v1`, maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 401,
      code: 'invalid_api_key',
    });
    const noKey = await fetch(`${sys.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('x-request-id')).toBeTruthy();
    const malformed = await fetch(`${sys.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: '{"model": "gpt-4o-mini", "messages": [',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    await expect(openai.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
    // the system still serves
    const ok = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'still there?' }] });
    expect(ok.choices[0].message.role).toBe('assistant');
  });

  maybe('serves its OpenAPI document at /docs, with admin schemas from the services that validate them', async () => {
    const r = await fetch(`${sys.url}/docs`);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/chat/completions',
        '/v1/messages',
        '/api/channels',
        '/api/tokens',
        '/api/logs',
        '/api/redemptions',
        '/api/ledger',
        '/api/ledger/reconciliation',
      ]),
    );
    // billing's bodies too, from its own validators
    expect(doc.components.schemas.TopUp.required).toEqual(['amount']);
    expect(Object.keys(doc.components.schemas.PutPrice.properties!)).toEqual(
      expect.arrayContaining(['input', 'output', 'cacheRead', 'cacheWrite', 'perRequest']),
    );
    expect(doc.components.schemas.CreateRedemptions).toBeDefined();
    expect(doc.components.schemas.CreateChannel.required).toEqual(expect.arrayContaining(['name', 'type', 'keys', 'models']));
    expect(Object.keys(doc.components.schemas.CreateToken.properties!)).toEqual(
      expect.arrayContaining(['quota', 'models', 'allowIps', 'rpm', 'tpm', 'expiresAt']),
    );
    // Every documented parameterless GET under /api answers (no route documented that does not exist); a user's own
    // routes (/api/me…) refuse the admin key, which has no account, with a 403 that says so.
    const admin = adminClient(sys.url, sys.adminKey);
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/') || path.includes('{') || !ops.get) continue;
      if (path.startsWith('/api/auth/oidc/')) {
        // a browser's sign-in steps, for a method this system has not configured (no OIDC_ISSUER)
        const r = await fetch(`${sys.url}${path}`, { redirect: 'manual' });
        if (path.endsWith('/login')) expect([path, r.status]).toEqual([path, 404]);
        else expect([path, r.status, r.headers.get('location')]).toEqual([path, 302, expect.stringContaining('signin_error=oidc_not_configured')]);
        continue;
      }
      const r = await admin.get<{ error?: { message?: string } }>(path);
      if (path === '/api/me' || path.startsWith('/api/me/')) {
        expect([path, r.status, r.body.error?.message]).toEqual([path, 403, expect.stringContaining('The admin key has no account')]);
      } else expect([path, r.status]).toEqual([path, 200]);
    }
  });

  maybe('answers 503 with a clear message when the upstream is down, and keeps serving', async () => {
    const admin = adminClient(sys.url, sys.adminKey);
    const dead = await admin.post('/api/channels', { name: 'dead', type: 'openai', baseUrl: 'http://127.0.0.1:9', keys: ['k'], models: ['dead-model'] });
    expect(dead.status).toBe(201);
    await eventually(
      async () => {
        try {
          await openai.chat.completions.create({ model: 'dead-model', messages: [{ role: 'user', content: 'x' }] });
          return false;
        } catch (e) {
          const err = e as { status?: number; message?: string };
          return err.status === 503 && /No upstream channel/.test(err.message ?? '');
        }
      },
      5_000,
      'a 503 for the dead upstream',
    );
  });
});
