import { CONSOLE_PAGES } from '../../../apps/gateway/src/console/console.routes';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { fitsWidth, phoneContext, openConsole, SHOTS, type ConsoleBrowser } from './console-browser';

jest.setTimeout(180_000);

// every bookmarkable page the gateway serves (SPEC §8 and the pages added since): a new page is covered by itself
// (/account is a signed-in user's own page, in console/accounts; these run with the admin key)
const PAGES = CONSOLE_PAGES.filter((p) => p !== 'account');

describe('admin console in Chromium (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let cb: ConsoleBrowser;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    // Signed out: the first tests go through the sign-in form. A CSP refusal, a crash or a failed response shows up
    // in pageErrors, not as a silent blank page.
    cb = await openConsole(sys, { signedIn: false });
    ({ browser, context, page, pageErrors } = cb);
  });

  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await mock?.close();
  });

  it('refuses a wrong admin key with the gateway message and sets no session', async () => {
    await page.goto('/dashboard');
    await page.getByText('ADMIN_KEY', { exact: true }).click();
    await page.getByLabel('Admin key').fill('not-the-admin-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('sign-in-error').textContent()).resolves.toMatch(/Sign-in refused/);
    expect((await context.cookies()).find((c) => c.name === 'sb_session')).toBeUndefined();
    await page.screenshot({ path: path.join(SHOTS, 'sign-in-refused-light.png') });
  });

  it('signs in with the admin key, keeps it out of storage, and opens the bookmarked page', async () => {
    await page.getByLabel('Admin key').fill(sys.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(page.url()).toBe(`${sys.url}/dashboard`);
    const cookie = (await context.cookies()).find((c) => c.name === 'sb_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(stored).not.toContain(sys.adminKey);
  });

  it('creates a channel to the mock upstream from the channels page and tests it', async () => {
    await page.getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('button', { name: 'New channel' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('mock-openai');
    await dialog.getByLabel('Base URL').fill(mock.url);
    await dialog.getByLabel('API keys').fill('sk-upstream-1');
    await dialog.getByLabel('Models').fill('gpt-4o-mini');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const row = page.getByTestId('channel-mock-openai');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('enabled');
    await row.getByRole('button', { name: 'Test' }).click();
    await row.getByRole('status').waitFor();
    await expect(row.getByRole('status').textContent()).resolves.toMatch(/^OK in \d+ ms/);
    expect(mock.requests.some((r) => r.path.startsWith('/v1/chat/completions'))).toBe(true);
  });

  it('disables and enables a channel with its switch (a cookie write that needs the CSRF token)', async () => {
    const admin = adminClient(sys.url, sys.adminKey);
    const toggle = page.getByRole('switch', { name: 'Enable channel mock-openai' });
    await toggle.click({ force: true });
    await page.getByTestId('channel-mock-openai').getByText('disabled').waitFor();
    const list = await admin.get<{ data: { name: string; enabled: boolean }[] }>('/api/channels');
    expect(list.body.data.find((c) => c.name === 'mock-openai')?.enabled).toBe(false);
    await toggle.click({ force: true });
    await page.getByTestId('channel-mock-openai').getByText('enabled', { exact: true }).waitFor();
  });

  it('shows a request relayed with the official SDK in the dashboard numbers and latest requests', async () => {
    const admin = adminClient(sys.url, sys.adminKey);
    const tok = await admin.post('/api/tokens', { name: 'console-e2e' });
    expect(tok.status).toBe(201);
    const openai = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
    const done = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
    const tokens = done.usage!.prompt_tokens + done.usage!.completion_tokens;
    // The channel test above is not a relayed request: the logs hold exactly the SDK's request (written asynchronously).
    await eventually(async () => (await admin.get<{ total: number }>('/api/logs')).body.total === 1, 10_000, 'the request log');

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.reload();
    await page.getByTestId('latest-requests').waitFor();
    await expect(page.getByTestId('stat-Requests').textContent()).resolves.toBe('1');
    await expect(page.getByTestId('stat-Tokens').textContent()).resolves.toBe(String(tokens));
    await expect(page.getByTestId('stat-Error rate').textContent()).resolves.toBe('0%');
    await expect(page.getByTestId('latest-requests').textContent()).resolves.toContain('gpt-4o-mini');
    // four charts by day and the requests by endpoint family, where the relayed chat completion shows
    expect(await page.locator('canvas').count()).toBe(5);
    await expect(page.getByTestId('endpoint-breakdown').textContent()).resolves.toContain('chat.completions');
  });

  it('screenshots every page in both themes, switching with the toggle', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const scheme = await page.locator('html').getAttribute('data-mantine-color-scheme');
      if (scheme !== theme) await page.getByTestId('theme-toggle').click();
      await expect(page.locator('html').getAttribute('data-mantine-color-scheme')).resolves.toBe(theme);
      for (const name of PAGES) {
        await page.goto(`/${name}`);
        await page.getByRole('heading', { level: 2 }).first().waitFor();
        if (name === 'dashboard') await page.getByTestId('latest-requests').waitFor();
        if (name === 'channels') await page.getByTestId('channel-mock-openai').waitFor();
        await page.locator('.mantine-Loader-root').first().waitFor({ state: 'detached' });
        await page.screenshot({ path: path.join(SHOTS, `${name}-${theme}.png`), fullPage: true });
      }
    }
    expect(fs.readdirSync(SHOTS).filter((f) => /-(light|dark)\.png$/.test(f)).length).toBeGreaterThanOrEqual(PAGES.length * 2);
  });

  it('switches to Chinese and back', async () => {
    await page.goto('/channels');
    await page.getByText('中文').click();
    await page.getByRole('heading', { name: '渠道' }).waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN');
    await page.screenshot({ path: path.join(SHOTS, 'channels-zh-dark.png'), fullPage: true });
    await page.getByText('EN', { exact: true }).click();
    await page.getByRole('heading', { name: 'Channels' }).waitFor();
  });

  it('works on a phone-sized viewport: the navigation opens from the menu button', async () => {
    const phone = await phoneContext(browser, context, sys.url);
    const p = await phone.newPage();
    await p.goto('/dashboard');
    await p.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const offscreen = async () => {
      const box = await p.getByRole('link', { name: 'Channels' }).boundingBox();
      return box === null || box.x + box.width <= 0;
    };
    await expect(offscreen()).resolves.toBe(true);
    await p.getByRole('button', { name: 'Toggle navigation' }).click();
    await p.getByRole('link', { name: 'Channels' }).click();
    await p.getByRole('heading', { name: 'Channels' }).waitFor();
    expect(await fitsWidth(p)).toBe(true);
    await p.screenshot({ path: path.join(SHOTS, 'channels-mobile.png'), fullPage: true });
    await phone.close();
  });

  it('signs out on the server: the old cookie no longer opens the API', async () => {
    const cookie = (await context.cookies()).find((c) => c.name === 'sb_session')!;
    // the dashboard's own requests first: one still in flight at sign-out is answered 401, which is right but not the point
    await page.goto('/dashboard', { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const r = await fetch(`${sys.url}/api/channels`, { headers: { cookie: `sb_session=${cookie.value}` } });
    expect(r.status).toBe(401);
    expect(pageErrors).toEqual([]);
  });
});
