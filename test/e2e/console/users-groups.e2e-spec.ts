import path from 'node:path';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { fitsWidth, phoneContext, openConsole, SHOTS, type ConsoleBrowser } from './console-browser';

jest.setTimeout(180_000);

interface UserJson {
  id: number;
  name: string;
  group: string;
  balance: number | null;
  status: string;
}
interface GroupJson {
  name: string;
  priceRatio: number;
  rpm: number | null;
  tpm: number | null;
}

/** The balance as the page writes it: USD to the micro-dollar, at least cents. */
const usd = (n: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 6 }).format(n);

const shotName = (where: string) => (where === '/users' ? 'users-list' : where === '/groups' ? 'groups-list' : 'users-detail');

/** The refusals these tests provoke on purpose: bad top-ups, bad group values, deleting the built-in admin. */
const provoked = (status: number, url: URL) =>
  status === 400 && (/^\/api\/users\/\d+\/topup$/.test(url.pathname) || url.pathname.startsWith('/api/groups') || /^\/api\/users\/\d+$/.test(url.pathname));

describe('console users and groups pages (standalone, Chromium)', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let cb: ConsoleBrowser;
  let page: Page;
  let alice: UserJson;
  let aliceKey: string;

  const userByName = async (name: string) => {
    const r = await admin.get<{ data: UserJson[] }>(`/api/users?search=${encodeURIComponent(name)}`);
    return r.body.data.find((u) => u.name === name);
  };
  const row = (name: string) => page.getByTestId(`user-${name}`);

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    const ch = await admin.post('/api/channels', { name: 'mock', type: 'openai', baseUrl: mock.url, keys: ['sk-up'], models: ['gpt-4o-mini'] });
    expect(ch.status).toBe(201);
    cb = await openConsole(sys, { expected: provoked });
    page = cb.page;
  });

  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await mock?.close();
  });

  it('creates a user from the form; the API has it with the values typed', async () => {
    await page.goto('/users');
    await page.getByRole('heading', { name: 'Users', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a user' });
    await dialog.getByLabel('Name').fill('alice');
    await dialog.getByLabel('Requests per minute').fill('600');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await row('alice').waitFor();
    await dialog.waitFor({ state: 'detached' });
    alice = (await userByName('alice'))!;
    expect(alice).toMatchObject({ group: 'default', balance: 0, status: 'active', rpm: 600 });
    await expect(row('alice').getByTestId('user-balance').textContent()).resolves.toBe('$0.00');
    // The built-in admin is listed with its unlimited balance.
    await expect(row('admin').getByTestId('user-balance').textContent()).resolves.toBe('Unlimited');
  });

  it('tops up $12.50: nonsense amounts get the API message, the new balance is shown and stored', async () => {
    await row('alice').getByRole('button', { name: 'Top up' }).click();
    const dialog = page.getByRole('dialog', { name: 'Top up alice' });
    const amount = dialog.getByLabel('Amount (USD)');
    const credit = dialog.getByRole('button', { name: 'Credit' });
    for (const [typed, message] of [
      ['0', 'amount: must be positive'],
      ['-5', 'amount: must be positive'],
      ['1000000000000', 'amount: must be at most 1000000000'],
    ]) {
      await amount.fill(typed);
      await credit.click();
      // the previous amount's alert stays until this answer replaces it
      await eventually(async () => ((await dialog.getByRole('alert').textContent()) ?? '').includes(message), 5_000, `the alert "${message}"`);
    }
    expect((await userByName('alice'))!.balance).toBe(0);
    await amount.fill('12.50');
    await credit.click();
    await dialog.getByTestId('topup-result').waitFor();
    await expect(dialog.getByTestId('topup-result').textContent()).resolves.toBe('Credited $12.50. New balance: $12.50');
    await cb.shot('users-topup-light');
    expect((await userByName('alice'))!.balance).toBe(12.5);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(row('alice').getByTestId('user-balance').textContent()).resolves.toBe('$12.50');
  });

  it('a key of that user, used with the official openai SDK, lowers the balance the page shows after a refresh', async () => {
    const tok = await admin.post<{ key: string }>('/api/tokens', { name: 'alice-key', userId: alice.id });
    expect(tok.status).toBe(201);
    aliceKey = tok.body.key;
    const openai = new OpenAI({ apiKey: aliceKey, baseURL: `${sys.url}/v1`, maxRetries: 0 });
    const done = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
    expect(done.choices[0].message.content).toBeTruthy();
    const after = await eventually(
      async () => {
        const b = (await userByName('alice'))!.balance!;
        return b < 12.5 ? b : null;
      },
      10_000,
      'the debit of the request',
    );
    await page.reload();
    await row('alice').waitFor();
    await expect(row('alice').getByTestId('user-balance').textContent()).resolves.toBe(usd(after));
    expect(usd(after)).not.toBe('$12.50');
    await expect(row('alice').locator('td').nth(5).textContent()).resolves.toBe('1');
  });

  it('opens the user at /users/:id with its recent requests, its ledger and its tokens', async () => {
    await eventually(async () => (await admin.get<{ total: number }>(`/api/logs?userId=${alice.id}`)).body.total === 1, 10_000, 'the request log');
    await row('alice').getByRole('link', { name: 'alice' }).click();
    await page.waitForURL(`**/users/${alice.id}`);
    const drawer = page.getByRole('dialog', { name: 'User alice' });
    await drawer.getByTestId('user-requests').waitFor();
    await expect(drawer.getByTestId('user-requests').textContent()).resolves.toContain('gpt-4o-mini');
    await expect(drawer.getByTestId('user-facts').textContent()).resolves.toContain(usd((await userByName('alice'))!.balance!));
    await cb.shot('users-detail-light');
    await drawer.getByRole('tab', { name: 'Ledger' }).click();
    const ledger = drawer.getByTestId('user-ledger');
    await ledger.waitFor();
    await expect(ledger.textContent()).resolves.toContain('+$12.50');
    await expect(ledger.getByText('usage').count()).resolves.toBe(1);
    await expect(ledger.getByText('top-up').count()).resolves.toBe(1);
    await drawer.getByRole('tab', { name: 'Tokens' }).click();
    await expect(drawer.getByTestId('user-tokens').textContent()).resolves.toContain('alice-key');

    // A shared link opens the same drawer; closing it goes back to the list.
    await page.goto(`/users/${alice.id}`);
    await page.getByRole('dialog', { name: 'User alice' }).waitFor();
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => u.pathname === '/users');
  });

  it('creates a group with price ratio 2 and an RPM; a bad name gets the API 400 naming the field', async () => {
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('heading', { name: 'Groups', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'New group' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a group' });
    await dialog.getByLabel('Name').fill('bad name');
    await dialog.getByLabel('Price ratio').fill('2');
    await dialog.getByLabel('Requests per minute').fill('120');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toBe('name: must be letters, digits, "_", "." or "-"');
    await dialog.getByLabel('Name').fill('team-x');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('group-team-x').waitFor();
    const g = await admin.get<GroupJson>('/api/groups/team-x');
    expect(g.body).toMatchObject({ name: 'team-x', priceRatio: 2, rpm: 120, tpm: null });
    await expect(page.getByTestId('group-team-x').getByTestId('group-ratio').textContent()).resolves.toBe('×2');
    await expect(page.getByTestId('group-team-x').getByTestId('group-rpm').textContent()).resolves.toBe('120');
  });

  it('edits the group: a negative ratio is refused with the API message, a new RPM and TPM are saved', async () => {
    await page.getByRole('button', { name: 'Edit group team-x' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit group team-x' });
    await dialog.getByLabel('Price ratio').fill('-1');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toBe('priceRatio: must not be negative');
    expect((await admin.get<GroupJson>('/api/groups/team-x')).body.priceRatio).toBe(2);
    await dialog.getByLabel('Price ratio').fill('2.5');
    await dialog.getByLabel('Requests per minute').fill('1500');
    await dialog.getByLabel('Tokens per minute').fill('200000');
    await dialog.getByRole('button', { name: 'Save' }).click();
    // The create step's notice is still shown: wait for this save's own.
    await page.getByTestId('groups-notice').getByText('Saved group team-x.').waitFor();
    expect((await admin.get<GroupJson>('/api/groups/team-x')).body).toMatchObject({ priceRatio: 2.5, rpm: 1500, tpm: 200000 });
    await page.getByTestId('group-team-x').getByTestId('group-rpm').getByText('1,500', { exact: true }).waitFor();
    await expect(page.getByTestId('group-team-x').textContent()).resolves.toContain('200,000');
  });

  it('moves the user into the group from the edit form; the group counts the user and its token', async () => {
    await page.goto('/users');
    await row('alice').getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit user alice' });
    await dialog.getByRole('textbox', { name: 'Group' }).click();
    await page.getByRole('option', { name: 'team-x' }).click();
    await cb.shot('users-edit-light');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const moved = (await userByName('alice'))!;
    // Only the group changed: the balance usage moved is not rewritten by the form.
    expect(moved).toMatchObject({ group: 'team-x', rpm: 600, status: 'active' });
    await page.goto('/groups');
    const team = page.getByTestId('group-team-x');
    await team.waitFor();
    await expect(team.locator('td').nth(5).textContent()).resolves.toBe('1');
    await expect(team.locator('td').nth(6).textContent()).resolves.toBe('1');
    await team.getByRole('link', { name: 'Users of group team-x' }).click();
    await page.waitForURL('**/users?group=team-x');
    await row('alice').waitFor();
    await expect(page.getByTestId('user-admin').count()).resolves.toBe(0);
  });

  it('disables the user after a confirmation (its key is refused), and enables it again', async () => {
    await page.goto('/users');
    await row('alice').getByRole('button', { name: 'More actions for alice' }).click();
    await page.getByRole('menuitem', { name: 'Disable' }).click();
    const confirm = page.getByRole('dialog', { name: 'Disable alice?' });
    await expect(confirm.textContent()).resolves.toContain('Its 1 token is refused (401)');
    await confirm.getByRole('button', { name: 'Disable' }).click();
    await page.getByTestId('users-notice').waitFor();
    expect((await userByName('alice'))!.status).toBe('disabled');
    await expect(row('alice').textContent()).resolves.toContain('disabled');
    const openai = new OpenAI({ apiKey: aliceKey, baseURL: `${sys.url}/v1`, maxRetries: 0 });
    await expect(openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 401 });
    await row('alice').getByRole('button', { name: 'More actions for alice' }).click();
    await page.getByRole('menuitem', { name: 'Enable' }).click();
    await eventually(async () => (await userByName('alice'))!.status === 'active', 5_000, 'the user enabled');
    await row('alice').getByText('active').waitFor();
  });

  it('searches by name with the query in the address', async () => {
    await admin.post('/api/users', { name: 'bob', balance: null });
    await page.goto('/users');
    await row('bob').waitFor();
    await page.getByLabel('Search users').fill('ALI');
    await page.waitForURL('**/users?q=ALI');
    await row('bob').waitFor({ state: 'detached' });
    await row('alice').waitFor();
    await page.getByLabel('Search users').fill('nobody-has-this-name');
    await page.getByTestId('users-empty').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).last().click();
    await row('bob').waitFor();
  });

  it('deletes a user and its tokens after a confirmation that says so; the built-in admin is refused with the API message', async () => {
    const bob = (await userByName('bob'))!;
    for (const name of ['bob-1', 'bob-2']) expect((await admin.post('/api/tokens', { name, userId: bob.id })).status).toBe(201);
    await page.reload();
    await row('bob').getByRole('button', { name: 'More actions for bob' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete bob?' });
    await expect(confirm.textContent()).resolves.toContain('Its 2 tokens are deleted with it');
    await cb.shot('users-delete-light');
    await confirm.getByRole('button', { name: 'Delete user' }).click();
    await expect(page.getByTestId('users-notice').textContent()).resolves.toBe('Deleted bob and 2 tokens.');
    expect((await admin.get(`/api/users/${bob.id}`)).status).toBe(404);
    expect((await admin.get<{ total: number }>(`/api/tokens?userId=${bob.id}`)).body.total).toBe(0);
    await expect(row('bob').count()).resolves.toBe(0);

    await row('admin').getByRole('button', { name: 'More actions for admin' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const refuse = page.getByRole('dialog', { name: 'Delete admin?' });
    await refuse.getByRole('button', { name: 'Delete user' }).click();
    await expect(refuse.getByRole('alert').textContent()).resolves.toBe('id: the built-in admin user cannot be deleted');
    await refuse.getByRole('button', { name: 'Cancel' }).click();
    await row('admin').waitFor();
  });

  it('screenshots both pages in both themes, and fits a phone screen', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const b = await openConsole(sys, { colorScheme: scheme });
      try {
        for (const where of ['/users', '/groups', `/users/${alice.id}`]) {
          await b.page.goto(where);
          await b.page.getByRole('heading', { level: 2 }).first().waitFor();
          await b.page.locator('table').first().waitFor();
          if (where.includes(String(alice.id))) await b.page.getByTestId('user-requests').waitFor();
          await b.shot(`${shotName(where)}-${scheme}`);
        }
        expect(b.pageErrors).toEqual([]);
      } finally {
        await b.close();
      }
    }
    const phone = await phoneContext(cb.browser, cb.context, sys.url);
    try {
      const p = await phone.newPage();
      for (const where of ['/users', '/groups', `/users/${alice.id}`]) {
        await p.goto(where);
        await p.getByRole('heading', { level: 2 }).first().waitFor();
        await p.locator('table').first().waitFor();
        expect([where, await fitsWidth(p)]).toEqual([where, true]);
        await p.screenshot({ path: path.join(SHOTS, `${shotName(where)}-mobile.png`), fullPage: true });
      }
    } finally {
      await phone.close();
    }
    expect(cb.pageErrors).toEqual([]);
  });
});
