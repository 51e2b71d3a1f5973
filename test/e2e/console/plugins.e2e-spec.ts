import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { fitsWidth, openConsole, phoneContext, type ConsoleBrowser } from './console-browser';

jest.setTimeout(120_000);

interface PluginView {
  name: string;
  enabled: boolean;
  models: string[] | null;
  groups: string[] | null;
  tokens: number[] | null;
  [setting: string]: unknown;
}

/** `/plugins`: each relay plugin switched on for a model or group from the console, and the relay following it. */
describe('console: plugins page (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let cb: ConsoleBrowser;
  let admin: ReturnType<typeof adminClient>;
  let openai: OpenAI;
  const card = (name: string) => cb.page.getByTestId(`plugin-${name}`);
  const plugin = async (name: string) => (await admin.get<PluginView>(`/api/plugins/${name}`)).body;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    expect(
      (await admin.post('/api/channels', { name: 'pl-mock', type: 'openai', baseUrl: mock.url, keys: ['sk-pl'], models: ['pl-long', 'pl-other'] })).status,
    ).toBe(201);
    const tok = await admin.post('/api/tokens', { name: 'plugins-page' });
    openai = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
    // the page provokes one refusal on purpose (a TTL of 0)
    cb = await openConsole(sys, { expected: (status, url) => status === 400 && url.pathname === '/api/plugins/cache' });
  });
  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await mock?.close();
  });

  it('lists every plugin in the relay order, each off with its defaults until configured', async () => {
    const { page } = cb;
    await page.goto('/plugins');
    await page.getByRole('heading', { name: 'Plugins' }).waitFor();
    const names = await page
      .locator('[data-testid^="plugin-"]:not([data-testid="plugin-state"])')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(names).toEqual(['plugin-cache', 'plugin-web-search', 'plugin-stream-fake', 'plugin-think-split']);
    for (const n of ['cache', 'web-search', 'stream-fake', 'think-split']) await expect(card(n).getByTestId('plugin-state').textContent()).resolves.toBe('Off');
    await expect(card('cache').getByLabel('Time to live (seconds)').inputValue()).resolves.toBe('300');
    await expect(
      card('think-split')
        .getByLabel(/^Reasoning tag/)
        .inputValue(),
    ).resolves.toBe('think');
    await cb.shot('plugins-light');
  });

  it('switches stream-fake on for one model, and the relay streams that model upstream', async () => {
    const c = card('stream-fake');
    await c.getByRole('switch', { name: 'Enable stream-fake' }).click({ force: true });
    await c.getByLabel('Models').fill('pl-long');
    await c.getByLabel('Models').press('Enter');
    await c.getByRole('button', { name: 'Save stream-fake' }).click();
    await c.getByRole('status').filter({ hasText: 'Saved stream-fake; the relay follows at once.' }).waitFor();
    await expect(c.getByTestId('plugin-state').textContent()).resolves.toBe('On');
    expect(await plugin('stream-fake')).toMatchObject({ enabled: true, models: ['pl-long'], groups: null, tokens: null });

    // the routing table reaches the relay through an event: wait for the first streamed upstream call
    await eventually(
      async () => {
        mock.reset();
        await openai.chat.completions.create({ model: 'pl-long', messages: [{ role: 'user', content: 'hi' }] });
        return mock.requests.at(-1)?.stream === true;
      },
      10_000,
      'stream-fake on for pl-long',
    );
    mock.reset();
    const other = await openai.chat.completions.create({ model: 'pl-other', messages: [{ role: 'user', content: 'hi' }] });
    expect(other.object).toBe('chat.completion');
    expect(mock.requests.map((r) => [r.model, r.stream])).toEqual([['pl-other', false]]);

    // saving again without a change says so and sends nothing
    await c.getByRole('button', { name: 'Save stream-fake' }).click();
    await c.getByRole('status').filter({ hasText: 'Nothing changed.' }).waitFor();
  });

  it('keeps a search API key secret: sent once, shown masked, never in the page again', async () => {
    const c = card('web-search');
    await c.getByRole('textbox', { name: 'Search engine' }).first().click();
    await cb.page.getByRole('option', { name: 'brave' }).click();
    await c.getByLabel('Engine API key').fill('sk-brave-secret-value-7731');
    await c.getByLabel('Results per search').fill('8');
    await c.getByLabel('Groups').fill('research');
    await c.getByLabel('Groups').press('Enter');
    await c.getByRole('button', { name: 'Save web-search' }).click();
    await c.getByRole('status').filter({ hasText: 'Saved web-search' }).waitFor();
    const stored = await plugin('web-search');
    expect(stored).toMatchObject({ enabled: false, engine: 'brave', maxResults: 8, groups: ['research'] });
    expect(stored.apiKey).not.toContain('secret-value');
    expect(stored.apiKey).toMatch(/7731$/);
    await expect(c.getByLabel('Engine API key').inputValue()).resolves.toBe(stored.apiKey);
    await cb.page.reload();
    await card('web-search').getByLabel('Results per search').waitFor();
    await expect(card('web-search').getByLabel('Results per search').inputValue()).resolves.toBe('8');
    expect(await cb.page.content()).not.toContain('sk-brave-secret-value');
    // changing another field keeps the stored key (the masked value is not sent back)
    await card('web-search').getByLabel('Results per search').fill('3');
    await card('web-search').getByRole('button', { name: 'Save web-search' }).click();
    await card('web-search').getByRole('status').filter({ hasText: 'Saved web-search' }).waitFor();
    expect(await plugin('web-search')).toMatchObject({ maxResults: 3, apiKey: stored.apiKey });
    const audit = await admin.get<{ data: { entityId: string; after: unknown }[] }>('/api/audit?entity=plugin');
    expect(audit.body.data.filter((a) => a.entityId === 'web-search')).toHaveLength(2);
    expect(JSON.stringify(audit.body)).not.toContain('sk-brave-secret-value');
  });

  it('says what is wrong: a token id that is no id before sending, a refused value from the gateway', async () => {
    const c = card('cache');
    await c.getByLabel('Token ids').fill('abc');
    await c.getByLabel('Token ids').press('Enter');
    await c.getByText('Token ids are whole numbers: abc').waitFor();
    await expect(c.getByRole('button', { name: 'Save cache' }).isDisabled()).resolves.toBe(true);
    await c.getByLabel('Token ids').press('Backspace');
    await eventually(async () => !(await c.getByRole('button', { name: 'Save cache' }).isDisabled()), 5_000, 'save enabled again');

    await c.getByLabel('Time to live (seconds)').fill('0');
    await c.getByRole('button', { name: 'Save cache' }).click();
    await expect(c.getByRole('alert').textContent()).resolves.toMatch(/ttlSeconds/);
    expect((await plugin('cache')).ttlSeconds).toBe(300);
  });

  it('reads well on a phone in the dark theme', async () => {
    const phone = await phoneContext(cb.browser, cb.context, sys.url, 'dark');
    const p = await phone.newPage();
    await p.goto('/plugins');
    await p.getByTestId('plugin-think-split').waitFor();
    expect(await fitsWidth(p)).toBe(true);
    await p.screenshot({ path: `${process.cwd()}/test-results/console/plugins-phone-dark.png`, fullPage: true });
    await phone.close();
    expect(cb.pageErrors).toEqual([]);
  });
});
