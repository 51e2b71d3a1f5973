import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { openConsole, type ConsoleBrowser } from './console-browser';

jest.setTimeout(180_000);

interface LogPage {
  data: { requestId: string; tokenId: number; model: string; stream: boolean; status: number; completionTokens: number }[];
  total: number;
}

/** `/playground` and the route behind it: a chat run as a token chosen by id, through the ordinary relay. */
describe('playground (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let cb: ConsoleBrowser;
  let admin: ReturnType<typeof adminClient>;
  let tokenId: number;
  let disabledId: number;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    const ch = await admin.post('/api/channels', { name: 'mock', type: 'openai', baseUrl: mock.url, keys: ['sk-up'], models: ['gpt-4o-mini'] });
    expect(ch.status).toBe(201);
    tokenId = Number((await admin.post('/api/tokens', { name: 'playground-e2e' })).body.id);
    disabledId = Number((await admin.post('/api/tokens', { name: 'switched-off' })).body.id);
    expect((await admin.patch(`/api/tokens/${disabledId}`, { status: 'disabled' })).status).toBe(200);
    // The failures below are provoked on purpose: a disabled token's 401 answer.
    cb = await openConsole(sys, { expected: (status, url) => status === 401 && url.pathname === '/api/playground/chat/completions' });
  });

  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await mock?.close();
  });

  const post = (headers: Record<string, string>, body: unknown = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }) =>
    fetch(`${sys.url}/api/playground/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('runs only for the admin, as an existing token named by id, and logs the request under that token', async () => {
    expect((await post({ 'x-switchboard-token-id': String(tokenId) })).status).toBe(401);
    const auth = { authorization: `Bearer ${sys.adminKey}` };
    const missing = await post(auth);
    expect([missing.status, ((await missing.json()) as { error: { message: string } }).error.message]).toEqual([
      400,
      expect.stringContaining('x-switchboard-token-id'),
    ]);
    expect((await post({ ...auth, 'x-switchboard-token-id': '999999' })).status).toBe(404);
    expect((await post({ ...auth, 'x-switchboard-token-id': '1e3' })).status).toBe(400);
    const ok = await post({ ...auth, 'x-switchboard-token-id': String(tokenId) });
    expect(ok.status).toBe(200);
    const requestId = ok.headers.get('x-request-id');
    const body = (await ok.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0].message.content.length).toBeGreaterThan(0);
    const log = await eventually(
      async () => (await admin.get<LogPage>('/api/logs')).body.data.find((r) => r.requestId === requestId),
      10_000,
      'the log record',
    );
    expect(log).toMatchObject({ tokenId, model: 'gpt-4o-mini', status: 200, stream: false });
    // A disabled token stays refused in the playground, with the relay's own message.
    const off = await post({ ...auth, 'x-switchboard-token-id': String(disabledId) });
    expect(off.status).toBe(401);
  });

  it('streams a chat in the browser, shows usage and links the request log', async () => {
    const { page } = cb;
    await page.goto('/playground');
    await page.getByRole('heading', { name: 'Playground' }).waitFor();
    await page.getByRole('textbox', { name: 'Token', exact: true }).click();
    await page.getByRole('option', { name: `playground-e2e (#${tokenId})` }).click();
    await page.getByRole('textbox', { name: 'Model' }).fill('gpt-4o-mini');
    await page.getByRole('textbox', { name: 'Message' }).fill('Say hello [chunks:8]');
    await page.getByRole('button', { name: 'Send' }).click();
    const turn = page.getByTestId('assistant-turn').last();
    await page.locator('[data-testid="assistant-turn"][data-state="done"]').waitFor();
    const text = (await turn.getByTestId('assistant-text').textContent()) ?? '';
    expect(text.trim().length).toBeGreaterThan(0);
    await expect(turn.getByTestId('turn-stats').textContent()).resolves.toMatch(/^\d+ in · \d+ out · first token \d+ ms · total \d+ ms/);
    const link = turn.getByRole('link', { name: /^Request / });
    const requestId = ((await link.textContent()) ?? '').replace('Request ', '');
    const log = await eventually(
      async () => (await admin.get<LogPage>('/api/logs')).body.data.find((r) => r.requestId === requestId),
      10_000,
      'the log record',
    );
    expect(log).toMatchObject({ tokenId, stream: true, status: 200 });
    const sent = mock.requests.at(-1)!;
    expect((sent.body as { stream?: boolean }).stream).toBe(true);
    await cb.shot('playground-streamed-light');

    // A follow-up carries the conversation so far.
    await page.getByRole('textbox', { name: 'Message' }).fill('And again');
    await page.getByRole('textbox', { name: 'Message' }).press('Control+Enter');
    await eventually(async () => (await page.locator('[data-testid="assistant-turn"][data-state="done"]').count()) === 2, 20_000, 'the second answer');
    const messages = (mock.requests.at(-1)!.body as { messages: { role: string; content: string }[] }).messages;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[1].content).toBe(text.replace('▍', ''));
  });

  it('stops a slow stream on request and shows a refusal of a disabled token', async () => {
    const { page } = cb;
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('Tell a long story [chunks:40][delay:250]');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('[data-testid="assistant-turn"][data-state="stopped"]').waitFor();
    await expect(page.getByText('Stopped.').count()).resolves.toBe(1);

    await page.getByRole('textbox', { name: 'Token', exact: true }).click();
    await page.getByRole('option', { name: `switched-off (#${disabledId}) · disabled` }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('hello?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('[data-testid="assistant-turn"][data-state="failed"]').waitFor();
    await expect(page.getByRole('alert').last().textContent()).resolves.toMatch(/^Failed: .*disabled/i);
    await cb.shot('playground-failed-light');
    expect(cb.pageErrors).toEqual([]);
  });
});
