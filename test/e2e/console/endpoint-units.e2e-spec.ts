import pg from 'pg';
import type { Page } from 'playwright-core';
import { adminClient, createTestDatabase, eventually, startStandalone, TEST_SECRET_KEY, type System } from '../../support/harness';
import { openConsole, type ConsoleBrowser } from './console-browser';

jest.setTimeout(180_000);

interface Price {
  model: string;
  perImage: number | null;
  perImageBySize: Record<string, number> | null;
  audioInputPerMinute: number | null;
  speechPerMillionChars: number | null;
  perSearchUnit: number | null;
}

/**
 * Rows as log-writer stores them (its storage of endpoint and units is tested on Postgres in test/int): the relay's
 * endpoint families are another change, so the console is shown records of each family written to its table here.
 */
const LOGS = [
  { requestId: 'units-img', endpoint: 'images.generations', units: { images: 2 }, model: 'dall-e-3', cost: 80_000 },
  { requestId: 'units-stt', endpoint: 'audio.transcriptions', units: { audioSeconds: 90.5 }, model: 'whisper-1', cost: 9_050 },
  { requestId: 'units-tts', endpoint: 'audio.speech', units: { characters: 1200 }, model: 'tts-1', cost: 18_000 },
  { requestId: 'units-rr', endpoint: 'rerank', units: { searchUnits: 3 }, model: 'rerank-v3.5', cost: 6_000 },
  { requestId: 'units-chat', endpoint: 'chat.completions', units: null, model: 'gpt-4o-mini', cost: 12 },
];

/** Settled drawers and modals before a screenshot (spinners loop forever, skip them). */
const settled = (p: Page) =>
  eventually(() => p.evaluate<boolean>('document.getAnimations().every((a) => a.effect?.getTiming().iterations === Infinity)'), 5_000, 'transitions to end');

describe('console: unit prices, endpoint families in logs and on the dashboard (standalone)', () => {
  let sys: System;
  let cb: ConsoleBrowser;
  let page: Page;
  let admin: ReturnType<typeof adminClient>;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    sys = await startStandalone({ DATABASE_URL: db.url, SECRET_KEY: TEST_SECRET_KEY });
    admin = adminClient(sys.url, sys.adminKey);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const now = Date.now();
    for (const [i, l] of LOGS.entries()) {
      await client.query(
        `INSERT INTO request_logs ("requestId", "createdAt", model, protocol, stream, status, "latencyMs", "costMicros", endpoint, units)
         VALUES ($1, $2, $3, 'openai-chat', false, 200, 100, $4, $5, $6)`,
        [l.requestId, new Date(now - i * 1000), l.model, l.cost, l.endpoint, l.units === null ? null : JSON.stringify(l.units)],
      );
    }
    await client.end();
    // The validation error the price test provokes on purpose is the only failed response allowed.
    cb = await openConsole(sys, { expected: (status, url) => status === 400 && url.pathname.startsWith('/api/prices') });
    page = cb.page;
  });

  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await db?.drop();
  });

  it('prices an image model by size and quality:size in the editor, with the example cost of an image; the list shows the unit prices', async () => {
    await page.goto('/prices');
    await page.getByRole('button', { name: 'New price' }).click();
    const dialog = page.getByRole('dialog', { name: 'New price' });
    await dialog.getByLabel('Model').fill('sb-image-model');
    await dialog.getByLabel('Input').fill('0');
    await dialog.getByLabel('Output').fill('0');
    await dialog.getByLabel('Per image').fill('0.05');
    await dialog.getByLabel('Audio minutes').fill('0.006');
    await dialog.getByRole('button', { name: 'Add size' }).click();
    await dialog.getByRole('textbox', { name: 'Size 1', exact: true }).fill('hd:1792x1024');
    await dialog.getByRole('textbox', { name: 'USD per image 1', exact: true }).fill('0.12');
    await dialog.getByRole('button', { name: 'Add size' }).click();
    await dialog.getByRole('textbox', { name: 'Size 2', exact: true }).fill('large');
    await dialog.getByRole('textbox', { name: 'USD per image 2', exact: true }).fill('0.04');
    const example = dialog.getByTestId('price-example');
    await expect(example.textContent()).resolves.toContain('1 image (hd:1792x1024) = $0.12');
    await expect(example.textContent()).resolves.toContain('1 minute of audio = $0.006');
    // a size the API cannot read: its 400 names the key
    await dialog.getByRole('button', { name: 'Save price' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toContain('perImageBySize.large');
    await dialog.getByRole('textbox', { name: 'Size 2', exact: true }).fill('1024x1024');
    await settled(page);
    await cb.shot('prices-units-editor-light');
    await dialog.getByRole('button', { name: 'Save price' }).click();
    await dialog.waitFor({ state: 'detached' });

    const saved = (await admin.get<{ data: Price[] }>('/api/prices')).body.data.find((p) => p.model === 'sb-image-model');
    expect(saved).toMatchObject({
      perImage: 0.05,
      perImageBySize: { 'hd:1792x1024': 0.12, '1024x1024': 0.04 },
      audioInputPerMinute: 0.006,
      speechPerMillionChars: null,
      perSearchUnit: null,
    });
    await page.getByLabel('Search models').fill('sb-image-model');
    const row = page.getByTestId('price-sb-image-model');
    await expect(row.textContent()).resolves.toMatch(/\$0\.05 \/ image2 sizes: \$0\.04–\$0\.12 \/ image\$0\.006 \/ audio minute/);
    // every size in the tooltip
    await row.getByTestId('price-sizes').hover();
    await expect(page.getByRole('tooltip').textContent()).resolves.toBe('1024x1024: $0.04 / image · hd:1792x1024: $0.12 / image');

    // reopened, the rows come back as they were saved (sizes first, then quality:size)
    await row.getByRole('button', { name: 'Edit the price of sb-image-model' }).click();
    const edit = page.getByRole('dialog', { name: 'Price of sb-image-model' });
    await expect(edit.getByRole('textbox', { name: 'Size 1', exact: true }).inputValue()).resolves.toBe('1024x1024');
    await expect(edit.getByRole('textbox', { name: 'USD per image 2', exact: true }).inputValue()).resolves.toBe('$0.12');
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await edit.waitFor({ state: 'detached' });

    await page.getByLabel('Search models').fill('dall-e-3');
    await expect(page.getByTestId('price-dall-e-3').textContent()).resolves.toContain('6 sizes: $0.04–$0.12 / image');
    await cb.shot('prices-units-list-light');
  });

  it('logs: the endpoint column with the units, a filter by endpoint in the URL, the units in the detail drawer', async () => {
    await page.goto('/logs');
    await page.getByTestId('log-table').waitFor();
    const endpoints = await page.getByTestId('log-endpoint').allTextContents();
    expect(endpoints).toEqual([
      'images.generations2 images',
      'audio.transcriptions90.5 s of audio',
      'audio.speech1,200 characters',
      'rerank3 search units',
      'chat.completions',
    ]);

    await page.getByLabel('Endpoint', { exact: true }).fill('audio.speech');
    await page.getByLabel('Endpoint', { exact: true }).press('Enter');
    await page.waitForURL(/\/logs\?endpoint=audio\.speech$/);
    const shownEndpoints = () => page.getByTestId('log-endpoint').allTextContents();
    // the list is fetched again for the new filter: wait for it
    await eventually(async () => (await shownEndpoints()).length === 1, 10_000, 'the filtered list');
    expect(await shownEndpoints()).toEqual(['audio.speech1,200 characters']);

    // a shared link opens the same filter; the drawer names the units and filters by the record's endpoint
    await page.goto('/logs/units-img?endpoint=rerank');
    const drawer = page.getByRole('dialog');
    await drawer.getByTestId('log-detail').waitFor();
    const detail = await drawer.getByTestId('log-detail').textContent();
    expect(detail).toContain('Endpointimages.generations');
    expect(detail).toContain('Units2 images');
    await settled(page);
    await cb.shot('logs-units-detail-light');
    await drawer.getByRole('button', { name: 'Show requests to this endpoint' }).click();
    await page.waitForURL(/\/logs\?endpoint=images\.generations$/);
    await eventually(async () => (await shownEndpoints()).length === 1 && (await shownEndpoints())[0].startsWith('images'), 10_000, 'the filtered list');
    expect(await shownEndpoints()).toEqual(['images.generations2 images']);
  });

  it('dashboard: requests by endpoint family with errors, cost and units', async () => {
    await page.goto('/dashboard');
    const card = page.getByTestId('endpoint-breakdown');
    await card.locator('tbody tr').first().waitFor();
    const rows = await card.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual(
      expect.arrayContaining([
        ['images.generations', '1', '0%', '$0.08', '2 images'],
        ['audio.transcriptions', '1', '0%', '$0.00905', '90.5 s of audio'],
        ['rerank', '1', '0%', '$0.006', '3 search units'],
        ['chat.completions', '1', '0%', '$0.000012', '—'],
      ]),
    );
    expect(rows).toHaveLength(LOGS.length);
    await cb.shot('dashboard-endpoints-light');
    expect(cb.pageErrors).toEqual([]);
  });

  it('the same pages in the dark theme', async () => {
    const dark = await openConsole(sys, { colorScheme: 'dark' });
    try {
      await dark.page.goto('/dashboard');
      await dark.page.getByTestId('endpoint-breakdown').locator('tbody tr').first().waitFor();
      await dark.shot('dashboard-endpoints-dark');
      await dark.page.goto('/logs/units-stt');
      await dark.page.getByRole('dialog').getByTestId('log-detail').waitFor();
      await settled(dark.page);
      await dark.shot('logs-units-detail-dark');
      expect(dark.pageErrors).toEqual([]);
    } finally {
      await dark.close();
    }
  });
});
