import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { openConsole, type ConsoleBrowser } from './console-browser';

jest.setTimeout(180_000);

type Row = Record<string, any>;

/** Budgets in the console: shown with the period's spend and edited on the user, group and token forms (en, zh). */
describe('console budgets (standalone, Chromium)', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let cb: ConsoleBrowser;
  let page: Page;
  let user: Row;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/channels', { name: 'mock', type: 'openai', baseUrl: mock.url, keys: ['sk-up'], models: ['gpt-4o-mini'] })).status).toBe(201);
    expect((await admin.put('/api/prices/gpt-4o-mini', { input: 0, output: 0, perRequest: 0.25 })).status).toBe(200);
    user = (await admin.post<Row>('/api/users', { name: 'bea', balance: 100, budget: { amount: 5, period: 'month', softLimit: 4 } })).body;
    const key = (await admin.post<Row>('/api/tokens', { userId: user.id })).body.key as string;
    await new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    await eventually(async () => (await admin.get<Row>(`/api/users/${user.id}`)).body.budget?.spent === 0.25, 20_000, 'spend billed');
    cb = await openConsole(sys);
    page = cb.page;
  });

  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await mock?.close();
  });

  it("a user's form shows the budget with the period's spend, and saves a changed soft limit", async () => {
    await page.goto('/users');
    await page.getByTestId('user-bea').getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit user bea' });
    const spend = ((await dialog.getByTestId('budget-spend').textContent()) ?? '').trim();
    expect(spend).toMatch(/^Spent \$0\.25 of \$5\.00 this period; resets /);
    await expect(dialog.getByLabel('Amount (USD)').inputValue()).resolves.toBe('$5');
    await dialog.getByLabel('Soft limit (USD)').fill('3.5');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await admin.get<Row>(`/api/users/${user.id}`)).body.budget).toMatchObject({ amount: 5, period: 'month', softLimit: 3.5, spent: 0.25 });
  });

  it('a group is created with a budget from its form', async () => {
    await page.goto('/groups');
    await page.getByRole('button', { name: 'New group' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a group' });
    await dialog.getByLabel('Name').fill('team-a');
    await dialog.getByLabel('Spend cap per period').check();
    await dialog.getByLabel('Amount (USD)').fill('50');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await admin.get<Row>('/api/groups/team-a')).body.budget).toMatchObject({ amount: 50, period: 'month', softLimit: null, spent: 0 });
  });

  it('a token gets a weekly budget from its form, and loses it when switched off', async () => {
    await page.goto('/tokens');
    await page.getByRole('button', { name: 'New token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a token' });
    await dialog.getByLabel('Name').fill('capped-app');
    await dialog.getByLabel('Spend cap per period').check();
    await dialog.getByLabel('Amount (USD)').fill('2');
    await dialog.getByRole('textbox', { name: 'Period' }).click();
    await page.getByRole('option', { name: 'Week (from Monday)' }).click();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('dialog', { name: 'Your new key' }).getByRole('button', { name: 'I have copied it' }).click();
    const token = await eventually(async () => (await admin.get<{ data: Row[] }>('/api/tokens?search=capped-app')).body.data[0], 5_000, 'the token');
    expect(token.budget).toMatchObject({ amount: 2, period: 'week', softLimit: null, spent: 0 });

    await page.getByRole('button', { name: 'Edit token capped-app' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit token capped-app' });
    await expect(edit.getByTestId('budget-spend').textContent()).resolves.toMatch(/^Spent \$0\.00 of \$2\.00 this period/);
    await edit.getByLabel('Spend cap per period').uncheck();
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    expect((await admin.get<Row>(`/api/tokens/${token.id}`)).body.budget).toBeNull();
  });

  it('speaks Chinese', async () => {
    const zh = await openConsole(sys, { locale: 'zh-CN' });
    try {
      await zh.page.goto('/users');
      await zh.page.getByTestId('user-bea').getByRole('button', { name: '编辑' }).click();
      const dialog = zh.page.getByRole('dialog', { name: '编辑用户 bea' });
      await dialog.getByText('预算', { exact: true }).waitFor();
      await expect(dialog.getByTestId('budget-spend').textContent()).resolves.toMatch(/^本周期已花费 .*0\.25/);
    } finally {
      await zh.close();
    }
  });
});
