// The Organisations page (roots): list, create, rename, delete (refused while the org has users), and the user
// form's organisation select; an org admin's console (only its pages, its groups without ratio or owner); in English
// and Chinese. Chromium against a standalone system.
import type { Page } from 'playwright-core';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { openConsole, type ConsoleBrowser } from './console-browser';

jest.setTimeout(180_000);

type Row = Record<string, any>;

/** Deleting an org that still has users is refused on purpose (409). */
const provoked = (status: number, url: URL) => status === 409 && url.pathname.startsWith('/api/orgs/');

describe('console organisations page (standalone, Chromium)', () => {
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let cb: ConsoleBrowser;
  let page: Page;
  const orgNamed = async (name: string) => (await admin.get<{ data: Row[] }>('/api/orgs')).body.data.find((o) => o.name === name);

  beforeAll(async () => {
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    cb = await openConsole(sys, { expected: provoked });
    page = cb.page;
  });
  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
  });

  it('creates and renames organisations; the API has them', async () => {
    await page.goto('/orgs');
    await page.getByRole('heading', { name: 'Organisations', level: 2 }).waitFor();
    await page.getByText('No organisations yet').waitFor();
    for (const name of ['acme', 'globex']) {
      await page.getByRole('textbox', { name: 'Name' }).fill(name);
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByTestId(`org-${name}`).waitFor();
    }
    expect(await orgNamed('acme')).toMatchObject({ userCount: 0 });
    await page.getByRole('button', { name: 'Rename organisation globex' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename organisation globex' });
    await dialog.getByLabel('Name').fill('initech');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('org-initech').waitFor();
    await expect(page.getByTestId('orgs-notice').textContent()).resolves.toContain('Renamed to initech.');
    expect(await orgNamed('globex')).toBeUndefined();
    expect(await orgNamed('initech')).toBeDefined();
  });

  it('the user form puts a new user in the organisation chosen', async () => {
    await page.goto('/users');
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a user' });
    await dialog.getByLabel('Name').fill('wile');
    await dialog.getByRole('textbox', { name: 'Organisation' }).click();
    await page.getByRole('option', { name: 'acme' }).click();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    const acme = await orgNamed('acme');
    const users = await admin.get<{ data: Row[] }>('/api/users?search=wile');
    expect(users.body.data[0]).toMatchObject({ name: 'wile', orgId: acme!.id });
  });

  it('deleting an organisation with users shows the refusal; an empty one goes', async () => {
    await page.goto('/orgs');
    await expect(page.getByTestId('org-acme').getByRole('cell').nth(1).textContent()).resolves.toBe('1');
    await page.getByRole('button', { name: 'Delete organisation acme' }).click();
    await page.getByRole('alert').filter({ hasText: 'still has users' }).waitFor();
    expect(await orgNamed('acme')).toBeDefined();
    await page.getByRole('button', { name: 'Delete organisation initech' }).click();
    await page.getByTestId('org-initech').waitFor({ state: 'detached' });
    await eventually(async () => (await orgNamed('initech')) === undefined);
    expect(cb.pageErrors).toEqual([]);
  });

  it('the navigation links the page for roots (and the admin key), not for other admins', async () => {
    const nav = () => page.getByRole('navigation', { name: 'Console pages' }).getByRole('link').allTextContents();
    await expect(nav()).resolves.toContain('Organisations');
    expect((await admin.post('/api/users', { name: 'adele', role: 'admin', password: 'adele-password-1' })).status).toBe(201);
    const other = await openConsole(sys, { signedIn: false });
    try {
      const r = await fetch(`${sys.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'adele', password: 'adele-password-1' }),
      });
      const value = (r.headers.get('set-cookie') ?? '').split(';')[0].split('=')[1];
      await other.context.addCookies([{ name: 'sb_session', value, url: sys.url, httpOnly: true, sameSite: 'Lax' }]);
      await other.page.goto('/dashboard');
      const links = other.page.getByRole('navigation', { name: 'Console pages' }).getByRole('link');
      await links.filter({ hasText: 'Users' }).waitFor();
      expect(await links.allTextContents()).not.toContain('Organisations');
    } finally {
      await other.close();
    }
  });

  it("an org admin signs in to only its pages: its org's groups without ratio, owner or create, and only assignable groups for its users", async () => {
    const org = await admin.post<Row>('/api/orgs', { name: 'umbrella' });
    expect((await admin.post('/api/groups', { name: 'team-u', orgId: org.body.id, priceRatio: 3 })).status).toBe(201);
    expect((await admin.post('/api/groups', { name: 'vip' })).status).toBe(201);
    expect((await admin.post('/api/users', { name: 'olga', role: 'admin', password: 'olga-password-1', orgId: org.body.id })).status).toBe(201);
    const olga = await openConsole(sys, { signedIn: false });
    try {
      const p = olga.page;
      // a platform page asked for lands on the dashboard
      await p.goto('/channels');
      await p.getByLabel('Username').fill('olga');
      await p.getByLabel('Password').fill('olga-password-1');
      await p.getByRole('button', { name: 'Sign in' }).click();
      const links = p.getByRole('navigation', { name: 'Console pages' }).getByRole('link');
      await links.filter({ hasText: 'Users' }).waitFor();
      expect(await links.allTextContents()).toEqual(['Dashboard', 'Tokens', 'Users', 'Groups', 'MCP servers', 'Request logs', 'My account']);
      await eventually(async () => new URL(p.url()).pathname === '/dashboard');

      await p.goto('/groups');
      await p.getByTestId('group-team-u').waitFor();
      expect(await p.getByRole('row').count()).toBe(2);
      expect(await p.getByRole('button', { name: 'New group' }).count()).toBe(0);
      expect(await p.getByRole('columnheader', { name: 'Price ratio' }).count()).toBe(0);
      await p.getByRole('button', { name: 'Edit group team-u' }).click();
      const dialog = p.getByRole('dialog', { name: 'Edit group team-u' });
      await dialog.getByLabel('Requests per minute').fill('120');
      expect(await dialog.getByLabel('Price ratio').count()).toBe(0);
      expect(await dialog.getByRole('textbox', { name: 'Organisation' }).count()).toBe(0);
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect((await admin.get<Row>('/api/groups/team-u')).body).toMatchObject({ rpm: 120, priceRatio: 3, orgId: org.body.id });

      await p.goto('/users');
      await p.getByRole('button', { name: 'New user' }).click();
      const form = p.getByRole('dialog', { name: 'Create a user' });
      await form.getByRole('textbox', { name: 'Group' }).click();
      await p.getByRole('option', { name: 'team-u' }).waitFor();
      expect(await p.getByRole('option').allTextContents()).toEqual(['default', 'team-u']);
      expect(olga.pageErrors).toEqual([]);
    } finally {
      await olga.close();
    }
  });

  it('reads in Chinese', async () => {
    const zh = await openConsole(sys, { locale: 'zh-CN' });
    try {
      await zh.page.goto('/orgs');
      await zh.page.getByRole('heading', { name: '组织', level: 2 }).waitFor();
      await zh.page.getByRole('button', { name: '重命名组织 acme' }).waitFor();
      expect(zh.pageErrors).toEqual([]);
    } finally {
      await zh.close();
    }
  });
});
