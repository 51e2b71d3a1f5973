// UPSTREAM_MAX_RESPONSE_BYTES: an upstream body past it ends the attempt as an upstream error (failover while nothing
// reached the client, else 502 in the client's shape); an SSE event that grows past the bound without ending ends the
// stream with the client protocol's in-stream error instead of being buffered until the idle timeout.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

const MAX = 4096;

/** An OpenAI-compatible upstream whose answers are too big: a 100 KB JSON body, or a stream line that never ends. */
async function hostileUpstream(): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      hits++;
      const body = JSON.parse(raw) as { model: string; stream?: boolean; messages: { content: string }[] };
      const chunk = (content: string) =>
        JSON.stringify({ id: 'h', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta: { content } }] });
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'h',
            object: 'chat.completion',
            created: 1,
            model: body.model,
            choices: [{ index: 0, message: { role: 'assistant', content: 'b'.repeat(100_000) }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // "[first]" in the prompt: one whole event reaches the client before the endless line.
      if (body.messages.at(-1)?.content.includes('[first]')) res.write(`data: ${chunk('first ')}\n\n`);
      res.write(`data: ${chunk('').slice(0, -10)}`);
      // The line goes on for as long as anyone reads it (bounded here so the server always stops).
      let n = 0;
      const t = setInterval(() => {
        if (res.destroyed || n++ > 600) {
          clearInterval(t);
          res.end();
          return;
        }
        res.write('a'.repeat(1024));
      }, 20);
      res.on('close', () => clearInterval(t));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

describe(`upstream responses are bounded (UPSTREAM_MAX_RESPONSE_BYTES=${MAX})`, () => {
  let mock: MockUpstream;
  let hostile: Awaited<ReturnType<typeof hostileUpstream>>;
  let sys: System;
  let key: string;

  beforeAll(async () => {
    [mock, hostile] = await Promise.all([startMockUpstream(), hostileUpstream()]);
    sys = await startStandalone({ UPSTREAM_MAX_RESPONSE_BYTES: String(MAX), UNPRICED_MODEL_POLICY: 'free' });
    const admin = adminClient(sys.url, sys.adminKey);
    const channel = async (body: Record<string, unknown>) =>
      expect((await admin.post('/api/channels', { type: 'openai', keys: ['sk-up'], ...body })).status).toBe(201);
    // `bounds-failover`: the hostile channel first, the mock behind it.
    await channel({ name: 'hostile-first', baseUrl: hostile.url, models: ['bounds-failover'], priority: 10 });
    await channel({ name: 'mock-behind', baseUrl: mock.url, models: ['bounds-failover', 'bounds-mock'], priority: 0 });
    await channel({ name: 'hostile-only', baseUrl: hostile.url, models: ['bounds-only'] });
    key = String((await admin.post('/api/tokens', { name: 'bounds' })).body.key);
  });

  afterAll(async () => {
    await sys?.stop();
    await Promise.all([mock?.close(), hostile?.close()]);
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${sys.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const chat = (model: string, content: string, stream = false) => post('/v1/chat/completions', { model, stream, messages: [{ role: 'user', content }] });

  it('a JSON body past the bound fails over to the next channel', async () => {
    const before = hostile.hits();
    const r = await chat('bounds-failover', 'hello');
    expect(r.status).toBe(200);
    const body = (await r.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0].message.content).toContain('hello');
    expect(hostile.hits()).toBe(before + 1);
  });

  it('with nothing to fail over to: 502 in the client protocol shape (OpenAI and Anthropic)', async () => {
    const r = await chat('bounds-only', 'hello');
    expect(r.status).toBe(502);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/larger than 4096 bytes/);

    const a = await post(
      '/v1/messages',
      { model: 'bounds-only', max_tokens: 16, messages: [{ role: 'user', content: 'hello' }] },
      { 'anthropic-version': '2023-06-01' },
    );
    expect(a.status).toBe(502);
    expect(await a.json()).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.stringMatching(/larger than 4096 bytes/) } });
  });

  it("the mock upstream's own reply past the bound is refused the same way", async () => {
    const r = await chat('bounds-mock', '[chunks:2000] pad me');
    expect(r.status).toBe(502);
    expect(await chat('bounds-mock', 'short')).toHaveProperty('status', 200);
  });

  it('a stream whose line never ends, before any byte reached the client, fails over', async () => {
    const r = await chat('bounds-failover', 'hello stream', true);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toContain('hello');
    expect(text).toContain('data: [DONE]');
  });

  it('a stream whose line never ends after the first event: the in-stream error, promptly (OpenAI and Anthropic clients)', async () => {
    const started = Date.now();
    const r = await chat('bounds-only', '[first] go', true);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toContain('first ');
    expect(text).toMatch(/data: \{"error":\{"message":"upstream stream ended early: too_large"/);
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);

    const a = await post(
      '/v1/messages',
      { model: 'bounds-only', max_tokens: 16, stream: true, messages: [{ role: 'user', content: '[first] go' }] },
      { 'anthropic-version': '2023-06-01' },
    );
    expect(a.status).toBe(200);
    const events = await a.text();
    expect(events).toContain('first ');
    expect(events).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"[a-z_]+","message":"upstream stream ended early: too_large"/);
    // Well before the idle timeout (60 s) or the end of the endless line (~12 s).
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
