import OpenAI from 'openai';
import { LogDetail } from '@switchboard/contracts';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { openConsole } from '../console/console-browser';

jest.setTimeout(120_000);

const MAX = 2048;
/** a fake key of the shape the gateway masks: it must reach neither the log's request nor its response */
const FAKE_KEY = 'sk-proj-FAKEFAKE0123456789abcdefXYZ';

interface Bodies {
  request: string;
  response: string | null;
  truncated: boolean;
}

/**
 * Request and response bodies in the log (token or group `logBodies`): an opted-in request logs the body the client
 * sent and the answer it received (JSON or the SSE text), secrets masked and each body capped at LOG_BODY_MAX_BYTES;
 * other requests log none. The console's log detail shows them.
 */
describe('log bodies (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  const clients: Record<'token' | 'group' | 'off', OpenAI> = {} as never;

  const bodiesOf = (requestId: string) =>
    eventually(
      async () => {
        const r = await admin.get<{ bodies?: Bodies | null }>(`/api/logs/${requestId}`);
        return r.status === 200 ? r.body : null;
      },
      10_000,
      `log ${requestId}`,
    ).then((log) => LogDetail.parse(log).bodies); // the documented answer shape (GET /docs)

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone({ CHANNEL_CHECK_INTERVAL_MS: '0', LOG_BODY_MAX_BYTES: String(MAX) });
    admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/groups', { name: 'audited', logBodies: true })).body).toMatchObject({ name: 'audited', logBodies: true });
    expect(
      (
        await admin.post('/api/channels', {
          name: 'mock',
          type: 'openai',
          baseUrl: mock.url,
          keys: ['sk-mock'],
          models: ['gpt-4o-mini'],
          groups: ['default', 'audited'],
        })
      ).status,
    ).toBe(201);
    const token = async (body: Record<string, unknown>) => {
      const r = await admin.post('/api/tokens', body);
      expect(r.status).toBe(201);
      return new OpenAI({ apiKey: String(r.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0, timeout: 20_000 });
    };
    clients.token = await token({ name: 'logged', logBodies: true });
    clients.group = await token({ name: 'in-audited', group: 'audited' });
    clients.off = await token({ name: 'plain' });
  });
  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  it('a token that opts in logs both bodies of a JSON answer, its secrets masked', async () => {
    const { data, response } = await clients.token.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `my key is ${FAKE_KEY} keep it` }] })
      .withResponse();
    expect(data.choices[0].message.content).toContain(FAKE_KEY); // the client's answer is untouched
    const bodies = (await bodiesOf(response.headers.get('x-request-id')!))!;
    expect(bodies.truncated).toBe(false);
    const request = JSON.parse(bodies.request);
    expect(request).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'my key is [REDACTED] keep it' }] });
    const answer = JSON.parse(bodies.response!);
    expect(answer).toMatchObject({ id: data.id, choices: [{ message: { content: expect.stringContaining('[REDACTED]') } }] });
    expect(bodies.request + bodies.response).not.toContain(FAKE_KEY);
  });

  it("a group that opts in logs its tokens' streams as the SSE text the client received", async () => {
    const { data: stream, response } = await clients.group.chat.completions
      .create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `[chunks:3] stream ${FAKE_KEY}` }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    expect(text).toContain(FAKE_KEY);
    const bodies = (await bodiesOf(response.headers.get('x-request-id')!))!;
    expect(JSON.parse(bodies.request)).toMatchObject({ stream: true });
    expect(bodies.response).toMatch(/^data: /);
    expect(bodies.response).toContain('data: [DONE]');
    expect(bodies.response).toContain('"usage"');
    expect(bodies.request + bodies.response).not.toContain(FAKE_KEY);
    expect(bodies.request).toContain('[REDACTED]');
  });

  it('caps each body at LOG_BODY_MAX_BYTES with a marker naming its size', async () => {
    const long = `long ${'word '.repeat(1000)}`;
    const { response } = await clients.token.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: long }] }).withResponse();
    const bodies = (await bodiesOf(response.headers.get('x-request-id')!))!;
    expect(bodies.truncated).toBe(true);
    for (const b of [bodies.request, bodies.response!]) {
      const [head, marker] = b.split('\n…[truncated: ');
      expect(Buffer.byteLength(head)).toBe(MAX);
      expect(Number(marker.match(/^(\d+) bytes in all\]$/)![1])).toBeGreaterThan(5000);
    }
  });

  it("logs the gateway's own error answer", async () => {
    const r = await clients.token.chat.completions
      .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse()
      .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
    expect(r).toBeInstanceOf(OpenAI.APIError);
    const bodies = (await bodiesOf(
      (r as InstanceType<typeof OpenAI.APIError>).requestID ?? (r as InstanceType<typeof OpenAI.APIError>).headers?.get('x-request-id') ?? '',
    ))!;
    expect(JSON.parse(bodies.response!)).toMatchObject({ error: { message: expect.any(String) } });
  });

  it('a token and group that do not opt in log no bodies', async () => {
    const { response } = await clients.off.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'quiet' }] }).withResponse();
    expect(await bodiesOf(response.headers.get('x-request-id')!)).toBeNull();
  });

  it('the console log detail shows the bodies, pretty-printed, with copy buttons', async () => {
    const { response } = await clients.token.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `console ${FAKE_KEY}` }] })
      .withResponse();
    const id = response.headers.get('x-request-id')!;
    await bodiesOf(id);
    const cb = await openConsole(sys);
    try {
      const { page } = cb;
      await page.goto(`/logs/${id}`);
      const drawer = page.getByRole('dialog');
      const request = drawer.getByTestId('log-body-request');
      await request.waitFor();
      const shown = await request.innerText();
      expect(shown).toContain('"content": "console [REDACTED]"'); // pretty-printed JSON
      expect(shown).not.toContain(FAKE_KEY);
      expect(await drawer.getByTestId('log-body-response').innerText()).toContain('"role": "assistant"');
      await drawer.getByRole('button', { name: 'Copy Request body' }).waitFor();
      await drawer.getByRole('button', { name: 'Copy Response body' }).waitFor();
      await request.scrollIntoViewIfNeeded();
      await cb.shot('log-bodies');
      expect(cb.pageErrors).toEqual([]);
    } finally {
      await cb.close();
    }
  });
});
