import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { fitsWidth, phoneContext, openConsole, SHOTS, type ConsoleBrowser } from './console-browser';

jest.setTimeout(240_000);

interface Log {
  requestId: string;
  status: number;
  model: string;
  [field: string]: unknown;
}
interface LogPage {
  data: Log[];
  total: number;
  nextCursor: string | null;
}

/** RFC 4180 reader for the downloaded file: quoted cells may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

/** What the export writes for an API value (the page's CSV rules: null empty, numbers plain, formula text guarded). */
function csvText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return String(v);
}

interface BrowserWindow {
  getComputedStyle(e: unknown): { backgroundColor: string };
}

/** Drawers and modals slide in: wait for their transitions to end before a screenshot (spinners loop forever, skip them). */
const settled = (p: Page) =>
  eventually(() => p.evaluate<boolean>('document.getAnimations().every((a) => a.effect?.getTiming().iterations === Infinity)'), 5_000, 'transitions to end');

describe('console: request logs and audit log pages', () => {
  let mock: MockUpstream;
  let sys: System;
  let cb: ConsoleBrowser;
  let page: Page;
  let admin: ReturnType<typeof adminClient>;
  let channelId: number;
  let openai: OpenAI;
  const ask = (model: string, content: string) => openai.chat.completions.create({ model, messages: [{ role: 'user', content }] });
  const apiLogs = async (query: string) => (await admin.get<LogPage>(`/api/logs?${query}`)).body;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    const ch = await admin.post('/api/channels', {
      name: 'mock-openai',
      type: 'openai',
      baseUrl: mock.url,
      keys: ['sk-upstream-secret-0001'],
      models: ['gpt-4o-mini', 'gpt-4o'],
      autoBan: false,
    });
    expect(ch.status).toBe(201);
    channelId = Number(ch.body.id);
    const tok = await admin.post('/api/tokens', { name: 'logs-e2e' });
    expect(tok.status).toBe(201);
    openai = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });

    // 52 successes (more than one page of 50), one streamed, one the upstream refuses, one unknown model.
    for (let i = 0; i < 51; i += 3) await Promise.all([0, 1, 2].map((j) => ask('gpt-4o-mini', `hello ${i + j}`)));
    const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'stream me' }], stream: true });
    for await (const chunk of stream) void chunk;
    await expect(ask('gpt-4o', 'refuse this [error:400]')).rejects.toMatchObject({ status: 400 });
    await expect(ask('no-such-model', 'hi')).rejects.toMatchObject({ status: 404 });
    await eventually(async () => (await apiLogs('limit=1')).total === 54, 15_000, '54 request logs');

    cb = await openConsole(sys);
    page = cb.page;
  });

  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await mock?.close();
  });

  const tableRows = () => page.getByTestId('log-table').locator('tbody tr');

  it('opens a bookmarked /logs?status=… with only the matching rows', async () => {
    const api = await apiLogs('status=400');
    expect(api.total).toBeGreaterThanOrEqual(1);
    await page.goto('/logs?status=400');
    await page.getByRole('heading', { name: 'Request logs' }).waitFor();
    await page.getByTestId('log-table').waitFor();
    const statuses = await page.getByTestId('log-status').allTextContents();
    expect(statuses).toEqual(api.data.map((r) => String(r.status)));
    expect(new Set(statuses)).toEqual(new Set(['400']));
    await expect(page.getByLabel('HTTP status').inputValue()).resolves.toBe('400');
    await expect(page.getByTestId('logs-count').textContent()).resolves.toContain(`${api.total} request`);
    // the refused request's upstream error is shown in the row
    expect(await page.getByTestId(`log-${api.data[0].requestId}`).textContent()).toMatch(/error|400/i);
  });

  it('changing the model filter in the form updates the URL, and back/forward walk the filters', async () => {
    await page.goto('/logs');
    await page.getByTestId('log-table').waitFor();
    await expect(tableRows().count()).resolves.toBe(50);
    await page.getByLabel('HTTP status').fill('');
    await page.getByLabel('Model', { exact: true }).fill('gpt-4o');
    await page.getByLabel('Model', { exact: true }).press('Enter');
    await page.waitForURL(/\/logs\?model=gpt-4o$/);
    const api = await apiLogs('model=gpt-4o');
    expect(api.total).toBe(2);
    await eventually(async () => (await tableRows().count()) === 2, 10_000, 'two gpt-4o rows');
    const ids = await tableRows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')));
    expect(ids).toEqual(api.data.map((r) => `log-${r.requestId}`));

    // An invalid status is refused in the form, not sent
    await page.getByLabel('HTTP status').fill('abc');
    await page.getByLabel('HTTP status').press('Enter');
    await page.getByText('An HTTP status is a number from 100 to 599').waitFor();
    expect(new URL(page.url()).search).toBe('?model=gpt-4o');
    await page.getByLabel('HTTP status').fill('');

    // a filter nothing matches says so, and offers to clear it
    await page.getByLabel('Model', { exact: true }).fill('no-model-like-this');
    await page.getByLabel('Model', { exact: true }).press('Enter');
    await page.waitForURL(/\?model=no-model-like-this$/);
    await page.getByTestId('logs-empty').getByText('No request matches these filters.').waitFor();
    await page.goBack();
    await page.waitForURL(/\?model=gpt-4o$/);
    // the time range: a start in the future matches nothing; clearing the filters returns to every request
    await page.getByLabel('From').fill('2099-01-01T00:00');
    await page.waitForURL(/\?model=gpt-4o&from=209[89]-/);
    await page.getByTestId('logs-empty').waitFor();
    await page.getByTestId('logs-empty').locator('..').getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => u.pathname === '/logs' && u.search === '');
    await page.goBack();
    await page.goBack();
    await page.waitForURL(/\?model=gpt-4o$/);

    await page.goBack();
    await page.waitForURL((u) => u.pathname === '/logs' && u.search === '');
    await eventually(async () => (await tableRows().count()) === 50, 10_000, 'the unfiltered first page');
    await expect(page.getByLabel('Model', { exact: true }).inputValue()).resolves.toBe('');
    await page.goForward();
    await page.waitForURL(/\?model=gpt-4o$/);
    await eventually(async () => (await tableRows().count()) === 2, 10_000, 'the filtered rows again');
    await expect(page.getByLabel('Model', { exact: true }).inputValue()).resolves.toBe('gpt-4o');
  });

  it('pages with the cursor: "load more" continues where page one ended, unaffected by new records', async () => {
    await page.goto('/logs');
    await page.getByTestId('log-table').waitFor();
    await expect(tableRows().count()).resolves.toBe(50);
    const first = await tableRows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')));
    // two records arrive after page one was read: a page-offset list would repeat two rows, the cursor does not
    await ask('gpt-4o-mini', 'late 1');
    await ask('gpt-4o-mini', 'late 2');
    await eventually(async () => (await apiLogs('limit=1')).total === 56, 10_000, '56 request logs');
    await page.getByRole('button', { name: /^Load \d+ more$/ }).click();
    await eventually(async () => (await tableRows().count()) === 54, 10_000, 'all 54 rows of the first read');
    const all = await tableRows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')));
    expect(all.slice(0, 50)).toEqual(first);
    expect(new Set(all).size).toBe(54);
    const api = await apiLogs('limit=500');
    expect(all).toEqual(api.data.slice(2).map((r) => `log-${r.requestId}`));
    await expect(page.getByRole('button', { name: /^Load \d+ more$/ }).count()).resolves.toBe(0);
    await cb.shot('logs-list-light');
  });

  it('opens a record in the drawer from its row, with every field, and by its deep link /logs/:requestId', async () => {
    const failed = (await apiLogs('status=400')).data[0];
    await page.goto('/logs?model=gpt-4o');
    await page.getByRole('link', { name: new RegExp(`details of request ${failed.requestId}$`) }).click();
    await page.waitForURL(`**/logs/${failed.requestId}?model=gpt-4o`);
    const drawer = page.getByRole('dialog');
    await drawer.getByTestId('log-detail').waitFor();
    const text = (await drawer.textContent()) ?? '';
    for (const label of [
      'Request id (x-request-id)',
      'Upstream model',
      'Client protocol',
      'Upstream protocol',
      'Cache read tokens',
      'Reasoning tokens',
      'Time to first token',
      'Upstream attempts',
      'Error',
    ])
      expect(text).toContain(label);
    expect(text).toContain(failed.requestId);
    expect(text).toContain('mock-openai');
    expect(String(failed.error)).not.toBe('null');
    expect(text).toContain(String(failed.error));
    await settled(page);
    await cb.shot('logs-detail-light');
    await drawer.getByRole('button', { name: 'Close details' }).click();
    await page.waitForURL((u) => u.pathname === '/logs' && u.search === '?model=gpt-4o');

    // a shared link opens the record by itself (GET /api/logs/:requestId)
    const streamed = (await apiLogs('model=gpt-4o&status=200')).data[0];
    await page.goto(`/logs/${streamed.requestId}`);
    await page.getByRole('dialog').getByTestId('log-detail').waitFor();
    const detail = (await page.getByRole('dialog').textContent()) ?? '';
    expect(detail).toContain(streamed.requestId);
    expect(detail).toMatch(/Streamedyes/);
  });

  it('exports the current filter as CSV through the cursor pages, equal to the API, and stops at the row limit', async () => {
    await page.goto('/logs?model=gpt-4o-mini');
    await page.getByTestId('log-table').waitFor();
    const api = await apiLogs('model=gpt-4o-mini&limit=500');
    expect(api.total).toBe(53);
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('(53)').waitFor();
    await settled(page);
    await cb.shot('logs-export-light');
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export', exact: true }).click()]);
    expect(download.suggestedFilename()).toMatch(/^switchboard-logs-\d{8}-\d{4}\.csv$/);
    const file = fs.readFileSync(await download.path(), 'utf8');
    expect(file.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parseCsv(file.slice(1));
    expect(header).toEqual([
      'requestId',
      'createdAt',
      'tokenId',
      'userId',
      'group',
      'model',
      'upstreamModel',
      'channelId',
      'protocol',
      'upstreamProtocol',
      'stream',
      'status',
      'promptTokens',
      'completionTokens',
      'cacheReadTokens',
      'cacheWriteTokens',
      'reasoningTokens',
      'cost',
      'latencyMs',
      'ttftMs',
      'attempts',
      'error',
      'endpoint',
      'units.images',
      'units.audioSeconds',
      'units.characters',
      'units.searchUnits',
      'plugins.cache',
      'plugins.web-search',
      'plugins.stream-fake',
      'plugins.think-split',
    ]);
    expect(rows).toHaveLength(api.total);
    rows.forEach((row, i) => {
      const rec = api.data[i];
      header.forEach((field, j) => {
        if (field === 'cost') expect(Number(row[j])).toBe(rec.cost);
        else if (field.startsWith('units.')) expect(row[j]).toBe(csvText((rec.units as Record<string, unknown> | null)?.[field.slice(6)]));
        else if (field.startsWith('plugins.')) expect(row[j]).toBe(csvText((rec.plugins as Record<string, unknown> | null)?.[field.slice(8)]));
        else expect(row[j]).toBe(csvText(rec[field]));
      });
    });
    await dialog.getByTestId('export-result').getByText('Downloaded 53 rows.').waitFor();

    // a row limit below the match count: capped, and said so
    await dialog.getByLabel('Row limit').fill('5');
    const [capped] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export', exact: true }).click()]);
    const cappedRows = parseCsv(fs.readFileSync(await capped.path(), 'utf8').slice(1));
    expect(cappedRows.slice(1).map((r) => r[0])).toEqual(api.data.slice(0, 5).map((r) => r.requestId));
    await dialog.getByText(/Stopped at the row limit: 5 of 53/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('shows an admin change of a channel in the audit log with the changed field highlighted and secrets masked', async () => {
    const patched = await admin.patch(`/api/channels/${channelId}`, { priority: 7 });
    expect(patched.status).toBe(200);
    await page.goto('/audit');
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByTestId('audit-table').waitFor();
    await page.getByRole('textbox', { name: 'Action' }).click();
    await page.getByRole('option', { name: 'update' }).click();
    await page.waitForURL(/\/audit\?action=update$/);
    const api = await admin.get<{ data: { id: number; entity: string; entityId: string }[]; total: number }>('/api/audit?action=update');
    expect(api.body.total).toBe(1);
    const entry = api.body.data[0];
    expect(entry).toMatchObject({ entity: 'channel', entityId: String(channelId) });
    const row = page.getByTestId(`audit-${entry.id}`);
    await row.waitFor();
    await eventually(async () => (await page.getByTestId('audit-table').locator('tbody tr').count()) === 1, 10_000, 'one update row');
    await expect(row.textContent()).resolves.toContain('priority');
    await row.getByRole('button', { name: /update channel/ }).click();

    const diff = page.getByRole('dialog').getByTestId('audit-diff');
    await diff.waitFor();
    const changed = diff.locator('tr[data-change="changed"]');
    const changedPaths = await changed.evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')?.textContent ?? ''));
    expect(changedPaths.some((p) => p.startsWith('priority'))).toBe(true);
    expect(changedPaths.every((p) => /^(priority|updatedAt)/.test(p))).toBe(true);
    const priority = changed.filter({ hasText: /^priority/ });
    await expect(priority.locator('td').allTextContents()).resolves.toEqual(['prioritychanged', '0', '7']);
    // runs in the browser; typed by hand because this file is checked without the DOM library
    const background = (tr: unknown) => (globalThis as unknown as BrowserWindow).getComputedStyle(tr).backgroundColor;
    const bg = await priority.evaluate(background);
    expect(bg).toMatch(/^rgba?\(/);
    expect(bg).not.toBe('rgba(0, 0, 0, 0)');
    const unchanged = diff.locator('tr[data-change="same"]').filter({ hasText: /^name/ });
    await expect(unchanged.evaluate(background)).resolves.toMatch(/^rgba\(0, 0, 0, 0\)$/);
    // upstream keys arrive masked, and the page shows them as they arrive
    expect(await page.getByRole('dialog').textContent()).not.toContain('sk-upstream-secret-0001');
    await settled(page);
    await cb.shot('audit-diff-light');

    await page.getByRole('switch', { name: 'Only changed fields' }).click({ force: true });
    await eventually(async () => (await diff.locator('tr[data-change="same"]').count()) === 0, 5_000, 'only changed rows');
    await page.getByRole('dialog').getByRole('button', { name: 'Close details' }).click();

    // the filter by entity id lists the create and the update of this channel
    await page.goto(`/audit?entity=channel&entityId=${channelId}`);
    await eventually(async () => (await page.getByTestId('audit-table').locator('tbody tr').count()) === 2, 10_000, 'create and update rows');
  });

  it('reads well in the dark theme, in Chinese and on a phone (no sideways scrolling of the page)', async () => {
    // dark and in Chinese: both themes and both languages get looked at
    const dark = await openConsole(sys, { colorScheme: 'dark', locale: 'zh-CN' });
    try {
      await dark.page.goto('/logs');
      await dark.page.getByTestId('log-table').waitFor();
      await dark.page.getByRole('heading', { name: '请求日志' }).waitFor();
      await dark.shot('logs-list-zh-dark');
      const failed = (await apiLogs('status=400')).data[0];
      await dark.page.goto(`/logs/${failed.requestId}`);
      await dark.page.getByRole('dialog').getByTestId('log-detail').waitFor();
      await settled(dark.page);
      await dark.shot('logs-detail-zh-dark');
      await dark.page.goto('/audit?action=update');
      await dark.page.getByTestId('audit-table').locator('tbody tr').first().getByRole('button').click();
      await dark.page.getByTestId('audit-diff').waitFor();
      await settled(dark.page);
      await dark.shot('audit-diff-zh-dark');
      expect(dark.pageErrors).toEqual([]);
    } finally {
      await dark.close();
    }

    const phone = await phoneContext(cb.browser, cb.context, sys.url);
    try {
      const p = await phone.newPage();
      for (const name of ['logs', 'audit']) {
        await p.goto(`/${name}`);
        await p.getByTestId(name === 'logs' ? 'log-table' : 'audit-table').waitFor();
        expect(await fitsWidth(p)).toBe(true);
        await p.screenshot({ path: path.join(SHOTS, `${name}-mobile.png`), fullPage: true });
      }
      // the filters fold behind a button on a phone, and open from it
      await p.goto('/logs?status=400');
      await p.getByTestId('log-table').waitFor();
      // folded: the list starts on the first screen
      expect((await p.getByTestId('log-table').boundingBox())!.y).toBeLessThan(400);
      await p.getByRole('button', { name: 'Filters (1)' }).click();
      await eventually(async () => (await p.getByTestId('log-table').boundingBox())!.y > 600, 5_000, 'the filters to unfold');
      await expect(p.getByLabel('HTTP status').inputValue()).resolves.toBe('400');
    } finally {
      await phone.close();
    }
    expect(cb.pageErrors).toEqual([]);
  });

  it('shows in the log detail what the relay plugins did: a cache hit', async () => {
    expect((await admin.put('/api/plugins/cache', { enabled: true, models: ['gpt-4o'] })).status).toBe(200);
    const hit = await eventually(
      async () => {
        const r = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'cache me' }] }).withResponse();
        return r.response.headers.get('x-switchboard-cache') === 'hit' ? r : null;
      },
      10_000,
      'a cache hit',
    );
    const id = hit.response.headers.get('x-request-id')!;
    await eventually(async () => (await admin.get(`/api/logs/${id}`)).status === 200, 5_000, 'the hit logged');
    await page.goto(`/logs/${id}`);
    await page.getByRole('dialog').getByTestId('log-detail').waitFor();
    expect(await page.getByRole('dialog').textContent()).toContain('Pluginscache: hit');
    expect(cb.pageErrors).toEqual([]);
  });
});
