import fs from 'node:fs';
import OpenAI from 'openai';
import type { BrowserContext, Page } from 'playwright-core';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { fitsWidth, phoneContext, openConsole, type ConsoleBrowser } from './console-browser';

jest.setTimeout(180_000);

interface TokenBody {
  id: number;
  name: string;
  userId: number;
  group: string | null;
  expiresAt: string | null;
  quota: number | null;
  models: string[] | null;
  allowIps: string[];
  rpm: number | null;
  tpm: number | null;
  maxConcurrency: number | null;
  status: string;
}

/**
 * The tokens and redemption codes pages (SPEC §8 /tokens, /redemptions) driven as a person would, each effect checked
 * through the admin API and the relay with the official SDK.
 */
describe('console: tokens and redemption codes (standalone, Chromium)', () => {
  let mock: MockUpstream;
  let sys: System;
  let cb: ConsoleBrowser;
  let context: BrowserContext;
  let page: Page;
  let admin: ReturnType<typeof adminClient>;
  let alice: { id: number };
  let key = '';
  let tokenId = 0;

  const sdk = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${sys.url}/v1`, maxRetries: 0 });
  const chat = (apiKey: string) => sdk(apiKey).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });
  const statusOf = (p: Promise<unknown>) =>
    p.then(
      () => 200,
      (e: unknown) => (e instanceof OpenAI.APIError ? (e.status ?? 0) : -1),
    );

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/groups', { name: 'team' })).status).toBe(201);
    const user = await admin.post<{ id: number }>('/api/users', { name: 'alice', balance: 10 });
    expect(user.status).toBe(201);
    alice = user.body;
    const ch = await admin.post('/api/channels', {
      name: 'mock',
      type: 'openai',
      baseUrl: mock.url,
      keys: ['sk-upstream'],
      models: ['gpt-4o-mini'],
      groups: ['default', 'team'],
    });
    expect(ch.status).toBe(201);
    // The negative quota below is refused on purpose; any other failed response is a defect.
    cb = await openConsole(sys, { expected: (status, url) => status === 400 && ['/api/tokens', '/api/redemptions'].includes(url.pathname) });
    ({ context, page } = cb);
    page.setDefaultTimeout(10_000);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: sys.url });
  });

  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await mock?.close();
  });

  it('creates a token with every field, shows its key once, and the key works with the OpenAI SDK', async () => {
    await page.goto('/tokens');
    await page.getByRole('heading', { name: 'Tokens' }).waitFor();
    await page.getByText('No tokens match').waitFor(); // empty state: no token exists yet
    await page.getByRole('button', { name: 'New token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a token' });
    await dialog.getByLabel('Name').fill('billing-app');
    await dialog.getByRole('textbox', { name: 'User' }).click();
    await page.getByRole('option', { name: `alice (#${alice.id})` }).click();
    await dialog.getByRole('textbox', { name: 'Group' }).click();
    await page.getByRole('option', { name: 'team' }).click();
    await dialog.getByLabel('Never expires').uncheck();
    await dialog.getByLabel('Expires at').fill('2031-01-02T03:04');
    await dialog.getByLabel('Unlimited quota').uncheck();
    await dialog.getByLabel('Quota (USD)').fill('5');
    await dialog.getByLabel('Allowed models').fill('gpt-4o-mini');
    await dialog.getByLabel('Allowed models').press('Enter');
    await dialog.getByLabel('Allowed IPs').fill('127.0.0.1');
    await dialog.getByLabel('Allowed IPs').press('Enter');
    await dialog.getByLabel('Requests per minute').fill('100');
    await dialog.getByLabel('Tokens per minute').fill('100000');
    await dialog.getByLabel('Max concurrent requests').fill('4');
    await cb.shot('tokens-create-light');
    await dialog.getByRole('button', { name: 'Create' }).click();

    const keyDialog = page.getByRole('dialog', { name: 'Your new key' });
    await keyDialog.waitFor();
    await expect(keyDialog.getByRole('alert').textContent()).resolves.toContain('you will not see it again');
    key = (await keyDialog.getByTestId('new-token-key').textContent()) ?? '';
    expect(key).toMatch(/^sk-[A-Za-z0-9]{20,}$/);
    await keyDialog.getByRole('button', { name: 'Copy key' }).click();
    await keyDialog.getByRole('button', { name: 'Copied', exact: true }).waitFor();
    await expect(page.evaluate<string>('navigator.clipboard.readText()')).resolves.toBe(key);
    await cb.shot('tokens-key-light');
    await page.keyboard.press('Escape'); // a stray Escape must not lose the key
    await expect(keyDialog.isVisible()).resolves.toBe(true);
    await keyDialog.getByRole('button', { name: 'I have copied it' }).click();
    await keyDialog.waitFor({ state: 'hidden' });

    const list = await admin.get<{ data: TokenBody[] }>('/api/tokens');
    const tok = list.body.data.find((x) => x.name === 'billing-app')!;
    tokenId = tok.id;
    expect(tok).toMatchObject({
      userId: alice.id,
      group: 'team',
      expiresAt: '2031-01-02T03:04:00.000Z',
      quota: 5,
      models: ['gpt-4o-mini'],
      allowIps: ['127.0.0.1'],
      rpm: 100,
      tpm: 100000,
      maxConcurrency: 4,
      status: 'active',
    });
    const row = page.getByTestId('token-billing-app');
    await expect(row.textContent()).resolves.toMatch(
      /alice.*team.*active.*\$0\.00 \/ \$5\.00.*RPM 100.*TPM 100,000.*Concurrent 4.*gpt-4o-mini.*127\.0\.0\.1.*Jan 2, 2031/,
    );
    // The list shows only the key's prefix: the full key is nowhere on the page any more.
    await expect(page.content()).resolves.not.toContain(key);

    const done = await chat(key);
    expect(done.choices[0].message.content).toBeTruthy();
    expect(mock.requests.filter((r) => r.path.startsWith('/v1/chat/completions'))).toHaveLength(1);
  });

  it('edits a token: the form opens with its values and saves the change', async () => {
    await page.getByRole('button', { name: 'Edit token billing-app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit token billing-app' });
    await expect(dialog.getByLabel('Requests per minute').inputValue()).resolves.toBe('100');
    await expect(dialog.getByRole('textbox', { name: 'User' }).isDisabled()).resolves.toBe(true);
    await dialog.getByLabel('Requests per minute').fill('250');
    await dialog.getByLabel('Allowed models').fill('gpt-4o');
    await dialog.getByLabel('Allowed models').press('Enter');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const t = await admin.get<TokenBody>(`/api/tokens/${tokenId}`);
    expect(t.body).toMatchObject({ rpm: 250, models: ['gpt-4o-mini', 'gpt-4o'], quota: 5, tpm: 100000, group: 'team' });
    await page.getByTestId('token-billing-app').getByText('RPM 250').waitFor();
  });

  it('disables the token with its switch: the SDK gets 401; enabling it again lets it through', async () => {
    const toggle = page.getByRole('switch', { name: 'Enable token billing-app' });
    await toggle.focus();
    await page.keyboard.press('Space');
    await page.getByTestId('token-billing-app').getByText('disabled').waitFor();
    expect((await admin.get<TokenBody>(`/api/tokens/${tokenId}`)).body.status).toBe('disabled');
    await eventually(async () => (await statusOf(chat(key))) === 401, 10_000, 'the disabled key to get 401');
    await toggle.focus();
    await page.keyboard.press('Space');
    await page.getByTestId('token-billing-app').getByText('active').waitFor();
    await eventually(async () => (await statusOf(chat(key))) === 200, 10_000, 'the enabled key to work again');
  });

  it('shows the API’s message when it refuses a field (a negative quota), under the field, and creates nothing', async () => {
    await page.getByRole('button', { name: 'New token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a token' });
    await dialog.getByLabel('Name').fill('bad-quota');
    await dialog.getByLabel('Unlimited quota').uncheck();
    await dialog.getByLabel('Quota (USD)').fill('-3');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const alert = dialog.getByTestId('token-form-error');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toBe('quota: must not be negative');
    await expect(dialog.getByLabel('Quota (USD)').getAttribute('aria-invalid')).resolves.toBe('true');
    await cb.shot('tokens-error-light');
    expect((await admin.get<{ total: number }>('/api/tokens')).body.total).toBe(1);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('filters by search and status through the API, kept in the URL', async () => {
    expect((await admin.post('/api/tokens', { name: 'crawler', status: 'disabled' })).status).toBe(201);
    await page.reload();
    await page.getByTestId('token-crawler').waitFor();
    await page.getByLabel('Search').fill('BILL');
    await page.getByRole('status').filter({ hasText: '1 token' }).waitFor();
    await expect(page.getByTestId('token-crawler').count()).resolves.toBe(0);
    expect(new URL(page.url()).searchParams.get('search')).toBe('BILL');
    await page.getByLabel('Search').fill('');
    await page.getByRole('status').filter({ hasText: '2 tokens' }).waitFor();
    await page.getByRole('textbox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'disabled' }).click();
    await page.getByRole('status').filter({ hasText: '1 token' }).waitFor();
    await page.getByTestId('token-crawler').waitFor();
    expect(new URL(page.url()).searchParams.get('status')).toBe('disabled');
    await page.goto('/tokens');
    await page.getByRole('status').filter({ hasText: '2 tokens' }).waitFor();
    await cb.shot('tokens-list-light');
  });

  it('revokes a token after a confirmation: it is gone and its key gets 401', async () => {
    await page.getByRole('button', { name: 'Revoke token billing-app' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke token billing-app?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect((await admin.get(`/api/tokens/${tokenId}`)).status).toBe(200); // cancel kept it
    await page.getByRole('button', { name: 'Revoke token billing-app' }).click();
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.getByTestId('token-billing-app').waitFor({ state: 'detached' });
    expect((await admin.get(`/api/tokens/${tokenId}`)).status).toBe(404);
    await eventually(async () => (await statusOf(chat(key))) === 401, 10_000, 'the revoked key to get 401');
  });

  it('pages through more tokens than fit one page, the page in the URL', async () => {
    for (let i = 1; i <= 21; i++) expect((await admin.post('/api/tokens', { name: `bulk-${String(i).padStart(2, '0')}` })).status).toBe(201);
    await page.goto('/tokens');
    await page.getByRole('status').filter({ hasText: '22 tokens' }).waitFor();
    await expect(page.locator('tr[data-testid^="token-"]').count()).resolves.toBe(20);
    await page.getByRole('button', { name: '2', exact: true }).click();
    await page.getByTestId('token-bulk-21').waitFor();
    await expect(page.locator('tr[data-testid^="token-"]').count()).resolves.toBe(2);
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    await page.reload(); // a bookmarked page 2 opens on page 2
    await page.getByTestId('token-bulk-21').waitFor();
  });

  let codes: string[] = [];
  let ids: number[] = [];

  it('generates 3 codes: shows them once, copies them all, and downloads a CSV of exactly those codes', async () => {
    await page.goto('/redemptions');
    await page.getByRole('heading', { name: 'Redemption codes' }).waitFor();
    await page.getByText('No codes here yet').waitFor();
    await page.getByLabel('Value per code (USD)').fill('0');
    await page.getByRole('button', { name: 'Generate' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'value' }).textContent()).resolves.toMatch(/^value: must be positive/);
    await page.getByLabel('Value per code (USD)').fill('2.5');
    await page.getByLabel('How many').fill('3');
    await page.getByRole('button', { name: 'Generate' }).click();
    const dialog = page.getByRole('dialog', { name: '3 new codes' });
    await dialog.waitFor();
    codes = await dialog.getByTestId('generated-codes').locator('code').allTextContents();
    expect(codes).toHaveLength(3);
    for (const c of codes) expect(c).toMatch(/^rc-[A-Za-z0-9]{32}$/);
    await cb.shot('redemptions-generated-light');

    await dialog.getByRole('button', { name: 'Copy all codes' }).click();
    await expect(page.evaluate<string>('navigator.clipboard.readText()')).resolves.toBe(codes.join('\n'));

    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^redemption-codes-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.csv$/);
    const lines = fs
      .readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('id,code,value_usd,expires_at');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => r[1])).toEqual(codes);
    expect(rows.every((r) => r[2] === '2.5' && r[3] === '')).toBe(true);
    ids = rows.map((r) => Number(r[0]));

    // The API holds exactly these three, unused; it never answers a code again.
    const list = await admin.get<{ data: { id: number; status: string; value: number }[]; total: number }>('/api/redemptions');
    expect(list.body.total).toBe(3);
    expect(list.body.data.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(list.body.data.every((r) => r.status === 'unused' && r.value === 2.5)).toBe(true);
    expect(JSON.stringify(list.body)).not.toContain(codes[0]);

    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    for (const id of ids) await expect(page.getByTestId(`redemption-${id}`).textContent()).resolves.toContain('unused');
  });

  it('a code redeemed with a token key shows as used, by whom, and the list exports as CSV', async () => {
    const tok = await admin.post<{ key: string }>('/api/tokens', { name: 'alice-wallet', userId: alice.id });
    // alice paid for the requests above, so her balance is not a round number: the code adds exactly its value.
    const before = (await admin.get<{ balance: number }>(`/api/users/${alice.id}`)).body.balance;
    const r = await fetch(`${sys.url}/api/redeem`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tok.body.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: codes[1] }),
    });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { balance: number }).balance).toBeCloseTo(before + 2.5, 6);

    await page.reload();
    const used = page.getByTestId(`redemption-${ids[1]}`);
    await expect(used.textContent()).resolves.toMatch(new RegExp(`used.*alice \\(#${alice.id}\\)`));
    await page.getByTestId('redemption-filter').getByText('used', { exact: true }).click();
    await page.getByText('1 code ·').waitFor();
    expect(new URL(page.url()).searchParams.get('status')).toBe('used');
    await page.getByTestId('redemption-filter').getByText('All', { exact: true }).click();
    await page.getByText('3 codes ·').waitFor();
    await cb.shot('redemptions-light');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const lines = fs
      .readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('id,value_usd,status,expires_at,used_at,used_by_user_id,used_by_user,created_at');
    const byId = new Map(lines.slice(1).map((l) => [Number(l.split(',')[0]), l.split(',')]));
    expect([...byId.keys()].sort()).toEqual([...ids].sort());
    expect(byId.get(ids[1])!.slice(2, 3).concat(byId.get(ids[1])!.slice(5, 7))).toEqual(['used', String(alice.id), 'alice']);
    expect(byId.get(ids[0])![2]).toBe('unused');
  });

  it('pages through the codes', async () => {
    expect((await admin.post('/api/redemptions', { value: 1, count: 30 })).status).toBe(201);
    await page.reload();
    await page.getByText('33 codes ·').waitFor();
    await expect(page.locator('tr[data-testid^="redemption-"]').count()).resolves.toBe(25);
    await page.getByRole('button', { name: '2', exact: true }).click();
    await page.getByTestId(`redemption-${ids[0]}`).waitFor(); // the oldest code, last in the newest-first list
    await expect(page.locator('tr[data-testid^="redemption-"]').count()).resolves.toBe(8);
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
  });

  it('both pages in the dark theme and on a phone, without horizontal overflow', async () => {
    const dark = await openConsole(sys, { colorScheme: 'dark' });
    try {
      for (const name of ['tokens', 'redemptions']) {
        await dark.page.goto(`/${name}`);
        await dark.page.getByRole('table').first().waitFor();
        await dark.shot(`${name}-dark`);
      }
      await dark.page.goto('/tokens');
      await dark.page.getByRole('button', { name: 'Edit token crawler' }).click();
      await dark.page.getByRole('dialog').waitFor();
      await dark.shot('tokens-edit-dark');
      expect(dark.pageErrors).toEqual([]);
    } finally {
      await dark.close();
    }
    const phone = await phoneContext(cb.browser, context, sys.url);
    try {
      const p = await phone.newPage();
      for (const name of ['tokens', 'redemptions']) {
        await p.goto(`/${name}`);
        await p.getByRole('table').first().waitFor();
        expect(await fitsWidth(p)).toBe(true);
        await p.screenshot({ path: `test-results/console/${name}-mobile.png`, fullPage: true });
      }
      await p.goto('/tokens');
      await p.getByRole('button', { name: 'New token' }).click();
      await p.getByRole('dialog').waitFor();
      expect(await fitsWidth(p)).toBe(true);
      await p.screenshot({ path: 'test-results/console/tokens-create-mobile.png', fullPage: true });
    } finally {
      await phone.close();
    }
    expect(cb.pageErrors).toEqual([]);
  });
});
