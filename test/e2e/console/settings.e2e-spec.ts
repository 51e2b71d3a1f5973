import fs from 'node:fs';
import path from 'node:path';
import { startStandalone, type System } from '../../support/harness';
import { fitsWidth, openConsole, type ConsoleBrowser } from './console-browser';

jest.setTimeout(120_000);

const VERSION = (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string }).version;

/** `/settings`: the configuration the gateway runs with, credentials masked, readable in both themes. */
describe('settings page (standalone)', () => {
  let sys: System;
  let cb: ConsoleBrowser;
  beforeAll(async () => {
    sys = await startStandalone({ RETRY_BUDGET: '2', AIHUBMIX_API_KEY: 'sk-aihubmix-never-shown-k9x2' });
    cb = await openConsole(sys);
  });
  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
  });

  it('answers GET /api/settings to the admin only, with no credential in clear', async () => {
    expect((await fetch(`${sys.url}/api/settings`)).status).toBe(401);
    const r = await fetch(`${sys.url}/api/settings`, { headers: { authorization: `Bearer ${sys.adminKey}` } });
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).not.toContain(sys.adminKey);
    expect(text).not.toContain('never-shown');
    const view = JSON.parse(text) as { version: string; mode: string; settings: { name: string; value: unknown; source: string }[] };
    expect([view.version, view.mode]).toEqual([VERSION, 'standalone']);
    const by = Object.fromEntries(view.settings.map((s) => [s.name, s]));
    expect(by.ADMIN_KEY).toMatchObject({ value: `****${sys.adminKey.slice(-4)}`, source: 'env' });
    expect(by.SECRET_KEY).toMatchObject({ source: 'generated' });
    expect(by.RETRY_BUDGET).toMatchObject({ value: 2, source: 'env' });
    expect(by.BAN_DURATION_MS).toMatchObject({ value: 60_000, source: 'default' });
    const docs = (await (await fetch(`${sys.url}/docs/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(docs.paths['/api/settings']).toBeDefined();
  });

  it('shows version, mode and every setting by section; search and "changed only" narrow the list', async () => {
    const { page } = cb;
    await page.goto('/settings');
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await expect(page.getByTestId('settings-version').textContent()).resolves.toBe(VERSION);
    await expect(page.getByTestId('settings-mode').textContent()).resolves.toBe('standalone (one process)');
    await expect(page.getByTestId('setting-RETRY_BUDGET').textContent()).resolves.toMatch(/RETRY_BUDGET2environment/);
    await expect(page.getByTestId('setting-ADMIN_KEY').textContent()).resolves.toContain(`****${sys.adminKey.slice(-4)}`);
    await expect(page.getByTestId('setting-NATS_URL').textContent()).resolves.toContain('not set');
    // The integrity checks: the ledger reconciliation (run now) and the dead-lettered usage records.
    await expect(page.getByTestId('ledger-state').textContent()).resolves.toBe('Balances match the ledger');
    await expect(page.getByTestId('integrity-ledger').textContent()).resolves.toMatch(/\d+ limited users and \d+ tokens checked/);
    await expect(page.getByTestId('dead-letters-state').textContent()).resolves.toBe('None lost: no dead-lettered record');
    expect(await page.content()).not.toContain(sys.adminKey);
    await cb.shot('settings-full-light');

    await page.getByLabel('Search settings').fill('retry');
    await page.getByTestId('setting-RETRY_BUDGET').waitFor();
    await expect(page.locator('[data-testid^="setting-"]').count()).resolves.toBe(1);
    await page.getByLabel('Search settings').fill('');
    await page.getByLabel('Only values not at their default').check({ force: true });
    await page.getByTestId('setting-RETRY_BUDGET').waitFor();
    const shown = await page.locator('[data-testid^="setting-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
    expect(shown).not.toContain('setting-BAN_DURATION_MS');
    expect(shown).toEqual(expect.arrayContaining(['setting-RETRY_BUDGET', 'setting-ADMIN_KEY', 'setting-SECRET_KEY', 'setting-AIHUBMIX_API_KEY']));
    await page.getByLabel('Search settings').fill('no-such-variable');
    await expect(page.getByRole('status').textContent()).resolves.toBe('No setting matches “no-such-variable”.');
  });

  it('reads well in the dark theme and on a phone', async () => {
    const dark = await cb.browser.newContext({
      baseURL: sys.url,
      colorScheme: 'dark',
      viewport: { width: 390, height: 844 },
      storageState: await cb.context.storageState(),
    });
    const p = await dark.newPage();
    await p.goto('/settings');
    await p.getByTestId('setting-RETRY_BUDGET').waitFor();
    expect(await fitsWidth(p)).toBe(true);
    await p.screenshot({ path: path.join(path.resolve(__dirname, '../../../test-results/console'), 'settings-phone-dark.png'), fullPage: true });
    await dark.close();
    expect(cb.pageErrors).toEqual([]);
  });
});
