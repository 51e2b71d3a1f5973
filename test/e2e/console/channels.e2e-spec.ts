import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import path from 'node:path';
import { fitsWidth, phoneContext, openConsole, SHOTS, type ConsoleBrowser } from './console-browser';

jest.setTimeout(240_000);

/** A field's label exactly, with or without the required asterisk Mantine appends. */
const exactly = (label: string) => new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`);

interface KeyView {
  id: number;
  label: string;
  masked: string;
  enabled: boolean;
  status: string;
  lastError: string | null;
}

/**
 * The Channels page (/channels) driven as an admin would: create with a type Select, edit every field in the drawer,
 * the key pool (state, label, enable switch, delete with confirmation, import by paste and by file), "Test all" with
 * progress, delete with confirmation. Each effect is checked through the admin API or the mock upstream.
 */
describe('console: channels page (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let cb: ConsoleBrowser;
  let page: Page;
  let admin: ReturnType<typeof adminClient>;
  let openai: OpenAI;
  const ids: Record<string, number> = {};
  const channel = async (name: string) => (await admin.get<Record<string, unknown>>(`/api/channels/${ids[name]}`)).body;
  const keysOf = async (name: string) => (await admin.get<{ data: KeyView[] }>(`/api/channels/${ids[name]}/keys`)).body.data;
  const row = (name: string) => page.getByTestId(`channel-${name}`);
  const drawer = () => page.getByRole('dialog', { name: /^Channel / });
  const openDrawer = async (name: string) => {
    await row(name).getByRole('button', { name: 'Edit' }).click();
    await drawer().getByLabel(exactly('Base URL')).waitFor();
  };
  const send = () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    for (const [name, keys] of [
      ['ch-ok', ['sk-ok-key-000000001']],
      ['ch-keys', ['sk-keys-good-00001', 'sk-keys-bad-000002']],
      ['ch-broken', ['sk-broken-key-0009']],
    ] as const) {
      const r = await admin.post('/api/channels', {
        name,
        type: 'openai',
        baseUrl: mock.url,
        keys,
        models: name === 'ch-keys' ? ['gpt-4o-mini'] : [`${name}-model`],
      });
      expect(r.status).toBe(201);
      ids[name] = Number(r.body.id);
    }
    mock.setFault({ match: { key: 'sk-keys-bad-000002' }, status: 401 });
    mock.setFault({ match: { key: 'sk-broken-key-0009' }, status: 500 });
    const tok = await admin.post('/api/tokens', { name: 'console-channels' });
    openai = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
    // the name conflict below is provoked on purpose
    cb = await openConsole(sys, { expected: (status, url) => status === 400 && url.pathname === `/api/channels/${ids['ch-ok']}` });
    page = cb.page;
    page.setDefaultTimeout(10_000);
    await page.goto('/channels');
    await row('ch-ok').waitFor();
  });

  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await mock?.close();
  });

  it('creates a channel whose type is picked from a Select of the known types (a type that needs a base URL says so)', async () => {
    await page.getByRole('button', { name: 'New channel' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a channel' });
    await dialog.getByLabel(exactly('Name')).fill('ch-compat');
    await dialog.getByLabel(exactly('Type')).click();
    await page.getByRole('option', { name: 'openai-compatible' }).click();
    await dialog.getByText('Required for this type').waitFor();
    await dialog.getByLabel(exactly('Base URL')).fill(mock.url);
    await dialog.getByLabel('API keys').fill('sk-compat-key-00001');
    await dialog.getByLabel(exactly('Models')).fill('compat-model');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await row('ch-compat').waitFor();
    const list = await admin.get<{ data: { id: number; name: string; type: string }[] }>('/api/channels');
    const created = list.body.data.find((c) => c.name === 'ch-compat')!;
    expect(created.type).toBe('openai-compatible');
    ids['ch-compat'] = created.id;
  });

  it('edits every field in the drawer: client-side JSON errors name the field, the API’s 400 is shown, the save lands', async () => {
    await openDrawer('ch-ok');
    const d = drawer();
    await cb.shot('channels-drawer-light');
    await d.getByLabel(exactly('Type')).click();
    await page.getByRole('option', { name: 'deepseek', exact: true }).click();
    await d.getByLabel(exactly('Base URL')).fill(`${mock.url}/v1`);
    await d.getByText('Round robin').click();
    const models = d.getByLabel(exactly('Models'));
    await models.fill('gpt-4o');
    await models.press('Enter');
    await d.getByRole('button', { name: 'Add row: Model mapping' }).click();
    await d.getByLabel('Requested model 1').fill('gpt-4o');
    await d.getByLabel('Upstream model 1').fill('deepseek-chat');
    await d.getByRole('button', { name: 'Add row: Headers' }).click();
    await d.getByLabel('Header name 1').fill('X-Tenant');
    await d.getByLabel('Header value 1').fill('tenant-secret-4242');
    const groups = d.getByLabel(exactly('Groups'));
    await groups.fill('vip');
    await groups.press('Enter');
    await d.getByLabel(exactly('Priority')).fill('7');
    await d.getByLabel(exactly('Weight')).fill('3');
    await d.getByRole('switch', { name: 'Ban automatically on errors' }).click({ force: true });
    await d.getByLabel('Parameter override (JSON)').fill('{"temperature": 0.2');
    await d.getByLabel('Status code mapping (JSON)').fill('{"40": 500}');
    await d.getByLabel(exactly('Test model')).fill('gpt-4o');
    await d.getByLabel(exactly('Tag')).fill('primary');
    await d.getByLabel('First byte').fill('30000');
    await d.getByLabel('Idle in stream').fill('15000');
    await d.getByRole('button', { name: 'Save changes' }).click();
    await d.getByText(/^Not valid JSON: /).waitFor();
    await d.getByText('Entry “40”: keys are 3-digit statuses, values integers 100–599').waitFor();
    await cb.shot('channels-drawer-errors-light');
    expect((await channel('ch-ok')).priority).toBe(0); // nothing was sent
    await d.getByLabel('Parameter override (JSON)').fill('{"temperature": 0.2}');
    await d.getByLabel('Status code mapping (JSON)').fill('{"404": 500}');
    // a taken name: the API's 400 names the field
    await d.getByLabel(exactly('Name')).fill('ch-keys');
    await d.getByRole('button', { name: 'Save changes' }).click();
    await expect(d.getByRole('alert').textContent()).resolves.toBe('channel "ch-keys" already exists');
    await d.getByLabel(exactly('Name')).fill('ch-ok-edited');
    await d.getByRole('button', { name: 'Save changes' }).click();
    await d.waitFor({ state: 'detached' });
    await row('ch-ok-edited').waitFor();
    expect(await channel('ch-ok')).toMatchObject({
      name: 'ch-ok-edited',
      type: 'deepseek',
      baseUrl: `${mock.url}/v1`,
      keyMode: 'round_robin',
      models: ['ch-ok-model', 'gpt-4o'],
      modelMapping: { 'gpt-4o': 'deepseek-chat' },
      headers: { 'X-Tenant': 'ten…4242' },
      groups: ['default', 'vip'],
      priority: 7,
      weight: 3,
      enabled: true,
      autoBan: false,
      paramOverride: { temperature: '****' },
      statusCodeMapping: { '404': 500 },
      testModel: 'gpt-4o',
      tag: 'primary',
      timeouts: { firstByteMs: 30000, idleMs: 15000 },
      keys: ['sk-…0001'],
    });
    // audited, with the header secret masked
    const audit = await admin.get<{ data: { entityId: string; before: Record<string, unknown>; after: Record<string, unknown> }[] }>('/api/audit?limit=5');
    expect(audit.body.data[0]).toMatchObject({ entityId: String(ids['ch-ok']), after: { name: 'ch-ok-edited' } });
    expect(JSON.stringify(audit.body)).not.toContain('tenant-secret-4242');
  });

  it('a second edit keeps the masked header secret and sends only what changed', async () => {
    await openDrawer('ch-ok-edited');
    await expect(drawer().getByLabel('Header value 1').inputValue()).resolves.toBe('ten…4242');
    await drawer().getByLabel(exactly('Weight')).fill('4');
    await drawer().getByRole('button', { name: 'Save changes' }).click();
    await drawer().waitFor({ state: 'detached' });
    expect(await channel('ch-ok')).toMatchObject({ weight: 4, headers: { 'X-Tenant': 'ten…4242' } });
    const from = mock.requests.length; // not mock.reset(): that would clear the faults set above
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(mock.requests[from].headers['x-tenant']).toBe('tenant-secret-4242');
    expect(mock.requests[from].model).toBe('deepseek-chat');
  });

  it('shows each key masked with its state and last error; labels, disables and deletes (after confirming) keys', async () => {
    // the upstream refuses the bad key: the gateway bans that key (auth) and serves from the other
    await eventually(
      async () => {
        await send();
        return (await keysOf('ch-keys')).some((k) => k.status === 'auth_failed');
      },
      20_000,
      'the bad key banned',
    );
    await openDrawer('ch-keys');
    await drawer().getByRole('tab', { name: 'Keys (2)' }).click();
    const bad = (await keysOf('ch-keys')).find((k) => k.masked === 'sk-…0002')!;
    const badRow = page.getByTestId(`key-${bad.id}`);
    await badRow.getByText('auth failed').waitFor();
    await expect(badRow.textContent()).resolves.toContain('upstream answered 401');
    await cb.shot('channels-keys-light');

    await drawer().getByLabel('Label of key sk-…0002').fill('revoked by vendor');
    await drawer().getByLabel('Label of key sk-…0002').press('Enter');
    await eventually(async () => (await keysOf('ch-keys')).find((k) => k.id === bad.id)?.label === 'revoked by vendor', 5_000, 'label saved');

    const badSwitch = drawer().getByRole('switch', { name: 'Enable key sk-…0002' });
    await eventually(async () => (await badSwitch.isEnabled()) && (await badSwitch.isChecked()), 5_000, 'the switch ready');
    await badSwitch.click({ force: true });
    await badRow.getByText('disabled').waitFor();
    expect((await keysOf('ch-keys')).find((k) => k.id === bad.id)?.enabled).toBe(false);

    await drawer().getByRole('button', { name: 'Delete key sk-…0002' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete key sk-…0002?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await keysOf('ch-keys')).toHaveLength(2);
    await drawer().getByRole('button', { name: 'Delete key sk-…0002' }).click();
    await confirm.getByRole('button', { name: 'Delete key' }).click();
    await badRow.waitFor({ state: 'detached' });
    expect((await keysOf('ch-keys')).map((k) => k.masked)).toEqual(['sk-…0001']);
  });

  it('imports keys by paste (preview count, duplicates reported) and from .json and .txt files; routing follows the switches', async () => {
    const d = drawer();
    await d.getByLabel('Paste keys').fill('sk-keys-good-00001\nsk-keys-new-000003\n\nsk-keys-new-000003\n');
    await expect(d.getByTestId('key-preview').textContent()).resolves.toBe('2 keys to add · 1 repeated line ignored');
    await d.getByRole('button', { name: 'Add 2 keys' }).click();
    await expect(d.getByTestId('key-import-result').textContent()).resolves.toBe('Added 1, skipped 1 already in the poolSkipped: sk-…0001');
    // the new key takes the deleted key's position; nothing of that key's ban sticks to it
    expect((await keysOf('ch-keys')).map((k) => [k.masked, k.status])).toEqual([
      ['sk-…0001', 'ok'],
      ['sk-…0003', 'ok'],
    ]);

    const fileInput = d.locator('input[type="file"]');
    // an object is one credential (a service account); numbers are no keys at all
    await fileInput.setInputFiles({ name: 'keys.json', mimeType: 'application/json', buffer: Buffer.from('[42, true]') });
    await d.getByText('The JSON file must be an array of keys or one credential object').waitFor();
    await fileInput.setInputFiles({ name: 'keys.json', mimeType: 'application/json', buffer: Buffer.from('["sk-keys-json-000004", "sk-keys-new-000003"]') });
    // the file is read asynchronously: wait for its keys to land in the text box
    await eventually(async () => (await d.getByLabel('Paste keys').inputValue()) === 'sk-keys-json-000004\nsk-keys-new-000003', 5_000, 'the file read');
    await d.getByRole('button', { name: 'Add 2 keys' }).click();
    await d.getByTestId('key-import-result').filter({ hasText: 'Skipped: sk-…0003' }).waitFor();
    await fileInput.setInputFiles({ name: 'keys.txt', mimeType: 'text/plain', buffer: Buffer.from('sk-keys-txt-0000005\r\n') });
    await d.getByRole('button', { name: 'Add 1 key' }).click();
    await d
      .getByTestId('key-import-result')
      .filter({ hasText: /^Added 1, skipped 0 already in the pool$/ })
      .waitFor();
    expect((await keysOf('ch-keys')).map((k) => k.masked)).toEqual(['sk-…0001', 'sk-…0003', 'sk-…0004', 'sk-…0005']);
    await cb.shot('channels-keys-imported-light');

    // switch every key but one off in the panel: the upstream then only sees that key
    for (const masked of ['sk-…0001', 'sk-…0003', 'sk-…0004']) {
      const sw = d.getByRole('switch', { name: `Enable key ${masked}` });
      // the previous toggle's refetch re-lays the rows out (a "disabled" badge): click on the settled row, not where it was
      await eventually(async () => (await sw.isEnabled()) && (await sw.isChecked()), 5_000, `${masked} ready`);
      await sw.click({ force: true });
      await eventually(async () => (await keysOf('ch-keys')).find((k) => k.masked === masked)?.enabled === false, 10_000, `${masked} off`);
      await eventually(async () => !(await sw.isChecked()) && (await sw.isEnabled()), 10_000, `${masked} shown off`);
    }
    await eventually(
      async () => {
        const from = mock.requests.length;
        for (let i = 0; i < 4; i++) await send();
        return mock.requests.slice(from).every((r) => r.key === 'sk-keys-txt-0000005');
      },
      5_000,
      'only the enabled key used',
    );
    await page.keyboard.press('Escape');
    await d.waitFor({ state: 'detached' });
  });

  it('"Test all" tests every channel with progress, and shows each result in its row', async () => {
    await page.getByRole('button', { name: 'Test all' }).click();
    const progress = page.getByTestId('test-all-progress');
    await progress.getByText(/^Tested 4: 3 OK, 1 failed$/).waitFor({ timeout: 60_000 });
    await expect(row('ch-broken').getByRole('status').textContent()).resolves.toMatch(/^Failed: /);
    await expect(row('ch-ok-edited').getByRole('status').textContent()).resolves.toMatch(/^OK in \d+ ms \(gpt-4o\)$/);
    await expect(row('ch-compat').getByRole('status').textContent()).resolves.toMatch(/^OK in \d+ ms/);
    expect(mock.requests.filter((r) => r.key === 'sk-broken-key-0009').length).toBeGreaterThan(0);
    await cb.shot('channels-test-all-light');
  });

  it('deletes a channel only after confirming', async () => {
    await row('ch-compat').getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete channel ch-compat?' });
    await expect(confirm.textContent()).resolves.toContain('its 1 key will be removed');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect((await admin.get(`/api/channels/${ids['ch-compat']}`)).status).toBe(200);
    await row('ch-compat').getByRole('button', { name: 'Delete' }).click();
    await confirm.getByRole('button', { name: 'Delete channel' }).click();
    await row('ch-compat').waitFor({ state: 'detached' });
    expect((await admin.get(`/api/channels/${ids['ch-compat']}`)).status).toBe(404);
  });

  it('looks right in the dark theme and on a phone (no horizontal overflow of the page or the drawer)', async () => {
    const dark = await openConsole(sys, { colorScheme: 'dark' });
    await dark.page.goto('/channels');
    await dark.page.getByTestId('channel-ch-keys').getByRole('button', { name: 'Edit' }).click();
    await dark.page.getByRole('dialog').getByLabel(exactly('Base URL')).waitFor();
    await dark.shot('channels-drawer-dark');
    await dark.page.getByRole('dialog').getByRole('tab', { name: /^Keys/ }).click();
    await dark.page.getByRole('dialog').getByText('sk-…0005').waitFor();
    await dark.shot('channels-keys-dark');
    expect(dark.pageErrors).toEqual([]);
    await dark.close();

    const phone = await phoneContext(cb.browser, cb.context, sys.url);
    const p = await phone.newPage();
    await p.goto('/channels');
    await p.getByTestId('channel-ch-keys').waitFor();
    const fits = () => fitsWidth(p);
    await expect(fits()).resolves.toBe(true);
    await p.screenshot({ path: path.join(SHOTS, 'channels-phone.png'), fullPage: true });
    await p.getByTestId('channel-ch-keys').getByRole('button', { name: 'Edit' }).click();
    const d = p.getByRole('dialog');
    await d.getByLabel(exactly('Base URL')).waitFor();
    await expect(fits()).resolves.toBe(true);
    // the drawer slides in: measured once it has arrived (a loaded machine slows the transition)
    const save = d.getByRole('button', { name: 'Save changes' });
    await eventually(
      async () => {
        const box = await save.boundingBox();
        return box !== null && box.x + box.width <= 390;
      },
      5_000,
      'the Save button on the phone screen',
    );
    await p.screenshot({ path: path.join(SHOTS, 'channels-drawer-phone.png') });
    await d.getByRole('tab', { name: /^Keys/ }).click();
    await expect(fits()).resolves.toBe(true);
    await p.screenshot({ path: path.join(SHOTS, 'channels-keys-phone.png') });
    await phone.close();
  });

  it('raised no page error', () => {
    expect(cb.pageErrors).toEqual([]);
  });
});
