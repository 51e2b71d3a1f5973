import path from 'node:path';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, createTestDatabase, eventually, startStandalone, TEST_SECRET_KEY, type System } from '../../support/harness';
import { fitsWidth, phoneContext, openConsole, SHOTS, type ConsoleBrowser } from './console-browser';

jest.setTimeout(180_000);

interface Price {
  model: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  perRequest: number;
  builtin: boolean;
}
interface Alias {
  name: string;
  targets: { model: string; weight: number }[];
  fallbacks: string[];
}
interface Log {
  model: string;
  status: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

/** The models the mock upstream was last asked for, newest last (it records each request's JSON body). */
const askedModels = (mock: MockUpstream) =>
  mock.requests.filter((r) => r.path.startsWith('/v1/chat/completions')).map((r) => (r.body as { model?: string }).model);

describe('console: models & prices and aliases pages (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let cb: ConsoleBrowser;
  let page: Page;
  let admin: ReturnType<typeof adminClient>;
  let adminSdk: OpenAI;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    mock = await startMockUpstream();
    // Postgres rather than the embedded database: PGlite's WASM migrations can outlast the start timeout on a busy machine.
    db = await createTestDatabase();
    sys = await startStandalone({ DATABASE_URL: db.url, SECRET_KEY: TEST_SECRET_KEY });
    admin = adminClient(sys.url, sys.adminKey);
    const main = await admin.post('/api/channels', {
      name: 'mock-main',
      type: 'openai',
      baseUrl: mock.url,
      keys: ['sk-upstream-1'],
      models: ['gpt-4o-mini', 'sb-house-model', 'model-a', 'model-b'],
    });
    expect(main.status).toBe(201);
    const wild = await admin.post('/api/channels', {
      name: 'mock-wild',
      type: 'openai',
      baseUrl: mock.url,
      keys: ['sk-upstream-2'],
      models: ['claude-*', 'llama-*'],
    });
    expect(wild.status).toBe(201);
    // A token of the admin user: unlimited, so unpriced alias targets run (at cost 0) and routing is all it tests.
    const tok = await admin.post('/api/tokens', { name: 'aliases-e2e' });
    adminSdk = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
    // The validation errors the tests provoke on purpose are the only failed responses allowed.
    cb = await openConsole(sys, { expected: (status, url) => status === 400 && /^\/api\/(prices|aliases)/.test(url.pathname) });
    page = cb.page;
  });

  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await mock?.close();
    await db?.drop();
  });

  it('flags the models channels serve without a price, and lists the channels of each priced model, wildcards included', async () => {
    await page.goto('/prices');
    const unpriced = page.getByTestId('unpriced-models');
    await unpriced.waitFor();
    const text = await unpriced.textContent();
    expect(text).toContain('4 models are served without a price');
    for (const m of ['sb-house-model', 'model-a', 'model-b', 'llama-*']) expect(text).toContain(m);
    expect(text).not.toContain('gpt-4o-mini');
    await expect(page.getByTestId('price-gpt-4o-mini').textContent()).resolves.toContain('mock-main');

    await page.getByLabel('Search models').fill('sonnet-4-5');
    await page.getByTestId('price-claude-sonnet-4-5').waitFor();
    await expect(page.getByTestId('price-claude-sonnet-4-5').textContent()).resolves.toMatch(/built-in.*\$3\.00.*\$15\.00.*mock-wild/);
    await page.getByTestId('price-gpt-4o-mini').waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.get('q')).toBe('sonnet-4-5');
    await page.getByLabel('Search models').fill('');
    await page.getByText('Served by a channel').click();
    await page.getByTestId('price-gpt-4o-mini').waitFor();
    await expect(page.getByTestId('prices-count').textContent()).resolves.toMatch(/^\d+ prices$/);
    // Every priced claude model goes through the wildcard channel; nothing else is served by either channel.
    const prices = (await admin.get<{ data: Price[] }>('/api/prices')).body.data;
    const served = prices.filter((p) => p.model.startsWith('claude-') || p.model === 'gpt-4o-mini').length;
    // the filter applies as the channels' models arrive: wait for the count rather than read it once
    const count = page.getByTestId('prices-count');
    await eventually(async () => (await count.textContent()) === `${served} prices`, 10_000, `${served} served prices`).catch(async () => {
      expect(await count.textContent()).toBe(`${served} prices`);
    });
    await cb.shot('prices-served-light');
    await page.getByText('All', { exact: true }).click();
  });

  it('sets a price in the editor (the API names a missing field), and the next relayed request is billed at it', async () => {
    const user = await admin.post<{ id: number }>('/api/users', { name: 'prices-e2e', balance: 5 });
    const tok = await admin.post('/api/tokens', { name: 'prices-e2e', userId: user.body.id });
    const sdk = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
    const ask = () => sdk.chat.completions.create({ model: 'sb-house-model', messages: [{ role: 'user', content: 'Price me' }] });
    // Unpriced under the default policy: a key with a balance is refused.
    await expect(ask()).rejects.toMatchObject({ status: 403 });

    await page.getByRole('button', { name: 'Set a price for sb-house-model' }).click();
    const dialog = page.getByRole('dialog', { name: 'New price' });
    await expect(dialog.getByLabel('Model').inputValue()).resolves.toBe('sb-house-model');
    await dialog.getByLabel('Output').fill('8');
    await dialog.getByRole('button', { name: 'Save price' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toMatch(/input/);

    await dialog.getByLabel('Input').fill('2');
    await dialog.getByLabel('Per request').fill('0.001');
    // 1000 × $2/M + 1000 × $8/M + $0.001
    await expect(dialog.getByTestId('price-example').textContent()).resolves.toContain('1k input + 1k output tokens = $0.011');
    await cb.shot('prices-editor-light');
    await dialog.getByRole('button', { name: 'Save price' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByLabel('Search models').fill('house');
    await page.getByTestId('price-sb-house-model').waitFor();
    await expect(page.getByTestId('price-sb-house-model').textContent()).resolves.toMatch(/custom.*\$2\.00.*\$8\.00.*\$0\.001.*mock-main/);
    await expect(page.getByTestId('unpriced-models').textContent()).resolves.not.toContain('sb-house-model');

    const saved = (await admin.get<{ data: Price[] }>('/api/prices')).body.data.find((p) => p.model === 'sb-house-model');
    expect(saved).toEqual({
      model: 'sb-house-model',
      input: 2,
      output: 8,
      cacheRead: 0,
      cacheWrite: 0,
      perRequest: 0.001,
      // no unit price typed: every unit is free
      perImage: null,
      perImageBySize: null,
      audioInputPerMinute: null,
      speechPerMillionChars: null,
      perSearchUnit: null,
      builtin: false,
    });

    // The gateways learn the price through an event (within 1 s): until then the request is still refused, never free.
    const done = await eventually(() => ask().catch(() => null), 5_000, 'the priced model to be served');
    const log = await eventually(
      async () => (await admin.get<{ data: Log[] }>('/api/logs?model=sb-house-model')).body.data.find((l) => l.status === 200),
      10_000,
      'the request log',
    );
    expect(log.promptTokens).toBe(done.usage!.prompt_tokens);
    expect(log.completionTokens).toBe(done.usage!.completion_tokens);
    expect(log.cost).toBeCloseTo((log.promptTokens * 2 + log.completionTokens * 8) / 1e6 + 0.001, 9);
  });

  it('removes an admin price after confirmation: the model is flagged as unpriced again', async () => {
    await page.getByRole('button', { name: 'Remove the admin price of sb-house-model' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove the price of sb-house-model?' });
    await dialog.getByRole('button', { name: 'Remove price' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('price-sb-house-model').waitFor({ state: 'detached' });
    await expect(page.getByTestId('unpriced-models').textContent()).resolves.toContain('sb-house-model');
    const prices = (await admin.get<{ data: Price[] }>('/api/prices')).body.data;
    expect(prices.find((p) => p.model === 'sb-house-model')).toBeUndefined();
    expect((await admin.del('/api/prices/sb-house-model')).status).toBe(404);
  });

  it('edits a built-in price from its prefilled values, and resets it to the list price', async () => {
    await page.getByLabel('Search models').fill('gpt-4o-mini');
    await page.getByRole('button', { name: 'Edit the price of gpt-4o-mini', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Price of gpt-4o-mini' });
    await expect(dialog.getByLabel('Input').inputValue()).resolves.toBe('$0.15');
    await expect(dialog.getByLabel('Output').inputValue()).resolves.toBe('$0.6');
    await dialog.getByLabel('Input').fill('0.2');
    await dialog.getByRole('button', { name: 'Save price' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('price-gpt-4o-mini');
    await expect(row.textContent()).resolves.toMatch(/custom.*\$0\.20/);
    expect((await admin.get<{ data: Price[] }>('/api/prices')).body.data.find((x) => x.model === 'gpt-4o-mini')).toMatchObject({ input: 0.2, builtin: false });

    await row.getByRole('button', { name: 'Remove the admin price of gpt-4o-mini' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove the price of gpt-4o-mini?' });
    await confirm.getByRole('button', { name: 'Remove price' }).click();
    await confirm.waitFor({ state: 'detached' });
    await row.getByText('built-in').waitFor();
    await expect(row.textContent()).resolves.toMatch(/built-in.*\$0\.15/);
    expect((await admin.get<{ data: Price[] }>('/api/prices')).body.data.find((x) => x.model === 'gpt-4o-mini')).toMatchObject({ input: 0.15, builtin: true });
    await cb.shot('prices-search-light');
  });

  it('creates an alias with two weighted targets and ordered fallbacks; the SDK call goes to the weight-1 target', async () => {
    await page.getByRole('link', { name: 'Aliases' }).click();
    await page.getByTestId('aliases-empty').waitFor();
    await page.getByRole('button', { name: 'New alias' }).click();
    const dialog = page.getByRole('dialog', { name: 'New alias' });
    await dialog.getByLabel('Alias name').fill('sb-canary');
    await dialog.getByLabel('Target 1 model').fill('model-a');
    await dialog.getByLabel('Target 1 weight').fill('1');
    await dialog.getByRole('button', { name: 'Add target' }).click();
    await dialog.getByLabel('Target 2 model').fill('model-b');
    await dialog.getByLabel('Target 2 weight').fill('3');
    await expect(dialog.getByTestId('target-share-1').textContent()).resolves.toBe('25%');
    await dialog.getByLabel('Target 2 weight').fill('0');
    await expect(dialog.getByTestId('target-share-1').textContent()).resolves.toBe('100%');
    await expect(dialog.getByTestId('target-share-2').textContent()).resolves.toBe('0%');
    const fallback = dialog.getByLabel('Add a fallback model');
    await fallback.fill('gpt-4o-mini');
    await fallback.press('Enter');
    await fallback.fill('model-b');
    await dialog.getByRole('button', { name: 'Add fallback' }).click();
    await dialog.getByRole('button', { name: 'Move model-b up' }).click();
    await expect(dialog.getByTestId('fallback-list').textContent()).resolves.toMatch(/1\.model-b.*2\.gpt-4o-mini/);
    await cb.shot('aliases-editor-light');
    await dialog.getByRole('button', { name: 'Save alias' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('alias-sb-canary');
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/100%model-a.*0%model-b/);

    const aliases = (await admin.get<{ data: Alias[] }>('/api/aliases')).body.data;
    expect(aliases).toEqual([
      expect.objectContaining({
        name: 'sb-canary',
        targets: [
          { model: 'model-a', weight: 1 },
          { model: 'model-b', weight: 0 },
        ],
        fallbacks: ['model-b', 'gpt-4o-mini'],
      }),
    ]);

    const call = () => adminSdk.chat.completions.create({ model: 'sb-canary', messages: [{ role: 'user', content: 'Which one?' }] });
    await eventually(() => call().catch(() => null), 5_000, 'the alias to be routed');
    for (let i = 0; i < 4; i++) await call();
    expect(askedModels(mock).slice(-5)).toEqual(['model-a', 'model-a', 'model-a', 'model-a', 'model-a']);
    await cb.shot('aliases-light');
  });

  it('shows the API validation error naming the field, and creates nothing', async () => {
    await page.getByRole('button', { name: 'New alias' }).click();
    const dialog = page.getByRole('dialog', { name: 'New alias' });
    await dialog.getByLabel('Alias name').fill('sb-bad');
    await dialog.getByLabel('Target 1 model').fill('model-a');
    await dialog.getByLabel('Target 1 weight').fill('1.5');
    await dialog.getByRole('button', { name: 'Save alias' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toMatch(/targets\.0\.weight/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await admin.get<{ total: number }>('/api/aliases')).body.total).toBe(1);
  });

  it('edits the alias in the UI: the traffic moves to the other target', async () => {
    await page.getByRole('button', { name: 'Edit alias sb-canary' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit alias sb-canary' });
    await expect(dialog.getByLabel('Target 1 model').inputValue()).resolves.toBe('model-a');
    await dialog.getByLabel('Target 1 weight').fill('0');
    await dialog.getByLabel('Target 2 weight').fill('1');
    await dialog.getByRole('button', { name: 'Remove fallback gpt-4o-mini' }).click();
    await dialog.getByRole('button', { name: 'Save alias' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect(page.getByTestId('alias-sb-canary').textContent()).resolves.toMatch(/0%model-a.*100%model-b/);
    const [alias] = (await admin.get<{ data: Alias[] }>('/api/aliases')).body.data;
    expect(alias.targets).toEqual([
      { model: 'model-a', weight: 0 },
      { model: 'model-b', weight: 1 },
    ]);
    expect(alias.fallbacks).toEqual(['model-b']);
    // The old table routes to model-a until the change reaches the gateway; then every call goes to model-b.
    await eventually(
      async () => {
        await adminSdk.chat.completions.create({ model: 'sb-canary', messages: [{ role: 'user', content: 'Which one now?' }] });
        return askedModels(mock).at(-1) === 'model-b';
      },
      5_000,
      'traffic on model-b',
    );
  });

  it('deletes the alias only after confirmation', async () => {
    await page.getByRole('button', { name: 'Delete alias sb-canary' }).click();
    let dialog = page.getByRole('dialog', { name: 'Delete alias sb-canary?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await admin.get<{ total: number }>('/api/aliases')).body.total).toBe(1);

    await page.getByRole('button', { name: 'Delete alias sb-canary' }).click();
    dialog = page.getByRole('dialog', { name: 'Delete alias sb-canary?' });
    await dialog.getByRole('button', { name: 'Delete alias' }).click();
    await page.getByTestId('aliases-empty').waitFor();
    expect((await admin.get<{ total: number }>('/api/aliases')).body.total).toBe(0);
    await eventually(
      () =>
        adminSdk.chat.completions
          .create({ model: 'sb-canary', messages: [{ role: 'user', content: 'Gone?' }] })
          .then(() => false)
          .catch((e: { status?: number }) => e.status === 404),
      5_000,
      'the alias to be gone',
    );
  });

  it('reads well in the dark theme and on a phone', async () => {
    await admin.post('/api/aliases', {
      name: 'sb-split',
      targets: [
        { model: 'model-a', weight: 3 },
        { model: 'model-b', weight: 1 },
        { model: 'not-served', weight: 0 },
      ],
      fallbacks: ['gpt-4o-mini'],
    });
    const dark = await openConsole(sys, { colorScheme: 'dark' });
    try {
      for (const name of ['prices', 'aliases']) {
        await dark.page.goto(`/${name}`);
        await dark.page.getByRole('heading', { level: 2 }).waitFor();
        await dark.page.getByTestId(name === 'prices' ? 'unpriced-models' : 'alias-sb-split').waitFor();
        await dark.shot(`${name}-list-dark`);
      }
      await expect(dark.page.getByTestId('alias-sb-split').textContent()).resolves.toMatch(/75%model-a.*25%model-b.*0%not-served.*no channel/);
      expect(dark.pageErrors).toEqual([]);
    } finally {
      await dark.close();
    }
    const zh = await openConsole(sys, { locale: 'zh-CN' });
    try {
      await zh.page.goto('/prices');
      await zh.page.getByRole('heading', { name: '模型与价格' }).waitFor();
      await zh.page.getByTestId('unpriced-models').getByText('有 4 个模型由渠道提供但没有价格').waitFor();
      await zh.shot('prices-zh-light');
      expect(zh.pageErrors).toEqual([]);
    } finally {
      await zh.close();
    }
    const phone = await phoneContext(cb.browser, cb.context, sys.url);
    try {
      const p = await phone.newPage();
      for (const name of ['prices', 'aliases']) {
        await p.goto(`/${name}`);
        await p.getByRole('heading', { level: 2 }).waitFor();
        await p.locator('.mantine-Loader-root').first().waitFor({ state: 'detached' });
        expect(await fitsWidth(p)).toBe(true);
        await p.screenshot({ path: path.join(SHOTS, `${name}-mobile.png`), fullPage: true });
      }
      await p.getByRole('button', { name: 'Edit alias sb-split' }).click();
      await p.getByRole('dialog').getByTestId('target-row-3').waitFor();
      expect(await fitsWidth(p)).toBe(true);
      await p.screenshot({ path: path.join(SHOTS, 'aliases-editor-mobile.png'), animations: 'disabled' });
    } finally {
      await phone.close();
    }
    expect(cb.pageErrors).toEqual([]);
  });
});
